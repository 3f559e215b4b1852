package jinqiu_test

import (
	"testing"
	"time"

	"jinqiu"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestPeriodOf(t *testing.T) {
	for _, c := range []struct {
		period   jinqiu.Period
		today    time.Time
		from, to time.Time
	}{
		{jinqiu.Monthly, day(2026, 11, 27), day(2026, 11, 1), day(2026, 12, 1)},
		{jinqiu.Quarterly, day(2026, 11, 27), day(2026, 10, 1), day(2027, 1, 1)},
		{jinqiu.Quarterly, day(2026, 3, 31), day(2026, 1, 1), day(2026, 4, 1)},
		{jinqiu.Quarterly, day(2026, 4, 1), day(2026, 4, 1), day(2026, 7, 1)},
		{jinqiu.Yearly, day(2026, 11, 27), day(2026, 1, 1), day(2027, 1, 1)},
	} {
		from, to := jinqiu.PeriodOf(c.period, c.today)
		if !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("PeriodOf(%s, %s) = %s, %s", c.period, c.today.Format(time.DateOnly), from, to)
		}
	}
}

// The one calendar: with 主题党日 quarterly, on 2026-11-20 it was due on
// the first Friday of the quarter (2026-10-02) and is overdue; before this
// calendar, 三会一课 said 2026-12-31 and never overdue while the reminders
// and the digest said 2026-10-02.
func TestDueOnQuarterlyThemeDay(t *testing.T) {
	s := jinqiu.DefaultSchedule()
	s.Every[jinqiu.ThemeDay] = jinqiu.Quarterly
	today := day(2026, 11, 20)
	d, ok := s.DueOn(jinqiu.ThemeDay, today)
	if !ok || !d.From.Equal(day(2026, 10, 1)) || !d.To.Equal(day(2027, 1, 1)) || !d.Deadline.Equal(day(2026, 10, 2)) || !d.Overdue(today) {
		t.Fatalf("quarterly 主题党日 on 11-20 = %+v %v, want due 10-02 of Q4 and overdue", d, ok)
	}
	s.Every[jinqiu.ThemeDay] = jinqiu.Monthly
	if d, _ := s.DueOn(jinqiu.ThemeDay, today); !d.Deadline.Equal(day(2026, 11, 6)) {
		t.Fatalf("monthly 主题党日 = %s, want the first Friday of November", d.Deadline)
	}
	if d, _ := s.DueOn(jinqiu.Committee, today); !d.Deadline.Equal(day(2026, 11, 30)) || d.Overdue(today) {
		t.Fatalf("支委会 = %+v, want due on the month's last day", d)
	}
	s.Every[jinqiu.Lecture] = jinqiu.Off
	if _, ok := s.DueOn(jinqiu.Lecture, today); ok {
		t.Fatal("a kind that is off is due")
	}
}

func TestWeekMonthAndWeekStart(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	fri := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	if got := jinqiu.WeekStart(fri, sh); !got.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, sh)) {
		t.Errorf("WeekStart = %s, want Monday 11-23", got)
	}
	if from, to := jinqiu.Week(fri, -1); !from.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, sh)) || !to.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, sh)) {
		t.Errorf("last week = %s..%s", from, to)
	}
	if from, to := jinqiu.Month(fri, -1); !from.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, sh)) || !to.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, sh)) {
		t.Errorf("last month = %s..%s", from, to)
	}
	if mon, err := jinqiu.ParseWeek("2026-W48", sh); err != nil || !mon.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, sh)) {
		t.Errorf("ParseWeek = %s %v", mon, err)
	}
}
