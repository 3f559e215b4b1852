package command

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var parseKnownIntents = map[Intent]bool{
	IntentHelp: true, IntentRegister: true, IntentCheckin: true, IntentListActivities: true,
	IntentSignup: true, IntentCancelSignup: true, IntentReportHours: true, IntentMyStats: true,
	IntentPublishActivity: true, IntentCancelActivity: true, IntentRoster: true, IntentApproveHours: true,
	IntentRejectHours: true, IntentRecordMeeting: true, IntentMeetingStatus: true, IntentDigest: true,
	IntentUnknown: true, IntentUndo: true, IntentPendingHours: true, IntentAppoint: true, IntentResign: true,
	IntentRecordDecision: true, IntentNominate: true, IntentCommend: true, IntentExport: true, IntentConsole: true,
	IntentPublicity: true, IntentConsent: true, IntentWithdrawConsent: true, IntentObject: true,
}

// fuzzSeeds are strings that sit on the edges of the grammar.
var parseFuzzSeeds = []string{
	"", "@", "@@", "@金秋助手", "@金秋助手\u2005", "@金秋助手\u00a0报名3", "\u200b", "-", "-1", "#", "#-1", "第", "第个",
	"活动", "活动-1", "号", "3号号", "12月", "12月32日", "2月29日", "2026-02-29", "2028-02-29", "13/45", "1/1/1",
	"0000-00-00", "9999-99-99", "星期", "下下周三", "上周日", "点", "25点", "晚上12点", "凌晨12点", "中午1点", "3:60",
	"99:99", "1:", ":30", "一百零", "九百九十九九", "十十十", "两两", "半半", "个半", "一个半个半", "2.5.5", "..", "1.",
	"点五", "二点", "时长", "时长 时长", "服务", "服务了小时", "名额", "名额-5", "限人", "0人", "999999999999人",
	"报名" + strings.Repeat("9", 40), "时长 " + strings.Repeat("9", 400), "\xff\xfe", "a\x00b", "😀😀", "👍👍👍",
	"报名 3 3 3", "已开会 党课 党课 支委会", "发布活动", "发布活动 明天 明天 后天", "报到 社区", "社区报到",
	"DROP TABLE members;", "' OR 1=1 --", "<script>alert(1)</script>", "\"\\", "周三\n\t下午三点",
	"２０２６年１２月３日", "二〇二六年十二月三日", "今年2月29日", "明年2月29日", "1小时60分钟", "0.001小时",
	"时长 0.005", "时长 0.004", "签到 今天 明天",
	// The second version's edges.
	"報名 3號", "帮", "帮帮", "帮 报名", "给给给报名", "代", "替我", "我是", "我是 ", "我是我是 签到", "能不能", "吗吗吗",
	"🙏", "🙏🙏 报名", "谢谢谢谢", "报明", "时常", "时常时常", "一刻钟", "零刻钟", "三四", "三四个", "几个小时", "好几",
	"2到小时", "应到", "应到0人", "实到-1人", "第0页", "第页", "2026年", "0000年", "导出9999年", "有异议", "异议 0",
	"推荐典型", "推荐典型 ", "担任", "担任 担任", "任命 张 网格长 网格员", "公示 公示", "同意公示 同意", "撤回 撤回同意",
	"发布活动在在在", "发布活动清理楼道后天上午9点枣行社区名额20需要10个人", "名单 2月30日", "报名 的", "报名 的的",
	"俩俩", "仨钟头", "两小时二十分", "2月30日 服务3小时", "已开 支部党员大会 12月5日",
}

func FuzzParse(f *testing.F) {
	for _, s := range parseFuzzSeeds {
		f.Add(s)
	}
	for _, c := range mustParseCorpus(f) {
		f.Add(c.Text)
	}
	now := mustParseNow(f)
	f.Fuzz(func(t *testing.T, text string) {
		cmd := Parse(text, now)
		if !parseKnownIntents[cmd.Intent] {
			t.Fatalf("Parse(%q): intent %q is not a known one", text, cmd.Intent)
		}
		b, err := json.Marshal(cmd)
		if err != nil {
			t.Fatalf("Parse(%q): marshal: %v", text, err)
		}
		if !json.Valid(b) {
			t.Fatalf("Parse(%q): invalid JSON %s", text, b)
		}
		if cmd.BadDate == "" && cmd.BadDateWhy != "" || cmd.BadDate != "" && cmd.BadDateWhy == "" {
			t.Fatalf("Parse(%q): bad date %q without its reason %q, or the reverse", text, cmd.BadDate, cmd.BadDateWhy)
		}
		if cmd.BadDate != "" && (!cmd.Date.IsZero() || !cmd.StartsAt.IsZero()) {
			t.Fatalf("Parse(%q): bad date %q beside a date taken", text, cmd.BadDate)
		}
		if cmd.Confirm && !isActing(cmd.Intent) {
			t.Fatalf("Parse(%q): a read-only intent %s asks to confirm", text, cmd.Intent)
		}
		for _, s := range []string{cmd.Note, cmd.Title, cmd.Place, cmd.Community, cmd.Topic, cmd.For, cmd.ActivityTitle,
			cmd.Member, cmd.Position, cmd.BadDate, cmd.Inexact} {
			if !utf8.ValidString(s) {
				t.Fatalf("Parse(%q): invalid UTF-8 in %q", text, s)
			}
		}
		if cmd.Activity < 0 || cmd.Report < 0 || cmd.Capacity < 0 || cmd.Hours < 0 || cmd.Nomination < 0 || cmd.Page < 0 ||
			cmd.Expected < 0 || cmd.Present < 0 || cmd.Delivered < 0 || cmd.Year < 0 {
			t.Fatalf("Parse(%q): negative number in %+v", text, cmd)
		}
		n := Normalize(text)
		if n != Normalize(n) {
			t.Fatalf("Normalize(%q) = %q is not a fixed point", text, n)
		}
		ParseNumber(text)
		ParseReplyNumber(text)
	})
}

// TestParseTooLong checks that a message beyond any platform's limit is not
// read at all.
func TestParseTooLong(t *testing.T) {
	text := "报名 3" + strings.Repeat(" ", maxParseMessage)
	if got := Parse(text, mustParseNow(t)); got.Intent != IntentUnknown {
		t.Errorf("Parse(%d bytes) = %s, want unknown", len(text), got.Intent)
	}
}

// TestParseLongInput checks that a 4 KiB message, the most a platform
// delivers, parses: the lexer is linear, with bounded look-ahead per position.
func TestParseLongInput(t *testing.T) {
	now := mustParseNow(t)
	for name, text := range map[string]string{
		"words":    strings.Repeat("报名3号活动 时长2小时 ", 4096/30),
		"digits":   "时长 " + strings.Repeat("9", 4096),
		"numerals": strings.Repeat("一百二十", 4096/12),
		"mentions": strings.Repeat("@金秋助手 ", 4096/14) + "报名 3",
		"spaces":   "报名" + strings.Repeat(" ", 4096) + "3",
		"emoji":    strings.Repeat("👍", 1024),
		"dates":    "发布活动 " + strings.Repeat("12月3日下午两点半 ", 4096/25),
		"pieces":   "时长 " + strings.Repeat("了今天 a ", 4096/12),
		"kinds":    "已开" + strings.Repeat("党课", 4096/6),
	} {
		t.Run(name, func(t *testing.T) {
			cmd := Parse(text, now)
			if !parseKnownIntents[cmd.Intent] {
				t.Fatalf("intent %q", cmd.Intent)
			}
			if _, err := json.Marshal(cmd); err != nil {
				t.Fatalf("marshal: %v", err)
			}
		})
	}
}
