-- The apps list (AppStore.list: WHERE user_id = ? AND deleted_at IS NULL, newest first by seq, and its COUNT) reads
-- one user's live apps in order from this index: no filesort, no other user's rows. Without it MariaDB counted with a
-- full table scan and paged by walking the primary key backwards through everyone's apps (bench/, benchmark 5).
ALTER TABLE apps ADD KEY idx_apps_user_live (user_id, deleted_at, seq);
