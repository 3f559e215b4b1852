package jinqiu

import "database/sql"

// BranchKind is the programme's line a branch belongs to.
type BranchKind string

// The two lines the bureau reports on.
const (
	Community BranchKind = "community" // 城市: community governance
	Rural     BranchKind = "rural"     // 乡镇: rural revitalisation
)

// Lines returns the kinds in the order the bureau reports them.
func Lines() []BranchKind { return []BranchKind{Community, Rural} }

// Branch is a party branch: a community (城市) or a village (乡镇).
type Branch struct {
	ID   string     `db:"id"`
	Name string     `db:"name"`
	Town string     `db:"town"`
	Kind BranchKind `db:"kind"`
	// DivisionCode is the 12-digit 统计用区划代码 of its community or
	// village, "" when not configured (see DivisionLine).
	DivisionCode string `db:"division_code"`
}

// Group is a chat the bot is in. BranchID is empty for a bureau group.
type Group struct {
	ID       int64    `db:"id"`
	Platform Platform `db:"platform"`
	ChatID   string   `db:"chat_id"`
	BranchID string   `db:"branch_id"`
	Robot    string   `db:"robot"`
}

// Roles a person holds in a branch.
const (
	RoleSecretary = "secretary"
)

// Member is a person the bot knows. BranchID is empty until they register
// (报到).
type Member struct {
	ID           int64        `db:"id"`
	Platform     Platform     `db:"platform"`
	UserID       string       `db:"user_id"`
	DisplayName  string       `db:"display_name"`
	BranchID     string       `db:"branch_id"`
	RegisteredAt sql.NullTime `db:"registered_at"`
}

// Registered reports whether the member belongs to a branch.
func (m Member) Registered() bool { return m.BranchID != "" }

// Identity is the member's person.
func (m Member) Identity() Identity { return Identity{Platform: m.Platform, UserID: m.UserID} }
