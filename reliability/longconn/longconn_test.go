package longconn

import (
	"context"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/inbound"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func full() bool { return os.Getenv("JINQIU_RELIABILITY_FULL") == "1" }

func sizeD(reduced, fullSize time.Duration) time.Duration {
	if full() {
		return fullSize
	}
	return reduced
}

func size(reduced, fullSize int) int {
	if full() {
		return fullSize
	}
	return reduced
}

func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	fmt.Println(line)
	if p := os.Getenv("JINQIU_RELIABILITY_FIGURES"); p != "" {
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// flow sends n messages at perSecond through send, numbered from 0, while
// every `every` the fault runs; it returns the number of faults.
func flow(n, perSecond int, every time.Duration, send func(i int), fault func()) int {
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	defer tick.Stop()
	faults := time.NewTicker(every)
	defer faults.Stop()
	count := 0
	for i := 0; i < n; {
		select {
		case <-tick.C:
			send(i)
			i++
		case <-faults.C:
			fault()
			count++
		}
	}
	return count
}

// wecomReplica is one in-process replica serving the WeCom bot.
type wecomReplica struct {
	ws   *wecom.WS
	kill context.CancelFunc
	done chan struct{}
}

type wecomRig struct {
	fake *platformtest.FakeWeComWS
	db   *storage.DB
	echo *platformtest.Echo

	mu       sync.Mutex
	fallback map[string]int // replies pushed instead, by msgid
}

func newWeComRig(t *testing.T) *wecomRig {
	r := &wecomRig{fake: platformtest.NewWeComWS(t), db: storagetest.Open(t, storage.SQLite), echo: &platformtest.Echo{}, fallback: map[string]int{}}
	r.fake.AddBot("BOT1", "s3cret")
	r.fake.AckDelay = 2 * time.Millisecond
	return r
}

func (r *wecomRig) start(t *testing.T, name string, ttl time.Duration) *wecomReplica {
	ctx, cancel := context.WithCancel(context.Background())
	ws := &wecom.WS{
		URL: r.fake.URL, Robot: wecom.Robot{Name: "ws", Mode: wecom.ModeAIBotWS, BotID: "BOT1", Secret: "s3cret"},
		Proc: &inbound.Pipeline{DB: r.db, Handler: r.echo, Log: quiet()}, Leases: r.db, Holder: name, Log: quiet(),
		LeaseTTL: ttl, MinBackoff: 100 * time.Millisecond,
		OnUndelivered: func(_ context.Context, m jinqiu.Message, _ jinqiu.Reply) {
			r.mu.Lock()
			r.fallback[m.MsgID]++
			r.mu.Unlock()
		},
	}
	rp := &wecomReplica{ws: ws, kill: cancel, done: make(chan struct{})}
	go func() { defer close(rp.done); ws.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-rp.done })
	return rp
}

// check waits until every message is handled and answered on one of its
// own req_ids, and counts what went wrong.
func (r *wecomRig) check(t *testing.T, n int) (lost, twice, misrouted, replies int) {
	text := func(i int) string { return fmt.Sprintf("msg %d", i) }
	answered := func() map[string]bool {
		got := map[string]bool{}
		for _, rep := range r.fake.Replies() {
			if rep.Content == r.echo.Reply("msg "+rep.MsgID[1:]) {
				got[rep.MsgID] = true
			}
		}
		return got
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(answered()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := answered()
	for i := range n {
		id := fmt.Sprintf("m%d", i)
		if !got[id] || r.echo.Handled(id) == 0 {
			lost++
		}
	}
	for _, rep := range r.fake.Replies() {
		var i int
		fmt.Sscanf(rep.MsgID, "m%d", &i)
		if rep.Content != r.echo.Reply(text(i)) {
			misrouted++
		}
	}
	return lost, r.echo.Twice(), misrouted, len(r.fake.Replies())
}

func wecomMsg(i int) platformtest.WeComWSMessage {
	return platformtest.WeComWSMessage{MsgID: fmt.Sprintf("m%d", i), ChatID: "wrGroup", UserID: fmt.Sprintf("u%d", i%7), Text: fmt.Sprintf("msg %d", i)}
}

func TestF24WeComDrops(t *testing.T) {
	r := newWeComRig(t)
	r.start(t, "a", 0)
	waitFor(t, "subscription", 10*time.Second, func() bool { return r.fake.Subscribed("BOT1") })
	every, span, rate := sizeD(2*time.Second, 10*time.Second), sizeD(20*time.Second, 2*time.Minute), 20
	n := int(span.Seconds()) * rate
	drops := flow(n, rate, every, func(i int) { r.fake.Send("BOT1", wecomMsg(i)) }, func() { r.fake.Drop("BOT1") })
	lost, twice, misrouted, replies := r.check(t, n)
	_, kicks, stale, overlaps, redelivered := r.fake.Counts()
	r.mu.Lock()
	fallback := len(r.fallback)
	r.mu.Unlock()
	figure(t, "F24 wecom: %d msgs at %d/s, %d drops every %v: lost %d, handled twice %d, replies %d (misrouted %d, stale req_id %d, overlapping frames %d), redelivered by the fake %d, pushed instead %d, kicks %d",
		n, rate, drops, every, lost, twice, replies, misrouted, stale, overlaps, redelivered, fallback, kicks)
	if lost != 0 || twice != 0 || misrouted != 0 || stale != 0 || overlaps != 0 || kicks != 0 {
		t.Fail()
	}
}

func TestF25WeComOneHolder(t *testing.T) {
	r := newWeComRig(t)
	replicas := []*wecomReplica{r.start(t, "r0", 0), r.start(t, "r1", 0), r.start(t, "r2", 0)}
	next := 3
	waitFor(t, "subscription", 15*time.Second, func() bool { return r.fake.Subscribed("BOT1") })
	kills, rate := size(3, 10), 20
	var sent int
	var mu sync.Mutex
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				mu.Lock()
				r.fake.Send("BOT1", wecomMsg(sent))
				sent++
				mu.Unlock()
			}
		}
	}()
	var failovers []time.Duration
	for k := 0; k < kills; k++ {
		time.Sleep(time.Second)
		i := slices.IndexFunc(replicas, func(rp *wecomReplica) bool { return rp.ws.Subscribed() })
		if i < 0 {
			t.Fatal("no replica holds the connection")
		}
		died := time.Now()
		replicas[i].kill() // abrupt: no release, the lease lapses
		<-replicas[i].done
		waitFor(t, "failover", 30*time.Second, func() bool {
			return slices.ContainsFunc(replicas, func(rp *wecomReplica) bool { return rp.ws.Subscribed() })
		})
		failovers = append(failovers, time.Since(died))
		// The killed replica comes back as a new process.
		replicas[i] = r.start(t, fmt.Sprintf("r%d", next), 0)
		next++
	}
	close(stop)
	mu.Lock()
	n := sent
	mu.Unlock()
	lost, twice, misrouted, _ := r.check(t, n)
	subs, kicks, stale, _, _ := r.fake.Counts()
	worst := slices.Max(failovers)
	figure(t, "F25 wecom one holder: 3 replicas, %d kills of the holder, %d msgs at %d/s: subscriptions %d, two subscribed at once %d, failover worst %v (each %v), lost %d, handled twice %d, misrouted %d, stale req_id %d",
		kills, n, rate, subs, kicks, worst.Round(10*time.Millisecond), roundAll(failovers), lost, twice, misrouted, stale)
	if kicks != 0 || worst >= 10*time.Second || lost != 0 || twice != 0 || misrouted != 0 {
		t.Fail()
	}
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(10 * time.Millisecond)
	}
	return out
}

// dingRig is the DingTalk platform with the stream robot "st", opened
// against the fake, with the pipeline on SQLite.
type dingRig struct {
	fake *platformtest.FakeDingTalk
	echo *platformtest.Echo
}

// newDingRig runs replicas of the platform; their pipelines wait budget
// for a reply before it goes out late through the outbox (which these
// tests do not run: they read the sessionWebhook replies).
func newDingRig(t *testing.T, echo *platformtest.Echo, replicas int, budget time.Duration) *dingRig {
	r := &dingRig{fake: platformtest.NewDingTalk(t), echo: echo}
	r.fake.AddApp("dingAPPKEY", "appSECRET")
	db := storagetest.Open(t, storage.SQLite)
	for range replicas {
		p := dingtalk.New()
		cfg := p.Section().(*dingtalk.Config)
		cfg.APIBase, cfg.OpenAPIBase = r.fake.URL, r.fake.URL
		cfg.Robots = []dingtalk.Robot{{Name: "st", Mode: dingtalk.ModeStream, ClientID: "dingAPPKEY", ClientSecret: "appSECRET"}}
		if problems := p.Configure(nil); len(problems) > 0 {
			t.Fatal(problems)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		t.Cleanup(func() { cancel(); wg.Wait() })
		p.Open(bot.Env{Processor: &inbound.Pipeline{DB: db, Handler: echo, Log: quiet(), Budget: budget}, Client: r.fake.Client(), Log: quiet(), Now: time.Now,
			Background: func(run func(context.Context)) {
				wg.Add(1)
				go func() { defer wg.Done(); run(ctx) }()
			}}, http.NewServeMux())
	}
	return r
}

// check waits until every message has a reply on its own session and
// counts what went wrong.
func (r *dingRig) check(t *testing.T, n int) (lost, twice, misrouted, extra int) {
	per := func() map[string]int {
		got := map[string]int{}
		for _, m := range r.fake.Messages() {
			if m.Kind == jinqiu.KindSession {
				got[r.fake.SessionMsg(m.Robot)]++
			}
		}
		return got
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(per()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := per()
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		if got[id] == 0 || r.echo.Handled(id) == 0 {
			lost++
		}
		extra += max(0, got[id]-1)
	}
	for _, m := range r.fake.Messages() {
		if m.Kind == jinqiu.KindSession && m.Content != r.echo.Reply("text "+r.fake.SessionMsg(m.Robot)) {
			misrouted++
		}
	}
	return lost, r.echo.Twice(), misrouted, extra
}

func streamMsg(i int) platformtest.StreamMessage {
	id := fmt.Sprintf("s%d", i)
	return platformtest.StreamMessage{MsgID: id, ConversationID: "cidGroup", StaffID: fmt.Sprintf("u%d", i%7), Text: "text " + id}
}

func TestF24DingTalkDrops(t *testing.T) {
	echo := &platformtest.Echo{}
	r := newDingRig(t, echo, 1, 0)
	r.fake.StreamTiming(platformtest.DefaultTicketLife, sizeD(time.Second, 5*time.Second), sizeD(time.Second, 10*time.Second))
	waitFor(t, "a connection", 10*time.Second, func() bool { return r.fake.StreamConnections() == 1 })
	every, span, rate := sizeD(2*time.Second, 10*time.Second), sizeD(20*time.Second, 2*time.Minute), 20
	n := int(span.Seconds()) * rate
	// Alternately the server's announced disconnect and an abrupt drop.
	k := 0
	faults := flow(n, rate, every, func(i int) { r.fake.SendStream(streamMsg(i)) }, func() {
		if k++; k%2 == 1 {
			r.fake.DisconnectStream()
		} else {
			r.fake.DropStream()
		}
	})
	lost, twice, misrouted, extra := r.check(t, n)
	pushes, redelivered, opened, _, _ := r.fake.StreamCounts()
	figure(t, "F24 dingtalk: %d msgs at %d/s, %d faults every %v (disconnect and drop alternately): lost %d, handled twice %d, misrouted replies %d, extra replies %d, frames pushed %d (redelivered %d), connections opened %d",
		n, rate, faults, every, lost, twice, misrouted, extra, pushes, redelivered, opened)
	if lost != 0 || twice != 0 || misrouted != 0 {
		t.Fail()
	}
}

func TestF26DingTalkLateAck(t *testing.T) {
	redeliver := sizeD(time.Second, 10*time.Second)
	echo := &platformtest.Echo{Delay: redeliver * 2} // handling outlasts the redelivery time
	// The ack goes out at once whatever the budget; a budget past the
	// handlers keeps their replies on the sessionWebhook for the count.
	r := newDingRig(t, echo, 2, echo.Delay+10*time.Second)
	r.fake.StreamTiming(platformtest.DefaultTicketLife, redeliver, 10*time.Second)
	waitFor(t, "two connections", 10*time.Second, func() bool { return r.fake.StreamConnections() == 2 })
	n := size(40, 200)
	for i := range n {
		r.fake.SendStream(streamMsg(i))
	}
	lost, twice, misrouted, extra := r.check(t, n)
	late := 0
	var worst time.Duration
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		acked, ended := r.fake.StreamAcked(id), echo.Ended(id)
		if acked.IsZero() || !acked.Before(ended) {
			late++
		}
		if lead := ended.Sub(acked); lead > worst {
			worst = lead
		}
	}
	_, redelivered, _, _, _ := r.fake.StreamCounts()
	figure(t, "F26 dingtalk late ack: %d msgs, 2 replicas, handlers %v against redelivery after %v: handled twice %d, lost %d, acks after handling %d (handling ended up to %v after the ack), redelivered %d, misrouted %d, extra replies %d",
		n, echo.Delay, redeliver, twice, lost, late, worst.Round(10*time.Millisecond), redelivered, misrouted, extra)
	if twice != 0 || lost != 0 || late != 0 || misrouted != 0 {
		t.Fail()
	}
}
