package say

import (
	"fmt"
	"jinqiu"
	"strings"
	"time"
)

func DialogueEnded() string {
	return lines(
		"好的，这件事先不办了。",
		"需要时请再发送，如：活动",
	)
}

// DialogueAgain asks again: for a number (first is the first one
// offered), or, when first is 0, for a yes.
func DialogueAgain(first int64) string {
	if first != 0 {
		return fmt.Sprintf("请回复上面列出的编号，如：%d；不办了请回复：算了", first)
	}
	return "确认请回复：是；不办了请回复：算了"
}

func firstNumber(opts []string) string {
	if len(opts) == 0 {
		return "1"
	}
	if i := strings.Index(opts[0], "号"); i > 0 {
		return opts[0][:i]
	}
	return "1"
}

func NothingToManage() string {
	return lines(
		"本支部目前没有还没开始的活动。",
		"发布活动请发送：发布活动 标题 时间 地点 名额N",
	)
}

func PickCancelActivity(opts []string) string {
	return Pick("请问要取消哪个活动？", opts, "不取消了请回复：算了")
}

func (w Words) ConfirmCancelActivity(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是取消活动 %s 吗？报名的人会收到通知。", w.Activity(a, loc)),
		"确认请回复：是；不取消了请回复：算了",
	)
}

func PickRoster(opts []string) string {
	return Pick("请问要看哪个活动的名单？", opts, "不看了请回复：算了")
}
