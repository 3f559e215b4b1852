package handlers

import (
	"jinqiu/command"
	"jinqiu/handlers/say"
	"os"
	"regexp"
	"strings"
	"testing"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// readmeGuide is the README's user guide: what it promises people.
func readmeGuide(t *testing.T) string {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "## 怎样和金秋助手说话")
	end := strings.Index(s, "## MySQL + Redis")
	if start < 0 || end < start {
		t.Fatal("README: the user guide's section is not where this test looks")
	}
	return s[start:end]
}

var backticked = regexp.MustCompile("`([^`]+)`")

// TestREADMEExamplesAreUnderstood: every example the guide's tables give
// in their 发送 column, and every command of the group announcement, is
// read as a command, not as unknown.
func TestREADMEExamplesAreUnderstood(t *testing.T) {
	guide := readmeGuide(t)
	now := twStart(t)
	var examples []string
	for _, line := range strings.Split(guide, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.Contains(cells[2], "发送") {
			continue
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			examples = append(examples, m[1])
		}
	}
	_, block, ok := strings.Cut(guide, "### 群公告简版")
	if !ok {
		t.Fatal("README: no group announcement")
	}
	_, block, _ = strings.Cut(block, "```\n")
	block, _, _ = strings.Cut(block, "```")
	for _, line := range strings.Split(block, "\n")[1:] {
		_, cmds, ok := strings.Cut(line, "：")
		if !ok || strings.HasPrefix(line, "数字") {
			continue
		}
		cmds, _, _ = strings.Cut(cmds, "（")
		cmds = strings.ReplaceAll(cmds, "，也可以写", "｜")
		for _, c := range strings.Split(cmds, "｜") {
			if c = strings.TrimSpace(c); c != "" {
				examples = append(examples, c)
			}
		}
	}
	if len(examples) < 60 {
		t.Fatalf("found %d examples in the guide; the test no longer reads it", len(examples))
	}
	for _, ex := range examples {
		if c := command.Parse(ex, now); c.Intent == command.IntentUnknown {
			t.Errorf("README promises %q; it parses as unknown", ex)
		}
	}
}

// TestREADMEReasonsAreGiven: what the guide says gets a reason gets one,
// never the generic menu.
func TestREADMEReasonsAreGiven(t *testing.T) {
	guide := readmeGuide(t)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "m1")
		w.register(twChatA, twSecA)
		for _, c := range []struct{ user, text, promised string }{
			{"m1", "时长 2 3", "时长 2 3"},
			{"m1", "时长 大概两个小时", "大概两个小时"},
			{"m1", "时长 2月30日 2小时", "2月30日"},
			{twSecA, "发布活动 清理楼道 2月30日上午9点 枣行社区 名额20", "2月30日"},
		} {
			if !strings.Contains(guide, c.promised) {
				t.Errorf("the guide no longer mentions %q; keep this test in step with it", c.promised)
			}
			r := w.say(twChatA, c.user, c.text)
			for _, menu := range []string{say.Unknown(say.Member), say.Unknown(say.Secretary), say.Help(say.Member), say.Help(say.Secretary)} {
				if r.Text == menu {
					t.Errorf("%q got the generic menu %q, want its reason", c.text, r.Text)
					break
				}
			}
		}
	})
}
