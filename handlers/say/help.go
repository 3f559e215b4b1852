package say

func Help() string {
	return lines(
		"您好，我是金秋助手，可以这样用：",
		"报到、活动、报名 3、取消报名 3、签到",
		"时长 2 打扫楼道（记服务时长）、我的（查记录）",
		"书记：发布活动 标题 时间 地点 名额N、名单 3、通过 5、驳回 5、已开会 支委会、三会一课",
		"先试试发送：活动",
	)
}

func Unknown() string {
	return lines(
		"您好，这句话我没听懂。",
		"看活动请发送：活动；报名请发送：报名 活动编号",
		"签到请发送：签到；查记录请发送：我的",
	)
}

func NoIdentity() string {
	return "抱歉，我认不出您的账号，不能为您办理。请用本单位的企业微信或钉钉账号发送。"
}

func RosterWhere() string {
	return lines(
		"名单里有大家的名字，请在本支部的群里或私聊我查看。",
		"查看活动请发送：活动",
	)
}

func NeedRegister(inBranchGroup bool) string {
	if inBranchGroup {
		return "您还没有报到，请先发送：报到"
	}
	return "您还没有报到，请在本社区的群里发送：报到（或在这里发送：报到 社区名称）"
}

func NotHere() string {
	return lines(
		"您报到在其他支部，不在本群的支部。",
		"如需改到本支部，请发送：报到",
	)
}

func NotSecretary() string {
	return lines(
		"这项操作需要本支部书记来办理。",
		"查看活动请发送：活动",
	)
}

func AskInBranchGroup() string {
	return lines(
		"这项操作请到对应支部的群里发送。",
		"查看帮助请发送：帮助",
	)
}

// Apology is said when handling a message fails in a way a retry will not
// mend.
func Apology() string {
	return "抱歉，系统出了点问题，我们已记录。请稍后再试，或发送“帮助”查看用法。"
}
