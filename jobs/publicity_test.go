package jobs_test

import (
	"jinqiu"
	"sync"
	"testing"
	"time"

	"jinqiu/handlers/say"
	"jinqiu/jobs"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestClosings: when a 公示's period ends its branch's group is told once
// how many entries became final and how many objections are still open; a
// 公示 still open is not announced, nor one that closed longer ago than the
// catch-up (it is marked); a sweep whose outbox write fails leaves the
// 公示 unannounced, and the next sweep, two replicas at once, announces it
// once.
func TestClosings(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai) // Thursday, the day after a's 公示 closed
		w := newWorld(t, db, digestYAML, now)
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		publish := func(branch string, closesOn time.Time) storage.Publicity {
			t.Helper()
			p, _, err := db.Publish(ctx, jinqiu.Actor{Platform: "wecom", UserID: "sec-" + branch, MsgID: "pub-" + branch}, "书记", storage.NewPublicity{
				BranchID: branch, FromDay: nov, ToDay: nov.AddDate(0, 1, 0), ClosesOn: closesOn,
				ClosesAt: time.Date(closesOn.Year(), closesOn.Month(), closesOn.Day()+1, 0, 0, 0, 0, shanghai),
				Show:     func(e storage.PublicEntry) string { return e.MemberName },
			})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		zhang := w.member(t, "wecom", "zhang", "张三", "a", now.AddDate(0, -1, 0))
		li := w.member(t, "wecom", "li", "李四", "a", now.AddDate(0, -1, 0))
		w.hours(t, zhang, "a", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 200, "approved")
		w.hours(t, li, "a", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), 150, "approved")
		zhao := w.member(t, "wecom", "zhao", "赵六", "b", now.AddDate(0, -1, 0))
		w.hours(t, zhao, "b", time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), 100, "approved")
		wang := w.member(t, "wecom", "wang", "王五", "c", now.AddDate(0, -1, 0))
		w.hours(t, wang, "c", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 100, "approved")

		w.clock.Set(time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai))
		pa := publish("a", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
		var liReport int64
		if err := db.X().Get(&liReport, "SELECT id FROM hours_reports WHERE member_id = ?", li); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Object(ctx, jinqiu.Actor{Platform: "wecom", UserID: "li", MsgID: "obj"}, "李四", "a", liReport, "日期不对"); err != nil {
			t.Fatal(err)
		}
		w.clock.Set(time.Date(2026, 11, 10, 10, 0, 0, 0, shanghai))
		publish("b", time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)) // closed three weeks before now
		w.clock.Set(now)
		publish("c", time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)) // still open
		c := &jobs.Closings{DB: db, Platforms: w.cfg.Platforms, Log: quiet(), Now: w.clock.Now}
		closing := func() []sent {
			var out []sent
			for _, s := range w.outbox(t) {
				if s.job == "publicity-closed" {
					out = append(out, s)
				}
			}
			return out
		}

		restore := storagetest.FailOutboxWrites(t, db)
		stale, err := c.Once(ctx, now)
		if err == nil {
			t.Error("the outbox refused the write, and the sweep reports no error")
		}
		if len(stale) != 1 || stale[0].BranchID != "b" {
			t.Errorf("the failed sweep marked %+v: want b's stale 公示 alone (it writes nothing)", stale)
		}
		if got := closing(); len(got) != 0 {
			t.Fatalf("after the failed write: %d announcements, want none", len(got))
		}
		restore()

		var wg sync.WaitGroup
		var mu sync.Mutex
		var marked []storage.ClosedPublicity
		for range 2 { // two replicas
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := c.Once(ctx, now)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				marked = append(marked, got...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		got := closing()
		if len(got) != 1 || got[0].chat != "wecom/ca" {
			t.Fatalf("announcements %+v: want one, to a's group", got)
		}
		want := say.For(now).PublicityClosing("枣行社区临时党支部", "2026年11月", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), 2, 1)
		if got[0].reply.Text != want {
			t.Errorf("announcement:\n%s\nwant:\n%s", got[0].reply.Text, want)
		}
		if len(marked) != 1 || marked[0].ID != pa.ID || marked[0].Final != 2 || marked[0].Objected != 1 {
			t.Errorf("the replicas marked %+v: want a's once, 2 final, 1 objection open (c is still open)", marked)
		}
		if again, err := c.Once(ctx, now.Add(time.Hour)); err != nil || len(again) != 0 || len(closing()) != 1 {
			t.Errorf("a later sweep marked %d, %v; %d announcements", len(again), err, len(closing()))
		}
		// c's closes at the end of 12月8日.
		if again, err := c.Once(ctx, time.Date(2026, 12, 9, 0, 0, 0, 0, shanghai)); err != nil || len(again) != 1 || again[0].BranchID != "c" || len(closing()) != 2 {
			t.Errorf("once c's 公示 closed: marked %+v, %v; %d announcements", again, err, len(closing()))
		}
	})
}
