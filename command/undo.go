package command

// undoGrammar reads 撤销 and kin: the sender's latest change is taken back.
func undoGrammar() grammar {
	return grammar{
		intent: IntentUndo,
		words: func(d *dictBuilder) {
			d.kw(IntentUndo, 0, "撤销刚才的", "刚才弄错了", "刚才那条不算", "撤销", "撤回")
		},
		read: func(p *msgParser) (Command, fit) { return p.parsePlain(IntentUndo) },
	}
}

// pendingHoursGrammar reads 待审核: the reports a secretary has to decide.
func pendingHoursGrammar() grammar {
	return grammar{
		intent: IntentPendingHours,
		words: func(d *dictBuilder) {
			d.kw(IntentPendingHours, tHours, "待审核", "待审核的时长", "有哪些要审核")
		},
		tolerates: tHours | tWh | tQ,
		read:      func(p *msgParser) (Command, fit) { return p.parsePlain(IntentPendingHours) },
	}
}
