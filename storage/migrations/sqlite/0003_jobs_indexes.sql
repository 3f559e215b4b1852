-- Indexes for the scheduler and the weekly digest (jobs/). Mirrors
-- mysql/0003_jobs_indexes.sql.
-- the scheduler's look-back: slots since its last tick
CREATE INDEX IF NOT EXISTS ix_job_runs_slot ON job_runs (slot);
-- digest: 报到 in the week
CREATE INDEX IF NOT EXISTS ix_registrations_on ON registrations (registered_on, branch_id);
-- digest: the week's hours, covering (no row reads)
CREATE INDEX IF NOT EXISTS ix_hours_served ON hours_reports (served_on, state, branch_id, member_id, centihours);
-- digest: active members
CREATE INDEX IF NOT EXISTS ix_checkins_at ON checkins (checked_at, activity_id, member_id);
-- digest: active members
CREATE INDEX IF NOT EXISTS ix_signups_created ON signups (created_at, activity_id, member_id);
-- digest: inactive members (NOT EXISTS probe)
CREATE INDEX IF NOT EXISTS ix_signups_member_created ON signups (member_id, created_at);
-- digest: who held each kind in a period, covering
CREATE INDEX IF NOT EXISTS ix_meetings_kind_held ON meetings (kind, held_on, branch_id);
