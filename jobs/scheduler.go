// Package jobs knows time: what is due at a given moment (meeting and
// activity reminders, the weekly digest, the retention purge), each fire
// claimed once across replicas, and the cron wiring that wakes it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/robfig/cron/v3"

	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/report"
	"jinqiu/storage"
)

var jobSlots = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "jinqiu_job_slots_total",
	Help: "Scheduled slots by family (meetings, activity, digest) and result: claimed (this replica sent it), taken (another replica had it), missed (too late, recorded and not sent), failed (will be retried).",
}, []string{"family", "result"})

// DefaultLookback bounds how far back a start-up looks for slots missed
// while the service was down.
const DefaultLookback = 7 * 24 * time.Hour

// Scheduler turns what is due into outbox rows, once across replicas: each
// fire claims its (job, slot) row in job_runs, and the claim and the outbox
// rows of every target are one transaction. robfig/cron only wakes it up
// (Start); Tick is the whole logic, and tests call it with a fixed clock.
// Safe for concurrent use: ticks are serialised.
type Scheduler struct {
	DB      *storage.DB
	Planner *Planner
	Digests *report.Reporter
	// Platforms say which groups have a webhook to push to (only they get
	// pushes) and how a document is cut into a platform's messages.
	Platforms Platforms
	Log       *slog.Logger
	Owner     string           // this replica's name, recorded with its claims
	Now       func() time.Time // the clock; the database's when nil
	// Lookback bounds the search for slots missed while down
	// (DefaultLookback when zero).
	Lookback time.Duration

	mu       sync.Mutex
	lastTick time.Time
	known    map[string]time.Time // job|slot → slot: recorded in job_runs
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return s.DB.Now()
}

func (s *Scheduler) lookback() time.Duration {
	if s.Lookback > 0 {
		return s.Lookback
	}
	return DefaultLookback
}

// TickResult counts what a tick did.
type TickResult struct {
	Claimed, Taken, Missed, Failed int
	Rows                           int // outbox rows written
}

// Tick sends what is due at now: every slot since the last tick (since the
// newest job_runs row, after a restart) that is not yet recorded. For each
// job, the newest such slot is claimed and its outbox rows written if it is
// still inside its catch-up window and still useful; older ones, and any
// too late, are recorded as missed and logged, never sent. A fire whose
// claim fails is retried by the next tick.
//
// A tick stops early, between fires, when ctx is done; the claim under way
// is finished.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res TickResult
	now := s.now()
	dbctx := context.WithoutCancel(ctx)
	if s.known == nil {
		s.known = map[string]time.Time{}
	}
	base := s.lastTick
	if base.IsZero() {
		newest, err := s.DB.NewestSlot(dbctx)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			base = now // a new database: nothing was missed before the windows
		case err != nil:
			return res, fmt.Errorf("tick: %w", err)
		default:
			base = newest
		}
	}
	floor := now.Add(-s.lookback())
	since := func(catchUp time.Duration) time.Time {
		from := base
		if w := now.Add(-catchUp); w.Before(from) {
			from = w
		}
		if from.Before(floor) {
			from = floor
		}
		return from
	}
	p := s.Planner
	var meetingCatchUp time.Duration
	for _, b := range p.Branches {
		meetingCatchUp = max(meetingCatchUp, b.Schedule.CatchUp)
	}
	fires := p.MeetingFires(since(meetingCatchUp), now)
	aFrom := since(p.ActivityCatchUp())
	acts, err := s.DB.UpcomingActivities(dbctx, p.ActivityRanges(aFrom, now)...)
	if err != nil {
		return res, fmt.Errorf("tick: %w", err)
	}
	fires = append(fires, p.ActivityFires(acts, aFrom, now)...)
	fires = append(fires, p.DigestFires(since(p.DigestCatchUp), now)...)

	var open []Fire
	oldest := now
	for _, f := range fires {
		if _, ok := s.known[f.Key()]; !ok {
			open = append(open, f)
			oldest = minTime(oldest, f.Slot)
		}
	}
	if len(open) > 0 {
		runs, err := s.DB.SlotsBetween(dbctx, oldest, now)
		if err != nil {
			return res, fmt.Errorf("tick: %w", err)
		}
		for _, r := range runs {
			s.known[slotKey(r.Job, r.Slot)] = r.Slot
		}
	}
	// The newest open slot of each job may be sent; older ones are missed.
	byJob := map[string][]Fire{}
	for _, f := range open {
		if _, ok := s.known[f.Key()]; ok {
			continue
		}
		byJob[f.Job] = append(byJob[f.Job], f)
	}
	type action struct {
		f    Fire
		miss string // why it is missed; "" to claim
	}
	var todo []action
	for _, fs := range byJob {
		sortFires(fs)
		for i, f := range fs {
			switch {
			case i < len(fs)-1:
				todo = append(todo, action{f, "superseded by a later slot"})
			case f.Late(now):
				todo = append(todo, action{f, "too late"})
			default:
				todo = append(todo, action{f, ""})
			}
		}
	}
	sort.Slice(todo, func(i, j int) bool {
		if !todo[i].f.Slot.Equal(todo[j].f.Slot) {
			return todo[i].f.Slot.Before(todo[j].f.Slot)
		}
		return todo[i].f.Job < todo[j].f.Job
	})
	var firstErr error
	for _, a := range todo {
		if ctx.Err() != nil {
			return res, ctx.Err() // lastTick stays: the next tick looks again
		}
		log := s.Log.With("job", a.f.Job, "slot", a.f.Slot.Format(time.RFC3339))
		if a.miss != "" {
			ok, err := s.DB.RecordMissed(dbctx, a.f.Job, a.f.Slot, s.Owner)
			if err != nil {
				res.Failed++
				jobSlots.WithLabelValues(a.f.Family, "failed").Inc()
				log.Error("record missed slot", "error", err)
				firstErr = cmpErr(firstErr, err)
				continue
			}
			s.known[a.f.Key()] = a.f.Slot
			if ok {
				res.Missed++
				jobSlots.WithLabelValues(a.f.Family, "missed").Inc()
				log.Warn("scheduled slot missed: recorded, not sent", "reason", a.miss, "late", now.Sub(a.f.Slot).Round(time.Second).String())
			}
			continue
		}
		n, claimed, err := s.claim(dbctx, a.f, now)
		if err != nil {
			res.Failed++
			jobSlots.WithLabelValues(a.f.Family, "failed").Inc()
			log.Error("fire scheduled slot", "error", err)
			firstErr = cmpErr(firstErr, err)
			continue
		}
		s.known[a.f.Key()] = a.f.Slot
		if !claimed {
			res.Taken++
			jobSlots.WithLabelValues(a.f.Family, "taken").Inc()
			continue
		}
		res.Claimed++
		res.Rows += n
		jobSlots.WithLabelValues(a.f.Family, "claimed").Inc()
		if late := now.Sub(a.f.Slot); late > 2*time.Minute {
			log.Info("scheduled slot sent late", "late", late.Round(time.Second).String(), "messages", n)
		} else {
			log.Debug("scheduled slot fired", "messages", n)
		}
	}
	if firstErr == nil {
		s.lastTick = now
	} else if s.lastTick.IsZero() {
		s.lastTick = base // keep the start-up bound for the retry
	}
	for k, slot := range s.known {
		if slot.Before(floor) {
			delete(s.known, k)
		}
	}
	return res, firstErr
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// claim claims the fire's slot and writes its outbox rows in the same
// transaction. The digest is computed before the claim (reads only); a
// replica that loses the claim has only wasted that reading.
func (s *Scheduler) claim(ctx context.Context, f Fire, now time.Time) (rows int, claimed bool, err error) {
	fan, err := s.fan(ctx, f, now, s.pushable)
	if err != nil {
		return 0, false, err
	}
	claimed, err = s.DB.ClaimSlot(ctx, f.Job, f.Slot, s.Owner, func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
		os, err := fan(ctx, tx)
		rows = len(os)
		return os, err
	})
	return rows, claimed, err
}

// fan returns the function that builds a fire's outbox rows inside the
// claim transaction, as if sent at now.
func (s *Scheduler) fan(ctx context.Context, f Fire, now time.Time, keep func(jinqiu.Group) bool) (func(context.Context, *storage.Tx) ([]storage.Outbound, error), error) {
	switch f.Family {
	case FamilyMeetings:
		return func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
			return s.fanMeetings(ctx, tx, f, now, keep)
		}, nil
	case FamilyActivity:
		return func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
			return s.fanActivity(ctx, tx, f, now, keep)
		}, nil
	case FamilyDigest:
		if s.Digests == nil {
			return nil, errors.New("digest: no digester configured")
		}
		d, err := s.Digests.Week(ctx, f.Week, "")
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
			return s.fanDigest(ctx, tx, f, d, keep)
		}, nil
	}
	return nil, fmt.Errorf("unknown fire family %q", f.Family)
}

// Platforms are what the scheduler needs of the chat platforms
// (bot.Platforms).
type Platforms interface {
	// Pushable reports whether a group has a webhook to push to.
	Pushable(g jinqiu.Group) bool
	// Parts is a document as pushed to a group of the platform, one reply
	// a message, each after the first headed by continued(k, n).
	Parts(platform jinqiu.Platform, doc jinqiu.Reply, continued func(k, n int) string) []jinqiu.Reply
}

func (s *Scheduler) pushable(g jinqiu.Group) bool { return s.Platforms.Pushable(g) }

func (s *Scheduler) fanMeetings(ctx context.Context, tx *storage.Tx, f Fire, now time.Time, keep func(jinqiu.Group) bool) ([]storage.Outbound, error) {
	var due []MeetingDue
	last := false
	for _, m := range f.Meetings {
		if !now.Before(jinqiu.AddDays(m.Deadline, 1)) {
			continue // its day is over
		}
		held, err := tx.MeetingHeld(ctx, f.BranchID, m.Kind, m.From, m.To)
		if err != nil {
			return nil, err
		}
		if !held {
			due = append(due, m)
			last = last || m.Last
		}
	}
	if len(due) == 0 {
		return nil, nil // every meeting is recorded: no reminder
	}
	groups, err := tx.GroupsOf(ctx, f.BranchID)
	if err != nil {
		return nil, err
	}
	var secretaries []jinqiu.Identity
	if last {
		if secretaries, err = tx.SecretariesOf(ctx, f.BranchID); err != nil {
			return nil, err
		}
	}
	b, _ := s.Planner.Branch(f.BranchID)
	name := b.Name
	if name == "" {
		name = f.BranchID
	}
	var out []storage.Outbound
	for _, g := range groups {
		if !keep(g) {
			continue
		}
		// A mention names a user id of the group's own platform only.
		var mentions []string
		for _, who := range secretaries {
			if who.Platform == g.Platform {
				mentions = append(mentions, who.UserID)
			}
		}
		r := say.For(now).MeetingReminder(name, dues(due), jinqiu.Midnight(now, s.Planner.Loc), mentions)
		out = append(out, outbox.ToGroup(dedupKey(f, g, 0), g.Platform, g.ChatID, r, storage.AtMostOnce))
	}
	return out, nil
}

func (s *Scheduler) fanActivity(ctx context.Context, tx *storage.Tx, f Fire, now time.Time, keep func(jinqiu.Group) bool) ([]storage.Outbound, error) {
	a, signees, err := tx.ReminderActivity(ctx, f.Activity.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a.State != "open" || !a.StartsAt.Equal(f.Activity.StartsAt) || len(signees) == 0 {
		return nil, nil // cancelled, moved (its new time has its own slots) or nobody signed up
	}
	groups, err := tx.GroupsOf(ctx, a.BranchID)
	if err != nil {
		return nil, err
	}
	act := jinqiu.Activity{ID: a.ID, Title: a.Title, Place: a.Place, StartsAt: a.StartsAt}
	soon := f.Activity.Kind == ActivitySoon
	var out []storage.Outbound
	for _, g := range groups {
		if !keep(g) {
			continue
		}
		var mentions, others []string
		for _, p := range signees {
			if p.Platform == g.Platform {
				mentions = append(mentions, p.UserID)
			} else {
				others = append(others, p.DisplayName)
			}
		}
		r := say.For(now).ActivityReminder(act, soon, s.Planner.Loc, now, mentions, others)
		out = append(out, outbox.ToGroup(dedupKey(f, g, 0), g.Platform, g.ChatID, r, storage.AtMostOnce))
	}
	return out, nil
}

func (s *Scheduler) fanDigest(ctx context.Context, tx *storage.Tx, f Fire, d jinqiu.Digest, keep func(jinqiu.Group) bool) ([]storage.Outbound, error) {
	groups, err := tx.GroupsOf(ctx, "")
	if err != nil {
		return nil, err
	}
	doc := say.Digest(d.Public())
	var out []storage.Outbound
	for _, g := range groups {
		if !keep(g) {
			continue
		}
		for i, r := range s.Platforms.Parts(g.Platform, doc, say.Continued) {
			out = append(out, outbox.ToGroup(dedupKey(f, g, i+1), g.Platform, g.ChatID, r, storage.AtMostOnce))
		}
	}
	return out, nil
}

// dedupKey is job|slot|platform|chat[|part], within the column (a long one
// is hashed, as every outbox key is).
func dedupKey(f Fire, g jinqiu.Group, part int) string {
	parts := []string{f.Job, f.Slot.UTC().Format(time.RFC3339), string(g.Platform), g.ChatID}
	if part > 0 {
		parts = append(parts, strconv.Itoa(part))
	}
	return outbox.DedupKey(parts...)
}

// Planned is what a fire would send: for the dry run.
type Planned struct {
	Fire Fire
	Rows []storage.Outbound
	// NoWebhook are the groups (platform and chat id) without a
	// configured webhook: their rows would not be written, nor sent.
	NoWebhook map[jinqiu.Group]bool
	// Recorded is the job_runs state if the slot is already claimed or
	// recorded missed: the service will not send it (again).
	Recorded string
}

// DryRun returns what the fires with slots in [from, to] would send, each
// as if it fired on time, without claiming or writing anything.
func (s *Scheduler) DryRun(ctx context.Context, from, to time.Time) ([]Planned, error) {
	p := s.Planner
	acts, err := s.DB.UpcomingActivities(ctx, p.ActivityRanges(from, to)...)
	if err != nil {
		return nil, err
	}
	runs, err := s.DB.SlotsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	recorded := map[string]string{}
	for _, r := range runs {
		recorded[slotKey(r.Job, r.Slot)] = r.State
	}
	var out []Planned
	for _, f := range p.Due(from, to, acts) {
		pl := Planned{Fire: f, Recorded: recorded[f.Key()], NoWebhook: map[jinqiu.Group]bool{}}
		fan, err := s.fan(ctx, f, f.Slot, func(g jinqiu.Group) bool {
			if !s.pushable(g) {
				pl.NoWebhook[jinqiu.Group{Platform: g.Platform, ChatID: g.ChatID}] = true
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Job, err)
		}
		if pl.Rows, err = s.DB.Preview(ctx, fan); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Job, err)
		}
		out = append(out, pl)
	}
	return out, nil
}

// Start runs Tick at start-up (the catch-up) and then at the top of every
// minute, in the configured zone, through robfig/cron with panics recovered
// and overlapping ticks skipped. The returned stop ends the schedule; its
// context is done when a running tick has finished, or when the context
// given to stop is.
func (s *Scheduler) Start(ctx context.Context) (stop func(context.Context) context.Context, err error) {
	l := CronLogger{Log: s.Log}
	tctx, cancel := context.WithCancel(ctx)
	c := cron.New(
		cron.WithLocation(s.Planner.Loc),
		cron.WithLogger(l),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)),
	)
	tick := cron.FuncJob(func() {
		if _, err := s.Tick(tctx); err != nil && tctx.Err() == nil {
			s.Log.Error("scheduler tick", "error", err)
		}
	})
	// At the top of every minute (a spec: Every would count from start-up),
	// and once now for the catch-up; both share the entry's wrapped job, so
	// SkipIfStillRunning keeps them from overlapping.
	id, err := c.AddJob("* * * * *", tick)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	wrapped := c.Entry(id).WrappedJob
	c.Schedule(&once{}, wrapped)
	c.Start()
	return func(sctx context.Context) context.Context {
		cancel()
		done := c.Stop()
		out, finish := context.WithCancel(context.WithoutCancel(sctx))
		go func() {
			select {
			case <-done.Done():
			case <-sctx.Done():
			}
			finish()
		}()
		return out
	}, nil
}

// once is a cron schedule that fires once, at the first chance.
type once struct{ fired bool }

func (o *once) Next(t time.Time) time.Time {
	if o.fired {
		return time.Time{}
	}
	o.fired = true
	return t
}

// CronLogger adapts slog to cron.Logger: cron's routine chatter at debug,
// a skipped (still running) tick at warn, a recovered panic at error.
type CronLogger struct{ Log *slog.Logger }

var _ cron.Logger = CronLogger{}

// Info implements cron.Logger.
func (l CronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.Log.Warn("scheduler tick skipped: the previous one is still running")
		return
	}
	l.Log.Debug("cron "+msg, kv...)
}

// Error implements cron.Logger.
func (l CronLogger) Error(err error, msg string, kv ...any) {
	l.Log.Error("cron "+msg, append(kv, "error", err)...)
}

// String names a fire for people: "2026-11-23 09:00 meetings:zaoxing".
func (f Fire) String() string {
	return f.Slot.Format("2006-01-02 15:04") + " " + f.Job
}

// Describe says what a fire is about, in one line of Chinese.
func (f Fire) Describe() string {
	switch f.Family {
	case FamilyMeetings:
		leads := make([]int, len(f.Meetings))
		for i, m := range f.Meetings {
			leads[i] = m.Lead
		}
		return say.For(f.Slot).PlannedMeetings(dues(f.Meetings), leads)
	case FamilyActivity:
		return say.PlannedActivity(f.Activity.ID, f.Activity.Title, f.Activity.Kind == ActivitySoon)
	case FamilyDigest:
		y, w := jinqiu.AddDays(f.Week, 3).ISOWeek()
		return say.PlannedDigest(y, w)
	}
	return f.Job
}

func dues(ms []MeetingDue) []jinqiu.Due {
	out := make([]jinqiu.Due, len(ms))
	for i, m := range ms {
		out[i] = m.Due
	}
	return out
}
