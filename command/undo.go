package command

// undoGrammar reads 撤销 and kin: the sender's latest change is taken back.
// It takes no number: 撤销 3 is no command (the bot asks what to undo).
func undoGrammar() grammar {
	return grammar{
		intent: IntentUndo,
		words: func(d *dictBuilder) {
			d.kw(IntentUndo, tUndo, "撤销", "撤回", "撤销刚才的", "撤回刚才的", "刚才弄错了", "刚才那条不算", "刚才的不算",
				"刚才发错了", "刚才那个不算", "弄错了撤回", "撤销上一条", "撤回上一条", "撤销刚才", "撤回刚才", "上一条不算",
				"刚才错了", "发错了", "刚才报错了", "刚才写错了", "刚才点错了")
			d.add(dictWord{class: wcNoun, tags: tUndo}, "刚才", "刚刚", "那条", "操作")
		},
		tolerates: tUndo,
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentUndo) },
	}
}

// pendingHoursGrammar reads 待审核 and 审核: the reports a secretary has to
// decide. 审核 N shows the list; it approves nothing.
func pendingHoursGrammar() grammar {
	return grammar{
		intent: IntentPendingHours,
		words: func(d *dictBuilder) {
			d.kw(IntentPendingHours, tHours, "待审核", "待审核的时长", "有哪些要审核", "审核", "待审", "待审批", "待审核时长",
				"有哪些待审核", "哪些要审核", "要审核的", "需要审核的", "审核列表", "未审核", "还没审核的")
		},
		tolerates: tHours | tWh | tQ | tList,
		allows:    func(p *msgParser, i int) bool { return p.segs[i].kind == segNum || p.segs[i].kind == segPage },
		read:      func(p *msgParser) (Command, fit) { return p.parseList(IntentPendingHours) },
	}
}
