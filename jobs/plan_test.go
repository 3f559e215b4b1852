package jobs_test

import (
	"fmt"
	"jinqiu"
	"sort"
	"strings"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/jobs"
	"jinqiu/storage"
)

// planYAML has a branch on the defaults and one that overrides most of
// them.
const planYAML = `
timezone: Asia/Shanghai
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
    schedule:
      committee: quarterly
      group: "off"
      lecture: yearly
      theme_day_on: "15"
      lead_days: [3, 0]
      at: "08:30"
`

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func mustConfig(tb testing.TB, yaml string) *config.Config {
	tb.Helper()
	cfg, err := config.Parse([]byte(yaml), func(string) (string, bool) { return "", false }, bot.Platforms{wecom.New(), dingtalk.New()})
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	return cfg
}

func mustPlanner(tb testing.TB, cfg *config.Config) *jobs.Planner {
	tb.Helper()
	// As cmd/jinqiu reads the configuration.
	st := jobs.Settings{
		Loc:             cfg.Location,
		Default:         cfg.Jobs.Schedule.Calendar(),
		EveningBefore:   config.Clock(cfg.Jobs.Activity.EveningBefore),
		LeadTime:        cfg.Jobs.Activity.LeadTime.D(),
		ActivityCatchUp: cfg.Jobs.Activity.CatchUp.D(),
		DigestCron:      cfg.Jobs.Digest.Cron,
		DigestCatchUp:   cfg.Jobs.Digest.CatchUp.D(),
	}
	for _, b := range cfg.Branches {
		st.Branches = append(st.Branches, jobs.PlanBranch{ID: b.ID, Name: b.Name, Schedule: cfg.ScheduleOf(b.ID).Calendar()})
	}
	p, err := jobs.NewPlanner(st)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// hostZone runs a test as if the host were in New York: nothing may depend
// on time.Local.
func hostZone(t *testing.T) {
	t.Helper()
	old := time.Local
	time.Local = mustZone("America/New_York")
	t.Cleanup(func() { time.Local = old })
}

// expectedReminders is the reference: every (branch, kind, deadline, lead)
// reminder, computed the long way round from the party's calendar rather
// than through the planner's period arithmetic.
func expectedReminders(from, to time.Time) []string {
	type sched struct {
		id     string
		freq   map[string]string
		theme  func(y int, m time.Month) time.Time
		leads  []int
		hh, mm int
	}
	firstFriday := func(y int, m time.Month) time.Time {
		for d := 1; ; d++ {
			t := time.Date(y, m, d, 0, 0, 0, 0, shanghai)
			if t.Weekday() == time.Friday {
				return t
			}
		}
	}
	the15th := func(y int, m time.Month) time.Time { return time.Date(y, m, 15, 0, 0, 0, 0, shanghai) }
	scheds := []sched{
		{"a", map[string]string{"branch_assembly": "quarterly", "committee": "monthly", "group": "monthly", "lecture": "quarterly", "theme_day": "monthly"}, firstFriday, []int{7, 1}, 9, 0},
		{"b", map[string]string{"branch_assembly": "quarterly", "committee": "quarterly", "lecture": "yearly", "theme_day": "monthly"}, the15th, []int{3, 0}, 8, 30},
	}
	var out []string
	for _, s := range scheds {
		minLead := min(s.leads[0], s.leads[1])
		for y := 2025; y <= 2027; y++ {
			for m := time.January; m <= time.December; m++ {
				lastDay := time.Date(y, m+1, 0, 0, 0, 0, 0, shanghai)
				for kind, f := range s.freq {
					var deadline time.Time
					switch {
					case kind == "theme_day":
						deadline = s.theme(y, m)
					case f == "monthly":
						deadline = lastDay
					case f == "quarterly" && m%3 == 0:
						deadline = lastDay
					case f == "yearly" && m == time.December:
						deadline = lastDay
					default:
						continue
					}
					for _, lead := range s.leads {
						d := deadline.AddDate(0, 0, -lead)
						slot := time.Date(d.Year(), d.Month(), d.Day(), s.hh, s.mm, 0, 0, shanghai)
						if slot.Before(from) || slot.After(to) {
							continue
						}
						out = append(out, fmt.Sprintf("%s %s %s %s lead=%d last=%v", slot.Format("2006-01-02T15:04-07:00"), s.id, kind, deadline.Format("2006-01-02"), lead, lead == minLead))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestRemindPlanYear2026(t *testing.T) {
	hostZone(t)
	p := mustPlanner(t, mustConfig(t, planYAML))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	to := time.Date(2026, 12, 31, 23, 59, 0, 0, shanghai)
	var got []string
	for _, f := range p.MeetingFires(from, to) {
		if f.Slot.Location() != shanghai && f.Slot.Location().String() != "Asia/Shanghai" {
			t.Fatalf("%s: slot in %v, want the configured zone", f.Job, f.Slot.Location())
		}
		for _, m := range f.Meetings {
			got = append(got, fmt.Sprintf("%s %s %s %s lead=%d last=%v", f.Slot.In(shanghai).Format("2006-01-02T15:04-07:00"),
				f.BranchID, m.Kind, m.Deadline.Format("2006-01-02"), m.Lead, m.Last))
		}
	}
	sort.Strings(got)
	want := expectedReminders(from, to)
	t.Logf("%d reminders planned in 2026 for 2 branches", len(got))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan differs from the reference (%d vs %d reminders):\n%s", len(got), len(want), diff(got, want))
	}
	// A few by hand, so that the reference itself is checked.
	for _, w := range []string{
		"2026-11-23T09:00+08:00 a committee 2026-11-30 lead=7 last=false", // 7 days before November ends
		"2026-11-29T09:00+08:00 a committee 2026-11-30 lead=1 last=true",  // the last one @-mentions
		"2026-02-27T09:00+08:00 a group 2026-02-28 lead=1 last=true",      // February's end
		"2026-11-27T09:00+08:00 a theme_day 2026-12-04 lead=7 last=false", // December's first Friday, from November
		"2026-12-25T09:00+08:00 a theme_day 2027-01-01 lead=7 last=false", // next year's first
		"2026-09-27T08:30+08:00 b committee 2026-09-30 lead=3 last=false", // quarterly override
		"2026-12-31T08:30+08:00 b lecture 2026-12-31 lead=0 last=true",    // yearly, on the day
		"2026-03-15T08:30+08:00 b theme_day 2026-03-15 lead=0 last=true",  // fixed date
	} {
		if !contains(got, w) {
			t.Errorf("missing %s", w)
		}
	}
	for _, g := range got {
		if strings.Contains(g, " b group ") {
			t.Errorf("branch b has 党小组会 off but got %s", g)
		}
	}
	// 09:00 in Shanghai is 01:00 UTC whatever the host's zone.
	for _, f := range p.MeetingFires(from, to) {
		if f.BranchID == "a" && (f.Slot.UTC().Hour() != 1 || f.Slot.UTC().Minute() != 0) {
			t.Fatalf("%s fires at %s UTC", f.Job, f.Slot.UTC())
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func diff(got, want []string) string {
	var b strings.Builder
	g, w := map[string]bool{}, map[string]bool{}
	for _, s := range got {
		g[s] = true
	}
	for _, s := range want {
		w[s] = true
	}
	n := 0
	for _, s := range got {
		if !w[s] && n < 20 {
			b.WriteString("+ " + s + "\n")
			n++
		}
	}
	for _, s := range want {
		if !g[s] && n < 40 {
			b.WriteString("- " + s + "\n")
			n++
		}
	}
	return b.String()
}

func TestRemindPlanActivitiesAndDigest(t *testing.T) {
	hostZone(t)
	p := mustPlanner(t, mustConfig(t, planYAML))
	start := time.Date(2026, 11, 28, 9, 0, 0, 0, shanghai) // Saturday 09:00
	acts := []storage.UpcomingActivity{
		{ID: 1, BranchID: "a", Title: "义务理发", StartsAt: start, CreatedAt: start.AddDate(0, 0, -5)},
		// Published at 20:00 the evening before: too late for the evening reminder.
		{ID: 2, BranchID: "a", Title: "清理楼道", StartsAt: start, CreatedAt: time.Date(2026, 11, 27, 20, 0, 0, 0, shanghai)},
		// Just after midnight: reminded at 18:00 two days before? No: the
		// evening before its day, and an hour before.
		{ID: 3, BranchID: "b", Title: "夜巡", StartsAt: time.Date(2026, 11, 29, 0, 30, 0, 0, shanghai), CreatedAt: start.AddDate(0, 0, -5)},
	}
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, shanghai)
	to := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	var got []string
	for _, f := range p.ActivityFires(acts, from, to) {
		got = append(got, f.Slot.In(shanghai).Format("01-02 15:04")+" "+f.Job)
	}
	want := []string{
		"11-27 18:00 activity:1:eve",
		"11-28 08:00 activity:1:soon",
		"11-28 08:00 activity:2:soon",
		"11-28 18:00 activity:3:eve",
		"11-28 23:30 activity:3:soon",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("activity fires:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The ranges storage is asked for cover every start the fires need.
	for _, tc := range []struct{ from, to time.Time }{
		{time.Date(2026, 11, 27, 17, 59, 0, 0, shanghai), time.Date(2026, 11, 27, 18, 0, 0, 0, shanghai)},
		{time.Date(2026, 11, 28, 7, 30, 0, 0, shanghai), time.Date(2026, 11, 28, 8, 0, 0, 0, shanghai)},
		{time.Date(2026, 11, 28, 23, 0, 0, 0, shanghai), time.Date(2026, 11, 28, 23, 31, 0, 0, shanghai)},
	} {
		rs := p.ActivityRanges(tc.from, tc.to)
		for _, f := range p.ActivityFires(acts, tc.from, tc.to) {
			in := false
			for _, r := range rs {
				in = in || (!f.Activity.StartsAt.Before(r[0]) && f.Activity.StartsAt.Before(r[1]))
			}
			if !in {
				t.Errorf("%s: start %s outside the ranges %v for [%s, %s]", f.Job, f.Activity.StartsAt, rs, tc.from, tc.to)
			}
		}
	}

	// The digest: every Monday 09:00 in Shanghai, covering the week before.
	ds := p.DigestFires(time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai), time.Date(2026, 12, 31, 23, 59, 0, 0, shanghai))
	if len(ds) != 52 {
		t.Fatalf("%d digests in 2026, want 52", len(ds))
	}
	for _, f := range ds {
		s := f.Slot.In(shanghai)
		if s.Weekday() != time.Monday || s.Hour() != 9 || s.Minute() != 0 || f.Slot.UTC().Hour() != 1 {
			t.Fatalf("digest slot %s", f.Slot)
		}
		if !f.Week.Equal(jinqiu.WeekStart(s, shanghai).AddDate(0, 0, -7)) {
			t.Fatalf("digest at %s covers %s", s, f.Week)
		}
	}
}

func TestDigestWeeks(t *testing.T) {
	hostZone(t)
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"2026-W48", "2026-11-23"},
		{"2026-W01", "2025-12-29"},
		{"2026-w53", ""}, // 2026 has 53 weeks? No: 2026 ends on a Thursday, so it has 53.
		{"2027-W53", ""},
		{"2026-48", ""},
	} {
		got, err := jinqiu.ParseWeek(tc.in, shanghai)
		switch {
		case tc.in == "2026-w53":
			// 2026-12-31 is a Thursday: ISO 2026 has 53 weeks.
			if err != nil || got.Format("2006-01-02") != "2026-12-28" {
				t.Errorf("%s = %s, %v", tc.in, got, err)
			}
		case tc.want == "":
			if err == nil {
				t.Errorf("%s = %s, want an error", tc.in, got)
			}
		default:
			if err != nil || got.Format("2006-01-02") != tc.want || got.Hour() != 0 || got.Location() != shanghai {
				t.Errorf("%s = %s, %v; want %s 00:00 Shanghai", tc.in, got, err, tc.want)
			}
		}
	}
	// Sunday 23:59:59 in Shanghai is still last week, though it is Sunday
	// afternoon in UTC and Sunday morning in New York.
	sun := time.Date(2026, 11, 29, 23, 59, 59, 0, shanghai)
	if got := jinqiu.WeekStart(sun.UTC(), shanghai); got.Format("2006-01-02") != "2026-11-23" {
		t.Errorf("week of %s = %s", sun, got)
	}
	mon := time.Date(2026, 11, 30, 0, 0, 1, 0, shanghai)
	if got := jinqiu.WeekStart(mon.UTC(), shanghai); got.Format("2006-01-02") != "2026-11-30" {
		t.Errorf("week of %s = %s", mon, got)
	}
}
