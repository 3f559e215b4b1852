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

// 公示 of approved hours: a secretary publishes the approved entries of a
// period; members object within it; after it an entry is final and only a
// correction with a reason changes it.

var (
	// ErrNothingToPublish: the period has no approved entry that is not
	// already published.
	ErrNothingToPublish = errors.New("no approved hours to publish")
	// ErrNotPublished: the entry is in no 公示 (objections are to 公示).
	ErrNotPublished = errors.New("hours not published")
	// ErrPublicityClosed: the 公示 closed; the entry is final.
	ErrPublicityClosed = errors.New("publicity closed")
	// ErrNoReason: a correction needs its reason.
	ErrNoReason = errors.New("correction without a reason")
)

// SetConsent records whether the person agrees that their name be shown in
// full in 公示 (同意公示 true, 不同意公示 false), as a new row of the
// history, and returns whether it changed what was in force.
func (db *DB) SetConsent(ctx context.Context, a jinqiu.Actor, name string, granted bool) (changed bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		m, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		was, err := tx.consent(ctx, m.ID)
		if err != nil {
			return err
		}
		changed = was != granted
		if !changed {
			return nil
		}
		g := 0
		if granted {
			g = 1
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO consents (member_id, granted, at, msg_id) VALUES (?, ?, ?, ?)", m.ID, g, tx.Now, a.MsgID); err != nil {
			return fmt.Errorf("set consent: %w", err)
		}
		return tx.audit(ctx, a, "consent", "member:"+strconv.FormatInt(m.ID, 10), strconv.Itoa(g))
	})
	return changed, err
}

// Consent reports whether the member's latest word is 同意公示.
func (db *DB) Consent(ctx context.Context, memberID int64) (bool, error) {
	var ok bool
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		ok, err = tx.consent(ctx, memberID)
		return err
	})
	return ok, err
}

func (tx *Tx) consent(ctx context.Context, memberID int64) (bool, error) {
	var g int
	err := tx.GetContext(ctx, &g, "SELECT granted FROM consents WHERE member_id = ? ORDER BY id DESC LIMIT 1", memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("consent: %w", err)
	}
	return g == 1, nil
}

// Publicity is one 公示: a branch's approved entries of the days
// [FromDay, ToDay), open for objections up to ClosesOn (ClosesAt, the
// instant after it, makes them final).
type Publicity struct {
	ID          int64     `db:"id"`
	BranchID    string    `db:"branch_id"`
	FromDay     time.Time `db:"from_day"`
	ToDay       time.Time `db:"to_day"`
	ClosesOn    time.Time `db:"closes_on"`
	ClosesAt    time.Time `db:"closes_at"`
	PublishedAt time.Time `db:"published_at"`
}

// PublicEntry is an entry as published: Consented says whether the name
// may be shown in full.
type PublicEntry struct {
	HoursID    int64     `db:"id"`
	MemberID   int64     `db:"member_id"`
	MemberName string    `db:"member_name"`
	ServedOn   time.Time `db:"served_on"`
	Centihours int       `db:"centihours"`
	Note       string    `db:"note"`
	Activity   string    `db:"activity_title"`
	Consented  bool      `db:"consented"`
	Shown      string    `db:"-"`
}

// NewPublicity is what a secretary publishes.
type NewPublicity struct {
	BranchID       string
	FromDay, ToDay time.Time
	ClosesOn       time.Time // a calendar day
	ClosesAt       time.Time // the instant after ClosesOn in the zone
	Show           func(e PublicEntry) string
}

// Publish lists the branch's approved entries of the period that no 公示
// has listed yet, with each member's consent as it stands, and keeps the
// name as shown (Show) with each entry. ErrNothingToPublish when there is
// none.
func (db *DB) Publish(ctx context.Context, a jinqiu.Actor, name string, n NewPublicity) (Publicity, []PublicEntry, error) {
	var p Publicity
	var es []PublicEntry
	err := db.update(ctx, func(tx *Tx) error {
		es = nil
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		err = tx.SelectContext(ctx, &es, `SELECT h.id, h.member_id, m.display_name AS member_name, h.served_on, h.centihours, h.note,
			COALESCE(act.title, '') AS activity_title,
			COALESCE((SELECT c.granted FROM consents c WHERE c.member_id = h.member_id ORDER BY c.id DESC LIMIT 1), 0) AS consented
			FROM hours_reports h JOIN members m ON m.id = h.member_id LEFT JOIN activities act ON act.id = h.activity_id
			WHERE h.branch_id = ? AND h.state = ? AND h.served_on >= ? AND h.served_on < ?
			AND NOT EXISTS (SELECT 1 FROM publicity_entries pe WHERE pe.hours_id = h.id)
			ORDER BY h.served_on, h.id`+tx.forUpdate(), n.BranchID, hoursApproved, day(n.FromDay), day(n.ToDay))
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if len(es) == 0 {
			return ErrNothingToPublish
		}
		id, err := tx.insertID(ctx, `INSERT INTO publicities (branch_id, from_day, to_day, closes_on, closes_at, published_by, published_at, msg_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.BranchID, day(n.FromDay), day(n.ToDay), day(n.ClosesOn), utc(n.ClosesAt), by.ID, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		for i := range es {
			es[i].Shown = n.Show(es[i])
			if _, err := tx.ExecContext(ctx, "INSERT INTO publicity_entries (publicity_id, hours_id, centihours, shown_name) VALUES (?, ?, ?, ?)",
				id, es[i].HoursID, es[i].Centihours, truncateUTF8(es[i].Shown, 191)); err != nil {
				// A duplicate: another 公示 took it at the same instant.
				return fmt.Errorf("publish entry %d: %w", es[i].HoursID, err)
			}
		}
		p = Publicity{ID: id, BranchID: n.BranchID, FromDay: jinqiu.Day(n.FromDay), ToDay: jinqiu.Day(n.ToDay),
			ClosesOn: jinqiu.Day(n.ClosesOn), ClosesAt: utc(n.ClosesAt), PublishedAt: tx.Now}
		return tx.audit(ctx, a, "publicity", "publicity:"+strconv.FormatInt(id, 10),
			fmt.Sprintf("%s %s..%s entries:%d closes:%s", n.BranchID, day(n.FromDay), day(n.ToDay), len(es), day(n.ClosesOn)))
	})
	return p, es, err
}

// entryPublicity returns the 公示 that lists the branch's entry.
func (tx *Tx) entryPublicity(ctx context.Context, branchID string, hoursID int64) (Publicity, error) {
	var p Publicity
	err := tx.GetContext(ctx, &p, `SELECT p.id, p.branch_id, p.from_day, p.to_day, p.closes_on, p.closes_at, p.published_at
		FROM publicity_entries pe JOIN publicities p ON p.id = pe.publicity_id WHERE pe.hours_id = ? AND p.branch_id = ?`, hoursID, branchID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotPublished
	}
	if err != nil {
		return p, fmt.Errorf("publicity of %d: %w", hoursID, err)
	}
	return p, nil
}

// EntryPublicity returns the 公示 that lists the branch's entry, or
// ErrNotPublished.
func (db *DB) EntryPublicity(ctx context.Context, branchID string, hoursID int64) (Publicity, error) {
	var p Publicity
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.entryPublicity(ctx, branchID, hoursID)
		return err
	})
	return p, err
}

// Objection is a member's objection to a published entry.
type Objection struct {
	ID          int64
	PublicityID int64
	HoursID     int64
	Note        string
}

// Object records the person's objection to the branch's published entry
// while its 公示 is open. ErrNotFound for an entry of another branch;
// ErrNotPublished when no 公示 lists it; ErrPublicityClosed after it
// closed.
func (db *DB) Object(ctx context.Context, a jinqiu.Actor, name, branchID string, hoursID int64, note string) (Objection, error) {
	var o Objection
	err := db.update(ctx, func(tx *Tx) error {
		if _, err := tx.report(ctx, branchID, hoursID); err != nil {
			return err
		}
		p, err := tx.entryPublicity(ctx, branchID, hoursID)
		if err != nil {
			return err
		}
		if !tx.Now.Before(p.ClosesAt) {
			return ErrPublicityClosed
		}
		m, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		note = truncateUTF8(note, 500)
		id, err := tx.insertID(ctx, "INSERT INTO objections (publicity_id, hours_id, member_id, note, at, msg_id) VALUES (?, ?, ?, ?, ?, ?)",
			p.ID, hoursID, m.ID, note, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("object: %w", err)
		}
		o = Objection{ID: id, PublicityID: p.ID, HoursID: hoursID, Note: note}
		return tx.audit(ctx, a, "object", "hours:"+strconv.FormatInt(hoursID, 10), note)
	})
	return o, err
}

// Correction is a change of an approved entry's amount, with its reason.
type Correction struct {
	HoursID     int64     `db:"hours_id"`
	CentiBefore int       `db:"centihours_before"`
	CentiAfter  int       `db:"centihours_after"`
	Reason      string    `db:"reason"`
	At          time.Time `db:"at"`
}

// CorrectHours sets an approved entry of the branch to centihours, keeping
// the old amount and the reason in the corrections: after its 公示 this is
// the only change an entry takes. ErrNoReason without a reason;
// ErrNotFound for another branch's entry; ErrDecided when the entry is not
// approved (a pending one is decided, not corrected).
func (db *DB) CorrectHours(ctx context.Context, a jinqiu.Actor, name, branchID string, hoursID int64, centihours int, reason string) (Correction, error) {
	var c Correction
	err := db.update(ctx, func(tx *Tx) error {
		if reason == "" {
			return ErrNoReason
		}
		r, err := tx.report(ctx, branchID, hoursID)
		if err != nil {
			return err
		}
		if r.State != jinqiu.HoursApproved {
			return ErrDecided
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		reason = truncateUTF8(reason, 500)
		if _, err := tx.ExecContext(ctx, `INSERT INTO hours_corrections (hours_id, centihours_before, centihours_after, reason, by_id, at, msg_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hoursID, r.Centihours, centihours, reason, by.ID, tx.Now, a.MsgID); err != nil {
			return fmt.Errorf("correct hours: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hours_reports SET centihours = ? WHERE id = ?", centihours, hoursID); err != nil {
			return fmt.Errorf("correct hours: %w", err)
		}
		c = Correction{HoursID: hoursID, CentiBefore: r.Centihours, CentiAfter: centihours, Reason: reason, At: tx.Now}
		return tx.audit(ctx, a, "correct_hours", r.Object(), fmt.Sprintf("centihours:%d->%d %s", r.Centihours, centihours, reason))
	})
	return c, err
}

// Corrections returns an entry's corrections, oldest first.
func (db *DB) Corrections(ctx context.Context, hoursID int64) ([]Correction, error) {
	var cs []Correction
	err := db.q(ctx).SelectContext(ctx, &cs, "SELECT hours_id, centihours_before, centihours_after, reason, at FROM hours_corrections WHERE hours_id = ? ORDER BY id", hoursID)
	return cs, err
}

// FinalCentihours sums the approved hours served in the range whose 公示
// closed by AsOf, per branch: the part of the digest's hours that is final.
func (db *DB) FinalCentihours(ctx context.Context, r ExportRange) (map[string]int, error) {
	f, a := r.branch("h.branch_id")
	var rows []struct {
		BranchID string `db:"branch_id"`
		N        int64  `db:"n"`
	}
	err := db.q(ctx).SelectContext(ctx, &rows, `SELECT h.branch_id, SUM(h.centihours) AS n FROM hours_reports h
		JOIN publicity_entries pe ON pe.hours_id = h.id JOIN publicities p ON p.id = pe.publicity_id
		WHERE h.served_on >= ? AND h.served_on < ? AND h.state = ? AND p.closes_at <= ?`+f+` GROUP BY h.branch_id`,
		append([]any{day(r.FromDay), day(r.ToDay), hoursApproved, utc(r.AsOf)}, a...)...)
	if err != nil {
		return nil, fmt.Errorf("final hours: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, x := range rows {
		out[x.BranchID] = int(x.N)
	}
	return out, nil
}

// ClosedPublicity is a 公示 whose period is over, as its closing is
// announced: Final entries became final with it (those still approved),
// Objected of them have an objection that no correction followed.
type ClosedPublicity struct {
	Publicity
	BranchName string
	Final      int
	Objected   int
}

// AnnounceClosed announces up to limit 公示 that closed by now and are not
// yet announced, oldest first, each in a transaction of its own: the
// transaction marks it announced, then writes the outbox rows that fan
// returns for it (none is fine: it stays announced). A 公示 that another
// replica marked first is skipped, so each is announced once; when fan or
// the outbox write fails nothing of that 公示 is kept and the next sweep
// announces it, the others going on (the first such error is returned). It
// returns those announced. Whether an entry is final stays a matter of time
// (closes_at): the mark only says that the group was told.
func (db *DB) AnnounceClosed(ctx context.Context, now time.Time, limit int, fan func(ctx context.Context, tx *Tx, p ClosedPublicity) ([]Outbound, error)) ([]ClosedPublicity, error) {
	var ids []int64
	if err := db.q(ctx).SelectContext(ctx, &ids, "SELECT id FROM publicities WHERE announced_at IS NULL AND closes_at <= ? ORDER BY closes_at, id LIMIT ?",
		utc(now), limit); err != nil {
		return nil, fmt.Errorf("announce closed: %w", err)
	}
	var out []ClosedPublicity
	var first error
	for _, id := range ids {
		var cp ClosedPublicity
		marked := false
		err := db.update(ctx, func(tx *Tx) error {
			marked = false
			// The claim: of two replicas the second matches no row (MySQL
			// reads the committed row for an UPDATE; SQLite's writers are
			// serialised).
			res, err := tx.ExecContext(ctx, "UPDATE publicities SET announced_at = ? WHERE id = ? AND announced_at IS NULL AND closes_at <= ?",
				tx.Now, id, utc(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err
			}
			if cp, err = tx.closedPublicity(ctx, id); err != nil {
				return err
			}
			os, err := fan(ctx, tx, cp)
			if err != nil {
				return err
			}
			if err := tx.enqueue(ctx, os...); err != nil {
				return err
			}
			marked = true
			return nil
		})
		if err != nil {
			if first == nil {
				first = fmt.Errorf("announce publicity %d: %w", id, err)
			}
			continue
		}
		if marked {
			out = append(out, cp)
		}
	}
	return out, first
}

func (tx *Tx) closedPublicity(ctx context.Context, id int64) (ClosedPublicity, error) {
	var cp ClosedPublicity
	if err := tx.GetContext(ctx, &cp.Publicity, "SELECT id, branch_id, from_day, to_day, closes_on, closes_at, published_at FROM publicities WHERE id = ?", id); err != nil {
		return cp, fmt.Errorf("closed publicity: %w", err)
	}
	if err := tx.GetContext(ctx, &cp.BranchName, "SELECT COALESCE((SELECT name FROM branches WHERE id = ?), '')", cp.BranchID); err != nil {
		return cp, fmt.Errorf("closed publicity: %w", err)
	}
	var n struct {
		Final    int64 `db:"final"`
		Objected int64 `db:"objected"`
	}
	// An objection is open until a correction of its entry follows it: the
	// correction is how a secretary settles one.
	if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) AS final,
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM objections o WHERE o.publicity_id = pe.publicity_id AND o.hours_id = pe.hours_id
			AND NOT EXISTS (SELECT 1 FROM hours_corrections c WHERE c.hours_id = o.hours_id AND c.at >= o.at)) THEN 1 ELSE 0 END), 0) AS objected
		FROM publicity_entries pe JOIN hours_reports h ON h.id = pe.hours_id
		WHERE pe.publicity_id = ? AND h.state = ?`, id, hoursApproved); err != nil {
		return cp, fmt.Errorf("closed publicity: %w", err)
	}
	cp.Final, cp.Objected = int(n.Final), int(n.Objected)
	return cp, nil
}
