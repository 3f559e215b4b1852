package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestF13Capacity: an activity with 50 places; 200 members and 50 repeats
// of the same members send 报名 at once over two replicas. Every time:
// exactly 50 confirmed sign-ups, taken = 50 = COUNT(confirmed), one row per
// member, 50 success replies and every other reply "waiting" or "already";
// no deadlock or lock wait reaches a person (no 5xx, no apology).
func TestF13Capacity(t *testing.T) {
	heavy(t)
	const capacity, people, repeats = 50, 200, 50
	iterations := size(3, 20)
	ctx, cancel := context.WithTimeout(context.Background(), sizeD(3*time.Minute, 15*time.Minute))
	defer cancel()

	// 250 sign-ups queue on one activity row: on a busy 2-core CI box the
	// last can take more than the default 3 s budget, and a late reply
	// then waits for the outbox's rate limit. The figure is about places,
	// not latency (its p99 is printed).
	w := newWorld(t, worldOpts{branches: 1, budget: 10 * time.Second})
	replicas := []*replica{w.serve(t), w.serve(t)}
	b := &w.branches[0]
	var members []member
	for i := 0; i < people; i++ {
		via := robotAIBot
		if i%2 == 1 {
			via = robotDing
		}
		members = append(members, w.addMember(t, b, via, fmt.Sprintf("cap-%d", i), fmt.Sprintf("报名者%d", i)))
	}
	c := loadClient(30 * time.Second)
	x := w.x(t)

	type tally struct{ confirmed, taken, rows, distinct, success, waiting, already, other, failed int }
	var runs []string
	worst, doubles, fails, apol := 0, 0, 0, 0
	for it := 0; it < iterations; it++ {
		act := w.addActivity(t, b, fmt.Sprintf("限额活动%d", it), time.Now().Add(48*time.Hour), time.Now().Add(50*time.Hour), capacity)
		var msgs []*msg
		for _, mb := range members {
			msgs = append(msgs, w.memberMessage(t, mb, "signup", fmt.Sprintf("报名 %d", act.ID)))
		}
		for _, i := range rand.Perm(people)[:repeats] {
			msgs = append(msgs, w.memberMessage(t, members[i], "signup", fmt.Sprintf("我要报名 %d号", act.ID)))
		}
		rand.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })

		// All at once: every request waits at a barrier, then goes.
		results := make([]result, len(msgs))
		var ready, wg sync.WaitGroup
		gate := make(chan struct{})
		sem := make(chan struct{}, 64)
		for i, m := range msgs {
			ready.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				ready.Done()
				<-gate
				sem <- struct{}{}
				defer func() { <-sem }()
				results[i] = deliver(ctx, c, replicas[i%2].base, m)
				results[i].replica = i % 2
			}()
		}
		ready.Wait()
		close(gate)
		wg.Wait()
		rc := w.waitReplies(msgs, results, 20*time.Second)

		var tl tally
		if err := x.Get(&tl.taken, "SELECT taken FROM activities WHERE id = ?", act.ID); err != nil {
			t.Fatal(err)
		}
		if err := x.Get(&tl.confirmed, "SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = 'confirmed'", act.ID); err != nil {
			t.Fatal(err)
		}
		if err := x.Get(&tl.rows, "SELECT COUNT(*) FROM signups WHERE activity_id = ?", act.ID); err != nil {
			t.Fatal(err)
		}
		if err := x.Get(&tl.distinct, "SELECT COUNT(DISTINCT member_id) FROM signups WHERE activity_id = ?", act.ID); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			s, ok := rc.texts[m.ID]
			switch {
			case !ok:
			case strings.Contains(s, "报名成功"):
				tl.success++
			case strings.Contains(s, "候补第"):
				tl.waiting++
			case strings.Contains(s, "已经报过名"):
				tl.already++
			default:
				tl.other++
			}
		}
		var lat []time.Duration
		for _, r := range results {
			if r.status != http.StatusOK {
				tl.failed++
			}
			lat = append(lat, r.latency())
		}
		p99 := percentile(lat, .99)
		worst = max(worst, int(p99/time.Millisecond))
		runs = append(runs, fmt.Sprintf("%d/%d/%d", tl.confirmed, tl.taken, tl.success))
		doubles += tl.rows - tl.distinct
		fails += tl.failed
		apol += apologies(rc)
		if tl.confirmed != capacity || tl.taken != capacity || tl.rows != people || tl.distinct != people {
			t.Errorf("iteration %d: confirmed %d, taken %d, rows %d, distinct members %d; want %d, %d, %d, %d",
				it, tl.confirmed, tl.taken, tl.rows, tl.distinct, capacity, capacity, people, people)
		}
		if tl.success != capacity || rc.answered != len(msgs) || tl.other != 0 || tl.failed != 0 || apologies(rc) != 0 {
			t.Errorf("iteration %d: replies: success %d (want %d), waiting %d, already %d, other %d, answered %d/%d, non-200 %d, apologies %d",
				it, tl.success, capacity, tl.waiting, tl.already, tl.other, rc.answered, len(msgs), tl.failed, apologies(rc))
			for _, m := range msgs {
				if s := rc.texts[m.ID]; s != "" && !strings.Contains(s, "报名成功") && !strings.Contains(s, "候补第") && !strings.Contains(s, "已经报过名") {
					t.Logf("  other reply: %q", s)
					break
				}
			}
		}
		if tl.waiting+tl.already+tl.success != len(msgs) {
			t.Logf("iteration %d: %d success + %d waiting + %d already of %d", it, tl.success, tl.waiting, tl.already, len(msgs))
		}
		if ctx.Err() != nil {
			t.Fatal("out of time")
		}
	}
	figure(t, "F13 capacity: %d iterations × (%d members + %d repeats) at once over 2 replicas, capacity %d → confirmed/taken/success replies per iteration %s (want %d/%d/%d); double sign-ups %d; non-200 answers %d; apologies %d; worst ack p99 %dms",
		iterations, people, repeats, capacity, strings.Join(runs, " "), capacity, capacity, capacity, doubles, fails, apol, worst)
}
