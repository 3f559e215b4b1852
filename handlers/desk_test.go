package handlers

import (
	"bytes"
	"fmt"
	"io"
	"jinqiu"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
	"jinqiu/workbook"
)

// ask sends text through Handle from user, in chat or in a single chat.
func (w *testWorld) ask(single bool, chat, user, text string) jinqiu.Reply {
	w.tb.Helper()
	m := w.message(chat, user, text)
	if single {
		m.ChatType, m.ChatID, m.Text = jinqiu.ChatSingle, "dm-"+user, text
	}
	r, err := w.h.Handle(twCtx, m)
	if err != nil {
		w.tb.Fatalf("%s %q: %v", user, text, err)
	}
	return r
}

// approvedHours has the member report hours that the secretary approves,
// and returns the report's number.
func (w *testWorld) approvedHours(chat, user, secretary, text string) int64 {
	w.tb.Helper()
	r := w.say(chat, user, text)
	var id int64
	if m := regexp.MustCompile(`编号 (\d+)`).FindStringSubmatch(r.Text); m != nil {
		fmt.Sscan(m[1], &id)
	}
	if id == 0 {
		w.tb.Fatalf("%q: %q", text, r.Text)
	}
	w.say(chat, secretary, fmt.Sprintf("通过 %d", id))
	return id
}

// pushes are the outbox bodies whose dedup key starts with prefix.
func pushes(t *testing.T, db *storage.DB, prefix string) []jinqiu.Reply {
	var out []jinqiu.Reply
	for _, row := range storagetest.Outbox(t, db, "") {
		if !strings.HasPrefix(row.DedupKey, prefix) {
			continue
		}
		_, r, err := outbox.Decode(row)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestPublicityThroughTheRules: 公示 lists the month's approved hours in
// the branch's groups with names masked unless the member said 同意公示;
// 不同意公示 masks them again in the next 公示; an objection in the period is
// kept and its secretary told in the group without the reason; after three
// working days the entries are final, an objection is refused and the
// workbook marks them 已确认.
func TestPublicityThroughTheRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "u1")
		w.register(twChatA, "u2")
		h1 := w.approvedHours(twChatA, "u1", twSecA, "时长 2 打扫楼道")
		h2 := w.approvedHours(twChatA, "u2", twSecA, "时长 1.5 巡逻")

		if r := w.ask(false, twChatA, "u1", "同意公示"); r.Text != say.ConsentGiven(true) {
			t.Errorf("同意公示: %q", r.Text)
		}
		if r := w.ask(false, twChatA, "u1", "公示"); r.Text != say.NotSecretary() {
			t.Errorf("a member's 公示: %q", r.Text)
		}
		r := w.ask(false, twChatA, twSecA, "公示")
		closes := time.Date(2026, 12, 2, 0, 0, 0, 0, w.now.Location()) // Fri 11-27 + 3 working days
		if r.Text != twWords.PublicityPublished(2, closes) {
			t.Errorf("公示 reply %q", r.Text)
		}
		ps := pushes(t, db, "publicity|")
		if len(ps) != 2 { // the branch's WeCom and DingTalk groups
			t.Fatalf("公示 pushed %d times, want 2", len(ps))
		}
		body := ps[0].Text
		if !strings.Contains(body, twName("u1")) || strings.Contains(body, twName("u2")) || !strings.Contains(body, say.Inert(say.MaskName(twName("u2")))) ||
			!strings.Contains(body, fmt.Sprintf("%d号", h1)) || !strings.Contains(body, twWords.DayOfWeek(closes)) {
			t.Errorf("公示 body:\n%s", body)
		}
		if r := w.ask(false, twChatA, twSecA, "公示"); !strings.Contains(r.Text, "没有待公示") {
			t.Errorf("second 公示 of the same month: %q", r.Text)
		}

		if r := w.ask(false, twChatA, "u2", fmt.Sprintf("有异议 %d", h2)); r.Text != say.ObjectHow() {
			t.Errorf("objection without a reason: %q", r.Text)
		}
		if r := w.ask(false, twChatA, "u2", fmt.Sprintf("有异议 %d 我服务的是2.5小时", h2)); r.Text != say.Objected(h2) {
			t.Errorf("objection: %q", r.Text)
		}
		ns := pushes(t, db, "objection|")
		if len(ns) != 1 || len(ns[0].Mentions) != 1 || ns[0].Mentions[0] != twSecA || strings.Contains(ns[0].Text, "2.5小时") {
			t.Errorf("objection notices %+v: want one, to the WeCom secretary, without the reason", ns)
		}

		// Thursday after the closing day: final.
		w.setNow(time.Date(2026, 12, 3, 9, 0, 0, 0, w.now.Location()))
		if r := w.ask(false, twChatA, "u2", fmt.Sprintf("有异议 %d 晚了", h1)); r.Text != twWords.PublicityClosed(h1, closes) {
			t.Errorf("objection after the 公示: %q", r.Text)
		}
		if r := w.ask(false, twChatA, "u1", "不同意公示"); r.Text != say.ConsentWithdrawn(true) {
			t.Errorf("不同意公示: %q", r.Text)
		}
		w.approvedHours(twChatA, "u1", twSecA, "时长 1 巡逻")
		w.ask(false, twChatA, twSecA, "公示")
		ps = pushes(t, db, "publicity|")
		if last := ps[len(ps)-1].Text; strings.Contains(last, twName("u1")) || !strings.Contains(last, say.Inert(say.MaskName(twName("u1")))) {
			t.Errorf("after 不同意公示 the name shows:\n%s", last)
		}

		x := &workbook.Writer{DB: db, Reports: w.h.Reports, Loc: w.h.loc()}
		var buf bytes.Buffer
		from := time.Date(2026, 11, 1, 0, 0, 0, 0, w.h.loc())
		tot, err := x.Write(twCtx, &buf, workbook.Request{From: from, To: from.AddDate(0, 1, 0), BranchID: twA})
		if err != nil {
			t.Fatal(err)
		}
		if tot.FinalHours != 350 || tot.LedgerHours != 350 {
			t.Errorf("November: %d of %d centihours final, want all 350", tot.FinalHours, tot.LedgerHours)
		}
	})
}

// TestPublicityOverNationalDay: a 公示 published the day before 国庆
// counts the working days of the State Council's calendar, not Monday to
// Friday: 10月1日–7日 are off and the make-up Saturday 10月10日 is the third.
func TestPublicityOverNationalDay(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		loc := w.now.Location()
		var off []time.Time
		for d := 1; d <= 7; d++ {
			off = append(off, time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC))
		}
		w.h.Calendar = jinqiu.NewWorkCalendar(off, []time.Time{time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)})
		w.setNow(time.Date(2026, 9, 30, 10, 0, 0, 0, loc)) // a Wednesday
		w.register(twChatA, "u1")
		h := w.approvedHours(twChatA, "u1", twSecA, "时长 2 打扫楼道")

		closes := time.Date(2026, 10, 10, 0, 0, 0, 0, loc)
		if r := w.ask(false, twChatA, twSecA, "公示"); r.Text != twWords.PublicityPublished(1, closes) {
			t.Errorf("公示 reply %q, want it open to %s", r.Text, closes.Format(time.DateOnly))
		}
		// Friday 10月9日, when Monday to Friday alone would have closed it on
		// 10月5日: still open.
		w.setNow(time.Date(2026, 10, 9, 15, 0, 0, 0, loc))
		if r := w.ask(false, twChatA, "u1", fmt.Sprintf("有异议 %d 是3小时", h)); r.Text != say.Objected(h) {
			t.Errorf("objection on 10月9日: %q", r.Text)
		}
		w.setNow(time.Date(2026, 10, 11, 9, 0, 0, 0, loc))
		if r := w.ask(false, twChatA, "u1", fmt.Sprintf("有异议 %d 晚了", h)); r.Text != twWords.PublicityClosed(h, closes) {
			t.Errorf("objection on 10月11日: %q", r.Text)
		}
	})
}

// TestExportLink: 导出 in a group gives no link; in a single chat the
// secretary's link serves the branch's workbook and the bureau's the
// district's, until 15 minutes have passed; a forged token is refused the
// same way; without console.base_url 导出 says so.
func TestExportLink(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "u1")
		w.register(twChatB, "u2")
		w.approvedHours(twChatA, "u1", twSecA, "时长 2 打扫楼道")
		w.approvedHours(twChatB, "u2", twSecB, "时长 1 巡逻")

		if r := w.ask(true, "", twSecA, "导出"); r.Text != say.ExportNoURL() {
			t.Errorf("without base_url: %q", r.Text)
		}
		w.h.BaseURL = "https://jinqiu.example.gov.cn/"
		if r := w.ask(false, twChatA, twSecA, "导出"); r.Text != say.ExportPrivately() || strings.Contains(r.Text, "http") {
			t.Errorf("导出 in a group: %q", r.Text)
		}
		if r := w.ask(true, "", "u1", "导出"); r.Text != say.NotSecretary() {
			t.Errorf("a member's 导出: %q", r.Text)
		}
		link := regexp.MustCompile(`https://jinqiu\.example\.gov\.cn` + DownloadPath + `([A-Za-z0-9_-]{43})`)
		token := func(user string) string {
			r := w.ask(true, "", user, "导出")
			m := link.FindStringSubmatch(r.Text)
			if m == nil {
				t.Fatalf("%s: no link in %q", user, r.Text)
			}
			return m[1]
		}
		secTok, adminTok := token(twSecA), token(twAdmin)

		x := &workbook.Writer{DB: db, Reports: w.h.Reports, Loc: w.h.loc()}
		mux := http.NewServeMux()
		mux.Handle("GET "+DownloadPath+"{token}", x.Download(w.h.log()))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		get := func(tok string) (int, []byte) {
			resp, err := http.Get(srv.URL + DownloadPath + tok)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		branchesOf := func(b []byte) []string {
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, _ := f.GetRows(say.SheetBranches)
			var ids []string
			for _, r := range rows[1:] {
				ids = append(ids, r[0])
			}
			return ids
		}
		code, body := get(secTok)
		if ids := branchesOf(body); code != 200 || len(ids) != 1 || ids[0] != twA {
			t.Errorf("secretary's link: %d, branches %v; want only %s", code, ids, twA)
		}
		code, body = get(adminTok)
		if ids := branchesOf(body); code != 200 || len(ids) != 2 {
			t.Errorf("bureau's link: %d, branches %v; want both", code, ids)
		}
		forged := secTok[:42] + "A"
		if forged == secTok {
			forged = secTok[:42] + "B"
		}
		if code, _ := get(forged); code != http.StatusNotFound {
			t.Errorf("forged token: %d", code)
		}
		au, _ := db.Audit(twCtx, "export:"+twA)
		if len(au) != 1 || au[0].Actor != string(wecom.Name)+":"+twSecA {
			t.Errorf("link audit %+v", au)
		}
		// A secretary of two branches gets a link for each in the single
		// chat (the role alone sent them to a group, where no link goes).
		if err := db.GrantSecretary(twCtx, jinqiu.Actor{Platform: wecom.Name, UserID: twAdmin}, twB, jinqiu.Identity{Platform: wecom.Name, UserID: twSecA}); err != nil {
			t.Fatal(err)
		}
		r := w.ask(true, "", twSecA, "导出")
		both := link.FindAllStringSubmatch(r.Text, -1)
		if len(both) != 2 {
			t.Fatalf("a secretary of two branches: %q; want two links", r.Text)
		}
		var got []string
		for _, m := range both {
			code, body := get(m[1])
			if code != 200 {
				t.Fatalf("link %s: %d", m[1], code)
			}
			got = append(got, branchesOf(body)...)
		}
		want := []string{twA, twB}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("the two links serve %v; want %s and %s, one each", got, twA, twB)
		}
		w.advance(DownloadTTL)
		if code, _ := get(secTok); code != http.StatusNotFound {
			t.Errorf("expired link: %d", code)
		}
	})
}

// TestPublicityOnlyWhereItCanBePushed: a branch whose groups have no
// webhook or connection to push to is refused a 公示 as one with no group
// (nothing published, nothing queued); once its group can be pushed to,
// the list goes there.
func TestPublicityOnlyWhereItCanBePushed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "u1")
		w.approvedHours(twChatA, "u1", twSecA, "时长 2 打扫楼道")
		w.h.Pushable = func(jinqiu.Group) bool { return false }
		// The group is configured: the words must not send the secretary
		// to configure one, but to what it lacks.
		if r := w.ask(false, twChatA, twSecA, "公示"); r.Text != say.PublicityNoGroup() || !strings.Contains(r.Text, "webhook") {
			t.Errorf("公示 with no group to push to: %q", r.Text)
		}
		if n := len(pushes(t, db, "publicity|")); n != 0 {
			t.Errorf("%d 公示 lists queued for groups that cannot be pushed to", n)
		}
		var published int
		if err := db.X().Get(&published, "SELECT COUNT(*) FROM publicities"); err != nil || published != 0 {
			t.Fatalf("%d 公示 published, %v", published, err)
		}
		// The branch's groups are chat-a on both platforms; only the
		// WeCom one can be pushed to.
		w.h.Pushable = func(g jinqiu.Group) bool { return g.Platform == "wecom" }
		w.ask(false, twChatA, twSecA, "公示")
		var went []string
		for _, q := range w.outbox() {
			if strings.HasPrefix(q.Key, "publicity|") {
				went = append(went, q.Key)
			}
		}
		if len(went) != 1 || !strings.HasSuffix(went[0], "|wecom|"+twChatA) {
			t.Errorf("the list went to %v, want the branch's WeCom group alone", went)
		}
	})
}
