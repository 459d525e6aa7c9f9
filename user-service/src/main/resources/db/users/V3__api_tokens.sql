-- Personal API tokens (for CI jobs and scripts). The secret itself is never stored: token_hash is its
-- SHA-256 (the secret has 256 random bits, so a fast hash is as strong as a slow one would be; see
-- the README, Personal API tokens), looked up by the unique key. prefix is the first characters, shown
-- to tell tokens apart. uuid is the public id (API, the pat claim, the revoked list).
-- revoked_at is set once and kept: the internal list serves ids revoked lately.
CREATE TABLE api_tokens (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  uuid         CHAR(36)     NOT NULL,
  user_id      BIGINT       NOT NULL,
  name         VARCHAR(64)  NOT NULL,
  token_hash   BINARY(32)   NOT NULL,
  prefix       VARCHAR(24)  NOT NULL,
  scope        VARCHAR(8)   NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at   TIMESTAMP(3) NOT NULL,
  last_used_at TIMESTAMP(3) NULL,
  revoked_at   TIMESTAMP(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_api_tokens_uuid (uuid),
  UNIQUE KEY uk_api_tokens_hash (token_hash),
  KEY idx_api_tokens_user (user_id, revoked_at),
  KEY idx_api_tokens_revoked_at (revoked_at),
  CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
