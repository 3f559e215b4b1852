// Package workbook writes the bureau's workbook (台账): the digest's figures
// of a period by district, line, town and branch, and the ledgers behind
// them (activities, approved hours with their 公示, meetings, 报到), as an
// XLSX file written with excelize's streaming writer, row by row from
// storage. Its totals are report's, the same as 周报/月报 for the period.
package workbook

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu/handlers/say"
	"jinqiu/report"
	"jinqiu/storage"
)

// Request is what to write: the days [From, To) (midnights in Loc) of the
// whole district (BranchID "") or one branch.
type Request struct {
	From, To time.Time
	BranchID string
}

// Totals are what a workbook holds, for the audit row and the tests.
type Totals struct {
	Digest        jinqiu.Digest
	LedgerRows    int
	LedgerHours   int // centihours of the ledger's rows
	FinalHours    int // of those, final after 公示
	Activities    int
	Meetings      int
	Registrations int
	// Programme is the registries' figures of 双融双助 (district
	// workbooks only).
	Programme jinqiu.Programme
}

// MemoryLimit is the Go heap's soft limit `jinqiu export` runs under
// (unless GOMEMLIMIT says otherwise): the garbage of two million rows is
// collected before it doubles the heap.
const MemoryLimit = 200 << 20

// Writer writes workbooks. Safe for concurrent use.
type Writer struct {
	DB      *storage.DB
	Reports *report.Reporter
	Loc     *time.Location
	// RowsPerSheet is where a sheet goes on in another (0: a sheet's
	// last row, 1,048,576).
	RowsPerSheet int
}

// Write writes the workbook of rq to w. ErrNotFound (storage's) when the
// branch does not exist.
func (x *Writer) Write(ctx context.Context, w io.Writer, rq Request) (Totals, error) {
	if rq.BranchID != "" {
		if _, err := x.DB.Branch(ctx, rq.BranchID); err != nil {
			return Totals{}, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The digest (the figures of 汇总 and 支部) is computed while the
	// ledgers are written: it waits on the database, they on excelize.
	type digested struct {
		d   jinqiu.Digest
		err error
	}
	digest := make(chan digested, 1)
	go func() {
		d, err := x.Reports.Digest(ctx, rq.From, rq.To, rq.BranchID)
		digest <- digested{d, err}
	}()
	// The digest's own span, as it computes it: up to now in a current
	// period. Whether an entry is final is as of now, also for a past one.
	now := x.Reports.Now()
	asOf := rq.To
	if now.Before(asOf) {
		asOf = now
	}
	if asOf.Before(rq.From) {
		asOf = rq.From
	}
	ref := jinqiu.Midnight(asOf.Add(-time.Nanosecond), x.Loc)
	if ref.Before(rq.From) {
		ref = rq.From
	}
	r := storage.ExportRange{FromDay: jinqiu.Day(rq.From), ToDay: jinqiu.Day(jinqiu.AddDays(ref, 1)), From: rq.From, To: asOf, BranchID: rq.BranchID, AsOf: now}

	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, loc: x.Loc, maxRows: x.RowsPerSheet}
	if b.maxRows <= 0 {
		b.maxRows = excelize.TotalRows
	}
	if err := b.styles(); err != nil {
		return Totals{}, err
	}
	names := []string{say.SheetSummary, say.SheetBranches, say.SheetActivities, say.SheetLedger, say.SheetMeetings, say.SheetRegistrations}
	if rq.BranchID == "" {
		// The programme's registries are counted for the district.
		names = append(names, say.SheetProgramme)
	}
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return Totals{}, err
	}
	for _, n := range names[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return Totals{}, err
		}
	}
	var t Totals
	per := map[string]*branchExtra{}
	extra := func(id string) *branchExtra {
		e := per[id]
		if e == nil {
			e = &branchExtra{held: map[heldKey]bool{}}
			per[id] = e
		}
		return e
	}

	// The ledgers first: the branch and summary sheets add up what they read.
	sw, err := b.sheet(say.SheetLedger, say.LedgerHeader(), []float64{10, 12, 14, 22, 24, 30, 12, 14, 12, 18, 10, 12, 30, 20, 28})
	if err != nil {
		return t, err
	}
	err = x.DB.EachLedgerEntry(ctx, r, func(e storage.LedgerEntry) error {
		t.LedgerRows++
		t.LedgerHours += e.Centihours
		if e.Final {
			t.FinalHours += e.Centihours
			extra(e.BranchID).final += e.Centihours
		}
		closes := any(nil)
		if e.ClosesOn.Valid {
			closes = b.date(e.ClosesOn.Time)
		}
		decided := any(nil)
		if e.DecidedAt.Valid {
			decided = b.instant(e.DecidedAt.Time)
		}
		return sw.row(b.id(e.ID), b.text(e.MemberName), b.text(e.BranchID), b.text(e.BranchName), b.text(e.ActivityTitle), b.text(e.Note),
			b.date(e.ServedOn), b.hours(e.Centihours), b.text(e.ApproverName), decided,
			b.text(say.PublicityState(e.PublicityID != 0, e.Final)), closes, e.Objections, e.Corrections, b.text(e.MsgID))
	})
	if err := sw.flush(err); err != nil {
		return t, err
	}

	sw, err = b.sheet(say.SheetMeetings, say.MeetingsHeader(), []float64{10, 14, 22, 14, 12, 36, 8, 8, 10, 10, 12, 18, 28})
	if err != nil {
		return t, err
	}
	err = x.DB.EachMeeting(ctx, r, func(m storage.MeetingEntry) error {
		t.Meetings++
		kind := jinqiu.MeetingKind(m.Kind)
		e := extra(m.BranchID)
		e.meetings++
		e.expected += m.Expected
		e.present += m.Present
		e.delivered += m.Delivered
		every := x.Reports.Schedule(m.BranchID).Period(kind)
		from, _ := jinqiu.PeriodOf(every, time.Date(m.HeldOn.Year(), m.HeldOn.Month(), m.HeldOn.Day(), 0, 0, 0, 0, x.Loc))
		e.held[heldKey{kind: kind, from: from.Format(time.DateOnly)}] = true
		thin := !(jinqiu.Meeting{Kind: kind, Expected: m.Expected, Present: m.Present}).Quorate()
		return sw.row(b.id(m.ID), b.text(m.BranchID), b.text(m.BranchName), b.text(say.Kind(kind)), b.date(m.HeldOn), b.text(m.Topic),
			m.Expected, m.Present, m.Delivered, b.text(say.YesNo(thin)), b.text(m.RecorderName), b.instant(m.CreatedAt), b.text(m.MsgID))
	})
	if err := sw.flush(err); err != nil {
		return t, err
	}

	sw, err = b.sheet(say.SheetRegistrations, say.RegistrationsHeader(), []float64{10, 12, 10, 14, 22, 22, 12, 18, 28})
	if err != nil {
		return t, err
	}
	err = x.DB.EachRegistration(ctx, r, func(g storage.RegistrationEntry) error {
		t.Registrations++
		return sw.row(b.id(g.ID), b.text(g.MemberName), b.text(g.Platform), b.text(g.BranchID), b.text(g.BranchName), b.text(g.FromBranchName.String),
			b.date(g.RegisteredOn), b.instant(g.CreatedAt), b.text(g.MsgID))
	})
	if err := sw.flush(err); err != nil {
		return t, err
	}

	sw, err = b.sheet(say.SheetActivities, say.ActivitiesHeader(), []float64{10, 14, 22, 30, 22, 18, 18, 8, 10, 10, 12, 16})
	if err != nil {
		return t, err
	}
	err = x.DB.EachActivity(ctx, r, func(a storage.ActivityEntry) error {
		t.Activities++
		return sw.row(b.id(a.ID), b.text(a.BranchID), b.text(a.BranchName), b.text(a.Title), b.text(a.Place), b.instant(a.StartsAt), b.instant(a.EndsAt),
			a.Capacity, b.text(say.ActivityState(a.State)), a.Signups, a.Attended, a.Checkins)
	})
	if err := sw.flush(err); err != nil {
		return t, err
	}

	got := <-digest
	if got.err != nil {
		return t, got.err
	}
	d := got.d
	t.Digest = d
	if err := x.branches(b, d, ref, per); err != nil {
		return t, err
	}
	if err := summary(b, d, per); err != nil {
		return t, err
	}
	if rq.BranchID == "" {
		p, err := x.Reports.Programme(ctx, rq.From, rq.To)
		if err != nil {
			return t, err
		}
		t.Programme = p
		if err := programme(b, p); err != nil {
			return t, err
		}
	}
	// excelize's WriteTo builds the whole file in a buffer (a province's
	// year is 124 MB); its zip writer is pointed at w instead, so that the
	// file streams out. No entry comes near zip64's 4 GB, the one case
	// where excelize patches the buffer afterwards.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if _, err := f.WriteTo(io.Discard); err != nil {
		return t, fmt.Errorf("workbook: %w", err)
	}
	return t, nil
}

// programme writes 双融双助: the registries' figures of the district, of
// each line, and the use of each 阵地.
func programme(b *book, p jinqiu.Programme) error {
	sw, err := b.sheet(say.SheetProgramme, say.ProgrammeHeader(), []float64{8, 22, 8, 9, 16, 10, 10, 10, 10, 10, 10, 10, 8, 10, 12, 26})
	if err != nil {
		return err
	}
	span := b.text(say.PeriodSpan(p.From, p.To))
	put := func(scope, name string, f jinqiu.ProgrammeFigures) error {
		posts, roles := 0, 0
		for _, pc := range f.Posts {
			if pc.Kind.Role() {
				roles += pc.N
			} else {
				posts += pc.N
			}
		}
		return sw.row(b.text(scope), b.text(name), f.Branches, f.Registered, f.Active, posts, roles,
			f.Councils, f.Decisions, f.Adopted, f.Nominated, f.Commended, f.Places, f.Activities, f.Attended, span)
	}
	err = put(say.ScopeDistrict, say.ScopeDistrict, p.Total)
	for _, l := range p.Lines {
		if err == nil {
			err = put(say.ScopeLine, say.WorkbookLine(l.Kind), l.ProgrammeFigures)
		}
	}
	for _, u := range p.Places {
		if err == nil {
			err = sw.row(b.text(say.ScopePlace), b.text(u.Name+"（"+say.PlaceKind(u.Kind)+"，"+u.Branch+"）"), nil, nil, nil, nil, nil,
				nil, nil, nil, nil, nil, 1, u.Activities, u.Attended, span)
		}
	}
	return sw.flush(err)
}

// heldKey is a meeting kind and the first day of one of its periods.
type heldKey struct {
	kind jinqiu.MeetingKind
	from string
}

// branchExtra is what the ledgers add to a branch's digest figures.
type branchExtra struct {
	final                        int
	meetings                     int
	expected, present, delivered int
	held                         map[heldKey]bool
}

// branches writes the 支部 sheet: each branch's digest figures and, per
// meeting kind, its periods up to ref, due and held.
func (x *Writer) branches(b *book, d jinqiu.Digest, ref time.Time, per map[string]*branchExtra) error {
	widths := []float64{14, 22, 14, 10, 8, 8, 8, 8, 8, 8, 9, 12, 14}
	for range jinqiu.MeetingKinds() {
		widths = append(widths, 10, 10, 30)
	}
	widths = append(widths, 8, 8, 8, 10)
	sw, err := b.sheet(say.SheetBranches, say.BranchesHeader(), widths)
	if err != nil {
		return err
	}
	for _, town := range d.Towns {
		for _, bf := range town.Branches {
			e := per[bf.ID]
			if e == nil {
				e = &branchExtra{held: map[heldKey]bool{}}
			}
			row := []any{b.text(bf.ID), b.text(bf.Name), b.text(bf.Town), b.text(say.WorkbookLine(bf.Kind))}
			row = append(row, figures(b, bf.Figures, e.final)...)
			sched := x.Reports.Schedule(bf.ID)
			for _, kind := range jinqiu.MeetingKinds() {
				every := sched.Period(kind)
				if every == jinqiu.Off {
					row = append(row, nil, nil, nil)
					continue
				}
				due, held := 0, 0
				var marks []string
				for from, _ := jinqiu.PeriodOf(every, d.From.In(b.loc)); !from.After(ref); from, _ = jinqiu.PeriodOf(every, next(every, from)) {
					ok := e.held[heldKey{kind: kind, from: from.Format(time.DateOnly)}]
					due++
					if ok {
						held++
					}
					marks = append(marks, say.MeetingPeriod(every, from, ok))
				}
				row = append(row, due, held, b.text(strings.Join(marks, " ")))
			}
			row = append(row, e.meetings, e.expected, e.present, e.delivered)
			if err := sw.row(row...); err != nil {
				return sw.flush(err)
			}
		}
	}
	return sw.flush(nil)
}

// next is the first day of the period after the one that starts on from.
func next(every jinqiu.Period, from time.Time) time.Time {
	_, to := jinqiu.PeriodOf(every, from)
	return to
}

// figures are the digest's columns of a branch, town, line or district.
func figures(b *book, f jinqiu.Figures, final int) []any {
	att := any(nil)
	if pct, ok := f.Attendance(); ok {
		att = pct
	}
	return []any{f.Members, f.NewMembers, f.ActiveMembers, f.Activities, f.Signups, f.Attended, att, b.hours(f.Centihours), b.hours(final)}
}

// summary writes 汇总: the district, its two lines, its towns.
func summary(b *book, d jinqiu.Digest, per map[string]*branchExtra) error {
	sw, err := b.sheet(say.SheetSummary, say.SummaryHeader(), []float64{12, 22, 8, 8, 8, 9, 9, 9, 9, 10, 14, 18, 9, 9, 26})
	if err != nil {
		return err
	}
	finalOf := map[string]int{}
	line := map[jinqiu.BranchKind]int{}
	total := 0
	for _, t := range d.Towns {
		for _, bf := range t.Branches {
			if e := per[bf.ID]; e != nil {
				finalOf[t.Name] += e.final
				line[bf.Kind] += e.final
				total += e.final
			}
		}
	}
	span := b.text(say.PeriodSpan(d.From, d.To))
	put := func(scope, name string, f jinqiu.Figures, final int) error {
		row := append([]any{b.text(scope), b.text(name), f.Branches}, figures(b, f, final)...)
		return sw.row(append(row, f.MeetingsDue, f.MeetingsDone, span)...)
	}
	name := d.BranchName
	if name == "" {
		name = say.ScopeDistrict
	}
	err = put(say.ScopeDistrict, name, d.Total, total)
	for _, l := range d.Lines {
		if err == nil {
			err = put(say.ScopeLine, say.WorkbookLine(l.Kind), l.Figures, line[l.Kind])
		}
	}
	for _, t := range d.Towns {
		if err == nil {
			err = put(say.ScopeTown, t.Name, t.Figures, finalOf[t.Name])
		}
	}
	return sw.flush(err)
}

// book is a workbook being written and its styles.
type book struct {
	f                                   *excelize.File
	loc                                 *time.Location
	header, textS, dateS, timeS, hoursS int
	maxRows                             int // rows a sheet takes, its header too
}

func (b *book) styles() error {
	var err error
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(s)
		return id
	}
	dateFmt, timeFmt, hoursFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0.00"
	b.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, NumFmt: 49})
	b.textS = mk(&excelize.Style{NumFmt: 49})
	b.dateS = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	b.timeS = mk(&excelize.Style{CustomNumFmt: &timeFmt})
	b.hoursS = mk(&excelize.Style{CustomNumFmt: &hoursFmt})
	return err
}

// text is a string cell, stored as text and neutralised against formula
// injection: a value that a spreadsheet (or a CSV made from the sheet)
// could read as a formula or a command gets a leading apostrophe (OWASP's
// list: = + - @ tab, carriage return).
func (b *book) text(s string) excelize.Cell {
	return excelize.Cell{StyleID: b.textS, Value: Safe(s)}
}

// Safe neutralises a leading formula character (OWASP CSV injection).
func Safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// id is a record's number as text: an id is not a quantity to add up.
func (b *book) id(n int64) excelize.Cell {
	return excelize.Cell{StyleID: b.textS, Value: fmt.Sprint(n)}
}

// date is a calendar day (a DATE column, UTC midnight) as a date cell.
func (b *book) date(t time.Time) excelize.Cell {
	return excelize.Cell{StyleID: b.dateS, Value: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// instant is a stored instant as a date-time cell in the configured zone
// (excelize writes a time's wall clock).
func (b *book) instant(t time.Time) excelize.Cell {
	return excelize.Cell{StyleID: b.timeS, Value: t.In(b.loc)}
}

// hours is centihours as a number of hours.
func (b *book) hours(ch int) excelize.Cell {
	return excelize.Cell{StyleID: b.hoursS, Value: float64(ch) / 100}
}

// stream is one sheet being written, row by row; past a sheet's last
// row (1,048,576) it goes on in a sheet of its own, 志愿服务台账(2), with
// the header again.
type stream struct {
	b      *book
	name   string
	header []string
	widths []float64
	part   int
	sw     *excelize.StreamWriter
	n      int // rows written in this part
}

// sheet starts a sheet: its column widths, a frozen header row and the
// header (excelize wants widths and panes before the first row).
func (b *book) sheet(name string, header []string, widths []float64) (*stream, error) {
	s := &stream{b: b, name: name, header: header, widths: widths, part: 1}
	return s, s.open(name)
}

func (s *stream) open(name string) error {
	sw, err := s.b.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("workbook %s: %w", name, err)
	}
	for i, w := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return fmt.Errorf("workbook %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("workbook %s: %w", name, err)
	}
	s.sw, s.n = sw, 0
	cells := make([]any, len(s.header))
	for i, h := range s.header {
		cells[i] = excelize.Cell{StyleID: s.b.header, Value: h}
	}
	return s.row(cells...)
}

func (s *stream) row(values ...any) error {
	if s.n == s.b.maxRows {
		if err := s.sw.Flush(); err != nil {
			return err
		}
		s.part++
		name := say.SheetPart(s.name, s.part)
		if _, err := s.b.f.NewSheet(name); err != nil {
			return fmt.Errorf("workbook %s: %w", name, err)
		}
		if err := s.open(name); err != nil {
			return err
		}
	}
	s.n++
	cell, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, values)
}

// flush ends the sheet; err is the reading's error, returned first.
func (s *stream) flush(err error) error {
	if ferr := s.sw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// Download serves the workbook a link grants, under GET
// handlers.DownloadPath + token: a token never given, forged or expired is
// 404 (the three look the same to whoever holds it); each download is
// audited. The link may be opened more than once until it expires, so
// that a chat client's link preview does not spend it.
func (x *Writer) Download(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		l, err := x.DB.UseDownloadLink(r.Context(), token)
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrLinkExpired) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			log.Error("download link", "error", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		from := time.Date(l.FromDay.Year(), l.FromDay.Month(), l.FromDay.Day(), 0, 0, 0, 0, x.Loc)
		to := time.Date(l.ToDay.Year(), l.ToDay.Month(), l.ToDay.Day(), 0, 0, 0, 0, x.Loc)
		a := jinqiu.Actor{Platform: "link", UserID: l.Actor}
		if err := x.Serve(w, r, a, Request{From: from, To: to, BranchID: l.BranchID}, say.WorkbookFile(from.Format("2006-01"))); err != nil {
			log.Error("download workbook", "error", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}
	})
}

// ServeDeadline is how long a download may take to write and send.
const ServeDeadline = 15 * time.Minute

// Serve sends the workbook of rq as a download named name (Disposition),
// audited as a's export. It is written to a temporary file first: a
// failure halfway must be an error status, not a truncated file, and a
// province's year does not fit in memory; the file is then streamed. An
// error (storage's ErrNotFound for a branch that does not exist) comes
// before anything is written to w, for the caller to answer.
func (x *Writer) Serve(w http.ResponseWriter, r *http.Request, a jinqiu.Actor, rq Request, name string) error {
	// A province's year takes a minute to write and more to send to a
	// phone: far past the server's WriteTimeout, which is for callbacks.
	// (A writer that cannot be given a deadline has none to lift.)
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(ServeDeadline))
	tmp, err := os.CreateTemp("", "jinqiu-workbook-*.xlsx")
	if err != nil {
		return fmt.Errorf("serve workbook: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	t, err := x.Write(r.Context(), tmp, rq)
	if err != nil {
		return fmt.Errorf("serve workbook: %w", err)
	}
	if err := x.DB.RecordExport(r.Context(), a, rq.From.Format(time.DateOnly)+".."+rq.BranchID, t.LedgerRows); err != nil {
		return fmt.Errorf("serve workbook: %w", err)
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("serve workbook: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", Disposition(name))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	io.Copy(w, tmp) // an error here is the client gone: nothing to tell it
	return nil
}

// Disposition is the Content-Disposition of a download named name: the
// name in UTF-8 as RFC 6266 and RFC 5987 write it (filename*), after an
// ASCII-only filename for the clients that read no other. The name holds a
// branch's, which is configured text: the fallback keeps no path
// separator, drive or character that file systems refuse, since the
// clients that read only filename are the ones least likely to clean it.
func Disposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r > ' ' && r < 0x7f && !strings.ContainsRune(`"\%/:*?<>|`, r) {
			ascii.WriteRune(r)
		}
	}
	for _, c := range []byte(name) {
		if attrChar(c) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	fallback := strings.TrimLeft(ascii.String(), "_-.")
	if fallback == "" || strings.HasPrefix(fallback, "xlsx") {
		fallback = "jinqiu.xlsx"
	} else if fallback != name {
		fallback = "jinqiu_" + fallback
	}
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + enc.String()
}

// attrChar is RFC 5987's attr-char: what a filename* value keeps as is.
func attrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
