package reliability

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitReadyAll waits until every replica's /readyz answers want, and
// returns how long that took (or -1 after d).
func waitReadyAll(replicas []*replica, want int, d time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < d {
		ok := true
		for _, r := range replicas {
			if r.ready(2*time.Second) != want {
				ok = false
				break
			}
		}
		if ok {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return -1
}

// TestF11RedisDown runs F1 with Redis down: first stopped (SIGKILL, so
// connections are refused), then, after a restart, black-holed (SIGSTOP,
// so packets go unanswered). The bot must answer every message with a 200,
// the database's unique keys must keep the effects exact, and /readyz must
// recover after Redis returns, without restarting jinqiu.
func TestF11RedisDown(t *testing.T) {
	heavy(t)
	M, D := size(200, 300), 3
	later := [2]time.Duration{200 * time.Millisecond, time.Second}
	if full() {
		later = [2]time.Duration{time.Second, 20 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sizeD(3*time.Minute, 10*time.Minute))
	defer cancel()

	rs := startRedis(t)
	w := newWorld(t, worldOpts{redis: rs.addr})
	replicas := []*replica{w.serve(t), w.serve(t)}
	e := newEffects(t, w, M)
	msgsA, exA := e.messages(t, M/2)
	msgsB, exB := e.messages(t, M-M/2)
	ex := expect{S: exA.S + exB.S, C: exA.C + exB.C, H: exA.H + exB.H}
	before := w.counts(t)
	plan := dupPlan{copies: D, parallel: 8, later: later, client: loadClient(30 * time.Second)}

	// Refused: the process is gone.
	rs.p.kill()
	if d := waitReadyAll(replicas, http.StatusServiceUnavailable, 10*time.Second); d < 0 {
		t.Fatalf("/readyz did not report Redis stopped")
	}
	resA := deliverDup(ctx, replicas, msgsA, plan)
	rs.start()
	recoverA := waitReadyAll(replicas, http.StatusOK, 30*time.Second)

	// Black-holed: the process is stopped, its socket accepts and never
	// answers.
	if err := rs.p.signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if d := waitReadyAll(replicas, http.StatusServiceUnavailable, 10*time.Second); d < 0 {
		rs.p.signal(syscall.SIGCONT)
		t.Fatalf("/readyz did not report Redis black-holed")
	}
	resB := deliverDup(ctx, replicas, msgsB, plan)
	rs.p.signal(syscall.SIGCONT)
	recoverB := waitReadyAll(replicas, http.StatusOK, 30*time.Second)

	if n := w.waitSettled(t, 30*time.Second); n > 0 {
		t.Errorf("%d inbound rows still processing", n)
	}
	diff := diffCounts(before, w.counts(t))
	msgs := append(append([]*msg(nil), msgsA...), msgsB...)
	results := append(append([]result(nil), resA...), resB...)
	rc := w.waitReplies(msgs, results, 20*time.Second)

	phase := func(rs []result) (string, time.Duration, time.Duration, time.Duration) {
		var lat []time.Duration
		for _, r := range rs {
			lat = append(lat, r.latency())
		}
		return fmtStatus(statusCounts(rs)), percentile(lat, .5), percentile(lat, .99), percentile(lat, 1)
	}
	stA, p50A, p99A, maxA := phase(resA)
	stB, p50B, p99B, maxB := phase(resB)
	fmtRec := func(d time.Duration) string {
		if d < 0 {
			return "not within 30s"
		}
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	figure(t, "F11 Redis down: M=%d D=%d on 2 replicas → stopped (refused): %d deliveries %s, ack p50 %s p99 %s max %s; black-holed (SIGSTOP): %d deliveries %s, ack p50 %s p99 %s max %s; answered %d/%d, conflicting %d; inbound %+d (want %d), signups %+d (want %d), checkins %+d (want %d), hours_reports %+d (want %d); /readyz back %s after restart, %s after SIGCONT (no jinqiu restart)",
		M, D, len(resA), stA, ms(p50A), ms(p99A), ms(maxA), len(resB), stB, ms(p50B), ms(p99B), ms(maxB), rc.answered, M, rc.conflict,
		diff["inbound"], ex.M(), diff["signups"], ex.S+ex.C, diff["checkins"], ex.C, diff["hours_reports"], ex.H+ex.C, fmtRec(recoverA), fmtRec(recoverB))

	if bad := checkRows(diff, ex); len(bad) > 0 {
		t.Errorf("rows: %s (all changes: %s)", strings.Join(bad, "; "), fmtCounts(diff))
	}
	for _, r := range results {
		if r.status != http.StatusOK {
			t.Errorf("%s %s: status %d %v", r.m.Kind, r.m.ID, r.status, r.err)
			break
		}
	}
	if rc.answered != M || rc.conflict != 0 {
		t.Errorf("replies: %d of %d answered, %d conflicting", rc.answered, M, rc.conflict)
	}
	if n := apologies(rc); n > 0 {
		t.Errorf("%d apologies shown to people", n)
	}
	for _, p := range []time.Duration{p99A, p99B} {
		if p > time.Second {
			t.Errorf("ack p99 %v during the outage, want < 1s", p)
		}
	}
	if recoverA < 0 || recoverA > 10*time.Second || recoverB < 0 || recoverB > 10*time.Second {
		t.Errorf("/readyz recovery %v and %v, want < 10s", recoverA, recoverB)
	}
}
