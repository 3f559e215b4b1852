package command

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// IntentPublishActivity is 发布活动: a secretary publishes an activity.
const IntentPublishActivity Intent = "publish_activity"

// publishGrammar reads 发布活动 标题 时间 地点 名额N.
func publishGrammar() grammar {
	return grammar{
		intent: IntentPublishActivity,
		words: func(d *dictBuilder) {
			d.kw(IntentPublishActivity, 0, "发布活动", "新活动", "新建活动", "发起活动", "组织活动", "创建活动", "添加活动",
				"发活动", "发布新活动", "新增活动", "发布")
		},
		args: true,
		read: (*msgParser).parsePublish,
	}
}

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
		loosePod         bool     // 明天下午 without an hour
		dateAt, timeAt   = -1, -1 // the segments of the start's date and time
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
				date, haveDate, dateAt = sg.date, true, i
			}
			sg.used = true
		case p.domAt(i):
			if !haveDate {
				date, haveDate, dateAt = dateSpec{form: formDom, day: int16(sg.num.val)}, true, i
			}
			sg.used = true
		case sg.kind == segTime:
			// The first time is the start; a second one joined to it by
			// 到, 至, - or ~ (2点到4点) is the end; any other is ignored.
			switch {
			case !haveTm:
				clk, haveTm, timeAt = sg.clock, true, i
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
				cmd.Confirm = cmd.Confirm || sg.num.sentence // 需要10个人: said in a sentence
			}
			sg.used = true
		case sg.kind == segAttend && sg.attend == attendPresent && !sg.bad:
			// 20人参加: the number of places.
			if cmd.Capacity == 0 && cmd.BadCapacity == "" {
				cmd.Capacity = int(sg.num.val)
			}
			sg.used = true
		case sg.kind == segWord && sg.w.class == wcPod:
			loosePod = true
			sg.used = true
		}
	}
	p.publishText(kw, &cmd)

	var startPod partOfDay
	switch {
	case haveDate:
		day, why := date.take(p.today, useActivity)
		switch {
		case why != "":
			// Not taken: never moved to another day. An impossible day is
			// named alone, a past or far one with its time.
			cmd.BadDate, cmd.BadDateWhy = p.dateExpr(dateAt, why != BadDateImpossible), why
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

	if s := cmd.StartsAt; !s.IsZero() && s.Before(p.now) {
		// 今天上午8点 sent at 10:00: an activity never starts in the past.
		at := dateAt
		if at < 0 {
			at = timeAt
		}
		cmd.StartsAt = time.Time{}
		cmd.BadDate, cmd.BadDateWhy = p.dateExpr(at, true), BadDatePast
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

// publishText sets the title and the place from the words left once the
// fields are taken out. Fields found inside running words (发布活动清理楼道后天
// 上午9点枣行社区名额20, 周六上午八点半在小区南门组织垃圾分类宣传) cut a token
// into pieces: the connecting words (组织 开展 …) go, a piece after 在 is the
// place, the first other piece the title, and the command asks to confirm.
func (p *msgParser) publishText(kw int, cmd *Command) {
	running := false
	for i := kw; i < len(p.segs); {
		j, used, text := i, false, false
		for ; j < len(p.segs) && p.segs[j].kind != segSpace; j++ {
			if p.segs[j].used {
				used = true
			} else if !p.dropNote(j) {
				text = true
			}
		}
		if used && text {
			running = true
			for k := i; k < j; k++ {
				if sg := &p.segs[k]; sg.kind == segWord && (sg.w.class == wcRestate || sg.w.class == wcConnect) {
					sg.used = true
				}
			}
		}
		for k := i; k < j; k++ {
			if sg := &p.segs[k]; sg.kind == segWord && sg.w.class == wcConnect {
				sg.used = true // 大家踊跃报名: no title, no place
			}
		}
		i = j + 1
	}
	var pieces []string
	if running {
		pieces = p.pieces(kw)
	} else {
		pieces = p.texts(nil, kw, len(p.segs), p.dropNote)
	}
	var rest []string
	for _, pc := range pieces {
		if at, ok := strings.CutPrefix(pc, "在"); ok && cmd.Place == "" && utf8.RuneCountInString(at) >= 2 && running {
			cmd.Place = at
			continue
		}
		if cmd.Title == "" {
			cmd.Title = pc
			continue
		}
		rest = append(rest, pc)
	}
	if len(rest) > 0 {
		place := strings.Join(rest, " ")
		if at, ok := strings.CutPrefix(place, "在"); ok && utf8.RuneCountInString(at) >= 2 {
			place = at
		}
		if cmd.Place == "" {
			cmd.Place = place
		} else {
			cmd.Place += " " + place
		}
	}
	cmd.Confirm = cmd.Confirm || running
}

// pieces returns, from segment from on, each run of unused segments that
// holds more than dropped words, as written.
func (p *msgParser) pieces(from int) []string {
	var out []string
	for i := from; i < len(p.segs); {
		if p.segs[i].kind == segSpace || p.segs[i].used {
			i++
			continue
		}
		j, real := i, false
		for j < len(p.segs) && p.segs[j].kind != segSpace && !p.segs[j].used {
			real = real || !p.dropNote(j)
			j++
		}
		if real {
			out = append(out, p.s[p.segs[i].start:p.segs[j-1].end])
		}
		i = j
	}
	return out
}
