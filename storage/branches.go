package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"slices"
)

// BranchSpec is a branch as configured, with its groups and secretaries.
type BranchSpec struct {
	jinqiu.Branch
	Secretaries []jinqiu.Identity
	Groups      []jinqiu.Group
	// Places are the branch's 阵地; the configuration is their truth.
	Places []jinqiu.Place
}

// SyncConfig makes the database agree with the configuration: branches and
// groups are added or updated, and secretaries from config replace the
// previous config-sourced ones (grants made by the bureau are kept).
// Records that refer to a branch are never deleted. What is already as
// configured is not written again: a restart with an unchanged
// configuration costs three reads, however large the province.
func (db *DB) SyncConfig(ctx context.Context, branches []BranchSpec, bureauGroups []jinqiu.Group) error {
	defer db.cache.clear()
	return db.update(ctx, func(tx *Tx) error {
		var haveB []jinqiu.Branch
		if err := tx.SelectContext(ctx, &haveB, "SELECT id, name, town, kind, division_code FROM branches"); err != nil {
			return fmt.Errorf("sync branches: %w", err)
		}
		branchOf := map[string]jinqiu.Branch{}
		for _, b := range haveB {
			branchOf[b.ID] = b
		}
		var haveG []jinqiu.Group
		if err := tx.SelectContext(ctx, &haveG, "SELECT id, platform, chat_id, COALESCE(branch_id, '') AS branch_id, robot FROM chat_groups"); err != nil {
			return fmt.Errorf("sync groups: %w", err)
		}
		groupOf := map[string]jinqiu.Group{}
		for _, g := range haveG {
			groupOf[string(g.Platform)+"\x00"+g.ChatID] = g
		}
		var haveR []struct {
			ID       int64  `db:"id"`
			BranchID string `db:"branch_id"`
			jinqiu.Identity
		}
		if err := tx.SelectContext(ctx, &haveR, "SELECT id, branch_id, platform, user_id FROM branch_roles WHERE source = 'config' AND role = ?", jinqiu.RoleSecretary); err != nil {
			return fmt.Errorf("sync roles: %w", err)
		}

		configured := map[string]bool{}
		syncGroup := func(g jinqiu.Group) error {
			configured[string(g.Platform)+"\x00"+g.ChatID] = true
			old, ok := groupOf[string(g.Platform)+"\x00"+g.ChatID]
			switch {
			case !ok:
				_, err := tx.ExecContext(ctx, "INSERT INTO chat_groups (platform, chat_id, branch_id, robot, updated_at) VALUES (?, ?, ?, ?, ?)",
					g.Platform, g.ChatID, nullString(g.BranchID), g.Robot, tx.Now)
				if err != nil {
					return fmt.Errorf("sync group %s/%s: %w", g.Platform, g.ChatID, err)
				}
			case old.BranchID != g.BranchID || old.Robot != g.Robot:
				_, err := tx.ExecContext(ctx, "UPDATE chat_groups SET branch_id = ?, robot = ?, updated_at = ? WHERE id = ?",
					nullString(g.BranchID), g.Robot, tx.Now, old.ID)
				if err != nil {
					return fmt.Errorf("sync group %s/%s: %w", g.Platform, g.ChatID, err)
				}
			}
			return nil
		}
		want := map[string]bool{}
		for _, b := range branches {
			old, ok := branchOf[b.ID]
			switch {
			case !ok:
				if _, err := tx.ExecContext(ctx, "INSERT INTO branches (id, name, town, kind, division_code, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
					b.ID, b.Name, b.Town, b.Kind, b.DivisionCode, tx.Now); err != nil {
					return fmt.Errorf("sync branch %s: %w", b.ID, err)
				}
			case old != b.Branch:
				if _, err := tx.ExecContext(ctx, "UPDATE branches SET name = ?, town = ?, kind = ?, division_code = ?, updated_at = ? WHERE id = ?",
					b.Name, b.Town, b.Kind, b.DivisionCode, tx.Now, b.ID); err != nil {
					return fmt.Errorf("sync branch %s: %w", b.ID, err)
				}
			}
			for _, g := range b.Groups {
				g.BranchID = b.ID
				if err := syncGroup(g); err != nil {
					return err
				}
			}
			for _, who := range b.Secretaries {
				want[b.ID+"\x00"+who.String()] = true
			}
		}
		for _, g := range bureauGroups {
			g.BranchID = ""
			if err := syncGroup(g); err != nil {
				return err
			}
		}
		// A group taken out of the configuration is no longer the branch's
		// (or the bureau's): nothing is pushed to it, and what is said in
		// it is answered as in a group nobody set up. Groups come only from
		// the configuration, so the row goes; no record refers to it.
		for k, g := range groupOf {
			if !configured[k] {
				if _, err := tx.ExecContext(ctx, "DELETE FROM chat_groups WHERE id = ?", g.ID); err != nil {
					return fmt.Errorf("sync group %s/%s: %w", g.Platform, g.ChatID, err)
				}
			}
		}
		if err := tx.syncPlaces(ctx, branches); err != nil {
			return err
		}
		have := map[string]bool{}
		for _, r := range haveR {
			k := r.BranchID + "\x00" + r.Identity.String()
			have[k] = true
			if !want[k] {
				if _, err := tx.ExecContext(ctx, "DELETE FROM branch_roles WHERE id = ?", r.ID); err != nil {
					return fmt.Errorf("sync roles: %w", err)
				}
			}
		}
		for _, b := range branches {
			for _, who := range b.Secretaries {
				if have[b.ID+"\x00"+who.String()] {
					continue
				}
				if err := tx.grantRole(ctx, b.ID, who, jinqiu.RoleSecretary, "config"); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// syncPlaces makes the configured branches' places those of the
// configuration; a place's activities are found by name when counted, so
// removing one loses no record.
func (tx *Tx) syncPlaces(ctx context.Context, branches []BranchSpec) error {
	var have []jinqiu.Place
	if err := tx.SelectContext(ctx, &have, "SELECT branch_id, name, kind FROM places"); err != nil {
		return fmt.Errorf("sync places: %w", err)
	}
	old := map[[2]string]jinqiu.Place{}
	for _, p := range have {
		old[[2]string{p.BranchID, p.Name}] = p
	}
	want := map[[2]string]bool{}
	for _, b := range branches {
		for _, p := range b.Places {
			k := [2]string{b.ID, p.Name}
			want[k] = true
			o, ok := old[k]
			switch {
			case !ok:
				if _, err := tx.ExecContext(ctx, "INSERT INTO places (branch_id, name, kind, updated_at) VALUES (?, ?, ?, ?)", b.ID, p.Name, p.Kind, tx.Now); err != nil {
					return fmt.Errorf("sync place %s/%s: %w", b.ID, p.Name, err)
				}
			case o.Kind != p.Kind:
				if _, err := tx.ExecContext(ctx, "UPDATE places SET kind = ?, updated_at = ? WHERE branch_id = ? AND name = ?", p.Kind, tx.Now, b.ID, p.Name); err != nil {
					return fmt.Errorf("sync place %s/%s: %w", b.ID, p.Name, err)
				}
			}
		}
	}
	for k := range old {
		if !want[k] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM places WHERE branch_id = ? AND name = ?", k[0], k[1]); err != nil {
				return fmt.Errorf("sync places: %w", err)
			}
		}
	}
	return nil
}

func (tx *Tx) grantRole(ctx context.Context, branchID string, who jinqiu.Identity, role, source string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO branch_roles (branch_id, platform, user_id, role, source, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		branchID, who.Platform, who.UserID, role, source, tx.Now)
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("grant %s: %w", role, err)
	}
	return nil
}

// GrantSecretary makes who a secretary of branchID on the bureau's
// authority, and audits it.
func (db *DB) GrantSecretary(ctx context.Context, a jinqiu.Actor, branchID string, who jinqiu.Identity) error {
	defer db.cache.clear()
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.branch(ctx, branchID); err != nil {
			return err
		}
		if err := tx.grantRole(ctx, branchID, who, jinqiu.RoleSecretary, "grant"); err != nil {
			return err
		}
		return tx.audit(ctx, a, "grant_secretary", "branch:"+branchID, who.String())
	})
}

// RevokeSecretary withdraws a secretary role granted by the bureau, and
// audits it. A role from the configuration is changed there, not here:
// ErrNotFound if there is no granted role to withdraw.
func (db *DB) RevokeSecretary(ctx context.Context, a jinqiu.Actor, branchID string, who jinqiu.Identity) error {
	defer db.cache.clear()
	return db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM branch_roles WHERE branch_id = ? AND platform = ? AND user_id = ? AND role = ? AND source = 'grant'",
			branchID, who.Platform, who.UserID, jinqiu.RoleSecretary)
		if err != nil {
			return fmt.Errorf("revoke secretary: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return tx.audit(ctx, a, "revoke_secretary", "branch:"+branchID, who.String())
	})
}

// Branch returns the branch with the given id, or ErrNotFound.
func (db *DB) Branch(ctx context.Context, id string) (jinqiu.Branch, error) {
	v, err := db.cache.get(db.Now(), "b|"+id, func() (any, error) {
		return (&Tx{querier: db.x, dialect: db.dialect, zone: db.Zone}).branch(ctx, id)
	})
	b, _ := v.(jinqiu.Branch)
	return b, err
}

func (tx *Tx) branch(ctx context.Context, id string) (jinqiu.Branch, error) {
	var b jinqiu.Branch
	err := tx.GetContext(ctx, &b, "SELECT id, name, town, kind, division_code FROM branches WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNotFound
	}
	return b, err
}

// Branches returns every branch, ordered by town and id.
func (db *DB) Branches(ctx context.Context) ([]jinqiu.Branch, error) {
	var bs []jinqiu.Branch
	err := db.q(ctx).SelectContext(ctx, &bs, "SELECT id, name, town, kind, division_code FROM branches ORDER BY town, id")
	return bs, err
}

// GroupByChat returns the group with the given platform chat id, or
// ErrNotFound.
func (db *DB) GroupByChat(ctx context.Context, platform jinqiu.Platform, chatID string) (jinqiu.Group, error) {
	v, err := db.cache.get(db.Now(), "g|"+string(platform)+"|"+chatID, func() (any, error) {
		var g jinqiu.Group
		err := db.q(ctx).GetContext(ctx, &g, "SELECT id, platform, chat_id, COALESCE(branch_id, '') AS branch_id, robot FROM chat_groups WHERE platform = ? AND chat_id = ?", platform, chatID)
		if errors.Is(err, sql.ErrNoRows) {
			return g, ErrNotFound
		}
		return g, err
	})
	g, _ := v.(jinqiu.Group)
	return g, err
}

// Groups returns the groups of a branch; branchID "" returns the bureau's.
func (db *DB) Groups(ctx context.Context, branchID string) ([]jinqiu.Group, error) {
	var gs []jinqiu.Group
	q := "SELECT id, platform, chat_id, COALESCE(branch_id, '') AS branch_id, robot FROM chat_groups WHERE branch_id = ? ORDER BY id"
	args := []any{branchID}
	if branchID == "" {
		q = "SELECT id, platform, chat_id, '' AS branch_id, robot FROM chat_groups WHERE branch_id IS NULL ORDER BY id"
		args = nil
	}
	err := db.q(ctx).SelectContext(ctx, &gs, q, args...)
	return gs, err
}

// SecretaryOf returns the ids of the branches where who is a secretary.
// An empty user id is nobody's.
func (db *DB) SecretaryOf(ctx context.Context, who jinqiu.Identity) ([]string, error) {
	if who.Platform == "" || who.UserID == "" {
		return nil, nil
	}
	v, err := db.cache.get(db.Now(), "s|"+string(who.Platform)+"|"+who.UserID, func() (any, error) {
		var ids []string
		err := db.x.SelectContext(ctx, &ids, "SELECT branch_id FROM branch_roles WHERE platform = ? AND user_id = ? AND role = ? ORDER BY branch_id", who.Platform, who.UserID, jinqiu.RoleSecretary)
		return ids, err
	})
	ids, _ := v.([]string)
	return slices.Clone(ids), err
}

// Secretaries returns a branch's secretaries.
func (db *DB) Secretaries(ctx context.Context, branchID string) ([]jinqiu.Identity, error) {
	var ids []jinqiu.Identity
	err := db.q(ctx).SelectContext(ctx, &ids, "SELECT platform, user_id FROM branch_roles WHERE branch_id = ? AND role = ? ORDER BY platform, user_id", branchID, jinqiu.RoleSecretary)
	return ids, err
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
