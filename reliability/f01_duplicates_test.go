package reliability

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestF1DuplicateDeliveries: M signed callbacks with effects (报名, 签到,
// 时长), each delivered D = 3 times: two copies at once to two replicas,
// one later, in shuffled order. Exactly M inbound rows and exactly the
// effect rows of M messages; every message answered, never with two
// different texts; no 5xx.
func TestF1DuplicateDeliveries(t *testing.T) {
	heavy(t)
	M, D := size(200, 1000), 3
	later := [2]time.Duration{500 * time.Millisecond, 2 * time.Second}
	if full() {
		later = [2]time.Duration{time.Second, 60 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), sizeD(3*time.Minute, 10*time.Minute))
	defer cancel()

	w := newWorld(t, worldOpts{})
	replicas := []*replica{w.serve(t), w.serve(t)}
	e := newEffects(t, w, M)
	msgs, ex := e.messages(t, M)
	before := w.counts(t)

	start := time.Now()
	results := deliverDup(ctx, replicas, msgs, dupPlan{copies: D, parallel: 8, later: later, client: loadClient(30 * time.Second)})
	elapsed := time.Since(start)
	if n := w.waitSettled(t, 30*time.Second); n > 0 {
		t.Errorf("%d inbound rows still processing 30s after the last delivery", n)
	}
	diff := diffCounts(before, w.counts(t))
	rc := w.waitReplies(msgs, results, 20*time.Second)

	var lat []time.Duration
	for _, r := range results {
		lat = append(lat, r.latency())
	}
	dingMsgs := 0
	for _, m := range msgs {
		if m.Via == robotDing {
			dingMsgs++
		}
	}
	dingExtra := rc.extraSends // WeCom's response_urls take one message each
	fails := count5xx(results)
	figure(t, "F1 duplicate deliveries: M=%d D=%d (2 at once on 2 replicas + 1 after %v–%v, shuffled) → inbound %+d (want %d); effect rows signups %+d (want %d), checkins %+d (want %d), hours_reports %+d (want %d); deliveries %d: %s; 5xx %d; answered %d/%d, conflicting %d, apologies %d; DingTalk session replies %d for %d messages (%d beyond one each); ack p50 %s p99 %s; %.1fs",
		M, D, later[0], later[1], diff["inbound"], M, diff["signups"], ex.S+ex.C, diff["checkins"], ex.C, diff["hours_reports"], ex.H+ex.C,
		len(results), fmtStatus(statusCounts(results)), fails, rc.answered, M, rc.conflict, apologies(rc),
		rc.sends, dingMsgs, dingExtra, ms(percentile(lat, .5)), ms(percentile(lat, .99)), elapsed.Seconds())

	if bad := checkRows(diff, ex); len(bad) > 0 {
		t.Errorf("rows: %s (all changes: %s)", strings.Join(bad, "; "), fmtCounts(diff))
	}
	for _, r := range results {
		if r.status != http.StatusOK {
			t.Errorf("%s %s to replica %d: status %d %v %q", r.m.Kind, r.m.ID, r.replica, r.status, r.err, r.body)
			break
		}
	}
	if len(results) != M*D {
		t.Errorf("%d deliveries, want %d", len(results), M*D)
	}
	if rc.answered != M || rc.conflict != 0 || rc.badCrypto != 0 {
		t.Errorf("replies: %d of %d answered, %d with two different texts, %d undecryptable", rc.answered, M, rc.conflict, rc.badCrypto)
	}
	if n := apologies(rc); n > 0 {
		t.Errorf("%d apologies shown to people", n)
	}
	if dingExtra > 0 {
		// RELIABILITY.md §6 wants exactly M replies at the platform: a
		// DingTalk retry's stored reply must not go to the session again.
		t.Errorf("F1: DingTalk duplicate deliveries re-post the stored reply to the session: %d extra group messages for %d messages (want 0)", dingExtra, dingMsgs)
	}
	for _, r := range replicas {
		if p := r.panics(); len(p) > 0 {
			t.Errorf("replica %s logged a panic: %s", r.name, p[0])
		}
	}
}
