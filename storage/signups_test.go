package storage_test

import (
	"errors"
	"fmt"
	"jinqiu"
	"sort"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestSignupCapacityQueueAndPromotion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", 24*time.Hour, 2)
		var ms []jinqiu.Member
		for i := 1; i <= 4; i++ {
			ms = append(ms, mustMember(t, db, fmt.Sprintf("u%d", i), "b1"))
		}
		want := []struct {
			state string
			pos   int
		}{{jinqiu.SignupConfirmed, 0}, {jinqiu.SignupConfirmed, 0}, {jinqiu.SignupWaiting, 1}, {jinqiu.SignupWaiting, 2}}
		for i, m := range ms {
			r, err := db.SignUp(ctx, actor(m.UserID, "s"+m.UserID), "b1", a.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != want[i].state || r.Position != want[i].pos || r.Already {
				t.Errorf("sign-up %d = %+v, want %+v", i+1, r, want[i])
			}
		}
		r, err := db.SignUp(ctx, actor("u4", "again"), "b1", a.ID, ms[3].ID)
		if err != nil || !r.Already || r.Position != 2 {
			t.Errorf("repeat = %+v, %v; want already, position 2", r, err)
		}
		if _, err := db.SignUp(ctx, actor("u1", "x"), "b2", a.ID, ms[0].ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("sign up through other branch: %v", err)
		}

		// The first confirmed cancels: u3 (first waiting) is promoted and told.
		c, err := db.CancelSignup(ctx, actor("u1", "c1"), "b1", a.ID, ms[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Was != jinqiu.SignupConfirmed || c.Promoted == nil || c.Promoted.UserID != "u3" || c.Activity.Taken != 2 {
			t.Errorf("cancel = %+v, want u3 promoted, taken 2", c)
		}
		mine, _ := db.MySignups(ctx, ms[3].ID, t0)
		if len(mine) != 1 || mine[0].SignupState != jinqiu.SignupWaiting || mine[0].Position != 1 {
			t.Errorf("u4 signups = %+v, want waiting first", mine)
		}
		if _, err := db.CancelSignup(ctx, actor("u1", "c2"), "b1", a.ID, ms[0].ID); !errors.Is(err, storage.ErrNotSignedUp) {
			t.Errorf("second cancel: %v", err)
		}
		// A waiting person cancels: nobody is promoted, places unchanged.
		c, err = db.CancelSignup(ctx, actor("u4", "c3"), "b1", a.ID, ms[3].ID)
		if err != nil || c.Was != jinqiu.SignupWaiting || c.Promoted != nil || c.Activity.Taken != 2 {
			t.Errorf("cancel waiting = %+v, %v", c, err)
		}
		// A confirmed person cancels with nobody waiting: a place frees up.
		c, err = db.CancelSignup(ctx, actor("u2", "c4"), "b1", a.ID, ms[1].ID)
		if err != nil || c.Promoted != nil || c.Activity.Taken != 1 {
			t.Errorf("cancel with empty queue = %+v, %v", c, err)
		}
		// u1 signs up again: the same row, a new place at the end.
		r, err = db.SignUp(ctx, actor("u1", "s5"), "b1", a.ID, ms[0].ID)
		if err != nil || r.State != jinqiu.SignupConfirmed || r.Already {
			t.Errorf("re-sign-up = %+v, %v", r, err)
		}
		act, es, err := db.Roster(ctx, "b1", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.UserID+":"+e.State)
		}
		if fmt.Sprint(names) != "[u3:confirmed u1:confirmed]" || act.Taken != 2 {
			t.Errorf("roster = %v (taken %d)", names, act.Taken)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM signups WHERE activity_id = ?", a.ID); n != 4 {
			t.Errorf("signup rows = %d, want 4 (one per person)", n)
		}
		// publish, 5 sign-ups (the repeat is not one), 1 promotion, 3
		// cancellations (the refused one is not one).
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE object = ?", a.Object()); n != 1+5+1+3 {
			t.Errorf("audit rows = %d, want 10", n)
		}
	})
}

func TestSignupUnlimited(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", time.Hour, 0)
		for i := 0; i < 5; i++ {
			m := mustMember(t, db, fmt.Sprint("u", i), "b1")
			r, err := db.SignUp(ctx, actor(m.UserID, "s"), "b1", a.ID, m.ID)
			if err != nil || r.State != jinqiu.SignupConfirmed {
				t.Fatalf("sign-up %d = %+v, %v", i, r, err)
			}
		}
	})
}

// TestSignupConcurrent: 40 people for 10 places at once give exactly 10
// confirmed and 30 waiting, the counter agreeing with the rows, and
// waiting positions 1..30 each given once.
func TestSignupConcurrent(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		a := mustActivity(t, db, "b1", 24*time.Hour, 10)
		var ms []jinqiu.Member
		for i := 0; i < 40; i++ {
			ms = append(ms, mustMember(t, db, fmt.Sprint("c", i), "b1"))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var positions []int
		confirmed := 0
		for _, m := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := db.SignUp(ctx, actor(m.UserID, "s"), "b1", a.ID, m.ID)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if r.State == jinqiu.SignupConfirmed {
					confirmed++
				} else {
					positions = append(positions, r.Position)
				}
			}()
		}
		wg.Wait()
		sort.Ints(positions)
		if confirmed != 10 || len(positions) != 30 || positions[0] != 1 || positions[29] != 30 {
			t.Fatalf("confirmed %d, waiting positions %v", confirmed, positions)
		}
		for i, p := range positions {
			if p != i+1 {
				t.Fatalf("waiting positions %v are not 1..30 once each", positions)
			}
		}
		got, _ := db.Activity(ctx, "b1", a.ID)
		if n := count(t, db, "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = ?", a.ID, jinqiu.SignupConfirmed); n != 10 || got.Taken != 10 || got.NextSeq != 40 {
			t.Errorf("confirmed rows %d, taken %d, next_seq %d", n, got.Taken, got.NextSeq)
		}
	})
}
