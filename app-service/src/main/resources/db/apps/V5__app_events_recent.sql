-- History is read for two more things than its pages: the write limits count a user's recent commands
-- (WriteLimits: apps of the user joined to their app_events of the last window, kind 'command'), and
-- housekeeping deletes lines older than ASTRO_APP_EVENTS_RETENTION oldest first. Without these both
-- would read every line of the apps (or of the table).
ALTER TABLE app_events
  ADD KEY idx_app_events_recent (app_id, kind, created_at),
  ADD KEY idx_app_events_created (created_at);
