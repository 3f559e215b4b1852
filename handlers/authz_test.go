package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// The authorisation matrix (RELIABILITY.md F17, OWASP API1/API5): every
// intent × role × scope, with the expected outcome derived from the policy
// table below, not picked by hand. A refusal must write nothing (every row
// of every table compared before and after), and must not show another
// branch's names; an id of another branch must answer exactly like an id
// that does not exist.

// azLevel is who may use an intent.
type azLevel int

const (
	azAnyone   azLevel = iota // help, menu, 报到, the activity list
	azPersonal                // 我的: anyone registered, about themselves
	azMember                  // a member of the group's branch
	azManager                 // the branch's secretary, or a bureau admin
)

// azPolicy is the policy table: for each intent, who may use it, whether it
// names an activity or report by id, a message, and whether it writes when
// allowed (register may or may not: a repeat writes nothing).
var azPolicy = []struct {
	intent command.Intent
	level  azLevel
	id     string // "activity", "report" or ""
	text   string // {id} is replaced by the id named
	writes bool
}{
	{command.IntentHelp, azAnyone, "", "帮助", false},
	{command.IntentUnknown, azAnyone, "", "今天天气不错", false},
	{command.IntentRegister, azAnyone, "", "报到", false},
	{command.IntentListActivities, azAnyone, "", "活动", false},
	{command.IntentMyStats, azPersonal, "", "我的", false},
	{command.IntentCheckin, azMember, "activity", "签到 {id}", true},
	{command.IntentSignup, azMember, "activity", "报名 {id}", true},
	{command.IntentCancelSignup, azMember, "activity", "取消报名 {id}", true},
	{command.IntentReportHours, azMember, "", "时长 2 打扫楼道", true},
	{command.IntentPublishActivity, azManager, "", "发布活动 植树 明天上午9点 社区广场 名额5", true},
	{command.IntentCancelActivity, azManager, "activity", "取消活动 {id}", true},
	{command.IntentRoster, azManager, "activity", "名单 {id}", false},
	{command.IntentApproveHours, azManager, "report", "通过 {id}", true},
	{command.IntentRejectHours, azManager, "report", "驳回 {id}", false}, // asks for the reason
	{command.IntentRecordMeeting, azManager, "", "已开会 支委会", true},
	{command.IntentMeetingStatus, azManager, "", "三会一课", false},
	{command.IntentDigest, azManager, "", "周报", false},
}

// Roles, relative to branch A.
var azRoles = []struct {
	name       string
	user       string
	registered string // branch the person registered in
	secretary  string // branch the person is secretary of
	admin      bool
}{
	{"outsider", "outsider", "", "", false},
	{"member", "mem", twA, "", false},
	{"secretary", twSecA, twA, twA, false},
	{"other_secretary", twSecB, twB, twB, false},
	{"bureau", twAdmin, "", "", true},
}

// Impostors: the ids of the secretary of A, the admin and a member of A
// ("pa", signed up and with a pending report) as they arrive from the other
// platform, or from the same one in another form. Each is nobody: every
// answer is an outsider's, and a refusal writes nothing. They write in A's
// group of their platform (the branch has a group on each).
var azImpostors = []struct {
	name     string
	platform jinqiu.Platform
	user     string
}{
	{"secretary_on_dingtalk", dingtalk.Name, twSecA},
	{"admin_on_dingtalk", dingtalk.Name, twAdmin},
	{"member_on_dingtalk", dingtalk.Name, "pa"},
	{"secretary_upper_case", wecom.Name, strings.ToUpper(twSecA)},
	{"secretary_trailing_space", wecom.Name, twSecA + " "},
	{"secretary_leading_space", wecom.Name, " " + twSecA},
	{"secretary_nbsp", wecom.Name, twSecA + "\u00a0"},
	{"secretary_full_width", wecom.Name, "ｓｅｃ－ａ"},
	{"secretary_zero_width", wecom.Name, "sec\u200b-a"},
	{"admin_upper_case", wecom.Name, "ADMIN"},
	{"member_upper_case", wecom.Name, "PA"},
	{"member_full_width", wecom.Name, "ｐａ"},
	{"empty", wecom.Name, ""},
	{"empty_on_dingtalk", dingtalk.Name, ""},
}

// Scopes: where the message is written and whose ids it names.
var azScopes = []struct {
	name  string
	chat  string // the group written in
	group string // its branch
	ids   string // the branch whose ids are named
}{
	{"own", twChatA, twA, twA},
	{"other_id", twChatA, twA, twB},    // A's group, B's ids: BOLA
	{"other_group", twChatB, twB, twB}, // B's group, B's ids
}

type azOutcome string

const (
	azAllow        azOutcome = "allow"
	azNeedRegister azOutcome = "need_register"
	azNotHere      azOutcome = "not_here"
	azNotSecretary azOutcome = "not_secretary"
	azNotFound     azOutcome = "not_found"
)

// azExpect derives the outcome from the policy table and the rules of
// roles.go: the group decides the branch; function-level checks come
// first; an id outside the group's branch is not found.
func azExpect(level azLevel, id string, registered, secretary string, admin bool, group, ids string) azOutcome {
	switch level {
	case azPersonal:
		if registered == "" {
			return azNeedRegister
		}
	case azMember:
		switch {
		case registered == "":
			return azNeedRegister
		case registered != group:
			return azNotHere
		case id != "" && ids != group:
			return azNotFound
		}
	case azManager:
		switch {
		case !admin && secretary != group:
			return azNotSecretary
		case id != "" && ids != group:
			return azNotFound
		}
	}
	return azAllow
}

// azFixture is what each case starts from: A and B each with a member
// signed up for an activity starting in 10 minutes (so that sign-up and
// check-in are open) and a pending report; the acting person in their role.
type azFixture struct {
	act, rep map[string]int64 // by branch
}

func azSetUp(w *testWorld, role string, signedUp bool) azFixture {
	w.tb.Helper()
	w.reset()
	f := azFixture{act: map[string]int64{}, rep: map[string]int64{}}
	for _, r := range azRoles {
		if r.name == role && r.registered != "" {
			w.register(map[string]string{twA: twChatA, twB: twChatB}[r.registered], r.user)
		}
	}
	for _, b := range []struct{ branch, chat, sec, member string }{{twA, twChatA, twSecA, "pa"}, {twB, twChatB, twSecB, "pb"}} {
		m := w.register(b.chat, b.member)
		a := w.publish(b.chat, b.sec, "发布活动 活动"+b.branch+" 今天上午10点10分 会议室 名额5")
		f.act[b.branch] = a.ID
		w.say(b.chat, b.member, fmt.Sprintf("报名 %d", a.ID))
		r, err := w.db.ReportHours(twCtx, jinqiu.Actor{Platform: "wecom", UserID: b.member, MsgID: "fixture"}, storage.NewReport{
			MemberID: m.ID, BranchID: b.branch, ServedOn: calendarDay(w.clock()), Centihours: 100, Note: "备注" + b.branch}, jinqiu.MaxDayCentihours)
		if err != nil {
			w.tb.Fatal(err)
		}
		f.rep[b.branch] = r.ID
	}
	if signedUp {
		// The actor has places to cancel or check in to in both branches (written
		// directly: the rules would not let them sign up in B).
		for _, r := range azRoles {
			if r.name != role || r.registered == "" {
				continue
			}
			m, _ := w.db.Member(twCtx, "wecom", r.user)
			for _, b := range []string{twA, twB} {
				if _, err := w.db.SignUp(twCtx, jinqiu.Actor{UserID: r.user}, b, f.act[b], m.ID); err != nil {
					w.tb.Fatal(err)
				}
			}
		}
	}
	return f
}

func TestAuthorizationMatrix(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		refusals := map[string]azOutcome{
			say.NeedRegister(true): azNeedRegister,
			say.NotHere():          azNotHere,
			say.NotSecretary():     azNotSecretary,
		}
		names := map[string][]string{ // what a reply must not show outside that branch's group
			twA: {twNameA, "活动" + twA, twName("pa"), "备注" + twA},
			twB: {twNameB, "活动" + twB, twName("pb"), "备注" + twB},
		}
		cases, mismatches := 0, 0
		start := time.Now()
		for _, p := range azPolicy {
			for _, role := range azRoles {
				for _, sc := range azScopes {
					name := fmt.Sprintf("%s/%s/%s", p.intent, role.name, sc.name)
					cases++
					want := azExpect(p.level, p.id, role.registered, role.secretary, role.admin, sc.group, sc.ids)
					f := azSetUp(w, role.name, p.intent == command.IntentCancelSignup || p.intent == command.IntentCheckin)
					id := int64(0)
					switch p.id {
					case "activity":
						id = f.act[sc.ids]
					case "report":
						id = f.rep[sc.ids]
					}
					msg := strings.ReplaceAll(p.text, "{id}", strconv.FormatInt(id, 10))
					if got := command.Parse(msg, w.clock()).Intent; got != p.intent {
						t.Fatalf("%s: %q parses as %s", name, msg, got)
					}
					before := w.snapshot()
					reply := w.say(sc.chat, role.user, msg).Text
					changed := twChanged(before, w.snapshot())

					got := azAllow
					if o, ok := refusals[reply]; ok {
						got = o
					}
					notFound := map[string]string{"activity": say.ActivityNotFound(id), "report": say.ReportNotFound(id)}[p.id]
					if p.id != "" && reply == notFound {
						got = azNotFound
						// Exactly what an id that does not exist gets.
						ghost := w.say(sc.chat, role.user, strings.ReplaceAll(p.text, "{id}", "999999")).Text
						if strings.ReplaceAll(ghost, "999999", strconv.FormatInt(id, 10)) != reply {
							t.Errorf("%s: other-branch id answers %q, a missing id %q", name, reply, ghost)
						}
					}
					if got != want {
						mismatches++
						t.Errorf("%s: got %s, want %s; reply %q", name, got, want, reply)
					}
					if want != azAllow && len(changed) > 0 {
						t.Errorf("%s: refused, but wrote to %v", name, changed)
					}
					if want == azAllow && p.writes && len(changed) == 0 {
						t.Errorf("%s: allowed, but wrote nothing; reply %q", name, reply)
					}
					// Nobody sees the names of the branch whose group this is not.
					other := map[string]string{twA: twB, twB: twA}[sc.group]
					for _, n := range names[other] {
						if strings.Contains(reply, n) && !(p.intent == command.IntentMyStats && other == role.registered) {
							t.Errorf("%s: reply shows %q of the other branch: %q", name, n, reply)
						}
					}
					// A reply is short; the weekly digest is a document.
					if n := strings.Count(reply, "\n") + 1; n > 8 && p.intent != command.IntentDigest {
						t.Errorf("%s: %d lines", name, n)
					}
				}
			}
		}
		t.Logf("%d cases (%d intents × %d roles × %d scopes), %d mismatches, %v", cases, len(azPolicy), len(azRoles), len(azScopes), mismatches, time.Since(start).Round(time.Millisecond))
		if cases != 17*5*3 {
			t.Errorf("cases = %d, want every intent (17) × role (5) × scope (3)", cases)
		}

		// The platform dimension and the id variants.
		escalations, icases := 0, 0
		for _, p := range azPolicy {
			for _, im := range azImpostors {
				name := fmt.Sprintf("%s/%s", p.intent, im.name)
				icases++
				f := azSetUp(w, "", p.intent == command.IntentCancelSignup)
				id := map[string]int64{"activity": f.act[twA], "report": f.rep[twA]}[p.id]
				msg := strings.ReplaceAll(p.text, "{id}", strconv.FormatInt(id, 10))
				before := w.snapshot()
				reply := w.sayOn(im.platform, twChatA, im.user, msg).Text
				changed := twChanged(before, w.snapshot())
				want := azExpect(p.level, p.id, "", "", false, twA, twA)
				got := azAllow
				if o, ok := refusals[reply]; ok {
					got = o
				}
				if im.user == "" {
					// No id: one polite line, whatever was asked.
					if reply != say.NoIdentity() || len(changed) > 0 {
						escalations++
						t.Errorf("%s: reply %q, wrote %v; want the no-identity line and nothing written", name, reply, changed)
					}
					continue
				}
				if got != want {
					escalations++
					t.Errorf("%s: got %s, want %s (an outsider's); reply %q", name, got, want, reply)
				}
				// An outsider may register (报到) and so write; a refusal
				// writes nothing at all.
				if want != azAllow && len(changed) > 0 {
					escalations++
					t.Errorf("%s: refused, but wrote to %v", name, changed)
				}
				for _, n := range []string{twName("pa") + "✓", "备注" + twA} {
					if strings.Contains(reply, n) {
						escalations++
						t.Errorf("%s: reply shows %q: %q", name, n, reply)
					}
				}
			}
		}
		t.Logf("impostors: %d cases (%d intents × %d ids from the other platform or in another form), %d escalations", icases, len(azPolicy), len(azImpostors), escalations)
	})
}
