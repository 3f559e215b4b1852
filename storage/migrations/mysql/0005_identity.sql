-- Identity is (platform, user id), compared byte for byte. The tables'
-- default collation (utf8mb4_unicode_ci) compares case-, space-, width- and
-- accent-insensitively: 'SECA', 'secA ' and 'secＡ' were secretary 'secA'.
-- Every id column (user, chat, message, robot, branch, dedup key) becomes
-- VARBINARY of the same byte capacity (4 bytes a character): utf8mb4_bin
-- would still ignore trailing spaces (PAD SPACE), and the NO PAD binary
-- collations are named differently on MySQL and MariaDB. Names, titles and
-- notes keep the default. A byte key is stricter than a case-insensitive
-- one, so every row is kept. Roles gain
-- their platform: a granted role takes it from its holder's member row
-- when there is exactly one such platform (else '' matches nobody, and the
-- bureau grants it again with `jinqiu grant --platform`); roles from the
-- configuration are written again at start. Every line is re-runnable.
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'branch_roles' AND column_name = 'platform') = 0, 'ALTER TABLE branch_roles ADD COLUMN platform VARCHAR(16) NOT NULL DEFAULT '''' AFTER branch_id', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
ALTER TABLE branches MODIFY id VARBINARY(256) NOT NULL;
ALTER TABLE chat_groups MODIFY platform VARBINARY(64) NOT NULL, MODIFY chat_id VARBINARY(764) NOT NULL, MODIFY branch_id VARBINARY(256) NULL, MODIFY robot VARBINARY(256) NOT NULL DEFAULT '';
ALTER TABLE branch_roles MODIFY branch_id VARBINARY(256) NOT NULL, MODIFY platform VARBINARY(64) NOT NULL DEFAULT '', MODIFY user_id VARBINARY(764) NOT NULL;
ALTER TABLE members MODIFY platform VARBINARY(64) NOT NULL, MODIFY user_id VARBINARY(764) NOT NULL, MODIFY branch_id VARBINARY(256) NULL;
ALTER TABLE registrations MODIFY branch_id VARBINARY(256) NOT NULL, MODIFY from_branch_id VARBINARY(256) NULL, MODIFY msg_id VARBINARY(764) NOT NULL DEFAULT '';
ALTER TABLE activities MODIFY branch_id VARBINARY(256) NOT NULL;
ALTER TABLE checkins MODIFY msg_id VARBINARY(764) NOT NULL DEFAULT '';
ALTER TABLE hours_reports MODIFY branch_id VARBINARY(256) NOT NULL, MODIFY msg_id VARBINARY(764) NOT NULL DEFAULT '';
ALTER TABLE meetings MODIFY branch_id VARBINARY(256) NOT NULL, MODIFY kind VARBINARY(128) NOT NULL, MODIFY msg_id VARBINARY(764) NOT NULL DEFAULT '';
ALTER TABLE inbound MODIFY platform VARBINARY(64) NOT NULL, MODIFY robot VARBINARY(256) NOT NULL, MODIFY msg_id VARBINARY(764) NOT NULL, MODIFY chat_id VARBINARY(764) NOT NULL DEFAULT '', MODIFY user_id VARBINARY(764) NOT NULL DEFAULT '';
ALTER TABLE outbox MODIFY dedup_key VARBINARY(764) NOT NULL, MODIFY platform VARBINARY(64) NOT NULL, MODIFY robot VARBINARY(764) NOT NULL;
ALTER TABLE job_runs MODIFY job VARBINARY(764) NOT NULL;
ALTER TABLE audit_log MODIFY actor VARBINARY(764) NOT NULL, MODIFY object VARBINARY(764) NOT NULL, MODIFY msg_id VARBINARY(764) NOT NULL DEFAULT '';
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'branch_roles' AND index_name = 'uq_branch_roles') > 0, 'DROP INDEX uq_branch_roles ON branch_roles', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'branch_roles' AND index_name = 'uq_branch_roles2') = 0, 'CREATE UNIQUE INDEX uq_branch_roles2 ON branch_roles (branch_id, platform, user_id, role)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'branch_roles' AND index_name = 'ix_branch_roles_user') > 0, 'DROP INDEX ix_branch_roles_user ON branch_roles', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'branch_roles' AND index_name = 'ix_branch_roles_who') = 0, 'CREATE INDEX ix_branch_roles_who ON branch_roles (platform, user_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
UPDATE branch_roles SET platform = COALESCE((SELECT MIN(m.platform) FROM members m WHERE m.user_id = branch_roles.user_id HAVING COUNT(DISTINCT m.platform) = 1), '') WHERE platform = '' AND source <> 'config';
