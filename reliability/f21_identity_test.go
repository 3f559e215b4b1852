package reliability

import (
	"context"
	"fmt"
	"jinqiu"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
)

// TestF21Identity: the people of a branch as someone else could claim to
// be them: the same user id from the other platform, and the id in another
// form (case, leading or trailing space, NBSP, full width, zero width, or
// no id at all), each sending every command that person may use, through
// the real binary on SQLite and on MariaDB. None of them is that person: 0
// escalations (a success reply, or another person's names, to an
// impostor), 0 rows changed by a refusal. (The handlers' matrix, F17 with
// the platform dimension, runs the same ids through every intent × role ×
// scope.)
func TestF21Identity(t *testing.T) {
	heavy(t)
	for _, driver := range []string{storage.SQLite, storage.MySQL} {
		t.Run(driver, func(t *testing.T) { testF21(t, driver) })
	}
}

func testF21(t *testing.T, driver string) {
	o := worldOpts{branches: 1, driver: driver, schedules: true}
	w := newWorld(t, o)
	r := w.serve(t)
	b := &w.branches[0]
	c := loadClient(10 * time.Second)
	// The real people: the secretary (WeCom), the bureau admin (WeCom, in
	// a single chat) and a WeCom member with a sign-up and a report.
	mem := w.addMember(t, b, robotAIBot, "u-real", "真党员")
	act := w.addActivity(t, b, "清理楼道", time.Now().Add(10*time.Minute), time.Now().Add(2*time.Hour), 5)
	if _, err := w.open(t).SignUp(context.Background(), jinqiu.Actor{Platform: "wecom", UserID: mem.UserID, MsgID: "prep-s"}, b.ID, act.ID, mem.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := w.open(t).ReportHours(context.Background(), jinqiu.Actor{Platform: "wecom", UserID: mem.UserID, MsgID: "prep-h"},
		storage.NewReport{MemberID: mem.ID, BranchID: b.ID, ServedOn: time.Now().In(shanghai), Centihours: 100, Note: "真的服务"}, 1200)
	if err != nil {
		t.Fatal(err)
	}
	sec := b.Secretaries[0]
	commands := map[string][]string{
		"secretary": {
			"发布活动 冒充的活动 明天上午9点 社区广场 名额5",
			fmt.Sprintf("取消活动 %d", act.ID),
			fmt.Sprintf("名单 %d", act.ID),
			fmt.Sprintf("通过 %d", rep.ID),
			fmt.Sprintf("驳回 %d 冒充的理由", rep.ID),
			"已开会 支委会 今天",
			"三会一课",
			"周报",
		},
		"member": {
			fmt.Sprintf("取消报名 %d", act.ID),
			fmt.Sprintf("签到 %d", act.ID),
			"时长 1 冒充的时长",
			"我的",
		},
	}
	commands["admin"] = commands["secretary"]
	variants := func(id string) []string {
		return []string{strings.ToUpper(id), id + " ", " " + id, id + "\u00a0", toFullWidth(id), id[:1] + "\u200b" + id[1:], ""}
	}
	type claim struct{ role, via, chat, user string }
	var claims []claim
	for role, id := range map[string]string{"secretary": sec, "admin": "admin-0", "member": mem.UserID} {
		// The same id from DingTalk, in the branch's DingTalk group.
		claims = append(claims, claim{role, robotDing, b.DingChat, id})
		if role == "member" {
			claims = append(claims, claim{role, robotDing, b.DingChat, ""})
		}
		for _, v := range variants(id) {
			claims = append(claims, claim{role, robotAIBot, b.WeComChat, v})
		}
	}
	success := []string{"已发布", "已取消", "已通过", "已驳回", "已记录", "签到成功", "已为您", "真党员", "真的服务", "服务记录：", "三会一课：", "周报 "}
	cases, escalations, writes := 0, 0, 0
	for _, cl := range claims {
		for _, text := range commands[cl.role] {
			cases++
			before := w.counts(t)
			var m *msg
			if cl.via == robotDing {
				m = w.message(t, robotDing, b, cl.user, "冒充者", text)
			} else {
				m = w.message(t, robotAIBot, b, cl.user, "", text)
			}
			res := deliver(context.Background(), c, r.base, m)
			reply, err := m.passive(res.body)
			if err != nil || res.status != 200 {
				t.Fatalf("%s as %q via %s: %d %v", text, cl.user, cl.via, res.status, err)
			}
			if cl.via == robotDing {
				reply = w.waitSession(m, 5*time.Second)
			}
			diff := diffCounts(before, w.counts(t))
			delete(diff, "inbound") // the message itself is recorded
			delete(diff, "readiness")
			if len(diff) > 0 {
				writes++
				t.Errorf("%s as %s %q via %s changed %s; reply %q", text, cl.role, cl.user, cl.via, fmtCounts(diff), reply)
			}
			for _, s := range success {
				if strings.Contains(reply, s) {
					escalations++
					t.Errorf("%s as %s %q via %s: answered as that person: %q", text, cl.role, cl.user, cl.via, reply)
					break
				}
			}
			if reply == "" {
				t.Errorf("%s as %q via %s: no reply", text, cl.user, cl.via)
			}
		}
	}
	// The real secretary is still the secretary (the ids were not merely
	// all refused).
	m := w.message(t, robotAIBot, b, sec, "", fmt.Sprintf("名单 %d", act.ID))
	res := deliver(context.Background(), c, r.base, m)
	if got, _ := m.passive(res.body); !strings.Contains(got, "真党员") {
		t.Errorf("the real secretary's 名单 = %q, want the roster", got)
	}
	figure(t, "F21 identity (%s): %d claims (the secretary's, the admin's and a member's id from the other platform, and in %d other forms: case, leading/trailing space, NBSP, full width, zero width, empty) × their commands = %d messages through the binary → escalations %d (want 0), refusals that changed rows %d (want 0)",
		driver, len(claims), len(variants("x")), cases, escalations, writes)
}

// waitSession waits for the reply posted to m's DingTalk session.
func (w *world) waitSession(m *msg, d time.Duration) string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ss := w.sentReplies([]*msg{m})[m.ID]; len(ss) > 0 {
			return ss[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ""
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7f {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}
