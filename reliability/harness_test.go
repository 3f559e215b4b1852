package reliability

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"jinqiu/bot/platformtest"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// ---- sizes and figures ---------------------------------------------------------

// full reports whether the full sizes of RELIABILITY.md §6 were asked for.
func full() bool { return os.Getenv("JINQIU_RELIABILITY_FULL") == "1" }

// size is the reduced size in CI, the full one before a release.
func size(reduced, fullSize int) int {
	if full() {
		return fullSize
	}
	return reduced
}

func sizeD(reduced, fullSize time.Duration) time.Duration {
	if full() {
		return fullSize
	}
	return reduced
}

var figuresMu sync.Mutex

// figure prints one measured figure: in the test log, on stdout (shown by
// go test -v and on failure) and, if JINQIU_RELIABILITY_FIGURES names a
// file, appended to it.
func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	figuresMu.Lock()
	defer figuresMu.Unlock()
	fmt.Println(line)
	if p := os.Getenv("JINQIU_RELIABILITY_FIGURES"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
	}
}

// heavy skips a figure under -short: each takes seconds to minutes and
// starts processes.
func heavy(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("a reliability figure: not with -short")
	}
}

// ---- the binary ----------------------------------------------------------------

var (
	workDir   string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jinqiu-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// jinqiuBinary builds cmd/jinqiu, once per package run.
func jinqiuBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			buildErr = err
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		binPath = filepath.Join(workDir, "jinqiu")
		cmd := exec.Command(goBin, "build", "-o", binPath, "./cmd/jinqiu")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// ---- processes -----------------------------------------------------------------

// proc is a child process this test started: the only kind it signals.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error // Wait's result, once done is closed
	exited  time.Time
}

// start runs bin with args and env (added to this process's environment),
// its output in a log file. The process is killed when the test ends, and
// by the kernel if this test binary dies first.
func start(t testing.TB, name string, env []string, bin string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		p.exited = time.Now()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("last lines of %s (pid %d):\n%s", p.name, p.pid(), p.tail(25))
		}
		if dir := os.Getenv("JINQIU_RELIABILITY_KEEP_LOGS"); dir != "" {
			dst := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_"))
			if os.MkdirAll(dst, 0o755) == nil {
				os.WriteFile(filepath.Join(dst, name+".log"), []byte(p.log()), 0o644)
			}
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// signal sends sig to the process if it still runs.
func (p *proc) signal(sig syscall.Signal) error {
	if !p.running() {
		return nil
	}
	return p.cmd.Process.Signal(sig)
}

// kill stops the process at once (SIGKILL works on a stopped process too)
// and waits for it.
func (p *proc) kill() {
	if p.running() {
		p.cmd.Process.Kill()
	}
	<-p.done
}

// wait waits up to d for the process to exit.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// log returns the process's output so far.
func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

func (p *proc) tail(n int) string {
	lines := strings.Split(strings.TrimRight(p.log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ---- jinqiu serve --------------------------------------------------------------

// replica is one `jinqiu serve` process.
type replica struct {
	*proc
	base string // http://127.0.0.1:PORT
}

var serveSeq struct {
	sync.Mutex
	n int
}

// serve starts a replica on the configuration and waits until /readyz
// answers 200.
func (w *world) serve(t testing.TB, env ...string) *replica {
	t.Helper()
	return w.serveAt(t, freePort(t), env...)
}

// serveAt starts a replica on a given port: a restart keeps its address,
// as a process behind a load balancer does.
func (w *world) serveAt(t testing.TB, port int, env ...string) *replica {
	t.Helper()
	serveSeq.Lock()
	serveSeq.n++
	name := fmt.Sprintf("serve%d-%d", serveSeq.n, port)
	serveSeq.Unlock()
	p := start(t, name, env, jinqiuBinary(t), "serve", "--config", w.cfgPath, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	r := &replica{proc: p, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := r.waitReady(60 * time.Second); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, p.tail(30))
	}
	return r
}

// ready reports the status of /readyz (0 when there is no answer).
func (r *replica) ready(timeout time.Duration) int {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(r.base + "/readyz")
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (r *replica) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !r.running() {
			return fmt.Errorf("exited before it was ready: %v", r.err)
		}
		if r.ready(2*time.Second) == http.StatusOK {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("/readyz not 200 after %v", d)
}

// panics returns the lines of the replica's log that tell of a panic.
func (r *replica) panics() []string {
	var out []string
	for _, l := range strings.Split(r.log(), "\n") {
		if strings.Contains(l, "panic") || strings.HasPrefix(l, "goroutine ") || strings.Contains(l, "fatal error") {
			out = append(out, l)
		}
	}
	return out
}

// ---- the world: fakes, robots, branches, configuration ---------------------------

// Robot names in every configuration.
const (
	robotAIBot = "wc"  // WeCom AI bot (encrypted JSON)
	robotGroup = "wcg" // WeCom group robot with callbacks (encrypted XML)
	robotDing  = "dd"  // DingTalk enterprise robot (signed JSON)
)

// branch is one configured branch with a group on each robot.
type branch struct {
	ID, Name    string
	WeComChat   string // AI-bot group
	GroupChat   string // group-robot group
	DingChat    string
	WeComKey    string // webhook key of the AI-bot group
	GroupKey    string // webhook key of the group-robot group
	DingToken   string // custom robot of the DingTalk group
	DingSecret  string
	Secretaries []string
}

type worldOpts struct {
	branches int
	dsn      string // empty: a fresh database on JINQIU_TEST_MYSQL_DSN
	redis    string // empty: JINQIU_TEST_REDIS_ADDR
	grace    time.Duration
	budget   time.Duration
	// schedules keeps the default meeting reminders and the weekly digest
	// (to a bureau group); without it they are off.
	schedules bool
	// appDSN, when set, is what the replicas connect through (a proxy in
	// front of dsn); the test itself uses dsn.
	appDSN string
	// noRedis runs the replicas without Redis (state in memory).
	noRedis bool
	// perSource is server.max_conns_per_source (0: no bound).
	perSource int
	// recoverAfter is server.recover_after (the default when zero).
	recoverAfter time.Duration
	// driver is the storage driver (mysql when empty); for sqlite, dsn is
	// the database file.
	driver string
}

// world is what the replicas of one test share: a database, Redis, the
// fake platforms and the configuration that ties them together.
type world struct {
	driver   string
	dsn      string
	redis    string
	wc       *platformtest.FakeWeCom
	dd       *platformtest.FakeDingTalk
	aiPeer   *platformtest.WeComPeer
	grPeer   *platformtest.WeComPeer
	ddSecret string
	branches []branch
	cfgPath  string
	db       *storage.DB // the test's own connection, for preparing and counting
	seq      int
}

func newWorld(t testing.TB, o worldOpts) *world {
	t.Helper()
	if o.branches == 0 {
		o.branches = 2
	}
	if o.grace == 0 {
		o.grace = 5 * time.Second
	}
	if o.budget == 0 {
		o.budget = 3 * time.Second
	}
	w := &world{dsn: o.dsn, redis: o.redis, driver: o.driver}
	if w.driver == "" {
		w.driver = storage.MySQL
	}
	if w.dsn == "" {
		_, w.dsn = storagetest.DSN(t, w.driver)
	}
	if w.redis == "" && !o.noRedis {
		w.redis = os.Getenv("JINQIU_TEST_REDIS_ADDR")
		if w.redis == "" {
			storagetest.Skip(t, "reliability tests need Redis: set JINQIU_TEST_REDIS_ADDR, e.g. 127.0.0.1:6379")
		}
	}
	appDSN := w.dsn
	if o.appDSN != "" {
		appDSN = o.appDSN
	}
	w.wc = platformtest.NewWeCom(t)
	w.dd = platformtest.NewDingTalk(t)
	// The fakes enforce the platforms' 20/min per robot; the figures here
	// are not about that limit, and the bot's own budget (18/min) applies.
	aiToken, aiKey := randToken(16), randAESKey()
	grToken, grKey := randToken(16), randAESKey()
	w.ddSecret = randToken(32)
	w.aiPeer = w.wc.Peer(aiToken, aiKey)
	w.grPeer = w.wc.Peer(grToken, grKey)
	for i := 0; i < o.branches; i++ {
		b := branch{
			ID:          fmt.Sprintf("b%d", i),
			Name:        fmt.Sprintf("第%d社区临时党支部", i),
			WeComChat:   fmt.Sprintf("wc-chat-%d", i),
			GroupChat:   fmt.Sprintf("gr-chat-%d", i),
			DingChat:    fmt.Sprintf("dd-chat-%d", i),
			WeComKey:    "key-wc-" + randToken(8),
			GroupKey:    "key-gr-" + randToken(8),
			DingToken:   "tok-" + randToken(8),
			DingSecret:  "SEC" + randToken(24),
			Secretaries: []string{fmt.Sprintf("sec-%d", i)},
		}
		w.wc.AddKey(b.WeComKey)
		w.wc.AddKey(b.GroupKey)
		w.dd.AddRobot(b.DingToken, b.DingSecret)
		w.branches = append(w.branches, b)
	}
	var c strings.Builder
	// Every test client is on 127.0.0.1: no bound per source unless a
	// figure is about it.
	fmt.Fprintf(&c, "server:\n  listen: \"127.0.0.1:0\"\n  reply_budget: %s\n  shutdown_grace: %s\n  max_conns_per_source: %d\n", o.budget, o.grace, o.perSource)
	if o.recoverAfter > 0 {
		fmt.Fprintf(&c, "  recover_after: %s\n", o.recoverAfter)
	}
	fmt.Fprintf(&c, "storage:\n  driver: %s\n  dsn: %q\n", w.driver, appDSN)
	fmt.Fprintf(&c, "redis:\n  addr: %q\n", w.redis)
	c.WriteString("timezone: Asia/Shanghai\n")
	fmt.Fprintf(&c, "wecom:\n  api_base: %q\n  robots:\n", w.wc.URL)
	fmt.Fprintf(&c, "    - {name: %s, mode: aibot, token: %s, encoding_aes_key: %s}\n", robotAIBot, aiToken, aiKey)
	fmt.Fprintf(&c, "    - {name: %s, mode: group_robot, token: %s, encoding_aes_key: %s}\n", robotGroup, grToken, grKey)
	fmt.Fprintf(&c, "dingtalk:\n  api_base: %q\n  robots:\n    - {name: %s, app_secret: %s}\n", w.dd.URL, robotDing, w.ddSecret)
	c.WriteString("branches:\n")
	for _, b := range w.branches {
		fmt.Fprintf(&c, "  - id: %s\n    name: %q\n    town: 城关街道\n    kind: community\n    secretaries: [%s]\n    groups:\n", b.ID, b.Name, "wecom:"+strings.Join(b.Secretaries, ", wecom:"))
		fmt.Fprintf(&c, "      - {platform: wecom, chat_id: %s, robot: %s, webhook_key: %s}\n", b.WeComChat, robotAIBot, b.WeComKey)
		fmt.Fprintf(&c, "      - {platform: wecom, chat_id: %s, robot: %s, webhook_key: %s}\n", b.GroupChat, robotGroup, b.GroupKey)
		fmt.Fprintf(&c, "      - {platform: dingtalk, chat_id: %s, robot: %s, webhook: %q, secret: %s}\n", b.DingChat, robotDing, w.dd.WebhookURL(b.DingToken), b.DingSecret)
	}
	if o.schedules {
		token, secret := "tok-bureau-"+randToken(6), "SEC"+randToken(24)
		w.dd.AddRobot(token, secret)
		fmt.Fprintf(&c, "bureau:\n  admins: [wecom:admin-0]\n  groups:\n    - {platform: dingtalk, chat_id: dd-bureau, robot: %s, webhook: %q, secret: %s}\n", robotDing, w.dd.WebhookURL(token), secret)
	} else {
		// No meeting reminders or digests: the figures here are about
		// callbacks, and a reminder due by chance would add rows and sends.
		c.WriteString("jobs:\n  schedule: {branch_assembly: \"off\", committee: \"off\", group: \"off\", lecture: \"off\", theme_day: \"off\"}\n")
		c.WriteString("  digest: {cron: \"0 9 1 1 *\"}\n")
	}
	w.cfgPath = filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(w.cfgPath, []byte(c.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// open connects the test to the world's database (after a replica has
// migrated it).
func (w *world) open(t testing.TB) *storage.DB {
	t.Helper()
	if w.db != nil {
		return w.db
	}
	db, err := storage.Open(context.Background(), w.driver, w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	return db
}

func (w *world) x(t testing.TB) *sqlx.DB { return w.open(t).X() }

func randToken(n int) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return string(b)
}

func randAESKey() string {
	// 43 base64 characters whose last one carries no stray bits.
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 43)
	for i := range b[:42] {
		b[i] = b64[rand.IntN(64)]
	}
	b[42] = "AEIMQUYcgkosw048"[rand.IntN(16)]
	return string(b)
}

// ---- members and activities, prepared through storage ----------------------------

type member struct {
	Platform jinqiu.Platform // wecom or dingtalk (the member's platform)
	Via      string          // the robot they write through: robotAIBot, robotGroup or robotDing
	UserID   string
	Name     string
	Branch   *branch
	ID       int64
}

// addMember registers a person in a branch, as 报到 would.
func (w *world) addMember(t testing.TB, b *branch, via, userID, name string) member {
	t.Helper()
	platform := jinqiu.Platform("wecom")
	if via == robotDing {
		platform = "dingtalk"
	}
	reg, err := w.open(t).Register(context.Background(), jinqiu.Actor{Platform: platform, UserID: userID, MsgID: "prep-" + userID}, name, b.ID, time.Now())
	if err != nil {
		t.Fatalf("register %s: %v", userID, err)
	}
	return member{Platform: platform, Via: via, UserID: userID, Name: name, Branch: b, ID: reg.Member.ID}
}

// addActivity publishes an activity in a branch.
func (w *world) addActivity(t testing.TB, b *branch, title string, starts, ends time.Time, capacity int) jinqiu.Activity {
	t.Helper()
	act, err := w.open(t).PublishActivity(context.Background(), jinqiu.Actor{Platform: "wecom", UserID: b.Secretaries[0], MsgID: "prep"}, "书记",
		storage.NewActivity{BranchID: b.ID, Title: title, Place: "社区广场", StartsAt: starts, EndsAt: ends, Capacity: capacity})
	if err != nil {
		t.Fatalf("publish %s: %v", title, err)
	}
	return act
}

// ---- callbacks -------------------------------------------------------------------

// msg is one callback, prepared as the platform would send it: it can be
// delivered any number of times, to any replica.
type msg struct {
	ID     string
	Via    string // robotAIBot, robotGroup or robotDing
	Kind   string // what it should do: signup, checkin, hours, ...
	Text   string
	User   string
	path   string // request URI
	header http.Header
	body   []byte
	peer   *platformtest.WeComPeer
	// reply is where a reply outside the HTTP answer lands at the fakes:
	// the DingTalk session id or the WeCom response_code.
	reply string
}

func (w *world) nextID(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s-%s-%d", prefix, randToken(6), w.seq)
}

// message builds a callback from user through robot via in the branch's
// group (name is the sender's display name where the platform has one).
// Call it from the test's goroutine: the fakes fail the test on bad input.
func (w *world) message(t testing.TB, via string, b *branch, user, name, text string) *msg {
	t.Helper()
	m := &msg{ID: w.nextID("m"), Via: via, Text: text, User: user}
	var req *http.Request
	switch via {
	case robotAIBot:
		ru := w.wc.NewResponseURL()
		m.reply = queryParam(ru, "response_code")
		req = w.aiPeer.AIBot("http://jinqiu/wecom/"+robotAIBot, platformtest.AIBotMessage{
			MsgID: m.ID, ChatID: b.WeComChat, From: platformtest.WeComUser{UserID: user},
			Text: &platformtest.Content{Content: "@金秋助手\u2005" + text}, ResponseURL: ru, CreateTime: time.Now().Unix(),
		})
		m.peer = w.aiPeer
	case robotGroup:
		req = w.grPeer.GroupRobot("http://jinqiu/wecom/"+robotGroup, platformtest.GroupRobotMessage{
			MsgID: m.ID, ChatID: b.GroupChat, From: platformtest.GroupRobotUser{UserID: user, Name: name},
			Text: &platformtest.Content{Content: "@金秋助手 " + text},
		})
		m.peer = w.grPeer
	case robotDing:
		exp := time.Now().Add(90 * time.Minute)
		sess := w.dd.NewSession(exp)
		m.reply = queryParam(sess, "session")
		req = w.dd.Callback("http://jinqiu/dingtalk/"+robotDing, w.ddSecret, platformtest.DingTalkCallback{
			MsgID: m.ID, Text: platformtest.Content{Content: " " + text}, ConversationID: b.DingChat,
			SenderStaffID: user, SenderNick: name, SessionWebhook: sess, SessionWebhookExpiredTime: exp.UnixMilli(),
			IsInAtList: true,
		})
	default:
		t.Fatalf("unknown robot %q", via)
	}
	m.path = req.URL.RequestURI()
	m.header = req.Header
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	m.body = body
	return m
}

// memberMessage is a callback from a prepared member.
func (w *world) memberMessage(t testing.TB, mb member, kind, text string) *msg {
	t.Helper()
	m := w.message(t, mb.Via, mb.Branch, mb.UserID, mb.Name, text)
	m.Kind = kind
	return m
}

func queryParam(raw, key string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

// result is one delivery of a callback.
type result struct {
	m          *msg
	replica    int
	status     int // 0 on a transport error
	body       []byte
	err        error
	sent, done time.Time
}

func (r result) latency() time.Duration { return r.done.Sub(r.sent) }

// loadClient is an HTTP client for many concurrent callbacks.
func loadClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr, Timeout: timeout}
}

// deliver posts m to base once.
func deliver(ctx context.Context, c *http.Client, base string, m *msg) result {
	r := result{m: m, sent: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+m.path, bytes.NewReader(m.body))
	if err != nil {
		r.err, r.done = err, time.Now()
		return r
	}
	req.Header = m.header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		r.err, r.done = err, time.Now()
		return r
	}
	r.body, r.err = io.ReadAll(resp.Body)
	resp.Body.Close()
	r.status, r.done = resp.StatusCode, time.Now()
	return r
}

// passive returns the reply carried by a WeCom callback's HTTP answer ("" for
// an empty answer and for DingTalk, which answers through its session).
func (m *msg) passive(body []byte) (string, error) {
	if len(body) == 0 || m.peer == nil {
		return "", nil
	}
	req, err := http.NewRequest(http.MethodPost, "http://jinqiu"+m.path, nil)
	if err != nil {
		return "", err
	}
	switch m.Via {
	case robotAIBot:
		r, err := m.peer.OpenAIBotReply(req, body)
		if err != nil {
			return "", err
		}
		if r.Stream.Content != "" {
			return r.Stream.Content, nil
		}
		return r.Text.Content, nil
	case robotGroup:
		r, err := m.peer.OpenGroupRobotReply(req, body)
		if err != nil {
			return "", err
		}
		if r.Text.Content != "" {
			return r.Text.Content, nil
		}
		return r.Markdown.Content, nil
	}
	return "", nil
}

// sentReplies returns, per msg id, what the fakes received for the
// messages outside the callbacks' answers (DingTalk sessions, WeCom
// response_urls).
func (w *world) sentReplies(msgs []*msg) map[string][]string {
	byReply := map[string]*msg{}
	for _, m := range msgs {
		if m.reply != "" {
			byReply[m.reply] = m
		}
	}
	out := map[string][]string{}
	for _, s := range append(w.dd.Messages(), w.wc.Messages()...) {
		if m := byReply[s.Robot]; m != nil {
			out[m.ID] = append(out[m.ID], s.Content)
		}
	}
	return out
}

// replyCheck sums up the answers a set of messages got.
type replyCheck struct {
	answered   int               // messages with at least one reply
	conflict   int               // messages answered with two different texts
	sends      int               // replies posted to DingTalk sessions / response_urls
	extraSends int               // of those, beyond one per message
	texts      map[string]string // msg id → the reply
	badCrypto  int               // WeCom answers that did not decrypt
}

// checkReplies gathers each message's replies: from the WeCom answers in
// results and from the fakes.
func (w *world) checkReplies(msgs []*msg, results []result) replyCheck {
	rc := replyCheck{texts: map[string]string{}}
	all := map[string][]string{}
	for _, r := range results {
		if r.status != http.StatusOK {
			continue
		}
		s, err := r.m.passive(r.body)
		if err != nil {
			rc.badCrypto++
			continue
		}
		if s != "" {
			all[r.m.ID] = append(all[r.m.ID], s)
		}
	}
	for id, ss := range w.sentReplies(msgs) {
		all[id] = append(all[id], ss...)
		rc.sends += len(ss)
		rc.extraSends += len(ss) - 1
	}
	for _, m := range msgs {
		ss := all[m.ID]
		if len(ss) == 0 {
			continue
		}
		rc.answered++
		rc.texts[m.ID] = ss[0]
		for _, s := range ss[1:] {
			if s != ss[0] {
				rc.conflict++
				break
			}
		}
	}
	return rc
}

// waitReplies waits until every message has a reply, or d passes.
func (w *world) waitReplies(msgs []*msg, results []result, d time.Duration) replyCheck {
	deadline := time.Now().Add(d)
	for {
		rc := w.checkReplies(msgs, results)
		if rc.answered == len(msgs) || time.Now().After(deadline) {
			return rc
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---- rows --------------------------------------------------------------------------

// counts returns SELECT COUNT(*) of every table of the world's database.
func (w *world) counts(t testing.TB) map[string]int {
	t.Helper()
	x := w.x(t)
	var tables []string
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name"
	if w.driver == storage.SQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	}
	if err := x.Select(&tables, q); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := x.Get(&n, "SELECT COUNT(*) FROM `"+tb+"`"); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

func diffCounts(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			d[k] = -v
		}
	}
	return d
}

func fmtCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %+d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// waitSettled waits until no inbound row is still processing (handlers that
// outlived their callback), up to d.
func (w *world) waitSettled(t testing.TB, d time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var n int
		if err := w.x(t).Get(&n, "SELECT COUNT(*) FROM inbound WHERE state <> 'done'"); err != nil {
			t.Fatal(err)
		}
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ---- statistics ----------------------------------------------------------------------

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

// statusCounts tallies the answers: "200", "503", "transport".
func statusCounts(rs []result) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		if r.err != nil && r.status == 0 {
			m["transport"]++
			continue
		}
		m[strconv.Itoa(r.status)]++
	}
	return m
}

func count5xx(rs []result) int {
	n := 0
	for _, r := range rs {
		if r.status >= 500 {
			n++
		}
	}
	return n
}

func fmtStatus(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// ---- own redis-server and mariadbd ------------------------------------------------------

// redisServer is a redis-server this test started, on its own port.
type redisServer struct {
	t    testing.TB
	port int
	addr string
	p    *proc
}

func startRedis(t testing.TB) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		storagetest.Skip(t, "this figure stops Redis, so it starts its own: redis-server is not in PATH")
	}
	r := &redisServer{t: t, port: freePort(t)}
	r.addr = fmt.Sprintf("127.0.0.1:%d", r.port)
	r.start()
	return r
}

func (r *redisServer) start() {
	r.t.Helper()
	r.p = start(r.t, fmt.Sprintf("redis-%d", r.port), nil, "redis-server",
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", r.t.TempDir())
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r.ping() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on %s did not answer PING:\n%s", r.addr, r.p.tail(20))
}

// flushAll empties the server, as a failover to an empty replica would.
func (r *redisServer) flushAll(t testing.TB) {
	c, err := net.DialTimeout("tcp", r.addr, time.Second)
	if err != nil {
		t.Errorf("flush redis: %v", err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("FLUSHALL\r\n")); err != nil {
		t.Errorf("flush redis: %v", err)
		return
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Errorf("flush redis: %q %v", line, err)
	}
}

func (r *redisServer) ping() bool {
	c, err := net.DialTimeout("tcp", r.addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// mariaDB is a mariadbd this test started, with its own data directory.
type mariaDB struct {
	t       testing.TB
	dir     string
	port    int
	env     []string
	args    []string
	p       *proc
	started int
}

// mariadbBinaries finds the server and its installer.
func mariadbBinaries(t testing.TB) (server, install string) {
	t.Helper()
	for _, s := range []string{"mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld"} {
		if p, err := exec.LookPath(s); err == nil {
			server = p
			break
		}
	}
	for _, s := range []string{"mariadb-install-db", "mysql_install_db"} {
		if p, err := exec.LookPath(s); err == nil {
			install = p
			break
		}
	}
	if server == "" || install == "" {
		storagetest.Skip(t, "this figure restarts MariaDB, so it runs its own: mariadbd and mariadb-install-db are needed")
	}
	return server, install
}

// startMariaDB installs a fresh data directory and starts mariadbd on a
// free port with env added (TZ, say) and extra server options.
func startMariaDB(t testing.TB, env []string, extra ...string) *mariaDB {
	t.Helper()
	_, install := mariadbBinaries(t)
	m := &mariaDB{t: t, dir: t.TempDir(), port: freePort(t), env: env, args: extra}
	args := []string{"--no-defaults", "--datadir=" + filepath.Join(m.dir, "data"), "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	cmd := exec.Command(install, args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	m.start()
	x, err := sqlx.Open("mysql", m.rootDSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Exec("CREATE DATABASE jinqiu CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *mariaDB) rootDSN(db string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?timeout=2s", m.port, db)
}

// DSN is the application's DSN.
func (m *mariaDB) DSN() string { return fmt.Sprintf("root@tcp(127.0.0.1:%d)/jinqiu", m.port) }

// start runs mariadbd on the data directory and waits until it accepts
// connections.
func (m *mariaDB) start() {
	m.t.Helper()
	if err := m.startE(); err != nil {
		m.t.Fatal(err)
	}
}

// startE is start for goroutines other than the test's: it returns the
// error instead of failing the test.
func (m *mariaDB) startE() error {
	server, _ := mariadbBinaries(m.t)
	m.started++
	args := []string{"--no-defaults", "--datadir=" + filepath.Join(m.dir, "data"),
		"--port=" + strconv.Itoa(m.port), "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(m.dir, "mysqld.sock"), "--pid-file=" + filepath.Join(m.dir, "mysqld.pid"),
		"--skip-log-bin", "--innodb-buffer-pool-size=64M", "--max-connections=500",
		"--log-error=" + filepath.Join(m.dir, fmt.Sprintf("error-%d.log", m.started))}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	args = append(args, m.args...)
	m.p = start(m.t, fmt.Sprintf("mariadbd-%d-%d", m.port, m.started), m.env, server, args...)
	if err := m.waitUp(30 * time.Second); err != nil {
		return fmt.Errorf("mariadbd on port %d: %v\n%s", m.port, err, m.errorLog())
	}
	return nil
}

func (m *mariaDB) waitUp(d time.Duration) error {
	x, err := sqlx.Open("mysql", m.rootDSN(""))
	if err != nil {
		return err
	}
	defer x.Close()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !m.p.running() {
			return errors.New("exited")
		}
		if err := x.Ping(); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer after %v", d)
}

// stop shuts the server down with SIGTERM (as systemd would) and waits for
// it to exit.
func (m *mariaDB) stop() {
	m.t.Helper()
	m.p.signal(syscall.SIGTERM)
	if !m.p.wait(60 * time.Second) {
		m.t.Fatalf("mariadbd did not stop within 60s")
	}
}

func (m *mariaDB) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(m.dir, fmt.Sprintf("error-%d.log", m.started)))
	return string(b)
}
