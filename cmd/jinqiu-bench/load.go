// Package bench is jinqiu's load generator: it sends real encrypted WeCom
// and signed DingTalk callbacks, from a realistic mix of commands by many
// members in many groups, to a running server, and reports throughput,
// latency percentiles, errors and the server's memory. It also runs the
// baseline server the figures are compared with.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"jinqiu"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/config"
)

// Workload says who talks where.
type Workload struct {
	Target  string // base URL of the server, e.g. http://127.0.0.1:8080
	Groups  []Group
	Members int // per group
	Seed    uint64
}

// Group is one chat and the robot that serves it.
type Group struct {
	Platform  jinqiu.Platform // wecom | dingtalk
	ChatID    string
	Robot     string
	Secretary string // a secretary's user id in this group
	// WeCom robot credentials, or the DingTalk app secret.
	Token, AESKey, AppSecret string
	// SessionBase is where DingTalk session webhooks point (the sink).
	SessionBase string
}

// GroupsFromConfig lists the configured groups with their robots' secrets
// (the load generator plays the platform, so it needs them).
func GroupsFromConfig(cfg *config.Config, sessionBase string) []Group {
	we := map[string]wecom.Robot{}
	for _, r := range weComOf(cfg).Robots {
		we[r.Name] = r
	}
	dt := map[string]dingtalk.Robot{}
	for _, r := range dingTalkOf(cfg).Robots {
		dt[r.Name] = r
	}
	var out []Group
	for _, b := range cfg.Branches {
		sec := ""
		if ids := config.Identities(b.Secretaries); len(ids) > 0 {
			sec = ids[0].UserID
		}
		for _, g := range b.Groups {
			x := Group{Platform: g.Platform, ChatID: g.ChatID, Robot: g.Robot, Secretary: sec, SessionBase: sessionBase}
			switch g.Platform {
			case wecom.Name:
				r, ok := we[g.Robot]
				if !ok || r.Token == "" {
					continue
				}
				x.Token, x.AESKey = r.Token, r.EncodingAESKey
			case dingtalk.Name:
				r, ok := dt[g.Robot]
				if !ok || r.AppSecret == "" {
					continue
				}
				x.AppSecret = r.AppSecret
			}
			out = append(out, x)
		}
	}
	return out
}

// Request is one prepared callback.
type Request struct {
	URL    string
	Header http.Header
	Body   []byte
	Kind   string // the command, for the report
}

// Builder prepares callbacks. Encryption happens before the clock starts, so
// the generator's own CPU does not load the server's cores during the run.
type Builder struct {
	w      Workload
	rng    *mrand.Rand
	crypto map[string]*wecom.Crypto
	seq    atomic.Int64
	run    string
}

// NewBuilder returns a builder for the workload.
func NewBuilder(w Workload) (*Builder, error) {
	b := &Builder{w: w, rng: mrand.New(mrand.NewPCG(w.Seed, 7)), crypto: map[string]*wecom.Crypto{}}
	r := make([]byte, 4)
	rand.Read(r)
	b.run = hex.EncodeToString(r)
	for _, g := range w.Groups {
		if g.Platform == wecom.Name && b.crypto[g.Robot] == nil {
			c, err := wecom.NewCrypto(g.Token, g.AESKey, "")
			if err != nil {
				return nil, fmt.Errorf("robot %s: %w", g.Robot, err)
			}
			b.crypto[g.Robot] = c
		}
	}
	return b, nil
}

func (b *Builder) member(gi, mi int) string { return fmt.Sprintf("m%d-%d", gi, mi) }

// Setup returns the callbacks that prepare the run: every member registers
// and each group's secretary publishes three activities.
func (b *Builder) Setup() ([]Request, error) {
	var out []Request
	for gi, g := range b.w.Groups {
		for mi := 0; mi < b.w.Members; mi++ {
			r, err := b.build(g, b.member(gi, mi), "老党员"+strconv.Itoa(mi), "报到", "register")
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if g.Secretary == "" {
			continue
		}
		for k, when := range []string{"明天上午9点", "后天下午3点", "下周三上午9点半"} {
			text := fmt.Sprintf("发布活动 志愿服务%d %s 社区广场 名额%d", k+1, when, 10+b.w.Members/2)
			r, err := b.build(g, g.Secretary, "书记", text, "publish")
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// mix is the measured command mix: what members send on an ordinary day.
var mix = []struct {
	weight int
	kind   string
	text   func(r *mrand.Rand) string
}{
	{20, "signup", func(r *mrand.Rand) string { return fmt.Sprintf("报名 %d", 1+r.IntN(300)) }},
	{15, "list", func(*mrand.Rand) string { return "活动" }},
	{15, "checkin", func(*mrand.Rand) string { return "签到" }},
	{15, "hours", func(r *mrand.Rand) string { return fmt.Sprintf("时长 %d 打扫楼道", 1+r.IntN(4)) }},
	{15, "my", func(*mrand.Rand) string { return "我的" }},
	{5, "help", func(*mrand.Rand) string { return "帮助" }},
	{5, "cancel", func(r *mrand.Rand) string { return fmt.Sprintf("取消报名 %d", 1+r.IntN(300)) }},
	{10, "chatter", func(*mrand.Rand) string { return "收到，谢谢" }},
}

// Mix returns n callbacks drawn from the command mix, from random members.
func (b *Builder) Mix(n int) ([]Request, error) {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	out := make([]Request, 0, n)
	for i := 0; i < n; i++ {
		gi := b.rng.IntN(len(b.w.Groups))
		mi := b.rng.IntN(max(1, b.w.Members))
		pick := b.rng.IntN(total)
		for _, m := range mix {
			if pick < m.weight {
				r, err := b.build(b.w.Groups[gi], b.member(gi, mi), "", m.text(b.rng), m.kind)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
				break
			}
			pick -= m.weight
		}
	}
	return out, nil
}

func (b *Builder) build(g Group, user, name, text, kind string) (Request, error) {
	id := fmt.Sprintf("bench-%s-%d", b.run, b.seq.Add(1))
	now := time.Now()
	switch g.Platform {
	case wecom.Name:
		plain, _ := json.Marshal(map[string]any{
			"msgid": id, "aibotid": "bench", "chatid": g.ChatID, "chattype": "group",
			"from": map[string]string{"userid": user}, "msgtype": "text",
			"text": map[string]string{"content": "@金秋助手 " + text},
		})
		c := b.crypto[g.Robot]
		enc, err := c.Encrypt(plain)
		if err != nil {
			return Request{}, err
		}
		ts := strconv.FormatInt(now.Unix(), 10)
		nonce := strconv.FormatUint(b.rng.Uint64()%1e10, 10)
		q := "?msg_signature=" + c.Signature(ts, nonce, enc) + "&timestamp=" + ts + "&nonce=" + nonce
		body, _ := json.Marshal(map[string]string{"encrypt": enc})
		h := http.Header{"Content-Type": {"application/json"}}
		return Request{URL: b.w.Target + "/wecom/" + g.Robot + q, Header: h, Body: body, Kind: kind}, nil
	default:
		exp := now.Add(90 * time.Minute).UnixMilli()
		body, _ := json.Marshal(map[string]any{
			"msgtype": "text", "text": map[string]string{"content": " " + text}, "msgId": id,
			"createAt": now.UnixMilli(), "conversationType": "2", "conversationId": g.ChatID,
			"senderStaffId": user, "senderNick": name,
			"sessionWebhook":            g.SessionBase + "/robot/sendBySession?session=" + id,
			"sessionWebhookExpiredTime": exp,
		})
		ms := now.UnixMilli()
		h := http.Header{
			"Content-Type": {"application/json; charset=utf-8"},
			"Timestamp":    {strconv.FormatInt(ms, 10)},
			"Sign":         {dingtalk.Sign(g.AppSecret, ms)},
		}
		return Request{URL: b.w.Target + "/dingtalk/" + g.Robot, Header: h, Body: body, Kind: kind}, nil
	}
}

// Report is the outcome of a run.
type Report struct {
	Mode       string         `json:"mode"`
	Rate       float64        `json:"rate,omitempty"` // offered, open loop
	Sent       int            `json:"sent"`
	OK         int            `json:"ok"`
	Errors     int            `json:"errors"`
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Duration   time.Duration  `json:"duration"`
	Throughput float64        `json:"throughput"` // completed 2xx per second
	P50        time.Duration  `json:"p50"`
	P90        time.Duration  `json:"p90"`
	P99        time.Duration  `json:"p99"`
	Max        time.Duration  `json:"max"`
	MaxRSS     int64          `json:"max_rss_bytes,omitempty"`
}

func (r Report) String() string {
	s := fmt.Sprintf("%s: sent %d, ok %d, errors %d in %.1fs → %.0f/s; p50 %s p90 %s p99 %s max %s",
		r.Mode, r.Sent, r.OK, r.Errors, r.Duration.Seconds(), r.Throughput, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
	if r.Rate > 0 {
		s += fmt.Sprintf("; offered %.0f/s", r.Rate)
	}
	if r.MaxRSS > 0 {
		s += fmt.Sprintf("; server RSS max %.1f MB", float64(r.MaxRSS)/(1<<20))
	}
	if len(r.ErrorKinds) > 0 {
		s += fmt.Sprintf("; error kinds %v", r.ErrorKinds)
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// Client returns an HTTP client sized for load.
func Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 4096
	t.MaxIdleConnsPerHost = 4096
	t.MaxConnsPerHost = 0
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

type recorder struct {
	mu   sync.Mutex
	lat  []time.Duration
	ok   int
	errs map[string]int
	sent int
}

func (r *recorder) add(d time.Duration, err string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent++
	if err != "" {
		r.errs[err]++
		return
	}
	r.ok++
	r.lat = append(r.lat, d)
}

func (r *recorder) report(mode string, elapsed time.Duration) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	q := func(p float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		i := int(math.Ceil(p*float64(len(r.lat)))) - 1
		return r.lat[max(0, min(i, len(r.lat)-1))]
	}
	errs := 0
	for _, n := range r.errs {
		errs += n
	}
	rep := Report{Mode: mode, Sent: r.sent, OK: r.ok, Errors: errs, Duration: elapsed,
		Throughput: float64(r.ok) / elapsed.Seconds(), P50: q(.50), P90: q(.90), P99: q(.99)}
	if len(r.errs) > 0 {
		rep.ErrorKinds = r.errs
	}
	if len(r.lat) > 0 {
		rep.Max = r.lat[len(r.lat)-1]
	}
	return rep
}

func do(ctx context.Context, c *http.Client, q Request) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.URL, bytes.NewReader(q.Body))
	if err != nil {
		return "request"
	}
	req.Header = q.Header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "canceled"
		}
		return "transport"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "http_" + strconv.Itoa(resp.StatusCode)
	}
	return ""
}

// Sequential sends requests one after another (setup), failing on the
// first error.
func Sequential(ctx context.Context, c *http.Client, reqs []Request, workers int) error {
	ch := make(chan Request)
	errc := make(chan string, workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range ch {
				if e := do(ctx, c, q); e != "" {
					select {
					case errc <- q.Kind + ": " + e:
					default:
					}
				}
			}
		}()
	}
	for _, q := range reqs {
		ch <- q
	}
	close(ch)
	wg.Wait()
	select {
	case e := <-errc:
		return fmt.Errorf("setup: %s", e)
	default:
		return nil
	}
}

// Open sends reqs at a constant rate, whatever the server's speed (open
// loop), and measures each latency from its scheduled send time, so a
// stalled server cannot hide its queue (no coordinated omission).
func Open(ctx context.Context, c *http.Client, reqs []Request, rate float64, rss *RSSProbe) Report {
	rec := &recorder{errs: map[string]int{}}
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	var wg sync.WaitGroup
	stopRSS := rss.Start(ctx)
	for i, q := range reqs {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := do(ctx, c, q)
			rec.add(time.Since(at), e)
		}()
	}
	wg.Wait()
	rep := rec.report("open", time.Since(start))
	rep.Rate = rate
	rep.MaxRSS = stopRSS()
	return rep
}

// Closed runs workers that each send the next request as soon as the last
// is answered (closed loop): the server's maximum throughput.
func Closed(ctx context.Context, c *http.Client, reqs []Request, workers int, rss *RSSProbe) Report {
	rec := &recorder{errs: map[string]int{}}
	var next atomic.Int64
	start := time.Now()
	stopRSS := rss.Start(ctx)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				t := time.Now()
				e := do(ctx, c, reqs[i])
				rec.add(time.Since(t), e)
			}
		}()
	}
	wg.Wait()
	rep := rec.report(fmt.Sprintf("closed(%d)", workers), time.Since(start))
	rep.MaxRSS = stopRSS()
	return rep
}

// RSSProbe samples the server's resident memory from its /metrics
// (process_resident_memory_bytes).
type RSSProbe struct {
	MetricsURL string
	Client     *http.Client
}

// Start samples every 250 ms until the returned function is called, which
// returns the largest sample.
func (p *RSSProbe) Start(ctx context.Context) func() int64 {
	if p == nil || p.MetricsURL == "" {
		return func() int64 { return 0 }
	}
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if v := p.Sample(ctx); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// Sample reads the server's RSS once; 0 if it cannot.
func (p *RSSProbe) Sample(ctx context.Context) int64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.MetricsURL, nil)
	if err != nil {
		return 0
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "process_resident_memory_bytes ") {
			v, _ := strconv.ParseFloat(strings.TrimPrefix(line, "process_resident_memory_bytes "), 64)
			return int64(v)
		}
	}
	return 0
}

// weComOf and dingTalkOf are the platforms' sections of cfg: the load
// generator plays the platforms, so it needs their robots' secrets.
func weComOf(cfg *config.Config) wecom.Config {
	p, _ := cfg.Platforms.Get(wecom.Name)
	return p.(*wecom.Platform).Config()
}

func dingTalkOf(cfg *config.Config) dingtalk.Config {
	p, _ := cfg.Platforms.Get(dingtalk.Name)
	return p.(*dingtalk.Platform).Config()
}
