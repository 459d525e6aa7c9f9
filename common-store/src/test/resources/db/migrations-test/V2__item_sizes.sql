-- size in bytes, née "weight"
ALTER TABLE items ADD COLUMN size BIGINT NOT NULL DEFAULT 0;
