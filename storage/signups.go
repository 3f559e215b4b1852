package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"strconv"
	"time"
)

const signupCols = "id, activity_id, member_id, state, seq, created_at, updated_at"

// SignupResult is the outcome of a sign-up.
type SignupResult struct {
	Activity jinqiu.Activity // as it stands after the sign-up
	State    string          // jinqiu.SignupConfirmed or jinqiu.SignupWaiting
	Position int             // place on the waiting list, from 1; 0 when confirmed
	Already  bool            // the person was already signed up; nothing changed
}

// SignUp signs the member up for an open activity of the branch: confirmed
// while places remain, else on the waiting list. The activity row is locked
// first, so that concurrent sign-ups never exceed the capacity and queue in
// the order they take the lock. A repeat changes nothing (Already). The
// caller checks the sign-up deadline; this checks the activity's state.
// ErrNotFound for an id of another branch; ErrActivityCancelled.
func (db *DB) SignUp(ctx context.Context, a jinqiu.Actor, branchID string, activityID, memberID int64) (SignupResult, error) {
	var r SignupResult
	err := db.update(ctx, func(tx *Tx) error {
		r = SignupResult{}
		act, err := tx.activity(ctx, branchID, activityID, true)
		if err != nil {
			return err
		}
		if act.State != jinqiu.ActivityOpen {
			return ErrActivityCancelled
		}
		s, err := tx.signup(ctx, activityID, memberID)
		switch {
		case err == nil && s.State != jinqiu.SignupCancelled:
			r.Activity, r.State, r.Already = act, s.State, true
			r.Position, err = tx.position(ctx, s)
			return err
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if s, act, err = tx.take(ctx, act, memberID, s.ID, true); err != nil {
			return err
		}
		r.Activity, r.State = act, s.State
		if r.Position, err = tx.position(ctx, s); err != nil {
			return err
		}
		return tx.audit(ctx, a, "signup", act.Object(), "member:"+strconv.FormatInt(memberID, 10)+" "+s.State)
	})
	return r, err
}

// take gives the member the next place of a locked activity: a confirmed
// one if there is room, else (if queue) one on the waiting list, else
// ErrFull. It reuses the member's cancelled sign-up row (id != 0), since a
// person has one row per activity.
func (tx *Tx) take(ctx context.Context, act jinqiu.Activity, memberID, rowID int64, queue bool) (jinqiu.Signup, jinqiu.Activity, error) {
	s := jinqiu.Signup{ID: rowID, ActivityID: act.ID, MemberID: memberID, Seq: act.NextSeq, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	switch {
	case act.HasRoom():
		s.State = jinqiu.SignupConfirmed
		act.Taken++
	case queue:
		s.State = jinqiu.SignupWaiting
	default:
		return s, act, ErrFull
	}
	act.NextSeq++
	if _, err := tx.ExecContext(ctx, "UPDATE activities SET taken = ?, next_seq = ? WHERE id = ?", act.Taken, act.NextSeq, act.ID); err != nil {
		return s, act, fmt.Errorf("take place: %w", err)
	}
	var err error
	if rowID != 0 {
		_, err = tx.ExecContext(ctx, "UPDATE signups SET state = ?, seq = ?, updated_at = ? WHERE id = ?", s.State, s.Seq, tx.Now, rowID)
	} else {
		s.ID, err = tx.insertID(ctx, "INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			act.ID, memberID, s.State, s.Seq, tx.Now, tx.Now)
		if err == nil {
			err = tx.markActive(ctx, memberID, act.BranchID, tx.localDay(tx.Now))
		}
	}
	if err != nil {
		// A duplicate cannot happen while the activity row is locked; if
		// it does, the transaction fails rather than double-booking.
		return s, act, fmt.Errorf("take place: %w", err)
	}
	return s, act, nil
}

func (tx *Tx) signup(ctx context.Context, activityID, memberID int64) (jinqiu.Signup, error) {
	var s jinqiu.Signup
	err := tx.GetContext(ctx, &s, "SELECT "+signupCols+" FROM signups WHERE activity_id = ? AND member_id = ?", activityID, memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("read signup: %w", err)
	}
	return s, nil
}

// position is the place of a waiting sign-up in the queue, from 1.
func (tx *Tx) position(ctx context.Context, s jinqiu.Signup) (int, error) {
	if s.State != jinqiu.SignupWaiting {
		return 0, nil
	}
	var n int
	err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = ? AND seq <= ?", s.ActivityID, jinqiu.SignupWaiting, s.Seq)
	if err != nil {
		return 0, fmt.Errorf("waiting position: %w", err)
	}
	return n, nil
}

// CancelResult is the outcome of cancelling a sign-up.
type CancelResult struct {
	Activity jinqiu.Activity
	Was      string         // the state cancelled: confirmed or waiting
	Promoted *jinqiu.Member // the first waiting person, now confirmed, if any
}

// CancelSignup cancels the member's sign-up for an activity of the branch.
// A freed confirmed place goes to the first person waiting (lowest seq),
// returned as Promoted for the caller's notice. ErrNotFound for an id of
// another branch; ErrNotSignedUp; ErrCheckedIn when the person checked in
// (their place and its hours stand); ErrActivityCancelled.
func (db *DB) CancelSignup(ctx context.Context, a jinqiu.Actor, branchID string, activityID, memberID int64) (CancelResult, error) {
	var r CancelResult
	err := db.update(ctx, func(tx *Tx) error {
		r = CancelResult{}
		act, err := tx.activity(ctx, branchID, activityID, true)
		if err != nil {
			return err
		}
		if act.State != jinqiu.ActivityOpen {
			return ErrActivityCancelled
		}
		s, err := tx.signup(ctx, activityID, memberID)
		if errors.Is(err, ErrNotFound) || (err == nil && s.State == jinqiu.SignupCancelled) {
			return ErrNotSignedUp
		}
		if err != nil {
			return err
		}
		var checked int
		if err := tx.GetContext(ctx, &checked, "SELECT COUNT(*) FROM checkins WHERE activity_id = ? AND member_id = ?", activityID, memberID); err != nil {
			return fmt.Errorf("cancel signup: %w", err)
		}
		if checked > 0 {
			return ErrCheckedIn
		}
		if _, err := tx.ExecContext(ctx, "UPDATE signups SET state = ?, updated_at = ? WHERE id = ?", jinqiu.SignupCancelled, tx.Now, s.ID); err != nil {
			return fmt.Errorf("cancel signup: %w", err)
		}
		r.Was = s.State
		if err := tx.audit(ctx, a, "cancel_signup", act.Object(), "member:"+strconv.FormatInt(memberID, 10)+" was "+s.State); err != nil {
			return err
		}
		if s.State == jinqiu.SignupConfirmed {
			if r.Promoted, err = tx.promote(ctx, a, act); err != nil {
				return err
			}
			if r.Promoted == nil {
				act.Taken--
				if _, err := tx.ExecContext(ctx, "UPDATE activities SET taken = ? WHERE id = ?", act.Taken, act.ID); err != nil {
					return fmt.Errorf("cancel signup: %w", err)
				}
			}
		}
		r.Activity = act
		return nil
	})
	return r, err
}

// promote confirms the first person waiting for a locked activity.
func (tx *Tx) promote(ctx context.Context, a jinqiu.Actor, act jinqiu.Activity) (*jinqiu.Member, error) {
	var next jinqiu.Signup
	err := tx.GetContext(ctx, &next, "SELECT "+signupCols+" FROM signups WHERE activity_id = ? AND state = ? ORDER BY seq LIMIT 1", act.ID, jinqiu.SignupWaiting)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE signups SET state = ?, updated_at = ? WHERE id = ?", jinqiu.SignupConfirmed, tx.Now, next.ID); err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	var m jinqiu.Member
	if err := tx.GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE id = ?", next.MemberID); err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	if err := tx.audit(ctx, a, "promote", act.Object(), "member:"+strconv.FormatInt(m.ID, 10)); err != nil {
		return nil, err
	}
	return &m, nil
}

// MySignup is one of a person's current sign-ups, with its activity.
type MySignup struct {
	jinqiu.Activity
	SignupState string `db:"signup_state"`
	Position    int    `db:"position"` // on the waiting list, from 1; 0 when confirmed
}

// MySignups returns the member's confirmed and waiting sign-ups for open
// activities that have not ended at now, soonest first.
func (db *DB) MySignups(ctx context.Context, memberID int64, now time.Time) ([]MySignup, error) {
	var out []MySignup
	err := db.q(ctx).SelectContext(ctx, &out, `SELECT a.id, a.branch_id, a.title, a.place, a.starts_at, a.ends_at, a.signup_deadline, a.capacity, a.taken,
			a.next_seq, a.state, a.created_by, a.created_at, a.credited_at, s.state AS signup_state,
			CASE WHEN s.state = ? THEN (SELECT COUNT(*) FROM signups w WHERE w.activity_id = s.activity_id AND w.state = ? AND w.seq <= s.seq) ELSE 0 END AS position
		FROM signups s JOIN activities a ON a.id = s.activity_id
		WHERE s.member_id = ? AND s.state IN (?, ?) AND a.state = ? AND a.ends_at > ?
		ORDER BY a.starts_at, a.id`,
		jinqiu.SignupWaiting, jinqiu.SignupWaiting, memberID, jinqiu.SignupConfirmed, jinqiu.SignupWaiting, jinqiu.ActivityOpen, utc(now))
	if err != nil {
		return nil, fmt.Errorf("my signups: %w", err)
	}
	return out, nil
}

// RosterEntry is one person on an activity's list.
type RosterEntry struct {
	MemberID  int64           `db:"member_id"`
	Name      string          `db:"name"`
	Platform  jinqiu.Platform `db:"platform"`
	UserID    string          `db:"user_id"`
	State     string          `db:"state"`
	Seq       int64           `db:"seq"`
	CheckedIn bool            `db:"checked_in"`
}

// Roster returns the activity of the branch and its people: confirmed in
// arrival order, then the waiting list in order. ErrNotFound for an id of
// another branch.
func (db *DB) Roster(ctx context.Context, branchID string, activityID int64) (jinqiu.Activity, []RosterEntry, error) {
	var act jinqiu.Activity
	var es []RosterEntry
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		if act, err = tx.activity(ctx, branchID, activityID, false); err != nil {
			return err
		}
		err = tx.SelectContext(ctx, &es, `SELECT s.member_id, m.display_name AS name, m.platform, m.user_id, s.state, s.seq,
				CASE WHEN c.id IS NULL THEN 0 ELSE 1 END AS checked_in
			FROM signups s JOIN members m ON m.id = s.member_id
			LEFT JOIN checkins c ON c.activity_id = s.activity_id AND c.member_id = s.member_id
			WHERE s.activity_id = ? AND s.state IN (?, ?)
			ORDER BY CASE WHEN s.state = ? THEN 0 ELSE 1 END, s.seq`,
			activityID, jinqiu.SignupConfirmed, jinqiu.SignupWaiting, jinqiu.SignupConfirmed)
		if err != nil {
			return fmt.Errorf("roster: %w", err)
		}
		return nil
	})
	return act, es, err
}
