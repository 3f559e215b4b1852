package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Inbound states.
const (
	InboundProcessing = "processing"
	InboundDone       = "done"
)

// Inbound is one received callback message: the durable truth of dedup.
type Inbound struct {
	ID         int64          `db:"id"`
	Platform   string         `db:"platform"`
	Robot      string         `db:"robot"`
	MsgID      string         `db:"msg_id"`
	State      string         `db:"state"`
	Reply      sql.NullString `db:"reply"`
	ReceivedAt time.Time      `db:"received_at"`
}

// ClaimInbound records a message as being processed. claimed is true for
// the first delivery; for a repeat it is false and the existing row is
// returned (done, with its stored reply, or still processing). A row left
// processing is taken over (once: its received_at is the fence) when it is
// older than stale (its process died), or at once when takeover is set: the
// caller holds the fast-path mark, which every attempt keeps while it works
// and clears when it fails, so no other attempt is alive. That is what saves
// a message whose claim committed while the connection broke.
func (db *DB) ClaimInbound(ctx context.Context, platform, robot, msgID, chatID, userID string, stale time.Duration, takeover bool) (in Inbound, claimed bool, err error) {
	// Single statements in autocommit, no transaction: this runs on every
	// callback and each round trip counts. The unique key decides.
	now := db.now()
	res, err := db.x.ExecContext(ctx, "INSERT INTO inbound (platform, robot, msg_id, chat_id, user_id, state, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		platform, robot, msgID, chatID, userID, InboundProcessing, now)
	if err == nil {
		id, err := res.LastInsertId()
		if err != nil {
			return in, false, fmt.Errorf("claim inbound: %w", err)
		}
		return Inbound{ID: id, Platform: platform, Robot: robot, MsgID: msgID, State: InboundProcessing, ReceivedAt: now}, true, nil
	}
	if !isDuplicate(err) {
		return in, false, fmt.Errorf("claim inbound: %w", err)
	}
	if in, err = db.InboundByMsg(ctx, platform, robot, msgID); err != nil {
		if errors.Is(err, ErrNotFound) {
			// Released between our insert and this read: the platform retries.
			return in, false, fmt.Errorf("claim inbound: %s released meanwhile", msgID)
		}
		return in, false, fmt.Errorf("claim inbound: %w", err)
	}
	if in.State == InboundProcessing && (takeover || now.Sub(in.ReceivedAt) > stale) {
		res, err := db.x.ExecContext(ctx, "UPDATE inbound SET received_at = ? WHERE id = ? AND state = ? AND received_at = ?",
			now, in.ID, InboundProcessing, in.ReceivedAt)
		if err != nil {
			return in, false, fmt.Errorf("claim inbound: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			in.ReceivedAt = now
			return in, true, nil
		}
	}
	return in, false, nil
}

// FinishInbound stores the reply of a processed message.
func (db *DB) FinishInbound(ctx context.Context, id int64, reply string) error {
	_, err := db.x.ExecContext(ctx, "UPDATE inbound SET state = ?, reply = ?, done_at = ? WHERE id = ?", InboundDone, reply, db.now(), id)
	if err != nil {
		return fmt.Errorf("finish inbound: %w", err)
	}
	return nil
}

// ReleaseInbound forgets a message whose processing failed before it had
// any effect, so that the platform's retry processes it again.
func (db *DB) ReleaseInbound(ctx context.Context, id int64) error {
	_, err := db.x.ExecContext(ctx, "DELETE FROM inbound WHERE id = ? AND state = ?", id, InboundProcessing)
	return err
}

// InboundByMsg returns the inbound row of a message, or ErrNotFound.
func (db *DB) InboundByMsg(ctx context.Context, platform, robot, msgID string) (Inbound, error) {
	var in Inbound
	err := db.x.GetContext(ctx, &in, "SELECT id, platform, robot, msg_id, state, reply, received_at FROM inbound WHERE platform = ? AND robot = ? AND msg_id = ?", platform, robot, msgID)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	return in, err
}
