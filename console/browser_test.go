package console_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"jinqiu"
	"jinqiu/handlers/say"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// chromium returns Debian's chromium, or skips (fails under
// JINQIU_REQUIRE_SERVICES=1) saying how to get it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	storagetest.Skip(t, "the browser tests need chromium in PATH (apt-get install -y chromium; .ci/run installs it)")
	return ""
}

// browser is a headless chromium with a tab per person, each in its own
// browser context (its own cookies), collecting what pages write to the
// console.
type browser struct {
	t     *testing.T
	alloc context.Context
	mu    sync.Mutex
	logs  []string
	// refused are the addresses the test opens to be refused: their 404
	// is the point, not a problem of the page.
	refused map[string]bool
}

func newBrowser(t *testing.T, path string) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// The browser starts with a first tab; each person's tab is then a
	// browser context of its own.
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, alloc: root, refused: map[string]bool{}}
}

// tab opens a tab in a fresh browser context and starts collecting its
// console messages.
func (b *browser) tab(who string) context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				b.mu.Lock()
				if !b.refused[m.URL] {
					b.logs = append(b.logs, who+": "+m.String()+" at "+m.URL)
				}
				b.mu.Unlock()
			}
		}
	}()
	return ctx
}

func (b *browser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logs...)
}

// widths are the screens every page is looked at on.
var widths = []struct {
	name string
	w, h int64
}{{"phone", 390, 844}, {"desktop", 1440, 900}}

// look loads path at each width, checks that the page does not run wider
// than a phone's screen (its tables scroll inside themselves), and writes
// a screenshot of each to JINQIU_SCREENSHOTS when it is set.
func (b *browser) look(ctx context.Context, base, path, name, ready string) {
	b.t.Helper()
	for _, wd := range widths {
		err := chromedp.Do(ctx, chromedp.EmulateViewport(wd.w, wd.h), chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(ready)))
		if err != nil {
			b.t.Fatalf("%s at %s: %v", path, wd.name, err)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			b.t.Fatal(err)
		}
		if wide {
			b.t.Errorf("%s runs wider than the %s screen (%d px)", name, wd.name, wd.w)
		}
		b.shoot(ctx, name+"-"+wd.name)
	}
}

func (b *browser) shoot(ctx context.Context, name string) {
	b.t.Helper()
	dir := os.Getenv("JINQIU_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fill gives the world a few weeks of a branch's life through the chat:
// members, hours of several weeks (some approved), an activity, a meeting.
func (w *world) fill() (pending jinqiu.HoursReport) {
	w.tb.Helper()
	names := []string{"ma", "mc", "md", "me"}
	for i, u := range names {
		w.say(chatA, u, "报到")
		for wk := range 4 {
			on := w.clock().AddDate(0, 0, -7*wk-i)
			text := fmt.Sprintf("时长 %d %d月%d日 打扫楼道", 1+(i+wk)%3, on.Month(), on.Day())
			if !strings.Contains(w.say(chatA, u, text), "已记录") {
				w.tb.Fatalf("%s: %q not recorded", u, text)
			}
		}
	}
	var ids []int64
	if err := w.db.X().Select(&ids, "SELECT id FROM hours_reports WHERE branch_id = ? ORDER BY id", branchA); err != nil {
		w.tb.Fatal(err)
	}
	for _, id := range ids[1:] {
		if reply := w.say(chatA, secA, "通过 "+strconv.FormatInt(id, 10)); !strings.Contains(reply, "通过") {
			w.tb.Fatalf("approve %d: %q", id, reply)
		}
	}
	w.say(chatA, secA, "发布活动 清理楼道 明天上午9点 枣行社区 名额20")
	w.say(chatA, secA, "已开会 支委会")
	w.member(chatB, "mb", "3 村史馆讲解")
	r, err := w.db.HoursReport(bg, branchA, ids[0])
	if err != nil {
		w.tb.Fatal(err)
	}
	return r
}

// TestConsoleInBrowser: a secretary and the bureau sign in through their
// links in chromium, the secretary sees only their branch and approves a
// report on the page, which the member then sees in 我的; the secretary
// publishes the month's 公示 from its page, sees it listed with a member's
// objection, corrects an entry once it is final, and downloads the
// workbook from 导出, whose ledger holds what was approved; no page writes
// an error to the console.
func TestConsoleInBrowser(t *testing.T) {
	path := chromium(t)
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		pending := w.fill()
		ma, err := db.MemberByID(bg, pending.MemberID)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, path)
		base := w.srv.URL

		sec := b.tab("secretary")
		// The link: the confirm page, and only the button signs in.
		link := w.link(secA)
		b.look(sec, "", link, "login", "button.primary")
		if err := chromedp.Do(sec, chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS("dl.cards"))); err != nil {
			t.Fatal(err)
		}
		if loc, _ := chromedp.Run(sec, chromedp.Location()); loc != base+"/console/" {
			t.Errorf("after sign-in at %s", loc)
		}
		b.look(sec, base, "/console/", "secretary-overview", "svg.chart")
		b.look(sec, base, "/console/branches", "secretary-branches", "table.branches")
		rows, err := chromedp.Run(sec, chromedp.Text(chromedp.CSS("table.branches tbody")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rows, nameA) || strings.Contains(rows, nameB) {
			t.Errorf("the secretary's branch list: %q", rows)
		}
		b.mu.Lock()
		b.refused[base+"/console/branches/"+branchB] = true
		b.mu.Unlock()
		if err := chromedp.Do(sec, chromedp.Navigate(base+"/console/branches/"+branchB), chromedp.WaitVisible(chromedp.CSS("section.narrow"))); err != nil {
			t.Fatal(err)
		}
		if txt, _ := chromedp.Run(sec, chromedp.Text(chromedp.CSS("main"))); strings.Contains(txt, nameB) || !strings.Contains(txt, "没有找到") {
			t.Errorf("another branch's page shows %q", txt)
		}

		b.look(sec, base, "/console/branches/"+branchA, "secretary-branch", "ul.pending")
		approve := fmt.Sprintf(`form[action="/console/branches/%s/hours/%d"] button`, branchA, pending.ID)
		if err := chromedp.Do(sec, chromedp.Click(chromedp.CSS(approve)), chromedp.WaitVisible(chromedp.CSS(".flash.ok"))); err != nil {
			t.Fatalf("approve on the page: %v", err)
		}
		b.shoot(sec, "secretary-branch-approved")
		got, err := db.HoursReport(bg, branchA, pending.ID)
		if err != nil || got.State != jinqiu.HoursApproved {
			t.Fatalf("after the click the report is %+v, %v", got, err)
		}
		// 我的, as the member asks in the group, counts it as approved.
		stats, err := db.MemberStats(bg, ma.ID, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, w.now.Location()))
		if err != nil {
			t.Fatal(err)
		}
		if stats.PendingCount != 0 {
			t.Errorf("still pending after the approval: %+v", stats)
		}
		head, body := say.Words{Year: 2026}.MyStats("名"+ma.UserID, stats, nil, w.now.Location())
		if reply := w.say(chatA, ma.UserID, "我的"); reply != strings.Join(append([]string{head}, body...), "\n") {
			t.Errorf("我的 after the approval: %q, want %q", reply, strings.Join(append([]string{head}, body...), "\n"))
		}
		if !strings.Contains(strings.Join(body, "\n"), "没有待审核的时长") {
			t.Errorf("我的 still shows pending hours: %q", body)
		}
		pid, corrected := b.publishAndCorrect(sec, w)
		b.download(sec, w, pid, corrected)

		bur := b.tab("bureau")
		if err := chromedp.Do(bur, chromedp.Navigate(w.link(admin)), chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS("dl.cards"))); err != nil {
			t.Fatal(err)
		}
		b.look(bur, base, "/console/", "bureau-overview", "svg.chart")
		b.look(bur, base, "/console/branches", "bureau-branches", "table.branches")
		if rows, _ := chromedp.Run(bur, chromedp.Text(chromedp.CSS("table.branches tbody"))); !strings.Contains(rows, nameA) || !strings.Contains(rows, nameB) {
			t.Errorf("the bureau's branch list: %q", rows)
		}
		b.look(bur, base, "/console/branches/"+branchB, "bureau-branch", "ul.pending")
		b.look(bur, base, "/console/publicity", "bureau-publicity", "table.publicities")
		if rows, _ := chromedp.Run(bur, chromedp.Text(chromedp.CSS("table.publicities tbody"))); !strings.Contains(rows, nameA) {
			t.Errorf("the bureau's 公示 list: %q", rows)
		}
		b.look(bur, base, "/console/export", "bureau-export", "form.desk")

		for _, p := range b.problems() {
			t.Errorf("console message: %s", p)
		}
	})
}

// publishAndCorrect publishes this month's approved hours of branch A
// from the 公示 page, as the secretary of tab sec, checks the list and a
// member's objection on it, then, past the closing day, corrects the
// first entry with a reason on the 公示's page. It returns the 公示's id
// and the corrected entry.
func (b *browser) publishAndCorrect(sec context.Context, w *world) (pid, entry int64) {
	t, base := b.t, w.srv.URL
	t.Helper()
	b.look(sec, base, "/console/publicity", "secretary-publicity", "form.desk")
	if err := chromedp.Do(sec, chromedp.Click(chromedp.CSS("#publish button.primary")), chromedp.WaitVisible(chromedp.CSS(".flash.ok"))); err != nil {
		t.Fatalf("publish on the page: %v", err)
	}
	if err := w.db.X().Get(&pid, "SELECT id FROM publicities WHERE branch_id = ?", branchA); err != nil {
		t.Fatalf("no 公示 after the click: %v", err)
	}
	if err := w.db.X().Get(&entry, "SELECT MIN(hours_id) FROM publicity_entries WHERE publicity_id = ?", pid); err != nil {
		t.Fatal(err)
	}
	if n := w.count("SELECT COUNT(*) FROM outbox WHERE dedup_key LIKE ?", "publicity|"+strconv.FormatInt(pid, 10)+"|%"); n != 1 {
		t.Errorf("the list went to %d groups, want the branch's one", n)
	}
	w.say(chatA, "mc", fmt.Sprintf("有异议 %d 那天我不在", entry))
	b.look(sec, base, "/console/publicity", "secretary-publicity-listed", "table.publicities")
	for sel, want := range map[string]string{"table.publicities tbody": "公示中", "table.objections tbody": "那天我不在"} {
		if txt, err := chromedp.Run(sec, chromedp.Text(chromedp.CSS(sel))); err != nil || !strings.Contains(txt, want) || !strings.Contains(txt, nameA) {
			t.Errorf("%s reads %q, %v; want %q", sel, txt, err, want)
		}
	}

	// Past the closing day; the session has lapsed meanwhile.
	w.advance(8 * 24 * time.Hour)
	if err := chromedp.Do(sec, chromedp.Navigate(w.link(secA)), chromedp.Click(chromedp.CSS("button.primary")), chromedp.WaitVisible(chromedp.CSS("dl.cards"))); err != nil {
		t.Fatal(err)
	}
	detail := "/console/publicity/" + strconv.FormatInt(pid, 10)
	form := fmt.Sprintf(`form[action="%s/entries/%d"]`, detail, entry)
	before, err := w.db.HoursReport(bg, branchA, entry)
	if err != nil {
		t.Fatal(err)
	}
	// Without a reason: refused, and said so.
	if err := chromedp.Do(sec, chromedp.Navigate(base+detail), chromedp.Click(chromedp.CSS(fmt.Sprintf("#entry-%d summary", entry))), chromedp.SendKeys(chromedp.CSS(form+` input[name="hours"]`), "0.5"),
		chromedp.Click(chromedp.CSS(form+" button")), chromedp.WaitVisible(chromedp.CSS(".flash.err"))); err != nil {
		t.Fatalf("a correction without a reason: %v", err)
	}
	if txt, _ := chromedp.Run(sec, chromedp.Text(chromedp.CSS(".flash.err"))); !strings.Contains(txt, "更正请写上原因") {
		t.Errorf("the refusal reads %q", txt)
	}
	if got, _ := w.db.HoursReport(bg, branchA, entry); got.Centihours != before.Centihours {
		t.Errorf("a correction without a reason changed the entry to %d", got.Centihours)
	}
	if err := chromedp.Do(sec, chromedp.SendKeys(chromedp.CSS(form+` input[name="hours"]`), "0.5"),
		chromedp.SendKeys(chromedp.CSS(form+` input[name="reason"]`), "核实为半小时"),
		chromedp.Click(chromedp.CSS(form+" button")), chromedp.WaitVisible(chromedp.CSS(".flash.ok"))); err != nil {
		t.Fatalf("correct on the page: %v", err)
	}
	b.look(sec, base, detail, "secretary-publicity-detail", "ul.entries")
	got, _ := w.db.HoursReport(bg, branchA, entry)
	cs, _ := w.db.Corrections(bg, entry)
	if got.Centihours != 50 || len(cs) != 1 || cs[0].CentiBefore != before.Centihours || cs[0].Reason != "核实为半小时" {
		t.Errorf("after the correction on the page: %d centihours, %+v", got.Centihours, cs)
	}
	return pid, entry
}

// download downloads last month's workbook from the 导出 page as the
// secretary of tab sec, reads it back, and checks that it holds branch A
// only, its approved hours of November, and the corrected entry as
// corrected.
func (b *browser) download(sec context.Context, w *world, pid, corrected int64) {
	t := b.t
	t.Helper()
	b.look(sec, w.srv.URL, "/console/export", "secretary-export", "form.desk")
	dir := t.TempDir()
	names := make(chan string, 1)
	done := make(chan string, 1)
	go func() {
		for ev, err := range chromedp.Events(sec, cdpbrowser.DownloadWillBegin) {
			if err != nil {
				return
			}
			names <- ev.SuggestedFilename
			return
		}
	}()
	go func() {
		for ev, err := range chromedp.Events(sec, cdpbrowser.DownloadProgress) {
			if err != nil {
				return
			}
			if ev.State == cdpbrowser.DownloadProgressStateCompleted {
				done <- ev.GUID
				return
			}
		}
	}()
	err := chromedp.Do(sec, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
			DownloadPath: dir, EventsEnabled: new(true),
		})
		return err
	}), chromedp.Click(chromedp.CSS(`input[name="period"][value="last_month"]`)), chromedp.Click(chromedp.CSS("form.desk button.primary")))
	if err != nil {
		t.Fatalf("download from the page: %v", err)
	}
	var guid string
	select {
	case guid = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the download did not finish within a minute")
	}
	if name := <-names; name != say.WorkbookFile(nameA+"_2026-11") {
		t.Errorf("the download is named %q", name)
	}
	body, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	var approved int
	if err := w.db.X().Get(&approved, "SELECT COALESCE(SUM(centihours), 0) FROM hours_reports WHERE branch_id = ? AND state = ? AND served_on >= ? AND served_on < ?",
		branchA, jinqiu.HoursApproved, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ids, ch := workbookOf(t, body)
	if len(ids) != 1 || ids[0] != branchA || ch != approved || approved == 0 {
		t.Errorf("the downloaded workbook: branches %v, ledger %d centihours; want [%s] and the %d approved", ids, ch, branchA, approved)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(say.SheetLedger)
	found := false
	for _, r := range rows[1:] {
		if r[0] == strconv.FormatInt(corrected, 10) {
			found = true
			if h, err := strconv.ParseFloat(r[7], 64); err != nil || h != 0.5 || r[13] != "1" {
				t.Errorf("the corrected entry's row %q: want 0.5 hours and its correction", r)
			}
		}
	}
	if !found {
		t.Errorf("the corrected entry %d (公示 %d) is not in the ledger", corrected, pid)
	}
}
