package jobs

import (
	"context"
	"log/slog"
	"time"

	"jinqiu/storage"
)

// ActiveDays adds, every Every, the kept active days of events written
// without them (storage.CatchUpActiveDays): those of a replica of an older
// version still running during a rolling upgrade. Replicas may all run it.
type ActiveDays struct {
	DB    *storage.DB
	Every time.Duration // five minutes when zero
	Log   *slog.Logger
}

// Run catches up now and every Every until ctx ends.
func (j *ActiveDays) Run(ctx context.Context) {
	repeat(ctx, j.Every, 5*time.Minute, func() {
		n, err := j.DB.CatchUpActiveDays(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			j.Log.Warn("catch up active days", "error", err)
		case n > 0:
			// Only a replica of an older version writes events without
			// their day: worth a line while it runs.
			j.Log.Info("caught up active days written without them", "rows", n)
		}
	})
}
