package storage

import (
	"sync"
	"time"
)

// lookupTTL bounds how stale a cached group, branch or role may be. They
// change only when the configuration is synced at start or the bureau grants
// a role (both clear this process's cache); another replica's change is seen
// within the TTL.
const lookupTTL = 30 * time.Second

// lookups caches the rows every message reads before anything else: its
// group, the group's branch and the sender's secretary roles. Safe for
// concurrent use.
type lookups struct {
	mu    sync.RWMutex
	items map[string]cached
}

type cached struct {
	v       any
	err     error
	expires time.Time
}

func newLookups() *lookups { return &lookups{items: map[string]cached{}} }

// get returns the cached value of key, or loads and caches it. Only
// results and ErrNotFound are cached, never other errors.
func (l *lookups) get(now time.Time, key string, load func() (any, error)) (any, error) {
	l.mu.RLock()
	c, ok := l.items[key]
	l.mu.RUnlock()
	if ok && now.Before(c.expires) {
		return c.v, c.err
	}
	v, err := load()
	if err != nil && err != ErrNotFound {
		return v, err
	}
	l.mu.Lock()
	if len(l.items) > 100_000 {
		l.items = map[string]cached{} // bounded: a province has far fewer
	}
	l.items[key] = cached{v: v, err: err, expires: now.Add(lookupTTL)}
	l.mu.Unlock()
	return v, err
}

func (l *lookups) clear() {
	l.mu.Lock()
	l.items = map[string]cached{}
	l.mu.Unlock()
}
