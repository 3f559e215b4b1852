package handlers

import (
	"context"
	"jinqiu"
	"jinqiu/handlers/say"
	"time"
	"unicode/utf8"

	"jinqiu/storage"
)

func (h *Handlers) recordMeeting(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	if !rq.kind.Valid() {
		return text(say.MeetingNeedKind()), nil
	}
	today := calendarDay(sc.now)
	on := rq.date
	if on.IsZero() {
		on = today
	}
	if on.After(today) {
		return text(sc.w.MeetingFuture(on)), nil
	}
	if !h.Since.IsZero() && on.Before(calendarDay(h.Since.In(h.loc()))) {
		return text(sc.w.MeetingBeforeInstall(on, calendarDay(h.Since.In(h.loc())))), nil
	}
	if n := utf8.RuneCountInString(rq.topic); n > jinqiu.MaxNoteRunes {
		return text(say.TooLong(say.FieldTopic, n, jinqiu.MaxNoteRunes, say.ExampleMeeting)), nil
	}
	if rq.expected > 0 && rq.present > rq.expected {
		return text(say.MorePresentThanExpected(rq.present, rq.expected)), nil
	}
	m, already, err := h.DB.RecordMeeting(ctx, sc.actor, sc.msg.UserName, storage.NewMeeting{
		BranchID: s.branch, Kind: rq.kind, HeldOn: on, Topic: rq.topic,
		Expected: rq.expected, Present: rq.present, Delivered: rq.delivered,
	})
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if already {
		return text(sc.w.MeetingRecordedAlready(m)), nil
	}
	return text(sc.w.MeetingRecorded(m)), nil
}

func (h *Handlers) meetingStatus(ctx context.Context, sc *scene, _ request, s scope) (jinqiu.Reply, error) {
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
		return sc.list(sc.w.MeetingStatus(b, today, h.schedule(b.ID).Status(today, held))), nil
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
		for _, it := range h.schedule(b.ID).Status(today, byBranch[b.ID]) {
			if !it.Done {
				due = append(due, it.Kind)
			}
		}
		if len(due) > 0 {
			behind = append(behind, say.MeetingBehind(b.Name, due))
		}
	}
	return sc.list(say.MeetingOverview(today, len(bs), behind)), nil
}
