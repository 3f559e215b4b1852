-- 公示 of approved hours (see the MySQL file).
CREATE TABLE IF NOT EXISTS consents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL,
  granted INTEGER NOT NULL,
  at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_consents_member ON consents (member_id, id);
CREATE TABLE IF NOT EXISTS publicities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  from_day DATE NOT NULL,
  to_day DATE NOT NULL,
  closes_on DATE NOT NULL,
  closes_at DATETIME NOT NULL,
  published_by BIGINT NOT NULL,
  published_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_publicities_branch ON publicities (branch_id, from_day);
CREATE TABLE IF NOT EXISTS publicity_entries (
  publicity_id BIGINT NOT NULL,
  hours_id BIGINT NOT NULL,
  centihours INTEGER NOT NULL,
  shown_name VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_publicity_entries ON publicity_entries (hours_id);
CREATE INDEX IF NOT EXISTS ix_publicity_entries_pub ON publicity_entries (publicity_id);
CREATE TABLE IF NOT EXISTS objections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  publicity_id BIGINT NOT NULL,
  hours_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_objections_hours ON objections (hours_id);
CREATE TABLE IF NOT EXISTS hours_corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hours_id BIGINT NOT NULL,
  centihours_before INTEGER NOT NULL,
  centihours_after INTEGER NOT NULL,
  reason VARCHAR(500) NOT NULL,
  by_id BIGINT NOT NULL,
  at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_hours_corrections_hours ON hours_corrections (hours_id);
-- A workbook's download link (see the MySQL file).
CREATE TABLE IF NOT EXISTS download_links (
  token_hash VARCHAR(64) NOT NULL PRIMARY KEY,
  actor VARCHAR(191) NOT NULL,
  branch_id VARCHAR(64) NOT NULL DEFAULT '',
  from_day DATE NOT NULL,
  to_day DATE NOT NULL,
  expires_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL,
  downloads INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_download_links_expires ON download_links (expires_at);
