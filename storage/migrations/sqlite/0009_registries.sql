-- The programme's registries (see the MySQL file): posts held, 顾问团
-- decisions, 典型 nominations, 阵地 and each branch's 统计用区划代码.
ALTER TABLE branches ADD COLUMN division_code VARCHAR(12) NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  position VARCHAR(191) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  started_on DATE NOT NULL,
  ended_on DATE NULL,
  recorder_id BIGINT NOT NULL,
  ended_by BIGINT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  end_msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_posts_member ON posts (member_id, ended_on);
CREATE INDEX IF NOT EXISTS ix_posts_branch ON posts (branch_id, started_on);

CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  topic VARCHAR(500) NOT NULL,
  decided_on DATE NOT NULL,
  present INT NOT NULL DEFAULT 0,
  adopted SMALLINT NULL,
  recorder_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_decisions_day ON decisions (decided_on);
CREATE INDEX IF NOT EXISTS ix_decisions_branch ON decisions (branch_id, decided_on);

CREATE TABLE IF NOT EXISTS nominations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id BIGINT NOT NULL,
  branch_id VARCHAR(64) NOT NULL,
  deeds VARCHAR(500) NOT NULL DEFAULT '',
  state VARCHAR(16) NOT NULL,
  nominated_by BIGINT NOT NULL,
  nominated_at DATETIME NOT NULL,
  commended_by BIGINT NULL,
  commended_at DATETIME NULL,
  msg_id VARCHAR(191) NOT NULL DEFAULT '',
  commend_msg_id VARCHAR(191) NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_nominations_at ON nominations (nominated_at);
CREATE INDEX IF NOT EXISTS ix_nominations_commended ON nominations (commended_at);
CREATE INDEX IF NOT EXISTS ix_nominations_member ON nominations (member_id);

CREATE TABLE IF NOT EXISTS places (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  branch_id VARCHAR(64) NOT NULL,
  name VARCHAR(191) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_places ON places (branch_id, name);
