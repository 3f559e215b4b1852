package command

import "strings"

// IntentRegister is 报到: a person registers with the branch of the group,
// or of the community named.
const IntentRegister Intent = "register"

// registerGrammar reads 报到, with or without a community.
func registerGrammar() grammar {
	return grammar{
		intent: IntentRegister,
		words: func(d *dictBuilder) {
			d.kw(IntentRegister, 0, "报到", "社区报到", "我来报到", "亮身份", "亮明身份", "进社区报到", "到社区报到",
				"我要报到", "报个到", "来报到", "来报个到", "报一下到")
			d.slips(IntentRegister, 0, "报导", "报道")
		},
		args: true,
		read: (*msgParser).parseRegister,
	}
}

func (p *msgParser) parseRegister() (Command, fit) {
	kw := p.firstCommand(IntentRegister)
	if kw < 0 {
		return Command{}, fitNo
	}
	cmd := Command{Intent: IntentRegister}
	p.segs[kw].used = true
	for i := range p.segs {
		if sg := &p.segs[i]; sg.kind == segDate || sg.kind == segWord && sg.w.intent == IntentRegister {
			sg.used = true
		}
	}
	// 枣行社区报到: the keyword 社区报到 swallowed the end of the name.
	if kwText := p.segs[kw].w.text; strings.HasPrefix(kwText, "社区") && kw > 0 && p.segs[kw-1].kind == segText {
		prev := &p.segs[kw-1]
		prev.used = true
		cmd.Community = p.s[prev.start : int(p.segs[kw].start)+len("社区")]
		return p.registerDone(cmd, true)
	}
	before := p.texts(nil, 0, kw, p.dropNote)
	after := p.texts(nil, kw, len(p.segs), p.dropNote)
	for _, t := range append(before, after...) {
		if name, ok := placeName(t); ok {
			cmd.Community = name
			return p.registerDone(cmd, true)
		}
	}
	if len(before) > 0 {
		return Command{}, fitNo // "老王去报到了" names no place of the sender's
	}
	if rest := strings.Join(after, " "); rest != "" && !isBareSuffix(rest) {
		cmd.Community = rest
	}
	return p.registerDone(cmd, false)
}

func (p *msgParser) registerDone(cmd Command, named bool) (Command, fit) {
	if p.question && !named {
		return Command{Intent: IntentHelp}, fitYes // 报到怎么报
	}
	return cmd, fitYes
}

var communitySuffixes = []string{"社区", "村", "街道", "小区", "家园", "支部"}

// placeName trims the words people put around a place (我是…的) and reports
// whether what is left names a place: text ending in a community suffix,
// with something before the suffix.
func placeName(t string) (string, bool) {
	for _, pre := range []string{"我是", "我在", "我来自", "来自", "我来", "我到", "在", "是", "到"} {
		if rest, ok := strings.CutPrefix(t, pre); ok && rest != "" {
			t = rest
			break
		}
	}
	for _, suf := range []string{"的人", "居民", "的", "了"} {
		if rest, ok := strings.CutSuffix(t, suf); ok && rest != "" {
			t = rest
			break
		}
	}
	for _, suf := range communitySuffixes {
		if strings.HasSuffix(t, suf) && len(t) > len(suf) {
			return t, true
		}
	}
	return t, false
}

func isBareSuffix(t string) bool {
	for _, suf := range communitySuffixes {
		if t == suf {
			return true
		}
	}
	return false
}
