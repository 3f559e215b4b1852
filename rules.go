package jinqiu

import "time"

// The programme's rules, in one place.
const (
	// CheckinOpens is how long before the start a person signed up may
	// check in; check-in ends with the activity. A walk-in (no sign-up)
	// checks in only while it runs.
	CheckinOpens = 30 * time.Minute
	// UndoWindow is how far back 撤销 reaches: the sender's own latest
	// change of the last ten minutes.
	UndoWindow = 10 * time.Minute
	// DefaultDuration is an activity's length when none is given: the hours
	// it credits to each person who signs up and checks in.
	DefaultDuration = 2 * time.Hour
	// MaxDayCentihours caps a person's hours for one day (12 h).
	MaxDayCentihours = 1200
	// MaxReportAgeDays is how far back hours may be reported.
	MaxReportAgeDays = 31
	// MaxCapacity is the most places an activity may have: more is a slip
	// (名额99999999), and the secretary is asked again.
	MaxCapacity = 10000
	// MaxAhead is how far ahead an activity may be published.
	MaxAhead = 366 * 24 * time.Hour
	// Lengths, in characters, of what people write: longer is refused with
	// the limit named, never cut.
	MaxTitleRunes = 40
	MaxPlaceRunes = 60
	MaxNoteRunes  = 100 // hours notes, reasons, meeting topics, decision topics
	// MaxPositionRunes bounds a post as written (3号楼楼栋长); MaxDeedsRunes
	// a 典型's deeds.
	MaxPositionRunes = 60
	MaxDeedsRunes    = 300
)

// The web console's sign-in: a link sent for 后台 opens it once within
// ConsoleLinkTTL, and the session it opens lasts ConsoleSessionTTL.
const (
	ConsoleLinkTTL    = 15 * time.Minute
	ConsoleSessionTTL = 8 * time.Hour
)
