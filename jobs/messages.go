package jobs

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"

	"jinqiu/bot"
)

// KindName is the Chinese name of a meeting kind, as secretaries type it
// after 已开会.
func KindName(kind jinqiu.MeetingKind) string {
	switch kind {
	case jinqiu.BranchAssembly:
		return "支部党员大会"
	case jinqiu.Committee:
		return "支委会"
	case jinqiu.PartyGroup:
		return "党小组会"
	case jinqiu.Lecture:
		return "党课"
	case jinqiu.ThemeDay:
		return "主题党日"
	}
	return string(kind)
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// sayDay is "11月30日（周一）".
func sayDay(d time.Time) string {
	return fmt.Sprintf("%d月%d日（%s）", d.Month(), d.Day(), weekdays[d.Weekday()])
}

// Weekday is the Chinese name of t's weekday: 周一.
func Weekday(t time.Time) string { return weekdays[t.Weekday()] }

// sayClock is "9:00" or "14:30".
func sayClock(t time.Time) string { return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute()) }

// sayPeriod names a period: "11月", "第四季度", "2026年".
func sayPeriod(freq jinqiu.Period, from time.Time) string {
	switch freq {
	case jinqiu.Quarterly:
		return "第" + [...]string{"一", "二", "三", "四"}[(int(from.Month())-1)/3] + "季度"
	case jinqiu.Yearly:
		return fmt.Sprintf("%d年", from.Year())
	}
	return fmt.Sprintf("%d月", from.Month())
}

// meetingReminder is the reminder of the meetings a branch has not yet
// recorded, sent on day today. Every reply names the command to send next.
func meetingReminder(branchName string, due []MeetingDue, today time.Time, mentions []string) jinqiu.Reply {
	lines := []string{fmt.Sprintf("【组织生活提醒】%s：", branchName)}
	var kinds []string
	for _, m := range due {
		left := int(m.Deadline.Sub(today).Hours()/24 + 0.5)
		when := fmt.Sprintf("还有%d天", left)
		switch left {
		case 0:
			when = "今天截止"
		case 1:
			when = "明天截止"
		}
		if m.Kind == jinqiu.ThemeDay {
			switch left {
			case 0:
				lines = append(lines, fmt.Sprintf("· 今天是%s主题党日，请按时开展。", sayPeriod(m.Period, m.From)))
			default:
				lines = append(lines, fmt.Sprintf("· %s主题党日定于%s，%s，请提前做好准备。", sayPeriod(m.Period, m.From), sayDay(m.Deadline), strings.TrimSuffix(when, "截止")))
			}
		} else {
			lines = append(lines, fmt.Sprintf("· %s：%s尚未记录，请于%s前召开，%s。", KindName(m.Kind), sayPeriod(m.Period, m.From), sayDay(m.Deadline), when))
		}
		kinds = append(kinds, KindName(m.Kind))
	}
	next := "开完后请发送：已开会 " + kinds[0]
	if len(kinds) > 1 {
		next += "（其他会议同样发送“已开会 会议名称”）"
	}
	lines = append(lines, next)
	return jinqiu.Reply{Text: strings.Join(lines, "\n"), Mentions: mentions}
}

// activityReminder reminds the signees of an activity: those on the
// group's platform are @-mentioned, the others named.
func activityReminder(a ActivityFire, loc *time.Location, now time.Time, mentions, others []string) jinqiu.Reply {
	start := a.StartsAt.In(loc)
	when := sayDay(start) + " " + sayClock(start)
	switch day := jinqiu.Midnight(start, loc); {
	case day.Equal(jinqiu.AddDays(jinqiu.Midnight(now, loc), 1)):
		when = "明天 " + sayClock(start)
	case day.Equal(jinqiu.Midnight(now, loc)):
		when = "今天 " + sayClock(start)
	}
	head := "【活动提醒】"
	if a.Kind == ActivitySoon {
		head = "【活动马上开始】"
	}
	l1 := fmt.Sprintf("%s%d号「%s」%s开始", head, a.ID, bot.Inert(a.Title), when)
	if a.Place != "" {
		l1 += "，地点：" + bot.Inert(a.Place)
	}
	lines := []string{l1 + "。"}
	if len(others) > 0 {
		lines = append(lines, "已报名："+strings.Join(limitNames(inertAll(others), 30), "、"))
	}
	lines = append(lines,
		"已报名的各位请准时参加。",
		fmt.Sprintf("到场后请发送：签到 %d；去不了请发送：取消报名 %d", a.ID, a.ID))
	return jinqiu.Reply{Text: strings.Join(lines, "\n"), Mentions: mentions}
}

func limitNames(ns []string, n int) []string {
	if len(ns) <= n {
		return ns
	}
	return append(append([]string(nil), ns[:n]...), fmt.Sprintf("等%d人", len(ns)))
}

// inertAll is bot.Inert of each name.
func inertAll(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = bot.Inert(n)
	}
	return out
}
