-- Attendance of a meeting (see the MySQL file).
ALTER TABLE meetings ADD COLUMN expected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
