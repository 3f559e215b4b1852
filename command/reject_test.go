package command

import (
	"encoding/json"
	"testing"
)

// TestParseRejectReason checks the reason after 驳回 N: kept in Note for the
// handler, never printed by `jinqiu parse`.
func TestParseRejectReason(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		name, in string
		report   int
		note     string
	}{
		{"no reason", "驳回 17", 17, ""},
		{"bare word", "驳回", 0, ""},
		{"reason", "驳回 17 时长填错了", 17, "时长填错了"},
		{"不通过", "不通过 31 理由不足", 31, "理由不足"},
		{"拒绝", "拒绝 5 日期不对", 5, "日期不对"},
		{"退回 with ordinal", "退回 第4条 没有写做了什么", 4, "没有写做了什么"},
		{"审核不通过 with 号", "审核不通过 9号 重复上报", 9, "重复上报"},
		{"hash", "驳回 #12 重复上报", 12, "重复上报"},
		{"chinese numeral", "驳回 十七 一天不能超过十二小时", 17, "一天不能超过十二小时"},
		{"full-width punctuation", "驳回１７，日期不对！请重新报。", 17, "日期不对 请重新报"},
		{"ascii punctuation", "驳回 17: date wrong, please resend", 17, "date wrong please resend"},
		{"mention", "@金秋助手\u2005驳回 17 时长填错了", 17, "时长填错了"},
		{"polite filler before", "请驳回 17 时长填错了", 17, "时长填错了"},
		{"label 原因", "驳回 17 原因：日期不对", 17, "日期不对"},
		{"原因是", "驳回 17，原因是日期不对", 17, "日期不对"},
		{"label alone is no reason", "驳回 17 原因：", 17, ""},
		{"fillers are no reason", "驳回 17 吧 谢谢", 17, ""},
		{"a number inside the reason", "驳回 17 日期应该是25号", 17, "日期应该是25号"},
		{"hours inside the reason", "驳回 17 那天只服务了2小时", 17, "那天只服务了2小时"},
		{"a date inside the reason", "驳回 17 11月20日没有活动", 17, "11月20日没有活动"},
		{"keywords inside the reason", "驳回 17 报名了但没有签到", 17, "报名了但没有签到"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Parse(c.in, now)
			if got.Intent != IntentRejectHours || got.Report != c.report || got.Note != c.note {
				t.Errorf("Parse(%q) = %s report %d note %q, want reject_hours report %d note %q",
					c.in, got.Intent, got.Report, got.Note, c.report, c.note)
			}
			// The JSON of parse stays exactly per COMMANDS.md: report only.
			want := `{"intent":"reject_hours","args":{}}`
			if c.report != 0 {
				b, _ := json.Marshal(map[string]any{"intent": "reject_hours", "args": map[string]int{"report": c.report}})
				want = string(b)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if !sameParseJSON(t, b, []byte(want)) {
				t.Errorf("JSON %s, want %s", b, want)
			}
		})
	}
}

// TestParseRejectPrecision checks that text after 驳回 is taken as a reason
// only when it certainly is one: no guess about which report, no counts,
// no questions, nothing said about others.
func TestParseRejectPrecision(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ name, in, want string }{
		// Two reports: the handler asks which, with nothing rejected.
		{"two numbers", "驳回 17 18 日期都不对", `{"intent":"reject_hours","args":{}}`},
		{"two numbers joined", "驳回 17 和18 日期都不对", `{"intent":"reject_hours","args":{}}`},
		{"two numbers 还有", "驳回 17 还有 18号", `{"intent":"reject_hours","args":{}}`},
		{"another command's number", "驳回 17 通过 18", `{"intent":"reject_hours","args":{}}`},
		// Not a report number followed by a reason.
		{"a count", "拒绝 3 次了 他还来", `{"intent":"unknown"}`},
		{"a count of people", "退回 2 个人的报名", `{"intent":"unknown"}`},
		{"number glued to text", "驳回17时长填错了", `{"intent":"unknown"}`},
		{"a day of the month", "驳回 25号的时长 重复了", `{"intent":"unknown"}`},
		{"text before the number", "驳回 老王的 17 日期不对", `{"intent":"unknown"}`},
		{"someone else's", "老王的17号被驳回了 日期不对", `{"intent":"unknown"}`},
		{"reason first", "时长填错了 驳回 17", `{"intent":"unknown"}`},
		// Not a report of 3 hours either, as it was before.
		{"reason first, a plausible amount", "时长填错了 驳回 3", `{"intent":"unknown"}`},
		{"approval after a note", "时长 记错了 通过 2", `{"intent":"unknown"}`},
		{"not a whole number", "驳回 1.5 日期不对", `{"intent":"unknown"}`},
		// A question is no reason; one that carries the whole command is
		// that command (COMMANDS.md v2).
		{"question", "驳回 17 可以吗", `{"intent":"reject_hours","args":{"report":17}}`},
		{"question why", "驳回 17 怎么回事", `{"intent":"help"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Parse(c.in, now)
			wantParseJSON(t, now, c.in, c.want)
			if got.Note != "" {
				t.Errorf("Parse(%q).Note = %q, want none", c.in, got.Note)
			}
		})
	}
}

// TestCommandMarshalJSONRejectReason checks that a reason never reaches
// the printed JSON, while report_hours keeps its note.
func TestCommandMarshalJSONRejectReason(t *testing.T) {
	for _, c := range []struct {
		cmd  Command
		want string
	}{
		{Command{Intent: IntentRejectHours, Report: 17, Note: "时长填错了"}, `{"intent":"reject_hours","args":{"report":17}}`},
		{Command{Intent: IntentRejectHours, Note: "x"}, `{"intent":"reject_hours","args":{}}`},
		{Command{Intent: IntentApproveHours, Report: 3, Note: "x"}, `{"intent":"approve_hours","args":{"report":3}}`},
	} {
		got, err := c.cmd.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
