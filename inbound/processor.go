package inbound

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu"
)

// ProcessorFunc adapts a function to Processor, for tests of adapters;
// Delivered does nothing.
type ProcessorFunc func(ctx context.Context, m jinqiu.Message) (Outcome, error)

// Process calls f.
func (f ProcessorFunc) Process(ctx context.Context, m jinqiu.Message) (Outcome, error) {
	return f(ctx, m)
}

// Delivered implements Processor.
func (f ProcessorFunc) Delivered(context.Context, int64) {}

// ErrBusy means the processor is at its limit of messages handled at once:
// answer 503, and the platform sends the message again.
var ErrBusy = errors.New("too many messages in flight")

var shedTotal = promauto.NewCounter(prometheus.CounterOpts{
	Name: "jinqiu_callbacks_shed_total",
	Help: "Verified callbacks answered 503 because max_in_flight messages were being handled.",
})

// Limit returns p bounded to n messages handled at once. Adapters call a
// Processor only with verified messages, so a slow or forged request never
// takes one of the n places.
func Limit(p Processor, n int) Processor {
	if n <= 0 {
		return p
	}
	return &limited{Processor: p, slots: make(chan struct{}, n)}
}

type limited struct {
	Processor
	slots chan struct{}
}

func (l *limited) Process(ctx context.Context, m jinqiu.Message) (Outcome, error) {
	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
		return l.Processor.Process(ctx, m)
	default:
		shedTotal.Inc()
		return Outcome{}, ErrBusy
	}
}
