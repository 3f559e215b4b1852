package workbook_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu"
	"jinqiu/handlers/say"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
	"jinqiu/workbook"
)

var sh = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// hostile are names and notes a spreadsheet could read as formulas.
var hostile = []string{"=HYPERLINK(\"http://x\",\"a\")", "+1+2", "-3", "@SUM(A1)", "\tTab", "\rCR"}

// world fills a district of November 2026: two branches, members (some
// named like formulas), approved, pending and rejected hours, a 公示 that
// closed and one that is open, meetings with attendance, an activity with
// sign-ups and check-ins.
func world(t *testing.T, db *storage.DB) (*workbook.Writer, time.Time, time.Time) {
	ctx := context.Background()
	now := time.Date(2026, 11, 10, 10, 0, 0, 0, sh)
	db.Now = func() time.Time { return now }
	if err := db.SyncConfig(ctx, []storage.BranchSpec{
		{Branch: jinqiu.Branch{ID: "a", Name: "枣行社区", Town: "城关街道", Kind: jinqiu.Community}},
		{Branch: jinqiu.Branch{ID: "0012", Name: "史家庄村", Town: "王庄镇", Kind: jinqiu.Rural}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	sec := jinqiu.Actor{Platform: "wecom", UserID: "sec", MsgID: "s1"}
	var ids []int64
	for i, name := range append([]string{"张大明", "李四"}, hostile...) {
		branch := []string{"a", "0012"}[i%2]
		who := jinqiu.Actor{Platform: "wecom", UserID: "u" + strconv.Itoa(i), MsgID: "reg" + strconv.Itoa(i)}
		reg, err := db.Register(ctx, who, name, branch, day(2026, 11, 2))
		if err != nil {
			t.Fatal(err)
		}
		for j, ch := range []int{250, 100, 75} {
			who.MsgID = "h" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			r, err := db.ReportHours(ctx, who, storage.NewReport{MemberID: reg.Member.ID, BranchID: branch, ServedOn: day(2026, 11, 3+j),
				Centihours: ch, Note: hostile[(i+j)%len(hostile)]}, 1200)
			if err != nil {
				t.Fatal(err)
			}
			if j < 2 { // the third stays pending
				if _, _, err := db.DecideHours(ctx, sec, "书记", branch, r.ID, j == 0 || i%3 != 0, ""); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, r.ID)
		}
		if i < 2 { // the programme's registries: a post each, a decision in 史家庄村
			if _, _, err := db.Appoint(ctx, sec, "书记", storage.NewPost{MemberID: reg.Member.ID, BranchID: branch,
				Position: []string{"3号楼楼栋长", "导航员"}[i], Kind: []jinqiu.PostKind{jinqiu.BuildingHead, jinqiu.Navigator}[i], StartedOn: day(2026, 11, 2)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	adopted := true
	if _, _, err := db.RecordDecision(ctx, sec, "书记", storage.NewDecision{BranchID: "0012", Topic: "村道路灯", DecidedOn: day(2026, 11, 4), Present: 5, Adopted: &adopted}); err != nil {
		t.Fatal(err)
	}
	// Branch a's 公示 closed on 11-06; branch 0012's is open until 11-12.
	show := func(e storage.PublicEntry) string { return say.MaskName(e.MemberName) }
	db.Now = func() time.Time { return time.Date(2026, 11, 3, 12, 0, 0, 0, sh) }
	if _, _, err := db.Publish(ctx, sec, "书记", storage.NewPublicity{BranchID: "a", FromDay: day(2026, 11, 1), ToDay: day(2026, 11, 4),
		ClosesOn: day(2026, 11, 6), ClosesAt: time.Date(2026, 11, 7, 0, 0, 0, 0, sh), Show: show}); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	if _, _, err := db.Publish(ctx, sec, "书记", storage.NewPublicity{BranchID: "0012", FromDay: day(2026, 11, 1), ToDay: day(2026, 12, 1),
		ClosesOn: day(2026, 11, 12), ClosesAt: time.Date(2026, 11, 13, 0, 0, 0, 0, sh), Show: show}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []storage.NewMeeting{
		{BranchID: "a", Kind: jinqiu.BranchAssembly, HeldOn: day(2026, 11, 5), Topic: "=学习", Expected: 10, Present: 4, Delivered: 2},
		{BranchID: "0012", Kind: jinqiu.Committee, HeldOn: day(2026, 11, 6), Expected: 5, Present: 5},
	} {
		if _, _, err := db.RecordMeeting(ctx, sec, "书记", m); err != nil {
			t.Fatal(err)
		}
	}
	act, err := db.PublishActivity(ctx, sec, "书记", storage.NewActivity{BranchID: "a", Title: "+清理楼道", Place: "南门",
		StartsAt: time.Date(2026, 11, 9, 9, 0, 0, 0, sh), EndsAt: time.Date(2026, 11, 9, 11, 0, 0, 0, sh), Deadline: time.Date(2026, 11, 9, 9, 0, 0, 0, sh), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2026, 11, 8, 9, 0, 0, 0, sh) }
	for i := 0; i < 4; i += 2 { // members 0 and 2 are in branch a
		m, err := db.Member(ctx, "wecom", "u"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignUp(ctx, jinqiu.Actor{Platform: "wecom", UserID: m.UserID, MsgID: "su" + m.UserID}, "a", act.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			db.Now = func() time.Time { return time.Date(2026, 11, 9, 9, 10, 0, 0, sh) }
			if _, err := db.CheckIn(ctx, jinqiu.Actor{Platform: "wecom", UserID: m.UserID, MsgID: "ci"}, "a", act.ID, m.ID, day(2026, 11, 9)); err != nil {
				t.Fatal(err)
			}
			db.Now = func() time.Time { return time.Date(2026, 11, 8, 9, 0, 0, 0, sh) }
		}
	}
	db.Now = func() time.Time { return now }
	x := &report.Reporter{DB: db, Loc: sh, Default: jinqiu.DefaultSchedule(), Now: db.Now, Since: time.Date(2026, 1, 1, 0, 0, 0, 0, sh)}
	from, to := jinqiu.Month(now, 0)
	return &workbook.Writer{DB: db, Reports: x, Loc: sh}, from, to
}

// TestWorkbook: the workbook of a month, read back with excelize (sheets,
// frozen header, dates as dates, ids as text, no formula anywhere, every
// formula-like text neutralised) and opened by LibreOffice, whose CSV
// totals equal the digest's of the same period, on SQLite and MariaDB.
func TestWorkbook(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		w, from, to := world(t, db)
		var buf bytes.Buffer
		tot, err := w.Write(ctx, &buf, workbook.Request{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		d, err := w.Reports.Digest(ctx, from, to, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Total.Centihours == 0 || tot.LedgerHours != d.Total.Centihours || tot.Registrations != d.Total.NewMembers {
			t.Errorf("ledger %d centihours, %d registrations; digest %d, %d", tot.LedgerHours, tot.Registrations, d.Total.Centihours, d.Total.NewMembers)
		}
		if tot.FinalHours == 0 || tot.FinalHours >= tot.LedgerHours {
			t.Errorf("final %d of %d centihours: want some, not all (one 公示 closed, one open)", tot.FinalHours, tot.LedgerHours)
		}

		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		want := []string{say.SheetSummary, say.SheetBranches, say.SheetActivities, say.SheetLedger, say.SheetMeetings, say.SheetRegistrations, say.SheetProgramme}
		if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("sheets %v, want %v", got, want)
		}
		// 双融双助's district row is the programme's figures of the period.
		p := tot.Programme
		rows, err := f.GetRows(say.SheetProgramme)
		if err != nil || len(rows) < 2 {
			t.Fatalf("双融双助 rows %v, %v", rows, err)
		}
		wantRow := []string{say.ScopeDistrict, say.ScopeDistrict, strconv.Itoa(p.Total.Branches), strconv.Itoa(p.Total.Registered), strconv.Itoa(p.Total.Active),
			"1", "1", "1", "1", "1"}
		if got := rows[1][:len(wantRow)]; strings.Join(got, ",") != strings.Join(wantRow, ",") || p.Total.Registered == 0 || p.Total.Active == 0 {
			t.Errorf("双融双助 district row %v, want %v (programme %+v)", got, wantRow, p.Total)
		}
		for _, s := range want {
			p, err := f.GetPanes(s)
			if err != nil || !p.Freeze || p.YSplit != 1 {
				t.Errorf("%s: panes %+v %v, want the header row frozen", s, p, err)
			}
			if wd, err := f.GetColWidth(s, "B"); err != nil || wd <= 9 {
				t.Errorf("%s: column B width %v %v, want set", s, wd, err)
			}
			rows, err := f.GetRows(s)
			if err != nil {
				t.Fatal(err)
			}
			for r, row := range rows {
				for c, v := range row {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if fm, _ := f.GetCellFormula(s, cell); fm != "" {
						t.Errorf("%s!%s has a formula %q", s, cell, fm)
					}
					if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
						t.Errorf("%s!%s = %q starts like a formula", s, cell, v)
					}
				}
			}
		}
		ledger, _ := f.GetRows(say.SheetLedger)
		col := func(header []string, name string) int {
			for i, h := range header {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s in %v", name, header)
			return -1
		}
		h := ledger[0]
		served, idc, names := col(h, "服务日期"), col(h, "编号"), col(h, "姓名")
		dateCell, _ := excelize.CoordinatesToCellName(served+1, 2)
		if v, _ := f.GetCellValue(say.SheetLedger, dateCell); !strings.HasPrefix(v, "2026-11-0") {
			t.Errorf("served on reads %q, want a date", v)
		}
		if raw, _ := f.GetCellValue(say.SheetLedger, dateCell, excelize.Options{RawCellValue: true}); raw == "" || strings.Contains(raw, "-") {
			t.Errorf("served on is stored as %q, want a date serial", raw)
		}
		if typ, _ := f.GetCellType(say.SheetLedger, dateCell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("served on type %v, want a number", typ)
		}
		idCell, _ := excelize.CoordinatesToCellName(idc+1, 2)
		if typ, _ := f.GetCellType(say.SheetLedger, idCell); typ != excelize.CellTypeInlineString {
			t.Errorf("id cell type %v, want text", typ)
		}
		branches, _ := f.GetRows(say.SheetBranches)
		if branches[1][0] != "a" && branches[2][0] != "0012" && branches[1][0] != "0012" {
			t.Errorf("branch ids %q %q", branches[1][0], branches[2][0])
		}
		neutral := 0
		for _, row := range ledger[1:] {
			if strings.HasPrefix(row[names], "'") {
				neutral++
			}
		}
		if neutral == 0 {
			t.Error("no neutralised name in the ledger")
		}

		csvs := libreOffice(t, buf.Bytes())
		sum := csvs[say.SheetSummary]
		if len(sum) < 2 {
			t.Fatalf("汇总 as CSV: %v", sum)
		}
		hc := col(sum[0], "志愿时长(小时)")
		fc := col(sum[0], "其中公示确认(小时)")
		if got := centi(t, sum[1][hc]); got != d.Total.Centihours {
			t.Errorf("汇总 district hours %d, digest %d", got, d.Total.Centihours)
		}
		if got := centi(t, sum[1][fc]); got != tot.FinalHours {
			t.Errorf("汇总 final hours %d, ledger %d", got, tot.FinalHours)
		}
		for _, l := range d.Lines {
			found := false
			for _, row := range sum[1:] {
				if row[1] == say.WorkbookLine(l.Kind) {
					found = true
					if got := centi(t, row[hc]); got != l.Centihours {
						t.Errorf("%s hours %d, digest %d", row[1], got, l.Centihours)
					}
				}
			}
			if !found {
				t.Errorf("no line %s in 汇总", say.WorkbookLine(l.Kind))
			}
		}
		lc := csvs[say.SheetLedger]
		hcol, scol := col(lc[0], "服务时长(小时)"), col(lc[0], "公示状态")
		total, final := 0, 0
		for _, row := range lc[1:] {
			total += centi(t, row[hcol])
			if row[scol] == say.PublicityState(true, true) {
				final += centi(t, row[hcol])
			}
		}
		if total != d.Total.Centihours || final != tot.FinalHours {
			t.Errorf("ledger CSV: %d centihours (%d final), digest %d (%d final)", total, final, d.Total.Centihours, tot.FinalHours)
		}
		ac := csvs[say.SheetActivities]
		sc, atc := col(ac[0], "报名人数"), col(ac[0], "报名且签到")
		signups, attended := 0, 0
		for _, row := range ac[1:] {
			s, _ := strconv.Atoi(row[sc])
			a, _ := strconv.Atoi(row[atc])
			signups += s
			attended += a
		}
		if signups != d.Total.Signups || attended != d.Total.Attended || len(ac)-1 != d.Total.Activities || d.Total.Signups == 0 {
			t.Errorf("活动 CSV: %d activities, %d places, %d attended; digest %d, %d, %d", len(ac)-1, signups, attended, d.Total.Activities, d.Total.Signups, d.Total.Attended)
		}
		if got := len(csvs[say.SheetRegistrations]) - 1; got != d.Total.NewMembers {
			t.Errorf("报到 CSV rows %d, digest %d", got, d.Total.NewMembers)
		}
		if got := len(csvs[say.SheetMeetings]) - 1; got != 2 {
			t.Errorf("三会一课 CSV rows %d, want 2", got)
		}
	})
}

// TestWorkbookSheetParts: a ledger longer than a sheet goes on in
// 志愿服务台账(2), (3)…, each with its header, and no row is lost.
func TestWorkbookSheetParts(t *testing.T) {
	db := storagetest.Open(t, "sqlite")
	w, from, to := world(t, db)
	w.RowsPerSheet = 4 // the header and 3 rows a sheet
	var buf bytes.Buffer
	tot, err := w.Write(context.Background(), &buf, workbook.Request{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := 0
	for part := 1; ; part++ {
		name := say.SheetLedger
		if part > 1 {
			name = say.SheetPart(say.SheetLedger, part)
		}
		rs, err := f.GetRows(name)
		if err != nil {
			break
		}
		if len(rs) > 4 || rs[0][0] != say.LedgerHeader()[0] {
			t.Errorf("%s: %d rows, header %q", name, len(rs), rs[0])
		}
		if p, _ := f.GetPanes(name); !p.Freeze {
			t.Errorf("%s: header not frozen", name)
		}
		rows += len(rs) - 1
	}
	if rows != tot.LedgerRows || rows <= 3 {
		t.Errorf("%d ledger rows over the parts, %d written", rows, tot.LedgerRows)
	}
}

// centi reads an hours cell (2.5) as centihours.
func centi(t *testing.T, s string) int {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("hours %q: %v", s, err)
	}
	return int(f*100 + 0.5)
}

// libreOffice converts the workbook to one CSV per sheet with soffice
// headless and reads them back by sheet name.
func libreOffice(t *testing.T, xlsx []byte) map[string][][]string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		storagetest.Skip(t, "soffice (LibreOffice) is not installed: apt-get install -y libreoffice-calc")
		return nil
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, xlsx, 0o644); err != nil {
		t.Fatal(err)
	}
	// UTF-8 (76), every sheet to its own file (the last field, -1); a
	// profile of its own so that parallel runs do not share one.
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	out := map[string][][]string{}
	for _, s := range []string{say.SheetSummary, say.SheetBranches, say.SheetActivities, say.SheetLedger, say.SheetMeetings, say.SheetRegistrations} {
		b, err := os.ReadFile(filepath.Join(dir, "book-"+s+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice wrote no CSV of %s: %v", s, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s CSV: %v", s, err)
		}
		out[s] = rows
	}
	return out
}
