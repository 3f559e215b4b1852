package handlers

import (
	"context"
	"jinqiu"
	"time"
	"unicode/utf8"

	"jinqiu/storage"
)

func (h *Handlers) recordMeeting(ctx context.Context, sc *scene, rq request) (jinqiu.Reply, error) {
	s, refusal := sc.asManager()
	if refusal != "" {
		return text(refusal), nil
	}
	if s.all {
		return text(sayAskInBranchGroup()), nil
	}
	if !rq.kind.Valid() {
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
		return jinqiu.Reply{}, err
	}
	if already {
		return text(sc.w.sayMeetingRecordedAlready(m)), nil
	}
	return text(sc.w.sayMeetingRecorded(m)), nil
}

// meetingItem is one kind of meeting in a status report.
type meetingItem struct {
	jinqiu.Due
	Done    bool
	HeldOn  time.Time // the latest meeting of the kind in its period, when Done
	Overdue bool      // its deadline has passed and it is not done
}

// meetingStatus says, for each kind the schedule requires, whether it was
// held in the period (month, quarter or year) that contains today (a
// calendar day), and by when it is due: the calendar of the reminders and
// the digest. held are the branch's meetings since the start of the year
// at least.
func meetingStatus(s jinqiu.Schedule, today time.Time, held []jinqiu.Meeting) []meetingItem {
	var items []meetingItem
	for _, kind := range jinqiu.MeetingKinds() {
		due, ok := s.DueOn(kind, today)
		if !ok {
			continue
		}
		it := meetingItem{Due: due}
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

func (h *Handlers) meetingStatus(ctx context.Context, sc *scene) (jinqiu.Reply, error) {
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
			return jinqiu.Reply{}, err
		}
		held, err := h.DB.Meetings(ctx, s.branch, yearFrom, tomorrow)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		return sc.list(sc.w.sayMeetingStatus(b, today, meetingStatus(h.schedule(b.ID), today, held))), nil
	}
	bs, err := h.DB.Branches(ctx)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	all, err := h.DB.AllMeetings(ctx, yearFrom, tomorrow)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	byBranch := map[string][]jinqiu.Meeting{}
	for _, m := range all {
		byBranch[m.BranchID] = append(byBranch[m.BranchID], m)
	}
	var behind []string
	for _, b := range bs {
		var due []jinqiu.MeetingKind
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
