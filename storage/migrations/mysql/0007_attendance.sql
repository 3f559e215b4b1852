-- Attendance of a meeting (应到, 实到, 送学上门): 0 when not said. Each line
-- is re-runnable (MySQL DDL commits implicitly).
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'meetings' AND column_name = 'expected') = 0, 'ALTER TABLE meetings ADD COLUMN expected INT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'meetings' AND column_name = 'present') = 0, 'ALTER TABLE meetings ADD COLUMN present INT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'meetings' AND column_name = 'delivered') = 0, 'ALTER TABLE meetings ADD COLUMN delivered INT NOT NULL DEFAULT 0', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
