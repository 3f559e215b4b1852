package console

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMemoComputesOnceAndRenewsBehind: readers that arrive together wait
// for one computation; a value older than the ttl is served while one
// renewal runs; a failure is not kept.
func TestMemoComputesOnceAndRenewsBehind(t *testing.T) {
	m := newMemo(time.Hour)
	var loads atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (any, error) {
		n := loads.Add(1)
		<-release
		return int(n), nil
	}
	var wg sync.WaitGroup
	got := make([]any, 20)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _, err := m.get(context.Background(), "k", load)
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
	v, _, _ := m.get(context.Background(), "k", func(ctx context.Context) (any, error) {
		defer close(renewed)
		return 2, nil
	})
	if v != 1 {
		t.Errorf("a stale value is served while it is renewed: got %v", v)
	}
	<-renewed
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if v, _, _ := m.get(context.Background(), "k", load); v == 2 {
			break
		}
	}
	if v, _, _ := m.get(context.Background(), "k", load); v != 2 {
		t.Errorf("after the renewal: %v", v)
	}
	boom := errors.New("boom")
	if _, _, err := m.get(context.Background(), "bad", func(context.Context) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if v, _, err := m.get(context.Background(), "bad", func(context.Context) (any, error) { return 3, nil }); err != nil || v != 3 {
		t.Errorf("a failure was kept: %v, %v", v, err)
	}
}
