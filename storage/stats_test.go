package storage_test

import (
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestStats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		m := mustMember(t, db, "u1", "b1")
		mustMember(t, db, "u2", "b2")
		a := mustActivity(t, db, "b1", 10*time.Minute, 5)
		mustCredited(t, db, a, m)
		rep := func(on time.Time, ch int) jinqiu.HoursReport {
			r, err := db.ReportHours(ctx, actor("u1", "h"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: on, Centihours: ch}, 1200)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		oct := rep(date(2026, 10, 31), 300)
		rep(date(2026, 11, 26), 150) // stays pending
		db.DecideHours(ctx, actor("sec1", "d"), "", "b1", oct.ID, true, "")
		shanghai := time.FixedZone("CST", 8*3600)
		s, err := db.MemberStats(ctx, m.ID, date(2026, 11, 27), time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai))
		if err != nil {
			t.Fatal(err)
		}
		want := storage.MemberStats{MonthCentihours: 200, YearCentihours: 500, PendingCentihours: 150, PendingCount: 1, YearCheckins: 1}
		if s != want {
			t.Errorf("stats = %+v, want %+v", s, want)
		}
	})
}
