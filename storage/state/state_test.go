package state

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// stores returns each implementation: memory always, Redis when
// JINQIU_TEST_REDIS_ADDR names one.
func stores(t *testing.T) map[string]Store {
	m := map[string]Store{"memory": NewMemory()}
	addr := os.Getenv("JINQIU_TEST_REDIS_ADDR")
	if addr == "" {
		if os.Getenv("JINQIU_REQUIRE_SERVICES") == "1" {
			t.Fatal("Redis tests need JINQIU_TEST_REDIS_ADDR (JINQIU_REQUIRE_SERVICES=1)")
		}
		t.Log("skipping Redis: JINQIU_TEST_REDIS_ADDR is not set")
		return m
	}
	b := make([]byte, 6)
	rand.Read(b)
	r := NewRedis(addr, "", 0).WithPrefix("jinqiu-test:" + hex.EncodeToString(b) + ":")
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() { r.Close() })
	m["redis"] = r
	return m
}

func TestSetNXOnce(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.SetNX(ctx, "dedup:m1", "x", time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if wins != 1 {
				t.Fatalf("wins = %d, want 1", wins)
			}
		})
	}
}

func TestGetSetDeleteExpire(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if _, ok, _ := s.Get(ctx, "dlg"); ok {
				t.Fatal("absent key found")
			}
			s.Set(ctx, "dlg", "报名", time.Minute)
			if v, ok, _ := s.Get(ctx, "dlg"); !ok || v != "报名" {
				t.Fatalf("get = %q %v", v, ok)
			}
			s.Delete(ctx, "dlg")
			if _, ok, _ := s.Get(ctx, "dlg"); ok {
				t.Fatal("deleted key found")
			}
			s.Set(ctx, "short", "v", 50*time.Millisecond)
			time.Sleep(120 * time.Millisecond)
			if _, ok, _ := s.Get(ctx, "short"); ok {
				t.Fatal("expired key found")
			}
		})
	}
}

func TestAllowBudget(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			// 20 a minute: the first is allowed, the next must wait about 3 s.
			ok, _, err := s.Allow(ctx, "robot1", 20)
			if err != nil || !ok {
				t.Fatalf("first = %v %v", ok, err)
			}
			ok, wait, _ := s.Allow(ctx, "robot1", 20)
			if ok || wait <= 0 || wait > 3*time.Second {
				t.Fatalf("second = %v, wait %v; want refused with a wait up to 3s", ok, wait)
			}
			if ok, _, _ := s.Allow(ctx, "robot2", 20); !ok {
				t.Fatal("another key shares the budget")
			}
		})
	}
}

func TestMemoryAllowOverAMinute(t *testing.T) {
	m := NewMemory()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	m.SetClock(func() time.Time { return now })
	allowed := 0
	for i := 0; i < 600; i++ { // every 100 ms for a minute
		if ok, _, _ := m.Allow(ctx, "r", 18); ok {
			allowed++
		}
		now = now.Add(100 * time.Millisecond)
	}
	if allowed != 18 {
		t.Fatalf("allowed %d in a minute, want 18", allowed)
	}
}

func TestMemorySaveLoadKeepsOnlyLiveItems(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a := NewMemory()
	a.SetClock(func() time.Time { return now })
	a.Set(ctx, "dlg:u1", `{"intent":"signup"}`, 5*time.Minute)
	a.Set(ctx, "short", "x", time.Second)
	var buf bytes.Buffer
	now = now.Add(2 * time.Second) // "short" has expired
	if err := a.Save(&buf); err != nil {
		t.Fatal(err)
	}
	b := NewMemory()
	b.SetClock(func() time.Time { return now })
	if err := b.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := b.Get(ctx, "dlg:u1"); !ok || v != `{"intent":"signup"}` {
		t.Errorf("dialogue after load = %q %v", v, ok)
	}
	if _, ok, _ := b.Get(ctx, "short"); ok {
		t.Error("an expired item came back")
	}
	now = now.Add(5 * time.Minute)
	if _, ok, _ := b.Get(ctx, "dlg:u1"); ok {
		t.Error("the loaded item outlived its TTL")
	}
}
