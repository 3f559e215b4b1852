package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"jinqiu"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostZones are the host time zones the figure runs under: the
// configured zone must decide every day and time, never the host's.
var hostZones = []string{"UTC", "America/New_York", "Asia/Shanghai"}

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// runJinqiu runs a one-shot command of the binary under host zone tz.
func runJinqiu(t testing.TB, dir, tz string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, jinqiuBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "TZ="+tz)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("TZ=%s jinqiu %s: %v\n%s", tz, strings.Join(args, " "), err, msg)
	}
	return string(out)
}

// TestF15HostTimeZone: the day of a check-in or an hours report, the
// parse of relative dates and the reminder schedule are the same under
// host TZ=UTC, America/New_York and Asia/Shanghai, around midnight in
// Shanghai; and MySQL's time_zone (SYSTEM in New York, or +00:00) does not
// shift stored instants.
func TestF15HostTimeZone(t *testing.T) {
	heavy(t)
	t.Run("parse", testTZParse)
	t.Run("serve", testTZServe)
	t.Run("mysql time_zone", testTZMySQL)
}

// testTZParse runs `jinqiu parse --now` around Shanghai midnight under each
// host zone: the same instant must parse the same, whatever the host zone
// and the offset --now is written with.
func testTZParse(t *testing.T) {
	texts := []string{
		"今天服务了3小时", "昨天服务了2小时", "时长 1.5 打扫楼道", "发布活动 夜巡 明天上午9点 社区 名额5",
		"发布活动 周会 周一下午3点 社区", "已开会 支委会 昨天", "签到", "发布活动 早操 后天早上6点 广场",
		"12月1日服务了2小时", "上周五服务了1小时",
	}
	type instant struct {
		forms []string // the same instant, written with different offsets
		want  map[string]string
	}
	instants := []instant{
		{[]string{"2026-11-29T23:59:59+08:00", "2026-11-29T15:59:59Z", "2026-11-29T10:59:59-05:00"},
			map[string]string{"今天服务了3小时": `"date":"2026-11-29"`, "昨天服务了2小时": `"date":"2026-11-28"`,
				"发布活动 夜巡 明天上午9点 社区 名额5": `"starts_at":"2026-11-30T09:00:00+08:00"`,
				"发布活动 周会 周一下午3点 社区":     `"starts_at":"2026-11-30T15:00:00+08:00"`}},
		{[]string{"2026-11-30T00:00:01+08:00", "2026-11-29T16:00:01Z", "2026-11-29T11:00:01-05:00"},
			map[string]string{"今天服务了3小时": `"date":"2026-11-30"`, "昨天服务了2小时": `"date":"2026-11-29"`,
				"发布活动 夜巡 明天上午9点 社区 名额5": `"starts_at":"2026-12-01T09:00:00+08:00"`,
				"发布活动 周会 周一下午3点 社区":     `"starts_at":"2026-11-30T15:00:00+08:00"`}},
	}
	dir := t.TempDir() // no config.yaml: the default zone, Asia/Shanghai
	var stdin strings.Builder
	for _, s := range texts {
		b, _ := json.Marshal(map[string]string{"text": s})
		stdin.Write(b)
		stdin.WriteByte('\n')
	}
	runs, differ, wrong := 0, 0, 0
	for _, in := range instants {
		var ref string
		for _, form := range in.forms {
			for _, tz := range hostZones {
				cmd := exec.Command(jinqiuBinary(t), "parse", "--now", form)
				cmd.Dir = dir
				cmd.Env = append(cmd.Environ(), "TZ="+tz)
				cmd.Stdin = strings.NewReader(stdin.String())
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("TZ=%s parse --now %s: %v", tz, form, err)
				}
				runs++
				if ref == "" {
					ref = string(out)
				} else if string(out) != ref {
					differ++
					t.Errorf("TZ=%s --now %s parses differently:\n%s\nwant\n%s", tz, form, out, ref)
				}
			}
		}
		lines := strings.Split(strings.TrimSpace(ref), "\n")
		for i, s := range texts {
			if want, ok := in.want[s]; ok && (i >= len(lines) || !strings.Contains(lines[i], want)) {
				wrong++
				t.Errorf("at %s, %q parses as %s, want %s", in.forms[0], s, lines[min(i, len(lines)-1)], want)
			}
		}
	}
	figure(t, "F15 parse: %d texts at 23:59:59 and 00:00:01 Shanghai, --now in 3 offsets × host TZ %s → %d runs, outputs differing %d (want 0), wrong dates %d (want 0)",
		len(texts), strings.Join(hostZones, "/"), runs, differ, wrong)
}

// testTZServe runs replicas under host TZ=UTC and America/New_York (and
// `jinqiu remind --dry-run` under all three zones) on one database:
// check-ins to activities that start just before and just after the last
// Shanghai midnight, and hours reported for today and yesterday, must fall
// on the Shanghai day.
func testTZServe(t *testing.T) {
	w := newWorld(t, worldOpts{branches: 1, schedules: true})
	b := &w.branches[0]
	// Migrated by a one-shot command, so that no replica's scheduler
	// records a slot between the dry runs below.
	runJinqiu(t, t.TempDir(), "UTC", "migrate", "--config", w.cfgPath)

	// The reminder plan around a Shanghai midnight, with an activity that
	// starts just after one (its evening-before reminder is on the day
	// before, at 18:00 Shanghai).
	// The night is a few days ahead of the real clock: the planner skips
	// activities that have already started, so a fixed date would expire.
	ny, nm, nd := time.Now().In(shanghai).AddDate(0, 0, 3).Date()
	night := time.Date(ny, nm, nd, 0, 0, 0, 0, shanghai)
	early := w.addActivity(t, b, "凌晨活动", night.Add(30*time.Minute), night.Add(150*time.Minute), 0)
	from, until := night.AddDate(0, 0, -8), night.AddDate(0, 0, 7)
	eveLine := night.AddDate(0, 0, -1).Format(time.DateOnly) + " 18:00 "
	signee := w.addMember(t, b, robotDing, "tz-signee", "早起的人")
	if _, err := w.open(t).SignUp(context.Background(), jinqiu.Actor{Platform: "dingtalk", UserID: signee.UserID, MsgID: "prep-tz"}, b.ID, early.ID, signee.ID); err != nil {
		t.Fatal(err)
	}
	// The plan holds this week's digest "as of now", which counts rows
	// written before the current second: let the second of the writes
	// above pass, so that the three runs see the same rows.
	time.Sleep(1100 * time.Millisecond)
	// It also says "as of HH:MM": keep the three runs inside one minute.
	if now := time.Now(); now.Second() >= 50 {
		time.Sleep(now.Truncate(time.Minute).Add(time.Minute + 100*time.Millisecond).Sub(now))
	}
	var plans []string
	for _, tz := range hostZones {
		plans = append(plans, runJinqiu(t, t.TempDir(), tz, "remind", "--config", w.cfgPath, "--dry-run", "--at", from.Format("2006-01-02T15:04"), "--until", until.Format("2006-01-02T15:04")))
	}
	planDiffer := 0
	for i, p := range plans[1:] {
		if p != plans[0] {
			planDiffer++
			t.Errorf("remind --dry-run under TZ=%s differs from TZ=%s:\n%s\nwant\n%s", hostZones[i+1], hostZones[0], p, plans[0])
		}
	}
	var at9, eve int
	for _, l := range strings.Split(plans[0], "\n") {
		if strings.Contains(l, " 09:00 ") && len(l) > 4 && l[4] == '-' {
			at9++
		}
		if strings.HasPrefix(l, eveLine) {
			eve++
		}
	}
	if at9 == 0 || eve == 0 {
		t.Errorf("remind --dry-run: %d fires at 09:00 and %d evening-before reminders on %s Shanghai, want some of each:\n%s", at9, eve, eveLine, plans[0])
	}

	now := time.Now().In(shanghai)
	y, m, d := now.Add(-5 * time.Second).Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, shanghai)
	dayOf := func(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }
	afterMidnight := w.addActivity(t, b, "零点后", midnight.Add(time.Second), time.Now().Add(time.Hour), 0)
	beforeMidnight := w.addActivity(t, b, "零点前", midnight.Add(-time.Second), time.Now().Add(time.Hour), 0)
	replicas := map[string]*replica{"UTC": w.serve(t, "TZ=UTC"), "America/New_York": w.serve(t, "TZ=America/New_York")}
	c := loadClient(30 * time.Second)
	type check struct {
		what, msgID, want string
		alt               string // the other acceptable day when the test straddles a midnight
	}
	var checks []check
	for _, tz := range []string{"UTC", "America/New_York"} {
		r := replicas[tz]
		tag := strings.ReplaceAll(tz, "/", "-")
		ck := w.addMember(t, b, robotDing, "tz-ck-"+tag, "签到人")
		hr := w.addMember(t, b, robotAIBot, "tz-hr-"+tag, "")
		before := dayOf(time.Now())
		send := func(mb member, text string) *msg {
			m := w.memberMessage(t, mb, "tz", text)
			res := deliver(context.Background(), c, r.base, m)
			if res.status != http.StatusOK {
				t.Fatalf("TZ=%s %q: status %d %v", tz, text, res.status, res.err)
			}
			return m
		}
		a := send(ck, fmt.Sprintf("签到 %d", afterMidnight.ID))
		bm := send(ck, fmt.Sprintf("签到 %d", beforeMidnight.ID))
		today := send(hr, "时长 1 打扫")
		yest := send(hr, "昨天服务了1小时")
		after := dayOf(time.Now())
		prev := func(day string) string {
			t, _ := time.ParseInLocation(time.DateOnly, day, shanghai)
			return t.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		checks = append(checks,
			check{"TZ=" + tz + " check-in to an activity at 00:00:01", a.ID, dayOf(afterMidnight.StartsAt), ""},
			check{"TZ=" + tz + " check-in to an activity at 23:59:59", bm.ID, dayOf(beforeMidnight.StartsAt), ""},
			check{"TZ=" + tz + " hours today", today.ID, before, after},
			check{"TZ=" + tz + " hours yesterday", yest.ID, prev(before), prev(after)},
		)
	}
	right := 0
	for _, ck := range checks {
		var got string
		if err := w.x(t).Get(&got, "SELECT DATE_FORMAT(served_on, '%Y-%m-%d') FROM hours_reports WHERE msg_id = ?", ck.msgID); err != nil {
			t.Errorf("%s: %v", ck.what, err)
			continue
		}
		if got == ck.want || (ck.alt != "" && got == ck.alt) {
			right++
		} else {
			t.Errorf("%s: served_on %s, want %s (Shanghai)", ck.what, got, ck.want)
		}
	}
	figure(t, "F15 serve: host TZ UTC and America/New_York, check-ins to activities at 23:59:59 and 00:00:01 Shanghai and hours for today/yesterday → served_on right %d/%d; remind --dry-run over 15 days under 3 host zones: plans differing %d (want 0), fires at 09:00 Shanghai %d, evening-before reminders at 18:00 Shanghai %d",
		right, len(checks), planDiffer, at9, eve)
}

// testTZMySQL runs a replica on a MariaDB of its own whose system zone is
// New York, with global time_zone SYSTEM and then +00:00 and +08:00: the
// instants stored (activity start, inbound and check-in times) are UTC
// whatever the server's zone.
func testTZMySQL(t *testing.T) {
	db := startMariaDB(t, []string{"TZ=America/New_York"})
	w := newWorld(t, worldOpts{branches: 1, dsn: db.DSN()})
	r := w.serve(t, "TZ=Asia/Shanghai")
	b := &w.branches[0]
	x := w.x(t)
	var sysZone string
	if err := x.Get(&sysZone, "SELECT @@system_time_zone"); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	act := w.addActivity(t, b, "时区", start, time.Now().Add(time.Hour), 0)
	var raw string
	if err := x.Get(&raw, "SELECT DATE_FORMAT(starts_at, '%Y-%m-%d %H:%i:%s') FROM activities WHERE id = ?", act.ID); err != nil {
		t.Fatal(err)
	}
	ok, total := 0, 0
	total++
	if raw == start.Format(time.DateTime) {
		ok++
	} else {
		t.Errorf("activities.starts_at stored as %s, want %s UTC", raw, start.Format(time.DateTime))
	}
	c := loadClient(30 * time.Second)
	var zones []string
	for i, global := range []string{"SYSTEM", "+00:00", "+08:00"} {
		admin := w.x(t)
		if _, err := admin.Exec("SET GLOBAL time_zone = '" + global + "'"); err != nil {
			t.Fatal(err)
		}
		zones = append(zones, global)
		mb := w.addMember(t, b, robotDing, fmt.Sprintf("tz-db-%d", i), "时区")
		before := time.Now().UTC().Add(-2 * time.Second)
		m := w.memberMessage(t, mb, "checkin", fmt.Sprintf("签到 %d", act.ID))
		if res := deliver(context.Background(), c, r.base, m); res.status != http.StatusOK {
			t.Fatalf("check-in: status %d %v", res.status, res.err)
		}
		after := time.Now().UTC().Add(2 * time.Second)
		for _, q := range []string{
			"SELECT DATE_FORMAT(received_at, '%Y-%m-%d %H:%i:%s') FROM inbound WHERE msg_id = ?",
			"SELECT DATE_FORMAT(checked_at, '%Y-%m-%d %H:%i:%s') FROM checkins WHERE msg_id = ?",
		} {
			var s string
			if err := x.Get(&s, q, m.ID); err != nil {
				t.Fatal(err)
			}
			got, _ := time.Parse(time.DateTime, s)
			total++
			if got.Before(before) || got.After(after) {
				t.Errorf("time_zone %s: %q gave %s, want between %s and %s UTC", global, q, s, before.Format(time.DateTime), after.Format(time.DateTime))
			} else {
				ok++
			}
		}
	}
	figure(t, "F15 MySQL time_zone: server system zone %s, global time_zone %s → stored instants in UTC %d/%d",
		sysZone, strings.Join(zones, " then "), ok, total)
}
