package jinqiu

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is how often a kind of meeting is due.
type Period string

// Periods.
const (
	Monthly   Period = "monthly"
	Quarterly Period = "quarterly"
	Yearly    Period = "yearly"
	Off       Period = "off"
)

// Schedule is how often each kind of meeting is due for a branch, the day
// of 主题党日, and when its secretary is reminded.
type Schedule struct {
	Every    map[MeetingKind]Period
	ThemeDay DayRule       // the day of 主题党日 in the first month of its period
	LeadDays []int         // remind this many days before a deadline
	At       time.Duration // the reminders' time of day, after midnight
	CatchUp  time.Duration // how late a missed reminder is still sent
}

// DefaultSchedule is 三会一课 and 主题党日 as the party's rules set them.
func DefaultSchedule() Schedule {
	return Schedule{
		Every: map[MeetingKind]Period{
			BranchAssembly: Quarterly, Committee: Monthly, PartyGroup: Monthly, Lecture: Quarterly, ThemeDay: Monthly,
		},
		ThemeDay: DayRule{Nth: 1, Weekday: time.Friday},
		LeadDays: []int{7, 1},
		At:       9 * time.Hour,
		CatchUp:  12 * time.Hour,
	}
}

// Period returns how often kind is due; Off when it is not.
func (s Schedule) Period(kind MeetingKind) Period {
	if p, ok := s.Every[kind]; ok && p != "" {
		return p
	}
	return Off
}

// Due is when a kind of meeting falls due in the period that contains a
// day: the period [From, To) as days, and its Deadline, the last day it
// may be held on.
type Due struct {
	Kind     MeetingKind
	Period   Period
	From, To time.Time
	Deadline time.Time
}

// Overdue reports whether the deadline has passed on day today.
func (d Due) Overdue(today time.Time) bool { return today.After(d.Deadline) }

// DueOn returns when kind falls due in the period that contains day d (a
// midnight, in any location: the results keep it); ok is false when the
// kind is off. This is the one calendar: reminders, digests and 三会一课
// all read it.
func (s Schedule) DueOn(kind MeetingKind, d time.Time) (Due, bool) {
	p := s.Period(kind)
	if p == Off {
		return Due{}, false
	}
	from, to := PeriodOf(p, d)
	return Due{Kind: kind, Period: p, From: from, To: to, Deadline: s.Deadline(kind, from, to)}, true
}

// Deadline returns the day kind is due in the period [from, to): the
// period's last day, or for 主题党日 its configured day in the period's
// first month (the first Friday of the quarter, for a quarterly one).
func (s Schedule) Deadline(kind MeetingKind, from, to time.Time) time.Time {
	if kind == ThemeDay {
		return s.ThemeDay.In(from.Year(), from.Month(), from.Location())
	}
	return AddDays(to, -1)
}

// PeriodOf returns the period of p that contains the day d: a calendar
// month, quarter or year, as days [from, to) at midnight in d's location.
func PeriodOf(p Period, d time.Time) (from, to time.Time) {
	y, m, loc := d.Year(), d.Month(), d.Location()
	switch p {
	case Quarterly:
		from = time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 3, 0)
	case Yearly:
		from = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(1, 0, 0)
	default:
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 1, 0)
	}
}

// Quarter is the quarter (1–4) of t's month.
func Quarter(t time.Time) int { return (int(t.Month())-1)/3 + 1 }

// Day is the calendar day of t in its own location, as a UTC midnight: the
// form in which storage reads and writes DATE columns.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Midnight returns the start of t's day in loc.
func Midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// AddDays moves a midnight by n calendar days (not n×24 h).
func AddDays(d time.Time, n int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+n, 0, 0, 0, 0, d.Location())
}

// WeekStart returns Monday 00:00 of the week that contains t, in loc: a
// week runs Monday to Sunday.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	d := Midnight(t, loc)
	return AddDays(d, -((int(d.Weekday()) + 6) % 7))
}

// Week returns the instants [from, to) of the week offset weeks from the
// one that contains now, in now's location.
func Week(now time.Time, offset int) (from, to time.Time) {
	from = AddDays(WeekStart(now, now.Location()), 7*offset)
	return from, AddDays(from, 7)
}

// Month returns the instants [from, to) of the month offset months from
// the one that contains now, in now's location.
func Month(now time.Time, offset int) (from, to time.Time) {
	y, m, _ := now.Date()
	from = time.Date(y, m+time.Month(offset), 1, 0, 0, 0, 0, now.Location())
	return from, from.AddDate(0, 1, 0)
}

// ParseWeek reads an ISO week such as "2026-W48" and returns its Monday
// 00:00 in loc.
func ParseWeek(s string, loc *time.Location) (time.Time, error) {
	y, w, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-W")
	year, err1 := strconv.Atoi(y)
	week, err2 := strconv.Atoi(w)
	if !ok || err1 != nil || err2 != nil || week < 1 || week > 53 {
		return time.Time{}, fmt.Errorf("%q is not an ISO week such as 2026-W48", s)
	}
	// 4 January is always in week 1.
	mon := AddDays(WeekStart(time.Date(year, 1, 4, 12, 0, 0, 0, loc), loc), 7*(week-1))
	if yy, ww := AddDays(mon, 3).ISOWeek(); yy != year || ww != week {
		return time.Time{}, fmt.Errorf("%d has no week %d", year, week)
	}
	return mon, nil
}

// DayRule is the day of the month an event falls on: a fixed date (Day
// 1–28), or the Nth (1–4, or -1 for last) weekday.
type DayRule struct {
	Day     int
	Nth     int
	Weekday time.Weekday
}

// ParseDayRule reads "15", "first friday", "last monday".
func ParseDayRule(s string) (DayRule, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 28 {
			return DayRule{}, fmt.Errorf("a fixed day must be 1 to 28, so that every month has it")
		}
		return DayRule{Day: n}, nil
	}
	ord := map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
	days := map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
		"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
	if f := strings.Fields(s); len(f) == 2 {
		n, ok1 := ord[f[0]]
		wd, ok2 := days[f[1]]
		if ok1 && ok2 {
			return DayRule{Nth: n, Weekday: wd}, nil
		}
	}
	return DayRule{}, fmt.Errorf("must be a day such as \"15\" or \"first friday\"")
}

// String writes the rule as ParseDayRule reads it: "15", "first friday".
func (r DayRule) String() string {
	if r.Day > 0 {
		return strconv.Itoa(r.Day)
	}
	ord := map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[r.Nth]
	return ord + " " + strings.ToLower(r.Weekday.String())
}

// In returns the day of the rule in the given month, at midnight in loc.
func (r DayRule) In(year int, month time.Month, loc *time.Location) time.Time {
	if r.Day > 0 {
		return time.Date(year, month, r.Day, 0, 0, 0, 0, loc)
	}
	if r.Nth < 0 {
		last := time.Date(year, month+1, 0, 0, 0, 0, 0, loc)
		back := (int(last.Weekday()) - int(r.Weekday) + 7) % 7
		return last.AddDate(0, 0, -back)
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	fwd := (int(r.Weekday) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, fwd+7*(r.Nth-1))
}

// MeetingState is where a branch stands with one kind of meeting on a day.
type MeetingState struct {
	Due
	Done    bool
	HeldOn  time.Time // the latest meeting of the kind in its period, when Done
	Overdue bool      // its deadline has passed and it is not done
}

// Status says, for each kind the schedule requires, whether it was
// held in the period (month, quarter or year) that contains today (a
// calendar day), and by when it is due: the calendar of the reminders and
// the digest. held are the branch's meetings since the start of the year
// at least.
func (s Schedule) Status(today time.Time, held []Meeting) []MeetingState {
	var items []MeetingState
	for _, kind := range MeetingKinds() {
		due, ok := s.DueOn(kind, today)
		if !ok {
			continue
		}
		it := MeetingState{Due: due}
		for _, m := range held {
			if m.Kind == kind && !m.HeldOn.Before(due.From) && m.HeldOn.Before(due.To) && !m.HeldOn.Before(it.HeldOn) {
				it.Done, it.HeldOn = true, m.HeldOn
			}
		}
		it.Overdue = !it.Done && due.Overdue(today)
		items = append(items, it)
	}
	return items
}

// WorkCalendar says which days are working days: Monday to Friday, except
// the public holidays the State Council announces each year, plus the
// weekend days worked in their place (调休). The zero value knows no
// holiday. Safe for concurrent use; it is not changed after NewWorkCalendar.
type WorkCalendar struct {
	holidays map[civilDay]bool
	workdays map[civilDay]bool
}

// civilDay is a calendar day, whatever the location of the time it came
// from.
type civilDay struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civilDay {
	y, m, d := t.Date()
	return civilDay{y, m, d}
}

// NewWorkCalendar is the calendar with the given public holidays and
// make-up working days, each read as a calendar day in its own location. A
// day in both lists is a working day; config validation refuses that.
func NewWorkCalendar(holidays, workdays []time.Time) WorkCalendar {
	c := WorkCalendar{holidays: map[civilDay]bool{}, workdays: map[civilDay]bool{}}
	for _, d := range holidays {
		c.holidays[civilOf(d)] = true
	}
	for _, d := range workdays {
		c.workdays[civilOf(d)] = true
	}
	return c
}

// IsWorkingDay reports whether the calendar day of d is a working day.
func (c WorkCalendar) IsWorkingDay(d time.Time) bool {
	k := civilOf(d)
	if c.workdays[k] {
		return true
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.holidays[k]
}

// AddWorkingDays returns the n-th working day after the day d, as a
// midnight in d's location: a 公示 published on d closes at the end of it.
func (c WorkCalendar) AddWorkingDays(d time.Time, n int) time.Time {
	for n > 0 {
		d = AddDays(d, 1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return AddDays(d, 0)
}

// AddWorkingDays is WorkCalendar{}.AddWorkingDays: Monday to Friday, no
// holiday known.
func AddWorkingDays(d time.Time, n int) time.Time { return WorkCalendar{}.AddWorkingDays(d, n) }
