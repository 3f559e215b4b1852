package say

import (
	"fmt"
	"jinqiu"
	"time"
)

// CheckedIn: a person signed up is checked in; their hours come when the
// activity has ended.
func CheckedIn(name string, a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%s签到成功：%d号【%s】。", namePrefix(name), a.ID, inert(a.Title)),
		fmt.Sprintf("活动结束后自动记服务时长 %s 小时。查看记录请发送：我的", Hours(a.Centihours())),
	)
}

// WalkedIn: a person who had not signed up checked in on the spot; their
// hours wait for the secretary.
func WalkedIn(name string, a jinqiu.Activity, r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%s现场签到成功：%d号【%s】。", namePrefix(name), a.ID, inert(a.Title)),
		fmt.Sprintf("您没有提前报名，服务时长 %s 小时已报给书记审核（%d号）。", Hours(r.Centihours), r.ID),
		"查看记录请发送：我的",
	)
}

// WalkInNotRunning: without a sign-up, check-in opens only when the
// activity starts.
func (w Words) WalkInNotRunning(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("您没有报名 %s，活动开始后才能现场签到。", w.Activity(a, loc)),
		fmt.Sprintf("先报名请发送：报名 %d", a.ID),
	)
}

func CheckedInAlready(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("您已经签到过了：%d号【%s】。", a.ID, inert(a.Title)),
		"查看记录请发送：我的",
	)
}

func (w Words) CheckinTooEarly(a jinqiu.Activity, opens time.Time, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s 开始，%s 以后才能签到。", w.Activity(a, loc), Clock(opens.In(loc))),
		fmt.Sprintf("到时请发送：签到 %d", a.ID),
	)
}

func CheckinClosed(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】已经结束，签到已关闭。", a.ID, inert(a.Title)),
		"补记时长请发送：时长 小时数 做了什么",
	)
}

func CheckinFull(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】名额已满，不能现场签到。", a.ID, inert(a.Title)),
		"查看其他活动请发送：活动",
	)
}

func CheckinWaiting(a jinqiu.Activity, pos int) string {
	return lines(
		fmt.Sprintf("您在 %d号【%s】候补第%d位，还没有名额，暂时不能签到。", a.ID, inert(a.Title), pos),
		"有名额时会在群里@您；查看记录请发送：我的",
	)
}

func NothingToCheckIn() string {
	return lines(
		"现在没有可以签到的活动（报名的活动开始前半小时到结束可以签到）。",
		"查看活动请发送：活动",
	)
}

func PickCheckin(opts []string) string {
	return Pick("请问您要签到哪个活动？", opts, "不签了请回复：算了")
}
