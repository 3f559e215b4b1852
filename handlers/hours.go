package handlers

import (
	"context"
	"errors"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"jinqiu/storage"
)

// HoursProblem says why reported hours are refused before storage sees
// them: "" when they may be recorded.
type HoursProblem string

// Reasons to refuse reported hours.
const (
	HoursOK      HoursProblem = ""
	HoursMissing HoursProblem = "missing" // no positive number
	HoursTooMany HoursProblem = "too_many"
	HoursFuture  HoursProblem = "future"
	HoursTooOld  HoursProblem = "too_old"
)

// CheckHours applies the rules on reported hours: a positive number of
// centihours, at most jinqiu.MaxDayCentihours in one report, served on a day
// (calendar day, see calendarDay) not after today and at most
// jinqiu.MaxReportAgeDays before it. The day total is checked by storage, under
// the member's row lock.
func CheckHours(centihours int, on, today time.Time) HoursProblem {
	switch {
	case centihours <= 0:
		return HoursMissing
	case on.After(today):
		return HoursFuture
	case today.Sub(on) > jinqiu.MaxReportAgeDays*24*time.Hour:
		return HoursTooOld
	case centihours > jinqiu.MaxDayCentihours:
		return HoursTooMany
	}
	return HoursOK
}

func (h *Handlers) reportHours(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	branchID := s.branch
	today := calendarDay(sc.now)
	on := rq.date
	if on.IsZero() {
		on = today
	}
	if n := utf8.RuneCountInString(rq.note); n > jinqiu.MaxNoteRunes {
		return text(say.TooLong(say.FieldNote, n, jinqiu.MaxNoteRunes, say.ExampleHours)), nil
	}
	ch := int(math.Round(rq.hours * 100))
	switch CheckHours(ch, on, today) {
	case HoursMissing:
		return text(say.HoursNeedNumber()), nil
	case HoursFuture:
		return text(sc.w.HoursFuture(on)), nil
	case HoursTooOld:
		return text(sc.w.HoursTooOld(on, jinqiu.MaxReportAgeDays)), nil
	}
	if !rq.again {
		same, err := h.DB.SameHours(ctx, sc.member.ID, on, ch, sc.now.AddDate(0, 0, -1))
		if err == nil {
			return h.hold(ctx, sc, rq, dialogue{Confirm: true, Again: true}, sc.w.DuplicateHours(same)), nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return jinqiu.Reply{}, err
		}
	}
	// HoursTooMany goes on: storage refuses it with how much of the day is
	// left, which is what the person needs to hear.
	r, err := h.DB.ReportHours(ctx, sc.actor, storage.NewReport{
		MemberID: sc.member.ID, BranchID: branchID, ServedOn: on, Centihours: ch, Note: rq.note,
	}, jinqiu.MaxDayCentihours)
	var dl *storage.DayLimitError
	if errors.As(err, &dl) {
		return text(sc.w.HoursDayLimit(on, dl.Used, dl.Limit)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return text(sc.w.HoursReported(r)), nil
}

// decide approves (approve) or rejects a pending report of the branch, and
// tells the member in the group with an @mention.
func (h *Handlers) approve(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	return h.decide(ctx, sc, rq, s, true)
}

func (h *Handlers) reject(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	return h.decide(ctx, sc, rq, s, false)
}

func (h *Handlers) decide(ctx context.Context, sc *scene, rq request, s scope, approve bool) (jinqiu.Reply, error) {
	intent := command.IntentApproveHours
	if !approve {
		intent = command.IntentRejectHours
	}
	if rq.report == 0 {
		if s.all {
			return text(say.AskInBranchGroup()), nil
		}
		all, err := h.DB.PendingReports(ctx, s.branch, maxListed)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		var pending []jinqiu.HoursReport
		for _, r := range all {
			if r.MemberID != sc.member.ID && len(pending) < listLimit {
				pending = append(pending, r) // never offer one's own
			}
		}
		if len(pending) == 0 {
			return text(say.NothingPending()), nil
		}
		var ids []int64
		var ls []string
		for _, r := range pending {
			ids = append(ids, r.ID)
			ls = append(ls, sc.w.Report(r))
		}
		confirm := ""
		if approve {
			confirm = sc.w.ConfirmApprove(pending[0])
		}
		return h.choose(ctx, sc, dialogue{Intent: intent}, ids, ls,
			func(ls []string) string { return say.PickReport(approve, ls) }, confirm), nil
	}
	r, err := h.scopedReport(ctx, s, rq.report)
	if errors.Is(err, storage.ErrNotFound) {
		return text(say.ReportNotFound(rq.report)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if r.State != jinqiu.HoursPending {
		return text(say.ReportDecided(r)), nil
	}
	if sc.member.ID != 0 && r.MemberID == sc.member.ID {
		return text(say.OwnReport(r)), nil
	}
	// The reason comes with the command (驳回 17 时长填错了) or, asked for
	// here, in the next message (see continueDialogue).
	if n := utf8.RuneCountInString(rq.note); !approve && n > jinqiu.MaxNoteRunes {
		return text(say.TooLong(say.FieldReason, n, jinqiu.MaxNoteRunes, say.ExampleReject)), nil
	}
	if !approve && rq.note == "" {
		return h.ask(ctx, sc, dialogue{Intent: intent, Options: []int64{r.ID}, Reason: true}, sc.w.RejectAskReason(r)), nil
	}
	reason := ""
	if !approve {
		reason = rq.note
	}
	r, err = h.decideHours(ctx, sc.w, sc.actor, sc.msg.UserName, r.BranchID, r.ID, approve, reason)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.ReportNotFound(rq.report)), nil
	case errors.Is(err, storage.ErrDecided):
		return text(say.ReportDecided(r)), nil
	case errors.Is(err, storage.ErrOwnReport):
		return text(say.OwnReport(r)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	pending, err := h.DB.PendingReports(ctx, r.BranchID, 100)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if approve {
		return text(sc.w.Approved(r, len(pending))), nil
	}
	return text(say.Rejected(r, len(pending))), nil
}

// decideHours approves or rejects a pending report and tells the
// branch's groups, @-mentioning its member.
func (h *Handlers) decideHours(ctx context.Context, w say.Words, a jinqiu.Actor, name, branchID string, id int64, approve bool, reason string) (jinqiu.HoursReport, error) {
	groups, err := h.DB.Groups(ctx, branchID)
	if err != nil {
		return jinqiu.HoursReport{}, err
	}
	r, m, err := h.DB.DecideHours(ctx, a, name, branchID, id, approve, reason)
	if err != nil {
		return r, err
	}
	notice := w.ApprovedNotice(r)
	if !approve {
		notice = w.RejectedNotice(r)
	}
	return r, h.DB.Enqueue(ctx, notices(groups, "hours|"+strconv.FormatInt(r.ID, 10)+"|"+r.State, m.Platform, []string{m.UserID}, notice)...)
}

// DecideHours is 通过/驳回 from the web console: the same rule (storage's:
// a pending report of the branch, decided once, never by its own member,
// audited with a) and the same notice to the branch's groups. A rejection
// needs a reason of at most jinqiu.MaxNoteRunes characters; the caller
// checks it, as the chat asks for it. Errors are storage's (ErrNotFound,
// ErrDecided, ErrOwnReport) or internal.
func (h *Handlers) DecideHours(ctx context.Context, a jinqiu.Actor, name, branchID string, id int64, approve bool, reason string) (jinqiu.HoursReport, error) {
	if approve {
		reason = ""
	}
	return h.decideHours(ctx, say.Words{Year: h.now().Year()}, a, name, branchID, id, approve, reason)
}

func (h *Handlers) myStats(ctx context.Context, sc *scene, rq request, _ scope) (jinqiu.Reply, error) {
	if sc.member.ID == 0 || !sc.member.Registered() {
		return text(say.NeedRegister(sc.branch.ID != "")), nil
	}
	y := sc.now.Year()
	s, err := h.DB.MemberStats(ctx, sc.member.ID, calendarDay(sc.now), time.Date(y, 1, 1, 0, 0, 0, 0, h.loc()))
	if err != nil {
		return jinqiu.Reply{}, err
	}
	mine, err := h.DB.MySignups(ctx, sc.member.ID, sc.now)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	posts, err := h.DB.Posts(ctx, sc.member.ID, false)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	shown, page, more := pageOf(mine, rq.page)
	head, body := sc.w.MyStats(sc.name(), s, shown, h.loc())
	// Posts and 五大员 roles right after the hours: what the person is, then
	// what they signed up for.
	body = append(body[:1], append(sc.w.MyPosts(posts), body[1:]...)...)
	if more > 0 {
		body = append(body, say.More(more, say.ListMine, page+1))
	}
	return sc.list(head, body), nil
}
