package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// End-to-end tests: a configuration as an operator writes it, openApp, the
// real routes on an HTTP server, and the fake platforms signing and
// encrypting callbacks and reading what the bot answers or sends.

const (
	// The official WeCom test key and a token of the official samples.
	e2eAESKey     = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	e2eAIToken    = "QDG6eK"
	e2eGroupToken = "GrpT0ken"
	e2eDDSecret   = "dd-app-secret-for-tests"
	e2eWebhookKey = "wk-qun"

	e2eBranchA = "枣行社区临时党支部"
	e2eBranchB = "史家庄村老干部党支部"
)

// e2eWorld names the chats and people of one run. They carry a random
// suffix, so that runs sharing a Redis never meet in it.
type e2eWorld struct {
	chatA, chatAQun, chatB, cidA, cidB string // WeCom AI bot, WeCom group robot, DingTalk
	secA, secB                         string
}

func newE2EWorld() e2eWorld {
	b := make([]byte, 4)
	rand.Read(b)
	s := "-" + hex.EncodeToString(b)
	return e2eWorld{
		chatA: "wx-a" + s, chatAQun: "wx-a-qun" + s, chatB: "wx-b" + s, cidA: "cid-a" + s, cidB: "cid-b" + s,
		secA: "sec-a" + s, secB: "sec-b" + s,
	}
}

// user is a person's id in this run.
func (w e2eWorld) user(name string) string { return name + w.chatA[len("wx-a"):] }

// e2eConfigYAML is the whole configuration of a test run: two robots on
// WeCom (an AI bot and a group robot), one on DingTalk, two branches with
// groups on both platforms and a secretary each.
func e2eConfigYAML(w e2eWorld, driver, dsn, redis, wecomBase, dingBase string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a JSON string is a YAML scalar
	return `server:
  listen: "127.0.0.1:0"
  # Generous: the tests check what is answered, not how fast, and a busy
  # MariaDB must not turn an answer into a late delivery.
  reply_budget: 30s
storage:
  driver: ` + driver + `
  dsn: ` + q(dsn) + `
redis:
  addr: ` + q(redis) + `
timezone: Asia/Shanghai
wecom:
  api_base: ` + q(wecomBase) + `
  robots:
    - name: jinqiu
      mode: aibot
      token: ` + e2eAIToken + `
      encoding_aes_key: ` + e2eAESKey + `
    - name: qunbot
      mode: group_robot
      token: ` + e2eGroupToken + `
      encoding_aes_key: ` + e2eAESKey + `
      webhook_key: ` + e2eWebhookKey + `
dingtalk:
  api_base: ` + q(dingBase) + `
  robots:
    - name: jinqiu-dd
      app_secret: ` + e2eDDSecret + `
branches:
  - id: zaoxing
    name: ` + e2eBranchA + `
    town: 城关街道
    kind: community
    secretaries: [` + q("wecom:"+w.secA) + `]
    groups:
      - {platform: wecom, chat_id: ` + q(w.chatA) + `, robot: jinqiu}
      - {platform: wecom, chat_id: ` + q(w.chatAQun) + `, robot: qunbot}
      - {platform: dingtalk, chat_id: ` + q(w.cidA) + `, robot: jinqiu-dd}
  - id: shijiazhuang
    name: ` + e2eBranchB + `
    town: 王庄镇
    kind: rural
    secretaries: [` + q("wecom:"+w.secB) + `]
    groups:
      - {platform: wecom, chat_id: ` + q(w.chatB) + `, robot: jinqiu}
      - {platform: dingtalk, chat_id: ` + q(w.cidB) + `, robot: jinqiu-dd}
bureau:
  admins: [` + q("wecom:"+w.user("admin")) + `]
`
}

func e2eNoEnv(string) (string, bool) { return "", false }

// e2eNow is the clock of the bot in these tests: Friday 2026-11-27 10:00
// in Shanghai, the corpus's "now". The platforms' signatures are checked
// against the real clock, as the fakes sign with it.
func e2eNow(tb testing.TB) time.Time {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return time.Date(2026, 11, 27, 10, 0, 0, 0, loc)
}

// e2eServer is a running bot and the fake platforms around it.
type e2eServer struct {
	w   e2eWorld
	a   *app
	url string
	wc  *platformtest.FakeWeCom
	dt  *platformtest.FakeDingTalk
	hc  *http.Client
}

// startE2E configures and opens the app on the database given, and serves
// its routes.
func startE2E(t *testing.T, driver, dsn, redis string) *e2eServer {
	t.Helper()
	s := &e2eServer{w: newE2EWorld(), wc: platformtest.NewWeCom(t), dt: platformtest.NewDingTalk(t)}
	s.wc.AddKey(e2eWebhookKey)
	cfg, err := config.Parse([]byte(e2eConfigYAML(s.w, driver, dsn, redis, s.wc.URL, s.dt.URL)), e2eNoEnv, registry())
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(t.Context(), cfg, log)
	if err != nil {
		t.Fatalf("openApp: %v", err)
	}
	t.Cleanup(a.close)
	now := e2eNow(t)
	clock := func() time.Time { return now }
	a.handlers.Now, a.db.Now = clock, clock
	s.a = a

	mux, _ := a.routes(func(func(context.Context)) {})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url, s.hc = srv.URL, srv.Client()
	return s
}

// do sends req and returns the status and body.
func (s *e2eServer) do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// e2eTables are the tables a message may write to.
var e2eTables = []string{"members", "registrations", "activities", "signups", "checkins", "hours_reports",
	"meetings", "inbound", "outbox", "audit_log"}

// counts returns the number of rows of every table a message may write.
func (s *e2eServer) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range e2eTables {
		var n int
		if err := s.a.db.X().Get(&n, "SELECT COUNT(*) FROM "+tb); err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

func (s *e2eServer) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.a.db.X().Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// aibot sends an AI-bot callback from user in chat and returns the request
// (kept for a replay), its body and the decrypted stream content.
func (s *e2eServer) aibot(t *testing.T, peer *platformtest.WeComPeer, chat, user, text string) (*http.Request, []byte, string) {
	t.Helper()
	req := peer.AIBot(s.url+"/wecom/jinqiu", platformtest.AIBotMessage{
		ChatID: chat, From: platformtest.WeComUser{UserID: user}, Text: &platformtest.Content{Content: "@金秋助手\u2005" + text},
	})
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	return req, raw, s.aibotReply(t, peer, req)
}

// aibotReply sends req and opens the passive stream reply.
func (s *e2eServer) aibotReply(t *testing.T, peer *platformtest.WeComPeer, req *http.Request) string {
	t.Helper()
	code, body := s.do(t, req)
	if code != http.StatusOK {
		t.Fatalf("AI bot callback: HTTP %d %s", code, body)
	}
	r, err := peer.OpenAIBotReply(req, body)
	if err != nil {
		t.Fatalf("AI bot reply %s: %v", body, err)
	}
	if r.MsgType != "stream" || !r.Stream.Finish || r.Stream.ID == "" {
		t.Errorf("AI bot reply is not one finished stream frame: %+v", r)
	}
	return r.Stream.Content
}

// dingtalk sends a signed DingTalk callback and returns the text of the
// one reply the fake received for it.
func (s *e2eServer) dingtalk(t *testing.T, c platformtest.DingTalkCallback) string {
	t.Helper()
	before := len(s.dt.Messages())
	code, body := s.do(t, s.dt.Callback(s.url+"/dingtalk/jinqiu-dd", e2eDDSecret, c))
	if code != http.StatusOK {
		t.Fatalf("DingTalk callback: HTTP %d %s", code, body)
	}
	msgs := s.dt.Messages()
	if len(msgs) != before+1 {
		t.Fatalf("DingTalk got %d replies for one callback: %+v", len(msgs)-before, msgs[before:])
	}
	m := msgs[before]
	if m.Kind != jinqiu.KindSession {
		t.Errorf("reply went to %s, want the sessionWebhook", m.Kind)
	}
	return m.Content
}

func TestE2E(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		e2eScenarios(t, startE2E(t, storage.SQLite, filepath.Join(t.TempDir(), "jinqiu.db"), ""))
	})
	t.Run("mysql", func(t *testing.T) {
		driver, dsn := storagetest.DSN(t, storage.MySQL)
		// The production shape: MariaDB and, when there is one, Redis.
		e2eScenarios(t, startE2E(t, driver, dsn, os.Getenv("JINQIU_TEST_REDIS_ADDR")))
	})
}

func e2eScenarios(t *testing.T, s *e2eServer) {
	ctx := t.Context()
	w := s.w
	peer := s.wc.Peer(e2eAIToken, e2eAESKey)
	m1, m2 := w.user("m1"), w.user("m2")
	var activity int64

	t.Run("wecom aibot url verification", func(t *testing.T) {
		req, echo := peer.URLVerification(s.url + "/wecom/jinqiu")
		code, body := s.do(t, req)
		if code != http.StatusOK || string(body) != echo {
			t.Errorf("URL check = HTTP %d %q, want 200 and the bare %q", code, body, echo)
		}
	})

	t.Run("wecom aibot register", func(t *testing.T) {
		_, _, got := s.aibot(t, peer, w.chatA, m1, "报到")
		if want := "已在【" + e2eBranchA + "】报到"; !strings.Contains(got, want) {
			t.Errorf("报到 = %q, want it to say %q", got, want)
		}
		m, err := s.a.db.Member(ctx, wecom.Name, m1)
		if err != nil || m.BranchID != "zaoxing" || !m.RegisteredAt.Valid {
			t.Errorf("member = %+v, %v; want registered in zaoxing", m, err)
		}
	})

	t.Run("wecom aibot publish and sign up once", func(t *testing.T) {
		_, _, got := s.aibot(t, peer, w.chatA, w.secA, "发布活动 重阳登山 明天上午9点 社区广场 名额2")
		if _, err := fmt.Sscanf(got, "已发布 %d号活动【重阳登山】", &activity); err != nil {
			t.Fatalf("发布活动 = %q", got)
		}
		if !strings.Contains(got, "报名 "+strconv.FormatInt(activity, 10)) {
			t.Errorf("发布活动 = %q, want it to say how to sign up", got)
		}
		req, raw, first := s.aibot(t, peer, w.chatA, m1, "报名 "+strconv.FormatInt(activity, 10))
		// The bot's clock is fixed: 明天上午9点 is Saturday 28 November.
		if want := fmt.Sprintf("报名成功：%d号【重阳登山】11月28日 周六 09:00 社区广场", activity); !strings.Contains(first, want) {
			t.Errorf("报名 = %q, want %q", first, want)
		}
		if n := s.count(t, "SELECT COUNT(*) FROM signups WHERE activity_id = ?", activity); n != 1 {
			t.Fatalf("signups = %d, want 1", n)
		}
		before := s.counts(t)

		// WeCom re-sends the very same request (its 5 s retry): the same
		// answer, and nothing done twice.
		again, err := http.NewRequest(req.Method, req.URL.String(), bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		again.Header = req.Header.Clone()
		if got := s.aibotReply(t, peer, again); got != first {
			t.Errorf("replayed 报名 = %q, want the first answer %q", got, first)
		}
		if after := s.counts(t); !reflect.DeepEqual(after, before) {
			t.Errorf("the replay wrote rows: %v, was %v", after, before)
		}
		if n := s.count(t, "SELECT COUNT(*) FROM signups WHERE activity_id = ?", activity); n != 1 {
			t.Errorf("signups after the replay = %d, want 1", n)
		}
	})

	t.Run("wecom aibot forged signature", func(t *testing.T) {
		before := s.counts(t)
		req := peer.AIBot(s.url+"/wecom/jinqiu", platformtest.AIBotMessage{
			ChatID: w.chatA, From: platformtest.WeComUser{UserID: m2}, Text: &platformtest.Content{Content: "报到"},
		})
		// One hex digit changed: a well-formed signature that does not match.
		q := req.URL.Query()
		sig := []byte(q.Get("msg_signature"))
		if sig[len(sig)-1] == '0' {
			sig[len(sig)-1] = '1'
		} else {
			sig[len(sig)-1] = '0'
		}
		q.Set("msg_signature", string(sig))
		req.URL.RawQuery = q.Encode()
		if code, body := s.do(t, req); code != http.StatusUnauthorized {
			t.Errorf("forged signature = HTTP %d %s, want 401", code, body)
		}
		if after := s.counts(t); !reflect.DeepEqual(after, before) {
			t.Errorf("a forged callback wrote rows: %v, was %v", after, before)
		}
		if _, err := s.a.db.Member(ctx, wecom.Name, m2); err == nil {
			t.Errorf("a forged 报到 made %s a member", m2)
		}
	})

	t.Run("wecom aibot hours rejected with a reason", func(t *testing.T) {
		_, _, got := s.aibot(t, peer, w.chatA, m1, "时长 2 打扫楼道")
		i := strings.Index(got, "编号 ")
		if i < 0 {
			t.Fatalf("时长 = %q", got)
		}
		var report int64
		if _, err := fmt.Sscanf(got[i:], "编号 %d", &report); err != nil {
			t.Fatalf("时长 = %q: %v", got, err)
		}
		// Reason in the same message: rejected at once, no question.
		_, _, got = s.aibot(t, peer, w.chatA, w.secA, fmt.Sprintf("驳回 %d，时长填错了", report))
		if want := fmt.Sprintf("已驳回 %d号", report); !strings.Contains(got, want) {
			t.Errorf("驳回 = %q, want %q", got, want)
		}
		var state, reason string
		if err := s.a.db.X().QueryRow("SELECT state, reason FROM hours_reports WHERE id = ?", report).Scan(&state, &reason); err != nil {
			t.Fatal(err)
		}
		if state != jinqiu.HoursRejected || reason != "时长填错了" {
			t.Errorf("report = %s %q, want rejected with 时长填错了", state, reason)
		}
		// The member is told in the branch's WeCom groups, through the outbox.
		var rows []struct {
			Key  string `db:"dedup_key"`
			Body string `db:"body"`
		}
		if err := s.a.db.X().Select(&rows, "SELECT dedup_key, body FROM outbox WHERE dedup_key LIKE ? ORDER BY dedup_key",
			"hours|"+strconv.FormatInt(report, 10)+"|%"); err != nil {
			t.Fatal(err)
		}
		var chats []string
		for _, r := range rows {
			chats = append(chats, r.Key[strings.LastIndex(r.Key, "|")+1:])
			if !strings.Contains(r.Body, "原因：时长填错了") || !strings.Contains(r.Body, `"mentions":["`+m1+`"]`) {
				t.Errorf("notice %s = %s, want @%s with the reason", r.Key, r.Body, m1)
			}
		}
		if want := []string{w.chatA, w.chatAQun}; !reflect.DeepEqual(chats, want) {
			t.Errorf("notices went to %v, want the WeCom groups %v", chats, want)
		}
	})

	t.Run("wecom group robot lists activities", func(t *testing.T) {
		gp := s.wc.Peer(e2eGroupToken, e2eAESKey)
		gp.WebhookKey = e2eWebhookKey
		req := gp.GroupRobot(s.url+"/wecom/qunbot", platformtest.GroupRobotMessage{
			ChatID: w.chatAQun, From: platformtest.GroupRobotUser{UserID: w.user("m4"), Name: "李四"},
			Text: &platformtest.Content{Content: "@金秋助手 活动"},
		})
		code, body := s.do(t, req)
		if code != http.StatusOK {
			t.Fatalf("group robot callback: HTTP %d %s", code, body)
		}
		r, err := gp.OpenGroupRobotReply(req, body)
		if err != nil {
			t.Fatalf("group robot reply %s: %v", body, err)
		}
		got := r.Markdown.Content + r.Text.Content
		for _, want := range []string{"【" + e2eBranchA + "】近期活动", fmt.Sprintf("%d号【重阳登山】", activity), "社区广场"} {
			if !strings.Contains(got, want) {
				t.Errorf("活动 (%s) = %q, want %q in it", r.MsgType, got, want)
			}
		}
	})

	t.Run("dingtalk register and sign up", func(t *testing.T) {
		d1 := w.user("d1")
		got := s.dingtalk(t, platformtest.DingTalkCallback{
			ConversationID: w.cidA, SenderStaffID: d1, SenderNick: "丁一", Text: platformtest.Content{Content: " 报到"},
		})
		if want := "已在【" + e2eBranchA + "】报到"; !strings.Contains(got, want) || !strings.Contains(got, "丁一") {
			t.Errorf("报到 = %q, want it to greet 丁一 and say %q", got, want)
		}
		if m, err := s.a.db.Member(ctx, dingtalk.Name, d1); err != nil || m.BranchID != "zaoxing" {
			t.Errorf("member = %+v, %v; want registered in zaoxing", m, err)
		}
		got = s.dingtalk(t, platformtest.DingTalkCallback{
			ConversationID: w.cidA, SenderStaffID: d1, SenderNick: "丁一", Text: platformtest.Content{Content: " 报名 " + strconv.FormatInt(activity, 10)},
		})
		if want := fmt.Sprintf("丁一，报名成功：%d号【重阳登山】", activity); !strings.Contains(got, want) {
			t.Errorf("报名 = %q, want %q", got, want)
		}
		if n := s.count(t, "SELECT COUNT(*) FROM signups WHERE activity_id = ?", activity); n != 2 {
			t.Errorf("signups = %d, want 2", n)
		}
	})

	t.Run("dingtalk stale timestamp", func(t *testing.T) {
		before, sent := s.counts(t), len(s.dt.Requests())
		body, _ := json.Marshal(platformtest.DingTalkCallback{
			MsgType: "text", Text: platformtest.Content{Content: " 报到"}, MsgID: "stale-" + w.cidA,
			ConversationType: "2", ConversationID: w.cidA, SenderStaffID: w.user("d9"),
			SessionWebhook: s.dt.NewSession(time.Now().Add(time.Hour)), SessionWebhookExpiredTime: time.Now().Add(time.Hour).UnixMilli(),
		})
		req, err := http.NewRequest(http.MethodPost, s.url+"/dingtalk/jinqiu-dd", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		// Correctly signed, but over an hour old: a replay.
		ms := time.Now().Add(-61 * time.Minute).UnixMilli()
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("timestamp", strconv.FormatInt(ms, 10))
		req.Header.Set("sign", platformtest.SignDingTalk(e2eDDSecret, ms))
		if code, body := s.do(t, req); code != http.StatusUnauthorized {
			t.Errorf("stale callback = HTTP %d %s, want 401", code, body)
		}
		if after := s.counts(t); !reflect.DeepEqual(after, before) {
			t.Errorf("a stale callback wrote rows: %v, was %v", after, before)
		}
		if n := len(s.dt.Requests()); n != sent {
			t.Errorf("a stale callback was answered at DingTalk (%d requests)", n-sent)
		}
	})

	t.Run("dingtalk foreign sessionWebhook", func(t *testing.T) {
		var hits atomic.Int64
		foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		}))
		defer foreign.Close()
		sent := len(s.dt.Requests())
		msgID := "foreign-" + w.cidA
		c := platformtest.DingTalkCallback{
			ConversationID: w.cidA, SenderStaffID: w.user("d2"), SenderNick: "丁二", MsgID: msgID,
			Text:                      platformtest.Content{Content: " 报到"},
			SessionWebhook:            foreign.URL + "/robot/sendBySession?session=stolen",
			SessionWebhookExpiredTime: time.Now().Add(time.Hour).UnixMilli(),
		}
		if code, body := s.do(t, s.dt.Callback(s.url+"/dingtalk/jinqiu-dd", e2eDDSecret, c)); code != http.StatusOK {
			t.Fatalf("callback: HTTP %d %s", code, body)
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the foreign sessionWebhook was contacted %d times", n)
		}
		if n := len(s.dt.Requests()); n != sent {
			t.Errorf("DingTalk got %d requests; the reply should wait in the outbox", n-sent)
		}
		row, err := s.a.db.OutboxByKey(ctx, "reply|"+string(dingtalk.Name)+"|jinqiu-dd|"+msgID)
		if err != nil {
			t.Fatalf("outbox row for the reply: %v", err)
		}
		addr, r, err := outbox.Decode(row)
		if err != nil {
			t.Fatal(err)
		}
		if addr.Platform != dingtalk.Name || addr.ChatID != w.cidA || addr.Late != nil || !strings.Contains(r.Text, "已在【"+e2eBranchA+"】报到") {
			t.Errorf("outbox row = %+v %+v, want the 报到 reply to the group %s", addr, r, w.cidA)
		}
	})
}

// e2eConfigFile writes a configuration on a fresh SQLite database for the
// command line and returns its path.
func e2eConfigFile(t *testing.T, w e2eWorld, extra string) string {
	t.Helper()
	dir := t.TempDir()
	text := e2eConfigYAML(w, storage.SQLite, filepath.Join(dir, "jinqiu.db"), "", wecom.DefaultAPIBase, dingtalk.DefaultAPIBase) + extra
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCLISay(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	say := func(text string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"say", "--config", path, "--chat", w.chatA, "--user", w.user("m1"), "--name", "张三", text},
			strings.NewReader(""), &stdout, &stderr)
		if err != nil {
			t.Fatalf("say %s: %v\n%s", text, err, stderr.String())
		}
		return stdout.String()
	}
	if got := say("报到"); !strings.Contains(got, "张三") || !strings.Contains(got, "已在【"+e2eBranchA+"】报到") {
		t.Errorf("say 报到 = %q, want it to greet 张三 and say 已在【%s】报到", got, e2eBranchA)
	}
	// A second run finds the member in the database.
	if got, want := say("报到"), "您已经在【"+e2eBranchA+"】报到过了"; !strings.Contains(got, want) {
		t.Errorf("say 报到 again = %q, want %q", got, want)
	}
	// A question asked by one run is answered by the next, as in a group:
	// without Redis the dialogue is kept beside the database.
	var pub, perr bytes.Buffer
	if err := run(t.Context(), []string{"say", "--config", path, "--chat", w.chatA, "--user", w.secA, "发布活动 读书会 明天上午9点 社区活动室 名额10"},
		strings.NewReader(""), &pub, &perr); err != nil || !strings.Contains(pub.String(), "已发布") {
		t.Fatalf("publish = %q, %v %s", pub.String(), err, perr.String())
	}
	if got := say("报名"); !strings.Contains(got, "确认请回复：是") {
		t.Fatalf("say 报名 with one activity = %q, want the confirmation question", got)
	}
	if got := say("是"); !strings.Contains(got, "报名成功") {
		t.Errorf("say 是 after the question = %q: the dialogue was lost between runs", got)
	}
	// 周报 from the branch's secretary is the scheduler's weekly digest of
	// that branch alone; a member may not ask for it.
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"say", "--config", path, "--chat", w.chatA, "--user", w.secA, "周报"},
		strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("say 周报: %v\n%s", err, stderr.String())
	}
	got := stdout.String()
	if !strings.Contains(got, e2eBranchA+"周报") || !strings.Contains(got, "三会一课与主题党日") || !strings.Contains(got, "新报到 1 人") {
		t.Errorf("secretary's 周报 = %q, want the branch's weekly digest with its new registration", got)
	}
	if got := say("周报"); strings.Contains(got, "周报 20") {
		t.Errorf("a member got the digest: %q", got)
	}
}

func TestCLIParse(t *testing.T) {
	const now = "2026-11-27T10:00:00+08:00"
	f, err := os.Open("../../command/testdata/commands.jsonl")
	if err != nil {
		t.Fatalf("the command corpus (a copy of shared/corpus): %v", err)
	}
	defer f.Close()
	var in bytes.Buffer
	var wants []json.RawMessage
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c struct {
			Text string          `json:"text"`
			Want json.RawMessage `json:"want"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("corpus line %q: %v", sc.Text(), err)
		}
		in.Write(sc.Bytes())
		in.WriteByte('\n')
		texts, wants = append(texts, c.Text), append(wants, c.Want)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(wants) == 0 {
		t.Fatal("the corpus is empty")
	}
	cfg := e2eConfigFile(t, newE2EWorld(), "")

	t.Run("stdin corpus", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), []string{"parse", "--config", cfg, "--now", now}, &in, &stdout, &stderr); err != nil {
			t.Fatalf("parse: %v\n%s", err, stderr.String())
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if len(lines) != len(wants) {
			t.Fatalf("parse printed %d lines for %d messages", len(lines), len(wants))
		}
		for i, line := range lines {
			if !e2eSameJSON(t, []byte(line), wants[i]) {
				t.Errorf("parse %q\n got %s\nwant %s", texts[i], line, wants[i])
			}
		}
	})

	t.Run("text arguments", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"报名", "3号"}, `{"intent":"signup","args":{"activity":3}}`},
			// The reason after 驳回 N is the handler's; parse prints the report only.
			{[]string{"驳回", "17", "时长填错了"}, `{"intent":"reject_hours","args":{"report":17}}`},
		} {
			var stdout, stderr bytes.Buffer
			args := append([]string{"parse", "--config", cfg, "--now", now}, c.args...)
			if err := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr); err != nil {
				t.Fatalf("parse %v: %v\n%s", c.args, err, stderr.String())
			}
			got := strings.TrimSuffix(stdout.String(), "\n")
			if strings.Contains(got, "\n") || !e2eSameJSON(t, []byte(got), []byte(c.want)) {
				t.Errorf("parse %v = %s, want %s", c.args, got, c.want)
			}
		}
	})
}

func TestCLIMigrate(t *testing.T) {
	w := newE2EWorld()
	t.Run("valid", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), []string{"migrate", "--config", e2eConfigFile(t, w, "")}, strings.NewReader(""), &stdout, &stderr); err != nil {
			t.Fatalf("migrate: %v\n%s", err, stderr.String())
		}
		if got := stdout.String(); got != "migrated sqlite database\n" {
			t.Errorf("migrate printed %q", got)
		}
	})
	t.Run("timezone changed", func(t *testing.T) {
		// The kept active days are taken in the configured zone: a process
		// started with another refuses and says what to do; migrate takes
		// them again, and then the others start.
		path := e2eConfigFile(t, w, "")
		cmd := func(name string, args ...string) error {
			var stdout, stderr bytes.Buffer
			return run(t.Context(), append([]string{name, "--config", path}, args...), strings.NewReader(""), &stdout, &stderr)
		}
		if err := cmd("migrate"); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bytes.Replace(b, []byte("timezone: Asia/Shanghai"), []byte("timezone: UTC"), 1), 0o600); err != nil {
			t.Fatal(err)
		}
		say := func() error {
			return cmd("say", "--chat", w.chatA, "--user", w.user("m1"), "--name", "张三", "活动")
		}
		var zc *storage.ZoneChangedError
		if err := say(); !errors.As(err, &zc) || !strings.Contains(err.Error(), "jinqiu migrate") {
			t.Fatalf("say in another timezone: %v; want the zone change refused, naming jinqiu migrate", err)
		}
		if err := cmd("migrate"); err != nil {
			t.Fatalf("migrate in the new timezone: %v", err)
		}
		if err := say(); err != nil {
			t.Errorf("say after migrate: %v", err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		path := e2eConfigFile(t, w, "colour: red\n")
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"migrate", "--config", path}, strings.NewReader(""), &stdout, &stderr)
		if err == nil || !config.IsInvalid(err) {
			t.Fatalf("migrate with an unknown key: %v; want a configuration problem (exit 2)", err)
		}
		if !strings.Contains(err.Error(), "colour") {
			t.Errorf("the error does not name the key: %v", err)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), "jinqiu.db")); err == nil {
			t.Error("migrate created the database despite the bad configuration")
		}
	})
}

func e2eSameJSON(tb testing.TB, got, want []byte) bool {
	tb.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Errorf("invalid JSON %s: %v", got, err)
		return false
	}
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatalf("invalid JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

// TestCLIGrant: the bureau makes a member a secretary without touching the
// configuration; the role takes effect at once and can be withdrawn.
func TestCLIGrant(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	cli := func(args ...string) (string, error) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), append([]string{args[0], "--config", path}, args[1:]...), strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), err
	}
	helper := w.user("helper")
	publish := func() string {
		out, err := cli("say", "--chat", w.chatA, "--user", helper, "发布活动 读书会 明天上午9点 社区活动室 名额10")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := publish(); !strings.Contains(got, "这项操作需要本支部书记来办理") {
		t.Fatalf("before the grant, publish = %q, want a refusal", got)
	}
	if out, err := cli("grant", "--branch", "zaoxing", "--platform", "wecom", "--user", helper); err != nil || !strings.Contains(out, "now a secretary") {
		t.Fatalf("grant = %q, %v", out, err)
	}
	if got := publish(); !strings.Contains(got, "已发布") {
		t.Fatalf("after the grant, publish = %q, want it published", got)
	}
	if out, err := cli("grant", "--branch", "zaoxing", "--platform", "wecom", "--user", helper, "--revoke"); err != nil || !strings.Contains(out, "no longer") {
		t.Fatalf("revoke = %q, %v", out, err)
	}
	if got := publish(); !strings.Contains(got, "这项操作需要本支部书记来办理") {
		t.Fatalf("after the revoke, publish = %q, want a refusal", got)
	}
	if _, err := cli("grant", "--branch", "zaoxing", "--platform", "wecom", "--user", helper, "--revoke"); err == nil {
		t.Error("revoking a role that is not there succeeded")
	}
	if _, err := cli("grant", "--branch", "nowhere", "--platform", "wecom", "--user", helper); err == nil {
		t.Error("a grant in a branch that does not exist succeeded")
	}
	if _, err := cli("grant", "--branch", "zaoxing", "--platform", "wecom", "--user", w.secA, "--revoke"); err == nil {
		t.Error("a role from config.yaml was revoked from the command line")
	}
}
