package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

func MeetingNeedKind() string {
	return lines(
		"请写明是什么会：支部党员大会、支委会、党小组会、党课或主题党日。",
		"例如发送：已开会 支委会 11月18日 学习会议精神",
	)
}

func (w Words) MeetingFuture(on time.Time) string {
	return lines(
		fmt.Sprintf("%s还没到，请开完会后再记录。", w.Day(on)),
		"查看开会情况请发送：三会一课",
	)
}

func (w Words) MeetingRecorded(m jinqiu.Meeting) string {
	topic := ""
	if m.Topic != "" {
		topic = "，主题：" + inert(m.Topic)
	}
	ls := []string{fmt.Sprintf("已记录：%s %s%s。", w.Day(m.HeldOn), Kind(m.Kind), topic)}
	if a := Attendance(m); a != "" {
		ls = append(ls, a+"。")
	}
	if !m.Quorate() {
		ls = append(ls, "实到不足应到人数的一半（不足半数），周报中会标注。")
	}
	return lines(append(ls, "查看开会情况请发送：三会一课")...)
}

// Attendance is a meeting's attendance as said: 应到9人，实到7人，送学上门2人.
func Attendance(m jinqiu.Meeting) string {
	var parts []string
	if m.Expected > 0 {
		parts = append(parts, fmt.Sprintf("应到%d人", m.Expected))
	}
	if m.Present > 0 {
		parts = append(parts, fmt.Sprintf("实到%d人", m.Present))
	}
	if m.Delivered > 0 {
		parts = append(parts, fmt.Sprintf("送学上门%d人", m.Delivered))
	}
	return strings.Join(parts, "，")
}

// MorePresentThanExpected refuses 实到 above 应到.
func MorePresentThanExpected(present, expected int) string {
	return lines(
		fmt.Sprintf("实到 %d 人比应到 %d 人还多，请核对人数（送学上门的另算）。", present, expected),
		"例如发送：已开会 支委会 应到9人 实到7人 送学上门2人",
	)
}

func (w Words) MeetingRecordedAlready(m jinqiu.Meeting) string {
	return lines(
		fmt.Sprintf("%s的%s已经记录过了。", w.Day(m.HeldOn), Kind(m.Kind)),
		"查看开会情况请发送：三会一课",
	)
}

func (w Words) MeetingStatus(b jinqiu.Branch, today time.Time, items []jinqiu.MeetingState) (head string, body []string) {
	head = fmt.Sprintf("【%s】%d月（第%d季度）三会一课：", b.Name, today.Month(), (int(today.Month())+2)/3)
	var done, due []string
	for _, it := range items {
		if it.Done {
			done = append(done, fmt.Sprintf("%s（%s）", Kind(it.Kind), w.Day(it.HeldOn)))
			continue
		}
		when := w.Day(it.Deadline) + "前"
		if it.Overdue {
			when = w.Day(it.Deadline) + "，已过期"
		}
		due = append(due, fmt.Sprintf("%s（%s）", Kind(it.Kind), when))
	}
	if len(done) > 0 {
		body = append(body, "已开："+strings.Join(done, "、"))
	} else {
		body = append(body, "已开：还没有记录")
	}
	if len(due) > 0 {
		body = append(body, "待开："+strings.Join(due, "、"))
	} else {
		body = append(body, "待开：都开齐了")
	}
	return head, append(body, "开完会请发送：已开会 会议名称 日期（如 已开会 支委会 今天）")
}

func MeetingOverview(today time.Time, total int, behind []string) (head string, body []string) {
	head = fmt.Sprintf("%d月（第%d季度）三会一课：共 %d 个支部", today.Month(), (int(today.Month())+2)/3, total)
	if len(behind) == 0 {
		body = append(body, "各支部都开齐了。")
	} else {
		shown := behind
		more := ""
		if len(shown) > 10 {
			shown, more = shown[:10], fmt.Sprintf(" 等 %d 个", len(behind))
		}
		body = append(body, fmt.Sprintf("还没开齐（%d 个）：%s%s", len(behind), strings.Join(shown, "、"), more))
	}
	return head, append(body, "查看某个支部请在该支部群里发送：三会一课")
}

func MeetingBehind(name string, kinds []jinqiu.MeetingKind) string {
	var ks []string
	for _, k := range kinds {
		ks = append(ks, Kind(k))
	}
	return name + "（" + strings.Join(ks, "、") + "）"
}
