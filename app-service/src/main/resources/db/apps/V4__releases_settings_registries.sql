-- Releases (docs/apps.md): every accepted change of an app's spec is release N+1, creation release 1. The app row
-- keeps its current release's settings (`settings`: env, sealed secrets and their names, command, args, resources,
-- health check, image pull secret with its sealed .dockerconfigjson), the release its pods run
-- (`observed_release`, from status v2) and the recent Kubernetes warnings about it (`warnings`, so history gets
-- each warning once). `image_pull_secret` names the registry credential the current release uses, so a
-- credential in use cannot be deleted. Apps created before releases are release 1 with no settings.
ALTER TABLE apps ADD COLUMN release_number BIGINT NOT NULL DEFAULT 1 AFTER generation,
  ADD COLUMN settings JSON NULL AFTER port,
  ADD COLUMN image_pull_secret VARCHAR(63) NULL AFTER settings,
  ADD COLUMN observed_release BIGINT NOT NULL DEFAULT 0 AFTER observed_generation,
  ADD COLUMN warnings JSON NULL AFTER observed_release;

-- One row per release: the whole spec it fixed, secrets sealed as they were, so a rollback to n is exactly n's spec.
-- `generation` is the app's generation the release was made at: a status `failed`/`RolloutFailed` for an observed
-- generation belongs to the newest release made at or before it, which is then `failed` for good.
CREATE TABLE app_releases (
  app_id      CHAR(36)      NOT NULL,
  number      BIGINT        NOT NULL,
  generation  BIGINT        NOT NULL,
  image       VARCHAR(512)  NOT NULL,
  port        INT           NULL,
  settings    JSON          NOT NULL,
  description VARCHAR(1024) NOT NULL,
  failed      BOOLEAN       NOT NULL DEFAULT FALSE,
  created_at  TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (app_id, number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO app_releases (app_id, number, generation, image, port, settings, description, created_at)
  SELECT id, 1, 1, image, port, '{}', 'created', created_at FROM apps WHERE deleted_at IS NULL;

-- History lines now include Kubernetes warnings, whose reasons are longer than command and status words
-- (FailedCreatePodSandBox).
ALTER TABLE app_events MODIFY action VARCHAR(128) NOT NULL;

-- Registry credentials a user's apps pull images with. The password is sealed (KeyRing, owner "registry:" + id)
-- and never answered; names are unique per user.
CREATE TABLE registries (
  seq        BIGINT        NOT NULL AUTO_INCREMENT,
  id         CHAR(36)      NOT NULL,
  user_id    BIGINT        NOT NULL,
  name       VARCHAR(63)   NOT NULL,
  server     VARCHAR(261)  NOT NULL,
  username   VARCHAR(255)  NOT NULL,
  password   TEXT          NOT NULL,
  created_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (seq),
  UNIQUE KEY uk_registries_id (id),
  UNIQUE KEY uk_registries_user_name (user_id, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

ALTER TABLE apps ADD KEY idx_apps_user_registry (user_id, image_pull_secret);
