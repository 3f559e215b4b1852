package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

// MeetingReminder is the reminder of the meetings a branch has not yet
// recorded, sent on day today (a midnight in the zone).
func (w Words) MeetingReminder(branchName string, due []jinqiu.Due, today time.Time, mentions []string) jinqiu.Reply {
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
				lines = append(lines, fmt.Sprintf("· 今天是%s主题党日，请按时开展。", PeriodName(m.Period, m.From)))
			default:
				lines = append(lines, fmt.Sprintf("· %s主题党日定于%s，%s，请提前做好准备。", PeriodName(m.Period, m.From), w.DayOfWeek(m.Deadline), strings.TrimSuffix(when, "截止")))
			}
		} else {
			lines = append(lines, fmt.Sprintf("· %s：%s尚未记录，请于%s前召开，%s。", Kind(m.Kind), PeriodName(m.Period, m.From), w.DayOfWeek(m.Deadline), when))
		}
		kinds = append(kinds, Kind(m.Kind))
	}
	next := "开完后请发送：已开会 " + kinds[0]
	if len(kinds) > 1 {
		next += "（其他会议同样发送“已开会 会议名称”）"
	}
	lines = append(lines, next)
	return jinqiu.Reply{Text: strings.Join(lines, "\n"), Mentions: mentions}
}

// ActivityReminder reminds the signees of an activity the evening before
// or, soon, shortly before it starts: those on the group's platform are
// @-mentioned (mentions), the others named.
func (w Words) ActivityReminder(a jinqiu.Activity, soon bool, loc *time.Location, now time.Time, mentions, others []string) jinqiu.Reply {
	start := a.StartsAt.In(loc)
	when := w.DayOfWeek(start) + " " + Clock(start)
	switch day := jinqiu.Midnight(start, loc); {
	case day.Equal(jinqiu.AddDays(jinqiu.Midnight(now, loc), 1)):
		when = "明天 " + Clock(start)
	case day.Equal(jinqiu.Midnight(now, loc)):
		when = "今天 " + Clock(start)
	}
	head := "【活动提醒】"
	if soon {
		head = "【活动马上开始】"
	}
	l1 := fmt.Sprintf("%s%d号「%s」%s开始", head, a.ID, inert(a.Title), when)
	if a.Place != "" {
		l1 += "，地点：" + inert(a.Place)
	}
	lines := []string{l1 + "。"}
	if len(others) > 0 {
		lines = append(lines, "已报名："+Names(others, 30))
	}
	lines = append(lines,
		"已报名的各位请准时参加。",
		fmt.Sprintf("到场后请发送：签到 %d；去不了请发送：取消报名 %d", a.ID, a.ID))
	return jinqiu.Reply{Text: strings.Join(lines, "\n"), Mentions: mentions}
}

// PlannedMeetings says, for an operator's list of what is due, what a
// meetings reminder is about: 11月支委会（截止11月30日（周一），提前7天）.
func (w Words) PlannedMeetings(due []jinqiu.Due, leads []int) string {
	var ks []string
	for i, m := range due {
		ks = append(ks, fmt.Sprintf("%s%s（截止%s，提前%d天）", PeriodName(m.Period, m.From), Kind(m.Kind), w.DayOfWeek(m.Deadline), leads[i]))
	}
	return "会议提醒：" + strings.Join(ks, "、")
}

// PlannedActivity says what an activity reminder is about.
func PlannedActivity(id int64, title string, soon bool) string {
	k := "前一晚提醒"
	if soon {
		k = "开始前提醒"
	}
	return fmt.Sprintf("活动%s：%d号「%s」", k, id, inert(title))
}

// PlannedDigest says what a digest run is about: 周报：2026年第48周.
func PlannedDigest(year, week int) string { return fmt.Sprintf("周报：%d年第%d周", year, week) }
