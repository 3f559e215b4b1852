package say

import "fmt"

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

// BadDate names a date that was not taken and asks again; what was wrong
// follows from the command: an activity's date is in the future, hours' and
// meetings' in the past.
func (w Words) BadDate(intent, written string) string {
	ex := examples[intent]
	switch intent {
	case "publish_activity":
		return lines(fmt.Sprintf("“%s”这个时间不对：日子不存在，或已经过去了，或离现在太远。请问活动是哪天几点？", inert(written)), "例如发送："+ex)
	case "record_meeting":
		return lines(fmt.Sprintf("“%s”这个日子不对：日子不存在，或还没到，或离现在太久。请问会是哪天开的？", inert(written)), "例如发送："+ex)
	case "appoint", "resign", "record_decision":
		return lines(fmt.Sprintf("“%s”这个日子不对：日子不存在，或还没到，或离现在太久。请问是哪天的事？不写日期就算今天。", inert(written)), "例如发送："+ex)
	}
	return lines(fmt.Sprintf("“%s”这个日子不对：日子不存在，或还没到，或离现在太久。请问是哪天服务的？", inert(written)), "例如发送：昨天服务了2小时 打扫楼道")
}
