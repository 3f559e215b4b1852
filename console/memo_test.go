package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"jinqiu"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

// TestMemoComputesOnceAndRenewsBehind: readers that arrive together wait
// for one computation; a value older than the ttl is served while one
// renewal runs; a failure is not kept.
func TestMemoComputesOnceAndRenewsBehind(t *testing.T) {
	m := newMemo(time.Hour, nil)
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (int, error) {
		n := loads.Add(1)
		<-release
		return int(n), nil
	}
	var wg sync.WaitGroup
	got := make([]int, 20)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _, err := cached(context.Background(), m, "k", load)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	time.Sleep(10 * time.Millisecond) // let them all queue behind the first
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != 1 {
			t.Fatalf("reader %d got %v, want the one computation's 1", i, v)
		}
	}
	m.stale()
	renewed := make(chan struct{})
	v, _, _ := cached(context.Background(), m, "k", func(ctx context.Context) (int, error) {
		defer close(renewed)
		return 2, nil
	})
	if v != 1 {
		t.Errorf("a stale value is served while it is renewed: got %v", v)
	}
	<-renewed
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if v, _, _ := cached(context.Background(), m, "k", load); v == 2 {
			break
		}
	}
	if v, _, _ := cached(context.Background(), m, "k", load); v != 2 {
		t.Errorf("after the renewal: %v", v)
	}
	boom := errors.New("boom")
	if _, _, err := cached(context.Background(), m, "bad", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if v, _, err := cached(context.Background(), m, "bad", func(context.Context) (int, error) { return 3, nil }); err != nil || v != 3 {
		t.Errorf("a failure was kept: %v, %v", v, err)
	}
}

// TestMemoSharedBetweenReplicas: a value one replica computed is what
// another, which has computed nothing, answers at once (its computation
// is not waited for); a stale shared value is served and renewed behind;
// a shared value that is not one (another version's) is computed anew.
// In memory, and in Redis when JINQIU_TEST_REDIS_ADDR names one.
func TestMemoSharedBetweenReplicas(t *testing.T) {
	stores := map[string]func(t *testing.T) state.Store{
		"memory": func(*testing.T) state.Store { return state.NewMemory() },
		"redis": func(t *testing.T) state.Store {
			addr := os.Getenv("JINQIU_TEST_REDIS_ADDR")
			if addr == "" {
				storagetest.Skip(t, "the Redis case needs JINQIU_TEST_REDIS_ADDR, e.g. 127.0.0.1:6379")
			}
			b := make([]byte, 6)
			rand.Read(b)
			r := state.NewRedis(addr, "", 0).WithPrefix("jinqiu-test:" + hex.EncodeToString(b) + ":")
			t.Cleanup(func() { r.Close() })
			return r
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			shared := open(t)
			a := newMemo(time.Hour, shared)
			if v, _, err := cached(ctx, a, "fig", func(context.Context) ([]int, error) { return []int{7, 8}, nil }); err != nil || len(v) != 2 {
				t.Fatalf("replica a: %v, %v", v, err)
			}
			never := func(ctx context.Context) ([]int, error) {
				t.Error("replica b computed a value replica a had shared")
				return nil, errors.New("not wanted")
			}
			b := newMemo(time.Hour, shared)
			if v, _, err := cached(ctx, b, "fig", never); err != nil || len(v) != 2 || v[0] != 7 || v[1] != 8 {
				t.Fatalf("replica b: %v, %v; want a's [7 8]", v, err)
			}
			// Stale: served, and renewed behind.
			c := newMemo(time.Nanosecond, shared)
			renewed := make(chan struct{})
			v, _, err := cached(ctx, c, "fig", func(context.Context) ([]int, error) { close(renewed); return []int{9}, nil })
			if err != nil || len(v) != 2 {
				t.Fatalf("replica c, stale: %v, %v; want a's value while it is renewed", v, err)
			}
			<-renewed
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				s, ok, _ := shared.Get(ctx, sharedKey[[]int]("fig"))
				if ok && s != "" && s[len(s)-4:] == "[9]}" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the renewal never reached the shared store: %q", s)
				}
			}
			shared.Set(ctx, sharedKey[[]int]("junk"), "{not json", time.Hour)
			d := newMemo(time.Hour, shared)
			if v, _, err := cached(ctx, d, "junk", func(context.Context) ([]int, error) { return []int{1}, nil }); err != nil || len(v) != 1 {
				t.Fatalf("junk in the store: %v, %v; want a computation", v, err)
			}
		})
	}
}

// TestScopeKeysDistinct: scopes that see different branches never share a
// key, whatever the ids hold (the bureau's "*", the separator, quotes).
func TestScopeKeysDistinct(t *testing.T) {
	scopes := []viewer{{Bureau: true}, {Branches: []string{"*"}}, {Branches: []string{"a,b"}}, {Branches: []string{"a", "b"}},
		{Branches: []string{`a","b`}}, {Branches: []string{`"a"`}}, {Branches: []string{"a"}}, {Branches: []string{"a|week|2026-11-23"}}}
	seen := map[string]int{}
	for i, v := range scopes {
		if j, ok := seen[v.scopeKey()]; ok {
			t.Errorf("%+v and %+v share the key %q", scopes[j], v, v.scopeKey())
		}
		seen[v.scopeKey()] = i
	}
}

// TestMemoSharedValueOfAnotherShape: a value another version shared under
// the same key, of a type with other fields (JSON that decodes into the
// new type as zeros, with no error), is never served: it is computed.
func TestMemoSharedValueOfAnotherShape(t *testing.T) {
	type before struct{ Hours, Members int }
	type after struct{ Centihours, Members int }
	ctx := context.Background()
	shared := state.NewMemory()
	if _, _, err := cached(ctx, newMemo(time.Hour, shared), "fig", func(context.Context) (before, error) { return before{Hours: 3, Members: 2}, nil }); err != nil {
		t.Fatal(err)
	}
	v, _, err := cached(ctx, newMemo(time.Hour, shared), "fig", func(context.Context) (after, error) { return after{Centihours: 300, Members: 2}, nil })
	if err != nil || v.Centihours != 300 {
		t.Fatalf("the new version's figures: %+v, %v; want its own computation, not the old value decoded as zeros", v, err)
	}
	// The pages' own types have shapes of their own.
	if k := []string{sharedKey[jinqiu.Digest]("k"), sharedKey[[]week]("k"), sharedKey[branchTable]("k")}; k[0] == k[1] || k[1] == k[2] || k[0] == k[2] {
		t.Errorf("the pages' values share keys: %v", k)
	}
}
