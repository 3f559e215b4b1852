package say_test

import (
	"strings"
	"testing"

	"jinqiu/handlers/say"
)

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"张大爷", "张大爷"},
		{"👩🏽\u200d💻钱\u200d七", "👩🏽\u200d💻钱\u200d七"}, // ZWJ kept
		{"[点我领补贴](http://evil.example/a)", "［点我领补贴］（http：//evil．example/a）"},
		{"![x](https://e.cn/p.png)", "！［x］（https：//e．cn/p．png）"},
		{"<@all>", "＜＠all＞"},
		{"@所有人 开会", "＠所有人 开会"},
		{"<font color=\"warning\">急</font>", "＜font color=\"warning\"＞急＜/font＞"},
		{"# 标题\n> 引用", "＃ 标题 ＞ 引用"},
		{"```代码```", "｀｀｀代码｀｀｀"},
		{"\u202e孙abc", "\u202e孙abc\u202c"},
		{"a\u2067b", "a\u2067b\u2069"},
		{"服务2.5小时 12.1日", "服务2.5小时 12.1日"},
		{"访问 www.baidu.com", "访问 www．baidu．com"},
		{"\x00\x1b[31m", "  ［31m"},
	} {
		if got := say.Inert(c.in); got != c.want {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := say.Inert(c.in); strings.ContainsAny(got, "@[]()<>`#\n") {
			t.Errorf("Inert(%q) = %q still holds syntax", c.in, got)
		}
	}
}
