package command

import "strings"

// Volunteer hours, as members report them and secretaries decide on them.
const (
	IntentReportHours  Intent = "report_hours"
	IntentMyStats      Intent = "my_stats"
	IntentApproveHours Intent = "approve_hours"
)

// reportHoursGrammar reads 时长 N 做了什么 and 服务了N小时.
func reportHoursGrammar() grammar {
	return grammar{
		intent: IntentReportHours,
		words: func(d *dictBuilder) {
			d.kw(IntentReportHours, tHours|tStats, "时长", "服务时长", "志愿时长", "记时长", "上报时长", "报时长", "填报时长",
				"登记时长", "录入时长", "补报时长", "志愿服务时长", "报个时长", "填时长", "记录时长", "申报时长", "记个时长",
				"报一下时长", "记一下时长")
			d.slips(IntentReportHours, tHours|tStats, "时常", "实长")
			d.add(dictWord{class: wcBlock}, "报错了", "填错了", "记错了", "写错了", "报错", "填错")
			// 整了 干了 弄了 忙了: spoken for 服务了 in an hours report.
			d.add(dictWord{class: wcWeak, intent: IntentReportHours, tags: tStats}, "服务", "服务了", "志愿服务", "志愿服务了",
				"整了", "干了", "弄了", "忙了")
		},
		tolerates: tHours | tStats,
		company:   hoursFollow,
		args:      true,
		note:      true,
		read:      (*msgParser).parseReport,
	}
}

// hoursFollow: 服务 needs an amount of time right after it (fillers aside).
func hoursFollow(p *msgParser, i int) bool {
	for j := i + 1; j < len(p.segs); j++ {
		nx := &p.segs[j]
		if nx.kind == segSpace || nx.kind == segWord && nx.w.class == wcFiller {
			continue
		}
		return nx.kind == segHours || nx.kind == segInexact
	}
	return false
}

// myStatsGrammar reads 我的记录 and kin.
func myStatsGrammar() grammar {
	return grammar{
		intent: IntentMyStats,
		words: func(d *dictBuilder) {
			d.kw(IntentMyStats, tAct, "我的")
			d.kw(IntentMyStats, 0, "我的时长", "我的记录", "我的积分", "查询我的", "我报了哪些活动", "我报了哪些", "我报名了哪些", "我报了几个", "我报名了几个", "我参加了几个",
				"我参加了哪些", "我参加过哪些", "参加了哪些", "我的活动", "我的报名", "个人记录", "我的情况", "我的统计",
				"我的服务时长", "我的志愿时长", "查我的", "查询时长", "查时长", "查看时长", "看时长", "时长查询", "我报的活动",
				"我报的", "我参加的活动", "我报名的活动", "我的岗位", "我的职务")
			d.add(dictWord{class: wcNoun, tags: tStats | tHours}, "记录")
			d.add(dictWord{class: wcNoun, tags: tStats}, "积分", "统计", "累计", "总共", "一共", "次数", "总计", "小时")
		},
		tolerates: tStats | tHours | tAct | tPeriod | tWh | tQ,
		allows:    func(p *msgParser, i int) bool { return p.segs[i].kind == segDate },
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentMyStats) },
	}
}

// approveGrammar reads 通过 N.
func approveGrammar() grammar {
	return grammar{
		intent: IntentApproveHours,
		words: func(d *dictBuilder) {
			d.kw(IntentApproveHours, 0, "通过", "审核通过", "同意", "同意时长", "批准", "核准", "审批通过", "通过审核", "确认通过")
		},
		tolerates: tHours,
		allows:    numbers,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseRef(IntentApproveHours, true) },
	}
}

func (p *msgParser) parseReport() (Command, fit) {
	kw := p.firstCommand(IntentReportHours)
	if kw < 0 {
		return Command{}, fitNo
	}
	// Only a date may come before the command word: "他服务了3小时" is not the
	// sender's report.
	for i := 0; i < kw; i++ {
		sg := &p.segs[i]
		switch {
		case sg.kind == segSpace, sg.kind == segDate, p.domAt(i):
		case sg.kind == segWord && (sg.w.class == wcFiller || sg.w.class == wcPod || sg.w.class == wcLabel):
		default:
			return Command{}, fitNo
		}
	}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == IntentReportHours &&
			(sg.w.class == wcKeyword || sg.w.class == wcWeak && p.weakOK(i)) {
			sg.used = true
		}
	}

	amount, n, inexact := -1, 0, -1
	for i := range p.segs {
		switch p.segs[i].kind {
		case segHours:
			if n++; amount < 0 {
				amount = i
			}
		case segInexact:
			if inexact < 0 {
				inexact = i
			}
		}
	}
	// A bare number standing on its own after the command word: 时长 2. It
	// counts even next to an N小时, where it makes the amount unclear.
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		if sg.kind != segNum || sg.num.ref {
			continue
		}
		before := p.segs[i-1].kind == segSpace || i-1 == kw
		after := i+1 == len(p.segs) || p.segs[i+1].kind == segSpace
		if before && after && p.decides(i) {
			// 时长填错了 驳回 17: the number is the report decided on, and
			// the message a decision, not a report of 17 hours.
			return Command{}, fitNo
		}
		if before && after {
			if n++; amount < 0 {
				amount = i
			}
		}
	}
	cmd := Command{Intent: IntentReportHours}
	switch {
	case n > 1:
		// 时长2小时 3小时: which one? The handler asks.
		cmd.TwoAmounts = true
		for i := range p.segs {
			if k := p.segs[i].kind; k == segHours || k == segNum && !p.segs[i].num.ref {
				p.segs[i].used = true
			}
		}
	case amount >= 0 && p.approxBefore(amount):
		// 大概2小时: not exact either.
		sg := &p.segs[amount]
		sg.used = true
		p.segs[amount-1].used = true
		cmd.Inexact = p.s[p.segs[amount-1].start:sg.end]
	case amount >= 0:
		sg := &p.segs[amount]
		sg.used = true
		switch {
		case sg.kind == segHours && !sg.bad:
			cmd.Hours = roundHours(sg.num.val)
		case sg.kind == segNum && !sg.num.bad:
			cmd.Hours = roundHours(sg.num.val)
		}
	case inexact >= 0:
		// 两个多小时, 半天: no amount; the handler asks for the number.
		p.segs[inexact].used = true
		cmd.Inexact = p.s[p.segs[inexact].start:p.segs[inexact].end]
	}
	date, bad, why, v := p.dateFor(useHours)
	if v != fitYes {
		return Command{}, v
	}
	switch {
	case bad != "":
		cmd.BadDate, cmd.BadDateWhy = bad, why
	case date.IsZero():
		cmd.Date = p.today
	default:
		cmd.Date = date
	}

	if cmd.Hours == 0 && cmd.Inexact == "" && !cmd.TwoAmounts {
		for i := range p.segs {
			if sg := &p.segs[i]; sg.kind == segWord && sg.w.class == wcBlock {
				return Command{}, fitNo // 时长报错了: about a report, not one
			}
		}
		if p.onlyAsks() {
			return Command{Intent: IntentMyStats}, fitYes // 时长多少
		}
		if p.question {
			return Command{Intent: IntentHelp}, fitYes // 时长怎么报
		}
	}
	cmd.Note = strings.Join(p.texts(nil, 0, len(p.segs), p.dropNote), " ")
	return cmd, fitYes
}

// decides reports whether the number at i directly follows (spaces and
// fillers aside) a word that approves or rejects hours.
func (p *msgParser) decides(i int) bool {
	for j := i - 1; j >= 0; j-- {
		sg := &p.segs[j]
		if sg.kind == segSpace || sg.kind == segWord && sg.w.class == wcFiller {
			continue
		}
		return sg.kind == segWord && sg.w.class == wcKeyword &&
			(sg.w.intent == IntentApproveHours || sg.w.intent == IntentRejectHours)
	}
	return false
}

// onlyAsks reports whether what is left of the message only asks for data.
func (p *msgParser) onlyAsks() bool {
	asks := false
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.used || sg.kind == segSpace {
			continue
		}
		if sg.kind != segWord {
			return false
		}
		switch {
		case sg.w.class == wcFiller:
		case sg.w.tags&(tWh|tQ) != 0:
			asks = true
		case sg.w.tags&(tStats|tPeriod) != 0:
		default:
			return false
		}
	}
	return asks
}
