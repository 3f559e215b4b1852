package say

import (
	"fmt"
	"jinqiu"
	"time"

	"jinqiu/storage"
)

// Undone says what 撤销 took back, and how to do it again.
func (w Words) Undone(u storage.Undone, loc *time.Location) string {
	a, r := u.Activity, u.Report
	switch u.Action {
	case "signup":
		return lines(fmt.Sprintf("已撤销：%d号【%s】的报名。", a.ID, inert(a.Title)), fmt.Sprintf("想再报名请发送：报名 %d", a.ID))
	case "cancel_signup":
		if u.State == jinqiu.SignupWaiting {
			return lines(fmt.Sprintf("已撤销取消：%d号【%s】现在已满，已为您排入候补。", a.ID, inert(a.Title)), "有名额时会在群里@您；查看记录请发送：我的")
		}
		return lines(fmt.Sprintf("已撤销取消：您又报上了 %s。", w.Activity(a, loc)), fmt.Sprintf("到场后请发送：签到 %d", a.ID))
	case "report_hours":
		return lines(fmt.Sprintf("已撤销：%s 的时长申报。", w.Report(r)), "重新上报请发送：时长 小时数 做了什么")
	case "checkin":
		return lines(fmt.Sprintf("已撤销：%d号【%s】的签到。", a.ID, inert(a.Title)), fmt.Sprintf("到场后请重新发送：签到 %d", a.ID))
	case "approve_hours", "reject_hours":
		return lines(fmt.Sprintf("已撤销对 %d号时长的审核，现在是待审核。", r.ID), fmt.Sprintf("重新审核请发送：通过 %d 或 驳回 %d 原因", r.ID, r.ID))
	case "record_meeting":
		return lines(fmt.Sprintf("已撤销：%s%s的记录。", w.Day(u.Meeting.HeldOn), Kind(u.Meeting.Kind)), "重新记录请发送：已开会 会议名称 日期")
	case "publish_activity":
		return lines(fmt.Sprintf("已撤销：%d号【%s】不再发布。", a.ID, inert(a.Title)), "重新发布请发送：发布活动 标题 时间 地点 名额N")
	}
	return lines("已撤销。", "查看记录请发送：我的")
}

// UndoTooLate: the latest change stands.
func (w Words) UndoTooLate(u storage.Undone) string {
	a, r := u.Activity, u.Report
	switch u.Action {
	case "report_hours":
		return lines(fmt.Sprintf("%d号时长已经审核，不能撤销。", r.ID), "有问题请联系本支部书记")
	case "approve_hours", "reject_hours":
		return lines(fmt.Sprintf("%d号时长的审核结果已经变了，不能撤销。", r.ID), "查看请发送：待审核")
	case "publish_activity":
		return lines(fmt.Sprintf("%d号【%s】已经有人报名，不能撤销发布。", a.ID, inert(a.Title)), fmt.Sprintf("确实要取消请发送：取消活动 %d", a.ID))
	case "signup":
		return lines(fmt.Sprintf("%d号【%s】的报名已经不能撤销（已签到或已取消）。", a.ID, inert(a.Title)), "查看记录请发送：我的")
	case "checkin", "cancel_signup":
		return lines(fmt.Sprintf("%d号【%s】已经变了，不能撤销。", a.ID, inert(a.Title)), "查看记录请发送：我的")
	}
	return lines("最近的操作已经不能撤销了。", "查看记录请发送：我的")
}

// NothingToUndo: nothing of the person's in the window.
func NothingToUndo(minutes int) string {
	return lines(fmt.Sprintf("您最近 %d 分钟没有可以撤销的操作。", minutes), "查看记录请发送：我的")
}
