package command

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Intent names what a command asks for, as `jinqiu parse` prints it.
// Each intent's constant lives with its grammar.
type Intent string

// IntentUnknown is a message no grammar reads.
const IntentUnknown Intent = "unknown"

// grammar is how one intent is written: everything the language knows of
// it, in the file of its subject and listed once in grammars.
type grammar struct {
	intent Intent
	// words adds the intent's command words to the dictionary (and the
	// nouns only it tolerates).
	words func(d *dictBuilder)
	// tolerates are the tags of the other words that may stand in a
	// message of the intent without changing its meaning.
	tolerates wordTag
	// allows says whether the segment at i, neither a word nor a space (a
	// number, a date, a time), may stand in its message; nil: none may.
	allows func(p *msgParser, i int) bool
	// company says whether a weak command word of the intent at i has the
	// company it needs (服务 + hours); nil: it never has.
	company func(p *msgParser, i int) bool
	// args: the intent carries "args" in JSON (COMMANDS.md lists some);
	// note: its Note is printed.
	args, note bool
	// read reads the message as a command of the intent.
	read func(p *msgParser) (Command, fit)
}

// grammars are the language's intents, in the order their words enter the
// dictionary. Adding an intent is its grammar in its subject's file and a
// line here.
func grammars() []grammar {
	return []grammar{
		helpGrammar(),
		registerGrammar(),
		checkinGrammar(),
		listActivitiesGrammar(),
		signupGrammar(),
		cancelSignupGrammar(),
		reportHoursGrammar(),
		myStatsGrammar(),
		publishGrammar(),
		cancelActivityGrammar(),
		rosterGrammar(),
		approveGrammar(),
		rejectGrammar(),
		recordMeetingGrammar(),
		meetingStatusGrammar(),
		digestGrammar(),
		undoGrammar(),
		pendingHoursGrammar(),
		appointGrammar(),
		resignGrammar(),
		recordDecisionGrammar(),
		nominateGrammar(),
		commendGrammar(),
		exportGrammar(),
		consoleGrammar(),
		publicityGrammar(),
		consentGrammar(),
		withdrawConsentGrammar(),
		objectGrammar(),
	}
}

// language is the grammars and their dictionary, built once at start-up
// and only read afterwards.
type language struct {
	dict     *wordIndex
	grammars map[Intent]*grammar
}

var lang = newLanguage()

func newLanguage() *language {
	gs := grammars()
	l := &language{dict: buildDictionary(gs), grammars: make(map[Intent]*grammar, len(gs))}
	for i := range gs {
		l.grammars[gs[i].intent] = &gs[i]
	}
	return l
}

// numbers allows a number (an activity or report).
func numbers(p *msgParser, i int) bool { return p.segs[i].kind == segNum }

// Intents are the language's intents, in order.
func Intents() []Intent {
	var out []Intent
	for _, g := range grammars() {
		out = append(out, g.intent)
	}
	return out
}

// Command is a parsed message. Zero values mean "not given" (Activity 0,
// Hours 0, empty strings, zero StartsAt, nil Offset).
type Command struct {
	Intent    Intent
	Community string
	Activity  int       // activity number
	Report    int       // hours report number
	Hours     float64   // rounded to 2 decimals
	Date      time.Time // midnight in the zone of now; for report_hours and record_meeting always set (default today)
	Note      string    // report_hours: what was done; reject_hours: the reason (not printed, see parseReject)
	Title     string
	StartsAt  time.Time     // in the zone of now
	Duration  time.Duration // publish_activity: 3小时, 9点到11点; 0 when not said (not printed)
	Deadline  time.Time     // publish_activity: sign-up closes (报名截止…); zero when not said (not printed)
	Place     string
	Capacity  int
	// BadCapacity is a capacity written but not one (名额0, 名额-5,
	// 名额99999999, 名额1e9), as written: the handler names it and asks.
	BadCapacity string
	Kind        string // branch_assembly|committee|group|lecture|theme_day
	Topic       string
	Period      string // week|month for digest; month|year for export and publicity
	Offset      *int   // 0 or -1; nil when not said

	// Confirm: the message means an acting intent but was not written
	// plainly (a voice-keyboard slip of the command word, a publish whose
	// fields were found inside running words): the handler repeats what it
	// understood and acts only on 是.
	Confirm bool
	// BadDate is a date-and-time expression that was not taken (it does not
	// exist, puts an activity in the past or hours and meetings in the
	// future, or lies outside the window of a date without a year), as
	// written; Date or StartsAt is then zero. BadDateWhy says why: one of
	// BadDateImpossible, BadDatePast, BadDateFuture, BadDateTooFar (not
	// printed by parse).
	BadDate, BadDateWhy string
	// For is whom a secretary acts for (代办: 帮张大爷签到 3), the name as
	// written; "" is the speaker.
	For string
	// ActivityTitle and ActivityDate name an activity by its title or its
	// day instead of its number (报名 周六的垃圾分类).
	ActivityTitle string
	ActivityDate  time.Time // midnight in the zone of now
	// Attendance of a meeting (应到 实到 送学上门), and Present also of a
	// decision meeting; 0 when not said.
	Expected, Present, Delivered int
	// Adopted is whether a decision was adopted (已采纳 / 未采纳); nil when
	// not said.
	Adopted *bool
	// Member and Position name a person of the branch and a post, as
	// written (appoint, resign, nominate).
	Member, Position string
	// Nomination is the number of a nomination (commend).
	Nomination int
	// Year is a year written with export (导出2026年).
	Year int
	// Page is the page of a list asked for (活动 第2页); 0 the first.
	Page int

	// Why an argument is missing, for the handler's reason (not printed):
	// TwoNumbers (报名2和6, 通过5 6), TwoAmounts (时长2小时 3小时), Inexact
	// the amount written that is not an exact one (两个多小时, 半天).
	TwoNumbers, TwoAmounts bool
	Inexact                string
	// Thanks is a thank-you or greeting with no command in it (谢谢金秋助手🌹,
	// 你好): intent unknown, answered with a friendly line (not printed).
	Thanks bool
}

// intentHasArgs reports whether the intent's row in COMMANDS.md lists
// arguments: those intents always carry "args" in JSON, the others never do.
func intentHasArgs(in Intent) bool {
	g := lang.grammars[in]
	return g != nil && g.args
}

type argsJSON struct {
	Community string   `json:"community,omitempty"`
	Activity  int      `json:"activity,omitempty"`
	Report    int      `json:"report,omitempty"`
	Hours     *float64 `json:"hours,omitempty"`
	Date      string   `json:"date,omitempty"`
	Note      string   `json:"note,omitempty"`
	Title     string   `json:"title,omitempty"`
	StartsAt  string   `json:"starts_at,omitempty"`
	Place     string   `json:"place,omitempty"`
	Capacity  int      `json:"capacity,omitempty"`
	BadCap    string   `json:"bad_capacity,omitempty"`
	Kind      string   `json:"kind,omitempty"`
	Topic     string   `json:"topic,omitempty"`
	Period    string   `json:"period,omitempty"`
	Offset    *int     `json:"offset,omitempty"`
	BadDate   string   `json:"bad_date,omitempty"`
	For       string   `json:"for,omitempty"`
	ActTitle  string   `json:"activity_title,omitempty"`
	ActDate   string   `json:"activity_date,omitempty"`
	Expected  int      `json:"expected,omitempty"`
	Present   int      `json:"present,omitempty"`
	Delivered int      `json:"delivered,omitempty"`
	Adopted   *bool    `json:"adopted,omitempty"`
	Member    string   `json:"member,omitempty"`
	Position  string   `json:"position,omitempty"`
	Nominated int      `json:"nomination,omitempty"`
	Year      int      `json:"year,omitempty"`
	Page      int      `json:"page,omitempty"`
}

type commandJSON struct {
	Intent  Intent    `json:"intent"`
	Args    *argsJSON `json:"args,omitempty"`
	Confirm bool      `json:"confirm,omitempty"`
}

// MarshalJSON renders {"intent": ..., "args": {...}} as COMMANDS.md shows it:
// intents with arguments always carry "args" (possibly {}), the others none;
// arguments that were not given are left out.
func (c Command) MarshalJSON() ([]byte, error) {
	out := commandJSON{Intent: c.Intent, Confirm: c.Confirm}
	if intentHasArgs(c.Intent) || c.Page > 0 {
		a := &argsJSON{
			Community: c.Community,
			Activity:  c.Activity,
			Report:    c.Report,
			Title:     c.Title,
			Place:     c.Place,
			Capacity:  c.Capacity,
			BadCap:    c.BadCapacity,
			Kind:      c.Kind,
			Topic:     c.Topic,
			Period:    c.Period,
			Offset:    c.Offset,
			BadDate:   c.BadDate,
			For:       c.For,
			ActTitle:  c.ActivityTitle,
			Expected:  c.Expected,
			Present:   c.Present,
			Delivered: c.Delivered,
			Adopted:   c.Adopted,
			Member:    c.Member,
			Position:  c.Position,
			Nominated: c.Nomination,
			Year:      c.Year,
			Page:      c.Page,
		}
		if !c.ActivityDate.IsZero() {
			a.ActDate = c.ActivityDate.Format(time.DateOnly)
		}
		if c.Hours != 0 && !math.IsInf(c.Hours, 0) && !math.IsNaN(c.Hours) {
			h := c.Hours
			a.Hours = &h
		}
		if g := lang.grammars[c.Intent]; g != nil && g.note {
			// Only report_hours has a note in COMMANDS.md; the reason of
			// reject_hours (Note too) is for the handler, not for parse.
			a.Note = c.Note
		}
		if !c.Date.IsZero() {
			a.Date = c.Date.Format(time.DateOnly)
		}
		if !c.StartsAt.IsZero() {
			a.StartsAt = c.StartsAt.Format(time.RFC3339)
		}
		out.Args = a
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // operators read `jinqiu parse` output; <> need no escaping
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// maxMessage bounds the work for one message. WeCom delivers at most 2 KB of
// text and DingTalk about 20 KB; nothing longer is a command, and segment
// offsets stay well inside int32.
const maxParseMessage = 64 << 10

// Parse parses one message. now carries the configured time zone
// (now.Location()); relative dates are resolved against it. Parse never
// panics: text it cannot read with confidence, or longer than 64 KiB, is
// IntentUnknown, and text that is empty after normalisation is IntentHelp.
// Safe for concurrent use.
func Parse(text string, now time.Time) Command {
	if len(text) > maxParseMessage {
		return Command{Intent: IntentUnknown}
	}
	s := Normalize(text)
	if s == "" {
		return Command{Intent: IntentHelp}
	}
	f := simplify(s)
	ar := findAround(s, f)
	if ar.a >= ar.b {
		// Only emoji, thanks or filler: no command word is left.
		return Command{Intent: IntentUnknown, Thanks: isThanks(f)}
	}
	var intro Command
	if ar.intro > 0 && ar.intro < ar.b {
		// 我是老李，签到 3: the speaker says who they are, then the command;
		// but 我是枣行社区的，来报到 names the place to register with.
		in := ar
		in.a = in.intro
		intro = parseSpan(s, f, in, now)
		if intro.Intent != IntentUnknown && !(intro.Intent == IntentRegister && intro.Community == "") {
			return intro
		}
	}
	cmd := parseSpan(s, f, ar, now)
	if cmd.Intent == IntentUnknown && intro.Intent != "" && intro.Intent != IntentUnknown {
		return intro // 我是新来的，报到
	}
	if cmd.Intent == IntentUnknown {
		cmd.Thanks = isThanks(f)
	}
	keepAttachedEmoji(&cmd, s, ar)
	return cmd
}

// keepAttachedEmoji gives back the emoji written onto the last word of a
// message (清扫楼道👨‍👩‍👧‍👦, 升旗🇨🇳) to the text field that word ends: what
// people write is stored as typed. Emoji after a space, a number or a
// closing word (报名 2🙏, 谢谢书记🌹) were decoration and stay off.
func keepAttachedEmoji(cmd *Command, s string, ar around) {
	t := strings.TrimRight(s, " ")
	i := emojiRunStart(t)
	if i == len(t) || i == 0 || i != ar.b {
		return
	}
	if r, _ := utf8.DecodeLastRuneInString(t[:i]); !unicode.IsLetter(r) {
		return
	}
	span := s[ar.a:ar.b]
	for _, field := range []*string{&cmd.Note, &cmd.Topic, &cmd.Place, &cmd.Title, &cmd.Community} {
		if *field != "" && strings.HasSuffix(span, *field) {
			*field += t[i:]
			return
		}
	}
}

// emojiRunStart is where the run of emoji that ends s begins (len(s):
// none).
func emojiRunStart(s string) int {
	i := len(s)
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !isEmojiRune(r) {
			break
		}
		i -= n
	}
	return i
}

// parseSpan reads the command at s[ar.a:ar.b] and applies what the words
// around it said.
func parseSpan(s, f string, ar around, now time.Time) Command {
	y, m, d := now.Date()
	p := msgParser{lang: lang, s: s[ar.a:ar.b], f: f[ar.a:ar.b], now: now,
		today: time.Date(y, m, d, 0, 0, 0, 0, now.Location()), question: ar.asked}
	var buf [16]lexSegment
	p.segs = lexMessage(p.f, buf[:0])
	cmd := p.parse()
	if ar.forName != "" && takesFor(cmd.Intent) {
		cmd.For = ar.forName
	}
	if p.slip != "" && cmd.Intent == p.slip && isActing(cmd.Intent) {
		if cmd.Intent == IntentReportHours && cmd.Hours == 0 && cmd.Inexact == "" && !cmd.TwoAmounts {
			return Command{Intent: IntentUnknown} // 时常去社区帮忙: no amount, no report
		}
		cmd.Confirm = true
	}
	if (ar.asked || p.question) && isActing(cmd.Intent) && (!cmd.hasTarget() || strings.HasSuffix(p.f, "了")) {
		// 取消了吗, 撤销了吗 ask whether it is done.
		// 能报名吗 asks how; 能不能报名12号 asks for a sign-up.
		return Command{Intent: IntentHelp}
	}
	return cmd
}

// takesFor reports whether an intent may be done for someone else (代办).
func takesFor(in Intent) bool {
	switch in {
	case IntentSignup, IntentCancelSignup, IntentCheckin, IntentReportHours:
		return true
	}
	return false
}

// isActing reports whether an intent changes a record (COMMANDS.md,
// Confirm before acting).
func isActing(in Intent) bool {
	switch in {
	case IntentRegister, IntentCheckin, IntentSignup, IntentCancelSignup, IntentReportHours, IntentPublishActivity,
		IntentCancelActivity, IntentApproveHours, IntentRejectHours, IntentRecordMeeting, IntentUndo, IntentAppoint,
		IntentResign, IntentRecordDecision, IntentNominate, IntentCommend, IntentPublicity, IntentConsent,
		IntentWithdrawConsent, IntentObject:
		return true
	}
	return false
}

// hasTarget reports whether an acting command names what it acts on, so
// that a question carrying it is that command.
func (c Command) hasTarget() bool {
	switch c.Intent {
	case IntentSignup, IntentCancelSignup, IntentCheckin, IntentCancelActivity:
		return c.Activity > 0 || c.ActivityTitle != "" || !c.ActivityDate.IsZero()
	case IntentApproveHours, IntentRejectHours, IntentObject:
		return c.Report > 0
	case IntentReportHours:
		return c.Hours > 0
	case IntentRegister:
		return c.Community != ""
	case IntentCommend:
		return c.Nomination > 0
	case IntentAppoint, IntentResign, IntentNominate:
		return c.Member != ""
	}
	return true
}

type msgParser struct {
	lang     *language
	s        string // normalised text, as typed: what people name is cut from it
	f        string // s simplified (same byte offsets): what the words are matched on
	now      time.Time
	today    time.Time
	segs     []lexSegment
	question bool // a question particle (吗 怎么 …) was seen
	helpWord bool
	slip     Intent // the message opens with a voice-keyboard slip of this intent's word
	refsOnly bool   // a plain N号 is an activity's number, never a day (报名 4号)
}

// verdict is how a message fits the intent being tried.
type fit uint8

const (
	fitNo fit = iota // it does not: try the next command word
	fitYes
	fitUnclear // it does, but unclearly (two dates, two amounts): do not guess
)

// parse tries the intents of the command words in the order they appear;
// each intent accepts the message only if everything else in it is
// accounted for, which is what keeps chatter away from signup and hours.
func (p *msgParser) parse() Command {
	p.markWeak()
	var order [24]Intent
	cands := order[:0]
	yielded := false
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind != segWord {
			continue
		}
		w := sg.w
		if w.slip {
			// A slip counts only where the command word stands, at the
			// start: 我时常去社区帮忙 is chatter.
			if i != 0 {
				continue
			}
			p.slip = w.intent
		}
		switch w.class {
		case wcQuestion:
			p.question = true
		case wcKeyword, wcSoft:
			if w.intent == IntentHelp {
				p.helpWord = true
			}
			if w.yields {
				yielded = true
				continue
			}
			cands = addIntent(cands, w.intent)
		case wcWeak:
			if p.weakOK(i) {
				cands = addIntent(cands, w.intent)
			}
		}
	}
	if yielded {
		cands = addIntent(cands, IntentListActivities)
	}
	for _, in := range cands {
		for i := range p.segs {
			p.segs[i].used = false
		}
		cmd, v := p.try(in)
		switch v {
		case fitYes:
			return cmd
		case fitUnclear:
			return p.fallback()
		}
	}
	return p.fallback()
}

func addIntent(cands []Intent, in Intent) []Intent {
	for _, c := range cands {
		if c == in {
			return cands
		}
	}
	return append(cands, in)
}

// fallback answers a message no intent took: a question or a help word gets
// the menu, anything else is unknown.
func (p *msgParser) fallback() Command {
	if p.question || p.helpWord {
		return Command{Intent: IntentHelp}
	}
	return Command{Intent: IntentUnknown}
}

func (p *msgParser) try(in Intent) (Command, fit) {
	if g := p.lang.grammars[in]; g != nil {
		return g.read(p)
	}
	return Command{}, fitNo
}

// markWeak records, once per message, which weak command words have their
// company: 服务 needs an amount of time right after it (fillers aside), 已开
// and kin need a meeting kind somewhere in the message.
func (p *msgParser) markWeak() {
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind != segWord || sg.w.class != wcWeak {
			continue
		}
		if g := p.lang.grammars[sg.w.intent]; g != nil && g.company != nil {
			sg.company = g.company(p, i)
		}
	}
}

// weakOK reports whether the weak command word at i has its company.
func (p *msgParser) weakOK(i int) bool { return p.segs[i].company }

// allowed reports whether segment i may stand in a message of intent in
// without changing its meaning.
func (p *msgParser) allowed(in Intent, i int) bool {
	sg := &p.segs[i]
	switch sg.kind {
	case segSpace:
		return true
	case segWord:
		w := sg.w
		switch w.class {
		case wcFiller:
			return true
		case wcQuestion:
			if w.text == "吗" {
				return true // 能帮我报个名吗 3号: a question carrying the command (see parseSpan)
			}
		case wcKeyword:
			if w.intent == in {
				return true
			}
		case wcWeak:
			if w.intent == in && p.weakOK(i) {
				return true
			}
		case wcSoft:
			if in == IntentCancelSignup {
				return true
			}
		}
		g := p.lang.grammars[in]
		return g != nil && w.tags&g.tolerates != 0
	}
	g := p.lang.grammars[in]
	return g != nil && g.allows != nil && g.allows(p, i)
}

// parsePlain handles the intents without arguments.
func (p *msgParser) parsePlain(in Intent) (Command, fit) {
	for i := range p.segs {
		if !p.allowed(in, i) {
			return Command{}, fitNo
		}
	}
	return Command{Intent: in}, fitYes
}

// parseList handles the lists without arguments: a page may be asked for
// (活动 第2页).
func (p *msgParser) parseList(in Intent) (Command, fit) {
	cmd := Command{Intent: in}
	for i := range p.segs {
		if !p.allowed(in, i) {
			return Command{}, fitNo
		}
		if sg := &p.segs[i]; sg.kind == segPage {
			cmd.Page = int(sg.num.val)
		}
	}
	return cmd, fitYes
}

// parseRef handles the intents whose argument is an activity or report
// number. Anything in the message besides the number, fillers and the
// intent's own words makes it no such command.
func (p *msgParser) parseRef(in Intent, report bool) (Command, fit) {
	refs, ref := 0, 0
	for i := range p.segs {
		if !p.allowed(in, i) {
			return Command{}, fitNo
		}
		sg := &p.segs[i]
		switch {
		case sg.kind == segNum && sg.num.validRef():
			if v := int(sg.num.val); refs == 0 || v != ref {
				refs, ref = refs+1, v
			}
		}
	}
	cmd := Command{Intent: in}
	// Two different numbers, or 不去了 with no number: the handler asks
	// which sign-up to cancel (or confirms the only one) instead of acting.
	// 不去了 naming one activity (3号活动我不去了) is as definite as 取消 3.
	if refs != 1 {
		cmd.TwoNumbers = refs > 1
		return cmd, fitYes
	}
	if report {
		cmd.Report = ref
	} else {
		cmd.Activity = ref
	}
	return cmd, fitYes
}

// firstCommand returns the index of the first command word of intent in.
func (p *msgParser) firstCommand(in Intent) int {
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == in &&
			(sg.w.class == wcKeyword || sg.w.class == wcWeak && p.weakOK(i)) {
			return i
		}
	}
	return -1
}

// domAt reports whether segment i is a plain N号 that names a day of the
// month: standing alone as a token, or right before a time or a command word
// (25号服务了3小时, 3号下午2点), but never inside other text (3号楼). Only
// intents without an activity number ask this.
func (p *msgParser) domAt(i int) bool {
	sg := &p.segs[i]
	if sg.kind != segNum || !sg.num.day || !sg.num.validRef() || sg.num.val > 31 {
		return false
	}
	startsToken := i == 0 || p.segs[i-1].kind == segSpace
	if !startsToken && p.segs[i-1].kind == segText {
		return false
	}
	if i+1 >= len(p.segs) {
		return true
	}
	switch nx := &p.segs[i+1]; nx.kind {
	case segSpace:
		return startsToken
	case segTime:
		return true
	case segWord:
		return nx.w.class == wcPod || nx.w.class == wcKeyword || nx.w.class == wcWeak
	}
	return false
}

// dateFor finds the one date of a message (a date, or a plain N号 that
// names a day) and takes it for use, marking it used. No date: zero time
// and no reason. A date not taken: zero time, the expression as written
// and why. Two different dates make the message unclear.
func (p *msgParser) dateFor(use dateUse) (t time.Time, bad, why string, v fit) {
	at := -1
	for i := range p.segs {
		sg := &p.segs[i]
		var ds dateSpec
		switch {
		case sg.used:
			continue
		case sg.kind == segDate:
			ds = sg.date
		case p.refsOnly:
			continue
		case p.domAt(i):
			ds = dateSpec{form: formDom, day: int16(sg.num.val)}
		default:
			continue
		}
		d, w := ds.take(p.today, use)
		if at >= 0 && (w != "" || why != "" || !d.Equal(t)) {
			return time.Time{}, "", "", fitUnclear
		}
		at, t, why = i, d, w
		sg.used = true
	}
	if why != "" {
		return time.Time{}, p.dateExpr(at, false), why, fitYes
	}
	return t, "", "", fitYes
}

// dateExpr is the date-and-time expression around segment i as written:
// the date with the times and parts of day joined to it, and with across,
// also those a space away (2026-11-20 09:30).
func (p *msgParser) dateExpr(i int, across bool) string {
	isPart := func(j int) bool {
		sg := &p.segs[j]
		return sg.kind == segDate || sg.kind == segTime || sg.kind == segWord && sg.w.class == wcPod
	}
	lo, hi := i, i
	for j := i - 1; j >= 0; j-- {
		if isPart(j) {
			lo = j
		} else if !(across && p.segs[j].kind == segSpace && j > 0 && isPart(j-1)) {
			break
		}
	}
	for j := i + 1; j < len(p.segs); j++ {
		if isPart(j) {
			hi = j
		} else if !(across && p.segs[j].kind == segSpace && j+1 < len(p.segs) && isPart(j+1)) {
			break
		}
	}
	return p.s[p.segs[lo].start:p.segs[hi].end]
}

func (p *msgParser) dropNote(i int) bool {
	sg := &p.segs[i]
	if sg.kind != segWord {
		return false
	}
	switch sg.w.class {
	case wcFiller, wcLabel, wcPod:
		return true
	}
	return false
}

func roundHours(v float64) float64 { return math.Round(v*100) / 100 }

// texts appends, token by token over segments [from, to), the raw text of
// the segments not used as arguments. Used segments cut a token into pieces;
// a piece made only of dropped segments (fillers, labels …) goes, and the
// pieces left in a token are joined as written, so that 我今天服务2小时打扫楼道
// leaves 打扫楼道 while fillers inside real text stay.
func (p *msgParser) texts(dst []string, from, to int, drop func(int) bool) []string {
	var b strings.Builder
	for i := from; i < to; {
		if p.segs[i].kind == segSpace {
			i++
			continue
		}
		b.Reset()
		single := ""
		pieces := 0
		for i < to && p.segs[i].kind != segSpace {
			if p.segs[i].used {
				i++
				continue
			}
			j, real := i, false
			for j < to && p.segs[j].kind != segSpace && !p.segs[j].used {
				real = real || !drop(j)
				j++
			}
			if real {
				piece := p.s[p.segs[i].start:p.segs[j-1].end]
				if pieces == 0 {
					single = piece
				} else {
					if pieces == 1 {
						b.WriteString(single)
					}
					b.WriteString(piece)
				}
				pieces++
			}
			i = j
		}
		switch pieces {
		case 0:
		case 1:
			dst = append(dst, single) // a slice of p.s: no copy
		default:
			dst = append(dst, b.String())
		}
	}
	return dst
}

// ParseHeard parses a voice message's transcript (WeCom's voice carries
// the platform's transcript): as Parse, but an acting intent asks to
// confirm, quoting what was heard. Safe for concurrent use.
func ParseHeard(text string, now time.Time) Command {
	cmd := Parse(text, now)
	cmd.Confirm = cmd.Confirm || isActing(cmd.Intent)
	return cmd
}
