package storage

import (
	"context"
	"database/sql"
	"fmt"
	"jinqiu"
	"time"
)

// Outbox states.
const (
	OutboxPending   = "pending"
	OutboxSending   = "sending"
	OutboxSent      = "sent"
	OutboxAmbiguous = "ambiguous" // sent, outcome unknown: not resent
	OutboxDead      = "dead"      // parked after failures or a permanent error
)

// Delivery policies when a send's outcome is unknown.
const (
	AtMostOnce  = "at_most_once"  // reminders, digests: a duplicate is worse than a gap
	AtLeastOnce = "at_least_once" // replies: a missing answer is worse than a repeat
)

// Outbound is a message to send later. Target and Body are opaque to
// storage (JSON written by the sender's side).
type Outbound struct {
	DedupKey  string
	Platform  jinqiu.Platform
	Robot     string // the rate-limit key: one budget per webhook
	Target    string
	Body      string
	Policy    string
	NotBefore time.Time
}

// OutboxRow is an outbox row as the dispatcher sees it.
type OutboxRow struct {
	ID            int64           `db:"id"`
	DedupKey      string          `db:"dedup_key"`
	Platform      jinqiu.Platform `db:"platform"`
	Robot         string          `db:"robot"`
	Target        string          `db:"target"`
	Body          string          `db:"body"`
	Policy        string          `db:"policy"`
	State         string          `db:"state"`
	Attempts      int             `db:"attempts"`
	NextAttemptAt time.Time       `db:"next_attempt_at"`
	LastError     string          `db:"last_error"`
	LeaseOwner    string          `db:"lease_owner"`
	CreatedAt     time.Time       `db:"created_at"`
	SentAt        sql.NullTime    `db:"sent_at"`
}

// OutboxColumns are the columns of an OutboxRow, in a SELECT.
const OutboxColumns = "id, dedup_key, platform, robot, target, body, policy, state, attempts, next_attempt_at, last_error, lease_owner, created_at, sent_at"

// enqueue writes outbox rows in the caller's transaction. A dedup key that
// is already queued is skipped: the decision to send was taken before.
func (tx *Tx) enqueue(ctx context.Context, os ...Outbound) error {
	for _, o := range os {
		if o.Policy == "" {
			o.Policy = AtMostOnce
		}
		next := tx.Now
		if o.NotBefore.After(next) {
			next = utc(o.NotBefore)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox (dedup_key, platform, robot, target, body, policy, state, attempts, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
			o.DedupKey, o.Platform, o.Robot, o.Target, o.Body, o.Policy, OutboxPending, next, tx.Now)
		if err != nil && !isDuplicate(err) {
			return fmt.Errorf("enqueue %s: %w", o.DedupKey, err)
		}
	}
	return nil
}

// Enqueue writes outbox rows in a transaction of their own.
func (db *DB) Enqueue(ctx context.Context, os ...Outbound) error {
	return db.update(ctx, func(tx *Tx) error { return tx.enqueue(ctx, os...) })
}

// ClaimOutbox leases up to limit due rows to owner, at most one per robot
// and none for a robot that already has a row being sent, so that an
// unknown outcome is bounded to one message per robot.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, limit int, lease time.Duration) ([]OutboxRow, error) {
	var out []OutboxRow
	err := db.update(ctx, func(tx *Tx) error {
		var due []OutboxRow
		if err := tx.SelectContext(ctx, &due, "SELECT "+OutboxColumns+" FROM outbox WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
			OutboxPending, tx.Now, limit*8); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		if len(due) == 0 {
			return nil
		}
		var busy []string
		if err := tx.SelectContext(ctx, &busy, "SELECT DISTINCT robot FROM outbox WHERE state = ? AND lease_until > ?", OutboxSending, tx.Now); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		taken := map[string]bool{}
		for _, r := range busy {
			taken[r] = true
		}
		until := tx.Now.Add(lease)
		for _, r := range due {
			if len(out) >= limit {
				break
			}
			if taken[r.Robot] {
				continue
			}
			res, err := tx.ExecContext(ctx, "UPDATE outbox SET state = ?, lease_owner = ?, lease_until = ?, attempts = attempts + 1, sent_at = NULL WHERE id = ? AND state = ?",
				OutboxSending, owner, until, r.ID, OutboxPending)
			if err != nil {
				return fmt.Errorf("claim outbox: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				taken[r.Robot] = true
				r.State, r.LeaseOwner = OutboxSending, owner
				r.Attempts++
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// MarkAttempt records that a leased row's request has gone out (sent_at is
// set while the row is still sending). A row whose lease expires without
// this mark was not sent, and RecoverLeases puts it back whatever its
// policy. It is one statement, not a transaction: it races a crash.
func (db *DB) MarkAttempt(ctx context.Context, id int64, owner string) error {
	res, err := db.q(ctx).ExecContext(ctx, "UPDATE outbox SET sent_at = ? WHERE id = ? AND lease_owner = ? AND state = ?", db.now(), id, owner, OutboxSending)
	if err != nil {
		return fmt.Errorf("mark attempt %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("mark attempt %d: the lease is no longer ours", id)
	}
	return nil
}

// MarkSent records a delivered row.
func (db *DB) MarkSent(ctx context.Context, id int64, owner string) error {
	return db.settle(ctx, id, owner, "state = ?, sent_at = ?, last_error = ''", OutboxSent, db.now())
}

// MarkRetry puts a row back for another attempt at next. A throttled send
// does not count as an attempt.
func (db *DB) MarkRetry(ctx context.Context, id int64, owner string, next time.Time, lastErr string, countAttempt bool) error {
	dec := 0
	if !countAttempt {
		dec = 1
	}
	return db.settle(ctx, id, owner, "state = ?, next_attempt_at = ?, last_error = ?, attempts = attempts - ?, sent_at = NULL", OutboxPending, utc(next), truncateUTF8(lastErr, 500), dec)
}

// MarkDead parks a row: it will not be sent.
func (db *DB) MarkDead(ctx context.Context, id int64, owner, lastErr string) error {
	return db.settle(ctx, id, owner, "state = ?, last_error = ?", OutboxDead, truncateUTF8(lastErr, 500))
}

// MarkAmbiguous records a row whose send went out with no answer.
func (db *DB) MarkAmbiguous(ctx context.Context, id int64, owner, lastErr string) error {
	return db.settle(ctx, id, owner, "state = ?, last_error = ?", OutboxAmbiguous, truncateUTF8(lastErr, 500))
}

func (db *DB) settle(ctx context.Context, id int64, owner, set string, args ...any) error {
	return db.update(ctx, func(tx *Tx) error {
		args = append(args, id, owner, OutboxSending)
		_, err := tx.ExecContext(ctx, "UPDATE outbox SET "+set+", lease_until = NULL WHERE id = ? AND lease_owner = ? AND state = ?", args...)
		if err != nil {
			return fmt.Errorf("settle outbox %d: %w", id, err)
		}
		return nil
	})
}

// RecoverLeases handles rows whose sender died mid-send (lease expired). A
// row that was never attempted (no MarkAttempt) is put back: it cannot have
// gone out. Of the others, an at-most-once row becomes ambiguous (it may
// have gone out), an at-least-once row is sent again. retried counts both
// kinds put back.
func (db *DB) RecoverLeases(ctx context.Context) (ambiguous, retried int64, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE outbox SET state = ?, last_error = 'lease expired before sending', lease_until = NULL, attempts = attempts - 1 WHERE state = ? AND lease_until <= ? AND sent_at IS NULL",
			OutboxPending, OutboxSending, tx.Now)
		if err != nil {
			return err
		}
		requeued, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, "UPDATE outbox SET state = ?, last_error = 'lease expired: outcome unknown', lease_until = NULL WHERE state = ? AND lease_until <= ? AND policy = ?",
			OutboxAmbiguous, OutboxSending, tx.Now, AtMostOnce)
		if err != nil {
			return err
		}
		ambiguous, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, "UPDATE outbox SET state = ?, last_error = 'lease expired: resending', lease_until = NULL WHERE state = ? AND lease_until <= ? AND policy = ?",
			OutboxPending, OutboxSending, tx.Now, AtLeastOnce)
		if err != nil {
			return err
		}
		retried, _ = res.RowsAffected()
		retried += requeued
		return nil
	})
	return ambiguous, retried, err
}

// OutboxCounts returns the number of rows in each state.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := db.q(ctx).SelectContext(ctx, &rows, "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"); err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, r := range rows {
		m[r.State] = r.N
	}
	return m, nil
}

// OutboxByKey returns the row with the dedup key, or ErrNotFound.
func (db *DB) OutboxByKey(ctx context.Context, key string) (OutboxRow, error) {
	var r OutboxRow
	err := db.q(ctx).GetContext(ctx, &r, "SELECT "+OutboxColumns+" FROM outbox WHERE dedup_key = ?", key)
	if err == sql.ErrNoRows {
		return r, ErrNotFound
	}
	return r, err
}
