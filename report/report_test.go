package report_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

var sh = time.FixedZone("CST", 8*3600)

// TestReportOfAMonthAndABranch: 月报 is the same aggregation as the weekly
// digest over a month: a branch's figures, the kinds it held in the month,
// counted up to now; the lines of the district; an unknown branch is not
// found. A quarterly 主题党日 of one branch follows its own schedule.
func TestReportOfAMonthAndABranch(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, sh)
		db.Now = func() time.Time { return now }
		if err := db.SyncConfig(ctx, []storage.BranchSpec{
			{Branch: jinqiu.Branch{ID: "a", Name: "枣行社区", Town: "城关街道", Kind: jinqiu.Community}},
			{Branch: jinqiu.Branch{ID: "b", Name: "史家庄村", Town: "王庄镇", Kind: jinqiu.Rural}},
		}, nil); err != nil {
			t.Fatal(err)
		}
		for i, who := range []string{"u1", "u2"} {
			if _, err := db.Register(ctx, jinqiu.Actor{Platform: "wecom", UserID: who, MsgID: "r" + who}, who, []string{"a", "b"}[i], now.AddDate(0, 0, -3)); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []storage.NewMeeting{
			{BranchID: "a", Kind: jinqiu.Committee, HeldOn: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)},
			{BranchID: "a", Kind: jinqiu.Lecture, HeldOn: time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)}, // last month
		} {
			if _, _, err := db.RecordMeeting(ctx, jinqiu.Actor{Platform: "wecom", UserID: "sec", MsgID: "m" + string(m.Kind)}, "书记", m); err != nil {
				t.Fatal(err)
			}
		}
		quarterly := jinqiu.DefaultSchedule()
		quarterly.Every = map[jinqiu.MeetingKind]jinqiu.Period{jinqiu.ThemeDay: jinqiu.Quarterly}
		x := &report.Reporter{DB: db, Loc: sh, Default: jinqiu.DefaultSchedule(), Schedules: map[string]jinqiu.Schedule{"b": quarterly},
			Now: db.Now, Since: time.Date(2026, 1, 1, 0, 0, 0, 0, sh)}
		from, to := jinqiu.Month(now, 0)

		d, err := x.Digest(ctx, from, to, "a")
		if err != nil {
			t.Fatal(err)
		}
		if d.BranchName != "枣行社区" || d.Total.Members != 1 || d.Total.NewMembers != 1 || !d.AsOf.Equal(now) ||
			len(d.Held) != 1 || d.Held[0] != jinqiu.Committee {
			t.Errorf("branch month = %+v", d)
		}

		all, err := x.Digest(ctx, from, to, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Lines) != 2 || all.Lines[0].Kind != jinqiu.Community || all.Lines[1].Kind != jinqiu.Rural || all.Total.Branches != 2 || len(all.Held) != 0 {
			t.Errorf("district month = %+v", all)
		}
		// b's 主题党日 is quarterly: due on the first Friday of October,
		// missed, and so overdue since 10-02; nothing else is due for b.
		var themeDay []jinqiu.Overdue
		for _, c := range all.Meetings {
			if c.Kind == jinqiu.ThemeDay && c.Every == jinqiu.Quarterly {
				themeDay = c.Overdue
			}
		}
		if len(themeDay) != 1 || themeDay[0].BranchID != "b" || !themeDay[0].Deadline.Equal(time.Date(2026, 10, 2, 0, 0, 0, 0, sh)) {
			t.Errorf("b's quarterly 主题党日 overdue = %+v", themeDay)
		}
		for _, t2 := range all.Towns {
			for _, b := range t2.Branches {
				if b.ID == "b" && b.MeetingsDue != 1 {
					t.Errorf("b has %d meetings due, want 1 (only the quarterly 主题党日)", b.MeetingsDue)
				}
			}
		}

		if _, err := x.Digest(ctx, from, to, "nope"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a digest of an unknown branch: %v, want not found", err)
		}
	})
}
