package console

import (
	"context"
	"errors"
	"jinqiu"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jinqiu/handlers"
	"jinqiu/handlers/say"
	"jinqiu/storage"
	"jinqiu/workbook"
)

// The bureau's desk: 导出 (the workbook of a period and scope, the one
// `jinqiu export` and the chat's 导出 write) and 公示 (publishing a
// period's approved hours, the objections to them, corrections of final
// entries), both through the chat's own rules in handlers.

// deskPeriod is the period a desk form names: a month or a year, this or
// the last, or the days from..to (both included) where a range is allowed.
type deskPeriod struct {
	Name     string    // month | last_month | year | last_year | range
	From, To time.Time // midnights in the zone, [From, To)
	Year     bool      // a calendar year
	Label    string    // for a file name: 2026-11, 2026, 2026-11-01至2026-11-15
}

// choice is a period offered on a desk page, with the days it covers.
type choice struct {
	Name, Words, Span string
}

// maxRangeDays bounds a range: a year is the longest period the workbook
// is planned for (jinqiu export --year).
const maxRangeDays = 366

// minDeskYear and maxDeskYear bound a range's dates, as the chat bounds a
// date's year (command/date.go): MySQL's DATE starts at 1000, and a year
// past 9999 is not even written as a date.
const minDeskYear, maxDeskYear = 1900, 2999

func (s *Server) named(name string) (deskPeriod, bool) {
	now := s.now()
	p := deskPeriod{Name: name}
	switch name {
	case "month", "last_month":
		off := 0
		if name == "last_month" {
			off = -1
		}
		p.From, p.To = jinqiu.Month(now, off)
		p.Label = p.From.Format("2006-01")
	case "year", "last_year":
		y := now.Year()
		if name == "last_year" {
			y--
		}
		p.From = time.Date(y, 1, 1, 0, 0, 0, 0, s.Loc)
		p.To, p.Year, p.Label = p.From.AddDate(1, 0, 0), true, strconv.Itoa(y)
	default:
		return p, false
	}
	return p, true
}

// choices are the named periods a page offers, with their spans.
func (s *Server) choices() []choice {
	words := map[string]string{"month": "本月", "last_month": "上月", "year": "今年", "last_year": "去年"}
	var out []choice
	for _, n := range []string{"month", "last_month", "year", "last_year"} {
		p, _ := s.named(n)
		out = append(out, choice{Name: n, Words: words[n], Span: say.PeriodWords(p.Year, p.From)})
	}
	return out
}

// deskPeriodOf reads the period of a posted form, or the error code of
// what is wrong with it.
func (s *Server) deskPeriodOf(f url.Values, ranges bool) (deskPeriod, string) {
	name := f.Get("period")
	if p, ok := s.named(name); ok {
		return p, ""
	}
	if name != "range" || !ranges {
		return deskPeriod{}, "bad_period"
	}
	from, err1 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get("from")), s.Loc)
	to, err2 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get("to")), s.Loc)
	switch {
	case err1 != nil || err2 != nil:
		return deskPeriod{}, "bad_date"
	case from.Year() < minDeskYear || to.Year() > maxDeskYear:
		return deskPeriod{}, "date_far"
	case to.Before(from):
		return deskPeriod{}, "date_order"
	case !jinqiu.AddDays(from, maxRangeDays).After(to):
		return deskPeriod{}, "range_long"
	}
	return deskPeriod{Name: name, From: from, To: jinqiu.AddDays(to, 1),
		Label: from.Format(time.DateOnly) + "至" + to.Format(time.DateOnly)}, ""
}

// branchChoice is a branch a desk form may name, by town.
type branchChoice struct {
	Town     string
	Branches []jinqiu.Branch
}

// scopeBranches are the branches the viewer may name, by town: a
// secretary's own, every branch for the bureau.
func (s *Server) scopeBranches(r *http.Request, v viewer) ([]branchChoice, error) {
	all, err := s.DB.Branches(r.Context())
	if err != nil {
		return nil, err
	}
	var out []branchChoice
	for _, b := range all {
		if !v.sees(b.ID) {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Town != b.Town {
			out = append(out, branchChoice{Town: b.Town})
		}
		out[len(out)-1].Branches = append(out[len(out)-1].Branches, b)
	}
	return out, nil
}

// postedForm reads a desk form (a small one), or answers it as bad.
func (s *Server) postedForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_form")
		return false
	}
	return true
}

func (v viewer) actor() jinqiu.Actor {
	return jinqiu.Actor{Platform: v.Platform, UserID: v.UserID, MsgID: "console"}
}

// ---- 导出 ------------------------------------------------------------------------

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request, v viewer) {
	s.renderExport(w, r, v, http.StatusOK, "", r.URL.Query())
}

func (s *Server) renderExport(w http.ResponseWriter, r *http.Request, v viewer, status int, errCode string, form url.Values) {
	bs, err := s.scopeBranches(r, v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	period := form.Get("period")
	if period == "" {
		period = "month"
	}
	today := jinqiu.Midnight(s.now(), s.Loc)
	from, to := form.Get("from"), form.Get("to")
	if from == "" {
		from = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, s.Loc).Format(time.DateOnly)
	}
	if to == "" {
		to = today.Format(time.DateOnly)
	}
	s.render(w, r, status, "export", map[string]any{
		"V": v, "Nav": "export", "Choices": s.choices(), "Period": period, "From": from, "To": to,
		"Branches": bs, "Branch": form.Get("branch"), "AllBranches": "全区（所有支部）", "Err": errCode, "MaxDays": maxRangeDays, "MinYear": minDeskYear, "MaxYear": maxDeskYear,
	})
}

// export sends the workbook of the posted period and scope: a
// secretary's branch (never another's: a branch they do not hold is
// refused as one that does not exist), or for the bureau the district or
// one branch. A POST, so that cross-origin protection covers the audited
// download.
func (s *Server) export(w http.ResponseWriter, r *http.Request, v viewer) {
	if !s.postedForm(w, r) {
		return
	}
	f := r.PostForm
	branch := f.Get("branch")
	if branch == "" && !v.Bureau {
		if len(v.Branches) != 1 {
			s.renderExport(w, r, v, http.StatusBadRequest, "need_branch", f)
			return
		}
		branch = v.Branches[0]
	}
	if branch != "" && !v.sees(branch) {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	p, bad := s.deskPeriodOf(f, true)
	if bad != "" {
		s.renderExport(w, r, v, http.StatusBadRequest, bad, f)
		return
	}
	scope := say.DistrictScope()
	if branch != "" {
		b, err := s.DB.Branch(r.Context(), branch)
		if s.failed(w, r, err) {
			return
		}
		scope = b.Name
	}
	err := s.Workbook.Serve(w, r, v.actor(), workbook.Request{From: p.From, To: p.To, BranchID: branch}, say.WorkbookFile(scope+"_"+p.Label))
	if s.failed(w, r, err) {
		return
	}
	s.Log.Info("console export", "platform", v.Platform, "user_id", v.UserID, "branch_id", branch, "from", p.From.Format(time.DateOnly))
}

// ---- 公示 ------------------------------------------------------------------------

const (
	publicityLimit = 100
	objectionLimit = 100
)

// publicityScope is the branches whose 公示 the page lists: the viewer's,
// or the one the bureau filters on (nil: every branch).
func (v viewer) publicityScope(filter string) []string {
	switch {
	case filter != "" && v.sees(filter):
		return []string{filter}
	case v.Bureau:
		return nil
	}
	return v.Branches
}

func (s *Server) publicityPage(w http.ResponseWriter, r *http.Request, v viewer) {
	ctx := r.Context()
	q := r.URL.Query()
	filter := q.Get("branch")
	scope := v.publicityScope(filter)
	ps, err := s.DB.Publicities(ctx, scope, publicityLimit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	os, err := s.DB.Objections(ctx, scope, 0, objectionLimit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	bs, err := s.scopeBranches(r, v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	// The period a refusal names is written here, not taken from the
	// address as written.
	span := ""
	if p, ok := s.named(q.Get("period")); ok {
		span = say.PeriodWords(p.Year, p.From)
	}
	s.render(w, r, http.StatusOK, "publicity", map[string]any{
		"V": v, "Nav": "publicity", "Publicities": ps, "Objections": os, "Branches": bs, "Filter": filter, "Branch": "",
		"Choices": s.choices(), "Period": "month", "Closes": s.Handlers.PublicityCloses(), "Now": s.now(),
		"OK": q.Get("ok"), "Err": q.Get("err"), "Span": span,
	})
}

// publish is 公示 from the page: the chat's rule and push
// (handlers.Publish), the 公示 and its outbox rows in one transaction.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, v viewer) {
	if !s.postedForm(w, r) {
		return
	}
	f := r.PostForm
	back := func(u url.Values) {
		http.Redirect(w, r, "/console/publicity?"+u.Encode(), http.StatusSeeOther)
	}
	branch := f.Get("branch")
	if branch == "" && len(v.Branches) == 1 {
		branch = v.Branches[0]
	}
	if branch == "" {
		back(url.Values{"err": {"need_branch"}})
		return
	}
	if !v.sees(branch) {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	p, bad := s.deskPeriodOf(f, false)
	if bad != "" {
		back(url.Values{"err": {bad}})
		return
	}
	var pub storage.Publicity
	var n int
	err := s.DB.Atomically(r.Context(), func(ctx context.Context) error {
		x, es, err := s.Handlers.Publish(ctx, v.actor(), v.DisplayName, branch, p.From, p.To, p.Year)
		pub, n = x, len(es)
		return err
	})
	if errors.Is(err, storage.ErrNothingToPublish) {
		back(url.Values{"err": {"nothing"}, "period": {p.Name}})
		return
	}
	if errors.Is(err, handlers.ErrNoGroup) {
		back(url.Values{"err": {"no_group"}})
		return
	}
	if s.failed(w, r, err) {
		return
	}
	s.Log.Info("console publicity", "platform", v.Platform, "user_id", v.UserID, "branch_id", branch, "publicity_id", pub.ID, "entries", n)
	http.Redirect(w, r, "/console/publicity/"+strconv.FormatInt(pub.ID, 10)+"?"+url.Values{"ok": {"published"}, "n": {strconv.Itoa(n)}}.Encode(), http.StatusSeeOther)
}

// publicityOf is the 公示 of the path, if the viewer sees its branch
// (another branch's answers as one that does not exist).
func (s *Server) publicityOf(w http.ResponseWriter, r *http.Request, v viewer) (storage.PublicityListing, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return storage.PublicityListing{}, false
	}
	p, err := s.DB.PublicityByID(r.Context(), id)
	if err == nil && !v.sees(p.BranchID) {
		err = storage.ErrNotFound
	}
	return p, !s.failed(w, r, err)
}

func (s *Server) publicityDetail(w http.ResponseWriter, r *http.Request, v viewer) {
	p, ok := s.publicityOf(w, r, v)
	if !ok {
		return
	}
	ctx := r.Context()
	es, err := s.DB.PublishedEntries(ctx, p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	cs, err := s.DB.PublicityCorrections(ctx, p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	os, err := s.DB.Objections(ctx, []string{p.BranchID}, p.ID, objectionLimit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	corrections := map[int64][]storage.CorrectionBy{}
	for _, c := range cs {
		corrections[c.HoursID] = append(corrections[c.HoursID], c)
	}
	total, published := 0, 0
	for _, e := range es {
		total += e.Centihours
		published += e.Published
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "publicity_detail", map[string]any{
		"V": v, "Nav": "publicity", "P": p, "Entries": es, "Corrections": corrections, "Objections": os,
		"Final": !s.now().Before(p.ClosesAt), "Total": total, "Published": published, "Now": s.now(),
		"OK": q.Get("ok"), "Err": q.Get("err"), "N": q.Get("n"), "Report": q.Get("r"), "MaxHours": jinqiu.MaxDayCentihours / 100,
	})
}

// correct is the correction of a final entry with a reason, by the rule
// of handlers.CorrectHours; bad input goes back to the page with its
// reason and changes nothing.
func (s *Server) correct(w http.ResponseWriter, r *http.Request, v viewer) {
	p, ok := s.publicityOf(w, r, v)
	if !ok {
		return
	}
	hid, err := strconv.ParseInt(r.PathValue("hours"), 10, 64)
	if err != nil || hid <= 0 {
		s.fail(w, r, http.StatusNotFound, "not_found")
		return
	}
	if !s.postedForm(w, r) {
		return
	}
	back := func(key, val string) {
		u := url.Values{key: {val}, "r": {strconv.FormatInt(hid, 10)}}
		http.Redirect(w, r, "/console/publicity/"+strconv.FormatInt(p.ID, 10)+"?"+u.Encode()+"#entries", http.StatusSeeOther)
	}
	centi, ok := centihoursOf(r.PostForm.Get("hours"))
	if !ok {
		back("err", "bad_hours")
		return
	}
	// The correction and the member's notice commit together.
	err = s.DB.Atomically(r.Context(), func(ctx context.Context) error {
		_, err := s.Handlers.CorrectHours(ctx, v.actor(), v.DisplayName, p.BranchID, hid, centi, r.PostForm.Get("reason"))
		return err
	})
	if code, ok := correctionRefusals[errorKey(err)]; ok {
		back("err", code)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.memo.stale()
	back("ok", "corrected")
}

// correctionRefusals are the refusals of handlers.CorrectHours, by the
// error code the page words.
var correctionRefusals = map[error]string{
	handlers.ErrBadHours:      "bad_hours",
	storage.ErrNoReason:       "need_reason",
	handlers.ErrReasonTooLong: "reason_long",
	storage.ErrNotFound:       "entry_not_found",
	storage.ErrNotPublished:   "entry_not_found",
	storage.ErrDecided:        "entry_not_found", // not approved: never in a 公示
	handlers.ErrNotFinal:      "not_final",
	handlers.ErrUnchanged:     "unchanged",
}

// errorKey is the refusal err is, if it is one.
func errorKey(err error) error {
	for k := range correctionRefusals {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

// centihoursOf reads hours as typed (1.5, 2小时, ２): a number with at
// most two decimals; the range is the rule's (handlers.CorrectHours).
func centihoursOf(s string) (int, bool) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０'
		}
		if r == '．' || r == '。' {
			return '.'
		}
		return r
	}, s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "小时"))
	if s == "" || strings.ContainsAny(s, "eExXpP_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
		return 0, false
	}
	c := math.Round(f * 100)
	if math.Abs(f*100-c) > 1e-6 {
		return 0, false
	}
	return int(c), true
}
