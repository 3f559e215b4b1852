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

// The programme's registries: posts held, 顾问团 decisions, 典型. Every
// change is a new row or the end of one (a post's end date, a
// nomination's commendation); nothing is overwritten, and each row names
// who recorded it and from which message.

const postCols = "id, member_id, branch_id, position, kind, started_on, ended_on, recorder_id, created_at, msg_id"

type postRow struct {
	jinqiu.Post
	Ended sql.NullTime `db:"ended_on"`
}

func (r postRow) post() jinqiu.Post {
	p := r.Post
	if r.Ended.Valid {
		p.EndedOn = r.Ended.Time
	}
	return p
}

// NewPost is a post a secretary records: a member of the branch takes it
// on a day.
type NewPost struct {
	MemberID  int64
	BranchID  string
	Position  string // as written
	Kind      jinqiu.PostKind
	StartedOn time.Time
}

// Appoint records that a member holds a post from a day, on behalf of a
// (display name name). A post of the same position the member already
// holds is not recorded twice: it is returned with already true.
func (db *DB) Appoint(ctx context.Context, a jinqiu.Actor, name string, n NewPost) (p jinqiu.Post, already bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		already = false
		var held []postRow
		if err := tx.SelectContext(ctx, &held, "SELECT "+postCols+" FROM posts WHERE member_id = ? AND ended_on IS NULL AND position = ?"+tx.forUpdate(),
			n.MemberID, n.Position); err != nil {
			return fmt.Errorf("appoint: %w", err)
		}
		if len(held) > 0 {
			p, already = held[0].post(), true
			return nil
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		id, err := tx.insertID(ctx, "INSERT INTO posts (member_id, branch_id, position, kind, started_on, recorder_id, created_at, msg_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			n.MemberID, n.BranchID, truncateUTF8(n.Position, 4*191), n.Kind, day(n.StartedOn), by.ID, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("appoint: %w", err)
		}
		var r postRow
		if err := tx.GetContext(ctx, &r, "SELECT "+postCols+" FROM posts WHERE id = ?", id); err != nil {
			return fmt.Errorf("appoint: %w", err)
		}
		p = r.post()
		return tx.audit(ctx, a, "appoint", "post:"+strconv.FormatInt(id, 10), n.BranchID+" "+strconv.FormatInt(n.MemberID, 10)+" "+string(n.Kind)+" "+day(n.StartedOn))
	})
	return p, already, err
}

// Resign ends a post that is held on a day, on behalf of a. ErrNotFound if
// no such post is held (already ended, or never).
func (db *DB) Resign(ctx context.Context, a jinqiu.Actor, name string, postID int64, on time.Time) (jinqiu.Post, error) {
	var p jinqiu.Post
	err := db.update(ctx, func(tx *Tx) error {
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE posts SET ended_on = ?, ended_by = ?, end_msg_id = ? WHERE id = ? AND ended_on IS NULL",
			day(on), by.ID, a.MsgID, postID)
		if err != nil {
			return fmt.Errorf("resign: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		var r postRow
		if err := tx.GetContext(ctx, &r, "SELECT "+postCols+" FROM posts WHERE id = ?", postID); err != nil {
			return fmt.Errorf("resign: %w", err)
		}
		p = r.post()
		return tx.audit(ctx, a, "resign", "post:"+strconv.FormatInt(postID, 10), day(on))
	})
	return p, err
}

// Posts returns a member's posts, held ones only unless all, oldest first.
func (db *DB) Posts(ctx context.Context, memberID int64, all bool) ([]jinqiu.Post, error) {
	q := "SELECT " + postCols + " FROM posts WHERE member_id = ?"
	if !all {
		q += " AND ended_on IS NULL"
	}
	var rs []postRow
	if err := db.q(ctx).SelectContext(ctx, &rs, q+" ORDER BY started_on, id", memberID); err != nil {
		return nil, fmt.Errorf("posts: %w", err)
	}
	out := make([]jinqiu.Post, len(rs))
	for i, r := range rs {
		out[i] = r.post()
	}
	return out, nil
}

const decisionCols = "id, branch_id, topic, decided_on, present, adopted, recorder_id, created_at, msg_id"

type decisionRow struct {
	jinqiu.Decision
	Adopt sql.NullInt64 `db:"adopted"`
}

func (r decisionRow) decision() jinqiu.Decision {
	d := r.Decision
	if r.Adopt.Valid {
		v := r.Adopt.Int64 != 0
		d.Adopted = &v
	}
	return d
}

// NewDecision is a decision a branch's 顾问团 took part in.
type NewDecision struct {
	BranchID  string
	Topic     string
	DecidedOn time.Time
	Present   int
	Adopted   *bool // nil: not said
}

// RecordDecision records a decision on behalf of a. The same topic on the
// same day in the branch is one decision: a repeat returns the stored one
// with already true.
func (db *DB) RecordDecision(ctx context.Context, a jinqiu.Actor, name string, n NewDecision) (d jinqiu.Decision, already bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		already = false
		if _, err := tx.branch(ctx, n.BranchID); err != nil {
			return err
		}
		var have []decisionRow
		if err := tx.SelectContext(ctx, &have, "SELECT "+decisionCols+" FROM decisions WHERE branch_id = ? AND decided_on = ? AND topic = ?"+tx.forUpdate(),
			n.BranchID, day(n.DecidedOn), n.Topic); err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		if len(have) > 0 {
			d, already = have[0].decision(), true
			return nil
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		var adopted sql.NullInt64
		if n.Adopted != nil {
			adopted.Valid = true
			if *n.Adopted {
				adopted.Int64 = 1
			}
		}
		id, err := tx.insertID(ctx, "INSERT INTO decisions (branch_id, topic, decided_on, present, adopted, recorder_id, created_at, msg_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			n.BranchID, truncateUTF8(n.Topic, 500), day(n.DecidedOn), n.Present, adopted, by.ID, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		var r decisionRow
		if err := tx.GetContext(ctx, &r, "SELECT "+decisionCols+" FROM decisions WHERE id = ?", id); err != nil {
			return fmt.Errorf("record decision: %w", err)
		}
		d = r.decision()
		return tx.audit(ctx, a, "record_decision", "decision:"+strconv.FormatInt(id, 10), n.BranchID+" "+day(n.DecidedOn))
	})
	return d, already, err
}

const nominationCols = "n.id, n.member_id, m.display_name AS member_name, n.branch_id, n.deeds, n.state, n.nominated_by, n.nominated_at, n.commended_by, n.commended_at, n.msg_id"

type nominationRow struct {
	jinqiu.Nomination
	By sql.NullInt64 `db:"commended_by"`
	At sql.NullTime  `db:"commended_at"`
}

func (r nominationRow) nomination() jinqiu.Nomination {
	n := r.Nomination
	n.CommendedBy = r.By.Int64
	if r.At.Valid {
		n.CommendedAt = r.At.Time
	}
	return n
}

func (tx *Tx) nomination(ctx context.Context, id int64) (jinqiu.Nomination, error) {
	return getNomination(ctx, tx, id)
}

func getNomination(ctx context.Context, q querier, id int64) (jinqiu.Nomination, error) {
	var r nominationRow
	err := q.GetContext(ctx, &r, "SELECT "+nominationCols+" FROM nominations n JOIN members m ON m.id = n.member_id WHERE n.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return jinqiu.Nomination{}, ErrNotFound
	}
	if err != nil {
		return jinqiu.Nomination{}, fmt.Errorf("nomination: %w", err)
	}
	return r.nomination(), nil
}

// Nominate puts a member of a branch forward as a 典型 with their deeds,
// on behalf of a. A member already nominated and not yet commended is not
// nominated twice: the open nomination is returned with already true.
func (db *DB) Nominate(ctx context.Context, a jinqiu.Actor, name string, memberID int64, branchID, deeds string) (n jinqiu.Nomination, already bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		already = false
		var open []int64
		if err := tx.SelectContext(ctx, &open, "SELECT id FROM nominations WHERE member_id = ? AND state = ?"+tx.forUpdate(), memberID, jinqiu.Nominated); err != nil {
			return fmt.Errorf("nominate: %w", err)
		}
		if len(open) > 0 {
			already = true
			n, err = tx.nomination(ctx, open[0])
			return err
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		id, err := tx.insertID(ctx, "INSERT INTO nominations (member_id, branch_id, deeds, state, nominated_by, nominated_at, msg_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
			memberID, branchID, truncateUTF8(deeds, 4*500), jinqiu.Nominated, by.ID, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("nominate: %w", err)
		}
		if n, err = tx.nomination(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, "nominate", "nomination:"+strconv.FormatInt(id, 10), branchID+" "+strconv.FormatInt(memberID, 10))
	})
	return n, already, err
}

// Nomination returns a nomination, or ErrNotFound.
func (db *DB) Nomination(ctx context.Context, id int64) (jinqiu.Nomination, error) {
	return getNomination(ctx, db.q(ctx), id)
}

// Commend makes a nomination a commended 典型, on behalf of a (the
// bureau). One already commended is returned with already true.
// ErrNotFound if there is no such nomination.
func (db *DB) Commend(ctx context.Context, a jinqiu.Actor, name string, id int64) (n jinqiu.Nomination, already bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		already = false
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE nominations SET state = ?, commended_by = ?, commended_at = ?, commend_msg_id = ? WHERE id = ? AND state = ?",
			jinqiu.Commended, by.ID, tx.Now, a.MsgID, id, jinqiu.Nominated)
		if err != nil {
			return fmt.Errorf("commend: %w", err)
		}
		if n, err = tx.nomination(ctx, id); err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			already = true
			return nil
		}
		return tx.audit(ctx, a, "commend", "nomination:"+strconv.FormatInt(id, 10), n.BranchID)
	})
	return n, already, err
}

// Places returns every branch's 阵地 (as configured), by branch and name.
func (db *DB) Places(ctx context.Context) ([]jinqiu.Place, error) {
	var ps []jinqiu.Place
	if err := db.q(ctx).SelectContext(ctx, &ps, "SELECT branch_id, name, kind FROM places ORDER BY branch_id, name"); err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	return ps, nil
}

// ProgrammeRange is the span of a programme report: instants [From, To)
// and the same days [FromDay, ToDay).
type ProgrammeRange struct {
	From, To       time.Time
	FromDay, ToDay time.Time
}

// LineCount is a count for one branch kind (城市, 乡镇).
type LineCount struct {
	Kind jinqiu.BranchKind `db:"kind"`
	N    int               `db:"n"`
}

// KindCount is a count of posts of one kind in one line.
type KindCount struct {
	Line jinqiu.BranchKind `db:"line"`
	Kind jinqiu.PostKind   `db:"kind"`
	N    int               `db:"n"`
}

// PlacedActivity is an activity of the span with where it was held and how
// many checked in.
type PlacedActivity struct {
	BranchID string `db:"branch_id"`
	Place    string `db:"place"`
	Attended int    `db:"attended"`
}

// ProgrammeStats are the registries' figures of a span.
type ProgrammeStats struct {
	// Active are the distinct members with an approved participation (an
	// approved hours report, auto-credit included) served in the span, by
	// the line of the branch they belong to; ActiveTotal counts each
	// person once (those no longer in a branch too).
	Active      []LineCount
	ActiveTotal int
	// Registered are the 报到 on days of the span, by line.
	Registered []LineCount
	// Posts are the posts held at some time in the span, by line and kind.
	Posts []KindCount
	// Decisions in the span by line: all, adopted, and the branches whose
	// 顾问团 took part in one (Councils).
	Decisions, Adopted, Councils []LineCount
	// Nominated are the nominations made in the span; Commended the ones
	// commended in it; by line.
	Nominated, Commended []LineCount
	// Activities are the activities (not cancelled) that started in the
	// span, with their place and check-ins.
	Activities []PlacedActivity
}

// ProgrammeStats computes the registries' figures of a span, of the whole
// district.
func (db *DB) ProgrammeStats(ctx context.Context, r ProgrammeRange) (ProgrammeStats, error) {
	f, t, fd, td := utc(r.From), utc(r.To), day(r.FromDay), day(r.ToDay)
	q := db.q(ctx)
	var st ProgrammeStats
	counts := []struct {
		name string
		dst  *[]LineCount
		sql  string
		args []any
	}{
		{"registered", &st.Registered, `SELECT b.kind, COUNT(*) AS n FROM registrations r JOIN branches b ON b.id = r.branch_id
			WHERE r.registered_on >= ? AND r.registered_on < ? GROUP BY b.kind`, []any{fd, td}},
		{"decisions", &st.Decisions, `SELECT b.kind, COUNT(*) AS n FROM decisions d JOIN branches b ON b.id = d.branch_id
			WHERE d.decided_on >= ? AND d.decided_on < ? GROUP BY b.kind`, []any{fd, td}},
		{"adopted", &st.Adopted, `SELECT b.kind, COUNT(*) AS n FROM decisions d JOIN branches b ON b.id = d.branch_id
			WHERE d.decided_on >= ? AND d.decided_on < ? AND d.adopted = 1 GROUP BY b.kind`, []any{fd, td}},
		{"councils", &st.Councils, `SELECT b.kind, COUNT(DISTINCT d.branch_id) AS n FROM decisions d JOIN branches b ON b.id = d.branch_id
			WHERE d.decided_on >= ? AND d.decided_on < ? GROUP BY b.kind`, []any{fd, td}},
		{"nominated", &st.Nominated, `SELECT b.kind, COUNT(*) AS n FROM nominations x JOIN branches b ON b.id = x.branch_id
			WHERE x.nominated_at >= ? AND x.nominated_at < ? GROUP BY b.kind`, []any{f, t}},
		{"commended", &st.Commended, `SELECT b.kind, COUNT(*) AS n FROM nominations x JOIN branches b ON b.id = x.branch_id
			WHERE x.commended_at >= ? AND x.commended_at < ? GROUP BY b.kind`, []any{f, t}},
	}
	for _, c := range counts {
		if err := q.SelectContext(ctx, c.dst, c.sql, c.args...); err != nil {
			return st, fmt.Errorf("programme %s: %w", c.name, err)
		}
	}
	// Each active person once, in the line of the branch they belong to:
	// the distinct members first (an index range of the year), then their
	// branches by key. Joining the branch of every report before the
	// DISTINCT took 37 s on a province's year; this takes 2.5 s.
	var active []LineCount
	if err := q.SelectContext(ctx, &active, `SELECT COALESCE(b.kind, '') AS kind, COUNT(*) AS n
		FROM (SELECT DISTINCT member_id FROM hours_reports WHERE served_on >= ? AND served_on < ? AND state = ?) x
		JOIN members m ON m.id = x.member_id LEFT JOIN branches b ON b.id = m.branch_id GROUP BY COALESCE(b.kind, '')`,
		fd, td, hoursApproved); err != nil {
		return st, fmt.Errorf("programme active: %w", err)
	}
	for _, c := range active {
		st.ActiveTotal += c.N
		if c.Kind != "" {
			st.Active = append(st.Active, c)
		}
	}
	if err := q.SelectContext(ctx, &st.Posts, `SELECT b.kind AS line, p.kind, COUNT(*) AS n FROM posts p JOIN branches b ON b.id = p.branch_id
		WHERE p.started_on < ? AND (p.ended_on IS NULL OR p.ended_on >= ?) GROUP BY b.kind, p.kind`, td, fd); err != nil {
		return st, fmt.Errorf("programme posts: %w", err)
	}
	if err := q.SelectContext(ctx, &st.Activities, `SELECT a.branch_id, a.place, COUNT(c.id) AS attended FROM activities a
		LEFT JOIN checkins c ON c.activity_id = a.id
		WHERE a.starts_at >= ? AND a.starts_at < ? AND a.state = ? AND a.branch_id IN (SELECT branch_id FROM places)
		GROUP BY a.id, a.branch_id, a.place ORDER BY a.id`, f, t, activityOpen); err != nil {
		return st, fmt.Errorf("programme activities: %w", err)
	}
	return st, nil
}

// OpenNominations returns the nominations not yet commended, oldest first,
// at most limit.
func (db *DB) OpenNominations(ctx context.Context, limit int) ([]jinqiu.Nomination, error) {
	var rs []nominationRow
	if err := db.q(ctx).SelectContext(ctx, &rs, "SELECT "+nominationCols+" FROM nominations n JOIN members m ON m.id = n.member_id WHERE n.state = ? ORDER BY n.id LIMIT ?",
		jinqiu.Nominated, limit); err != nil {
		return nil, fmt.Errorf("open nominations: %w", err)
	}
	out := make([]jinqiu.Nomination, len(rs))
	for i, r := range rs {
		out[i] = r.nomination()
	}
	return out, nil
}
