-- jinqiu schema, MySQL 8 / MariaDB 10.6+. One statement per Exec; every
-- statement is re-runnable, because MySQL DDL commits implicitly and a
-- migration that fails halfway must be able to run again.
CREATE TABLE IF NOT EXISTS branches (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(191) NOT NULL,
  town VARCHAR(191) NOT NULL DEFAULT '',
  kind VARCHAR(16) NOT NULL DEFAULT 'community',
  updated_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS chat_groups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  chat_id VARCHAR(191) NOT NULL,
  branch_id VARCHAR(64) NULL,
  robot VARCHAR(64) NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL,
  UNIQUE KEY uq_chat_groups (platform, chat_id),
  KEY ix_chat_groups_branch (branch_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS branch_roles (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  branch_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  role VARCHAR(16) NOT NULL,
  source VARCHAR(16) NOT NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_branch_roles (branch_id, user_id, role),
  KEY ix_branch_roles_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS members (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  branch_id VARCHAR(64) NULL,
  registered_at DATETIME NULL,
  last_active_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_members (platform, user_id),
  KEY ix_members_branch (branch_id, registered_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS registrations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  from_branch_id VARCHAR(64) NULL,
  registered_on DATE NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  KEY ix_registrations_member (member_id, created_at),
  KEY ix_registrations_branch (branch_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS activities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
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
  credited_at DATETIME NULL,
  KEY ix_activities_branch_start (branch_id, starts_at),
  KEY ix_activities_start (starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS signups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  activity_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  state VARCHAR(16) NOT NULL,
  seq BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE KEY uq_signups (activity_id, member_id),
  KEY ix_signups_queue (activity_id, state, seq),
  KEY ix_signups_member (member_id, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS checkins (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  activity_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  checked_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  UNIQUE KEY uq_checkins (activity_id, member_id),
  KEY ix_checkins_member (member_id, checked_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS hours_reports (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
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
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  UNIQUE KEY uq_hours_activity (activity_id, member_id),
  KEY ix_hours_member (member_id, served_on),
  KEY ix_hours_branch (branch_id, state, served_on),
  KEY ix_hours_decided (state, decided_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS meetings (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  branch_id VARCHAR(64) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  held_on DATE NOT NULL,
  topic VARCHAR(500) NOT NULL DEFAULT '',
  recorder_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  UNIQUE KEY uq_meetings (branch_id, kind, held_on),
  KEY ix_meetings_held (held_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS inbound (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  robot VARCHAR(64) NOT NULL,
  msg_id VARCHAR(191) NOT NULL,
  chat_id VARCHAR(191) NOT NULL DEFAULT '',
  user_id VARCHAR(191) NOT NULL DEFAULT '',
  state VARCHAR(16) NOT NULL,
  reply MEDIUMTEXT NULL,
  received_at DATETIME NOT NULL,
  done_at DATETIME NULL,
  UNIQUE KEY uq_inbound (platform, robot, msg_id),
  KEY ix_inbound_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  dedup_key VARCHAR(191) NOT NULL,
  platform VARCHAR(16) NOT NULL,
  robot VARCHAR(191) NOT NULL,
  target TEXT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  policy VARCHAR(16) NOT NULL,
  state VARCHAR(16) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at DATETIME NOT NULL,
  last_error VARCHAR(500) NOT NULL DEFAULT '',
  lease_owner VARCHAR(64) NOT NULL DEFAULT '',
  lease_until DATETIME NULL,
  created_at DATETIME NOT NULL,
  sent_at DATETIME NULL,
  UNIQUE KEY uq_outbox (dedup_key),
  KEY ix_outbox_due (state, next_attempt_at),
  KEY ix_outbox_robot (robot, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS job_runs (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  job VARCHAR(191) NOT NULL,
  slot DATETIME NOT NULL,
  state VARCHAR(16) NOT NULL,
  owner VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_job_runs (job, slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor VARCHAR(191) NOT NULL,
  action VARCHAR(64) NOT NULL,
  object VARCHAR(191) NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  detail VARCHAR(1000) NOT NULL DEFAULT '',
  at DATETIME NOT NULL,
  KEY ix_audit_at (at),
  KEY ix_audit_object (object)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
