package handlers

// Every word the bot says is in this file, so that the wording can be
// reviewed and changed without touching the rules. Each reply is one to
// five short lines, polite (您), and its last line names the exact command
// to send next. A test checks that no other file of the package (parser
// aside) holds Chinese text.

import (
	"fmt"
	"jinqiu"
	"strconv"
	"strings"
	"time"

	"jinqiu/bot"
	"jinqiu/storage"
)

// ---- formatting ----------------------------------------------------------

var sayWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// words writes for one reader at one time: a date carries its year only
// when that is not the reader's current year (2027年1月5日, but 12月5日).
type words struct{ year int }

// sayDay is a calendar day: 11月28日, or 2027年1月5日 in another year.
func (w words) sayDay(t time.Time) string {
	if w.year != 0 && t.Year() != w.year {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

// sayWhen is an instant in the configured zone: 11月28日 周六 09:00.
func (w words) sayWhen(t time.Time) string {
	return fmt.Sprintf("%s %s %02d:%02d", w.sayDay(t), sayWeekdays[t.Weekday()], t.Hour(), t.Minute())
}

// sayClock is a time of day: 11:00.
func sayClock(t time.Time) string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }

// sayHours writes centihours as hours: 2, 2.5, 1.25.
func sayHours(ch int) string {
	s := strconv.FormatFloat(float64(ch)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func sayCapacity(a jinqiu.Activity) string {
	if a.Unlimited() {
		return "不限"
	}
	return strconv.Itoa(a.Capacity) + "人"
}

func sayPlaces(a jinqiu.Activity) string {
	switch {
	case a.Unlimited():
		return "名额不限"
	case a.Left() == 0:
		return "已满，可候补"
	default:
		return fmt.Sprintf("余%d个名额", a.Left())
	}
}

// sayActivity is one line about an activity: 3号【清理楼道】11月28日 周六 09:00 枣行社区.
func (w words) sayActivity(a jinqiu.Activity, loc *time.Location) string {
	s := fmt.Sprintf("%d号【%s】%s", a.ID, inert(a.Title), w.sayWhen(a.StartsAt.In(loc)))
	if a.Place != "" {
		s += " " + inert(a.Place)
	}
	return s
}

var sayKinds = map[jinqiu.MeetingKind]string{
	jinqiu.BranchAssembly: "支部党员大会",
	jinqiu.Committee:      "支委会",
	jinqiu.PartyGroup:     "党小组会",
	jinqiu.Lecture:        "党课",
	jinqiu.ThemeDay:       "主题党日",
}

func sayKind(k jinqiu.MeetingKind) string {
	if s, ok := sayKinds[k]; ok {
		return s
	}
	return string(k)
}

var sayReportStates = map[string]string{
	jinqiu.HoursPending:  "待审核",
	jinqiu.HoursApproved: "已通过",
	jinqiu.HoursRejected: "已驳回",
	jinqiu.HoursVoid:     "已作废",
}

func (w words) sayReport(r jinqiu.HoursReport) string {
	s := fmt.Sprintf("%d号 %s %s %s小时", r.ID, inert(r.MemberName), w.sayDay(r.ServedOn), sayHours(r.Centihours))
	if r.Note != "" {
		s += " " + inert(r.Note)
	}
	return s
}

func lines(ls ...string) string { return strings.Join(ls, "\n") }

// inert is what a person wrote (a name, a title, a place, a note, a
// reason, a topic), made safe to show in any reply or push on either
// platform: no mention, link, image, markup or line break of its own.
func inert(s string) string { return bot.Inert(s) }

// ---- menus and roles ---------------------------------------------------------

func sayHelp() string {
	return lines(
		"您好，我是金秋助手，可以这样用：",
		"报到、活动、报名 3、取消报名 3、签到",
		"时长 2 打扫楼道（记服务时长）、我的（查记录）",
		"书记：发布活动 标题 时间 地点 名额N、名单 3、通过 5、驳回 5、已开会 支委会、三会一课",
		"先试试发送：活动",
	)
}

func sayUnknown() string {
	return lines(
		"您好，这句话我没听懂。",
		"看活动请发送：活动；报名请发送：报名 活动编号",
		"签到请发送：签到；查记录请发送：我的",
	)
}

func sayNoIdentity() string {
	return "抱歉，我认不出您的账号，不能为您办理。请用本单位的企业微信或钉钉账号发送。"
}

func sayRosterWhere() string {
	return lines(
		"名单里有大家的名字，请在本支部的群里或私聊我查看。",
		"查看活动请发送：活动",
	)
}

func sayNeedRegister(inBranchGroup bool) string {
	if inBranchGroup {
		return "您还没有报到，请先发送：报到"
	}
	return "您还没有报到，请在本社区的群里发送：报到（或在这里发送：报到 社区名称）"
}

func sayNotHere() string {
	return lines(
		"您报到在其他支部，不在本群的支部。",
		"如需改到本支部，请发送：报到",
	)
}

func sayNotSecretary() string {
	return lines(
		"这项操作需要本支部书记来办理。",
		"查看活动请发送：活动",
	)
}

func sayAskInBranchGroup() string {
	return lines(
		"这项操作请到对应支部的群里发送。",
		"查看帮助请发送：帮助",
	)
}

// ---- register ------------------------------------------------------------------

func (w words) sayRegistered(name string, b jinqiu.Branch, on time.Time) string {
	return lines(
		fmt.Sprintf("欢迎您%s！已在【%s】报到（%s）。", nameComma(name), b.Name, w.sayDay(on)),
		"查看活动请发送：活动",
	)
}

func sayRegisteredAlready(b jinqiu.Branch) string {
	return lines(
		fmt.Sprintf("您已经在【%s】报到过了，不用再报。", b.Name),
		"查看活动请发送：活动",
	)
}

func sayRegisterMoved(b jinqiu.Branch) string {
	return lines(
		fmt.Sprintf("已为您改到【%s】报到，原来的记录都保留着。", b.Name),
		"查看活动请发送：活动",
	)
}

func sayRegisterNeedCommunity() string {
	return "请告诉我您的社区或村的名称，例如发送：报到 枣行社区"
}

func sayRegisterNoSuchCommunity(place string) string {
	return lines(
		fmt.Sprintf("没有找到“%s”，请核对名称。", inert(place)),
		"请重新发送，例如：报到 枣行社区",
	)
}

func sayRegisterConfirm(b jinqiu.Branch) string {
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

// ---- activities ----------------------------------------------------------------

func (w words) sayActivityList(b jinqiu.Branch, acts []jinqiu.Activity, loc *time.Location) (head string, body []string) {
	if len(acts) == 0 {
		return fmt.Sprintf("【%s】近期还没有活动。", b.Name), []string{"书记发布活动请发送：发布活动 标题 时间 地点 名额N"}
	}
	for _, a := range acts {
		body = append(body, w.sayActivity(a, loc)+" "+sayPlaces(a))
	}
	body = append(body, fmt.Sprintf("报名请发送：报名 编号（如 报名 %d）", acts[0].ID))
	return fmt.Sprintf("【%s】近期活动：", b.Name), body
}

func sayPublishNeedMore() string {
	return lines(
		"请写清活动的标题和时间。",
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func sayPublishPast() string {
	return lines(
		"这个时间已经过去了，请换一个以后的时间。",
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func (w words) sayPublished(a jinqiu.Activity, loc *time.Location) string {
	place := inert(a.Place)
	if place == "" {
		place = "未填"
	}
	ls := []string{
		fmt.Sprintf("已发布 %d号活动【%s】。", a.ID, inert(a.Title)),
		fmt.Sprintf("时间：%s–%s，地点：%s，名额：%s", w.sayWhen(a.StartsAt.In(loc)), sayClock(a.EndsAt.In(loc)), place, sayCapacity(a)),
	}
	if a.SignupDeadline.Valid {
		ls = append(ls, fmt.Sprintf("报名截止：%s", w.sayWhen(a.SignupDeadline.Time.In(loc))))
	}
	ls = append(ls, fmt.Sprintf("大家报名请发送：报名 %d", a.ID))
	return lines(ls...)
}

func sayPublishTooLong(maxCentihours int) string {
	return lines(
		fmt.Sprintf("一次活动最长%s小时，请改短一些。", sayHours(maxCentihours)),
		"例如发送：发布活动 清理楼道 明天上午9点到11点 枣行社区 名额20",
	)
}

func (w words) sayPublishDeadlineAfterStart(deadline, start time.Time) string {
	return lines(
		fmt.Sprintf("报名截止时间（%s）要早于活动开始时间（%s）。", w.sayWhen(deadline), w.sayWhen(start)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 报名截止今晚8点",
	)
}

func sayBadCapacity(written string, max int) string {
	return lines(
		fmt.Sprintf("“%s”不是人数，名额请写 1 到 %d 之间的整数；不限人数就不写名额。", inert(written), max),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

// sayTooLong refuses text over its limit (what names the field; example
// is a command to send).
func sayTooLong(what string, n, max int, example string) string {
	return lines(
		fmt.Sprintf("%s最多写 %d 个字，您写了 %d 个字，请写短一些再发。", what, max, n),
		"例如发送："+example,
	)
}

// Fields and examples for sayTooLong.
const (
	sayFieldTitle     = "活动名称"
	sayFieldPlace     = "地点"
	sayFieldNote      = "做了什么"
	sayFieldReason    = "驳回原因"
	sayFieldTopic     = "会议主题"
	sayExamplePublish = "发布活动 清理楼道 明天上午9点 枣行社区 名额20"
	sayExampleHours   = "时长 2 打扫楼道"
	sayExampleReject  = "驳回 17 日期不对"
	sayExampleMeeting = "已开会 支委会 今天 学习会议精神"
)

func (w words) sayPublishTooFar(start time.Time) string {
	return lines(
		fmt.Sprintf("活动最远只能安排在一年以内，%s太远了，请核对日期。", w.sayDay(start)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 名额20",
	)
}

func (w words) sayMeetingBeforeInstall(on, since time.Time) string {
	return lines(
		fmt.Sprintf("金秋助手从%s开始记录，%s的会议请记在纸质台账上。", w.sayDay(since), w.sayDay(on)),
		"查看开会情况请发送：三会一课",
	)
}

func (w words) sayPublishDeadlinePast(deadline time.Time) string {
	return lines(
		fmt.Sprintf("报名截止时间（%s）已经过去了，请换一个以后的时间。", w.sayWhen(deadline)),
		"例如发送：发布活动 清理楼道 明天上午9点 枣行社区 报名截止今晚8点",
	)
}

func sayActivityNotFound(id int64) string {
	return lines(
		fmt.Sprintf("没有找到 %d号活动。", id),
		"查看本支部的活动请发送：活动",
	)
}

func sayActivityCancelledAlready(id int64) string {
	return lines(
		fmt.Sprintf("%d号活动已经取消了。", id),
		"查看其他活动请发送：活动",
	)
}

func sayActivityStarted(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】已经开始，不能再取消了。", a.ID, inert(a.Title)),
		"查看活动请发送：活动",
	)
}

func sayActivityCancelled(a jinqiu.Activity, told int) string {
	return lines(
		fmt.Sprintf("已取消 %d号【%s】，已在群里通知 %d 位报名的人。", a.ID, inert(a.Title), told),
		"发布新活动请发送：发布活动 标题 时间 地点 名额N",
	)
}

// sayCancelNotice goes to the group with an @mention of every signee.
func (w words) sayCancelNotice(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("通知：%d号活动【%s】（%s）取消了，给您添麻烦了。", a.ID, inert(a.Title), w.sayWhen(a.StartsAt.In(loc))),
		"查看其他活动请发送：活动",
	)
}

func (w words) sayRoster(a jinqiu.Activity, es []storage.RosterEntry, loc *time.Location) (head string, body []string) {
	var confirmed, waiting []string
	checked := 0
	for _, e := range es {
		n := inert(e.Name)
		if n == "" {
			n = "（未留名）"
		}
		if e.State == jinqiu.SignupConfirmed {
			if e.CheckedIn {
				n += "✓"
				checked++
			}
			confirmed = append(confirmed, n)
		} else {
			waiting = append(waiting, n)
		}
	}
	head = w.sayActivity(a, loc)
	places := strconv.Itoa(len(confirmed))
	if !a.Unlimited() {
		places += "/" + strconv.Itoa(a.Capacity)
	}
	if len(confirmed) == 0 {
		body = append(body, "还没有人报名。")
	} else {
		body = append(body, fmt.Sprintf("已报名 %s：%s", places, strings.Join(confirmed, "、")))
	}
	if len(waiting) > 0 {
		body = append(body, fmt.Sprintf("候补 %d：%s", len(waiting), strings.Join(waiting, "、")))
	}
	body = append(body, fmt.Sprintf("已签到 %d 人（✓）。取消活动请发送：取消活动 %d", checked, a.ID))
	return head, body
}

// ---- sign-up -------------------------------------------------------------------

func (w words) saySignedUp(name string, a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s报名成功：%s。", namePrefix(name), w.sayActivity(a, loc)),
		fmt.Sprintf("到场后请发送：签到 %d", a.ID),
		fmt.Sprintf("去不了请发送：取消报名 %d", a.ID),
	)
}

func sayWaiting(a jinqiu.Activity, pos int) string {
	return lines(
		fmt.Sprintf("%d号【%s】名额已满，您在候补第%d位，有人取消时会在群里@您。", a.ID, inert(a.Title), pos),
		fmt.Sprintf("不想等了请发送：取消报名 %d", a.ID),
	)
}

func (w words) saySignedUpAlready(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("您已经报过名了：%s。", w.sayActivity(a, loc)),
		fmt.Sprintf("到场后请发送：签到 %d", a.ID),
	)
}

func saySignupClosed(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】报名已经截止了。", a.ID, inert(a.Title)),
		"查看其他活动请发送：活动",
	)
}

func sayNothingToSignUp() string {
	return lines(
		"目前没有可以报名的活动。",
		"查看活动请发送：活动",
	)
}

func sayPickSignup(opts []string) string {
	return sayPick("请问您要报名哪个活动？", opts, "不报了请回复：算了")
}

// sayPick asks to pick one of the numbered options, or to stop.
func sayPick(question string, opts []string, stop string) string {
	return lines(append(append([]string{question}, opts...), "请回复编号，如："+firstNumber(opts)+"；"+stop)...)
}

func (w words) sayConfirmSignup(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是报名 %s 吗？", w.sayActivity(a, loc)),
		"确认请回复：是；不报请回复：算了",
	)
}

func sayCancelledSignup(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("已为您取消 %d号【%s】的报名。", a.ID, inert(a.Title)),
		fmt.Sprintf("想再报名请发送：报名 %d", a.ID),
	)
}

func sayNotSignedUp(id int64) string {
	return lines(
		fmt.Sprintf("您没有报名 %d号活动。", id),
		"查看您报名的活动请发送：我的",
	)
}

func sayNothingToCancel() string {
	return lines(
		"您目前没有报名的活动。",
		"查看活动请发送：活动",
	)
}

func sayPickCancelSignup(opts []string) string {
	return sayPick("请问要取消哪个活动的报名？", opts, "不取消了请回复：算了")
}

func (w words) sayConfirmCancelSignup(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是取消 %s 的报名吗？", w.sayActivity(a, loc)),
		"确认请回复：是；不取消了请回复：算了",
	)
}

// sayPromoted goes to the group with an @mention of the person promoted.
func (w words) sayPromoted(name string, a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s有人取消了报名，您已从候补转为正式报名：%s。", namePrefix(name), w.sayActivity(a, loc)),
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

// ---- check-in -------------------------------------------------------------------

func sayCheckedIn(name string, a jinqiu.Activity, credited int) string {
	ls := []string{fmt.Sprintf("%s签到成功：%d号【%s】。", namePrefix(name), a.ID, inert(a.Title))}
	if credited > 0 {
		ls = append(ls, fmt.Sprintf("已为您记服务时长 %s 小时。", sayHours(credited)))
	}
	return lines(append(ls, "查看记录请发送：我的")...)
}

func sayCheckedInAlready(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("您已经签到过了：%d号【%s】。", a.ID, inert(a.Title)),
		"查看记录请发送：我的",
	)
}

func (w words) sayCheckinTooEarly(a jinqiu.Activity, opens time.Time, loc *time.Location) string {
	return lines(
		fmt.Sprintf("%s 开始，%s 以后才能签到。", w.sayActivity(a, loc), sayClock(opens.In(loc))),
		fmt.Sprintf("到时请发送：签到 %d", a.ID),
	)
}

func sayCheckinClosed(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】已经结束，签到已关闭。", a.ID, inert(a.Title)),
		"补记时长请发送：时长 小时数 做了什么",
	)
}

func sayCheckinFull(a jinqiu.Activity) string {
	return lines(
		fmt.Sprintf("%d号【%s】名额已满，不能现场签到。", a.ID, inert(a.Title)),
		"查看其他活动请发送：活动",
	)
}

func sayCheckinWaiting(a jinqiu.Activity, pos int) string {
	return lines(
		fmt.Sprintf("您在 %d号【%s】候补第%d位，还没有名额，暂时不能签到。", a.ID, inert(a.Title), pos),
		"有名额时会在群里@您；查看记录请发送：我的",
	)
}

func sayNothingToCheckIn() string {
	return lines(
		"现在没有可以签到的活动（活动开始前半小时到结束后半小时可以签到）。",
		"查看活动请发送：活动",
	)
}

func sayPickCheckin(opts []string) string {
	return sayPick("请问您要签到哪个活动？", opts, "不签了请回复：算了")
}

// ---- hours ------------------------------------------------------------------------

func sayHoursNeedNumber() string {
	return lines(
		"请写上服务了几个小时。",
		"例如发送：时长 2 打扫楼道",
	)
}

func (w words) sayHoursReported(r jinqiu.HoursReport) string {
	note := ""
	if r.Note != "" {
		note = "（" + inert(r.Note) + "）"
	}
	return lines(
		fmt.Sprintf("已记录：%s 服务 %s 小时%s，编号 %d，等书记审核。", w.sayDay(r.ServedOn), sayHours(r.Centihours), note, r.ID),
		"查看记录请发送：我的",
		fmt.Sprintf("书记审核请发送：通过 %d", r.ID),
	)
}

func (w words) sayHoursDayLimit(on time.Time, used, limit int) string {
	left := limit - used
	if left <= 0 {
		return lines(
			fmt.Sprintf("一天最多记 %s 小时，您%s已经记满了。", sayHours(limit), w.sayDay(on)),
			"查看记录请发送：我的",
		)
	}
	return lines(
		fmt.Sprintf("一天最多记 %s 小时，您%s已记 %s 小时，最多还能记 %s 小时。", sayHours(limit), w.sayDay(on), sayHours(used), sayHours(left)),
		fmt.Sprintf("请重新发送，例如：时长 %s", sayHours(left)),
	)
}

func (w words) sayHoursFuture(on time.Time) string {
	return lines(
		fmt.Sprintf("%s还没到，不能提前记时长。", w.sayDay(on)),
		"请发送当天或以前的，例如：时长 2 打扫楼道",
	)
}

func (w words) sayHoursTooOld(on time.Time, days int) string {
	return lines(
		fmt.Sprintf("只能补记 %d 天以内的时长，%s已经超过了。", days, w.sayDay(on)),
		"如有疑问请联系支部书记；查看记录请发送：我的",
	)
}

func sayReportNotFound(id int64) string {
	return lines(
		fmt.Sprintf("没有找到 %d号时长记录。", id),
		"查看待审核的请发送：通过",
	)
}

func sayReportDecided(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%d号时长记录已经审核过了（%s）。", r.ID, sayReportStates[r.State]),
		"查看待审核的请发送：通过",
	)
}

func sayNothingPending() string {
	return lines(
		"目前没有待审核的时长。",
		"查看活动请发送：活动",
	)
}

func sayPickReport(approve bool, opts []string) string {
	if approve {
		return sayPick("待审核的时长（回复编号即通过）：", opts, "不处理请回复：算了")
	}
	return sayPick("待审核的时长（回复编号即驳回）：", opts, "不处理请回复：算了")
}

func (w words) sayConfirmApprove(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("是通过 %s 吗？", w.sayReport(r)),
		"确认请回复：是；不处理请回复：算了",
	)
}

func (w words) sayRejectAskReason(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("要驳回 %s，请回复驳回的原因，如：日期不对", w.sayReport(r)),
		"不驳回了请回复：算了",
	)
}

func (w words) sayApproved(r jinqiu.HoursReport, stillPending int) string {
	next := "待审核的都处理完了。查看活动请发送：活动"
	if stillPending > 0 {
		next = fmt.Sprintf("还有 %d 条待审核，请发送：通过", stillPending)
	}
	return lines(fmt.Sprintf("已通过：%s。", w.sayReport(r)), next)
}

func sayRejected(r jinqiu.HoursReport, stillPending int) string {
	next := "待审核的都处理完了。查看活动请发送：活动"
	if stillPending > 0 {
		next = fmt.Sprintf("还有 %d 条待审核，请发送：通过", stillPending)
	}
	return lines(fmt.Sprintf("已驳回 %d号，已把原因告诉%s。", r.ID, inert(r.MemberName)), next)
}

// sayApprovedNotice goes to the group with an @mention of the member.
func (w words) sayApprovedNotice(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%s您%s的 %s 小时服务时长已通过审核，谢谢您！", namePrefix(r.MemberName), w.sayDay(r.ServedOn), sayHours(r.Centihours)),
		"查看记录请发送：我的",
	)
}

// sayRejectedNotice goes to the group with an @mention of the member.
func (w words) sayRejectedNotice(r jinqiu.HoursReport) string {
	return lines(
		fmt.Sprintf("%s您%s的 %s 小时服务时长没有通过审核，原因：%s。", namePrefix(r.MemberName), w.sayDay(r.ServedOn), sayHours(r.Centihours), inert(r.Reason)),
		"如有疑问请联系支部书记；重新上报请发送：时长 小时数 做了什么",
	)
}

// ---- my record ----------------------------------------------------------------

func (w words) sayMyStats(name string, s storage.MemberStats, mine []storage.MySignup, loc *time.Location) (head string, body []string) {
	head = fmt.Sprintf("%s您的服务记录：", namePrefix(name))
	body = append(body, fmt.Sprintf("本月 %s 小时，今年 %s 小时，今年签到 %d 次", sayHours(s.MonthCentihours), sayHours(s.YearCentihours), s.YearCheckins))
	if s.PendingCount > 0 {
		body = append(body, fmt.Sprintf("待审核 %s 小时（%d 条）", sayHours(s.PendingCentihours), s.PendingCount))
	} else {
		body = append(body, "没有待审核的时长")
	}
	if len(mine) > 0 {
		var ss []string
		for _, m := range mine {
			t := fmt.Sprintf("%d号【%s】%s", m.ID, inert(m.Title), w.sayWhen(m.StartsAt.In(loc)))
			if m.SignupState == jinqiu.SignupWaiting {
				t += fmt.Sprintf("（候补第%d位）", m.Position)
			}
			ss = append(ss, t)
		}
		body = append(body, "已报名："+strings.Join(ss, "；"))
		body = append(body, fmt.Sprintf("到场后请发送：签到 %d", mine[0].ID))
	} else {
		body = append(body, "看活动请发送：活动")
	}
	return head, body
}

// ---- meetings --------------------------------------------------------------------

func sayMeetingNeedKind() string {
	return lines(
		"请写明是什么会：支部党员大会、支委会、党小组会、党课或主题党日。",
		"例如发送：已开会 支委会 11月18日 学习会议精神",
	)
}

func (w words) sayMeetingFuture(on time.Time) string {
	return lines(
		fmt.Sprintf("%s还没到，请开完会后再记录。", w.sayDay(on)),
		"查看开会情况请发送：三会一课",
	)
}

func (w words) sayMeetingRecorded(m jinqiu.Meeting) string {
	topic := ""
	if m.Topic != "" {
		topic = "，主题：" + inert(m.Topic)
	}
	return lines(
		fmt.Sprintf("已记录：%s %s%s。", w.sayDay(m.HeldOn), sayKind(m.Kind), topic),
		"查看开会情况请发送：三会一课",
	)
}

func (w words) sayMeetingRecordedAlready(m jinqiu.Meeting) string {
	return lines(
		fmt.Sprintf("%s的%s已经记录过了。", w.sayDay(m.HeldOn), sayKind(m.Kind)),
		"查看开会情况请发送：三会一课",
	)
}

func (w words) sayMeetingStatus(b jinqiu.Branch, today time.Time, items []meetingItem) (head string, body []string) {
	head = fmt.Sprintf("【%s】%d月（第%d季度）三会一课：", b.Name, today.Month(), (int(today.Month())+2)/3)
	var done, due []string
	for _, it := range items {
		if it.Done {
			done = append(done, fmt.Sprintf("%s（%s）", sayKind(it.Kind), w.sayDay(it.HeldOn)))
			continue
		}
		when := w.sayDay(it.Deadline) + "前"
		if it.Overdue {
			when = w.sayDay(it.Deadline) + "，已过期"
		}
		due = append(due, fmt.Sprintf("%s（%s）", sayKind(it.Kind), when))
	}
	if len(done) > 0 {
		body = append(body, "已开："+strings.Join(done, "、"))
	} else {
		body = append(body, "已开：还没有记录")
	}
	if len(due) > 0 {
		body = append(body, "待开："+strings.Join(due, "、"))
	} else {
		body = append(body, "待开：都开齐了")
	}
	return head, append(body, "开完会请发送：已开会 会议名称 日期（如 已开会 支委会 今天）")
}

func sayMeetingOverview(today time.Time, total int, behind []string) (head string, body []string) {
	head = fmt.Sprintf("%d月（第%d季度）三会一课：共 %d 个支部", today.Month(), (int(today.Month())+2)/3, total)
	if len(behind) == 0 {
		body = append(body, "各支部都开齐了。")
	} else {
		shown := behind
		more := ""
		if len(shown) > 10 {
			shown, more = shown[:10], fmt.Sprintf(" 等 %d 个", len(behind))
		}
		body = append(body, fmt.Sprintf("还没开齐（%d 个）：%s%s", len(behind), strings.Join(shown, "、"), more))
	}
	return head, append(body, "查看某个支部请在该支部群里发送：三会一课")
}

func sayMeetingBehind(name string, kinds []jinqiu.MeetingKind) string {
	var ks []string
	for _, k := range kinds {
		ks = append(ks, sayKind(k))
	}
	return name + "（" + strings.Join(ks, "、") + "）"
}

// ---- digest ------------------------------------------------------------------------

func (w words) sayPeriod(week bool, offset int, from, to time.Time) string {
	last := to.AddDate(0, 0, -1)
	name := map[bool]map[int]string{
		true:  {0: "本周", -1: "上周", 1: "下周"},
		false: {0: "本月", -1: "上月", 1: "下月"},
	}[week][offset]
	if name == "" {
		name = "这段时间"
	}
	return fmt.Sprintf("%s（%s–%s）", name, w.sayDay(from), w.sayDay(last))
}

func sayBranchDigest(period string, b storage.BranchActivity, held []jinqiu.MeetingKind) (head string, body []string) {
	meetings := "本期没有会议记录"
	if len(held) > 0 {
		var ks []string
		for _, k := range held {
			ks = append(ks, sayKind(k))
		}
		meetings = "本期开过：" + strings.Join(ks, "、")
	}
	return fmt.Sprintf("【%s】%s：", b.Name, period), []string{
		fmt.Sprintf("新报到 %d 人，现有 %d 人；活动 %d 场，报名 %d 人次，签到 %d 人次", b.NewMembers, b.Members, b.Activities, b.Signups, b.Attended),
		fmt.Sprintf("服务时长 %s 小时；%s", sayHours(b.Centihours), meetings),
		"查看三会一课请发送：三会一课",
	}
}

// Programme lines as the bureau reports them.
var sayLines = map[jinqiu.BranchKind]string{jinqiu.Community: "城市（社区治理）", jinqiu.Rural: "乡镇（乡村振兴）"}

func sayBureauDigest(period string, byLine map[jinqiu.BranchKind]storage.BranchActivity, counts map[jinqiu.BranchKind]int) (head string, body []string) {
	head = fmt.Sprintf("全区%s：", period)
	for _, k := range jinqiu.Lines() {
		b, ok := byLine[k]
		if !ok {
			continue
		}
		body = append(body, fmt.Sprintf("%s %d 个支部：新报到 %d 人，活动 %d 场，签到 %d 人次，服务 %s 小时",
			sayLines[k], counts[k], b.NewMembers, b.Activities, b.Attended, sayHours(b.Centihours)))
	}
	return head, append(body, "查看开会情况请发送：三会一课")
}

// ---- dialogues -------------------------------------------------------------------

func sayDialogueEnded() string {
	return lines(
		"好的，这件事先不办了。",
		"需要时请再发送，如：活动",
	)
}

// sayDialogueAgain asks again: for a number (first is the first one
// offered), or, when first is 0, for a yes.
func sayDialogueAgain(first int64) string {
	if first != 0 {
		return fmt.Sprintf("请回复上面列出的编号，如：%d；不办了请回复：算了", first)
	}
	return "确认请回复：是；不办了请回复：算了"
}

// dialogue words: a reply of one of these ends or confirms a dialogue.
var (
	sayStopWords = []string{"取消", "算了", "不用了", "不要了", "不了", "退出", "不", "否", "不是"}
	sayYesWords  = []string{"是", "是的", "对", "对的", "确认", "确定", "好", "好的", "嗯", "可以", "行", "要", "yes", "y"}
)

func firstNumber(opts []string) string {
	if len(opts) == 0 {
		return "1"
	}
	if i := strings.Index(opts[0], "号"); i > 0 {
		return opts[0][:i]
	}
	return "1"
}

func sayNothingToManage() string {
	return lines(
		"本支部目前没有还没开始的活动。",
		"发布活动请发送：发布活动 标题 时间 地点 名额N",
	)
}

func sayPickCancelActivity(opts []string) string {
	return sayPick("请问要取消哪个活动？", opts, "不取消了请回复：算了")
}

func (w words) sayConfirmCancelActivity(a jinqiu.Activity, loc *time.Location) string {
	return lines(
		fmt.Sprintf("是取消活动 %s 吗？报名的人会收到通知。", w.sayActivity(a, loc)),
		"确认请回复：是；不取消了请回复：算了",
	)
}

func sayPickRoster(opts []string) string {
	return sayPick("请问要看哪个活动的名单？", opts, "不看了请回复：算了")
}
