package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The console's 公示 pages: the 公示 of a scope, the entries of one, and
// the objections and corrections made to them. A scope is a list of
// branch ids, nil for every branch.

// inBranches filters col to the scope's branches.
func inBranches(col string, ids []string) (string, []any) {
	if ids == nil {
		return "", nil
	}
	if len(ids) == 0 {
		return " AND 1 = 0", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return " AND " + col + " IN (" + placeholders(len(ids)) + ")", args
}

// PublicityListing is a 公示 as the console lists it: its branch's name,
// how many entries it lists and how many objections they drew.
type PublicityListing struct {
	Publicity
	BranchName string `db:"branch_name"`
	Entries    int    `db:"entries"`
	Objections int    `db:"objections"`
}

// An entry is in one 公示 only (uq_publicity_entries), so the objections
// to its entries are the 公示's; both counts run on the entries' indexes.
const publicityListing = `SELECT p.id, p.branch_id, p.from_day, p.to_day, p.closes_on, p.closes_at, p.published_at, b.name AS branch_name,
	(SELECT COUNT(*) FROM publicity_entries pe WHERE pe.publicity_id = p.id) AS entries,
	(SELECT COUNT(*) FROM publicity_entries pe JOIN objections o ON o.hours_id = pe.hours_id WHERE pe.publicity_id = p.id) AS objections
	FROM publicities p JOIN branches b ON b.id = p.branch_id WHERE 1 = 1`

// Publicities returns the latest 公示 of the branches (nil: every
// branch), newest first, at most limit.
func (db *DB) Publicities(ctx context.Context, branchIDs []string, limit int) ([]PublicityListing, error) {
	f, args := inBranches("p.branch_id", branchIDs)
	var out []PublicityListing
	if err := db.q(ctx).SelectContext(ctx, &out, publicityListing+f+" ORDER BY p.id DESC LIMIT ?", append(args, limit)...); err != nil {
		return nil, fmt.Errorf("publicities: %w", err)
	}
	return out, nil
}

// PublicityByID returns one 公示 as Publicities lists it, or ErrNotFound.
func (db *DB) PublicityByID(ctx context.Context, id int64) (PublicityListing, error) {
	var p PublicityListing
	err := db.q(ctx).GetContext(ctx, &p, publicityListing+" AND p.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("publicity %d: %w", id, err)
	}
	return p, nil
}

// PublishedEntry is an entry of a 公示: the name as the group read it
// (ShownName) beside the member's, the hours as published and as they
// stand after corrections.
type PublishedEntry struct {
	HoursID    int64     `db:"hours_id"`
	MemberID   int64     `db:"member_id"`
	MemberName string    `db:"member_name"`
	ShownName  string    `db:"shown_name"`
	ServedOn   time.Time `db:"served_on"`
	Published  int       `db:"published_centihours"`
	Centihours int       `db:"centihours"`
	Note       string    `db:"note"`
	Activity   string    `db:"activity_title"`
	Objections int       `db:"objections"`
}

// PublishedEntries returns the entries of a 公示, by day served.
func (db *DB) PublishedEntries(ctx context.Context, publicityID int64) ([]PublishedEntry, error) {
	var out []PublishedEntry
	err := db.q(ctx).SelectContext(ctx, &out, `SELECT pe.hours_id, h.member_id, m.display_name AS member_name, pe.shown_name, h.served_on,
		pe.centihours AS published_centihours, h.centihours, h.note, COALESCE(a.title, '') AS activity_title,
		(SELECT COUNT(*) FROM objections o WHERE o.hours_id = pe.hours_id) AS objections
		FROM publicity_entries pe JOIN hours_reports h ON h.id = pe.hours_id JOIN members m ON m.id = h.member_id
		LEFT JOIN activities a ON a.id = h.activity_id
		WHERE pe.publicity_id = ? ORDER BY h.served_on, h.id`, publicityID)
	if err != nil {
		return nil, fmt.Errorf("published entries: %w", err)
	}
	return out, nil
}

// CorrectionBy is a correction with the name of who made it.
type CorrectionBy struct {
	Correction
	ByName string `db:"by_name"`
}

// PublicityCorrections returns the corrections of a 公示's entries,
// oldest first.
func (db *DB) PublicityCorrections(ctx context.Context, publicityID int64) ([]CorrectionBy, error) {
	var out []CorrectionBy
	err := db.q(ctx).SelectContext(ctx, &out, `SELECT c.hours_id, c.centihours_before, c.centihours_after, c.reason, c.at, m.display_name AS by_name
		FROM publicity_entries pe JOIN hours_corrections c ON c.hours_id = pe.hours_id JOIN members m ON m.id = c.by_id
		WHERE pe.publicity_id = ? ORDER BY c.id`, publicityID)
	if err != nil {
		return nil, fmt.Errorf("publicity corrections: %w", err)
	}
	return out, nil
}

// ObjectionListing is an objection as the secretary reads it: whose entry,
// who objected and why.
type ObjectionListing struct {
	ID          int64     `db:"id"`
	PublicityID int64     `db:"publicity_id"`
	HoursID     int64     `db:"hours_id"`
	BranchID    string    `db:"branch_id"`
	BranchName  string    `db:"branch_name"`
	MemberName  string    `db:"member_name"` // the entry's member
	ByName      string    `db:"by_name"`     // who objected
	ServedOn    time.Time `db:"served_on"`
	Centihours  int       `db:"centihours"`
	Note        string    `db:"note"`
	At          time.Time `db:"at"`
}

// Objections returns the latest objections to the 公示 of the branches
// (nil: every branch), or of one 公示 (publicityID not 0), newest first, at
// most limit.
func (db *DB) Objections(ctx context.Context, branchIDs []string, publicityID int64, limit int) ([]ObjectionListing, error) {
	f, args := inBranches("p.branch_id", branchIDs)
	if publicityID != 0 {
		// Through the entries' indexes: objections are indexed by entry.
		f += " AND o.hours_id IN (SELECT pe.hours_id FROM publicity_entries pe WHERE pe.publicity_id = ?)"
		args = append(args, publicityID)
	}
	var out []ObjectionListing
	err := db.q(ctx).SelectContext(ctx, &out, `SELECT o.id, o.publicity_id, o.hours_id, p.branch_id, b.name AS branch_name,
		m.display_name AS member_name, om.display_name AS by_name, h.served_on, h.centihours, o.note, o.at
		FROM objections o JOIN publicities p ON p.id = o.publicity_id JOIN branches b ON b.id = p.branch_id
		JOIN hours_reports h ON h.id = o.hours_id JOIN members m ON m.id = h.member_id JOIN members om ON om.id = o.member_id
		WHERE 1 = 1`+f+" ORDER BY o.id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("objections: %w", err)
	}
	return out, nil
}
