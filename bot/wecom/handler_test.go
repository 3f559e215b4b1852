package wecom_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/inbound"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newAESKey(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	return strings.TrimSuffix(base64.StdEncoding.EncodeToString(b), "=")
}

// rig is a bot HTTP server with the WeCom handler, a fake WeCom, and a
// Processor that records what it is given.
type rig struct {
	t     *testing.T
	clock *platformtest.Clock
	fake  *platformtest.FakeWeCom
	ai    *platformtest.WeComPeer // the aibot robot "ai"
	grp   *platformtest.WeComPeer // the group robot "grp"
	h     *wecom.Handler
	srv   *httptest.Server

	mu          sync.Mutex
	got         []jinqiu.Message
	reply       func(jinqiu.Message) (jinqiu.Reply, bool, error)
	undelivered []jinqiu.Reply
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, clock: platformtest.NewClock(t0)}
	r.fake = platformtest.NewWeCom(t)
	r.fake.Now = r.clock.Now
	aiKey, grpKey := newAESKey(t), newAESKey(t)
	robots := []wecom.Robot{
		{Name: "ai", Mode: wecom.ModeAIBot, Token: "aiToken1", EncodingAESKey: aiKey},
		{Name: "grp", Mode: wecom.ModeGroupRobot, Token: "grpToken2", EncodingAESKey: grpKey, WebhookKey: "grp-key"},
	}
	r.ai = r.fake.Peer("aiToken1", aiKey)
	r.grp = r.fake.Peer("grpToken2", grpKey)
	r.grp.WebhookKey = "grp-key"
	r.fake.AddKey("grp-key")
	r.reply = func(m jinqiu.Message) (jinqiu.Reply, bool, error) {
		return jinqiu.Reply{Text: "收到：" + m.Text}, true, nil
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
	r.h = wecom.NewHandler(robots, p, slog.New(slog.DiscardHandler))
	r.h.Now = r.clock.Now
	r.h.OnUndelivered = func(ctx context.Context, m jinqiu.Message, rep jinqiu.Reply) {
		r.mu.Lock()
		r.undelivered = append(r.undelivered, rep)
		r.mu.Unlock()
	}
	mux := http.NewServeMux()
	r.h.Register(mux)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) url(robot string) string { return r.srv.URL + "/wecom/" + robot }

func (r *rig) do(req *http.Request) (int, []byte) {
	r.t.Helper()
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (r *rig) messages() []jinqiu.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]jinqiu.Message(nil), r.got...)
}

func (r *rig) setReply(f func(jinqiu.Message) (jinqiu.Reply, bool, error)) {
	r.mu.Lock()
	r.reply = f
	r.mu.Unlock()
}

func TestURLVerification(t *testing.T) {
	r := newRig(t)
	for _, robot := range []string{"ai", "grp"} {
		peer := r.ai
		if robot == "grp" {
			peer = r.grp
		}
		req, echo := peer.URLVerification(r.url(robot))
		if !strings.Contains(req.URL.RawQuery, "echostr=") {
			t.Fatalf("no echostr in %s", req.URL.RawQuery)
		}
		code, body := r.do(req)
		if code != http.StatusOK || string(body) != echo {
			t.Errorf("%s: GET = %d %q, want 200 %q (bare)", robot, code, body, echo)
		}
	}
	if len(r.messages()) != 0 {
		t.Error("a URL check reached the Processor")
	}
}

func TestAIBotText(t *testing.T) {
	r := newRig(t)
	r.setReply(func(m jinqiu.Message) (jinqiu.Reply, bool, error) {
		return jinqiu.Reply{Text: "报到成功", Markdown: "**报到成功**"}, true, nil
	})
	req := r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{
		MsgID: "m-1", ChatID: "chat-9", From: platformtest.WeComUser{UserID: "zhangsan"},
		Text: &platformtest.Content{Content: "@金秋助手 报到 幸福里社区"},
	})
	code, body := r.do(req)
	if code != http.StatusOK {
		t.Fatalf("POST = %d %s", code, body)
	}
	got, err := r.ai.OpenAIBotReply(req, body)
	if err != nil {
		t.Fatal(err)
	}
	if got.MsgType != "stream" || !got.Stream.Finish || got.Stream.ID == "" || got.Stream.Content != "**报到成功**" {
		t.Errorf("reply = %+v, want a finished stream with the markdown", got)
	}

	msgs := r.messages()
	if len(msgs) != 1 {
		t.Fatalf("Processor got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	want := jinqiu.Message{
		Platform: wecom.Name, Robot: "ai", MsgID: "m-1", ChatID: "chat-9", ChatType: "group",
		UserID: "zhangsan", Text: "@金秋助手 报到 幸福里社区", SentAt: t0,
	}
	late := m.Late
	m.Late = jinqiu.Target{}
	if m != want {
		t.Errorf("message = %+v\nwant      %+v", m, want)
	}
	if late.Kind != jinqiu.KindResponseURL || late.Platform != wecom.Name || late.Robot != "ai" ||
		!strings.HasPrefix(late.URL, r.fake.URL+"/cgi-bin/aibot/response?") || !late.Expires.Equal(t0.Add(time.Hour)) {
		t.Errorf("Late = %+v", late)
	}

	t.Run("late reply through response_url, once", func(t *testing.T) {
		s := wecom.NewSender(r.fake.URL, nil)
		s.Now = r.clock.Now
		s.Log = slog.New(slog.DiscardHandler)
		if err := s.Send(context.Background(), late, jinqiu.Reply{Text: "稍后回复"}); err != nil {
			t.Fatal(err)
		}
		sent := r.fake.Messages()
		if len(sent) != 1 || sent[0].Kind != jinqiu.KindResponseURL || sent[0].MsgType != "markdown" || sent[0].Content != "稍后回复" {
			t.Fatalf("fake got %+v", sent)
		}
		err := s.Send(context.Background(), late, jinqiu.Reply{Text: "again"})
		if jinqiu.Classify(err) != jinqiu.Permanent {
			t.Errorf("second use: err = %v, want permanent", err)
		}
	})
}

func TestAIBotMixedAndVoice(t *testing.T) {
	r := newRig(t)
	r.do(r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{
		MsgType: "mixed",
		Mixed: &platformtest.AIBotMixed{Items: []platformtest.AIBotItem{
			{MsgType: "text", Text: &platformtest.Content{Content: "@金秋助手 签到"}},
			{MsgType: "image", Image: &platformtest.ImageRef{URL: "https://example.invalid/1.jpg"}},
			{MsgType: "text", Text: &platformtest.Content{Content: "活动 12"}},
		}},
	}))
	r.do(r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{MsgType: "voice", Voice: &platformtest.Content{Content: "我的时长"}}))
	msgs := r.messages()
	if len(msgs) != 2 || msgs[0].Text != "@金秋助手 签到\n活动 12" || msgs[1].Text != "我的时长" || msgs[1].ChatType != "single" {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestAIBotIgnoredKinds(t *testing.T) {
	r := newRig(t)
	for name, m := range map[string]platformtest.AIBotMessage{
		"enter_chat":  {MsgType: "event", Event: &platformtest.AIBotEvent{EventType: "enter_chat"}},
		"image":       {MsgType: "image"},
		"empty text":  {Text: &platformtest.Content{Content: "  "}},
		"unknown":     {MsgType: "hologram"},
		"stream poll": {MsgType: "stream", Stream: &platformtest.StreamRef{ID: "never-seen"}},
	} {
		code, body := r.do(r.ai.AIBot(r.url("ai"), m))
		if code != http.StatusOK || len(body) != 0 {
			t.Errorf("%s: %d %q, want an empty 200", name, code, body)
		}
	}
	if n := len(r.messages()); n != 0 {
		t.Errorf("Processor called %d times", n)
	}
}

func TestAIBotStreamRefreshRepeatsTheAnswer(t *testing.T) {
	r := newRig(t)
	req := r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{Text: &platformtest.Content{Content: "活动"}})
	_, body := r.do(req)
	first, err := r.ai.OpenAIBotReply(req, body)
	if err != nil {
		t.Fatal(err)
	}
	req = r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{MsgType: "stream", Stream: &platformtest.StreamRef{ID: first.Stream.ID}})
	code, body := r.do(req)
	again, err := r.ai.OpenAIBotReply(req, body)
	if code != http.StatusOK || err != nil || again.Stream != first.Stream {
		t.Fatalf("refresh = %d %+v %v, want %+v", code, again, err, first.Stream)
	}
	if n := len(r.messages()); n != 1 {
		t.Errorf("Processor called %d times, want 1", n)
	}
}

func TestGroupRobot(t *testing.T) {
	r := newRig(t)
	t.Run("text reply with mentions", func(t *testing.T) {
		r.setReply(func(m jinqiu.Message) (jinqiu.Reply, bool, error) {
			return jinqiu.Reply{Text: "签到成功 <&>]]>", Mentions: []string{"lisi"}}, true, nil
		})
		req := r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{
			MsgID: "g-1", ChatID: "wrkSFfCgAAxx", From: platformtest.GroupRobotUser{UserID: "lisi", Name: "李四"},
			Text: &platformtest.Content{Content: "@金秋助手 签到"},
		})
		code, body := r.do(req)
		if code != http.StatusOK {
			t.Fatalf("POST = %d %s", code, body)
		}
		got, err := r.grp.OpenGroupRobotReply(req, body)
		if err != nil {
			t.Fatal(err)
		}
		if got.MsgType != "text" || got.Text.Content != "签到成功 <&>]]>" || len(got.Text.MentionedList) != 1 || got.Text.MentionedList[0] != "lisi" {
			t.Errorf("reply = %+v", got)
		}
		m := r.messages()[0]
		if m.UserID != "lisi" || m.UserName != "李四" || m.ChatID != "wrkSFfCgAAxx" || m.ChatType != "group" || m.MsgID != "g-1" {
			t.Errorf("message = %+v", m)
		}
		// The callback's WebhookUrl carries the robot's key: the message
		// (which is stored) names the robot and the chat, not the key.
		if m.Late.URL != "" || m.Late.Kind != jinqiu.KindWebhook || m.Late.Robot != "grp" || m.Late.ChatID != "wrkSFfCgAAxx" {
			t.Errorf("Late = %+v", m.Late)
		}
		if b, _ := json.Marshal(m); strings.Contains(string(b), "grp-key") {
			t.Errorf("the stored message holds the robot's key: %s", b)
		}

		// The late target reaches only that chat: chatid goes in the body,
		// with the key the dispatcher takes from the configuration.
		s := wecom.NewSender(r.fake.URL, nil)
		late := m.Late
		late.URL = "grp-key"
		if err := s.Send(context.Background(), late, jinqiu.Reply{Text: "later"}); err != nil {
			t.Fatal(err)
		}
		sent := r.fake.Messages()
		if len(sent) != 1 || sent[0].ChatID != "wrkSFfCgAAxx" || sent[0].Robot != "grp-key" {
			t.Errorf("fake got %+v", sent)
		}
	})
	t.Run("markdown reply mentions inline", func(t *testing.T) {
		r.setReply(func(m jinqiu.Message) (jinqiu.Reply, bool, error) {
			return jinqiu.Reply{Text: "x", Markdown: "# 本周活动", Mentions: []string{"lisi"}}, true, nil
		})
		req := r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{Text: &platformtest.Content{Content: "@金秋助手 活动"}})
		_, body := r.do(req)
		got, err := r.grp.OpenGroupRobotReply(req, body)
		if err != nil {
			t.Fatal(err)
		}
		if got.MsgType != "markdown" || got.Markdown.Content != "<@lisi> \n# 本周活动" {
			t.Errorf("reply = %+v", got)
		}
	})
	t.Run("mixed and events", func(t *testing.T) {
		before := len(r.messages())
		code, body := r.do(r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{
			MsgType: "event", Event: &platformtest.GroupRobotEvent{EventType: "add_to_chat"},
		}))
		if code != http.StatusOK || len(body) != 0 || len(r.messages()) != before {
			t.Errorf("event: %d %q", code, body)
		}
		r.do(r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{
			MsgType: "mixed",
			MixedMessage: &platformtest.GroupRobotMixed{Items: []platformtest.GroupRobotItem{
				{MsgType: "text", Text: &platformtest.Content{Content: "@金秋助手 时长 3"}},
				{MsgType: "image"},
			}},
		}))
		msgs := r.messages()
		if len(msgs) != before+1 || msgs[before].Text != "@金秋助手 时长 3" {
			t.Errorf("mixed: %+v", msgs[before:])
		}
	})
}

// TestRejections: forged, stale, malformed and oversize callbacks get 4xx,
// and none reaches the Processor.
func TestRejections(t *testing.T) {
	r := newRig(t)
	other := r.fake.Peer("aiToken1", newAESKey(t)) // right token, wrong key
	forger := r.fake.Peer("guessed", newAESKey(t))
	text := platformtest.AIBotMessage{Text: &platformtest.Content{Content: "报到"}}
	withQuery := func(req *http.Request, k, v string) *http.Request {
		q := req.URL.Query()
		q.Set(k, v)
		req.URL.RawQuery = q.Encode()
		return req
	}
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"forged signature", func() *http.Request {
			return withQuery(r.ai.AIBot(r.url("ai"), text), "msg_signature", strings.Repeat("0", 40))
		}, 401},
		{"signature of another token", func() *http.Request { return forger.AIBot(r.url("ai"), text) }, 401},
		{"wrong aes key", func() *http.Request { return other.AIBot(r.url("ai"), text) }, 400},
		{"nonce changed after signing", func() *http.Request {
			return withQuery(r.ai.AIBot(r.url("ai"), text), "nonce", "1")
		}, 401},
		{"missing signature", func() *http.Request {
			req := r.ai.AIBot(r.url("ai"), text)
			q := req.URL.Query()
			q.Del("msg_signature")
			req.URL.RawQuery = q.Encode()
			return req
		}, 400},
		{"stale timestamp", func() *http.Request {
			r.clock.Set(t0.Add(-10 * time.Minute))
			defer r.clock.Set(t0)
			return r.ai.AIBot(r.url("ai"), text)
		}, 401},
		{"group envelope to the aibot", func() *http.Request {
			return r.ai.Request(r.url("ai"), []byte(`{"msgid":"x","msgtype":"text","text":{"content":"a"}}`), true)
		}, 400},
		{"json garbage inside", func() *http.Request { return r.ai.Request(r.url("ai"), []byte(`{"msgid":`), false) }, 400},
		{"no msgid", func() *http.Request {
			return r.ai.Request(r.url("ai"), []byte(`{"msgtype":"text","text":{"content":"a"}}`), false)
		}, 400},
		{"doctype in the envelope", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, r.url("grp")+"?msg_signature=a&timestamp=1&nonce=2",
				strings.NewReader(`<!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>`))
			return req
		}, 400},
		{"doctype inside the signed plaintext", func() *http.Request {
			return r.grp.Request(r.url("grp"), []byte(`<!DOCTYPE xml><xml><MsgId>1</MsgId><MsgType>text</MsgType><Text><Content>a</Content></Text></xml>`), true)
		}, 400},
		{"deep nesting inside", func() *http.Request {
			return r.grp.Request(r.url("grp"), []byte(`<xml>`+strings.Repeat("<a>", 100)+strings.Repeat("</a>", 100)+`</xml>`), true)
		}, 400},
		{"oversize", func() *http.Request {
			body := `{"encrypt":"` + strings.Repeat("A", wecom.MaxBody) + `"}`
			req, _ := http.NewRequest(http.MethodPost, r.url("ai")+"?msg_signature=a&timestamp=1&nonce=2", strings.NewReader(body))
			return req
		}, 413},
		{"unknown robot", func() *http.Request { return r.ai.AIBot(r.url("nobody"), text) }, 404},
		{"GET with forged signature", func() *http.Request {
			req, _ := r.ai.URLVerification(r.url("ai"))
			return withQuery(req, "msg_signature", strings.Repeat("f", 40))
		}, 401},
		{"PUT", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPut, r.url("ai"), bytes.NewReader(nil))
			return req
		}, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := r.do(tt.req())
			if code != tt.want {
				t.Errorf("status = %d %q, want %d", code, body, tt.want)
			}
		})
	}
	if n := len(r.messages()); n != 0 {
		t.Errorf("Processor called %d times", n)
	}
}

func TestProcessorOutcomes(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name  string
		reply func(jinqiu.Message) (jinqiu.Reply, bool, error)
		want  int
	}{
		{"error means retry", func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{}, false, io.ErrUnexpectedEOF }, 500},
		{"not ok means empty", func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{Text: "x"}, false, nil }, 200},
		{"empty reply", func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{}, true, nil }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.setReply(tt.reply)
			for _, req := range []*http.Request{
				r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{Text: &platformtest.Content{Content: "a"}}),
				r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{Text: &platformtest.Content{Content: "a"}}),
			} {
				code, body := r.do(req)
				if code != tt.want || (code == 200 && len(body) != 0) {
					t.Errorf("%s: %d %q, want %d (empty)", req.URL.Path, code, body, tt.want)
				}
			}
		})
	}
}

func TestOverlongPassiveReplies(t *testing.T) {
	r := newRig(t)
	line := strings.Repeat("长", 99) + "\n" // 298 bytes
	t.Run("aibot", func(t *testing.T) {
		long := strings.Repeat(line, 100) // 29.8 KB
		r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) { return jinqiu.Reply{Text: long}, true, nil })
		req := r.ai.AIBot(r.url("ai"), platformtest.AIBotMessage{Text: &platformtest.Content{Content: "a"}})
		_, body := r.do(req)
		got, err := r.ai.OpenAIBotReply(req, body)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Stream.Content) > wecom.MaxResponseURLBytes || len(got.Stream.Content) < wecom.MaxResponseURLBytes-len(line) {
			t.Errorf("passive part has %d bytes", len(got.Stream.Content))
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.undelivered) != 1 || len(got.Stream.Content)+1+len(r.undelivered[0].Text) != len(strings.TrimSuffix(long, "\n")) {
			t.Errorf("undelivered = %d replies", len(r.undelivered))
		}
	})
	t.Run("group text", func(t *testing.T) {
		r.setReply(func(jinqiu.Message) (jinqiu.Reply, bool, error) {
			return jinqiu.Reply{Text: strings.Repeat(line, 10)}, true, nil
		})
		req := r.grp.GroupRobot(r.url("grp"), platformtest.GroupRobotMessage{Text: &platformtest.Content{Content: "a"}})
		_, body := r.do(req)
		got, err := r.grp.OpenGroupRobotReply(req, body)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(got.Text.Content); n > wecom.MaxTextBytes || n < wecom.MaxTextBytes-len(line) {
			t.Errorf("passive part has %d bytes", n)
		}
	})
}
