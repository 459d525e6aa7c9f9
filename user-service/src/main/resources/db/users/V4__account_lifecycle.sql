-- Account deletion by its owner: deleted_at is set at once (the account is gone: no login, its tokens
-- refused), but its username and email stay held until names_released_at, set by housekeeping once the
-- reservation (ASTRO_USERNAME_RESERVATION) has passed, so nobody can sign up as the deleted account
-- meanwhile. Accounts soft-deleted before this migration have their names free already.
ALTER TABLE users ADD COLUMN names_released_at TIMESTAMP(3) NULL;
UPDATE users SET names_released_at = deleted_at WHERE deleted_at IS NOT NULL;

-- The unique *_live columns now follow names_released_at instead of deleted_at: a deleted account's
-- names keep colliding until they are released. Dropped and added again (changing the expression of a
-- stored generated column in place is not portable between MySQL and MariaDB).
ALTER TABLE users
  DROP KEY uk_users_username_live,
  DROP KEY uk_users_email_live,
  DROP COLUMN username_live,
  DROP COLUMN email_live;
ALTER TABLE users
  ADD COLUMN username_live VARCHAR(20)  AS (IF(names_released_at IS NULL, LOWER(username), NULL)) STORED,
  ADD COLUMN email_live    VARCHAR(254) AS (IF(names_released_at IS NULL, LOWER(email), NULL)) STORED,
  ADD UNIQUE KEY uk_users_username_live (username_live),
  ADD UNIQUE KEY uk_users_email_live (email_live),
  ADD KEY idx_users_deleted_at (deleted_at, names_released_at);

-- user-service's transactional outbox (the same tables and relay as app-service's): a user event is
-- written in the transaction that changes the account, the relay publishes it to astro.users after
-- the commit, keyed by the user's uuid. `payload` is the whole CloudEvent, so a re-publish after a
-- crash carries the same event id.
CREATE TABLE outbox (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  aggregate_id VARCHAR(64)  NOT NULL,
  type         VARCHAR(128) NOT NULL,
  topic        VARCHAR(249) NULL,
  payload      JSON         NULL,
  headers      JSON         NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at TIMESTAMP(3) NULL,
  PRIMARY KEY (id),
  KEY idx_outbox_unpublished (published_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The relay's lock: whoever holds this row (SELECT ... FOR UPDATE SKIP LOCKED) publishes.
CREATE TABLE outbox_relay_lock (
  id INT NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB;
INSERT INTO outbox_relay_lock (id) VALUES (1);
