package handlers

import (
	"jinqiu"
	"jinqiu/handlers/say"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// Limits are told, never silent: a capacity that is no number of places,
// an activity more than a year ahead, text over its length and a meeting
// before the bot kept records each get their reason, and change nothing.
func TestLimitsAreToldAndChangeNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "m1")
		w.h.Since = time.Date(2026, 9, 1, 8, 0, 0, 0, w.now.Location())
		long := strings.Repeat("长", jinqiu.MaxTitleRunes+1)
		note := strings.Repeat("扫", jinqiu.MaxNoteRunes+1)
		cases := []struct {
			user, text, want string
		}{
			{twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额-5", say.BadCapacity("名额-5", jinqiu.MaxCapacity)},
			{twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额0", say.BadCapacity("名额0", jinqiu.MaxCapacity)},
			{twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额99999999", say.BadCapacity("名额99999999", jinqiu.MaxCapacity)},
			{twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额1e9", say.BadCapacity("名额1e9", jinqiu.MaxCapacity)},
			{twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额10001", say.BadCapacity("名额10001", jinqiu.MaxCapacity)},
			{twSecA, "发布活动 " + long + " 明天上午9点 枣行社区 名额5", say.TooLong(say.FieldTitle, jinqiu.MaxTitleRunes+1, jinqiu.MaxTitleRunes, say.ExamplePublish)},
			{twSecA, "发布活动 清理楼道 2027-12-05 上午9点 枣行社区 名额5", twWords.PublishTooFar(time.Date(2027, 12, 5, 9, 0, 0, 0, w.now.Location()))},
			{"m1", "时长 2 " + note, say.TooLong(say.FieldNote, jinqiu.MaxNoteRunes+1, jinqiu.MaxNoteRunes, say.ExampleHours)},
			{twSecA, "已开会 支委会 2026-08-20", twWords.MeetingBeforeInstall(twDay(8, 20), twDay(9, 1))},
			{twSecA, "已开会 支委会 今天 " + note, say.TooLong(say.FieldTopic, jinqiu.MaxNoteRunes+1, jinqiu.MaxNoteRunes, say.ExampleMeeting)},
		}
		for _, c := range cases {
			before := w.snapshot()
			got := w.say(twChatA, c.user, c.text).Text
			if got != c.want {
				t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
			}
			if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
				t.Errorf("%q changed %v", c.text, ch)
			}
		}
		// At the limits, it is done.
		if r := w.say(twChatA, twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额10000"); !strings.HasPrefix(r.Text, "已发布") {
			t.Errorf("名额10000 = %q", r.Text)
		}
	})
}

// A date of another year carries its year in the reply.
func TestRepliesShowAnotherYear(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		r := w.say(twChatA, twSecA, "发布活动 迎新春写春联 2027年1月20日 14:00 文化站 名额25")
		if !strings.Contains(r.Text, "2027年1月20日") {
			t.Errorf("publish next year = %q, want the year named", r.Text)
		}
		r = w.say(twChatA, twSecA, "发布活动 读书会 12月20日 14:00 文化站 名额25")
		if !strings.Contains(r.Text, "12月20日") || strings.Contains(r.Text, "2026年") {
			t.Errorf("publish this year = %q, want no year", r.Text)
		}
	})
}
