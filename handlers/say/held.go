package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

// Heard is what the bot understood of a command it repeats before acting.
type Heard struct {
	Intent     string
	ActivityID int64
	Activity   *jinqiu.Activity // when found
	Title      string
	StartsAt   time.Time
	Place      string
	Capacity   int
	Community  string
	Centihours int
	Date       time.Time
	Note       string
}

// VoiceHeard quotes a voice message as the platform transcribed it, at
// the head of the reply to it.
func VoiceHeard(transcript string) string {
	return fmt.Sprintf("听到您说：“%s”", inert(strings.TrimSpace(transcript)))
}

// Confirm repeats what was understood and asks for 是.
func (w Words) Confirm(h Heard, loc *time.Location) string {
	act := fmt.Sprintf("%d号活动", h.ActivityID)
	if h.Activity != nil {
		act = w.Activity(*h.Activity, loc)
	}
	var ls []string
	switch h.Intent {
	case "signup":
		ls = []string{fmt.Sprintf("您是要报名 %s 吗？", act)}
	case "cancel_signup":
		ls = []string{fmt.Sprintf("您是要取消 %s 的报名吗？", act)}
	case "checkin":
		ls = []string{fmt.Sprintf("您是要签到 %s 吗？", act)}
	case "register":
		where := "本群的支部"
		if h.Community != "" {
			where = "【" + inert(h.Community) + "】"
		}
		ls = []string{fmt.Sprintf("您是要在%s报到吗？", where)}
	case "report_hours":
		l := fmt.Sprintf("您是要上报 %s 服务 %s 小时", w.Day(h.Date), Hours(h.Centihours))
		if h.Note != "" {
			l += "（" + inert(h.Note) + "）"
		}
		ls = []string{l + " 吗？"}
	case "publish_activity":
		ls = []string{"我理解的活动是：", "标题：" + inert(h.Title)}
		if !h.StartsAt.IsZero() {
			ls = append(ls, "时间："+w.When(h.StartsAt.In(loc)))
		}
		if h.Place != "" {
			ls = append(ls, "地点："+inert(h.Place))
		}
		if h.Capacity > 0 {
			ls = append(ls, fmt.Sprintf("名额：%d人", h.Capacity))
		}
		return lines(append(ls, "对的话请回复：是；不对请重新发送：发布活动 标题 时间 地点 名额N")...)
	default:
		ls = []string{"您是要这样办吗？"}
	}
	return lines(append(ls, "确认请回复：是；不办了请回复：算了")...)
}

// OnlySecretaryForOthers: only a branch's secretary acts for another
// member (代办).
func OnlySecretaryForOthers() string {
	return lines("只有本支部书记可以替别人办理。", "您自己办理请直接发送，如：报名 3")
}

// NoSuchMember: no member of the branch has that name.
func NoSuchMember(name string) string {
	if strings.TrimSpace(name) == "" {
		name = "这位"
	}
	return lines(fmt.Sprintf("本支部没有找到“%s”，请写他（她）报到时的名字。", inert(name)), "例如发送：帮张建国签到 3")
}

// MemberOption is one member in a numbered question.
func MemberOption(n int, m jinqiu.Member) string {
	return fmt.Sprintf("%d. %s", n, inert(m.DisplayName))
}

// PickMember asks which member a secretary acts for.
func PickMember(name string, opts []string) string {
	return Pick(fmt.Sprintf("本支部有几位“%s”，请问是哪一位？", inert(name)), opts, "不办了请回复：算了")
}

// ActedFor heads a reply to a secretary acting for a member.
func ActedFor(name string) string { return fmt.Sprintf("【代%s办理】", inert(name)) }

// DuplicateHours: the same hours were reported within a day.
func (w Words) DuplicateHours(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("您已经报过 %s（%d号），是要再报一次吗？", w.Day(r.ServedOn)+" "+Hours(r.Centihours)+"小时", r.ID),
		"再报一次请回复：是；不用请回复：算了",
	)
}

// DuplicateActivity: the same activity was published within a day.
func (w Words) DuplicateActivity(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("已经发布过 %s，是要再发布一个吗？", w.Activity(a, loc)),
		"再发布一个请回复：是；不用请回复：算了",
	)
}

// NoActivityNamed: no activity has that title or day.
func (w Words) NoActivityNamed(title string, day time.Time) string {
	what := ""
	if !day.IsZero() {
		what = w.Day(day)
	}
	if title != "" {
		what += "【" + inert(title) + "】"
	}
	return lines(fmt.Sprintf("没有找到%s的活动。", what), "查看活动请发送：活动")
}
