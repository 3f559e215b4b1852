package wecom_test

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
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
)

// configured is WeCom configured from a section and groups, opened on the
// fake.
func configured(t *testing.T, fake *platformtest.FakeWeCom, section string, groups ...bot.GroupConfig) (*wecom.Platform, jinqiu.Sender, []string) {
	t.Helper()
	p := wecom.New()
	if err := yaml.Unmarshal([]byte("api_base: "+fake.URL+"\n"+section), p.Section()); err != nil {
		t.Fatal(err)
	}
	problems := p.Configure(groups)
	s := p.Open(bot.Env{Client: fake.Client(), Log: slog.New(slog.DiscardHandler), Now: time.Now}, http.NewServeMux())
	return p, s, problems
}

// A group target goes through the webhook the platform resolves from its
// configuration: the group's key, or the robot's own in the chat it was
// called from; a group without one is a permanent error.
func TestPlatformResolvesGroups(t *testing.T) {
	fake := platformtest.NewWeCom(t)
	fake.AddKey("group-key")
	fake.AddKey("robot-key")
	p, s, problems := configured(t, fake, "robots: [{name: gr, mode: group_robot, webhook_key: robot-key}]\n",
		bot.GroupConfig{Key: "branches[0].groups[0]", ChatID: "c1", Push: map[string]string{"webhook_key": "group-key"}},
		bot.GroupConfig{Key: "branches[0].groups[1]", ChatID: "c2"})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if !p.Pushable("c1") || p.Pushable("c2") || p.Pushable("nope") {
		t.Errorf("pushable c1/c2/nope = %v/%v/%v", p.Pushable("c1"), p.Pushable("c2"), p.Pushable("nope"))
	}
	ctx := context.Background()
	if err := s.Send(ctx, jinqiu.Target{Platform: wecom.Name, Kind: jinqiu.KindGroup, ChatID: "c1"}, jinqiu.Reply{Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, jinqiu.Target{Platform: wecom.Name, Kind: jinqiu.KindGroup, ChatID: "c2", Via: "gr"}, jinqiu.Reply{Text: "b"}); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()
	if len(got) != 2 || got[0].Robot != "group-key" || got[0].ChatID != "" || got[1].Robot != "robot-key" || got[1].ChatID != "c2" {
		t.Errorf("sent %+v", got)
	}
	err := s.Send(ctx, jinqiu.Target{Platform: wecom.Name, Kind: jinqiu.KindGroup, ChatID: "c2"}, jinqiu.Reply{Text: "c"})
	if se := sendErr(t, err); se.Class != jinqiu.Permanent || strings.Contains(se.Message, "key") && strings.Contains(se.Message, "group-key") {
		t.Errorf("unconfigured group: %v", se)
	}
	if len(fake.Messages()) != 2 {
		t.Errorf("an unconfigured group was sent to")
	}
}

func TestPlatformConfigureProblems(t *testing.T) {
	fake := platformtest.NewWeCom(t)
	_, _, problems := configured(t, fake, "robots: [{name: a, mode: chat, token: \"x!\"}, {name: a, webhook_key: \"https://x/?key=1\"}]\n",
		bot.GroupConfig{Key: "bureau.groups[0]", ChatID: "c1", Push: map[string]string{"webhook": "u", "webhook_key": "key=abc"}})
	all := strings.Join(problems, "\n")
	for _, want := range []string{
		"wecom.robots[0].mode:", "wecom.robots[0].token:", "wecom.robots[0]: token and encoding_aes_key go together",
		"wecom.robots[1].name: is used by another robot", "wecom.robots[1].webhook_key: put only the key",
		"bureau.groups[0].webhook: is not a key of a wecom group", "bureau.groups[0].webhook_key: put only the key",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

// A document is cut into messages within WeCom's markdown limit, each
// after the first headed by the continuation line.
func TestPlatformParts(t *testing.T) {
	line := strings.Repeat("报", 100) // 300 bytes
	var ls []string
	for range 40 {
		ls = append(ls, line)
	}
	doc := jinqiu.Reply{Title: "周报", Markdown: strings.Join(ls, "\n")}
	parts := wecom.New().Parts(doc, func(k, n int) string { return "(" + string(rune('0'+k)) + "/" + string(rune('0'+n)) + ")" })
	if len(parts) != 4 { // 13 lines of 301 bytes fit beside the header
		t.Fatalf("%d parts, want 4", len(parts))
	}
	for i, p := range parts {
		if len(p.Markdown) > wecom.MaxMarkdownBytes || p.Text != p.Markdown {
			t.Errorf("part %d: %d bytes", i, len(p.Markdown))
		}
		if i > 0 && !strings.HasPrefix(p.Markdown, "("+string(rune('1'+i))+"/4)\n") {
			t.Errorf("part %d starts %q", i, p.Markdown[:10])
		}
	}
}
