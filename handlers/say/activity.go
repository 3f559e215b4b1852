package say

import (
	"fmt"
	"jinqiu"
	"strconv"
	"strings"
	"time"

	"jinqiu/storage"
)

func (w Words) ActivityList(b jinqiu.Branch, acts []jinqiu.Activity, loc *time.Location) (head string, body []string) {
	if len(acts) == 0 {
		return fmt.Sprintf("【%s】近期还没有活动。", b.Name), []string{"书记发布活动请发送：发布活动 标题 时间 地点 名额N"}
	}
	for _, a := range acts {
		body = append(body, w.Activity(a, loc)+" "+Places(a))
	}
	body = append(body, fmt.Sprintf("报名请发送：报名 编号（如 报名 %d）", acts[0].ID))
	return fmt.Sprintf("【%s】近期活动：", b.Name), body
}

func PublishNeedMore() string {
	return lines(
		"请写清活动的标题和时间。",
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func PublishPast() string {
	return lines(
		"这个时间已经过去了，请换一个以后的时间。",
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func (w Words) Published(a jinqiu.Activity, loc *time.Location) string {
	place := inert(a.Place)
	if place == "" {
		place = "未填"
	}
	ls := []string{
		fmt.Sprintf("已发布 %d号活动【%s】。", a.ID, inert(a.Title)),
		fmt.Sprintf("时间：%s–%s，地点：%s，名额：%s", w.When(a.StartsAt.In(loc)), Clock(a.EndsAt.In(loc)), place, Capacity(a)),
	}
	if a.SignupDeadline.Valid {
		ls = append(ls, fmt.Sprintf("报名截止：%s", w.When(a.SignupDeadline.Time.In(loc))))
	}
	ls = append(ls, fmt.Sprintf("大家报名请发送：报名 %d", a.ID))
	return lines(ls...)
}

func PublishTooLong(maxCentihours int) string {
	return lines(
		fmt.Sprintf("一次活动最长%s小时，请改短一些。", Hours(maxCentihours)),
		"例如发送：发布活动 清理楼道 明天上午9点到11点 枣行社区 名额20",
	)
}

func (w Words) PublishDeadlineAfterStart(deadline, start time.Time) string {
	return lines(
		fmt.Sprintf("报名截止时间（%s）要早于活动开始时间（%s）。", w.When(deadline), w.When(start)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 报名截止今晚8点",
	)
}

func BadCapacity(written string, max int) string {
	return lines(
		fmt.Sprintf("“%s”不是人数，名额请写 1 到 %d 之间的整数；不限人数就不写名额。", inert(written), max),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

// TooLong refuses text over its limit (what names the field; example
// is a command to send).
func TooLong(what string, n, max int, example string) string {
	return lines(
		fmt.Sprintf("%s最多写 %d 个字，您写了 %d 个字，请写短一些再发。", what, max, n),
		"例如发送："+example,
	)
}

// Fields and examples for TooLong.
const (
	FieldTitle     = "活动名称"
	FieldPlace     = "地点"
	FieldNote      = "做了什么"
	FieldReason    = "驳回原因"
	FieldTopic     = "会议主题"
	ExamplePublish = "发布活动 清理楼道 明天上午9点 枣行社区 名额20"
	ExampleHours   = "时长 2 打扫楼道"
	ExampleReject  = "驳回 17 日期不对"
	ExampleMeeting = "已开会 支委会 今天 学习会议精神"
)

func (w Words) PublishTooFar(start time.Time) string {
	return lines(
		fmt.Sprintf("活动最远只能安排在一年以内，%s太远了，请核对日期。", w.Day(start)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func (w Words) MeetingBeforeInstall(on, since time.Time) string {
	return lines(
		fmt.Sprintf("金秋助手从%s开始记录，%s的会议请记在纸质台账上。", w.Day(since), w.Day(on)),
		"查看开会情况请发送：三会一课",
	)
}

func (w Words) PublishDeadlinePast(deadline time.Time) string {
	return lines(
		fmt.Sprintf("报名截止时间（%s）已经过去了，请换一个以后的时间。", w.When(deadline)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 报名截止今晚8点",
	)
}

func ActivityNotFound(id int64) string {
	return lines(
		fmt.Sprintf("没有找到 %d号活动。", id),
		"查看本支部的活动请发送：活动",
	)
}

func ActivityCancelledAlready(id int64) string {
	return lines(
		fmt.Sprintf("%d号活动已经取消了。", id),
		"查看其他活动请发送：活动",
	)
}

func ActivityStarted(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】已经开始，不能再取消了。", a.ID, inert(a.Title)),
		"查看活动请发送：活动",
	)
}

func ActivityCancelled(a jinqiu.Activity, told int) string {
	return lines(
		fmt.Sprintf("已取消 %d号【%s】，已在群里通知 %d 位报名的人。", a.ID, inert(a.Title), told),
		"发布新活动请发送：发布活动 标题 时间 地点 名额N",
	)
}

// CancelNotice goes to the group with an @mention of every signee.
func (w Words) CancelNotice(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("通知：%d号活动【%s】（%s）取消了，给您添麻烦了。", a.ID, inert(a.Title), w.When(a.StartsAt.In(loc))),
		"查看其他活动请发送：活动",
	)
}

func (w Words) Roster(a jinqiu.Activity, es []storage.RosterEntry, loc *time.Location) (head string, body []string) {
	var confirmed, waiting []string
	checked := 0
	for _, e := range es {
		n := inert(e.Name)
		if n == "" {
			n = "（未留名）"
		}
		if e.State == jinqiu.SignupConfirmed {
			if e.CheckedIn {
				n += "✓"
				checked++
			}
			confirmed = append(confirmed, n)
		} else {
			waiting = append(waiting, n)
		}
	}
	head = w.Activity(a, loc)
	places := strconv.Itoa(len(confirmed))
	if !a.Unlimited() {
		places += "/" + strconv.Itoa(a.Capacity)
	}
	if len(confirmed) == 0 {
		body = append(body, "还没有人报名。")
	} else {
		body = append(body, fmt.Sprintf("已报名 %s：%s", places, strings.Join(confirmed, "、")))
	}
	if len(waiting) > 0 {
		body = append(body, fmt.Sprintf("候补 %d：%s", len(waiting), strings.Join(waiting, "、")))
	}
	body = append(body, fmt.Sprintf("已签到 %d 人（✓）。取消活动请发送：取消活动 %d", checked, a.ID))
	return head, body
}

// SignupButtons are the taps under an announced activity: 报名 and, for
// those signed up, 取消报名.
func SignupButtons(id int64) []jinqiu.Button {
	return []jinqiu.Button{
		{Text: "报名", Command: fmt.Sprintf("报名 %d", id)},
		{Text: "取消报名", Command: fmt.Sprintf("取消报名 %d", id)},
	}
}
