// Package state holds short-lived state shared between replicas: callback
// dedup marks, dialogue state and send budgets. Redis holds it when
// configured; otherwise it lives in memory, which is right for one process.
// Losing it may cost a dialogue or a fast-path dedup hit, never a record:
// the durable truth is in SQL.
package state

import (
	"context"
	"time"
)

// Store is short-lived state with expiry. Implementations are safe for
// concurrent use.
type Store interface {
	// SetNX sets key to value for ttl if it is absent, and reports whether
	// it did.
	SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error)
	// Get returns the value of key; ok is false if it is absent or expired.
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Set sets key to value for ttl.
	Set(ctx context.Context, key, value string, ttl time.Duration) error
	// Delete removes key.
	Delete(ctx context.Context, key string) error
	// Allow takes one unit of the budget of key, which refills at perMinute
	// units a minute with a burst of one (GCRA). If the budget is spent it
	// returns false and how long until the next unit.
	Allow(ctx context.Context, key string, perMinute int) (ok bool, retryAfter time.Duration, err error)
	// Ping checks the store answers.
	Ping(ctx context.Context) error
}
