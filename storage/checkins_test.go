package storage_test

import (
	"errors"
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestCheckInCreditsOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", 10*time.Minute, 2)
		m := mustMember(t, db, "u1", "b1")
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
		r, err := db.CheckIn(ctx, actor("u1", "k1"), "b1", a.ID, m.ID, day)
		if err != nil || r.Already || r.WalkIn || r.Credited != 200 {
			t.Fatalf("check-in = %+v, %v; want 200 centihours credited", r, err)
		}
		r, err = db.CheckIn(ctx, actor("u1", "k2"), "b1", a.ID, m.ID, day)
		if err != nil || !r.Already || r.Credited != 0 {
			t.Fatalf("repeat = %+v, %v", r, err)
		}
		var rep jinqiu.HoursReport
		if err := db.X().Get(&rep, "SELECT h.id, h.member_id, '' AS member_name, h.branch_id, h.served_on, h.centihours, h.note, h.state, h.activity_id, h.approver_id, h.decided_at, h.reason, h.created_at, h.msg_id FROM hours_reports h WHERE activity_id = ?", a.ID); err != nil {
			t.Fatal(err)
		}
		if rep.State != jinqiu.HoursApproved || rep.Centihours != 200 || rep.ServedOn.Format(time.DateOnly) != "2026-11-27" || rep.MsgID != "k1" || !rep.ActivityID.Valid {
			t.Errorf("credit = %+v", rep)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM checkins WHERE activity_id = ?", a.ID); n != 1 {
			t.Errorf("checkins = %d, want 1", n)
		}
		if ok, _ := db.CheckedIn(ctx, a.ID, m.ID); !ok {
			t.Error("CheckedIn = false")
		}
		got, _ := db.Activity(ctx, "b1", a.ID)
		if !got.CreditedAt.Valid {
			t.Error("credited_at not set")
		}
		if _, err := db.CheckIn(ctx, actor("u1", "k3"), "b2", a.ID, m.ID, day); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("check in through other branch: %v", err)
		}
	})
}

func TestCheckInWalkInAndWaiting(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", 10*time.Minute, 2)
		m1 := mustMember(t, db, "u1", "b1")
		m2 := mustMember(t, db, "u2", "b1")
		m3 := mustMember(t, db, "u3", "b1")
		m4 := mustMember(t, db, "u4", "b1")
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m1.ID); err != nil {
			t.Fatal(err)
		}
		// u2 did not sign up: a place remains, so they take it.
		r, err := db.CheckIn(ctx, actor("u2", "k2"), "b1", a.ID, m2.ID, t0)
		if err != nil || !r.WalkIn || r.Credited != 200 || r.Activity.Taken != 2 {
			t.Fatalf("walk-in = %+v, %v", r, err)
		}
		if _, err := db.SignUp(ctx, actor("u3", "s3"), "b1", a.ID, m3.ID); err != nil {
			t.Fatal(err)
		}
		r, err = db.CheckIn(ctx, actor("u3", "k3"), "b1", a.ID, m3.ID, t0)
		if !errors.Is(err, storage.ErrOnWaitingList) || r.Position != 1 {
			t.Errorf("waiting check-in = %+v, %v", r, err)
		}
		before := count(t, db, "SELECT COUNT(*) FROM checkins") + count(t, db, "SELECT COUNT(*) FROM signups") + count(t, db, "SELECT COUNT(*) FROM hours_reports")
		if _, err := db.CheckIn(ctx, actor("u4", "k4"), "b1", a.ID, m4.ID, t0); !errors.Is(err, storage.ErrFull) {
			t.Errorf("walk-in when full: %v", err)
		}
		after := count(t, db, "SELECT COUNT(*) FROM checkins") + count(t, db, "SELECT COUNT(*) FROM signups") + count(t, db, "SELECT COUNT(*) FROM hours_reports")
		if before != after {
			t.Errorf("refused walk-in wrote %d rows", after-before)
		}
	})
}
