package outbox

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"log/slog"
	"math/rand/v2"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/storage"
	"jinqiu/storage/state"
)

var (
	outboxSent = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "jinqiu_outbox_sent_total",
		Help: "Outbox sends by platform and result (sent, retry, throttled, dead, ambiguous).",
	}, []string{"platform", "result"})
	outboxParked = promauto.NewCounter(prometheus.CounterOpts{
		Name: "jinqiu_outbox_parked_total",
		Help: "Outbox rows parked after too many failures or a permanent error.",
	})
)

// Dispatcher sends due outbox rows. Several replicas may run one each: rows
// are leased, a robot has at most one row in flight, and the rate budget of
// each robot is shared through the state store.
type Dispatcher struct {
	DB    *storage.DB
	State state.Store
	// Senders are the platforms' senders, which resolve a group's
	// webhook themselves.
	Senders map[jinqiu.Platform]jinqiu.Sender
	Log     *slog.Logger
	Owner   string // this replica's name, for leases

	PerMinute   int
	MaxAttempts int
	// InFlight is how many robots a replica sends to at once (16 when
	// zero): it bounds the throughput (about InFlight / the platform's
	// latency) and what a crash leaves of unknown outcome.
	InFlight    int
	Poll        time.Duration
	Lease       time.Duration
	SendTimeout time.Duration

	// local stands in for State's budget while State is down: half the
	// budget, so that two replicas together stay under the platform's limit.
	localOnce sync.Once
	local     *state.Memory
}

// Run sends until ctx is done; a send under way when ctx ends is finished
// first, so that no row is left in flight by a graceful stop.
func (d *Dispatcher) Run(ctx context.Context) {
	poll := d.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	lastRecover := time.Time{}
	for {
		if d.DB.Now().Sub(lastRecover) > d.lease()/2 {
			if amb, retried, err := d.DB.RecoverLeases(ctx); err != nil {
				if ctx.Err() == nil {
					d.Log.Warn("recover outbox leases", "error", err)
				}
			} else if amb+retried > 0 {
				d.Log.Warn("outbox rows whose sender died", "ambiguous", amb, "resent", retried)
				outboxSent.WithLabelValues("", "ambiguous").Add(float64(amb))
			}
			lastRecover = d.DB.Now()
		}
		n, err := d.Tick(context.WithoutCancel(ctx))
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("dispatch outbox", "error", err)
		}
		wait := poll
		if n > 0 {
			wait = 10 * time.Millisecond // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Tick claims the due rows (one per robot) and sends them concurrently. It
// returns how many rows it claimed.
func (d *Dispatcher) Tick(ctx context.Context) (int, error) {
	rows, err := d.DB.ClaimOutbox(ctx, d.Owner, d.inFlight(), d.lease())
	if err != nil {
		return 0, err
	}
	done := make(chan struct{}, len(rows))
	for _, r := range rows {
		go func() {
			d.send(ctx, r)
			done <- struct{}{}
		}()
	}
	for range rows {
		<-done
	}
	return len(rows), nil
}

func (d *Dispatcher) send(ctx context.Context, row storage.OutboxRow) {
	log := d.Log.With("outbox_id", row.ID, "platform", row.Platform, "dedup_key", row.DedupKey)
	now := d.DB.Now()
	ok, wait, err := d.State.Allow(ctx, row.Robot, d.perMinute())
	if err != nil {
		d.localOnce.Do(func() { d.local = state.NewMemory() })
		ok, wait, _ = d.local.Allow(ctx, row.Robot, max(1, d.perMinute()/2))
	}
	if !ok {
		d.settle(ctx, log, d.DB.MarkRetry(ctx, row.ID, d.Owner, now.Add(wait), "rate budget", false))
		return
	}
	addr, reply, err := Decode(row)
	if err != nil {
		d.park(ctx, log, row, "undecodable row: "+err.Error())
		return
	}
	target := target(row, addr)
	sender := d.Senders[addr.Platform]
	if sender == nil {
		d.park(ctx, log, row, "no sender for platform "+string(addr.Platform))
		return
	}
	sctx, cancel := context.WithTimeout(ctx, d.sendTimeout())
	traced, marked := d.markOnWrite(sctx, log, row)
	err = sender.Send(traced, target, reply)
	cancel()
	marked()
	if err == nil {
		outboxSent.WithLabelValues(string(row.Platform), "sent").Inc()
		d.settle(ctx, log, d.DB.MarkSent(ctx, row.ID, d.Owner))
		return
	}
	var se *jinqiu.SendError
	errors.As(err, &se)
	switch jinqiu.Classify(err) {
	case jinqiu.Throttled:
		outboxSent.WithLabelValues(string(row.Platform), "throttled").Inc()
		pause := time.Minute
		if se != nil && se.RetryAfter > 0 {
			pause = se.RetryAfter
		}
		log.Warn("robot throttled by the platform", "pause", pause, "error", err)
		d.settle(ctx, log, d.DB.MarkRetry(ctx, row.ID, d.Owner, now.Add(pause), err.Error(), false))
	case jinqiu.Permanent:
		log.Error("outbox send refused permanently: check the robot's configuration", "error", err)
		d.park(ctx, log, row, err.Error())
	case jinqiu.Ambiguous:
		if row.Policy == storage.AtLeastOnce {
			d.retry(ctx, log, row, err)
			return
		}
		outboxSent.WithLabelValues(string(row.Platform), "ambiguous").Inc()
		log.Warn("outbox send outcome unknown; not resending", "error", err)
		d.settle(ctx, log, d.DB.MarkAmbiguous(ctx, row.ID, d.Owner, err.Error()))
	default:
		d.retry(ctx, log, row, err)
	}
}

// markOnWrite returns ctx traced so that the row is marked attempted
// (MarkAttempt) as soon as the sender's HTTP client has written the
// request, and wait, which returns once that mark is recorded (at once if
// no request was written). A crash before the mark puts the row back
// (RecoverLeases); a crash after it leaves the row ambiguous, not resent.
//
// The mark is written beside the request rather than before it: the
// request is flushed to the socket right after the trace hook returns,
// and the kernel delivers what was written even if the process is killed.
// So a crash never loses a message that was marked, and the window
// between the write and the mark's commit (a few milliseconds) can at
// worst repeat one message per robot in flight. Marking first would
// instead lose the messages whose mark committed while the process died:
// with many robots in flight, a reminder lost per group commit.
func (d *Dispatcher) markOnWrite(ctx context.Context, log *slog.Logger, row storage.OutboxRow) (traced context.Context, wait func()) {
	var once sync.Once
	done := make(chan struct{})
	started := false
	var mu sync.Mutex
	traced = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err != nil {
				return
			}
			once.Do(func() {
				mu.Lock()
				started = true
				mu.Unlock()
				go func() {
					defer close(done)
					if err := d.DB.MarkAttempt(context.WithoutCancel(ctx), row.ID, d.Owner); err != nil {
						log.Warn("outbox send not marked: a crash now could repeat it", "error", err)
					}
				}()
			})
		},
	})
	return traced, func() {
		mu.Lock()
		s := started
		mu.Unlock()
		if s {
			<-done
		}
	}
}

func (d *Dispatcher) retry(ctx context.Context, log *slog.Logger, row storage.OutboxRow, err error) {
	if row.Attempts >= d.maxAttempts() {
		d.park(ctx, log, row, fmt.Sprintf("gave up after %d attempts: %v", row.Attempts, err))
		return
	}
	outboxSent.WithLabelValues(string(row.Platform), "retry").Inc()
	d.settle(ctx, log, d.DB.MarkRetry(ctx, row.ID, d.Owner, d.DB.Now().Add(Backoff(row.Attempts)), err.Error(), true))
}

func (d *Dispatcher) park(ctx context.Context, log *slog.Logger, row storage.OutboxRow, why string) {
	outboxParked.Inc()
	outboxSent.WithLabelValues(string(row.Platform), "dead").Inc()
	log.Error("outbox row parked", "attempts", row.Attempts, "reason", why)
	d.settle(ctx, log, d.DB.MarkDead(ctx, row.ID, d.Owner, why))
}

func (d *Dispatcher) settle(_ context.Context, log *slog.Logger, err error) {
	if err != nil {
		// The lease runs out and RecoverLeases takes the row over.
		log.Error("record outbox result", "error", err)
	}
}

// target is where a row goes: its reply URL, or its group, whose webhook
// the platform's sender looks up as it sends (so keys never sit in the
// database).
func target(row storage.OutboxRow, a Address) jinqiu.Target {
	if a.Late != nil {
		return *a.Late
	}
	return jinqiu.Target{Platform: a.Platform, Robot: row.Robot, Kind: jinqiu.KindGroup, ChatID: a.ChatID, Via: a.Robot}
}

// Backoff is the wait before attempt n+1: exponential from 2 s, capped at
// 5 min, with jitter so that replicas do not retry in step.
func Backoff(attempts int) time.Duration {
	d := 2 * time.Second << min(attempts, 8)
	if d > 5*time.Minute {
		d = 5 * time.Minute
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)))
}

// Defaults of the dispatcher's settings (jobs.outbox in config.yaml).
const (
	// DefaultPerMinute is each robot's budget: under the platforms' 20 a
	// minute, which they count their own way.
	DefaultPerMinute   = 18
	DefaultMaxAttempts = 8
	DefaultPoll        = time.Second
	DefaultLease       = time.Minute
)

func (d *Dispatcher) perMinute() int {
	if d.PerMinute > 0 {
		return d.PerMinute
	}
	return DefaultPerMinute
}

func (d *Dispatcher) inFlight() int {
	if d.InFlight > 0 {
		return d.InFlight
	}
	return 16
}

func (d *Dispatcher) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (d *Dispatcher) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return DefaultLease
}

func (d *Dispatcher) sendTimeout() time.Duration {
	if d.SendTimeout > 0 {
		return d.SendTimeout
	}
	return 10 * time.Second
}
