-- The confirmed places of an activity from the index alone (see the MySQL file).
CREATE INDEX IF NOT EXISTS ix_signups_places ON signups (activity_id, state, member_id);
