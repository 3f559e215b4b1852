package reliability

import (
	"context"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestF18GracefulShutdown: SIGTERM to a replica under load, with slow
// callbacks in flight (their DingTalk session webhooks hang until the
// reply times out) and an outbox send in flight (its webhook hangs too).
// Every callback sent before the signal gets its answer; the process
// exits 0 within shutdown_grace and a margin; no outbox row is left
// sending under a live lease.
func TestF18GracefulShutdown(t *testing.T) {
	heavy(t)
	const grace = 5 * time.Second
	const margin = 3 * time.Second
	rate := size(40, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	w := newWorld(t, worldOpts{branches: 1, grace: grace})
	r := w.serve(t)
	b := &w.branches[0]
	e := newEffects(t, w, 3*rate*10)
	// The steady load is WeCom only: the hangs below are counted in
	// DingTalk requests.
	var fast []*msg
	for len(fast) < rate*10 {
		ms, _ := e.messages(t, 3)
		for _, m := range ms {
			if m.Via == robotAIBot {
				fast = append(fast, m)
			}
		}
	}
	slowMember := w.addMember(t, b, robotDing, "slow-1", "慢")
	var early, late []*msg
	for i := 0; i < 2; i++ {
		early = append(early, w.memberMessage(t, slowMember, "slow", "帮助"))
	}
	for i := 0; i < 3; i++ {
		late = append(late, w.memberMessage(t, slowMember, "slow", "我的"))
	}
	// DingTalk requests in order: the 2 early sessions, the outbox send
	// of the first early reply (the dispatcher sends one at a time per
	// group), then the 3 late sessions: all 6 hang.
	w.dd.HangNext(len(early) + 1 + len(late))

	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	send := func(m *msg) {
		defer wg.Done()
		res := deliver(ctx, c, r.base, m)
		mu.Lock()
		results = append(results, res)
		mu.Unlock()
	}
	t0 := time.Now()
	for _, m := range early {
		wg.Add(1)
		go send(m)
	}
	var sigAt time.Time
	stopLoad := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		interval := time.Second / time.Duration(rate)
		for i, m := range fast {
			select {
			case <-stopLoad:
				return
			case <-time.After(time.Until(t0.Add(time.Duration(i) * interval))):
			}
			wg.Add(1)
			go send(m)
		}
	}()
	// Wait for the early replies to fall back to the outbox and for the
	// dispatcher to be stuck sending the first one.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && !outboxSending(t, w) {
		time.Sleep(50 * time.Millisecond)
	}
	sendingAtSignal := outboxSending(t, w)
	for _, m := range late {
		wg.Add(1)
		go send(m)
	}
	time.Sleep(time.Second) // the late ones are now waiting on their sessions
	sigAt = time.Now()
	if err := r.signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the load goes on for a second after the signal
	close(stopLoad)
	<-loadDone
	exited := r.wait(grace + margin + 15*time.Second)
	var exitAfter time.Duration
	if exited {
		exitAfter = r.exited.Sub(sigAt)
	}
	wg.Wait()

	var before, answered, resetBefore, after, refusedAfter int
	var slowAnswered int
	for _, res := range results {
		if res.sent.Before(sigAt) {
			before++
			if res.status != 0 {
				answered++
				if res.m.Kind == "slow" {
					slowAnswered++
				}
			} else {
				resetBefore++
				t.Errorf("%s sent %v before the signal: %v", res.m.Kind, sigAt.Sub(res.sent), res.err)
			}
		} else {
			after++
			if res.status == 0 {
				refusedAfter++
			}
		}
	}
	// The database after the exit: nothing sending under a live lease.
	var live, sending int
	x := w.x(t)
	if err := x.Get(&live, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' AND lease_until > ?", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if err := x.Get(&sending, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'"); err != nil {
		t.Fatal(err)
	}
	var states []string
	x.Select(&states, "SELECT CONCAT(state, ':', COUNT(*)) FROM outbox GROUP BY state")
	code := -1
	if exited && r.cmd.ProcessState != nil {
		code = r.cmd.ProcessState.ExitCode()
	}
	figure(t, "F18 graceful shutdown: SIGTERM at %.1fs under %d rps with %d slow callbacks (3 s session hang) and an outbox send in flight (hanging webhook: %v) → sent before the signal %d, answered %d (slow %d/%d), reset %d (want 0); after the signal %d, refused %d; exit code %d after %.2fs (grace %v + margin %v); outbox rows sending %d, under a live lease %d (want 0); outbox %v",
		sigAt.Sub(t0).Seconds(), rate, len(early)+len(late), sendingAtSignal, before, answered, slowAnswered, len(early)+len(late), resetBefore,
		after, refusedAfter, code, exitAfter.Seconds(), grace, margin, sending, live, states)

	if !exited {
		t.Fatalf("the replica did not exit within %v of SIGTERM", grace+margin+15*time.Second)
	}
	if code != 0 {
		t.Errorf("exit code %d, want 0 (%v)", code, r.err)
	}
	if exitAfter > grace+margin {
		t.Errorf("exit %.2fs after SIGTERM, want within shutdown_grace %v + %v", exitAfter.Seconds(), grace, margin)
	}
	if !sendingAtSignal {
		t.Errorf("no outbox send was in flight at the signal: the scenario did not happen")
	}
	if live != 0 {
		t.Errorf("%d outbox rows left sending under a live lease", live)
	}
	if slowAnswered != len(early)+len(late) {
		t.Errorf("slow callbacks answered %d of %d", slowAnswered, len(early)+len(late))
	}
	if p := r.panics(); len(p) > 0 {
		t.Errorf("panic in the log: %s", p[0])
	}
}

func outboxSending(t testing.TB, w *world) bool {
	var n int
	if err := w.x(t).Get(&n, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'"); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
