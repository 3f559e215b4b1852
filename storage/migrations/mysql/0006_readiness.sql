-- /readyz writes here: a database that answers but refuses writes (a full
-- disk, a read-only replica) cannot take a message, and a ping does not
-- tell. One row per replica, overwritten.
CREATE TABLE IF NOT EXISTS readiness (
  replica VARBINARY(256) NOT NULL PRIMARY KEY,
  seen_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
