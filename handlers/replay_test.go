package handlers

import (
	"bufio"
	"fmt"
	"jinqiu"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestReplayFortnight plays testdata/fortnight.txt, a fortnight of two
// branches told as the messages people send, through Handle (what `jinqiu
// say` and the callbacks call) on a clock that moves as the story does, on
// SQLite and MariaDB. Every message states what its reply must say and
// which tables it changes; checkpoints count the rows by state.
func TestReplayFortnight(t *testing.T) {
	steps := readReplay(t, "testdata/fortnight.txt")
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		r := &replayer{t: t, w: w, people: map[string]replayPerson{}}
		for _, s := range steps {
			r.run(s)
		}
	})
}

// replayTables are the tables whose changes a step states.
var replayTables = []string{"members", "registrations", "branch_roles", "activities", "signups", "checkins", "hours_reports", "meetings", "outbox"}

// replayStep is one line of the script with the lines that check it.
type replayStep struct {
	line   int
	verb   string // person, day, say, credit, count
	args   []string
	text   string   // say: what is said
	want   []string // say: fragments the reply holds
	refuse []string // say: fragments it must not hold
	rows   []string // say: the tables changed; nil when "-"
	pushes []string // say: "chat fragment" of outbox rows the step adds
	hasRow bool
}

type replayPerson struct {
	id, name string
	platform jinqiu.Platform
}

type replayer struct {
	t      *testing.T
	w      *testWorld
	people map[string]replayPerson
	seq    int
}

// readReplay parses the script: a verb line, then its "=>", "=/", "rows:"
// and "push:" lines indented below it.
func readReplay(t *testing.T, path string) []replayStep {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []replayStep
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if len(steps) == 0 || steps[len(steps)-1].verb != "say" {
				t.Fatalf("%s:%d: a check without a message", path, n)
			}
			s := &steps[len(steps)-1]
			switch {
			case strings.HasPrefix(line, "=>"):
				s.want = append(s.want, fragments(line[2:])...)
			case strings.HasPrefix(line, "=/"):
				s.refuse = append(s.refuse, fragments(line[2:])...)
			case strings.HasPrefix(line, "rows:"):
				s.hasRow = true
				if f := strings.Fields(line[5:]); len(f) != 1 || f[0] != "-" {
					s.rows = f
				}
			case strings.HasPrefix(line, "push:"):
				s.pushes = append(s.pushes, strings.TrimSpace(line[5:]))
			default:
				t.Fatalf("%s:%d: unknown check %q", path, n, line)
			}
			continue
		}
		f := strings.Fields(line)
		s := replayStep{line: n, verb: f[0], args: f[1:]}
		if clock, _, ok := strings.Cut(f[0], ":"); ok && len(clock) == 2 {
			// "09:30 A wxy: 报名 1"
			head, said, ok := strings.Cut(line, ": ")
			hf := strings.Fields(head)
			if !ok || len(hf) != 3 {
				t.Fatalf("%s:%d: want \"HH:MM chat person: text\", got %q", path, n, line)
			}
			s = replayStep{line: n, verb: "say", args: hf, text: said}
		}
		steps = append(steps, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.verb == "say" && (!s.hasRow || len(s.want) == 0) {
			t.Fatalf("%s:%d: every message states its reply (=>) and its rows (rows:)", path, s.line)
		}
	}
	return steps
}

func fragments(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "|") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (r *replayer) run(s replayStep) {
	t := r.t
	at := func(clock string) {
		hm, err := time.Parse("15:04", clock)
		if err != nil {
			t.Fatalf("line %d: %v", s.line, err)
		}
		now := r.w.clock()
		r.w.setNow(time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, now.Location()))
	}
	switch s.verb {
	case "person": // person wxy 王秀英 [dingtalk]
		p := replayPerson{id: s.args[0], name: s.args[1], platform: wecom.Name}
		if len(s.args) > 2 && s.args[2] == "dingtalk" {
			p.platform = dingtalk.Name
		}
		r.people[p.id] = p
	case "day": // day 2026-11-30 周一
		d, err := time.ParseInLocation("2006-01-02", s.args[0], r.w.h.loc())
		if err != nil {
			t.Fatalf("line %d: %v", s.line, err)
		}
		r.w.setNow(d.Add(8 * time.Hour))
	case "credit": // credit 16:30: the job that credits ended activities
		at(s.args[0])
		if _, err := r.w.db.CreditEnded(twCtx, r.w.clock(), r.w.h.loc(), 100); err != nil {
			t.Fatalf("line %d: credit: %v", s.line, err)
		}
	case "count": // count hours_reports state=approved 3
		r.count(s)
	case "say":
		at(s.args[0])
		r.say(s)
	default:
		t.Fatalf("line %d: unknown verb %q", s.line, s.verb)
	}
}

func (r *replayer) chat(name string) string {
	switch name {
	case "A":
		return twChatA
	case "B":
		return twChatB
	case "局":
		return twChatBur
	case "私":
		return "single"
	}
	r.t.Fatalf("unknown chat %q", name)
	return ""
}

func (r *replayer) say(s replayStep) {
	t := r.t
	p, ok := r.people[s.args[2]]
	if !ok {
		t.Fatalf("line %d: unknown person %q", s.line, s.args[2])
	}
	chat := r.chat(s.args[1])
	r.seq++
	m := jinqiu.Message{
		Platform: p.platform, Robot: "jinqiu", MsgID: fmt.Sprintf("replay-%d", r.seq),
		ChatID: chat, ChatType: jinqiu.ChatGroup, UserID: p.id, UserName: p.name, Text: "@金秋助手 " + s.text, SentAt: r.w.clock(),
	}
	if chat == "single" {
		m.ChatID, m.ChatType, m.Text = "single-"+p.id, jinqiu.ChatSingle, s.text
	}
	before := r.w.snapshot()
	queued := len(r.w.outbox())
	reply, err := r.w.h.Handle(twCtx, m)
	if err != nil {
		t.Fatalf("line %d: %s %q: %v", s.line, p.name, s.text, err)
	}
	got := reply.Text + reply.Markdown
	for _, f := range s.want {
		if !strings.Contains(got, f) {
			t.Errorf("line %d: %s: %q\n  reply %q\n  lacks %q", s.line, p.name, s.text, got, f)
		}
	}
	for _, f := range s.refuse {
		if strings.Contains(got, f) {
			t.Errorf("line %d: %s: %q\n  reply %q\n  holds %q", s.line, p.name, s.text, got, f)
		}
	}
	after := r.w.snapshot()
	var changed []string
	for _, tb := range replayTables {
		if before[tb] != after[tb] {
			changed = append(changed, tb)
		}
	}
	want := slices.Clone(s.rows)
	slices.Sort(want)
	slices.Sort(changed)
	if !slices.Equal(changed, want) {
		t.Errorf("line %d: %s: %q changed %v, want %v (reply %q)", s.line, p.name, s.text, changed, want, got)
	}
	q := r.w.outbox()[queued:]
	if len(q) != len(s.pushes) {
		t.Errorf("line %d: %q queued %d pushes, want %d: %+v", s.line, s.text, len(q), len(s.pushes), q)
		return
	}
	for i, spec := range s.pushes {
		chatName, frag, _ := strings.Cut(spec, " ")
		if q[i].Chat != r.chat(chatName) || !strings.Contains(q[i].Reply.Text+q[i].Reply.Markdown, strings.TrimSpace(frag)) {
			t.Errorf("line %d: push %d = %s %q, want %s", s.line, i, q[i].Chat, q[i].Reply.Text+q[i].Reply.Markdown, spec)
		}
	}
}

// count checks a row count: "count TABLE [COLUMN=VALUE ...] N".
func (r *replayer) count(s replayStep) {
	t := r.t
	table := s.args[0]
	want, err := strconv.Atoi(s.args[len(s.args)-1])
	if err != nil {
		t.Fatalf("line %d: %v", s.line, err)
	}
	q := "SELECT COUNT(*) FROM " + table
	var vals []any
	for i, c := range s.args[1 : len(s.args)-1] {
		col, val, _ := strings.Cut(c, "=")
		if i == 0 {
			q += " WHERE "
		} else {
			q += " AND "
		}
		q += col + " = ?"
		vals = append(vals, val)
	}
	var got int
	if err := r.w.db.X().Get(&got, r.w.db.X().Rebind(q), vals...); err != nil {
		t.Fatalf("line %d: %s: %v", s.line, q, err)
	}
	if got != want {
		t.Errorf("line %d: %s %v = %d, want %d", s.line, q, vals, got, want)
	}
}
