-- A long connection that one replica at a time may hold: WeCom allows one
-- connection per AI bot and the newest subscription kicks the older, so
-- replicas take turns through this lease. until_ms is Unix ms; a holder
-- renews it, a lapsed one may be taken.
CREATE TABLE IF NOT EXISTS conn_leases (
  name VARBINARY(191) NOT NULL PRIMARY KEY,
  holder VARBINARY(256) NOT NULL,
  until_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
