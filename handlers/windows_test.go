package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestCheckinWindow: a person signed up checks in from 30 minutes before
// the start to the end (14:30–17:00 here), both ends included; a walk-in
// (no sign-up) only while it runs (15:00–17:00), and their hours wait for
// the secretary.
func TestCheckinWindow(t *testing.T) {
	w := newTestWorld(t, storagetest.Open(t, storage.SQLite), nil)
	act := w.publish(twChatA, twSecA, "发布活动 清理楼道 今天下午3点 枣行社区 名额20")
	loc := w.h.loc()
	start := act.StartsAt.In(loc)
	opens, _ := CheckinWindow(act)
	const walkIn = "walk-in"
	for i, c := range []struct {
		at       time.Duration // from the start
		signedUp bool
		want     string
	}{
		{-31 * time.Minute, true, twWords.CheckinTooEarly(act, opens, loc)},
		{-30*time.Minute - time.Second, true, twWords.CheckinTooEarly(act, opens, loc)},
		{-30 * time.Minute, true, "ok"},
		{-30 * time.Minute, false, twWords.WalkInNotRunning(act, loc)},
		{-time.Second, false, twWords.WalkInNotRunning(act, loc)},
		{0, true, "ok"},
		{0, false, walkIn},
		{2 * time.Hour, true, "ok"},
		{2 * time.Hour, false, walkIn},
		{2*time.Hour + time.Second, true, say.CheckinClosed(act)},
		{2*time.Hour + time.Second, false, say.CheckinClosed(act)},
		{5 * time.Hour, true, say.CheckinClosed(act)},
	} {
		user := fmt.Sprintf("w%d", i)
		w.setNow(twStart(t))
		w.register(twChatA, user)
		if c.signedUp {
			w.say(twChatA, user, fmt.Sprintf("报名 %d", act.ID))
		}
		w.setNow(start.Add(c.at))
		got := w.say(twChatA, user, fmt.Sprintf("签到 %d", act.ID)).Text
		a, _ := w.db.Activity(twCtx, twA, act.ID)
		want := c.want
		switch want {
		case "ok":
			want = say.CheckedIn(twName(user), a)
		case walkIn:
			if !strings.Contains(got, "现场签到成功") || !strings.Contains(got, "已报给书记审核") {
				t.Errorf("walk-in at start%+v: %q", c.at, got)
			}
			want = got
		}
		if got != want {
			t.Errorf("signed up %v, at start%+v: %q, want %q", c.signedUp, c.at, got, want)
		}
		if want == say.CheckedIn(twName(user), a) || c.want == walkIn {
			if again := w.say(twChatA, user, "签到").Text; again != say.CheckedInAlready(a) {
				t.Errorf("second 签到 at start%+v: %q", c.at, again)
			}
		}
	}
	if n := w.count("SELECT COUNT(*) FROM checkins"); n != 5 {
		t.Errorf("checkins = %d, want 5", n)
	}
	if n := w.count("SELECT COUNT(*) FROM hours_reports WHERE state = 'pending' AND activity_id = ?", act.ID); n != 2 {
		t.Errorf("walk-ins' pending reports = %d, want 2", n)
	}
	// With no activity today at all.
	w.setNow(start.AddDate(0, 0, 1))
	if got := w.say(twChatA, "w0", "签到").Text; got != say.NothingToCheckIn() {
		t.Errorf("签到 on a day without activities = %q", got)
	}
}

// TestCheckHours: the limits on reported hours, as a table.
func TestCheckHours(t *testing.T) {
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ch   int
		on   time.Time
		want HoursProblem
	}{
		{200, today, HoursOK},
		{1200, today, HoursOK},
		{1201, today, HoursTooMany},
		{0, today, HoursMissing},
		{-100, today, HoursMissing},
		{100, today.AddDate(0, 0, 1), HoursFuture},
		{100, today.AddDate(0, 0, -31), HoursOK},
		{100, today.AddDate(0, 0, -32), HoursTooOld},
		{100, today.AddDate(-1, 0, 0), HoursTooOld},
	} {
		if got := CheckHours(c.ch, c.on, today); got != c.want {
			t.Errorf("CheckHours(%d, %s) = %q, want %q", c.ch, c.on.Format(time.DateOnly), got, c.want)
		}
	}
}

// TestReportHoursRules: the same limits through Handle, with the day total
// (12 h, auto-credited hours included) checked by storage.
func TestReportHoursRules(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "m1")
		today := calendarDay(w.clock())
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
		ok := "reported"
		for _, c := range []struct {
			text string
			want string
		}{
			{"时长 13", twWords.HoursDayLimit(today, 0, 1200)},
			{"明天服务了2小时", twWords.BadDate("report_hours", "明天", command.BadDateFuture)},
			{"10月26日 服务2小时", twWords.BadDate("report_hours", "10月26日", command.BadDateTooFar)},
			// With its year a date is taken as written, and the limit told.
			{"2026年10月26日 服务2小时", twWords.HoursTooOld(day(10, 26), 31)},
			{"10月27日 服务2小时", ok},
			{"时长", say.HoursNeedNumber()},
			{"时长 10 打扫楼道", ok},
			{"时长 2.5", twWords.HoursDayLimit(today, 1000, 1200)},
			{"时长 2", ok},
			{"时长 半小时", twWords.HoursDayLimit(today, 1200, 1200)},
			{"昨天服务了两个半小时", ok},
		} {
			before := w.snapshot()
			got := w.say(twChatA, "m1", c.text).Text
			changed := twChanged(before, w.snapshot())
			if c.want == ok {
				if len(changed) == 0 {
					t.Errorf("%q: %q, want it recorded", c.text, got)
				}
				continue
			}
			if got != c.want || len(changed) > 0 {
				t.Errorf("%q: %q (wrote %v), want %q", c.text, got, changed, c.want)
			}
		}
	})
}

// TestSignupClosed: no sign-up after the deadline or the start.
func TestSignupClosed(t *testing.T) {
	w := newTestWorld(t, storagetest.Open(t, storage.SQLite), nil)
	w.register(twChatA, "m1")
	start := w.clock().Add(3 * time.Hour)
	act, err := w.db.PublishActivity(twCtx, jinqiu.Actor{UserID: twSecA}, "", storage.NewActivity{
		BranchID: twA, Title: "植树", StartsAt: start, EndsAt: start.Add(jinqiu.DefaultDuration), Deadline: start.Add(-time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	w.setNow(start.Add(-time.Hour))
	if got := w.say(twChatA, "m1", fmt.Sprintf("报名 %d", act.ID)).Text; got != say.SignupClosed(act) {
		t.Errorf("at the deadline: %q", got)
	}
	w.setNow(start.Add(-time.Hour - time.Second))
	if got := w.say(twChatA, "m1", fmt.Sprintf("报名 %d", act.ID)).Text; got != twWords.SignedUp(twName("m1"), act, w.h.loc()) {
		t.Errorf("just before the deadline: %q", got)
	}
	w.setNow(start)
	if got := w.say(twChatA, "m1", fmt.Sprintf("取消报名 %d", act.ID)).Text; got != say.ActivityStarted(act) {
		t.Errorf("cancel after the start: %q", got)
	}
}
