-- A long connection that one replica at a time may hold (a WeCom AI bot's:
-- the newest subscription kicks the older). See the MySQL file.
CREATE TABLE IF NOT EXISTS conn_leases (
  name VARCHAR(191) NOT NULL PRIMARY KEY,
  holder VARCHAR(256) NOT NULL,
  until_ms INTEGER NOT NULL
);
