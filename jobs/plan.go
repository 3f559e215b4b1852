package jobs

import (
	"fmt"
	"jinqiu"
	"sort"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

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

// MeetingDue is one meeting a branch is reminded of: when it is due (the
// calendar's Due), and which of its reminders this is.
type MeetingDue struct {
	jinqiu.Due
	Lead int  // days before Deadline
	Last bool // the last reminder before the deadline: it @-mentions the secretaries
}

// ActivityCatchUp is how late an activity reminder may still be sent.
func (p *Planner) ActivityCatchUp() time.Duration { return p.activityCatchUp }

// ActivityFire is an activity reminder.
type ActivityFire struct {
	storage.UpcomingActivity
	Kind string // ActivityEvening or ActivitySoon
}

// PlanBranch is a branch as the planner sees it.
type PlanBranch struct {
	ID, Name string
	Schedule jinqiu.Schedule
}

// Settings are what the planner plans from (the configuration's jobs and
// branches, read by the wiring).
type Settings struct {
	Loc      *time.Location
	Branches []PlanBranch
	// Default is the schedule of a branch that is in the database but no
	// longer in the configuration (the digest still counts it).
	Default jinqiu.Schedule
	// EveningBefore is the time of day of the evening-before reminder;
	// LeadTime how long before the start the second one comes.
	EveningBefore, LeadTime time.Duration
	// ActivityCatchUp is how late an activity reminder may still be sent.
	ActivityCatchUp time.Duration
	DigestCron      string // 5-field cron, in Loc
	DigestCatchUp   time.Duration
}

// Planner says what is due when. It reads only its settings (and, for
// activities, the activities it is given), never the clock: every method
// takes the time. Safe for concurrent use once built.
type Planner struct {
	Loc      *time.Location
	Branches []PlanBranch // the configured branches, in configuration order
	// Default is the schedule of a branch only in the database.
	Default jinqiu.Schedule
	Digest  cron.Schedule
	// DigestCatchUp is how late the digest may still be sent.
	DigestCatchUp time.Duration

	eveningBefore, leadTime, activityCatchUp time.Duration
	byID                                     map[string]int
}

// NewPlanner builds the planner of validated settings.
func NewPlanner(st Settings) (*Planner, error) {
	if st.Loc == nil {
		return nil, fmt.Errorf("planner: no time zone")
	}
	p := &Planner{Loc: st.Loc, Default: st.Default, DigestCatchUp: st.DigestCatchUp,
		eveningBefore: st.EveningBefore, leadTime: st.LeadTime, activityCatchUp: st.ActivityCatchUp}
	spec, err := cron.ParseStandard(st.DigestCron)
	if err != nil {
		return nil, fmt.Errorf("planner: digest cron: %w", err)
	}
	if s, ok := spec.(*cron.SpecSchedule); ok && s.Location == time.Local {
		// The host's zone never counts: a spec without CRON_TZ is in the
		// configured zone, whatever TZ the container has.
		s.Location = st.Loc
	}
	p.Digest = spec
	p.byID = map[string]int{}
	for _, b := range st.Branches {
		p.byID[b.ID] = len(p.Branches)
		p.Branches = append(p.Branches, b)
	}
	return p, nil
}

// MeetingsDueOn returns the reminders a branch gets on day d (midnight in
// the zone), in jinqiu.MeetingKinds() order: for each kind and lead, the
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
	for _, kind := range jinqiu.MeetingKinds() {
		for _, lead := range sortedLeads(s.LeadDays) {
			x := jinqiu.AddDays(d, lead)
			due, ok := s.DueOn(kind, x)
			if !ok || !due.Deadline.Equal(x) {
				continue
			}
			out = append(out, MeetingDue{Due: due, Lead: lead, Last: lead == last})
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
		for d := jinqiu.AddDays(jinqiu.Midnight(from, p.Loc), -1); !d.After(to); d = jinqiu.AddDays(d, 1) {
			slot := atTime(d, b.Schedule.At)
			if slot.Before(from) || slot.After(to) {
				continue
			}
			due := b.MeetingsDueOn(d)
			if len(due) == 0 {
				continue
			}
			until := jinqiu.AddDays(due[0].Deadline, 1)
			for _, x := range due[1:] {
				if u := jinqiu.AddDays(x.Deadline, 1); u.After(until) {
					until = u
				}
			}
			out = append(out, Fire{
				Job: FamilyMeetings + ":" + b.ID, Slot: slot, Family: FamilyMeetings,
				CatchUp: b.Schedule.CatchUp, Until: until, BranchID: b.ID, Meetings: due,
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
	return PlanBranch{ID: id, Schedule: p.Default}, false
}

// eveningSlot is the evening-before reminder time of an activity.
func (p *Planner) eveningSlot(startsAt time.Time) time.Time {
	return atTime(jinqiu.AddDays(jinqiu.Midnight(startsAt, p.Loc), -1), p.eveningBefore)
}

func (p *Planner) soonSlot(startsAt time.Time) time.Time {
	return startsAt.Add(-p.leadTime).Truncate(time.Minute).In(p.Loc)
}

// atTime is the time of day at on day d (a midnight), by the clock: on a
// day of a daylight-saving change it is still the same hour and minute.
func atTime(d time.Time, at time.Duration) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, d.Location())
}

// ActivityRanges returns the ranges of start times of the activities whose
// reminders fall in [from, to]: what to ask storage for.
func (p *Planner) ActivityRanges(from, to time.Time) [][2]time.Time {
	lead := p.leadTime
	rs := [][2]time.Time{{from.Add(lead), to.Add(lead + time.Minute)}}
	first := jinqiu.Midnight(from, p.Loc)
	if p.eveningSlot(jinqiu.AddDays(first, 1)).Before(from) {
		first = jinqiu.AddDays(first, 1)
	}
	last := jinqiu.Midnight(to, p.Loc)
	if p.eveningSlot(jinqiu.AddDays(last, 1)).After(to) {
		last = jinqiu.AddDays(last, -1)
	}
	if !last.Before(first) {
		rs = append(rs, [2]time.Time{jinqiu.AddDays(first, 1), jinqiu.AddDays(last, 2)})
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
				Job: job, Slot: slot, Family: FamilyActivity, CatchUp: p.activityCatchUp,
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
			Week: jinqiu.AddDays(jinqiu.WeekStart(t, p.Loc), -7),
		})
	}
	return out
}

// MaxCatchUp is the longest catch-up window of any job.
func (p *Planner) MaxCatchUp() time.Duration {
	m := max(p.DigestCatchUp, p.activityCatchUp)
	for _, b := range p.Branches {
		m = max(m, b.Schedule.CatchUp)
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
