package wecom_test

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

	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
)

func newSender(t *testing.T) (*wecom.Sender, *platformtest.FakeWeCom, *platformtest.Clock) {
	t.Helper()
	clock := platformtest.NewClock(t0)
	fake := platformtest.NewWeCom(t)
	fake.Now = clock.Now
	fake.AddKey("k1")
	s := wecom.NewSender(fake.URL, nil)
	s.Now = clock.Now
	s.Log = slog.New(slog.DiscardHandler)
	return s, fake, clock
}

func hook(url string) jinqiu.Target {
	return jinqiu.Target{Platform: wecom.Name, Robot: "r1", URL: url, Kind: jinqiu.KindWebhook}
}

func sendErr(t *testing.T, err error) *jinqiu.SendError {
	t.Helper()
	var se *jinqiu.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *jinqiu.SendError", err, err)
	}
	return se
}

func TestSenderWebhook(t *testing.T) {
	s, fake, _ := newSender(t)
	ctx := context.Background()
	if err := s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "明天 9:00 主题党日", Mentions: []string{"zhangsan", "@all"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, hook(fake.WebhookURL("k1")), jinqiu.Reply{Text: "t", Markdown: "**周报**", Mentions: []string{"lisi"}}); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 2 {
		t.Fatalf("fake got %d messages", len(got))
	}
	if g := got[0]; g.Robot != "k1" || g.MsgType != "text" || g.Content != "明天 9:00 主题党日" ||
		strings.Join(g.Mentions, ",") != "zhangsan" || g.ChatID != "" { // "@all" is never a mention of ours
		t.Errorf("text = %+v", g)
	}
	if g := got[1]; g.MsgType != "markdown" || g.Content != "<@lisi> \n**周报**" || len(g.Mentions) != 0 {
		t.Errorf("markdown = %+v", g)
	}
}

func TestSenderSplits(t *testing.T) {
	s, fake, _ := newSender(t)
	line := strings.Repeat("签", 100) + "\n" // 301 bytes
	text := strings.Repeat(line, 20)        // 6020 bytes
	if err := s.Send(context.Background(), hook("k1"), jinqiu.Reply{Text: text, Mentions: []string{"u1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), hook("k1"), jinqiu.Reply{Markdown: text}); err != nil {
		t.Fatal(err)
	}
	var texts, mds []platformtest.Sent
	for _, m := range fake.Messages() {
		if m.MsgType == "text" {
			texts = append(texts, m)
		} else {
			mds = append(mds, m)
		}
	}
	if len(texts) != 4 || len(mds) != 2 {
		t.Fatalf("got %d text and %d markdown parts, want 4 and 2", len(texts), len(mds))
	}
	var joined []string
	for i, m := range texts {
		if len(m.Content) > wecom.MaxTextBytes {
			t.Errorf("text part %d has %d bytes", i, len(m.Content))
		}
		if (i == 0) != (len(m.Mentions) == 1) {
			t.Errorf("text part %d mentions %v: mentions belong to the first part", i, m.Mentions)
		}
		joined = append(joined, m.Content)
	}
	if strings.Join(joined, "\n") != strings.TrimSuffix(text, "\n") {
		t.Error("the parts do not add up to the text")
	}
	for i, m := range mds {
		if len(m.Content) > wecom.MaxMarkdownBytes {
			t.Errorf("markdown part %d has %d bytes", i, len(m.Content))
		}
	}
}

func TestSenderErrcodes(t *testing.T) {
	ctx := context.Background()
	t.Run("unknown key is permanent and logged without the key", func(t *testing.T) {
		s, _, _ := newSender(t)
		var logs bytes.Buffer
		s.Log = slog.New(slog.NewTextHandler(&logs, nil))
		se := sendErr(t, s.Send(ctx, hook("secret-key-123"), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Permanent || se.Code != 93000 {
			t.Errorf("err = %v, want permanent 93000", se)
		}
		if !strings.Contains(logs.String(), "configuration error") || strings.Contains(logs.String(), "secret-key-123") {
			t.Errorf("log = %q", logs.String())
		}
		if strings.Contains(se.Error(), "secret-key-123") {
			t.Errorf("error text leaks the key: %v", se)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		s, fake, clock := newSender(t)
		for i := 0; i < platformtest.DefaultLimit; i++ {
			if err := s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"}); err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
			clock.Advance(time.Second)
		}
		se := sendErr(t, s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Throttled || se.Code != 45009 || se.RetryAfter <= 0 {
			t.Errorf("21st message: %v, want throttled 45009", se)
		}
		clock.Advance(41 * time.Second) // the first message leaves the window
		if err := s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"}); err != nil {
			t.Errorf("after the window: %v", err)
		}
		if n := fake.MaxInWindow("k1"); n != platformtest.DefaultLimit {
			t.Errorf("MaxInWindow = %d", n)
		}
	})
	t.Run("5xx is transient", func(t *testing.T) {
		s, fake, _ := newSender(t)
		fake.FailNext(1)
		se := sendErr(t, s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Transient || se.Code != http.StatusServiceUnavailable {
			t.Errorf("err = %v", se)
		}
		if len(fake.Messages()) != 0 {
			t.Error("a failed request was delivered")
		}
	})
	t.Run("no answer after the request is ambiguous", func(t *testing.T) {
		s, fake, _ := newSender(t)
		s.Timeout = 200 * time.Millisecond
		fake.HangNext(1)
		se := sendErr(t, s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"}))
		if se.Class != jinqiu.Ambiguous {
			t.Errorf("err = %v, want ambiguous", se)
		}
		if got := fake.Messages(); len(got) != 1 || !got[0].Hung {
			t.Errorf("fake got %+v", got)
		}
	})
	t.Run("caller deadline wins", func(t *testing.T) {
		s, fake, _ := newSender(t)
		fake.HangNext(1)
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if c := jinqiu.Classify(s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"})); c != jinqiu.Ambiguous {
			t.Errorf("class = %v", c)
		}
		if time.Since(start) > 2*time.Second {
			t.Error("the caller's deadline was not honoured")
		}
	})
	t.Run("connection refused is transient", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		s := wecom.NewSender(base, nil)
		s.Log = slog.New(slog.DiscardHandler)
		if c := jinqiu.Classify(s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"})); c != jinqiu.Transient {
			t.Errorf("class = %v, want transient", c)
		}
	})
	t.Run("too long for the platform", func(t *testing.T) {
		// Splitting prevents this; a response_url reply is cut instead.
		s, fake, _ := newSender(t)
		target := jinqiu.Target{Kind: jinqiu.KindResponseURL, URL: fake.NewResponseURL()}
		if err := s.Send(ctx, target, jinqiu.Reply{Text: strings.Repeat("x\n", 20000)}); err != nil {
			t.Fatal(err)
		}
		if got := fake.Messages(); len(got) != 1 || len(got[0].Content) > wecom.MaxResponseURLBytes {
			t.Errorf("fake got %d messages", len(got))
		}
	})
}

func TestSenderNeverLeavesTheAPIBase(t *testing.T) {
	var hits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"errcode":0}`))
	}))
	defer foreign.Close()
	s, fake, clock := newSender(t)
	ctx := context.Background()
	targets := map[string]jinqiu.Target{
		"foreign webhook":      hook(foreign.URL + "/cgi-bin/webhook/send?key=k1"),
		"foreign response_url": {Kind: jinqiu.KindResponseURL, URL: foreign.URL + "/cgi-bin/aibot/response?response_code=1"},
		"userinfo trick":       hook(strings.Replace(fake.URL, "http://", "http://user@", 1) + "/cgi-bin/webhook/send?key=k1"),
		"no key":               hook(fake.URL + "/cgi-bin/webhook/send"),
		"session kind":         {Kind: jinqiu.KindSession, URL: fake.WebhookURL("k1")},
		"expired response_url": {Kind: jinqiu.KindResponseURL, URL: fake.NewResponseURL(), Expires: clock.Now()},
	}
	for name, target := range targets {
		if c := jinqiu.Classify(s.Send(ctx, target, jinqiu.Reply{Text: "x"})); c != jinqiu.Permanent {
			t.Errorf("%s: class %v, want permanent", name, c)
		}
	}
	if hits.Load() != 0 || len(fake.Requests()) != 0 {
		t.Errorf("requests went out: foreign %d, fake %d", hits.Load(), len(fake.Requests()))
	}

	t.Run("redirects are not followed", func(t *testing.T) {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, foreign.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}))
		defer redirect.Close()
		s := wecom.NewSender(redirect.URL, nil)
		s.Log = slog.New(slog.DiscardHandler)
		if c := jinqiu.Classify(s.Send(ctx, hook("k1"), jinqiu.Reply{Text: "x"})); c != jinqiu.Permanent {
			t.Errorf("class %v, want permanent", c)
		}
		if hits.Load() != 0 {
			t.Error("the redirect was followed")
		}
	})
}
