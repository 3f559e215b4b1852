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
	segCap     // a capacity such as 名额20 or 30人
	segInexact // an amount of time that is not exact: 两个多小时, 半天
	segAttend  // attendance of a meeting: 应到9人 (clock.pod holds nothing; attend the kind)
	segPage    // 第2页
	segYear    // 2026年 on its own
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
	attend     byte // segAttend: attendExpected, attendPresent or attendDelivered
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
	wcAdopt                         // 已采纳 (off 1) 未采纳 (off 0): whether a decision was adopted
	wcConnect                       // 组织 开展 大家踊跃报名 …: words joining the fields of a publish sentence
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
	tDesk                       // the bureau's desk: 台账 表格 …
	tUndo                       // 刚才 那条: what undo refers to
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
	slip   bool // a voice keyboard's mishearing of a command word (报明): confirm before acting
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

// dictBuilder collects the dictionary's words, in order: among equal
// texts the first added wins, which is why command words are added before
// nouns and fillers.
type dictBuilder struct{ all []*dictWord }

// add adds the texts as words like w.
func (d *dictBuilder) add(w dictWord, texts ...string) {
	for _, t := range texts {
		c := w
		c.text = t
		d.all = append(d.all, &c)
	}
}

// kw adds the texts as command words of the intent, which tolerates tags.
func (d *dictBuilder) kw(in Intent, tags wordTag, texts ...string) {
	d.add(dictWord{class: wcKeyword, intent: in, tags: tags}, texts...)
}

// slips adds the texts as a voice keyboard's mishearings of the intent's
// command word: read as the word, with confirm, only where a command word
// stands.
func (d *dictBuilder) slips(in Intent, tags wordTag, texts ...string) {
	d.add(dictWord{class: wcKeyword, intent: in, tags: tags, slip: true}, texts...)
}

// buildDictionary indexes the grammars' words, then the words every
// intent shares (periods, meeting kinds, question words, fillers ...).
func buildDictionary(gs []grammar) *wordIndex {
	b := &dictBuilder{}
	for _, g := range gs {
		g.words(b)
	}
	add := b.add
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
		{'y', 0, []string{"今年", "本年", "今年度", "本年度"}},
		{'y', -1, []string{"去年", "上一年", "上年"}},
		{'y', 1, []string{"明年"}},
		{0, 0, []string{"近期", "最近", "这几天", "近日"}},
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
	add(dictWord{class: wcConnect}, "大家踊跃报名", "欢迎大家踊跃报名", "请大家踊跃报名", "踊跃报名", "欢迎报名", "欢迎参加",
		"欢迎大家参加", "欢迎大家报名", "开展", "举办", "大家踊跃参加", "踊跃参加")
	add(dictWord{class: wcRestate}, "书记", "支书", "讲", "主讲", "讲授", "组织", "举行", "一次", "一堂", "专题", "全体",
		"党员", "同志", "给大家", "为大家", "上", "开", "集中")
	add(dictWord{class: wcFiller}, "我", "我们", "你", "您", "请", "请问", "麻烦", "麻烦你", "麻烦您", "帮我", "帮忙", "给我",
		"一下", "了", "的", "吧", "呢", "啊", "呀", "哦", "噢", "嗯", "哈", "啦", "嘛", "也", "就", "都", "还", "还有",
		"再", "想", "我要", "我想", "想要", "需要", "现在", "马上", "谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "辛苦了",
		"好的", "你好", "您好", "在吗", "在不在", "老师", "那个", "把", "给", "帮", "查", "查询", "查看", "看看",
		"看一下", "看下", "瞧瞧", "显示", "列出", "告诉我", "是", "有", "的话", "呗", "咯", "已经", "我来", "我在", "我是",
		"一起", "都有", "目前", "当前", "请帮我", "帮我查", "查一下", "发我", "能", "可以", "大家好",
		"有事", "临时有事", "到", "至", "-", "~", "和", "与", "跟", "及", "俺", "咱", "劳驾", "一下子") // 到 至 - ~ join the two ends of a range: 2点到4点

	d := &wordIndex{byRune: make(map[rune][]*dictWord), ascii: make(map[string]*dictWord)}
	for _, w := range b.all {
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
			if w := lang.dict.asciiWord(s[i:j]); w != nil {
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
			if next.end == int32(i) || next.kind != segWord && capitalInText(s, i, int(next.end), textStart >= 0) {
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

// capitalDigits are the 大写 numerals. Several are also surnames and
// place names (陆家嘴, 伍家岗, 小陆), so a form starting with one counts only
// where it stands apart from text.
const capitalDigits = "壹贰叁肆伍陆柒捌玖拾佰"

// capitalInText reports whether the form s[i:end] begins with a 大写 numeral
// and is glued to text: after it (a Han character that starts no word or
// form) or before it (inText).
func capitalInText(s string, i, end int, inText bool) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	if !strings.ContainsRune(capitalDigits, r) {
		return false
	}
	if inText {
		return true
	}
	if end >= len(s) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[end:])
	return unicode.Is(unicode.Han, next) && longestForm(s, end).end == int32(end)
}

// longestForm returns the longest dictionary word or structured form at
// s[i:], or a segment ending at i when there is none.
func longestForm(s string, i int) lexSegment {
	if s[i] == '-' {
		// 9点-11点: the dash joins two times; it is no minus sign.
		if _, e := scanTime(s, i+1); e > i+1 {
			return lexSegment{kind: segWord, w: lang.dict.longest(s, i), start: int32(i), end: int32(i + 1)}
		}
	}
	best, end := lexSegment{}, i
	if w := lang.dict.longest(s, i); w != nil {
		best, end = lexSegment{kind: segWord, w: w}, i+len(w.text)
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); !formStart(r) {
		best.start, best.end = int32(i), int32(end)
		return best
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
	if e := scanInexact(s, i); e > end {
		best, end = lexSegment{kind: segInexact}, e
	}
	if k, n, e := scanAttend(s, i); e > end {
		best, end = lexSegment{kind: segAttend, num: n, attend: k, bad: n.bad}, e
	}
	if n, e := scanPage(s, i); e > end {
		best, end = lexSegment{kind: segPage, num: numVal{val: float64(n), isInt: true}}, e
	}
	if y, e := scanYear(s, i); e > end {
		best, end = lexSegment{kind: segYear, num: numVal{val: float64(y), isInt: true}}, e
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
	stopWords = []string{"取消", "算了", "不用了", "不要了", "不了", "退出", "不", "否", "不是", "不处理了", "不办了", "不弄了"}
	yesWords  = []string{"是", "是的", "对", "对的", "确认", "确定", "好", "好的", "嗯", "可以", "行", "要", "yes", "y"}
)

// Stops reports whether a reply ends a dialogue: 算了, 不用了, ...
func Stops(text string) bool { return slices.Contains(stopWords, strings.ToLower(Normalize(text))) }

// Confirms reports whether a reply says yes: 是, 好的, ...
func Confirms(text string) bool { return slices.Contains(yesWords, strings.ToLower(Normalize(text))) }

// formStarts are the characters a structured form (date, time, amount,
// capacity, number, attendance, page, year) can start with; at any other
// position only the dictionary is asked. TestFormStarts checks the list
// against the scanners.
const formStarts = "0123456789#-" +
	"零〇一二两俩三仨四五六七八九十百半几好" + // numbers and loose amounts
	capitalDigits + // numbers in 大写
	"今明后昨前大这本下上星礼周去" + // days and weeks
	"凌早清中午傍晚夜" + // parts of day
	"名人限最招需共第活编序整送应实到参出" // capacity, references, amounts, attendance

// formStartSet holds formStarts as bits over the Basic Multilingual Plane:
// a look-up at every position of every message has to be cheap.
var formStartSet = func() *bmpSet {
	var b bmpSet
	for _, r := range formStarts {
		b.add(r)
	}
	return &b
}()

func formStart(r rune) bool {
	if r < utf8.RuneSelf {
		return isDigitByte(byte(r)) || r == '#' || r == '-'
	}
	return formStartSet.has(r)
}

// bmpSet is a set of runes of the Basic Multilingual Plane.
type bmpSet [0x10000 / 64]uint64

func (b *bmpSet) add(r rune) {
	if r < 0x10000 {
		b[r>>6] |= 1 << (r & 63)
	}
}

func (b *bmpSet) has(r rune) bool { return r < 0x10000 && b[r>>6]&(1<<(r&63)) != 0 }
