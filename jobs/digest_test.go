package jobs_test

import (
	"fmt"
	"jinqiu"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"jinqiu/jobs"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

const digestYAML = `
timezone: Asia/Shanghai
bureau:
  groups: [{platform: wecom, chat_id: bureau, webhook_key: kbu}]
branches:
  - id: a
    name: 枣行社区临时党支部
    town: 城关街道
    secretaries: [wecom:sec-a]
    groups: [{platform: wecom, chat_id: ca, webhook_key: ka}]
  - id: b
    name: 史家庄村党支部
    town: 王庄镇
    kind: rural
    groups: [{platform: wecom, chat_id: cb, webhook_key: kb}]
  - id: c
    name: 幸福里社区党支部
    town: 城关街道
    groups: [{platform: wecom, chat_id: cc, webhook_key: kc}]
    schedule: {theme_day: "off", branch_assembly: "off", lecture: "off", group: "off"}
`

// seedWeek fills 2026-W48 (Monday 11-23 to Sunday 11-29 in Shanghai) and
// its edges.
func seedWeek(t *testing.T, w *world) {
	sh := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, shanghai) }
	zhang := w.member(t, "wecom", "zhang", "张三", "a", sh(11, 24, 10, 0)) // new this week
	w.registration(t, zhang, "a", sh(11, 24, 0, 0))
	li := w.member(t, "wecom", "li", "李四", "a", sh(8, 1, 10, 0))
	w.member(t, "wecom", "wang", "王五", "a", sh(1, 2, 10, 0)) // never does anything
	zhao := w.member(t, "dingtalk", "zhao", "赵六", "b", sh(7, 1, 10, 0))
	old := w.member(t, "wecom", "old", "钱七", "a", sh(1, 2, 10, 0))
	w.registration(t, old, "a", sh(11, 22, 0, 0)) // Sunday before: last week

	act := w.activity(t, "a", "义务理发", "", sh(11, 25, 10, 0), sh(11, 20, 0, 0), "open")
	w.signup(t, act, zhang, "confirmed", 1, sh(11, 20, 0, 0))
	w.signup(t, act, li, "confirmed", 2, sh(11, 20, 0, 0))
	w.signup(t, act, zhao, "waiting", 3, sh(11, 20, 0, 0))
	w.checkin(t, act, zhang, sh(11, 25, 9, 50))
	w.activity(t, "a", "取消", "", sh(11, 26, 10, 0), sh(11, 20, 0, 0), "cancelled")
	w.activity(t, "a", "周一零点", "", sh(11, 23, 0, 0), sh(11, 20, 0, 0), "open")  // in
	w.activity(t, "a", "下周一零点", "", sh(11, 30, 0, 0), sh(11, 20, 0, 0), "open") // out

	w.hours(t, li, "a", sh(11, 29, 0, 0), 250, "approved") // Sunday: in
	w.hours(t, li, "a", sh(11, 30, 0, 0), 100, "approved") // Monday after: out
	w.hours(t, zhao, "b", sh(11, 25, 0, 0), 300, "approved")
	w.hours(t, zhao, "b", sh(11, 26, 0, 0), 500, "pending") // active, but no hours
	w.hours(t, old, "a", sh(9, 15, 0, 0), 100, "approved")  // 75 days before the week ends: inactive

	w.meeting(t, "a", jinqiu.Committee, sh(11, 10, 0, 0))
	w.meeting(t, "a", jinqiu.ThemeDay, sh(11, 6, 0, 0))
	w.meeting(t, "a", jinqiu.BranchAssembly, sh(10, 9, 0, 0))
	w.meeting(t, "c", jinqiu.Committee, sh(10, 20, 0, 0)) // last month's, not this one's
}

func TestDigestWeekFigures(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hostZone(t)
		after := time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai)
		w := newWorld(t, db, digestYAML, after)
		seedWeek(t, w)
		x := w.reporter(time.Time{})
		week, _ := jinqiu.ParseWeek("2026-W48", shanghai)
		d, err := x.Week(ctx, week.Add(50*time.Hour), "") // any instant of the week
		if err != nil {
			t.Fatal(err)
		}
		if d.Year != 2026 || d.Week != 48 || !d.From.Equal(week) || !d.AsOf.Equal(d.To) {
			t.Fatalf("digest covers %d-W%d %s..%s as of %s", d.Year, d.Week, d.From, d.To, d.AsOf)
		}
		want := jinqiu.Figures{Branches: 3, Members: 5, NewMembers: 1, ActiveMembers: 3, Activities: 2, Signups: 2, Attended: 1,
			Centihours: 550, Inactive: 2, MeetingsDone: 3, MeetingsDue: 11}
		if d.Total != want {
			t.Errorf("total = %+v\nwant    %+v", d.Total, want)
		}
		if pct, ok := d.Total.Attendance(); !ok || pct != 50 {
			t.Errorf("attendance = %d, %v", pct, ok)
		}
		if len(d.Lines) != 2 || say.Line(d.Lines[0].Kind) != "城市（社区治理）" || d.Lines[0].Branches != 2 || d.Lines[1].Centihours != 300 {
			t.Errorf("lines = %+v", d.Lines)
		}
		if len(d.Towns) != 2 || d.Towns[0].Name != "城关街道" || len(d.Towns[0].Branches) != 2 {
			t.Errorf("towns = %+v", d.Towns)
		}
		if len(d.Top) != 2 || d.Top[0].Name != "赵六" || d.Top[0].Centihours != 300 || d.Top[1].Name != "李四" || d.Top[1].Branch != "枣行社区临时党支部" {
			t.Errorf("top = %+v", d.Top)
		}
		if len(d.InactiveNames) != 0 {
			t.Errorf("the district digest names inactive members: %v", d.InactiveNames)
		}
		comp := map[jinqiu.MeetingKind]string{}
		for _, c := range d.Meetings {
			var od []string
			for _, o := range c.Overdue {
				od = append(od, o.BranchID+":"+say.PeriodName(c.Every, o.From))
			}
			comp[c.Kind] = fmt.Sprintf("%s %d/%d %v", say.PeriodName(c.Every, c.From), c.Done, c.Due, od)
		}
		for k, v := range map[jinqiu.MeetingKind]string{
			jinqiu.Committee:      "11月 1/3 [b:10月]", // c held October's, a November's
			jinqiu.ThemeDay:       "11月 1/2 [b:11月]", // 11-06 is past
			jinqiu.BranchAssembly: "第四季度 1/2 [b:第三季度]",
			jinqiu.PartyGroup:     "11月 0/2 [a:10月 b:10月]",
			jinqiu.Lecture:        "第四季度 0/2 [a:第三季度 b:第三季度]",
		} {
			if comp[k] != v {
				t.Errorf("%s: %s, want %s", k, comp[k], v)
			}
		}

		// Installed on 11-01: October's and the third quarter's missed
		// meetings were before the bot and are not overdue; 11-06's 主题党日
		// is.
		installed := w.reporter(time.Date(2026, 11, 1, 10, 0, 0, 0, shanghai))
		di, err := installed.Week(ctx, week, "")
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		for _, c := range di.Meetings {
			for _, o := range c.Overdue {
				overdue++
				if c.Kind != jinqiu.ThemeDay || o.BranchID != "b" {
					t.Errorf("installed 11-01, still overdue: %s %s %s", c.Kind, o.BranchID, o.From)
				}
			}
		}
		if overdue != 1 {
			t.Errorf("installed 11-01: %d overdue, want 1 (b's 主题党日 of 11-06)", overdue)
		}

		// The secretary's own: the same week, one branch, names.
		d, err = x.Week(ctx, week, "a")
		if err != nil {
			t.Fatal(err)
		}
		if d.BranchName != "枣行社区临时党支部" || d.Total.Members != 4 || d.Total.Inactive != 2 || strings.Join(d.InactiveNames, ",") != "王五,钱七" {
			t.Errorf("branch digest = %+v", d)
		}
		if len(d.Top) != 1 || d.Top[0].Name != "李四" {
			t.Errorf("branch top = %+v", d.Top)
		}
		if p := d.Public(); p.InactiveNames != nil || !strings.Contains(strings.Join(wecomParts(d), ""), "王五") || strings.Contains(strings.Join(wecomParts(p), ""), "王五") {
			t.Errorf("Public does not hide the names")
		}
		if _, err := x.Week(ctx, week, "nope"); err == nil {
			t.Errorf("a digest of an unknown branch")
		}

		// The current week, asked on Friday noon, counts up to then.
		w.clock.Set(time.Date(2026, 11, 27, 12, 0, 0, 0, shanghai))
		d, err = x.Week(ctx, w.clock.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Total.Centihours != 300 || d.Total.ActiveMembers != 2 || !d.AsOf.Equal(w.clock.Now()) {
			t.Errorf("week so far = %+v as of %s", d.Total, d.AsOf)
		}
		md := strings.Join(wecomParts(d), "\n")
		if !strings.Contains(md, "截至11月27日 12:00") {
			t.Errorf("render of the current week:\n%s", md)
		}
	})
}

// TestDigestSentToTheBureauOnMonday: the scheduled digest of last week goes
// to the bureau's groups, without names.
func TestDigestSentToTheBureauOnMonday(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	w := newWorld(t, db, digestYAML, time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai))
	seedWeek(t, w)
	if _, err := w.scheduler("r1").Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var digests []sent
	for _, m := range w.outbox(t) {
		if m.job == jobs.FamilyDigest {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 || digests[0].chat != "wecom/bureau" {
		t.Fatalf("digest rows = %+v", digests)
	}
	md := digests[0].reply.Markdown
	for _, want := range []string{"全区周报 2026年第48周", "11月23日—11月29日", "出勤率 50%", "服务时长 5.5 小时", "史家庄村党支部（10月支委会）", "赵六（史家庄村党支部）3 小时", "60天未参加活动**：2 人"} {
		if !strings.Contains(md, want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "王五") {
		t.Errorf("the bureau's digest names an inactive member")
	}
}

// TestDigestRenderLimits: a large district splits into messages within
// each platform's byte limit, on line boundaries, in order.
func TestDigestRenderLimits(t *testing.T) {
	for _, n := range []int{3, 250, 2000} {
		d := bigDigest(n)
		check := func(platform jinqiu.Platform, parts []string, limit int) {
			if len(parts) == 0 {
				t.Fatalf("%s: no parts", platform)
			}
			var lines []string
			for i, p := range parts {
				if len(p) > limit {
					t.Errorf("%s n=%d: part %d is %d bytes, over %d", platform, n, i+1, len(p), limit)
				}
				if !utf8.ValidString(p) {
					t.Errorf("%s: part %d splits a character", platform, i+1)
				}
				if i > 0 && !strings.HasPrefix(p, fmt.Sprintf("（续 %d/%d）", i+1, len(parts))) {
					t.Errorf("%s: part %d starts %q", platform, i+1, p[:min(40, len(p))])
				}
				lines = append(lines, strings.Split(p, "\n")...)
			}
			if !strings.HasPrefix(parts[0], "## 全区周报") {
				t.Errorf("%s: first part starts %q", platform, parts[0][:40])
			}
			// Every branch line is whole in some part.
			if n <= say.MaxBranchLines {
				whole := map[string]bool{}
				for _, l := range lines {
					whole[l] = true
				}
				for _, tw := range d.Towns {
					for _, b := range tw.Branches {
						found := false
						for l := range whole {
							if strings.HasPrefix(l, "- "+b.Name+"：") && strings.HasSuffix(l, "会议 1/5") {
								found = true
							}
						}
						if !found {
							t.Fatalf("%s n=%d: the line of %s is cut or missing", platform, n, b.Name)
						}
					}
				}
			}
			t.Logf("%s, %d branches: %d messages", platform, n, len(parts))
		}
		check(wecom.Name, wecomParts(d), wecom.MaxMarkdownBytes)
		parts, titles := parts(dingtalk.New(), d)
		for _, title := range titles {
			if title != "全区周报 2026年第48周" {
				t.Errorf("title = %q", title)
			}
		}
		check(dingtalk.Name, parts, dingtalk.MaxMessageBytes)
		if n > say.MaxBranchLines && strings.Contains(strings.Join(parts, ""), "- 第1个") {
			t.Errorf("n=%d: branch lines beyond MaxBranchLines", n)
		}
	}
}

func bigDigest(n int) jinqiu.Digest {
	week, _ := jinqiu.ParseWeek("2026-W48", shanghai)
	d := jinqiu.Digest{From: week, To: week.AddDate(0, 0, 7), AsOf: week.AddDate(0, 0, 7), Year: 2026, Week: 48, InactiveDays: 60}
	for i := 0; i < n; i++ {
		f := jinqiu.Figures{Branches: 1, Members: 30, NewMembers: i % 3, ActiveMembers: 12, Activities: 2, Signups: 25, Attended: 20, Centihours: 1234, MeetingsDone: 1, MeetingsDue: 5}
		if len(d.Towns) == 0 || len(d.Towns[len(d.Towns)-1].Branches) == 20 {
			d.Towns = append(d.Towns, jinqiu.Town{Name: fmt.Sprintf("第%d街道", len(d.Towns)+1)})
		}
		tw := &d.Towns[len(d.Towns)-1]
		tw.Branches = append(tw.Branches, jinqiu.BranchFigures{ID: fmt.Sprint(i), Name: fmt.Sprintf("第%d个社区临时党支部👴🏻", i), Figures: f})
		tw.Figures.Branches++
		d.Total.Branches++
	}
	for i := 0; i < 10; i++ {
		d.Top = append(d.Top, jinqiu.TopVolunteer{Name: fmt.Sprint("志愿者", i), Branch: "某支部", Centihours: 1000 - i})
	}
	d.Meetings = []jinqiu.Compliance{{Kind: jinqiu.Committee, Every: jinqiu.Monthly, From: time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai), Done: 1, Due: n}}
	for i := 0; i < n/2; i++ {
		d.Meetings[0].Overdue = append(d.Meetings[0].Overdue, jinqiu.Overdue{Branch: fmt.Sprintf("第%d个社区临时党支部", i), From: time.Date(2026, 10, 1, 0, 0, 0, 0, shanghai)})
	}
	return d
}
