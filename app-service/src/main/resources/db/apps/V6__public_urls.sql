-- Public URLs: whether an app with a port answers on one (true unless the user asks otherwise, so apps
-- from before keep the default), and the URL the sync-worker last reported for it (status v2 `url`).
ALTER TABLE apps
  ADD COLUMN is_public BOOLEAN      NOT NULL DEFAULT TRUE AFTER port,
  ADD COLUMN url       VARCHAR(300) NULL AFTER observed_release;
