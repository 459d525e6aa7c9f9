-- Clusters operators imported. The kubeconfig is stored sealed (AES-256-GCM, key id in the value) and never
-- leaves the service except sealed on astro.clusters. Live names are unique (name_live, as for apps); `name` is
-- what apps and the sync-worker call the cluster.
CREATE TABLE clusters (
  seq               BIGINT        NOT NULL AUTO_INCREMENT,
  id                CHAR(36)      NOT NULL,
  name              VARCHAR(63)   NOT NULL,
  description       VARCHAR(512)  NULL,
  labels            JSON          NOT NULL,
  kubeconfig        TEXT          NOT NULL,
  key_id            VARCHAR(32)   NOT NULL,
  api_server        VARCHAR(512)  NULL,
  revision          BIGINT        NOT NULL DEFAULT 1,
  sync_requested_at TIMESTAMP(3)  NULL,
  created_at        TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  deleted_at        TIMESTAMP(3)  NULL,
  name_live         VARCHAR(63)   AS (IF(deleted_at IS NULL, name, NULL)) STORED,
  PRIMARY KEY (seq),
  UNIQUE KEY uk_clusters_id (id),
  UNIQUE KEY uk_clusters_name_live (name_live)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The latest health check of each cluster (by name), from astro.cluster.status; lists read only this.
CREATE TABLE cluster_states (
  name         VARCHAR(63)    NOT NULL,
  status       VARCHAR(16)    NOT NULL,
  version      VARCHAR(64)    NULL,
  api_server   VARCHAR(512)   NULL,
  nodes        INT            NULL,
  ready_nodes  INT            NULL,
  cpu_cores    DECIMAL(12, 3) NULL,
  memory_bytes BIGINT         NULL,
  heartbeat_at TIMESTAMP(3)   NULL,
  error        VARCHAR(1024)  NULL,
  checked_at   TIMESTAMP(3)   NOT NULL,
  PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Why the app is on its cluster (placement), for the app's detail.
ALTER TABLE apps ADD COLUMN placement VARCHAR(255) NULL AFTER cluster_id,
  ADD KEY idx_apps_cluster (cluster_id, deleted_at);

-- The outbox now feeds two topics: commands (topic NULL, the relay's default) and the cluster registry, keyed by
-- cluster name; a NULL payload is a tombstone.
ALTER TABLE outbox ADD COLUMN topic VARCHAR(249) NULL AFTER type,
  MODIFY aggregate_id VARCHAR(64) NOT NULL,
  MODIFY payload JSON NULL;
