package dingtalk_test

import (
	"bytes"
	"context"
	"errors"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
)

const robotSecret = "SECabc123"

func newSender(t *testing.T) (*dingtalk.Sender, *platformtest.FakeDingTalk, *platformtest.Clock) {
	t.Helper()
	clock := platformtest.NewClock(t0)
	fake := platformtest.NewDingTalk(t)
	fake.Now = clock.Now
	fake.AddRobot("tok-signed", robotSecret)
	fake.AddRobot("tok-plain", "")
	s := dingtalk.NewSender(fake.URL, nil)
	s.Now = clock.Now
	s.Log = slog.New(slog.DiscardHandler)
	return s, fake, clock
}

func custom(fake *platformtest.FakeDingTalk, token, secret string) jinqiu.Target {
	return jinqiu.Target{Platform: dingtalk.Name, Robot: "pusher", URL: fake.WebhookURL(token), Secret: secret, Kind: jinqiu.KindWebhook}
}

func sendErr(t *testing.T, err error) *jinqiu.SendError {
	t.Helper()
	var se *jinqiu.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *jinqiu.SendError", err, err)
	}
	return se
}

func TestSignVector(t *testing.T) {
	// PLATFORMS.md §4, recomputed with openssl.
	if got := dingtalk.Sign("this is secret", 1577262236757); got != "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=" {
		t.Errorf("Sign = %s", got)
	}
	if got := platformtest.SignDingTalk("this is secret", 1577262236757); got != "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=" {
		t.Errorf("SignDingTalk = %s", got)
	}
}

func TestSenderCustomRobot(t *testing.T) {
	s, fake, _ := newSender(t)
	ctx := context.Background()
	if err := s.Send(ctx, custom(fake, "tok-signed", robotSecret), jinqiu.Reply{Text: "明天 9:00 主题党日", Mentions: []string{"0123", "@all"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, custom(fake, "tok-plain", ""), jinqiu.Reply{Text: "t", Markdown: "## 本周简报\n- 报到 12 人", Title: "本周简报", Mentions: []string{"u9"}}); err != nil {
		t.Fatal(err)
	}
	// A short reply with a markdown rendering but no title stays text.
	if err := s.Send(ctx, custom(fake, "tok-plain", ""), jinqiu.Reply{Text: "活动：\n1号", Markdown: "**活动：**\n1号"}); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 3 {
		t.Fatalf("fake got %+v", fake.Requests())
	}
	if g := got[0]; g.MsgType != "text" || g.Content != "@0123 \n明天 9:00 主题党日" || strings.Join(g.Mentions, ",") != "0123" || g.AtAll { // "@all" never pings the group
		t.Errorf("text = %+v", g)
	}
	if g := got[1]; g.MsgType != "markdown" || g.Title != "本周简报" || g.Content != "@u9 \n\n## 本周简报\n\n- 报到 12 人" || strings.Join(g.Mentions, ",") != "u9" {
		t.Errorf("markdown = %+v", g)
	}
	if g := got[2]; g.MsgType != "text" || g.Content != "活动：\n1号" {
		t.Errorf("untitled reply = %+v", g)
	}
}

func TestSenderErrcodes(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong secret is permanent 310000", func(t *testing.T) {
		s, fake, _ := newSender(t)
		se := sendErr(t, s.Send(ctx, custom(fake, "tok-signed", "SECwrong"), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Permanent || se.Code != 310000 {
			t.Errorf("err = %v", se)
		}
	})
	t.Run("missing secret is permanent 310000", func(t *testing.T) {
		s, fake, _ := newSender(t)
		if se := sendErr(t, s.Send(ctx, custom(fake, "tok-signed", ""), jinqiu.Reply{Text: "x"})); se.Code != 310000 {
			t.Errorf("err = %v", se)
		}
	})
	t.Run("sender clock off by more than an hour", func(t *testing.T) {
		s, fake, _ := newSender(t)
		s.Now = func() time.Time { return t0.Add(-2 * time.Hour) }
		if se := sendErr(t, s.Send(ctx, custom(fake, "tok-signed", robotSecret), jinqiu.Reply{Text: "x"})); se.Code != 310000 || se.Class != jinqiu.Permanent {
			t.Errorf("err = %v", se)
		}
	})
	t.Run("unknown token is permanent and not logged", func(t *testing.T) {
		s, fake, _ := newSender(t)
		var logs bytes.Buffer
		s.Log = slog.New(slog.NewTextHandler(&logs, nil))
		se := sendErr(t, s.Send(ctx, custom(fake, "tok-secret-nobody", ""), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Permanent || se.Code != 300001 {
			t.Errorf("err = %v", se)
		}
		if strings.Contains(logs.String(), "tok-secret-nobody") || !strings.Contains(logs.String(), "configuration error") {
			t.Errorf("log = %q", logs.String())
		}
	})
	t.Run("rate limit and the 10-minute penalty", func(t *testing.T) {
		s, fake, clock := newSender(t)
		target := custom(fake, "tok-signed", robotSecret)
		for i := 0; i < platformtest.DefaultLimit; i++ {
			if err := s.Send(ctx, target, jinqiu.Reply{Text: "x"}); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
		}
		se := sendErr(t, s.Send(ctx, target, jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Throttled || se.Code != 130101 || se.RetryAfter != 10*time.Minute {
			t.Errorf("21st: %v (retry after %v)", se, se.RetryAfter)
		}
		clock.Advance(2 * time.Minute) // the window is clear, the penalty is not
		if c := jinqiu.Classify(s.Send(ctx, target, jinqiu.Reply{Text: "x"})); c != jinqiu.Throttled {
			t.Errorf("during the penalty: %v", c)
		}
		if err := s.Send(ctx, custom(fake, "tok-plain", ""), jinqiu.Reply{Text: "x"}); err != nil {
			t.Errorf("another robot is throttled too: %v", err)
		}
		clock.Advance(8*time.Minute + time.Second)
		if err := s.Send(ctx, target, jinqiu.Reply{Text: "x"}); err != nil {
			t.Errorf("after the penalty: %v", err)
		}
		if n := fake.MaxInWindow("tok-signed"); n > platformtest.DefaultLimit {
			t.Errorf("MaxInWindow = %d", n)
		}
	})
	t.Run("5xx transient, hang ambiguous", func(t *testing.T) {
		s, fake, _ := newSender(t)
		s.Timeout = 200 * time.Millisecond
		fake.FailNext(1)
		if c := jinqiu.Classify(s.Send(ctx, custom(fake, "tok-plain", ""), jinqiu.Reply{Text: "x"})); c != jinqiu.Transient {
			t.Errorf("5xx: %v", c)
		}
		fake.HangNext(1)
		if c := jinqiu.Classify(s.Send(ctx, custom(fake, "tok-plain", ""), jinqiu.Reply{Text: "x"})); c != jinqiu.Ambiguous {
			t.Errorf("hang: %v", c)
		}
	})
}

func TestSenderSession(t *testing.T) {
	s, fake, clock := newSender(t)
	ctx := context.Background()
	session := func(exp time.Time) jinqiu.Target {
		return jinqiu.Target{Platform: dingtalk.Name, Robot: "dt", URL: fake.NewSession(exp), Expires: exp, Kind: jinqiu.KindSession}
	}
	live := session(t0.Add(time.Hour))
	if err := s.Send(ctx, live, jinqiu.Reply{Text: "好的"}); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].Kind != jinqiu.KindSession || got[0].Content != "好的" {
		t.Errorf("fake got %+v", got)
	}

	expired := session(t0.Add(time.Minute))
	clock.Advance(time.Minute)
	if se := sendErr(t, s.Send(ctx, expired, jinqiu.Reply{Text: "x"})); se.Class != jinqiu.Permanent {
		t.Errorf("expired: %v", se)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("an expired session was tried: %d requests", n)
	}

	// DingTalk may end a session before the time it announced.
	early := session(t0.Add(2 * time.Minute))
	early.Expires = time.Time{}
	clock.Advance(5 * time.Minute)
	if se := sendErr(t, s.Send(ctx, early, jinqiu.Reply{Text: "x"})); se.Class != jinqiu.Permanent || se.Code != 300001 {
		t.Errorf("session gone: %v", se)
	}
}

func TestSenderSplits(t *testing.T) {
	s, fake, _ := newSender(t)
	line := strings.Repeat("报", 300) + "\n" // 901 bytes
	text := strings.Repeat(line, 50)        // 45 KB
	if err := s.Send(context.Background(), custom(fake, "tok-plain", ""), jinqiu.Reply{Markdown: text, Title: "周报", Mentions: []string{"u1"}}); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 3 {
		t.Fatalf("got %d parts, want 3", len(got))
	}
	for i, m := range got {
		if len(m.Content) > dingtalk.MaxMessageBytes || m.Title != "周报" {
			t.Errorf("part %d: %d bytes, title %q", i, len(m.Content), m.Title)
		}
		if (i == 0) != (len(m.Mentions) == 1) {
			t.Errorf("part %d mentions %v", i, m.Mentions)
		}
	}
}

func TestSenderNeverLeavesTheAPIBase(t *testing.T) {
	var hits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"errcode":0}`))
	}))
	defer foreign.Close()
	s, fake, _ := newSender(t)
	for name, target := range map[string]jinqiu.Target{
		"foreign custom robot": {Kind: jinqiu.KindWebhook, URL: foreign.URL + "/robot/send?access_token=tok-plain"},
		"foreign session":      {Kind: jinqiu.KindSession, URL: foreign.URL + "/robot/sendBySession?session=1"},
		"bare token":           {Kind: jinqiu.KindWebhook, URL: "tok-plain"},
		"response_url kind":    {Kind: jinqiu.KindResponseURL, URL: fake.WebhookURL("tok-plain")},
	} {
		if c := jinqiu.Classify(s.Send(context.Background(), target, jinqiu.Reply{Text: "x"})); c != jinqiu.Permanent {
			t.Errorf("%s: %v, want permanent", name, c)
		}
	}
	if hits.Load() != 0 || len(fake.Requests()) != 0 {
		t.Errorf("requests went out: foreign %d, fake %d", hits.Load(), len(fake.Requests()))
	}
}
