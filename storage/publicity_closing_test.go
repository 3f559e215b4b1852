package storage_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestAnnounceClosed: a 公示 still open is not announced; once it closed
// it is announced once, with the entries that became final and those whose
// objection no correction followed, even by two sweeps at once; a sweep
// whose outbox write fails leaves it unannounced, and the next one
// announces it.
func TestAnnounceClosed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		zhang := mustMember(t, db, "u1", "b1")
		li := mustMember(t, db, "u2", "b1")
		r1 := approved(t, db, zhang, 20, 200)
		r2 := approved(t, db, li, 21, 150)
		closesAt := time.Date(2026, 12, 3, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		p, _, err := db.Publish(ctx, actor("sec1", "pub1"), "书记", storage.NewPublicity{BranchID: "b1", FromDay: date(2026, 11, 1), ToDay: date(2026, 12, 1),
			ClosesOn: date(2026, 12, 2), ClosesAt: closesAt, Show: func(e storage.PublicEntry) string { return e.MemberName }})
		if err != nil {
			t.Fatal(err)
		}
		// r1's objection is settled by the correction after it; r2's is open.
		if _, err := db.Object(ctx, actor("u1", "o1"), "张大明", "b1", r1.ID, "是1.5小时"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CorrectHours(ctx, actor("sec1", "fix1"), "书记", "b1", r1.ID, 150, "核实为1.5小时"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Object(ctx, actor("u2", "o2"), "李四", "b1", r2.ID, "日期不对"); err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		var fanned []storage.ClosedPublicity
		fan := func(_ context.Context, _ *storage.Tx, cp storage.ClosedPublicity) ([]storage.Outbound, error) {
			mu.Lock()
			fanned = append(fanned, cp)
			mu.Unlock()
			time.Sleep(50 * time.Millisecond) // hold the claim while the other sweep looks
			return []storage.Outbound{{DedupKey: "closing|" + strconv.FormatInt(cp.ID, 10), Platform: "wecom", Robot: "r", Target: "{}", Body: "{}"}}, nil
		}
		rows := func() int { return len(storagetest.Outbox(t, db, "")) }
		announced := func() bool {
			var n int
			if err := db.X().Get(&n, "SELECT COUNT(*) FROM publicities WHERE id = ? AND announced_at IS NOT NULL", p.ID); err != nil {
				t.Fatal(err)
			}
			return n == 1
		}

		// Open: the last second of its closing day.
		if got, err := db.AnnounceClosed(ctx, closesAt.Add(-time.Second), 10, fan); err != nil || len(got) != 0 || rows() != 0 {
			t.Fatalf("before it closed: announced %d, %v; %d outbox rows", len(got), err, rows())
		}

		// Closed, but the outbox refuses the write.
		db.Now = func() time.Time { return closesAt }
		restore := storagetest.FailOutboxWrites(t, db)
		if got, err := db.AnnounceClosed(ctx, closesAt, 10, fan); err == nil || len(got) != 0 {
			t.Fatalf("outbox write failing: announced %d, err %v; want none and the error", len(got), err)
		}
		if announced() || rows() != 0 || len(fanned) != 1 {
			t.Fatalf("after the failed write: announced %v, %d outbox rows, %d fan-outs; want the rows built and neither kept", announced(), rows(), len(fanned))
		}
		restore()

		// Two sweeps at once.
		var wg sync.WaitGroup
		results := make([][]storage.ClosedPublicity, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = db.AnnounceClosed(ctx, closesAt, 10, fan)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if n := len(results[0]) + len(results[1]); n != 1 || rows() != 1 || !announced() {
			t.Fatalf("two sweeps: announced %d times, %d outbox rows, marked %v; want once", n, rows(), announced())
		}
		cp := append(results[0], results[1]...)[0]
		if cp.ID != p.ID || cp.BranchName == "" || cp.Final != 2 || cp.Objected != 1 || !cp.ClosesOn.Equal(date(2026, 12, 2)) {
			t.Errorf("announced %+v: want 2 final, 1 objection open, closing 12-02", cp)
		}
		if got, err := db.AnnounceClosed(ctx, closesAt.Add(time.Hour), 10, fan); err != nil || len(got) != 0 || rows() != 1 {
			t.Errorf("a later sweep: announced %d, %v; %d outbox rows", len(got), err, rows())
		}
	})
}
