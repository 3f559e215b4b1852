package command

import (
	"strings"
	"time"
)

type dateForm uint8

const (
	formRel     dateForm = iota + 1 // 今天 明天 …
	formWeekday                     // 周三 下周三 …
	formCal                         // 12月3日 2026-12-03 12/3 …
	formDom                         // 25日: a day of the month
)

// dateSpec is a date as written; resolve turns it into a day.
type dateSpec struct {
	form    dateForm
	rel     int8 // formRel: days from today
	wd      int8 // formWeekday: 0 Monday … 6 Sunday
	week    int8 // formWeekday with a prefix: 0 这/本, 1 下, -1 上
	hasWeek bool // formWeekday: a 这/本/下/上 prefix was given
	yearOff int8 // formCal: 今年 0, 明年 1, 去年 -1
	hasYOff bool
	pod     partOfDay // 今晚, 明早: part of day carried by the date word
	bad     bool      // no such date
	year    int16     // formCal: 0 when not given
	month   int16
	day     int16
}

var relDays = []struct {
	text string
	rel  int8
	pod  partOfDay
}{
	{"大后天", 3, podNone}, {"大前天", -3, podNone},
	{"今儿个", 0, podNone}, {"明儿个", 1, podNone}, {"昨儿个", -1, podNone}, {"前儿个", -2, podNone}, {"后儿个", 2, podNone},
	{"前儿", -2, podNone}, {"后儿", 2, podNone},
	{"今天", 0, podNone}, {"今日", 0, podNone}, {"今儿", 0, podNone},
	{"明天", 1, podNone}, {"明日", 1, podNone}, {"明儿", 1, podNone},
	{"后天", 2, podNone},
	{"昨天", -1, podNone}, {"昨日", -1, podNone}, {"昨儿", -1, podNone},
	{"前天", -2, podNone},
	{"今早", 0, podMorning}, {"今晚", 0, podEvening},
	{"明早", 1, podMorning}, {"明晚", 1, podEvening},
	{"昨晚", -1, podEvening},
}

var weekPrefixes = []struct {
	text string
	week int8
}{
	{"这个", 0}, {"下一个", 1}, {"下个", 1}, {"上一个", -1}, {"上个", -1},
	{"这", 0}, {"本", 0}, {"下", 1}, {"上", -1},
}

// scanDate reads a date at s[i:] and returns it with its end, or end 0.
func scanDate(s string, i int) (dateSpec, int) {
	rest := s[i:]
	for _, r := range relDays {
		if strings.HasPrefix(rest, r.text) {
			return dateSpec{form: formRel, rel: r.rel, pod: r.pod}, i + len(r.text)
		}
	}
	if d, end := scanWeekday(s, i); end > 0 {
		return d, end
	}
	if d, end := scanNumericDate(s, i); end > 0 {
		return d, end
	}
	return scanChineseDate(s, i)
}

func scanWeekday(s string, i int) (dateSpec, int) {
	j := i
	d := dateSpec{form: formWeekday}
	for _, p := range weekPrefixes {
		if strings.HasPrefix(s[j:], p.text) {
			d.week, d.hasWeek = p.week, true
			j += len(p.text)
			break
		}
	}
	switch {
	case strings.HasPrefix(s[j:], "星期"), strings.HasPrefix(s[j:], "礼拜"):
		j += len("星期")
	case strings.HasPrefix(s[j:], "周"):
		j += len("周")
	default:
		return dateSpec{}, 0
	}
	if j < len(s) && '1' <= s[j] && s[j] <= '7' && (j+1 >= len(s) || !isDigitByte(s[j+1])) {
		d.wd = int8(s[j] - '1')
		return d, j + 1
	}
	for n, c := range []string{"一", "二", "三", "四", "五", "六", "日", "天", "七"} {
		if strings.HasPrefix(s[j:], c) {
			d.wd = int8(min(n, 6))
			return d, j + len(c)
		}
	}
	return dateSpec{}, 0
}

// digitsAt reads 1 to max ASCII digits at s[i:]; more digits than max is no match.
func digitsAt(s string, i, max int) (int, int) {
	j, v := i, 0
	for j < len(s) && isDigitByte(s[j]) {
		if j-i == max {
			return 0, 0
		}
		v = v*10 + int(s[j]-'0')
		j++
	}
	if j == i {
		return 0, 0
	}
	return v, j
}

// scanNumericDate reads YYYY-M-D (also with / or .) and M/D.
func scanNumericDate(s string, i int) (dateSpec, int) {
	if i >= len(s) || !isDigitByte(s[i]) || (i > 0 && isDigitByte(s[i-1])) {
		return dateSpec{}, 0
	}
	if y, j := digitsAt(s, i, 4); j == i+4 && j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.') {
		sep := s[j]
		if m, k := digitsAt(s, j+1, 2); k > 0 && k < len(s) && s[k] == sep {
			if d, e := digitsAt(s, k+1, 2); e > 0 {
				return checkCal(dateSpec{form: formCal, year: int16(y), month: int16(m), day: int16(d)}), e
			}
		}
		return dateSpec{}, 0
	}
	if m, j := digitsAt(s, i, 2); j > 0 && j < len(s) && s[j] == '/' {
		if d, e := digitsAt(s, j+1, 2); e > 0 && (e >= len(s) || s[e] != '/') {
			return checkCal(dateSpec{form: formCal, month: int16(m), day: int16(d)}), e
		}
	}
	return dateSpec{}, 0
}

// intAt reads 1–2 ASCII digits or a Chinese integer at s[i:].
func intAt(s string, i int) (int, int) {
	if v, j := digitsAt(s, i, 2); j > 0 {
		return v, j
	}
	if i < len(s) && isDigitByte(s[i]) {
		return 0, 0
	}
	v, n := scanCNInt(s[i:])
	if n == 0 {
		return 0, 0
	}
	return v, i + n
}

// scanChineseDate reads [YYYY年|今年|明年|去年]M月D日/号 and a lone D日.
func scanChineseDate(s string, i int) (dateSpec, int) {
	d := dateSpec{form: formCal}
	j := i
	switch {
	case strings.HasPrefix(s[j:], "今年"):
		d.hasYOff, j = true, j+len("今年")
	case strings.HasPrefix(s[j:], "明年"):
		d.hasYOff, d.yearOff, j = true, 1, j+len("明年")
	case strings.HasPrefix(s[j:], "去年"):
		d.hasYOff, d.yearOff, j = true, -1, j+len("去年")
	default:
		if y, k := yearAt(s, j); k > 0 && strings.HasPrefix(s[k:], "年") {
			d.year, j = int16(y), k+len("年")
		}
	}
	m, k := intAt(s, j)
	if k > 0 && strings.HasPrefix(s[k:], "月") {
		dd, e := intAt(s, k+len("月"))
		if e == 0 {
			return dateSpec{}, 0
		}
		switch {
		case strings.HasPrefix(s[e:], "日"), strings.HasPrefix(s[e:], "号"):
			d.month, d.day = int16(m), int16(dd)
			return checkCal(d), e + len("日")
		}
		return dateSpec{}, 0
	}
	if j != i {
		return dateSpec{}, 0 // a year without month and day is no date
	}
	if k > 0 && strings.HasPrefix(s[k:], "日") && (i == 0 || !isDigitByte(s[i-1])) {
		d = dateSpec{form: formDom, day: int16(m)}
		d.bad = m < 1 || m > 31
		return d, k + len("日")
	}
	return dateSpec{}, 0
}

// yearAt reads a four-digit year, in ASCII or Chinese digits (二〇二六).
func yearAt(s string, i int) (int, int) {
	if v, j := digitsAt(s, i, 4); j == i+4 {
		return v, j
	}
	v, j := 0, i
	for n := 0; n < 4; n++ {
		d, dn := cnDigit(s[j:])
		if d < 0 {
			return 0, 0
		}
		v = v*10 + d
		j += dn
	}
	return v, j
}

func checkCal(d dateSpec) dateSpec {
	switch {
	case d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31:
		d.bad = true
	case d.year != 0 && (d.year < 1900 || d.year > 2999):
		d.bad = true
	case d.year != 0:
		_, ok := calendarDate(int(d.year), int(d.month), int(d.day), time.UTC)
		d.bad = !ok
	default:
		_, ok := calendarDate(2028, int(d.month), int(d.day), time.UTC) // a leap year: 2月29日 may exist
		d.bad = !ok
	}
	return d
}

func calendarDate(y, m, d int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	return t, t.Year() == y && int(t.Month()) == m && t.Day() == d
}

// mondayIndex numbers the days of a Monday-based week from 0.
func mondayIndex(wd time.Weekday) int { return (int(wd) + 6) % 7 }

// resolve returns the day d names. future chooses how a date without a
// year, week or month is completed: the next such day on or after today (an
// activity) or the latest on or before today (hours and meetings).
func (d dateSpec) resolve(today time.Time, future bool) (time.Time, bool) {
	if d.bad {
		return time.Time{}, false
	}
	loc := today.Location()
	month, day := int(d.month), int(d.day)
	switch d.form {
	case formRel:
		return today.AddDate(0, 0, int(d.rel)), true
	case formWeekday:
		cur, wd := mondayIndex(today.Weekday()), int(d.wd)
		switch {
		case d.hasWeek:
			return today.AddDate(0, 0, 7*int(d.week)+wd-cur), true
		case future:
			return today.AddDate(0, 0, (wd-cur+7)%7), true
		default:
			return today.AddDate(0, 0, -((cur - wd + 7) % 7)), true
		}
	case formCal:
		if d.year != 0 {
			return calendarDate(int(d.year), month, day, loc)
		}
		if d.hasYOff {
			return calendarDate(today.Year()+int(d.yearOff), month, day, loc)
		}
		// 2月29日 may need up to eight years to come round again.
		for k := 0; k <= 8; k++ {
			y := today.Year() - k
			if future {
				y = today.Year() + k
			}
			t, ok := calendarDate(y, month, day, loc)
			if ok && (future && !t.Before(today) || !future && !t.After(today)) {
				return t, true
			}
		}
	case formDom:
		for k := 0; k <= 12; k++ {
			step := -k
			if future {
				step = k
			}
			first := time.Date(today.Year(), today.Month()+time.Month(step), 1, 0, 0, 0, 0, loc)
			t, ok := calendarDate(first.Year(), int(first.Month()), day, loc)
			if ok && (future && !t.Before(today) || !future && !t.After(today)) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// clock is a time of day as written.
type timeOfDay struct {
	h, m int16
	pod  partOfDay
	zero bool // written with a leading zero (09:30): a 24-hour time, no afternoon guess
	bad  bool
}

var podWords = []struct {
	text string
	pod  partOfDay
}{
	{"凌晨", podDawn}, {"早上", podMorning}, {"早晨", podMorning}, {"清晨", podMorning}, {"上午", podMorning},
	{"中午", podNoon}, {"下午", podAfternoon}, {"午后", podAfternoon}, {"傍晚", podEvening},
	{"晚上", podEvening}, {"夜里", podEvening}, {"夜间", podEvening}, {"晚间", podEvening},
	{"早", podMorning}, {"晚", podEvening},
}

// scanTime reads [part of day] H点[半|一刻|M分], H时M分 or H:MM at s[i:].
func scanTime(s string, i int) (timeOfDay, int) {
	j := i
	var c timeOfDay
	for _, p := range podWords {
		if strings.HasPrefix(s[j:], p.text) {
			if len(p.text) == len("早") && strings.HasPrefix(s[j+len(p.text):], "一点") {
				return timeOfDay{}, 0 // 早一点, 晚一点: "a bit earlier/later", not 1 o'clock
			}
			c.pod = p.pod
			j += len(p.text)
			if j < len(s) && s[j] == ' ' {
				j++
			}
			break
		}
	}
	var k int
	if v, e := digitsAt(s, j, 2); e > 0 {
		c.h, k = int16(v), e
		c.zero = e-j == 2 && s[j] == '0'
		if e < len(s) && s[e] == ':' {
			if m, me := digitsAt(s, e+1, 2); me == e+3 {
				c.m = int16(m)
				return c.check(), me
			}
			return timeOfDay{}, 0
		}
	} else if j < len(s) && isDigitByte(s[j]) {
		return timeOfDay{}, 0 // three or more digits
	} else {
		v, n := scanCNInt(s[j:])
		if n == 0 {
			return timeOfDay{}, 0
		}
		c.h, k = int16(min(v, 999)), j+n
	}
	shi := false
	switch {
	case strings.HasPrefix(s[k:], "点"):
	case strings.HasPrefix(s[k:], "时") && !strings.HasPrefix(s[k:], "时长"):
		shi = true
	default:
		return timeOfDay{}, 0
	}
	k += len("点")
	if strings.HasPrefix(s[k:], "钟") {
		k += len("钟")
	}
	minutes := false
	switch {
	case strings.HasPrefix(s[k:], "半"):
		c.m, k, minutes = 30, k+len("半"), true
	case strings.HasPrefix(s[k:], "一刻"):
		c.m, k, minutes = 15, k+len("一刻"), true
	case strings.HasPrefix(s[k:], "三刻"):
		c.m, k, minutes = 45, k+len("三刻"), true
	case strings.HasPrefix(s[k:], "整"):
		k, minutes = k+len("整"), true
	default:
		if m, e := digitsAt(s, k, 2); e > 0 {
			// One bare digit (9点5) is not read as minutes: it may be 9.5.
			if e-k == 2 || strings.HasPrefix(s[e:], "分") {
				c.m, k, minutes = int16(m), e, true
			}
		} else if z, zn := cnDigit(s[k:]); z == 0 {
			if u, un := cnDigit(s[k+zn:]); u > 0 {
				c.m, k, minutes = int16(u), k+zn+un, true
			}
		} else if m, n := scanCNInt(s[k:]); n > 0 && (m >= 10 || strings.HasPrefix(s[k+n:], "分")) {
			c.m, k, minutes = int16(m), k+n, true
		}
		if minutes && strings.HasPrefix(s[k:], "分") {
			k += len("分")
		}
	}
	if shi && !minutes && c.pod == podNone {
		return timeOfDay{}, 0 // a bare 3时 is too close to 3小时 to be a time
	}
	return c.check(), k
}

func (c timeOfDay) check() timeOfDay {
	c.bad = c.bad || c.h > 23 || c.m > 59
	return c
}

// hour applies the part of day (the time's own, else the date's, as in 明晚7点)
// and the rule that a bare 1 to 6 means the afternoon.
func (c timeOfDay) hour(datePod partOfDay) (int, bool) {
	p := c.pod
	if p == podNone {
		p = datePod
	}
	h := int(c.h)
	switch p {
	case podNone:
		if h >= 1 && h <= 6 && !c.zero {
			h += 12
		}
	case podDawn:
		if h == 12 {
			h = 0
		}
	case podNoon:
		if h <= 6 {
			h += 12
		}
	case podAfternoon:
		if h < 12 {
			h += 12
		}
	case podEvening:
		if h == 12 {
			return 0, false // 晚上12点 is midnight, not noon: too easy to get wrong
		}
		if h < 12 {
			h += 12
		}
	}
	if c.bad || h > 23 {
		return 0, false
	}
	return h, true
}

// Why a date was not taken: Command.BadDateWhy, for the handler's reason.
const (
	// BadDateImpossible: no such day (2月30日, 11月31日, 13月1日).
	BadDateImpossible = "impossible"
	// BadDatePast: an activity would start in the past (昨天上午9点,
	// 今天上午8点 sent at 10:00, 2026-11-20 09:30 sent later).
	BadDatePast = "past"
	// BadDateFuture: hours, a meeting or a registry entry would lie in the
	// future (明天服务3小时), or a date without a year has not come yet this
	// year while last year's lies outside the window (12月5日 sent on
	// 12月1日: "12月5日还没到").
	BadDateFuture = "future"
	// BadDateTooFar: a date without a year outside its window: hours more
	// than 31 days back, a meeting or registry entry more than 92 days
	// back, an activity more than 183 days ahead (11月20日 sent on 11月27日).
	BadDateTooFar = "too_far"
)

// dateUse is what a date is for, which decides how a date without a year,
// week or month is completed and which dates are not taken.
type dateUse uint8

const (
	useActivity dateUse = iota + 1 // the next such day, at most 183 days ahead
	useHours                       // the latest such day, at most 31 days back
	useMeeting                     // the latest such day, at most 92 days back (also registries)
	useNearest                     // roster: the nearest such day, past or future
)

// Windows of a date written without a year, in days.
const (
	activityAheadDays = 183
	hoursBackDays     = 31
	meetingBackDays   = 92
)

// take resolves d for use, or says why it is not taken.
func (d dateSpec) take(today time.Time, use dateUse) (time.Time, string) {
	if d.bad {
		return time.Time{}, BadDateImpossible
	}
	noYear := d.form == formDom || d.form == formCal && d.year == 0 && !d.hasYOff
	switch use {
	case useActivity:
		t, ok := d.resolve(today, true)
		switch {
		case !ok:
			return time.Time{}, BadDateImpossible
		case t.Before(today):
			return time.Time{}, BadDatePast
		case noYear && t.After(today.AddDate(0, 0, activityAheadDays)):
			return time.Time{}, BadDateTooFar
		}
		return t, ""
	case useNearest:
		next, okN := d.resolve(today, true)
		if !noYear && d.form != formWeekday || d.hasWeek {
			if !okN {
				return time.Time{}, BadDateImpossible
			}
			return next, ""
		}
		prev, okP := d.resolve(today, false)
		switch {
		case okN && (!okP || next.Sub(today) <= today.Sub(prev)):
			return next, ""
		case okP:
			return prev, ""
		}
		return time.Time{}, BadDateImpossible
	}
	window := hoursBackDays
	if use == useMeeting {
		window = meetingBackDays
	}
	t, ok := d.resolve(today, false)
	switch {
	case !ok:
		return time.Time{}, BadDateImpossible
	case t.After(today):
		return time.Time{}, BadDateFuture
	case noYear && t.Before(today.AddDate(0, 0, -window)):
		// The latest such day is too long ago: has this year's (this
		// month's) not come yet, or is it simply too far back?
		this, ok := calendarDate(today.Year(), int(d.month), int(d.day), today.Location())
		if d.form == formDom {
			this, ok = calendarDate(today.Year(), int(today.Month()), int(d.day), today.Location())
		}
		if ok && this.After(today) {
			return time.Time{}, BadDateFuture
		}
		return time.Time{}, BadDateTooFar
	}
	return t, ""
}
