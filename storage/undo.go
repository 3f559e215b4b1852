package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"strconv"
	"strings"
	"time"
)

// Undo results.
var (
	// ErrNothingToUndo: the person changed nothing in the window (or has
	// undone it already).
	ErrNothingToUndo = errors.New("nothing to undo")
	// ErrUndoTooLate: the latest change can no longer be taken back (a
	// report decided since, an activity with sign-ups); Undone says which.
	ErrUndoTooLate = errors.New("change can no longer be undone")
)

// Undone is what Undo took back.
type Undone struct {
	Action   string // the action undone: signup, cancel_signup, report_hours, checkin, approve_hours, reject_hours, record_meeting, publish_activity
	Activity jinqiu.Activity
	Member   jinqiu.Member      // whose record it was (the actor's own, or the member acted for)
	Report   jinqiu.HoursReport // report_hours, approve_hours, reject_hours, a walk-in's check-in
	Meeting  jinqiu.Meeting
	State    string         // undoing a cancellation: the place taken again (confirmed or waiting)
	Promoted *jinqiu.Member // undoing a sign-up freed a place for the first waiting
}

// undoable are the actions 撤销 takes back.
var undoable = map[string]bool{
	"signup": true, "cancel_signup": true, "report_hours": true, "checkin": true,
	"approve_hours": true, "reject_hours": true, "record_meeting": true, "publish_activity": true,
}

// Undo takes back a's own most recent change made at or after since, in
// one transaction, and records it in the audit log (an "undo" row naming
// the entry, so that the same change is never undone twice and the next
// 撤销 reaches the change before it). Only the latest change is undone: if
// it can no longer be, ErrUndoTooLate with what it was.
func (db *DB) Undo(ctx context.Context, a jinqiu.Actor, since time.Time) (Undone, error) {
	var u Undone
	err := db.update(ctx, func(tx *Tx) error {
		u = Undone{}
		var es []AuditEntry
		if err := tx.SelectContext(ctx, &es, "SELECT id, actor, action, object, msg_id, detail, at FROM audit_log WHERE actor = ? AND at >= ? ORDER BY id DESC LIMIT 200",
			a.String(), utc(since)); err != nil {
			return fmt.Errorf("undo: %w", err)
		}
		done := map[string]bool{}
		for _, e := range es {
			if e.Action == "undo" {
				done[strings.Fields(e.Detail + " ")[0]] = true
			}
		}
		for _, e := range es {
			if !undoable[e.Action] || done["entry:"+strconv.FormatInt(e.ID, 10)] {
				continue
			}
			u.Action = e.Action
			if err := tx.undo(ctx, a, e, &u); err != nil {
				return err
			}
			return tx.audit(ctx, a, "undo", e.Object, "entry:"+strconv.FormatInt(e.ID, 10)+" "+e.Action)
		}
		return ErrNothingToUndo
	})
	return u, err
}

// undo reverses one audit entry's change.
func (tx *Tx) undo(ctx context.Context, a jinqiu.Actor, e AuditEntry, u *Undone) error {
	kind, idText, _ := strings.Cut(e.Object, ":")
	id, _ := strconv.ParseInt(idText, 10, 64)
	member := detailMember(e.Detail)
	switch kind {
	case "activity":
		act, err := tx.activityByID(ctx, id)
		if err != nil {
			return err
		}
		u.Activity = act
		if member != 0 {
			if err := tx.GetContext(ctx, &u.Member, "SELECT "+memberCols+" FROM members WHERE id = ?", member); err != nil {
				return fmt.Errorf("undo: %w", err)
			}
		}
		switch e.Action {
		case "signup":
			return tx.undoSignup(ctx, a, act, member, u)
		case "cancel_signup":
			return tx.undoCancel(ctx, act, member, u)
		case "checkin":
			return tx.undoCheckin(ctx, a, act, member, strings.Contains(e.Detail, "walk-in"), u)
		case "publish_activity":
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state <> ?", act.ID, jinqiu.SignupCancelled); err != nil {
				return fmt.Errorf("undo: %w", err)
			}
			if n > 0 || act.State != jinqiu.ActivityOpen {
				return ErrUndoTooLate
			}
			_, err := tx.ExecContext(ctx, "UPDATE activities SET state = ? WHERE id = ?", jinqiu.ActivityCancelled, act.ID)
			u.Activity.State = jinqiu.ActivityCancelled
			return err
		}
	case "hours":
		var r jinqiu.HoursReport
		if err := tx.GetContext(ctx, &r, hoursSelect+" WHERE h.id = ?", id); err != nil {
			return fmt.Errorf("undo: %w", err)
		}
		u.Report = r
		switch e.Action {
		case "report_hours":
			if r.State != jinqiu.HoursPending {
				return ErrUndoTooLate
			}
			_, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, reason = ? WHERE id = ?", jinqiu.HoursVoid, "withdrawn", r.ID)
			u.Report.State = jinqiu.HoursVoid
			return err
		case "approve_hours", "reject_hours":
			want := map[string]string{"approve_hours": jinqiu.HoursApproved, "reject_hours": jinqiu.HoursRejected}[e.Action]
			if r.State != want {
				return ErrUndoTooLate
			}
			// A published entry is in a 公示: only a correction changes it.
			var listed int
			if err := tx.GetContext(ctx, &listed, "SELECT COUNT(*) FROM publicity_entries WHERE hours_id = ?", r.ID); err != nil {
				return fmt.Errorf("undo: %w", err)
			}
			if listed > 0 {
				return ErrUndoTooLate
			}
			_, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, approver_id = NULL, decided_at = NULL, reason = '' WHERE id = ?", jinqiu.HoursPending, r.ID)
			u.Report.State = jinqiu.HoursPending
			return err
		}
	case "meeting":
		if err := tx.GetContext(ctx, &u.Meeting, "SELECT "+meetingCols+" FROM meetings WHERE id = ?", id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrUndoTooLate
			}
			return fmt.Errorf("undo: %w", err)
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM meetings WHERE id = ?", id)
		return err
	}
	return fmt.Errorf("undo: unknown change %s %s", e.Action, e.Object)
}

// undoSignup cancels the sign-up (a confirmed place goes to the first
// waiting); a sign-up that was checked in is past undoing.
func (tx *Tx) undoSignup(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity, member int64, u *Undone) error {
	s, err := tx.signup(ctx, act.ID, member)
	if err != nil || s.State == jinqiu.SignupCancelled || act.State != jinqiu.ActivityOpen {
		return ErrUndoTooLate
	}
	var checked int
	if err := tx.GetContext(ctx, &checked, "SELECT COUNT(*) FROM checkins WHERE activity_id = ? AND member_id = ?", act.ID, member); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	if checked > 0 {
		return ErrUndoTooLate
	}
	return tx.release(ctx, a, act, s, u)
}

// release cancels a sign-up row and gives a confirmed place to the first
// waiting.
func (tx *Tx) release(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity, s jinqiu.Signup, u *Undone) error {
	if _, err := tx.ExecContext(ctx, "UPDATE signups SET state = ?, updated_at = ? WHERE id = ?", jinqiu.SignupCancelled, tx.Now, s.ID); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	if s.State != jinqiu.SignupConfirmed {
		return nil
	}
	p, err := tx.promote(ctx, a, act)
	if err != nil {
		return err
	}
	u.Promoted = p
	if p == nil {
		if _, err := tx.ExecContext(ctx, "UPDATE activities SET taken = taken - 1 WHERE id = ? AND taken > 0", act.ID); err != nil {
			return fmt.Errorf("undo: %w", err)
		}
		u.Activity.Taken--
	}
	return nil
}

// undoCancel signs the person up again: a confirmed place while there is
// room, else the waiting list.
func (tx *Tx) undoCancel(ctx context.Context, act jinqiu.Activity, member int64, u *Undone) error {
	s, err := tx.signup(ctx, act.ID, member)
	if err != nil || s.State != jinqiu.SignupCancelled || act.State != jinqiu.ActivityOpen || !tx.Now.Before(act.EndsAt) {
		return ErrUndoTooLate
	}
	s, act, err = tx.take(ctx, act, member, s.ID, true)
	if err != nil {
		return err
	}
	u.Activity, u.State = act, s.State
	return nil
}

// undoCheckin removes the check-in with the hours it brought (a walk-in's
// pending report, or the credit of an activity that has ended), and a
// walk-in's place.
func (tx *Tx) undoCheckin(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity, member int64, walkIn bool, u *Undone) error {
	var at time.Time
	if err := tx.GetContext(ctx, &at, "SELECT checked_at FROM checkins WHERE activity_id = ? AND member_id = ?", act.ID, member); errors.Is(err, sql.ErrNoRows) {
		return ErrUndoTooLate
	} else if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM checkins WHERE activity_id = ? AND member_id = ?", act.ID, member)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrUndoTooLate
	}
	if err := tx.remarkActive(ctx, member, act.BranchID, tx.localDay(at)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, reason = ? WHERE activity_id = ? AND member_id = ? AND state IN (?, ?)",
		jinqiu.HoursVoid, "check-in undone", act.ID, member, jinqiu.HoursPending, jinqiu.HoursApproved); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	if !walkIn {
		return nil
	}
	s, err := tx.signup(ctx, act.ID, member)
	if err != nil || s.State == jinqiu.SignupCancelled {
		return nil
	}
	return tx.release(ctx, a, act, s, u)
}

// detailMember reads the "member:N" of an audit detail.
func detailMember(detail string) int64 {
	for _, f := range strings.Fields(detail) {
		if v, ok := strings.CutPrefix(f, "member:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
