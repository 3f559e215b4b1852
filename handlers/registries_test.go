package handlers

import (
	"bufio"
	"encoding/json"
	"jinqiu"
	"jinqiu/handlers/say"
	"os"
	"strings"
	"testing"
	"time"

	"jinqiu/command"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// The registries' chat commands as COMMANDS.md writes them and the
// commands they mean, in testdata/registries.jsonl (the corpus's shape,
// "now" 2026-11-27 10:00 Shanghai). The tests send the texts;
// TestRegistryTextsParse checks that the parser reads them as the file
// says.

type registryCase struct {
	Text string `json:"text"`
	Want struct {
		Intent string `json:"intent"`
		Args   struct {
			Member     string `json:"member"`
			Position   string `json:"position"`
			Date       string `json:"date"`
			Topic      string `json:"topic"`
			Note       string `json:"note"`
			Present    int    `json:"present"`
			Adopted    *bool  `json:"adopted"`
			Nomination int    `json:"nomination"`
			BadDate    string `json:"bad_date"`
		} `json:"args"`
	} `json:"want"`
}

// registryCommands are the commands of testdata/registries.jsonl by text.
func registryCommands(tb testing.TB) map[string]command.Command {
	tb.Helper()
	f, err := os.Open("testdata/registries.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	loc := twStart(tb).Location()
	out := map[string]command.Command{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c registryCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("testdata/registries.jsonl: %v", err)
		}
		a := c.Want.Args
		cmd := command.Command{Intent: command.Intent(c.Want.Intent), Member: a.Member, Position: a.Position, Topic: a.Topic,
			Note: a.Note, Present: a.Present, Adopted: a.Adopted, Nomination: a.Nomination, BadDate: a.BadDate}
		if a.Date != "" {
			if cmd.Date, err = time.ParseInLocation(time.DateOnly, a.Date, loc); err != nil {
				tb.Fatalf("%s: %v", c.Text, err)
			}
		}
		out[c.Text] = cmd
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// registerAs makes user a member of chat's branch under a display name.
func (w *testWorld) registerAs(chat, user, name string) jinqiu.Member {
	w.tb.Helper()
	m := w.message(chat, user, "报到")
	m.UserName = name
	if _, err := w.h.Handle(twCtx, m); err != nil {
		w.tb.Fatal(err)
	}
	mem, err := w.db.Member(twCtx, m.Platform, user)
	if err != nil || !mem.Registered() || mem.DisplayName != name {
		w.tb.Fatalf("register %s: %+v, %v", name, mem, err)
	}
	return mem
}

func wantIn(tb testing.TB, what string, r jinqiu.Reply, parts ...string) {
	tb.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Text, p) {
			tb.Errorf("%s: reply %q, want it to contain %q", what, r.Text, p)
		}
	}
}

func TestRegistries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		do := func(user, text string) jinqiu.Reply { t.Helper(); return w.say(twChatA, user, text) }
		zjg := w.registerAs(twChatA, "m1", "张建国")
		zjh := w.registerAs(twChatA, "m2", "张建华")
		lxy := w.registerAs(twChatA, "m3", "李秀英")
		w.registerAs(twChatB, "m4", "张建军") // another branch's 张

		t.Run("appoint", func(t *testing.T) {
			r := do(twSecA, "张建国 担任 3号楼楼栋长")
			wantIn(t, "appoint", r, "已记录：张建国自11月27日起担任3号楼楼栋长", "职务类别：楼栋长", "张建国 卸任 3号楼楼栋长")
			if got := w.count("SELECT COUNT(*) FROM posts WHERE member_id = ? AND kind = ? AND ended_on IS NULL", zjg.ID, jinqiu.BuildingHead); got != 1 {
				t.Errorf("building_head posts of 张建国 = %d, want 1", got)
			}
			wantIn(t, "again", do(twSecA, "张建国 担任 3号楼楼栋长"), "已担任3号楼楼栋长，不用重复记录")
			wantIn(t, "五大员", do(twSecA, "任职 李秀英 导航员"), "计入五大员：导航员")
			wantIn(t, "other", do(twSecA, "张建国 担任 社区舞蹈队领队"), "职务类别：其他")
			if got := w.count("SELECT COUNT(*) FROM posts"); got != 3 {
				t.Errorf("posts = %d, want 3", got)
			}
		})
		t.Run("ambiguous name is a numbered question", func(t *testing.T) {
			r := do(twSecA, "张大爷当选业委会主任")
			wantIn(t, "question", r, "本支部有几位“张大爷”", ". 张建国", ". 张建华")
			if strings.Contains(r.Text, "张建军") {
				t.Errorf("another branch's member offered: %q", r.Text)
			}
			pick := ""
			for _, l := range strings.Split(r.Text, "\n") {
				if n, ok := strings.CutSuffix(l, ". 张建华"); ok {
					pick = n
				}
			}
			wantIn(t, "pick", do(twSecA, pick), "已记录：张建华自11月27日起担任业委会主任", "职务类别：业委会主任")
			if got := w.count("SELECT COUNT(*) FROM posts WHERE member_id = ? AND kind = ?", zjh.ID, jinqiu.OwnersChair); got != 1 {
				t.Errorf("owners_chair posts of 张建华 = %d, want 1", got)
			}
		})
		t.Run("missing parts are asked for", func(t *testing.T) {
			before := w.count("SELECT COUNT(*) FROM posts")
			wantIn(t, "no position", do(twSecA, "张建国 担任"), "请问张建国担任什么职务", "张建国 担任 3号楼楼栋长")
			wantIn(t, "no member", do(twSecA, "担任 楼栋长"), "请写上是哪位党员")
			wantIn(t, "nobody", do(twSecA, "任命 王小明 网格长"), "本支部没有找到“王小明”")
			wantIn(t, "future", do(twSecA, "张建国 担任 单元长 2026-12-05"), "“2026-12-05”还没到", "请问是哪一天")
			wantIn(t, "no topic", do(twSecA, "顾问团议事"), "请写上议事的事项")
			wantIn(t, "no deeds", do(twSecA, "推荐典型 李秀英"), "请写上李秀英的主要事迹")
			if got := w.count("SELECT COUNT(*) FROM posts"); got != before {
				t.Errorf("posts %d → %d: a question recorded something", before, got)
			}
		})
		t.Run("the next message gives the missing part", func(t *testing.T) {
			do(twSecA, "张建国 担任")
			wantIn(t, "position", w.say(twChatA, twSecA, "2号楼单元长"), "已记录：张建国自11月27日起担任2号楼单元长", "职务类别：单元长")
			do(twSecA, "担任 楼栋长")
			wantIn(t, "member", w.say(twChatA, twSecA, "李秀英"), "已记录：李秀英自11月27日起担任楼栋长")
			do(twSecA, "顾问团议事")
			wantIn(t, "topic", w.say(twChatA, twSecA, "楼道照明改造"), "已记录顾问团议事：11月27日 楼道照明改造")
			// A command replaces the question: what follows is no answer.
			do(twSecA, "张建国 担任")
			w.say(twChatA, twSecA, "活动")
			w.say(twChatA, twSecA, "社区巡逻队队长")
			if got := w.count("SELECT COUNT(*) FROM posts WHERE member_id = ?", zjg.ID); got != 3 {
				t.Errorf("posts of 张建国 = %d, want 3: an answer after another command was recorded", got)
			}
			// Leave the registries as the later steps expect them.
			w.db.X().MustExec("DELETE FROM posts WHERE position IN ('2号楼单元长', '楼栋长')")
			w.db.X().MustExec("DELETE FROM decisions WHERE topic = '楼道照明改造'")
		})
		t.Run("who may", func(t *testing.T) {
			before := w.snapshot()
			for _, c := range []struct{ chat, user string }{
				{twChatA, "m1"},     // a member
				{twChatA, twSecB},   // another branch's secretary
				{twChatB, twSecA},   // in another branch's group
				{twChatA, "nobody"}, // a stranger
			} {
				for _, text := range []string{"任职 李秀英 导航员", "张建国 卸任 楼栋长", "顾问团议事 小区停车位改造 参加5人 已采纳 昨天", "推荐先进 李秀英 帮扶独居老人"} {
					if r := w.say(c.chat, c.user, text); strings.Contains(r.Text, "已记录") || strings.Contains(r.Text, "已推荐") {
						t.Errorf("%s in %s: %q answered %q", c.user, c.chat, text, r.Text)
					}
				}
			}
			if changed := twChanged(before, w.snapshot()); len(changed) > 0 {
				t.Errorf("refusals changed %v", changed)
			}
		})
		t.Run("resign keeps the history", func(t *testing.T) {
			wantIn(t, "before start", do(twSecA, "免去 李秀英 导航员 2026-11-25"), "卸任日期不能更早")
			wantIn(t, "resign", do(twSecA, "张建国 卸任 楼栋长"), "已记录：张建国于11月27日卸任3号楼楼栋长", "任职记录都会保留")
			if got := w.count("SELECT COUNT(*) FROM posts WHERE member_id = ? AND kind = ? AND ended_on IS NOT NULL", zjg.ID, jinqiu.BuildingHead); got != 1 {
				t.Errorf("ended building_head posts = %d, want 1 (kept, with its end)", got)
			}
			wantIn(t, "not held", do(twSecA, "张建国 卸任 网格长"), "张建国现在没有担任“网格长”", "现任：社区舞蹈队领队")
			wantIn(t, "again", do(twSecA, "张建国 卸任 楼栋长"), "没有担任“楼栋长”")
			wantIn(t, "不再担任", do(twSecA, "李秀英不再担任导航员"), "李秀英于11月27日卸任导航员")
			wantIn(t, "re-appoint", do(twSecA, "任职 李秀英 导航员"), "计入五大员：导航员")
			if got := w.count("SELECT COUNT(*) FROM posts WHERE member_id = ?", lxy.ID); got != 2 {
				t.Errorf("posts of 李秀英 = %d, want 2: the ended one and the new one", got)
			}
		})
		t.Run("我的 shows posts and roles", func(t *testing.T) {
			wantIn(t, "李秀英", w.say(twChatA, "m3", "我的"), "五大员：导航员")
			r := w.say(twChatA, "m1", "我的")
			wantIn(t, "张建国", r, "现任职务：社区舞蹈队领队（11月27日起）")
			if strings.Contains(r.Text, "楼栋长") {
				t.Errorf("an ended post shown in 我的: %q", r.Text)
			}
		})
		t.Run("decisions", func(t *testing.T) {
			wantIn(t, "adopted", do(twSecA, "顾问团议事 小区停车位改造 参加5人 已采纳 昨天"), "已记录顾问团议事：11月26日 小区停车位改造，参加5人，已采纳")
			wantIn(t, "not said", do(twSecA, "记录议事 暖气改造方案 6人参加 今天"), "暖气改造方案，参加6人，未注明是否采纳")
			wantIn(t, "not adopted", do(twSecA, "参与决策 垃圾分类点位 未采纳 2026-11-20"), "11月20日 垃圾分类点位，未采纳")
			wantIn(t, "again", do(twSecA, "参与决策 垃圾分类点位 未采纳 2026-11-20"), "已经记录过了")
			if got, want := w.count("SELECT COUNT(*) FROM decisions WHERE branch_id = ?", twA), 3; got != want {
				t.Errorf("decisions = %d, want %d", got, want)
			}
			if got := w.count("SELECT COUNT(*) FROM decisions WHERE adopted IS NULL"); got != 1 {
				t.Errorf("decisions with adoption not said = %d, want 1 (never false)", got)
			}
		})
		t.Run("典型: nominate, and the bureau commends", func(t *testing.T) {
			wantIn(t, "nominate", do(twSecA, "推荐典型 张建国 带领20名老党员清理小区杂物"), "已推荐 1号典型：张建国，事迹：带领20名老党员清理小区杂物", "表彰 1")
			wantIn(t, "twice", do(twSecA, "推荐典型 张建国 带领20名老党员清理小区杂物"), "已有推荐（1号）")
			wantIn(t, "secretary", do(twSecA, "表彰 1"), "由老干部局办理")
			wantIn(t, "unknown number", w.say(twChatBur, twAdmin, "评为典型 9"), "没有找到 9号推荐")
			wantIn(t, "one open", w.say(twChatBur, twAdmin, "表彰"), "是表彰 1号 张建国", "确认请回复：是")
			wantIn(t, "是", w.say(twChatBur, twAdmin, "是"), "已表彰 1号典型：张建国")
			if got := w.count("SELECT COUNT(*) FROM nominations WHERE state = ? AND commended_at IS NOT NULL", jinqiu.Commended); got != 1 {
				t.Errorf("commended = %d, want 1", got)
			}
			var notices []string
			for _, q := range w.outbox() {
				if strings.Contains(q.Reply.Text, "典型表彰") {
					notices = append(notices, q.Chat+" "+q.Reply.Text)
				}
			}
			if len(notices) != 2 {
				t.Fatalf("commendation notices = %q, want one in each of the branch's two groups", notices)
			}
			for _, n := range notices {
				if !strings.Contains(n, say.Inert(say.MaskName("张建国"))) || strings.Contains(n, "张建国") || !strings.HasPrefix(n, twChatA+" ") {
					t.Errorf("notice %q: want it in %s with the name masked 张*国", n, twChatA)
				}
			}
			wantIn(t, "again", w.say(twChatBur, twAdmin, "表彰 1"), "已经表彰过了")
			wantIn(t, "second", do(twSecA, "推荐先进 李秀英 帮扶独居老人"), "已推荐 2号典型：李秀英")
			// Who said 同意公示 is named in full.
			consent := w.message(twChatA, "m3", "同意公示")
			consent.UserName = "李秀英"
			if _, err := w.h.Handle(twCtx, consent); err != nil {
				t.Fatal(err)
			}
			before := len(w.outbox())
			wantIn(t, "consented", w.say(twChatBur, twAdmin, "表彰 2"), "已表彰 2号典型：李秀英")
			for _, q := range w.outbox()[before:] {
				if !strings.Contains(q.Reply.Text, "【典型表彰】李秀英被老干部局评为典型") {
					t.Errorf("notice %q: want 李秀英 named in full after 同意公示", q.Reply.Text)
				}
			}
			if n := len(w.outbox()) - before; n != 2 {
				t.Errorf("notices of 2号 = %d, want 2", n)
			}
		})
		t.Run("the district's 周报 has the programme's year", func(t *testing.T) {
			w.advance(time.Minute) // figures count up to now, not including it
			r := w.say(twChatBur, twAdmin, "周报")
			wantIn(t, "周报", r, "**双融双助（今年以来）**",
				"- 城市：助力社区治理 0 人；乡镇：参与乡村振兴 0 人",
				"- 担任小区党支部书记、业委会主任、楼栋长等职务 3 人次（业委会主任 1，楼栋长 1，其他 1）；五大员 2 名（导航员 2）",
				"- 顾问团 1 个，参与决策 3 项，其中采纳 1 项",
				"- 推荐典型 2 名，表彰 2 名")
		})
	})
}

// TestRegistryTextsParse: the texts of testdata/registries.jsonl parse as
// the commands the tests give them, once the parser reads the registries'
// intents (until then it skips, saying so).
func TestRegistryTextsParse(t *testing.T) {
	now := twStart(t)
	for text, want := range registryCommands(t) {
		got := command.Parse(text, now)
		same := got.Intent == want.Intent && got.Member == want.Member && got.Position == want.Position && got.Topic == want.Topic &&
			got.Note == want.Note && got.Present == want.Present && got.Nomination == want.Nomination && got.Date.Equal(want.Date) && got.BadDate == want.BadDate &&
			(got.Adopted == nil) == (want.Adopted == nil) && (got.Adopted == nil || *got.Adopted == *want.Adopted)
		if !same {
			t.Errorf("parse %q = %+v, want %+v", text, got, want)
		}
	}
}
