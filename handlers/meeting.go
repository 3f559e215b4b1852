package handlers

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"

	"jinqiu/bot"
	"jinqiu/config"
	"jinqiu/storage"
)

func (h *Handlers) recordMeeting(ctx context.Context, sc *scene, rq request) (bot.Reply, error) {
	s, refusal := sc.asManager()
	if refusal != "" {
		return text(refusal), nil
	}
	if s.all {
		return text(sayAskInBranchGroup()), nil
	}
	if !slices.Contains(storage.MeetingKinds, rq.kind) {
		return text(sayMeetingNeedKind()), nil
	}
	today := calendarDay(sc.now)
	on := rq.date
	if on.IsZero() {
		on = today
	}
	if on.After(today) {
		return text(sc.w.sayMeetingFuture(on)), nil
	}
	if !h.Since.IsZero() && on.Before(calendarDay(h.Since.In(h.loc()))) {
		return text(sc.w.sayMeetingBeforeInstall(on, calendarDay(h.Since.In(h.loc())))), nil
	}
	if n := utf8.RuneCountInString(rq.topic); n > MaxNoteRunes {
		return text(sayTooLong(sayFieldTopic, n, MaxNoteRunes, sayExampleMeeting)), nil
	}
	m, already, err := h.DB.RecordMeeting(ctx, sc.actor, sc.msg.UserName, storage.NewMeeting{
		BranchID: s.branch, Kind: rq.kind, HeldOn: on, Topic: rq.topic,
	})
	if err != nil {
		return bot.Reply{}, err
	}
	if already {
		return text(sc.w.sayMeetingRecordedAlready(m)), nil
	}
	return text(sc.w.sayMeetingRecorded(m)), nil
}

// meetingItem is one kind of meeting in a status report.
type meetingItem struct {
	Kind    string
	Done    bool
	HeldOn  time.Time // the latest meeting of the kind in its period, when Done
	DueBy   time.Time // the last day of the period, or the configured day of 主题党日
	Overdue bool      // the configured day has passed and it is not done
}

// MeetingPeriod returns the first day of the period containing today and
// the first day after it (calendar days), for a schedule period; ok is
// false for "off" or an unknown period.
func MeetingPeriod(period string, today time.Time) (from, to time.Time, ok bool) {
	y, m, _ := today.Date()
	switch period {
	case config.PeriodMonthly:
		from = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 1, 0), true
	case config.PeriodQuarterly:
		from = time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 3, 0), true
	case config.PeriodYearly:
		from = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(1, 0, 0), true
	}
	return from, to, false
}

// meetingStatus says, for each kind the schedule requires, whether it was
// held in the current period (month, quarter or year) of today (a calendar
// day), and by when it is due. held are the branch's meetings since the
// start of the year at least.
func meetingStatus(s config.Schedule, today time.Time, held []storage.Meeting) []meetingItem {
	periods := map[string]string{
		storage.MeetingBranchAssembly: s.BranchAssembly,
		storage.MeetingCommittee:      s.Committee,
		storage.MeetingGroup:          s.Group,
		storage.MeetingLecture:        s.Lecture,
		storage.MeetingThemeDay:       s.ThemeDay,
	}
	var items []meetingItem
	for _, kind := range storage.MeetingKinds {
		from, to, ok := MeetingPeriod(periods[kind], today)
		if !ok {
			continue
		}
		it := meetingItem{Kind: kind, DueBy: to.AddDate(0, 0, -1)}
		for _, m := range held {
			if m.Kind == kind && !m.HeldOn.Before(from) && m.HeldOn.Before(to) && !m.HeldOn.Before(it.HeldOn) {
				it.Done, it.HeldOn = true, m.HeldOn
			}
		}
		if kind == storage.MeetingThemeDay && periods[kind] == config.PeriodMonthly {
			if rule, err := config.ParseDayRule(s.ThemeDayOn); err == nil {
				it.DueBy = rule.In(today.Year(), today.Month(), time.UTC)
				it.Overdue = !it.Done && today.After(it.DueBy)
			}
		}
		items = append(items, it)
	}
	return items
}

func (h *Handlers) meetingStatus(ctx context.Context, sc *scene) (bot.Reply, error) {
	s, refusal := sc.asManager()
	if refusal != "" {
		return text(refusal), nil
	}
	today := calendarDay(sc.now)
	yearFrom := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	tomorrow := today.AddDate(0, 0, 1)
	if !s.all {
		b, err := h.DB.Branch(ctx, s.branch)
		if err != nil {
			return bot.Reply{}, err
		}
		held, err := h.DB.Meetings(ctx, s.branch, yearFrom, tomorrow)
		if err != nil {
			return bot.Reply{}, err
		}
		return sc.list(sc.w.sayMeetingStatus(b, today, meetingStatus(h.schedule(b.ID), today, held))), nil
	}
	bs, err := h.DB.Branches(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	all, err := h.DB.AllMeetings(ctx, yearFrom, tomorrow)
	if err != nil {
		return bot.Reply{}, err
	}
	byBranch := map[string][]storage.Meeting{}
	for _, m := range all {
		byBranch[m.BranchID] = append(byBranch[m.BranchID], m)
	}
	var behind []string
	for _, b := range bs {
		var due []string
		for _, it := range meetingStatus(h.schedule(b.ID), today, byBranch[b.ID]) {
			if !it.Done {
				due = append(due, it.Kind)
			}
		}
		if len(due) > 0 {
			behind = append(behind, sayMeetingBehind(b.Name, due))
		}
	}
	return sc.list(sayMeetingOverview(today, len(bs), behind)), nil
}
