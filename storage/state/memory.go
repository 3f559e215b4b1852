package state

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Memory is a Store in this process's memory.
type Memory struct {
	mu    sync.Mutex
	items map[string]item
	tat   map[string]time.Time // GCRA theoretical arrival times
	now   func() time.Time
	ops   int
}

type item struct {
	value   string
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{items: map[string]item{}, tat: map[string]time.Time{}, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (m *Memory) SetClock(now func() time.Time) {
	m.mu.Lock()
	m.now = now
	m.mu.Unlock()
}

func (m *Memory) get(key string, now time.Time) (item, bool) {
	it, ok := m.items[key]
	if ok && now.After(it.expires) {
		delete(m.items, key)
		return item{}, false
	}
	return it, ok
}

// sweep drops expired items now and then, so that a busy process does not
// keep every dedup mark of the day.
func (m *Memory) sweep(now time.Time) {
	m.ops++
	if m.ops%1024 != 0 {
		return
	}
	for k, it := range m.items {
		if now.After(it.expires) {
			delete(m.items, k)
		}
	}
	for k, t := range m.tat {
		if now.After(t) {
			delete(m.tat, k)
		}
	}
}

// SetNX implements Store.
func (m *Memory) SetNX(_ context.Context, key, value string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if _, ok := m.get(key, now); ok {
		return false, nil
	}
	m.items[key] = item{value: value, expires: now.Add(ttl)}
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.get(key, m.now())
	return it.value, ok, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key, value string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	m.items[key] = item{value: value, expires: now.Add(ttl)}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

// Allow implements Store with GCRA: each unit moves the theoretical arrival
// time on by the emission interval; a request is allowed if it arrives no
// earlier than that time.
func (m *Memory) Allow(_ context.Context, key string, perMinute int) (bool, time.Duration, error) {
	if perMinute <= 0 {
		return false, time.Minute, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	interval := time.Minute / time.Duration(perMinute)
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	if tat.After(now) {
		return false, tat.Sub(now), nil
	}
	m.tat[key] = tat.Add(interval)
	return true, 0, nil
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error { return nil }

// Save writes the unexpired items to w as JSON, so that a process that
// runs one message at a time (jinqiu say) can keep a dialogue between runs.
func (m *Memory) Save(w io.Writer) error {
	m.mu.Lock()
	now := m.now()
	out := map[string]savedItem{}
	for k, it := range m.items {
		if now.Before(it.expires) {
			out[k] = savedItem{Value: it.value, Expires: it.expires}
		}
	}
	m.mu.Unlock()
	return json.NewEncoder(w).Encode(out)
}

// Load adds the unexpired items that Save wrote.
func (m *Memory) Load(r io.Reader) error {
	var in map[string]savedItem
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for k, it := range in {
		if now.Before(it.Expires) {
			m.items[k] = item{value: it.Value, expires: it.Expires}
		}
	}
	return nil
}

type savedItem struct {
	Value   string    `json:"v"`
	Expires time.Time `json:"e"`
}
