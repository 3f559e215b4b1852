package storage_test

import (
	"errors"
	"fmt"
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// t0 is the fixed clock of the activity tests: 2026-11-27 10:00 in
// Shanghai.
var t0 = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

func actor(user, msg string) jinqiu.Actor {
	return jinqiu.Actor{Platform: "wecom", UserID: user, MsgID: msg}
}

// mustMember registers user in branch and returns the member.
func mustMember(t *testing.T, db *storage.DB, user, branch string) jinqiu.Member {
	t.Helper()
	r, err := db.Register(ctx, actor(user, "reg-"+user), "名"+user, branch, t0)
	if err != nil {
		t.Fatalf("register %s: %v", user, err)
	}
	return r.Member
}

// mustActivity publishes an activity starting in from t0, lasting 2 h.
func mustActivity(t *testing.T, db *storage.DB, branch string, in time.Duration, capacity int) jinqiu.Activity {
	t.Helper()
	start := t0.Add(in)
	a, err := db.PublishActivity(ctx, actor("sec1", fmt.Sprintf("pub-%s-%d", branch, in)), "书记", storage.NewActivity{
		BranchID: branch, Title: "清理楼道 🧹", Place: "枣行社区", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: capacity,
	})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return a
}

func fixedClock(db *storage.DB) { db.Now = func() time.Time { return t0 } }

// mustCredited signs the member up for the activity, checks them in and
// credits the activity as if it had ended; the clock is t0 again after.
func mustCredited(t *testing.T, db *storage.DB, a jinqiu.Activity, m jinqiu.Member) {
	t.Helper()
	if _, err := db.SignUp(ctx, actor(m.UserID, "s-credit"), a.BranchID, a.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckIn(ctx, actor(m.UserID, "k-credit"), a.BranchID, a.ID, m.ID, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	end := a.EndsAt.Add(time.Minute)
	db.Now = func() time.Time { return end }
	defer fixedClock(db)
	if got, err := db.CreditEnded(ctx, end, time.UTC, 10); err != nil || len(got) == 0 {
		t.Fatalf("credit: %+v %v", got, err)
	}
}

func count(t *testing.T, db *storage.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X().Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestPublishAndScopedRead(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		deadline := t0.Add(20 * time.Hour)
		a, err := db.PublishActivity(ctx, actor("sec1", "m1"), "书记", storage.NewActivity{
			BranchID: "b1", Title: "金秋讲堂", Place: "老年大学", StartsAt: t0.Add(24 * time.Hour),
			EndsAt: t0.Add(26 * time.Hour), Deadline: deadline, Capacity: 20,
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Activity(ctx, "b1", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, off := got.StartsAt.Zone(); !got.StartsAt.Equal(t0.Add(24*time.Hour)) || !got.EndsAt.Equal(t0.Add(26*time.Hour)) || off != 0 {
			t.Errorf("times = %v – %v, want %v UTC", got.StartsAt, got.EndsAt, t0.Add(24*time.Hour))
		}
		if !got.SignupDeadline.Valid || !got.SignupDeadline.Time.Equal(deadline) || !got.SignupClosesAt().Equal(deadline) {
			t.Errorf("deadline = %+v", got.SignupDeadline)
		}
		if got.Capacity != 20 || got.Taken != 0 || got.State != jinqiu.ActivityOpen || got.Centihours() != 200 || got.CreatedBy == 0 {
			t.Errorf("activity = %+v", got)
		}
		if _, err := db.Activity(ctx, "b2", a.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("other branch read: %v, want ErrNotFound", err)
		}
		if _, err := db.Activity(ctx, "b1", a.ID+1000); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("missing id: %v, want ErrNotFound", err)
		}
		if any, err := db.ActivityAnyBranch(ctx, a.ID); err != nil || any.BranchID != "b1" {
			t.Errorf("any branch = %+v, %v", any, err)
		}
		if _, err := db.PublishActivity(ctx, actor("sec1", "m2"), "", storage.NewActivity{BranchID: "nope", Title: "x", StartsAt: t0, EndsAt: t0}); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("publish to missing branch: %v", err)
		}
		au, _ := db.Audit(ctx, a.Object())
		if len(au) != 1 || au[0].Action != "publish_activity" || au[0].MsgID != "m1" || au[0].Actor != "wecom:sec1" {
			t.Errorf("audit = %+v", au)
		}
	})
}

func TestBranchActivitiesAndBetween(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		late := mustActivity(t, db, "b1", 48*time.Hour, 5)
		soon := mustActivity(t, db, "b1", time.Hour, 5)
		ended := mustActivity(t, db, "b1", -3*time.Hour, 5)
		running := mustActivity(t, db, "b1", -time.Hour, 5)
		other := mustActivity(t, db, "b2", time.Hour, 5)
		gone := mustActivity(t, db, "b1", 2*time.Hour, 5)
		if _, _, err := db.CancelActivity(ctx, actor("sec1", "c"), "b1", gone.ID); err != nil {
			t.Fatal(err)
		}
		acts, err := db.BranchActivities(ctx, "b1", t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, a := range acts {
			ids = append(ids, a.ID)
		}
		if want := []int64{running.ID, soon.ID, late.ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("upcoming = %v, want %v (not ended, not cancelled, not other branch %d, not ended %d)", ids, want, other.ID, ended.ID)
		}
		between, err := db.ActivitiesBetween(ctx, "b1", t0.Add(-30*time.Minute), t0.Add(30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(between) != 1 || between[0].ID != running.ID {
			t.Errorf("between = %+v, want only %d", between, running.ID)
		}
	})
}

func TestCancelActivityTellsSigneesAndVoidsCredit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", 20*time.Minute, 1)
		m1 := mustMember(t, db, "u1", "b1")
		m2 := mustMember(t, db, "u2", "b1")
		if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignUp(ctx, actor("u2", "s2"), "b1", a.ID, m2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CheckIn(ctx, actor("u1", "k1"), "b1", a.ID, m1.ID, t0); err != nil {
			t.Fatal(err)
		}
		// Credited once it ended; cancelled after, the credit is void.
		end := a.EndsAt.Add(time.Minute)
		if got, err := db.CreditEnded(ctx, end, time.UTC, 10); err != nil || len(got) != 1 {
			t.Fatalf("credit: %+v %v", got, err)
		}
		if _, _, err := db.CancelActivity(ctx, actor("sec2", "x"), "b2", a.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("cancel from other branch: %v", err)
		}
		_, signees, err := db.CancelActivity(ctx, actor("sec1", "c1"), "b1", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(signees) != 2 || signees[0].UserID != "u1" || signees[1].UserID != "u2" {
			t.Errorf("signees = %+v; want u1 (confirmed) then u2 (waiting)", signees)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM hours_reports WHERE activity_id = ? AND state = ?", a.ID, jinqiu.HoursVoid); n != 1 {
			t.Errorf("void credits = %d, want 1", n)
		}
		if _, _, err := db.CancelActivity(ctx, actor("sec1", "c2"), "b1", a.ID); !errors.Is(err, storage.ErrActivityCancelled) {
			t.Errorf("second cancel: %v", err)
		}
		if _, err := db.SignUp(ctx, actor("u3", "s3"), "b1", a.ID, m1.ID); !errors.Is(err, storage.ErrActivityCancelled) {
			t.Errorf("sign up to cancelled: %v", err)
		}
		if _, err := db.CheckIn(ctx, actor("u2", "k2"), "b1", a.ID, m2.ID, t0); !errors.Is(err, storage.ErrActivityCancelled) {
			t.Errorf("check in to cancelled: %v", err)
		}
	})
}
