package storage_test

import (
	"errors"
	"jinqiu"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReportHoursDayLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		m := mustMember(t, db, "u1", "b1")
		a := mustActivity(t, db, "b1", 10*time.Minute, 5)
		mustCredited(t, db, a, m)
		day := date(2026, 11, 27)
		r, err := db.ReportHours(ctx, actor("u1", "h1"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day, Centihours: 950, Note: "打扫楼道"}, 1200)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != jinqiu.HoursPending || r.Centihours != 950 || r.MemberName != "名u1" || r.ServedOn.Format(time.DateOnly) != "2026-11-27" || r.ActivityID.Valid {
			t.Errorf("report = %+v", r)
		}
		// 2 h credited + 9.5 h reported = 11.5 h: 0.75 h more is too much.
		_, err = db.ReportHours(ctx, actor("u1", "h2"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day, Centihours: 75}, 1200)
		var dl *storage.DayLimitError
		if !errors.As(err, &dl) || dl.Used != 1150 || dl.Limit != 1200 {
			t.Fatalf("over the limit: %v", err)
		}
		if _, err := db.ReportHours(ctx, actor("u1", "h3"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day, Centihours: 50}, 1200); err != nil {
			t.Errorf("exactly 12 h: %v", err)
		}
		if _, err := db.ReportHours(ctx, actor("u1", "h4"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day.AddDate(0, 0, -1), Centihours: 1200}, 1200); err != nil {
			t.Errorf("another day: %v", err)
		}
		au, _ := db.Audit(ctx, r.Object())
		if len(au) != 1 || au[0].Action != "report_hours" || au[0].MsgID != "h1" {
			t.Errorf("audit = %+v", au)
		}
	})
}

// TestReportHoursConcurrentLimit: eight 2-hour reports for one day sent at
// once: the member's row lock lets exactly six (12 h) through.
func TestReportHoursConcurrentLimit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		m := mustMember(t, db, "u1", "b1")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ReportHours(ctx, actor("u1", "h"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: date(2026, 11, 26), Centihours: 200}, 1200)
				var dl *storage.DayLimitError
				switch {
				case err == nil:
					mu.Lock()
					ok++
					mu.Unlock()
				case !errors.As(err, &dl):
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok != 6 {
			t.Fatalf("accepted %d reports, want 6", ok)
		}
	})
}

func TestDecideHours(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		m := mustMember(t, db, "u1", "b1")
		day := date(2026, 11, 26)
		r1, _ := db.ReportHours(ctx, actor("u1", "h1"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day, Centihours: 200}, 1200)
		r2, _ := db.ReportHours(ctx, actor("u1", "h2"), storage.NewReport{MemberID: m.ID, BranchID: "b1", ServedOn: day, Centihours: 100}, 1200)
		pending, err := db.PendingReports(ctx, "b1", 10)
		if err != nil || len(pending) != 2 || pending[0].ID != r1.ID {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		if _, err := db.HoursReport(ctx, "b2", r1.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("other branch read: %v", err)
		}
		if _, _, err := db.DecideHours(ctx, actor("sec2", "x"), "", "b2", r1.ID, true, ""); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("decide from other branch: %v", err)
		}
		got, who, err := db.DecideHours(ctx, actor("sec1", "d1"), "书记", "b1", r1.ID, true, "")
		if err != nil || got.State != jinqiu.HoursApproved || !got.ApproverID.Valid || !got.DecidedAt.Valid || who.UserID != "u1" {
			t.Fatalf("approve = %+v %+v, %v", got, who, err)
		}
		if _, _, err := db.DecideHours(ctx, actor("sec1", "d2"), "书记", "b1", r1.ID, false, "重复"); !errors.Is(err, storage.ErrDecided) {
			t.Errorf("decide twice: %v", err)
		}
		got, who, err = db.DecideHours(ctx, actor("sec1", "d3"), "书记", "b1", r2.ID, false, "日期不对")
		if err != nil || got.State != jinqiu.HoursRejected || got.Reason != "日期不对" || who.UserID != "u1" {
			t.Fatalf("reject = %+v %+v, %v", got, who, err)
		}
		if pending, _ := db.PendingReports(ctx, "b1", 10); len(pending) != 0 {
			t.Errorf("still pending: %+v", pending)
		}
		au, _ := db.Audit(ctx, r2.Object())
		if len(au) != 2 || au[1].Action != "reject_hours" || au[1].Detail != "日期不对" {
			t.Errorf("audit = %+v", au)
		}
	})
}
