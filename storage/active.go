package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// The kept active days (migration 0012): a row (day, branch, member) says
// the member signed up for an activity of the branch, checked in at one or
// reported hours for it on that day (the day a sign-up or check-in was
// made, in the configured zone; the day hours were served). Every write
// that adds such an event adds its row in the same transaction; the one
// that removes an event (撤销 of a check-in) takes the row's day again from
// what is left. Sign-ups that are cancelled and reports that are withdrawn
// stay events, as they always were in the digest.

// defaultZone is the zone of a DB nobody configured: the product's.
func defaultZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600) // no tzdata: China has had no DST since 1991
}

// insertIgnore is the dialect's INSERT that skips a row its key holds.
func insertIgnore(dialect string) string {
	if dialect == SQLite {
		return "INSERT OR IGNORE"
	}
	return "INSERT IGNORE"
}

// shareLock is the suffix of a read that waits for the rows' writers and
// reads what they committed: MySQL's INSERT ... SELECT reads a snapshot
// without it under READ COMMITTED (which the DSN does not rule out, and
// managed MySQL defaults to). SQLite's writes are serialised.
func shareLock(dialect string) string {
	if dialect == MySQL {
		return " LOCK IN SHARE MODE"
	}
	return ""
}

// localDay is the calendar day of instant t in the tx's zone.
func (tx *Tx) localDay(t time.Time) time.Time { return jinqiu.Midnight(t, tx.zone) }

// markActive records that the member was active for the branch on day (a
// midnight of the zone, or a DATE's day).
func (tx *Tx) markActive(ctx context.Context, memberID int64, branchID string, d time.Time) error {
	_, err := tx.ExecContext(ctx, insertIgnore(tx.dialect)+" INTO active_days (day, branch_id, member_id) VALUES (?, ?, ?)", day(d), branchID, memberID)
	if err != nil {
		return fmt.Errorf("mark active day: %w", err)
	}
	return nil
}

// activeEvidence is whether any event makes (member, branch) active on a
// day: its arguments are the member, the branch and the day (hours), then
// member, branch and the day's instants twice (check-ins, sign-ups).
const activeEvidence = `EXISTS (SELECT 1 FROM hours_reports h WHERE h.member_id = ? AND h.branch_id = ? AND h.served_on = ?)
	OR EXISTS (SELECT 1 FROM checkins c JOIN activities a ON a.id = c.activity_id WHERE c.member_id = ? AND a.branch_id = ? AND c.checked_at >= ? AND c.checked_at < ?)
	OR EXISTS (SELECT 1 FROM signups s JOIN activities a ON a.id = s.activity_id WHERE s.member_id = ? AND a.branch_id = ? AND s.created_at >= ? AND s.created_at < ?)`

// remarkActive takes the row of (member, branch, local day d) again from the
// events left: after one was removed.
func (tx *Tx) remarkActive(ctx context.Context, memberID int64, branchID string, d time.Time) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM active_days WHERE day = ? AND branch_id = ? AND member_id = ?", day(d), branchID, memberID); err != nil {
		return fmt.Errorf("remark active day: %w", err)
	}
	from, to := utc(d), utc(jinqiu.AddDays(d, 1))
	_, err := tx.ExecContext(ctx, "INSERT INTO active_days (day, branch_id, member_id) SELECT ?, ?, ? FROM (SELECT 1 AS one) x WHERE "+activeEvidence,
		day(d), branchID, memberID,
		memberID, branchID, day(d), memberID, branchID, from, to, memberID, branchID, from, to)
	if err != nil {
		return fmt.Errorf("remark active day: %w", err)
	}
	return nil
}

// backfillActiveDays fills the kept active days from the events already
// stored: migration 0012's step, run on the migration's connection under
// its lock, and again by whoever loads rows around the writes (the
// generated province). Re-runnable: rows present are skipped. Hours carry
// their day; sign-ups and check-ins are taken a day of the zone at a time,
// so that the day of an instant is the zone's whatever its offset.
func backfillActiveDays(ctx context.Context, x execer, dialect string, zone *time.Location) error {
	// The catch-up starts from the ids there are now: what is written
	// while this runs is its.
	var st activeDaysState
	if err := x.QueryRowContext(ctx, lastEventIDs).
		Scan(&st.Hours, &st.Checkin, &st.Signup); err != nil {
		return fmt.Errorf("backfill active days: %w", err)
	}
	ins := insertIgnore(dialect) + " INTO active_days (day, branch_id, member_id) "
	// Replicas serve while it runs (a zone changed): as the catch-up's.
	lock := shareLock(dialect)
	if _, err := x.ExecContext(ctx, ins+"SELECT DISTINCT served_on, branch_id, member_id FROM hours_reports"+lock); err != nil {
		return fmt.Errorf("backfill active days: %w", err)
	}
	for _, ev := range []struct{ table, at string }{{"checkins", "checked_at"}, {"signups", "created_at"}} {
		first, last, ok, err := span(ctx, x, ev.table, ev.at)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for d := jinqiu.Midnight(first, zone); !d.After(last); d = jinqiu.AddDays(d, 1) {
			_, err := x.ExecContext(ctx, ins+"SELECT DISTINCT ?, a.branch_id, e.member_id FROM "+ev.table+" e JOIN activities a ON a.id = e.activity_id WHERE e."+ev.at+" >= ? AND e."+ev.at+" < ?"+lock,
				day(d), utc(d), utc(jinqiu.AddDays(d, 1)))
			if err != nil {
				return fmt.Errorf("backfill active days: %w", err)
			}
		}
	}
	if _, err := x.ExecContext(ctx, "DELETE FROM active_days_state"); err != nil {
		return fmt.Errorf("backfill active days: %w", err)
	}
	if _, err := x.ExecContext(ctx, "INSERT INTO active_days_state (id, zone, hours_id, checkin_id, signup_id) VALUES (1, ?, ?, ?, ?)",
		zone.String(), st.Hours, st.Checkin, st.Signup); err != nil {
		return fmt.Errorf("backfill active days: %w", err)
	}
	return nil
}

// lastEventIDs reads the last id of each event table, in activeDaysState's
// order: where a backfill or a catch-up reads up to.
const lastEventIDs = "SELECT (SELECT COALESCE(MAX(id), 0) FROM hours_reports), (SELECT COALESCE(MAX(id), 0) FROM checkins), (SELECT COALESCE(MAX(id), 0) FROM signups)"

// activeDaysState is the one row of active_days_state: the zone the kept
// days were taken in, and the last ids the catch-up has read.
type activeDaysState struct {
	Zone    string `db:"zone"`
	Hours   int64  `db:"hours_id"`
	Checkin int64  `db:"checkin_id"`
	Signup  int64  `db:"signup_id"`
}

// ZoneChangedError is Migrate's refusal to start on kept active days
// taken in another zone than the configured one: every day would be taken
// again (minutes for a province, with partial figures meanwhile), which
// only `jinqiu migrate` does (DB.Rezone), not any process that happens to
// start with another timezone.
type ZoneChangedError struct{ Kept, Configured string }

func (e *ZoneChangedError) Error() string {
	return fmt.Sprintf("the kept active days are taken in %s, the configured timezone is %s: configure %s again, or stop the replicas and run `jinqiu migrate` to take them again in %s",
		e.Kept, e.Configured, e.Kept, e.Configured)
}

// rezoneActiveDays takes every kept day again when there is no record of
// their zone (a database of the first build of 0012), and, when rezone is
// set, when the configured zone is not the one they were taken in
// (timezone changed); otherwise a changed zone is a *ZoneChangedError. Run
// by Migrate, under its lock, once 0012 is in.
func rezoneActiveDays(ctx context.Context, x execer, dialect string, zone *time.Location, rezone bool) error {
	var have string
	err := x.QueryRowContext(ctx, "SELECT zone FROM active_days_state WHERE id = 1").Scan(&have)
	if err == nil && have == zone.String() {
		return nil
	}
	if err == nil && !rezone {
		return &ZoneChangedError{Kept: have, Configured: zone.String()}
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("active days zone: %w", err)
	}
	if _, err := x.ExecContext(ctx, "DELETE FROM active_days"); err != nil {
		return fmt.Errorf("active days zone: %w", err)
	}
	return backfillActiveDays(ctx, x, dialect, zone)
}

// catchUpMargin is how far below the last id read the catch-up reads
// again: an id is taken when a row is inserted, before its transaction
// commits, so a row under the last id read can appear after it.
const catchUpMargin = 1000

// CatchUpActiveDays adds the kept days of events written without them:
// by a replica of a version before migration 0012 still running during a
// rolling upgrade, or by anything that writes the tables directly. It
// reads each event table by id from where it last read (less
// catchUpMargin), adds what is missing and returns how many rows it added.
// Rows are only added from events that exist when the statement runs (its
// read of them locks them against a concurrent 撤销, which re-takes the
// day, whatever the session's isolation level), and never removed. Safe on every replica at once.
func (db *DB) CatchUpActiveDays(ctx context.Context) (int, error) {
	var st activeDaysState
	if err := db.x.GetContext(ctx, &st, "SELECT zone, hours_id, checkin_id, signup_id FROM active_days_state WHERE id = 1"); errors.Is(err, sql.ErrNoRows) {
		return 0, nil // Migrate records it
	} else if err != nil {
		return 0, fmt.Errorf("catch up active days: %w", err)
	}
	if st.Zone != db.Zone.String() {
		// Another replica, started since with another timezone, took
		// every day again in its zone: days of this one's would be wrong
		// there. Its own writes are too, until it runs the same zone.
		return 0, fmt.Errorf("catch up active days: the kept days are in %s (a replica started with it), this replica's timezone is %s: configure one timezone everywhere", st.Zone, db.Zone)
	}
	var next activeDaysState
	if err := db.x.QueryRowContext(ctx, lastEventIDs).
		Scan(&next.Hours, &next.Checkin, &next.Signup); err != nil {
		return 0, fmt.Errorf("catch up active days: %w", err)
	}
	ins := insertIgnore(db.dialect) + " INTO active_days (day, branch_id, member_id) "
	// The events read must exist when their rows go in: a 撤销 that
	// deleted one and took its day again must not be undone by a read of
	// the snapshot before it.
	lock := shareLock(db.dialect)
	added := 0
	exec := func(q string, args ...any) error {
		res, err := db.exec(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("catch up active days: %w", err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
		return nil
	}
	if err := exec(ins+"SELECT served_on, branch_id, member_id FROM hours_reports WHERE id > ? AND id <= ?"+lock, st.Hours-catchUpMargin, next.Hours); err != nil {
		return added, err
	}
	for _, ev := range []struct {
		table, at string
		from, to  int64
	}{{"checkins", "checked_at", st.Checkin - catchUpMargin, next.Checkin}, {"signups", "created_at", st.Signup - catchUpMargin, next.Signup}} {
		// The days of the new rows, in the zone; then one statement a day.
		var ats []time.Time
		if err := db.x.SelectContext(ctx, &ats, "SELECT "+ev.at+" FROM "+ev.table+" WHERE id > ? AND id <= ?", ev.from, ev.to); err != nil {
			return added, fmt.Errorf("catch up active days: %w", err)
		}
		days := map[time.Time]bool{}
		for _, at := range ats {
			days[jinqiu.Midnight(at, db.Zone)] = true
		}
		for d := range days {
			if err := exec(ins+"SELECT ?, a.branch_id, e.member_id FROM "+ev.table+" e JOIN activities a ON a.id = e.activity_id WHERE e.id > ? AND e.id <= ? AND e."+ev.at+" >= ? AND e."+ev.at+" < ?"+lock,
				day(d), ev.from, ev.to, utc(d), utc(jinqiu.AddDays(d, 1))); err != nil {
				return added, err
			}
		}
	}
	if _, err := db.exec(ctx, "UPDATE active_days_state SET hours_id = ?, checkin_id = ?, signup_id = ? WHERE id = 1", next.Hours, next.Checkin, next.Signup); err != nil {
		return added, fmt.Errorf("catch up active days: %w", err)
	}
	return added, nil
}

// span is the first and last instant of column at in table (on its time
// index), ok false when the table is empty. Not MIN/MAX: SQLite answers an
// aggregate of a DATETIME as text.
func span(ctx context.Context, x execer, table, at string) (first, last time.Time, ok bool, err error) {
	q := "SELECT " + at + " FROM " + table + " ORDER BY " + at
	if err = x.QueryRowContext(ctx, q+" LIMIT 1").Scan(&first); errors.Is(err, sql.ErrNoRows) {
		return first, last, false, nil
	}
	if err == nil {
		err = x.QueryRowContext(ctx, q+" DESC LIMIT 1").Scan(&last)
	}
	if err != nil {
		return first, last, false, fmt.Errorf("backfill active days: %w", err)
	}
	return first, last, true, nil
}

// BackfillActiveDays is backfillActiveDays on the pool: for rows loaded
// around the writes (generated data sets).
func (db *DB) BackfillActiveDays(ctx context.Context) error {
	return backfillActiveDays(ctx, db.x, db.dialect, db.Zone)
}
