package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/storage"
)

var creditedHours = promauto.NewCounter(prometheus.CounterOpts{
	Name: "jinqiu_credited_hours_total",
	Help: "Hours credited to people who signed up for an activity and checked in, once it ended.",
})

// Credits gives the hours of activities that have ended to the people who
// signed up and checked in, every Every. Replicas may all run it: an
// activity is credited once (storage.CreditEnded).
type Credits struct {
	DB    *storage.DB
	Loc   *time.Location
	Every time.Duration // a minute when zero
	Log   *slog.Logger
	Now   func() time.Time
}

// Once credits every activity that has ended by now.
func (c *Credits) Once(ctx context.Context, now time.Time) ([]storage.Credited, error) {
	var all []storage.Credited
	for {
		got, err := c.DB.CreditEnded(ctx, now, c.Loc, 100)
		all = append(all, got...)
		for _, g := range got {
			creditedHours.Add(float64(g.Centihours) / 100)
		}
		if err != nil || len(got) == 0 {
			return all, err
		}
	}
}

// Run credits now and every Every (a minute when zero) until ctx ends.
func (c *Credits) Run(ctx context.Context) {
	repeat(ctx, c.Every, time.Minute, func() {
		got, err := c.Once(ctx, c.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			c.Log.Warn("credit ended activities", "error", err)
		case len(got) > 0:
			c.Log.Info("credited ended activities", "people", len(got))
		}
	})
}
