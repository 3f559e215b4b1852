package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
	"strings"
	"testing"
	"time"
)

// TestPublishDuration: 3小时 makes the activity end 3 h after its start,
// check-in credits 3 h, and the reply shows the end time.
func TestPublishDuration(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		loc := w.h.loc()
		w.register(twChatA, twSecA)
		w.register(twChatA, "m1")
		act := w.publish(twChatA, twSecA, "发布活动 清理楼道 明天上午9点 枣行社区 名额20 时长3小时")
		if act.Place != "枣行社区" || act.EndsAt.Sub(act.StartsAt) != 3*time.Hour || act.Centihours() != 300 {
			t.Fatalf("published %+v", act)
		}
		if r := twWords.Published(act, loc); !strings.Contains(r, "09:00–12:00") {
			t.Errorf("reply = %q, want the end time 12:00", r)
		}
		id := fmt.Sprint(act.ID)
		w.say(twChatA, "m1", "报名 "+id)
		w.setNow(act.StartsAt.In(loc).Add(-10 * time.Minute))
		a, _ := db.Activity(twCtx, twA, act.ID)
		if got := w.say(twChatA, "m1", "签到 "+id).Text; got != say.CheckedIn(twName("m1"), a) {
			t.Errorf("check-in = %q, want credited 3 h", got)
		}
		// 9点到11点: 2 h.
		b := w.publish(twChatA, twSecA, "发布活动 读书会 后天9:00-11:30 图书馆")
		if b.EndsAt.Sub(b.StartsAt) != 150*time.Minute {
			t.Errorf("9:00-11:30 published %v–%v", b.StartsAt, b.EndsAt)
		}
	})
}

// TestPublishRefusals: too long, or a deadline not before the start or
// already past: nothing is published, the reply says why.
func TestPublishRefusals(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		loc := w.h.loc()
		w.register(twChatA, twSecA)
		before := w.snapshot()
		start := time.Date(2026, 11, 28, 9, 0, 0, 0, loc)
		for _, c := range []struct{ in, want string }{
			{"发布活动 清理楼道 明天上午9点 枣行社区 13小时", say.PublishTooLong(jinqiu.MaxDayCentihours)},
			{"发布活动 清理楼道 明天早上6点到晚上8点 枣行社区", say.PublishTooLong(jinqiu.MaxDayCentihours)},
			{"发布活动 清理楼道 明天上午9点 枣行社区 报名截止明天", twWords.PublishDeadlineAfterStart(time.Date(2026, 11, 28, 23, 59, 59, 0, loc), start)},
			{"发布活动 清理楼道 明天上午9点 枣行社区 报名截止明天9点", twWords.PublishDeadlineAfterStart(start, start)},
			{"发布活动 清理楼道 明天上午9点 枣行社区 报名截止今天上午8点", twWords.PublishDeadlinePast(time.Date(2026, 11, 27, 8, 0, 0, 0, loc))},
			{"发布活动 清理楼道 明天上午9点到8点 枣行社区", say.PublishNeedMore()},
		} {
			if got := w.say(twChatA, twSecA, c.in).Text; got != c.want {
				t.Errorf("%q: reply %q, want %q", c.in, got, c.want)
			}
		}
		after := w.snapshot()
		delete(before, "inbound")
		delete(after, "inbound")
		if ch := twChanged(before, after); len(ch) != 0 {
			t.Errorf("refusals changed %v", ch)
		}
	})
}

// TestPublishDeadline: the deadline is stored, shown, and closes sign-up.
func TestPublishDeadline(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		loc := w.h.loc()
		w.register(twChatA, twSecA)
		w.register(twChatA, "m1")
		w.register(twChatA, "m2")
		r := w.say(twChatA, twSecA, "发布活动 清理楼道 明天上午9点到11点 枣行社区 名额20 报名截止今晚8点")
		var id int64
		if _, err := fmt.Sscanf(r.Text, "已发布 %d号活动", &id); err != nil {
			t.Fatalf("reply %q", r.Text)
		}
		act, err := db.Activity(twCtx, twA, id)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Date(2026, 11, 27, 20, 0, 0, 0, loc)
		if !act.SignupDeadline.Valid || !act.SignupDeadline.Time.Equal(deadline) || act.EndsAt.Sub(act.StartsAt) != 2*time.Hour {
			t.Fatalf("published %+v", act)
		}
		if r.Text != twWords.Published(act, loc) || !strings.Contains(r.Text, "09:00–11:00") || !strings.Contains(r.Text, "报名截止：11月27日 周五 20:00") {
			t.Errorf("reply = %q", r.Text)
		}
		w.setNow(deadline.Add(-time.Minute))
		if got := w.say(twChatA, "m1", fmt.Sprintf("报名 %d", id)).Text; got != twWords.SignedUp(twName("m1"), act, loc) {
			t.Errorf("before the deadline: %q", got)
		}
		w.setNow(deadline)
		if got := w.say(twChatA, "m2", fmt.Sprintf("报名 %d", id)).Text; got != say.SignupClosed(act) {
			t.Errorf("at the deadline: %q", got)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE activity_id = ?", id); n != 1 {
			t.Errorf("%d sign-ups, want 1", n)
		}
	})
}
