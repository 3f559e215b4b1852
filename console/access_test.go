package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/console"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestLinkOpensOnceByPost(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		c := w.client()
		u := w.link(secA)

		// A link preview (GET, any number of times) spends nothing.
		for range 3 {
			resp, body := c.do(http.MethodGet, u, "none", nil)
			if resp.StatusCode != 200 || !strings.Contains(body, `method="post"`) || resp.Header.Get("Set-Cookie") != "" {
				t.Fatalf("GET link: %d, cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
			}
		}
		if resp, _ := c.get("/console/"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("before the POST the console answers %d, want 401", resp.StatusCode)
		}
		resp, _ := c.do(http.MethodPost, u, "same-origin", url.Values{})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
			t.Fatalf("POST link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var ck *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == console.CookieName {
				ck = k
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.MaxAge != int(jinqiu.ConsoleSessionTTL.Seconds()) {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, 8 h, not Secure over http", ck)
		}
		if n := w.count("SELECT COUNT(*) FROM console_sessions WHERE token_hash = ?", ck.Value); n != 0 {
			t.Errorf("the session token itself is stored")
		}
		if resp, body := c.get("/console/"); resp.StatusCode != 200 || !strings.Contains(body, "本支部概览") {
			t.Fatalf("console after sign-in: %d", resp.StatusCode)
		}

		// Used: a second POST, from anyone, opens nothing.
		other := w.client()
		for _, m := range []string{http.MethodPost, http.MethodGet} {
			resp, body := other.do(m, u, "same-origin", url.Values{})
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "已经用过") || len(resp.Cookies()) != 0 {
				t.Errorf("%s of a used link: %d, cookies %v", m, resp.StatusCode, resp.Cookies())
			}
		}

		// Expired: 15 minutes and it is gone, unused.
		late := w.link(secA)
		w.advance(jinqiu.ConsoleLinkTTL)
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			resp, body := other.do(m, late, "same-origin", url.Values{})
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "已过期") || len(resp.Cookies()) != 0 {
				t.Errorf("%s of an expired link: %d", m, resp.StatusCode)
			}
		}

		// Forged: a token nobody was sent, or a real one changed.
		real := w.link(secA)
		flipped := real[:len(real)-1] + map[bool]string{true: "0", false: "1"}[strings.HasSuffix(real, "1")]
		for _, f := range []string{w.srv.URL + "/console/login/" + strings.Repeat("ab", 32), flipped, w.srv.URL + "/console/login/x"} {
			resp, body := other.do(http.MethodPost, f, "same-origin", url.Values{})
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "链接无效") || len(resp.Cookies()) != 0 {
				t.Errorf("POST of forged %s: %d", f, resp.StatusCode)
			}
		}
		if resp, _ := other.get("/console/"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("after refused links the console answers %d", resp.StatusCode)
		}
		// The real one still works: forgeries did not spend it.
		if resp, _ := other.do(http.MethodPost, real, "same-origin", url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the real link after forgeries: %d", resp.StatusCode)
		}

		// The session ends after 8 hours.
		w.advance(jinqiu.ConsoleSessionTTL)
		if resp, _ := c.get("/console/"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a session of 8 hours answers %d after them", resp.StatusCode)
		}
	})
}

func TestSecretarySeesOwnBranchOnly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		ra := w.member(chatA, "ma", "2 打扫楼道")
		rb := w.member(chatB, "mb", "3 村史馆讲解")
		sec := w.client()
		sec.login(secA)

		_, list := sec.get("/console/branches")
		if !strings.Contains(list, nameA) || strings.Contains(list, nameB) {
			t.Errorf("the secretary's branch list names another branch or misses theirs")
		}
		_, over := sec.get("/console/")
		if strings.Contains(over, "王庄镇") {
			t.Errorf("the secretary's overview shows the other town")
		}
		if resp, body := sec.get("/console/branches/" + branchA); resp.StatusCode != 200 || !strings.Contains(body, "名ma") {
			t.Errorf("own branch: %d", resp.StatusCode)
		}
		resp, body := sec.get("/console/branches/" + branchB)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "名mb") {
			t.Errorf("another branch: %d", resp.StatusCode)
		}
		// Deciding another branch's report, by its branch or by one's own.
		for _, path := range []string{"/console/branches/" + branchB + "/hours/", "/console/branches/" + branchA + "/hours/"} {
			resp, _ := sec.post(path+strconv.FormatInt(rb.ID, 10), url.Values{"action": {"approve"}})
			if resp.StatusCode != http.StatusNotFound && !strings.Contains(resp.Header.Get("Location"), "err=report_not_found") {
				t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if got := w.state(branchB, rb.ID); got != jinqiu.HoursPending {
			t.Errorf("another branch's report is %s", got)
		}

		// The bureau sees both.
		bur := w.client()
		bur.login(admin)
		_, list = bur.get("/console/branches")
		if !strings.Contains(list, nameA) || !strings.Contains(list, nameB) {
			t.Errorf("the bureau's branch list misses a branch")
		}
		if resp, _ := bur.get("/console/branches/" + branchB); resp.StatusCode != 200 {
			t.Errorf("the bureau on branch B: %d", resp.StatusCode)
		}

		// A withdrawn role ends the session's reach at once.
		granted := jinqiu.Identity{Platform: "wecom", UserID: "sec-granted"}
		bureau := jinqiu.Actor{Platform: "wecom", UserID: admin}
		if err := db.GrantSecretary(bg, bureau, branchA, granted); err != nil {
			t.Fatal(err)
		}
		gc := w.client()
		gc.login(granted.UserID)
		if resp, _ := gc.get("/console/branches/" + branchA); resp.StatusCode != 200 {
			t.Fatalf("a granted secretary: %d", resp.StatusCode)
		}
		if err := db.RevokeSecretary(bg, bureau, branchA, granted); err != nil {
			t.Fatal(err)
		}
		if resp, _ := gc.get("/console/branches/" + branchA); resp.StatusCode != http.StatusForbidden {
			t.Errorf("after the role is withdrawn: %d", resp.StatusCode)
		}
		if resp, _ := gc.post("/console/branches/"+branchA+"/hours/"+strconv.FormatInt(ra.ID, 10), url.Values{"action": {"approve"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a decision after the role is withdrawn: %d", resp.StatusCode)
		}
		if got := w.state(branchA, ra.ID); got != jinqiu.HoursPending {
			t.Errorf("report decided by a withdrawn secretary: %s", got)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		r := w.member(chatA, "ma", "2 打扫楼道")
		c := w.client()
		c.login(secA)
		path := w.srv.URL + "/console/branches/" + branchA + "/hours/" + strconv.FormatInt(r.ID, 10)
		approve := url.Values{"action": {"approve"}}

		for _, tc := range []struct {
			name  string
			set   func(*http.Request)
			tries string
		}{
			{"cross-site fetch", func(rq *http.Request) { rq.Header.Set("Sec-Fetch-Site", "cross-site") }, path},
			{"same-site but another origin", func(rq *http.Request) { rq.Header.Set("Sec-Fetch-Site", "same-site") }, path},
			{"an Origin of another host, no Sec-Fetch-Site", func(rq *http.Request) { rq.Header.Set("Origin", "https://evil.example") }, path},
			{"a link redeemed from another site", func(rq *http.Request) { rq.Header.Set("Sec-Fetch-Site", "cross-site") }, w.link(secA)},
			{"sign-out from another site", func(rq *http.Request) { rq.Header.Set("Origin", "https://evil.example") }, w.srv.URL + "/console/logout"},
		} {
			rq, _ := http.NewRequest(http.MethodPost, tc.tries, strings.NewReader(approve.Encode()))
			rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			tc.set(rq)
			resp, err := c.c.Do(rq)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
				t.Errorf("%s: %d, cookies %v", tc.name, resp.StatusCode, resp.Cookies())
			}
		}
		if got := w.state(branchA, r.ID); got != jinqiu.HoursPending {
			t.Fatalf("a cross-origin POST decided the report: %s", got)
		}
		if n := w.count("SELECT COUNT(*) FROM console_sessions"); n != 1 {
			t.Errorf("%d sessions, want the one signed in (no cross-site redemption or sign-out)", n)
		}
		// The same POST from the page itself goes through.
		resp, _ := c.post("/console/branches/"+branchA+"/hours/"+strconv.FormatInt(r.ID, 10), approve)
		if resp.StatusCode != http.StatusSeeOther || w.state(branchA, r.ID) != jinqiu.HoursApproved {
			t.Errorf("same-origin approve: %d, %s", resp.StatusCode, w.state(branchA, r.ID))
		}
	})
}

func TestDecideByTheChatsRule(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		r := w.member(chatA, "ma", "2 打扫楼道")
		own := w.member(chatA, secA, "1 值班") // the secretary's own hours
		c := w.client()
		c.login(secA)
		decide := func(id int64, form url.Values) string {
			resp, _ := c.post("/console/branches/"+branchA+"/hours/"+strconv.FormatInt(id, 10), form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("decide %d: %d", id, resp.StatusCode)
			}
			return resp.Header.Get("Location")
		}
		if loc := decide(own.ID, url.Values{"action": {"approve"}}); !strings.Contains(loc, "err=own") || w.state(branchA, own.ID) != jinqiu.HoursPending {
			t.Errorf("own report: %s, %s", loc, w.state(branchA, own.ID))
		}
		_, page := c.get("/console/branches/" + branchA)
		if !strings.Contains(page, "本人申报") {
			t.Errorf("the ledger offers the secretary their own report")
		}
		if loc := decide(r.ID, url.Values{"action": {"reject"}}); !strings.Contains(loc, "err=need_reason") || w.state(branchA, r.ID) != jinqiu.HoursPending {
			t.Errorf("reject without reason: %s", loc)
		}
		if loc := decide(r.ID, url.Values{"action": {"reject"}, "reason": {strings.Repeat("长", jinqiu.MaxNoteRunes+1)}}); !strings.Contains(loc, "err=reason_long") {
			t.Errorf("reject with a long reason: %s", loc)
		}
		if loc := decide(r.ID, url.Values{"action": {"reject"}, "reason": {"日期不对"}}); !strings.Contains(loc, "ok=rejected") {
			t.Errorf("reject: %s", loc)
		}
		if loc := decide(r.ID, url.Values{"action": {"approve"}}); !strings.Contains(loc, "err=decided") {
			t.Errorf("deciding twice: %s", loc)
		}
		got, err := db.HoursReport(bg, branchA, r.ID)
		if err != nil || got.State != jinqiu.HoursRejected || got.Reason != "日期不对" {
			t.Fatalf("report %+v, %v", got, err)
		}
		audit, err := db.Audit(bg, r.Object())
		if err != nil || len(audit) != 2 || audit[1].Action != "reject_hours" || audit[1].Actor != "wecom:"+secA || audit[1].MsgID != "console" {
			t.Errorf("audit %+v, %v", audit, err)
		}
		// The member is told in the group, as after 驳回 in the chat.
		if n := w.count("SELECT COUNT(*) FROM outbox WHERE dedup_key LIKE ?", "%hours|"+strconv.FormatInt(r.ID, 10)+"|rejected%"); n != 1 {
			t.Errorf("%d notices of the rejection, want 1", n)
		}
		_, page = c.get("/console/branches/" + branchA + "?ok=rejected&r=" + strconv.FormatInt(r.ID, 10))
		if !strings.Contains(page, "已驳回") || !strings.Contains(page, "日期不对") {
			t.Errorf("the ledger does not show the rejection")
		}
		if resp, _ := c.post("/console/branches/"+branchA+"/hours/"+strconv.FormatInt(r.ID, 10), url.Values{"action": {"delete"}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown action: %d", resp.StatusCode)
		}
	})
}

// count runs a COUNT query.
func (w *world) count(q string, args ...any) int {
	w.tb.Helper()
	var n int
	if err := w.db.X().Get(&n, q, args...); err != nil {
		w.tb.Fatal(err)
	}
	return n
}

var _ = time.Second

// TestScopesNeverShareFigures: the figures kept for one scope are never
// served to another, whatever the branch ids: a branch whose id is "*"
// (the bureau's scope as the memo wrote it) gets its own figures after
// the bureau's were computed, and the bureau gets the district's after
// that branch's; the ids are the configuration's, which allows any text.
func TestScopesNeverShareFigures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		w.approvedEntry(chatA, "ma", secA, "2 打扫楼道")
		err := db.SyncConfig(bg, []storage.BranchSpec{
			{Branch: jinqiu.Branch{ID: branchA, Name: nameA, Town: "城关街道", Kind: jinqiu.Community},
				Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: secA}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: chatA}}},
			{Branch: jinqiu.Branch{ID: "*", Name: "星村老干部党支部", Town: "王庄镇", Kind: jinqiu.Rural},
				Secretaries: []jinqiu.Identity{{Platform: "wecom", UserID: "sec-star"}}, Groups: []jinqiu.Group{{Platform: "wecom", ChatID: "chat-star"}}},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		bur, star := w.client(), w.client()
		bur.login(admin)
		star.login("sec-star")
		for _, path := range []string{"/console/", "/console/?period=month", "/console/branches"} {
			_, district := bur.get(path)
			_, own := star.get(path)
			if !strings.Contains(district, nameA) {
				t.Fatalf("%s: the bureau's page misses branch A", path)
			}
			if strings.Contains(own, nameA) || strings.Contains(own, "<dt>支部</dt><dd>2</dd>") {
				t.Errorf("%s: the secretary of branch \"*\" is shown the district's figures", path)
			}
		}
	})
}
