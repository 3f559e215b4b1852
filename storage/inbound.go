package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// Inbound states.
const (
	InboundProcessing = "processing"
	InboundDone       = "done"
)

// Inbound is one received message: the durable truth of dedup, and the
// lease of whoever handles it.
//
// A message is claimed with a lease (LeaseUntil) and a fence (Fence). The
// holder renews the lease while it works; its handler's writes commit with
// the finish of the row, which checks the fence, so a holder whose lease
// was taken over commits nothing. After the finish, LeaseUntil stays set
// while the reply is still owed (a DingTalk reply that the adapter posts
// after the answer), and is 0 once nothing is owed.
type Inbound struct {
	ID         int64           `db:"id"`
	Platform   jinqiu.Platform `db:"platform"`
	Robot      string          `db:"robot"`
	MsgID      string          `db:"msg_id"`
	State      string          `db:"state"`
	Message    sql.NullString  `db:"message"`
	Reply      sql.NullString  `db:"reply"`
	Fence      int64           `db:"fence"`
	LeaseUntil int64           `db:"lease_until_ms"` // Unix ms; 0: nothing held or owed
	Attempts   int             `db:"attempts"`
	ReceivedAt time.Time       `db:"received_at"`
}

const inboundCols = "id, platform, robot, msg_id, state, message, reply, fence, lease_until_ms, attempts, received_at"

// Lapsed reports whether the row's lease (or the debt of its reply) has
// run out at now: its holder died or gave up.
func (in Inbound) Lapsed(now time.Time) bool {
	return in.LeaseUntil > 0 && in.LeaseUntil <= now.UnixMilli()
}

// Claim is a held lease on an inbound row.
type Claim struct {
	ID    int64
	Fence int64
}

// ErrFenced means the claim was taken over by another attempt: nothing of
// this attempt may commit.
var ErrFenced = errors.New("inbound claim taken over")

// NewInbound is a message to claim.
type NewInbound struct {
	Platform                     jinqiu.Platform
	Robot, MsgID, ChatID, UserID string
	Message                      string // the message as JSON, to handle it again after a crash
}

// ClaimInbound records a message and leases it for d. claimed is false for
// a message already recorded: in is then its row as it stands (done, or
// held by another attempt, or lapsed: see TakeOver).
func (db *DB) ClaimInbound(ctx context.Context, n NewInbound, d time.Duration) (in Inbound, claimed bool, err error) {
	// One autocommit statement: this runs on every callback, and the
	// unique key decides.
	now := db.now()
	until := db.Now().Add(d).UnixMilli()
	res, err := db.exec(ctx, "INSERT INTO inbound (platform, robot, msg_id, chat_id, user_id, state, message, fence, lease_until_ms, attempts, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, 1, ?)",
		n.Platform, n.Robot, n.MsgID, n.ChatID, n.UserID, InboundProcessing, n.Message, until, now)
	if err == nil {
		id, err := res.LastInsertId()
		if err != nil {
			return in, false, fmt.Errorf("claim inbound: %w", err)
		}
		return Inbound{ID: id, Platform: n.Platform, Robot: n.Robot, MsgID: n.MsgID, State: InboundProcessing,
			Message: sql.NullString{String: n.Message, Valid: true}, Fence: 1, LeaseUntil: until, Attempts: 1, ReceivedAt: now}, true, nil
	}
	if !isDuplicate(err) {
		return in, false, fmt.Errorf("claim inbound: %w", err)
	}
	in, err = db.InboundByMsg(ctx, n.Platform, n.Robot, n.MsgID)
	if err != nil {
		return in, false, fmt.Errorf("claim inbound: %w", err)
	}
	return in, false, nil
}

// TakeOver leases a row that is still processing and whose lease has
// lapsed (its holder died), with the next fence. ok is false when another
// attempt took it first or it is no longer lapsed.
func (db *DB) TakeOver(ctx context.Context, in Inbound, d time.Duration) (c Claim, ok bool, err error) {
	now := db.Now()
	res, err := db.exec(ctx, "UPDATE inbound SET fence = fence + 1, lease_until_ms = ?, attempts = attempts + 1 WHERE id = ? AND state = ? AND fence = ? AND lease_until_ms <= ?",
		now.Add(d).UnixMilli(), in.ID, InboundProcessing, in.Fence, now.UnixMilli())
	if err != nil {
		return c, false, fmt.Errorf("take over inbound: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return c, false, nil
	}
	return Claim{ID: in.ID, Fence: in.Fence + 1}, true, nil
}

// RenewInbound extends a held lease to now+d; ErrFenced if it was taken
// over.
func (db *DB) RenewInbound(ctx context.Context, c Claim, d time.Duration) error {
	res, err := db.exec(ctx, "UPDATE inbound SET lease_until_ms = ? WHERE id = ? AND fence = ? AND state = ?",
		db.Now().Add(d).UnixMilli(), c.ID, c.Fence, InboundProcessing)
	if err != nil {
		return fmt.Errorf("renew inbound: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrFenced
	}
	return nil
}

// Finish is how a handled message ends.
type Finish struct {
	Reply string // the reply as JSON
	// Owe is how long the reply stays owed after the finish: the adapter
	// delivers it itself and then calls Delivered; past Owe, the recovery
	// sweep queues it. Zero: nothing is owed.
	Owe time.Duration
	// Late are outbox rows written with the finish (the reply, when the
	// callback stopped waiting for it).
	Late []Outbound
}

// FinishInbound stores the reply of a claimed message and marks it done,
// in the message's transaction (see WithUnit) when ctx carries one, so
// that the handler's writes commit with it. ErrFenced, and nothing
// committed, when the claim was taken over.
func (db *DB) FinishInbound(ctx context.Context, c Claim, f Finish) error {
	fn := func(tx *Tx) error {
		owed := int64(0)
		if f.Owe > 0 {
			owed = db.Now().Add(f.Owe).UnixMilli()
		}
		res, err := tx.ExecContext(ctx, "UPDATE inbound SET state = ?, reply = ?, done_at = ?, lease_until_ms = ? WHERE id = ? AND fence = ? AND state = ?",
			InboundDone, f.Reply, tx.Now, owed, c.ID, c.Fence, InboundProcessing)
		if err != nil {
			return fmt.Errorf("finish inbound: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrFenced
		}
		return tx.enqueue(ctx, f.Late...)
	}
	if u := unitOf(ctx); u != nil {
		return u.finish(ctx, len(f.Late) > 0, fn)
	}
	return db.update(ctx, fn)
}

// ReleaseInbound gives up a claim whose handling failed before anything
// committed: the lease lapses at once, so the platform's retry (or the
// recovery sweep) takes the message over.
func (db *DB) ReleaseInbound(ctx context.Context, c Claim) error {
	_, err := db.exec(ctx, "UPDATE inbound SET lease_until_ms = ? WHERE id = ? AND fence = ? AND state = ?",
		db.Now().UnixMilli(), c.ID, c.Fence, InboundProcessing)
	if err != nil {
		return fmt.Errorf("release inbound: %w", err)
	}
	return nil
}

// Delivered records that the owed replies of finished messages went out.
func (db *DB) Delivered(ctx context.Context, ids ...int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{InboundDone}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		if _, err := db.exec(ctx, "UPDATE inbound SET lease_until_ms = 0 WHERE state = ? AND id IN ("+placeholders(n)+")", args...); err != nil {
			return fmt.Errorf("inbound delivered: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// SettleOwed takes over the owed reply of a finished message whose
// deliverer died: ok is true for the one caller that may now deliver it
// (in the same transaction as the outbox rows it writes, when given).
func (db *DB) SettleOwed(ctx context.Context, in Inbound, rows ...Outbound) (ok bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE inbound SET lease_until_ms = 0 WHERE id = ? AND state = ? AND lease_until_ms = ?",
			in.ID, InboundDone, in.LeaseUntil)
		if err != nil {
			return fmt.Errorf("settle owed reply: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		ok = true
		return tx.enqueue(ctx, rows...)
	})
	return ok, err
}

// InboundByMsg returns the inbound row of a message, or ErrNotFound.
func (db *DB) InboundByMsg(ctx context.Context, platform jinqiu.Platform, robot, msgID string) (Inbound, error) {
	var in Inbound
	err := db.x.GetContext(ctx, &in, "SELECT "+inboundCols+" FROM inbound WHERE platform = ? AND robot = ? AND msg_id = ?", platform, robot, msgID)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	return in, err
}

// InboundByID returns an inbound row, or ErrNotFound.
func (db *DB) InboundByID(ctx context.Context, id int64) (Inbound, error) {
	var in Inbound
	err := db.x.GetContext(ctx, &in, "SELECT "+inboundCols+" FROM inbound WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	return in, err
}

// LapsedInbound returns up to limit rows whose lease or owed reply ran out
// before the given instant: messages whose handler died (still
// processing) and replies whose deliverer died (done), oldest first.
func (db *DB) LapsedInbound(ctx context.Context, before time.Time, limit int) ([]Inbound, error) {
	var out []Inbound
	err := db.x.SelectContext(ctx, &out, "SELECT "+inboundCols+" FROM inbound WHERE lease_until_ms > 0 AND lease_until_ms <= ? ORDER BY lease_until_ms LIMIT ?",
		before.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("lapsed inbound: %w", err)
	}
	return out, nil
}
