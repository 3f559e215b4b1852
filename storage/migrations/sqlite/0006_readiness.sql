-- /readyz writes here (see the MySQL file).
CREATE TABLE IF NOT EXISTS readiness (
  replica VARCHAR(256) NOT NULL PRIMARY KEY,
  seen_at DATETIME NOT NULL
);
