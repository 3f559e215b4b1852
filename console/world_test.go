package console_test

import (
	"context"
	"fmt"
	"io"
	"jinqiu"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"jinqiu/console"
	"jinqiu/handlers"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/workbook"
)

// world is two branches of two towns with their secretaries and groups, a
// bureau admin, members who reported hours through the chat, and the
// console served over HTTP, all on one fixed clock.
type world struct {
	tb  testing.TB
	db  *storage.DB
	h   *handlers.Handlers
	srv *httptest.Server
	cs  *console.Server
	mu  sync.Mutex
	now time.Time
	seq atomic.Int64
}

const (
	branchA, branchB = "zaoxing", "shijia"
	chatA, chatB     = "chat-a", "chat-b"
	secA, secB       = "sec-a", "sec-b"
	admin            = "admin"
	nameA, nameB     = "枣行社区临时党支部", "史家庄村老干部党支部"
)

var bg = context.Background()

func newWorld(tb testing.TB, db *storage.DB) *world {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	w := &world{tb: tb, db: db, now: time.Date(2026, 11, 27, 10, 0, 0, 0, loc)}
	db.Now = w.clock
	mem := state.NewMemory()
	mem.SetClock(w.clock)
	admins := []jinqiu.Identity{{Platform: "wecom", UserID: admin}}
	// Installed on 1 October: meetings due before it are not held against anyone.
	rep := &report.Reporter{DB: db, Loc: loc, Default: jinqiu.DefaultSchedule(), Now: w.clock, Since: time.Date(2026, 10, 1, 0, 0, 0, 0, loc)}
	w.h = &handlers.Handlers{DB: db, State: mem, Loc: loc, Admins: admins, Now: w.clock, Reports: rep}
	err = db.SyncConfig(bg, []storage.BranchSpec{
		{Branch: jinqiu.Branch{ID: branchA, Name: nameA, Town: "城关街道", Kind: jinqiu.Community},
			Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: secA}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: chatA}}},
		{Branch: jinqiu.Branch{ID: branchB, Name: nameB, Town: "王庄镇", Kind: jinqiu.Rural},
			Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: secB}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: chatB}}},
	}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	w.cs = &console.Server{DB: db, Handlers: w.h, Reports: rep, Admins: admins, Loc: loc, Now: w.clock,
		Workbook: &workbook.Writer{DB: db, Reports: rep, Loc: loc}}
	hh, err := w.cs.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", hh)
	w.srv = httptest.NewServer(mux)
	tb.Cleanup(w.srv.Close)
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

// say sends text from user in a group chat through the handlers, as a
// callback would.
func (w *world) say(chat, user, text string) string {
	w.tb.Helper()
	r, err := w.h.Handle(bg, jinqiu.Message{
		Platform: "wecom", Robot: "jinqiu", MsgID: fmt.Sprintf("m%d", w.seq.Add(1)), ChatID: chat, ChatType: jinqiu.ChatGroup,
		UserID: user, UserName: "名" + user, Text: "@金秋助手 " + text, SentAt: w.clock(),
	})
	if err != nil {
		w.tb.Fatalf("%s in %s: %q: %v", user, chat, text, err)
	}
	return r.Text
}

// member registers user in the branch of chat and has them report hours
// (the chat's own 报到 and 时长), returning the pending report.
func (w *world) member(chat, user, hours string) jinqiu.HoursReport {
	w.tb.Helper()
	w.say(chat, user, "报到")
	w.say(chat, user, "时长 "+hours)
	m, err := w.db.Member(bg, "wecom", user)
	if err != nil || !m.Registered() {
		w.tb.Fatalf("register %s: %+v, %v", user, m, err)
	}
	var id int64
	if err := w.db.X().Get(&id, "SELECT MAX(id) FROM hours_reports WHERE member_id = ?", m.ID); err != nil {
		w.tb.Fatal(err)
	}
	r, err := w.db.HoursReport(bg, m.BranchID, id)
	if err != nil {
		w.tb.Fatal(err)
	}
	return r
}

// link is a one-time console link for user, as 后台 sends it.
func (w *world) link(user string) string {
	w.tb.Helper()
	token, err := w.db.NewConsoleLink(bg, jinqiu.Identity{Platform: "wecom", UserID: user}, "名"+user, jinqiu.ConsoleLinkTTL)
	if err != nil {
		w.tb.Fatal(err)
	}
	return w.srv.URL + handlers.ConsoleLoginPath + token
}

// client is a browser without JavaScript: cookies, no redirects followed,
// and the headers a same-origin form post carries.
type client struct {
	w *world
	c *http.Client
}

func (w *world) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{w: w, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; site is its Sec-Fetch-Site ("" for none).
func (c *client) do(method, u, site string, form url.Values) (*http.Response, string) {
	c.w.tb.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	rq, err := http.NewRequest(method, u, body)
	if err != nil {
		c.w.tb.Fatal(err)
	}
	if form != nil {
		rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if site != "" {
		rq.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := c.c.Do(rq)
	if err != nil {
		c.w.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	return c.do(http.MethodGet, c.w.srv.URL+path, "same-origin", nil)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	return c.do(http.MethodPost, c.w.srv.URL+path, "same-origin", form)
}

// login signs the client in through a link: GET shows the confirm page,
// POST redeems it.
func (c *client) login(user string) {
	c.w.tb.Helper()
	u := c.w.link(user)
	if resp, body := c.do(http.MethodGet, u, "cross-site", nil); resp.StatusCode != 200 || !strings.Contains(body, "确认登录") {
		c.w.tb.Fatalf("GET link: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do(http.MethodPost, u, "same-origin", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		c.w.tb.Fatalf("POST link: %d", resp.StatusCode)
	}
}

func (w *world) state(branch string, id int64) string {
	w.tb.Helper()
	r, err := w.db.HoursReport(bg, branch, id)
	if err != nil {
		w.tb.Fatal(err)
	}
	return r.State
}
