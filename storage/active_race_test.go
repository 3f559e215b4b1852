package storage_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestActiveDayRaces: a check-in's 撤销 and another check-in, sign-up or
// 撤销 of the same member in the same branch on the same day, at once (the
// kept row of (day, branch, member) deleted and taken again from what is
// left while another transaction adds or removes an event of it), with
// the catch-up reading them at the same time: no write fails, and the kept
// days are the events' after every round.
func TestActiveDayRaces(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		sh, _ := time.LoadLocation("Asia/Shanghai")
		for round := range 12 {
			// A member of their own each round: nothing of an earlier one
			// keeps the day.
			m := mustMember(t, db, fmt.Sprintf("u%d", round), "b1")
			// Two activities running now, both signed up for: check-ins at
			// each, made by different actors so that each 撤销 is its own.
			a1 := mustActivity(t, db, "b1", time.Duration(-30-round)*time.Minute, 5)
			a2 := mustActivity(t, db, "b1", time.Duration(-60-round)*time.Minute, 5)
			a3 := mustActivity(t, db, "b1", time.Duration(-90-round)*time.Minute, 5)
			// Signed up the day before: the check-ins alone make the day.
			db.Now = func() time.Time { return t0.Add(-24 * time.Hour) }
			for _, a := range []int64{a1.ID, a2.ID} {
				if _, err := db.SignUp(ctx, actor(m.UserID, fmt.Sprintf("s%d-%d", round, a)), "b1", a, m.ID); err != nil {
					t.Fatal(err)
				}
			}
			fixedClock(db)
			k1, k2 := actor(fmt.Sprintf("k1-%d", round), "k1"), actor(fmt.Sprintf("k2-%d", round), "k2")
			if _, err := db.CheckIn(ctx, k1, "b1", a1.ID, m.ID, t0); err != nil {
				t.Fatal(err)
			}
			var ops []func() error
			switch round % 3 {
			case 0: // undo one, check in at the other
				ops = []func() error{
					func() error { _, err := db.Undo(ctx, k1, t0.Add(-time.Hour)); return err },
					func() error { _, err := db.CheckIn(ctx, k2, "b1", a2.ID, m.ID, t0); return err },
				}
			case 1: // undo both
				if _, err := db.CheckIn(ctx, k2, "b1", a2.ID, m.ID, t0); err != nil {
					t.Fatal(err)
				}
				ops = []func() error{
					func() error { _, err := db.Undo(ctx, k1, t0.Add(-time.Hour)); return err },
					func() error { _, err := db.Undo(ctx, k2, t0.Add(-time.Hour)); return err },
				}
			default: // undo one, a walk-in at a third
				ops = []func() error{
					func() error { _, err := db.Undo(ctx, k1, t0.Add(-time.Hour)); return err },
					func() error { _, err := db.CheckIn(ctx, k2, "b1", a3.ID, m.ID, t0); return err },
				}
			}
			// And the catch-up, reading the same check-ins again.
			ops = append(ops, func() error { _, err := db.CatchUpActiveDays(ctx); return err })
			errs := make([]error, len(ops))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, op := range ops {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = op()
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("round %d, write %d: %v", round, i, err)
				}
			}
			if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) {
				t.Fatalf("round %d: kept %v, the events give %v", round, got, want)
			}
		}
	})
}
