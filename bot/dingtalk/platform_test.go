package dingtalk_test

import (
	"context"
	"jinqiu"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
)

// A group target goes through the custom robot the platform resolves from
// its configuration, signed with the group's secret.
func TestPlatformResolvesGroups(t *testing.T) {
	fake := platformtest.NewDingTalk(t)
	fake.AddRobot("tok", robotSecret)
	p := dingtalk.New()
	if err := yaml.Unmarshal([]byte("api_base: "+fake.URL+"\n"), p.Section()); err != nil {
		t.Fatal(err)
	}
	problems := p.Configure([]bot.GroupConfig{
		{Key: "bureau.groups[0]", ChatID: "c1", Push: map[string]string{"webhook": fake.WebhookURL("tok"), "secret": robotSecret}},
		{Key: "bureau.groups[1]", ChatID: "c2", Push: map[string]string{"webhook": "https://evil.example/robot/send"}},
		{Key: "bureau.groups[2]", ChatID: "c3", Push: map[string]string{"webhook_key": "k"}},
	})
	all := strings.Join(problems, "\n")
	if len(problems) != 2 || !strings.Contains(all, "bureau.groups[1].webhook: must be a custom robot URL under dingtalk.api_base") ||
		!strings.Contains(all, "bureau.groups[2].webhook_key: is not a key of a dingtalk group") {
		t.Errorf("problems:\n%s", all)
	}
	s := p.Open(bot.Env{Client: fake.Client(), Log: slog.New(slog.DiscardHandler), Now: time.Now}, http.NewServeMux())
	if err := s.Send(context.Background(), jinqiu.Target{Platform: dingtalk.Name, Kind: jinqiu.KindGroup, ChatID: "c1"}, jinqiu.Reply{Text: "好"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.MessagesTo("tok"); len(got) != 1 || got[0].Content != "好" {
		t.Errorf("sent %+v", fake.Requests())
	}
	if se := sendErr(t, s.Send(context.Background(), jinqiu.Target{Platform: dingtalk.Name, Kind: jinqiu.KindGroup, ChatID: "c3"}, jinqiu.Reply{Text: "x"})); se.Class != jinqiu.Permanent {
		t.Errorf("unconfigured group: %v", se)
	}
}

// A document is laid out with a blank line between lines, titled, and cut
// within the limit.
func TestPlatformParts(t *testing.T) {
	line := strings.Repeat("报", 300) // 900 bytes
	var ls []string
	for range 50 {
		ls = append(ls, line)
	}
	parts := dingtalk.New().Parts(jinqiu.Reply{Title: "周报", Markdown: strings.Join(ls, "\n")}, func(k, n int) string { return "续" })
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	for i, p := range parts {
		if len(p.Markdown) > dingtalk.MaxMessageBytes || p.Title != "周报" || strings.Contains(p.Markdown, "\n\n\n") || strings.Contains(strings.ReplaceAll(p.Markdown, "\n\n", ""), "\n") {
			t.Errorf("part %d: %d bytes, title %q, not a paragraph a line", i, len(p.Markdown), p.Title)
		}
		if i > 0 && !strings.HasPrefix(p.Markdown, "续\n\n") {
			t.Errorf("part %d starts %q", i, p.Markdown[:10])
		}
	}
}
