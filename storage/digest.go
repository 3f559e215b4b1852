package storage

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"sync"
	"time"
)

// DigestRange says what a digest covers. Instants are compared with the
// stored (UTC) instants; days with the DATE columns. The caller (jobs)
// computes both from the configured zone: a week is [Monday 00:00, next
// Monday 00:00) there.
type DigestRange struct {
	From, To       time.Time // the period, as instants
	FromDay, ToDay time.Time // the same period, as calendar days [FromDay, ToDay)
	// InactiveSince is where the inactivity window starts (60 days before
	// To, say): a registered member with no sign-up, check-in or hours
	// report in [InactiveSince, To) and registered before it is inactive.
	InactiveSince    time.Time
	InactiveSinceDay time.Time
	// BranchID limits the digest to one branch; "" is every branch.
	BranchID string
	// Top is how many volunteers to rank by approved hours (0: none).
	Top int
	// Meetings are the (kind, days) spans whose holders to return.
	Meetings []MeetingSpan
	// Names lists the inactive members by name; only with BranchID, for
	// that branch's secretary.
	Names bool
}

// MeetingSpan is a meeting kind and a span of calendar days [FromDay, ToDay).
type MeetingSpan struct {
	Kind           jinqiu.MeetingKind
	FromDay, ToDay time.Time
}

// BranchActivity is what one branch did in a digest's period.
type BranchActivity struct {
	jinqiu.Branch
	Members       int // registered now
	NewMembers    int // registrations (报到, moves included) on days in the period
	ActiveMembers int // distinct members who signed up, checked in or reported hours in the period
	Activities    int // activities (not cancelled) that started in the period
	Signups       int // confirmed places of those activities
	Attended      int // of those places, the ones checked in
	Centihours    int // approved hours served on days in the period, ×100
	Inactive      int // registered members inactive since InactiveSince
}

// Volunteer is one member's approved hours in the period.
type Volunteer struct {
	MemberID    int64  `db:"member_id"`
	DisplayName string `db:"display_name"`
	BranchID    string `db:"branch_id"`
	Centihours  int    `db:"centihours"`
}

// DigestStats is what the digest is made of.
type DigestStats struct {
	Branches []BranchActivity // by town and id
	Top      []Volunteer      // by hours, most first
	// Held[i] is the set of branches that held a meeting in Meetings[i].
	Held []map[string]bool
	// Inactive are the inactive members of the branch, by name (Names only).
	Inactive []jinqiu.Member
}

// digestQuery is one aggregate of the digest: its SQL and arguments, and
// what to do with each (branch_id, n[, n2]) row.
type digestQuery struct {
	name string
	sql  string
	args []any
	set  func(b *BranchActivity, n, n2 int)
}

func (r DigestRange) branchFilter(col string) (string, []any) {
	if r.BranchID == "" {
		return "", nil
	}
	return " AND " + col + " = ?", []any{r.BranchID}
}

// digestQueries are the per-branch aggregates. Each is written to use an
// index on the period's column (migration 0003), so that none scans a
// whole table: BenchmarkDigestProvince checks them with EXPLAIN.
func digestQueries(r DigestRange, dialect string) []digestQuery {
	f, t, fd, td := utc(r.From), utc(r.To), day(r.FromDay), day(r.ToDay)
	is, isd := utc(r.InactiveSince), day(r.InactiveSinceDay)
	bw := func(col string) (string, []any) { return r.branchFilter(col) }
	with := func(args []any, more []any) []any { return append(args, more...) }

	memF, memA := bw("branch_id")
	regF, regA := bw("branch_id")
	actF, actA := bw("branch_id")
	supF, supA := bw("a.branch_id")
	hrsF, hrsA := bw("branch_id")
	inF, inA := bw("m.branch_id")
	adF, adA := bw("branch_id")
	// Inactive members: for one branch, each member's absence is probed in
	// the kept active days' (member_id, day) index; for every branch, the
	// members active in the window are collected once from the days and
	// taken away from those registered before it, which reads far less
	// than 200,000 probes.
	inactive := []digestQuery{{"inactive",
		"SELECT m.branch_id, COUNT(*) AS n FROM members m WHERE m.branch_id IS NOT NULL AND m.registered_at < ?" + inF + inactiveWhere +
			" GROUP BY m.branch_id",
		with(with([]any{is}, inA), []any{isd, td}), func(b *BranchActivity, n, _ int) { b.Inactive += n }}}
	if r.BranchID == "" {
		inactive = []digestQuery{
			{"inactive_active",
				`SELECT m.branch_id, COUNT(*) AS n FROM members m JOIN (
					SELECT DISTINCT member_id FROM active_days WHERE day >= ? AND day < ?
				) x ON x.member_id = m.id WHERE m.branch_id IS NOT NULL AND m.registered_at < ? GROUP BY m.branch_id`,
				[]any{isd, td, is}, func(b *BranchActivity, n, _ int) { b.Inactive -= n }},
			{"inactive_registered",
				"SELECT branch_id, COUNT(*) AS n FROM members WHERE branch_id IS NOT NULL AND registered_at < ? GROUP BY branch_id",
				[]any{is}, func(b *BranchActivity, n, _ int) { b.Inactive += n }},
		}
	}
	return append(inactive, []digestQuery{
		{"signups",
			// One pass for places and attendance: checkins' unique key
			// (activity_id, member_id) covers the outer join.
			`SELECT a.branch_id, COUNT(*) AS n, COUNT(c.id) AS n2 FROM activities a JOIN signups s ON s.activity_id = a.id
			LEFT JOIN checkins c ON c.activity_id = s.activity_id AND c.member_id = s.member_id
			WHERE a.starts_at >= ? AND a.starts_at < ? AND a.state = ? AND s.state = ?` + supF + " GROUP BY a.branch_id",
			with([]any{f, t, activityOpen, signupConfirmed}, supA), func(b *BranchActivity, n, n2 int) { b.Signups, b.Attended = n, n2 }},
		{"members",
			"SELECT branch_id, COUNT(*) AS n FROM members WHERE branch_id IS NOT NULL" + memF + " GROUP BY branch_id",
			memA, func(b *BranchActivity, n, _ int) { b.Members = n }},
		{"new_members",
			"SELECT branch_id, COUNT(*) AS n FROM registrations WHERE registered_on >= ? AND registered_on < ?" + regF + " GROUP BY branch_id",
			with([]any{fd, td}, regA), func(b *BranchActivity, n, _ int) { b.NewMembers = n }},
		{"activities",
			"SELECT branch_id, COUNT(*) AS n FROM activities WHERE starts_at >= ? AND starts_at < ? AND state = ?" + actF + " GROUP BY branch_id",
			with([]any{f, t, activityOpen}, actA), func(b *BranchActivity, n, _ int) { b.Activities = n }},
		{"hours",
			"SELECT branch_id, SUM(centihours) AS n FROM hours_reports WHERE served_on >= ? AND served_on < ? AND state = ?" + hrsF + " GROUP BY branch_id",
			with([]any{fd, td, hoursApproved}, hrsA), func(b *BranchActivity, n, _ int) { b.Centihours = n }},
		{"active_members",
			"SELECT branch_id, COUNT(DISTINCT member_id) AS n FROM active_days" + r.activeDaysIndex(dialect) + " WHERE day >= ? AND day < ?" + adF + " GROUP BY branch_id",
			with([]any{fd, td}, adA), func(b *BranchActivity, n, _ int) { b.ActiveMembers = n }},
	}...)
}

// activeDaysIndex names the index the active members of every branch are
// counted on when the period is long: the (branch, member, day) index read
// whole gives each branch's members in order (1.8 s for a province's
// year), where the day range is sorted first (4.2 s); for a week the day
// range reads a fiftieth of the table (40 ms against 1.8 s).
func (r DigestRange) activeDaysIndex(dialect string) string {
	if r.BranchID != "" || r.ToDay.Sub(r.FromDay) < 92*24*time.Hour {
		return ""
	}
	if dialect == SQLite {
		return " INDEXED BY ix_active_days_branch"
	}
	return " FORCE INDEX (ix_active_days_branch)"
}

// inactiveWhere: no hours report, check-in or sign-up in the window, for
// any branch: a probe of the kept active days' (member_id, day) index.
const inactiveWhere = `
	AND NOT EXISTS (SELECT 1 FROM active_days d WHERE d.member_id = m.id AND d.day >= ? AND d.day < ?)`

// hoursApproved mirrors HoursApproved (hours.go) for the digest's own
// queries.
const hoursApproved = "approved"

func topQuery(r DigestRange) (string, []any) {
	f, a := r.branchFilter("h.branch_id")
	return `SELECT t.member_id, m.display_name, COALESCE(m.branch_id, '') AS branch_id, t.centihours FROM (
			SELECT h.member_id, SUM(h.centihours) AS centihours FROM hours_reports h
			WHERE h.served_on >= ? AND h.served_on < ? AND h.state = ?` + f + `
			GROUP BY h.member_id ORDER BY centihours DESC, h.member_id LIMIT ?
		) t JOIN members m ON m.id = t.member_id ORDER BY t.centihours DESC, t.member_id`,
		append(append([]any{day(r.FromDay), day(r.ToDay), hoursApproved}, a...), r.Top)
}

const heldQuery = "SELECT DISTINCT branch_id FROM meetings WHERE kind = ? AND held_on >= ? AND held_on < ?"

func heldSQL(r DigestRange, m MeetingSpan) (string, []any) {
	args := []any{m.Kind, day(m.FromDay), day(m.ToDay)}
	f, a := r.branchFilter("branch_id")
	return heldQuery + f, append(args, a...)
}

// digestParallel is how many of the digest's statements run at once: the
// big ones (inactive members, attendance) overlap instead of queueing, on
// a pool that has room for them beside the callbacks.
const digestParallel = 4

// DigestStats computes a digest's figures: a handful of aggregates, each
// one statement, run a few at a time (the figures of a closed week do not
// move between them). Branches with no activity at all are included with
// zeros; ErrNotFound if BranchID names no branch. Safe for concurrent use.
func (db *DB) DigestStats(ctx context.Context, r DigestRange) (DigestStats, error) {
	var out DigestStats
	err := db.view(ctx, func(tx *Tx) error {
		q := "SELECT id, name, town, kind FROM branches"
		var args []any
		if r.BranchID != "" {
			q += " WHERE id = ?"
			args = append(args, r.BranchID)
		}
		var bs []jinqiu.Branch
		if err := tx.SelectContext(ctx, &bs, q+" ORDER BY town, id", args...); err != nil {
			return fmt.Errorf("digest branches: %w", err)
		}
		if r.BranchID != "" && len(bs) == 0 {
			return ErrNotFound
		}
		idx := make(map[string]int, len(bs))
		out.Branches = make([]BranchActivity, len(bs))
		for i, b := range bs {
			idx[b.ID] = i
			out.Branches[i].Branch = b
		}

		// Each task reads into its own destination; the results are put
		// together after all are in.
		type counts = []struct {
			BranchID string `db:"branch_id"`
			N        int64  `db:"n"`
			N2       int64  `db:"n2"`
		}
		var tasks []func() error
		var apply []func()
		for _, dq := range digestQueries(r, tx.dialect) {
			var rows counts
			tasks = append(tasks, func() error {
				if err := tx.SelectContext(ctx, &rows, dq.sql, dq.args...); err != nil {
					return fmt.Errorf("digest %s: %w", dq.name, err)
				}
				return nil
			})
			apply = append(apply, func() {
				for _, row := range rows {
					if i, ok := idx[row.BranchID]; ok {
						dq.set(&out.Branches[i], int(row.N), int(row.N2))
					}
				}
			})
		}
		if r.Top > 0 {
			tasks = append(tasks, func() error {
				q, args := topQuery(r)
				if err := tx.SelectContext(ctx, &out.Top, q, args...); err != nil {
					return fmt.Errorf("digest top volunteers: %w", err)
				}
				return nil
			})
		}
		out.Held = make([]map[string]bool, len(r.Meetings))
		for i, m := range r.Meetings {
			tasks = append(tasks, func() error {
				var ids []string
				q, args := heldSQL(r, m)
				if err := tx.SelectContext(ctx, &ids, q, args...); err != nil {
					return fmt.Errorf("digest meetings: %w", err)
				}
				out.Held[i] = make(map[string]bool, len(ids))
				for _, id := range ids {
					out.Held[i][id] = true
				}
				return nil
			})
		}
		if r.Names && r.BranchID != "" {
			tasks = append(tasks, func() error {
				err := tx.SelectContext(ctx, &out.Inactive, "SELECT "+memberCols+" FROM members m WHERE m.branch_id = ? AND m.registered_at < ?"+inactiveWhere+
					" ORDER BY m.display_name, m.id",
					r.BranchID, utc(r.InactiveSince), day(r.InactiveSinceDay), day(r.ToDay))
				if err != nil {
					return fmt.Errorf("digest inactive members: %w", err)
				}
				return nil
			})
		}
		if err := runParallel(digestParallel, tasks); err != nil {
			return err
		}
		for _, f := range apply {
			f()
		}
		return nil
	})
	return out, err
}

// runParallel runs the tasks, at most n at a time, in the order given, and
// returns the first error.
func runParallel(n int, tasks []func() error) error {
	sem := make(chan struct{}, n)
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = t()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
