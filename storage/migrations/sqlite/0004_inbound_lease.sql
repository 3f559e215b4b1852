-- Exactly once through crashes: an inbound row is a lease with a fence
-- (see the MySQL file). SQLite applies a migration in one transaction.
ALTER TABLE inbound ADD COLUMN message TEXT NULL;
ALTER TABLE inbound ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS ix_inbound_lease ON inbound (lease_until_ms);
