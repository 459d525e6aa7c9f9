-- A cluster's own public-URL settings (io.astro.cluster.v1's publicUrls: appsDomain, ingressClass, tlsIssuer,
-- ingressNamespaceSelector, each null when the sync-worker's setting applies); NULL when it overrides none.
-- With several clusters each needs its own apps domain: a wildcard DNS name points at one cluster's ingress.
ALTER TABLE clusters ADD COLUMN public_urls JSON NULL AFTER labels;
