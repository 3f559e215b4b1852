package handlers

import (
	"context"
	"errors"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"strconv"
	"time"
	"unicode/utf8"

	"jinqiu/storage"
)

// ---- publish, list, cancel, roster (secretary; list: anyone) ------------------

func (h *Handlers) listActivities(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	branchID := s.branch
	b, err := h.DB.Branch(ctx, branchID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	acts, err := h.DB.BranchActivities(ctx, branchID, sc.now, maxListed)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	shown, page, more := pageOf(acts, rq.page)
	head, body := sc.w.ActivityList(b, shown, h.loc())
	if more > 0 {
		body = append(body, say.More(more, say.ListActivities, page+1))
	}
	return sc.list(head, body), nil
}

func (h *Handlers) publish(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	if rq.badCap != "" {
		return text(say.BadCapacity(rq.badCap, jinqiu.MaxCapacity)), nil
	}
	if rq.title == "" || rq.startsAt.IsZero() {
		return text(say.PublishNeedMore()), nil
	}
	if n := utf8.RuneCountInString(rq.title); n > jinqiu.MaxTitleRunes {
		return text(say.TooLong(say.FieldTitle, n, jinqiu.MaxTitleRunes, say.ExamplePublish)), nil
	}
	if n := utf8.RuneCountInString(rq.place); n > jinqiu.MaxPlaceRunes {
		return text(say.TooLong(say.FieldPlace, n, jinqiu.MaxPlaceRunes, say.ExamplePublish)), nil
	}
	if !rq.startsAt.After(sc.now) {
		return text(say.PublishPast()), nil
	}
	if rq.startsAt.Sub(sc.now) > jinqiu.MaxAhead {
		return text(sc.w.PublishTooFar(rq.startsAt.In(h.loc()))), nil
	}
	dur := rq.duration
	if dur <= 0 {
		dur = jinqiu.DefaultDuration
	}
	if dur > jinqiu.MaxDayCentihours*time.Hour/100 {
		return text(say.PublishTooLong(jinqiu.MaxDayCentihours)), nil
	}
	if !rq.deadline.IsZero() {
		if !rq.deadline.Before(rq.startsAt) {
			return text(sc.w.PublishDeadlineAfterStart(rq.deadline.In(h.loc()), rq.startsAt.In(h.loc()))), nil
		}
		if !rq.deadline.After(sc.now) {
			return text(sc.w.PublishDeadlinePast(rq.deadline.In(h.loc()))), nil
		}
	}
	if !rq.again {
		same, err := h.DB.SameActivity(ctx, s.branch, rq.title, rq.startsAt, sc.now.AddDate(0, 0, -1))
		if err == nil {
			return h.hold(ctx, sc, rq, dialogue{Confirm: true, Again: true}, sc.w.DuplicateActivity(same, h.loc())), nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return jinqiu.Reply{}, err
		}
	}
	n := storage.NewActivity{
		BranchID: s.branch,
		Title:    rq.title,
		Place:    rq.place,
		StartsAt: rq.startsAt,
		EndsAt:   rq.startsAt.Add(dur),
		Deadline: rq.deadline,
		Capacity: rq.capacity,
	}
	act, err := h.DB.PublishActivity(ctx, sc.actor, sc.msg.UserName, n)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	r := text(sc.w.Published(act, h.loc()))
	r.Buttons = say.SignupButtons(act.ID)
	return r, nil
}

// manageable lists the branch's activities that have not started: the
// candidates when a secretary names none.
func (h *Handlers) manageable(ctx context.Context, sc *scene, branchID string) ([]jinqiu.Activity, error) {
	acts, err := h.DB.BranchActivities(ctx, branchID, sc.now, listLimit*2)
	if err != nil {
		return nil, err
	}
	var out []jinqiu.Activity
	for _, a := range acts {
		if sc.now.Before(a.StartsAt) && len(out) < listLimit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (h *Handlers) cancelActivity(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if rq.activity == 0 {
		if s.all {
			return text(say.AskInBranchGroup()), nil
		}
		cands, err := h.manageable(ctx, sc, s.branch)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		if len(cands) == 0 {
			return text(say.NothingToManage()), nil
		}
		ids, ls := h.options(sc, cands)
		return h.choose(ctx, sc, dialogue{Intent: command.IntentCancelActivity}, ids, ls, say.PickCancelActivity, sc.w.ConfirmCancelActivity(cands[0], h.loc())), nil
	}
	act, err := h.scopedActivity(ctx, s, rq.activity)
	if refusal, err := usableActivity(act, err, rq.activity); refusal != "" || err != nil {
		return text(refusal), err
	}
	if !sc.now.Before(act.StartsAt) {
		return text(say.ActivityStarted(act)), nil
	}
	groups, err := h.DB.Groups(ctx, act.BranchID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	loc := h.loc()
	act, signees, err := h.DB.CancelActivity(ctx, sc.actor, act.BranchID, act.ID)
	if err == nil {
		err = h.DB.Enqueue(ctx, cancelNotices(groups, act, signees, sc.w.CancelNotice(act, loc))...)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.ActivityNotFound(rq.activity)), nil
	case errors.Is(err, storage.ErrActivityCancelled):
		return text(say.ActivityCancelledAlready(rq.activity)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	return text(say.ActivityCancelled(act, len(signees))), nil
}

func (h *Handlers) roster(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if !sc.mayReadNames() {
		return text(say.RosterWhere()), nil
	}
	id := rq.activity
	if id == 0 {
		if s.all {
			return text(say.AskInBranchGroup()), nil
		}
		acts, err := h.DB.BranchActivities(ctx, s.branch, sc.now, listLimit)
		if rq.named() {
			// A roster may be of a past day: look a month back too.
			acts, err = h.DB.ActivitiesOn(ctx, s.branch, sc.now.AddDate(0, -1, 0), sc.now.Add(jinqiu.MaxAhead))
			acts = matching(acts, rq, h.loc())
			if err == nil && len(acts) == 0 {
				return text(sc.w.NoActivityNamed(rq.activityTitle, rq.activityDate)), nil
			}
			if len(acts) > listLimit {
				acts = acts[:listLimit]
			}
		}
		if err != nil {
			return jinqiu.Reply{}, err
		}
		switch len(acts) {
		case 0:
			return text(say.NothingToManage()), nil
		case 1:
			id = acts[0].ID // reading changes nothing: no need to confirm
		default:
			ids, ls := h.options(sc, acts)
			return h.choose(ctx, sc, dialogue{Intent: command.IntentRoster}, ids, ls, say.PickRoster, ""), nil
		}
	}
	act, err := h.scopedActivity(ctx, s, id)
	if errors.Is(err, storage.ErrNotFound) {
		return text(say.ActivityNotFound(id)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	act, es, err := h.DB.Roster(ctx, act.BranchID, act.ID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return sc.list(sc.w.Roster(act, es, h.loc())), nil
}

// ---- sign-up and cancel (member) ---------------------------------------------

func (h *Handlers) signup(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	branchID := s.branch
	if rq.activity == 0 {
		return h.askSignup(ctx, sc, rq, s)
	}
	act, err := h.DB.Activity(ctx, branchID, rq.activity)
	if refusal, err := usableActivity(act, err, rq.activity); refusal != "" || err != nil {
		return text(refusal), err
	}
	if !sc.now.Before(act.SignupClosesAt()) {
		return text(say.SignupClosed(act)), nil
	}
	res, err := h.DB.SignUp(ctx, sc.actor, branchID, act.ID, sc.member.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.ActivityNotFound(rq.activity)), nil
	case errors.Is(err, storage.ErrActivityCancelled):
		return text(say.ActivityCancelledAlready(act.ID)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	switch {
	case res.State == jinqiu.SignupWaiting:
		return text(say.Waiting(res.Activity, res.Position)), nil
	case res.Already:
		return text(sc.w.SignedUpAlready(res.Activity, h.loc())), nil
	}
	return text(sc.w.SignedUp(sc.name(), res.Activity, h.loc())), nil
}

// askSignup offers the activities the person may still sign up for (those
// the title or day names, when one is named: exactly one is signed up for).
func (h *Handlers) askSignup(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	acts, err := h.DB.BranchActivities(ctx, s.branch, sc.now, maxListed)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	mine, err := h.DB.MySignups(ctx, sc.member.ID, sc.now)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	signed := map[int64]bool{}
	for _, m := range mine {
		signed[m.ID] = true
	}
	var cands []jinqiu.Activity
	for _, a := range acts {
		if !signed[a.ID] && sc.now.Before(a.SignupClosesAt()) {
			cands = append(cands, a)
		}
	}
	if rq.named() {
		switch cands = matching(cands, rq, h.loc()); len(cands) {
		case 0:
			return text(sc.w.NoActivityNamed(rq.activityTitle, rq.activityDate)), nil
		case 1:
			rq.activity = cands[0].ID
			return h.signup(ctx, sc, rq, s)
		}
	}
	if len(cands) == 0 {
		return text(say.NothingToSignUp()), nil
	}
	if len(cands) > listLimit {
		cands = cands[:listLimit]
	}
	ids, ls := h.options(sc, cands)
	return h.choose(ctx, sc, dialogue{Intent: command.IntentSignup}, ids, ls, say.PickSignup, sc.w.ConfirmSignup(cands[0], h.loc())), nil
}

func (h *Handlers) options(sc *scene, acts []jinqiu.Activity) ([]int64, []string) {
	ids := make([]int64, len(acts))
	ls := make([]string, len(acts))
	for i, a := range acts {
		ids[i] = a.ID
		ls[i] = sc.w.Activity(a, h.loc()) + " " + say.Places(a)
	}
	return ids, ls
}

func (h *Handlers) cancelSignup(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	branchID := s.branch
	if rq.activity == 0 {
		mine, err := h.DB.MySignups(ctx, sc.member.ID, sc.now)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		var cands []jinqiu.Activity
		for _, m := range mine {
			if m.BranchID == branchID && sc.now.Before(m.StartsAt) {
				cands = append(cands, m.Activity)
			}
		}
		if rq.named() {
			switch cands = matching(cands, rq, h.loc()); len(cands) {
			case 0:
				return text(sc.w.NoActivityNamed(rq.activityTitle, rq.activityDate)), nil
			case 1:
				rq.activity = cands[0].ID
				return h.cancelSignup(ctx, sc, rq, s)
			}
		}
		if len(cands) == 0 {
			return text(say.NothingToCancel()), nil
		}
		if len(cands) > listLimit {
			cands = cands[:listLimit]
		}
		ids, ls := h.options(sc, cands)
		return h.choose(ctx, sc, dialogue{Intent: command.IntentCancelSignup}, ids, ls, say.PickCancelSignup, sc.w.ConfirmCancelSignup(cands[0], h.loc())), nil
	}
	act, err := h.DB.Activity(ctx, branchID, rq.activity)
	if refusal, err := usableActivity(act, err, rq.activity); refusal != "" || err != nil {
		return text(refusal), err
	}
	if !sc.now.Before(act.StartsAt) {
		return text(say.ActivityStarted(act)), nil
	}
	groups, err := h.DB.Groups(ctx, branchID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	loc := h.loc()
	res, err := h.DB.CancelSignup(ctx, sc.actor, branchID, act.ID, sc.member.ID)
	if err == nil && res.Promoted != nil {
		m := res.Promoted
		key := "promote|" + strconv.FormatInt(res.Activity.ID, 10) + "|" + strconv.FormatInt(m.ID, 10) + "|" + sc.msg.MsgID
		err = h.DB.Enqueue(ctx, notices(groups, key, m.Platform, []string{m.UserID}, sc.w.Promoted(m.DisplayName, res.Activity, loc))...)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.ActivityNotFound(rq.activity)), nil
	case errors.Is(err, storage.ErrActivityCancelled):
		return text(say.ActivityCancelledAlready(act.ID)), nil
	case errors.Is(err, storage.ErrNotSignedUp):
		return text(say.NotSignedUp(act.ID)), nil
	case errors.Is(err, storage.ErrCheckedIn):
		return text(say.CheckedInNoCancel(act)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	return text(say.CancelledSignup(res.Activity)), nil
}

// ---- check-in (member) -----------------------------------------------------------

// CheckinWindow returns when check-in to a opens and closes (both
// included) for a person signed up: jinqiu.CheckinOpens before the start
// to the end. A walk-in's opens at the start.
func CheckinWindow(a jinqiu.Activity) (opens, closes time.Time) {
	return a.CheckinOpensAt(), a.CheckinClosesAt()
}

func (h *Handlers) checkin(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	branchID := s.branch
	var act jinqiu.Activity
	if rq.activity != 0 {
		var err error
		act, err = h.DB.Activity(ctx, branchID, rq.activity)
		if errors.Is(err, storage.ErrNotFound) {
			return text(say.ActivityNotFound(rq.activity)), nil
		}
		if err != nil {
			return jinqiu.Reply{}, err
		}
	} else {
		var reply *jinqiu.Reply
		var err error
		if act, reply, err = h.findCheckin(ctx, sc, rq, branchID); err != nil {
			return jinqiu.Reply{}, err
		}
		if reply != nil {
			return *reply, nil
		}
	}
	if act.State == jinqiu.ActivityCancelled {
		return text(say.ActivityCancelledAlready(act.ID)), nil
	}
	opens, closes := CheckinWindow(act)
	if sc.now.Before(opens) {
		return text(sc.w.CheckinTooEarly(act, opens, h.loc())), nil
	}
	if sc.now.After(closes) {
		return text(say.CheckinClosed(act)), nil
	}
	res, err := h.DB.CheckIn(ctx, sc.actor, branchID, act.ID, sc.member.ID, calendarDay(act.StartsAt.In(h.loc())))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.ActivityNotFound(act.ID)), nil
	case errors.Is(err, storage.ErrActivityCancelled):
		return text(say.ActivityCancelledAlready(act.ID)), nil
	case errors.Is(err, storage.ErrFull):
		return text(say.CheckinFull(act)), nil
	case errors.Is(err, storage.ErrOnWaitingList):
		return text(say.CheckinWaiting(act, res.Position)), nil
	case errors.Is(err, storage.ErrNotRunning):
		return text(sc.w.WalkInNotRunning(act, h.loc())), nil
	case err != nil:
		return jinqiu.Reply{}, err
	case res.Already:
		return text(say.CheckedInAlready(act)), nil
	case res.WalkIn:
		return text(say.WalkedIn(sc.name(), res.Activity, res.Report)), nil
	}
	return text(say.CheckedIn(sc.name(), res.Activity)), nil
}

// findCheckin picks the activity a bare 签到 means, among those whose
// window is open: the one the person signed up for and has not checked in
// to; else, if they signed up for one, that one (they hear they are
// checked in already); else the only one open. With several it asks. With
// none open, today's (signed up for, or the only one) is returned so that
// the person hears when its window opens. reply is set when the person is
// answered instead.
func (h *Handlers) findCheckin(ctx context.Context, sc *scene, rq request, branchID string) (act jinqiu.Activity, reply *jinqiu.Reply, err error) {
	mine, err := h.DB.MySignups(ctx, sc.member.ID, sc.now)
	if err != nil {
		return act, nil, err
	}
	signed := map[int64]bool{}
	for _, m := range mine {
		signed[m.ID] = true
	}
	open, err := h.DB.ActivitiesBetween(ctx, branchID, sc.now, sc.now.Add(jinqiu.CheckinOpens))
	if err != nil {
		return act, nil, err
	}
	if rq.named() {
		if open = matching(open, rq, h.loc()); len(open) == 0 {
			r := text(sc.w.NoActivityNamed(rq.activityTitle, rq.activityDate))
			return act, &r, nil
		}
	}
	if len(open) == 0 {
		y, m, d := sc.now.Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, h.loc())
		today, err := h.DB.ActivitiesBetween(ctx, branchID, midnight, midnight.AddDate(0, 0, 1).Add(-time.Second))
		if err != nil {
			return act, nil, err
		}
		for _, a := range today {
			if signed[a.ID] {
				return a, nil, nil
			}
		}
		if len(today) == 1 {
			return today[0], nil, nil
		}
		r := text(say.NothingToCheckIn())
		return act, &r, nil
	}
	var ownPending, ownDone, fresh []jinqiu.Activity
	for _, a := range open {
		done, err := h.DB.CheckedIn(ctx, a.ID, sc.member.ID)
		if err != nil {
			return act, nil, err
		}
		switch {
		case signed[a.ID] && done:
			ownDone = append(ownDone, a)
		case signed[a.ID]:
			ownPending = append(ownPending, a)
		case !done:
			fresh = append(fresh, a)
		}
	}
	var ask []jinqiu.Activity
	switch {
	case len(ownPending) == 1:
		return ownPending[0], nil, nil
	case len(ownPending) > 1:
		ask = ownPending
	case len(ownDone) > 0:
		return ownDone[0], nil, nil
	case len(fresh) == 1:
		return fresh[0], nil, nil
	case len(fresh) > 1:
		ask = fresh
	default:
		return open[0], nil, nil // checked in to all of them: they hear so
	}
	if len(ask) > listLimit {
		ask = ask[:listLimit]
	}
	ids, ls := h.options(sc, ask)
	r := h.choose(ctx, sc, dialogue{Intent: command.IntentCheckin}, ids, ls, say.PickCheckin, "")
	return act, &r, nil
}

// usableActivity checks an activity just looked up by id: found (in scope)
// and not cancelled. refusal is what to tell the person when it is not; err
// is internal.
func usableActivity(act jinqiu.Activity, err error, id int64) (refusal string, _ error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return say.ActivityNotFound(id), nil
	case err != nil:
		return "", err
	case act.State == jinqiu.ActivityCancelled:
		return say.ActivityCancelledAlready(act.ID), nil
	}
	return "", nil
}

// cancelNotices tell the people signed up for a cancelled activity, in the
// groups of their own platform, with an @mention.
func cancelNotices(groups []jinqiu.Group, a jinqiu.Activity, signees []jinqiu.Member, text string) []storage.Outbound {
	byPlatform := map[jinqiu.Platform][]string{}
	var platforms []jinqiu.Platform
	for _, m := range signees {
		if byPlatform[m.Platform] == nil {
			platforms = append(platforms, m.Platform)
		}
		byPlatform[m.Platform] = append(byPlatform[m.Platform], m.UserID)
	}
	var out []storage.Outbound
	for _, p := range platforms {
		out = append(out, notices(groups, "cancel|"+strconv.FormatInt(a.ID, 10), p, byPlatform[p], text)...)
	}
	return out
}
