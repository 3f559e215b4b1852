package say

import "fmt"

// ConsoleLink is the reply to 后台 in a single chat: the one-time link.
func ConsoleLink(url string, minutes int) string {
	return lines(
		"管理后台登录链接（仅限本人使用）：",
		url,
		fmt.Sprintf("%d 分钟内有效，只能用一次；打开后点“确认登录”。", minutes),
		"请勿转发。链接失效后再发送：后台",
	)
}

// ConsoleInPrivate: 后台 was sent in a group, where others would read the
// link.
func ConsoleInPrivate() string {
	return lines(
		"登录链接只在单聊里发送，以免被群里其他人打开。",
		"请私聊金秋助手，发送：后台",
	)
}

// ConsoleNotFor: 后台 from someone who is neither a secretary nor the bureau.
func ConsoleNotFor() string {
	return lines(
		"管理后台供老干部局和支部书记使用。",
		"查看自己的记录请发送：我的",
	)
}

// ConsoleOff: no console.base_url is configured.
func ConsoleOff() string {
	return "管理后台还没有开通，请联系老干部局管理员。"
}
