package storage

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"strconv"
	"time"
)

// CheckinResult is the outcome of a check-in (签到).
type CheckinResult struct {
	Activity jinqiu.Activity
	Already  bool // checked in before; nothing changed
	WalkIn   bool // had not signed up and took one of the places left
	// Credited is the hours (in centihours) credited by this check-in: the
	// activity's duration, once per person and activity; 0 if already.
	Credited int
	Position int // with ErrOnWaitingList: the place on the waiting list
}

// CheckIn records that the member is at an open activity of the branch.
// A confirmed sign-up checks in; a person who did not sign up takes one of
// the places left (ErrFull if none); a person on the waiting list gets
// ErrOnWaitingList. The first check-in also credits the activity's
// duration as approved hours served on servedOn (the activity's local
// day), linked to the activity, all in one transaction: the unique keys
// on (activity, member) make a repeat change nothing. The caller checks
// the time window. ErrNotFound for an id of another branch;
// ErrActivityCancelled.
func (db *DB) CheckIn(ctx context.Context, a jinqiu.Actor, branchID string, activityID, memberID int64, servedOn time.Time) (CheckinResult, error) {
	var r CheckinResult
	err := db.update(ctx, func(tx *Tx) error {
		r = CheckinResult{}
		act, err := tx.activity(ctx, branchID, activityID, true)
		if err != nil {
			return err
		}
		r.Activity = act
		if act.State != jinqiu.ActivityOpen {
			return ErrActivityCancelled
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM checkins WHERE activity_id = ? AND member_id = ?", activityID, memberID); err != nil {
			return fmt.Errorf("check in: %w", err)
		}
		if n > 0 {
			r.Already = true
			return nil
		}
		s, err := tx.signup(ctx, activityID, memberID)
		switch {
		case err == nil && s.State == jinqiu.SignupConfirmed:
		case err == nil && s.State == jinqiu.SignupWaiting:
			r.Position, err = tx.position(ctx, s)
			if err != nil {
				return err
			}
			return ErrOnWaitingList
		case err == nil || errors.Is(err, ErrNotFound): // cancelled, or never signed up
			if _, act, err = tx.take(ctx, act, memberID, s.ID, false); err != nil {
				return err
			}
			r.Activity, r.WalkIn = act, true
		default:
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO checkins (activity_id, member_id, checked_at, msg_id) VALUES (?, ?, ?, ?)",
			activityID, memberID, tx.Now, a.MsgID); err != nil {
			if isDuplicate(err) {
				r.Already = true
				return errAlready
			}
			return fmt.Errorf("check in: %w", err)
		}
		detail := "member:" + strconv.FormatInt(memberID, 10)
		if r.WalkIn {
			detail += " walk-in"
		}
		if err := tx.audit(ctx, a, "checkin", act.Object(), detail); err != nil {
			return err
		}
		r.Credited, err = tx.credit(ctx, a, act, memberID, servedOn)
		return err
	})
	if errors.Is(err, errAlready) {
		err = nil
	}
	return r, err
}

// errAlready rolls back a transaction whose effect another one already had.
var errAlready = errors.New("already done")

// credit records the activity's duration as approved hours of the member,
// once: the unique key (activity_id, member_id) of hours_reports is the
// guard. It returns the centihours credited, 0 if they were already.
func (tx *Tx) credit(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity, memberID int64, servedOn time.Time) (int, error) {
	ch := act.Centihours()
	if ch <= 0 {
		return 0, nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, note, state, activity_id, decided_at, created_at, msg_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		memberID, act.BranchID, day(servedOn), ch, truncateUTF8(act.Title, 500), jinqiu.HoursApproved, act.ID, tx.Now, tx.Now, a.MsgID)
	if isDuplicate(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("credit hours: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE activities SET credited_at = ? WHERE id = ? AND credited_at IS NULL", tx.Now, act.ID); err != nil {
		return 0, fmt.Errorf("credit hours: %w", err)
	}
	if err := tx.audit(ctx, a, "credit_hours", act.Object(), "member:"+strconv.FormatInt(memberID, 10)+" centihours:"+strconv.Itoa(ch)); err != nil {
		return 0, err
	}
	return ch, nil
}

// CheckedIn reports whether the member checked in to the activity.
func (db *DB) CheckedIn(ctx context.Context, activityID, memberID int64) (bool, error) {
	var n int
	if err := db.q(ctx).GetContext(ctx, &n, "SELECT COUNT(*) FROM checkins WHERE activity_id = ? AND member_id = ?", activityID, memberID); err != nil {
		return false, fmt.Errorf("checked in: %w", err)
	}
	return n > 0, nil
}
