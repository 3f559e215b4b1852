package storage_test

import (
	"errors"
	"fmt"
	"jinqiu"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestActiveDaysKeptAsTheEvents drives sign-ups, cancellations, check-ins
// (walk-ins too), hours reports, credits and 撤销 through the storage's own
// writes on a clock that crosses Shanghai's midnight, and after every step
// checks the kept active days against the events themselves (each day of
// an instant taken in Shanghai, in Go); at the end, against the rows the
// migration's backfill takes from nothing, and the digest's active and
// inactive counts against the ones the events give.
func TestActiveDaysKeptAsTheEvents(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 11, 20, 15, 40, 0, 0, time.UTC) // 23:40 in Shanghai
		db.Now = func() time.Time { return now }
		var members []jinqiu.Member
		for i := range 6 {
			branch := []string{"b1", "b2"}[i%2]
			r, err := db.Register(ctx, actor(fmt.Sprintf("u%d", i), fmt.Sprintf("reg%d", i)), fmt.Sprintf("名%d", i), branch, now)
			if err != nil {
				t.Fatal(err)
			}
			members = append(members, r.Member)
		}
		var acts []jinqiu.Activity
		for i := range 16 {
			branch := []string{"b1", "b2"}[i%2]
			start := now.Add(time.Duration(i*4) * time.Hour).Add(20 * time.Minute)
			a, err := db.PublishActivity(ctx, actor("sec1", fmt.Sprintf("pub%d", i)), "书记", storage.NewActivity{
				BranchID: branch, Title: fmt.Sprintf("活动%d", i), Place: "社区", StartsAt: start, EndsAt: start.Add(90 * time.Minute), Capacity: 3,
			})
			if err != nil {
				t.Fatal(err)
			}
			acts = append(acts, a)
		}
		rnd := rand.New(rand.NewPCG(12, 2026))
		msg, undoneCheckins := 0, 0
		for step := range 400 {
			now = now.Add(time.Duration(rnd.IntN(20)) * time.Minute)
			m := members[rnd.IntN(len(members))]
			a := acts[rnd.IntN(len(acts))]
			msg++
			who := actor(m.UserID, fmt.Sprintf("m%d", msg))
			var op string
			switch k := rnd.IntN(10); {
			case k < 3:
				op = "signup"
				db.SignUp(ctx, who, a.BranchID, a.ID, m.ID)
			case k < 4:
				op = "cancel"
				db.CancelSignup(ctx, who, a.BranchID, a.ID, m.ID)
			case k < 6:
				op = "checkin"
				for _, b := range acts { // the one running, if any
					if !now.Before(b.StartsAt.Add(-30*time.Minute)) && now.Before(b.EndsAt) {
						a = b
					}
				}
				r, err := db.CheckIn(ctx, who, a.BranchID, a.ID, m.ID, jinqiu.Midnight(now, sh))
				if err == nil && !r.Already && rnd.IntN(3) == 0 {
					now = now.Add(time.Minute)
					if u, err := db.Undo(ctx, actor(m.UserID, ""), now.Add(-10*time.Minute)); err == nil && u.Action == "checkin" {
						undoneCheckins++
					}
				}
			case k < 8:
				op = "hours"
				on := jinqiu.AddDays(jinqiu.Midnight(now, sh), -rnd.IntN(3))
				db.ReportHours(ctx, who, storage.NewReport{MemberID: m.ID, BranchID: m.BranchID, ServedOn: on, Centihours: 50, Note: "帮忙"}, 2400)
			case k < 9:
				op = "undo"
				// The member's own latest change; a check-in's undo is
				// the one write that removes an event.
				for _, u := range members {
					if got, err := db.Undo(ctx, actor(u.UserID, ""), now.Add(-10*time.Minute)); err == nil && got.Action == "checkin" {
						undoneCheckins++
					}
				}
			default:
				op = "credit"
				db.CreditEnded(ctx, now, sh, 50)
			}
			if step%40 == 0 { // the catch-up finds nothing the writes left out
				if n, err := db.CatchUpActiveDays(ctx); err != nil || n != 0 {
					t.Fatalf("step %d: catch-up added %d, %v; the writes keep their days", step, n, err)
				}
			}
			if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) {
				t.Fatalf("step %d (%s at %s): kept active days\n%v\nwant (from the events)\n%v", step, op, now.In(sh), got, want)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM checkins"); n == 0 || undoneCheckins == 0 {
			t.Fatalf("%d check-ins kept, %d undone: the walk did not exercise the writes", n, undoneCheckins)
		}
		t.Logf("%d check-ins kept, %d undone, %d hours reports, %d sign-ups", count(t, db, "SELECT COUNT(*) FROM checkins"), undoneCheckins,
			count(t, db, "SELECT COUNT(*) FROM hours_reports"), count(t, db, "SELECT COUNT(*) FROM signups"))
		kept := keptDays(t, db)
		db.X().MustExec("DELETE FROM active_days")
		if err := db.BackfillActiveDays(ctx); err != nil {
			t.Fatal(err)
		}
		if got := keptDays(t, db); !slices.Equal(got, kept) {
			t.Fatalf("backfilled\n%v\nkept\n%v", got, kept)
		}

		// The digest's week, and a long span (counted on the other index):
		// active per branch and inactive from the events.
		week := time.Date(2026, 11, 23, 0, 0, 0, 0, sh)
		for _, span := range [][2]time.Time{{week, jinqiu.AddDays(week, 7)}, {jinqiu.AddDays(week, -100), jinqiu.AddDays(week, 7)}} {
			digestMatchesEvents(t, db, sh, members, span[0], span[1])
		}
	})
}

func digestMatchesEvents(t *testing.T, db *storage.DB, sh *time.Location, members []jinqiu.Member, from, to time.Time) {
	t.Helper()
	since := jinqiu.AddDays(to, -5)
	st, err := db.DigestStats(ctx, storage.DigestRange{From: from, To: to, FromDay: from, ToDay: to, InactiveSince: since, InactiveSinceDay: since})
	if err != nil {
		t.Fatal(err)
	}
	active, window := map[string]map[int64]bool{}, map[int64]bool{}
	for _, d := range eventDays(t, db, sh) {
		if d.day >= day(from) && d.day < day(to) {
			if active[d.branch] == nil {
				active[d.branch] = map[int64]bool{}
			}
			active[d.branch][d.member] = true
		}
		if d.day >= day(since) && d.day < day(to) {
			window[d.member] = true
		}
	}
	for _, b := range st.Branches {
		inactive := 0
		for _, m := range members {
			if m.BranchID == b.ID && !window[m.ID] {
				inactive++
			}
		}
		if b.ActiveMembers != len(active[b.ID]) || b.Inactive != inactive {
			t.Errorf("%s: active %d inactive %d; the events give %d and %d", b.ID, b.ActiveMembers, b.Inactive, len(active[b.ID]), inactive)
		}
	}
	if len(active) == 0 {
		t.Error("nobody active in the span: the walk missed it")
	}
}

type activeDay struct {
	day    string
	branch string
	member int64
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func sortDays(ds []activeDay) []activeDay {
	slices.SortFunc(ds, func(a, b activeDay) int {
		return cmpOr(a.day, b.day, a.branch, b.branch, fmt.Sprint(a.member), fmt.Sprint(b.member))
	})
	return slices.Compact(ds)
}

func cmpOr(pairs ...string) int {
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] != pairs[i+1] {
			if pairs[i] < pairs[i+1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func keptDays(t *testing.T, db *storage.DB) []activeDay {
	t.Helper()
	var rows []struct {
		Day    time.Time `db:"day"`
		Branch string    `db:"branch_id"`
		Member int64     `db:"member_id"`
	}
	if err := db.X().Select(&rows, "SELECT day, branch_id, member_id FROM active_days"); err != nil {
		t.Fatal(err)
	}
	var out []activeDay
	for _, r := range rows {
		out = append(out, activeDay{day(r.Day), r.Branch, r.Member})
	}
	return sortDays(out)
}

// eventDays are the active days the events give, each instant's day taken
// in zone here rather than in SQL.
func eventDays(t *testing.T, db *storage.DB, zone *time.Location) []activeDay {
	t.Helper()
	var out []activeDay
	var hours []struct {
		Day    time.Time `db:"served_on"`
		Branch string    `db:"branch_id"`
		Member int64     `db:"member_id"`
	}
	if err := db.X().Select(&hours, "SELECT served_on, branch_id, member_id FROM hours_reports"); err != nil {
		t.Fatal(err)
	}
	for _, h := range hours {
		out = append(out, activeDay{day(h.Day), h.Branch, h.Member})
	}
	for _, q := range []string{
		"SELECT c.checked_at AS at, a.branch_id, c.member_id FROM checkins c JOIN activities a ON a.id = c.activity_id",
		"SELECT s.created_at AS at, a.branch_id, s.member_id FROM signups s JOIN activities a ON a.id = s.activity_id",
	} {
		var evs []struct {
			At     time.Time `db:"at"`
			Branch string    `db:"branch_id"`
			Member int64     `db:"member_id"`
		}
		if err := db.X().Select(&evs, q); err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			out = append(out, activeDay{day(e.At.In(zone)), e.Branch, e.Member})
		}
	}
	return sortDays(out)
}

// TestActiveDaysCaughtUp: events written without their days (a replica of
// a version before migration 0012, during a rolling upgrade) get them from
// the catch-up, each instant's day in the zone, once.
func TestActiveDaysCaughtUp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		m := mustMember(t, db, "u1", "b1")
		a := mustActivity(t, db, "b1", time.Hour, 5)
		if n, err := db.CatchUpActiveDays(ctx); err != nil || n != 0 {
			t.Fatalf("nothing to catch up: %d, %v", n, err)
		}
		// As the older binary wrote them: no active day. 23:59:59 and
		// 00:00:01 in Shanghai, and hours of the day before.
		mustExec(t, db, "INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (?, ?, 'confirmed', 1, ?, ?)",
			a.ID, m.ID, u(at(11, 26, 23, 59, 59)), u(at(11, 26, 23, 59, 59)))
		mustExec(t, db, "INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (?, ?, ?)", a.ID, m.ID, u(at(11, 27, 0, 0, 1)))
		mustExec(t, db, "INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, state, created_at) VALUES (?, 'b1', '2026-11-20', 100, 'pending', ?)", m.ID, u(t0))
		if slices.Equal(keptDays(t, db), eventDays(t, db, sh)) {
			t.Fatal("the rows written around the storage already have their days: nothing is tested")
		}
		n, err := db.CatchUpActiveDays(ctx)
		if err != nil || n != 3 {
			t.Fatalf("catch-up added %d, %v; want 3 days (26th, 27th, 20th)", n, err)
		}
		if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) {
			t.Fatalf("caught up\n%v\nwant\n%v", got, want)
		}
		if n, err := db.CatchUpActiveDays(ctx); err != nil || n != 0 {
			t.Errorf("a second catch-up added %d, %v", n, err)
		}
	})
}

// TestActiveDaysRezoned: when the configured zone changes, a start
// refuses, saying what to do, and changes nothing; `jinqiu migrate`
// (Rezone) takes every kept day again in the new one.
func TestActiveDaysRezoned(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		db.Zone = time.UTC
		var zc *storage.ZoneChangedError
		if err := db.Migrate(ctx); !errors.As(err, &zc) || zc.Kept != "Asia/Shanghai" || zc.Configured != "UTC" || !strings.Contains(err.Error(), "jinqiu migrate") {
			t.Fatalf("a start in another zone: %v, want a *ZoneChangedError that says to run jinqiu migrate", err)
		}
		db.Rezone = true
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Rezone = false
		m := mustMember(t, db, "u1", "b1")
		a := mustActivity(t, db, "b1", 0, 5)
		now := time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC) // the 26th in UTC, the 27th in Shanghai
		db.Now = func() time.Time { return now }
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := keptDays(t, db), eventDays(t, db, time.UTC); !slices.Equal(got, want) || slices.Equal(want, eventDays(t, db, sh)) {
			t.Fatalf("in UTC: kept %v, want %v (and unlike Shanghai's)", got, want)
		}
		db.Zone = sh
		if err := db.Migrate(ctx); !errors.As(err, &zc) {
			t.Fatalf("a start back in Shanghai: %v, want a *ZoneChangedError", err)
		}
		if got, want := keptDays(t, db), eventDays(t, db, time.UTC); !slices.Equal(got, want) {
			t.Fatalf("a refused start changed the kept days: %v, want %v", got, want)
		}
		db.Rezone = true
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) {
			t.Fatalf("after the zone changed: kept %v, want %v", got, want)
		}
	})
}

// TestActiveDaysStateMissing: a database migrated by the first build of
// 0012, which had no active_days_state (jinqiu_province_small on this
// project's machine is one), and events written since without their days
// (by that build's replicas, still running): the next start migrates, the
// days are the events' and the catch-up reads from there.
func TestActiveDaysStateMissing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		m := mustMember(t, db, "u1", "b1")
		a := mustActivity(t, db, "b1", time.Hour, 5)
		mustExec(t, db, "DROP TABLE active_days_state")
		mustExec(t, db, "INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (?, ?, ?)", a.ID, m.ID, u(at(11, 27, 0, 0, 1)))
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("start on a database of the first 0012: %v", err)
		}
		if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("kept %v, want %v", got, want)
		}
		if n, err := db.CatchUpActiveDays(ctx); err != nil || n != 0 {
			t.Errorf("catch-up after the start: %d, %v", n, err)
		}
	})
}

// TestActiveDaysCatchUpOtherZone: a replica still running with a timezone
// other than the one the kept days were last taken in (another started
// since with the new one) adds no day in its own zone, and says why.
func TestActiveDaysCatchUpOtherZone(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		m := mustMember(t, db, "u1", "b1")
		a := mustActivity(t, db, "b1", time.Hour, 5)
		mustExec(t, db, "INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (?, ?, ?)", a.ID, m.ID, u(at(11, 27, 0, 0, 1)))
		db.Zone = time.UTC
		n, err := db.CatchUpActiveDays(ctx)
		if err == nil || !strings.Contains(err.Error(), "Asia/Shanghai") || n != 0 {
			t.Fatalf("catch-up in UTC over days kept in Shanghai: %d, %v", n, err)
		}
		if got := keptDays(t, db); len(got) != 0 {
			t.Errorf("days added in the other zone: %v", got)
		}
	})
}
