package handlers

import (
	"strconv"
	"testing"
	"time"

	"jinqiu/handlers/say"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestCancelByDayAndCapitalNumerals: 取消 明天的报名 cancels the sign-up of
// tomorrow's one activity the member signed up for; 报名 and 签到 with a
// number in 大写 (叁) act on that activity as 3 would.
func TestCancelByDayAndCapitalNumerals(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil) // Friday 10:00
		w.register(twChatA, "m1")
		w.register(twChatA, twSecA)
		tomorrow := w.publish(twChatA, twSecA, "发布活动 植树 明天上午9点 社区广场 名额5")
		w.say(twChatA, "m1", "报名 "+strconv.FormatInt(tomorrow.ID, 10))
		a, _ := db.Activity(twCtx, twA, tomorrow.ID)
		if r := w.say(twChatA, "m1", "取消 明天的报名"); r.Text != say.CancelledSignup(a) {
			t.Errorf("取消 明天的报名 = %q", r.Text)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = 'confirmed'", tomorrow.ID); n != 0 {
			t.Errorf("%d confirmed sign-ups after 取消 明天的报名, want 0", n)
		}

		other := w.publish(twChatA, twSecA, "发布活动 读书会 今天上午10点30分 社区广场 名额5")
		taiji := w.publish(twChatA, twSecA, "发布活动 太极拳 今天上午10点30分 活动室 名额5")
		capital := map[int64]string{2: "贰", 3: "叁", 4: "肆"}[taiji.ID]
		if capital == "" {
			t.Fatalf("太极拳 is activity %d; the test writes 2 to 4 in 大写", taiji.ID)
		}
		w.say(twChatA, "m1", "报名 "+capital)
		if n := w.count("SELECT COUNT(*) FROM signups WHERE activity_id = ? AND state = 'confirmed'", taiji.ID); n != 1 {
			t.Errorf("报名 %s: %d sign-ups of activity %d, want 1", capital, n, taiji.ID)
		}
		w.setNow(taiji.StartsAt.Add(10 * time.Minute))
		a, _ = db.Activity(twCtx, twA, taiji.ID)
		if r := w.say(twChatA, "m1", "签到 "+capital); r.Text != say.CheckedIn(twName("m1"), a) {
			t.Errorf("签到 %s = %q", capital, r.Text)
		}
		if got, rest := w.count("SELECT COUNT(*) FROM checkins WHERE activity_id = ?", taiji.ID),
			w.count("SELECT COUNT(*) FROM checkins WHERE activity_id = ?", other.ID); got != 1 || rest != 0 {
			t.Errorf("check-ins: %d of 太极拳, %d of 读书会; want 1 and 0", got, rest)
		}
	})
}
