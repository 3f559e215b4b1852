package jobs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"jinqiu/config"
	"jinqiu/storage"
)

// Fire families: what a fire does. The job name of a fire starts with its
// family, so that job_runs rows say what they were.
const (
	FamilyMeetings = "meetings" // 三会一课 and 主题党日 reminders to a branch
	FamilyActivity = "activity" // reminders to the signees of an activity
	FamilyDigest   = "digest"   // the weekly digest to the bureau
)

// Activity reminder kinds.
const (
	ActivityEvening = "eve"  // the evening before
	ActivitySoon    = "soon" // lead_time before the start
)

// Fire is one thing due at a nominal time: a (job, slot) pair that is
// claimed once across replicas, and what to send for it.
type Fire struct {
	Job     string    // "meetings:<branch>", "activity:<id>:eve", "digest"
	Slot    time.Time // nominal time, in the configured zone, whole minutes
	Family  string
	CatchUp time.Duration // how late it may still be sent
	// Until is when sending it stops being useful (the meeting's deadline
	// has passed, the activity has started); zero means Slot + CatchUp.
	Until time.Time

	BranchID string       // meetings: the branch
	Meetings []MeetingDue // meetings: what is due
	Activity ActivityFire // activity: which and when
	Week     time.Time    // digest: the Monday the digest covers
}

// Late reports whether the fire can no longer be sent at now.
func (f Fire) Late(now time.Time) bool {
	if now.Sub(f.Slot) > f.CatchUp {
		return true
	}
	return !f.Until.IsZero() && !now.Before(f.Until)
}

// Key is the fire's identity in job_runs.
func (f Fire) Key() string { return slotKey(f.Job, f.Slot) }

func slotKey(job string, slot time.Time) string {
	return job + "|" + slot.UTC().Format(time.RFC3339)
}

// MeetingDue is one meeting a branch is reminded of.
type MeetingDue struct {
	Kind     string    // storage.Meeting*
	Freq     string    // config.PeriodMonthly, ...
	From, To time.Time // the period, days [From, To) at midnight in the zone
	Deadline time.Time // the day it is due: the period's last day, or the 主题党日 itself
	Lead     int       // days before Deadline
	Last     bool      // the last reminder before the deadline: it @-mentions the secretaries
}

// ActivityFire is an activity reminder.
type ActivityFire struct {
	storage.UpcomingActivity
	Kind string // ActivityEvening or ActivitySoon
}

// PlanBranch is a branch as the planner sees it.
type PlanBranch struct {
	ID, Name string
	Schedule config.Schedule // defaults filled in
	themeDay config.DayRule
}

// Planner says what is due when. It reads only the configuration (and, for
// activities, the activities it is given), never the clock: every method
// takes the time. Safe for concurrent use once built.
type Planner struct {
	Loc      *time.Location
	Branches []PlanBranch // the configured branches, in configuration order
	// Default is the schedule of a branch that is in the database but no
	// longer in the configuration (the digest still counts it).
	Default  config.Schedule
	Activity config.ActivityReminders
	Digest   cron.Schedule
	// DigestCatchUp is how late the digest may still be sent.
	DigestCatchUp time.Duration

	eveH, eveM   int
	defaultTheme config.DayRule
	byID         map[string]int
}

// NewPlanner builds the planner of a validated configuration.
func NewPlanner(cfg *config.Config) (*Planner, error) {
	var err error
	loc := cfg.Location
	if loc == nil {
		if loc, err = time.LoadLocation(cfg.Timezone); err != nil {
			return nil, fmt.Errorf("planner: %w", err)
		}
	}
	p := &Planner{Loc: loc, Activity: cfg.Jobs.Activity, DigestCatchUp: cfg.Jobs.Digest.CatchUp.D(), Default: cfg.Jobs.Schedule}
	if p.defaultTheme, err = config.ParseDayRule(p.Default.ThemeDayOn); err != nil {
		return nil, fmt.Errorf("planner: jobs.schedule.theme_day_on: %w", err)
	}
	spec, err := cron.ParseStandard(cfg.Jobs.Digest.Cron)
	if err != nil {
		return nil, fmt.Errorf("planner: jobs.digest.cron: %w", err)
	}
	if s, ok := spec.(*cron.SpecSchedule); ok && s.Location == time.Local {
		// The host's zone never counts: a spec without CRON_TZ is in the
		// configured zone, whatever TZ the container has.
		s.Location = loc
	}
	p.Digest = spec
	p.byID = map[string]int{}
	if p.eveH, p.eveM, err = clock(cfg.Jobs.Activity.EveningBefore); err != nil {
		return nil, fmt.Errorf("planner: jobs.activity_reminders.evening_before: %w", err)
	}
	for _, b := range cfg.Branches {
		s := cfg.Jobs.Schedule
		if b.Schedule != nil {
			s = *b.Schedule
		}
		pb := PlanBranch{ID: b.ID, Name: b.Name, Schedule: s}
		if pb.themeDay, err = config.ParseDayRule(s.ThemeDayOn); err != nil {
			return nil, fmt.Errorf("planner: branch %s: %w", b.ID, err)
		}
		if _, _, err := clock(s.At); err != nil {
			return nil, fmt.Errorf("planner: branch %s: %w", b.ID, err)
		}
		p.byID[b.ID] = len(p.Branches)
		p.Branches = append(p.Branches, pb)
	}
	return p, nil
}

func clock(s string) (h, m int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time such as 09:00", s)
	}
	return t.Hour(), t.Minute(), nil
}

// midnight returns the start of t's day in loc.
func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// addDays moves a midnight by n calendar days (not n×24 h).
func addDays(d time.Time, n int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+n, 0, 0, 0, 0, d.Location())
}

// PeriodOf returns the period of the given frequency that contains the
// day d: a calendar month, quarter or year, as days [from, to) at midnight
// in d's zone.
func PeriodOf(freq string, d time.Time) (from, to time.Time) {
	y, m, loc := d.Year(), d.Month(), d.Location()
	switch freq {
	case config.PeriodQuarterly:
		q := time.Month((int(m)-1)/3*3 + 1)
		from = time.Date(y, q, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 3, 0)
	case config.PeriodYearly:
		from = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(1, 0, 0)
	default:
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 1, 0)
	}
}

// Frequency returns how often a kind is due for the branch: a
// config.Period*.
func (b PlanBranch) Frequency(kind string) string { return Frequency(b.Schedule, kind) }

// Frequency returns how often a kind is due under s: a config.Period*.
func Frequency(s config.Schedule, kind string) string {
	switch kind {
	case storage.MeetingBranchAssembly:
		return s.BranchAssembly
	case storage.MeetingCommittee:
		return s.Committee
	case storage.MeetingGroup:
		return s.Group
	case storage.MeetingLecture:
		return s.Lecture
	case storage.MeetingThemeDay:
		return s.ThemeDay
	}
	return config.PeriodOff
}

// Deadline returns the day a kind is due in the period [from, to): the
// period's last day, or for 主题党日 its configured day in the period's
// first month.
func (b PlanBranch) Deadline(kind string, from, to time.Time) time.Time {
	if kind == storage.MeetingThemeDay {
		return b.themeDay.In(from.Year(), from.Month(), from.Location())
	}
	return addDays(to, -1)
}

// MeetingsDueOn returns the reminders a branch gets on day d (midnight in
// the zone), in storage.MeetingKinds order: for each kind and lead, the
// deadline that falls lead days after d.
func (b PlanBranch) MeetingsDueOn(d time.Time) []MeetingDue {
	s := b.Schedule
	if len(s.LeadDays) == 0 {
		return nil
	}
	last := s.LeadDays[0]
	for _, l := range s.LeadDays {
		last = min(last, l)
	}
	var out []MeetingDue
	for _, kind := range storage.MeetingKinds {
		freq := b.Frequency(kind)
		if freq == config.PeriodOff || freq == "" {
			continue
		}
		for _, lead := range sortedLeads(s.LeadDays) {
			x := addDays(d, lead)
			from, to := PeriodOf(freq, x)
			if dl := b.Deadline(kind, from, to); !dl.Equal(x) {
				continue
			}
			out = append(out, MeetingDue{Kind: kind, Freq: freq, From: from, To: to, Deadline: x, Lead: lead, Last: lead == last})
		}
	}
	return out
}

func sortedLeads(ls []int) []int {
	out := append([]int(nil), ls...)
	sort.Ints(out)
	return out
}

// MeetingFires returns the meeting reminders whose slot lies in [from, to],
// by slot and branch.
func (p *Planner) MeetingFires(from, to time.Time) []Fire {
	var out []Fire
	for _, b := range p.Branches {
		h, m, _ := clock(b.Schedule.At)
		for d := addDays(midnight(from, p.Loc), -1); !d.After(to); d = addDays(d, 1) {
			slot := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, p.Loc)
			if slot.Before(from) || slot.After(to) {
				continue
			}
			due := b.MeetingsDueOn(d)
			if len(due) == 0 {
				continue
			}
			until := addDays(due[0].Deadline, 1)
			for _, x := range due[1:] {
				if u := addDays(x.Deadline, 1); u.After(until) {
					until = u
				}
			}
			out = append(out, Fire{
				Job: FamilyMeetings + ":" + b.ID, Slot: slot, Family: FamilyMeetings,
				CatchUp: b.Schedule.CatchUp.D(), Until: until, BranchID: b.ID, Meetings: due,
			})
		}
	}
	sortFires(out)
	return out
}

// Branch returns the configured branch with the id; a branch that is
// only in the database gets the default schedule and ok false.
func (p *Planner) Branch(id string) (b PlanBranch, ok bool) {
	if i, ok := p.byID[id]; ok {
		return p.Branches[i], true
	}
	return PlanBranch{ID: id, Schedule: p.Default, themeDay: p.defaultTheme}, false
}

// eveningSlot is the evening-before reminder time of an activity.
func (p *Planner) eveningSlot(startsAt time.Time) time.Time {
	d := addDays(midnight(startsAt, p.Loc), -1)
	return time.Date(d.Year(), d.Month(), d.Day(), p.eveH, p.eveM, 0, 0, p.Loc)
}

func (p *Planner) soonSlot(startsAt time.Time) time.Time {
	return startsAt.Add(-p.Activity.LeadTime.D()).Truncate(time.Minute).In(p.Loc)
}

// ActivityRanges returns the ranges of start times of the activities whose
// reminders fall in [from, to]: what to ask storage for.
func (p *Planner) ActivityRanges(from, to time.Time) [][2]time.Time {
	lead := p.Activity.LeadTime.D()
	rs := [][2]time.Time{{from.Add(lead), to.Add(lead + time.Minute)}}
	first := midnight(from, p.Loc)
	if p.eveningSlot(addDays(first, 1)).Before(from) {
		first = addDays(first, 1)
	}
	last := midnight(to, p.Loc)
	if p.eveningSlot(addDays(last, 1)).After(to) {
		last = addDays(last, -1)
	}
	if !last.Before(first) {
		rs = append(rs, [2]time.Time{addDays(first, 1), addDays(last, 2)})
	}
	return rs
}

// ActivityFires returns the reminders of the given activities whose slot
// lies in [from, to]. An activity created after a reminder's slot does not
// get that reminder (it was published too late for it); none is sent once
// the activity has started.
func (p *Planner) ActivityFires(acts []storage.UpcomingActivity, from, to time.Time) []Fire {
	var out []Fire
	seen := map[string]bool{}
	for _, a := range acts {
		for _, k := range []string{ActivityEvening, ActivitySoon} {
			slot := p.soonSlot(a.StartsAt)
			if k == ActivityEvening {
				slot = p.eveningSlot(a.StartsAt)
			}
			if slot.Before(from) || slot.After(to) || a.CreatedAt.After(slot) {
				continue
			}
			job := FamilyActivity + ":" + strconv.FormatInt(a.ID, 10) + ":" + k
			if seen[job] {
				continue
			}
			seen[job] = true
			out = append(out, Fire{
				Job: job, Slot: slot, Family: FamilyActivity, CatchUp: p.Activity.CatchUp.D(),
				Until: a.StartsAt, BranchID: a.BranchID, Activity: ActivityFire{UpcomingActivity: a, Kind: k},
			})
		}
	}
	sortFires(out)
	return out
}

// DigestFires returns the digest slots in [from, to]. Each covers the week
// before the one its slot is in (the Monday digest reports last week).
func (p *Planner) DigestFires(from, to time.Time) []Fire {
	var out []Fire
	for t := p.Digest.Next(from.Add(-time.Second).In(p.Loc)); !t.IsZero() && !t.After(to); t = p.Digest.Next(t) {
		if t.Before(from) {
			continue
		}
		out = append(out, Fire{
			Job: FamilyDigest, Slot: t.In(p.Loc), Family: FamilyDigest, CatchUp: p.DigestCatchUp,
			Week: addDays(WeekStart(t, p.Loc), -7),
		})
	}
	return out
}

// MaxCatchUp is the longest catch-up window of any job.
func (p *Planner) MaxCatchUp() time.Duration {
	m := max(p.DigestCatchUp, p.Activity.CatchUp.D())
	for _, b := range p.Branches {
		m = max(m, b.Schedule.CatchUp.D())
	}
	return m
}

// Due returns every fire whose slot lies in [from, to], activities
// included (acts are the activities storage returned for ActivityRanges).
func (p *Planner) Due(from, to time.Time, acts []storage.UpcomingActivity) []Fire {
	out := p.MeetingFires(from, to)
	out = append(out, p.ActivityFires(acts, from, to)...)
	out = append(out, p.DigestFires(from, to)...)
	sortFires(out)
	return out
}

func sortFires(fs []Fire) {
	sort.SliceStable(fs, func(i, j int) bool {
		if !fs[i].Slot.Equal(fs[j].Slot) {
			return fs[i].Slot.Before(fs[j].Slot)
		}
		return fs[i].Job < fs[j].Job
	})
}

// WeekStart returns Monday 00:00 of the week that contains t, in loc.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	d := midnight(t, loc)
	back := (int(d.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return addDays(d, -back)
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
	mon := addDays(WeekStart(time.Date(year, 1, 4, 12, 0, 0, 0, loc), loc), 7*(week-1))
	if yy, ww := addDays(mon, 3).ISOWeek(); yy != year || ww != week {
		return time.Time{}, fmt.Errorf("%d has no week %d", year, week)
	}
	return mon, nil
}
