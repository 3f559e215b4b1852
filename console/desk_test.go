package console_test

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu"
	"jinqiu/handlers/say"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// approvedEntry has user report hours in the branch of chat through the
// chat and its secretary approve them there.
func (w *world) approvedEntry(chat, user, sec, hours string) jinqiu.HoursReport {
	w.tb.Helper()
	r := w.member(chat, user, hours)
	if reply := w.say(chat, sec, "通过 "+strconv.FormatInt(r.ID, 10)); !strings.Contains(reply, "通过") {
		w.tb.Fatalf("approve %d: %q", r.ID, reply)
	}
	r, err := w.db.HoursReport(bg, r.BranchID, r.ID)
	if err != nil {
		w.tb.Fatal(err)
	}
	return r
}

// workbookOf opens a downloaded workbook and returns the branch ids of
// its 支部 sheet and the hours of its 志愿服务台账, in centihours.
func workbookOf(tb testing.TB, body []byte) (branches []string, centihours int) {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(say.SheetBranches)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range rows[1:] {
		branches = append(branches, r[0])
	}
	ledger, err := f.GetRows(say.SheetLedger)
	if err != nil {
		tb.Fatal(err)
	}
	col := -1
	for i, h := range ledger[0] {
		if h == "服务时长(小时)" {
			col = i
		}
	}
	if col < 0 {
		tb.Fatalf("no hours column in %v", ledger[0])
	}
	for _, r := range ledger[1:] {
		v, err := strconv.ParseFloat(r[col], 64)
		if err != nil {
			tb.Fatalf("ledger hours %q: %v", r[col], err)
		}
		centihours += int(v*100 + 0.5)
	}
	return branches, centihours
}

// TestExportFromTheConsole: the 导出 form downloads the workbook of the
// period with a Chinese file name; a secretary gets their branch's and
// never another's (a forged branch is refused and nothing is audited),
// the bureau the district's or one branch's; bad periods are refused
// with their reason; a cross-origin post gets nothing.
func TestExportFromTheConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		a1 := w.approvedEntry(chatA, "ma", secA, "2 打扫楼道")
		a2 := w.approvedEntry(chatA, "mc", secA, "1.5 11月20日 慰问")
		w.member(chatA, "md", "3 巡逻") // pending: not in the ledger
		b1 := w.approvedEntry(chatB, "mb", secB, "4 村史馆讲解")

		sec := w.client()
		sec.login(secA)
		if resp, body := sec.get("/console/export"); resp.StatusCode != 200 || !strings.Contains(body, nameA) || strings.Contains(body, nameB) ||
			!strings.Contains(body, `action="/console/export"`) {
			t.Fatalf("the export page: %d %s", resp.StatusCode, body)
		}
		resp, body := sec.post("/console/export", url.Values{"period": {"month"}})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("download: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if want := say.WorkbookFile(nameA + "_2026-11"); err != nil || params["filename"] != want ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Errorf("Content-Disposition %q: %v, want the name %q", resp.Header.Get("Content-Disposition"), err, want)
		}
		ids, ch := workbookOf(t, []byte(body))
		if len(ids) != 1 || ids[0] != branchA || ch != a1.Centihours+a2.Centihours {
			t.Errorf("the secretary's workbook: branches %v, ledger %d centihours; want [%s], %d", ids, ch, branchA, a1.Centihours+a2.Centihours)
		}
		if au, _ := db.Audit(bg, "export:2026-11-01.."+branchA); len(au) != 1 || au[0].Actor != "wecom:"+secA {
			t.Errorf("the download's audit: %+v", au)
		}

		// Another branch's workbook, asked for by name: refused as one that
		// does not exist, and nothing is written or audited.
		resp, body = sec.post("/console/export", url.Values{"period": {"month"}, "branch": {branchB}})
		if resp.StatusCode != http.StatusNotFound || strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") || strings.Contains(body, nameB) {
			t.Errorf("a forged branch: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if au, _ := db.Audit(bg, "export:2026-11-01.."+branchB); len(au) != 0 {
			t.Errorf("a refused download is audited: %+v", au)
		}

		for _, tc := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"period": {"range"}, "from": {"2026-11-20"}, "to": {"2026-11-01"}}, "开始日期不能晚于结束日期"},
			{url.Values{"period": {"range"}, "from": {"2025-01-01"}, "to": {"2026-11-01"}}, "最长 366 天"},
			{url.Values{"period": {"range"}, "from": {"11月1日"}, "to": {"2026-11-01"}}, "请填写开始和结束日期"},
			{url.Values{"period": {"decade"}}, "请选择时间"},
			// Dates a calendar holds but the database's DATE does not (MySQL
			// from 1000) or the product never saw: refused, not a failure.
			{url.Values{"period": {"range"}, "from": {"0001-01-01"}, "to": {"0001-01-05"}}, "1900 年至 2999 年"},
			{url.Values{"period": {"range"}, "from": {"0000-01-01"}, "to": {"0000-01-01"}}, "1900 年至 2999 年"},
			{url.Values{"period": {"range"}, "from": {"9999-12-30"}, "to": {"9999-12-31"}}, "1900 年至 2999 年"},
		} {
			resp, body := sec.post("/console/export", tc.form)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Errorf("%v: %d, want 400 saying %q", tc.form, resp.StatusCode, tc.want)
			}
		}
		// A range of days, both included: 20 November holds a2 alone.
		resp, body = sec.post("/console/export", url.Values{"period": {"range"}, "from": {"2026-11-20"}, "to": {"2026-11-20"}})
		if _, ch := workbookOf(t, []byte(body)); resp.StatusCode != 200 || ch != a2.Centihours {
			t.Errorf("the range of 20 November: %d, %d centihours, want %d", resp.StatusCode, ch, a2.Centihours)
		}

		cross, _ := sec.do(http.MethodPost, w.srv.URL+"/console/export", "cross-site", url.Values{"period": {"month"}})
		if cross.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-origin export: %d", cross.StatusCode)
		}

		bur := w.client()
		bur.login(admin)
		resp, body = bur.post("/console/export", url.Values{"period": {"month"}})
		if ids, ch := workbookOf(t, []byte(body)); resp.StatusCode != 200 || len(ids) != 2 || ch != a1.Centihours+a2.Centihours+b1.Centihours {
			t.Errorf("the bureau's workbook: %d, branches %v, %d centihours", resp.StatusCode, ids, ch)
		}
		resp, body = bur.post("/console/export", url.Values{"period": {"month"}, "branch": {branchB}})
		if ids, ch := workbookOf(t, []byte(body)); resp.StatusCode != 200 || len(ids) != 1 || ids[0] != branchB || ch != b1.Centihours {
			t.Errorf("the bureau's workbook of %s: %d, branches %v, %d centihours", branchB, resp.StatusCode, ids, ch)
		}
		if resp, _ := bur.post("/console/export", url.Values{"period": {"month"}, "branch": {"nowhere"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a branch that does not exist: %d", resp.StatusCode)
		}
	})
}

// TestPublicityFromTheConsole: a secretary publishes a month's approved
// hours from the page, by the chat's rule and push (the list in the branch
// group, names masked without consent); the page lists the 公示 and the
// objections with the member, entry and reason, to the branch's secretary
// only; once final an entry is corrected with a reason, and every bad
// correction is refused with its reason and changes nothing.
func TestPublicityFromTheConsole(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		a1 := w.approvedEntry(chatA, "ma", secA, "2 打扫楼道")
		a2 := w.approvedEntry(chatA, "mc", secA, "1 慰问")
		w.say(chatA, "mc", "同意公示")
		b1 := w.approvedEntry(chatB, "mb", secB, "4 村史馆讲解")

		sec := w.client()
		sec.login(secA)
		if resp, body := sec.get("/console/publicity"); resp.StatusCode != 200 || !strings.Contains(body, "还没有公示") || !strings.Contains(body, nameA) {
			t.Fatalf("the empty page: %d %s", resp.StatusCode, body)
		}
		// Another branch's, asked for by name: nothing is published.
		if resp, _ := sec.post("/console/publicity", url.Values{"branch": {branchB}, "period": {"month"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("publishing another branch's: %d", resp.StatusCode)
		}
		if resp, _ := sec.do(http.MethodPost, w.srv.URL+"/console/publicity", "cross-site", url.Values{"period": {"month"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-origin 公示: %d", resp.StatusCode)
		}
		if n := w.count("SELECT COUNT(*) FROM publicities"); n != 0 {
			t.Fatalf("%d 公示 after the refusals", n)
		}

		resp, _ := sec.post("/console/publicity", url.Values{"period": {"month"}})
		loc := resp.Header.Get("Location")
		m := regexp.MustCompile(`^/console/publicity/(\d+)\?n=2&ok=published$`).FindStringSubmatch(loc)
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("publish: %d to %q", resp.StatusCode, loc)
		}
		pid := m[1]
		// The chat's push: one list in the branch group, ma masked, mc
		// (who consented) in full.
		var pushed []struct {
			Target string `db:"target"`
			Body   string `db:"body"`
		}
		if err := db.X().Select(&pushed, "SELECT target, body FROM outbox WHERE dedup_key LIKE ?", "publicity|"+pid+"|%"); err != nil {
			t.Fatal(err)
		}
		if len(pushed) != 1 || !strings.Contains(pushed[0].Target, `"chat_id":"`+chatA+`"`) || !strings.Contains(pushed[0].Body, "志愿服务时长公示") ||
			strings.Contains(pushed[0].Body, "名ma") || !strings.Contains(pushed[0].Body, "名mc") {
			t.Errorf("the pushed list: %+v", pushed)
		}
		if au, _ := db.Audit(bg, "publicity:"+pid); len(au) != 1 || au[0].Actor != "wecom:"+secA {
			t.Errorf("the 公示's audit: %+v", au)
		}
		if resp, _ := sec.post("/console/publicity", url.Values{"period": {"month"}}); resp.Header.Get("Location") != "/console/publicity?err=nothing&period=month" {
			t.Errorf("publishing again: %q", resp.Header.Get("Location"))
		} else if _, body := sec.get(resp.Header.Get("Location")); !strings.Contains(body, "2026年11月没有待公示的已通过时长") {
			t.Error("the page does not say that the month has nothing more to publish")
		}

		w.say(chatA, "ma", "有异议 "+strconv.FormatInt(a1.ID, 10)+" 我那天只干了1小时")
		_, list := sec.get("/console/publicity")
		for _, want := range []string{nameA, "2026-11-01 至 2026-11-30", "公示中", "/console/publicity/" + pid, "名ma", "我那天只干了1小时"} {
			if !strings.Contains(list, want) {
				t.Errorf("the list has no %q", want)
			}
		}
		_, detail := sec.get(loc)
		for _, want := range []string{"已发布公示 2 条", "名ma", "群内显示 " + say.MaskName("名ma"), "名mc", "我那天只干了1小时", "期满确定后"} {
			if !strings.Contains(detail, want) {
				t.Errorf("the 公示's page has no %q", want)
			}
		}
		if strings.Contains(detail, "/entries/") {
			t.Error("an open 公示 offers corrections")
		}

		other := w.client()
		other.login(secB)
		if resp, body := other.get("/console/publicity/" + pid); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "名ma") {
			t.Errorf("another branch's 公示: %d", resp.StatusCode)
		}
		if _, body := other.get("/console/publicity"); strings.Contains(body, nameA) && strings.Contains(body, "/console/publicity/"+pid) || strings.Contains(body, "我那天只干了1小时") {
			t.Error("the other secretary's page lists this 公示 or its objection")
		}

		correct := func(c *client, hours int64, h, reason string) string {
			t.Helper()
			resp, _ := c.post("/console/publicity/"+pid+"/entries/"+strconv.FormatInt(hours, 10), url.Values{"hours": {h}, "reason": {reason}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("correct %d: %d", hours, resp.StatusCode)
			}
			u, _ := url.Parse(resp.Header.Get("Location"))
			if q := u.Query(); q.Get("ok") != "" {
				return q.Get("ok")
			}
			return u.Query().Get("err")
		}
		unchanged := func(what string) {
			t.Helper()
			got, _ := db.HoursReport(bg, branchA, a1.ID)
			if got.Centihours != a1.Centihours || w.count("SELECT COUNT(*) FROM hours_corrections") != 0 {
				t.Errorf("%s changed the entry: %d centihours, %d corrections", what, got.Centihours, w.count("SELECT COUNT(*) FROM hours_corrections"))
			}
		}
		if got := correct(sec, a1.ID, "1", "核实为1小时"); got != "not_final" {
			t.Errorf("a correction while open: %q", got)
		}
		unchanged("a correction while open")

		// After the closing day (the session has lapsed meanwhile).
		w.advance(8 * 24 * time.Hour)
		sec.login(secA)
		other.login(secB)
		late := w.approvedEntry(chatA, "me", secA, "1 11月28日 巡逻") // approved after the 公示: not in it
		_, detail = sec.get("/console/publicity/" + pid)
		if !strings.Contains(detail, "已结束 · 已确定") || !strings.Contains(detail, "/entries/"+strconv.FormatInt(a1.ID, 10)) {
			t.Errorf("the closed 公示 offers no correction: %s", detail)
		}
		for _, tc := range []struct {
			hours       int64
			h, reason   string
			want, words string
		}{
			{a1.ID, "1", "", "need_reason", "更正请写上原因"},
			{a1.ID, "1", "   ", "need_reason", "更正请写上原因"},
			{a1.ID, "0", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "25", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "13", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "-1", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "一小时", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "1.234", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "NaN", "核实", "bad_hours", "大于 0、不超过 12"},
			{a1.ID, "1", strings.Repeat("长", 101), "reason_long", "最多 100 个字"},
			{a1.ID, "2", "核实", "unchanged", "新时长与现在相同"},
			{b1.ID, "1", "核实", "entry_not_found", "没有找到这条时长"},
			{late.ID, "2", "核实", "entry_not_found", "没有找到这条时长"},
		} {
			got := correct(sec, tc.hours, tc.h, tc.reason)
			if got != tc.want {
				t.Errorf("correct %d to %q because %q: %q, want %q", tc.hours, tc.h, tc.reason, got, tc.want)
				continue
			}
			_, page := sec.get("/console/publicity/" + pid + "?" + url.Values{"err": {got}, "r": {strconv.FormatInt(tc.hours, 10)}}.Encode())
			if !strings.Contains(page, tc.words) {
				t.Errorf("the page for %q does not say %q", got, tc.words)
			}
			unchanged("correct " + tc.h + " " + tc.reason)
		}
		if got, _ := db.HoursReport(bg, branchB, b1.ID); got.Centihours != b1.Centihours {
			t.Errorf("another branch's entry changed: %d", got.Centihours)
		}
		if resp, _ := sec.do(http.MethodPost, w.srv.URL+"/console/publicity/"+pid+"/entries/"+strconv.FormatInt(a1.ID, 10), "cross-site",
			url.Values{"hours": {"1"}, "reason": {"核实"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-origin correction: %d", resp.StatusCode)
		}
		unchanged("a cross-origin correction")
		if resp, _ := other.post("/console/publicity/"+pid+"/entries/"+strconv.FormatInt(a1.ID, 10), url.Values{"hours": {"1"}, "reason": {"核实"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another branch's secretary corrects: %d", resp.StatusCode)
		}
		unchanged("another branch's secretary")

		if got := correct(sec, a1.ID, " 1.5 ", "核实为1.5小时"); got != "corrected" {
			t.Fatalf("the correction: %q", got)
		}
		got, _ := db.HoursReport(bg, branchA, a1.ID)
		cs, _ := db.Corrections(bg, a1.ID)
		if got.Centihours != 150 || len(cs) != 1 || cs[0].CentiBefore != a1.Centihours || cs[0].Reason != "核实为1.5小时" {
			t.Errorf("after the correction: %d centihours, %+v", got.Centihours, cs)
		}
		if au, _ := db.Audit(bg, a1.Object()); len(au) == 0 || au[len(au)-1].Action != "correct_hours" || au[len(au)-1].Actor != "wecom:"+secA {
			t.Errorf("the correction's audit: %+v", au)
		}
		// The member is told in the branch's group, as of a decision; the
		// refused corrections above told nobody.
		var told []struct {
			Target string `db:"target"`
			Body   string `db:"body"`
		}
		if err := db.X().Select(&told, "SELECT target, body FROM outbox WHERE dedup_key LIKE ?", "correction|%"); err != nil {
			t.Fatal(err)
		}
		if len(told) != 1 || !strings.Contains(told[0].Body, "2 小时改为 1.5 小时") || !strings.Contains(told[0].Body, "核实为1.5小时") {
			t.Errorf("the correction's notice: %+v", told)
		}
		_, detail = sec.get("/console/publicity/" + pid)
		for _, want := range []string{"2 → 1.5 小时", "核实为1.5小时", "公示时 2 小时"} {
			if !strings.Contains(detail, want) {
				t.Errorf("the page after the correction has no %q", want)
			}
		}
		if got, _ := db.HoursReport(bg, branchA, a2.ID); got.Centihours != a2.Centihours {
			t.Errorf("the other entry changed: %d", got.Centihours)
		}

		// The bureau sees every branch's 公示 and may filter on one.
		bur := w.client()
		bur.login(admin)
		if _, body := bur.get("/console/publicity"); !strings.Contains(body, "/console/publicity/"+pid) || !strings.Contains(body, "我那天只干了1小时") {
			t.Error("the bureau's page does not list the 公示")
		}
		if _, body := bur.get("/console/publicity?branch=" + branchB); strings.Contains(body, "/console/publicity/"+pid) {
			t.Error("the bureau's filter on the other branch lists this 公示")
		}
	})
}

// TestCentihoursAsTyped: what the correction form reads as hours.
func TestCentihoursAsTyped(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		a := w.approvedEntry(chatA, "ma", secA, "2 打扫楼道")
		sec := w.client()
		sec.login(secA)
		if resp, _ := sec.post("/console/publicity", url.Values{"period": {"month"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		}
		var pid int64
		if err := db.X().Get(&pid, "SELECT id FROM publicities"); err != nil {
			t.Fatal(err)
		}
		w.advance(8 * 24 * time.Hour)
		sec.login(secA)
		for i, tc := range []struct {
			typed string
			want  int
		}{{"3", 300}, {"２.５", 250}, {"1小时", 100}, {"0.75", 75}, {"１２", 1200}} {
			resp, _ := sec.post("/console/publicity/"+strconv.FormatInt(pid, 10)+"/entries/"+strconv.FormatInt(a.ID, 10),
				url.Values{"hours": {tc.typed}, "reason": {"核实 " + strconv.Itoa(i)}})
			got, _ := db.HoursReport(bg, branchA, a.ID)
			if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ok=corrected") || got.Centihours != tc.want {
				t.Errorf("%q: %s, %d centihours, want %d", tc.typed, resp.Header.Get("Location"), got.Centihours, tc.want)
			}
		}
	})
}

// TestPublicityNeedsAGroup: a branch with no group configured (a branch
// whose group is not set up yet; its members report in private chat) has
// nowhere to show a 公示: publishing from the page is refused with the
// reason, and nothing is published, rather than a list nobody sees turning
// final in three working days while the page says it went to the group.
func TestPublicityNeedsAGroup(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		const branchC, secC = "xinzhuang", "sec-c"
		err := db.SyncConfig(bg, []storage.BranchSpec{
			{Branch: jinqiu.Branch{ID: branchA, Name: nameA, Town: "城关街道", Kind: jinqiu.Community},
				Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: secA}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: chatA}}},
			{Branch: jinqiu.Branch{ID: branchC, Name: "辛庄村老干部党支部", Town: "王庄镇", Kind: jinqiu.Rural},
				Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: secC}}},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		who := jinqiu.Actor{Platform: "wecom", UserID: "mz", MsgID: "m1"}
		reg, err := db.Register(bg, who, "名mz", branchC, w.clock())
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.ReportHours(bg, who, storage.NewReport{MemberID: reg.Member.ID, BranchID: branchC, ServedOn: jinqiu.Midnight(w.clock(), w.clock().Location()), Centihours: 200, Note: "打扫楼道"}, 2400)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.DecideHours(bg, jinqiu.Actor{Platform: "wecom", UserID: secC, MsgID: "d1"}, "书记", branchC, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		sec := w.client()
		sec.login(secC)
		resp, _ := sec.post("/console/publicity", url.Values{"period": {"month"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "err=no_group") {
			t.Fatalf("publishing without a group: %d to %q", resp.StatusCode, loc)
		}
		if _, body := sec.get(resp.Header.Get("Location")); !strings.Contains(body, "没有能推送消息的群") {
			t.Errorf("the refusal does not say why: %s", body)
		}
		if n := w.count("SELECT COUNT(*) FROM publicities"); n != 0 {
			t.Errorf("%d 公示 published with no group to show them in", n)
		}
	})
}
