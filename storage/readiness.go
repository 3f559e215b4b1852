package storage

import (
	"context"
	"fmt"
)

// CheckWritable writes the replica's row of the readiness table: an error
// when the database answers but refuses writes (a full disk, a read-only
// server), which a ping would not show.
func (db *DB) CheckWritable(ctx context.Context, replica string) error {
	q := "INSERT INTO readiness (replica, seen_at) VALUES (?, ?) ON DUPLICATE KEY UPDATE seen_at = VALUES(seen_at)"
	if db.dialect == SQLite {
		q = "INSERT INTO readiness (replica, seen_at) VALUES (?, ?) ON CONFLICT (replica) DO UPDATE SET seen_at = excluded.seen_at"
	}
	if _, err := db.x.ExecContext(ctx, q, replica, db.now()); err != nil {
		return fmt.Errorf("database refuses writes: %w", err)
	}
	return nil
}
