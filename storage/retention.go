package storage

import (
	"context"
	"fmt"
	"time"
)

// Purged counts the rows one Purge removed.
type Purged struct {
	Inbound, Outbox int
}

// Purge removes, in batches of at most batch rows, what is kept only for a
// while: received messages (their text and the bot's replies) finished
// before cutoff, and outbox rows settled (sent, ambiguous or dead) before
// it. The audit log, and every record a message made, are kept.
func (db *DB) Purge(ctx context.Context, cutoff time.Time, batch int) (Purged, error) {
	var p Purged
	var err error
	if p.Inbound, err = db.purge(ctx, "inbound", "state = ? AND received_at < ?", []any{InboundDone, utc(cutoff)}, batch); err != nil {
		return p, err
	}
	for _, st := range []string{OutboxSent, OutboxAmbiguous, OutboxDead} {
		n, err := db.purge(ctx, "outbox", "state = ? AND next_attempt_at < ?", []any{st, utc(cutoff)}, batch)
		p.Outbox += n
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// purge deletes the rows of table matching where, batch by batch, each in
// autocommit: a long purge must not hold locks the callbacks need.
func (db *DB) purge(ctx context.Context, table, where string, args []any, batch int) (int, error) {
	total := 0
	for {
		var ids []int64
		// The ids first: MySQL takes no LIMIT in an IN subquery, SQLite
		// no LIMIT on DELETE.
		if err := db.x.SelectContext(ctx, &ids, "SELECT id FROM "+table+" WHERE "+where+" ORDER BY id LIMIT ?", append(args, batch)...); err != nil {
			return total, fmt.Errorf("purge %s: %w", table, err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		in := make([]any, len(ids))
		for i, id := range ids {
			in[i] = id
		}
		res, err := db.x.ExecContext(ctx, "DELETE FROM "+table+" WHERE id IN ("+placeholders(len(ids))+")", in...)
		if err != nil {
			return total, fmt.Errorf("purge %s: %w", table, err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
		if len(ids) < batch {
			return total, nil
		}
	}
}
