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
	// WalkIn: the person had not signed up and took one of the places
	// left; their hours are a pending report (Report) for the secretary.
	WalkIn   bool
	Report   jinqiu.HoursReport
	Position int // with ErrOnWaitingList: the place on the waiting list
}

// CheckIn records, at the transaction's time, that the member is at an
// open activity of the branch. A confirmed sign-up checks in from
// jinqiu.CheckinOpens before the start to the end, and its hours are
// credited when the activity has ended (CreditEnded). A person who did not
// sign up (a walk-in) checks in only while the activity runs and places
// remain (ErrNotRunning, ErrFull): they take a place, and their hours are a
// pending report for a secretary to approve, never credited on their own.
// A person on the waiting list gets ErrOnWaitingList. The unique key on
// (activity, member) makes a repeat change nothing. ErrNotFound for an id
// of another branch; ErrActivityCancelled.
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
			if tx.Now.Before(act.CheckinOpensAt()) || tx.Now.After(act.CheckinClosesAt()) {
				return ErrNotRunning
			}
		case err == nil && s.State == jinqiu.SignupWaiting:
			r.Position, err = tx.position(ctx, s)
			if err != nil {
				return err
			}
			return ErrOnWaitingList
		case err == nil || errors.Is(err, ErrNotFound): // cancelled, or never signed up
			if !act.Running(tx.Now) {
				return ErrNotRunning
			}
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
		if err := tx.markActive(ctx, memberID, act.BranchID, tx.localDay(tx.Now)); err != nil {
			return err
		}
		detail := "member:" + strconv.FormatInt(memberID, 10)
		if r.WalkIn {
			// One change with the check-in: 撤销 takes both back.
			if r.Report, err = tx.walkInReport(ctx, a, act, memberID, servedOn); err != nil {
				return err
			}
			detail += " walk-in " + r.Report.Object()
		}
		return tx.audit(ctx, a, "checkin", act.Object(), detail)
	})
	if errors.Is(err, errAlready) {
		err = nil
	}
	return r, err
}

// errAlready rolls back a transaction whose effect another one already had.
var errAlready = errors.New("already done")

// walkInReport is a walk-in's hours: the activity's duration, pending, for
// a secretary to approve. The unique key (activity_id, member_id) keeps it
// one; the check-in's audit row names it.
func (tx *Tx) walkInReport(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity, memberID int64, servedOn time.Time) (jinqiu.HoursReport, error) {
	id, err := tx.insertID(ctx, `INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, note, state, activity_id, created_at, msg_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		memberID, act.BranchID, day(servedOn), act.Centihours(), truncateUTF8(act.Title, 500), jinqiu.HoursPending, act.ID, tx.Now, a.MsgID)
	if err != nil {
		return jinqiu.HoursReport{}, fmt.Errorf("walk-in hours: %w", err)
	}
	if err := tx.markActive(ctx, memberID, act.BranchID, servedOn); err != nil {
		return jinqiu.HoursReport{}, err
	}
	return tx.report(ctx, act.BranchID, id)
}

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
	if err := tx.markActive(ctx, memberID, act.BranchID, servedOn); err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, a, "credit_hours", act.Object(), "member:"+strconv.FormatInt(memberID, 10)+" centihours:"+strconv.Itoa(ch)); err != nil {
		return 0, err
	}
	return ch, nil
}

// Credited is what CreditEnded gave one person.
type Credited struct {
	Activity   jinqiu.Activity
	Member     jinqiu.Member
	Centihours int
}

// CreditEnded credits the activities that have ended by now and were not
// credited yet: each person with a confirmed sign-up who checked in gets
// the activity's duration as approved hours on the activity's day (served
// in loc). At most limit activities a call; run it again while it returns
// some. Safe on several replicas at once: the activity row is locked and
// credited_at set in the same transaction, and a person's credit is one row
// by the unique key.
func (db *DB) CreditEnded(ctx context.Context, now time.Time, loc *time.Location, limit int) ([]Credited, error) {
	var ids []int64
	if err := db.q(ctx).SelectContext(ctx, &ids, "SELECT id FROM activities WHERE state = ? AND credited_at IS NULL AND ends_at < ? ORDER BY ends_at LIMIT ?",
		jinqiu.ActivityOpen, utc(now), limit); err != nil {
		return nil, fmt.Errorf("credit ended: %w", err)
	}
	var out []Credited
	system := jinqiu.Actor{UserID: "jinqiu", MsgID: "credit"}
	for _, id := range ids {
		err := db.update(ctx, func(tx *Tx) error {
			act, err := tx.activityByID(ctx, id)
			if err != nil {
				return err
			}
			if act.State != jinqiu.ActivityOpen || act.CreditedAt.Valid || !act.Ended(now) {
				return nil
			}
			var ms []jinqiu.Member
			if err := tx.SelectContext(ctx, &ms, `SELECT m.id, m.platform, m.user_id, m.display_name, COALESCE(m.branch_id, '') AS branch_id, m.registered_at FROM signups s
				JOIN checkins c ON c.activity_id = s.activity_id AND c.member_id = s.member_id
				JOIN members m ON m.id = s.member_id
				WHERE s.activity_id = ? AND s.state = ? ORDER BY s.seq`, act.ID, jinqiu.SignupConfirmed); err != nil {
				return fmt.Errorf("credit ended: %w", err)
			}
			served := jinqiu.Day(act.StartsAt.In(loc))
			for _, m := range ms {
				ch, err := tx.credit(ctx, system, act, m.ID, served)
				if err != nil {
					return err
				}
				if ch > 0 {
					out = append(out, Credited{Activity: act, Member: m, Centihours: ch})
				}
			}
			_, err = tx.ExecContext(ctx, "UPDATE activities SET credited_at = ? WHERE id = ?", tx.Now, act.ID)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("credit activity %d: %w", id, err)
		}
	}
	return out, nil
}

// CheckedIn reports whether the member checked in to the activity.
func (db *DB) CheckedIn(ctx context.Context, activityID, memberID int64) (bool, error) {
	var n int
	if err := db.q(ctx).GetContext(ctx, &n, "SELECT COUNT(*) FROM checkins WHERE activity_id = ? AND member_id = ?", activityID, memberID); err != nil {
		return false, fmt.Errorf("checked in: %w", err)
	}
	return n > 0, nil
}
