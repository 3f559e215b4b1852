package inbound_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"jinqiu/inbound"
	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// counting is a handler that records every call and writes a row per call,
// so a second effect would show in the database.
type counting struct {
	db    *storage.DB
	calls atomic.Int64
	delay time.Duration
	fail  atomic.Int64 // fail this many calls first
	// broken fails this many calls as a deadlock would, after writing.
	broken atomic.Int64
	// gate, when set, is waited on after the write (before it, with
	// gateFirst): the test decides when the handler ends.
	gate      chan struct{}
	gateFirst bool
	tag       string // tells the rows of two handlers apart
}

func (c *counting) wait(ctx context.Context) error {
	if c.gate == nil {
		return nil
	}
	select {
	case <-c.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *counting) Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error) {
	n := c.calls.Add(1)
	if c.fail.Load() > 0 {
		c.fail.Add(-1)
		return jinqiu.Reply{}, errors.New("database down")
	}
	time.Sleep(c.delay)
	if c.gateFirst {
		if err := c.wait(ctx); err != nil {
			return jinqiu.Reply{}, err
		}
	}
	if err := c.db.Enqueue(ctx, storage.Outbound{DedupKey: "effect|" + m.MsgID + "|" + c.tag + fmt.Sprint(n), Platform: "x", Robot: "x", Target: "{}", Body: "{}"}); err != nil {
		return jinqiu.Reply{}, err
	}
	if c.broken.Load() > 0 {
		c.broken.Add(-1)
		return jinqiu.Reply{}, fmt.Errorf("sign up: %w", storage.ErrUnitBroken)
	}
	if !c.gateFirst {
		if err := c.wait(ctx); err != nil {
			return jinqiu.Reply{}, err
		}
	}
	return jinqiu.Reply{Text: "收到 " + m.Text}, nil
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func msg(id string) jinqiu.Message {
	return jinqiu.Message{Platform: wecom.Name, Robot: "r1", MsgID: id, ChatID: "c1", ChatType: jinqiu.ChatGroup, UserID: "u1", Text: "签到"}
}

// effects counts the rows the counting handler wrote.
func effects(t *testing.T, db *storage.DB) int {
	t.Helper()
	var n int
	if err := db.X().Get(&n, "SELECT COUNT(*) FROM outbox WHERE dedup_key LIKE 'effect|%'"); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPipelineDuplicatesHaveOneEffectAndTheSameAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db, delay: 20 * time.Millisecond}
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		const M, D = 20, 3
		var wg sync.WaitGroup
		var answered atomic.Int64
		for i := 0; i < M; i++ {
			for d := 0; d < D; d++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, err := p.Process(context.Background(), msg(fmt.Sprint("m", i)))
					if err != nil {
						t.Error(err)
					}
					if out.Reply.Text == "收到 签到" {
						answered.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		if got := h.calls.Load(); got != M {
			t.Errorf("handler calls = %d, want %d", got, M)
		}
		if got := effects(t, db); got != M {
			t.Errorf("effects = %d, want %d", got, M)
		}
		// A copy that arrives while the first is handled waits for it.
		if answered.Load() != M*D {
			t.Errorf("answered = %d, want every delivery (%d) with the reply", answered.Load(), M*D)
		}
		out, err := p.Process(context.Background(), msg("m3"))
		if err != nil || out.Reply.Text != "收到 签到" || !out.Replayed {
			t.Errorf("retry = %+v %v, want the stored reply", out, err)
		}
		if got := h.calls.Load(); got != M {
			t.Errorf("retry ran the handler again: calls = %d", got)
		}
	})
}

// A copy on another replica (another Pipeline on the same database) polls
// the row and gets the holder's reply.
func TestPipelineCopyOnAnotherReplicaWaitsForTheHolder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db, gate: make(chan struct{}), gateFirst: true}
		a := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		b := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		first := make(chan inbound.Outcome)
		go func() {
			out, _ := a.Process(context.Background(), msg("slow"))
			first <- out
		}()
		waitCalls(t, h, 1)
		second := make(chan inbound.Outcome)
		go func() {
			out, err := b.Process(context.Background(), msg("slow"))
			if err != nil {
				t.Error(err)
			}
			second <- out
		}()
		time.Sleep(100 * time.Millisecond)
		close(h.gate)
		if got := <-first; got.Reply.Text != "收到 签到" {
			t.Fatalf("first delivery = %+v", got)
		}
		if got := <-second; got.Reply.Text != "收到 签到" || !got.Replayed {
			t.Fatalf("copy on the other replica = %+v, want the holder's reply", got)
		}
		if h.calls.Load() != 1 || effects(t, db) != 1 {
			t.Fatalf("calls %d effects %d, want 1 and 1", h.calls.Load(), effects(t, db))
		}
	})
}

// A copy that outwaits the budget while the holder lives is asked to come
// again (ErrInFlight: 503), never answered empty.
func TestPipelineCopyBeyondTheBudgetIsAskedToResend(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := &counting{db: db, gate: make(chan struct{}), gateFirst: true}
	p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Budget: 150 * time.Millisecond}
	go p.Process(context.Background(), msg("slow"))
	waitCalls(t, h, 1)
	_, err := p.Process(context.Background(), msg("slow"))
	if !errors.Is(err, inbound.ErrInFlight) {
		t.Fatalf("copy beyond the budget: %v, want ErrInFlight", err)
	}
	close(h.gate)
}

func TestPipelineFailureLetsThePlatformRetry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db}
		h.fail.Store(1)
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		if _, err := p.Process(context.Background(), msg("f1")); err == nil {
			t.Fatal("a failed handler gave no error (the platform would not retry)")
		}
		in, err := db.InboundByMsg(context.Background(), wecom.Name, "r1", "f1")
		if err != nil || in.State != storage.InboundProcessing || !in.Lapsed(db.Now().Add(time.Millisecond)) {
			t.Fatalf("after a failure the row is %+v %v, want processing with its lease given up", in, err)
		}
		out, err := p.Process(context.Background(), msg("f1"))
		if err != nil || out.Reply.Text == "" {
			t.Fatalf("retry = %+v %v", out, err)
		}
		if got := effects(t, db); got != 1 {
			t.Fatalf("effects = %d, want 1", got)
		}
	})
}

// A transaction lost under the handler (a deadlock) runs the message again;
// the lost attempt's write is gone with it.
func TestPipelineBrokenTransactionRunsTheMessageAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db}
		h.broken.Store(1)
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		out, err := p.Process(context.Background(), msg("dl"))
		if err != nil || out.Reply.Text != "收到 签到" {
			t.Fatalf("after a broken transaction = %+v %v", out, err)
		}
		if h.calls.Load() != 2 || effects(t, db) != 1 {
			t.Fatalf("calls %d effects %d, want 2 calls and 1 effect", h.calls.Load(), effects(t, db))
		}
	})
}

func TestPipelineLateReplyCommitsWithTheFinish(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db, delay: 200 * time.Millisecond}
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Budget: 20 * time.Millisecond}
		m := msg("late1")
		m.Late = jinqiu.Target{Platform: wecom.Name, Robot: "r1", Kind: jinqiu.KindResponseURL, URL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x", Expires: time.Now().Add(time.Hour)}
		out, err := p.Process(context.Background(), m)
		if err != nil || !out.Reply.Empty() {
			t.Fatalf("slow message answered %+v %v, want empty", out, err)
		}
		var row storage.OutboxRow
		for i := 0; i < 100; i++ {
			row, err = db.OutboxByKey(context.Background(), "late|wecom|r1|late1")
			if err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("late reply not queued: %v", err)
		}
		addr, reply, err := outbox.Decode(row)
		if err != nil || addr.Late == nil || addr.Late.Kind != jinqiu.KindResponseURL || reply.Text != "收到 签到" || row.Policy != storage.AtLeastOnce {
			t.Fatalf("late row = %+v %+v %v", addr, reply, err)
		}
		in, _ := db.InboundByMsg(context.Background(), wecom.Name, "r1", "late1")
		if in.State != storage.InboundDone || in.LeaseUntil != 0 {
			t.Fatalf("inbound after a late finish = %+v, want done and owing nothing", in)
		}
	})
}

type panicky struct{ db *storage.DB }

func (p panicky) Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error) {
	if p.db != nil {
		p.db.Enqueue(ctx, storage.Outbound{DedupKey: "effect|" + m.MsgID, Platform: "x", Robot: "x", Target: "{}", Body: "{}"})
	}
	panic("boom")
}

func TestPipelinePanicIsAnsweredAndItsWritesRolledBack(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	p := &inbound.Pipeline{DB: db, Handler: panicky{db}, Log: quiet()}
	out, err := p.Process(context.Background(), msg("p1"))
	if err != nil || out.Reply.Text != say.Apology() {
		t.Fatalf("panic = %+v %v, want the apology", out, err)
	}
	if n := effects(t, db); n != 0 {
		t.Fatalf("the panicking handler's write was kept: %d rows", n)
	}
}

// A claim whose holder died (a lapsed lease) is taken over by the next
// copy at once.
func TestPipelineRetryTakesOverALapsedClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db, "orphan", -time.Second)
		h := &counting{db: db}
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
		out, err := p.Process(context.Background(), msg("orphan"))
		if err != nil || out.Reply.Text == "" || out.Replayed {
			t.Fatalf("retry = %+v %v, want it handled", out, err)
		}
		in, _ := db.InboundByMsg(context.Background(), wecom.Name, "r1", "orphan")
		if h.calls.Load() != 1 || in.Fence != 2 || in.Attempts != 2 {
			t.Fatalf("calls %d, row %+v: want 1 call under fence 2", h.calls.Load(), in)
		}
	})
}

// A holder whose lease is taken over while it works commits nothing: its
// finish fails on the fence and its effects roll back with it; the
// callback answers with the taker's reply.
func TestPipelineFencedHolderCommitsNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		// SQLite has one writer: a holder inside its transaction blocks
		// every takeover, so there the holder pauses before its write.
		slow := &counting{db: db, gate: make(chan struct{}), gateFirst: db.Dialect() == storage.SQLite, tag: "slow"}
		// Renewal at Lease/4 would keep a live holder's lease: this one is
		// paused past it, as a stopped process would be.
		a := &inbound.Pipeline{DB: db, Handler: slow, Log: quiet(), Lease: time.Hour}
		first := make(chan inbound.Outcome)
		go func() {
			out, _ := a.Process(context.Background(), msg("fenced"))
			first <- out
		}()
		waitCalls(t, slow, 1)
		// The holder's lease runs out (it was paused): force it.
		if _, err := db.X().Exec("UPDATE inbound SET lease_until_ms = 1 WHERE msg_id = 'fenced'"); err != nil {
			t.Fatal(err)
		}
		fast := &counting{db: db}
		b := &inbound.Pipeline{DB: db, Handler: fast, Log: quiet()}
		out, err := b.Process(context.Background(), msg("fenced"))
		if err != nil || out.Reply.Text != "收到 签到" {
			t.Fatalf("takeover = %+v %v", out, err)
		}
		close(slow.gate)
		if got := <-first; got.Reply.Text != "收到 签到" {
			t.Fatalf("fenced holder's callback = %+v, want the taker's reply", got)
		}
		if n := effects(t, db); n != 1 {
			t.Fatalf("effects = %d, want 1 (the fenced holder's must roll back)", n)
		}
	})
}

// Recover handles a message whose process died and that the platform did
// not send again, from the stored message, and queues its reply.
func TestPipelineRecoverHandlesWhatADeadProcessLeft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db, "left", -time.Minute)
		h := &counting{db: db}
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Grace: time.Second}
		n, err := p.Recover(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("Recover = %d %v, want 1", n, err)
		}
		row, err := db.OutboxByKey(context.Background(), "late|wecom|r1|left")
		if err != nil {
			t.Fatalf("recovered reply not queued: %v", err)
		}
		if _, r, _ := outbox.Decode(row); r.Text != "收到 签到" {
			t.Fatalf("queued reply = %+v", r)
		}
		if n, _ := p.Recover(context.Background()); n != 0 || h.calls.Load() != 1 {
			t.Fatalf("a second Recover did %d (calls %d), want nothing", n, h.calls.Load())
		}
	})
}

// A reply an adapter owed (DingTalk posts it after handling) and never
// posted, because its process died, is posted by the next copy, or queued
// by Recover; once.
func TestPipelineOwedReplyIsSettledOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db}
		p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Owe: time.Millisecond, Grace: time.Millisecond}
		m := msg("owed")
		m.Platform, m.PostsReply = dingtalk.Name, true
		out, err := p.Process(context.Background(), m)
		if err != nil || !out.Post {
			t.Fatalf("first = %+v %v, want a reply to post", out, err)
		}
		// The process dies here, before posting and before Delivered.
		time.Sleep(5 * time.Millisecond)
		out, err = p.Process(context.Background(), m)
		if err != nil || !out.Post || !out.Replayed {
			t.Fatalf("copy after the deliverer died = %+v %v, want the stored reply to post", out, err)
		}
		out, _ = p.Process(context.Background(), m)
		if out.Post {
			t.Fatal("a third copy was told to post the reply again")
		}
		if n, _ := p.Recover(context.Background()); n != 0 {
			t.Fatalf("Recover settled %d rows, want 0: the copy took the debt", n)
		}
		// And one whose copy never came is queued by Recover.
		m.MsgID = "owed2"
		if out, _ := p.Process(context.Background(), m); !out.Post {
			t.Fatal("no reply to post")
		}
		time.Sleep(5 * time.Millisecond)
		if n, err := p.Recover(context.Background()); n != 1 || err != nil {
			t.Fatalf("Recover = %d %v, want the owed reply queued", n, err)
		}
		if _, err := db.OutboxByKey(context.Background(), "late|dingtalk|r1|owed2"); err != nil {
			t.Fatalf("owed reply not queued: %v", err)
		}
	})
}

// seed records a message as a dead process would have left it: claimed,
// stored, its lease lapsed `ago` ago.
func seed(t *testing.T, db *storage.DB, id string, ago time.Duration) {
	t.Helper()
	m := msg(id)
	body, _ := json.Marshal(m)
	if _, claimed, err := db.ClaimInbound(context.Background(), storage.NewInbound{Platform: m.Platform, Robot: m.Robot, MsgID: id, ChatID: m.ChatID, UserID: m.UserID, Message: string(body)}, time.Minute); err != nil || !claimed {
		t.Fatalf("seed claim: %v %v", claimed, err)
	}
	if _, err := db.X().Exec("UPDATE inbound SET lease_until_ms = ? WHERE msg_id = ?", time.Now().Add(ago).UnixMilli(), id); err != nil {
		t.Fatal(err)
	}
}

func waitCalls(t *testing.T, h *counting, n int64) {
	t.Helper()
	for i := 0; i < 500 && h.calls.Load() < n; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if h.calls.Load() < n {
		t.Fatalf("handler called %d times, want %d", h.calls.Load(), n)
	}
}

// A holder slower than its lease renews it: a copy on another replica
// meanwhile waits and gets the holder's reply; the handler runs once.
func TestPipelineSlowHolderKeepsItsLease(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db, delay: 900 * time.Millisecond}
		a := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Lease: 200 * time.Millisecond}
		b := &inbound.Pipeline{DB: db, Handler: h, Log: quiet(), Lease: 200 * time.Millisecond}
		first := make(chan inbound.Outcome)
		go func() {
			out, _ := a.Process(context.Background(), msg("slowlease"))
			first <- out
		}()
		waitCalls(t, h, 1)
		time.Sleep(400 * time.Millisecond) // twice the lease
		out, err := b.Process(context.Background(), msg("slowlease"))
		if err != nil || out.Reply.Text != "收到 签到" {
			t.Fatalf("copy while the holder renews = %+v %v, want the holder's reply", out, err)
		}
		<-first
		if h.calls.Load() != 1 || effects(t, db) != 1 {
			t.Fatalf("calls %d effects %d: the live holder was taken over", h.calls.Load(), effects(t, db))
		}
	})
}

// OnRecorded fires once the message is durable and before its handler
// runs, for the first copy and for a repeat alike: a platform that
// redelivers until acknowledged acknowledges there.
func TestPipelineOnRecordedBeforeHandling(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := &counting{db: db, gate: make(chan struct{}), gateFirst: true}
	p := &inbound.Pipeline{DB: db, Handler: h, Log: quiet()}
	recorded := make(chan struct{}, 2)
	ctx := inbound.OnRecorded(context.Background(), func() { recorded <- struct{}{} })
	done := make(chan error, 1)
	go func() { _, err := p.Process(ctx, msg("r1")); done <- err }()
	<-recorded // the handler is held at its gate: nothing handled yet
	if _, err := db.InboundByMsg(context.Background(), wecom.Name, "r1", "r1"); err != nil {
		t.Fatalf("recorded before the row exists: %v", err)
	}
	if n := effects(t, db); n != 0 {
		t.Fatalf("%d effects before the handler was let go: recorded came after handling", n)
	}
	close(h.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := p.Process(ctx, msg("r1")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-recorded:
	default:
		t.Error("a repeat was not reported recorded")
	}
	if n := h.calls.Load(); n != 1 {
		t.Errorf("handled %d times, want once", n)
	}
}
