// Package report computes the figures the bureau is told: one aggregation
// of a period (a week for the Monday digest and 周报, a month for 月报, and
// whatever the workbook asks for), of the whole district or one branch,
// with each branch's 三会一课 read from the one calendar. The wording
// catalogue writes them; nothing here says a word.
package report

import (
	"context"
	"fmt"
	"time"

	"jinqiu"
	"jinqiu/storage"
)

// Reporter computes digests. Safe for concurrent use once built.
type Reporter struct {
	DB  *storage.DB
	Loc *time.Location
	// Schedules are the configured branches' meeting schedules; a branch
	// not in it (only in the database) has Default.
	Schedules map[string]jinqiu.Schedule
	Default   jinqiu.Schedule
	// Now is the clock: a digest of the current period counts up to now.
	Now func() time.Time
	// Top is how many volunteers to name (10 when zero); InactiveDays how
	// long without any activity makes a member inactive (60 when zero).
	Top          int
	InactiveDays int
	// Since is when the bot was installed (storage.InstalledAt): meetings
	// whose deadline passed before it are not called overdue.
	Since time.Time
}

// Schedule is the meeting schedule of a branch.
func (x *Reporter) Schedule(branchID string) jinqiu.Schedule {
	if s, ok := x.Schedules[branchID]; ok {
		return s
	}
	return x.Default
}

// Week is the digest of the week that contains weekStart (any instant of
// it: it is moved to Monday 00:00 in the zone).
func (x *Reporter) Week(ctx context.Context, weekStart time.Time, branchID string) (jinqiu.Digest, error) {
	from := jinqiu.WeekStart(weekStart, x.Loc)
	return x.Digest(ctx, from, jinqiu.AddDays(from, 7), branchID)
}

// Digest computes the digest of the days [from, to) (midnights in the
// zone), of the whole district when branchID is "", else of that branch
// (storage.ErrNotFound if there is none). A branch digest names its
// inactive members; use Public before showing it to anyone but the
// branch's secretary or the bureau.
func (x *Reporter) Digest(ctx context.Context, from, to time.Time, branchID string) (jinqiu.Digest, error) {
	loc := x.Loc
	now := x.Now()
	asOf := to
	if now.Before(to) {
		asOf = now
	}
	if asOf.Before(from) {
		asOf = from
	}
	ref := jinqiu.Midnight(asOf.Add(-time.Nanosecond), loc) // the last day counted
	if ref.Before(from) {
		ref = from
	}
	days := x.InactiveDays
	if days <= 0 {
		days = 60
	}
	top := x.Top
	if top <= 0 {
		top = 10
	}
	inactiveSince := asOf.AddDate(0, 0, -days)
	// The district's digest carries the programme's year so far; its
	// queries run beside the digest's own, which wait on other indexes.
	type programmed struct {
		p   jinqiu.Programme
		err error
	}
	var programme chan programmed
	if branchID == "" {
		programme = make(chan programmed, 1)
		go func() {
			p, err := x.Programme(ctx, time.Date(ref.Year(), 1, 1, 0, 0, 0, 0, loc), jinqiu.AddDays(ref, 1))
			programme <- programmed{p, err}
		}()
	}

	spans, index := x.meetingSpans(ref, from, to)
	st, err := x.DB.DigestStats(ctx, storage.DigestRange{
		From: from, To: asOf, FromDay: from, ToDay: jinqiu.AddDays(ref, 1),
		InactiveSince: inactiveSince, InactiveSinceDay: jinqiu.Midnight(inactiveSince, loc),
		BranchID: branchID, Top: top, Meetings: spans, Names: branchID != "",
	})
	if err != nil {
		return jinqiu.Digest{}, fmt.Errorf("digest: %w", err)
	}
	thin, err := x.DB.Inquorate(ctx, branchID, from, to)
	if err != nil {
		return jinqiu.Digest{}, fmt.Errorf("digest: %w", err)
	}
	inquorate := map[string][]jinqiu.Meeting{}
	for _, m := range thin {
		inquorate[m.BranchID] = append(inquorate[m.BranchID], m)
	}
	y, w := jinqiu.AddDays(from, 3).ISOWeek()
	d := jinqiu.Digest{From: from, To: to, AsOf: asOf, Year: y, Week: w, BranchID: branchID, InactiveDays: days}

	comp := map[spanKey]*jinqiu.Compliance{}
	var compOrder []spanKey
	towns := map[string]*jinqiu.Town{}
	var townOrder []string
	lines := map[jinqiu.BranchKind]*jinqiu.Line{}
	names := map[string]string{}
	for _, b := range st.Branches {
		names[b.ID] = b.Name
		sched := x.Schedule(b.ID)
		bf := jinqiu.BranchFigures{ID: b.ID, Name: b.Name, Town: b.Town, Kind: b.Kind, Figures: jinqiu.Figures{
			Branches: 1, Members: b.Members, NewMembers: b.NewMembers, ActiveMembers: b.ActiveMembers,
			Activities: b.Activities, Signups: b.Signups, Attended: b.Attended, Centihours: b.Centihours, Inactive: b.Inactive,
		}, Inquorate: inquorate[b.ID]}
		for _, kind := range jinqiu.MeetingKinds() {
			if branchID != "" && st.Held[index[spanKey{kind: kind, inPeriod: true}]][b.ID] {
				d.Held = append(d.Held, kind)
			}
			cur, ok := sched.DueOn(kind, ref)
			if !ok {
				continue
			}
			prev, _ := sched.DueOn(kind, jinqiu.AddDays(cur.From, -1))
			key := spanKey{kind: kind, every: cur.Period}
			c := comp[key]
			if c == nil {
				c = &jinqiu.Compliance{Kind: kind, Every: cur.Period, From: cur.From}
				comp[key] = c
				compOrder = append(compOrder, key)
			}
			c.Due++
			bf.MeetingsDue++
			status := jinqiu.KindStatus{Due: cur, Standing: jinqiu.StandingDue}
			if st.Held[index[key]][b.ID] {
				c.Done++
				bf.MeetingsDone++
				status.Standing = jinqiu.StandingHeld
				bf.Status = append(bf.Status, status)
				continue
			}
			// Overdue: this period's deadline has passed (a 主题党日 early in
			// its period, or a period that ends with the digest's), else the
			// last period went by without one. A deadline that passed before
			// the bot was installed is not held against anyone: nobody could
			// have recorded the meeting.
			missed := cur
			switch {
			case !asOf.Before(jinqiu.AddDays(cur.Deadline, 1)):
			case !st.Held[index[spanKey{kind: kind, every: cur.Period, previous: true}]][b.ID]:
				missed = prev
			default:
				bf.Status = append(bf.Status, status)
				continue
			}
			if jinqiu.AddDays(missed.Deadline, 1).Before(x.Since) {
				bf.Status = append(bf.Status, status)
				continue
			}
			// The period missed: the current one, or the one before it.
			bf.Status = append(bf.Status, jinqiu.KindStatus{Due: missed, Standing: jinqiu.StandingOverdue})
			c.Overdue = append(c.Overdue, jinqiu.Overdue{BranchID: b.ID, Branch: b.Name, Town: b.Town, From: missed.From, Deadline: missed.Deadline})
			bf.Overdue = append(bf.Overdue, jinqiu.Missed{Kind: kind, Every: missed.Period, From: missed.From})
		}
		t := towns[b.Town]
		if t == nil {
			t = &jinqiu.Town{Name: b.Town}
			towns[b.Town] = t
			townOrder = append(townOrder, b.Town)
		}
		t.Figures.Add(bf.Figures)
		t.Branches = append(t.Branches, bf)
		l := lines[b.Kind]
		if l == nil {
			l = &jinqiu.Line{Kind: b.Kind}
			lines[b.Kind] = l
		}
		l.Figures.Add(bf.Figures)
		d.Total.Add(bf.Figures)
		if branchID != "" {
			d.BranchName = b.Name
		}
	}
	for _, name := range townOrder {
		d.Towns = append(d.Towns, *towns[name])
	}
	for _, k := range jinqiu.Lines() {
		if l := lines[k]; l != nil {
			d.Lines = append(d.Lines, *l)
		}
	}
	for _, key := range compOrder {
		d.Meetings = append(d.Meetings, *comp[key])
	}
	for _, v := range st.Top {
		d.Top = append(d.Top, jinqiu.TopVolunteer{Name: v.DisplayName, Branch: names[v.BranchID], Centihours: v.Centihours})
	}
	for _, m := range st.Inactive {
		d.InactiveNames = append(d.InactiveNames, m.DisplayName)
	}
	if programme != nil {
		got := <-programme // the year so far, as of the digest's own end
		if got.err != nil {
			return jinqiu.Digest{}, fmt.Errorf("digest: %w", got.err)
		}
		d.Programme = &got.p
	}
	return d, nil
}

// spanKey names a span of days whose meetings the digest needs: the
// current period of a kind at some frequency (or the one before it), or
// the digest's own days (inPeriod).
type spanKey struct {
	kind     jinqiu.MeetingKind
	every    jinqiu.Period
	previous bool
	inPeriod bool
}

// meetingSpans returns the spans whose holders the digest needs: for each
// kind and each frequency some branch has for it, the period containing
// ref (up to ref) and the one before; and for each kind the digest's own
// days [from, to).
func (x *Reporter) meetingSpans(ref, from, to time.Time) ([]storage.MeetingSpan, map[spanKey]int) {
	scheds := []jinqiu.Schedule{x.Default}
	for _, s := range x.Schedules {
		scheds = append(scheds, s)
	}
	index := map[spanKey]int{}
	var spans []storage.MeetingSpan
	for _, kind := range jinqiu.MeetingKinds() {
		index[spanKey{kind: kind, inPeriod: true}] = len(spans)
		spans = append(spans, storage.MeetingSpan{Kind: kind, FromDay: from, ToDay: to})
		for _, s := range scheds {
			f := s.Period(kind)
			if f == jinqiu.Off {
				continue
			}
			if _, ok := index[spanKey{kind: kind, every: f}]; ok {
				continue
			}
			cf, _ := jinqiu.PeriodOf(f, ref)
			pf, pt := jinqiu.PeriodOf(f, jinqiu.AddDays(cf, -1))
			index[spanKey{kind: kind, every: f}] = len(spans)
			spans = append(spans, storage.MeetingSpan{Kind: kind, FromDay: cf, ToDay: jinqiu.AddDays(ref, 1)})
			index[spanKey{kind: kind, every: f, previous: true}] = len(spans)
			spans = append(spans, storage.MeetingSpan{Kind: kind, FromDay: pf, ToDay: pt})
		}
	}
	return spans, index
}
