-- The live-apps gauge (AppMetrics, astro_apps: WHERE deleted_at IS NULL GROUP BY status, every 5 s on every instance)
-- reads the live apps' statuses from this index alone. Without it MariaDB scanned the whole table, deleted apps'
-- rows included, which only grow (bench/, benchmark 5 shows the plan).
ALTER TABLE apps ADD KEY idx_apps_live_status (deleted_at, status);
