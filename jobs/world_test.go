package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"jinqiu"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/handlers/say"
	"jinqiu/jobs"
	"jinqiu/outbox"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// clock is a settable clock for schedulers and databases.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// world is a configuration synced into a database, and schedulers on it.
type world struct {
	cfg   *config.Config
	db    *storage.DB
	clock *clock
	plan  *jobs.Planner
}

var ctx = context.Background()

func newWorld(t testing.TB, db *storage.DB, yaml string, now time.Time) *world {
	t.Helper()
	cfg := mustConfig(t, yaml)
	w := &world{cfg: cfg, db: db, clock: &clock{t: now}, plan: mustPlanner(t, cfg)}
	db.Now = w.clock.Now
	var specs []storage.BranchSpec
	for _, b := range cfg.Branches {
		s := storage.BranchSpec{Branch: jinqiu.Branch{ID: b.ID, Name: b.Name, Town: b.Town, Kind: jinqiu.BranchKind(b.Kind)}, Secretaries: config.Identities(b.Secretaries)}
		for _, g := range b.Groups {
			s.Groups = append(s.Groups, jinqiu.Group{Platform: g.Platform, ChatID: g.ChatID, Robot: g.Robot})
		}
		specs = append(specs, s)
	}
	var bureau []jinqiu.Group
	for _, g := range cfg.Bureau.Groups {
		bureau = append(bureau, jinqiu.Group{Platform: g.Platform, ChatID: g.ChatID, Robot: g.Robot})
	}
	if err := db.SyncConfig(ctx, specs, bureau); err != nil {
		t.Fatal(err)
	}
	return w
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// scheduler returns a replica's scheduler on the world's clock.
func (w *world) scheduler(owner string) *jobs.Scheduler {
	return &jobs.Scheduler{
		DB: w.db, Planner: w.plan, Platforms: w.cfg.Platforms, Log: quiet(), Owner: owner, Now: w.clock.Now,
		Digests: w.reporter(time.Time{}),
	}
}

// reporter is the digest's figures of the world, installed at since.
func (w *world) reporter(since time.Time) *report.Reporter {
	return reporterOf(w.db, w.plan, w.clock.Now, since)
}

func reporterOf(db *storage.DB, p *jobs.Planner, now func() time.Time, since time.Time) *report.Reporter {
	scheds := map[string]jinqiu.Schedule{}
	for _, b := range p.Branches {
		scheds[b.ID] = b.Schedule
	}
	return &report.Reporter{DB: db, Loc: p.Loc, Schedules: scheds, Default: p.Default, Now: now, Since: since}
}

// parts is the digest as pushed to a group of the platform, a string a
// message, and the messages' titles.
func parts(platform bot.Platform, d jinqiu.Digest) (mds, titles []string) {
	for _, r := range platform.Parts(say.Digest(d), say.Continued) {
		mds = append(mds, r.Markdown)
		titles = append(titles, r.Title)
	}
	return mds, titles
}

// wecomParts is the digest as pushed to a WeCom group.
func wecomParts(d jinqiu.Digest) []string {
	mds, _ := parts(wecom.New(), d)
	return mds
}

func (w *world) exec(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	res, err := w.db.X().Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// member registers a person with a branch, registered at the given time.
func (w *world) member(t testing.TB, platform, uid, name, branch string, at time.Time) int64 {
	t.Helper()
	return w.exec(t, "INSERT INTO members (platform, user_id, display_name, branch_id, registered_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		platform, uid, name, branch, ts(at), ts(at))
}

func (w *world) registration(t testing.TB, member int64, branch string, on time.Time) {
	w.exec(t, "INSERT INTO registrations (member_id, branch_id, registered_on, created_at) VALUES (?, ?, ?, ?)",
		member, branch, on.Format("2006-01-02"), ts(on))
}

func (w *world) activity(t testing.TB, branch, title, place string, starts, created time.Time, state string) int64 {
	t.Helper()
	return w.exec(t, `INSERT INTO activities (branch_id, title, place, starts_at, ends_at, capacity, taken, next_seq, state, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, 0, ?)`, branch, title, place, ts(starts), ts(starts.Add(2*time.Hour)), state, ts(created))
}

func (w *world) signup(t testing.TB, activity, member int64, state string, seq int, at time.Time) {
	t.Helper()
	w.exec(t, "INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		activity, member, state, seq, ts(at), ts(at))
	w.backfill(t)
}

func (w *world) checkin(t testing.TB, activity, member int64, at time.Time) {
	t.Helper()
	w.exec(t, "INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (?, ?, ?)", activity, member, ts(at))
	w.backfill(t)
}

func (w *world) hours(t testing.TB, member int64, branch string, on time.Time, centihours int, state string) {
	t.Helper()
	w.exec(t, "INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		member, branch, on.Format("2006-01-02"), centihours, state, ts(on))
	w.backfill(t)
}

// backfill takes the kept active days of the rows written around the
// storage's writes, as migration 0012 does for an older database.
func (w *world) backfill(t testing.TB) {
	t.Helper()
	if err := w.db.BackfillActiveDays(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (w *world) meeting(t testing.TB, branch string, kind jinqiu.MeetingKind, on time.Time) {
	t.Helper()
	w.exec(t, "INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at) VALUES (?, ?, ?, 0, ?)",
		branch, kind, on.Format("2006-01-02"), ts(on))
}

// sent is an outbox row decoded.
type sent struct {
	key   string
	job   string
	slot  time.Time
	chat  string
	reply jinqiu.Reply
	row   storage.OutboxRow
}

func (w *world) outbox(t testing.TB) []sent {
	t.Helper()
	var out []sent
	for _, r := range storagetest.Outbox(t, w.db, "") {
		a, rep, err := outbox.Decode(r)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(r.DedupKey, "|")
		slot, _ := time.Parse(time.RFC3339, parts[1])
		out = append(out, sent{key: r.DedupKey, job: parts[0], slot: slot, chat: string(a.Platform) + "/" + a.ChatID, reply: rep, row: r})
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
