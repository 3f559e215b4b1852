package command

import (
	"strings"
	"unicode/utf8"
)

// Activities named by their title or their day instead of their number
// (报名 周六的垃圾分类, 金秋讲堂报名情况, 明天的活动我不去了): signup, cancel_signup,
// checkin and roster carry activity_date and activity_title, and the
// handler resolves them.

// notTitle are characters no activity title is read from: a negation, a
// question, a report of what happened (我不报名, 谁报了, 报名了).
const notTitle = "不没别了吗谁呢么我你您他她俺咱哪啥几怎什"

// notTitleWords are words of a sentence around a command, not of a title
// (大家记得明天报名).
var notTitleWords = []string{"大家", "记得", "赶紧", "一定", "别忘", "欢迎", "踊跃", "已经", "还没", "可以", "都", "快"}

// signupNoun reports whether the word at i, after the command word at kw,
// is 报名 as what a cancellation names (取消 明天的报名, 取消周六的金秋讲堂报名):
// the sign-up, not a second command.
func (p *msgParser) signupNoun(in Intent, kw, i int) bool {
	w := p.segs[i].w
	return in == IntentCancelSignup && i > kw && w != nil && w.intent == IntentSignup && w.text == "报名"
}

// trimSignupNoun drops a trailing 报名 (報名 as typed) from a title.
func trimSignupNoun(title string) string {
	cut := len(title)
	for k := 0; k < 2 && cut > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(title[:cut])
		cut -= size
	}
	if simplify(title[cut:]) == "报名" {
		return strings.TrimRight(title[:cut], " ")
	}
	return title
}

// parseActivity reads a number as parseRef does, else a day and a title.
func (p *msgParser) parseActivity(in Intent, use dateUse) (Command, fit) {
	if cmd, v := p.parseRef(in, false); v != fitNo {
		return cmd, v
	}
	for i := range p.segs {
		p.segs[i].used = false
	}
	if p.question {
		return Command{}, fitNo
	}
	kw := -1
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == in && isCommandClass(sg.w.class) {
			kw = i
			break
		}
	}
	if kw < 0 {
		return Command{}, fitNo
	}
	if kw+1 < len(p.segs) && p.segs[kw+1].kind == segWord && p.segs[kw+1].w.text == "了" {
		return Command{}, fitNo // 我参加了…: it is done, not asked for
	}
	cmd := Command{Intent: in}
	p.refsOnly = true
	date, bad, why, v := p.dateFor(use)
	p.refsOnly = false
	if v != fitYes {
		return Command{}, v
	}
	if in == IntentCheckin && bad == "" && !date.IsZero() && !date.Equal(p.today) {
		return Command{}, fitNo // 签到 明天: one checks in to what is on now
	}
	cmd.ActivityDate, cmd.BadDate, cmd.BadDateWhy = date, bad, why
	for i := range p.segs {
		if sg := &p.segs[i]; sg.kind == segWord && (sg.w.class == wcPod || sg.w.class == wcPeriod) {
			sg.used = true // 明天上午的太极拳, 下周的读书会: the title is 太极拳, 读书会
		}
	}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.used || i == kw {
			continue
		}
		switch sg.kind {
		case segSpace, segText:
		case segWord:
			switch sg.w.class {
			case wcKeyword, wcWeak, wcSoft:
				if sg.w.intent != in && !sg.w.yields && !p.signupNoun(in, kw, i) {
					return Command{}, fitNo
				}
			case wcBlock, wcQuestion, wcDeadline:
				return Command{}, fitNo
			}
		default:
			return Command{}, fitNo // a number, an amount, a time …: not a title
		}
	}
	drop := func(i int) bool {
		sg := &p.segs[i]
		if sg.kind != segWord {
			return false
		}
		switch sg.w.class {
		case wcFiller, wcLabel:
			return true
		case wcKeyword, wcSoft, wcWeak:
			return sg.w.yields || sg.w.intent == in || p.signupNoun(in, kw, i) // 活动 is a plain word here
		}
		return false
	}
	before := p.texts(nil, 0, kw, drop)
	after := p.texts(nil, kw+1, len(p.segs), drop)
	if len(before) > 0 && len(after) > 0 {
		return Command{}, fitNo // text on both sides: a sentence, not a command
	}
	title := strings.Join(append(before, after...), " ")
	if in == IntentCancelSignup {
		title = trimSignupNoun(title) // 取消 金秋讲堂报名: the title is 金秋讲堂
	}
	title = strings.TrimSuffix(strings.TrimPrefix(title, "的"), "的")
	if title != "" {
		n := utf8.RuneCountInString(title)
		f := simplify(title)
		if n < 2 || n > 24 || strings.ContainsAny(f, notTitle) {
			return Command{}, fitNo
		}
		for _, w := range notTitleWords {
			if strings.Contains(f, w) {
				return Command{}, fitNo
			}
		}
		cmd.ActivityTitle = title
	}
	if cmd.ActivityTitle == "" && cmd.ActivityDate.IsZero() && cmd.BadDate == "" {
		return Command{}, fitNo
	}
	return cmd, fitYes
}
