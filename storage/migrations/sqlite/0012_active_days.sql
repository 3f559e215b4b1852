-- The kept active days (see the MySQL file).
CREATE TABLE IF NOT EXISTS active_days (
  day DATE NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  member_id BIGINT NOT NULL,
  PRIMARY KEY (day, branch_id, member_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_active_days_member ON active_days (member_id, day);
CREATE INDEX IF NOT EXISTS ix_active_days_branch ON active_days (branch_id, member_id, day);
CREATE TABLE IF NOT EXISTS active_days_state (
  id INTEGER NOT NULL PRIMARY KEY,
  zone VARCHAR(64) NOT NULL,
  hours_id BIGINT NOT NULL,
  checkin_id BIGINT NOT NULL,
  signup_id BIGINT NOT NULL
);
