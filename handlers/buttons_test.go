package handlers

import (
	"fmt"
	"jinqiu"
	"slices"
	"strings"
	"testing"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"jinqiu/storage/storagetest"
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

// TestTapAndTypedLeaveTheSameRecord: the same story told by taps and by
// typed commands, each in a fresh database: sign-up and cancellation by a
// member of each platform, approval and rejection (with its reason) by
// the secretary. Every reply and every row must be the same.
func TestTapAndTypedLeaveTheSameRecord(t *testing.T) {
	for _, d := range storagetest.Dialects() {
		for _, p := range []jinqiu.Platform{wecom.Name, dingtalk.Name} {
			t.Run(d+"/"+string(p), func(t *testing.T) {
				run := func(tap bool) ([]string, map[string]string) {
					w := newTestWorld(t, storagetest.Open(t, d), nil)
					var replies []string
					// act sends the button's command bare (as a tap
					// delivers it) or the typed text with the @mention.
					act := func(platform jinqiu.Platform, user, button, typed string) {
						m := w.message(twChatA, user, typed)
						m.Platform = platform
						if tap {
							m.Text = button
						}
						r, err := w.h.Handle(twCtx, m)
						if err != nil {
							t.Fatal(err)
						}
						replies = append(replies, r.Text)
					}
					w.sayOn(p, twChatA, "m1", "报到")
					ann := w.say(twChatA, twSecA, "发布活动 植树 明天上午9点 社区广场 名额5")
					if len(ann.Buttons) != 2 {
						t.Fatalf("announcement buttons = %+v", ann.Buttons)
					}
					var id int64
					fmt.Sscanf(ann.Text, "已发布 %d号活动", &id)
					act(p, "m1", ann.Buttons[0].Command, fmt.Sprintf("报名 %d", id))
					act(p, "m1", ann.Buttons[1].Command, fmt.Sprintf("取消报名 %d", id))
					w.sayOn(p, twChatA, "m1", "时长 2 打扫楼道")
					w.sayOn(p, twChatA, "m1", "时长 1 读报")
					for i, typed := range []string{"通过 %d", "驳回 %d"} {
						list := w.say(twChatA, twSecA, "待审核")
						pending, _ := w.db.PendingReports(twCtx, twA, 10)
						if len(list.Buttons) != 2 || len(pending) == 0 {
							t.Fatalf("pending list %q, buttons %+v", list.Text, list.Buttons)
						}
						act(wecom.Name, twSecA, list.Buttons[i].Command, fmt.Sprintf(typed, pending[0].ID))
					}
					act(wecom.Name, twSecA, "日期不对", "日期不对") // the reason the rejection asked for
					return replies, w.snapshot()
				}
				tapped, tappedRows := run(true)
				typed, typedRows := run(false)
				if !slices.Equal(tapped, typed) {
					t.Errorf("replies differ:\n tapped %q\n typed  %q", tapped, typed)
				}
				for _, tb := range twTables {
					if tappedRows[tb] != typedRows[tb] {
						t.Errorf("%s differs:\n tapped %s\n typed  %s", tb, tappedRows[tb], typedRows[tb])
					}
				}
				if hr := tappedRows["hours_reports"]; strings.Count(hr, "\n") != 2 || !strings.Contains(hr, "\tapproved\t") || !strings.Contains(hr, "\trejected\t") {
					t.Errorf("hours_reports = %s, want one approved and one rejected", hr)
				}
				if strings.Contains(tappedRows["signups"], "\tconfirmed\t") {
					t.Errorf("signups = %s, want the sign-up cancelled", tappedRows["signups"])
				}
			})
		}
	}
}
