package reliability

import (
	"context"
	"fmt"
	"jinqiu"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// hostile are names, titles, places, notes, reasons and topics a person
// could type to make the bot post a link, an image or a mention, or to
// reshape its message. Each has a Chinese core that must still be read.
var hostile = []string{
	"[点我领补贴](http://evil.example/a)",
	"![图片广告](http://evil.example/p.png)",
	"<a href=\"http://evil.example\">领取红包</a>",
	"<@all>全体注意",
	"<@sec-0>书记请看",
	"@所有人 开会了",
	"@all 大家好",
	"提醒@sec-0 审核",
	"# 紧急通知",
	"## 二级标题",
	"> 引用的话",
	"```\n代码块\n```",
	"`行内代码`",
	"**加粗的字**",
	"<font color=\"warning\">红字警告</font>",
	"\u202e邪恶反转",
	"正常\u202e反转在后",
	"\u2067隔离开始",
	"http://evil.example 网址",
	"https://evil.example/x?y=1 链接",
	"www.evil.com 网站",
	"evil.com/a 域名",
	"javascript:alert(1) 脚本",
	"换行\n第二行",
	"回车\r\n@所有人 速看",
	"| 表格 | 一 |\n|---|---|",
	"- 列表项",
	"1. 编号项",
	"<script>alert(1)</script>脚本标签",
	"<img src=x onerror=alert(1)>图片标签",
	"&lt;@all&gt;转义",
	"\\[反斜杠\\]",
	"[[嵌套链接](http://a.cn)](http://b.cn)",
	"<http://evil.example>尖括号网址",
	"[参考]: http://evil.example",
	"张<@all>三",
	"李@所有人四",
	"王[五](http://x.cn)",
	"赵\n# 六",
	"<at user_id=\"all\">所有人</at>",
	"@everyone 每个人",
	"${jndi:ldap://x}注入",
	"{{.Secret}}模板",
	"%s%n格式",
	"控制\x00\x07字符",
	"~~删除线~~",
	"__下划线__",
	"[链接][1]\n[1]: http://evil.example",
	"<@dingtalk-9>钉钉点名",
	"＠全角at 也不点名",
}

// live finds what would be live in a rendered message: links (markdown,
// HTML, auto-linked URLs and hosts), images, HTML tags and mentions.
var live = []struct {
	what string
	re   *regexp.Regexp
}{
	{"markdown link", regexp.MustCompile(`\]\(|\]\[|\]:`)},
	{"image", regexp.MustCompile(`!\[|<img`)},
	{"html", regexp.MustCompile(`<[a-zA-Z/!]`)},
	{"url", regexp.MustCompile(`(?i)(https?|javascript|ldap)://|(?i)javascript:`)},
	{"host", regexp.MustCompile(`(?i)\b(www\.|[a-z0-9-]+\.(com|cn|net|org|example)\b)`)},
	{"mention", regexp.MustCompile(`<@|@所有人|@all|@everyone|<at\b`)},
	{"code fence", regexp.MustCompile("```")},
}

// TestF23HostileText: every hostile string as a member's name (DingTalk
// nick, WeCom group robot name), an activity's title and place, a note, a
// rejection reason and a meeting topic, rendered through the replies (sign
// up, register, publish, roster, 我的, hours, decisions, meetings), the
// pushes (promotion, cancellation, approval, rejection notices, activity
// reminders) and the digests of both platforms: nothing in any of them is
// a live link, image or mention, no right-to-left override is left open,
// and each string's words are still there to read.
func TestF23HostileText(t *testing.T) {
	heavy(t)
	w := newWorld(t, worldOpts{branches: 1, schedules: true})
	r := w.serve(t)
	b := &w.branches[0]
	c := loadClient(10 * time.Second)
	var out []rendered
	say := func(m *msg) string {
		t.Helper()
		res := deliver(context.Background(), c, r.base, m)
		if res.status != 200 {
			t.Fatalf("%q: status %d %s", m.Text, res.status, res.body)
		}
		s, err := m.passive(res.body)
		if err != nil {
			t.Fatal(err)
		}
		if s != "" {
			out = append(out, rendered{"reply", s, nil})
		}
		return s
	}
	sec := b.Secretaries[0]
	secSay := func(text string) string {
		return say(w.message(t, robotAIBot, b, sec, "书记", text))
	}

	// Members named hostilely, half on DingTalk, half through the WeCom
	// group robot (the two that carry a name).
	var members []member
	for i, name := range hostile {
		via := robotDing
		if i%2 == 1 {
			via = robotGroup
		}
		mb := member{Platform: map[string]jinqiu.Platform{robotDing: "dingtalk", robotGroup: "wecom"}[via], Via: via, UserID: fmt.Sprintf("h%02d", i), Name: name, Branch: b}
		say(w.message(t, via, b, mb.UserID, name, "报到"))
		members = append(members, mb)
	}
	// Activities titled and placed hostilely; one with one place to make a
	// waiting list and a promotion, one cancelled.
	var acts []int64
	for i, title := range hostile {
		place := hostile[(i+7)%len(hostile)]
		if utf8.RuneCountInString(title) > 40 || utf8.RuneCountInString(place) > 60 {
			continue
		}
		id := w.addActivityFull(t, b, title, place, time.Now().Add(20*time.Hour), 1+i%3)
		acts = append(acts, id)
	}
	// And published in the chat, where the title is a word of the
	// message: what the parser takes of it is rendered in the reply.
	for _, h := range hostile {
		if !strings.ContainsAny(h, " \n\r") {
			secSay("发布活动 " + h + " 后天上午9点 社区广场 名额5")
		}
	}
	for i, mb := range members {
		say(w.memberMessage(t, mb, "signup", fmt.Sprintf("报名 %d", acts[i%len(acts)])))
		say(w.memberMessage(t, mb, "signup", fmt.Sprintf("报名 %d", acts[(i+1)%len(acts)])))
	}
	for _, mb := range members[:10] {
		say(w.memberMessage(t, mb, "cancel", fmt.Sprintf("取消报名 %d", acts[0])))
		say(w.memberMessage(t, mb, "mine", "我的"))
	}
	for _, id := range acts[:5] {
		secSay(fmt.Sprintf("名单 %d", id))
	}
	secSay(fmt.Sprintf("取消活动 %d", acts[1]))
	secSay("活动")
	// Hours with hostile notes; decided with hostile reasons.
	for i, mb := range members {
		note := hostile[(i+3)%len(hostile)]
		say(w.memberMessage(t, mb, "hours", "时长 1 "+note))
	}
	var reports []int64
	if err := w.x(t).Select(&reports, "SELECT id FROM hours_reports WHERE state = 'pending' ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	for i, id := range reports {
		if i%2 == 0 {
			secSay(fmt.Sprintf("通过 %d", id))
		} else {
			secSay(fmt.Sprintf("驳回 %d %s", id, strings.ReplaceAll(hostile[i%len(hostile)], "\n", " ")))
		}
	}
	for i, kind := range []string{"支委会", "党小组会", "党课", "主题党日", "支部党员大会"} {
		secSay(fmt.Sprintf("已开会 %s 今天 %s", kind, strings.ReplaceAll(hostile[i*9%len(hostile)], "\n", " ")))
	}
	secSay("三会一课")

	// Pushes: everything the fakes got, once the outbox has sent it.
	time.Sleep(3 * time.Second)
	for _, s := range append(w.wc.Messages(), w.dd.Messages()...) {
		out = append(out, rendered{"push:" + s.Kind + ":" + s.MsgType, s.Content, s.Mentions})
		if s.AtAll {
			t.Errorf("a message to %s @-mentions everyone: %q", s.Robot, s.Content)
		}
	}
	// Digests of both platforms, and the reminders planned.
	y, wk := time.Now().In(shanghai).ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, wk)
	for _, platform := range []string{"wecom", "dingtalk"} {
		for _, branch := range []string{"", b.ID} {
			args := []string{"digest", "--config", w.cfgPath, "--platform", platform, "--week", week}
			if branch != "" {
				args = append(args, "--branch", branch)
			}
			out = append(out, rendered{"digest:" + platform + ":" + branch, runJinqiu(t, t.TempDir(), "Asia/Shanghai", args...), nil})
		}
	}
	now := time.Now().In(shanghai)
	out = append(out, rendered{"remind", runJinqiu(t, t.TempDir(), "Asia/Shanghai", "remind", "--config", w.cfgPath, "--dry-run",
		"--at", now.Format("2006-01-02T15:04"), "--until", now.Add(30*time.Hour).Format("2006-01-02T15:04")), nil})

	named := 0
	for _, o := range out {
		if strings.HasPrefix(o.where, "digest:") && strings.HasSuffix(o.where, ":"+b.ID) {
			for _, h := range hostile {
				if core := chineseCore(h); core != "" && strings.Contains(o.text, core) {
					named++
				}
			}
		}
	}
	if named == 0 {
		t.Errorf("the branch digests name none of the members: the names were not rendered there")
	}

	// The bot's own mentions are the members' ids, nothing else.
	ids := map[string]bool{}
	for _, mb := range members {
		ids[mb.UserID] = true
	}
	for _, s := range b.Secretaries {
		ids[s] = true
	}
	leaks := map[string]int{}
	openRTL := 0
	for _, o := range out {
		text := o.text
		for _, m := range o.mentions {
			if !ids[m] {
				leaks["mention field"]++
				t.Errorf("%s mentions %q", o.where, m)
			}
			text = strings.ReplaceAll(text, "@"+m+" ", "")
			text = strings.ReplaceAll(text, "<@"+m+"> ", "")
		}
		for _, l := range live {
			if loc := l.re.FindStringIndex(text); loc != nil {
				leaks[l.what]++
				t.Errorf("%s: live %s at %q in:\n%s", o.where, l.what, text[max(0, loc[0]-20):min(len(text), loc[1]+20)], text)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if strings.Count(line, "\u202e")+strings.Count(line, "\u202d")+strings.Count(line, "\u202a")+strings.Count(line, "\u202b") > strings.Count(line, "\u202c") ||
				strings.Count(line, "\u2066")+strings.Count(line, "\u2067")+strings.Count(line, "\u2068") > strings.Count(line, "\u2069") {
				openRTL++
				t.Errorf("%s: a direction override left open: %q", o.where, line)
			}
		}
	}
	// Readable: the Chinese words of every string are somewhere.
	all := ""
	for _, o := range out {
		all += o.text + "\n"
	}
	unread := 0
	for _, h := range hostile {
		if core := chineseCore(h); core != "" && !strings.Contains(all, core) {
			unread++
			t.Errorf("the words of %q (%q) were in no message", h, core)
		}
	}
	n := 0
	for _, v := range leaks {
		n += v
	}
	kinds := map[string]int{}
	for _, o := range out {
		kinds[strings.SplitN(o.where, ":", 2)[0]]++
	}
	figure(t, "F23 hostile text: %d hostile strings as names, titles, places, notes, reasons and topics → %d messages rendered (%v: replies on WeCom, pushes to WeCom and DingTalk, digests of both, reminders) → live links, images or mentions %d (want 0) %v; open direction overrides %d; strings whose words were unreadable %d (want 0)",
		len(hostile), len(out), kinds, n, leaks, openRTL, unread)
}

type rendered struct {
	where    string
	text     string
	mentions []string
}

// chineseCore is the longest run of Han characters in s.
func chineseCore(s string) string {
	best, cur := "", []rune{}
	for _, r := range s + " " {
		if unicode.Is(unicode.Han, r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > utf8.RuneCountInString(best) {
			best = string(cur)
		}
		cur = cur[:0]
	}
	return best
}

// addActivityFull publishes an activity with a place and capacity and
// returns its id.
func (w *world) addActivityFull(t testing.TB, b *branch, title, place string, starts time.Time, capacity int) int64 {
	t.Helper()
	act := w.addActivity(t, b, title, starts, starts.Add(2*time.Hour), capacity)
	if _, err := w.x(t).Exec("UPDATE activities SET place = ? WHERE id = ?", place, act.ID); err != nil {
		t.Fatal(err)
	}
	return act.ID
}
