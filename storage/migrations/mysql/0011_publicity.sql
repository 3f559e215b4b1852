-- 公示 of approved hours. consents is a history: a member's latest row
-- says whether their name may be shown in full (同意公示 / 不同意公示).
-- A publicity lists the approved entries of a branch's period; each entry
-- is published once (unique hours_id) and is final after closes_at. An
-- objection is kept; a change after that is a correction row with its
-- reason, the entry keeping its new amount. Every line is re-runnable
-- (MySQL DDL commits implicitly). Id columns are VARBINARY (0005).
CREATE TABLE IF NOT EXISTS consents (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  member_id BIGINT NOT NULL,
  granted TINYINT NOT NULL,
  at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'consents' AND index_name = 'ix_consents_member') = 0, 'CREATE INDEX ix_consents_member ON consents (member_id, id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
CREATE TABLE IF NOT EXISTS publicities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  branch_id VARBINARY(256) NOT NULL,
  from_day DATE NOT NULL,
  to_day DATE NOT NULL,
  closes_on DATE NOT NULL,
  closes_at DATETIME NOT NULL,
  published_by BIGINT NOT NULL,
  published_at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'publicities' AND index_name = 'ix_publicities_branch') = 0, 'CREATE INDEX ix_publicities_branch ON publicities (branch_id, from_day)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
CREATE TABLE IF NOT EXISTS publicity_entries (
  publicity_id BIGINT NOT NULL,
  hours_id BIGINT NOT NULL,
  centihours INT NOT NULL,
  shown_name VARCHAR(191) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'publicity_entries' AND index_name = 'uq_publicity_entries') = 0, 'CREATE UNIQUE INDEX uq_publicity_entries ON publicity_entries (hours_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'publicity_entries' AND index_name = 'ix_publicity_entries_pub') = 0, 'CREATE INDEX ix_publicity_entries_pub ON publicity_entries (publicity_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
CREATE TABLE IF NOT EXISTS objections (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  publicity_id BIGINT NOT NULL,
  hours_id BIGINT NOT NULL,
  member_id BIGINT NOT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'objections' AND index_name = 'ix_objections_hours') = 0, 'CREATE INDEX ix_objections_hours ON objections (hours_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
CREATE TABLE IF NOT EXISTS hours_corrections (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hours_id BIGINT NOT NULL,
  centihours_before INT NOT NULL,
  centihours_after INT NOT NULL,
  reason VARCHAR(500) NOT NULL,
  by_id BIGINT NOT NULL,
  at DATETIME NOT NULL,
  msg_id VARBINARY(764) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'hours_corrections' AND index_name = 'ix_hours_corrections_hours') = 0, 'CREATE INDEX ix_hours_corrections_hours ON hours_corrections (hours_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
-- A workbook's download link: the SHA-256 of its token (the token itself
-- is only in the chat), whose scope it grants, until when.
CREATE TABLE IF NOT EXISTS download_links (
  token_hash VARBINARY(64) NOT NULL PRIMARY KEY,
  actor VARBINARY(764) NOT NULL,
  branch_id VARBINARY(256) NOT NULL DEFAULT '',
  from_day DATE NOT NULL,
  to_day DATE NOT NULL,
  expires_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL,
  downloads INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'download_links' AND index_name = 'ix_download_links_expires') = 0, 'CREATE INDEX ix_download_links_expires ON download_links (expires_at)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
