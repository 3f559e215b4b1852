package storage_test

import (
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestDigestStatsWeekBoundaries: the week is [Monday 00:00, next Monday
// 00:00) in Shanghai. Instants are stored in UTC, so Sunday 23:59:59 there
// is Sunday 15:59:59 UTC, and must count; DATE columns compare as days.
func TestDigestStatsWeekBoundaries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		from, to := at(11, 23, 0, 0, 0), at(11, 30, 0, 0, 0)
		old := u(at(6, 1, 0, 0, 0))
		member := func(uid, branch string, registered time.Time) int64 {
			return mustExec(t, db, "INSERT INTO members (platform, user_id, display_name, branch_id, registered_at, created_at) VALUES ('wecom', ?, ?, ?, ?, ?)",
				uid, "名"+uid, branch, u(registered), old)
		}
		act := func(branch string, starts time.Time) int64 {
			return mustExec(t, db, `INSERT INTO activities (branch_id, title, starts_at, ends_at, state, created_by, created_at) VALUES (?, 't', ?, ?, 'open', 0, ?)`,
				branch, u(starts), u(starts.Add(time.Hour)), old)
		}
		checkin := func(a, m int64, when time.Time) {
			mustExec(t, db, "INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (?, ?, ?)", a, m, u(when))
		}
		hours := func(m int64, branch, on string, c int, state string) {
			mustExec(t, db, "INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				m, branch, on, c, state, old)
		}
		m1 := member("1", "b1", at(6, 1, 0, 0, 0))
		m2 := member("2", "b1", at(6, 1, 0, 0, 0))
		m3 := member("3", "b2", at(6, 1, 0, 0, 0))
		m4 := member("4", "b2", at(12, 5, 0, 0, 0)) // registered later: never inactive below
		in := act("b1", at(11, 29, 23, 59, 59))     // Sunday night: in
		out := act("b1", at(11, 30, 0, 0, 0))       // Monday 00:00: out
		act("b2", at(11, 23, 0, 0, 0))              // Monday 00:00: in
		checkin(in, m1, at(11, 29, 23, 59, 59))
		checkin(out, m2, at(11, 30, 0, 0, 1))
		hours(m3, "b2", "2026-11-29", 150, "approved")
		hours(m3, "b2", "2026-11-22", 999, "approved") // the Sunday before
		hours(m1, "b1", "2026-11-23", 50, "approved")
		hours(m2, "b1", "2026-11-24", 70, "rejected")
		mustExec(t, db, "INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at) VALUES ('b1', 'committee', '2026-11-30', 0, ?)", old)
		mustExec(t, db, "INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at) VALUES ('b2', 'committee', '2026-11-01', 0, ?)", old)
		mustExec(t, db, "INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at) VALUES ('b2', 'lecture', '2026-11-02', 0, ?)", old)

		// The rows went in around the writes: their active days are taken
		// the way migration 0012 takes those of an older database.
		if err := db.BackfillActiveDays(ctx); err != nil {
			t.Fatal(err)
		}
		since := to.AddDate(0, 0, -60)
		st, err := db.DigestStats(ctx, storage.DigestRange{
			From: from, To: to, FromDay: from, ToDay: to, InactiveSince: since, InactiveSinceDay: since,
			Top: 5, Meetings: []storage.MeetingSpan{{Kind: "committee", FromDay: at(11, 1, 0, 0, 0), ToDay: to}},
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]storage.BranchActivity{}
		for _, b := range st.Branches {
			got[b.ID] = b
		}
		b1, b2 := got["b1"], got["b2"]
		if b1.Activities != 1 || b2.Activities != 1 {
			t.Errorf("activities: b1 %d, b2 %d; want 1 and 1", b1.Activities, b2.Activities)
		}
		if b1.ActiveMembers != 2 || b2.ActiveMembers != 1 {
			// b1: m1 checked in Sunday night and reported Monday's hours; m2's
			// rejected report still shows activity. m2's check-in is next week.
			t.Errorf("active: b1 %d, b2 %d; want 2 and 1", b1.ActiveMembers, b2.ActiveMembers)
		}
		if b1.Centihours != 50 || b2.Centihours != 150 {
			t.Errorf("hours: b1 %d, b2 %d", b1.Centihours, b2.Centihours)
		}
		if b1.Members != 2 || b2.Members != 2 || b1.Inactive != 0 || b2.Inactive != 0 {
			t.Errorf("members %d/%d inactive %d/%d", b1.Members, b2.Members, b1.Inactive, b2.Inactive)
		}
		if len(st.Top) != 2 || st.Top[0].MemberID != m3 || st.Top[0].Centihours != 150 || st.Top[0].BranchID != "b2" || st.Top[0].DisplayName != "名3" {
			t.Errorf("top = %+v", st.Top)
		}
		if len(st.Held) != 1 || !st.Held[0]["b2"] || st.Held[0]["b1"] {
			t.Errorf("held = %v (b1's is on the 30th, outside)", st.Held)
		}

		// One branch, with names, two months on: m3 has done nothing since
		// 11-29; m4 registered under 60 days before.
		later := to.AddDate(0, 0, 61)
		since = later.AddDate(0, 0, -60)
		st, err = db.DigestStats(ctx, storage.DigestRange{
			From: to, To: later, FromDay: to, ToDay: later, InactiveSince: since, InactiveSinceDay: since, BranchID: "b2", Names: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Branches) != 1 || st.Branches[0].Inactive != 1 || len(st.Inactive) != 1 || st.Inactive[0].ID != m3 || st.Inactive[0].DisplayName != "名3" {
			t.Errorf("b2 later = %+v, inactive %+v", st.Branches, st.Inactive)
		}
		if st.Branches[0].Members != 2 || m4 == m3 {
			t.Errorf("b2 members = %d", st.Branches[0].Members)
		}
		if _, err := db.DigestStats(ctx, storage.DigestRange{From: from, To: to, FromDay: from, ToDay: to, BranchID: "nope"}); err != storage.ErrNotFound {
			t.Errorf("unknown branch: %v", err)
		}
	})
}
