package console

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"reflect"
	"strings"
	"sync"
	"time"

	"jinqiu/storage/state"
)

// memo keeps computed figures for a while. A district's figures at
// province scale take a second or more to compute (the weekly digest's
// aggregation), far more than a page may take: a page is answered from the
// last computation, and one that is older than ttl is computed again in
// the background while the old one is still served. Only the first
// request for a key waits (with every request for it that comes meanwhile).
//
// With a shared store (Redis, when configured) every computed value is
// also written there, and a replica that has none of its own yet (just
// started, or another replica's first request) serves the shared one and
// renews it behind: the pages of a province answer from figures computed
// elsewhere instead of waiting a second or more. Losing the store costs a
// computation, never a figure.
type memo struct {
	ttl    time.Duration
	shared state.Store // nil: this process only
	mu     sync.Mutex
	items  map[string]*memoItem
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

func newMemo(ttl time.Duration, shared state.Store) *memo {
	return &memo{ttl: ttl, shared: shared, items: map[string]*memoItem{}}
}

// sharedFor is how long a value is kept in the shared store: far longer
// than ttl, since a value renewed behind the page is still better than a
// wait, and a week's figures are not wanted after it.
const sharedFor = 24 * time.Hour

// get returns the value of key: when this process has none, the one first
// gives (the shared store's, else a computation; waiting for it), and
// computed again with load in the background when it is older than ttl.
// The time returned is when the value was computed.
func (m *memo) get(ctx context.Context, key string, first func(context.Context) (any, time.Time, error), load func(context.Context) (any, error)) (any, time.Time, error) {
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
		v, at, err := first(context.WithoutCancel(ctx))
		m.mu.Lock()
		it.val, it.err, it.at = v, err, at
		if err != nil {
			delete(m.items, key) // the next request tries again
		}
		m.renew(ctx, it, load)
		m.mu.Unlock()
		close(it.ready)
		return v, at, err
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
	m.renew(ctx, it, load)
	return it.val, it.at, nil
}

// renew computes it again in the background if it is older than ttl and
// no renewal is running. m.mu is held.
func (m *memo) renew(ctx context.Context, it *memoItem, load func(context.Context) (any, error)) {
	if it.err == nil && time.Since(it.at) > m.ttl && !it.renewal {
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

// sharedValue is a value as the shared store keeps it.
type sharedValue[T any] struct {
	At  time.Time `json:"at"`
	Val T         `json:"val"`
}

// cached is m.get with the value's type, through the shared store.
func cached[T any](ctx context.Context, m *memo, key string, load func(context.Context) (T, error)) (T, time.Time, error) {
	skey := sharedKey[T](key)
	compute := func(ctx context.Context) (any, error) {
		v, err := load(ctx)
		if err == nil && m.shared != nil {
			if b, jerr := json.Marshal(sharedValue[T]{At: time.Now(), Val: v}); jerr == nil {
				m.shared.Set(ctx, skey, string(b), sharedFor) // a store that fails costs the next replica a computation
			}
		}
		return v, err
	}
	first := func(ctx context.Context) (any, time.Time, error) {
		if m.shared != nil {
			var sv sharedValue[T]
			if s, ok, err := m.shared.Get(ctx, skey); err == nil && ok && json.Unmarshal([]byte(s), &sv) == nil {
				return sv.Val, sv.At, nil
			}
		}
		v, err := compute(ctx)
		return v, time.Now(), err
	}
	v, at, err := m.get(ctx, key, first, compute)
	if err != nil {
		var zero T
		return zero, at, err
	}
	return v.(T), at, nil
}

// sharedKey is key in the shared store, for values of type T. It names
// T's shape: JSON of a type with other fields decodes into T without an
// error, as zeros, so a replica of another version (a rolling deploy, or
// one rolled back) must not find the other's values under its keys.
func sharedKey[T any](key string) string {
	t := reflect.TypeFor[T]()
	sh, ok := shapes.Load(t)
	if !ok {
		var b strings.Builder
		writeShape(&b, t, map[reflect.Type]bool{})
		h := fnv.New64a()
		h.Write([]byte(b.String()))
		sh, _ = shapes.LoadOrStore(t, fmt.Sprintf("%016x", h.Sum64()))
	}
	return "jinqiu:console:" + sh.(string) + ":" + key
}

var shapes sync.Map // reflect.Type → its shape's hash

// writeShape writes what JSON sees of t: field names, tags and kinds,
// down to the types that marshal themselves (time.Time).
func writeShape(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t.Implements(reflect.TypeFor[json.Marshaler]()) || seen[t] {
		b.WriteString(t.String())
		return
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.Struct:
		b.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() {
				fmt.Fprintf(b, "%s %q ", f.Name, f.Tag.Get("json"))
				writeShape(b, f.Type, seen)
				b.WriteString(";")
			}
		}
		b.WriteString("}")
	case reflect.Pointer, reflect.Slice, reflect.Array:
		fmt.Fprintf(b, "%s ", t.Kind())
		writeShape(b, t.Elem(), seen)
	case reflect.Map:
		b.WriteString("map[")
		writeShape(b, t.Key(), seen)
		b.WriteString("]")
		writeShape(b, t.Elem(), seen)
	default:
		b.WriteString(t.Kind().String())
	}
}
