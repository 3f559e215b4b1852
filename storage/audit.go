package storage

import (
	"context"
	"fmt"
	"jinqiu"
	"time"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64     `db:"id"`
	Actor  string    `db:"actor"`
	Action string    `db:"action"`
	Object string    `db:"object"`
	MsgID  string    `db:"msg_id"`
	Detail string    `db:"detail"`
	At     time.Time `db:"at"`
}

func (tx *Tx) audit(ctx context.Context, a jinqiu.Actor, action, object, detail string) error {
	if len(detail) > 1000 {
		detail = truncateUTF8(detail, 1000)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (actor, action, object, msg_id, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
		a.String(), action, object, a.MsgID, detail, tx.Now)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Audit returns the audit rows about an object, oldest first.
func (db *DB) Audit(ctx context.Context, object string) ([]AuditEntry, error) {
	var es []AuditEntry
	err := db.q(ctx).SelectContext(ctx, &es, "SELECT id, actor, action, object, msg_id, detail, at FROM audit_log WHERE object = ? ORDER BY id", object)
	return es, err
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
