package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"strings"
	"testing"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestRejectWithReason checks 驳回 N 原因 in one message: the report is
// rejected at once with that reason and the member is told it, with no
// question asked; and a reason given with the command replaces an open
// question about another report instead of answering it.
func TestRejectWithReason(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.register(twChatA, "m1")
		for _, text := range []string{"时长 2 打扫楼道", "昨天服务了3小时", "时长 1"} {
			w.say(twChatA, "m1", text)
		}
		pending, err := w.db.PendingReports(twCtx, twA, 10)
		if err != nil || len(pending) != 3 {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		p1, p2, p3 := pending[0].ID, pending[1].ID, pending[2].ID

		t.Run("at once", func(t *testing.T) {
			r := w.say(twChatA, twSecA, fmt.Sprintf("驳回 %d，时长填错了！", p1))
			rep, err := w.db.HoursReport(twCtx, twA, p1)
			if err != nil {
				t.Fatal(err)
			}
			if rep.State != jinqiu.HoursRejected || rep.Reason != "时长填错了" {
				t.Errorf("report = %+v, want rejected with reason 时长填错了", rep)
			}
			if r.Text != say.Rejected(rep, 2) {
				t.Errorf("reply = %q, want %q", r.Text, say.Rejected(rep, 2))
			}
			q := w.outbox()
			if len(q) != 1 || q[0].Chat != twChatA || len(q[0].Reply.Mentions) != 1 || q[0].Reply.Mentions[0] != "m1" ||
				!strings.Contains(q[0].Reply.Text, "原因：时长填错了。") {
				t.Errorf("notice = %+v", q)
			}
			// No dialogue was opened: free text now is no reason for anything.
			before := w.snapshot()
			if r := w.say(twChatA, twSecA, "日期不对"); r.Text != say.Unknown(say.Member) {
				t.Errorf("free text after = %q, want the menu", r.Text)
			}
			if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
				t.Errorf("free text after changed %v", ch)
			}
		})

		t.Run("replaces an open question", func(t *testing.T) {
			if r := w.say(twChatA, twSecA, fmt.Sprintf("驳回 %d", p2)); r.Text != twWords.RejectAskReason(pending[1]) {
				t.Fatalf("驳回 N = %q", r.Text)
			}
			// A reject with its own number and reason is a new command, not
			// the reason for p2.
			w.say(twChatA, twSecA, fmt.Sprintf("不通过 %d 理由不足", p3))
			if rep, _ := w.db.HoursReport(twCtx, twA, p3); rep.State != jinqiu.HoursRejected || rep.Reason != "理由不足" {
				t.Errorf("p3 = %+v, want rejected with 理由不足", rep)
			}
			if rep, _ := w.db.HoursReport(twCtx, twA, p2); rep.State != jinqiu.HoursPending || rep.Reason != "" {
				t.Errorf("p2 = %+v, want still pending", rep)
			}
		})

		t.Run("decided, elsewhere, not a secretary", func(t *testing.T) {
			before := w.snapshot()
			rep, _ := w.db.HoursReport(twCtx, twA, p1)
			if r := w.say(twChatA, twSecA, fmt.Sprintf("驳回 %d 又错了", p1)); r.Text != say.ReportDecided(rep) {
				t.Errorf("decided = %q", r.Text)
			}
			if r := w.say(twChatB, twSecB, fmt.Sprintf("驳回 %d 日期不对", p2)); r.Text != say.ReportNotFound(p2) {
				t.Errorf("other branch = %q", r.Text)
			}
			if r := w.say(twChatA, "m1", fmt.Sprintf("驳回 %d 日期不对", p2)); r.Text != say.NotSecretary() {
				t.Errorf("member = %q", r.Text)
			}
			if ch := twChanged(before, w.snapshot()); len(ch) > 0 {
				t.Errorf("refused rejections changed %v", ch)
			}
		})
	})
}
