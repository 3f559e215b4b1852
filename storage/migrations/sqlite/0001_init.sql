-- jinqiu schema, SQLite (modernc.org/sqlite). Mirrors mysql/0001_init.sql.
CREATE TABLE IF NOT EXISTS branches (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(191) NOT NULL,
  town VARCHAR(191) NOT NULL DEFAULT '',
  kind VARCHAR(16) NOT NULL DEFAULT 'community',
  updated_at DATETIME NOT NULL
);

CREATE TABLE IF NOT EXISTS chat_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  platform VARCHAR(16) NOT NULL,
  chat_id VARCHAR(191) NOT NULL,
  branch_id VARCHAR(64) NULL,
  robot VARCHAR(64) NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_chat_groups ON chat_groups (platform, chat_id);
CREATE INDEX IF NOT EXISTS ix_chat_groups_branch ON chat_groups (branch_id);

CREATE TABLE IF NOT EXISTS branch_roles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  role VARCHAR(16) NOT NULL,
  source VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_branch_roles ON branch_roles (branch_id, user_id, role);
CREATE INDEX IF NOT EXISTS ix_branch_roles_user ON branch_roles (user_id);

CREATE TABLE IF NOT EXISTS members (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  platform VARCHAR(16) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  branch_id VARCHAR(64) NULL,
  registered_at DATETIME NULL,
  last_active_at DATETIME NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_members ON members (platform, user_id);
CREATE INDEX IF NOT EXISTS ix_members_branch ON members (branch_id, registered_at);

CREATE TABLE IF NOT EXISTS registrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  from_branch_id VARCHAR(64) NULL,
  registered_on DATE NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_registrations_member ON registrations (member_id, created_at);
CREATE INDEX IF NOT EXISTS ix_registrations_branch ON registrations (branch_id, created_at);

CREATE TABLE IF NOT EXISTS activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  title VARCHAR(191) NOT NULL,
  place VARCHAR(191) NOT NULL DEFAULT '',
  starts_at DATETIME NOT NULL,
  ends_at DATETIME NOT NULL,
  signup_deadline DATETIME NULL,
  capacity INT NOT NULL DEFAULT 0,
  taken INT NOT NULL DEFAULT 0,
  next_seq BIGINT NOT NULL DEFAULT 0,
  state VARCHAR(16) NOT NULL DEFAULT 'open',
  created_by BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  credited_at DATETIME NULL
);
CREATE INDEX IF NOT EXISTS ix_activities_branch_start ON activities (branch_id, starts_at);
CREATE INDEX IF NOT EXISTS ix_activities_start ON activities (starts_at);

CREATE TABLE IF NOT EXISTS signups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  activity_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  state VARCHAR(16) NOT NULL,
  seq BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_signups ON signups (activity_id, member_id);
CREATE INDEX IF NOT EXISTS ix_signups_queue ON signups (activity_id, state, seq);
CREATE INDEX IF NOT EXISTS ix_signups_member ON signups (member_id, state);

CREATE TABLE IF NOT EXISTS checkins (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  activity_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  checked_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_checkins ON checkins (activity_id, member_id);
CREATE INDEX IF NOT EXISTS ix_checkins_member ON checkins (member_id, checked_at);

CREATE TABLE IF NOT EXISTS hours_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  served_on DATE NOT NULL,
  centihours INT NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  state VARCHAR(16) NOT NULL,
  activity_id BIGINT NULL,
  approver_id BIGINT NULL,
  decided_at DATETIME NULL,
  reason VARCHAR(500) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_hours_activity ON hours_reports (activity_id, member_id);
CREATE INDEX IF NOT EXISTS ix_hours_member ON hours_reports (member_id, served_on);
CREATE INDEX IF NOT EXISTS ix_hours_branch ON hours_reports (branch_id, state, served_on);
CREATE INDEX IF NOT EXISTS ix_hours_decided ON hours_reports (state, decided_at);

CREATE TABLE IF NOT EXISTS meetings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  held_on DATE NOT NULL,
  topic VARCHAR(500) NOT NULL DEFAULT '',
  recorder_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_meetings ON meetings (branch_id, kind, held_on);
CREATE INDEX IF NOT EXISTS ix_meetings_held ON meetings (held_on);

CREATE TABLE IF NOT EXISTS inbound (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  platform VARCHAR(16) NOT NULL,
  robot VARCHAR(64) NOT NULL,
  msg_id VARCHAR(191) NOT NULL,
  chat_id VARCHAR(191) NOT NULL DEFAULT '',
  user_id VARCHAR(191) NOT NULL DEFAULT '',
  state VARCHAR(16) NOT NULL,
  reply TEXT NULL,
  received_at DATETIME NOT NULL,
  done_at DATETIME NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_inbound ON inbound (platform, robot, msg_id);
CREATE INDEX IF NOT EXISTS ix_inbound_received ON inbound (received_at);

CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key VARCHAR(191) NOT NULL,
  platform VARCHAR(16) NOT NULL,
  robot VARCHAR(191) NOT NULL,
  target TEXT NOT NULL,
  body TEXT NOT NULL,
  policy VARCHAR(16) NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME NOT NULL,
  last_error VARCHAR(500) NOT NULL DEFAULT '',
  lease_owner VARCHAR(64) NOT NULL DEFAULT '',
  lease_until DATETIME NULL,
  created_at DATETIME NOT NULL,
  sent_at DATETIME NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_outbox ON outbox (dedup_key);
CREATE INDEX IF NOT EXISTS ix_outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS ix_outbox_robot ON outbox (robot, state);

CREATE TABLE IF NOT EXISTS job_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job VARCHAR(191) NOT NULL,
  slot DATETIME NOT NULL,
  state VARCHAR(16) NOT NULL,
  owner VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_job_runs ON job_runs (job, slot);

CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor VARCHAR(191) NOT NULL,
  action VARCHAR(64) NOT NULL,
  object VARCHAR(191) NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  detail VARCHAR(1000) NOT NULL DEFAULT '',
  at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_audit_at ON audit_log (at);
CREATE INDEX IF NOT EXISTS ix_audit_object ON audit_log (object);
