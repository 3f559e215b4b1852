package jobs

import (
	"context"
	"time"
)

// repeat runs once now and every every (fallback when every <= 0) until
// ctx ends: the loop of the jobs that sweep on a timer.
func repeat(ctx context.Context, every, fallback time.Duration, once func()) {
	if every <= 0 {
		every = fallback
	}
	for {
		once()
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
