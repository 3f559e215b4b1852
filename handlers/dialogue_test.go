package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"os"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

// twEachStore runs fn with a world on SQLite whose dialogues live in memory,
// and again in Redis when JINQIU_TEST_REDIS_ADDR names one.
func twEachStore(t *testing.T, fn func(t *testing.T, w *testWorld)) {
	t.Run("memory", func(t *testing.T) { fn(t, newTestWorld(t, storagetest.Open(t, storage.SQLite), nil)) })
	t.Run("redis", func(t *testing.T) {
		addr := os.Getenv("JINQIU_TEST_REDIS_ADDR")
		if addr == "" {
			storagetest.Skip(t, "Redis dialogue tests need JINQIU_TEST_REDIS_ADDR, e.g. 127.0.0.1:6379")
		}
		b := make([]byte, 6)
		rand.Read(b)
		r := state.NewRedis(addr, "", 0).WithPrefix("jinqiu-test:" + hex.EncodeToString(b) + ":")
		if err := r.Ping(twCtx); err != nil {
			t.Fatalf("redis at %s: %v", addr, err)
		}
		t.Cleanup(func() { r.Close() })
		fn(t, newTestWorld(t, storagetest.Open(t, storage.SQLite), r))
	})
}

// twTwoActivities publishes two activities tomorrow in A.
func twTwoActivities(w *testWorld) (jinqiu.Activity, jinqiu.Activity) {
	return w.publish(twChatA, twSecA, "发布活动 植树 明天上午9点 社区广场 名额5"),
		w.publish(twChatA, twSecA, "发布活动 金秋讲堂 明天下午2点半 老年大学 名额5")
}

func TestDialogueSignupPick(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		w.register(twChatA, "m1")
		a1, a2 := twTwoActivities(w)
		loc := w.h.loc()
		r := w.say(twChatA, "m1", "报名")
		ids, ls := w.h.options(&scene{w: twWords}, []jinqiu.Activity{a1, a2})
		if r.Text != say.PickSignup(ls) || len(ids) != 2 {
			t.Fatalf("报名 = %q", r.Text)
		}
		before := w.snapshot()
		for _, text := range []string{"99", "今天天气不错"} {
			if r := w.say(twChatA, "m1", text); r.Text != say.DialogueAgain(a1.ID) {
				t.Errorf("%q = %q, want asked again", text, r.Text)
			}
		}
		// Another person, or the same person in another chat, is not in it.
		if r := w.say(twChatA, "m2", fmt.Sprint(a2.ID)); r.Text != say.Unknown(say.Guest) { // m2 has not registered
			t.Errorf("m2's number = %q", r.Text)
		}
		if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
			t.Errorf("asking again wrote to %v", ch)
		}
		if r := w.say(twChatA, "m1", fmt.Sprintf("%d号", a2.ID)); r.Text != twWords.SignedUp(twName("m1"), a2, loc) {
			t.Errorf("pick = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", fmt.Sprint(a1.ID)); r.Text != say.Unknown(say.Member) {
			t.Errorf("after the dialogue ended, a number = %q", r.Text)
		}
		// Now only a1 is left to sign up for: a guess that needs a yes.
		if r := w.say(twChatA, "m1", "我要报名"); r.Text != twWords.ConfirmSignup(a1, loc) {
			t.Fatalf("single candidate = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", "是"); r.Text != twWords.SignedUp(twName("m1"), a1, loc) {
			t.Errorf("是 = %q", r.Text)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 2 {
			t.Errorf("signups = %d", n)
		}
	})
}

func TestDialogueStopAndReplace(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		w.register(twChatA, "m1")
		a1, _ := twTwoActivities(w)
		loc := w.h.loc()
		w.say(twChatA, "m1", fmt.Sprintf("报名 %d", a1.ID))
		if r := w.say(twChatA, "m1", "不去了"); r.Text != twWords.ConfirmCancelSignup(a1, loc) {
			t.Fatalf("不去了 = %q", r.Text)
		}
		before := w.snapshot()
		for _, stop := range []string{"算了", "取消"} {
			if stop == "取消" {
				w.say(twChatA, "m1", "取消报名")
			}
			if r := w.say(twChatA, "m1", stop); r.Text != say.DialogueEnded() {
				t.Errorf("%s = %q", stop, r.Text)
			}
		}
		if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
			t.Errorf("stopping wrote to %v", ch)
		}
		// A new command replaces the dialogue.
		w.say(twChatA, "m1", "取消报名")
		if r := w.say(twChatA, "m1", "活动"); !strings.Contains(r.Text, "近期活动") {
			t.Errorf("活动 in a dialogue = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", "是"); r.Text != say.Unknown(say.Member) {
			t.Errorf("是 after it was replaced = %q", r.Text)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 1 {
			t.Errorf("the sign-up was cancelled without a yes")
		}
	})
}

func TestDialogueExpires(t *testing.T) {
	w := newTestWorld(t, storagetest.Open(t, storage.SQLite), nil)
	w.register(twChatA, "m1")
	w.register(twChatA, "m2")
	a1 := w.publish(twChatA, twSecA, "发布活动 植树 明天上午9点 社区广场 名额5")
	w.say(twChatA, "m1", "报名")
	w.say(twChatA, "m2", "报名")
	w.advance(DialogueTTL - time.Second)
	if r := w.say(twChatA, "m1", "是"); r.Text != twWords.SignedUp(twName("m1"), a1, w.h.loc()) {
		t.Errorf("是 just in time = %q", r.Text)
	}
	w.advance(2 * time.Second)
	if r := w.say(twChatA, "m2", "是"); r.Text != say.Unknown(say.Member) {
		t.Errorf("是 after %v = %q", DialogueTTL+time.Second, r.Text)
	}
	if n := w.count("SELECT COUNT(*) FROM signups"); n != 1 {
		t.Errorf("signups = %d, want 1", n)
	}
}

func TestDialogueHours(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		w.register(twChatA, "m1")
		w.say(twChatA, "m1", "时长 2 打扫楼道")
		w.say(twChatA, "m1", "昨天服务了3小时")
		pending, _ := w.db.PendingReports(twCtx, twA, 10)
		if len(pending) != 2 {
			t.Fatalf("pending = %+v", pending)
		}
		// 驳回 N asks for the reason; free text is the reason.
		if r := w.say(twChatA, twSecA, fmt.Sprintf("驳回 %d", pending[0].ID)); r.Text != twWords.RejectAskReason(pending[0]) {
			t.Fatalf("驳回 N = %q", r.Text)
		}
		r := w.say(twChatA, twSecA, "时长填错了")
		rep, _ := w.db.HoursReport(twCtx, twA, pending[0].ID)
		if rep.State != jinqiu.HoursRejected || rep.Reason != "时长填错了" || r.Text != say.Rejected(rep, 1) {
			t.Errorf("reject = %+v, reply %q", rep, r.Text)
		}
		q := w.outbox()
		if len(q) != 1 || q[0].Reply.Mentions[0] != "m1" || !strings.Contains(q[0].Reply.Text, "原因：时长填错了") {
			t.Errorf("notice = %+v", q)
		}
		// 通过 with one pending: a guess that needs a yes.
		if r := w.say(twChatA, twSecA, "审核通过"); r.Text != twWords.ConfirmApprove(pending[1]) {
			t.Fatalf("通过 = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "是的"); !strings.HasPrefix(r.Text, "已通过") {
			t.Errorf("是的 = %q", r.Text)
		}
		// 驳回 with nothing named lists, then asks the reason.
		w.say(twChatA, "m1", "时长 1")
		w.say(twChatA, "m1", "时长 1.5")
		pending, _ = w.db.PendingReports(twCtx, twA, 10)
		r = w.say(twChatA, twSecA, "驳回")
		if !strings.HasPrefix(r.Text, "待审核的时长（回复编号即驳回）：") {
			t.Fatalf("驳回 = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, fmt.Sprintf("第%d条", pending[1].ID)); r.Text != twWords.RejectAskReason(pending[1]) {
			t.Fatalf("pick = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "算了"); r.Text != say.DialogueEnded() {
			t.Errorf("算了 = %q", r.Text)
		}
		if rep, _ := w.db.HoursReport(twCtx, twA, pending[1].ID); rep.State != jinqiu.HoursPending {
			t.Errorf("stopped rejection changed the report: %+v", rep)
		}
	})
}

func TestDialogueRegisterAndCheckin(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		a := jinqiu.Branch{ID: twA, Name: twNameA}
		if r := w.say(twChatA, "m1", "报到 史家庄村"); r.Text != say.RegisterConfirm(a) {
			t.Fatalf("报到 naming another community = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", "确认"); r.Text != twWords.Registered(twName("m1"), a, w.clock()) {
			t.Errorf("确认 = %q", r.Text)
		}
		// In the bureau group the community named decides.
		if r := w.say(twChatBur, "m2", "报到"); r.Text != say.RegisterNeedCommunity() {
			t.Errorf("bureau 报到 = %q", r.Text)
		}
		if r := w.say(twChatBur, "m2", "报到 史家庄村"); !strings.Contains(r.Text, twNameB) {
			t.Errorf("bureau 报到 史家庄村 = %q", r.Text)
		}
		if r := w.say(twChatBur, "m3", "报到 不存在社区"); r.Text != say.RegisterNoSuchCommunity("不存在社区") {
			t.Errorf("unknown community = %q", r.Text)
		}
		// Two activities open for check-in that m1 signed up for: a choice.
		a1 := w.publish(twChatA, twSecA, "发布活动 植树 今天上午10点20分 社区广场")
		a2 := w.publish(twChatA, twSecA, "发布活动 讲堂 今天上午10点15分 老年大学")
		w.say(twChatA, "m1", fmt.Sprintf("报名 %d", a1.ID))
		w.say(twChatA, "m1", fmt.Sprintf("报名 %d", a2.ID))
		r := w.say(twChatA, "m1", "签到")
		if !strings.HasPrefix(r.Text, "请问您要签到哪个活动？") {
			t.Fatalf("签到 = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", fmt.Sprint(a1.ID)); r.Text != say.CheckedIn(twName("m1"), a1) {
			t.Errorf("pick = %q", r.Text)
		}
		// One left signed up for: no question.
		if r := w.say(twChatA, "m1", "签到"); r.Text != say.CheckedIn(twName("m1"), a2) {
			t.Errorf("签到 = %q", r.Text)
		}
	})
}
