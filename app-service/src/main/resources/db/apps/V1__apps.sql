-- Apps: desired state (what the user asked for, versioned by `generation`) and observed state (what the
-- sync-worker last reported, versioned by `observed_generation` / `observed_at`) in one row.
-- Names are unique per user among live apps: `name_live` is NULL once deleted_at is set, and NULLs never
-- collide in a UNIQUE key (the original (user_id, name, deleted_at) key let duplicates through for that reason).
CREATE TABLE apps (
  seq                 BIGINT       NOT NULL AUTO_INCREMENT,
  id                  CHAR(36)     NOT NULL,
  user_id             BIGINT       NOT NULL,
  name                VARCHAR(40)  NOT NULL,
  cluster_id          VARCHAR(64)  NOT NULL,
  namespace           VARCHAR(63)  NOT NULL,
  k8s_name            VARCHAR(63)  NOT NULL,
  image               VARCHAR(512) NOT NULL,
  replicas            INT          NOT NULL,
  port                INT          NULL,
  stopped             BOOLEAN      NOT NULL DEFAULT FALSE,
  restarted_at        TIMESTAMP(3) NULL,
  deleting            BOOLEAN      NOT NULL DEFAULT FALSE,
  generation          BIGINT       NOT NULL DEFAULT 1,
  status              VARCHAR(16)  NOT NULL DEFAULT 'pending',
  desired_replicas    INT          NULL,
  ready_replicas      INT          NULL,
  pods                JSON         NULL,
  reason              VARCHAR(255) NULL,
  message             VARCHAR(1024) NULL,
  observed_generation BIGINT       NOT NULL DEFAULT 0,
  observed_at         TIMESTAMP(3) NULL,
  created_at          TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at          TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  deleted_at          TIMESTAMP(3) NULL,
  name_live           VARCHAR(40)  AS (IF(deleted_at IS NULL, name, NULL)) STORED,
  PRIMARY KEY (seq),
  UNIQUE KEY uk_apps_id (id),
  UNIQUE KEY uk_apps_user_name_live (user_id, name_live),
  KEY idx_apps_user_status (user_id, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per user who ever created an app. Its row lock serializes one user's creates, so the per-user
-- app quota holds even when two creates race.
CREATE TABLE app_owners (
  user_id    BIGINT       NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Per-app history: commands issued and status changes, newest last by id.
CREATE TABLE app_events (
  id         BIGINT        NOT NULL AUTO_INCREMENT,
  app_id     CHAR(36)      NOT NULL,
  kind       VARCHAR(16)   NOT NULL,
  action     VARCHAR(16)   NOT NULL,
  generation BIGINT        NOT NULL,
  reason     VARCHAR(255)  NULL,
  message    VARCHAR(1024) NULL,
  request_id VARCHAR(128)  NULL,
  created_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY idx_app_events_app (app_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Transactional outbox: written in the same transaction as the row change it announces; the relay
-- publishes unpublished rows in id order. `payload` is the whole CloudEvent, so a re-publish after a crash
-- carries the same event id.
CREATE TABLE outbox (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  aggregate_id CHAR(36)     NOT NULL,
  type         VARCHAR(128) NOT NULL,
  payload      JSON         NOT NULL,
  headers      JSON         NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at TIMESTAMP(3) NULL,
  PRIMARY KEY (id),
  KEY idx_outbox_unpublished (published_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The relay's lock: whoever holds this row (SELECT ... FOR UPDATE SKIP LOCKED) publishes; other instances
-- skip and try later, so no two instances ever publish the same app's rows out of order.
CREATE TABLE outbox_relay_lock (
  id INT NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB;
INSERT INTO outbox_relay_lock (id) VALUES (1);

-- Create requests seen with an Idempotency-Key: the normalized request's hash and the response given,
-- written in the create's own transaction so a key never exists without its app (and vice versa).
CREATE TABLE idempotency_keys (
  user_id      BIGINT       NOT NULL,
  idem_key     VARCHAR(128) NOT NULL,
  request_hash CHAR(64)     NOT NULL,
  response     JSON         NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id, idem_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
