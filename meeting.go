package jinqiu

import "time"

// MeetingKind is a kind of 三会一课 or 主题党日.
type MeetingKind string

// Meeting kinds.
const (
	BranchAssembly MeetingKind = "branch_assembly" // 支部党员大会
	Committee      MeetingKind = "committee"       // 支委会
	PartyGroup     MeetingKind = "group"           // 党小组会
	Lecture        MeetingKind = "lecture"         // 党课
	ThemeDay       MeetingKind = "theme_day"       // 主题党日
)

// MeetingKinds returns the kinds in the order they are shown.
func MeetingKinds() []MeetingKind {
	return []MeetingKind{BranchAssembly, Committee, PartyGroup, Lecture, ThemeDay}
}

// Valid reports whether k is one of the kinds.
func (k MeetingKind) Valid() bool {
	switch k {
	case BranchAssembly, Committee, PartyGroup, Lecture, ThemeDay:
		return true
	}
	return false
}

// Meeting is a meeting a branch held. HeldOn is a calendar day (see Day).
type Meeting struct {
	ID         int64       `db:"id"`
	BranchID   string      `db:"branch_id"`
	Kind       MeetingKind `db:"kind"`
	HeldOn     time.Time   `db:"held_on"`
	Topic      string      `db:"topic"`
	RecorderID int64       `db:"recorder_id"`
	CreatedAt  time.Time   `db:"created_at"`
	MsgID      string      `db:"msg_id"`
	// Attendance, 0 when not said: expected (应到), present (实到) and
	// delivered (送学上门: members too frail to come, taught at home,
	// counted apart from present).
	Expected  int `db:"expected"`
	Present   int `db:"present"`
	Delivered int `db:"delivered"`
}

// Quorate reports whether a 支部党员大会 had more than half of its members
// present; meetings of other kinds, or without attendance, always are.
func (m Meeting) Quorate() bool {
	return m.Kind != BranchAssembly || m.Expected == 0 || m.Present*2 > m.Expected
}
