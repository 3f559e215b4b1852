package dingtalk_test

import (
	"context"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/inbound"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const appSecret = "app-secret-XYZ"

type rig struct {
	t     *testing.T
	clock *platformtest.Clock
	fake  *platformtest.FakeDingTalk
	h     *dingtalk.Handler
	srv   *httptest.Server

	mu          sync.Mutex
	got         []jinqiu.Message
	reply       func(jinqiu.Message) (jinqiu.Reply, bool, error)
	undelivered []jinqiu.Message
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, clock: platformtest.NewClock(t0)}
	r.fake = platformtest.NewDingTalk(t)
	r.fake.Now = r.clock.Now
	r.reply = func(m jinqiu.Message) (jinqiu.Reply, bool, error) {
		return jinqiu.Reply{Text: "收到", Mentions: []string{m.UserID}}, true, nil
	}
	p := inbound.ProcessorFunc(func(ctx context.Context, m jinqiu.Message) (inbound.Outcome, error) {
		r.mu.Lock()
		r.got = append(r.got, m)
		f := r.reply
		r.mu.Unlock()
		rep, ok, err := f(m)
		if !ok || err != nil {
			return inbound.Outcome{}, err
		}
		return inbound.Outcome{Reply: rep, Post: !rep.Empty()}, nil
	})
	s := dingtalk.NewSender(r.fake.URL, nil)
	s.Now = r.clock.Now
	s.Log = slog.New(slog.DiscardHandler)
	robots := []dingtalk.Robot{{Name: "dt", AppSecret: appSecret}}
	r.h = dingtalk.NewHandler(robots, r.fake.URL, p, s, slog.New(slog.DiscardHandler))
	r.h.Now = r.clock.Now
	r.h.OnUndelivered = func(ctx context.Context, m jinqiu.Message, rep jinqiu.Reply) {
		r.mu.Lock()
		r.undelivered = append(r.undelivered, m)
		r.mu.Unlock()
	}
	mux := http.NewServeMux()
	r.h.Register(mux)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) setReply(f func(jinqiu.Message) (jinqiu.Reply, bool, error)) {
	r.mu.Lock()
	r.reply = f
	r.mu.Unlock()
}

func (r *rig) url() string { return r.srv.URL + "/dingtalk/dt" }

func (r *rig) do(req *http.Request) (int, string) {
	r.t.Helper()
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *rig) counts() (processed, undelivered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got), len(r.undelivered)
}

func TestCallbackRepliesThroughSession(t *testing.T) {
	r := newRig(t)
	req := r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{
		MsgID: "msgA", ConversationID: "cid-1", SenderStaffID: "0123", SenderNick: "王五",
		Text: platformtest.Content{Content: " 签到"},
	})
	code, body := r.do(req)
	if code != http.StatusOK || body != "{}" {
		t.Fatalf("POST = %d %q", code, body)
	}
	r.mu.Lock()
	m := r.got[0]
	r.mu.Unlock()
	if m.Platform != dingtalk.Name || m.Robot != "dt" || m.MsgID != "msgA" || m.ChatID != "cid-1" || m.ChatType != "group" ||
		m.UserID != "0123" || m.UserName != "王五" || m.Text != " 签到" || !m.SentAt.Equal(t0) {
		t.Errorf("message = %+v", m)
	}
	if m.Late.Kind != jinqiu.KindSession || !strings.HasPrefix(m.Late.URL, r.fake.URL+"/robot/sendBySession?") ||
		!m.Late.Expires.Equal(t0.Add(90*time.Minute)) || m.Late.Secret != "" {
		t.Errorf("Late = %+v", m.Late)
	}
	sent := r.fake.Messages()
	if len(sent) != 1 || sent[0].Kind != jinqiu.KindSession || sent[0].Content != "@0123 \n收到" ||
		len(sent[0].Mentions) != 1 || sent[0].Mentions[0] != "0123" {
		t.Errorf("fake got %+v", sent)
	}
	if _, u := r.counts(); u != 0 {
		t.Errorf("OnUndelivered called %d times", u)
	}
}

func TestCallbackSingleChat(t *testing.T) {
	r := newRig(t)
	r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{Text: platformtest.Content{Content: "时长"}}))
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.got[0]; m.ChatType != "single" || m.ChatID != "" {
		t.Errorf("message = %+v", m)
	}
}

// TestCallbackRejections: bad headers are refused before the body is read;
// nothing reaches the Processor or the platform.
func TestCallbackRejections(t *testing.T) {
	r := newRig(t)
	text := platformtest.DingTalkCallback{Text: platformtest.Content{Content: "签到"}}
	header := func(k, v string) func() *http.Request {
		return func() *http.Request {
			req := r.fake.Callback(r.url(), appSecret, text)
			if v == "" {
				req.Header.Del(k)
			} else {
				req.Header.Set(k, v)
			}
			return req
		}
	}
	stale := func(d time.Duration) func() *http.Request {
		return func() *http.Request {
			r.clock.Set(t0.Add(d))
			defer r.clock.Set(t0)
			return r.fake.Callback(r.url(), appSecret, text)
		}
	}
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"wrong secret", func() *http.Request { return r.fake.Callback(r.url(), "guess", text) }, 401},
		{"bit-flipped sign", header("sign", "A"+platformtest.SignDingTalk(appSecret, t0.UnixMilli())[1:]), 401},
		{"no sign", header("sign", ""), 401},
		{"no timestamp", header("timestamp", ""), 401},
		{"timestamp in seconds", header("timestamp", strconv.FormatInt(t0.Unix(), 10)), 401},
		{"timestamp not a number", header("timestamp", "yesterday"), 401},
		{"stale by more than an hour", stale(-61 * time.Minute), 401},
		{"an hour in the future", stale(61 * time.Minute), 401},
		{"oversize", func() *http.Request {
			return r.fake.SignedRequest(r.url(), appSecret, []byte(`{"text":{"content":"`+strings.Repeat("a", dingtalk.MaxBody)+`"}}`))
		}, 413},
		{"oversize unsigned is 401, unread", func() *http.Request {
			return r.fake.SignedRequest(r.url(), "x", []byte(strings.Repeat("a", 2*dingtalk.MaxBody)))
		}, 401},
		{"bad json", func() *http.Request { return r.fake.SignedRequest(r.url(), appSecret, []byte(`{"msgId":`)) }, 400},
		{"no msgId", func() *http.Request {
			return r.fake.SignedRequest(r.url(), appSecret, []byte(`{"msgtype":"text","text":{"content":"a"}}`))
		}, 400},
		{"unknown robot", func() *http.Request {
			req := r.fake.Callback(r.url(), appSecret, text)
			req.URL.Path = "/dingtalk/other"
			return req
		}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := r.do(tt.req()); code != tt.want {
				t.Errorf("status = %d %q, want %d", code, body, tt.want)
			}
		})
	}
	if p, _ := r.counts(); p != 0 {
		t.Errorf("Processor called %d times", p)
	}
	if n := len(r.fake.Requests()); n != 0 {
		t.Errorf("the platform got %d requests", n)
	}
	t.Run("within the hour", func(t *testing.T) {
		if code, _ := r.do(stale(-59 * time.Minute)()); code != http.StatusOK {
			t.Errorf("status = %d, want 200", code)
		}
	})
}

// TestForeignSessionWebhookNeverContacted: the unsigned body names the
// reply URL; one outside the API base is ignored and the reply goes to the
// fallback.
func TestForeignSessionWebhookNeverContacted(t *testing.T) {
	var hits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"errcode":0}`))
	}))
	defer foreign.Close()
	r := newRig(t)
	for _, hook := range []string{
		foreign.URL + "/robot/sendBySession?session=1",
		strings.Replace(r.fake.URL, "127.0.0.1", "localhost", 1) + "/robot/sendBySession?session=1",
		strings.Replace(r.fake.URL, "http://", "http://evil@", 1) + "/robot/sendBySession?session=1",
		"ftp://" + strings.TrimPrefix(r.fake.URL, "http://") + "/robot/sendBySession?session=1",
		"javascript:alert(1)",
		// Under the API base but not a session: someone else's robot.
		r.fake.URL + "/robot/send?access_token=someone-elses",
		r.fake.URL + "/robot/sendBySession?session=1&access_token=x",
		r.fake.URL + "/robot/sendBySession?session=1&session=2",
		r.fake.URL + "/robot/sendBySession/../send?session=1",
		r.fake.URL + "/robot/sendBySession?session=",
		r.fake.URL + "/robot/sendBySession?session=1#frag",
	} {
		code, _ := r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{
			Text: platformtest.Content{Content: "签到"}, SessionWebhook: hook, SessionWebhookExpiredTime: t0.Add(time.Hour).UnixMilli(),
		}))
		if code != http.StatusOK {
			t.Errorf("%s: status %d", hook, code)
		}
	}
	if hits.Load() != 0 || len(r.fake.Requests()) != 0 {
		t.Errorf("contacted: foreign %d, fake %d", hits.Load(), len(r.fake.Requests()))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.undelivered) != 11 {
		t.Fatalf("OnUndelivered called %d times, want 11", len(r.undelivered))
	}
	for _, m := range r.got {
		if m.Late != (jinqiu.Target{}) {
			t.Errorf("Late = %+v, want zero", m.Late)
		}
	}
}

func TestUndeliveredFallback(t *testing.T) {
	text := platformtest.Content{Content: "签到"}
	t.Run("expired session is not tried", func(t *testing.T) {
		r := newRig(t)
		r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{
			Text: text, SessionWebhook: r.fake.NewSession(t0.Add(time.Hour)), SessionWebhookExpiredTime: t0.Add(-time.Second).UnixMilli(),
		}))
		if _, u := r.counts(); u != 1 || len(r.fake.Requests()) != 0 {
			t.Errorf("undelivered %d, platform requests %d", u, len(r.fake.Requests()))
		}
	})
	t.Run("session send fails", func(t *testing.T) {
		r := newRig(t)
		r.fake.FailNext(1)
		code, _ := r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{Text: text}))
		if _, u := r.counts(); code != http.StatusOK || u != 1 {
			t.Errorf("status %d, undelivered %d", code, u)
		}
	})
	t.Run("session hangs: ambiguous, still handed over", func(t *testing.T) {
		r := newRig(t)
		r.h.DeliverTimeout = 200 * time.Millisecond
		r.fake.HangNext(1)
		start := time.Now()
		code, _ := r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{Text: text}))
		if _, u := r.counts(); code != http.StatusOK || u != 1 {
			t.Errorf("status %d, undelivered %d", code, u)
		}
		if time.Since(start) > 2*time.Second {
			t.Error("the delivery deadline was not honoured")
		}
	})
}

func TestCallbackProcessorOutcomes(t *testing.T) {
	r := newRig(t)
	text := platformtest.DingTalkCallback{Text: platformtest.Content{Content: "签到"}}
	r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{}, false, io.ErrUnexpectedEOF })
	if code, _ := r.do(r.fake.Callback(r.url(), appSecret, text)); code != http.StatusInternalServerError {
		t.Errorf("processor error: %d, want 500", code)
	}
	r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{Text: "x"}, false, nil })
	if code, _ := r.do(r.fake.Callback(r.url(), appSecret, text)); code != http.StatusOK {
		t.Errorf("not ok: %d, want 200", code)
	}
	r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{}, true, nil })
	if code, _ := r.do(r.fake.Callback(r.url(), appSecret, text)); code != http.StatusOK {
		t.Errorf("empty reply: %d, want 200", code)
	}
	if _, u := r.counts(); u != 0 || len(r.fake.Requests()) != 0 {
		t.Errorf("sent or handed over without a reply: undelivered %d, platform %d", u, len(r.fake.Requests()))
	}
	r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{Text: "x"}, true, nil })
	if code, _ := r.do(r.fake.Callback(r.url(), appSecret, platformtest.DingTalkCallback{MsgType: "picture"})); code != http.StatusOK {
		t.Errorf("picture: %d, want 200", code)
	}
	if p, _ := r.counts(); p != 3 {
		t.Errorf("Processor called %d times, want 3 (pictures are ignored)", p)
	}
}
