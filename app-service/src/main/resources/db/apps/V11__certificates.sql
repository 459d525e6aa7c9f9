-- The TLS certificate state of the app's hosts as the sync-worker last reported it (status v2 `certificates`:
-- [{host, state, reason}]), shown with the app and its custom domains; NULL or empty: the cluster does not say.
ALTER TABLE apps ADD COLUMN certificates JSON NULL AFTER url;
