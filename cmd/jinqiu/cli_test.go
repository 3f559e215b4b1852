package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/bot/wecom"
	"jinqiu/storage"
)

// cliRun runs one command line on the configuration at path and returns
// what it printed.
func cliRun(t *testing.T, path string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(t.Context(), append([]string{args[0], "--config", path}, args[1:]...), strings.NewReader(""), &o, &e)
	return o.String(), e.String(), err
}

// sayAt is `jinqiu say --now at` in the first group of zaoxing.
func sayAt(t *testing.T, path string, w e2eWorld, at time.Time, user, text string) string {
	t.Helper()
	out, errOut, err := cliRun(t, path, "say", "--chat", w.chatA, "--user", user, "--now", at.Format(time.RFC3339), text)
	if err != nil {
		t.Fatalf("say --now %s %s: %v\n%s", at.Format(time.RFC3339), text, err, errOut)
	}
	return out
}

// openCLIDB opens the database of the configuration e2eConfigFile wrote,
// to read what the command line recorded.
func openCLIDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(t.Context(), storage.SQLite, filepath.Join(filepath.Dir(path), "jinqiu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var numberedActivity = regexp.MustCompile(`(\d+)号【([^】]+)】`)

// published returns the activity number in the reply to 发布活动.
func published(t *testing.T, reply string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(reply, "已发布 %d号活动", &id); err != nil {
		t.Fatalf("发布活动 = %q: %v", reply, err)
	}
	return id
}

// A question asked by one `say --now` run is answered by the next, and the
// records carry the times given, not the wall clock: a week rehearsed in
// a few milliseconds.
func TestCLISayNowRehearsesDaysInOrder(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	monday := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	wednesday := monday.AddDate(0, 0, 2) // 10:00
	m1 := w.user("m1")

	// Monday: the member registers; the secretary publishes two
	// activities on Wednesday morning, half an hour apart.
	if got := sayAt(t, path, w, monday, m1, "报到"); !strings.Contains(got, "已在【"+e2eBranchA+"】报到") {
		t.Fatalf("报到 = %q", got)
	}
	first := published(t, sayAt(t, path, w, monday.Add(time.Minute), w.secA, "发布活动 读书会 周三上午9点 社区活动室 名额10"))
	second := published(t, sayAt(t, path, w, monday.Add(2*time.Minute), w.secA, "发布活动 太极拳 周三上午9点半 社区广场 名额10"))
	for _, id := range []int64{first, second} {
		if got := sayAt(t, path, w, monday.Add(3*time.Minute), m1, "报名 "+strconv.FormatInt(id, 10)); !strings.Contains(got, "报名成功") {
			t.Fatalf("报名 %d = %q", id, got)
		}
	}

	db := openCLIDB(t, path)
	ctx := t.Context()
	member, err := db.Member(ctx, wecom.Name, m1)
	if err != nil {
		t.Fatal(err)
	}
	if !member.RegisteredAt.Valid || !member.RegisteredAt.Time.Equal(monday) {
		t.Errorf("registered_at = %v, want the --now of 报到, %v", member.RegisteredAt, monday.UTC())
	}
	var createdAt, startsAt time.Time
	if err := db.X().QueryRow("SELECT created_at, starts_at FROM activities WHERE id = ?", first).Scan(&createdAt, &startsAt); err != nil {
		t.Fatal(err)
	}
	if !createdAt.Equal(monday.Add(time.Minute)) {
		t.Errorf("activity %d created_at = %v, want the --now of 发布活动, %v", first, createdAt, monday.Add(time.Minute).UTC())
	}
	// 周三 is read from the --now: the Wednesday of that week.
	if want := wednesday.Add(-time.Hour); !startsAt.Equal(want) {
		t.Errorf("activity %d starts_at = %v, want 周三上午9点 of the --now's week, %v", first, startsAt, want.UTC())
	}

	// Wednesday 09:05: both are open for check-in, so the bot asks which;
	// the next run, a minute later, answers.
	checkin := wednesday.Add(-55 * time.Minute)
	question := sayAt(t, path, w, checkin, m1, "签到")
	var offered []string
	for _, m := range numberedActivity.FindAllStringSubmatch(question, -1) {
		offered = append(offered, m[1])
	}
	if want := []string{strconv.FormatInt(first, 10), strconv.FormatInt(second, 10)}; strings.Join(offered, ",") != strings.Join(want, ",") {
		t.Fatalf("签到 with two activities open = %q, want it to offer %v", question, want)
	}
	answer := sayAt(t, path, w, checkin.Add(time.Minute), m1, strconv.FormatInt(second, 10))
	if !strings.Contains(answer, fmt.Sprintf("签到成功：%d号【太极拳】", second)) {
		t.Fatalf("the answer %d in the next run = %q: the question was lost between runs", second, answer)
	}
	var checkedAt time.Time
	if err := db.X().QueryRow("SELECT checked_at FROM checkins WHERE activity_id = ? AND member_id = ?", second, member.ID).Scan(&checkedAt); err != nil {
		t.Fatalf("the check-in of %d: %v", second, err)
	}
	if !checkedAt.Equal(checkin.Add(time.Minute)) {
		t.Errorf("checked_at = %v, want the --now of the answer, %v", checkedAt, checkin.Add(time.Minute).UTC())
	}

	// Thursday: the activity ended on Wednesday and the run credits it at
	// its own --now, as serve's minute job would have.
	thursday := monday.AddDate(0, 0, 3)
	mine := sayAt(t, path, w, thursday, m1, "我的")
	var credited time.Time
	var state string
	if err := db.X().QueryRow("SELECT created_at, state FROM hours_reports WHERE activity_id = ? AND member_id = ?", second, member.ID).Scan(&credited, &state); err != nil {
		t.Fatalf("the credit of %d after it ended: %v (我的 = %q)", second, err, mine)
	}
	if !credited.Equal(thursday) || state != jinqiu.HoursApproved {
		t.Errorf("credited hours: created_at %v, state %s; want %v and approved", credited, state, thursday.UTC())
	}
	var n int
	if err := db.X().Get(&n, "SELECT COUNT(*) FROM hours_reports WHERE activity_id = ?", first); err != nil || n != 0 {
		t.Errorf("activity %d credited %d people without a check-in (%v)", first, n, err)
	}
}

// A duplicate hours report asks 是否再报 in one run and is answered in the
// next; the dialogue's 5 minutes run on --now's clock, not the wall's.
func TestCLISayNowDialogueExpiresOnItsClock(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	t0, err := time.Parse(time.RFC3339, "2026-11-25T15:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	m1 := w.user("m1")
	sayAt(t, path, w, t0, m1, "报到")
	if got := sayAt(t, path, w, t0.Add(time.Minute), m1, "时长 2 打扫楼道"); !strings.Contains(got, "编号") {
		t.Fatalf("时长 = %q", got)
	}
	db := openCLIDB(t, path)
	count := func() int {
		t.Helper()
		var n int
		if err := db.X().Get(&n, "SELECT COUNT(*) FROM hours_reports"); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ask := func(at time.Time) {
		t.Helper()
		if got := sayAt(t, path, w, at, m1, "时长 2 打扫楼道"); !strings.Contains(got, "是要再报一次吗") {
			t.Fatalf("the same hours again = %q, want the question 是否再报", got)
		}
	}
	ask(t0.Add(2 * time.Minute))
	yes := t0.Add(3 * time.Minute)
	sayAt(t, path, w, yes, m1, "是")
	if n := count(); n != 2 {
		t.Fatalf("after 是 in the next run: %d hours reports, want 2", n)
	}
	var createdAt time.Time
	var servedOn string
	if err := db.X().QueryRow("SELECT created_at, served_on FROM hours_reports ORDER BY id DESC LIMIT 1").Scan(&createdAt, &servedOn); err != nil {
		t.Fatal(err)
	}
	if !createdAt.Equal(yes) {
		t.Errorf("the second report's created_at = %v, want the --now of 是, %v", createdAt, yes.UTC())
	}
	if want := t0.Format("2006-01-02"); !strings.HasPrefix(servedOn, want) {
		t.Errorf("served_on = %s, want the day of --now, %s", servedOn, want)
	}

	// Asked again, answered ten minutes of --now later (milliseconds of
	// the wall's): the question has expired and nothing is recorded.
	ask(t0.Add(4 * time.Minute))
	sayAt(t, path, w, t0.Add(14*time.Minute), m1, "是")
	if n := count(); n != 2 {
		t.Errorf("是 ten minutes after the question recorded hours: %d reports, want 2", n)
	}
}

func TestCLISayNowRejectsABadTime(t *testing.T) {
	path := e2eConfigFile(t, newE2EWorld(), "")
	_, _, err := cliRun(t, path, "say", "--user", "u1", "--now", "next tuesday", "我的")
	if !isUsage(err) || !strings.Contains(err.Error(), "--now") {
		t.Errorf("say --now 'next tuesday' = %v, want a usage error about --now", err)
	}
}

func TestCLIDigest(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	t.Run("unknown branch", func(t *testing.T) {
		out, _, err := cliRun(t, path, "digest", "--branch", "nosuch")
		if err == nil {
			t.Fatalf("digest --branch nosuch succeeded: %q", out)
		}
		db := openCLIDB(t, path)
		bs, err2 := db.Branches(t.Context())
		if err2 != nil || len(bs) == 0 {
			t.Fatalf("branches: %v %v", bs, err2)
		}
		for _, want := range []string{`"nosuch"`, "unknown branch"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("digest --branch nosuch: %v; want it to say %s", err, want)
			}
		}
		for _, b := range bs {
			if !strings.Contains(err.Error(), b.ID) {
				t.Errorf("digest --branch nosuch: %v; want it to list %s", err, b.ID)
			}
		}
	})
	t.Run("first line names the week", func(t *testing.T) {
		for _, branch := range []string{"", "zaoxing"} {
			out, errOut, err := cliRun(t, path, "digest", "--week", "2026-W48", "--branch", branch)
			if err != nil {
				t.Fatalf("digest: %v\n%s", err, errOut)
			}
			loc, _ := time.LoadLocation("Asia/Shanghai")
			from, err := jinqiu.ParseWeek("2026-W48", loc)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("week 2026-W48: %s to %s (Asia/Shanghai)", from.Format("2006-01-02"), jinqiu.AddDays(from, 6).Format("2006-01-02"))
			if first, _, _ := strings.Cut(out, "\n"); first != want {
				t.Errorf("digest --branch %q first line = %q, want %q", branch, first, want)
			}
		}
	})
}

// Every command's -h and --help print its usage on stdout and exit 0, in
// the real binary (flag's own -h exits 2).
func TestCLIHelp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "jinqiu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A directory without config.yaml: help must not need one.
	dir := t.TempDir()
	exit := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return stdout.String(), 0
		case errors.As(err, &ee):
			return stdout.String(), ee.ExitCode()
		}
		t.Fatalf("jinqiu %v: %v", args, err)
		return "", 0
	}
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			out, code := exit(args...)
			if code != 0 {
				t.Errorf("jinqiu %s: exit %d, want 0", strings.Join(args, " "), code)
			}
			if !strings.HasPrefix(out, "usage: "+c.synopsis+"\n") || !strings.Contains(out, "-config") {
				t.Errorf("jinqiu %s printed %q, want its usage and flags", strings.Join(args, " "), out)
			}
		}
	}
	if out, code := exit("--help"); code != 0 || !strings.Contains(out, "commands:") {
		t.Errorf("jinqiu --help: exit %d, %q", code, out)
	}
	// A mistake is still one.
	if _, code := exit("say", "--no-such-flag"); code != 2 {
		t.Errorf("jinqiu say --no-such-flag: exit %d, want 2", code)
	}
	cfg := e2eConfigFile(t, newE2EWorld(), "")
	if _, code := exit("digest", "--config", cfg, "--branch", "nosuch"); code == 0 {
		t.Error("jinqiu digest --branch nosuch: exit 0")
	}
}
