package command

import "strings"

// 三会一课 and 主题党日, as secretaries record them and ask how they stand.
const (
	IntentRecordMeeting Intent = "record_meeting"
	IntentMeetingStatus Intent = "meeting_status"
)

// recordMeetingGrammar reads 已开会 支委会 [日期] [主题].
func recordMeetingGrammar() grammar {
	return grammar{
		intent: IntentRecordMeeting,
		words: func(d *dictBuilder) {
			d.kw(IntentRecordMeeting, 0, "已开会", "已召开", "记录会议", "会议记录", "登记会议", "会议已开", "已开完会")
			d.add(dictWord{class: wcWeak, intent: IntentRecordMeeting}, "已开", "已开展", "已上", "已举行", "已举办", "已组织",
				"已完成", "开过了", "讲完了", "上过了", "开完了", "讲过了", "召开了", "开了", "上了", "举行了", "开展了",
				"组织了", "完成了", "召开", "已讲", "讲了")
		},
		company: kindNamed,
		args:    true,
		read:    (*msgParser).parseMeeting,
	}
}

// kindNamed: 已开 and kin need a meeting kind somewhere in the message.
func kindNamed(p *msgParser, _ int) bool {
	for i := range p.segs {
		if p.segs[i].kind == segWord && p.segs[i].w.class == wcKind {
			return true
		}
	}
	return false
}

// meetingStatusGrammar reads 三会一课 and kin.
func meetingStatusGrammar() grammar {
	return grammar{
		intent: IntentMeetingStatus,
		words: func(d *dictBuilder) {
			d.kw(IntentMeetingStatus, tMeet, "三会一课", "开会情况", "会议情况", "哪些会没开", "会没开", "还有哪些会",
				"组织生活情况", "组织生活", "会议进度", "开会进度", "三会一课情况", "会议完成情况", "开了没", "开了吗", "开没开",
				"开了没有", "没开会", "哪些会", "开展情况", "召开情况")
			d.add(dictWord{class: wcNoun, tags: tMeet}, "会", "会议", "情况", "没开", "还没开", "进度")
		},
		tolerates: tMeet | tPeriod | tWh | tQ | tKind,
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentMeetingStatus) },
	}
}

func (p *msgParser) parseMeeting() (Command, fit) {
	if p.firstCommand(IntentRecordMeeting) < 0 {
		return Command{}, fitNo
	}
	if p.question {
		return Command{Intent: IntentHelp}, fitYes // 党课上了吗 asks, it does not record
	}
	cmd := Command{Intent: IntentRecordMeeting}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind != segWord {
			continue
		}
		switch {
		case sg.w.intent == IntentRecordMeeting && (sg.w.class == wcKeyword || sg.w.class == wcWeak):
			sg.used = true
		case sg.w.class == wcKind && cmd.Kind == "":
			cmd.Kind = sg.w.kind
			sg.used = true
		}
	}
	for i := range p.segs {
		if sg := &p.segs[i]; sg.kind == segAttend && !sg.bad {
			// 应到9人 实到7人 送学上门2人: attendance counts after a meeting word.
			sg.used = true
			cmd.setAttendance(sg)
		}
	}
	if !p.datedAsMeeting(&cmd) {
		return Command{}, fitUnclear
	}
	// The topic is the descriptive text left over, but a token that only
	// restates the meeting (书记讲党课 after 已上党课) is no topic: it holds
	// nothing but the meeting's own kind and who held it.
	drop := func(i int) bool {
		sg := &p.segs[i]
		if sg.kind != segWord {
			return false
		}
		switch sg.w.class {
		case wcFiller, wcLabel, wcPod, wcPeriod, wcRestate:
			return true
		case wcKind:
			return sg.w.kind == cmd.Kind
		}
		return false
	}
	cmd.Topic = strings.Join(p.texts(nil, 0, len(p.segs), drop), " ")
	return cmd, fitYes
}

// setAttendance records an attendance segment (the first of each kind).
func (c *Command) setAttendance(sg *lexSegment) {
	n := int(sg.num.val)
	switch {
	case sg.attend == attendExpected && c.Expected == 0:
		c.Expected = n
	case sg.attend == attendPresent && c.Present == 0:
		c.Present = n
	case sg.attend == attendDelivered && c.Delivered == 0:
		c.Delivered = n
	}
}

// datedAsMeeting sets the date of a meeting or registry entry: the one
// date written (default today), or the date not taken and why. It reports
// false for two different dates.
func (p *msgParser) datedAsMeeting(cmd *Command) bool {
	date, bad, why, v := p.dateFor(useMeeting)
	switch {
	case v != fitYes:
		return false
	case bad != "":
		cmd.BadDate, cmd.BadDateWhy = bad, why
	case date.IsZero():
		cmd.Date = p.today
	default:
		cmd.Date = date
	}
	return true
}
