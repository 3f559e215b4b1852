package say

import (
	"fmt"
	"jinqiu"
)

// Reader is who the menu is for: what they may do decides what it shows.
type Reader int

// Readers.
const (
	Guest     Reader = iota // not registered yet
	Member                  // registered with a branch
	Secretary               // a branch's secretary, or the bureau
)

// Help is the menu, fitted to the reader: someone not registered sees 报到
// first; a member the member commands; a secretary theirs too.
func Help(who Reader) string {
	switch who {
	case Guest:
		return lines(
			"您好，我是金秋助手。您还没有报到，请先发送：报到",
			"报到后可以：活动、报名 3、签到、时长 2 打扫楼道、我的",
			"不会用时发送：帮助",
		)
	case Secretary:
		return lines(
			"您好，我是金秋助手，可以这样用：",
			"活动、报名 3、签到、时长 2 打扫楼道、我的、撤销",
			"书记：发布活动 标题 时间 地点 名额N、名单 3、待审核、通过 5、驳回 5 原因",
			"已开会 支委会 应到9人 实到7人、三会一课、周报",
			"先试试发送：待审核",
		)
	}
	return lines(
		"您好，我是金秋助手，可以这样用：",
		"活动、报名 3、取消报名 3、签到",
		"时长 2 打扫楼道（记服务时长）、我的（查记录）、撤销（刚才弄错了）",
		"先试试发送：活动",
	)
}

// Unknown is what a message that is no command gets: a short menu.
func Unknown(who Reader) string {
	if who == Guest {
		return lines(
			"您好，这句话我没听懂。",
			"您还没有报到，请先发送：报到",
			"查看用法请发送：帮助",
		)
	}
	return lines(
		"您好，这句话我没听懂。",
		"看活动请发送：活动；报名请发送：报名 活动编号",
		"签到请发送：签到；查记录请发送：我的",
	)
}

// Thanks answers a thank-you or a greeting with one friendly line and the
// way to the menu.
func Thanks() string {
	return "不客气，祝您身体健康！有事随时@我，查看用法请发送：帮助"
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

// examples are each intent's command as a person sends it, by intent name.
var examples = map[string]string{
	"signup": "报名 3", "cancel_signup": "取消报名 3", "checkin": "签到 3", "roster": "名单 3",
	"cancel_activity": "取消活动 3", "approve_hours": "通过 17", "reject_hours": "驳回 17 原因",
	"report_hours": "时长 2 打扫楼道", "record_meeting": "已开会 支委会 今天", "publish_activity": "发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	"appoint": ExampleAppoint, "resign": ExampleResign, "record_decision": ExampleDecision,
}

// TwoNumbers: the command takes one number and was given two.
func TwoNumbers(intent string) string {
	ex := examples[intent]
	if ex == "" {
		ex = "报名 3"
	}
	return lines("您写了两个编号，我不知道是哪一个。请一次发一个编号。", "例如发送："+ex)
}

// TwoAmounts: two amounts of time in one report.
func TwoAmounts() string {
	return lines("您写了两个时长，我不知道是哪一个。请只写一个，一天的分开发。", "例如发送：时长 2 打扫楼道")
}

// InexactHours: an amount that is not a number of hours (两个多小时, 半天).
func InexactHours(written string) string {
	return lines(fmt.Sprintf("“%s”不是确切的时长，请写明几小时（可以写半小时，如 2.5）。", inert(written)), "例如发送：时长 2.5 打扫楼道")
}

// BadDate names a date that was not taken, says why (the parser's
// command.BadDate* reason: impossible, past, future, too_far) and asks
// again with the question that fits the command.
func (w Words) BadDate(intent, written, why string) string {
	ex, ask, what := examples[intent], "请问是哪天服务的？", "服务时长"
	switch intent {
	case "publish_activity":
		ask, what = "请问活动是哪天几点？", "活动"
	case "record_meeting":
		ask, what = "请问会是哪天开的？", "会议"
	case "appoint", "resign", "record_decision":
		ask, what = "请问是哪一天？", "这件事"
	}
	if ex == "" {
		ex = "昨天服务了2小时 打扫楼道"
	}
	written = inert(written)
	var reason string
	switch why {
	case "impossible":
		reason = fmt.Sprintf("“%s”这一天不存在，请核对一下日子。", written)
	case "past":
		reason = fmt.Sprintf("“%s”已经过去了，活动只能发布在以后的时间。", written)
	case "future":
		reason = fmt.Sprintf("“%s”还没到，%s只能记今天或以前的。", written, what)
	case "too_far":
		switch intent {
		case "publish_activity":
			reason = fmt.Sprintf("“%s”离现在太远了，活动最多提前半年发布；要发明年的，请写上年份。", written)
		case "report_hours":
			reason = fmt.Sprintf("只能补记 %d 天以内的时长，“%s”已经超过了。", jinqiu.MaxReportAgeDays, written)
		default:
			reason = fmt.Sprintf("“%s”离现在太久了；要记很早以前的，请写上年份。", written)
		}
	default:
		reason = fmt.Sprintf("“%s”这个日子不对。", written)
	}
	return lines(reason+ask, "例如发送："+ex)
}
