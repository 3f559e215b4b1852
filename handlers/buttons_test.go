package handlers

import (
	"fmt"
	"testing"

	"jinqiu/handlers/say"
)

// A button's command, sent bare as a tap delivers it, gives the same reply
// and the same rows as the command typed with the @mention.
func TestButtonsStandForTypedCommands(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		w.register(twChatA, "m1")
		w.register(twChatA, "m2")
		r := w.say(twChatA, twSecA, "发布活动 植树 明天上午9点 社区广场 名额5")
		var id int64
		fmt.Sscanf(r.Text, "已发布 %d号活动", &id)
		if len(r.Buttons) != 2 || r.Buttons[0].Command != say.SignupButtons(id)[0].Command || r.Buttons[1].Command != say.SignupButtons(id)[1].Command {
			t.Fatalf("announcement buttons = %+v", r.Buttons)
		}
		a, _ := w.db.ActivityAnyBranch(twCtx, id)
		tap := func(user, command string) string {
			t.Helper()
			m := w.message(twChatA, user, "")
			m.Text = command // a tap sends the key, without the @mention
			got, err := w.h.Handle(twCtx, m)
			if err != nil {
				t.Fatal(err)
			}
			return got.Text
		}
		loc := w.h.loc()
		if got, typed := tap("m1", r.Buttons[0].Command), w.say(twChatA, "m2", fmt.Sprintf("报名 %d", id)).Text; got != twWords.SignedUp(twName("m1"), a, loc) || typed != twWords.SignedUp(twName("m2"), a, loc) {
			t.Errorf("tap 报名 = %q, typed = %q", got, typed)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 2 {
			t.Errorf("sign-ups = %d, want 2 (the tap's and the typed one)", n)
		}
		tapped := tap("m1", r.Buttons[1].Command)
		typed := w.say(twChatA, "m2", fmt.Sprintf("取消报名 %d", id)).Text
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 0 || tapped != say.CancelledSignup(a) || typed != tapped {
			t.Errorf("after tapped and typed cancellations: %d sign-ups (%q, %q)", n, tapped, typed)
		}

		// The secretary's pending list: 通过 and 驳回 under the first report.
		w.say(twChatA, "m1", "时长 2 打扫楼道")
		w.say(twChatA, "m2", "时长 3 探望老人")
		pending, _ := w.db.PendingReports(twCtx, twA, 10)
		list := w.say(twChatA, twSecA, "待审核")
		if len(list.Buttons) != 2 || list.Buttons[0].Command != say.DecideButtons(pending[0].ID)[0].Command || list.Buttons[1].Command != say.DecideButtons(pending[0].ID)[1].Command {
			t.Fatalf("pending buttons = %+v", list.Buttons)
		}
		tappedOK := tap(twSecA, list.Buttons[0].Command)
		typedOK := w.say(twChatA, twSecA, fmt.Sprintf("通过 %d", pending[1].ID)).Text
		if w.count("SELECT COUNT(*) FROM hours_reports WHERE state = 'approved'") != 2 || tappedOK == typedOK && tappedOK == "" {
			t.Errorf("approvals: tap %q, typed %q", tappedOK, typedOK)
		}
		w.say(twChatA, "m1", "时长 1 读报")
		pending, _ = w.db.PendingReports(twCtx, twA, 10)
		if got := tap(twSecA, say.DecideButtons(pending[0].ID)[1].Command); got != twWords.RejectAskReason(pending[0]) {
			t.Errorf("tap 驳回 = %q, want the typed command's question for the reason", got)
		}
	})
}
