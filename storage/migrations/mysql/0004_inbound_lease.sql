-- Exactly once through crashes: an inbound row is a lease with a fence.
-- message keeps the message so that it can be handled again after a crash
-- (purged with the row after the retention); fence is bumped by every
-- takeover and checked by the finish; lease_until_ms (Unix ms) is when the
-- holder's lease, or the debt of a reply still to post, runs out (0: none).
-- Each line is re-runnable (MySQL DDL commits implicitly).
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'inbound' AND column_name = 'message') = 0, 'ALTER TABLE inbound ADD COLUMN message MEDIUMTEXT NULL', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'inbound' AND column_name = 'fence') = 0, 'ALTER TABLE inbound ADD COLUMN fence BIGINT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'inbound' AND column_name = 'lease_until_ms') = 0, 'ALTER TABLE inbound ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'inbound' AND column_name = 'attempts') = 0, 'ALTER TABLE inbound ADD COLUMN attempts INT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'inbound' AND index_name = 'ix_inbound_lease') = 0, 'CREATE INDEX ix_inbound_lease ON inbound (lease_until_ms)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
