package jinqiu

import (
	"database/sql"
	"strconv"
	"time"
)

// Activity states.
const (
	ActivityOpen      = "open"
	ActivityCancelled = "cancelled"
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

// CheckinOpensAt is when a person signed up may check in: CheckinOpens
// before the start.
func (a Activity) CheckinOpensAt() time.Time { return a.StartsAt.Add(-CheckinOpens) }

// CheckinClosesAt is when check-in ends: at the end.
func (a Activity) CheckinClosesAt() time.Time { return a.EndsAt }

// Running reports whether the activity runs at t: a walk-in may check in.
func (a Activity) Running(t time.Time) bool { return !t.Before(a.StartsAt) && !t.After(a.EndsAt) }

// Ended reports whether the activity has ended at t: its hours are
// credited to the people who signed up and checked in.
func (a Activity) Ended(t time.Time) bool { return t.After(a.EndsAt) }

// Centihours is the activity's duration in hundredths of an hour, the
// hours credited to each person who signed up and checked in.
func (a Activity) Centihours() int {
	return int((a.EndsAt.Sub(a.StartsAt)*100 + time.Hour/2) / time.Hour)
}

// Object is the activity's name in the audit log.
func (a Activity) Object() string { return ActivityObject(a.ID) }

// ActivityObject is the audit-log name of the activity with the id.
func ActivityObject(id int64) string { return "activity:" + strconv.FormatInt(id, 10) }

// Sign-up states.
const (
	SignupConfirmed = "confirmed"
	SignupWaiting   = "waiting"
	SignupCancelled = "cancelled"
)

// Signup is one person's place (or place in the queue) for an activity.
// Seq is the arrival order; the waiting list is served lowest Seq first.
type Signup struct {
	ID         int64     `db:"id"`
	ActivityID int64     `db:"activity_id"`
	MemberID   int64     `db:"member_id"`
	State      string    `db:"state"`
	Seq        int64     `db:"seq"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
}

// Hours report states.
const (
	HoursPending  = "pending"
	HoursApproved = "approved"
	HoursRejected = "rejected"
	HoursVoid     = "void" // credited by an activity that was then cancelled
)

// HoursReport is volunteer time a member reported (pending until the
// branch secretary decides) or an activity credited (approved, linked to
// the activity). ServedOn is a calendar day (see Day).
type HoursReport struct {
	ID         int64         `db:"id"`
	MemberID   int64         `db:"member_id"`
	MemberName string        `db:"member_name"`
	BranchID   string        `db:"branch_id"`
	ServedOn   time.Time     `db:"served_on"`
	Centihours int           `db:"centihours"`
	Note       string        `db:"note"`
	State      string        `db:"state"`
	ActivityID sql.NullInt64 `db:"activity_id"`
	ApproverID sql.NullInt64 `db:"approver_id"`
	DecidedAt  sql.NullTime  `db:"decided_at"`
	Reason     string        `db:"reason"`
	CreatedAt  time.Time     `db:"created_at"`
	MsgID      string        `db:"msg_id"`
}

// Object is the report's name in the audit log.
func (r HoursReport) Object() string { return "hours:" + strconv.FormatInt(r.ID, 10) }
