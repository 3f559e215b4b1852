-- The closing of a 公示 is announced once (see the MySQL file).
ALTER TABLE publicities ADD COLUMN announced_at DATETIME;
CREATE INDEX IF NOT EXISTS ix_publicities_closing ON publicities (announced_at, closes_at);
