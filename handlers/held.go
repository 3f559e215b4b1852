package handlers

import (
	"context"
	"jinqiu"
	"strings"
	"time"

	"jinqiu/command"
	"jinqiu/handlers/say"
)

// Held commands.
//
// Some commands are not run as they come: the bot repeats what it
// understood and waits for 是 (a command word a voice keyboard may have
// misheard, a publish whose fields were found inside running words), asks
// whether a repeat is meant (the same hours or activity again within a
// day), or asks which member a secretary acts for. The message is kept in
// the dialogue with the time it was parsed at, and parsed again when the
// answer comes, so that what runs is exactly what was confirmed; every rule
// and role is checked again then.

// hold keeps the message for the answer to question.
func (h *Handlers) hold(ctx context.Context, sc *scene, rq request, d dialogue, question string) jinqiu.Reply {
	d.Intent, d.Text, d.At = rq.intent, sc.msg.Text, sc.now
	if d.For == 0 {
		d.For = rq.forMember
	}
	d.Again = d.Again || rq.again
	return h.ask(ctx, sc, d, question)
}

// resumeHeld runs a held message again: confirmed, and with the member
// chosen (n, when the question was which member).
func (h *Handlers) resumeHeld(ctx context.Context, sc *scene, d dialogue, n int64) (jinqiu.Reply, error) {
	at := d.At
	if at.IsZero() {
		at = sc.now
	}
	rq := requestOf(command.Parse(d.Text, at.In(h.loc())))
	if rq.intent != d.Intent {
		return text(say.Unknown(sc.reader())), nil
	}
	rq.confirmed, rq.again, rq.forMember = true, d.Again, d.For
	if d.Members {
		if rq.forMember = heldFor(d, n); rq.forMember == 0 {
			return text(say.Unknown(sc.reader())), nil
		}
		// Picking the member is no confirmation of a misheard command.
		rq.confirmed = !rq.confirm
	}
	return h.dispatch(ctx, sc, rq)
}

// confirmFirst repeats what the bot understood of an acting command that
// was not written plainly, and holds it for 是.
func (h *Handlers) confirmFirst(ctx context.Context, sc *scene, rq request, s scope) jinqiu.Reply {
	heard := say.Heard{
		Intent: string(rq.intent), Title: rq.title, Place: rq.place, Capacity: rq.capacity,
		Community: rq.community, Centihours: int(rq.hours*100 + 0.5), Note: rq.note,
	}
	if !rq.startsAt.IsZero() {
		heard.StartsAt = rq.startsAt.In(h.loc())
	}
	if !rq.date.IsZero() {
		heard.Date = rq.date
	}
	if rq.activity != 0 && !s.all {
		if a, err := h.DB.Activity(ctx, s.branch, rq.activity); err == nil {
			heard.Activity = &a
		}
		heard.ActivityID = rq.activity
	}
	return h.hold(ctx, sc, rq, dialogue{Confirm: true}, sc.w.Confirm(heard, h.loc()))
}

// onBehalf resolves the member a secretary acts for (代办): done is true
// when the person is answered instead (nobody of that name, or a question
// which one); else sc acts for the member from now on.
func (h *Handlers) onBehalf(ctx context.Context, sc *scene, rq request, s scope) (r jinqiu.Reply, done bool, err error) {
	if s.all {
		return text(say.AskInBranchGroup()), true, nil
	}
	ms, err := h.DB.BranchMembers(ctx, s.branch)
	if err != nil {
		return jinqiu.Reply{}, true, err
	}
	var found []jinqiu.Member
	if rq.forMember != 0 {
		for _, m := range ms {
			if m.ID == rq.forMember {
				found = append(found, m)
			}
		}
	} else {
		found = membersNamed(ms, rq.forName)
	}
	switch len(found) {
	case 0:
		return text(say.NoSuchMember(rq.forName)), true, nil
	case 1:
		m := found[0]
		sc.forMember, sc.member = &m, m
		return jinqiu.Reply{}, false, nil
	}
	if len(found) > listLimit {
		found = found[:listLimit]
	}
	ids := make([]int64, len(found))
	ls := make([]string, len(found))
	for i, m := range found {
		ids[i] = m.ID
		ls[i] = say.MemberOption(i+1, m)
	}
	// The numbers offered are the list's, 1 to n; Picks maps them back.
	d := dialogue{Members: true, Picks: ids}
	for i := range ids {
		d.Options = append(d.Options, int64(i+1))
	}
	return h.hold(ctx, sc, rq, d, say.PickMember(rq.forName, ls)), true, nil
}

// membersNamed finds the members a name as written means: the name itself
// (compared in folded form), else, for 张大爷 or 老张, every member of the
// surname.
func membersNamed(ms []jinqiu.Member, name string) []jinqiu.Member {
	want := command.Fold(name)
	var exact []jinqiu.Member
	for _, m := range ms {
		if m.Registered() && command.Fold(m.DisplayName) == want {
			exact = append(exact, m)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	surname := command.Surname(name)
	if surname == "" {
		return nil
	}
	var out []jinqiu.Member
	for _, m := range ms {
		if m.Registered() && strings.HasPrefix(command.Fold(m.DisplayName), surname) {
			out = append(out, m)
		}
	}
	return out
}

// heldFor is the member an answer to a 代办 question picks.
func heldFor(d dialogue, n int64) int64 {
	if n >= 1 && int(n) <= len(d.Picks) {
		return d.Picks[n-1]
	}
	return 0
}

// named reports whether an activity is named by its title or its day.
func (rq request) named() bool { return rq.activityTitle != "" || !rq.activityDate.IsZero() }

// matching keeps the activities a title and a day (as named) mean.
func matching(acts []jinqiu.Activity, rq request, loc *time.Location) []jinqiu.Activity {
	title := command.TitleKey(rq.activityTitle)
	var out []jinqiu.Activity
	for _, a := range acts {
		if title != "" && !strings.Contains(command.Fold(a.Title), title) {
			continue
		}
		if !rq.activityDate.IsZero() && !calendarDay(a.StartsAt.In(loc)).Equal(rq.activityDate) {
			continue
		}
		out = append(out, a)
	}
	return out
}
