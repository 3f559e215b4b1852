package reliability

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestF20CrashMidHandling: rounds of 50 concurrent callbacks with effects
// (报名, 时长, 发布活动, 已开会) on WeCom and DingTalk, through a proxy that
// adds 50 ms to every database round trip, the handling replica SIGKILLed
// at a random point of each round and started again on the same address,
// and every message sent again on the platforms' schedule (WeCom resends 3
// times, 5 s apart; DingTalk likewise) while no 2xx came back. With Redis,
// without it, and with Redis flushed in the middle of handling: every
// message's effect exactly once, and every answer a message got (in the
// callback's answer, on its response_url or session, or queued after a
// crash) the same text.
func TestF20CrashMidHandling(t *testing.T) {
	heavy(t)
	for _, mode := range []string{"redis", "no_redis", "redis_flushed"} {
		t.Run(mode, func(t *testing.T) { testF20(t, mode) })
	}
}

func testF20(t *testing.T, mode string) {
	rounds := size(3, 10)
	const perRound = 50
	resendEvery := sizeD(1500*time.Millisecond, 5*time.Second)
	const resends = 3
	recoverAfter := sizeD(6*time.Second, 20*time.Second)

	proxy := newLatencyProxy(t, mysqlAddr(t), 50*time.Millisecond)
	_, direct := mysqlTestDB(t)
	o := worldOpts{branches: 10, dsn: direct, appDSN: proxy.dsn(direct), recoverAfter: recoverAfter, budget: 3 * time.Second}
	var rds *redisServer
	switch mode {
	case "no_redis":
		o.noRedis = true
	case "redis_flushed":
		rds = startRedis(t)
		o.redis = rds.addr
	}
	w := newWorld(t, o)
	port := freePort(t)
	r := w.serveAt(t, port)
	plan := newF20Plan(t, w, rounds*perRound)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The platforms wait 5 s for an answer, and a resend comes on a new
	// connection (one kept alive to the killed process would fail for
	// the client's own reasons).
	c := loadClient(5 * time.Second)
	c.Transport.(*http.Transport).DisableKeepAlives = true
	var mu sync.Mutex
	var results []result
	inFlight := 0
	kills := 0
	var restarts []time.Duration
	start := time.Now()
	for round := 0; round < rounds; round++ {
		msgs := plan.msgs[round*perRound : (round+1)*perRound]
		var wg sync.WaitGroup
		for _, m := range msgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n <= resends; n++ {
					res := deliver(ctx, c, r.base, m)
					mu.Lock()
					results = append(results, res)
					if res.status == http.StatusServiceUnavailable {
						inFlight++
					}
					mu.Unlock()
					if res.status/100 == 2 {
						return
					}
					select {
					case <-time.After(resendEvery):
					case <-ctx.Done():
						return
					}
				}
			}()
		}
		// Somewhere in the middle of the round's handling (each message
		// takes ten or so round trips of 50 ms).
		time.Sleep(time.Duration(100+rand.IntN(900)) * time.Millisecond)
		if rds != nil {
			rds.flushAll(t)
		}
		r.kill()
		kills++
		down := time.Now()
		r = w.serveAt(t, port)
		restarts = append(restarts, time.Since(down))
		// The round's resends come before the next crash.
		wg.Wait()
	}
	// What no resend reached is handled by the restarted replica itself.
	settled := w.waitSettled(t, recoverAfter+30*time.Second)
	// Replies of messages no resend reached go out through the outbox.
	rc := w.waitReplies(plan.msgs, results, 90*time.Second)
	elapsed := time.Since(start)

	lost, dup := plan.check(t, w)
	errKinds := map[string]int{}
	for _, res := range results {
		if res.err != nil && res.status == 0 {
			e := res.err.Error()
			switch {
			case strings.Contains(e, "refused"):
				e = "refused"
			case strings.Contains(e, "reset"):
				e = "reset"
			case strings.Contains(e, "EOF"):
				e = "EOF"
			case strings.Contains(e, "Timeout") || strings.Contains(e, "deadline"):
				e = "timeout"
			}
			errKinds[e]++
		}
	}
	t.Logf("transport errors: %v", errKinds)
	apology := apologies(rc)
	figure(t, "F20 crash mid-handling (%s): %d rounds × %d concurrent callbacks (报名/时长/发布活动/已开会, WeCom and DingTalk), +50 ms per database round trip, SIGKILL of the replica once a round (%d kills, back up after %s), %d resends %v apart → messages lost %d (want 0), duplicate effects %d (want 0); answered %d/%d, answered with two different texts %d (want 0), apologies %d; deliveries %d: %s (503 in flight %d); left processing %d; %.1fs",
		mode, rounds, perRound, kills, fmtDurations(restarts), resends, resendEvery, lost, dup, rc.answered, len(plan.msgs), rc.conflict, apology,
		len(results), fmtStatus(statusCounts(results)), inFlight, settled, elapsed.Seconds())
	if lost > 0 || dup > 0 {
		t.Errorf("%d messages lost, %d duplicate effects", lost, dup)
	}
	if rc.answered != len(plan.msgs) || rc.conflict > 0 || rc.badCrypto > 0 {
		t.Errorf("replies: %d of %d answered, %d with two different texts, %d undecryptable", rc.answered, len(plan.msgs), rc.conflict, rc.badCrypto)
		for _, m := range plan.msgs {
			if _, ok := rc.texts[m.ID]; ok {
				continue
			}
			var in struct {
				State string `db:"state"`
				Lease int64  `db:"lease_until_ms"`
				Att   int    `db:"attempts"`
			}
			w.x(t).Get(&in, "SELECT state, lease_until_ms, attempts FROM inbound WHERE msg_id = ?", m.ID)
			var ob []struct {
				Key   string `db:"dedup_key"`
				State string `db:"state"`
				Err   string `db:"last_error"`
				Att   int    `db:"attempts"`
			}
			w.x(t).Select(&ob, "SELECT dedup_key, state, last_error, attempts FROM outbox WHERE dedup_key LIKE ?", "%"+m.ID+"%")
			var codes []int
			for _, res := range results {
				if res.m == m {
					codes = append(codes, res.status)
				}
			}
			t.Logf("unanswered %s via %s: inbound %+v; outbox %+v; deliveries %v", m.ID, m.Via, in, ob, codes)
		}
	}
	if settled > 0 {
		t.Errorf("%d inbound rows still processing", settled)
	}
	if p := r.panics(); len(p) > 0 {
		t.Errorf("replica logged a panic: %s", p[0])
	}
}

// f20Plan is the messages of F20, each with one effect that can be looked
// up: a sign-up of a (member, activity) pair used once, hours with a note
// of their own, an activity with a title of its own, and a meeting of a
// (branch, kind) used once.
type f20Plan struct {
	msgs    []*msg
	signup  map[string]pair   // msg id → the pair
	hours   map[string]string // msg id → note
	publish map[string]string // msg id → title
	meeting map[string][2]string
}

func newF20Plan(t *testing.T, w *world, n int) *f20Plan {
	t.Helper()
	p := &f20Plan{signup: map[string]pair{}, hours: map[string]string{}, publish: map[string]string{}, meeting: map[string][2]string{}}
	e := newEffects(t, w, n)
	kinds := []struct{ kind, word string }{{"committee", "支委会"}, {"group", "党小组会"}, {"lecture", "党课"}, {"theme_day", "主题党日"}, {"branch_assembly", "支部党员大会"}}
	var meetings [][3]string // branch index, kind, word
	for bi := range w.branches {
		for _, k := range kinds {
			meetings = append(meetings, [3]string{fmt.Sprint(bi), k.kind, k.word})
		}
	}
	rand.Shuffle(len(meetings), func(i, j int) { meetings[i], meetings[j] = meetings[j], meetings[i] })
	for i := 0; i < n; i++ {
		var m *msg
		switch {
		case i%10 == 9 && len(meetings) > 0:
			mt := meetings[0]
			meetings = meetings[1:]
			var bi int
			fmt.Sscan(mt[0], &bi)
			b := &w.branches[bi]
			m = w.message(t, robotAIBot, b, b.Secretaries[0], "书记", "已开会 "+mt[2]+" 今天")
			p.meeting[m.ID] = [2]string{b.ID, mt[1]}
		case i%10 >= 7:
			b := &w.branches[i%len(w.branches)]
			title := fmt.Sprintf("敬老探访%d", i)
			m = w.message(t, robotAIBot, b, b.Secretaries[0], "书记", "发布活动 "+title+" 后天上午9点 社区广场 名额10")
			p.publish[m.ID] = title
		case i%2 == 0:
			pr := e.signups[0]
			e.signups = e.signups[1:]
			m = w.memberMessage(t, pr.m, "signup", fmt.Sprintf("报名 %d", pr.act))
			p.signup[m.ID] = pr
		default:
			mb := e.members[i%len(e.members)]
			note := fmt.Sprintf("楼道清扫%d", i)
			m = w.memberMessage(t, mb, "hours", e.hoursText(mb, note))
			p.hours[m.ID] = note
		}
		p.msgs = append(p.msgs, m)
	}
	rand.Shuffle(len(p.msgs), func(i, j int) { p.msgs[i], p.msgs[j] = p.msgs[j], p.msgs[i] })
	return p
}

// check counts the messages whose effect is missing and those whose
// effect is there more than once.
func (p *f20Plan) check(t *testing.T, w *world) (lost, dup int) {
	t.Helper()
	x := w.x(t)
	count := func(q string, args ...any) int {
		var n int
		if err := x.Get(&n, q, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tally := func(id string, n int) {
		switch {
		case n == 0:
			lost++
			t.Errorf("message %s: no effect", id)
		case n > 1:
			dup++
			t.Errorf("message %s: %d effects", id, n)
		}
	}
	for id, pr := range p.signup {
		tally(id, count("SELECT COUNT(*) FROM audit_log WHERE action = 'signup' AND object = ? AND detail LIKE ?", fmt.Sprintf("activity:%d", pr.act), fmt.Sprintf("member:%d %%", pr.m.ID)))
	}
	for id, note := range p.hours {
		tally(id, count("SELECT COUNT(*) FROM hours_reports WHERE note = ?", note))
	}
	for id, title := range p.publish {
		tally(id, count("SELECT COUNT(*) FROM activities WHERE title = ?", title))
	}
	for id, bk := range p.meeting {
		// The unique key allows one row: a handler run twice shows in
		// the audit log (and in its reply, "已经记录过了").
		tally(id, count("SELECT COUNT(*) FROM meetings WHERE branch_id = ? AND kind = ?", bk[0], bk[1])+
			count("SELECT COUNT(*) FROM inbound WHERE msg_id = ? AND reply LIKE ?", id, "%已经记录过了%"))
	}
	return lost, dup
}

// ---- a database proxy that adds latency ------------------------------------------

// latencyProxy forwards TCP to an upstream, holding every chunk the client
// sends for delay: each database round trip takes at least that long, as
// across a slow link.
type latencyProxy struct {
	ln    net.Listener
	up    string
	delay time.Duration
}

func newLatencyProxy(t testing.TB, upstream string, delay time.Duration) *latencyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &latencyProxy{ln: ln, up: upstream, delay: delay}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *latencyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *latencyProxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.up)
	if err != nil {
		c.Close()
		return
	}
	type chunk struct {
		b  []byte
		at time.Time
	}
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				q <- chunk{append([]byte(nil), buf[:n]...), time.Now().Add(p.delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		defer u.Close()
		for ch := range q {
			time.Sleep(time.Until(ch.at))
			if _, err := u.Write(ch.b); err != nil {
				return
			}
		}
	}()
	io.Copy(c, u)
	c.Close()
}

// dsn is direct with its address replaced by the proxy's.
func (p *latencyProxy) dsn(direct string) string {
	i := strings.Index(direct, "tcp(")
	j := strings.Index(direct[i:], ")")
	return direct[:i] + "tcp(" + p.ln.Addr().String() + direct[i+j:]
}

// mysqlTestDB creates a fresh database on the test's MySQL server.
func mysqlTestDB(t testing.TB) (driver, dsn string) {
	t.Helper()
	return storagetest.DSN(t, storage.MySQL)
}

// mysqlAddr is the host:port of JINQIU_TEST_MYSQL_DSN.
func mysqlAddr(t testing.TB) string {
	t.Helper()
	_, dsn := mysqlTestDB(t)
	i := strings.Index(dsn, "tcp(")
	if i < 0 {
		t.Fatalf("JINQIU_TEST_MYSQL_DSN has no tcp(host:port): a proxy needs one")
	}
	j := strings.Index(dsn[i:], ")")
	return dsn[i+4 : i+j]
}

func fmtDurations(ds []time.Duration) string {
	var ss []string
	for _, d := range ds {
		ss = append(ss, fmt.Sprintf("%.1fs", d.Seconds()))
	}
	return strings.Join(ss, "/")
}
