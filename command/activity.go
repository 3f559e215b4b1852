package command

// Activities, as anyone asks for them and secretaries manage them.
const (
	IntentListActivities Intent = "list_activities"
	IntentCancelActivity Intent = "cancel_activity"
	IntentRoster         Intent = "roster"
)

// listActivitiesGrammar reads 活动 and kin: a day or a time may narrow it.
func listActivitiesGrammar() grammar {
	return grammar{
		intent: IntentListActivities,
		words: func(d *dictBuilder) {
			d.kw(IntentListActivities, tList, "活动列表", "查看活动", "看活动", "有什么活动", "有啥活动", "有哪些活动", "近期活动",
				"最近活动", "活动安排", "所有活动", "全部活动", "活动清单", "最新活动")
			d.add(dictWord{class: wcKeyword, intent: IntentListActivities, tags: tList | tAct | tStats, yields: true}, "活动")
		},
		tolerates: tList | tAct | tPeriod | tWh | tQ | tPod,
		allows: func(p *msgParser, i int) bool {
			k := p.segs[i].kind
			return k == segDate || k == segTime || k == segPage
		},
		read: func(p *msgParser) (Command, fit) { return p.parseList(IntentListActivities) },
	}
}

// cancelActivityGrammar reads 取消活动 N.
func cancelActivityGrammar() grammar {
	return grammar{
		intent: IntentCancelActivity,
		words: func(d *dictBuilder) {
			d.kw(IntentCancelActivity, 0, "取消活动", "撤销活动", "活动取消", "删除活动", "撤回活动", "活动撤销")
		},
		tolerates: tAct,
		allows:    numbers,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseRef(IntentCancelActivity, false) },
	}
}

// rosterGrammar reads 名单 N.
func rosterGrammar() grammar {
	return grammar{
		intent: IntentRoster,
		words: func(d *dictBuilder) {
			d.kw(IntentRoster, 0, "名单", "报名名单", "查看名单", "报名情况", "谁报名了", "谁报名", "有谁报名", "报名人员",
				"参加人员", "报名的人", "签到名单", "签到情况", "人员名单", "参加名单", "报名表", "谁参加", "有谁参加", "都有谁", "谁报了",
				"都谁报了", "都有谁报名")
			d.add(dictWord{class: wcNoun, tags: tRoster}, "人", "人员", "名字")
		},
		tolerates: tAct | tRoster | tWh,
		allows:    numbers,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseActivity(IntentRoster, useNearest) },
	}
}
