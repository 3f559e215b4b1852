// Package inbound is the exactly-once pipeline: a verified message is
// claimed (a lease with a fence), handled, and finished with its effects in
// one transaction; copies wait for the holder or take a dead one over; what
// a dead process left is recovered. Platforms hand it messages through
// Processor.
package inbound

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"jinqiu"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/storage"
)

// Handler answers one verified, deduplicated message. An error is internal
// (the database is down, say): nothing durable happened and the platform
// should retry. Every write the handler makes through ctx joins the
// message's transaction (storage.WithUnit).
type Handler interface {
	Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error)
}

// ErrInFlight means another attempt at the same message is alive and did
// not finish within the reply budget: the platform should send it again
// (answer 503), and will then get the stored reply.
// Defaults of the pipeline's settings (server.reply_budget and
// server.recover_after in config.yaml).
const (
	// DefaultBudget is how long a callback is handled before its answer
	// goes out later instead: within WeCom's 5 s.
	DefaultBudget = 3 * time.Second
	// DefaultGrace is how long a message a dead process left waits for
	// the platform's resend (WeCom resends three times, 5 s apart).
	DefaultGrace = 20 * time.Second
)

var ErrInFlight = errors.New("message in flight elsewhere")

var (
	messagesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jinqiu_messages_total",
		Help: "Messages by platform and outcome (answered, late, duplicate, waited, taken_over, in_flight, recovered, error).",
	}, []string{"platform", "outcome"})
	handleSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "jinqiu_handle_seconds",
		Help:    "Time to handle a message, from claim to finish.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"platform"})
)

// Pipeline turns a verified message into its reply exactly once.
//
// The inbound row's unique key is the dedup; the row is claimed with a
// lease that the holder renews while it works, and a fence. The handler's
// effects, its outbox rows and the stored reply commit in one transaction
// with the row's finish, which checks the fence: a holder whose lease was
// taken over commits nothing. A repeat of the message waits (within the
// budget) for a live holder and returns the stored reply, takes over a
// lapsed one at once, and is never answered empty for a message nobody
// will finish. A message whose holder died and that the platform does not
// send again is handled by Recover from the stored message.
//
// Safe for concurrent use.
type Pipeline struct {
	DB      *storage.DB
	Handler Handler
	Log     *slog.Logger
	// Budget is how long a callback waits for its reply before it is
	// answered empty and the reply goes out later (3 s when zero).
	Budget time.Duration
	// HandleTimeout bounds a handler that keeps running after Budget
	// (1 minute when zero).
	HandleTimeout time.Duration
	// Lease is how long a claim lives without renewal (4 s when zero): a
	// holder that dies loses the message this long after its last
	// renewal. The holder renews it every Lease/4.
	Lease time.Duration
	// Owe is how long an adapter that posts replies itself has to do so
	// before Recover queues the reply instead (30 s when zero).
	Owe time.Duration
	// Grace is how long Recover leaves a lapsed message to the platform's
	// own retries before it handles it itself (20 s when zero: WeCom
	// resends three times, 5 s apart).
	Grace time.Duration
	// MaxAttempts bounds how often a message is taken over before it is
	// answered with the apology (5 when zero).
	MaxAttempts int

	mu        sync.Mutex
	running   map[int64]chan struct{} // this process's holders, closed when they end
	delivered []int64                 // replies posted, to be marked (Delivered)
	flushing  bool
}

// Outcome is how a message was answered.
type Outcome struct {
	Reply jinqiu.Reply
	// Post is set when the adapter posts replies itself (Message.PostsReply)
	// and must post this one; it then calls Delivered(ID).
	Post bool
	// ID is the inbound row, for Delivered.
	ID int64
	// Replayed marks the stored reply of a message handled before.
	Replayed bool
}

// Processor turns a verified message into its outcome, once. An error means
// the platform should send the message again (answer 5xx): nothing
// durable happened, or another live attempt holds it (ErrInFlight). An
// empty outcome is answered with an empty 200: the reply, if any, goes out
// later through the outbox.
type Processor interface {
	Process(ctx context.Context, m jinqiu.Message) (Outcome, error)
	// Delivered records that an outcome with Post went out (or was
	// handed to the outbox).
	Delivered(ctx context.Context, id int64)
}

var _ Processor = (*Pipeline)(nil)

// Process implements Processor.
func (p *Pipeline) Process(ctx context.Context, m jinqiu.Message) (Outcome, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return Outcome{}, fmt.Errorf("encode message: %w", err)
	}
	in, claimed, err := p.DB.ClaimInbound(ctx, storage.NewInbound{
		Platform: m.Platform, Robot: m.Robot, MsgID: m.MsgID, ChatID: m.ChatID, UserID: m.UserID, Message: string(body),
	}, p.lease())
	if err != nil {
		return Outcome{}, fmt.Errorf("claim: %w", err)
	}
	if f, ok := ctx.Value(recordedKey{}).(func()); ok {
		f()
	}
	deadline := time.Now().Add(p.budget())
	if claimed {
		return p.hold(ctx, m, storage.Claim{ID: in.ID, Fence: in.Fence}, deadline)
	}
	return p.follow(ctx, m, in, deadline)
}

// follow answers a repeat of a message recorded before: the stored reply,
// or, after a takeover of a lapsed claim, the reply of handling it here.
func (p *Pipeline) follow(ctx context.Context, m jinqiu.Message, in storage.Inbound, deadline time.Time) (Outcome, error) {
	waited := false
	poll := 25 * time.Millisecond
	for {
		now := p.DB.Now()
		switch {
		case in.State == storage.InboundDone:
			if waited {
				messagesTotal.WithLabelValues(string(m.Platform), "waited").Inc()
			}
			return p.stored(ctx, m, in)
		case in.State == storage.InboundProcessing && (in.Lapsed(now) || in.LeaseUntil == 0):
			// Once decided, a takeover completes even if the platform
			// hangs up: the message is handled and its reply goes late.
			c, ok, err := p.DB.TakeOver(context.WithoutCancel(ctx), in, p.lease())
			if err != nil {
				return Outcome{}, err
			}
			if ok {
				messagesTotal.WithLabelValues(string(m.Platform), "taken_over").Inc()
				p.Log.Info("message taken over from a lapsed claim", "platform", m.Platform, "msg_id", m.MsgID, "fence", c.Fence)
				return p.hold(ctx, m, c, deadline)
			}
		}
		// A live holder: wait for it, here or on another replica.
		waited = true
		left := time.Until(deadline)
		if left <= 0 {
			messagesTotal.WithLabelValues(string(m.Platform), "in_flight").Inc()
			return Outcome{}, ErrInFlight
		}
		wait := min(poll, left)
		if lu := time.UnixMilli(in.LeaseUntil); in.LeaseUntil > 0 && lu.After(now) {
			wait = min(wait, lu.Sub(now)+time.Millisecond)
		}
		select {
		case <-p.ended(in.ID):
		case <-time.After(wait):
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
		poll = min(poll*2, 200*time.Millisecond)
		var err error
		if in, err = p.DB.InboundByID(ctx, in.ID); err != nil {
			return Outcome{}, fmt.Errorf("follow: %w", err)
		}
	}
}

// attempt is one holder's handling of a message, shared between the
// callback that waits for it and the goroutine that does it.
type attempt struct {
	mu sync.Mutex
	// gaveUp: the callback stopped waiting, so the reply goes to the
	// outbox with the finish.
	gaveUp bool
	// finishing: the finish is under way with the reply for the callback,
	// which must then wait for it rather than give up.
	finishing bool
}

type handled struct {
	r   jinqiu.Reply
	err error
}

// hold handles a message this attempt has claimed and answers it within
// the budget, or answers empty and lets the finish queue the reply.
func (p *Pipeline) hold(ctx context.Context, m jinqiu.Message, c storage.Claim, deadline time.Time) (Outcome, error) {
	a := &attempt{}
	done := make(chan handled, 1)
	ended := p.begin(c.ID)
	// The handler runs on a context of its own: when the callback gives up
	// waiting, the work goes on and its reply is delivered late.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.handleTimeout())
	go func() {
		defer cancel()
		defer p.end(c.ID, ended)
		r, err := p.run(hctx, m, c, a)
		done <- handled{r, err}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var res handled
	select {
	case res = <-done:
	case <-timer.C:
		if p.giveUp(a, done, m) {
			return Outcome{}, nil
		}
		res = <-done
	case <-ctx.Done():
		// The platform hung up: an answer now would go nowhere, so the
		// reply goes out late.
		if p.giveUp(a, done, m) {
			return Outcome{}, nil
		}
		res = <-done
	}
	switch {
	case errors.Is(res.err, storage.ErrFenced):
		// Another attempt took the message over while this one was slow:
		// its answer is the one.
		in, err := p.DB.InboundByID(ctx, c.ID)
		if err != nil {
			return Outcome{}, fmt.Errorf("after fence: %w", err)
		}
		return p.follow(ctx, m, in, deadline)
	case res.err != nil:
		return Outcome{}, res.err
	}
	messagesTotal.WithLabelValues(string(m.Platform), "answered").Inc()
	return Outcome{Reply: res.r, Post: m.PostsReply && !res.r.Empty(), ID: c.ID}, nil
}

// giveUp stops the callback's wait for a: true unless the finish with the
// reply for the callback is already under way (then the callback waits
// for it, briefly). When it gave up, the finish queues the reply.
func (p *Pipeline) giveUp(a *attempt, done <-chan handled, m jinqiu.Message) bool {
	a.mu.Lock()
	finishing := a.finishing
	if !finishing {
		a.gaveUp = true
	}
	a.mu.Unlock()
	if finishing {
		return false
	}
	messagesTotal.WithLabelValues(string(m.Platform), "late").Inc()
	go p.drain(done, m)
	return true
}

// drain waits for a handler whose callback gave up on it, for its log.
func (p *Pipeline) drain(done <-chan handled, m jinqiu.Message) {
	if res := <-done; res.err != nil && !errors.Is(res.err, storage.ErrFenced) {
		p.Log.Error("late message not handled", "platform", m.Platform, "msg_id", m.MsgID, "error", res.err)
	}
}

// run handles a claimed message and finishes its row, renewing the lease
// meanwhile. A transaction lost under the handler (a deadlock) runs the
// handler again. On failure the claim is released for the next attempt.
func (p *Pipeline) run(ctx context.Context, m jinqiu.Message, c storage.Claim, a *attempt) (jinqiu.Reply, error) {
	start := time.Now()
	defer func() { handleSeconds.WithLabelValues(string(m.Platform)).Observe(time.Since(start).Seconds()) }()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := p.renew(ctx, cancel, m, c)
	defer func() { stop() }()

	var err error
	for try := 0; try < 3; try++ {
		var r jinqiu.Reply
		uctx := p.DB.WithUnit(ctx)
		r, err = p.safeHandle(uctx, m)
		if err == nil {
			a.mu.Lock()
			late := a.gaveUp
			a.finishing = !late
			a.mu.Unlock()
			f := storage.Finish{Reply: encodeReply(r)}
			switch {
			case late:
				f.Late = p.lateRows(m, r)
			case m.PostsReply && !r.Empty():
				f.Owe = p.owe()
			}
			stop() // the finish must not race a renewal of its own row
			if err = p.DB.FinishInbound(uctx, c, f); err == nil {
				return r, nil
			}
			a.mu.Lock()
			a.finishing = false
			a.mu.Unlock()
		}
		storage.Abort(uctx)
		if cause := context.Cause(ctx); errors.Is(cause, storage.ErrFenced) {
			err = cause
		}
		if errors.Is(err, storage.ErrFenced) {
			return jinqiu.Reply{}, err
		}
		if !storage.Broken(err) || ctx.Err() != nil {
			break
		}
		stop = p.renew(ctx, cancel, m, c)
	}
	messagesTotal.WithLabelValues(string(m.Platform), "error").Inc()
	p.Log.Error("handle message", "platform", m.Platform, "robot", m.Robot, "msg_id", m.MsgID, "error", err)
	if rerr := p.DB.ReleaseInbound(context.WithoutCancel(ctx), c); rerr != nil {
		p.Log.Error("release inbound", "msg_id", m.MsgID, "error", rerr)
	}
	return jinqiu.Reply{}, err
}

// renew keeps the claim's lease alive until stop is called; a lost lease
// cancels ctx with ErrFenced. Most messages finish long before the first
// renewal is due, so it is a timer, not a goroutine; stop waits for a
// renewal under way.
func (p *Pipeline) renew(ctx context.Context, cancel context.CancelCauseFunc, m jinqiu.Message, c storage.Claim) (stop func()) {
	var mu sync.Mutex
	stopped := false
	var t *time.Timer
	var tick func()
	tick = func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil {
			return
		}
		err := p.DB.RenewInbound(ctx, c, p.lease())
		switch {
		case errors.Is(err, storage.ErrFenced):
			p.Log.Warn("lease of a message taken over while handling it", "platform", m.Platform, "msg_id", m.MsgID)
			cancel(storage.ErrFenced)
			return
		case err != nil && ctx.Err() == nil:
			p.Log.Warn("renew message lease", "msg_id", m.MsgID, "error", err)
		}
		t.Reset(p.lease() / 4)
	}
	mu.Lock() // tick reads t under mu
	t = time.AfterFunc(p.lease()/4, tick)
	mu.Unlock()
	return func() {
		mu.Lock() // a renewal under way finishes first
		t.Stop()
		stopped = true
		mu.Unlock()
	}
}

// lateRows are the outbox rows that deliver r after the callback was
// answered: to the message's own reply address while it works, else to
// its group. Replies are at least once: a missing answer is worse than a
// repeated one.
func (p *Pipeline) lateRows(m jinqiu.Message, r jinqiu.Reply) []storage.Outbound {
	if r.Empty() {
		return nil
	}
	dedup := outbox.DedupKey("late", string(m.Platform), m.Robot, m.MsgID)
	switch {
	case m.Late.Kind == jinqiu.KindWebhook && m.Late.Robot != "":
		// A group robot's own webhook: its key is looked up when sent.
		return []storage.Outbound{outbox.ToRobot(dedup, m.Platform, m.Late.Robot, m.ChatID, r)}
	case m.Late.Kind == jinqiu.KindPush && m.Late.ChatID != "":
		return []storage.Outbound{outbox.ToLate(dedup, m.ChatID, m.Late, r)}
	case m.Late.URL != "" && (m.Late.Expires.IsZero() || p.DB.Now().Before(m.Late.Expires)):
		return []storage.Outbound{outbox.ToLate(dedup, m.ChatID, m.Late, r)}
	case m.ChatID != "" && m.ChatType == jinqiu.ChatGroup:
		return []storage.Outbound{outbox.ToGroup(dedup, m.Platform, m.ChatID, r, storage.AtLeastOnce)}
	}
	p.Log.Warn("late reply has nowhere to go", "platform", m.Platform, "msg_id", m.MsgID)
	return nil
}

// Delivered implements Processor. The marks of replies posted within a few
// milliseconds are written together, in one statement: every DingTalk
// message makes one, and under load they would cost a statement each. A
// crash before the write makes Recover post those replies again after Owe:
// a duplicate, never a loss.
func (p *Pipeline) Delivered(_ context.Context, id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delivered = append(p.delivered, id)
	if !p.flushing {
		p.flushing = true
		time.AfterFunc(10*time.Millisecond, func() { p.FlushDelivered(context.Background()) })
	}
}

// FlushDelivered writes the marks Delivered has gathered; serve calls it
// once more when it stops.
func (p *Pipeline) FlushDelivered(ctx context.Context) {
	p.mu.Lock()
	ids := p.delivered
	p.delivered, p.flushing = nil, false
	p.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.DB.Delivered(ctx, ids...); err != nil {
		p.Log.Warn("record delivered replies", "count", len(ids), "error", err)
	}
}

// Recover handles, once, what dead processes left: messages whose lease
// lapsed more than Grace ago (the platform's retries did not come), and
// replies an adapter owed and never posted. Their replies go out through
// the outbox. Up to eight at once: a crash under load leaves many. It
// returns how many rows it settled.
func (p *Pipeline) Recover(ctx context.Context) (int, error) {
	rows, err := p.DB.LapsedInbound(ctx, p.DB.Now().Add(-p.grace()), 200)
	if err != nil {
		return 0, err
	}
	var (
		mu    sync.Mutex
		n     int
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 8)
	for _, in := range rows {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok, err := p.recoverOne(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				n++
			}
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	return n, first
}

// recoverOne settles one lapsed row; ok when this call settled it.
func (p *Pipeline) recoverOne(ctx context.Context, in storage.Inbound) (bool, error) {
	var m jinqiu.Message
	if !in.Message.Valid || json.Unmarshal([]byte(in.Message.String), &m) != nil {
		// A row from before messages were kept: nothing to handle.
		_, err := p.DB.SettleOwed(ctx, in)
		return false, err
	}
	if in.State == storage.InboundDone {
		r, err := decodeReply(in.Reply)
		if err != nil {
			p.Log.Error("stored reply unreadable", "inbound_id", in.ID, "error", err)
		}
		ok, err := p.DB.SettleOwed(ctx, in, p.lateRows(m, r)...)
		if ok {
			messagesTotal.WithLabelValues(string(m.Platform), "recovered").Inc()
		}
		return ok, err
	}
	c, ok, err := p.DB.TakeOver(ctx, in, p.lease())
	if err != nil || !ok {
		return false, err
	}
	p.Log.Warn("handling a message its process left", "platform", m.Platform, "msg_id", m.MsgID, "attempt", in.Attempts+1)
	if in.Attempts >= p.maxAttempts() {
		// It failed every time: say so rather than try for ever.
		uctx := p.DB.WithUnit(ctx)
		err = p.DB.FinishInbound(uctx, c, storage.Finish{Reply: encodeReply(jinqiu.Reply{Text: say.Apology()}), Late: p.lateRows(m, jinqiu.Reply{Text: say.Apology()})})
	} else {
		hctx, cancel := context.WithTimeout(ctx, p.handleTimeout())
		ended := p.begin(c.ID)
		_, err = p.run(hctx, m, c, &attempt{gaveUp: true})
		p.end(c.ID, ended)
		cancel()
	}
	if err != nil {
		return false, nil // released for the next attempt; run logged it
	}
	messagesTotal.WithLabelValues(string(m.Platform), "recovered").Inc()
	return true, nil
}

// RunRecovery calls Recover now and every interval until ctx ends.
func (p *Pipeline) RunRecovery(ctx context.Context, interval time.Duration) {
	for {
		if n, err := p.Recover(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("recover messages", "error", err)
		} else if n > 0 {
			p.Log.Info("recovered messages left by a dead process", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// begin registers this process as a message's holder; followers here wait
// on the channel instead of polling.
func (p *Pipeline) begin(id int64) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running == nil {
		p.running = map[int64]chan struct{}{}
	}
	ch := make(chan struct{})
	p.running[id] = ch
	return ch
}

func (p *Pipeline) end(id int64, ch chan struct{}) {
	p.mu.Lock()
	if p.running[id] == ch {
		delete(p.running, id)
	}
	p.mu.Unlock()
	close(ch)
}

// ended returns a channel closed when this process's holder of the row
// ends; nil (never ready) when there is none here.
func (p *Pipeline) ended(id int64) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running[id]
}

// safeHandle turns a handler panic into an apology: a panic is a bug that a
// retry would repeat, so it is answered, logged and not retried. Whatever
// the handler wrote before it panicked is rolled back.
func (p *Pipeline) safeHandle(ctx context.Context, m jinqiu.Message) (r jinqiu.Reply, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.Log.Error("handler panic", "platform", m.Platform, "msg_id", m.MsgID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			storage.Abort(ctx)
			r, err = jinqiu.Reply{Text: say.Apology()}, nil
		}
	}()
	return p.Handler.Handle(ctx, m)
}

// stored answers a repeat with the reply stored by the attempt that
// handled the message. A reply an adapter owed and whose deliverer died
// (its debt ran out) is this repeat's to post.
func (p *Pipeline) stored(ctx context.Context, m jinqiu.Message, in storage.Inbound) (Outcome, error) {
	messagesTotal.WithLabelValues(string(m.Platform), "duplicate").Inc()
	r, err := decodeReply(in.Reply)
	if err != nil {
		return Outcome{}, fmt.Errorf("stored reply: %w", err)
	}
	out := Outcome{Reply: r, ID: in.ID, Replayed: true}
	if m.PostsReply && !r.Empty() && in.Lapsed(p.DB.Now()) {
		ok, err := p.DB.SettleOwed(ctx, in)
		if err != nil {
			return Outcome{}, err
		}
		out.Post = ok
	}
	return out, nil
}

type recordedKey struct{}

// OnRecorded returns ctx carrying f, which Process calls once the message
// is durably recorded (claimed here, or found recorded before) and before
// it is handled: a platform that redelivers until it is acknowledged
// (DingTalk Stream) acknowledges there, so that a slow handler causes no
// redelivery and a crash before the record loses nothing.
func OnRecorded(ctx context.Context, f func()) context.Context {
	return context.WithValue(ctx, recordedKey{}, f)
}

func encodeReply(r jinqiu.Reply) string {
	b, _ := json.Marshal(r) // a struct of strings
	return string(b)
}

func decodeReply(s sql.NullString) (jinqiu.Reply, error) {
	var r jinqiu.Reply
	if !s.Valid || s.String == "" {
		return r, nil
	}
	err := json.Unmarshal([]byte(s.String), &r)
	return r, err
}

func (p *Pipeline) budget() time.Duration        { return orDefault(p.Budget, DefaultBudget) }
func (p *Pipeline) handleTimeout() time.Duration { return orDefault(p.HandleTimeout, time.Minute) }
func (p *Pipeline) lease() time.Duration         { return orDefault(p.Lease, 4*time.Second) }
func (p *Pipeline) owe() time.Duration           { return orDefault(p.Owe, 30*time.Second) }
func (p *Pipeline) grace() time.Duration         { return orDefault(p.Grace, DefaultGrace) }

func (p *Pipeline) maxAttempts() int {
	if p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return 5
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
