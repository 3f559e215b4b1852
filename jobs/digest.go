package jobs

import (
	"context"
	"fmt"
	"jinqiu"
	"time"

	"jinqiu/storage"
)

// Digester computes weekly digests. Safe for concurrent use once built.
type Digester struct {
	DB      *storage.DB
	Planner *Planner // the zone and each branch's schedule
	// Now is the clock (time.Now when nil): a digest of the current week
	// counts up to now.
	Now func() time.Time
	// Top is how many volunteers to name (10 when zero); InactiveDays how
	// long without any activity makes a member inactive (60 when zero).
	Top          int
	InactiveDays int
	// Since is when the bot was installed (storage.InstalledAt): meetings
	// whose deadline passed before it are not called overdue.
	Since time.Time
}

// Figures are the counts of a digest, for a branch, a town, a line or the
// whole district.
type Figures struct {
	Branches      int
	Members       int // registered now
	NewMembers    int // 报到 in the week
	ActiveMembers int // signed up, checked in or reported hours in the week
	Activities    int // activities held (started) in the week
	Signups       int // confirmed places in those activities
	Attended      int // of those places, checked in
	Centihours    int // approved hours served in the week, ×100
	Inactive      int // members inactive for InactiveDays
	MeetingsDone  int // (branch, kind) pairs held this period
	MeetingsDue   int // (branch, kind) pairs scheduled this period
}

// Attendance returns the share of confirmed places that were checked in,
// in percent; ok is false when there were no places.
func (f Figures) Attendance() (pct int, ok bool) {
	if f.Signups == 0 {
		return 0, false
	}
	return (f.Attended*100 + f.Signups/2) / f.Signups, true
}

func (f *Figures) add(g Figures) {
	f.Branches += g.Branches
	f.Members += g.Members
	f.NewMembers += g.NewMembers
	f.ActiveMembers += g.ActiveMembers
	f.Activities += g.Activities
	f.Signups += g.Signups
	f.Attended += g.Attended
	f.Centihours += g.Centihours
	f.Inactive += g.Inactive
	f.MeetingsDone += g.MeetingsDone
	f.MeetingsDue += g.MeetingsDue
}

// BranchFigures is one branch in a digest.
type BranchFigures struct {
	ID, Name, Town string
	Kind           jinqiu.BranchKind
	Figures
	// Overdue names the meetings the branch missed, e.g. "10月支委会".
	Overdue []string
}

// Town is a town (镇/街道) and its branches.
type Town struct {
	Name string
	Figures
	Branches []BranchFigures
}

// Line is one of the programme's two lines: 城市 (community) or 乡镇 (rural).
type Line struct {
	Kind jinqiu.BranchKind
	Name string
	Figures
}

// Compliance is how many branches held a meeting kind in the current
// period, and which ones are overdue.
type Compliance struct {
	Kind      jinqiu.MeetingKind
	Name      string // 支委会
	Freq      jinqiu.Period
	Period    string // 11月, 第四季度, 2026年
	Done, Due int
	Overdue   []Overdue
}

// Overdue is a branch that missed a meeting's deadline.
type Overdue struct {
	BranchID, Branch, Town string
	Period                 string // the period it missed: 10月
	Deadline               time.Time
}

// TopVolunteer is one of the week's volunteers with the most approved hours.
type TopVolunteer struct {
	Name, Branch string
	Centihours   int
}

// Digest is a weekly digest: of the whole district (BranchID "") for the
// bureau, or of one branch for its secretary.
type Digest struct {
	From, To   time.Time // the week [Monday 00:00, next Monday 00:00) in the zone
	AsOf       time.Time // figures count up to here: To, or now for the current week
	Year, Week int       // ISO week
	BranchID   string
	BranchName string
	Total      Figures
	Lines      []Line // 城市, 乡镇: only lines that have branches
	Towns      []Town
	Meetings   []Compliance
	Top        []TopVolunteer
	// InactiveDays is the inactivity window; InactiveNames lists the
	// inactive members of a branch digest by name (never in the district
	// digest). Public() removes them.
	InactiveDays  int
	InactiveNames []string
}

// Public returns the digest without the names of inactive members: what
// may be shown in a group rather than to the branch's secretary alone.
func (d Digest) Public() Digest {
	d.InactiveNames = nil
	return d
}

// Line kinds and their names.
var lineNames = []struct {
	kind jinqiu.BranchKind
	name string
}{{jinqiu.Community, "城市（社区）"}, {jinqiu.Rural, "乡镇（农村）"}}

// Digest computes the digest of the week that contains weekStart (any
// instant of it: it is moved to Monday 00:00 in the zone), of the whole
// district when branchID is "", else of that branch (ErrNotFound if there
// is none). A branch digest names its inactive members; use Public before
// showing it to anyone but the branch's secretary.
func (x *Digester) Digest(ctx context.Context, weekStart time.Time, branchID string) (Digest, error) {
	p := x.Planner
	loc := p.Loc
	from := jinqiu.WeekStart(weekStart, loc)
	to := jinqiu.AddDays(from, 7)
	now := time.Now()
	if x.Now != nil {
		now = x.Now()
	}
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

	spans, index := x.meetingSpans(ref)
	st, err := x.DB.DigestStats(ctx, storage.DigestRange{
		From: from, To: asOf, FromDay: from, ToDay: jinqiu.AddDays(ref, 1),
		InactiveSince: inactiveSince, InactiveSinceDay: jinqiu.Midnight(inactiveSince, loc),
		BranchID: branchID, Top: top, Meetings: spans, Names: branchID != "",
	})
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	y, w := jinqiu.AddDays(from, 3).ISOWeek()
	d := Digest{From: from, To: to, AsOf: asOf, Year: y, Week: w, BranchID: branchID, InactiveDays: days}

	comp := map[spanKey]*Compliance{}
	var compOrder []spanKey
	towns := map[string]*Town{}
	var townOrder []string
	lines := map[jinqiu.BranchKind]*Line{}
	names := map[string]string{}
	for _, b := range st.Branches {
		names[b.ID] = b.Name
		pb, _ := p.Branch(b.ID)
		bf := BranchFigures{ID: b.ID, Name: b.Name, Town: b.Town, Kind: b.Kind, Figures: Figures{
			Branches: 1, Members: b.Members, NewMembers: b.NewMembers, ActiveMembers: b.ActiveMembers,
			Activities: b.Activities, Signups: b.Signups, Attended: b.Attended, Centihours: b.Centihours, Inactive: b.Inactive,
		}}
		for _, kind := range jinqiu.MeetingKinds() {
			cur, ok := pb.Schedule.DueOn(kind, ref)
			if !ok {
				continue
			}
			freq, cf := cur.Period, cur.From
			prev, _ := pb.Schedule.DueOn(kind, jinqiu.AddDays(cf, -1))
			held := st.Held[index[spanKey{kind, freq, false}]][b.ID]
			key := spanKey{kind: kind, freq: freq}
			c := comp[key]
			if c == nil {
				c = &Compliance{Kind: kind, Name: KindName(kind), Freq: freq, Period: sayPeriod(freq, cf)}
				comp[key] = c
				compOrder = append(compOrder, key)
			}
			c.Due++
			bf.MeetingsDue++
			if held {
				c.Done++
				bf.MeetingsDone++
				continue
			}
			// Overdue: this period's deadline has passed (a 主题党日 early in
			// the month, or a period that ends with the week), else last
			// period went by without one.
			// A deadline that passed before the bot was installed is not
			// held against anyone: nobody could have recorded the meeting.
			if dl := cur.Deadline; !asOf.Before(jinqiu.AddDays(dl, 1)) {
				if jinqiu.AddDays(dl, 1).Before(x.Since) {
					continue
				}
				c.Overdue = append(c.Overdue, Overdue{BranchID: b.ID, Branch: b.Name, Town: b.Town, Period: sayPeriod(freq, cf), Deadline: dl})
				bf.Overdue = append(bf.Overdue, sayPeriod(freq, cf)+KindName(kind))
			} else if pdl := prev.Deadline; !st.Held[index[spanKey{kind, freq, true}]][b.ID] && !jinqiu.AddDays(pdl, 1).Before(x.Since) {
				c.Overdue = append(c.Overdue, Overdue{BranchID: b.ID, Branch: b.Name, Town: b.Town, Period: sayPeriod(freq, prev.From), Deadline: pdl})
				bf.Overdue = append(bf.Overdue, sayPeriod(freq, prev.From)+KindName(kind))
			}
		}
		t := towns[b.Town]
		if t == nil {
			t = &Town{Name: b.Town}
			towns[b.Town] = t
			townOrder = append(townOrder, b.Town)
		}
		t.Figures.add(bf.Figures)
		t.Branches = append(t.Branches, bf)
		l := lines[b.Kind]
		if l == nil {
			l = &Line{Kind: b.Kind}
			lines[b.Kind] = l
		}
		l.Figures.add(bf.Figures)
		d.Total.add(bf.Figures)
		if branchID != "" {
			d.BranchName = b.Name
		}
	}
	for _, name := range townOrder {
		d.Towns = append(d.Towns, *towns[name])
	}
	for _, ln := range lineNames {
		if l := lines[ln.kind]; l != nil {
			l.Name = ln.name
			d.Lines = append(d.Lines, *l)
		}
	}
	for _, key := range compOrder {
		d.Meetings = append(d.Meetings, *comp[key])
	}
	for _, v := range st.Top {
		d.Top = append(d.Top, TopVolunteer{Name: v.DisplayName, Branch: names[v.BranchID], Centihours: v.Centihours})
	}
	for _, m := range st.Inactive {
		d.InactiveNames = append(d.InactiveNames, m.DisplayName)
	}
	return d, nil
}

type spanKey struct {
	kind     jinqiu.MeetingKind
	freq     jinqiu.Period
	previous bool
}

// meetingSpans returns the (kind, period) spans whose holders the digest
// needs: for each kind and each frequency some branch has for it, the
// period containing ref (up to ref) and the one before.
func (x *Digester) meetingSpans(ref time.Time) ([]storage.MeetingSpan, map[spanKey]int) {
	p := x.Planner
	scheds := []jinqiu.Schedule{p.Default}
	for _, b := range p.Branches {
		scheds = append(scheds, b.Schedule)
	}
	index := map[spanKey]int{}
	var spans []storage.MeetingSpan
	for _, kind := range jinqiu.MeetingKinds() {
		for _, s := range scheds {
			f := s.Period(kind)
			if f == jinqiu.Off {
				continue
			}
			if _, ok := index[spanKey{kind, f, false}]; ok {
				continue
			}
			cf, _ := jinqiu.PeriodOf(f, ref)
			pf, pt := jinqiu.PeriodOf(f, jinqiu.AddDays(cf, -1))
			index[spanKey{kind, f, false}] = len(spans)
			spans = append(spans, storage.MeetingSpan{Kind: kind, FromDay: cf, ToDay: jinqiu.AddDays(ref, 1)})
			index[spanKey{kind, f, true}] = len(spans)
			spans = append(spans, storage.MeetingSpan{Kind: kind, FromDay: pf, ToDay: pt})
		}
	}
	return spans, index
}
