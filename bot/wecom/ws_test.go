package wecom_test

import (
	"context"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/inbound"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// wsRig is one replica serving the AI bot "ws" over a fake long
// connection, with the real pipeline on SQLite and an echoing handler.
type wsRig struct {
	t    *testing.T
	fake *platformtest.FakeWeComWS
	db   *storage.DB
	echo *platformtest.Echo
	ws   *wecom.WS
	stop context.CancelFunc
	done chan struct{}

	mu          sync.Mutex
	undelivered []jinqiu.Reply
}

func newWSRig(t *testing.T) *wsRig {
	t.Helper()
	r := &wsRig{t: t, fake: platformtest.NewWeComWS(t), db: storagetest.Open(t, storage.SQLite), echo: &platformtest.Echo{}}
	r.fake.AddBot("BOT1", "s3cret")
	r.ws = r.replica("a")
	return r
}

func (r *wsRig) replica(name string) *wecom.WS {
	p := &inbound.Pipeline{DB: r.db, Handler: r.echo, Log: quiet()}
	return &wecom.WS{
		URL: r.fake.URL, Robot: wecom.Robot{Name: "ws", Mode: wecom.ModeAIBotWS, BotID: "BOT1", Secret: "s3cret"},
		Proc: p, Leases: r.db, Holder: name, Log: quiet(),
		LeaseTTL: 600 * time.Millisecond, MinBackoff: 20 * time.Millisecond,
		OnUndelivered: func(_ context.Context, _ jinqiu.Message, rep jinqiu.Reply) {
			r.mu.Lock()
			r.undelivered = append(r.undelivered, rep)
			r.mu.Unlock()
		},
	}
}

func (r *wsRig) run(w *wecom.WS) (stop func(), done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	d := make(chan struct{})
	go func() { defer close(d); w.Run(ctx) }()
	r.t.Cleanup(func() { cancel(); <-d })
	return cancel, d
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWSRepliesOnEachMessagesReqID(t *testing.T) {
	r := newWSRig(t)
	r.fake.AckDelay = 5 * time.Millisecond
	r.run(r.ws)
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	const n = 20
	for i := range n {
		r.fake.Send("BOT1", platformtest.WeComWSMessage{MsgID: fmt.Sprintf("m%d", i), ChatID: "wrGroup", UserID: "u1", Text: fmt.Sprintf("hello %d", i)})
	}
	eventually(t, "replies", func() bool { return len(r.fake.Replies()) == n })
	for _, rep := range r.fake.Replies() {
		want := r.echo.Reply("hello " + strings.TrimPrefix(rep.MsgID, "m"))
		if rep.Content != want || !rep.Finish {
			t.Errorf("reply on %s (msg %s) = %q finish %v, want %q finished", rep.ReqID, rep.MsgID, rep.Content, rep.Finish, want)
		}
	}
	if _, _, stale, overlaps, _ := r.fake.Counts(); stale != 0 || overlaps != 0 {
		t.Errorf("stale req_ids %d, overlapping frames %d; want none", stale, overlaps)
	}
}

func TestWSRedeliveredMessageGetsTheStoredReply(t *testing.T) {
	r := newWSRig(t)
	r.run(r.ws)
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	m := platformtest.WeComWSMessage{MsgID: "dup", UserID: "u1", Text: "once"}
	r.fake.Send("BOT1", m)
	eventually(t, "first reply", func() bool { return len(r.fake.Replies()) == 1 })
	r.fake.Send("BOT1", m)
	eventually(t, "second reply", func() bool { return len(r.fake.Replies()) == 2 })
	reps := r.fake.Replies()
	if reps[0].ReqID == reps[1].ReqID || reps[0].Content != reps[1].Content || reps[1].Content != r.echo.Reply("once") {
		t.Errorf("replies %+v: want the stored reply on each copy's own req_id", reps)
	}
	if got := r.echo.Handled("dup"); got != 1 {
		t.Errorf("handled %d times, want once", got)
	}
}

func TestWSReconnectsAfterADropAndHeartbeats(t *testing.T) {
	r := newWSRig(t)
	r.ws.Heartbeat = 30 * time.Millisecond
	r.run(r.ws)
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	r.fake.Drop("BOT1")
	r.fake.Send("BOT1", platformtest.WeComWSMessage{MsgID: "after", UserID: "u1", Text: "back?"})
	eventually(t, "reply after the reconnect", func() bool { return len(r.fake.Replies()) == 1 })
	eventually(t, "pings", func() bool {
		r.fake.Counts()
		return len(r.fake.Gaps()) >= 1
	})
	subs, kicks, _, _, _ := r.fake.Counts()
	if subs < 2 || kicks != 0 {
		t.Errorf("subscriptions %d, kicks %d: want a resubscription and no kick", subs, kicks)
	}
}

func TestWSStandbyTakesOverAndKickedReplicaStandsDown(t *testing.T) {
	r := newWSRig(t)
	stopA, _ := r.run(r.ws)
	eventually(t, "a subscribed", func() bool { return r.ws.Subscribed() })
	b := r.replica("b")
	r.run(b)
	time.Sleep(100 * time.Millisecond)
	if b.Subscribed() {
		t.Fatal("the standby subscribed while the holder lives")
	}
	if err := b.Push(context.Background(), "wrGroup", jinqiu.Reply{Text: "x"}); jinqiu.Classify(err) != jinqiu.Throttled {
		t.Errorf("push from a standby: %v, want it held back (the holder's outbox sends it)", err)
	}
	stopA() // dies: the lease is left to lapse
	eventually(t, "b takes over", func() bool { return b.Subscribed() })
	if _, kicks, _, _, _ := r.fake.Counts(); kicks != 0 {
		t.Errorf("kicks = %d, want 0: the standby waited for the lease", kicks)
	}

	// A subscription from outside (another deployment): b holds the
	// lease, so it stands down and keeps the bot from every replica.
	_, done := r.run(r.replica("c"))
	r.fake.Kick("BOT1")
	eventually(t, "b stands down", func() bool { return !b.Subscribed() })
	time.Sleep(1500 * time.Millisecond) // over two lease lives
	if r.fake.Subscribed("BOT1") {
		t.Error("a replica subscribed again after the kick: it fights back")
	}
	select {
	case <-done:
		t.Error("c stopped; it should stand by")
	default:
	}
}

func TestWSVoiceIsSpoken(t *testing.T) {
	r := newWSRig(t)
	r.run(r.ws)
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	r.fake.Send("BOT1", platformtest.WeComWSMessage{MsgID: "v1", UserID: "u1", MsgType: "voice", Text: "报名"})
	eventually(t, "reply", func() bool { return len(r.fake.Replies()) == 1 })
	if !r.echo.Spoken("v1") {
		t.Error("a voice message reached the handler unmarked")
	}
}

func TestWSGroupPushThroughThePlatform(t *testing.T) {
	r := newWSRig(t)
	p := wecom.New()
	cfg := p.Section().(*wecom.Config)
	cfg.WSURL = r.fake.URL
	cfg.Robots = []wecom.Robot{{Name: "ws", Mode: wecom.ModeAIBotWS, BotID: "BOT1", Secret: "s3cret"}}
	if problems := p.Configure([]bot.GroupConfig{{Key: "branches[0].groups[0]", ChatID: "wrGroup", Robot: "ws"}}); len(problems) > 0 {
		t.Fatal(problems)
	}
	if !p.Pushable("wrGroup") {
		t.Error("a group served by a long-connection robot is not pushable")
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	env := bot.Env{Processor: &inbound.Pipeline{DB: r.db, Handler: r.echo, Log: quiet()}, Log: quiet(), Now: time.Now,
		Leases: r.db, Replica: "a", Background: func(run func(context.Context)) {
			wg.Add(1)
			go func() { defer wg.Done(); run(ctx) }()
		}}
	s := p.Open(env, http.NewServeMux())
	push := func() error {
		return s.Send(context.Background(), jinqiu.Target{Platform: wecom.Name, Kind: jinqiu.KindGroup, ChatID: "wrGroup"}, jinqiu.Reply{Markdown: "**通知**"})
	}
	// The fake counts the subscription when it answers it; the replica
	// holds the connection a moment later, when it reads the answer (a
	// push before then is "throttled" and the outbox retries it).
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	eventually(t, "a push through the held connection", func() bool { return push() == nil })
	pushes := r.fake.Pushes()
	if len(pushes) != 1 || pushes[0].ChatID != "wrGroup" || pushes[0].MsgType != "markdown" || pushes[0].Content != "**通知**" {
		t.Errorf("pushes = %+v", pushes)
	}
	err := s.Send(context.Background(), jinqiu.Target{Platform: wecom.Name, Kind: jinqiu.KindPush, Robot: "ws", ChatID: "u1"}, jinqiu.Reply{Text: "late"})
	if err != nil || len(r.fake.Pushes()) != 2 || r.fake.Pushes()[1].ChatID != "u1" {
		t.Errorf("late reply to a single chat: %v, pushes %+v", err, r.fake.Pushes())
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// cardHandler answers 活动 with an announcement carrying a 报名 button,
// and echoes anything else.
type cardHandler struct{ *platformtest.Echo }

func (h cardHandler) Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error) {
	if strings.HasSuffix(m.Text, "活动") {
		return jinqiu.Reply{Text: "3号活动 植树\n报名请发送：报名 3", Buttons: []jinqiu.Button{{Text: "报名", Command: "报名 3"}}}, nil
	}
	return h.Echo.Handle(ctx, m)
}

// A tap is the typed command: the same handling, once per event, and the
// same reply text, shown to the one who tapped in the updated card.
func TestWSCardTapIsTheTypedCommand(t *testing.T) {
	r := newWSRig(t)
	r.ws.Proc = &inbound.Pipeline{DB: r.db, Handler: cardHandler{r.echo}, Log: quiet()}
	r.run(r.ws)
	eventually(t, "subscription", func() bool { return r.fake.Subscribed("BOT1") })
	r.fake.Send("BOT1", platformtest.WeComWSMessage{MsgID: "ann", ChatID: "wrGroup", UserID: "sec", Text: "活动"})
	eventually(t, "the announcement", func() bool { return len(r.fake.Replies()) == 1 })
	ann := r.fake.Replies()[0]
	if len(ann.Buttons) != 1 || ann.Buttons[0].Key != "报名 3" || ann.Content != "3号活动 植树\n报名请发送：报名 3" {
		t.Fatalf("announcement = %+v, want its text and a 报名 button", ann)
	}

	for range 2 { // WeCom does not retry events, but a copy must not act twice
		r.fake.Click("BOT1", "tap1", "wrGroup", "u1", "task-1", ann.Buttons[0].Key)
	}
	eventually(t, "the card update", func() bool { return len(r.fake.Updates()) >= 1 })
	r.fake.Send("BOT1", platformtest.WeComWSMessage{MsgID: "typed", ChatID: "wrGroup", UserID: "u2", Text: "报名 3"})
	eventually(t, "the typed reply", func() bool { return len(r.fake.Replies()) == 2 })
	eventually(t, "both updates", func() bool { return len(r.fake.Updates()) == 2 })
	typed := r.fake.Replies()[1].Content
	for _, u := range r.fake.Updates() {
		if u.Title != typed || u.TaskID != "task-1" || len(u.UserIDs) != 1 || u.UserIDs[0] != "u1" {
			t.Errorf("card update %+v: want the typed reply %q for u1 on task-1", u, typed)
		}
	}
	if r.echo.Handled("tap1") != 1 || r.echo.Handled("typed") != 1 {
		t.Errorf("handled: tap %d, typed %d; want once each", r.echo.Handled("tap1"), r.echo.Handled("typed"))
	}
	if _, _, stale, _, _ := r.fake.Counts(); stale != 0 {
		t.Errorf("%d frames on the wrong req_id", stale)
	}
}

// A replica that stops in good order hands the lease on at once; a killed
// one (TestWSStandbyTakesOver...) leaves it to lapse.
func TestWSStopInGoodOrderReleasesTheLease(t *testing.T) {
	r := newWSRig(t)
	r.ws.LeaseTTL = time.Hour // a lapse would never come within the test
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.ws.Run(ctx) }()
	eventually(t, "subscription", func() bool { return r.ws.Subscribed() })
	cancel(bot.ErrStopping)
	<-done
	if ok, err := r.db.HoldLease(context.Background(), r.ws.LeaseName(), "b", time.Hour); err != nil || !ok {
		t.Errorf("after a stop in good order the lease is not free: %v, %v", ok, err)
	}
}
