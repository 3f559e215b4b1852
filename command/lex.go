package command

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize applies the normalisation of COMMANDS.md: NFKC, leading @mentions
// removed, white space collapsed and the listed punctuation turned into token
// separators (except ':' and '.' between two digits, as in 14:30 and 2.5). It
// returns the tokens joined by single spaces; "" means only a mention or
// nothing was sent. Safe for concurrent use.
func Normalize(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = norm.NFKC.String(text)
	text = text[skipSeparators(text, 0):]
	for len(text) > 0 && text[0] == '@' {
		j := 1
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			// A mention is a single name: it ends at white space (WeCom's
			// U+2005 and U+00A0 are spaces after NFKC) or, as a lenient
			// extension, at separating punctuation as in "@金秋助手，报名3".
			if isSpaceRune(r) || (r != '.' && isSepPunct(r)) {
				break
			}
			j += n
		}
		text = text[j:]
		text = text[skipSeparators(text, 0):]
	}

	var b strings.Builder
	b.Grow(len(text))
	space := false
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		sep := isSpaceRune(r) || isSepPunct(r)
		if (r == ':' || r == '.') && i > 0 && isDigitByte(text[i-1]) && i+1 < len(text) && isDigitByte(text[i+1]) {
			sep = false
		}
		if r == '\u200D' && joinsEmoji(text, i, n) {
			// Inside an emoji sequence (👨‍👩‍👧, 🏳️‍🌈) the joiner is part of
			// the character people see: splitting there would change
			// names, notes and titles.
			sep = false
		}
		if sep {
			space = b.Len() > 0
		} else {
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(text[i : i+n])
		}
		i += n
	}
	return b.String()
}

// joinsEmoji reports whether the zero-width joiner at text[i:i+n] stands
// between two parts of an emoji sequence: a symbol (or its variation
// selector or skin tone) before it and a symbol after it.
func joinsEmoji(text string, i, n int) bool {
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	next, _ := utf8.DecodeRuneInString(text[i+n:])
	return (unicode.Is(unicode.So, prev) || unicode.Is(unicode.Sk, prev) || prev == '\uFE0F') && unicode.Is(unicode.So, next)
}

func skipSeparators(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isSpaceRune(r) && !isSepPunct(r) {
			break
		}
		i += n
	}
	return i
}

func isSpaceRune(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		// Zero-width characters that some keyboards and platforms insert.
		return true
	}
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// isSepPunct reports the punctuation COMMANDS.md lists as token separators,
// in the form NFKC leaves them (，→, ！→! ？→? ；→; ：→:).
func isSepPunct(r rune) bool {
	switch r {
	case ',', '.', '!', '?', ';', ':', '。', '、', '，', '！', '？', '；', '：':
		return true
	}
	return false
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

func isLetterByte(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// segKind is what a lexed stretch of the normalised text is.
type segKind uint8

const (
	segSpace segKind = iota
	segText          // nothing recognised
	segWord          // a dictionary word
	segNum           // a number, possibly written as an ordinal or N号
	segDate
	segTime
	segHours
	segCap // a capacity such as 名额20 or 30人
)

type lexSegment struct {
	w          *dictWord // segWord
	num        numVal    // segNum, segCap; the amount in hours for segHours
	start, end int32     // byte offsets in the normalised text
	date       dateSpec
	clock      timeOfDay
	kind       segKind
	used       bool // consumed as an argument by the intent being tried
	bad        bool // looks like a date, time, hours or capacity but is not a valid one
	company    bool // wcWeak: the word has the company it needs (see msgParser.markWeak)
}

// wordClass says how a dictionary word takes part in intent detection.
type wordClass uint8

const (
	wcFiller   wordClass = iota + 1 // politeness and function words, ignored everywhere
	wcKeyword                       // a command word of its intent
	wcWeak                          // a command word only with company (服务 + hours, 已开 + a meeting kind)
	wcSoft                          // 不去了 and kin: cancel_signup, definite only with a number
	wcKind                          // meeting kind
	wcPeriod                        // 本周 上个月 …
	wcPod                           // part of day standing alone
	wcQuestion                      // 吗 怎么 …: the person asks rather than orders
	wcNoun                          // domain nouns, allowed per intent through tags
	wcLabel                         // 时间 地点 标题 …: form labels dropped from free text
	wcRestate                       // who/how words that only restate a meeting (书记 讲)
	wcBlock                         // words that look like a command but are not one (参加了)
	wcDeadline                      // 报名截止 截止 …: a sign-up deadline of publish_activity
)

// tag marks which intents tolerate a non-command word in their message.
type wordTag uint16

const (
	tAct    wordTag = 1 << iota // activity nouns: 活动 报名 我的
	tHours                      // hours nouns: 时长 申请 记录
	tStats                      // my_stats nouns
	tList                       // list_activities nouns
	tMeet                       // meeting_status nouns
	tDigest                     // digest verbs
	tHelp                       // help nouns
	tRoster                     // roster nouns
	tPeriod                     // period words
	tWh                         // 哪些 什么 多少: fine in a question about data
	tQ                          // 吗 怎么: question particles
	tPod                        // part of day
	tKind                       // meeting kind
)

type partOfDay uint8

const (
	podNone partOfDay = iota
	podDawn
	podMorning
	podNoon
	podAfternoon
	podEvening
)

// word is one dictionary entry.
type dictWord struct {
	text   string
	class  wordClass
	intent Intent
	tags   wordTag
	kind   string // meeting kind for wcKind
	unit   byte   // 'w' week or 'm' month for periods and digest words
	off    int    // period offset: 0 this, -1 last, 1 next
	pod    partOfDay
	yields bool // a bare 活动 gives way to any other command word
}

// dictionary indexes words by their first rune, longest first, so that the
// lexer finds the longest word at a position with one map look-up.
type wordIndex struct {
	byRune map[rune][]*dictWord
	ascii  map[string]*dictWord // lower-case ASCII words, matched as whole letter runs
}

func (d *wordIndex) longest(s string, i int) *dictWord {
	r, _ := utf8.DecodeRuneInString(s[i:])
	for _, w := range d.byRune[r] {
		if strings.HasPrefix(s[i:], w.text) {
			return w
		}
	}
	return nil
}

// dict is built once at start-up and only read afterwards.
var commandWords = buildDictionary()

func buildDictionary() *wordIndex {
	var all []*dictWord
	add := func(w dictWord, texts ...string) {
		for _, t := range texts {
			c := w
			c.text = t
			all = append(all, &c)
		}
	}
	kw := func(in Intent, tags wordTag, texts ...string) {
		add(dictWord{class: wcKeyword, intent: in, tags: tags}, texts...)
	}

	kw(IntentHelp, tHelp, "帮助", "菜单", "功能", "功能菜单", "使用说明", "说明", "怎么用", "怎么使用", "如何使用",
		"使用方法", "用法", "指令", "命令", "教程", "介绍", "目录", "能做什么", "会做什么", "能干什么", "有什么功能",
		"有哪些功能", "不会用", "help", "menu")
	add(dictWord{class: wcNoun, tags: tHelp}, "机器人", "助手", "小助手", "金秋助手", "这个")

	kw(IntentRegister, 0, "报到", "社区报到", "我来报到", "亮身份", "亮明身份", "进社区报到", "到社区报到", "报道",
		"我要报到", "报个到", "来报到")
	kw(IntentCheckin, 0, "签到", "打卡", "我到了", "已到", "签个到", "已签到")
	kw(IntentListActivities, tList, "活动列表", "查看活动", "看活动", "有什么活动", "有啥活动", "有哪些活动", "近期活动",
		"最近活动", "活动安排", "所有活动", "全部活动", "活动清单", "最新活动")
	add(dictWord{class: wcKeyword, intent: IntentListActivities, tags: tList | tAct | tStats, yields: true}, "活动")
	kw(IntentSignup, 0, "参加", "我要报名", "我要参加", "算我一个", "我报名", "报个名", "我参加", "报名参加",
		"我也报名", "我也参加", "加我一个", "要报名", "我想报名", "我想参加")
	kw(IntentSignup, tAct|tStats, "报名")
	add(dictWord{class: wcBlock}, "参加了", "参加过", "报过名")
	kw(IntentCancelSignup, 0, "取消报名", "取消", "退出报名", "退出活动", "撤销报名", "撤回报名", "取消参加", "不报了",
		"不报名了", "报名取消", "取消我的报名")
	add(dictWord{class: wcSoft, intent: IntentCancelSignup}, "不去了", "去不了", "不参加了", "参加不了", "来不了", "去不成",
		"不能去了", "没法去", "不来了")
	kw(IntentReportHours, tHours|tStats, "时长", "服务时长", "志愿时长", "记时长", "上报时长", "报时长", "填报时长",
		"登记时长", "录入时长", "补报时长", "志愿服务时长", "报个时长", "填时长", "记录时长", "申报时长")
	add(dictWord{class: wcWeak, intent: IntentReportHours, tags: tStats}, "服务", "服务了", "志愿服务", "志愿服务了")
	kw(IntentMyStats, tAct, "我的")
	kw(IntentMyStats, 0, "我的时长", "我的记录", "我的积分", "查询我的", "我报了哪些活动", "我报了哪些", "我报名了哪些", "我报了几个", "我报名了几个", "我参加了几个",
		"我参加了哪些", "我参加过哪些", "参加了哪些", "我的活动", "我的报名", "个人记录", "我的情况", "我的统计",
		"我的服务时长", "我的志愿时长", "查我的", "查询时长", "查时长", "查看时长", "看时长", "时长查询")
	add(dictWord{class: wcNoun, tags: tStats | tHours}, "记录")
	add(dictWord{class: wcNoun, tags: tStats}, "积分", "统计", "累计", "总共", "一共", "次数", "总计", "小时")
	kw(IntentPublishActivity, 0, "发布活动", "新活动", "新建活动", "发起活动", "组织活动", "创建活动", "添加活动",
		"发活动", "发布新活动", "新增活动", "发布")
	kw(IntentCancelActivity, 0, "取消活动", "撤销活动", "活动取消", "删除活动", "撤回活动", "活动撤销")
	kw(IntentRoster, 0, "名单", "报名名单", "查看名单", "报名情况", "谁报名了", "谁报名", "有谁报名", "报名人员",
		"参加人员", "报名的人", "签到名单", "签到情况", "人员名单", "参加名单", "报名表", "谁参加", "有谁参加", "都有谁")
	add(dictWord{class: wcNoun, tags: tRoster}, "人", "人员", "名字")
	kw(IntentApproveHours, 0, "通过", "审核通过", "同意", "同意时长", "批准", "核准", "审批通过", "通过审核", "确认通过")
	kw(IntentRejectHours, 0, "驳回", "不通过", "拒绝", "退回", "不同意", "不批准", "审核不通过", "打回", "审批不通过")
	add(dictWord{class: wcNoun, tags: tHours}, "申请", "报告", "审核", "编号")
	kw(IntentRecordMeeting, 0, "已开会", "已召开", "记录会议", "会议记录", "登记会议", "会议已开", "已开完会")
	add(dictWord{class: wcWeak, intent: IntentRecordMeeting}, "已开", "已开展", "已上", "已举行", "已举办", "已组织",
		"已完成", "开过了", "讲完了", "上过了", "开完了", "讲过了", "召开了", "开了", "上了", "举行了", "开展了",
		"组织了", "完成了", "召开", "已讲", "讲了")
	kw(IntentMeetingStatus, tMeet, "三会一课", "开会情况", "会议情况", "哪些会没开", "会没开", "还有哪些会",
		"组织生活情况", "组织生活", "会议进度", "开会进度", "三会一课情况", "会议完成情况", "开了没", "开了吗", "开没开",
		"开了没有", "没开会", "哪些会", "开展情况", "召开情况")
	add(dictWord{class: wcNoun, tags: tMeet}, "会", "会议", "情况", "没开", "还没开", "进度")
	for _, d := range []struct {
		unit  byte
		texts []string
	}{
		{'w', []string{"周报", "周报告", "周报表", "周汇总", "周总结"}},
		{'m', []string{"月报", "月报告", "月报表", "月汇总", "月总结"}},
	} {
		add(dictWord{class: wcKeyword, intent: IntentDigest, unit: d.unit}, d.texts...)
	}
	add(dictWord{class: wcNoun, tags: tDigest}, "发", "发个", "发一下", "生成", "出", "出一下", "来一份", "一份", "份", "推送", "要", "看")

	for _, p := range []struct {
		unit  byte
		off   int
		texts []string
	}{
		{'w', 0, []string{"本周", "这周", "这星期", "本星期", "这个星期", "这礼拜", "本礼拜", "这个礼拜", "这一周"}},
		{'w', -1, []string{"上周", "上星期", "上个星期", "上礼拜", "上个礼拜", "上一周"}},
		{'w', 1, []string{"下周", "下星期", "下个星期", "下礼拜", "下个礼拜", "下一周"}},
		{'m', 0, []string{"本月", "这个月", "这月", "当月"}},
		{'m', -1, []string{"上月", "上个月", "上一个月"}},
		{'m', 1, []string{"下月", "下个月", "下一个月"}},
		{0, 0, []string{"近期", "最近", "这几天", "近日", "今年", "本年"}},
	} {
		add(dictWord{class: wcPeriod, tags: tPeriod, unit: p.unit, off: p.off}, p.texts...)
	}
	for _, p := range podWords {
		if len(p.text) > 3 { // single-character 早/晚 are pods only before an hour
			add(dictWord{class: wcPod, tags: tPod, pod: p.pod}, p.text)
		}
	}
	for _, k := range []struct {
		kind  string
		texts []string
	}{
		{"branch_assembly", []string{"支部党员大会", "党员大会", "支部大会", "全体党员大会"}},
		{"committee", []string{"支委会", "支部委员会", "支委会议", "支部委员会会议", "支委会会议"}},
		{"group", []string{"党小组会", "小组会", "党小组会议", "小组会议"}},
		{"lecture", []string{"党课", "专题党课"}},
		{"theme_day", []string{"主题党日", "党日活动", "主题党日活动"}},
	} {
		add(dictWord{class: wcKind, tags: tKind, kind: k.kind}, k.texts...)
	}
	add(dictWord{class: wcQuestion, tags: tQ}, "吗", "怎么", "如何", "怎样", "咋", "咋办", "是否", "能否", "能不能", "可不可以",
		"行不行", "好不好", "可以吗", "怎么办", "怎么弄", "什么意思")
	add(dictWord{class: wcNoun, tags: tWh | tRoster}, "哪些", "什么", "多少", "几个", "几", "有没有", "有啥", "啥", "谁",
		"哪个", "哪几个", "是多少")
	add(dictWord{class: wcLabel}, "时间", "地点", "地址", "标题", "名称", "活动名称", "主题", "内容", "备注", "事由", "日期",
		"名额", "人数", "活动内容", "活动时间", "活动地点", "集合地点", "集合时间")
	// A deadline marker: the date and time right after it (报名截止明天8点)
	// or right before it (明天8点截止报名) close sign-up. Before the filler
	// and signup words, so that 报名截止 is one word.
	add(dictWord{class: wcDeadline}, "报名截止", "截止报名", "报名截至", "截至报名", "截止", "截至", "报名截止时间",
		"截止时间", "报名截止日期", "截止日期", "报名截止到", "截止到")
	add(dictWord{class: wcRestate}, "书记", "支书", "讲", "主讲", "讲授", "组织", "举行", "一次", "一堂", "专题", "全体",
		"党员", "同志", "给大家", "为大家", "上", "开", "集中")
	add(dictWord{class: wcFiller}, "我", "我们", "你", "您", "请", "请问", "麻烦", "麻烦你", "麻烦您", "帮我", "帮忙", "给我",
		"一下", "了", "的", "吧", "呢", "啊", "呀", "哦", "噢", "嗯", "哈", "啦", "嘛", "也", "就", "都", "还", "还有",
		"再", "想", "我要", "我想", "想要", "需要", "现在", "马上", "谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "辛苦了",
		"好的", "你好", "您好", "在吗", "在不在", "老师", "那个", "把", "给", "帮", "查", "查询", "查看", "看看",
		"看一下", "看下", "瞧瞧", "显示", "列出", "告诉我", "是", "有", "的话", "呗", "咯", "已经", "我来", "我在", "我是",
		"一起", "都有", "目前", "当前", "请帮我", "帮我查", "查一下", "发我", "能", "可以", "大家好",
		"有事", "临时有事", "到", "至", "-", "~") // 到 至 - ~ join the two ends of a range: 2点到4点

	d := &wordIndex{byRune: make(map[rune][]*dictWord), ascii: make(map[string]*dictWord)}
	for _, w := range all {
		if isLetterByte(w.text[0]) {
			d.ascii[w.text] = w
			continue
		}
		r, _ := utf8.DecodeRuneInString(w.text)
		d.byRune[r] = append(d.byRune[r], w)
	}
	for _, ws := range d.byRune {
		// Longest first; among equal texts the first added wins, which is why
		// command words are added before nouns and fillers.
		sort.SliceStable(ws, func(i, j int) bool { return len(ws[i].text) > len(ws[j].text) })
	}
	return d
}

// lex splits s into segments, appending them to segs: at each position the
// longest of a dictionary word and a structured form (date, time, hours,
// capacity, number) wins; runs of anything else become text. Ties go to the
// dictionary, then in the order date, time, hours, capacity, number. It is a
// plain function returning the slice so that a caller's stack buffer does
// not escape.
func lexMessage(s string, segs []lexSegment) []lexSegment {
	textStart := -1
	for i := 0; i < len(s); {
		var next lexSegment
		switch {
		case s[i] == ' ':
			next = lexSegment{kind: segSpace, start: int32(i), end: int32(i + 1)}
		case isLetterByte(s[i]):
			j := i
			for j < len(s) && isLetterByte(s[j]) {
				j++
			}
			if w := commandWords.asciiWord(s[i:j]); w != nil {
				next = lexSegment{kind: segWord, start: int32(i), end: int32(j), w: w}
			} else {
				if textStart < 0 {
					textStart = i
				}
				i = j
				continue
			}
		default:
			next = longestForm(s, i)
			if next.end == int32(i) {
				if textStart < 0 {
					textStart = i
				}
				_, n := utf8.DecodeRuneInString(s[i:])
				i += n
				continue
			}
		}
		if textStart >= 0 {
			segs = append(segs, lexSegment{kind: segText, start: int32(textStart), end: int32(i)})
			textStart = -1
		}
		segs = append(segs, next)
		i = int(next.end)
	}
	if textStart >= 0 {
		segs = append(segs, lexSegment{kind: segText, start: int32(textStart), end: int32(len(s))})
	}
	return segs
}

// longestForm returns the longest dictionary word or structured form at
// s[i:], or a segment ending at i when there is none.
func longestForm(s string, i int) lexSegment {
	if s[i] == '-' {
		// 9点-11点: the dash joins two times; it is no minus sign.
		if _, e := scanTime(s, i+1); e > i+1 {
			return lexSegment{kind: segWord, w: commandWords.longest(s, i), start: int32(i), end: int32(i + 1)}
		}
	}
	best, end := lexSegment{}, i
	if w := commandWords.longest(s, i); w != nil {
		best, end = lexSegment{kind: segWord, w: w}, i+len(w.text)
	}
	if d, e := scanDate(s, i); e > end {
		best, end = lexSegment{kind: segDate, date: d, bad: d.bad}, e
	}
	if c, e := scanTime(s, i); e > end {
		best, end = lexSegment{kind: segTime, clock: c, bad: c.bad}, e
	}
	if h, bad, e := scanHours(s, i); e > end {
		best, end = lexSegment{kind: segHours, num: numVal{val: h}, bad: bad}, e
	}
	if n, e := scanCapacity(s, i); e > end {
		best, end = lexSegment{kind: segCap, num: n, bad: n.bad}, e
	}
	if n, e := scanNumRef(s, i); e > end {
		best, end = lexSegment{kind: segNum, num: n}, e
	}
	best.start, best.end = int32(i), int32(end)
	return best
}

func (d *wordIndex) asciiWord(run string) *dictWord {
	if len(run) > 8 {
		return nil
	}
	var buf [8]byte
	for i := 0; i < len(run); i++ {
		buf[i] = run[i] | 0x20
	}
	return d.ascii[string(buf[:len(run)])]
}

// A reply to a question the bot asked (which one? is it this one?) may
// end the dialogue or confirm the single guess.
var (
	stopWords = []string{"取消", "算了", "不用了", "不要了", "不了", "退出", "不", "否", "不是"}
	yesWords  = []string{"是", "是的", "对", "对的", "确认", "确定", "好", "好的", "嗯", "可以", "行", "要", "yes", "y"}
)

// Stops reports whether a reply ends a dialogue: 算了, 不用了, ...
func Stops(text string) bool { return slices.Contains(stopWords, strings.ToLower(Normalize(text))) }

// Confirms reports whether a reply says yes: 是, 好的, ...
func Confirms(text string) bool { return slices.Contains(yesWords, strings.ToLower(Normalize(text))) }
