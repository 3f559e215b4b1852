-- Identity is (platform, user id), compared byte for byte: SQLite's TEXT
-- already compares so. Roles gain their platform (see the MySQL file).
ALTER TABLE branch_roles ADD COLUMN platform VARCHAR(16) NOT NULL DEFAULT '';
DROP INDEX IF EXISTS uq_branch_roles;
CREATE UNIQUE INDEX IF NOT EXISTS uq_branch_roles2 ON branch_roles (branch_id, platform, user_id, role);
DROP INDEX IF EXISTS ix_branch_roles_user;
CREATE INDEX IF NOT EXISTS ix_branch_roles_who ON branch_roles (platform, user_id);
UPDATE branch_roles SET platform = COALESCE((SELECT MIN(m.platform) FROM members m WHERE m.user_id = branch_roles.user_id HAVING COUNT(DISTINCT m.platform) = 1), '') WHERE platform = '' AND source <> 'config';
