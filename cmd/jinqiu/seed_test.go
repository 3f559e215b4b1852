package main

import (
	"bytes"
	"fmt"
	"jinqiu"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/config"
	"jinqiu/storage/storagetest"
)

// The seed's district at a tenth of its size, built through the handlers
// with chat commands only, as its people would send them (报到, 时长, 通过,
// 担任, 顾问团议事, 推荐典型, 表彰, 发布活动, 报名, 签到), and the programme
// report that `jinqiu report --year` prints of it: 7 posts and 5 五大员, 8 顾问团 with 12 decisions (9
// adopted), 100 urban and 60 rural active retirees, 2 活动室 and 1 金秋讲堂,
// 2 典型 nominated and 1 commended.

// seedBranches are five communities of 粥店街道 and three villages of
// 大汶口镇; their line comes from their 统计用区划代码 alone.
// Each branch's members share its surname (赵春, 赵夏 …).
var seedBranches = []struct{ id, name, town, code, surname string }{
	{"u1", "粥店一社区临时党支部", "粥店街道", "370911002001", "赵"},
	{"u2", "粥店二社区临时党支部", "粥店街道", "370911002002", "钱"},
	{"u3", "粥店三社区临时党支部", "粥店街道", "370911002003", "孙"},
	{"u4", "粥店四社区临时党支部", "粥店街道", "370911002004", "李"},
	{"u5", "粥店五社区临时党支部", "粥店街道", "370911002005", "周"},
	{"r1", "大汶口一村党支部", "大汶口镇", "370911101201", "吴"},
	{"r2", "大汶口二村党支部", "大汶口镇", "370911101202", "郑"},
	{"r3", "大汶口三村党支部", "大汶口镇", "370911101203", "王"},
}

func seedConfigYAML(driver, dsn string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "storage:\n  driver: %s\n  dsn: %q\ntimezone: Asia/Shanghai\nwecom:\n  robots:\n    - {name: jinqiu, mode: aibot, token: %s, encoding_aes_key: %s}\nbranches:\n",
		driver, dsn, e2eAIToken, e2eAESKey)
	for _, br := range seedBranches {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    town: %s\n    division_code: \"%s\"\n    secretaries: [\"wecom:sec-%s\"]\n    groups:\n      - {platform: wecom, chat_id: g-%s, robot: jinqiu}\n",
			br.id, br.name, br.town, br.code, br.id, br.id)
		switch br.id {
		case "u1":
			b.WriteString("    places:\n      - {name: 粥店社区党员活动室, kind: 党员活动室}\n      - {name: 金秋讲堂, kind: 金秋讲堂}\n")
		case "r1":
			b.WriteString("    places:\n      - {name: 大汶口村党员活动室, kind: 党员活动室}\n")
		}
	}
	b.WriteString("bureau:\n  admins: [\"wecom:admin\"]\n  groups:\n    - {platform: wecom, chat_id: g-bureau, robot: jinqiu}\n")
	return b.String()
}

// seedWorld sends messages to the app's handlers on a fixed clock.
type seedWorld struct {
	t   *testing.T
	a   *app
	now time.Time
	seq atomic.Int64
}

func (w *seedWorld) message(branch, user, name, text string) jinqiu.Message {
	chat := "g-" + branch
	return jinqiu.Message{Platform: "wecom", Robot: "jinqiu", MsgID: fmt.Sprintf("seed-%d", w.seq.Add(1)), ChatID: chat, ChatType: jinqiu.ChatGroup,
		UserID: user, UserName: name, Text: "@金秋助手 " + text, SentAt: w.now}
}

// say sends chat text, which the parser reads.
func (w *seedWorld) say(branch, user, name, text, want string) string {
	w.t.Helper()
	r, err := w.a.handlers.Handle(w.t.Context(), w.message(branch, user, name, text))
	if err != nil || !strings.Contains(r.Text, want) {
		w.t.Fatalf("%s in %s: %q = %q, %v; want %q", user, branch, text, r.Text, err, want)
	}
	return r.Text
}

// seedName is the i-th member (from 1) of a branch: its surname and a
// given name of its own.
func seedName(branch string, i int) string {
	for _, b := range seedBranches {
		if b.id == branch {
			return b.surname + string([]rune("春夏秋冬梅兰竹菊松柏山水云月星河江海风雷")[i-1])
		}
	}
	return ""
}

func TestSeedDistrictReport(t *testing.T) {
	for _, d := range storagetest.Dialects() {
		t.Run(d, func(t *testing.T) { seedDistrict(t, d) })
	}
}

func seedDistrict(t *testing.T, dialect string) {
	driver, dsn := storagetest.DSN(t, dialect)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(seedConfigYAML(driver, dsn)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, registry())
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(t.Context(), cfg, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	w := &seedWorld{t: t, a: a, now: e2eNow(t)}
	clock := func() time.Time { return w.now }
	a.handlers.Now, a.db.Now = clock, clock

	// 20 retirees a branch register and serve; their secretaries approve.
	for _, br := range seedBranches {
		for i := 1; i <= 20; i++ {
			user := fmt.Sprintf("%s-m%02d", br.id, i)
			w.say(br.id, user, seedName(br.id, i), "报到", "报到")
			w.say(br.id, user, seedName(br.id, i), "时长 2 打扫楼道", "")
		}
		var ids []int64
		if err := a.db.X().Select(&ids, "SELECT id FROM hours_reports WHERE branch_id = ? AND state = 'pending' ORDER BY id", br.id); err != nil || len(ids) != 20 {
			t.Fatalf("pending hours of %s: %v, %v", br.id, ids, err)
		}
		for _, id := range ids {
			w.say(br.id, "sec-"+br.id, "", fmt.Sprintf("通过 %d", id), "")
		}
	}
	// 7 posts and the 五大员.
	for _, p := range []struct {
		branch   string
		member   int
		position string
	}{
		{"u1", 1, "小区党支部书记"}, {"u2", 1, "小区党支部书记"}, {"u3", 1, "业委会主任"},
		{"u1", 2, "3号楼楼栋长"}, {"u2", 2, "1号楼楼栋长"}, {"r1", 1, "楼栋长"}, {"r2", 1, "楼栋长"},
		{"u4", 1, "导航员"}, {"u5", 1, "指导员"}, {"r1", 2, "协管员"}, {"r2", 2, "示范员"}, {"r3", 1, "教研员"},
	} {
		w.say(p.branch, "sec-"+p.branch, "", seedName(p.branch, p.member)+" 担任 "+p.position, "已记录")
	}
	// 12 decisions of 8 顾问团: each branch's first adopted, and one more.
	for i, br := range seedBranches {
		topics := 1
		if i < 4 {
			topics = 2
		}
		for j := 0; j < topics; j++ {
			text := fmt.Sprintf("顾问团议事 %s家议事%d 参加5人", br.surname, j+1)
			switch {
			case j == 0 || br.id == "u1":
				text += " 已采纳"
			case br.id == "u2":
				text += " 未采纳"
			}
			w.say(br.id, "sec-"+br.id, "", text, "已记录顾问团议事")
		}
	}
	// 2 典型 nominated, 1 commended by the bureau.
	for _, br := range []string{"u1", "r1"} {
		w.say(br, "sec-"+br, "", "推荐典型 "+seedName(br, 3)+" 带领老党员清理小区杂物", "已推荐")
	}
	w.say("bureau", "admin", "", "表彰 1", "已表彰 1号典型")
	// Two activities at u1's 阵地 tomorrow, 3 and 2 check-ins.
	acts := map[string]int64{}
	for i, place := range []string{"金秋讲堂", "粥店社区党员活动室"} {
		r := w.say("u1", "sec-u1", "", "发布活动 "+[]string{"健康讲座", "读报会"}[i]+" 明天上午9点 "+place+" 名额30", "已发布")
		var id int64
		if _, err := fmt.Sscanf(r, "已发布 %d号活动", &id); err != nil {
			t.Fatalf("publish: %q", r)
		}
		acts[place] = id
	}
	signed := map[string][]int{"金秋讲堂": {4, 5, 6}, "粥店社区党员活动室": {7, 8}}
	for place, ms := range signed {
		for _, i := range ms {
			w.say("u1", fmt.Sprintf("u1-m%02d", i), seedName("u1", i), fmt.Sprintf("报名 %d", acts[place]), "报名成功")
		}
	}
	w.now = time.Date(2026, 11, 28, 9, 10, 0, 0, w.now.Location())
	for place, ms := range signed {
		for _, i := range ms {
			w.say("u1", fmt.Sprintf("u1-m%02d", i), seedName("u1", i), fmt.Sprintf("签到 %d", acts[place]), "签到")
		}
	}
	a.close()

	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"report", "--config", path, "--year", "2026"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr.String())
	}
	got := stdout.String()
	t.Logf("jinqiu report --year 2026:\n%s", got)
	for _, want := range []string{
		"2026年“双融双助”工作情况",
		"全区临时党支部 8 个（城市 5 个，乡镇 3 个）",
		"一、组织融入：离退休干部党员到社区（村）报到 160 人（城市 100 人，乡镇 60 人）",
		"二、阵地融入：党员活动室 2 个（活动 1 场，签到 2 人次）；金秋讲堂 1 个（活动 1 场，签到 3 人次）",
		"三、岗位融入：担任小区党支部书记、业委会主任、楼栋长等职务 7 人次（小区党支部书记 2，业委会主任 1，楼栋长 4）",
		"四、人才融入：五大员 5 名（导航员 1，指导员 1，协管员 1，示范员 1，教研员 1）",
		"五、治理融入：顾问团 8 个，参与决策 12 项，其中采纳 9 项",
		"六、典型带动：推荐典型 2 名，表彰 1 名",
		"成效：城市：助力社区治理 100 人；乡镇：参与乡村振兴 60 人",
		"- 金秋讲堂（金秋讲堂，粥店一社区临时党支部）：活动 1 场，签到 3 人次",
		"- 大汶口村党员活动室（党员活动室，大汶口一村党支部）：活动 0 场，签到 0 人次",
	} {
		if !strings.Contains(got, want+"\n") && !strings.Contains(got, want+"（") {
			t.Errorf("report lacks %q", want)
		}
	}
}
