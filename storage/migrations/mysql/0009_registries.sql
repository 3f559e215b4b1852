-- The programme's registries: posts held (a post ends with an end date,
-- nothing is overwritten), the decisions a branch's 顾问团 took part in,
-- 典型 nominations (nominated → commended), the branches' 阵地 from the
-- configuration, and each branch's 12-digit 统计用区划代码. Id columns are
-- VARBINARY as in 0005. Every statement is re-runnable (MySQL DDL commits
-- implicitly).
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'branches' AND column_name = 'division_code') = 0, 'ALTER TABLE branches ADD COLUMN division_code VARBINARY(48) NOT NULL DEFAULT ''''', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;

CREATE TABLE IF NOT EXISTS posts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  branch_id VARBINARY(256) NOT NULL,
  position VARCHAR(191) NOT NULL,
  kind VARBINARY(128) NOT NULL,
  started_on DATE NOT NULL,
  ended_on DATE NULL,
  recorder_id BIGINT NOT NULL,
  ended_by BIGINT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT '',
  end_msg_id VARBINARY(764) NOT NULL DEFAULT '',
  KEY ix_posts_member (member_id, ended_on),
  KEY ix_posts_branch (branch_id, started_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS decisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  branch_id VARBINARY(256) NOT NULL,
  topic VARCHAR(500) NOT NULL,
  decided_on DATE NOT NULL,
  present INT NOT NULL DEFAULT 0,
  adopted TINYINT NULL,
  recorder_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT '',
  KEY ix_decisions_day (decided_on),
  KEY ix_decisions_branch (branch_id, decided_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS nominations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  branch_id VARBINARY(256) NOT NULL,
  deeds VARCHAR(500) NOT NULL DEFAULT '',
  state VARBINARY(64) NOT NULL,
  nominated_by BIGINT NOT NULL,
  nominated_at DATETIME NOT NULL,
  commended_by BIGINT NULL,
  commended_at DATETIME NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT '',
  commend_msg_id VARBINARY(764) NOT NULL DEFAULT '',
  KEY ix_nominations_at (nominated_at),
  KEY ix_nominations_commended (commended_at),
  KEY ix_nominations_member (member_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS places (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  branch_id VARBINARY(256) NOT NULL,
  name VARCHAR(191) NOT NULL,
  kind VARCHAR(32) NOT NULL,
  updated_at DATETIME NOT NULL,
  UNIQUE KEY uq_places (branch_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
