package handlers

import (
	"strings"
	"testing"
	"time"

	"jinqiu/config"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func twDay(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

func TestMeetingPeriod(t *testing.T) {
	for _, c := range []struct {
		period   string
		today    time.Time
		from, to time.Time
		ok       bool
	}{
		{config.PeriodMonthly, twDay(11, 27), twDay(11, 1), twDay(12, 1), true},
		{config.PeriodQuarterly, twDay(11, 27), twDay(10, 1), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{config.PeriodQuarterly, twDay(3, 31), twDay(1, 1), twDay(4, 1), true},
		{config.PeriodQuarterly, twDay(4, 1), twDay(4, 1), twDay(7, 1), true},
		{config.PeriodYearly, twDay(11, 27), twDay(1, 1), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{config.PeriodOff, twDay(11, 27), time.Time{}, time.Time{}, false},
	} {
		from, to, ok := MeetingPeriod(c.period, c.today)
		if !from.Equal(c.from) || !to.Equal(c.to) || ok != c.ok {
			t.Errorf("MeetingPeriod(%s, %s) = %s, %s, %v", c.period, c.today.Format(time.DateOnly), from, to, ok)
		}
	}
}

// TestMeetingStatusSchedules: which kinds are done and which due, per
// schedule, on Friday 2026-11-27 (4th quarter; 主题党日 on the first Friday,
// 11-06, by default).
func TestMeetingStatusSchedules(t *testing.T) {
	held := func(kind string, on time.Time) storage.Meeting { return storage.Meeting{Kind: kind, HeldOn: on} }
	def := config.DefaultSchedule()
	custom := def
	custom.Committee, custom.Group, custom.BranchAssembly, custom.ThemeDayOn = config.PeriodQuarterly, config.PeriodOff, config.PeriodYearly, "28"
	type item struct {
		kind           string
		done           bool
		due            time.Time
		overdue        bool
		heldOnWhenDone time.Time
	}
	for _, c := range []struct {
		name     string
		schedule config.Schedule
		held     []storage.Meeting
		want     []item
	}{
		{"nothing held", def, nil, []item{
			{storage.MeetingBranchAssembly, false, twDay(12, 31), false, time.Time{}},
			{storage.MeetingCommittee, false, twDay(11, 30), false, time.Time{}},
			{storage.MeetingGroup, false, twDay(11, 30), false, time.Time{}},
			{storage.MeetingLecture, false, twDay(12, 31), false, time.Time{}},
			{storage.MeetingThemeDay, false, twDay(11, 6), true, time.Time{}},
		}},
		{"some held, some in earlier periods", def, []storage.Meeting{
			held(storage.MeetingCommittee, twDay(10, 20)), // last month: does not count
			held(storage.MeetingCommittee, twDay(11, 18)),
			held(storage.MeetingLecture, twDay(10, 30)), // this quarter
			held(storage.MeetingGroup, twDay(9, 30)),    // last quarter and month
			held(storage.MeetingThemeDay, twDay(11, 6)),
			held(storage.MeetingBranchAssembly, twDay(11, 3)),
		}, []item{
			{storage.MeetingBranchAssembly, true, twDay(12, 31), false, twDay(11, 3)},
			{storage.MeetingCommittee, true, twDay(11, 30), false, twDay(11, 18)},
			{storage.MeetingGroup, false, twDay(11, 30), false, time.Time{}},
			{storage.MeetingLecture, true, twDay(12, 31), false, twDay(10, 30)},
			{storage.MeetingThemeDay, true, twDay(11, 6), false, twDay(11, 6)},
		}},
		{"custom schedule", custom, []storage.Meeting{
			held(storage.MeetingCommittee, twDay(10, 2)),
			held(storage.MeetingBranchAssembly, twDay(3, 2)),
		}, []item{
			{storage.MeetingBranchAssembly, true, twDay(12, 31), false, twDay(3, 2)},
			{storage.MeetingCommittee, true, twDay(12, 31), false, twDay(10, 2)},
			{storage.MeetingLecture, false, twDay(12, 31), false, time.Time{}},
			{storage.MeetingThemeDay, false, twDay(11, 28), false, time.Time{}}, // the 28th is tomorrow
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := meetingStatus(c.schedule, twDay(11, 27), c.held)
			if len(got) != len(c.want) {
				t.Fatalf("items = %+v", got)
			}
			for i, w := range c.want {
				g := got[i]
				if g.Kind != w.kind || g.Done != w.done || !g.DueBy.Equal(w.due) || g.Overdue != w.overdue || !g.HeldOn.Equal(w.heldOnWhenDone) {
					t.Errorf("%s = %+v, want %+v", w.kind, g, w)
				}
			}
		})
	}
}

// TestMeetingsThroughHandle: recording, a repeat, the branch's status and
// the bureau's overview with a per-branch schedule.
func TestMeetingsThroughHandle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.h.Schedule = func(branch string) config.Schedule {
			s := config.DefaultSchedule()
			if branch == twB { // B only owes a yearly branch assembly
				s.Committee, s.Group, s.Lecture, s.ThemeDay, s.BranchAssembly = config.PeriodOff, config.PeriodOff, config.PeriodOff, config.PeriodOff, config.PeriodYearly
			}
			return s
		}
		r := w.say(twChatA, twSecA, "已开 支部委员会 11月18号")
		m, _, _ := db.RecordMeeting(twCtx, storage.Actor{}, "", storage.NewMeeting{BranchID: twA, Kind: storage.MeetingCommittee, HeldOn: twDay(11, 18)})
		if r.Text != twWords.sayMeetingRecorded(m) {
			t.Errorf("record = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "已开会 支委会 11月18日"); r.Text != twWords.sayMeetingRecordedAlready(m) {
			t.Errorf("repeat = %q", r.Text)
		}
		// 12月3日 without a year is the latest on or before today: 2025's,
		// outside this year's figures, and the reply says which year.
		if r := w.say(twChatA, twSecA, "已开会 党课 12月3日"); !strings.HasPrefix(r.Text, "已记录：2025年12月3日 党课") {
			t.Errorf("12月3日 = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "已开会"); r.Text != sayMeetingNeedKind() {
			t.Errorf("no kind = %q", r.Text)
		}
		r = w.say(twChatA, twSecA, "三会一课")
		if !strings.Contains(r.Text, "已开：支委会（11月18日）") || !strings.Contains(r.Text, "主题党日（11月6日，已过期）") || !strings.HasPrefix(r.Markdown, "**【"+twNameA) {
			t.Errorf("status = %q / %q", r.Text, r.Markdown)
		}
		w.say(twChatB, twSecB, "已召开 支部党员大会 3月2日")
		if r := w.say(twChatB, twSecB, "开会情况"); !strings.Contains(r.Text, "待开：都开齐了") {
			t.Errorf("B status = %q", r.Text)
		}
		r = w.say(twChatBur, twAdmin, "三会一课")
		if !strings.Contains(r.Text, "共 2 个支部") || !strings.Contains(r.Text, "还没开齐（1 个）："+twNameA+"（") || strings.Contains(r.Text, twNameB) {
			t.Errorf("overview = %q", r.Text)
		}
		for _, who := range []string{"m1", twSecB} {
			if r := w.say(twChatA, who, "三会一课"); r.Text != sayNotSecretary() {
				t.Errorf("%s in A = %q", who, r.Text)
			}
		}
		if r := w.say(twChatA, twSecA, "月报"); !strings.Contains(r.Text, "本期开过：支委会") {
			t.Errorf("branch digest = %q", r.Text)
		}
		if r := w.say(twChatBur, twAdmin, "上个月的月报"); !strings.HasPrefix(r.Text, "全区上月（10月1日–10月31日）") {
			t.Errorf("bureau digest = %q", r.Text)
		}
	})
}

func TestDigestPeriod(t *testing.T) {
	loc := twStart(t).Location()
	now := twStart(t) // Friday 2026-11-27
	for _, c := range []struct {
		week     bool
		offset   int
		from, to string
	}{
		{true, 0, "2026-11-23", "2026-11-30"},
		{true, -1, "2026-11-16", "2026-11-23"},
		{false, 0, "2026-11-01", "2026-12-01"},
		{false, -1, "2026-10-01", "2026-11-01"},
	} {
		from, to := DigestPeriod(c.week, c.offset, now)
		if got := from.Format(time.DateOnly) + " " + to.Format(time.DateOnly); got != c.from+" "+c.to || from.Location().String() != loc.String() || from.Hour() != 0 {
			t.Errorf("DigestPeriod(%v, %d) = %s – %s", c.week, c.offset, from, to)
		}
	}
}
