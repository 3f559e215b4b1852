package storage_test

import (
	"errors"
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestCheckInCreditsWhenEnded: a person signed up checks in from half an
// hour before the start to the end; their hours come once, when the
// activity has ended; a checked-in sign-up cannot be cancelled.
func TestCheckInCreditsWhenEnded(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		now := t0
		db.Now = func() time.Time { return now }
		a := mustActivity(t, db, "b1", 10*time.Minute, 2) // 02:10–04:10 UTC
		m := mustMember(t, db, "u1", "b1")
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
		r, err := db.CheckIn(ctx, actor("u1", "k1"), "b1", a.ID, m.ID, day)
		if err != nil || r.Already || r.WalkIn {
			t.Fatalf("check-in = %+v, %v", r, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM hours_reports WHERE activity_id = ?", a.ID); n != 0 {
			t.Errorf("hours credited at check-in, before the activity ended")
		}
		if r, err = db.CheckIn(ctx, actor("u1", "k2"), "b1", a.ID, m.ID, day); err != nil || !r.Already {
			t.Fatalf("repeat = %+v, %v", r, err)
		}
		if _, err := db.CancelSignup(ctx, actor("u1", "c1"), "b1", a.ID, m.ID); !errors.Is(err, storage.ErrCheckedIn) {
			t.Errorf("cancel after check-in: %v, want ErrCheckedIn", err)
		}
		if got, err := db.CreditEnded(ctx, now, time.UTC, 10); err != nil || len(got) != 0 {
			t.Errorf("credited before the end: %+v %v", got, err)
		}
		now = a.EndsAt.Add(time.Minute)
		got, err := db.CreditEnded(ctx, now, time.UTC, 10)
		if err != nil || len(got) != 1 || got[0].Member.ID != m.ID || got[0].Centihours != 200 {
			t.Fatalf("credit after the end = %+v, %v", got, err)
		}
		if again, err := db.CreditEnded(ctx, now, time.UTC, 10); err != nil || len(again) != 0 {
			t.Errorf("credited twice: %+v %v", again, err)
		}
		var rep jinqiu.HoursReport
		if err := db.X().Get(&rep, "SELECT h.id, h.member_id, '' AS member_name, h.branch_id, h.served_on, h.centihours, h.note, h.state, h.activity_id, h.approver_id, h.decided_at, h.reason, h.created_at, h.msg_id FROM hours_reports h WHERE activity_id = ?", a.ID); err != nil {
			t.Fatal(err)
		}
		if rep.State != jinqiu.HoursApproved || rep.Centihours != 200 || rep.ServedOn.Format(time.DateOnly) != "2026-11-27" || !rep.ActivityID.Valid {
			t.Errorf("credit = %+v", rep)
		}
		if got, _ := db.Activity(ctx, "b1", a.ID); !got.CreditedAt.Valid {
			t.Error("credited_at not set")
		}
		if _, err := db.CheckIn(ctx, actor("u1", "k3"), "b2", a.ID, m.ID, day); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("check in through other branch: %v", err)
		}
	})
}

// TestCheckInWalkInAndWaiting: without a sign-up, check-in opens at the
// start and takes a place left, and the hours wait for a secretary; the
// waiting list and a full activity refuse; after the end nobody checks in.
func TestCheckInWalkInAndWaiting(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		now := t0
		db.Now = func() time.Time { return now }
		a := mustActivity(t, db, "b1", 10*time.Minute, 2)
		m1 := mustMember(t, db, "u1", "b1")
		m2 := mustMember(t, db, "u2", "b1")
		m3 := mustMember(t, db, "u3", "b1")
		m4 := mustMember(t, db, "u4", "b1")
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m1.ID); err != nil {
			t.Fatal(err)
		}
		rows := func() int {
			return count(t, db, "SELECT COUNT(*) FROM checkins") + count(t, db, "SELECT COUNT(*) FROM signups") + count(t, db, "SELECT COUNT(*) FROM hours_reports")
		}
		before := rows()
		if _, err := db.CheckIn(ctx, actor("u2", "k2"), "b1", a.ID, m2.ID, t0); !errors.Is(err, storage.ErrNotRunning) {
			t.Errorf("walk-in before the start: %v, want ErrNotRunning", err)
		}
		if rows() != before {
			t.Errorf("a refused walk-in wrote rows")
		}
		now = a.StartsAt.Add(5 * time.Minute)
		r, err := db.CheckIn(ctx, actor("u2", "k2"), "b1", a.ID, m2.ID, t0)
		if err != nil || !r.WalkIn || r.Activity.Taken != 2 || r.Report.State != jinqiu.HoursPending || r.Report.Centihours != 200 || r.Report.MemberID != m2.ID {
			t.Fatalf("walk-in = %+v, %v", r, err)
		}
		if _, err := db.SignUp(ctx, actor("u3", "s3"), "b1", a.ID, m3.ID); err != nil {
			t.Fatal(err)
		}
		r, err = db.CheckIn(ctx, actor("u3", "k3"), "b1", a.ID, m3.ID, t0)
		if !errors.Is(err, storage.ErrOnWaitingList) || r.Position != 1 {
			t.Errorf("waiting check-in = %+v, %v", r, err)
		}
		before = rows()
		if _, err := db.CheckIn(ctx, actor("u4", "k4"), "b1", a.ID, m4.ID, t0); !errors.Is(err, storage.ErrFull) {
			t.Errorf("walk-in when full: %v", err)
		}
		if rows() != before {
			t.Errorf("refused walk-in wrote %d rows", rows()-before)
		}
		now = a.EndsAt.Add(time.Second)
		if _, err := db.CheckIn(ctx, actor("u1", "k1"), "b1", a.ID, m1.ID, t0); !errors.Is(err, storage.ErrNotRunning) {
			t.Errorf("check-in after the end: %v, want ErrNotRunning", err)
		}
		// The walk-in's hours stay pending: only a secretary approves them.
		if got, err := db.CreditEnded(ctx, now, time.UTC, 10); err != nil || len(got) != 0 {
			t.Errorf("credited = %+v %v, want nobody (u1 did not check in, u2 walked in)", got, err)
		}
		var state string
		db.X().Get(&state, "SELECT state FROM hours_reports WHERE activity_id = ? AND member_id = ?", a.ID, m2.ID)
		if state != jinqiu.HoursPending {
			t.Errorf("walk-in's hours = %s, want pending", state)
		}
	})
}
