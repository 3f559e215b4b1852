package command

// A member's own part in an activity.
const (
	IntentSignup       Intent = "signup"
	IntentCancelSignup Intent = "cancel_signup"
	IntentCheckin      Intent = "checkin"
)

// signupGrammar reads 报名 N.
func signupGrammar() grammar {
	return grammar{
		intent: IntentSignup,
		words: func(d *dictBuilder) {
			d.kw(IntentSignup, 0, "参加", "我要报名", "我要参加", "算我一个", "我报名", "报个名", "我参加", "报名参加",
				"我也报名", "我也参加", "加我一个", "要报名", "我想报名", "我想参加", "报一下名", "报上个名", "报下名", "报个名儿")
			d.kw(IntentSignup, tAct|tStats, "报名")
			d.slips(IntentSignup, tAct|tStats, "报明", "报民", "抱名", "保名", "报铭", "包名", "报命")
			d.add(dictWord{class: wcBlock}, "参加了", "参加过", "报过名", "报上名了", "报上名", "报好名了")
		},
		tolerates: tAct,
		allows:    numbers,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseActivity(IntentSignup, useActivity) },
	}
}

// cancelSignupGrammar reads 取消报名 N and 不去了.
func cancelSignupGrammar() grammar {
	return grammar{
		intent: IntentCancelSignup,
		words: func(d *dictBuilder) {
			d.kw(IntentCancelSignup, 0, "取消报名", "取消", "退出报名", "退出活动", "撤销报名", "撤回报名", "取消参加", "不报了",
				"不报名了", "报名取消", "取消我的报名", "撤销我的报名", "撤回我的报名", "退出我的报名")
			d.slips(IntentCancelSignup, 0, "取消报明", "取消报民")
			d.add(dictWord{class: wcSoft, intent: IntentCancelSignup}, "不去了", "去不了", "不参加了", "参加不了", "来不了", "去不成",
				"不能去了", "没法去", "不来了")
		},
		tolerates: tAct,
		allows:    numbers,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseActivity(IntentCancelSignup, useActivity) },
	}
}

// checkinGrammar reads 签到 [N].
func checkinGrammar() grammar {
	return grammar{
		intent: IntentCheckin,
		words: func(d *dictBuilder) {
			d.kw(IntentCheckin, 0, "签到", "打卡", "我到了", "已到", "签个到", "已签到", "打个卡", "签一下到")
			d.slips(IntentCheckin, 0, "前到", "签道", "钱到", "欠到")
		},
		tolerates: tAct,
		allows:    checkinSegment,
		args:      true,
		read:      func(p *msgParser) (Command, fit) { return p.parseActivity(IntentCheckin, useActivity) },
	}
}

// checkinSegment allows a number, and today's date (签到 今天).
func checkinSegment(p *msgParser, i int) bool {
	sg := &p.segs[i]
	switch sg.kind {
	case segNum:
		return true
	case segDate:
		t, ok := sg.date.resolve(p.today, true)
		return ok && t.Equal(p.today)
	}
	return false
}
