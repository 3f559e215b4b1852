package command

import (
	"strings"
	"unicode/utf8"
)

// The programme's registries (人才力量, 作用发挥, 典型带动): posts retirees hold,
// the decisions they took part in, and the exemplars the bureau holds up.

// positionKinds are the posts COMMANDS.md names, longest first where one
// contains another; PositionKind picks the one a post as written contains.
var positionKinds = []string{"小区党支部书记", "村党支部书记", "志愿服务队队长", "党支部委员", "业委会主任", "业委会委员",
	"居委会委员", "村两委委员", "顾问团成员", "楼栋长", "单元长", "网格长", "网格员", "调解员", "农技顾问", "导航员",
	"指导员", "协管员", "示范员", "教研员"}

// PositionOther is the kind of a post none of the known words names.
const PositionOther = "其他"

// PositionKind is the kind of a post as written (3号楼楼栋长 is 楼栋长):
// the known word it contains, else PositionOther. Safe for concurrent use.
func PositionKind(position string) string {
	f := simplify(position)
	for _, k := range positionKinds {
		if strings.Contains(f, k) {
			return k
		}
	}
	return PositionOther
}

// appointGrammar reads 张大爷 担任 3号楼楼栋长 and 任命 张大爷 导航员.
func appointGrammar() grammar {
	return grammar{
		intent: IntentAppoint,
		words: func(d *dictBuilder) {
			d.kw(IntentAppoint, 0, "担任", "当选", "当选为", "出任", "被选为", "选为", "任命", "任职", "聘任", "聘为", "担任了",
				"当选了", "新任")
		},
		args: true,
		read: func(p *msgParser) (Command, fit) { return p.parsePost(IntentAppoint) },
	}
}

// resignGrammar reads 张大爷 卸任 楼栋长, 张大爷不再担任网格长 and 免去 张大爷 导航员.
func resignGrammar() grammar {
	return grammar{
		intent: IntentResign,
		words: func(d *dictBuilder) {
			d.kw(IntentResign, 0, "卸任", "不再担任", "免去", "免职", "辞去", "辞任", "卸去", "离任", "不再任", "免除",
				"不担任", "卸任了", "辞去了")
		},
		args: true,
		read: func(p *msgParser) (Command, fit) { return p.parsePost(IntentResign) },
	}
}

// parsePost reads a member and a post around the command word: the member
// before it and the post after it (张大爷 担任 楼栋长), or both after it (任命
// 张大爷 导航员, 任命张大爷导航员), and a date as for meetings.
func (p *msgParser) parsePost(in Intent) (Command, fit) {
	kw := p.firstCommand(in)
	if kw < 0 || p.question {
		return Command{}, fitNo
	}
	p.segs[kw].used = true
	cmd := Command{Intent: in}
	if !p.datedAsMeeting(&cmd) {
		return Command{}, fitUnclear
	}
	before := p.texts(nil, 0, kw, p.dropNote)
	after := p.texts(nil, kw+1, len(p.segs), p.dropNote)
	switch {
	case len(before) == 1 && len(after) == 1:
		cmd.Member, cmd.Position = before[0], after[0]
	case len(before) == 0 && len(after) == 2:
		cmd.Member, cmd.Position = after[0], after[1]
	case len(before) == 0 && len(after) == 1:
		// 任命张大爷导航员: the post starts at the known word it holds.
		cmd.Member, cmd.Position = splitPost(after[0])
	case len(before) == 1 && len(after) == 0:
		cmd.Member = before[0] // 张大爷卸任: which post? The handler asks.
	case len(before) == 0 && len(after) == 0:
	default:
		return Command{}, fitNo
	}
	if !plausibleName(cmd.Member) || strings.ContainsAny(simplify(cmd.Position), "了吗呢吧过年") {
		return Command{}, fitNo // 张大爷担任楼长好多年了: told, not recorded
	}
	return cmd, fitYes
}

// splitPost splits 张大爷导航员 at the first known post word; a text
// without one is the member alone.
func splitPost(t string) (member, position string) {
	f := simplify(t)
	at := -1
	for _, k := range positionKinds {
		if i := strings.Index(f, k); i > 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return t, ""
	}
	// A prefix of the post (3号楼, 业委会) stays with it: cut after the
	// name, which is at most four characters.
	cut := at
	if r := utf8.RuneCountInString(t[:at]); r > 4 {
		cut = len(string([]rune(t)[:4]))
	}
	return t[:cut], t[cut:]
}

// plausibleName reports whether text can be a person's name as written: ""
// (not given), or one to eight characters with no digit.
func plausibleName(t string) bool {
	if t == "" {
		return true
	}
	if n := utf8.RuneCountInString(t); n > 8 {
		return false
	}
	return !strings.ContainsAny(t, "0123456789")
}

// recordDecisionGrammar reads 顾问团议事 小区停车位改造 参加5人 已采纳 昨天.
func recordDecisionGrammar() grammar {
	return grammar{
		intent: IntentRecordDecision,
		words: func(d *dictBuilder) {
			d.kw(IntentRecordDecision, 0, "顾问团议事", "记录议事", "参与决策", "议事记录", "决策记录", "记录决策", "参与议事",
				"顾问团决策", "议事会", "议事协商", "参与议事决策")
			d.add(dictWord{class: wcAdopt, off: 1}, "已采纳", "采纳了", "被采纳", "获采纳", "已被采纳", "采纳")
			d.add(dictWord{class: wcAdopt, off: 0}, "未采纳", "没采纳", "没有采纳", "未被采纳", "不采纳", "没被采纳")
		},
		args: true,
		read: (*msgParser).parseDecision,
	}
}

func (p *msgParser) parseDecision() (Command, fit) {
	kw := p.firstCommand(IntentRecordDecision)
	if kw < 0 || p.question {
		return Command{}, fitNo
	}
	p.segs[kw].used = true
	cmd := Command{Intent: IntentRecordDecision}
	for i := range p.segs {
		sg := &p.segs[i]
		switch {
		case sg.kind == segAttend && !sg.bad && sg.attend == attendPresent:
			sg.used = true
			cmd.setAttendance(sg)
		case sg.kind == segWord && sg.w.class == wcAdopt:
			sg.used = true
			adopted := sg.w.off == 1
			if cmd.Adopted != nil && *cmd.Adopted != adopted {
				return Command{}, fitUnclear // 已采纳 and 未采纳 at once
			}
			cmd.Adopted = &adopted
		}
	}
	if !p.datedAsMeeting(&cmd) {
		return Command{}, fitUnclear
	}
	cmd.Topic = strings.Join(p.texts(nil, 0, len(p.segs), p.dropNote), " ")
	return cmd, fitYes
}

// nominateGrammar reads 推荐典型 张大爷 带领20名老党员清理小区杂物.
func nominateGrammar() grammar {
	return grammar{
		intent: IntentNominate,
		words: func(d *dictBuilder) {
			d.kw(IntentNominate, 0, "推荐典型", "推荐先进", "推选典型", "申报典型", "推荐为典型", "推荐先进典型", "典型推荐",
				"推荐优秀", "推荐模范")
		},
		args: true,
		note: true,
		read: (*msgParser).parseNominate,
	}
}

// parseNominate takes the first token after the command word as the
// member and the rest, as written, as the deeds.
func (p *msgParser) parseNominate() (Command, fit) {
	kw := p.firstCommand(IntentNominate)
	if kw < 0 || p.question {
		return Command{}, fitNo
	}
	for i := 0; i < kw; i++ {
		if sg := &p.segs[i]; sg.kind != segSpace && !(sg.kind == segWord && sg.w.class == wcFiller) {
			return Command{}, fitNo
		}
	}
	cmd := Command{Intent: IntentNominate}
	rest := strings.TrimSpace(p.s[p.segs[kw].end:])
	name, note, _ := strings.Cut(rest, " ")
	if !plausibleName(name) {
		return Command{}, fitNo
	}
	cmd.Member, cmd.Note = name, strings.TrimSpace(note)
	return cmd, fitYes
}

// commendGrammar reads 表彰 3 and 评为典型 3: the bureau commends a nomination.
func commendGrammar() grammar {
	return grammar{
		intent: IntentCommend,
		words: func(d *dictBuilder) {
			d.kw(IntentCommend, 0, "表彰", "评为典型", "评选典型", "确定为典型", "评为先进", "树为典型", "选树典型")
			d.add(dictWord{class: wcNoun, tags: tHours}, "推荐", "典型", "提名")
		},
		tolerates: tHours,
		allows:    numbers,
		args:      true,
		read: func(p *msgParser) (Command, fit) {
			cmd, v := p.parseRef(IntentCommend, true)
			cmd.Nomination, cmd.Report = cmd.Report, 0
			return cmd, v
		},
	}
}
