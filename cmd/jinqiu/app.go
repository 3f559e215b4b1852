package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/handlers"
	"jinqiu/inbound"
	"jinqiu/jobs"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/workbook"
)

// app is everything built at start-up and passed down: config, database,
// state, handlers and the message pipeline.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *storage.DB
	state    state.Store
	handlers *handlers.Handlers
	pipeline *inbound.Pipeline
	// installedAt is when the database started keeping records.
	installedAt time.Time
	reports     *report.Reporter
	// now is the clock of record of everything above.
	now func() time.Time
	// replica names this process in leases and job claims (serve only).
	replica string
	closers []func() error
}

// newFlags returns a flag set with the --config flag every command takes;
// its -h prints the command's synopsis and flags.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\nflags:\n", synopsis(name))
		fs.PrintDefaults()
	}
	path := fs.String("config", "config.yaml", "path of the configuration file")
	return fs, path
}

// parseFlags parses args. Asked for -h, it prints the usage to stdout and
// returns flag.ErrHelp, which run turns into success; a bad flag is a
// usage error, explained on the flag set's output (stderr).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	out := fs.Output()
	var msg bytes.Buffer
	fs.SetOutput(&msg)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.Copy(stdout, &msg)
		return flag.ErrHelp
	case err != nil:
		io.Copy(out, &msg)
		return usageError(err.Error())
	}
	return nil
}

// quietLog logs warnings and errors only, to stderr: the log of a one-shot
// command.
func quietLog(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// registry is the chat platforms jinqiu speaks, a line each: a platform is
// its folder under bot/ and its line here.
func registry() bot.Platforms {
	return bot.Platforms{
		wecom.New(),
		dingtalk.New(),
	}
}

// loadConfig reads and validates the configuration.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, registry())
}

// openQuiet loads the configuration and opens the app for a one-shot
// command: only warnings are logged, to stderr.
func openQuiet(ctx context.Context, path string, stderr io.Writer) (*app, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, quietLog(stderr))
}

// openApp connects to the database (migrating it and syncing the configured
// branches) and to the state store, and builds the handlers, on the wall
// clock.
func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	return openAppAt(ctx, cfg, log, time.Now)
}

// openAppAt is openApp on the clock given: the one clock of record of the
// database (every transaction's time, the migrations' too), the handlers,
// the reports and the in-memory state's expiry.
func openAppAt(ctx context.Context, cfg *config.Config, log *slog.Logger, now func() time.Time) (*app, error) {
	a := &app{cfg: cfg, log: log, now: now}
	db, err := storage.Open(ctx, cfg.Storage.Driver, cfg.Storage.DSN)
	if err != nil {
		return nil, err
	}
	db.Now = now
	db.Zone = cfg.Location // before Migrate: the kept active days take their day in it
	a.db = db
	a.closers = append(a.closers, db.Close)
	if err := db.Migrate(ctx); err != nil {
		a.close()
		return nil, err
	}
	if err := db.SyncConfig(ctx, branchSpecs(cfg), groups(cfg.Bureau.Groups)); err != nil {
		a.close()
		return nil, fmt.Errorf("sync config: %w", err)
	}
	if cfg.Redis.Addr != "" {
		r := state.NewRedis(cfg.Redis.Addr, cfg.Redis.Password, cfg.Redis.DB)
		a.state = r
		a.closers = append(a.closers, r.Close)
	} else {
		mem := state.NewMemory()
		mem.SetClock(now)
		a.state = mem
	}
	settings := planSettings(cfg)
	schedules := map[string]jinqiu.Schedule{}
	for _, b := range settings.Branches {
		schedules[b.ID] = b.Schedule
	}
	a.handlers = &handlers.Handlers{
		DB:     db,
		State:  a.state,
		Loc:    cfg.Location,
		Admins: config.Identities(cfg.Bureau.Admins),
		Schedule: func(branchID string) jinqiu.Schedule {
			if s, ok := schedules[branchID]; ok {
				return s
			}
			return settings.Default
		},
		Now:           now,
		Log:           log,
		BaseURL:       cfg.Console.BaseURL,
		PublicityDays: cfg.Publicity.WorkingDays,
		Calendar:      cfg.Publicity.Calendar(),
		Pushable:      func(g jinqiu.Group) bool { return cfg.Platforms.Pushable(g) },
	}
	if _, err := jobs.NewPlanner(settings); err != nil {
		a.close()
		return nil, err
	}
	since, err := db.InstalledAt(ctx)
	if err != nil {
		a.close()
		return nil, err
	}
	a.installedAt = since
	a.handlers.Since = since
	a.reports = &report.Reporter{DB: db, Loc: cfg.Location, Schedules: schedules, Default: settings.Default, Now: now, Since: since}
	a.handlers.Reports = a.reports
	a.pipeline = &inbound.Pipeline{
		DB:      db,
		Handler: a.handlers,
		Log:     log,
		Budget:  cfg.Server.ReplyBudget.D(),
		Grace:   cfg.Server.RecoverAfter.D(),
	}
	return a, nil
}

// workbook writes the bureau's workbooks with the app's figures.
func (a *app) workbook() *workbook.Writer {
	return &workbook.Writer{DB: a.db, Reports: a.reports, Loc: a.cfg.Location}
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

func branchSpecs(cfg *config.Config) []storage.BranchSpec {
	var out []storage.BranchSpec
	for _, b := range cfg.Branches {
		out = append(out, storage.BranchSpec{
			Branch:      jinqiu.Branch{ID: b.ID, Name: b.Name, Town: b.Town, Kind: jinqiu.BranchKind(b.Kind), DivisionCode: b.DivisionCode},
			Secretaries: config.Identities(b.Secretaries),
			Groups:      groups(b.Groups),
			Places:      places(b.ID, b.Places),
		})
	}
	return out
}

// planSettings are the jobs' settings of a validated configuration.
func planSettings(cfg *config.Config) jobs.Settings {
	st := jobs.Settings{
		Loc:             cfg.Location,
		Default:         cfg.Jobs.Schedule.Calendar(),
		EveningBefore:   config.Clock(cfg.Jobs.Activity.EveningBefore),
		LeadTime:        cfg.Jobs.Activity.LeadTime.D(),
		ActivityCatchUp: cfg.Jobs.Activity.CatchUp.D(),
		DigestCron:      cfg.Jobs.Digest.Cron,
		DigestCatchUp:   cfg.Jobs.Digest.CatchUp.D(),
	}
	for _, b := range cfg.Branches {
		st.Branches = append(st.Branches, jobs.PlanBranch{ID: b.ID, Name: b.Name, Schedule: cfg.ScheduleOf(b.ID).Calendar()})
	}
	return st
}

func places(branchID string, ps []config.Place) []jinqiu.Place {
	var out []jinqiu.Place
	for _, p := range ps {
		out = append(out, jinqiu.Place{BranchID: branchID, Name: p.Name, Kind: jinqiu.PlaceKind(p.Kind)})
	}
	return out
}

func groups(gs []config.Group) []jinqiu.Group {
	var out []jinqiu.Group
	for _, g := range gs {
		out = append(out, jinqiu.Group{Platform: jinqiu.Platform(g.Platform), ChatID: g.ChatID, Robot: g.Robot})
	}
	return out
}

// sharedState is the state store when replicas share it (Redis), else nil:
// what only this process would see needs no second copy.
func (a *app) sharedState() state.Store {
	if a.cfg.Redis.Addr == "" {
		return nil
	}
	return a.state
}
