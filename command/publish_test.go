package command

import (
	"strings"
	"testing"
	"time"
)

// TestParsePublishDuration checks the length of an activity, as an amount
// (3小时) or as an end time (9点到11点), on 2026-11-28 from 09:00 unless said.
func TestParsePublishDuration(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in    string
		start string // clock on 2026-11-28; "" = starts_at left out
		dur   time.Duration
	}{
		{"明天上午9点 枣行社区 名额20 时长3小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区 名额20 3小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区 3个小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区 两个半小时", "09:00", 150 * time.Minute},
		{"明天上午9点 枣行社区 1个半小时", "09:00", 90 * time.Minute},
		{"明天上午9点 枣行社区 90分钟", "09:00", 90 * time.Minute},
		{"明天上午9点 枣行社区 半小时", "09:00", 30 * time.Minute},
		{"明天上午9点 枣行社区 活动时长：2小时", "09:00", 2 * time.Hour},
		{"明天上午9点 枣行社区 约3小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区 大约3个小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区 时长约3小时", "09:00", 3 * time.Hour},
		{"明天上午9点 枣行社区", "09:00", 0},
		// End times.
		{"明天上午9点到11点 枣行社区", "09:00", 2 * time.Hour},
		{"明天9点至11点 枣行社区", "09:00", 2 * time.Hour},
		{"明天9点-11点 枣行社区", "09:00", 2 * time.Hour},
		{"明天9:00-11:00 枣行社区", "09:00", 2 * time.Hour},
		{"明天9:00~11:30 枣行社区", "09:00", 150 * time.Minute},
		{"明天9点 到 11点 枣行社区", "09:00", 2 * time.Hour},
		{"明天上午9点到中午12点 枣行社区", "09:00", 3 * time.Hour},
		{"明天下午2点到4点 枣行社区", "14:00", 2 * time.Hour},
		{"明天上午10点到2点 枣行社区", "10:00", 4 * time.Hour},
		{"明天上午10点到下午2点半 枣行社区", "10:00", 270 * time.Minute},
		{"明晚7点到9点 枣行社区", "19:00", 2 * time.Hour},
		{"明天9点到11点 枣行社区 2小时", "09:00", 2 * time.Hour}, // both, agreeing
		// Unclear: the end before the start, or two lengths that differ.
		{"明天上午9点到8点 枣行社区", "", 0},
		{"明天下午3点到下午1点 枣行社区", "", 0},
		{"明天9点到11点 枣行社区 3小时", "", 0},
		{"明天9点 枣行社区 2小时 3小时", "", 0},
	} {
		t.Run(c.in, func(t *testing.T) {
			text := "发布活动 清理楼道 " + c.in
			got := Parse(text, now)
			if got.Intent != IntentPublishActivity || got.Title != "清理楼道" || got.Place != "枣行社区" {
				t.Fatalf("Parse(%q) = %s %q %q, want publish_activity 清理楼道 枣行社区", text, got.Intent, got.Title, got.Place)
			}
			want := ""
			if c.start != "" {
				want = "2026-11-28T" + c.start + ":00+08:00"
			}
			if s := fmtTime(got.StartsAt); s != want || got.Duration != c.dur {
				t.Errorf("Parse(%q) = starts %q duration %v, want %q %v", text, s, got.Duration, want, c.dur)
			}
			if strings.Contains(mustJSON(t, got), "duration") {
				t.Errorf("duration printed: %s", mustJSON(t, got))
			}
		})
	}
	// A bad end time or amount is not read at all, like a bad start.
	for _, in := range []string{"发布活动 读书会 明天9点到25点 图书馆", "发布活动 读书会 明天9点到11:60 图书馆", "发布活动 读书会 明天9点 图书馆 0小时"} {
		if got := Parse(in, now); got.Intent != IntentUnknown {
			t.Errorf("Parse(%q) = %s, want unknown", in, got.Intent)
		}
	}
}

// TestParsePublishDeadline checks the sign-up deadline forms.
func TestParsePublishDeadline(t *testing.T) {
	now := mustParseNow(t)
	for _, c := range []struct {
		in, deadline string // "" = none
	}{
		{"明天上午9点 枣行社区 报名截止明天8点", "2026-11-28T08:00:00+08:00"},
		{"明天上午9点 枣行社区 截止今晚8点", "2026-11-27T20:00:00+08:00"},
		{"明天上午9点 枣行社区 报名截止 今天下午5点", "2026-11-27T17:00:00+08:00"},
		{"明天上午9点 枣行社区 报名截止时间:今天下午5点", "2026-11-27T17:00:00+08:00"},
		{"明天上午9点 枣行社区 明天8点截止报名", "2026-11-28T08:00:00+08:00"},
		{"明天上午9点 枣行社区 今天18:00截止", "2026-11-27T18:00:00+08:00"},
		{"明天上午9点 枣行社区 截至今天", "2026-11-27T23:59:59+08:00"},        // a date alone: the end of the day
		{"明天上午9点 枣行社区 报名截止到11月27日", "2026-11-27T23:59:59+08:00"}, // 到 is a filler
		{"明天上午9点 枣行社区 报名截止8点", "2026-11-28T08:00:00+08:00"},      // a time alone: the activity's day
		{"明天上午9点 枣行社区 报名截止晚上8点", "2026-11-27T20:00:00+08:00"},    // … or the day before
		{"明天上午9点 枣行社区 报名截止27号", "2026-11-27T23:59:59+08:00"},
		{"明天上午9点 枣行社区 报名截止明天", "2026-11-28T23:59:59+08:00"}, // after the start: the handler refuses
		{"明天上午9点到11点 枣行社区 名额20 报名截止今晚8点", "2026-11-27T20:00:00+08:00"},
		{"明天上午9点 枣行社区", ""},
	} {
		t.Run(c.in, func(t *testing.T) {
			text := "发布活动 清理楼道 " + c.in
			got := Parse(text, now)
			if got.Intent != IntentPublishActivity || got.Title != "清理楼道" || got.Place != "枣行社区" ||
				fmtTime(got.StartsAt) != "2026-11-28T09:00:00+08:00" {
				t.Fatalf("Parse(%q) = %s %q %q %s, want publish_activity 清理楼道 枣行社区 at 09:00", text, got.Intent, got.Title, got.Place, fmtTime(got.StartsAt))
			}
			if d := fmtTime(got.Deadline); d != c.deadline {
				t.Errorf("Parse(%q).Deadline = %q, want %q", text, d, c.deadline)
			}
			if j := mustJSON(t, got); strings.Contains(j, "deadline") {
				t.Errorf("deadline printed: %s", j)
			}
		})
	}
	// A deadline that cannot be read is no guess.
	for _, in := range []string{"发布活动 清理楼道 明天上午9点 枣行社区 报名截止", "发布活动 清理楼道 明天上午9点 枣行社区 报名截止明天下午",
		"发布活动 清理楼道 明天上午9点 枣行社区 明晚截止", "发布活动 清理楼道 明天上午9点 枣行社区 报名截止2月30日"} {
		if got := Parse(in, now); got.Intent != IntentUnknown {
			t.Errorf("Parse(%q) = %s %q, want unknown", in, got.Intent, got.Place)
		}
	}
}

// TestParsePublishJSON: the new arguments stay out of `jinqiu parse`.
func TestParsePublishJSON(t *testing.T) {
	got := mustJSON(t, Parse("发布活动 清理楼道 明天上午9点到11点 枣行社区 名额20 报名截止今晚8点", mustParseNow(t)))
	want := `{"intent":"publish_activity","args":{"title":"清理楼道","starts_at":"2026-11-28T09:00:00+08:00","place":"枣行社区","capacity":20}}`
	if got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func mustJSON(tb testing.TB, c Command) string {
	tb.Helper()
	b, err := c.MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
