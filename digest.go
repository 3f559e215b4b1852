package jinqiu

import "time"

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

// Add adds g to f.
func (f *Figures) Add(g Figures) {
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
	Kind           BranchKind
	Figures
	// Overdue are the meetings the branch missed.
	Overdue []Missed
	// Inquorate are its 支部党员大会 of the period that had not more than
	// half of their members present (不足半数).
	Inquorate []Meeting
	// Status is, for each meeting kind the branch is due, where it stands in
	// its current period.
	Status []KindStatus
}

// Standing is how a branch stands with one meeting kind in its current
// period: held, not yet held with the deadline ahead, or overdue (the
// console's green, yellow and red).
type Standing string

// Standings.
const (
	StandingHeld    Standing = "held"
	StandingDue     Standing = "due"
	StandingOverdue Standing = "overdue"
)

// KindStatus is a branch's standing with one meeting kind: in its current
// period, or, when overdue, in the period it missed (the current one or the
// one before).
type KindStatus struct {
	Due
	Standing Standing
}

// Missed is a meeting a branch did not hold in a period whose deadline has
// passed.
type Missed struct {
	Kind  MeetingKind
	Every Period
	From  time.Time // the period's first day
}

// Town is a town (镇/街道) and its branches.
type Town struct {
	Name string
	Figures
	Branches []BranchFigures
}

// Line is one of the programme's two lines: 城市 (community) or 乡镇 (rural).
type Line struct {
	Kind BranchKind
	Figures
}

// Compliance is how many branches held a meeting kind in its current
// period, and which ones are overdue.
type Compliance struct {
	Kind      MeetingKind
	Every     Period
	From      time.Time // the current period's first day
	Done, Due int
	Overdue   []Overdue
}

// Overdue is a branch that missed a meeting's deadline.
type Overdue struct {
	BranchID, Branch, Town string
	From                   time.Time // the first day of the period it missed
	Deadline               time.Time
}

// TopVolunteer is one of the week's volunteers with the most approved hours.
type TopVolunteer struct {
	Name, Branch string
	Centihours   int
}

// Digest is what the bureau is told of a period (a week for the Monday
// digest and 周报, a month for 月报): of the whole district (BranchID "")
// for the bureau, or of one branch for its secretary. report computes it;
// the wording catalogue writes it.
type Digest struct {
	From, To   time.Time // the period, [From, To) at midnight in the zone
	AsOf       time.Time // figures count up to here: To, or now for the current period
	Year, Week int       // ISO week of From
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
	// Held are, for a branch digest, the kinds of meeting held in the
	// period itself.
	Held []MeetingKind
	// Programme are, for the district digest, the programme's figures of
	// the year so far (up to AsOf); nil in a branch digest.
	Programme *Programme
}

// Public returns the digest without the names of inactive members: what
// may be shown in a group rather than to the branch's secretary alone.
func (d Digest) Public() Digest {
	d.InactiveNames = nil
	return d
}
