package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// effects is a prepared world in which every message has exactly one
// effect: members registered in every branch, on WeCom and DingTalk, and
// activities to sign up for (tomorrow) and to check in to (under way now).
// Each message is 报名 N or 签到 N for a (member, activity) pair used once,
// or 时长 with an amount the member has not reported that day, so that the
// expected rows are known exactly:
//
//	signups       +S +C  (a check-in without a sign-up takes a place)
//	checkins      +C
//	hours_reports +H +C  (a walk-in's check-in reports the activity's hours)
//	inbound       +M
type effects struct {
	w       *world
	members []member
	signups []pair
	checkin []pair
	next    int
	hours   int
	amounts map[string]int // member → hours messages made
}

// hoursText is a 时长 message of an amount the member has not reported
// today (0.1, 0.2, …): the same amount twice a day is held as a likely
// duplicate, and fifteen of them stay under the day's 12 hours.
func (e *effects) hoursText(mb member, note string) string {
	if e.amounts == nil {
		e.amounts = map[string]int{}
	}
	e.amounts[mb.UserID]++
	return fmt.Sprintf("时长 %s %s", strconv.FormatFloat(float64(e.amounts[mb.UserID])/10, 'f', -1, 64), note)
}

type pair struct {
	m   member
	act int64
}

// Expected row changes of a set of messages.
type expect struct {
	S, C, H int
}

func (e expect) M() int { return e.S + e.C + e.H }

func (e expect) rows() map[string]int {
	return map[string]int{"inbound": e.M(), "signups": e.S + e.C, "checkins": e.C, "hours_reports": e.H + e.C}
}

// newEffects prepares enough members and activities for m messages.
func newEffects(t testing.TB, w *world, m int) *effects {
	t.Helper()
	const actsPerKind = 3
	perBranch := m/(3*actsPerKind*len(w.branches)) + 4
	e := &effects{w: w}
	now := time.Now()
	for bi := range w.branches {
		b := &w.branches[bi]
		var future, open []int64
		for k := 0; k < actsPerKind; k++ {
			future = append(future, w.addActivity(t, b, fmt.Sprintf("敬老服务%d", k), now.Add(24*time.Hour), now.Add(26*time.Hour), 0).ID)
			open = append(open, w.addActivity(t, b, fmt.Sprintf("社区清扫%d", k), now.Add(-10*time.Minute), now.Add(50*time.Minute), 0).ID)
		}
		for i := 0; i < perBranch; i++ {
			via := robotAIBot
			if i%2 == 1 {
				via = robotDing
			}
			mb := w.addMember(t, b, via, fmt.Sprintf("u-%s-%d", b.ID, i), fmt.Sprintf("老党员%d", i))
			e.members = append(e.members, mb)
			for _, a := range future {
				e.signups = append(e.signups, pair{mb, a})
			}
			for _, a := range open {
				e.checkin = append(e.checkin, pair{mb, a})
			}
		}
	}
	rand.Shuffle(len(e.signups), func(i, j int) { e.signups[i], e.signups[j] = e.signups[j], e.signups[i] })
	rand.Shuffle(len(e.checkin), func(i, j int) { e.checkin[i], e.checkin[j] = e.checkin[j], e.checkin[i] })
	return e
}

// messages builds n messages with one effect each, the three kinds in turn.
func (e *effects) messages(t testing.TB, n int) ([]*msg, expect) {
	t.Helper()
	var out []*msg
	var ex expect
	for i := 0; i < n; i++ {
		switch e.next % 3 {
		case 0:
			if len(e.signups) == 0 {
				t.Fatal("effects: out of sign-up pairs")
			}
			p := e.signups[0]
			e.signups = e.signups[1:]
			out = append(out, e.w.memberMessage(t, p.m, "signup", fmt.Sprintf("报名 %d", p.act)))
			ex.S++
		case 1:
			if len(e.checkin) == 0 {
				t.Fatal("effects: out of check-in pairs")
			}
			p := e.checkin[0]
			e.checkin = e.checkin[1:]
			out = append(out, e.w.memberMessage(t, p.m, "checkin", fmt.Sprintf("签到 %d", p.act)))
			ex.C++
		default:
			// Round robin: a member's hours of a day are capped at 12, and
			// walk-ins add up to 3 of them.
			mb := e.members[e.hours%len(e.members)]
			e.hours++
			out = append(out, e.w.memberMessage(t, mb, "hours", e.hoursText(mb, "志愿服务")))
			ex.H++
		}
		e.next++
	}
	return out, ex
}

// checkRows compares the change of the effect tables with what the
// messages should have done, returning the problems.
func checkRows(diff map[string]int, ex expect) []string {
	var bad []string
	for tb, want := range ex.rows() {
		if diff[tb] != want {
			bad = append(bad, fmt.Sprintf("%s %+d, want %+d", tb, diff[tb], want))
		}
	}
	return bad
}

// dupPlan is how F1 delivers each message: D copies, the first two at
// once to two different replicas, the rest later, in shuffled order.
type dupPlan struct {
	copies      int
	parallel    int              // messages whose concurrent pair is in flight at once
	later       [2]time.Duration // the later copies wait between these after the pair
	client      *http.Client
	onDelivered func(result)
}

// deliverDup delivers every message as the plan says and returns every
// delivery's result.
func deliverDup(ctx context.Context, replicas []*replica, msgs []*msg, p dupPlan) []result {
	order := rand.Perm(len(msgs))
	var mu sync.Mutex
	var out []result
	add := func(r result) {
		mu.Lock()
		out = append(out, r)
		mu.Unlock()
		if p.onDelivered != nil {
			p.onDelivered(r)
		}
	}
	sem := make(chan struct{}, p.parallel)
	var wg sync.WaitGroup
	for _, i := range order {
		m := msgs[i]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := rand.IntN(len(replicas))
			b := (a + 1) % len(replicas)
			var pair sync.WaitGroup
			for _, ri := range []int{a, b} {
				pair.Add(1)
				go func() {
					defer pair.Done()
					r := deliver(ctx, p.client, replicas[ri].base, m)
					r.replica = ri
					add(r)
				}()
			}
			pair.Wait()
			<-sem
			for c := 2; c < p.copies; c++ {
				d := p.later[0] + time.Duration(rand.Int64N(int64(p.later[1]-p.later[0])+1))
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return
				}
				ri := rand.IntN(len(replicas))
				r := deliver(ctx, p.client, replicas[ri].base, m)
				r.replica = ri
				add(r)
			}
		}()
	}
	wg.Wait()
	return out
}

// apologies counts replies that are the pipeline's apology or an internal
// error shown to a person.
func apologies(rc replyCheck) int {
	n := 0
	for _, s := range rc.texts {
		if strings.Contains(s, "系统出了点问题") {
			n++
		}
	}
	return n
}
