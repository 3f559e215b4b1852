package command

import (
	"testing"
	"time"
)

// Table tests of the second version's rules, one rule at a time, on the
// fields handlers read (some of which parse does not print).

func TestNormalizeAround(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in     string
		intent Intent
		act    int
	}{
		{"報名 3號", IntentSignup, 3}, {"🙏 报名 2 谢谢书记", IntentSignup, 2}, {"麻烦帮我报个名 3号 谢谢", IntentSignup, 3},
		{"能不能报名12号？", IntentSignup, 12}, {"可以报名3号吗", IntentSignup, 3}, {"请 签到 4", IntentCheckin, 4},
		{"劳驾取消报名 5", IntentCancelSignup, 5}, {"俺报名 6", IntentSignup, 6}, {"我想报名 7", IntentSignup, 7},
		{"签到 8 呀", IntentCheckin, 8}, {"👍签到 9👍", IntentCheckin, 9}, {"我是老李，签到 3", IntentCheckin, 3},
		{"谢谢", IntentUnknown, 0}, {"谢谢金秋助手🌹", IntentUnknown, 0}, {"👍👍👍", IntentUnknown, 0},
		{"能报名吗", IntentHelp, 0}, {"", IntentHelp, 0}, {"@金秋助手", IntentHelp, 0},
	} {
		got := Parse(c.in, now)
		if got.Intent != c.intent || got.Activity != c.act {
			t.Errorf("Parse(%q) = %s %d, want %s %d", c.in, got.Intent, got.Activity, c.intent, c.act)
		}
	}
	// What people name stays as typed.
	if got := Parse("時長 2 打掃樓道", now); got.Note != "打掃樓道" {
		t.Errorf("note %q, want as typed", got.Note)
	}
	if got := Parse("報到 棗行社區", now); got.Community != "棗行社區" {
		t.Errorf("community %q, want as typed", got.Community)
	}
	// A thank-you or greeting with no command is marked for a friendly line.
	for _, in := range []string{"谢谢金秋助手🌹", "你好", "谢谢", "辛苦了"} {
		if got := Parse(in, now); got.Intent != IntentUnknown || !got.Thanks {
			t.Errorf("Parse(%q) = %s thanks %v, want unknown thanks", in, got.Intent, got.Thanks)
		}
	}
	if got := Parse("今天天气不错", now); got.Thanks {
		t.Errorf("chatter is no thank-you")
	}
}

func TestSpokenForms(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in     string
		intent Intent
	}{
		{"报个名 3", IntentSignup}, {"报一下名 3", IntentSignup}, {"签个到 3", IntentCheckin}, {"打个卡 3", IntentCheckin},
		{"报个到", IntentRegister}, {"来报个到", IntentRegister}, {"记个时长 2", IntentReportHours},
		{"整了2小时", IntentReportHours}, {"干了2小时", IntentReportHours}, {"弄了2小时", IntentReportHours},
		{"忙了2小时", IntentReportHours}, {"报上名了", IntentUnknown}, {"整了一桌菜", IntentUnknown},
	} {
		if got := Parse(c.in, now); got.Intent != c.intent {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got.Intent, c.intent)
		}
	}
	for in, want := range map[string]string{"昨儿服务了2小时": "2026-11-26", "昨儿个服务了2小时": "2026-11-26",
		"今儿服务了2小时": "2026-11-27", "今儿个服务了2小时": "2026-11-27"} {
		if got := Parse(in, now); got.Date.Format(time.DateOnly) != want {
			t.Errorf("Parse(%q).Date = %s, want %s", in, got.Date.Format(time.DateOnly), want)
		}
	}
}

func TestNumberFormsV2(t *testing.T) {
	now := mustParseNow(t)
	for in, want := range map[string]float64{
		"时长 俩小时": 2, "时长 仨小时": 3, "时长 俩钟头": 2, "时长 一个半钟头": 1.5, "时长 两个半小时": 2.5, "时长 一刻钟": 0.25,
		"时长 三刻钟": 0.75, "时长 两小时二十分": 2.33, "时长 40分钟": 0.67, "时长 40分": 0.67, "时长 3个钟": 3, "时长 2h": 2,
	} {
		if got := Parse(in, now); got.Intent != IntentReportHours || got.Hours != want {
			t.Errorf("Parse(%q) = %s %v, want %v", in, got.Intent, got.Hours, want)
		}
	}
	for in, want := range map[string]string{
		"时长 两个多小时": "两个多小时", "时长 一个来小时": "一个来小时", "时长 三四个小时": "三四个小时", "时长 几个小时": "几个小时",
		"时长 好几个小时": "好几个小时", "时长 半天": "半天", "时长 大半天": "大半天", "服务了一上午": "一上午",
		"时长 大概2小时": "大概2小时", "时长 2小时左右": "2小时左右", "时长 2到3小时": "2到3小时",
	} {
		got := Parse(in, now)
		if got.Intent != IntentReportHours || got.Hours != 0 || got.Inexact != want {
			t.Errorf("Parse(%q) = %s %v inexact %q, want no hours, inexact %q", in, got.Intent, got.Hours, got.Inexact, want)
		}
	}
	for _, in := range []string{"报名2和6", "报名 2 6", "通过5 6", "驳回 3和4", "表彰 1 2"} {
		got := Parse(in, now)
		if !got.TwoNumbers || got.Activity != 0 || got.Report != 0 || got.Nomination != 0 {
			t.Errorf("Parse(%q) = %+v, want two numbers and none taken", in, got)
		}
	}
}

func TestDateRules(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct{ in, bad, why string }{
		{"明天服务3小时", "明天", BadDateFuture},
		{"2月30日 服务3小时", "2月30日", BadDateImpossible},
		{"12月20日 服务3小时", "12月20日", BadDateFuture},
		{"3月1日 服务3小时", "3月1日", BadDateTooFar},
		{"已开 支部党员大会 12月5日", "12月5日", BadDateFuture},
		{"已开 党课 8月1日", "8月1日", BadDateTooFar},
		{"已召开 支委会 2026-12-01", "2026-12-01", BadDateFuture},
		{"发布活动 清理楼道 昨天上午9点 枣行社区", "昨天上午9点", BadDatePast},
		{"发布活动 读书会 今天上午8点 图书馆", "今天上午8点", BadDatePast},
		{"发布活动 交流 2026-11-20 09:30 文化站", "2026-11-20 09:30", BadDatePast},
		{"发布活动 讲堂 11月31日 下午3点 分校", "11月31日", BadDateImpossible},
		{"发布活动 讲堂 11月20日 分校", "11月20日", BadDateTooFar},
		{"任命 张大爷 网格长 明天", "明天", BadDateFuture},
	} {
		got := Parse(c.in, now)
		if got.BadDate != c.bad || got.BadDateWhy != c.why || !got.Date.IsZero() || !got.StartsAt.IsZero() {
			t.Errorf("Parse(%q) = bad %q why %q date %s starts %s; want bad %q why %q, no date", c.in, got.BadDate,
				got.BadDateWhy, got.Date, got.StartsAt, c.bad, c.why)
		}
	}
	for in, want := range map[string]string{
		"已开会 支委会 9月1日":        "2026-09-01", // 87 days back: inside the 92
		"11月1日 服务3小时":         "2026-11-01", // 26 days back: inside the 31
		"2026-10-01 服务3小时":    "2026-10-01", // with its year: the handler applies the limit
		"顾问团议事 停车 2026-11-20": "2026-11-20",
	} {
		if got := Parse(in, now); got.Date.Format(time.DateOnly) != want || got.BadDate != "" {
			t.Errorf("Parse(%q).Date = %s bad %q, want %s", in, got.Date.Format(time.DateOnly), got.BadDate, want)
		}
	}
	for in, want := range map[string]string{
		"发布活动 读书会 1月5日 图书馆":    "2027-01-05T09:00:00+08:00", // next January
		"发布活动 读书会 周五 晚上7点 图书馆": "2026-11-27T19:00:00+08:00", // today, still ahead
	} {
		if got := Parse(in, now); got.StartsAt.Format(time.RFC3339) != want {
			t.Errorf("Parse(%q).StartsAt = %s, want %s", in, got.StartsAt.Format(time.RFC3339), want)
		}
	}
	// roster: the nearest such day, past or future.
	for in, want := range map[string]string{"名单 11月25日": "2026-11-25", "名单 12月1日": "2026-12-01", "名单 周四": "2026-11-26"} {
		if got := Parse(in, now); got.ActivityDate.Format(time.DateOnly) != want {
			t.Errorf("Parse(%q).ActivityDate = %s, want %s", in, got.ActivityDate.Format(time.DateOnly), want)
		}
	}
}

func TestConfirmRules(t *testing.T) {
	now := mustParseNow(t)
	for in, want := range map[string]bool{
		"报明 3": true, "报民 3": true, "抱名 3": true, "保名 3": true, "前到 3": true, "签道 3": true, "钱到 3": true,
		"时常 2": true, "实长 2": true, "取消报明 3": true, "报导 枣行社区": true, "报道 枣行社区": true,
		"发布活动清理楼道后天上午9点枣行社区名额20":                  true,
		"发布活动，周六上午八点半在小区南门组织垃圾分类宣传，需要10个人，大家踊跃报名": true,
		"报名 3": false, "签到 3": false, "时长 2 打扫楼道": false, "我的时常": false, "活动": false, "帮助": false,
		"名单": false, "周报": false, "待审核": false, "导出": false, "后台": false,
		"发布活动 清理楼道 后天上午9点 枣行社区 名额20": false,
	} {
		if got := Parse(in, now); got.Confirm != want {
			t.Errorf("Parse(%q) = %s confirm %v, want %v", in, got.Intent, got.Confirm, want)
		}
	}
	if got := Parse("我时常去社区帮忙", now); got.Intent != IntentUnknown {
		t.Errorf("a slip inside a sentence: %s, want unknown", got.Intent)
	}
	// A voice transcript that means an acting intent asks; a read-only one does not.
	if got := ParseHeard("报名 3", now); !got.Confirm {
		t.Errorf("ParseHeard(报名 3) does not ask")
	}
	if got := ParseHeard("活动", now); got.Confirm {
		t.Errorf("ParseHeard(活动) asks")
	}
}

func TestActingFor(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in     string
		intent Intent
		who    string
	}{
		{"帮张大爷签到 3", IntentCheckin, "张大爷"}, {"给张大爷报名 3", IntentSignup, "张大爷"},
		{"替张大爷报名 3", IntentSignup, "张大爷"}, {"代张大爷取消报名 3", IntentCancelSignup, "张大爷"},
		{"帮张大爷报时长 2 打扫楼道", IntentReportHours, "张大爷"}, {"帮他签到", IntentCheckin, "他"},
		{"替我老伴报名 3", IntentSignup, "我老伴"}, {"帮我报名 3", IntentSignup, ""}, {"给我报名 3", IntentSignup, ""},
		{"帮忙报名 3", IntentSignup, ""}, {"给俺报个名 3", IntentSignup, ""}, {"帮咱签到 3", IntentCheckin, ""},
		{"帮张大爷发布活动 读书会 明天 图书馆", IntentPublishActivity, ""}, {"帮助", IntentHelp, ""},
		{"帮張大爺簽到 3", IntentCheckin, "張大爺"},
	} {
		got := Parse(c.in, now)
		if got.Intent != c.intent || got.For != c.who {
			t.Errorf("Parse(%q) = %s for %q, want %s for %q", c.in, got.Intent, got.For, c.intent, c.who)
		}
	}
}

func TestNamedActivities(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in     string
		intent Intent
		title  string
		date   string
	}{
		{"报名 周六的垃圾分类", IntentSignup, "垃圾分类", "2026-11-28"}, {"金秋讲堂报名情况", IntentRoster, "金秋讲堂", ""},
		{"明天的活动我不去了", IntentCancelSignup, "", "2026-11-28"}, {"报名 金秋讲堂", IntentSignup, "金秋讲堂", ""},
		{"取消报名 周日", IntentCancelSignup, "", "2026-11-29"}, {"金秋讲堂签到", IntentCheckin, "金秋讲堂", ""},
		{"签到 今天的读书会", IntentCheckin, "读书会", "2026-11-27"},
	} {
		got := Parse(c.in, now)
		d := ""
		if !got.ActivityDate.IsZero() {
			d = got.ActivityDate.Format(time.DateOnly)
		}
		if got.Intent != c.intent || got.ActivityTitle != c.title || d != c.date || got.Activity != 0 {
			t.Errorf("Parse(%q) = %s %q %q, want %s %q %q", c.in, got.Intent, got.ActivityTitle, d, c.intent, c.title, c.date)
		}
	}
	if got := Parse("谁报了5号", now); got.Intent != IntentRoster || got.Activity != 5 {
		t.Errorf("谁报了5号 = %s %d, want roster 5", got.Intent, got.Activity)
	}
	for _, in := range []string{"我不报名", "签到 明天", "我参加了昨天的活动，很开心", "报名3人"} {
		if got := Parse(in, now); got.Intent != IntentUnknown {
			t.Errorf("Parse(%q) = %s, want unknown", in, got.Intent)
		}
	}
}

func TestAttendance(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in            string
		exp, pre, del int
	}{
		{"已开会 支委会 应到9人 实到7人 送学上门2人", 9, 7, 2}, {"已召开 支部党员大会 应到25人 到会12人", 25, 12, 0},
		{"已开 主题党日 参加18人 送学2人", 0, 18, 2}, {"已上党课 9人参加", 0, 9, 0}, {"已开会 支委会 应到5人 实到7人", 5, 7, 0},
	} {
		got := Parse(c.in, now)
		if got.Intent != IntentRecordMeeting || got.Expected != c.exp || got.Present != c.pre || got.Delivered != c.del {
			t.Errorf("Parse(%q) = %s %d/%d/%d, want %d/%d/%d", c.in, got.Intent, got.Expected, got.Present, got.Delivered, c.exp, c.pre, c.del)
		}
	}
	if got := Parse("参加5人", now); got.Intent != IntentUnknown {
		t.Errorf("参加5人 without a meeting word = %s, want unknown", got.Intent)
	}
}

func TestNewIntents(t *testing.T) {
	now := mustParseNow(t)
	for in, want := range map[string]Intent{
		"撤销": IntentUndo, "撤回": IntentUndo, "撤销刚才的": IntentUndo, "刚才弄错了": IntentUndo, "刚才那条不算": IntentUndo,
		"撤销 3": IntentUnknown, "撤回 3": IntentUnknown, "撤销活动 3": IntentCancelActivity,
		"待审核": IntentPendingHours, "待审核的时长": IntentPendingHours, "审核": IntentPendingHours, "审核 3": IntentPendingHours,
		"有哪些要审核": IntentPendingHours, "审核通过 3": IntentApproveHours,
		"张大爷 担任 3号楼楼栋长": IntentAppoint, "任职 张大爷 网格长": IntentAppoint, "张大爷当选业委会主任": IntentAppoint,
		"任命 张大爷 导航员": IntentAppoint, "张大爷 卸任 楼栋长": IntentResign, "张大爷不再担任网格长": IntentResign,
		"免去 张大爷 导航员": IntentResign, "顾问团议事 小区停车位改造 参加5人 已采纳": IntentRecordDecision,
		"推荐典型 张大爷 带领老党员清理杂物": IntentNominate, "推荐先进 李阿姨 帮扶独居老人": IntentNominate,
		"评为典型 3": IntentCommend, "表彰 3": IntentCommend, "导出": IntentExport, "导出台账": IntentExport,
		"导出2026年": IntentExport, "后台": IntentConsole, "管理后台": IntentConsole, "打开后台": IntentConsole,
		"公示": IntentPublicity, "发布公示": IntentPublicity, "公示本月时长": IntentPublicity, "同意公示": IntentConsent,
		"不同意公示": IntentWithdrawConsent, "撤回同意": IntentWithdrawConsent, "有异议 3 理由": IntentObject,
		"异议 3 理由": IntentObject, "同意 3": IntentApproveHours,
	} {
		if got := Parse(in, now); got.Intent != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got.Intent, want)
		}
	}
	for _, in := range []string{"不处理了", "不办了", "算了", "不用了", "取消"} {
		if !Stops(in) {
			t.Errorf("Stops(%q) = false: the question should end", in)
		}
	}
	for in, want := range map[string]string{"3号楼楼栋长": "楼栋长", "业委会主任": "业委会主任", "小区党支部书记": "小区党支部书记",
		"党支部委员": "党支部委员", "樓棟長": "楼栋长", "门卫": PositionOther} {
		if got := PositionKind(in); got != want {
			t.Errorf("PositionKind(%q) = %q, want %q", in, got, want)
		}
	}
}
