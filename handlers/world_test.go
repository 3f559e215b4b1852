package handlers

import (
	"context"
	"fmt"
	"jinqiu"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"jinqiu/report"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata"

	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

// testWorld is two branches, each with its WeCom group, a bureau group, a
// bureau admin and a fixed clock shared by the handlers and the database.
type testWorld struct {
	tb  testing.TB
	db  *storage.DB
	h   *Handlers
	mem *state.Memory
	mu  sync.Mutex
	now time.Time
	seq atomic.Int64
}

const (
	twA, twB                    = "zaoxing", "shijia"
	twChatA, twChatB, twChatBur = "chat-a", "chat-b", "chat-bureau"
	twSecA, twSecB, twAdmin     = "sec-a", "sec-b", "admin"
	twNameA, twNameB            = "枣行社区临时党支部", "史家庄村老干部党支部"
)

var twCtx = context.Background()

// twWords writes dates as the handlers do in the tests' year (2026).
var twWords = say.Words{Year: 2026}

// twStart is Friday 2026-11-27 10:00 in Shanghai, the corpus's "now".
func twStart(tb testing.TB) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
}

// newTestWorld configures db; store nil means a memory store on the world's
// clock.
func newTestWorld(tb testing.TB, db *storage.DB, store state.Store) *testWorld {
	tb.Helper()
	w := &testWorld{tb: tb, db: db, now: twStart(tb)}
	if store == nil {
		w.mem = state.NewMemory()
		w.mem.SetClock(w.clock)
		store = w.mem
	}
	db.Now = w.clock
	w.h = &Handlers{DB: db, State: store, Loc: w.now.Location(), Admins: []jinqiu.Identity{{Platform: wecom.Name, UserID: twAdmin}}, Now: w.clock,
		Reports: &report.Reporter{DB: db, Loc: w.now.Location(), Default: jinqiu.DefaultSchedule(), Now: w.clock}}
	w.sync()
	return w
}

func (w *testWorld) sync() {
	w.tb.Helper()
	err := w.db.SyncConfig(twCtx, []storage.BranchSpec{
		{Branch: jinqiu.Branch{ID: twA, Name: twNameA, Town: "城关街道", Kind: "community"},
			Secretaries: []jinqiu.Identity{{Platform: wecom.Name, UserID: twSecA}}, Groups: []jinqiu.Group{{Platform: wecom.Name, ChatID: twChatA}, {Platform: dingtalk.Name, ChatID: twChatA}}},
		{Branch: jinqiu.Branch{ID: twB, Name: twNameB, Town: "王庄镇", Kind: "rural"},
			Secretaries: []jinqiu.Identity{{Platform: wecom.Name, UserID: twSecB}}, Groups: []jinqiu.Group{{Platform: wecom.Name, ChatID: twChatB}, {Platform: dingtalk.Name, ChatID: twChatB}}},
	}, []jinqiu.Group{{Platform: wecom.Name, ChatID: twChatBur}})
	if err != nil {
		w.tb.Fatal(err)
	}
}

func (w *testWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *testWorld) setNow(t time.Time) {
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

func (w *testWorld) advance(d time.Duration) { w.setNow(w.clock().Add(d)) }

// twName is a person's display name: 名 + their id.
func twName(user string) string { return "名" + user }

// say sends text from user in chat through Handle, as `jinqiu say` does.
func (w *testWorld) say(chat, user, text string) jinqiu.Reply {
	w.tb.Helper()
	return w.sayOn(wecom.Name, chat, user, text)
}

// sayOn sends from a person of the given platform.
func (w *testWorld) sayOn(platform jinqiu.Platform, chat, user, text string) jinqiu.Reply {
	w.tb.Helper()
	m := w.message(chat, user, text)
	m.Platform = platform
	r, err := w.h.Handle(twCtx, m)
	if err != nil {
		w.tb.Fatalf("%s:%s in %s: %q: %v", platform, user, chat, text, err)
	}
	return r
}

func (w *testWorld) message(chat, user, text string) jinqiu.Message {
	return jinqiu.Message{
		Platform: wecom.Name, Robot: "jinqiu", MsgID: fmt.Sprintf("msg-%d", w.seq.Add(1)),
		ChatID: chat, ChatType: "group", UserID: user, UserName: twName(user), Text: "@金秋助手 " + text, SentAt: w.clock(),
	}
}

// register makes user a member of the branch of chat through 报到.
func (w *testWorld) register(chat, user string) jinqiu.Member {
	w.tb.Helper()
	w.say(chat, user, "报到")
	m, err := w.db.Member(twCtx, wecom.Name, user)
	if err != nil || !m.Registered() {
		w.tb.Fatalf("register %s: %+v, %v", user, m, err)
	}
	return m
}

// publish has the secretary publish an activity and returns it.
func (w *testWorld) publish(chat, secretary, text string) jinqiu.Activity {
	w.tb.Helper()
	r := w.say(chat, secretary, text)
	var id int64
	if _, err := fmt.Sscanf(r.Text, "已发布 %d号活动", &id); err != nil {
		w.tb.Fatalf("publish %q: reply %q", text, r.Text)
	}
	a, err := w.db.ActivityAnyBranch(twCtx, id)
	if err != nil {
		w.tb.Fatal(err)
	}
	return a
}

// twTables are the tables a message may write.
var twTables = []string{"branches", "chat_groups", "branch_roles", "members", "registrations", "activities", "signups",
	"checkins", "hours_reports", "meetings", "inbound", "outbox", "job_runs", "audit_log", "posts", "decisions", "nominations"}

// snapshot returns every row of every table, as text: two snapshots are
// equal exactly when nothing was inserted, updated or deleted.
func (w *testWorld) snapshot() map[string]string {
	w.tb.Helper()
	out := map[string]string{}
	for _, t := range twTables {
		rows, err := w.db.X().Queryx("SELECT * FROM " + t + " ORDER BY 1")
		if err != nil {
			w.tb.Fatal(err)
		}
		var b strings.Builder
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				w.tb.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
		out[t] = b.String()
	}
	return out
}

// changed names the tables that differ between two snapshots.
func twChanged(before, after map[string]string) []string {
	var ts []string
	for _, t := range twTables {
		if before[t] != after[t] {
			ts = append(ts, t)
		}
	}
	return ts
}

// reset empties every table and configures the world again.
func (w *testWorld) reset() {
	w.tb.Helper()
	for _, t := range twTables {
		if _, err := w.db.X().Exec("DELETE FROM " + t); err != nil {
			w.tb.Fatal(err)
		}
	}
	w.setNow(twStart(w.tb))
	w.sync()
}

// outbox returns the queued messages, oldest first.
func (w *testWorld) outbox() []twQueued {
	w.tb.Helper()
	var out []twQueued
	for _, r := range storagetest.Outbox(w.tb, w.db, "") {
		a, rep, err := outbox.Decode(r)
		if err != nil {
			w.tb.Fatal(err)
		}
		out = append(out, twQueued{Key: r.DedupKey, Chat: a.ChatID, Reply: rep})
	}
	return out
}

type twQueued struct {
	Key   string
	Chat  string
	Reply jinqiu.Reply
}

func (w *testWorld) count(q string, args ...any) int {
	w.tb.Helper()
	var n int
	if err := w.db.X().Get(&n, q, args...); err != nil {
		w.tb.Fatalf("%s: %v", q, err)
	}
	return n
}
