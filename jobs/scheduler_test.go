package jobs_test

import (
	"fmt"
	"jinqiu"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/handlers/say"
	"jinqiu/jobs"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

const yearYAML = planYAML + `
dingtalk:
  robots: []
`

// recordPlan is when each branch records which meeting in the year test:
// held_on days; the record exists from 12:00 that day.
func recordPlan() map[string][]time.Time {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, shanghai) }
	plan := map[string][]time.Time{}
	for m := time.January; m <= time.December; m++ {
		if m%2 == 1 {
			plan["a committee"] = append(plan["a committee"], d(m, 10)) // odd months early
		} else {
			plan["a theme_day"] = append(plan["a theme_day"], d(m, 2)) // even months, before their 1-day reminder (or not)
		}
		if m%3 == 1 {
			for _, k := range []string{"branch_assembly", "committee", "lecture"} {
				plan["b "+k] = append(plan["b "+k], d(m, 5))
			}
		}
		if m <= time.June {
			plan["b theme_day"] = append(plan["b theme_day"], d(m, 15)) // on the day, after the 08:30 reminder
		}
	}
	return plan
}

// TestRemindYearFollowsTheRecords runs the scheduler over 2026 with a
// clock that ticks every 15 minutes, recording meetings as the year goes,
// and checks every reminder against the rule: each configured reminder,
// on its day and time in Shanghai, only while the meeting is unrecorded for
// its period; the last one @-mentions the secretary.
func TestRemindYearFollowsTheRecords(t *testing.T) {
	hostZone(t)
	db := storagetest.Open(t, storage.SQLite)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, shanghai)
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, shanghai)
	w := newWorld(t, db, yearYAML, start)
	s := w.scheduler("r1")

	type rec struct {
		branch string
		kind   jinqiu.MeetingKind
		on     time.Time
	}
	var recs []rec
	for k, days := range recordPlan() {
		bk := strings.Fields(k)
		for _, d := range days {
			recs = append(recs, rec{bk[0], jinqiu.MeetingKind(bk[1]), d})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].on.Before(recs[j].on) })
	recorded := func(branch string, kind jinqiu.MeetingKind, from, to, by time.Time) bool {
		for _, r := range recs {
			if r.branch == branch && r.kind == kind && !r.on.Before(from) && r.on.Before(to) && !r.on.Add(12*time.Hour).After(by) {
				return true
			}
		}
		return false
	}

	next := 0
	ticks := 0
	for now := start; now.Before(end); now = now.Add(15 * time.Minute) {
		for next < len(recs) && !recs[next].on.Add(12*time.Hour).After(now) {
			w.meeting(t, recs[next].branch, recs[next].kind, recs[next].on)
			next++
		}
		w.clock.Set(now)
		if _, err := s.Tick(ctx); err != nil {
			t.Fatalf("tick at %s: %v", now, err)
		}
		ticks++
	}

	// What the rule says: from the planner's fires (checked against the
	// calendar in TestRemindPlanYear2026) and the records.
	want := map[string]string{}
	fires := 0
	for _, f := range w.plan.MeetingFires(start, end.Add(-time.Minute)) {
		fires++
		var kinds []string
		last := false
		for _, m := range f.Meetings {
			from, to := jinqiu.PeriodOf(m.Period, m.Deadline)
			if recorded(f.BranchID, m.Kind, from, to, f.Slot) {
				continue
			}
			kinds = append(kinds, say.Kind(m.Kind))
			last = last || m.Last
		}
		if len(kinds) == 0 {
			continue
		}
		mention := ""
		if last && f.BranchID == "a" {
			mention = " @sec-a"
		}
		chat := map[string]string{"a": "wecom/ca", "b": "wecom/cb"}[f.BranchID]
		want[f.Slot.In(shanghai).Format("2006-01-02 15:04")+" "+chat] = strings.Join(kinds, ",") + mention
	}
	got := map[string]string{}
	for _, m := range w.outbox(t) {
		var kinds []string
		for _, l := range strings.Split(m.reply.Text, "\n") {
			for _, k := range jinqiu.MeetingKinds() {
				if strings.HasPrefix(l, "· "+say.Kind(k)+"：") || (k == jinqiu.ThemeDay && strings.HasPrefix(l, "· ") && strings.Contains(l, "主题党日")) {
					kinds = append(kinds, say.Kind(k))
				}
			}
		}
		mention := ""
		if len(m.reply.Mentions) > 0 {
			mention = " @" + strings.Join(m.reply.Mentions, " @")
		}
		key := m.slot.In(shanghai).Format("2006-01-02 15:04") + " " + m.chat
		if _, dup := got[key]; dup {
			t.Errorf("two reminders for %s", key)
		}
		got[key] = strings.Join(kinds, ",") + mention
		if !m.row.CreatedAt.Equal(m.slot) {
			t.Errorf("%s: written at %s, not at its slot", key, m.row.CreatedAt)
		}
	}
	var bad []string
	for k, v := range want {
		if got[k] != v {
			bad = append(bad, fmt.Sprintf("%s: got %q, want %q", k, got[k], v))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			bad = append(bad, fmt.Sprintf("%s: got %q, want nothing", k, v))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d reminders differ from the rule:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	// Spot checks of the rule itself.
	for k, v := range map[string]string{
		"2026-11-23 09:00 wecom/ca": "党小组会",                      // 支委会 recorded on 11-10; 7 days before: no mention
		"2026-11-29 09:00 wecom/ca": "党小组会 @sec-a",               // the last one @-mentions
		"2026-12-24 09:00 wecom/ca": "支部党员大会,支委会,党小组会,党课",        // the quarter and the month end together
		"2026-12-30 09:00 wecom/ca": "支部党员大会,支委会,党小组会,党课 @sec-a", //
		"2026-12-03 09:00 wecom/ca": "",                          // December's 主题党日 (12-04) recorded on 12-02
		"2026-11-05 09:00 wecom/ca": "主题党日 @sec-a",               // November's (11-06): a records only in even months
		"2026-09-27 08:30 wecom/cb": "",                          // b recorded Q3's on 07-05
		"2026-12-28 08:30 wecom/cb": "",                          // and Q4's on 10-05
		"2026-08-12 08:30 wecom/cb": "主题党日",                      // b records 主题党日 only until June
		"2026-05-15 08:30 wecom/cb": "主题党日",                      // the reminder on the day goes before the 12:00 record
	} {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	runs, _ := db.JobRuns(ctx, "meetings:")
	for _, r := range runs {
		if r.State != storage.JobDone {
			t.Errorf("run %s %s is %s", r.Job, r.Slot, r.State)
		}
	}
	if len(runs) != fires {
		t.Errorf("%d meeting slots claimed, want %d (every fire, sent or not)", len(runs), fires)
	}
	t.Logf("%d ticks, %d meeting fires, %d reminders sent", ticks, fires, len(got))
}

// TestRemindCatchUpAfterDowntime is figure F16: with every replica down
// across two reminder slots and a digest, a restart of two replicas at once
// sends the 5-minute-late reminder and the digest exactly once, and records
// the 25-minute-late reminder as missed without sending it.
func TestRemindCatchUpAfterDowntime(t *testing.T) {
	const yaml = `
timezone: Asia/Shanghai
bureau:
  groups: [{platform: wecom, chat_id: bureau, webhook_key: kbu}]
branches:
  - id: early
    name: 早支部
    groups: [{platform: wecom, chat_id: c-early, webhook_key: k1}]
    schedule: {at: "09:00", catch_up: 15m}
  - id: late
    name: 晚支部
    groups: [{platform: wecom, chat_id: c-late, webhook_key: k2}]
    schedule: {at: "09:20", catch_up: 15m}
jobs:
  digest: {cron: "0 9 * * 1", catch_up: 24h}
`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hostZone(t)
		// Monday 2026-11-23: 7 days before November's end, and digest day.
		mon := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
		w := newWorld(t, db, yaml, mon.Add(-6*24*time.Hour))
		// The service ran last week: its last claimed slot is the 11-17
		// 09:00? No reminder was due then; claim an activity-free digest
		// of the week before, so the database shows when it last ran.
		w.clock.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, shanghai))
		if _, err := w.scheduler("old").Tick(ctx); err != nil {
			t.Fatal(err)
		}
		// Down from then until 09:25 on Monday. Two replicas start at once.
		w.clock.Set(time.Date(2026, 11, 23, 9, 25, 0, 0, shanghai))
		var wg sync.WaitGroup
		results := make([]jobs.TickResult, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := w.scheduler(fmt.Sprint("r", i)).Tick(ctx)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			}()
		}
		wg.Wait()
		byChat := map[string]int{}
		for _, m := range w.outbox(t) {
			if m.slot.After(mon) {
				byChat[m.chat]++
			}
		}
		if byChat["wecom/c-late"] != 1 {
			t.Errorf("5-minute-late reminder written %d times, want 1", byChat["wecom/c-late"])
		}
		if byChat["wecom/c-early"] != 0 {
			t.Errorf("25-minute-late reminder written %d times, want 0 (missed)", byChat["wecom/c-early"])
		}
		if byChat["wecom/bureau"] != 1 {
			t.Errorf("digest written %d times, want 1", byChat["wecom/bureau"])
		}
		states := map[string]string{}
		runs, _ := db.JobRuns(ctx, "")
		for _, r := range runs {
			states[r.Job+" "+r.Slot.In(shanghai).Format("01-02 15:04")] = r.State
		}
		for k, v := range map[string]string{
			"meetings:early 11-23 09:00": storage.JobMissed,
			"meetings:late 11-23 09:20":  storage.JobDone,
			"digest 11-23 09:00":         storage.JobDone,
			"digest 11-16 09:00":         storage.JobDone,
		} {
			if states[k] != v {
				t.Errorf("%s = %q, want %q (all: %v)", k, states[k], v, states)
			}
		}
		sum := jobs.TickResult{}
		for _, r := range results {
			sum.Claimed += r.Claimed
			sum.Missed += r.Missed
			sum.Taken += r.Taken
		}
		if sum.Claimed != 2 || sum.Missed != 1 {
			t.Errorf("replicas claimed %d and missed %d slots, want 2 and 1: %+v", sum.Claimed, sum.Missed, results)
		}
		// Later ticks change nothing.
		w.clock.Set(time.Date(2026, 11, 23, 9, 40, 0, 0, shanghai))
		if r, err := w.scheduler("r3").Tick(ctx); err != nil || r.Claimed+r.Missed != 0 {
			t.Errorf("a later tick did %+v, %v", r, err)
		}
	})
}

// TestRemindOlderSlotsAreMissed: after days down, only the newest slot of a
// job inside its window is sent; the older ones are recorded missed.
func TestRemindOlderSlotsAreMissed(t *testing.T) {
	const yaml = `
timezone: Asia/Shanghai
branches:
  - id: a
    name: 甲支部
    groups: [{platform: wecom, chat_id: ca, webhook_key: k1}]
    schedule: {lead_days: [2, 1, 0], catch_up: 72h}
`
	db := storagetest.Open(t, storage.SQLite)
	w := newWorld(t, db, yaml, time.Date(2026, 11, 20, 9, 0, 0, 0, shanghai))
	s := w.scheduler("r1")
	if _, err := s.Tick(ctx); err != nil { // a run before the outage: the database shows it
		t.Fatal(err)
	}
	w.meeting(t, "a", jinqiu.BranchAssembly, time.Date(2026, 11, 2, 0, 0, 0, 0, shanghai))
	w.clock.Set(time.Date(2026, 11, 30, 12, 0, 0, 0, shanghai)) // 28th, 29th and 30th 09:00 were missed
	r, err := w.scheduler("r2").Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := w.outbox(t)
	if len(out) != 1 || out[0].slot.In(shanghai).Day() != 30 {
		t.Fatalf("sent %v, want only the 30th's reminder", out)
	}
	if !strings.Contains(out[0].reply.Text, "今天截止") {
		t.Errorf("reminder = %q", out[0].reply.Text)
	}
	if r.Missed != 2 || r.Claimed != 2 {
		t.Errorf("tick = %+v, want 2 missed and 2 claimed (the 30th's reminder and that Monday's digest)", r)
	}
}

// TestRemindActivitySignees: the evening before and an hour before, each
// group of the branch gets one reminder that @-mentions the confirmed
// signees on its platform and names the others.
func TestRemindActivitySignees(t *testing.T) {
	const yaml = `
timezone: Asia/Shanghai
dingtalk:
  api_base: https://oapi.dingtalk.com
branches:
  - id: a
    name: 甲支部
    groups:
      - {platform: wecom, chat_id: ca, webhook_key: k1}
      - {platform: dingtalk, chat_id: da, webhook: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: SECx}
    schedule: {committee: "off", group: "off", branch_assembly: "off", lecture: "off", theme_day: "off"}
`
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		hostZone(t)
		created := time.Date(2026, 11, 20, 10, 0, 0, 0, shanghai)
		w := newWorld(t, db, yaml, created)
		starts := time.Date(2026, 11, 28, 9, 30, 0, 0, shanghai)
		act := w.activity(t, "a", "义务理发", "社区活动室", starts, created, "open")
		gone := w.activity(t, "a", "取消了的", "", starts, created, "cancelled")
		late := w.activity(t, "a", "临时加的", "", starts, time.Date(2026, 11, 27, 19, 0, 0, 0, shanghai), "open")
		zhang := w.member(t, "wecom", "zhang", "张大爷", "a", created)
		li := w.member(t, "wecom", "li", "李阿姨", "a", created)
		wang := w.member(t, "dingtalk", "wang", "王伯", "a", created)
		zhao := w.member(t, "wecom", "zhao", "赵叔", "a", created)
		w.signup(t, act, zhang, "confirmed", 1, created)
		w.signup(t, act, li, "confirmed", 2, created)
		w.signup(t, act, wang, "confirmed", 3, created)
		w.signup(t, act, zhao, "waiting", 4, created)
		w.signup(t, gone, zhang, "confirmed", 1, created)
		w.signup(t, late, li, "confirmed", 1, created)

		s := w.scheduler("r1")
		for _, at := range []time.Time{
			time.Date(2026, 11, 27, 17, 59, 0, 0, shanghai),
			time.Date(2026, 11, 27, 18, 0, 0, 0, shanghai),
			time.Date(2026, 11, 27, 18, 1, 0, 0, shanghai),
			time.Date(2026, 11, 28, 8, 30, 0, 0, shanghai),
			time.Date(2026, 11, 28, 8, 31, 0, 0, shanghai),
		} {
			w.clock.Set(at)
			if _, err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got := map[string]string{}
		for _, m := range w.outbox(t) {
			got[m.job+" "+m.slot.In(shanghai).Format("01-02 15:04")+" "+m.chat] = strings.Join(m.reply.Mentions, ",") + " | " + m.reply.Text
		}
		if len(got) != 6 {
			t.Errorf("%d reminders, want 6 (evening and hour before to both groups, and the late one's hour before to both): %v", len(got), got)
		}
		eve := got[fmt.Sprintf("activity:%d:eve 11-27 18:00 wecom/ca", act)]
		if !strings.HasPrefix(eve, "zhang,li | ") || !strings.Contains(eve, "明天 09:30") || !strings.Contains(eve, "已报名：王伯") ||
			!strings.Contains(eve, fmt.Sprintf("签到 %d", act)) || strings.Contains(eve, "赵叔") {
			t.Errorf("evening reminder to wecom = %q", eve)
		}
		if dd := got[fmt.Sprintf("activity:%d:eve 11-27 18:00 dingtalk/da", act)]; !strings.HasPrefix(dd, "wang | ") || !strings.Contains(dd, "张大爷、李阿姨") {
			t.Errorf("evening reminder to dingtalk = %q", dd)
		}
		if soon := got[fmt.Sprintf("activity:%d:soon 11-28 08:30 wecom/ca", act)]; !strings.Contains(soon, "今天 09:30") || !strings.Contains(soon, "马上开始") {
			t.Errorf("hour-before reminder = %q", soon)
		}
		for k := range got {
			if strings.HasPrefix(k, fmt.Sprintf("activity:%d:", gone)) || strings.HasPrefix(k, fmt.Sprintf("activity:%d:eve", late)) {
				t.Errorf("unexpected %s", k)
			}
		}
		if _, ok := got[fmt.Sprintf("activity:%d:soon 11-28 08:30 wecom/ca", late)]; !ok {
			t.Errorf("the activity published after 18:00 gets no hour-before reminder: %v", got)
		}
	})
}

// TestRemindDryRunWritesNothing: the dry run shows the reminders of a slot
// and who gets them, and claims nothing.
func TestRemindDryRunWritesNothing(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	w := newWorld(t, db, planYAML, at)
	s := w.scheduler("dry")
	ps, err := s.DryRun(ctx, at, at.Add(time.Minute-1))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || len(ps[0].Rows) != 1 || ps[0].Fire.Job != "meetings:a" {
		t.Fatalf("dry run = %+v", ps)
	}
	if !strings.Contains(ps[0].Rows[0].Body, "sec-a") {
		t.Errorf("the last reminder does not mention the secretary: %s", ps[0].Rows[0].Body)
	}
	runs, _ := db.JobRuns(ctx, "")
	counts, _ := db.OutboxCounts(ctx)
	if len(runs) != 0 || len(counts) != 0 {
		t.Errorf("dry run wrote %v and %v", runs, counts)
	}
}

// TestSchedReplicasClaimOnce is figure F8 in small: three replicas whose
// clocks are skewed by ±1.5 s tick around every slot of a day of
// reminders; each slot is claimed once and each group gets one row.
func TestSchedReplicasClaimOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("timezone: Asia/Shanghai\nbranches:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  - id: b%d\n    name: 支部%d\n    groups: [{platform: wecom, chat_id: c%d, webhook_key: k%d}]\n", i, i, i, i)
	}
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		base := time.Date(2026, 11, 23, 8, 59, 0, 0, shanghai)
		w := newWorld(t, db, b.String(), base)
		var wg sync.WaitGroup
		for r, skew := range []time.Duration{-1500 * time.Millisecond, 0, 1500 * time.Millisecond} {
			s := w.scheduler(fmt.Sprint("r", r))
			s.Now = func() time.Time { return w.clock.Now().Add(skew) }
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 4 {
					s.Now = func() time.Time { return base.Add(time.Duration(i)*time.Minute + skew) }
					if _, err := s.Tick(ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		out := w.outbox(t)
		if len(out) != 20 {
			t.Errorf("%d rows, want 20", len(out))
		}
		runs, _ := db.JobRuns(ctx, "meetings:")
		if len(runs) != 20 {
			t.Errorf("%d runs, want 20", len(runs))
		}
	})
}
