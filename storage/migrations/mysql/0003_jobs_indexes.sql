-- Indexes for the scheduler and the weekly digest (jobs/). MySQL 8 has no
-- CREATE INDEX IF NOT EXISTS, so each index is created through a prepared
-- statement only when information_schema lacks it: every line is
-- re-runnable, and the migration runs on one connection, which keeps @ddl.
-- Indexes add no rows, so a half-applied file is safe to run again.
-- the scheduler's look-back: slots since its last tick
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'job_runs' AND index_name = 'ix_job_runs_slot') = 0, 'CREATE INDEX ix_job_runs_slot ON job_runs (slot)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: 报到 in the week
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'registrations' AND index_name = 'ix_registrations_on') = 0, 'CREATE INDEX ix_registrations_on ON registrations (registered_on, branch_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: the week's hours, covering (no row reads)
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'hours_reports' AND index_name = 'ix_hours_served') = 0, 'CREATE INDEX ix_hours_served ON hours_reports (served_on, state, branch_id, member_id, centihours)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: active members
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'checkins' AND index_name = 'ix_checkins_at') = 0, 'CREATE INDEX ix_checkins_at ON checkins (checked_at, activity_id, member_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: active members
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'signups' AND index_name = 'ix_signups_created') = 0, 'CREATE INDEX ix_signups_created ON signups (created_at, activity_id, member_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: inactive members (NOT EXISTS probe)
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'signups' AND index_name = 'ix_signups_member_created') = 0, 'CREATE INDEX ix_signups_member_created ON signups (member_id, created_at)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- digest: who held each kind in a period, covering
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'meetings' AND index_name = 'ix_meetings_kind_held') = 0, 'CREATE INDEX ix_meetings_kind_held ON meetings (kind, held_on, branch_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
