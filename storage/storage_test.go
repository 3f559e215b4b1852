package storage_test

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

var ctx = context.Background()

func seed(t *testing.T, db *storage.DB) {
	t.Helper()
	err := db.SyncConfig(ctx, []storage.BranchSpec{
		{Branch: jinqiu.Branch{ID: "b1", Name: "枣行社区临时党支部", Town: "城关街道", Kind: "community"},
			Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: "sec1"}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: "c1"}}},
		{Branch: jinqiu.Branch{ID: "b2", Name: "史家庄村党支部", Town: "王庄镇", Kind: "rural"},
			Groups: []jinqiu.Group{{Platform: "dingtalk", ChatID: "c2", Robot: "dd"}}},
	}, []jinqiu.Group{{Platform: "wecom", ChatID: "bureau"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateTwiceAndSync(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		seed(t, db)
		seed(t, db) // idempotent
		bs, err := db.Branches(ctx)
		if err != nil || len(bs) != 2 {
			t.Fatalf("branches = %v, %v", bs, err)
		}
		g, err := db.GroupByChat(ctx, "wecom", "c1")
		if err != nil || g.BranchID != "b1" {
			t.Fatalf("group = %+v, %v", g, err)
		}
		g, err = db.GroupByChat(ctx, "wecom", "bureau")
		if err != nil || g.BranchID != "" {
			t.Fatalf("bureau group = %+v, %v", g, err)
		}
		if _, err := db.GroupByChat(ctx, "wecom", "nope"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing group err = %v", err)
		}
		secs, _ := db.SecretaryOf(ctx, jinqiu.Identity{Platform: "wecom", UserID: "sec1"})
		if len(secs) != 1 || secs[0] != "b1" {
			t.Fatalf("secretary of = %v", secs)
		}
	})
}

// Identity is (platform, user id), compared byte for byte: on MySQL the id
// columns are binary, so no variant of an id is that id.
func TestIdentityIsExact(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		if _, err := db.Register(ctx, jinqiu.Actor{Platform: "wecom", UserID: "u1", MsgID: "r1"}, "张三", "b1", time.Now()); err != nil {
			t.Fatal(err)
		}
		variants := []string{"SEC1", "Sec1", "sec1 ", " sec1", "sec1\u00a0", "ｓｅｃ1", "sec１", "sec\u200b1", "séc1", ""}
		for _, v := range variants {
			if secs, err := db.SecretaryOf(ctx, jinqiu.Identity{Platform: "wecom", UserID: v}); err != nil || len(secs) != 0 {
				t.Errorf("wecom:%q is secretary of %v (%v), want none", v, secs, err)
			}
		}
		if secs, _ := db.SecretaryOf(ctx, jinqiu.Identity{Platform: "dingtalk", UserID: "sec1"}); len(secs) != 0 {
			t.Errorf("dingtalk:sec1 is secretary of %v: the WeCom role crossed platforms", secs)
		}
		for _, v := range []string{"U1", "u1 ", "ｕ1", "u\u200b1"} {
			if m, err := db.Member(ctx, "wecom", v); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("member %q found as %+v (%v), want not found", v, m, err)
			}
		}
		if _, err := db.Member(ctx, "dingtalk", "u1"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("dingtalk:u1 found as the WeCom member")
		}
		// Distinct variants are distinct people, each their own row.
		for i, v := range []string{"U1", "u1 ", "ｕ1"} {
			if _, err := db.Register(ctx, jinqiu.Actor{Platform: "wecom", UserID: v, MsgID: fmt.Sprint("rv", i)}, "别人", "b2", time.Now()); err != nil {
				t.Fatalf("register %q: %v", v, err)
			}
		}
		if m, _ := db.Member(ctx, "wecom", "u1"); m.BranchID != "b1" {
			t.Errorf("u1 moved to %s by a variant's registration", m.BranchID)
		}
	})
}

func TestRegisterIdempotentAndMove(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		a := jinqiu.Actor{Platform: "wecom", UserID: "u1", MsgID: "m1"}
		day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
		r, err := db.Register(ctx, a, "张三 👴🏻", "b1", day)
		if err != nil || r.Already || r.From != "" {
			t.Fatalf("first register = %+v, %v", r, err)
		}
		r, err = db.Register(ctx, a, "张三 👴🏻", "b1", day)
		if err != nil || !r.Already {
			t.Fatalf("repeat register = %+v, %v", r, err)
		}
		r, err = db.Register(ctx, a, "张三 👴🏻", "b2", day)
		if err != nil || r.From != "b1" {
			t.Fatalf("move = %+v, %v", r, err)
		}
		m, err := db.Member(ctx, "wecom", "u1")
		if err != nil || m.BranchID != "b2" || m.DisplayName != "张三 👴🏻" {
			t.Fatalf("member = %+v, %v", m, err)
		}
		var n int
		db.X().Get(&n, "SELECT COUNT(*) FROM registrations WHERE member_id = ?", m.ID)
		if n != 2 {
			t.Errorf("registrations = %d, want 2 (the move is recorded, not overwritten)", n)
		}
		au, _ := db.Audit(ctx, "branch:b2")
		if len(au) != 1 || au[0].MsgID != "m1" || au[0].Actor != "wecom:u1" {
			t.Errorf("audit = %+v", au)
		}
		if _, err := db.Register(ctx, a, "", "nope", day); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("register to missing branch: %v", err)
		}
	})
}

func TestInboundDedup(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		n := storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: "m1", ChatID: "c", UserID: "u", Message: "{}"}
		var wg sync.WaitGroup
		var mu sync.Mutex
		claims := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, c, err := db.ClaimInbound(ctx, n, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if c {
					mu.Lock()
					claims++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if claims != 1 {
			t.Fatalf("claims = %d, want 1", claims)
		}
		in, _ := db.InboundByMsg(ctx, "wecom", "r", "m1")
		c := storage.Claim{ID: in.ID, Fence: in.Fence}
		if err := db.FinishInbound(ctx, storage.Claim{ID: in.ID, Fence: in.Fence + 1}, storage.Finish{Reply: "坏的"}); !errors.Is(err, storage.ErrFenced) {
			t.Fatalf("finish under a stale fence: %v, want ErrFenced", err)
		}
		if err := db.FinishInbound(ctx, c, storage.Finish{Reply: "好的"}); err != nil {
			t.Fatal(err)
		}
		in, claimed, err := db.ClaimInbound(ctx, n, time.Minute)
		if err != nil || claimed || in.State != storage.InboundDone || in.Reply.String != "好的" || in.LeaseUntil != 0 {
			t.Fatalf("repeat = %+v %v %v", in, claimed, err)
		}
		// A different robot's message with the same id is a different message.
		n.Robot = "r2"
		if _, claimed, _ := db.ClaimInbound(ctx, n, time.Minute); !claimed {
			t.Error("same msg id on another robot was not claimed")
		}
	})
}

// TakeOver fences: of several attempts at a lapsed row, one wins, and the
// old holder can neither renew nor finish.
func TestInboundTakeOverFences(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		in, _, err := db.ClaimInbound(ctx, storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: "t1", Message: "{}"}, -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		old := storage.Claim{ID: in.ID, Fence: in.Fence}
		var wg sync.WaitGroup
		var won atomic.Int64
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, ok, err := db.TakeOver(ctx, in, time.Minute); err != nil {
					t.Error(err)
				} else if ok {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d takeovers won, want 1", won.Load())
		}
		if err := db.RenewInbound(ctx, old, time.Minute); !errors.Is(err, storage.ErrFenced) {
			t.Errorf("old holder renewed: %v", err)
		}
		if err := db.FinishInbound(ctx, old, storage.Finish{Reply: "x"}); !errors.Is(err, storage.ErrFenced) {
			t.Errorf("old holder finished: %v", err)
		}
		if _, ok, _ := db.TakeOver(ctx, in, time.Minute); ok {
			t.Error("a live lease was taken over")
		}
	})
}

// In a unit, a handler's writes commit only with the finish, and a storage
// call that fails after writing leaves the unit as it was.
func TestUnitCommitsWithTheFinish(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		o := func(k string) storage.Outbound {
			return storage.Outbound{DedupKey: k, Platform: "wecom", Robot: "r", Target: "{}", Body: "{}"}
		}
		in, _, err := db.ClaimInbound(ctx, storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: "u1", Message: "{}"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		u := db.WithUnit(ctx)
		if err := db.Enqueue(u, o("unit-a")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OutboxByKey(ctx, "unit-a"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a write in the unit was visible before the finish: %v", err)
		}
		if _, err := db.OutboxByKey(u, "unit-a"); err != nil {
			t.Fatalf("the unit does not see its own write: %v", err)
		}
		if err := db.FinishInbound(u, storage.Claim{ID: in.ID, Fence: in.Fence}, storage.Finish{Reply: "r"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OutboxByKey(ctx, "unit-a"); err != nil {
			t.Fatalf("the write did not commit with the finish: %v", err)
		}

		// Fenced: nothing commits.
		in, _, _ = db.ClaimInbound(ctx, storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: "u2", Message: "{}"}, time.Minute)
		u = db.WithUnit(ctx)
		db.Enqueue(u, o("unit-b"))
		if err := db.FinishInbound(u, storage.Claim{ID: in.ID, Fence: 99}, storage.Finish{Reply: "r"}); !errors.Is(err, storage.ErrFenced) {
			t.Fatalf("finish under a foreign fence: %v", err)
		}
		if _, err := db.OutboxByKey(ctx, "unit-b"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a fenced unit's write committed: %v", err)
		}
	})
}

func TestOutboxLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		o := func(k, robot string) storage.Outbound {
			return storage.Outbound{DedupKey: k, Platform: "wecom", Robot: robot, Target: "{}", Body: "{}"}
		}
		if err := db.Enqueue(ctx, o("k1", "r1"), o("k2", "r1"), o("k3", "r2"), o("k1", "r1")); err != nil {
			t.Fatal(err)
		}
		rows, err := db.ClaimOutbox(ctx, "A", 10, time.Minute)
		if err != nil || len(rows) != 2 {
			t.Fatalf("claimed %d rows (%v), want 2: one per robot", len(rows), err)
		}
		again, _ := db.ClaimOutbox(ctx, "B", 10, time.Minute)
		if len(again) != 0 {
			t.Fatalf("second claimer got %d rows while robots busy", len(again))
		}
		for _, r := range rows {
			if err := db.MarkSent(ctx, r.ID, "A"); err != nil {
				t.Fatal(err)
			}
		}
		rows, _ = db.ClaimOutbox(ctx, "B", 10, time.Minute)
		if len(rows) != 1 || rows[0].DedupKey != "k2" {
			t.Fatalf("next claim = %+v", rows)
		}
		db.MarkRetry(ctx, rows[0].ID, "B", time.Now().Add(time.Hour), "45009", false)
		if rows, _ := db.ClaimOutbox(ctx, "B", 10, time.Minute); len(rows) != 0 {
			t.Fatalf("row retried before its time")
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[storage.OutboxSent] != 2 || counts[storage.OutboxPending] != 1 {
			t.Fatalf("counts = %v", counts)
		}
		// A lease that expires turns an at-most-once row ambiguous.
		db.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) }
		db.Enqueue(ctx, o("k4", "r3"))
		rows, _ = db.ClaimOutbox(ctx, "C", 1, time.Minute)
		db.Now = time.Now
		if len(rows) != 1 {
			t.Fatalf("k4 not claimed: %v", rows)
		}
		// Unless the sender never got as far as the request: then it is
		// put back.
		db.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) }
		db.Enqueue(ctx, o("k5", "r4"))
		k5, _ := db.ClaimOutbox(ctx, "C", 1, time.Minute)
		db.MarkAttempt(ctx, rows[0].ID, "C")
		db.Now = time.Now
		amb, retried, err := db.RecoverLeases(ctx)
		if err != nil || amb != 1 || retried != 1 || len(k5) != 1 {
			t.Fatalf("recover = %d ambiguous, %d retried, %v", amb, retried, err)
		}
		if r, _ := db.OutboxByKey(ctx, "k5"); r.State != storage.OutboxPending || r.Attempts != 0 {
			t.Fatalf("unattempted row after recovery = %+v", r)
		}
	})
}

func TestClaimSlotOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		slot := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ok, err := db.ClaimSlot(ctx, "digest", slot, "r", func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
					return []storage.Outbound{{DedupKey: "digest|" + slot.String() + "|g1", Platform: "wecom", Robot: "g1", Target: "{}", Body: "{}"}}, nil
				})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		counts, _ := db.OutboxCounts(ctx)
		if wins != 1 || counts[storage.OutboxPending] != 1 {
			t.Fatalf("wins = %d, outbox = %v", wins, counts)
		}
		if ok, _ := db.RecordMissed(ctx, "digest", slot, "r"); ok {
			t.Error("a claimed slot was recorded missed")
		}
		fail := errors.New("boom")
		slot2 := slot.Add(time.Hour)
		if _, err := db.ClaimSlot(ctx, "digest", slot2, "r", func(context.Context, *storage.Tx) ([]storage.Outbound, error) { return nil, fail }); !errors.Is(err, fail) {
			t.Fatal(err)
		}
		if ok, _ := db.ClaimSlot(ctx, "digest", slot2, "r", nil); !ok {
			t.Error("a slot whose fan-out failed stayed claimed")
		}
	})
}

// Purge removes finished messages and settled sends older than the cutoff,
// in batches, and nothing else: not a message still being handled, not a
// pending send, not the audit log.
func TestPurgeAfterRetention(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		old := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return old }
		for i := 0; i < 7; i++ {
			in, _, err := db.ClaimInbound(ctx, storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: fmt.Sprint("old", i), Message: "{}"}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if i < 6 {
				db.FinishInbound(ctx, storage.Claim{ID: in.ID, Fence: in.Fence}, storage.Finish{Reply: "r"})
			}
		}
		db.Enqueue(ctx, storage.Outbound{DedupKey: "sent-old", Platform: "wecom", Robot: "x", Target: "{}", Body: "{}"},
			storage.Outbound{DedupKey: "pending-old", Platform: "wecom", Robot: "y", Target: "{}", Body: "{}"})
		rows, _ := db.ClaimOutbox(ctx, "o", 1, time.Minute)
		for _, r := range rows {
			if r.DedupKey == "sent-old" {
				db.MarkSent(ctx, r.ID, "o")
			}
		}
		db.Register(ctx, jinqiu.Actor{Platform: "wecom", UserID: "u", MsgID: "old0"}, "张三", "b1", old)
		db.Now = time.Now
		in, _, _ := db.ClaimInbound(ctx, storage.NewInbound{Platform: "wecom", Robot: "r", MsgID: "new", Message: "{}"}, time.Minute)
		db.FinishInbound(ctx, storage.Claim{ID: in.ID, Fence: in.Fence}, storage.Finish{Reply: "r"})

		var auditBefore int
		db.X().Get(&auditBefore, "SELECT COUNT(*) FROM audit_log")
		p, err := db.Purge(ctx, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 4)
		if err != nil {
			t.Fatal(err)
		}
		var inbound, outbox, audit, members int
		db.X().Get(&inbound, "SELECT COUNT(*) FROM inbound")
		db.X().Get(&outbox, "SELECT COUNT(*) FROM outbox")
		db.X().Get(&audit, "SELECT COUNT(*) FROM audit_log")
		db.X().Get(&members, "SELECT COUNT(*) FROM registrations")
		if p.Inbound != 6 || p.Outbox != 1 || inbound != 2 || outbox != 1 {
			t.Fatalf("purged %+v; left inbound %d (want the unfinished old one and the new one), outbox %d (want the pending one)", p, inbound, outbox)
		}
		if auditBefore == 0 || audit != auditBefore || members != 1 {
			t.Fatalf("audit %d→%d, registrations %d: records and the audit log must stay", auditBefore, audit, members)
		}
	})
}

// CheckWritable fails when the database answers but refuses writes: a user
// that may only read, as a full disk or a read-only replica would.
func TestCheckWritableRefusedWrites(t *testing.T) {
	db := storagetest.Open(t, storage.MySQL)
	if err := db.CheckWritable(ctx, "r1"); err != nil {
		t.Fatalf("a writable database: %v", err)
	}
	var dbName string
	db.X().Get(&dbName, "SELECT DATABASE()")
	user := "ro_" + strings.ReplaceAll(dbName, "-", "_")
	if len(user) > 32 {
		user = user[:32]
	}
	for _, q := range []string{
		"CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY 'ro'",
		"GRANT SELECT ON `" + dbName + "`.* TO '" + user + "'@'%'",
	} {
		if _, err := db.X().Exec(q); err != nil {
			t.Skipf("cannot make a read-only user: %v", err)
		}
	}
	t.Cleanup(func() { db.X().Exec("DROP USER '" + user + "'@'%'") })
	dsn := os.Getenv("JINQIU_TEST_MYSQL_DSN")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User, cfg.Passwd, cfg.DBName = user, "ro", dbName
	ro, err := storage.Open(ctx, storage.MySQL, cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Ping(ctx); err != nil {
		t.Fatalf("the read-only connection does not answer: %v", err)
	}
	if err := ro.CheckWritable(ctx, "r1"); err == nil {
		t.Fatal("CheckWritable passed on a database that refuses writes")
	}
}

// TestSyncDropsGroupsTakenOutOfTheConfig: a group removed from the
// configuration is no longer its branch's, nor a bureau group once removed
// from bureau.groups; put back, it is again.
func TestSyncDropsGroupsTakenOutOfTheConfig(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		b1 := storage.BranchSpec{Branch: jinqiu.Branch{ID: "b1", Name: "枣行社区临时党支部", Town: "城关街道", Kind: "community"},
			Groups: []jinqiu.Group{{Platform: "wecom", ChatID: "c1"}}}
		b2 := storage.BranchSpec{Branch: jinqiu.Branch{ID: "b2", Name: "史家庄村党支部", Town: "王庄镇", Kind: "rural"}}
		if err := db.SyncConfig(ctx, []storage.BranchSpec{b1, b2}, nil); err != nil {
			t.Fatal(err)
		}
		if g, err := db.GroupByChat(ctx, "wecom", "c1"); err != nil || g.BranchID != "b1" {
			t.Fatalf("kept group = %+v, %v", g, err)
		}
		for _, c := range []struct{ platform, chat string }{{"dingtalk", "c2"}, {"wecom", "bureau"}} {
			if g, err := db.GroupByChat(ctx, jinqiu.Platform(c.platform), c.chat); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s/%s taken out of the config is still %+v (%v)", c.platform, c.chat, g, err)
			}
		}
		if gs, err := db.Groups(ctx, "b2"); err != nil || len(gs) != 0 {
			t.Errorf("b2's groups = %v, %v; want none", gs, err)
		}
		seed(t, db) // put back
		if g, err := db.GroupByChat(ctx, "dingtalk", "c2"); err != nil || g.BranchID != "b2" {
			t.Errorf("put back: %+v, %v", g, err)
		}
	})
}
