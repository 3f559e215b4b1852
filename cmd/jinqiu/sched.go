package main

import (
	"context"
	"fmt"

	"jinqiu/jobs"
)

// startScheduler starts the cron jobs (reminders, digests) and returns the
// function that stops them, whose context ends when running jobs finish (or
// when the context given to it does).
func startScheduler(ctx context.Context, a *app, owner string) func(context.Context) context.Context {
	s, err := newScheduler(a, owner)
	var stop func(context.Context) context.Context
	if err == nil {
		stop, err = s.Start(ctx)
	}
	if err != nil {
		// The configuration was validated: this cannot happen, but if it
		// does the callbacks still deserve an answer.
		a.log.Error("scheduler not started: no reminders or digests will be sent", "error", err)
		return func(ctx context.Context) context.Context {
			done, cancel := context.WithCancel(ctx)
			cancel()
			return done
		}
	}
	a.log.Info("scheduler started", "timezone", a.cfg.Timezone, "branches", len(a.cfg.Branches), "digest", a.cfg.Jobs.Digest.Cron)
	return stop
}

// newScheduler builds the scheduler of the app's configuration: the same
// one serve runs and `jinqiu remind --dry-run` asks.
func newScheduler(a *app, owner string) (*jobs.Scheduler, error) {
	p, err := jobs.NewPlanner(planSettings(a.cfg))
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return &jobs.Scheduler{
		DB:        a.db,
		Planner:   p,
		Digests:   a.reports,
		Platforms: a.cfg.Platforms,
		Log:       a.log,
		Owner:     owner,
	}, nil
}
