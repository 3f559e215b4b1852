package command

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Intent names as printed by `jinqiu parse`.
type Intent string

const (
	IntentHelp            Intent = "help"
	IntentRegister        Intent = "register"
	IntentCheckin         Intent = "checkin"
	IntentListActivities  Intent = "list_activities"
	IntentSignup          Intent = "signup"
	IntentCancelSignup    Intent = "cancel_signup"
	IntentReportHours     Intent = "report_hours"
	IntentMyStats         Intent = "my_stats"
	IntentPublishActivity Intent = "publish_activity"
	IntentCancelActivity  Intent = "cancel_activity"
	IntentRoster          Intent = "roster"
	IntentApproveHours    Intent = "approve_hours"
	IntentRejectHours     Intent = "reject_hours"
	IntentRecordMeeting   Intent = "record_meeting"
	IntentMeetingStatus   Intent = "meeting_status"
	IntentDigest          Intent = "digest"
	IntentUnknown         Intent = "unknown"
)

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
	Period      string // week|month
	Offset      *int   // 0 or -1; nil when not said
}

// hasArgs reports whether the intent's row in COMMANDS.md lists arguments:
// those intents always carry "args" in JSON, the others never do.
func intentHasArgs(in Intent) bool {
	switch in {
	case IntentHelp, IntentListActivities, IntentMyStats, IntentMeetingStatus, IntentUnknown:
		return false
	}
	return true
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
}

type commandJSON struct {
	Intent Intent    `json:"intent"`
	Args   *argsJSON `json:"args,omitempty"`
}

// MarshalJSON renders {"intent": ..., "args": {...}} as COMMANDS.md shows it:
// intents with arguments always carry "args" (possibly {}), the others none;
// arguments that were not given are left out.
func (c Command) MarshalJSON() ([]byte, error) {
	out := commandJSON{Intent: c.Intent}
	if intentHasArgs(c.Intent) {
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
		}
		if c.Hours != 0 && !math.IsInf(c.Hours, 0) && !math.IsNaN(c.Hours) {
			h := c.Hours
			a.Hours = &h
		}
		if c.Intent == IntentReportHours {
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
	y, m, d := now.Date()
	p := msgParser{s: s, now: now, today: time.Date(y, m, d, 0, 0, 0, 0, now.Location())}
	var buf [16]lexSegment
	p.segs = lexMessage(s, buf[:0])
	return p.parse()
}

type msgParser struct {
	s        string // normalised text
	now      time.Time
	today    time.Time
	segs     []lexSegment
	question bool // a question particle (吗 怎么 …) was seen
	helpWord bool
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
	switch in {
	case IntentHelp, IntentListActivities, IntentMyStats, IntentMeetingStatus:
		return p.parsePlain(in)
	case IntentDigest:
		return p.parseDigest()
	case IntentReportHours:
		return p.parseReport()
	case IntentPublishActivity:
		return p.parsePublish()
	case IntentRegister:
		return p.parseRegister()
	case IntentRecordMeeting:
		return p.parseMeeting()
	case IntentRejectHours:
		return p.parseReject()
	default:
		return p.parseRef(in)
	}
}

// markWeak records, once per message, which weak command words have their
// company: 服务 needs an amount of time right after it (fillers aside), 已开
// and kin need a meeting kind somewhere in the message.
func (p *msgParser) markWeak() {
	hasKind := false
	for i := range p.segs {
		if p.segs[i].kind == segWord && p.segs[i].w.class == wcKind {
			hasKind = true
			break
		}
	}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind != segWord || sg.w.class != wcWeak {
			continue
		}
		switch sg.w.intent {
		case IntentRecordMeeting:
			sg.company = hasKind
		case IntentReportHours:
			for j := i + 1; j < len(p.segs); j++ {
				nx := &p.segs[j]
				if nx.kind == segSpace || nx.kind == segWord && nx.w.class == wcFiller {
					continue
				}
				sg.company = nx.kind == segHours
				break
			}
		}
	}
}

// weakOK reports whether the weak command word at i has its company.
func (p *msgParser) weakOK(i int) bool { return p.segs[i].company }

func allowedTags(in Intent) wordTag {
	switch in {
	case IntentSignup, IntentCancelSignup, IntentCheckin, IntentCancelActivity:
		return tAct
	case IntentRoster:
		return tAct | tRoster | tWh
	case IntentApproveHours, IntentRejectHours:
		return tHours
	case IntentMyStats:
		return tStats | tHours | tAct | tPeriod | tWh | tQ
	case IntentListActivities:
		return tList | tAct | tPeriod | tWh | tQ | tPod
	case IntentMeetingStatus:
		return tMeet | tPeriod | tWh | tQ | tKind
	case IntentDigest:
		return tDigest | tPeriod
	case IntentHelp:
		return tHelp | tWh | tQ
	}
	return 0
}

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
		return w.tags&allowedTags(in) != 0
	case segNum:
		switch in {
		case IntentSignup, IntentCancelSignup, IntentCheckin, IntentCancelActivity, IntentRoster,
			IntentApproveHours, IntentRejectHours:
			return true
		}
	case segDate:
		switch in {
		case IntentListActivities, IntentMyStats:
			return true
		case IntentCheckin:
			t, ok := sg.date.resolve(p.today, true)
			return ok && t.Equal(p.today)
		}
	case segTime:
		return in == IntentListActivities
	}
	return false
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

func (p *msgParser) parseDigest() (Command, fit) {
	var unit byte
	for i := range p.segs {
		if !p.allowed(IntentDigest, i) {
			return Command{}, fitNo
		}
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == IntentDigest {
			if unit != 0 && unit != sg.w.unit {
				return Command{}, fitNo // 周报 and 月报 at once
			}
			unit = sg.w.unit
		}
	}
	cmd := Command{Intent: IntentDigest, Period: "week"}
	if unit == 'm' {
		cmd.Period = "month"
	}
	off, n := 0, 0
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.class == wcPeriod && sg.w.unit == unit {
			if n > 0 && sg.w.off != off {
				return cmd, fitYes // 本周 and 上周 at once: say nothing about the offset
			}
			off, n = sg.w.off, n+1
		}
	}
	if n > 0 && (off == 0 || off == -1) {
		cmd.Offset = &off
	}
	return cmd, fitYes
}

// parseRef handles the intents whose argument is an activity or report
// number. Anything in the message besides the number, fillers and the
// intent's own words makes it no such command.
func (p *msgParser) parseRef(in Intent) (Command, fit) {
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
		return cmd, fitYes
	}
	if in == IntentApproveHours || in == IntentRejectHours {
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

// pastDate finds the one date of an hours report or a meeting, resolved to
// the latest such day on or before today, and marks it used. A date that
// does not exist or two different dates make the message unclear.
func (p *msgParser) pastDate() (time.Time, fit) {
	var date time.Time
	for i := range p.segs {
		sg := &p.segs[i]
		var ds dateSpec
		switch {
		case sg.kind == segDate:
			ds = sg.date
		case p.domAt(i):
			ds = dateSpec{form: formDom, day: int16(sg.num.val)}
		default:
			continue
		}
		t, ok := ds.resolve(p.today, false)
		if !ok || !date.IsZero() && !t.Equal(date) {
			return time.Time{}, fitUnclear
		}
		date = t
		sg.used = true
	}
	if date.IsZero() {
		date = p.today
	}
	return date, fitYes
}

func (p *msgParser) parseReport() (Command, fit) {
	kw := p.firstCommand(IntentReportHours)
	if kw < 0 {
		return Command{}, fitNo
	}
	// Only a date may come before the command word: "他服务了3小时" is not the
	// sender's report.
	for i := 0; i < kw; i++ {
		sg := &p.segs[i]
		switch {
		case sg.kind == segSpace, sg.kind == segDate, p.domAt(i):
		case sg.kind == segWord && (sg.w.class == wcFiller || sg.w.class == wcPod || sg.w.class == wcLabel):
		default:
			return Command{}, fitNo
		}
	}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind == segWord && sg.w.intent == IntentReportHours &&
			(sg.w.class == wcKeyword || sg.w.class == wcWeak && p.weakOK(i)) {
			sg.used = true
		}
	}

	amount, n := -1, 0
	for i := range p.segs {
		if p.segs[i].kind == segHours {
			if n++; amount < 0 {
				amount = i
			}
		}
	}
	// A bare number standing on its own after the command word: 时长 2. It
	// counts even next to an N小时, where it makes the amount unclear.
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		if sg.kind != segNum || sg.num.ref {
			continue
		}
		before := p.segs[i-1].kind == segSpace || i-1 == kw
		after := i+1 == len(p.segs) || p.segs[i+1].kind == segSpace
		if before && after && p.decides(i) {
			// 时长填错了 驳回 17: the number is the report decided on, and
			// the message a decision, not a report of 17 hours.
			return Command{}, fitNo
		}
		if before && after {
			if n++; amount < 0 {
				amount = i
			}
		}
	}
	if n > 1 {
		return Command{}, fitUnclear // two amounts: which one?
	}
	cmd := Command{Intent: IntentReportHours}
	if amount >= 0 {
		sg := &p.segs[amount]
		sg.used = true
		switch {
		case sg.kind == segHours && !sg.bad:
			cmd.Hours = roundHours(sg.num.val)
		case sg.kind == segNum && !sg.num.bad:
			cmd.Hours = roundHours(sg.num.val)
		}
	}
	date, v := p.pastDate()
	if v != fitYes {
		return Command{}, v
	}
	cmd.Date = date

	if cmd.Hours == 0 {
		if p.onlyAsks() {
			return Command{Intent: IntentMyStats}, fitYes // 时长多少
		}
		if p.question {
			return Command{Intent: IntentHelp}, fitYes // 时长怎么报
		}
	}
	cmd.Note = strings.Join(p.texts(nil, 0, len(p.segs), p.dropNote), " ")
	return cmd, fitYes
}

// decides reports whether the number at i directly follows (spaces and
// fillers aside) a word that approves or rejects hours.
func (p *msgParser) decides(i int) bool {
	for j := i - 1; j >= 0; j-- {
		sg := &p.segs[j]
		if sg.kind == segSpace || sg.kind == segWord && sg.w.class == wcFiller {
			continue
		}
		return sg.kind == segWord && sg.w.class == wcKeyword &&
			(sg.w.intent == IntentApproveHours || sg.w.intent == IntentRejectHours)
	}
	return false
}

// onlyAsks reports whether what is left of the message only asks for data.
func (p *msgParser) onlyAsks() bool {
	asks := false
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.used || sg.kind == segSpace {
			continue
		}
		if sg.kind != segWord {
			return false
		}
		switch {
		case sg.w.class == wcFiller:
		case sg.w.tags&(tWh|tQ) != 0:
			asks = true
		case sg.w.tags&(tStats|tPeriod) != 0:
		default:
			return false
		}
	}
	return asks
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

func (p *msgParser) parsePublish() (Command, fit) {
	kw := p.firstCommand(IntentPublishActivity)
	if kw < 0 {
		return Command{}, fitNo
	}
	for i := 0; i < kw; i++ {
		if sg := &p.segs[i]; sg.kind != segSpace && !(sg.kind == segWord && sg.w.class == wcFiller) {
			return Command{}, fitNo
		}
	}
	p.segs[kw].used = true
	cmd := Command{Intent: IntentPublishActivity}
	// The deadline first, so that its date and time are not taken for the
	// start.
	dl, dlFit := p.publishDeadline(kw)
	if dlFit == fitUnclear {
		return Command{}, fitUnclear
	}
	var (
		date             dateSpec
		clk, endClk      timeOfDay
		haveDate, haveTm bool
		haveEnd          bool
		loosePod         bool // 明天下午 without an hour
		amount           float64
		amounts          int // amounts of time that differ
	)
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		if sg.used {
			continue
		}
		switch {
		case sg.kind == segDate:
			if !haveDate {
				date, haveDate = sg.date, true
			}
			sg.used = true
		case p.domAt(i):
			if !haveDate {
				date, haveDate = dateSpec{form: formDom, day: int16(sg.num.val)}, true
			}
			sg.used = true
		case sg.kind == segTime:
			// The first time is the start; a second one joined to it by
			// 到, 至, - or ~ (2点到4点) is the end; any other is ignored.
			switch {
			case !haveTm:
				clk, haveTm = sg.clock, true
			case !haveEnd && p.rangeEnd(i):
				endClk, haveEnd = sg.clock, true
			}
			sg.used = true
		case sg.kind == segHours:
			if sg.bad {
				return Command{}, fitUnclear
			}
			if amounts == 0 || sg.num.val != amount {
				amount, amounts = sg.num.val, amounts+1
			}
			sg.used = true
			p.markAmountWords(i)
		case sg.kind == segCap:
			switch {
			case sg.bad && cmd.Capacity == 0 && cmd.BadCapacity == "":
				cmd.BadCapacity = p.s[sg.start:sg.end]
			case !sg.bad && cmd.Capacity == 0 && cmd.BadCapacity == "":
				cmd.Capacity = int(sg.num.val)
			}
			sg.used = true
		case sg.kind == segWord && sg.w.class == wcPod:
			loosePod = true
			sg.used = true
		}
	}
	texts := p.texts(nil, kw, len(p.segs), p.dropNote)
	if len(texts) > 0 {
		cmd.Title = texts[0]
		place := strings.Join(texts[1:], " ")
		if rest, ok := strings.CutPrefix(place, "在"); ok && utf8.RuneCountInString(rest) >= 2 {
			place = rest
		}
		cmd.Place = place
	}

	var startPod partOfDay
	switch {
	case haveDate:
		day, ok := date.resolve(p.today, true)
		if !ok {
			return Command{}, fitUnclear
		}
		switch {
		case haveTm:
			h, ok := clk.hour(date.pod)
			if !ok {
				return Command{}, fitUnclear
			}
			startPod = clk.pod
			if startPod == podNone {
				startPod = date.pod
			}
			cmd.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), h, int(clk.m), 0, 0, day.Location())
		case !loosePod && date.pod == podNone:
			cmd.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, day.Location())
		}
		// A part of day without an hour (明天下午) leaves starts_at out: the
		// handler asks rather than invent a time.
	case haveTm:
		h, ok := clk.hour(podNone)
		if !ok {
			return Command{}, fitUnclear
		}
		startPod = clk.pod
		// A time without a day is the next such time.
		t := time.Date(p.today.Year(), p.today.Month(), p.today.Day(), h, int(clk.m), 0, 0, p.today.Location())
		if t.Before(p.now) {
			t = time.Date(p.today.Year(), p.today.Month(), p.today.Day()+1, h, int(clk.m), 0, 0, p.today.Location())
		}
		cmd.StartsAt = t
	}

	if amounts > 0 {
		cmd.Duration = time.Duration(math.Round(amount*60)) * time.Minute
	}
	if haveEnd && haveTm {
		h, ok := endHour(endClk, startPod, cmd.StartsAt)
		if !ok {
			return Command{}, fitUnclear
		}
		if s := cmd.StartsAt; !s.IsZero() {
			end := time.Date(s.Year(), s.Month(), s.Day(), h, int(endClk.m), 0, 0, s.Location())
			d := end.Sub(s)
			switch {
			case d <= 0:
				// 9点到8点: the end is before the start. Which one is wrong
				// the bot cannot tell: it asks for the time again.
				cmd.StartsAt = time.Time{}
			case amounts > 0 && d != cmd.Duration:
				amounts++
			default:
				cmd.Duration = d
			}
		}
	}
	if amounts > 1 {
		// 2小时 and 3小时, or 9点到11点 and 3小时: which is the length? Ask.
		cmd.StartsAt, cmd.Duration = time.Time{}, 0
	}

	if dlFit == fitYes && !cmd.StartsAt.IsZero() {
		t, ok := dl.at(p.today, cmd.StartsAt)
		if !ok {
			return Command{}, fitUnclear
		}
		cmd.Deadline = t
	}
	if p.question && (cmd.Title == "" || cmd.StartsAt.IsZero()) {
		return Command{Intent: IntentHelp}, fitYes
	}
	return cmd, fitYes
}

// rangeEnd reports whether the time at i follows the time before it joined
// only by a range word (到 至 - ~) and spaces: 2点到4点, 9:00-11:00.
func (p *msgParser) rangeEnd(i int) bool {
	joined := false
	for j := i - 1; j >= 0; j-- {
		sg := &p.segs[j]
		switch {
		case sg.kind == segSpace:
		case sg.kind == segWord && sg.w.class == wcFiller && isRangeWord(sg.w.text):
			joined = true
		case sg.kind == segTime:
			return joined
		default:
			return false
		}
	}
	return false
}

func isRangeWord(t string) bool { return t == "到" || t == "至" || t == "-" || t == "~" }

// markAmountWords marks the words that introduce the amount of time at i
// (时长3小时, 活动时长 3小时, 约3小时, 大约3个小时) as used, so that they stay
// out of the place.
func (p *msgParser) markAmountWords(i int) {
	for j := i - 1; j >= 0; j-- {
		sg := &p.segs[j]
		switch {
		case sg.kind == segSpace, sg.used:
			continue
		case sg.kind == segWord && sg.w.class == wcFiller:
			continue
		case sg.kind == segText && isApproxWord(p.s[sg.start:sg.end]):
		case sg.kind == segWord && sg.w.intent == IntentReportHours && sg.w.class == wcKeyword && strings.HasSuffix(sg.w.text, "时长"):
		case sg.kind == segWord && sg.w.text == "活动" && j+1 < len(p.segs) && p.segs[j+1].kind == segWord &&
			p.segs[j+1].w.intent == IntentReportHours && p.segs[j+1].used:
		default:
			return
		}
		sg.used = true
	}
}

func isApproxWord(t string) bool {
	switch t {
	case "约", "大约", "大概", "共", "持续", "历时":
		return true
	}
	return false
}

// endHour is the hour of the end of a range. Without its own part of day
// the end takes the start's afternoon or evening (下午2点到4点 = 16:00); after
// a morning start it is read as written, unless that is not after the start
// (上午10点到2点 = 14:00); otherwise a bare 1 to 6 is the afternoon.
func endHour(c timeOfDay, startPod partOfDay, start time.Time) (int, bool) {
	if c.pod != podNone {
		return c.hour(podNone)
	}
	switch startPod {
	case podNoon, podAfternoon, podEvening:
		return c.hour(startPod)
	case podMorning, podDawn:
		if h, ok := c.hour(podMorning); !ok || start.IsZero() || h*60+int(c.m) > start.Hour()*60+start.Minute() {
			return h, ok
		}
	}
	return c.hour(podNone)
}

// deadlineSpec is a sign-up deadline as written: a date, a time or both.
type deadlineSpec struct {
	date       dateSpec
	clk        timeOfDay
	hasDate    bool
	hasTm      bool
	marker     int
	start, end int // the segments of the date and time
}

// at resolves the deadline of an activity starting at start. A date alone
// is the end of that day (23:59:59); a time alone is that time on the day
// of the activity, or on the day before when that is not before the start
// (活动明天9点，截止晚上8点 = today 20:00).
func (d deadlineSpec) at(today, start time.Time) (time.Time, bool) {
	loc := start.Location()
	if d.hasDate {
		day, ok := d.date.resolve(today, true)
		if !ok {
			return time.Time{}, false
		}
		if !d.hasTm {
			if d.date.pod != podNone {
				return time.Time{}, false // 明晚截止: at what time?
			}
			return time.Date(day.Year(), day.Month(), day.Day(), 23, 59, 59, 0, loc), true
		}
		h, ok := d.clk.hour(d.date.pod)
		if !ok {
			return time.Time{}, false
		}
		return time.Date(day.Year(), day.Month(), day.Day(), h, int(d.clk.m), 0, 0, loc), true
	}
	h, ok := d.clk.hour(podNone)
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(start.Year(), start.Month(), start.Day(), h, int(d.clk.m), 0, 0, loc)
	if !t.Before(start) {
		t = t.AddDate(0, 0, -1)
	}
	return t, true
}

// publishDeadline finds a deadline marker after the command word and the
// date and time that go with it: right after it (报名截止明天8点, 截止到周五),
// else right before it (明天8点截止报名); a marker standing alone as a token
// takes the next token, else the previous one, when that is only a date and
// time (报名截止 明天8点). It marks them used. fitNo: no marker; fitUnclear:
// a marker without a date or time, a part of day without an hour, or two
// markers with different dates.
func (p *msgParser) publishDeadline(kw int) (deadlineSpec, fit) {
	var d deadlineSpec
	found := false
	for i := kw + 1; i < len(p.segs); i++ {
		sg := &p.segs[i]
		if sg.kind != segWord || sg.w.class != wcDeadline || sg.used {
			continue
		}
		sg.used = true
		c, ok := p.deadlineAt(i)
		if !ok {
			return d, fitUnclear
		}
		if found {
			if p.s[p.segs[c.start].start:p.segs[c.end-1].end] != p.s[p.segs[d.start].start:p.segs[d.end-1].end] {
				return d, fitUnclear
			}
		} else {
			d, found = c, true
		}
		for j := c.start; j < c.end; j++ {
			p.segs[j].used = true
		}
	}
	if !found {
		return d, fitNo
	}
	return d, fitYes
}

func (p *msgParser) deadlineAt(m int) (deadlineSpec, bool) {
	// Right after, fillers (到 于) aside.
	j := m + 1
	for j < len(p.segs) && p.segs[j].kind == segWord && p.segs[j].w.class == wcFiller {
		j++
	}
	if d, ok := p.deadlineRun(j, 1); ok {
		return d, true
	}
	if d, ok := p.deadlineRun(m-1, -1); ok {
		return d, true
	}
	alone := (m == 0 || p.segs[m-1].kind == segSpace) && (m+1 == len(p.segs) || p.segs[m+1].kind == segSpace)
	if !alone {
		return deadlineSpec{}, false
	}
	if m+1 < len(p.segs) {
		if d, ok := p.deadlineRun(m+2, 1); ok && (d.end == len(p.segs) || p.segs[d.end].kind == segSpace) {
			return d, true
		}
	}
	if m >= 2 {
		if d, ok := p.deadlineRun(m-2, -1); ok && (d.start == 0 || p.segs[d.start-1].kind == segSpace) {
			return d, true
		}
	}
	return deadlineSpec{}, false
}

// deadlineRun reads the date and time segments that run from i in
// direction step (1 forward, -1 backward) with no space between them.
func (p *msgParser) deadlineRun(i, step int) (deadlineSpec, bool) {
	var d deadlineSpec
	lo, hi := i, i
	for ; i >= 0 && i < len(p.segs) && !p.segs[i].used; i += step {
		sg := &p.segs[i]
		switch {
		case sg.kind == segDate && !d.hasDate:
			if sg.bad {
				return d, false
			}
			d.date, d.hasDate = sg.date, true
		case sg.kind == segNum && !d.hasDate && p.domAt(i):
			d.date, d.hasDate = dateSpec{form: formDom, day: int16(sg.num.val)}, true
		case sg.kind == segTime && !d.hasTm:
			d.clk, d.hasTm = sg.clock, true
		case sg.kind == segWord && sg.w.class == wcPod && !d.hasTm:
			return d, false // 明天下午截止: at what time?
		default:
			goto done
		}
		if step > 0 {
			hi = i
		} else {
			lo = i
		}
	}
done:
	if !d.hasDate && !d.hasTm {
		return d, false
	}
	d.start, d.end = lo, hi+1
	return d, true
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

func (p *msgParser) parseMeeting() (Command, fit) {
	if p.firstCommand(IntentRecordMeeting) < 0 {
		return Command{}, fitNo
	}
	if p.question {
		return Command{Intent: IntentHelp}, fitYes // 党课上了吗 asks, it does not record
	}
	cmd := Command{Intent: IntentRecordMeeting}
	for i := range p.segs {
		sg := &p.segs[i]
		if sg.kind != segWord {
			continue
		}
		switch {
		case sg.w.intent == IntentRecordMeeting && (sg.w.class == wcKeyword || sg.w.class == wcWeak):
			sg.used = true
		case sg.w.class == wcKind && cmd.Kind == "":
			cmd.Kind = sg.w.kind
			sg.used = true
		}
	}
	date, v := p.pastDate()
	if v != fitYes {
		return Command{}, v
	}
	cmd.Date = date
	// The topic is the descriptive text left over, but a token that only
	// restates the meeting (书记讲党课 after 已上党课) is no topic: it holds
	// nothing but the meeting's own kind and who held it.
	drop := func(i int) bool {
		sg := &p.segs[i]
		if sg.kind != segWord {
			return false
		}
		switch sg.w.class {
		case wcFiller, wcLabel, wcPod, wcPeriod, wcRestate:
			return true
		case wcKind:
			return sg.w.kind == cmd.Kind
		}
		return false
	}
	cmd.Topic = strings.Join(p.texts(nil, 0, len(p.segs), drop), " ")
	return cmd, fitYes
}

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
