package console

import (
	"context"
	"sync"
	"time"
)

// memo keeps computed figures for a while. A district's figures at
// province scale take a second or more to compute (the weekly digest's
// aggregation), far more than a page may take: a page is answered from the
// last computation, and one that is older than ttl is computed again in
// the background while the old one is still served. Only the first
// request for a key waits (with every request for it that comes meanwhile).
type memo struct {
	ttl   time.Duration
	mu    sync.Mutex
	items map[string]*memoItem
}

type memoItem struct {
	val     any
	err     error
	at      time.Time
	ready   chan struct{} // closed when the first computation ends
	renewal bool          // a background computation is running
}

// memoMax bounds the keys kept (scopes × periods): past it the memo starts
// afresh rather than grow.
const memoMax = 2000

func newMemo(ttl time.Duration) *memo { return &memo{ttl: ttl, items: map[string]*memoItem{}} }

// get returns the value of key, computing it with load when it is absent
// (and waiting for that), or in the background when it is older than ttl.
// The time returned is when the value was computed.
func (m *memo) get(ctx context.Context, key string, load func(context.Context) (any, error)) (any, time.Time, error) {
	m.mu.Lock()
	it := m.items[key]
	if it == nil {
		if len(m.items) >= memoMax {
			m.items = map[string]*memoItem{}
		}
		it = &memoItem{ready: make(chan struct{})}
		m.items[key] = it
		m.mu.Unlock()
		// Detached from the request: a reader that gives up must not
		// spoil the value for those waiting with it.
		v, err := load(context.WithoutCancel(ctx))
		m.mu.Lock()
		it.val, it.err, it.at = v, err, time.Now()
		if err != nil {
			delete(m.items, key) // the next request tries again
		}
		m.mu.Unlock()
		close(it.ready)
		return v, it.at, err
	}
	m.mu.Unlock()
	select {
	case <-it.ready:
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if it.err != nil {
		return nil, time.Time{}, it.err
	}
	if time.Since(it.at) > m.ttl && !it.renewal {
		it.renewal = true
		go func() {
			v, err := load(context.WithoutCancel(ctx))
			m.mu.Lock()
			defer m.mu.Unlock()
			it.renewal = false
			if err == nil {
				it.val, it.at = v, time.Now()
			}
		}()
	}
	return it.val, it.at, nil
}

// stale marks every value as old: after a decision in the console, the
// figures it changes are computed again (in the background) on the next
// request, while the old ones are served once more.
func (m *memo) stale() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range m.items {
		it.at = time.Time{}
	}
}

// cached is m.get with the value's type.
func cached[T any](ctx context.Context, m *memo, key string, load func(context.Context) (T, error)) (T, time.Time, error) {
	v, at, err := m.get(ctx, key, func(ctx context.Context) (any, error) { return load(ctx) })
	if err != nil {
		var zero T
		return zero, at, err
	}
	return v.(T), at, nil
}
