package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Activity states.
const (
	ActivityOpen      = "open"
	ActivityCancelled = "cancelled"
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
)

// Activity is an event a branch organises. Capacity 0 means no limit.
// Taken counts confirmed places; NextSeq numbers sign-ups in arrival order.
type Activity struct {
	ID             int64        `db:"id"`
	BranchID       string       `db:"branch_id"`
	Title          string       `db:"title"`
	Place          string       `db:"place"`
	StartsAt       time.Time    `db:"starts_at"`
	EndsAt         time.Time    `db:"ends_at"`
	SignupDeadline sql.NullTime `db:"signup_deadline"`
	Capacity       int          `db:"capacity"`
	Taken          int          `db:"taken"`
	NextSeq        int64        `db:"next_seq"`
	State          string       `db:"state"`
	CreatedBy      int64        `db:"created_by"`
	CreatedAt      time.Time    `db:"created_at"`
	CreditedAt     sql.NullTime `db:"credited_at"`
}

// Unlimited reports whether the activity takes any number of people.
func (a Activity) Unlimited() bool { return a.Capacity <= 0 }

// Left returns the places left (0 when full); meaningless if Unlimited.
func (a Activity) Left() int {
	if a.Taken >= a.Capacity {
		return 0
	}
	return a.Capacity - a.Taken
}

// HasRoom reports whether one more person can be confirmed.
func (a Activity) HasRoom() bool { return a.Unlimited() || a.Taken < a.Capacity }

// SignupClosesAt is when sign-up ends: the deadline if set, else the start.
func (a Activity) SignupClosesAt() time.Time {
	if a.SignupDeadline.Valid && a.SignupDeadline.Time.Before(a.StartsAt) {
		return a.SignupDeadline.Time
	}
	return a.StartsAt
}

// Centihours is the activity's duration in hundredths of an hour, the
// hours credited to each person who signed up and checked in.
func (a Activity) Centihours() int {
	return int((a.EndsAt.Sub(a.StartsAt)*100 + time.Hour/2) / time.Hour)
}

// Object is the activity's name in the audit log.
func (a Activity) Object() string { return activityObject(a.ID) }

func activityObject(id int64) string { return "activity:" + strconv.FormatInt(id, 10) }

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
func (db *DB) PublishActivity(ctx context.Context, a Actor, name string, n NewActivity) (Activity, error) {
	var act Activity
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
			n.Capacity, ActivityOpen, by.ID, tx.Now)
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
func (db *DB) Activity(ctx context.Context, branchID string, id int64) (Activity, error) {
	var act Activity
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		act, err = tx.activity(ctx, branchID, id, false)
		return err
	})
	return act, err
}

// ActivityAnyBranch returns the activity with the given id whatever its
// branch: only for callers entitled to every branch (the bureau).
func (db *DB) ActivityAnyBranch(ctx context.Context, id int64) (Activity, error) {
	var act Activity
	err := db.q(ctx).GetContext(ctx, &act, "SELECT "+activityCols+" FROM activities WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return act, ErrNotFound
	}
	return act, err
}

// activity reads an activity of a branch; lock takes the row lock that
// serialises every change to the activity's places (on SQLite the write
// transaction already holds the database lock).
func (tx *Tx) activity(ctx context.Context, branchID string, id int64, lock bool) (Activity, error) {
	var act Activity
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
func (db *DB) BranchActivities(ctx context.Context, branchID string, now time.Time, limit int) ([]Activity, error) {
	var acts []Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND state = ? AND ends_at > ? ORDER BY starts_at, id LIMIT ?",
		branchID, ActivityOpen, utc(now), limit)
	if err != nil {
		return nil, fmt.Errorf("branch activities: %w", err)
	}
	return acts, nil
}

// ActivitiesBetween returns the open activities of a branch that overlap
// [from, to], soonest first: the candidates for a check-in.
func (db *DB) ActivitiesBetween(ctx context.Context, branchID string, from, to time.Time) ([]Activity, error) {
	var acts []Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? AND state = ? AND starts_at <= ? AND ends_at >= ? ORDER BY starts_at, id",
		branchID, ActivityOpen, utc(to), utc(from))
	if err != nil {
		return nil, fmt.Errorf("activities between: %w", err)
	}
	return acts, nil
}

// CancelActivity cancels an open activity of the branch. In the same
// transaction it voids the hours the activity credited and writes the
// outbox rows that notify returns for the people signed up (confirmed or
// waiting), so that they are told exactly when the cancellation commits.
// ErrNotFound for an id of another branch; ErrActivityCancelled if it was
// already cancelled.
func (db *DB) CancelActivity(ctx context.Context, a Actor, branchID string, id int64, notify func(Activity, []Member) []Outbound) (Activity, []Member, error) {
	var act Activity
	var signees []Member
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		signees = nil
		if act, err = tx.activity(ctx, branchID, id, true); err != nil {
			return err
		}
		if act.State == ActivityCancelled {
			return ErrActivityCancelled
		}
		if _, err := tx.ExecContext(ctx, "UPDATE activities SET state = ? WHERE id = ?", ActivityCancelled, id); err != nil {
			return fmt.Errorf("cancel activity: %w", err)
		}
		act.State = ActivityCancelled
		if err := tx.SelectContext(ctx, &signees, "SELECT m.id, m.platform, m.user_id, m.display_name, COALESCE(m.branch_id, '') AS branch_id, m.registered_at FROM signups s JOIN members m ON m.id = s.member_id WHERE s.activity_id = ? AND s.state IN (?, ?) ORDER BY s.seq",
			id, SignupConfirmed, SignupWaiting); err != nil {
			return fmt.Errorf("cancel activity: signees: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, reason = ?, decided_at = ? WHERE activity_id = ? AND state = ?",
			HoursVoid, "activity cancelled", tx.Now, id, HoursApproved); err != nil {
			return fmt.Errorf("cancel activity: void hours: %w", err)
		}
		if notify != nil {
			if err := tx.enqueue(ctx, notify(act, signees)...); err != nil {
				return err
			}
		}
		return tx.audit(ctx, a, "cancel_activity", act.Object(), fmt.Sprintf("%d signees told", len(signees)))
	})
	return act, signees, err
}
