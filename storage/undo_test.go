package storage_test

import (
	"errors"
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestUndoEachKind: 撤销 takes back the sender's own latest change of the
// window, each kind as COMMANDS.md says, once, and then the one before.
func TestUndoEachKind(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		now := t0
		db.Now = func() time.Time { return now }
		tick := func() { now = now.Add(time.Second) }
		since := func() time.Time { return now.Add(-jinqiu.UndoWindow) }
		undo := func(who string) (storage.Undone, error) {
			tick()
			return db.Undo(ctx, actor(who, "undo"), since())
		}
		a := mustActivity(t, db, "b1", time.Hour, 1)
		m1 := mustMember(t, db, "u1", "b1")
		m2 := mustMember(t, db, "u2", "b1")

		// A sign-up, undone: its confirmed place goes to the one waiting.
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m1.ID); err != nil {
			t.Fatal(err)
		}
		tick()
		if _, err := db.SignUp(ctx, actor("u2", "s2"), "b1", a.ID, m2.ID); err != nil {
			t.Fatal(err)
		}
		u, err := undo("u1")
		if err != nil || u.Action != "signup" || u.Promoted == nil || u.Promoted.ID != m2.ID {
			t.Fatalf("undo sign-up = %+v, %v", u, err)
		}
		// The cancellation the undo made is no change of u1's to undo.
		if _, err := undo("u1"); !errors.Is(err, storage.ErrNothingToUndo) {
			t.Errorf("second undo: %v, want nothing", err)
		}

		// u2 cancels and undoes it: back on the list, waiting if full.
		tick()
		if _, err := db.SignUp(ctx, actor("u1", "s3"), "b1", a.ID, m1.ID); err != nil { // waits
			t.Fatal(err)
		}
		tick()
		if _, err := db.CancelSignup(ctx, actor("u2", "c2"), "b1", a.ID, m2.ID); err != nil { // u1 promoted
			t.Fatal(err)
		}
		if u, err = undo("u2"); err != nil || u.Action != "cancel_signup" || u.State != jinqiu.SignupWaiting {
			t.Fatalf("undo cancel = %+v, %v; want waiting (u1 has the place)", u, err)
		}

		// An hours report: withdrawn while pending; too late once decided.
		tick()
		r, err := db.ReportHours(ctx, actor("u1", "h1"), storage.NewReport{MemberID: m1.ID, BranchID: "b1", ServedOn: date(2026, 11, 27), Centihours: 200}, 1200)
		if err != nil {
			t.Fatal(err)
		}
		if u, err = undo("u1"); err != nil || u.Action != "report_hours" || u.Report.ID != r.ID || u.Report.State != jinqiu.HoursVoid {
			t.Fatalf("undo report = %+v, %v", u, err)
		}
		tick()
		r2, _ := db.ReportHours(ctx, actor("u1", "h2"), storage.NewReport{MemberID: m1.ID, BranchID: "b1", ServedOn: date(2026, 11, 27), Centihours: 100}, 1200)
		tick()
		if _, _, err := db.DecideHours(ctx, actor("sec1", "d1"), "书记", "b1", r2.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err = undo("u1"); !errors.Is(err, storage.ErrUndoTooLate) {
			t.Errorf("undo a decided report: %v, want too late", err)
		}
		// The secretary's approval, undone: pending again.
		if u, err = undo("sec1"); err != nil || u.Action != "approve_hours" || u.Report.State != jinqiu.HoursPending {
			t.Fatalf("undo approval = %+v, %v", u, err)
		}
		var st string
		db.X().Get(&st, "SELECT state FROM hours_reports WHERE id = ?", r2.ID)
		if st != jinqiu.HoursPending {
			t.Errorf("report after undoing its approval: %s", st)
		}

		// A meeting record, removed.
		tick()
		mt, _, err := db.RecordMeeting(ctx, actor("sec1", "m1"), "书记", storage.NewMeeting{BranchID: "b1", Kind: jinqiu.Committee, HeldOn: date(2026, 11, 26)})
		if err != nil {
			t.Fatal(err)
		}
		if u, err = undo("sec1"); err != nil || u.Action != "record_meeting" || u.Meeting.ID != mt.ID {
			t.Fatalf("undo meeting = %+v, %v", u, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM meetings WHERE id = ?", mt.ID); n != 0 {
			t.Errorf("meeting still there")
		}

		// A published activity: cancelled while nobody signed up.
		tick()
		b := mustActivity(t, db, "b1", 2*time.Hour, 5)
		if u, err = undo("sec1"); err != nil || u.Action != "publish_activity" || u.Activity.ID != b.ID || u.Activity.State != jinqiu.ActivityCancelled {
			t.Fatalf("undo publish = %+v, %v", u, err)
		}

		// A walk-in check-in: removed with its pending hours and its place.
		now = a.StartsAt.Add(10 * time.Minute)
		c := mustActivity(t, db, "b1", 9*time.Minute, 3) // running at now
		m3 := mustMember(t, db, "u3", "b1")
		tick()
		ck, err := db.CheckIn(ctx, actor("u3", "k3"), "b1", c.ID, m3.ID, date(2026, 11, 27))
		if err != nil || !ck.WalkIn {
			t.Fatalf("walk-in: %+v %v", ck, err)
		}
		if u, err = undo("u3"); err != nil || u.Action != "checkin" {
			t.Fatalf("undo check-in = %+v, %v", u, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM checkins WHERE activity_id = ?", c.ID); n != 0 {
			t.Errorf("check-in still there")
		}
		db.X().Get(&st, "SELECT state FROM hours_reports WHERE id = ?", ck.Report.ID)
		if st != jinqiu.HoursVoid {
			t.Errorf("walk-in's hours after undo: %s, want void", st)
		}
		if got, _ := db.Activity(ctx, "b1", c.ID); got.Taken != 0 {
			t.Errorf("walk-in's place still taken: %d", got.Taken)
		}

		// Outside the window there is nothing.
		now = now.Add(jinqiu.UndoWindow + time.Minute)
		if _, err := undo("sec1"); !errors.Is(err, storage.ErrNothingToUndo) {
			t.Errorf("undo after the window: %v", err)
		}
	})
}
