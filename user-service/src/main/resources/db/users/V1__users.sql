-- Users. Usernames and emails are unique among live (not soft-deleted) users, case-insensitively:
-- the *_live columns are NULL once deleted_at is set, and NULLs never collide in a UNIQUE key.
CREATE TABLE users (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  uuid          CHAR(36)     NOT NULL,
  username      VARCHAR(20)  NOT NULL,
  email         VARCHAR(254) NOT NULL,
  password_hash CHAR(60)     NOT NULL,
  role          VARCHAR(16)  NOT NULL DEFAULT 'user',
  status        VARCHAR(16)  NOT NULL DEFAULT 'active',
  created_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  deleted_at    TIMESTAMP(3) NULL,
  username_live VARCHAR(20)  AS (IF(deleted_at IS NULL, LOWER(username), NULL)) STORED,
  email_live    VARCHAR(254) AS (IF(deleted_at IS NULL, LOWER(email), NULL)) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY uk_users_uuid (uuid),
  UNIQUE KEY uk_users_username_live (username_live),
  UNIQUE KEY uk_users_email_live (email_live),
  KEY idx_users_status (status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
