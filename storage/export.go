package storage

import (
	"context"
	"database/sql"
	"fmt"
	"jinqiu"
	"time"

	"github.com/jmoiron/sqlx"
)

// ExportRange is what the workbook covers: the days [FromDay, ToDay) and
// the same period as instants [From, To), of one branch or ("") every
// branch. AsOf decides which published hours are final (their 公示 closed
// at or before it): the time of writing.
type ExportRange struct {
	FromDay, ToDay time.Time
	From, To       time.Time
	BranchID       string
	AsOf           time.Time
}

func (r ExportRange) branch(col string) (string, []any) {
	if r.BranchID == "" {
		return "", nil
	}
	return " AND " + col + " = ?", []any{r.BranchID}
}

// LedgerEntry is one approved hours entry (志愿服务台账), with its 公示.
type LedgerEntry struct {
	ID            int64         `db:"id"`
	BranchID      string        `db:"branch_id"`
	BranchName    string        `db:"-"`
	MemberID      int64         `db:"member_id"`
	MemberName    string        `db:"-"`
	ServedOn      time.Time     `db:"served_on"`
	Centihours    int           `db:"centihours"`
	Note          string        `db:"note"`
	ActivityID    sql.NullInt64 `db:"activity_id"`
	ActivityTitle string        `db:"-"`
	ApproverID    sql.NullInt64 `db:"approver_id"`
	ApproverName  string        `db:"-"`
	DecidedAt     sql.NullTime  `db:"decided_at"`
	MsgID         string        `db:"msg_id"`
	// PublicityID is the 公示 that listed it (0: not yet published);
	// ClosesOn its last day; Final when it closed by AsOf.
	PublicityID int64        `db:"publicity_id"`
	ClosesOn    sql.NullTime `db:"closes_on"`
	Final       bool         `db:"final"`
	Objections  int          `db:"objections"`
	Corrections int          `db:"corrections"`
}

// ledgerChunk is how many ids of hours_reports one ledger query spans.
const ledgerChunk = 20000

// EachLedgerEntry calls fn with every approved hours entry served in the
// range, by id, reading row by row (a province's year is two million
// rows: none is kept). It walks the primary key in spans of ledgerChunk
// ids between the first and last id served in the range, so that rows are
// read in key order (sequentially, where reading them by day is a random
// read per row) and no statement sorts more than a span; the names of
// members, branches and activities are read once, in their own key order,
// instead of one random read per row. fn's error stops the reading and is
// returned.
func (db *DB) EachLedgerEntry(ctx context.Context, r ExportRange, fn func(LedgerEntry) error) error {
	f, a := r.branch("h.branch_id")
	var span struct {
		Lo sql.NullInt64 `db:"lo"`
		Hi sql.NullInt64 `db:"hi"`
	}
	if err := db.x.GetContext(ctx, &span, "SELECT MIN(id) AS lo, MAX(id) AS hi FROM hours_reports WHERE served_on >= ? AND served_on < ?",
		day(r.FromDay), day(r.ToDay)); err != nil {
		return fmt.Errorf("export ledger: %w", err)
	}
	if !span.Lo.Valid {
		return nil
	}
	members, err := names(ctx, db, "SELECT id, COALESCE(NULLIF(display_name, ''), user_id) AS name FROM members")
	if err != nil {
		return err
	}
	titles, err := names(ctx, db, "SELECT id, title AS name FROM activities")
	if err != nil {
		return err
	}
	var bs []jinqiu.Branch
	if err := db.x.SelectContext(ctx, &bs, "SELECT id, name, town, kind FROM branches"); err != nil {
		return fmt.Errorf("export ledger: %w", err)
	}
	branches := make(map[string]string, len(bs))
	for _, b := range bs {
		branches[b.ID] = b.Name
	}
	q := `SELECT h.id, h.branch_id, h.member_id, h.served_on, h.centihours, h.note, h.activity_id, h.approver_id, h.decided_at, h.msg_id,
		COALESCE(p.id, 0) AS publicity_id, p.closes_on, CASE WHEN p.closes_at IS NOT NULL AND p.closes_at <= ? THEN 1 ELSE 0 END AS final,
		(SELECT COUNT(*) FROM objections o WHERE o.hours_id = h.id) AS objections,
		(SELECT COUNT(*) FROM hours_corrections c WHERE c.hours_id = h.id) AS corrections
		FROM hours_reports h
		LEFT JOIN publicity_entries pe ON pe.hours_id = h.id
		LEFT JOIN publicities p ON p.id = pe.publicity_id
		WHERE h.id >= ? AND h.id < ? AND h.served_on >= ? AND h.served_on < ? AND h.state = ?` + f + `
		ORDER BY h.id`
	// The next span is read while fn takes the rows of this one: the
	// database and the writer (a workbook's zip) each have a core.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	spans := make(chan []LedgerEntry, 1)
	var readErr error
	go func() {
		defer close(spans)
		for lo := span.Lo.Int64; lo <= span.Hi.Int64; lo += ledgerChunk {
			args := append([]any{utc(r.AsOf), lo, lo + ledgerChunk, day(r.FromDay), day(r.ToDay), hoursApproved}, a...)
			var rows []LedgerEntry
			if readErr = eachRow(ctx, db, "ledger", q, args, func(e LedgerEntry) error {
				rows = append(rows, e)
				return nil
			}); readErr != nil {
				return
			}
			select {
			case spans <- rows:
			case <-ctx.Done():
				readErr = ctx.Err()
				return
			}
		}
	}()
	for rows := range spans {
		for _, e := range rows {
			e.BranchName, e.MemberName = branches[e.BranchID], members[e.MemberID]
			if e.ActivityID.Valid {
				e.ActivityTitle = titles[e.ActivityID.Int64]
			}
			if e.ApproverID.Valid {
				e.ApproverName = members[e.ApproverID.Int64]
			}
			if err := fn(e); err != nil {
				cancel()
				for range spans { // let the reader end
				}
				return err
			}
		}
	}
	return readErr // written before spans was closed
}

// names reads an (id, name) query into a map.
func names(ctx context.Context, db *DB, q string, args ...any) (map[int64]string, error) {
	out := map[int64]string{}
	err := eachRow(ctx, db, "names", q, args, func(row struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}) error {
		out[row.ID] = row.Name
		return nil
	})
	return out, err
}

// MeetingEntry is one meeting record (三会一课台账).
type MeetingEntry struct {
	ID           int64     `db:"id"`
	BranchID     string    `db:"branch_id"`
	BranchName   string    `db:"branch_name"`
	Kind         string    `db:"kind"`
	HeldOn       time.Time `db:"held_on"`
	Topic        string    `db:"topic"`
	Expected     int       `db:"expected"`
	Present      int       `db:"present"`
	Delivered    int       `db:"delivered"`
	RecorderName string    `db:"recorder_name"`
	CreatedAt    time.Time `db:"created_at"`
	MsgID        string    `db:"msg_id"`
}

// EachMeeting calls fn with every meeting held in the range, by day and id.
func (db *DB) EachMeeting(ctx context.Context, r ExportRange, fn func(MeetingEntry) error) error {
	f, a := r.branch("mt.branch_id")
	q := `SELECT mt.id, mt.branch_id, b.name AS branch_name, mt.kind, mt.held_on, mt.topic, mt.expected, mt.present, mt.delivered,
		COALESCE(m.display_name, '') AS recorder_name, mt.created_at, mt.msg_id
		FROM meetings mt JOIN branches b ON b.id = mt.branch_id LEFT JOIN members m ON m.id = mt.recorder_id
		WHERE mt.held_on >= ? AND mt.held_on < ?` + f + ` ORDER BY mt.held_on, mt.id`
	return eachRow(ctx, db, "meetings", q, append([]any{day(r.FromDay), day(r.ToDay)}, a...), fn)
}

// RegistrationEntry is one 报到 (报到台账).
type RegistrationEntry struct {
	ID             int64          `db:"id"`
	BranchID       string         `db:"branch_id"`
	BranchName     string         `db:"branch_name"`
	MemberName     string         `db:"member_name"`
	Platform       string         `db:"platform"`
	FromBranchName sql.NullString `db:"from_branch_name"`
	RegisteredOn   time.Time      `db:"registered_on"`
	CreatedAt      time.Time      `db:"created_at"`
	MsgID          string         `db:"msg_id"`
}

// EachRegistration calls fn with every 报到 of the range, by day and id.
func (db *DB) EachRegistration(ctx context.Context, r ExportRange, fn func(RegistrationEntry) error) error {
	f, a := r.branch("g.branch_id")
	q := `SELECT g.id, g.branch_id, b.name AS branch_name, m.display_name AS member_name, m.platform,
		fb.name AS from_branch_name, g.registered_on, g.created_at, g.msg_id
		FROM registrations g JOIN branches b ON b.id = g.branch_id JOIN members m ON m.id = g.member_id
		LEFT JOIN branches fb ON fb.id = g.from_branch_id
		WHERE g.registered_on >= ? AND g.registered_on < ?` + f + ` ORDER BY g.registered_on, g.id`
	return eachRow(ctx, db, "registrations", q, append([]any{day(r.FromDay), day(r.ToDay)}, a...), fn)
}

// ActivityEntry is one activity (活动) and its places.
type ActivityEntry struct {
	ID         int64     `db:"id"`
	BranchID   string    `db:"branch_id"`
	BranchName string    `db:"branch_name"`
	Title      string    `db:"title"`
	Place      string    `db:"place"`
	StartsAt   time.Time `db:"starts_at"`
	EndsAt     time.Time `db:"ends_at"`
	Capacity   int       `db:"capacity"`
	State      string    `db:"state"`
	Signups    int       `db:"signups"`  // confirmed places
	Attended   int       `db:"attended"` // of those, checked in
	Checkins   int       `db:"checkins"` // every check-in, walk-ins too
}

// EachActivity calls fn with every activity that started in the range
// (cancelled ones too: State says so), by start and id. Its counts are
// probes of the (activity_id, …) keys, so that no table is read whole.
func (db *DB) EachActivity(ctx context.Context, r ExportRange, fn func(ActivityEntry) error) error {
	f, a := r.branch("a.branch_id")
	q := `SELECT a.id, a.branch_id, b.name AS branch_name, a.title, a.place, a.starts_at, a.ends_at, a.capacity, a.state,
		(SELECT COUNT(*) FROM signups s WHERE s.activity_id = a.id AND s.state = ?) AS signups,
		(SELECT COUNT(*) FROM signups s JOIN checkins c ON c.activity_id = s.activity_id AND c.member_id = s.member_id
			WHERE s.activity_id = a.id AND s.state = ?) AS attended,
		(SELECT COUNT(*) FROM checkins c WHERE c.activity_id = a.id) AS checkins
		FROM activities a JOIN branches b ON b.id = a.branch_id
		WHERE a.starts_at >= ? AND a.starts_at < ?` + f + ` ORDER BY a.starts_at, a.id`
	args := append([]any{signupConfirmed, signupConfirmed, utc(r.From), utc(r.To)}, a...)
	return eachRow(ctx, db, "activities", q, args, fn)
}

// eachRow runs a query and calls fn with each row scanned into a T.
func eachRow[T any](ctx context.Context, db *DB, what, q string, args []any, fn func(T) error) error {
	rows, err := db.x.QueryxContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("export %s: %w", what, err)
	}
	return scanEach(rows, what, fn)
}

func scanEach[T any](rows *sqlx.Rows, what string, fn func(T) error) error {
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.StructScan(&v); err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export %s: %w", what, err)
	}
	return nil
}

// RecordExport writes the audit row of a workbook handed out: who, what
// filter, how many rows.
func (db *DB) RecordExport(ctx context.Context, a jinqiu.Actor, filter string, rows int) error {
	return db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, "export", "export:"+filter, fmt.Sprintf("rows:%d", rows))
	})
}
