-- Custom domains (docs/apps.md): a domain belongs to at most one app of all users (the primary key), is
-- `pending_verification` until the DNS TXT record `_astro-challenge.<domain>` holds its token, then `verified` (or
-- `failed`, with the reason). The verifier picks rows whose `next_check_at` has come; `attempts` sets its back-off.
-- The rows of an app go with it once its delete is complete, freeing the domains.
CREATE TABLE app_domains (
  domain        VARCHAR(253)  NOT NULL,
  app_id        CHAR(36)      NOT NULL,
  user_id       BIGINT        NOT NULL,
  token         CHAR(43)      NOT NULL,
  status        VARCHAR(24)   NOT NULL,
  reason        VARCHAR(512)  NULL,
  attempts      INT           NOT NULL DEFAULT 0,
  next_check_at TIMESTAMP(3)  NULL,
  checked_at    TIMESTAMP(3)  NULL,
  verified_at   TIMESTAMP(3)  NULL,
  created_at    TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (domain),
  KEY idx_app_domains_app (app_id),
  KEY idx_app_domains_due (status, next_check_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The app's verified domains, in its desired state (command v2 desired.domains), kept with the rows above in the
-- same transaction.
ALTER TABLE apps ADD COLUMN domains JSON NULL AFTER is_public;
