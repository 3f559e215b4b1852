package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

const memberCols = "id, platform, user_id, display_name, COALESCE(branch_id, '') AS branch_id, registered_at"

// Member returns the member with the platform user id, or ErrNotFound.
func (db *DB) Member(ctx context.Context, platform jinqiu.Platform, userID string) (jinqiu.Member, error) {
	var m jinqiu.Member
	err := db.q(ctx).GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE platform = ? AND user_id = ?", platform, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// MemberByID returns the member with the given id, or ErrNotFound.
func (db *DB) MemberByID(ctx context.Context, id int64) (jinqiu.Member, error) {
	var m jinqiu.Member
	err := db.q(ctx).GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// EnsureMember returns the member, creating an unregistered one if the
// person is new, and keeps their display name current.
func (db *DB) EnsureMember(ctx context.Context, platform jinqiu.Platform, userID, name string) (jinqiu.Member, error) {
	var m jinqiu.Member
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		m, err = tx.ensureMember(ctx, platform, userID, name)
		return err
	})
	return m, err
}

func (tx *Tx) ensureMember(ctx context.Context, platform jinqiu.Platform, userID, name string) (jinqiu.Member, error) {
	var m jinqiu.Member
	err := tx.GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE platform = ? AND user_id = ?", platform, userID)
	if err == nil {
		if name != "" && name != m.DisplayName {
			if _, err := tx.ExecContext(ctx, "UPDATE members SET display_name = ? WHERE id = ?", name, m.ID); err != nil {
				return m, fmt.Errorf("rename member: %w", err)
			}
			m.DisplayName = name
		}
		return m, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("find member: %w", err)
	}
	id, err := tx.insertID(ctx, "INSERT INTO members (platform, user_id, display_name, created_at) VALUES (?, ?, ?, ?)",
		platform, userID, name, tx.Now)
	if isDuplicate(err) {
		// Another message of the same person won the insert. A locking
		// read, because InnoDB's repeatable-read snapshot was taken by the
		// first SELECT and would still show no row.
		err = tx.GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE platform = ? AND user_id = ?"+tx.forUpdate(), platform, userID)
		return m, err
	}
	if err != nil {
		return m, fmt.Errorf("add member: %w", err)
	}
	return jinqiu.Member{ID: id, Platform: platform, UserID: userID, DisplayName: name}, nil
}

// Registration is the outcome of 报到.
type Registration struct {
	Member jinqiu.Member
	// Already is true when the person was already in this branch.
	Already bool
	// From is the branch they moved from, if any.
	From string
}

// Register binds the person to a branch (报到) on the given day. A repeat is
// a no-op; a move to another branch is recorded as a new registration row,
// keeping the old one.
func (db *DB) Register(ctx context.Context, a jinqiu.Actor, name, branchID string, on time.Time) (Registration, error) {
	var r Registration
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.branch(ctx, branchID); err != nil {
			return err
		}
		m, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		if m.BranchID == branchID {
			r = Registration{Member: m, Already: true}
			return nil
		}
		r.From = m.BranchID
		if _, err := tx.ExecContext(ctx, "UPDATE members SET branch_id = ?, registered_at = ? WHERE id = ?", branchID, tx.Now, m.ID); err != nil {
			return fmt.Errorf("register: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO registrations (member_id, branch_id, from_branch_id, registered_on, created_at, msg_id) VALUES (?, ?, ?, ?, ?, ?)",
			m.ID, branchID, nullString(r.From), day(on), tx.Now, a.MsgID); err != nil {
			return fmt.Errorf("register: %w", err)
		}
		m.BranchID = branchID
		m.RegisteredAt = sql.NullTime{Time: tx.Now, Valid: true}
		r.Member = m
		detail := ""
		if r.From != "" {
			detail = "from " + r.From
		}
		return tx.audit(ctx, a, "register", "branch:"+branchID, detail)
	})
	return r, err
}

// BranchMembers returns the registered members of a branch, by name.
func (db *DB) BranchMembers(ctx context.Context, branchID string) ([]jinqiu.Member, error) {
	var ms []jinqiu.Member
	err := db.q(ctx).SelectContext(ctx, &ms, "SELECT "+memberCols+" FROM members WHERE branch_id = ? ORDER BY display_name, id", branchID)
	return ms, err
}

// FindBranchByName returns the branch whose name contains the given place
// (e.g. 枣行社区 finds 枣行社区临时党支部); ErrNotFound if none or several do.
func (db *DB) FindBranchByName(ctx context.Context, place string) (jinqiu.Branch, error) {
	var bs []jinqiu.Branch
	if err := db.q(ctx).SelectContext(ctx, &bs, "SELECT id, name, town, kind FROM branches ORDER BY id"); err != nil {
		return jinqiu.Branch{}, err
	}
	var found []jinqiu.Branch
	for _, b := range bs {
		if place != "" && strings.Contains(b.Name, place) {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		return jinqiu.Branch{}, ErrNotFound
	}
	return found[0], nil
}
