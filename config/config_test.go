package config

import (
	"jinqiu"
	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"os"
	"strings"
	"testing"
	"time"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// platforms are the platforms as cmd/jinqiu registers them.
func platforms() bot.Platforms { return bot.Platforms{wecom.New(), dingtalk.New()} }

func weComOf(cfg *Config) wecom.Config {
	p, _ := cfg.Platforms.Get(wecom.Name)
	return p.(*wecom.Platform).Config()
}

func dingTalkOf(cfg *Config) dingtalk.Config {
	p, _ := cfg.Platforms.Get(dingtalk.Name)
	return p.(*dingtalk.Platform).Config()
}

func TestShippedConfigLoads(t *testing.T) {
	cfg, err := Load("../config.yaml", platforms())
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	if got, want := cfg.Storage.Driver, "sqlite"; got != want {
		t.Errorf("driver = %q, want %q", got, want)
	}
	if cfg.Location == nil || cfg.Location.String() != "Asia/Shanghai" {
		t.Errorf("location = %v, want Asia/Shanghai", cfg.Location)
	}
	if len(weComOf(cfg).Robots)+len(dingTalkOf(cfg).Robots) != 0 {
		t.Errorf("shipped config has robots")
	}
}

func TestEmptyConfigGetsDefaults(t *testing.T) {
	cfg, err := Parse(nil, lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"listen", cfg.Server.Listen, ":8080"},
		{"driver", cfg.Storage.Driver, "sqlite"},
		{"dsn", cfg.Storage.DSN, DefaultSQLiteDSN},
		{"timezone", cfg.Timezone, "Asia/Shanghai"},
		{"wecom", weComOf(cfg).APIBase, wecom.DefaultAPIBase},
		{"dingtalk", dingTalkOf(cfg).APIBase, dingtalk.DefaultAPIBase},
		{"committee", cfg.Jobs.Schedule.Committee, "monthly"},
		{"assembly", cfg.Jobs.Schedule.BranchAssembly, "quarterly"},
		{"digest", cfg.Jobs.Digest.Cron, "0 9 * * 1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.Server.ReplyBudget.D() != 3*time.Second {
		t.Errorf("reply budget = %v", cfg.Server.ReplyBudget.D())
	}
}

func TestUnknownKeyRejected(t *testing.T) {
	_, err := Parse([]byte("server:\n  listn: \":9\"\n"), lookupFrom(nil), platforms())
	if !IsInvalid(err) || !strings.Contains(err.Error(), "listn") {
		t.Fatalf("err = %v, want a problem naming listn", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	doc := `
wecom:
  robots:
    - name: r1
      token: ${TOK}
      encoding_aes_key: ${AES}
      webhook_key: "${KEY}"
`
	env := map[string]string{"TOK": "QDG6eK", "AES": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "KEY": "k: #1"}
	cfg, err := Parse([]byte(doc), lookupFrom(env), platforms())
	if err != nil {
		t.Fatal(err)
	}
	r := weComOf(cfg).Robots[0]
	if r.Token != "QDG6eK" || r.WebhookKey != "k: #1" || r.Mode != "aibot" {
		t.Errorf("robot = %+v", r)
	}
	_, err = Parse([]byte(doc), lookupFrom(map[string]string{"TOK": "QDG6eK"}), platforms())
	if err == nil || !strings.Contains(err.Error(), "wecom.robots[0].encoding_aes_key: environment variable AES is not set") {
		t.Errorf("err = %v, want the unset AES named with its key", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	doc := `
storage: {driver: postgres}
timezone: Mars/Olympus
wecom:
  robots:
    - {name: a, mode: chat, token: "x!", encoding_aes_key: short}
    - {name: a, webhook_key: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}
dingtalk:
  robots:
    - {name: d, webhook: "https://evil.example/robot/send"}
branches:
  - {id: b1, name: 甲, kind: town, groups: [{platform: wecom, chat_id: c1, robot: nobody}]}
  - {id: b1, groups: [{platform: qq, chat_id: c1}]}
jobs:
  schedule: {committee: weekly, theme_day_on: "second funday", at: "9am"}
  digest: {cron: "every monday"}
  outbox: {per_minute: 30}
`
	_, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	p, ok := err.(Problems)
	if !ok {
		t.Fatalf("err = %v, want Problems", err)
	}
	want := []string{
		"storage.driver", "timezone", "wecom.robots[0].mode", "wecom.robots[0].token",
		"wecom.robots[0].encoding_aes_key", "wecom.robots[1].name", "wecom.robots[1].webhook_key",
		"dingtalk.robots[0].webhook", "branches[0].kind", "branches[0].groups[0].robot",
		"branches[1].id", "branches[1].name", "branches[1].groups[0].platform",
		"jobs.schedule.committee", "jobs.schedule.theme_day_on", "jobs.schedule.at",
		"jobs.digest.cron", "jobs.outbox.per_minute",
	}
	all := p.Error()
	for _, k := range want {
		if !strings.Contains(all, k+":") {
			t.Errorf("no problem reported for %s", k)
		}
	}
	if t.Failed() {
		t.Log(all)
	}
}

// TestTimezoneIsAName: Local (the host's, whatever it is today) is not a
// zone the records can keep their days in.
func TestTimezoneIsAName(t *testing.T) {
	for _, tz := range []string{"Local", "Mars/Olympus"} {
		_, err := Parse([]byte("timezone: "+tz+"\n"), lookupFrom(nil), platforms())
		if p, ok := err.(Problems); !ok || !strings.Contains(p.Error(), "timezone:") {
			t.Errorf("timezone %s: %v, want a timezone problem", tz, err)
		}
	}
	if _, err := Parse([]byte("timezone: Asia/Urumqi\n"), lookupFrom(nil), platforms()); err != nil {
		t.Errorf("timezone Asia/Urumqi: %v", err)
	}
}

func TestDayRule(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		rule string
		y    int
		m    time.Month
		want string
	}{
		{"first friday", 2026, 11, "2026-11-06"},
		{"first friday", 2026, 5, "2026-05-01"},
		{"last monday", 2026, 11, "2026-11-30"},
		{"third wednesday", 2026, 12, "2026-12-16"},
		{"15", 2026, 2, "2026-02-15"},
	}
	for _, tt := range tests {
		r, err := ParseDayRule(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.In(tt.y, tt.m, sh).Format(time.DateOnly); got != tt.want {
			t.Errorf("%s in %d-%d = %s, want %s", tt.rule, tt.y, tt.m, got, tt.want)
		}
	}
	if _, err := ParseDayRule("31"); err == nil {
		t.Error("31 accepted")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(t.TempDir()+"/nope.yaml", platforms())
	if err == nil || IsInvalid(err) || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("err = %v, want a not-exist error that is not a config problem", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// A person is platform:user_id; a bare id is a problem that names the key
// and how to write it.
func TestPeopleNameTheirPlatform(t *testing.T) {
	doc := "branches:\n  - {id: b1, name: 支部, kind: community, secretaries: [zhangsan, \"wecom:li si\", \"feishu:x\", \"dingtalk:\"]}\nbureau:\n  admins: [admin]\n"
	_, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	if !IsInvalid(err) {
		t.Fatalf("err = %v, want problems", err)
	}
	for _, want := range []string{
		"branches[0].secretaries[0]: must name the platform and the user id, e.g. wecom:zhangsan",
		"branches[0].secretaries[1]: must not contain spaces",
		"branches[0].secretaries[2]: must start with the platform (wecom or dingtalk) and a colon",
		"branches[0].secretaries[3]: must have a user id",
		"bureau.admins[0]: must name the platform",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	cfg, err := Parse([]byte("branches:\n  - {id: b1, name: 支部, kind: community, secretaries: [\"wecom:zhangsan\", \"dingtalk:0123\"]}\n"), lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	if got := Identities(cfg.Branches[0].Secretaries); len(got) != 2 || got[1] != (jinqiu.Identity{Platform: "dingtalk", UserID: "0123"}) {
		t.Errorf("identities = %+v", got)
	}
}

// A configuration error names the key and what was expected, never the
// value, which may be a secret put in the wrong place.
func TestProblemsNeverEchoAValue(t *testing.T) {
	const secret = "s3cr3t-Value-9f8e"
	docs := []string{
		"storage:\n  driver: " + secret + "\n",
		"timezone: " + secret + "\n",
		"server:\n  max_in_flight: " + secret + "\n",
		"server:\n  reply_budget: " + secret + "\n",
		"wecom:\n  api_base: " + secret + "\n",
		"wecom:\n  robots:\n    - {name: a, mode: " + secret + ", webhook_key: k}\n",
		"jobs:\n  digest: {cron: " + secret + "}\n",
		"jobs:\n  schedule: {theme_day_on: " + secret + ", at: " + secret + ", committee: " + secret + "}\n",
		"branches:\n  - {id: b1, name: x, kind: " + secret + ", secretaries: [" + secret + "]}\n",
		"branches:\n  - {id: b1, name: x, kind: community, groups: [{platform: " + secret + ", chat_id: c}]}\n",
	}
	for _, d := range docs {
		_, err := Parse([]byte(d), lookupFrom(nil), platforms())
		if err == nil {
			t.Errorf("%q: no problem found", d)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the problem echoes the value:\n%v", d, err)
		}
	}
}

// Each platform checks its own section and its groups' push keys; a
// section no platform registered is a problem.
func TestPlatformsCheckTheirOwn(t *testing.T) {
	doc := `
feishu:
  robots: []
wecom:
  robts: []
branches:
  - id: b1
    name: 支部
    groups:
      - {platform: wecom, chat_id: c1, webhook: "https://oapi.dingtalk.com/robot/send?access_token=x"}
      - {platform: dingtalk, chat_id: c2, webhook_key: k}
      - {platform: dingtalk, chat_id: c3, webhook: "https://oapi.dingtalk.com/robot/send?access_token=y", secret: s}
`
	_, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	if !IsInvalid(err) {
		t.Fatalf("err = %v, want problems", err)
	}
	for _, want := range []string{
		"feishu: is not a key of config.yaml (the platforms are wecom or dingtalk)",
		"wecom: line 1: field robts not found",
		"branches[0].groups[0].webhook: is not a key of a wecom group, which uses webhook_key",
		"branches[0].groups[1].webhook_key: is not a key of a dingtalk group, which uses webhook and secret",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "groups[2]") {
		t.Errorf("a well-formed dingtalk group has a problem:\n%v", err)
	}

	cfg, err := Parse([]byte("branches:\n  - {id: b1, name: 支部, groups: [{platform: wecom, chat_id: c1, webhook_key: k1}, {platform: dingtalk, chat_id: c2}]}\n"), lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Platforms.Pushable(jinqiu.Group{Platform: wecom.Name, ChatID: "c1"}) || cfg.Platforms.Pushable(jinqiu.Group{Platform: dingtalk.Name, ChatID: "c2"}) {
		t.Errorf("pushable: c1 has a webhook key, c2 no webhook")
	}
}

func TestConsoleBaseURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"", true}, {"https://jinqiu.example.gov.cn", true}, {"http://10.0.0.5:8080/jq", true},
		{"jinqiu.example.gov.cn", false}, {"ftp://x.example", false}, {"https://", false},
		{"https://x.example/?a=1", false}, {"https://u:p@x.example", false},
	} {
		_, err := Parse([]byte("console: {base_url: \""+tc.url+"\"}\n"), lookupFrom(nil), platforms())
		if got := err == nil; got != tc.ok {
			t.Errorf("base_url %q: err = %v, want ok %v", tc.url, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "console.base_url:") {
			t.Errorf("base_url %q: %v does not name console.base_url", tc.url, err)
		}
	}
}

// Each long-connection mode says which keys it takes, and a group served
// by a long-connection robot needs no webhook.
func TestLongConnectionModes(t *testing.T) {
	doc := `
wecom:
  ws_url: "http://not-a-socket"
  robots:
    - {name: w1, mode: aibot_ws}
    - {name: w2, mode: aibot_ws, bot_id: B, secret: S, token: abc}
    - {name: w3, mode: aibot, bot_id: B, token: abcd, encoding_aes_key: x}
dingtalk:
  openapi_base: "ftp://x"
  robots:
    - {name: d1, mode: stream, client_id: K}
    - {name: d2, mode: stream, client_id: K, client_secret: S, app_secret: S}
    - {name: d3, client_id: K, app_secret: S}
    - {name: d4, mode: websocket}
`
	_, err := Parse([]byte(doc), lookupFrom(nil), platforms())
	if !IsInvalid(err) {
		t.Fatalf("err = %v, want problems", err)
	}
	for _, want := range []string{
		"wecom.ws_url: must be a ws(s) URL such as " + wecom.DefaultWSURL,
		"wecom.robots[0]: mode aibot_ws needs bot_id and secret",
		"wecom.robots[1]: token and encoding_aes_key are for mode: aibot (callbacks to a public URL); mode aibot_ws uses bot_id and secret",
		"wecom.robots[2]: bot_id and secret belong to mode: aibot_ws",
		"dingtalk.openapi_base: must be an http(s) URL such as " + dingtalk.DefaultOpenAPIBase,
		"dingtalk.robots[0]: mode stream needs client_id and client_secret",
		"dingtalk.robots[1].app_secret: is for mode: http",
		"dingtalk.robots[2]: client_id and client_secret belong to mode: stream",
		"dingtalk.robots[3].mode: must be http (callbacks to a public URL, with app_secret) or stream",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}

	ok := `
wecom:
  robots:
    - {name: w, mode: aibot_ws, bot_id: B, secret: S}
dingtalk:
  robots:
    - {name: d, mode: stream, client_id: K, client_secret: S}
branches:
  - {id: b1, name: 支部, groups: [{platform: wecom, chat_id: c1, robot: w}, {platform: dingtalk, chat_id: c2, robot: d}]}
`
	cfg, err := Parse([]byte(ok), lookupFrom(nil), platforms())
	if err != nil {
		t.Fatal(err)
	}
	if got := weComOf(cfg).WSURL; got != wecom.DefaultWSURL {
		t.Errorf("ws_url = %q, want the default", got)
	}
	if got := dingTalkOf(cfg).OpenAPIBase; got != dingtalk.DefaultOpenAPIBase {
		t.Errorf("openapi_base = %q, want the default", got)
	}
	for _, g := range []jinqiu.Group{{Platform: wecom.Name, ChatID: "c1"}, {Platform: dingtalk.Name, ChatID: "c2"}} {
		if !cfg.Platforms.Pushable(g) {
			t.Errorf("%s/%s is served by a long-connection robot but not pushable", g.Platform, g.ChatID)
		}
	}
}

func TestShippedCalendar(t *testing.T) {
	cfg, err := Load("../config.yaml", platforms())
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	cal := cfg.Publicity.Calendar()
	for d, want := range map[string]bool{
		"2026-10-01": false, "2026-10-07": false, "2026-10-08": true, "2026-10-10": true, "2026-09-20": true,
		"2026-02-14": true, "2026-02-23": false, "2026-05-05": false, "2026-05-09": true, "2026-12-01": true,
	} {
		day, _ := time.Parse(time.DateOnly, d)
		if got := cal.IsWorkingDay(day); got != want {
			t.Errorf("config.yaml: %s working day = %v, want %v", d, got, want)
		}
	}
	// Wednesday 9月30日, three working days: 10月8日, 9日 and the make-up
	// Saturday 10日.
	if got := cal.AddWorkingDays(time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), 3); got.Format(time.DateOnly) != "2026-10-10" {
		t.Errorf("a 公示 of 9月30日 closes on %s, want 2026-10-10", got.Format(time.DateOnly))
	}
}

func TestPublicityCalendarValidated(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		problems  []string // each a key and words of its message
	}{
		{"good", "publicity: {holidays: [2026-10-01, \"2026-10-02\"], workdays: [2026-10-10]}", nil},
		{"not a date", "publicity: {holidays: [2026-02-30, tomorrow], workdays: [10/10]}",
			[]string{"publicity.holidays[0]: must be a date written YYYY-MM-DD", "publicity.holidays[1]: must be a date",
				"publicity.workdays[0]: must be a date written YYYY-MM-DD"}},
		{"in both lists", "publicity: {holidays: [2026-10-01, 2026-10-10], workdays: [2026-10-10]}",
			[]string{"publicity.workdays[0]: 2026-10-10 is also publicity.holidays[1]"}},
		{"a weekday worked", "publicity: {workdays: [2026-10-08]}",
			[]string{"publicity.workdays[0]: 2026-10-08 is a Thursday, a working day anyway"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.doc+"\n"), lookupFrom(nil), platforms())
			if len(tc.problems) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Publicity.Calendar().IsWorkingDay(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
					t.Error("2026-10-01 is listed as a holiday but counts as a working day")
				}
				return
			}
			if err == nil {
				t.Fatalf("no problem reported, want %v", tc.problems)
			}
			for _, p := range tc.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("problems %q lack %q", err, p)
				}
			}
		})
	}
}
