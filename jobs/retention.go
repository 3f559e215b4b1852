package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/storage"
)

var purgedRows = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "jinqiu_purged_rows_total",
	Help: "Rows removed after storage.retention, by table (inbound: received messages and replies; outbox: settled sends).",
}, []string{"table"})

// Retention removes received messages and settled outbox rows older than
// Keep, every Every. Replicas may all run it: deleting is idempotent.
type Retention struct {
	DB    *storage.DB
	Keep  time.Duration
	Every time.Duration // an hour when zero
	Log   *slog.Logger
	Now   func() time.Time
}

// Once purges what is older than Keep at now.
func (r *Retention) Once(ctx context.Context, now time.Time) (storage.Purged, error) {
	p, err := r.DB.Purge(ctx, now.Add(-r.Keep), 500)
	purgedRows.WithLabelValues("inbound").Add(float64(p.Inbound))
	purgedRows.WithLabelValues("outbox").Add(float64(p.Outbox))
	return p, err
}

// Run purges now and every Every (an hour when zero) until ctx ends.
func (r *Retention) Run(ctx context.Context) {
	repeat(ctx, r.Every, time.Hour, func() {
		p, err := r.Once(ctx, r.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			r.Log.Warn("purge after retention", "error", err)
		case p.Inbound+p.Outbox > 0:
			r.Log.Info("purged after retention", "inbound", p.Inbound, "outbox", p.Outbox, "keep", r.Keep.String())
		}
	})
}
