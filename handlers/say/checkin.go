package say

import (
	"fmt"
	"jinqiu"
	"time"
)

func CheckedIn(name string, a jinqiu.Activity, credited int) string {
	ls := []string{fmt.Sprintf("%s签到成功：%d号【%s】。", namePrefix(name), a.ID, inert(a.Title))}
	if credited > 0 {
		ls = append(ls, fmt.Sprintf("已为您记服务时长 %s 小时。", Hours(credited)))
	}
	return lines(append(ls, "查看记录请发送：我的")...)
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
		"现在没有可以签到的活动（活动开始前半小时到结束后半小时可以签到）。",
		"查看活动请发送：活动",
	)
}

func PickCheckin(opts []string) string {
	return Pick("请问您要签到哪个活动？", opts, "不签了请回复：算了")
}
