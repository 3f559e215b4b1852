-- The closing of a 公示 is announced once: announced_at is set in the
-- transaction that writes the announcement's outbox rows (jobs.Closings),
-- so replicas sweeping together announce it once, and a failed write leaves
-- it for the next sweep. Whether an entry is final stays a matter of
-- closes_at alone. Every line is re-runnable (MySQL DDL commits implicitly).
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'publicities' AND column_name = 'announced_at') = 0, 'ALTER TABLE publicities ADD COLUMN announced_at DATETIME NULL', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'publicities' AND index_name = 'ix_publicities_closing') = 0, 'CREATE INDEX ix_publicities_closing ON publicities (announced_at, closes_at)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
