package console

import (
	"cmp"
	"context"
	"errors"
	"jinqiu"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jinqiu/handlers/say"
	"jinqiu/storage"
)

// period is what the figures cover: this week or this month, up to now.
type period struct {
	Name     string // week | month
	From, To time.Time
}

func (s *Server) period(r *http.Request) period { return s.periodNamed(r.URL.Query().Get("period")) }

// periodNamed is this month ("month") or this week (anything else: the
// weekly digest's period, the cheapest to compute at province scale).
func (s *Server) periodNamed(name string) period {
	now := s.now()
	if name != "month" {
		from := jinqiu.WeekStart(now, s.Loc)
		return period{Name: "week", From: from, To: jinqiu.AddDays(from, 7)}
	}
	from, to := jinqiu.PeriodOf(jinqiu.Monthly, jinqiu.Midnight(now, s.Loc))
	return period{Name: "month", From: from, To: to}
}

// figures is the digest of what the viewer sees for the period: the
// district's for the bureau, their branches' for a secretary.
func (s *Server) figures(ctx context.Context, v viewer, p period) (jinqiu.Digest, time.Time, error) {
	key := "fig|" + v.scopeKey() + "|" + p.Name + "|" + p.From.Format(time.DateOnly)
	return cached(ctx, s.memo, key, func(ctx context.Context) (jinqiu.Digest, error) {
		if v.Bureau {
			return s.Reports.Digest(ctx, p.From, p.To, "")
		}
		var ds []jinqiu.Digest
		for _, b := range v.Branches {
			d, err := s.Reports.Digest(ctx, p.From, p.To, b)
			if errors.Is(err, storage.ErrNotFound) {
				continue // a role in a branch no longer configured
			}
			if err != nil {
				return jinqiu.Digest{}, err
			}
			ds = append(ds, d.Public())
		}
		return merge(ds), nil
	})
}

// Warm computes the bureau's figures (this month's, this week's and the
// chart's) before anyone asks: at province scale they take seconds, and
// once computed they are only ever renewed behind the pages that show
// them. Call it in the background after Handler.
func (s *Server) Warm(ctx context.Context) error {
	v := viewer{Bureau: true}
	for _, name := range []string{"month", "week"} {
		if _, _, err := s.figures(ctx, v, s.periodNamed(name)); err != nil {
			return err
		}
	}
	_, _, err := s.trend(ctx, v)
	return err
}

// merge puts the digests of a secretary's branches together.
func merge(ds []jinqiu.Digest) jinqiu.Digest {
	var out jinqiu.Digest
	town := map[string]int{}
	for _, d := range ds {
		out.From, out.To, out.AsOf = d.From, d.To, d.AsOf
		out.Total.Add(d.Total)
		for _, l := range d.Lines {
			i := slices.IndexFunc(out.Lines, func(x jinqiu.Line) bool { return x.Kind == l.Kind })
			if i < 0 {
				out.Lines = append(out.Lines, jinqiu.Line{Kind: l.Kind})
				i = len(out.Lines) - 1
			}
			out.Lines[i].Figures.Add(l.Figures)
		}
		for _, t := range d.Towns {
			i, ok := town[t.Name]
			if !ok {
				i = len(out.Towns)
				town[t.Name] = i
				out.Towns = append(out.Towns, jinqiu.Town{Name: t.Name})
			}
			out.Towns[i].Figures.Add(t.Figures)
			out.Towns[i].Branches = append(out.Towns[i].Branches, t.Branches...)
		}
		out.Top = append(out.Top, d.Top...)
	}
	slices.SortStableFunc(out.Top, func(a, b jinqiu.TopVolunteer) int { return cmp.Compare(b.Centihours, a.Centihours) })
	if len(out.Top) > 10 {
		out.Top = out.Top[:10]
	}
	return out
}

// ---- 概览 ------------------------------------------------------------------------

func (s *Server) overview(w http.ResponseWriter, r *http.Request, v viewer) {
	p := s.period(r)
	d, at, err := s.figures(r.Context(), v, p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	weeks, _, err := s.trend(r.Context(), v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	top := make([]jinqiu.TopVolunteer, len(d.Top))
	for i, t := range d.Top {
		t.Name = say.MaskName(t.Name) // the overview is the page put on a shared screen
		top[i] = t
	}
	s.render(w, r, http.StatusOK, "overview", map[string]any{
		"V": v, "Nav": "overview", "P": p, "D": d, "At": at.In(s.Loc), "Top": top, "Chart": chartOf(weeks),
	})
}

// trend is the viewer's last 12 weeks, this one last.
func (s *Server) trend(ctx context.Context, v viewer) ([]week, time.Time, error) {
	first := jinqiu.AddDays(jinqiu.WeekStart(s.now(), s.Loc), -7*(chartWeeks-1))
	key := "trend|" + v.scopeKey() + "|" + first.Format(time.DateOnly)
	return cached(ctx, s.memo, key, func(ctx context.Context) ([]week, error) {
		spans := make([]storage.Span, chartWeeks)
		weeks := make([]week, chartWeeks)
		for i := range spans {
			from := jinqiu.AddDays(first, 7*i)
			to := jinqiu.AddDays(from, 7)
			spans[i] = storage.Span{From: from, To: to, FromDay: from, ToDay: to}
			weeks[i].From = from
		}
		scopes := v.Branches
		if v.Bureau {
			scopes = []string{""}
		}
		for _, b := range scopes {
			fs, err := s.DB.Trend(ctx, b, spans)
			if err != nil {
				return nil, err
			}
			for i, f := range fs {
				weeks[i].Active += f.Active
				weeks[i].Centihours += f.Centihours
			}
		}
		return weeks, nil
	})
}

// ---- 支部 ------------------------------------------------------------------------

// branchRow is a branch in the list, with its ranks.
type branchRow struct {
	jinqiu.BranchFigures
	Pct                int // meetings held of those due, in percent (100 when none due)
	RankTown, RankLine int
	InTown, InLine     int
	Cells              []cell
}

// cell is a branch's standing with one kind; Due is false when it is not
// due that kind. Period and Deadline are written out once, for the page.
type cell struct {
	Due              bool
	Standing         jinqiu.Standing
	Period, Deadline string
}

// branchTable is the branch list of a scope and period, ranked: built once
// per computation of its figures, then only read (every request sorts its
// own copy of Rows).
type branchTable struct {
	Kinds []jinqiu.MeetingKind
	Rows  []*branchRow
	Towns []string
}

const pageSize = 100

// table is the viewer's ranked branch list for the period.
func (s *Server) table(ctx context.Context, v viewer, p period) (branchTable, time.Time, error) {
	key := "rows|" + v.scopeKey() + "|" + p.Name + "|" + p.From.Format(time.DateOnly)
	return cached(ctx, s.memo, key, func(ctx context.Context) (branchTable, error) {
		d, _, err := s.figures(ctx, v, p)
		if err != nil {
			return branchTable{}, err
		}
		return tableOf(d), nil
	})
}

func tableOf(d jinqiu.Digest) branchTable {
	t := branchTable{Kinds: dueKinds(d)}
	for _, town := range d.Towns {
		t.Towns = append(t.Towns, town.Name)
		for _, b := range town.Branches {
			row := &branchRow{BranchFigures: b, Pct: 100}
			if b.MeetingsDue > 0 {
				row.Pct = b.MeetingsDone * 100 / b.MeetingsDue
			}
			row.Cells = make([]cell, len(t.Kinds))
			for i, k := range t.Kinds {
				for _, st := range b.Status {
					if st.Kind == k {
						row.Cells[i] = cell{Due: true, Standing: st.Standing, Period: say.PeriodName(st.Period, st.From), Deadline: st.Deadline.Format(time.DateOnly)}
					}
				}
			}
			t.Rows = append(t.Rows, row)
		}
	}
	rank(t.Rows, func(r *branchRow) string { return r.Town }, func(r *branchRow, n, of int) { r.RankTown, r.InTown = n, of })
	rank(t.Rows, func(r *branchRow) string { return string(r.Kind) }, func(r *branchRow, n, of int) { r.RankLine, r.InLine = n, of })
	return t
}

func (s *Server) branches(w http.ResponseWriter, r *http.Request, v viewer) {
	p := s.period(r)
	t, at, err := s.table(r.Context(), v, p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	q := r.URL.Query()
	town := q.Get("town")
	rows := slices.Clone(t.Rows)
	if town != "" {
		rows = slices.DeleteFunc(rows, func(r *branchRow) bool { return r.Town != town })
	}
	sortBy, desc := q.Get("sort"), q.Get("desc") == "1"
	if _, ok := sorts[sortBy]; !ok {
		sortBy = "rank"
	}
	slices.SortStableFunc(rows, func(a, b *branchRow) int {
		c := sorts[sortBy](a, b)
		if desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	})
	page, _ := strconv.Atoi(q.Get("page"))
	pages := max(1, (len(rows)+pageSize-1)/pageSize)
	page = min(max(page, 1), pages)
	shown := rows[min((page-1)*pageSize, len(rows)):min(page*pageSize, len(rows))]
	link := func(set ...string) string {
		u := url.Values{}
		for k, vs := range q {
			u[k] = vs
		}
		for i := 0; i+1 < len(set); i += 2 {
			if set[i+1] == "" {
				u.Del(set[i])
			} else {
				u.Set(set[i], set[i+1])
			}
		}
		return "/console/branches?" + u.Encode()
	}
	s.render(w, r, http.StatusOK, "branches", map[string]any{
		"V": v, "Nav": "branches", "P": p, "At": at.In(s.Loc), "Kinds": t.Kinds, "Rows": shown, "Total": len(rows),
		"Towns": t.Towns, "Town": town, "Sort": sortBy, "Desc": desc, "Page": page, "Pages": pages,
		"SortLink": func(by string) string {
			flip := ""
			if by == sortBy && !desc {
				flip = "1"
			}
			return link("sort", by, "desc", flip, "page", "")
		},
		"PageLink": func(n int) string { return link("page", strconv.Itoa(n)) },
	})
}

// sorts are the branch list's orders, ascending (the rank: best first).
var sorts = map[string]func(a, b *branchRow) int{
	"rank": func(a, b *branchRow) int {
		return cmp.Or(cmp.Compare(a.Town, b.Town), cmp.Compare(a.RankTown, b.RankTown))
	},
	"line": func(a, b *branchRow) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.RankLine, b.RankLine))
	},
	"name":     func(a, b *branchRow) int { return cmp.Compare(a.Name, b.Name) },
	"town":     func(a, b *branchRow) int { return cmp.Compare(a.Town, b.Town) },
	"members":  func(a, b *branchRow) int { return cmp.Compare(b.Members, a.Members) },
	"active":   func(a, b *branchRow) int { return cmp.Compare(b.ActiveMembers, a.ActiveMembers) },
	"hours":    func(a, b *branchRow) int { return cmp.Compare(b.Centihours, a.Centihours) },
	"meetings": func(a, b *branchRow) int { return cmp.Compare(b.Pct, a.Pct) },
}

// better orders branches for their rank: meetings held of those due, then
// approved hours, then active members.
func better(a, b *branchRow) int {
	return cmp.Or(cmp.Compare(b.Pct, a.Pct), cmp.Compare(b.Centihours, a.Centihours), cmp.Compare(b.ActiveMembers, a.ActiveMembers))
}

// rank sets each row's rank within its group (1 the best; equal rows share
// a rank, and the next rank counts them: 1, 2, 2, 4).
func rank(rows []*branchRow, group func(*branchRow) string, set func(r *branchRow, n, of int)) {
	idx := map[string][]*branchRow{}
	for _, r := range rows {
		idx[group(r)] = append(idx[group(r)], r)
	}
	for _, rs := range idx {
		slices.SortStableFunc(rs, better)
		prev := 0
		for n, r := range rs {
			k := n + 1
			if n > 0 && better(rs[n-1], r) == 0 {
				k = prev
			}
			prev = k
			set(r, k, len(rs))
		}
	}
}

// dueKinds are the meeting kinds some branch of the digest is due.
func dueKinds(d jinqiu.Digest) []jinqiu.MeetingKind {
	seen := map[jinqiu.MeetingKind]bool{}
	for _, t := range d.Towns {
		for _, b := range t.Branches {
			for _, st := range b.Status {
				seen[st.Kind] = true
			}
		}
	}
	var out []jinqiu.MeetingKind
	for _, k := range jinqiu.MeetingKinds() {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// ---- 支部详情 --------------------------------------------------------------------

const ledgerLimit = 100

func (s *Server) branch(w http.ResponseWriter, r *http.Request, v viewer) {
	id := r.PathValue("id")
	if !v.sees(id) {
		// Another branch answers as one that does not exist.
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	ctx := r.Context()
	b, err := s.DB.Branch(ctx, id)
	if s.failed(w, r, err) {
		return
	}
	p := s.period(r)
	d, err := s.Reports.Digest(ctx, p.From, p.To, id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var bf jinqiu.BranchFigures
	for _, t := range d.Towns {
		for _, x := range t.Branches {
			bf = x
		}
	}
	members, err := s.DB.BranchMembers(ctx, id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	yearFrom := time.Date(s.now().Year(), 1, 1, 0, 0, 0, 0, s.Loc)
	hours, err := s.DB.MemberHours(ctx, id, yearFrom, jinqiu.AddDays(jinqiu.Midnight(s.now(), s.Loc), 1))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	acts, err := s.DB.RecentActivities(ctx, id, 20)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pending, decided, err := s.DB.Ledger(ctx, id, ledgerLimit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "branch", map[string]any{
		"V": v, "Nav": "branches", "P": p, "B": b, "F": bf, "D": d, "Members": members, "Hours": hours,
		"Activities": acts, "Pending": pending, "Decided": decided, "Now": s.now(),
		"OK": q.Get("ok"), "Err": q.Get("err"), "Report": q.Get("r"),
	})
}

// decide approves or rejects a pending report from the ledger, by the
// chat's rule (handlers.DecideHours), and goes back to the ledger.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, v viewer) {
	id := r.PathValue("id")
	if !v.sees(id) {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	rid, err := strconv.ParseInt(r.PathValue("report"), 10, 64)
	if err != nil || rid <= 0 {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	if !s.postedForm(w, r) {
		return
	}
	back := func(key, val string) {
		u := url.Values{key: {val}, "r": {strconv.FormatInt(rid, 10)}}
		http.Redirect(w, r, "/console/branches/"+url.PathEscape(id)+"?"+u.Encode()+"#hours", http.StatusSeeOther)
	}
	action, reason := r.PostForm.Get("action"), strings.TrimSpace(r.PostForm.Get("reason"))
	approve := action == "approve"
	switch {
	case action != "approve" && action != "reject":
		s.fail(w, r, http.StatusBadRequest, "bad_form")
		return
	case !approve && reason == "":
		back("err", "need_reason")
		return
	case !approve && utf8.RuneCountInString(reason) > jinqiu.MaxNoteRunes:
		back("err", "reason_long")
		return
	}
	a := jinqiu.Actor{Platform: v.Platform, UserID: v.UserID, MsgID: "console"}
	_, err = s.Handlers.DecideHours(r.Context(), a, v.DisplayName, id, rid, approve, reason)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		back("err", "report_not_found")
		return
	case errors.Is(err, storage.ErrDecided):
		back("err", "decided")
		return
	case errors.Is(err, storage.ErrOwnReport):
		back("err", "own")
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.memo.stale()
	if approve {
		back("ok", "approved")
	} else {
		back("ok", "rejected")
	}
}
