package handlers

import (
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func twDay(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

// TestMeetingStatusSchedules: which kinds are done and which due, per
// schedule, on Friday 2026-11-27 (4th quarter; 主题党日 on the first Friday,
// 11-06, by default).
func TestMeetingStatusSchedules(t *testing.T) {
	held := func(kind jinqiu.MeetingKind, on time.Time) jinqiu.Meeting {
		return jinqiu.Meeting{Kind: kind, HeldOn: on}
	}
	def := jinqiu.DefaultSchedule()
	custom := jinqiu.DefaultSchedule()
	custom.Every[jinqiu.Committee], custom.Every[jinqiu.PartyGroup], custom.Every[jinqiu.BranchAssembly] = jinqiu.Quarterly, jinqiu.Off, jinqiu.Yearly
	custom.ThemeDay = jinqiu.DayRule{Day: 28}
	type item struct {
		kind           jinqiu.MeetingKind
		done           bool
		due            time.Time
		overdue        bool
		heldOnWhenDone time.Time
	}
	for _, c := range []struct {
		name     string
		schedule jinqiu.Schedule
		held     []jinqiu.Meeting
		want     []item
	}{
		{"nothing held", def, nil, []item{
			{jinqiu.BranchAssembly, false, twDay(12, 31), false, time.Time{}},
			{jinqiu.Committee, false, twDay(11, 30), false, time.Time{}},
			{jinqiu.PartyGroup, false, twDay(11, 30), false, time.Time{}},
			{jinqiu.Lecture, false, twDay(12, 31), false, time.Time{}},
			{jinqiu.ThemeDay, false, twDay(11, 6), true, time.Time{}},
		}},
		{"some held, some in earlier periods", def, []jinqiu.Meeting{
			held(jinqiu.Committee, twDay(10, 20)), // last month: does not count
			held(jinqiu.Committee, twDay(11, 18)),
			held(jinqiu.Lecture, twDay(10, 30)),   // this quarter
			held(jinqiu.PartyGroup, twDay(9, 30)), // last quarter and month
			held(jinqiu.ThemeDay, twDay(11, 6)),
			held(jinqiu.BranchAssembly, twDay(11, 3)),
		}, []item{
			{jinqiu.BranchAssembly, true, twDay(12, 31), false, twDay(11, 3)},
			{jinqiu.Committee, true, twDay(11, 30), false, twDay(11, 18)},
			{jinqiu.PartyGroup, false, twDay(11, 30), false, time.Time{}},
			{jinqiu.Lecture, true, twDay(12, 31), false, twDay(10, 30)},
			{jinqiu.ThemeDay, true, twDay(11, 6), false, twDay(11, 6)},
		}},
		{"custom schedule", custom, []jinqiu.Meeting{
			held(jinqiu.Committee, twDay(10, 2)),
			held(jinqiu.BranchAssembly, twDay(3, 2)),
		}, []item{
			{jinqiu.BranchAssembly, true, twDay(12, 31), false, twDay(3, 2)},
			{jinqiu.Committee, true, twDay(12, 31), false, twDay(10, 2)},
			{jinqiu.Lecture, false, twDay(12, 31), false, time.Time{}},
			{jinqiu.ThemeDay, false, twDay(11, 28), false, time.Time{}}, // the 28th is tomorrow
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.schedule.Status(twDay(11, 27), c.held)
			if len(got) != len(c.want) {
				t.Fatalf("items = %+v", got)
			}
			for i, w := range c.want {
				g := got[i]
				if g.Kind != w.kind || g.Done != w.done || !g.Deadline.Equal(w.due) || g.Overdue != w.overdue || !g.HeldOn.Equal(w.heldOnWhenDone) {
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
		w.h.Schedule = func(branch string) jinqiu.Schedule {
			s := jinqiu.DefaultSchedule()
			if branch == twB { // B only owes a yearly branch assembly
				s.Every = map[jinqiu.MeetingKind]jinqiu.Period{jinqiu.BranchAssembly: jinqiu.Yearly}
			}
			return s
		}
		r := w.say(twChatA, twSecA, "已开 支部委员会 11月18号")
		m, _, _ := db.RecordMeeting(twCtx, jinqiu.Actor{}, "", storage.NewMeeting{BranchID: twA, Kind: jinqiu.Committee, HeldOn: twDay(11, 18)})
		if r.Text != twWords.MeetingRecorded(m) {
			t.Errorf("record = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "已开会 支委会 11月18日"); r.Text != twWords.MeetingRecordedAlready(m) {
			t.Errorf("repeat = %q", r.Text)
		}
		// 12月3日 without a year has not come yet: never a year back.
		before := w.snapshot()
		if r := w.say(twChatA, twSecA, "已开会 党课 12月3日"); r.Text != twWords.BadDate("record_meeting", "12月3日", command.BadDateFuture) {
			t.Errorf("12月3日 = %q", r.Text)
		}
		if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
			t.Errorf("12月3日 changed %v", ch)
		}
		if r := w.say(twChatA, twSecA, "已开会"); r.Text != say.MeetingNeedKind() {
			t.Errorf("no kind = %q", r.Text)
		}
		r = w.say(twChatA, twSecA, "三会一课")
		if !strings.Contains(r.Text, "已开：支委会（11月18日）") || !strings.Contains(r.Text, "主题党日（11月6日，已过期）") || !strings.HasPrefix(r.Markdown, "**【"+twNameA) {
			t.Errorf("status = %q / %q", r.Text, r.Markdown)
		}
		w.say(twChatB, twSecB, "已召开 支部党员大会 2026年3月2日")
		if r := w.say(twChatB, twSecB, "开会情况"); !strings.Contains(r.Text, "待开：都开齐了") {
			t.Errorf("B status = %q", r.Text)
		}
		r = w.say(twChatBur, twAdmin, "三会一课")
		if !strings.Contains(r.Text, "共 2 个支部") || !strings.Contains(r.Text, "还没开齐（1 个）："+twNameA+"（") || strings.Contains(r.Text, twNameB) {
			t.Errorf("overview = %q", r.Text)
		}
		for _, who := range []string{"m1", twSecB} {
			if r := w.say(twChatA, who, "三会一课"); r.Text != say.NotSecretary() {
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
		from, to := jinqiu.Month(now, c.offset)
		if c.week {
			from, to = jinqiu.Week(now, c.offset)
		}
		if got := from.Format(time.DateOnly) + " " + to.Format(time.DateOnly); got != c.from+" "+c.to || from.Location().String() != loc.String() || from.Hour() != 0 {
			t.Errorf("DigestPeriod(%v, %d) = %s – %s", c.week, c.offset, from, to)
		}
	}
}
