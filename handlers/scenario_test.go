package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestScenario runs the programme's day through Handle, the entry point of
// `jinqiu say`: two branches; the secretary of A publishes an activity with
// 2 places; three members sign up and the third waits; one cancels and the
// third is promoted and @-mentioned; two check in and are credited the
// activity's 2 hours; one reports 1.5 h more and the secretary approves
// them; 我的 shows the totals; a member and the secretary of B can neither
// see nor change any of it.
func TestScenario(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		loc := w.h.loc()
		for _, u := range []string{"m1", "m2", "m3"} {
			w.register(twChatA, u)
		}
		w.register(twChatA, twSecA)
		w.register(twChatB, "mb")
		w.register(twChatB, twSecB)
		if r := w.say(twChatA, "m1", "报到"); r.Text != say.RegisteredAlready(jinqiu.Branch{Name: twNameA}) {
			t.Errorf("repeat 报到 = %q", r.Text)
		}

		act := w.publish(twChatA, twSecA, "发布活动 清理楼道 今天下午3点 枣行社区 名额2")
		id := strconv.FormatInt(act.ID, 10)
		if act.Capacity != 2 || act.EndsAt.Sub(act.StartsAt) != jinqiu.DefaultDuration || act.StartsAt.In(loc).Hour() != 15 || act.BranchID != twA {
			t.Fatalf("published %+v", act)
		}
		if r := w.say(twChatA, "m1", "活动"); !strings.Contains(r.Text, act.Title) || !strings.Contains(r.Text, "余2个名额") {
			t.Errorf("list = %q", r.Text)
		}

		// Three sign up for two places: the third waits.
		if r := w.say(twChatA, "m1", "报名 "+id); !strings.HasPrefix(r.Text, twName("m1")+"，报名成功") {
			t.Errorf("m1 sign-up = %q", r.Text)
		}
		w.say(twChatA, "m2", "报名"+id)
		a, _ := db.Activity(twCtx, twA, act.ID)
		if r := w.say(twChatA, "m3", "我要报名"+id+"号活动"); r.Text != say.Waiting(a, 1) {
			t.Errorf("m3 sign-up = %q, want waiting 1st", r.Text)
		}
		if r := w.say(twChatA, "m2", "报名 "+id); r.Text != twWords.SignedUpAlready(a, loc) {
			t.Errorf("m2 twice = %q", r.Text)
		}

		// m1 cancels: m3 is promoted and @-mentioned in group A.
		if r := w.say(twChatA, "m1", "取消报名 "+id); r.Text != say.CancelledSignup(a) {
			t.Errorf("m1 cancel = %q", r.Text)
		}
		q := w.outbox()
		if len(q) != 1 || q[0].Chat != twChatA || !slices.Equal(q[0].Reply.Mentions, []string{"m3"}) ||
			q[0].Reply.Text != twWords.Promoted(twName("m3"), a, loc) || !strings.HasPrefix(q[0].Key, "promote|"+id+"|") {
			t.Fatalf("outbox = %+v, want one promotion of m3 to chat A", q)
		}
		_, roster, _ := db.Roster(twCtx, twA, act.ID)
		if len(roster) != 2 || roster[0].UserID != "m2" || roster[1].UserID != "m3" || roster[1].State != jinqiu.SignupConfirmed {
			t.Errorf("roster = %+v", roster)
		}

		// 14:40: the two signed up check in; their 2 hours each come when
		// the activity has ended.
		w.setNow(act.StartsAt.In(loc).Add(-20 * time.Minute))
		if r := w.say(twChatA, "m2", "签到"); r.Text != say.CheckedIn(twName("m2"), a) {
			t.Errorf("m2 check-in = %q", r.Text)
		}
		if r := w.say(twChatA, "m3", "签到 "+id); r.Text != say.CheckedIn(twName("m3"), a) {
			t.Errorf("m3 check-in = %q", r.Text)
		}
		if r := w.say(twChatA, "m3", "打卡"); r.Text != say.CheckedInAlready(a) {
			t.Errorf("m3 again = %q", r.Text)
		}
		if r := w.say(twChatA, "m1", "签到 "+id); r.Text != twWords.WalkInNotRunning(a, loc) {
			t.Errorf("m1 (cancelled) walk-in before the start = %q", r.Text)
		}
		w.setNow(act.StartsAt.In(loc).Add(5 * time.Minute))
		if r := w.say(twChatA, "m1", "签到 "+id); r.Text != say.CheckinFull(a) {
			t.Errorf("m1 (cancelled) walk-in when full = %q", r.Text)
		}

		// m2 reports 1.5 h more; the secretary sees the roster and approves.
		w.setNow(act.EndsAt.In(loc).Add(time.Hour))
		if got, err := db.CreditEnded(twCtx, w.clock(), loc, 10); err != nil || len(got) != 2 {
			t.Fatalf("credit after the end = %+v %v", got, err)
		}
		r := w.say(twChatA, "m2", "今天服务了一个半小时，清理小区杂物")
		var rep int64
		if _, err := fmt.Sscanf(r.Text, "已记录：11月27日 服务 1.5 小时（清理小区杂物），编号 %d", &rep); err != nil {
			t.Fatalf("report = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, "名单 "+id); !strings.Contains(r.Text, twName("m2")+"✓、"+twName("m3")+"✓") {
			t.Errorf("roster = %q", r.Text)
		}
		if r := w.say(twChatA, twSecA, fmt.Sprintf("通过 %d", rep)); !strings.HasPrefix(r.Text, "已通过") {
			t.Errorf("approve = %q", r.Text)
		}
		q = w.outbox()
		if len(q) != 2 || !slices.Equal(q[1].Reply.Mentions, []string{"m2"}) || !strings.Contains(q[1].Reply.Text, "1.5 小时服务时长已通过审核") {
			t.Errorf("approval notice = %+v", q)
		}

		// 我的: m2 has 2 + 1.5 h, m3 has 2 h, m1 nothing.
		want := map[string]string{"m2": "本月 3.5 小时，今年 3.5 小时，今年签到 1 次", "m3": "本月 2 小时，今年 2 小时，今年签到 1 次", "m1": "本月 0 小时，今年 0 小时，今年签到 0 次"}
		for u, line := range want {
			if r := w.say(twChatA, u, "我的"); !strings.Contains(r.Text, line) || !strings.Contains(r.Text, "没有待审核的时长") {
				t.Errorf("%s 我的 = %q, want %q", u, r.Text, line)
			}
		}

		// Branch B can neither see nor change any of it.
		before := w.snapshot()
		secret := []string{act.Title, twNameA, twName("m1"), twName("m2"), twName("m3")}
		notFound := func(chat, user, cmd, id string) {
			t.Helper()
			got := w.say(chat, user, cmd+" "+id).Text
			none := strings.ReplaceAll(w.say(chat, user, cmd+" 999999").Text, "999999", id)
			if got != none {
				t.Errorf("%s %q = %q; a missing id answers %q", user, cmd, got, none)
			}
		}
		for _, u := range []string{"mb", twSecB} {
			notFound(twChatB, u, "报名", id)
			notFound(twChatB, u, "取消报名", id)
			notFound(twChatB, u, "签到", id)
		}
		notFound(twChatB, twSecB, "名单", id)
		notFound(twChatB, twSecB, "取消活动", id)
		notFound(twChatB, twSecB, "通过", strconv.FormatInt(rep, 10))
		notFound(twChatB, twSecB, "驳回", strconv.FormatInt(rep, 10))
		var seen []string
		for _, u := range []string{"mb", twSecB} {
			for _, text := range []string{"活动", "我的", "名单", "通过", "三会一课", "周报", "报名", "签到", "取消活动"} {
				seen = append(seen, w.say(twChatB, u, text).Text)
			}
		}
		// In A's group, B's people are refused before any id is looked at.
		if r := w.say(twChatA, twSecB, "名单 "+id); r.Text != say.NotSecretary() {
			t.Errorf("B's secretary in A = %q", r.Text)
		}
		if r := w.say(twChatA, "mb", "报名 "+id); r.Text != say.NotHere() {
			t.Errorf("B's member in A = %q", r.Text)
		}
		for _, s := range seen {
			for _, x := range secret {
				if strings.Contains(s, x) {
					t.Errorf("B saw %q in %q", x, s)
				}
			}
		}
		if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
			t.Errorf("B's commands wrote to %v", ch)
		}

		// The week's digest counts it: 4 registered in A, 1 activity, 2
		// places taken and attended, 2 + 2 + 1.5 approved hours.
		if r := w.say(twChatA, twSecA, "本周周报"); !strings.Contains(r.Text, "**本支部**：党员 4 人，新报到 4 人，活跃 3 人；活动 1 场，报名 2 人次，出勤率 100%，服务时长 5.5 小时") {
			t.Errorf("branch digest = %q", r.Text)
		}
		if r := w.say(twChatBur, twAdmin, "周报"); !strings.Contains(r.Text, "**城市（社区治理）**：1个支部，党员 4 人，新报到 4 人，活跃 3 人；活动 1 场，报名 2 人次，出勤率 100%，服务时长 5.5 小时") ||
			!strings.Contains(r.Text, "**乡镇（乡村振兴）**：1个支部，党员 2 人，新报到 2 人") {
			t.Errorf("bureau digest = %q", r.Text)
		}
		// 月报 is the short form of the same figures.
		if r := w.say(twChatA, twSecA, "本月月报"); !strings.Contains(r.Text, "新报到 4 人，现有 4 人；活动 1 场，报名 2 人次，签到 2 人次\n服务时长 5.5 小时") {
			t.Errorf("branch month = %q", r.Text)
		}
		if r := w.say(twChatBur, twAdmin, "月报"); !strings.Contains(r.Text, "城市（社区治理） 1 个支部：新报到 4 人，活动 1 场，签到 2 人次，服务 5.5 小时") ||
			!strings.Contains(r.Text, "乡镇（乡村振兴） 1 个支部：新报到 2 人") {
			t.Errorf("bureau month = %q", r.Text)
		}
		if r := w.say(twChatA, "m2", "周报"); r.Text != say.NotSecretary() {
			t.Errorf("member's 周报 = %q", r.Text)
		}

		// Every change is audited with its message id.
		var actions []string
		for _, e := range must(db.Audit(twCtx, act.Object())) {
			if e.MsgID == "" {
				t.Errorf("audit row without message id: %+v", e)
			}
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); got != "publish_activity signup signup signup cancel_signup promote checkin checkin credit_hours credit_hours" {
			t.Errorf("audit = %s", got)
		}
		if n := w.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('report_hours', 'approve_hours')"); n != 2 {
			t.Errorf("hours audit rows = %d", n)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
