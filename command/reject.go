package command

import "strings"

// The reason for rejecting hours.
//
// 驳回 17 时长填错了: after a reject word and one report number, the free text
// that follows is the reason, kept in Command.Note for the handler (which
// then rejects at once instead of asking why). `jinqiu parse` does not
// print it: COMMANDS.md gives reject_hours the one argument report.
//
// Precision before recall: the rule applies only when the reject word opens
// the message (fillers aside), the report number follows it, and the rest
// reads as a reason. A question (驳回 17 可以吗) is no reason; a second
// report number (驳回 17 18 日期不对, 驳回 17 和18) leaves the report out, so
// that the handler asks which one is meant.

// reasonJoiners are the words that join a second number to the first: a
// number right after them names another report, not part of the reason.
var reasonJoiners = []string{"和", "与", "及", "以及", "跟", "还有", "并"}

// countWords are measure words: a number before them counts something (拒绝
// 3 次了, 退回 2 本书) and names no report.
var countWords = []string{"次", "回", "遍", "趟", "个", "人", "名", "位", "岁", "元", "块", "倍", "条", "项", "件",
	"张", "份", "本", "户", "号", "笔", "批"}

// reasonLabels are the words people put before a reason: 原因：日期不对
// (原因 as a token of its own) or 原因是日期不对.
var (
	reasonLabels   = []string{"原因", "理由", "驳回原因", "驳回理由"}
	reasonPrefixes = []string{"原因是", "理由是"}
)

// IntentRejectHours is 驳回 N [原因].
const IntentRejectHours Intent = "reject_hours"

// rejectGrammar reads 驳回 N and a reason after it.
func rejectGrammar() grammar {
	return grammar{
		intent: IntentRejectHours,
		words: func(d *dictBuilder) {
			d.kw(IntentRejectHours, 0, "驳回", "不通过", "拒绝", "退回", "不同意", "不批准", "审核不通过", "打回", "审批不通过")
			d.add(dictWord{class: wcNoun, tags: tHours}, "申请", "报告", "编号")
		},
		tolerates: tHours,
		allows:    numbers,
		args:      true,
		read:      (*msgParser).parseReject,
	}
}

// parseReject is parseRef for reject_hours, with the reason rule above for
// messages that parseRef does not take.
func (p *msgParser) parseReject() (Command, fit) {
	if cmd, v := p.parseRef(IntentRejectHours, true); v != fitNo {
		return cmd, v
	}
	for i := range p.segs {
		p.segs[i].used = false
	}
	if p.question {
		return Command{}, fitNo // 驳回 17 可以吗 asks; the menu answers
	}
	kw := p.firstCommand(IntentRejectHours)
	if kw < 0 {
		return Command{}, fitNo
	}
	for i := 0; i < kw; i++ {
		if p.segs[i].kind == segNum || !p.allowed(IntentRejectHours, i) {
			return Command{}, fitNo // 老王的时长被驳回了 reports, it does not decide
		}
	}
	// The report number: the first number after the reject word, with only
	// what a plain 驳回 N allows (申请, 编号, fillers) in between.
	num := -1
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		if sg.kind == segNum {
			if !sg.num.validRef() {
				return Command{}, fitNo
			}
			num = i
			break
		}
		if !p.allowed(IntentRejectHours, i) {
			return Command{}, fitNo
		}
	}
	if num < 0 {
		return Command{}, fitNo
	}
	// The number ends its token (驳回 17，日期不对), so that 驳回17号的时长
	// (a day?) and 拒绝 3 次 (a count) are not read as a report and a reason.
	if num+1 < len(p.segs) && p.segs[num+1].kind != segSpace {
		return Command{}, fitNo
	}
	if num+2 < len(p.segs) && p.segs[num+2].kind != segSpace {
		rest := p.s[p.segs[num+2].start:]
		for _, m := range countWords {
			if strings.HasPrefix(rest, m) {
				return Command{}, fitNo
			}
		}
	}
	cmd := Command{Intent: IntentRejectHours}
	for i := num + 2; i < len(p.segs); i++ {
		if p.anotherReport(i) {
			return cmd, fitYes // two reports: the handler asks which
		}
	}
	for i := 0; i <= num; i++ {
		p.segs[i].used = true
	}
	cmd.Report = int(p.segs[num].num.val)
	cmd.Note = reasonText(p.texts(nil, num+1, len(p.segs), p.dropNote))
	return cmd, fitYes
}

// anotherReport reports whether segment i of the reason is a second report
// number rather than part of the reason: a number that is a token of its
// own (驳回 17 18 …), or one joined on by 和 与 还有 … (驳回 17 和18). A
// number inside the reason's text (应是25号, 一天不能超过十二小时) is part of
// the reason.
func (p *msgParser) anotherReport(i int) bool {
	sg := &p.segs[i]
	if sg.kind != segNum || !sg.num.validRef() {
		return false
	}
	if prev := &p.segs[i-1]; prev.kind != segSpace && prev.kind != segNum {
		// Inside a token, only after a joiner that starts the token: 还有18
		// and 和18, but not 应是25号.
		joiner := p.s[prev.start:prev.end]
		for _, j := range reasonJoiners {
			if joiner == j {
				return p.segs[i-2].kind == segSpace
			}
		}
		return false
	}
	if i+1 == len(p.segs) {
		return true
	}
	switch nx := &p.segs[i+1]; nx.kind {
	case segSpace, segNum:
		return true
	case segWord:
		return nx.w.class == wcFiller
	}
	return false
}

// reasonText joins the reason's tokens, without a leading 原因 or 理由.
func reasonText(tokens []string) string {
	if len(tokens) > 0 {
		for _, l := range reasonLabels {
			if tokens[0] == l {
				tokens = tokens[1:]
				break
			}
		}
	}
	if len(tokens) > 0 {
		for _, l := range reasonPrefixes {
			if rest, ok := strings.CutPrefix(tokens[0], l); ok && rest != "" {
				tokens = append([]string{rest}, tokens[1:]...)
				break
			}
		}
	}
	return strings.Join(tokens, " ")
}
