package command

import "strings"

// The bureau's desk: the workbook, the console and 公示, and the members'
// consent to it and objections.

// exportGrammar reads 导出, 导出上个月, 导出2026年.
func exportGrammar() grammar {
	return grammar{
		intent: IntentExport,
		words: func(d *dictBuilder) {
			d.kw(IntentExport, tDesk, "导出", "导出台账", "下载台账", "导出表格", "导出数据", "导出报表", "导出记录", "台账导出",
				"导出工作台账")
			d.add(dictWord{class: wcNoun, tags: tDesk}, "台账", "表格", "报表", "数据", "全年", "整年")
		},
		tolerates: tDesk | tPeriod | tHours,
		allows:    func(p *msgParser, i int) bool { return p.segs[i].kind == segYear },
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parsePeriod(IntentExport) },
	}
}

// publicityGrammar reads 公示, 发布公示, 公示本月时长, 公示上个月.
func publicityGrammar() grammar {
	return grammar{
		intent: IntentPublicity,
		words: func(d *dictBuilder) {
			d.kw(IntentPublicity, tDesk, "公示", "发布公示", "发起公示", "开始公示", "公示一下", "进行公示")
		},
		tolerates: tDesk | tPeriod | tHours,
		allows:    func(p *msgParser, i int) bool { return p.segs[i].kind == segYear },
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parsePeriod(IntentPublicity) },
	}
}

// parsePeriod reads the month or year of export and publicity: period
// (month|year), offset (0 this, -1 last) and a year written out; none of
// them when not said.
func (p *msgParser) parsePeriod(in Intent) (Command, fit) {
	cmd := Command{Intent: in}
	periods := 0
	for i := range p.segs {
		if !p.allowed(in, i) {
			return Command{}, fitNo
		}
		sg := &p.segs[i]
		switch {
		case sg.kind == segYear:
			if cmd.Year != 0 && cmd.Year != int(sg.num.val) {
				return Command{Intent: in}, fitYes // two years: the handler asks
			}
			cmd.Year, cmd.Period = int(sg.num.val), "year"
			periods++
		case sg.kind == segWord && sg.w.class == wcPeriod && (sg.w.unit == 'm' || sg.w.unit == 'y'):
			unit := "month"
			if sg.w.unit == 'y' {
				unit = "year"
			}
			if periods > 0 && (cmd.Period != unit || cmd.Offset == nil || *cmd.Offset != sg.w.off) {
				return Command{Intent: in}, fitYes // 本月 and 去年 at once: say nothing
			}
			cmd.Period = unit
			if off := sg.w.off; off == 0 || off == -1 {
				cmd.Offset = &off
			}
			periods++
		}
	}
	if cmd.Year != 0 {
		cmd.Offset = nil // the year says which
	}
	return cmd, fitYes
}

// consoleGrammar reads 后台: a link to the console.
func consoleGrammar() grammar {
	return grammar{
		intent: IntentConsole,
		words: func(d *dictBuilder) {
			d.kw(IntentConsole, tDesk, "后台", "管理后台", "打开后台", "进入后台", "后台链接", "登录后台", "后台地址", "后台入口",
				"进后台", "管理页面")
		},
		tolerates: tDesk | tWh | tQ,
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentConsole) },
	}
}

// consentGrammar reads 同意公示: the member's name may be shown in full.
func consentGrammar() grammar {
	return grammar{
		intent: IntentConsent,
		words: func(d *dictBuilder) {
			d.kw(IntentConsent, 0, "同意公示", "同意公开", "同意公示姓名", "同意公开姓名", "我同意公示", "愿意公示")
		},
		read: func(p *msgParser) (Command, fit) { return p.parsePlain(IntentConsent) },
	}
}

// withdrawConsentGrammar reads 不同意公示 and 撤回同意.
func withdrawConsentGrammar() grammar {
	return grammar{
		intent: IntentWithdrawConsent,
		words: func(d *dictBuilder) {
			d.kw(IntentWithdrawConsent, 0, "不同意公示", "撤回同意", "取消同意", "不同意公开", "撤销同意", "不愿意公示",
				"我不同意公示", "收回同意", "撤回公示同意")
		},
		read: func(p *msgParser) (Command, fit) { return p.parsePlain(IntentWithdrawConsent) },
	}
}

// objectGrammar reads 有异议 N 理由: a member objects to a published entry.
func objectGrammar() grammar {
	return grammar{
		intent: IntentObject,
		words: func(d *dictBuilder) {
			d.kw(IntentObject, 0, "有异议", "异议", "提出异议", "我有异议", "提异议", "对公示有异议")
		},
		tolerates: tHours,
		allows:    numbers,
		args:      true,
		note:      true,
		read:      (*msgParser).parseObject,
	}
}

// parseObject: the first number after the command word is the report; the
// text after it, as written, the reason.
func (p *msgParser) parseObject() (Command, fit) {
	kw := p.firstCommand(IntentObject)
	if kw < 0 {
		return Command{}, fitNo
	}
	for i := 0; i < kw; i++ {
		if !p.allowed(IntentObject, i) || p.segs[i].kind == segNum {
			return Command{}, fitNo
		}
	}
	cmd := Command{Intent: IntentObject}
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		switch {
		case sg.kind == segNum && sg.num.validRef():
			if i+1 < len(p.segs) && p.segs[i+1].kind != segSpace {
				return Command{}, fitNo // 异议3号楼: no report number
			}
			cmd.Report = int(sg.num.val)
			cmd.Note = strings.TrimSpace(p.s[sg.end:])
			return cmd, fitYes
		case p.allowed(IntentObject, i):
		default:
			// A reason without a number: the handler asks which entry.
			cmd.Note = strings.TrimSpace(p.s[sg.start:])
			return cmd, fitYes
		}
	}
	return cmd, fitYes
}
