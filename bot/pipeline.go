package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/storage"
	"jinqiu/storage/state"
)

// Handler answers one verified, deduplicated message. An error is internal
// (the database is down, say): nothing durable happened and the platform
// should retry.
type Handler interface {
	Handle(ctx context.Context, m Message) (Reply, error)
}

// Apology is said when a handler fails in a way a retry will not mend.
const Apology = "抱歉，系统出了点问题，我们已记录。请稍后再试，或发送“帮助”查看用法。"

var (
	messagesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jinqiu_messages_total",
		Help: "Callback messages by platform and outcome (answered, late, duplicate, in_flight, error).",
	}, []string{"platform", "outcome"})
	handleSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "jinqiu_handle_seconds",
		Help:    "Time to handle a message, from claim to reply.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"platform"})
	dedupFallback = promauto.NewCounter(prometheus.CounterOpts{
		Name: "jinqiu_dedup_state_errors_total",
		Help: "Fast-path dedup calls that failed (Redis down): the database decided alone.",
	})
)

// Pipeline turns a verified message into its reply exactly once: a fast
// dedup mark in the state store, the inbound row's unique key as the truth,
// the handler, the stored reply, and a late delivery through the outbox when
// the handler outlives the platform's budget.
type Pipeline struct {
	DB      *storage.DB
	State   state.Store
	Handler Handler
	Log     *slog.Logger
	// Budget is how long a callback waits for its reply before it is
	// answered empty and the reply goes out later.
	Budget time.Duration
	// HandleTimeout bounds a handler that keeps running after Budget.
	HandleTimeout time.Duration
	// Stale is how long an inbound row may stay processing before a retry
	// takes it over (its process died).
	Stale time.Duration
}

var _ Processor = (*Pipeline)(nil)

const dedupTTL = 24 * time.Hour

// Process implements Processor.
func (p *Pipeline) Process(ctx context.Context, m Message) (Reply, bool, error) {
	key := "in:" + m.Platform + ":" + m.Robot + ":" + m.MsgID
	// The mark's value is when it was set, so that a repeat can tell a
	// live attempt from one whose process died.
	fresh, err := p.State.SetNX(ctx, key, strconv.FormatInt(time.Now().Unix(), 10), dedupTTL)
	// Holding the mark means no other attempt at this message is alive:
	// each keeps it while it works and clears it when it fails.
	marked := err == nil && fresh
	if err != nil {
		dedupFallback.Inc()
		p.Log.Warn("dedup state unavailable; using the database", "error", err)
		fresh = true
	}
	if !fresh {
		// Most retries stop here; the row tells whether it is finished.
		in, err := p.DB.InboundByMsg(ctx, m.Platform, m.Robot, m.MsgID)
		switch {
		case err == nil && in.State == storage.InboundDone:
			return p.stored(m, in)
		case err == nil && p.DB.Now().Sub(in.ReceivedAt) < p.stale():
			messagesTotal.WithLabelValues(m.Platform, "in_flight").Inc()
			return Reply{}, false, nil
		case errors.Is(err, storage.ErrNotFound) && p.markIsRecent(ctx, key):
			// The attempt that set the mark has not claimed yet.
			messagesTotal.WithLabelValues(m.Platform, "in_flight").Inc()
			return Reply{}, false, nil
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return Reply{}, false, fmt.Errorf("dedup: %w", err)
		}
		// An old mark with no row (its process died before the claim) or
		// a stale row: the claim below decides.
	}
	in, claimed, err := p.DB.ClaimInbound(ctx, m.Platform, m.Robot, m.MsgID, m.ChatID, m.UserID, p.stale(), marked)
	if err != nil {
		p.forget(ctx, key)
		return Reply{}, false, fmt.Errorf("claim: %w", err)
	}
	if !claimed {
		if in.State == storage.InboundDone {
			return p.stored(m, in)
		}
		messagesTotal.WithLabelValues(m.Platform, "in_flight").Inc()
		return Reply{}, false, nil
	}

	done := make(chan handled, 1)
	start := time.Now()
	// The handler runs on a context of its own: when the callback gives up
	// waiting, the work goes on and its reply is delivered late.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.handleTimeout())
	go func() {
		defer cancel()
		r, err := p.safeHandle(hctx, m)
		if err == nil {
			err = p.DB.FinishInbound(hctx, in.ID, encodeReply(r))
		}
		handleSeconds.WithLabelValues(m.Platform).Observe(time.Since(start).Seconds())
		done <- handled{r, err}
	}()
	timer := time.NewTimer(p.budget())
	defer timer.Stop()
	select {
	case res := <-done:
		if res.err != nil {
			p.fail(ctx, in.ID, key, m, res.err)
			return Reply{}, false, res.err
		}
		messagesTotal.WithLabelValues(m.Platform, "answered").Inc()
		return res.r, true, nil
	case <-timer.C:
		messagesTotal.WithLabelValues(m.Platform, "late").Inc()
		go p.deliverLate(done, in.ID, key, m)
		return Reply{}, false, nil
	}
}

type handled struct {
	r   Reply
	err error
}

// deliverLate waits for a handler that outlived the budget and queues its
// reply through the outbox.
func (p *Pipeline) deliverLate(done <-chan handled, id int64, key string, m Message) {
	res := <-done
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if res.err != nil {
		p.fail(ctx, id, key, m, res.err)
		return
	}
	if res.r.Empty() {
		return
	}
	var o storage.Outbound
	dedup := "late|" + m.Platform + "|" + m.Robot + "|" + m.MsgID
	switch {
	case m.Late.URL != "" && (m.Late.Expires.IsZero() || time.Now().Before(m.Late.Expires)):
		o = LateOutbound(dedup, m.Late, res.r)
	case m.ChatID != "":
		o = GroupOutbound(dedup, m.Platform, m.ChatID, res.r, storage.AtLeastOnce)
	default:
		p.Log.Warn("late reply has nowhere to go", "platform", m.Platform, "msg_id", m.MsgID)
		return
	}
	if err := p.DB.Enqueue(ctx, o); err != nil {
		p.Log.Error("queue late reply", "platform", m.Platform, "msg_id", m.MsgID, "error", err)
	}
}

// fail forgets a message whose handling failed, so that the platform's
// retry handles it again.
func (p *Pipeline) fail(ctx context.Context, id int64, key string, m Message, err error) {
	messagesTotal.WithLabelValues(m.Platform, "error").Inc()
	p.Log.Error("handle message", "platform", m.Platform, "robot", m.Robot, "msg_id", m.MsgID, "error", err)
	ctx = context.WithoutCancel(ctx)
	if rerr := p.DB.ReleaseInbound(ctx, id); rerr != nil {
		p.Log.Error("release inbound", "msg_id", m.MsgID, "error", rerr)
	}
	p.forget(ctx, key)
}

// markIsRecent reports whether the dedup mark was set less than Stale ago
// (so its attempt may still be working).
func (p *Pipeline) markIsRecent(ctx context.Context, key string) bool {
	v, ok, err := p.State.Get(ctx, key)
	if err != nil || !ok {
		return false
	}
	at, err := strconv.ParseInt(v, 10, 64)
	return err == nil && time.Since(time.Unix(at, 0)) < p.stale()
}

func (p *Pipeline) forget(ctx context.Context, key string) {
	if err := p.State.Delete(context.WithoutCancel(ctx), key); err != nil {
		p.Log.Warn("clear dedup mark", "error", err)
	}
}

// safeHandle turns a handler panic into an apology: a panic is a bug that a
// retry would repeat, so it is answered, logged and not retried.
func (p *Pipeline) safeHandle(ctx context.Context, m Message) (r Reply, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.Log.Error("handler panic", "platform", m.Platform, "msg_id", m.MsgID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			r, err = Reply{Text: Apology}, nil
		}
	}()
	return p.Handler.Handle(ctx, m)
}

func (p *Pipeline) stored(m Message, in storage.Inbound) (Reply, bool, error) {
	messagesTotal.WithLabelValues(m.Platform, "duplicate").Inc()
	var r Reply
	if in.Reply.Valid && in.Reply.String != "" {
		if err := json.Unmarshal([]byte(in.Reply.String), &r); err != nil {
			return Reply{}, false, fmt.Errorf("stored reply: %w", err)
		}
	}
	r.Replayed = true
	return r, !r.Empty(), nil
}

func encodeReply(r Reply) string {
	b, _ := json.Marshal(r) // a struct of strings
	return string(b)
}

func (p *Pipeline) budget() time.Duration {
	if p.Budget > 0 {
		return p.Budget
	}
	return 3 * time.Second
}

func (p *Pipeline) handleTimeout() time.Duration {
	if p.HandleTimeout > 0 {
		return p.HandleTimeout
	}
	return time.Minute
}

func (p *Pipeline) stale() time.Duration {
	if p.Stale > 0 {
		return p.Stale
	}
	return 2 * time.Minute
}
