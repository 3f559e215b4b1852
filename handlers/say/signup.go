package say

import (
	"fmt"
	"jinqiu"
	"time"
)

func (w Words) SignedUp(name string, a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s报名成功：%s。", namePrefix(name), w.Activity(a, loc)),
		fmt.Sprintf("到场后请发送：签到 %d", a.ID),
		fmt.Sprintf("去不了请发送：取消报名 %d", a.ID),
	)
}

func Waiting(a jinqiu.Activity, pos int) string {
	return lines(
		fmt.Sprintf("%d号【%s】名额已满，您在候补第%d位，有人取消时会在群里@您。", a.ID, inert(a.Title), pos),
		fmt.Sprintf("不想等了请发送：取消报名 %d", a.ID),
	)
}

func (w Words) SignedUpAlready(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("您已经报过名了：%s。", w.Activity(a, loc)),
		fmt.Sprintf("到场后请发送：签到 %d", a.ID),
	)
}

func SignupClosed(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】报名已经截止了。", a.ID, inert(a.Title)),
		"查看其他活动请发送：活动",
	)
}

func NothingToSignUp() string {
	return lines(
		"目前没有可以报名的活动。",
		"查看活动请发送：活动",
	)
}

func PickSignup(opts []string) string {
	return Pick("请问您要报名哪个活动？", opts, "不报了请回复：算了")
}

// Pick asks to pick one of the numbered options, or to stop.
func Pick(question string, opts []string, stop string) string {
	return lines(append(append([]string{question}, opts...), "请回复编号，如："+firstNumber(opts)+"；"+stop)...)
}

func (w Words) ConfirmSignup(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是报名 %s 吗？", w.Activity(a, loc)),
		"确认请回复：是；不报请回复：算了",
	)
}

func CancelledSignup(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("已为您取消 %d号【%s】的报名。", a.ID, inert(a.Title)),
		fmt.Sprintf("想再报名请发送：报名 %d", a.ID),
	)
}

// CheckedInNoCancel: a sign-up whose person checked in stands.
func CheckedInNoCancel(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("您已签到 %d号【%s】，不能取消报名。", a.ID, inert(a.Title)),
		"刚才签错了请发送：撤销",
	)
}

func NotSignedUp(id int64) string {
	return lines(
		fmt.Sprintf("您没有报名 %d号活动。", id),
		"查看您报名的活动请发送：我的",
	)
}

func NothingToCancel() string {
	return lines(
		"您目前没有报名的活动。",
		"查看活动请发送：活动",
	)
}

func PickCancelSignup(opts []string) string {
	return Pick("请问要取消哪个活动的报名？", opts, "不取消了请回复：算了")
}

func (w Words) ConfirmCancelSignup(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是取消 %s 的报名吗？", w.Activity(a, loc)),
		"确认请回复：是；不取消了请回复：算了",
	)
}

// Promoted goes to the group with an @mention of the person promoted.
func (w Words) Promoted(name string, a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s有人取消了报名，您已从候补转为正式报名：%s。", namePrefix(name), w.Activity(a, loc)),
		fmt.Sprintf("到场后请发送：签到 %d", a.ID),
		fmt.Sprintf("去不了请发送：取消报名 %d", a.ID),
	)
}

func namePrefix(name string) string {
	if name == "" {
		return ""
	}
	return inert(name) + "，"
}
