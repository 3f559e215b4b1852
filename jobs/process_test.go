package jobs_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"jinqiu"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// The process tests run the real binary: `jinqiu serve` processes on one
// MariaDB and one Redis, pushing to a fake WeCom started here. They are
// figures F9 and F10 of RELIABILITY.md at CI size.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds jinqiu once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "jinqiu-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "jinqiu")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/jinqiu")
		cmd.Dir = ".." // the repository root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// services returns the MySQL DSN of a fresh database and the Redis
// address, or skips.
func services(t *testing.T) (dsn, redis string) {
	t.Helper()
	redis = os.Getenv("JINQIU_TEST_REDIS_ADDR")
	if os.Getenv("JINQIU_TEST_MYSQL_DSN") == "" || redis == "" {
		storagetest.Skip(t, "process tests run `jinqiu serve` on MariaDB and Redis: set JINQIU_TEST_MYSQL_DSN and JINQIU_TEST_REDIS_ADDR")
	}
	_, dsn = storagetest.DSN(t, storage.MySQL)
	return dsn, redis
}

// fanoutConfig writes a config.yaml with n branches, each with one WeCom
// group of its own robot (webhook key), and a 支委会 reminder due in the
// current minute: started now, a replica's first tick fans it out to all.
func fanoutConfig(t *testing.T, dir, dsn, redis, apiBase, run string, n int) (path string, keys []string) {
	t.Helper()
	now := time.Now().In(shanghai)
	monthEnd := time.Date(now.Year(), now.Month()+1, 0, 0, 0, 0, 0, shanghai)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, shanghai)
	lead := int(monthEnd.Sub(today).Hours()/24 + 0.5)
	var b strings.Builder
	fmt.Fprintf(&b, `server:
  listen: 127.0.0.1:0
  shutdown_grace: 3s
storage:
  driver: mysql
  dsn: %q
redis:
  addr: %q
timezone: Asia/Shanghai
wecom:
  api_base: %q
jobs:
  schedule:
    branch_assembly: "off"
    committee: monthly
    group: "off"
    lecture: "off"
    theme_day: "off"
    lead_days: [%d]
    at: %q
    catch_up: 12h
  outbox:
    poll: 100ms
    lease: 3s
branches:
`, dsn, redis, apiBase, lead, now.Format("15:04"))
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("%sk%03d", run, i)
		keys = append(keys, key)
		fmt.Fprintf(&b, "  - id: b%03d\n    name: 第%d支部\n    town: 测试镇\n    secretaries: [wecom:sec%03d]\n    groups: [{platform: wecom, chat_id: %s-c%03d, webhook_key: %s}]\n",
			i, i, i, run, i, key)
	}
	path = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, keys
}

// proc is a `jinqiu serve` the test started; only these are ever stopped.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startServe(t *testing.T, bin, cfg, logPath string) *proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfg)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill() // SIGKILL, to this process only
	<-p.done
}

func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func runID() string {
	b := make([]byte, 3)
	rand.Read(b)
	return "r" + hex.EncodeToString(b)
}

// delivered counts the messages each key received.
func delivered(f *platformtest.FakeWeCom) map[string]int {
	m := map[string]int{}
	for _, s := range f.Messages() {
		m[s.Robot]++
	}
	return m
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool, logs ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, l := range logs {
				fmt.Fprintf(&b, "\n--- %s\n%s", l, tail(l, 30))
			}
			t.Fatalf("timed out waiting for %s%s", what, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openDB(t *testing.T, dsn string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), storage.MySQL, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestProcessFanOutTwoReplicas: two `jinqiu serve` on one MariaDB and Redis
// fan a reminder out to 200 groups, each its own robot: every group gets
// exactly one message. Then 5 more messages to one robot, which both
// replicas race to send, are spaced by the shared budget (18 a minute):
// no robot ever gets more than 20 in 60 s.
func TestProcessFanOutTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: builds and runs the binary")
	}
	dsn, redis := services(t)
	bin := binary(t)
	fake := platformtest.NewWeCom(t)
	run := runID()
	dir := t.TempDir()
	const groups = 200
	cfg, keys := fanoutConfig(t, dir, dsn, redis, fake.URL, run, groups)
	for _, k := range keys {
		fake.AddKey(k)
	}
	logA, logB := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	start := time.Now()
	a := startServe(t, bin, cfg, logA)
	b := startServe(t, bin, cfg, logB)
	waitFor(t, "200 groups to get their reminder", 90*time.Second, func() bool { return len(delivered(fake)) == groups }, logA, logB)
	fanout := time.Since(start)
	time.Sleep(2 * time.Second) // room for a duplicate to show up

	got := delivered(fake)
	dups := 0
	for _, k := range keys {
		if got[k] != 1 {
			t.Errorf("%s got %d messages, want 1", k, got[k])
			dups += max(0, got[k]-1)
		}
	}
	m := fake.MessagesTo(keys[0])[0]
	if !strings.Contains(m.Content, "支委会") || !strings.Contains(m.Content, "已开会 支委会") || len(m.Mentions) != 1 || m.Mentions[0] != "sec000" {
		t.Errorf("message = %+v", m)
	}
	db := openDB(t, dsn)
	runs, _ := db.JobRuns(context.Background(), "meetings:")
	owners := map[string]int{}
	var rows []struct {
		Owner string `db:"owner"`
		N     int    `db:"n"`
	}
	db.X().Select(&rows, "SELECT owner, COUNT(*) AS n FROM job_runs WHERE job LIKE 'meetings:%' GROUP BY owner")
	for _, r := range rows {
		owners[r.Owner] = r.N
	}
	if len(runs) != groups {
		t.Errorf("%d slots claimed, want %d", len(runs), groups)
	}

	// The shared budget: 5 messages to one robot from two replicas.
	chat := run + "-c000"
	for i := 0; i < 5; i++ {
		o := outbox.ToGroup(fmt.Sprintf("%s|burst|%d", run, i), wecom.Name, chat, jinqiu.Reply{Text: fmt.Sprint("第", i+1, "条")}, storage.AtMostOnce)
		if err := db.Enqueue(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the burst to one robot", 60*time.Second, func() bool { return len(fake.MessagesTo(keys[0])) == 6 }, logA, logB)
	msgs := fake.MessagesTo(keys[0])
	minGap := time.Hour
	for i := 2; i < len(msgs); i++ {
		minGap = min(minGap, msgs[i].At.Sub(msgs[i-1].At))
	}
	// 18 a minute is one every 3.33 s; Redis's clock decides, so allow for
	// the send's own latency.
	if minGap < 3*time.Second {
		t.Errorf("two messages to one robot %s apart: the budget is not shared", minGap)
	}
	worst := 0
	for _, k := range keys {
		worst = max(worst, fake.MaxInWindow(k))
	}
	if worst > 20 {
		t.Errorf("a robot got %d messages in 60 s", worst)
	}
	for _, r := range fake.Requests() {
		if r.ErrCode != 0 {
			t.Errorf("the fake refused a message: %d %s", r.ErrCode, r.ErrMsg)
		}
	}
	a.stop()
	b.stop()
	t.Logf("F10: 2 replicas, %d groups: fan-out delivered in %s, %d duplicates, slots claimed per replica %v; burst of 5 to one robot: smallest gap %s; most messages to one robot in 60 s: %d",
		groups, fanout.Round(10*time.Millisecond), dups, ownerCounts(owners), minGap.Round(10*time.Millisecond), worst)
}

func ownerCounts(m map[string]int) []int {
	var out []int
	for _, n := range m {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// slowPlatform stands between the bot and the fake WeCom like a platform
// under load: it works on 2 requests at a time (the others wait in line,
// already received), forwards each to the fake when its turn comes, then
// holds the answer for 50–250 ms. A fan-out to 100 robots takes several
// seconds, and a process killed meanwhile has sent messages whose outcome
// it never learns.
func slowPlatform(t *testing.T, target string, seed uint64) *httptest.Server {
	var mu sync.Mutex
	rnd := mrand.New(mrand.NewPCG(seed, 1))
	client := &http.Client{Timeout: 5 * time.Second}
	line := make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // the request never arrived whole
		}
		line <- struct{}{}
		defer func() { <-line }()
		req, _ := http.NewRequestWithContext(context.Background(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		mu.Lock()
		d := time.Duration(50+rnd.IntN(200)) * time.Millisecond
		mu.Unlock()
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return // the sender is gone
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProcessKillDuringFanOut is figure F9 at CI size: the sending process
// is killed with SIGKILL at 10 random points of a fan-out to 100 groups
// and restarted each time. Every group gets its reminder. A message whose
// request went out and was marked, but whose answer never came, is
// recorded ambiguous and not resent; one killed between its write and its
// mark is sent again: both are bounded by the robots in flight at each
// kill, and the test prints them.
func TestProcessKillDuringFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("process test: builds and runs the binary")
	}
	dsn, redis := services(t)
	bin := binary(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("JINQIU_KILL_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (JINQIU_KILL_SEED=%d repeats this run)", seed, seed)
	rnd := mrand.New(mrand.NewPCG(seed, 2))
	fake := platformtest.NewWeCom(t)
	slow := slowPlatform(t, fake.URL, seed)
	run := runID()
	dir := t.TempDir()
	const groups, kills = 100, 10
	cfg, keys := fanoutConfig(t, dir, dsn, redis, slow.URL, run, groups)
	for _, k := range keys {
		fake.AddKey(k)
	}
	db := openDB(t, dsn)
	logPath := filepath.Join(dir, "serve.log")

	settled := func() bool {
		c, err := db.OutboxCounts(context.Background())
		return err == nil && c[storage.OutboxPending]+c[storage.OutboxSending] == 0 && c[storage.OutboxSent]+c[storage.OutboxAmbiguous]+c[storage.OutboxDead] >= groups
	}
	// Kill points: random instants of each life, uniform over its first
	// 0.8 s: in start-up, while it claims the slots (claim and outbox rows
	// commit together or not at all), while it waits out the leases of the
	// last victim's in-flight rows, or while it sends. The fan-out takes
	// several lives.
	n := func() int { return len(fake.Messages()) }
	var atKill []int
	allDelivered := func() bool { return len(delivered(fake)) == groups }
	for i := 0; i < kills && !allDelivered(); i++ {
		proc := startServe(t, bin, cfg, logPath)
		time.Sleep(time.Duration(rnd.IntN(800)) * time.Millisecond)
		proc.kill()
		atKill = append(atKill, n())
	}
	if len(atKill) < kills {
		t.Logf("every group had its message after %d kills", len(atKill))
	}
	final := startServe(t, bin, cfg, logPath)
	waitFor(t, "the fan-out to settle after the last restart", 90*time.Second, settled, logPath)
	time.Sleep(time.Second)
	final.stop()

	counts, _ := db.OutboxCounts(context.Background())
	amb := storagetest.Outbox(t, db, storage.OutboxAmbiguous)
	ambiguousChat := map[string]bool{}
	for _, r := range amb {
		ambiguousChat[strings.TrimPrefix(r.Robot, "wecom:")] = true
	}
	got := delivered(fake)
	dups, missing, lost := 0, 0, 0
	for i, k := range keys {
		chat := fmt.Sprintf("%s-c%03d", run, i)
		switch {
		case got[k] > 1:
			dups += got[k] - 1
		case got[k] == 0 && ambiguousChat[chat]:
			lost++ // died after marking, before the request left: counted, logged
			if os.Getenv("JINQIU_KILL_DEBUG") != "" {
				for _, r := range amb {
					if r.Robot == "wecom:"+chat {
						t.Logf("lost %s: attempts %d sent_at %v created %v err %q owner %s", chat, r.Attempts, r.SentAt, r.CreatedAt, r.LastError, r.LeaseOwner)
					}
				}
				for _, rq := range fake.Requests() {
					if rq.Robot == k {
						t.Logf("  fake saw %+v", rq)
					}
				}
			}
		case got[k] == 0:
			missing++
		}
	}
	runs, _ := db.JobRuns(context.Background(), "meetings:")
	t.Logf("F9: %d groups, %d kills at %v delivered: %d duplicates, %d sends of unknown outcome (ambiguous; %d of them never arrived), %d groups missing; outbox %v; %d slots claimed",
		groups, len(atKill), atKill, dups, len(amb), lost, missing, counts, len(runs))
	if missing+lost != 0 {
		t.Errorf("%d groups got no reminder (%d of them marked ambiguous)", missing+lost, lost)
	}
	inFlight := len(atKill) * min(groups, 16) // a replica sends to at most 16 robots at once, one message each
	if dups > inFlight {
		t.Errorf("%d duplicates, over the bound of %d", dups, inFlight)
	}
	if len(runs) != groups {
		t.Errorf("%d slots claimed, want %d", len(runs), groups)
	}
	if len(amb) > inFlight {
		t.Errorf("%d ambiguous sends, over the bound of %d", len(amb), inFlight)
	}
	perRobot := map[string]int{}
	for _, r := range amb {
		perRobot[r.Robot]++
	}
	for r, n := range perRobot {
		if n > len(atKill) {
			t.Errorf("robot %s has %d ambiguous sends over %d kills", r, n, len(atKill))
		}
	}
}
