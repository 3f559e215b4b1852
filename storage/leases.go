package storage

import (
	"context"
	"fmt"
	"time"
)

// HoldLease takes the lease called name for holder until now+ttl, or
// renews it: true when holder has it afterwards. A lease held by another
// holder is taken only once it has lapsed.
func (db *DB) HoldLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := db.Now()
	until := now.Add(ttl).UnixMilli()
	q := "INSERT INTO conn_leases (name, holder, until_ms) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE " +
		// holder is assigned first: until_ms then sees the new one.
		"holder = IF(holder = VALUES(holder) OR until_ms <= ?, VALUES(holder), holder), " +
		"until_ms = IF(holder = VALUES(holder), VALUES(until_ms), until_ms)"
	if db.dialect == SQLite {
		q = "INSERT INTO conn_leases (name, holder, until_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms WHERE conn_leases.holder = excluded.holder OR conn_leases.until_ms <= ?"
	}
	if _, err := db.exec(ctx, q, name, holder, until, now.UnixMilli()); err != nil {
		return false, fmt.Errorf("hold lease: %w", err)
	}
	var got string
	if err := db.x.GetContext(ctx, &got, "SELECT holder FROM conn_leases WHERE name = ?", name); err != nil {
		return false, fmt.Errorf("hold lease: %w", err)
	}
	return got == holder, nil
}

// ReleaseLease lets the lease lapse at once, if holder has it, so that a
// standby need not wait for it to run out.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := db.exec(ctx, "UPDATE conn_leases SET until_ms = 0 WHERE name = ? AND holder = ?", name, holder); err != nil {
		return fmt.Errorf("release lease: %w", err)
	}
	return nil
}
