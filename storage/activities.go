package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// Errors about activities that a person should hear about.
var (
	// ErrActivityCancelled: the activity was cancelled.
	ErrActivityCancelled = errors.New("activity cancelled")
	// ErrFull: no place is left (a walk-in check-in).
	ErrFull = errors.New("activity full")
	// ErrNotSignedUp: the person has no sign-up to cancel.
	ErrNotSignedUp = errors.New("not signed up")
	// ErrOnWaitingList: the person waits for a place and may not check in.
	ErrOnWaitingList = errors.New("on the waiting list")
	// ErrNotRunning: a walk-in (no sign-up) may check in only while the
	// activity runs; a signed-up person only in its window.
	ErrNotRunning = errors.New("activity not running")
	// ErrCheckedIn: the sign-up cannot be cancelled, the person checked in.
	ErrCheckedIn = errors.New("already checked in")
)

const activityCols = "id, branch_id, title, place, starts_at, ends_at, signup_deadline, capacity, taken, next_seq, state, created_by, created_at, credited_at"

// NewActivity is what a secretary publishes. A zero Deadline means sign-up
// closes at the start.
type NewActivity struct {
	BranchID string
	Title    string
	Place    string
	StartsAt time.Time
	EndsAt   time.Time
	Deadline time.Time
	Capacity int
}

// PublishActivity creates an activity in its branch on behalf of a (whose
// display name is name), and audits it. ErrNotFound if the branch does not
// exist.
func (db *DB) PublishActivity(ctx context.Context, a jinqiu.Actor, name string, n NewActivity) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.branch(ctx, n.BranchID); err != nil {
			return err
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		if n.Capacity < 0 {
			n.Capacity = 0
		}
		id, err := tx.insertID(ctx, `INSERT INTO activities (branch_id, title, place, starts_at, ends_at, signup_deadline, capacity, taken, next_seq, state, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
			n.BranchID, truncateUTF8(n.Title, 191), truncateUTF8(n.Place, 191), utc(n.StartsAt), utc(n.EndsAt), nullTime(n.Deadline),
			n.Capacity, jinqiu.ActivityOpen, by.ID, tx.Now)
		if err != nil {
			return fmt.Errorf("publish activity: %w", err)
		}
		if act, err = tx.activity(ctx, n.BranchID, id, false); err != nil {
			return err
		}
		return tx.audit(ctx, a, "publish_activity", act.Object(), n.BranchID+" "+act.Title)
	})
	return act, err
}

// Activity returns the activity of the branch with the given id. An id of
// another branch is ErrNotFound, exactly like an id that does not exist.
func (db *DB) Activity(ctx context.Context, branchID string, id int64) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		act, err = tx.activity(ctx, branchID, id, false)
		return err
	})
	return act, err
}

// ActivityAnyBranch returns the activity with the given id whatever its
// branch: only for callers entitled to every branch (the bureau).
func (db *DB) ActivityAnyBranch(ctx context.Context, id int64) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	err := db.q(ctx).GetContext(ctx, &act, "SELECT "+activityCols+" FROM activities WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return act, ErrNotFound
	}
	return act, err
}

// activityByID reads and locks an activity whatever its branch (for jobs).
func (tx *Tx) activityByID(ctx context.Context, id int64) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	q := "SELECT " + activityCols + " FROM activities WHERE id = ?"
	if tx.dialect == MySQL {
		q += " FOR UPDATE"
	}
	if err := tx.GetContext(ctx, &act, q, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return act, ErrNotFound
		}
		return act, fmt.Errorf("read activity %d: %w", id, err)
	}
	return act, nil
}

// activity reads an activity of a branch; lock takes the row lock that
// serialises every change to the activity's places (on SQLite the write
// transaction already holds the database lock).
func (tx *Tx) activity(ctx context.Context, branchID string, id int64, lock bool) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	q := "SELECT " + activityCols + " FROM activities WHERE id = ? AND branch_id = ?"
	if lock && tx.dialect == MySQL {
		q += " FOR UPDATE"
	}
	err := tx.GetContext(ctx, &act, q, id, branchID)
	if errors.Is(err, sql.ErrNoRows) {
		return act, ErrNotFound
	}
	if err != nil {
		return act, fmt.Errorf("read activity %d: %w", id, err)
	}
	return act, nil
}

// BranchActivities returns the open activities of a branch that have not
// ended at now, soonest first, at most limit.
func (db *DB) BranchActivities(ctx context.Context, branchID string, now time.Time, limit int) ([]jinqiu.Activity, error) {
	var acts []jinqiu.Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND state = ? AND ends_at > ? ORDER BY starts_at, id LIMIT ?",
		branchID, jinqiu.ActivityOpen, utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("branch activities: %w", err)
	}
	return acts, nil
}

// ActivitiesBetween returns the open activities of a branch that overlap
// [from, to], soonest first: the candidates for a check-in.
func (db *DB) ActivitiesBetween(ctx context.Context, branchID string, from, to time.Time) ([]jinqiu.Activity, error) {
	var acts []jinqiu.Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND state = ? AND starts_at <= ? AND ends_at >= ? ORDER BY starts_at, id",
		branchID, jinqiu.ActivityOpen, utc(to), utc(from))
	if err != nil {
		return nil, fmt.Errorf("activities between: %w", err)
	}
	return acts, nil
}

// CancelActivity cancels an open activity of the branch, voids the hours it
// credited, and returns the people signed up (confirmed or waiting): in a
// message's transaction (WithUnit) the notices the caller then queues
// commit with it. ErrNotFound for an id of another branch;
// ErrActivityCancelled if it was already cancelled.
func (db *DB) CancelActivity(ctx context.Context, a jinqiu.Actor, branchID string, id int64) (jinqiu.Activity, []jinqiu.Member, error) {
	var act jinqiu.Activity
	var signees []jinqiu.Member
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		signees = nil
		if act, err = tx.activity(ctx, branchID, id, true); err != nil {
			return err
		}
		if act.State == jinqiu.ActivityCancelled {
			return ErrActivityCancelled
		}
		if _, err := tx.ExecContext(ctx, "UPDATE activities SET state = ? WHERE id = ?", jinqiu.ActivityCancelled, id); err != nil {
			return fmt.Errorf("cancel activity: %w", err)
		}
		act.State = jinqiu.ActivityCancelled
		if err := tx.SelectContext(ctx, &signees, "SELECT m.id, m.platform, m.user_id, m.display_name, COALESCE(m.branch_id, '') AS branch_id, m.registered_at FROM signups s JOIN members m ON m.id = s.member_id WHERE s.activity_id = ? AND s.state IN (?, ?) ORDER BY s.seq",
			id, jinqiu.SignupConfirmed, jinqiu.SignupWaiting); err != nil {
			return fmt.Errorf("cancel activity: signees: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, reason = ?, decided_at = ? WHERE activity_id = ? AND state = ?",
			jinqiu.HoursVoid, "activity cancelled", tx.Now, id, jinqiu.HoursApproved); err != nil {
			return fmt.Errorf("cancel activity: void hours: %w", err)
		}
		return tx.audit(ctx, a, "cancel_activity", act.Object(), fmt.Sprintf("%d signees told", len(signees)))
	})
	return act, signees, err
}

// SameActivity returns the branch's open activity of the same title and
// start published since, or ErrNotFound: a second one is asked about first.
func (db *DB) SameActivity(ctx context.Context, branchID, title string, startsAt, since time.Time) (jinqiu.Activity, error) {
	var act jinqiu.Activity
	err := db.q(ctx).GetContext(ctx, &act, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND title = ? AND starts_at = ? AND state = ? AND created_at >= ? ORDER BY id DESC LIMIT 1",
		branchID, title, utc(startsAt), jinqiu.ActivityOpen, utc(since))
	if errors.Is(err, sql.ErrNoRows) {
		return act, ErrNotFound
	}
	if err != nil {
		return act, fmt.Errorf("same activity: %w", err)
	}
	return act, nil
}

// ActivitiesOn returns the branch's activities (open or not) starting in
// [from, to), soonest first.
func (db *DB) ActivitiesOn(ctx context.Context, branchID string, from, to time.Time) ([]jinqiu.Activity, error) {
	var acts []jinqiu.Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND state = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
		branchID, jinqiu.ActivityOpen, utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("activities on: %w", err)
	}
	return acts, nil
}
