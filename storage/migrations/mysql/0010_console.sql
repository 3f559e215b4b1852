-- The web console: one-time links sent in a single chat, and the sessions
-- they open. Only a SHA-256 of each token is stored, so a copy of the
-- database opens no console. Ids are bytes, compared byte for byte (see
-- 0005). Every statement is re-runnable.
CREATE TABLE IF NOT EXISTS console_links (
  token_hash VARBINARY(64) NOT NULL PRIMARY KEY,
  platform VARBINARY(64) NOT NULL,
  user_id VARBINARY(764) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  used_at DATETIME NULL,
  KEY ix_console_links_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS console_sessions (
  token_hash VARBINARY(64) NOT NULL PRIMARY KEY,
  platform VARBINARY(64) NOT NULL,
  user_id VARBINARY(764) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  KEY ix_console_sessions_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
