// Package platformtest holds in-process fakes of WeCom and DingTalk for
// tests of any package. Each fake is an httptest server whose URL serves as
// the platform's api_base: it records every message the bot sends, enforces
// the 20-per-minute robot limit with the platforms' real error codes, can be
// told to fail or hang, and plays the platform towards the bot by building
// real encrypted or signed callbacks. The fakes share no code with the
// packages they test, so a mistake in the bot's crypto is not mirrored here.
package platformtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Default robot budget of both platforms: 20 messages in any 60 s.
const (
	DefaultLimit  = 20
	DefaultWindow = time.Minute
)

// Sent is one message the bot sent to a fake, or tried to.
type Sent struct {
	Kind     string    // jinqiu.KindWebhook, jinqiu.KindResponseURL or jinqiu.KindSession
	Robot    string    // WeCom webhook key, DingTalk access_token, or the response_url / session code
	ChatID   string    // WeCom body chatid (group robots with callbacks)
	MsgType  string    // text, markdown, ...
	Content  string    // text content or markdown text
	Title    string    // DingTalk markdown title
	Mentions []string  // WeCom mentioned_list, DingTalk at.atUserIds
	AtAll    bool      // DingTalk at.isAtAll
	At       time.Time // the fake's clock when it arrived
	ErrCode  int       // what the fake answered: 0 means delivered
	ErrMsg   string
	Hung     bool // delivered, but the answer was withheld (HangNext)
}

// Server is what both fakes share: the HTTP server, the clock, the record
// of messages, the rate limit and the fault injection. Its methods are
// safe for concurrent use; set the fields before the first request.
type Server struct {
	// URL is the server's base URL: the api_base to configure.
	URL string
	// Now is the platform's clock (time.Now by default); a *Clock helps.
	Now func() time.Time
	// Limit messages per Window per robot key (20 per 60 s by default).
	Limit  int
	Window time.Duration

	tb   testing.TB
	srv  *httptest.Server
	done chan struct{}

	mu      sync.Mutex
	log     []Sent
	windows map[string][]time.Time
	fail    int
	hang    int
}

func newServer(tb testing.TB, h http.Handler) *Server {
	s := &Server{
		Now:     time.Now,
		Limit:   DefaultLimit,
		Window:  DefaultWindow,
		tb:      tb,
		done:    make(chan struct{}),
		windows: make(map[string][]time.Time),
	}
	s.srv = httptest.NewServer(h)
	s.URL = s.srv.URL
	tb.Cleanup(func() {
		close(s.done) // release hung requests first, or Close waits for them
		s.srv.Close()
	})
	return s
}

// Client returns an HTTP client for the fake's server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// FailNext makes the next n requests answer HTTP 503 without effect.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.fail = n
	s.mu.Unlock()
}

// HangNext makes the next n requests take effect (the message is delivered
// and recorded with Hung set) but withholds the answer until the client
// gives up: the "timeout after the request was written" case.
func (s *Server) HangNext(n int) {
	s.mu.Lock()
	s.hang = n
	s.mu.Unlock()
}

// Requests returns everything the bot sent that reached the platform's
// logic, refused messages included, in arrival order.
func (s *Server) Requests() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.log...)
}

// Messages returns the delivered messages (ErrCode 0) in arrival order.
func (s *Server) Messages() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.log {
		if m.ErrCode == 0 {
			out = append(out, m)
		}
	}
	return out
}

// MessagesTo returns the delivered messages for one robot key.
func (s *Server) MessagesTo(robot string) []Sent {
	var out []Sent
	for _, m := range s.Messages() {
		if m.Robot == robot {
			out = append(out, m)
		}
	}
	return out
}

// MaxInWindow returns the largest number of messages delivered to robot
// within any Window: what a rate-limit test asserts on.
func (s *Server) MaxInWindow(robot string) int {
	msgs := s.MessagesTo(robot)
	best := 0
	for i := range msgs {
		n := 0
		for j := i; j < len(msgs) && msgs[j].At.Sub(msgs[i].At) < s.Window; j++ {
			n++
		}
		best = max(best, n)
	}
	return best
}

func (s *Server) now() time.Time { return s.Now() }

// inject consumes the fault counters: fail means answer 503 now, hang means
// withhold the answer after the message took effect.
func (s *Server) inject() (fail, hang bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return true, false
	}
	if s.hang > 0 {
		s.hang--
		return false, true
	}
	return false, false
}

// allow counts a message against key's sliding window and reports whether
// it fits. Refused messages do not count.
func (s *Server) allow(key string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.windows[key]
	i := 0
	for i < len(w) && !w[i].After(now.Add(-s.Window)) {
		i++
	}
	w = w[i:]
	if len(w) >= s.Limit {
		s.windows[key] = w
		return false
	}
	s.windows[key] = append(w, now)
	return true
}

func (s *Server) record(m Sent) {
	s.mu.Lock()
	s.log = append(s.log, m)
	s.mu.Unlock()
}

// answer records m and writes the platform's JSON answer, or withholds it.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, m Sent, hang bool) {
	if m.ErrMsg == "" {
		m.ErrMsg = "ok"
	}
	m.Hung = hang
	s.record(m)
	if hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"errcode": m.ErrCode, "errmsg": m.ErrMsg})
}

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Clock is a settable clock for the fakes and the code under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
