package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

// counting is a handler that records every call and writes a row per call,
// so a second effect would show in the database.
type counting struct {
	db    *storage.DB
	calls atomic.Int64
	delay time.Duration
	fail  atomic.Int64 // fail this many calls first
}

func (c *counting) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	c.calls.Add(1)
	if c.fail.Load() > 0 {
		c.fail.Add(-1)
		return bot.Reply{}, errors.New("database down")
	}
	time.Sleep(c.delay)
	if err := c.db.Enqueue(ctx, storage.Outbound{DedupKey: "effect|" + m.MsgID + fmt.Sprint(c.calls.Load()), Platform: "x", Robot: "x", Target: "{}", Body: "{}"}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Reply{Text: "收到 " + m.Text}, nil
}

// downStore is a state store whose server is gone.
type downStore struct{}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (downStore) SetNX(context.Context, string, string, time.Duration) (bool, error) {
	return false, errDown
}
func (downStore) Get(context.Context, string) (string, bool, error)        { return "", false, errDown }
func (downStore) Set(context.Context, string, string, time.Duration) error { return errDown }
func (downStore) Delete(context.Context, string) error                     { return errDown }
func (downStore) Allow(context.Context, string, int) (bool, time.Duration, error) {
	return false, 0, errDown
}
func (downStore) Ping(context.Context) error { return errDown }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func msg(id string) bot.Message {
	return bot.Message{Platform: bot.WeCom, Robot: "r1", MsgID: id, ChatID: "c1", UserID: "u1", Text: "签到"}
}

func effects(t *testing.T, db *storage.DB) int {
	t.Helper()
	c, err := db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c[storage.OutboxPending]
}

func TestPipelineDuplicatesHaveOneEffectAndOneAnswer(t *testing.T) {
	for name, st := range map[string]func() state.Store{
		"memory":     func() state.Store { return state.NewMemory() },
		"redis_down": func() state.Store { return downStore{} },
	} {
		t.Run(name, func(t *testing.T) {
			storagetest.Each(t, func(t *testing.T, db *storage.DB) {
				h := &counting{db: db, delay: 20 * time.Millisecond}
				p := &bot.Pipeline{DB: db, State: st(), Handler: h, Log: quiet()}
				const M, D = 20, 3
				var wg sync.WaitGroup
				var answered atomic.Int64
				for i := 0; i < M; i++ {
					for d := 0; d < D; d++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							r, ok, err := p.Process(context.Background(), msg(fmt.Sprint("m", i)))
							if err != nil {
								t.Error(err)
							}
							if ok && r.Text != "" {
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
				if answered.Load() < M {
					t.Errorf("answered = %d, want at least one per message (%d)", answered.Load(), M)
				}
				// A retry after the first finished gets the stored answer again.
				r, ok, err := p.Process(context.Background(), msg("m3"))
				if err != nil || !ok || r.Text != "收到 签到" {
					t.Errorf("retry = %+v %v %v, want the stored reply", r, ok, err)
				}
				if got := h.calls.Load(); got != M {
					t.Errorf("retry ran the handler again: calls = %d", got)
				}
			})
		})
	}
}

func TestPipelineInFlightRetryGetsEmpty(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := &counting{db: db, delay: 300 * time.Millisecond}
	p := &bot.Pipeline{DB: db, State: state.NewMemory(), Handler: h, Log: quiet()}
	first := make(chan bot.Reply)
	go func() {
		r, _, _ := p.Process(context.Background(), msg("slow"))
		first <- r
	}()
	time.Sleep(50 * time.Millisecond)
	r, ok, err := p.Process(context.Background(), msg("slow"))
	if err != nil || ok || !r.Empty() {
		t.Fatalf("in-flight retry = %+v %v %v, want an empty answer", r, ok, err)
	}
	if got := <-first; got.Text == "" {
		t.Fatal("first delivery got no answer")
	}
	if h.calls.Load() != 1 {
		t.Fatalf("calls = %d", h.calls.Load())
	}
}

func TestPipelineFailureLetsThePlatformRetry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		h := &counting{db: db}
		h.fail.Store(1)
		p := &bot.Pipeline{DB: db, State: state.NewMemory(), Handler: h, Log: quiet()}
		if _, _, err := p.Process(context.Background(), msg("f1")); err == nil {
			t.Fatal("a failed handler gave no error (the platform would not retry)")
		}
		if _, err := db.InboundByMsg(context.Background(), bot.WeCom, "r1", "f1"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("inbound row kept after failure: %v", err)
		}
		r, ok, err := p.Process(context.Background(), msg("f1"))
		if err != nil || !ok || r.Text == "" {
			t.Fatalf("retry = %+v %v %v", r, ok, err)
		}
		if got := effects(t, db); got != 1 {
			t.Fatalf("effects = %d, want 1", got)
		}
	})
}

func TestPipelineLateReplyGoesToTheOutbox(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	h := &counting{db: db, delay: 200 * time.Millisecond}
	p := &bot.Pipeline{DB: db, State: state.NewMemory(), Handler: h, Log: quiet(), Budget: 20 * time.Millisecond}
	m := msg("late1")
	m.Late = bot.Target{Platform: bot.WeCom, Robot: "r1", Kind: bot.KindResponseURL, URL: "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=x", Expires: time.Now().Add(time.Hour)}
	r, ok, err := p.Process(context.Background(), m)
	if err != nil || ok || !r.Empty() {
		t.Fatalf("slow message answered %+v %v %v, want empty", r, ok, err)
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
	addr, reply, err := bot.DecodeOutbound(row)
	if err != nil || addr.Late == nil || addr.Late.Kind != bot.KindResponseURL || reply.Text != "收到 签到" || row.Policy != storage.AtLeastOnce {
		t.Fatalf("late row = %+v %+v %v", addr, reply, err)
	}
}

type panicky struct{}

func (panicky) Handle(context.Context, bot.Message) (bot.Reply, error) { panic("boom") }

func TestPipelinePanicIsAnsweredNotFatal(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	p := &bot.Pipeline{DB: db, State: state.NewMemory(), Handler: panicky{}, Log: quiet()}
	r, ok, err := p.Process(context.Background(), msg("p1"))
	if err != nil || !ok || r.Text != bot.Apology {
		t.Fatalf("panic = %+v %v %v, want the apology", r, ok, err)
	}
}

// A claim that committed while its connection broke leaves a processing
// row and no live attempt (the failed attempt cleared its mark): the
// platform's retry must handle the message, not answer "in flight" until
// the platform gives up.
func TestPipelineRetryTakesOverAnOrphanedClaim(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		if _, claimed, err := db.ClaimInbound(context.Background(), bot.WeCom, "r1", "orphan", "c1", "u1", time.Hour, false); err != nil || !claimed {
			t.Fatalf("seed claim: %v %v", claimed, err)
		}
		h := &counting{db: db}
		p := &bot.Pipeline{DB: db, State: state.NewMemory(), Handler: h, Log: quiet()}
		r, ok, err := p.Process(context.Background(), msg("orphan"))
		if err != nil || !ok || r.Text == "" {
			t.Fatalf("retry = %+v %v %v, want it handled", r, ok, err)
		}
		if h.calls.Load() != 1 {
			t.Fatalf("calls = %d, want 1", h.calls.Load())
		}
		// And a repeat now is a replay, marked so that a platform that
		// replies out of band does not send it again.
		r, ok, _ = p.Process(context.Background(), msg("orphan"))
		if !ok || !r.Replayed || h.calls.Load() != 1 {
			t.Fatalf("repeat = %+v %v (calls %d), want the stored reply marked replayed", r, ok, h.calls.Load())
		}
	})
}
