package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/jobs"
)

// With 主题党日 quarterly, the reminders, the digest and 三会一课 read one
// calendar: on 2026-11-20 all three say it was due on 2026-10-02, the
// first Friday of the quarter, and is overdue. (Before, 三会一课 said it
// was due on 12-31 and never overdue.)
func TestCalendarAgreesQuarterlyThemeDay(t *testing.T) {
	yaml := "storage:\n  dsn: " + filepath.Join(t.TempDir(), "j.db") + "\n" +
		"branches:\n  - {id: b1, name: 枣行社区临时党支部, kind: community, secretaries: [\"wecom:sec\"], groups: [{platform: wecom, chat_id: c1}]}\n" +
		"jobs:\n  schedule: {theme_day: quarterly, theme_day_on: first friday, lead_days: [7, 1]}\n"
	cfg, err := config.Parse([]byte(yaml), e2eNoEnv, registry())
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, cfg.Location)
	a.handlers.Now = func() time.Time { return now }
	due := time.Date(2026, 10, 2, 0, 0, 0, 0, cfg.Location)

	// 三会一课
	r, err := a.handlers.Handle(t.Context(), jinqiu.Message{Platform: wecom.Name, MsgID: "m1", ChatID: "c1", ChatType: jinqiu.ChatGroup, UserID: "sec", Text: "三会一课"})
	if err != nil || !strings.Contains(r.Text, "主题党日（10月2日，已过期）") {
		t.Errorf("三会一课 = %q %v, want 主题党日 due 10月2日 and overdue", r.Text, err)
	}
	// The digest.
	p, err := jobs.NewPlanner(planSettings(cfg))
	if err != nil {
		t.Fatal(err)
	}
	x := *a.reports
	x.Since, x.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, cfg.Location), func() time.Time { return now }
	d, err := x.Week(t.Context(), now, "b1")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range d.Meetings {
		if c.Kind == jinqiu.ThemeDay {
			found = len(c.Overdue) == 1 && c.Overdue[0].Deadline.Equal(due)
		}
	}
	if !found {
		t.Errorf("digest meetings = %+v, want 主题党日 overdue since 10-02", d.Meetings)
	}
	// The reminders: 7 days and 1 day before 10-02.
	var days []string
	for _, f := range p.MeetingFires(time.Date(2026, 9, 20, 0, 0, 0, 0, cfg.Location), time.Date(2026, 10, 3, 0, 0, 0, 0, cfg.Location)) {
		for _, m := range f.Meetings {
			if m.Kind == jinqiu.ThemeDay {
				if !m.Deadline.Equal(due) {
					t.Errorf("reminder on %s for a 主题党日 due %s", f.Slot, m.Deadline)
				}
				days = append(days, f.Slot.Format("01-02"))
			}
		}
	}
	if strings.Join(days, ",") != "09-25,10-01" {
		t.Errorf("主题党日 reminders on %v, want 09-25 and 10-01", days)
	}
}
