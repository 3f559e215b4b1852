package platformtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

type reply struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// post sends body to u and returns the HTTP status and the errcode.
func post(t *testing.T, c *http.Client, u string, body any) (int, reply) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := c.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode, r
}

func wecomText(s string) map[string]any {
	return map[string]any{"msgtype": "text", "text": map[string]any{"content": s}}
}

func TestFakeWeComRateLimit(t *testing.T) {
	clock := NewClock(t0)
	f := NewWeCom(t)
	f.Now = clock.Now
	f.AddKey("k")
	f.AddKey("other")
	u := f.WebhookURL("k")
	for i := 0; i < DefaultLimit; i++ {
		if _, r := post(t, f.Client(), u, wecomText("x")); r.ErrCode != 0 {
			t.Fatalf("message %d: %+v", i+1, r)
		}
		clock.Advance(2 * time.Second)
	}
	// 20 messages between t0 and t0+38s: the 21st is refused until t0+60s.
	if _, r := post(t, f.Client(), u, wecomText("x")); r.ErrCode != CodeWeComFreqLimit {
		t.Errorf("21st: %+v, want 45009", r)
	}
	if _, r := post(t, f.Client(), f.WebhookURL("other"), wecomText("x")); r.ErrCode != 0 {
		t.Errorf("another key: %+v", r)
	}
	clock.Set(t0.Add(60 * time.Second))
	if _, r := post(t, f.Client(), u, wecomText("x")); r.ErrCode != 0 {
		t.Errorf("at t0+60s the first message has left the window: %+v", r)
	}
	if _, r := post(t, f.Client(), u, wecomText("x")); r.ErrCode != CodeWeComFreqLimit {
		t.Errorf("but only the first: %+v", r)
	}
	if got := f.MaxInWindow("k"); got != DefaultLimit {
		t.Errorf("MaxInWindow = %d, want %d", got, DefaultLimit)
	}
	if got, want := len(f.Requests()), DefaultLimit+4; got != want {
		t.Errorf("Requests = %d, want %d", got, want)
	}
}

func TestFakeWeComRefusals(t *testing.T) {
	f := NewWeCom(t)
	f.AddKey("k")
	tests := []struct {
		name string
		u    string
		body any
		want int
	}{
		{"unknown key", f.WebhookURL("nope"), wecomText("x"), CodeWeComInvalidKey},
		{"text too long", f.WebhookURL("k"), wecomText(strings.Repeat("签", 683)), CodeWeComTooLong},
		{"text at the limit", f.WebhookURL("k"), wecomText(strings.Repeat("签", 682) + "ab"), 0},
		{"markdown too long", f.WebhookURL("k"), map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": strings.Repeat("a", 4097)}}, CodeWeComTooLong},
		{"empty", f.WebhookURL("k"), wecomText(""), CodeWeComEmpty},
		{"bad type", f.WebhookURL("k"), map[string]any{"msgtype": "hologram"}, CodeWeComBadType},
	}
	for _, tt := range tests {
		if _, r := post(t, f.Client(), tt.u, tt.body); r.ErrCode != tt.want {
			t.Errorf("%s: %+v, want %d", tt.name, r, tt.want)
		}
	}
	t.Run("response_url is one use", func(t *testing.T) {
		u := f.NewResponseURL()
		md := map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": "hi"}}
		if _, r := post(t, f.Client(), u, md); r.ErrCode != 0 {
			t.Fatalf("first use: %+v", r)
		}
		if _, r := post(t, f.Client(), u, md); r.ErrCode != CodeResponseURLSpent {
			t.Errorf("second use: %+v", r)
		}
	})
}

func TestFakeFaults(t *testing.T) {
	f := NewWeCom(t)
	f.AddKey("k")
	f.FailNext(2)
	for i := 0; i < 2; i++ {
		if code, _ := post(t, f.Client(), f.WebhookURL("k"), wecomText("x")); code != http.StatusServiceUnavailable {
			t.Errorf("request %d: %d, want 503", i+1, code)
		}
	}
	if code, r := post(t, f.Client(), f.WebhookURL("k"), wecomText("x")); code != 200 || r.ErrCode != 0 {
		t.Errorf("after the failures: %d %+v", code, r)
	}

	f.HangNext(1)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.WebhookURL("k"), strings.NewReader(`{"msgtype":"text","text":{"content":"y"}}`))
	if _, err := f.Client().Do(req); err == nil {
		t.Error("a hung request answered")
	}
	got := f.Messages()
	if len(got) != 2 || !got[1].Hung || got[1].Content != "y" {
		t.Errorf("messages = %+v", got)
	}
}

func TestFakeDingTalk(t *testing.T) {
	clock := NewClock(t0)
	f := NewDingTalk(t)
	f.Now = clock.Now
	f.AddRobot("signed", "SECx")
	f.AddRobot("plain", "")
	text := map[string]any{"msgtype": "text", "text": map[string]any{"content": "x"}, "at": map[string]any{"atUserIds": []string{"u1"}}}
	signed := func(secret string, ms int64) string {
		return f.WebhookURL("signed") + "&timestamp=" + strconv.FormatInt(ms, 10) + "&sign=" + urlQueryEscape(SignDingTalk(secret, ms))
	}

	t.Run("signing", func(t *testing.T) {
		if _, r := post(t, f.Client(), signed("SECx", t0.UnixMilli()), text); r.ErrCode != 0 {
			t.Errorf("valid: %+v", r)
		}
		if _, r := post(t, f.Client(), signed("SECy", t0.UnixMilli()), text); r.ErrCode != CodeDingTalkSecurity || r.ErrMsg != "sign not match" {
			t.Errorf("bad sign: %+v", r)
		}
		if _, r := post(t, f.Client(), signed("SECx", t0.Add(-2*time.Hour).UnixMilli()), text); r.ErrCode != CodeDingTalkSecurity || r.ErrMsg != "invalid timestamp" {
			t.Errorf("old timestamp: %+v", r)
		}
		if _, r := post(t, f.Client(), f.WebhookURL("signed"), text); r.ErrCode != CodeDingTalkSecurity {
			t.Errorf("unsigned: %+v", r)
		}
		if _, r := post(t, f.Client(), f.WebhookURL("nobody"), text); r.ErrCode != CodeDingTalkNoSession {
			t.Errorf("unknown token: %+v", r)
		}
	})

	t.Run("rate limit and penalty", func(t *testing.T) {
		u := f.WebhookURL("plain")
		for i := 0; i < DefaultLimit; i++ {
			if _, r := post(t, f.Client(), u, text); r.ErrCode != 0 {
				t.Fatalf("message %d: %+v", i+1, r)
			}
		}
		if _, r := post(t, f.Client(), u, text); r.ErrCode != CodeDingTalkTooFast {
			t.Errorf("21st: %+v", r)
		}
		clock.Advance(9 * time.Minute)
		if _, r := post(t, f.Client(), u, text); r.ErrCode != CodeDingTalkTooFast {
			t.Errorf("9 minutes later: %+v", r)
		}
		clock.Advance(time.Minute)
		if _, r := post(t, f.Client(), u, text); r.ErrCode != 0 {
			t.Errorf("10 minutes later: %+v", r)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		u := f.NewSession(clock.Now().Add(time.Minute))
		if _, r := post(t, f.Client(), u, text); r.ErrCode != 0 {
			t.Errorf("live session: %+v", r)
		}
		clock.Advance(time.Minute)
		if _, r := post(t, f.Client(), u, text); r.ErrCode != CodeDingTalkNoSession {
			t.Errorf("expired session: %+v", r)
		}
	})

	got := f.MessagesTo("plain")
	if len(got) == 0 || got[0].Content != "x" || strings.Join(got[0].Mentions, ",") != "u1" {
		t.Errorf("recorded %+v", got)
	}
}

func TestDingTalkCallbackDefaults(t *testing.T) {
	clock := NewClock(t0)
	f := NewDingTalk(t)
	f.Now = clock.Now
	req := f.Callback("http://bot.invalid/dingtalk/x", "app", DingTalkCallback{ConversationID: "c1", Text: Content{Content: "签到"}})
	ts, _ := strconv.ParseInt(req.Header.Get("timestamp"), 10, 64)
	if ts != t0.UnixMilli() || req.Header.Get("sign") != SignDingTalk("app", ts) {
		t.Errorf("headers %v", req.Header)
	}
	var c DingTalkCallback
	json.NewDecoder(req.Body).Decode(&c)
	if c.MsgID == "" || c.ConversationType != "2" || c.CreateAt != t0.UnixMilli() ||
		!strings.HasPrefix(c.SessionWebhook, f.URL+"/robot/sendBySession?session=") || c.SessionWebhookExpiredTime != t0.Add(90*time.Minute).UnixMilli() {
		t.Errorf("callback %+v", c)
	}
}

// TestWeComPeerCrypto checks the fake's own decrypt against the official
// vector and its sealing against it.
func TestWeComPeerCrypto(t *testing.T) {
	const aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	key, _ := base64.StdEncoding.DecodeString(aesKey + "=")
	const enc = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	plain, err := decryptWeCom(key, enc, "wx5823bf96d3bd56c7")
	if err != nil || !strings.Contains(string(plain), "<Content><![CDATA[hello]]></Content>") {
		t.Fatalf("official vector: %q, %v", plain, err)
	}
	if util.Signature("QDG6eK", "1409659813", "1372623149", enc) != "477715d11cdb4164915debcba66cb864d751f3e6" {
		t.Error("official signature")
	}

	f := NewWeCom(t)
	p := f.Peer("QDG6eK", aesKey)
	e, sig, ts, nonce := p.Seal([]byte("签到"))
	if util.Signature("QDG6eK", ts, nonce, e) != sig {
		t.Error("Seal signature")
	}
	if got, err := decryptWeCom(key, e, ""); err != nil || string(got) != "签到" {
		t.Errorf("Seal round trip: %q, %v", got, err)
	}
}

func urlQueryEscape(s string) string {
	r := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	return r.Replace(s)
}
