// Package say is the one wording catalogue: every word a person reads
// from the bot, replies and pushes alike, and the formats of days, times,
// hours and the programme's names they are written with. Each reply is one
// to five short lines, polite (您), and its last line names the exact
// command to send next. The rules live in handlers and jobs; the words
// here, so that they can be reviewed and changed in one place.
package say

import (
	"fmt"
	"jinqiu"
	"strconv"
	"strings"
	"time"
)

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Words writes for one reader at one time: a date carries its year only
// when that is not the reader's current year (2027年1月5日, but 12月5日).
type Words struct{ Year int }

// For is the words of a reader whose today is now.
func For(now time.Time) Words { return Words{Year: now.Year()} }

// Day is a calendar day: 11月28日, or 2027年1月5日 in another year.
func (w Words) Day(t time.Time) string {
	if w.Year != 0 && t.Year() != w.Year {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

// DayOfWeek is a day with its weekday: 11月30日（周一）.
func (w Words) DayOfWeek(t time.Time) string {
	return w.Day(t) + "（" + Weekday(t) + "）"
}

// Weekday is the weekday of t: 周一.
func Weekday(t time.Time) string { return weekdays[t.Weekday()] }

// When is an instant in the configured zone: 11月28日 周六 09:00.
func (w Words) When(t time.Time) string {
	return w.Day(t) + " " + Weekday(t) + " " + Clock(t)
}

// Clock is a time of day, on the 24-hour clock: 09:00, 14:30.
func Clock(t time.Time) string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }

// PeriodName names the period of a meeting frequency that starts on from:
// 11月, 第四季度, 2026年.
func PeriodName(every jinqiu.Period, from time.Time) string {
	switch every {
	case jinqiu.Quarterly:
		return "第" + [...]string{"一", "二", "三", "四"}[(int(from.Month())-1)/3] + "季度"
	case jinqiu.Yearly:
		return fmt.Sprintf("%d年", from.Year())
	}
	return fmt.Sprintf("%d月", from.Month())
}

// Line is the name of one of the programme's two lines, as the bureau
// reports them: 城市（社区治理）, 乡镇（乡村振兴）.
func Line(k jinqiu.BranchKind) string {
	if k == jinqiu.Rural {
		return "乡镇（乡村振兴）"
	}
	return "城市（社区治理）"
}

// Hours writes centihours as hours: 2, 2.5, 1.25.
func Hours(ch int) string {
	s := strconv.FormatFloat(float64(ch)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// Capacity is an activity's places: 20人, 不限.
func Capacity(a jinqiu.Activity) string {
	if a.Unlimited() {
		return "不限"
	}
	return strconv.Itoa(a.Capacity) + "人"
}

// Places is what is left of them: 余3个名额, 已满，可候补.
func Places(a jinqiu.Activity) string {
	switch {
	case a.Unlimited():
		return "名额不限"
	case a.Left() == 0:
		return "已满，可候补"
	default:
		return fmt.Sprintf("余%d个名额", a.Left())
	}
}

// Activity is one line about an activity: 3号【清理楼道】11月28日 周六 09:00 枣行社区.
func (w Words) Activity(a jinqiu.Activity, loc *time.Location) string {
	s := fmt.Sprintf("%d号【%s】%s", a.ID, inert(a.Title), w.When(a.StartsAt.In(loc)))
	if a.Place != "" {
		s += " " + inert(a.Place)
	}
	return s
}

var kindNames = map[jinqiu.MeetingKind]string{
	jinqiu.BranchAssembly: "支部党员大会",
	jinqiu.Committee:      "支委会",
	jinqiu.PartyGroup:     "党小组会",
	jinqiu.Lecture:        "党课",
	jinqiu.ThemeDay:       "主题党日",
}

// Kind is the name of a meeting kind, as secretaries type it after 已开会.
func Kind(k jinqiu.MeetingKind) string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return string(k)
}

var reportStates = map[string]string{
	jinqiu.HoursPending:  "待审核",
	jinqiu.HoursApproved: "已通过",
	jinqiu.HoursRejected: "已驳回",
	jinqiu.HoursVoid:     "已作废",
}

// Report is one line about an hours report: 17号 王五 11月26日 2.5小时 清理楼道.
func (w Words) Report(r jinqiu.HoursReport) string {
	s := fmt.Sprintf("%d号 %s %s %s小时", r.ID, inert(r.MemberName), w.Day(r.ServedOn), Hours(r.Centihours))
	if r.Note != "" {
		s += " " + inert(r.Note)
	}
	return s
}

func lines(ls ...string) string { return strings.Join(ls, "\n") }

// Names joins people's names (made inert) with 、, at most n of them and
// then how many there are: 张三、李四等12人.
func Names(ns []string, n int) string {
	out := make([]string, 0, min(len(ns), n)+1)
	for i, name := range ns {
		if i == n {
			out = append(out, fmt.Sprintf("等%d人", len(ns)))
			break
		}
		out = append(out, inert(name))
	}
	return strings.Join(out, "、")
}

// inert is what a person wrote (a name, a title, a place, a note, a
// reason, a topic), made safe to show in any reply or push on either
// platform: no mention, link, image, markup or line break of its own.
func inert(s string) string { return Inert(s) }

// The commands of the lists that have pages.
const (
	ListActivities = "活动"
	ListPending    = "待审核"
	ListMine       = "我的"
)

// More says how many entries a list left out and how to see them: 还有 4
// 个，发送：活动 第2页.
func More(left int, command string, page int) string {
	return fmt.Sprintf("还有 %d 个，发送：%s 第%d页", left, command, page)
}
