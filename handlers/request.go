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
	period    string // week | month
	offset    int
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
	return rq
}
