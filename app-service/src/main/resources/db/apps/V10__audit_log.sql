-- The audit trail (io.astro.audit.v1 from astro.audit, written by user-service and app-service): one row per
-- event, append-only. Rows are only ever inserted (a repeated event id is kept once: `id` is unique) and only
-- housekeeping deletes them, after ASTRO_AUDIT_RETENTION; nothing updates them. No column holds a body: names
-- of things, never passwords, tokens, kubeconfigs or secret values.
CREATE TABLE audit_log (
  seq           BIGINT       NOT NULL AUTO_INCREMENT,
  id            CHAR(36)     NOT NULL,
  at            TIMESTAMP(3) NOT NULL,
  service       VARCHAR(32)  NOT NULL,
  actor_uuid    CHAR(36)     NULL,
  actor_user_id BIGINT       NULL,
  actor_role    VARCHAR(255) NULL,
  token_kind    VARCHAR(16)  NULL,
  token_id      VARCHAR(255) NULL,
  token_name    VARCHAR(255) NULL,
  action        VARCHAR(64)  NOT NULL,
  target_type   VARCHAR(255) NOT NULL,
  target_id     VARCHAR(255) NULL,
  target_name   VARCHAR(255) NULL,
  status        SMALLINT     NOT NULL,
  error_code    INT          NULL,
  request_id    VARCHAR(255) NULL,
  client_ip     VARCHAR(255) NULL,
  PRIMARY KEY (seq),
  UNIQUE KEY uq_audit_log_id (id),
  KEY idx_audit_log_at (at),
  KEY idx_audit_log_actor (actor_uuid, at),
  KEY idx_audit_log_action (action, at)
);
