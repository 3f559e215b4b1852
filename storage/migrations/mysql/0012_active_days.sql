-- The kept active days: one row per (day, branch, member) on which the
-- member signed up for an activity of the branch, checked in at one, or
-- reported hours served for it (any state: the digest's "active"). The
-- digest, the console's chart and the inactive count read these instead
-- of a UNION of the three tables, which for a province's year was 3.7
-- million rows deduplicated in a temporary table. The rows of the data
-- written before this migration are filled in by the migration's Go step
-- (active.go): the day of an instant is taken in the configured zone.
-- Re-runnable; id columns are VARBINARY (0005).
CREATE TABLE IF NOT EXISTS active_days (
  day DATE NOT NULL,
  branch_id VARBINARY(256) NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (day, branch_id, member_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'active_days' AND index_name = 'ix_active_days_member') = 0, 'CREATE INDEX ix_active_days_member ON active_days (member_id, day)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'active_days' AND index_name = 'ix_active_days_branch') = 0, 'CREATE INDEX ix_active_days_branch ON active_days (branch_id, member_id, day)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- What the kept rows were taken with: the zone of their days, and how far
-- the catch-up (storage.CatchUpActiveDays) has read each event table by id.
CREATE TABLE IF NOT EXISTS active_days_state (
  id INT NOT NULL PRIMARY KEY,
  zone VARCHAR(64) NOT NULL,
  hours_id BIGINT NOT NULL,
  checkin_id BIGINT NOT NULL,
  signup_id BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
