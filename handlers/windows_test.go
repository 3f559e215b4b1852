package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestCheckinWindow: check-in is open from 30 minutes before the start to
// 30 minutes after the end (15:00–17:00 here), both ends included.
func TestCheckinWindow(t *testing.T) {
	w := newTestWorld(t, storagetest.Open(t, storage.SQLite), nil)
	act := w.publish(twChatA, twSecA, "发布活动 清理楼道 今天下午3点 枣行社区")
	loc := w.h.loc()
	start := act.StartsAt.In(loc)
	opens, _ := CheckinWindow(act)
	for i, c := range []struct {
		at   time.Duration // from the start
		want string
	}{
		{-31 * time.Minute, twWords.CheckinTooEarly(act, opens, loc)},
		{-30*time.Minute - time.Second, twWords.CheckinTooEarly(act, opens, loc)},
		{-30 * time.Minute, "ok"},
		{0, "ok"},
		{2 * time.Hour, "ok"},
		{2*time.Hour + 30*time.Minute, "ok"},
		{2*time.Hour + 30*time.Minute + time.Second, say.CheckinClosed(act)},
		{5 * time.Hour, say.CheckinClosed(act)},
	} {
		user := fmt.Sprintf("w%d", i)
		w.setNow(twStart(t))
		w.register(twChatA, user)
		w.setNow(start.Add(c.at))
		want := c.want
		if want == "ok" {
			want = say.CheckedIn(twName(user), act, 200)
		}
		for _, text := range []string{fmt.Sprintf("签到 %d", act.ID), "签到"} {
			if got := w.say(twChatA, user, text).Text; got != want {
				t.Errorf("%q at start%+v: %q, want %q", text, c.at, got, want)
			}
			if want != twWords.CheckinTooEarly(act, opens, loc) && want != say.CheckinClosed(act) {
				want = say.CheckedInAlready(act) // once per person and activity
			}
		}
	}
	if n := w.count("SELECT COUNT(*) FROM checkins"); n != 4 {
		t.Errorf("checkins = %d, want 4", n)
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
			{"明天服务了2小时", twWords.HoursFuture(day(11, 28))},
			{"10月26日 服务2小时", twWords.HoursTooOld(day(10, 26), 31)},
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
