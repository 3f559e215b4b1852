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

// nationalDay2026 is the part of the State Council's 2026 calendar around
// 国庆: 中秋 9月25日–27日 and 国庆 10月1日–7日 off, Sunday 9月20日 and
// Saturday 10月10日 worked.
func nationalDay2026() jinqiu.WorkCalendar {
	var off []time.Time
	for d := 25; d <= 27; d++ {
		off = append(off, day(2026, 9, d))
	}
	for d := 1; d <= 7; d++ {
		off = append(off, day(2026, 10, d))
	}
	return jinqiu.NewWorkCalendar(off, []time.Time{day(2026, 9, 20), day(2026, 10, 10)})
}

func TestWorkCalendarAddWorkingDays(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal := nationalDay2026()
	for _, c := range []struct {
		name     string
		cal      jinqiu.WorkCalendar
		from     time.Time
		n        int
		want     time.Time
		weekdays time.Time // the same count on Monday to Friday alone
	}{
		// Wednesday 9月30日: 10月1日–7日 are off, Thursday 8日 and Friday 9日
		// count, and the make-up Saturday 10日 is the third.
		{"published the day before 国庆", cal, day(2026, 9, 30), 3, day(2026, 10, 10), day(2026, 10, 5)},
		// Friday 9月18日: the make-up Sunday 20日 counts, then Monday and Tuesday.
		{"over the make-up Sunday", cal, day(2026, 9, 18), 3, day(2026, 9, 22), day(2026, 9, 23)},
		// Wednesday 9月23日: Thursday 24日, then 中秋 from Friday 25日; the
		// 28日, 29日 follow.
		{"over 中秋", cal, day(2026, 9, 23), 3, day(2026, 9, 29), day(2026, 9, 28)},
		{"no holiday near", cal, day(2026, 11, 27), 3, day(2026, 12, 2), day(2026, 12, 2)},
		{"in the zone", cal, time.Date(2026, 9, 30, 0, 0, 0, 0, sh), 3, time.Date(2026, 10, 10, 0, 0, 0, 0, sh), time.Date(2026, 10, 5, 0, 0, 0, 0, sh)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cal.AddWorkingDays(c.from, c.n); !got.Equal(c.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", c.from.Format(time.DateOnly), c.n, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
			}
			if got := jinqiu.AddWorkingDays(c.from, c.n); !got.Equal(c.weekdays) {
				t.Errorf("without holidays: AddWorkingDays(%s, %d) = %s, want %s", c.from.Format(time.DateOnly), c.n, got.Format(time.DateOnly), c.weekdays.Format(time.DateOnly))
			}
		})
	}
}

func TestWorkCalendarIsWorkingDay(t *testing.T) {
	cal := nationalDay2026()
	for d, want := range map[time.Time]bool{
		day(2026, 10, 1):  false, // a holiday on a Thursday
		day(2026, 10, 4):  false, // a holiday on a Sunday
		day(2026, 10, 8):  true,  // the Thursday after
		day(2026, 10, 10): true,  // the make-up Saturday
		day(2026, 10, 11): false, // an ordinary Sunday
		day(2026, 9, 20):  true,  // the make-up Sunday
	} {
		if got := cal.IsWorkingDay(d); got != want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", d.Format(time.DateOnly), d.Weekday(), got, want)
		}
	}
	if (jinqiu.WorkCalendar{}).IsWorkingDay(day(2026, 10, 1)) != true {
		t.Error("the zero calendar knows no holiday: 10月1日 (a Thursday) is a working day")
	}
}
