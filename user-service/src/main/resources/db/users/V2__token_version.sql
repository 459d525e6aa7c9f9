-- A password change raises token_version; tokens carry the version they were issued at (claim tv)
-- and a token of an older version is refused. token_version_at is when it was last raised: once
-- every token of the previous version has expired (token TTL plus leeway), the user need no longer be
-- on the list the gateway and app-service poll.
ALTER TABLE users
  ADD COLUMN token_version    BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN token_version_at TIMESTAMP(3) NULL,
  ADD KEY idx_users_token_version_at (token_version_at);
