-- The web console: one-time links sent in a single chat, and the sessions
-- they open. Only a SHA-256 of each token is stored, so a copy of the
-- database opens no console.
CREATE TABLE IF NOT EXISTS console_links (
  token_hash VARCHAR(64) NOT NULL PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  used_at DATETIME NULL
);
CREATE INDEX IF NOT EXISTS ix_console_links_expires ON console_links (expires_at);
CREATE TABLE IF NOT EXISTS console_sessions (
  token_hash VARCHAR(64) NOT NULL PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  user_id VARCHAR(191) NOT NULL,
  display_name VARCHAR(191) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_console_sessions_expires ON console_sessions (expires_at);
