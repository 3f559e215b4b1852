package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// What the scheduler reads to decide who is reminded of what. The Tx
// methods run inside the transaction of ClaimSlot (or as Preview's
// reader), so that the decision to send and the outbox rows it writes are
// one transaction.

// UpcomingActivity is an activity as the reminders see it.
type UpcomingActivity struct {
	ID        int64     `db:"id"`
	BranchID  string    `db:"branch_id"`
	Title     string    `db:"title"`
	Place     string    `db:"place"`
	State     string    `db:"state"`
	StartsAt  time.Time `db:"starts_at"`
	CreatedAt time.Time `db:"created_at"`
}

// Signee is a person with a confirmed place in an activity.
type Signee struct {
	MemberID    int64           `db:"member_id"`
	Platform    jinqiu.Platform `db:"platform"`
	UserID      string          `db:"user_id"`
	DisplayName string          `db:"display_name"`
}

// activityOpen is the state of an activity that takes place (activities.go
// names the states; reminders keep their own copy of the one they need).
const (
	activityOpen    = "open"
	signupConfirmed = "confirmed"
)

const upcomingCols = "id, branch_id, title, place, state, starts_at, created_at"

// UpcomingActivities returns the open activities starting in any of the
// ranges [from, to) of instants, by start. An empty range is skipped.
func (db *DB) UpcomingActivities(ctx context.Context, ranges ...[2]time.Time) ([]UpcomingActivity, error) {
	var out []UpcomingActivity
	for _, r := range ranges {
		if !r[0].Before(r[1]) {
			continue
		}
		var as []UpcomingActivity
		err := db.q(ctx).SelectContext(ctx, &as, "SELECT "+upcomingCols+" FROM activities WHERE starts_at >= ? AND starts_at < ? AND state = ? ORDER BY starts_at, id",
			utc(r[0]), utc(r[1]), activityOpen)
		if err != nil {
			return nil, fmt.Errorf("upcoming activities: %w", err)
		}
		out = append(out, as...)
	}
	return out, nil
}

// ReminderActivity returns the activity and its confirmed signees, read in
// the transaction; ErrNotFound if it does not exist.
func (tx *Tx) ReminderActivity(ctx context.Context, id int64) (UpcomingActivity, []Signee, error) {
	var a UpcomingActivity
	err := tx.GetContext(ctx, &a, "SELECT "+upcomingCols+" FROM activities WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, ErrNotFound
	}
	if err != nil {
		return a, nil, fmt.Errorf("reminder activity: %w", err)
	}
	var ss []Signee
	err = tx.SelectContext(ctx, &ss, `SELECT m.id AS member_id, m.platform, m.user_id, m.display_name
		FROM signups s JOIN members m ON m.id = s.member_id
		WHERE s.activity_id = ? AND s.state = ? ORDER BY s.seq, s.id`, id, signupConfirmed)
	if err != nil {
		return a, nil, fmt.Errorf("reminder signees: %w", err)
	}
	return a, ss, nil
}

// MeetingHeld reports whether the branch recorded a meeting of the kind on
// a day in [fromDay, toDay) (calendar days; see HoursReport.ServedOn).
func (tx *Tx) MeetingHeld(ctx context.Context, branchID string, kind jinqiu.MeetingKind, fromDay, toDay time.Time) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM meetings WHERE branch_id = ? AND kind = ? AND held_on >= ? AND held_on < ?",
		branchID, kind, day(fromDay), day(toDay))
	if err != nil {
		return false, fmt.Errorf("meeting held: %w", err)
	}
	return n > 0, nil
}

// GroupsOf returns the groups of a branch, read in the transaction;
// branchID "" returns the bureau's.
func (tx *Tx) GroupsOf(ctx context.Context, branchID string) ([]jinqiu.Group, error) {
	var gs []jinqiu.Group
	q := "SELECT id, platform, chat_id, COALESCE(branch_id, '') AS branch_id, robot FROM chat_groups WHERE branch_id = ? ORDER BY id"
	args := []any{branchID}
	if branchID == "" {
		q = "SELECT id, platform, chat_id, '' AS branch_id, robot FROM chat_groups WHERE branch_id IS NULL ORDER BY id"
		args = nil
	}
	if err := tx.SelectContext(ctx, &gs, q, args...); err != nil {
		return nil, fmt.Errorf("groups of %q: %w", branchID, err)
	}
	return gs, nil
}

// SecretariesOf returns a branch's secretaries, read in the transaction.
func (tx *Tx) SecretariesOf(ctx context.Context, branchID string) ([]jinqiu.Identity, error) {
	var ids []jinqiu.Identity
	err := tx.SelectContext(ctx, &ids, "SELECT platform, user_id FROM branch_roles WHERE branch_id = ? AND role = ? ORDER BY platform, user_id", branchID, jinqiu.RoleSecretary)
	if err != nil {
		return nil, fmt.Errorf("secretaries of %q: %w", branchID, err)
	}
	return ids, nil
}

// Preview runs fn as a reader (it must only read) and returns the outbox
// rows it would have written: ClaimSlot without the claim and without the
// write, for `jinqiu remind --dry-run`.
func (db *DB) Preview(ctx context.Context, fn func(ctx context.Context, tx *Tx) ([]Outbound, error)) ([]Outbound, error) {
	var out []Outbound
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = fn(ctx, tx)
		return err
	})
	return out, err
}

// SlotsBetween returns the job runs whose slot lies in [from, to], of
// every job: what the scheduler has already claimed or recorded missed.
func (db *DB) SlotsBetween(ctx context.Context, from, to time.Time) ([]JobRun, error) {
	var rs []JobRun
	err := db.q(ctx).SelectContext(ctx, &rs, "SELECT job, slot, state FROM job_runs WHERE slot >= ? AND slot <= ? ORDER BY slot, job", utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("slots between: %w", err)
	}
	return rs, nil
}

// NewestSlot returns the latest slot recorded for any job, or ErrNotFound
// on a database where no job ever ran: the scheduler's evidence of when the
// service last ran.
func (db *DB) NewestSlot(ctx context.Context) (time.Time, error) {
	// Not MAX(slot): SQLite returns an aggregate of a DATETIME as text.
	var t time.Time
	err := db.q(ctx).GetContext(ctx, &t, "SELECT slot FROM job_runs ORDER BY slot DESC LIMIT 1")
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("newest slot: %w", err)
	}
	return t, nil
}
