package say

import (
	"fmt"
	"jinqiu"
	"time"
)

func (w Words) Registered(name string, b jinqiu.Branch, on time.Time) string {
	return lines(
		fmt.Sprintf("欢迎您%s！已在【%s】报到（%s）。", nameComma(name), b.Name, w.Day(on)),
		"查看活动请发送：活动",
	)
}

func RegisteredAlready(b jinqiu.Branch) string {
	return lines(
		fmt.Sprintf("您已经在【%s】报到过了，不用再报。", b.Name),
		"查看活动请发送：活动",
	)
}

func RegisterMoved(b jinqiu.Branch) string {
	return lines(
		fmt.Sprintf("已为您改到【%s】报到，原来的记录都保留着。", b.Name),
		"查看活动请发送：活动",
	)
}

func RegisterNeedCommunity() string {
	return "请告诉我您的社区或村的名称，例如发送：报到 枣行社区"
}

func RegisterNoSuchCommunity(place string) string {
	return lines(
		fmt.Sprintf("没有找到“%s”，请核对名称。", inert(place)),
		"请重新发送，例如：报到 枣行社区",
	)
}

func RegisterConfirm(b jinqiu.Branch) string {
	return lines(
		fmt.Sprintf("本群是【%s】的群。您要在【%s】报到吗？", b.Name, b.Name),
		"确认请回复：是；不报请回复：算了",
	)
}

func nameComma(name string) string {
	if name == "" {
		return ""
	}
	return "，" + inert(name)
}
