package jobs

import (
	"context"
	"jinqiu"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/storage"
)

var publicityClosings = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "jinqiu_publicity_closings_total",
	Help: "Publicity periods of approved hours that ended, by result: announced (in the branch's groups), stale (closed longer ago than the catch-up: marked, not announced).",
}, []string{"result"})

// Closings announces in the branch's groups each 公示 whose period is over,
// saying how many entries became final and how many objections are still
// open, every Every. Replicas may all run it: a 公示 is announced once
// (storage.AnnounceClosed marks it in the transaction that writes the
// outbox rows). The entries are final by time alone; this only tells.
type Closings struct {
	DB *storage.DB
	// Platforms say which groups have a webhook to push to.
	Platforms Platforms
	// CatchUp bounds how late a closing is still news (DefaultLookback
	// when zero): one older, after downtime or at the first start, is
	// marked and logged, not announced.
	CatchUp time.Duration
	Every   time.Duration // a minute when zero
	Log     *slog.Logger
	Now     func() time.Time
}

func (c *Closings) catchUp() time.Duration {
	if c.CatchUp > 0 {
		return c.CatchUp
	}
	return DefaultLookback
}

// Once announces every 公示 closed by now and not yet announced. It
// returns those this call marked, announced or stale.
func (c *Closings) Once(ctx context.Context, now time.Time) ([]storage.ClosedPublicity, error) {
	var all []storage.ClosedPublicity
	for {
		got, err := c.DB.AnnounceClosed(ctx, now, 100, func(ctx context.Context, tx *storage.Tx, p storage.ClosedPublicity) ([]storage.Outbound, error) {
			return c.fan(ctx, tx, p, now)
		})
		for _, p := range got {
			if c.stale(p, now) {
				publicityClosings.WithLabelValues("stale").Inc()
				c.Log.Warn("publicity closed too long ago: marked, not announced", "publicity", p.ID, "branch", p.BranchID,
					"late", now.Sub(p.ClosesAt).Round(time.Minute).String())
			} else {
				publicityClosings.WithLabelValues("announced").Inc()
			}
		}
		all = append(all, got...)
		if err != nil || len(got) == 0 {
			return all, err
		}
	}
}

func (c *Closings) stale(p storage.ClosedPublicity, now time.Time) bool {
	return now.Sub(p.ClosesAt) > c.catchUp()
}

func (c *Closings) fan(ctx context.Context, tx *storage.Tx, p storage.ClosedPublicity, now time.Time) ([]storage.Outbound, error) {
	if c.stale(p, now) {
		return nil, nil
	}
	groups, err := tx.GroupsOf(ctx, p.BranchID)
	if err != nil {
		return nil, err
	}
	name := p.BranchName
	if name == "" {
		name = p.BranchID
	}
	year := p.ToDay.Equal(p.FromDay.AddDate(1, 0, 0))
	text := say.For(now).PublicityClosing(name, say.PeriodWords(year, p.FromDay), p.ClosesOn, p.Final, p.Objected)
	id := strconv.FormatInt(p.ID, 10)
	var out []storage.Outbound
	for _, g := range groups {
		if !c.Platforms.Pushable(g) {
			continue
		}
		out = append(out, outbox.ToGroup(outbox.DedupKey("publicity-closed", id, string(g.Platform), g.ChatID), g.Platform, g.ChatID,
			jinqiu.Reply{Text: text}, storage.AtMostOnce))
	}
	return out, nil
}

// Run announces now and every Every (a minute when zero) until ctx ends.
func (c *Closings) Run(ctx context.Context) {
	repeat(ctx, c.Every, time.Minute, func() {
		got, err := c.Once(ctx, c.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			c.Log.Warn("announce closed publicities", "error", err)
		case len(got) > 0:
			c.Log.Info("announced closed publicities", "publicities", len(got))
		}
	})
}
