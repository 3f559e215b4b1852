package dingtalk

import (
	"context"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/inbound"
)

func TestTrustedSessionWebhook(t *testing.T) {
	h := NewHandler(nil, "https://oapi.dingtalk.com", nil, nil, slog.New(slog.DiscardHandler))
	tests := []struct {
		u    string
		want bool
	}{
		{"https://oapi.dingtalk.com/robot/sendBySession?session=abc", true},
		{"https://OAPI.DINGTALK.COM/robot/sendBySession?session=abc", true},
		{"http://oapi.dingtalk.com/robot/sendBySession?session=abc", false},
		{"https://oapi.dingtalk.com.evil.example/robot/sendBySession", false},
		{"https://evil.example/robot/sendBySession?x=https://oapi.dingtalk.com", false},
		{"https://oapi.dingtalk.com@evil.example/robot", false},
		{"https://x@oapi.dingtalk.com/robot", false},
		{"https://oapi.dingtalk.com:8443/robot", false},
		{"https://127.0.0.1/robot", false},
		{"//oapi.dingtalk.com/robot", false},
		{"oapi.dingtalk.com/robot", false},
		{"", false},
		{"%zz", false},
	}
	for _, tt := range tests {
		if got := h.trusted(tt.u); got != tt.want {
			t.Errorf("trusted(%q) = %v, want %v", tt.u, got, tt.want)
		}
	}
	if NewHandler(nil, "::bad", nil, nil, slog.New(slog.DiscardHandler)).trusted("https://oapi.dingtalk.com/robot") {
		t.Error("an unusable api base trusts a URL")
	}
}

// recordingSender stands in for the platform in the fuzz target, which must
// not touch the network.
type recordingSender struct {
	mu      sync.Mutex
	targets []jinqiu.Target
}

func (s *recordingSender) Send(ctx context.Context, t jinqiu.Target, r jinqiu.Reply) error {
	s.mu.Lock()
	s.targets = append(s.targets, t)
	s.mu.Unlock()
	return nil
}

// FuzzDingTalkCallback feeds arbitrary headers and bodies to the handler.
// With valid headers the body reaches the JSON decoder; nothing may panic,
// answers are 200 or 4xx, nothing unsigned reaches the Processor, and a
// reply only ever goes to a URL under the API base.
func FuzzDingTalkCallback(f *testing.F) {
	now := time.UnixMilli(1700000000000)
	const secret = "fuzz-secret"
	valid := Sign(secret, now.UnixMilli())
	f.Add([]byte(`{"msgtype":"text","text":{"content":" 签到"},"msgId":"m1","conversationType":"2","conversationId":"c","senderStaffId":"u","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=1","sessionWebhookExpiredTime":1700005400000,"createAt":1700000000000}`), "", "")
	f.Add([]byte(`{"msgtype":"text","text":{"content":"a"},"msgId":"m2","sessionWebhook":"https://evil.example/x"}`), "", "")
	f.Add([]byte(`{"msgtype":"richText","content":{"richText":[{"text":"报名"},{"downloadCode":"x"}]},"msgId":"m3"}`), "", "")
	f.Add([]byte(`{"msgId":`), "", "")
	f.Add([]byte(strings.Repeat("[", 20000)), "", "")
	f.Add([]byte(`{"msgtype":"text","text":{"content":"a"},"msgId":"m4","createAt":"x"}`), "1700000000000", valid)
	f.Add([]byte(`{}`), "1700000000000", "x")
	f.Add([]byte(`{}`), "99999999999999999999", valid)
	f.Add([]byte(`{}`), "-1", "")

	var calls atomic.Int64
	p := inbound.ProcessorFunc(func(ctx context.Context, m jinqiu.Message) (inbound.Outcome, error) {
		calls.Add(1)
		return inbound.Outcome{Reply: jinqiu.Reply{Text: m.Text, Mentions: []string{m.UserID}}, Post: true}, nil
	})
	send := &recordingSender{}
	robots := []Robot{{Name: "dt", AppSecret: secret}}
	h := NewHandler(robots, "https://oapi.dingtalk.com", p, send, slog.New(slog.DiscardHandler))
	h.Now = func() time.Time { return now }
	h.OnUndelivered = func(context.Context, jinqiu.Message, jinqiu.Reply) {}
	mux := http.NewServeMux()
	h.Register(mux)
	base, _ := url.Parse("https://oapi.dingtalk.com")

	f.Fuzz(func(t *testing.T, body []byte, ts, sign string) {
		signed := ts == "" && sign == ""
		if signed {
			ts, sign = strconv.FormatInt(now.UnixMilli(), 10), valid
		}
		req := httptest.NewRequest(http.MethodPost, "/dingtalk/dt", strings.NewReader(string(body)))
		req.Header.Set("timestamp", ts)
		req.Header.Set("sign", sign)
		before := calls.Load()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)

		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		case http.StatusUnauthorized:
			if signed {
				t.Fatal("valid headers refused")
			}
			if calls.Load() != before {
				t.Fatal("an unsigned callback reached the Processor")
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
		send.mu.Lock()
		defer send.mu.Unlock()
		for _, target := range send.targets {
			u, err := url.Parse(target.URL)
			if err != nil || !bot.WithinBase(u, base) || u.Scheme != "https" || target.Kind != jinqiu.KindSession {
				t.Fatalf("reply sent to %+v", target)
			}
		}
		send.targets = send.targets[:0]
	})
}
