package handlers

import (
	"context"
	"jinqiu"
	"slices"
	"strings"
	"time"

	"jinqiu/storage"
)

// DigestPeriod returns the instants [from, to) of a week (Monday to
// Sunday) or month in the zone of now, offset periods from the current one.
func DigestPeriod(week bool, offset int, now time.Time) (from, to time.Time) {
	y, m, d := now.Date()
	loc := now.Location()
	if week {
		back := (int(now.Weekday()) + 6) % 7 // days since Monday
		from = time.Date(y, m, d-back+7*offset, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 0, 7)
	}
	from = time.Date(y, m+time.Month(offset), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 1, 0)
}

// digest answers 周报/月报: a branch's own figures for a secretary (or an
// admin in the branch's group), the programme's two lines for the bureau.
// The figures are storage.DigestStats, the same as the weekly digest job's.
func (h *Handlers) digest(ctx context.Context, sc *scene, rq request) (jinqiu.Reply, error) {
	s, refusal := sc.asManager()
	if refusal != "" {
		return text(refusal), nil
	}
	week := rq.period != "month"
	from, to := DigestPeriod(week, rq.offset, sc.now)
	if week && h.WeeklyDigest != nil {
		// Names of members only in a single chat with the branch's
		// secretary or a bureau admin.
		private := sc.msg.ChatType == jinqiu.ChatSingle && (sc.admin || (!s.all && slices.Contains(sc.secOf, s.branch)))
		parts, err := h.WeeklyDigest(ctx, sc.msg.Platform, from, s.branch, private)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		return joinReplies(parts), nil
	}
	fromDay, toDay := calendarDay(from), calendarDay(to)
	r := storage.DigestRange{From: from, To: to, FromDay: fromDay, ToDay: toDay, BranchID: s.branch}
	for _, k := range jinqiu.MeetingKinds() {
		r.Meetings = append(r.Meetings, storage.MeetingSpan{Kind: k, FromDay: fromDay, ToDay: toDay})
	}
	st, err := h.DB.DigestStats(ctx, r)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	period := sc.w.sayPeriod(week, rq.offset, from, to)
	if !s.all {
		if len(st.Branches) != 1 {
			return jinqiu.Reply{}, storage.ErrNotFound
		}
		var held []jinqiu.MeetingKind
		for i, k := range jinqiu.MeetingKinds() {
			if st.Held[i][s.branch] {
				held = append(held, k)
			}
		}
		return sc.list(sayBranchDigest(period, st.Branches[0], held)), nil
	}
	byLine := map[jinqiu.BranchKind]storage.BranchActivity{}
	counts := map[jinqiu.BranchKind]int{}
	for _, b := range st.Branches {
		t := byLine[b.Kind]
		t.NewMembers += b.NewMembers
		t.Members += b.Members
		t.Activities += b.Activities
		t.Signups += b.Signups
		t.Attended += b.Attended
		t.Centihours += b.Centihours
		byLine[b.Kind] = t
		counts[b.Kind]++
	}
	return sc.list(sayBureauDigest(period, byLine, counts)), nil
}

// joinReplies makes one answer of a digest rendered in parts; the platform
// layer splits it again where its limits require.
func joinReplies(parts []jinqiu.Reply) jinqiu.Reply {
	var r jinqiu.Reply
	var texts, mds []string
	for _, p := range parts {
		texts = append(texts, p.Text)
		if p.Markdown != "" {
			mds = append(mds, p.Markdown)
		}
		if r.Title == "" {
			r.Title = p.Title
		}
	}
	r.Text = strings.Join(texts, "\n\n")
	r.Markdown = strings.Join(mds, "\n\n")
	return r
}
