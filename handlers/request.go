package handlers

import (
	"jinqiu"
	"jinqiu/command"
	"time"
)

// request is a parsed command in the form the rules use: ids as int64,
// days as calendar days (see calendarDay), zero for "not given". It is the
// one place that reads the parser's Command.
type request struct {
	intent    command.Intent
	community string
	activity  int64
	report    int64
	hours     float64
	date      time.Time // calendar day
	note      string
	title     string
	startsAt  time.Time
	duration  time.Duration // 0: jinqiu.DefaultDuration applies
	deadline  time.Time     // zero: sign-up closes at the start
	place     string
	capacity  int
	badCap    string // a capacity written but not one, as written
	kind      jinqiu.MeetingKind
	topic     string
	period    string // week | month (digest); month | year (export, publicity)
	offset    int
	year      int // a year written (导出2026年)

	confirm       bool      // repeat what was understood; act on 是
	badDate       string    // a date not taken, as written
	badDateWhy    string    // why: command.BadDateImpossible and kin
	forName       string    // 代办: the member acted for, as written
	activityTitle string    // an activity named by its title
	activityDate  time.Time // or by its day (calendar day)
	expected      int       // attendance of a meeting
	present       int
	delivered     int
	page          int // of a list, from 1; 0 the first
	twoNumbers    bool
	twoAmounts    bool
	inexact       string // an amount that is not exact, as written
	thanks        bool
	// The registries: a member and a post as written, a nomination's
	// number, whether a decision was adopted (nil: not said).
	member, position string
	nomination       int64
	adopted          *bool

	// Set when a held command is resumed: confirmed (是 after the bot
	// repeated it), again (a repeat the person confirmed), forMember (the
	// member chosen for 代办).
	confirmed, again bool
	forMember        int64
	// memberID is the member picked when a registry command's name meant
	// several.
	memberID int64
}

func requestOf(c command.Command) request {
	rq := request{
		intent:    c.Intent,
		community: c.Community,
		activity:  int64(c.Activity),
		report:    int64(c.Report),
		hours:     c.Hours,
		note:      c.Note,
		title:     c.Title,
		startsAt:  c.StartsAt,
		duration:  c.Duration,
		deadline:  c.Deadline,
		place:     c.Place,
		capacity:  c.Capacity,
		badCap:    c.BadCapacity,
		kind:      jinqiu.MeetingKind(c.Kind),
		topic:     c.Topic,
		period:    c.Period,
	}
	if !c.Date.IsZero() {
		rq.date = calendarDay(c.Date)
	}
	if c.Offset != nil {
		rq.offset = *c.Offset
	}
	rq.confirm, rq.badDate, rq.badDateWhy, rq.forName = c.Confirm, c.BadDate, c.BadDateWhy, c.For
	rq.activityTitle = c.ActivityTitle
	if !c.ActivityDate.IsZero() {
		rq.activityDate = calendarDay(c.ActivityDate)
	}
	rq.expected, rq.present, rq.delivered = c.Expected, c.Present, c.Delivered
	rq.page = c.Page
	rq.year = c.Year
	rq.member, rq.position, rq.nomination, rq.adopted = c.Member, c.Position, int64(c.Nomination), c.Adopted
	rq.twoNumbers, rq.twoAmounts, rq.inexact, rq.thanks = c.TwoNumbers, c.TwoAmounts, c.Inexact, c.Thanks
	return rq
}
