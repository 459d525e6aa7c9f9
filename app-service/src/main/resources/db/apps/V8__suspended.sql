-- An app whose owner's account is disabled is suspended: its commands ask for no replicas, its status is
-- `suspended`, and replicas and stopped keep what the owner asked for, so enabling the account restores
-- it as it was. Its owner's `disabled` and `enabled` events (io.astro.user.v1 on astro.users) set and
-- clear it.
ALTER TABLE apps ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;
