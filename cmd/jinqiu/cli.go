package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jinqiu/command"
	"jinqiu/jobs"
	"jinqiu/storage"
	"jinqiu/storage/state"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("migrate", stderr)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	// Only here may the kept active days be taken again in a changed
	// timezone: the one command an operator runs for it, replicas stopped.
	db, err := storage.Open(ctx, cfg.Storage.Driver, cfg.Storage.DSN)
	if err != nil {
		return err
	}
	db.Zone, db.Rezone = cfg.Location, true
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintf(stdout, "migrated %s database\n", cfg.Storage.Driver)
	return nil
}

// runParse prints the parse of each message as one JSON line: of the TEXT
// arguments joined, or of each JSON line on stdin (its "text" field).
func runParse(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, path := newFlags("parse", stderr)
	nowFlag := fs.String("now", "", "the time to parse relative to, RFC 3339 (default: now)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	loc, err := parseZone(*path)
	if err != nil {
		return err
	}
	now := time.Now().In(loc)
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return usageError(fmt.Sprintf("--now %q is not RFC 3339, e.g. 2026-11-27T10:00:00+08:00", *nowFlag))
		}
		now = t.In(loc)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if fs.NArg() > 0 {
		return enc.Encode(command.Parse(strings.Join(fs.Args(), " "), now))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		var in struct {
			Text string `json:"text"`
		}
		// A line that is not JSON is garbage, and garbage is "unknown".
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			in.Text = "\x00"
		}
		if err := enc.Encode(command.Parse(in.Text, now)); err != nil {
			return err
		}
	}
	return sc.Err()
}

// parseZone returns the configured zone; parse works without a config file
// (Asia/Shanghai).
func parseZone(path string) (*time.Location, error) {
	cfg, err := loadConfig(path)
	if err == nil {
		return cfg.Location, nil
	}
	if path == "config.yaml" && strings.Contains(err.Error(), "no such file") {
		return time.LoadLocation("Asia/Shanghai")
	}
	return nil, err
}

// runSay feeds one message through the same pipeline as a callback and
// prints the reply. With --now the message is handled at that time: the
// handlers, the database's transactions, the crediting of ended
// activities and the dialogue's expiry all read it, so that successive
// runs rehearse days in order.
func runSay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("say", stderr)
	platform := fs.String("platform", string(registry().Names()[0]), "the platform: "+platformNames("|"))
	chat := fs.String("chat", "", "the group's chat id (as configured); without it, a single chat")
	user := fs.String("user", "", "the sender's platform user id")
	name := fs.String("name", "", "the sender's display name")
	nowFlag := fs.String("now", "", "the time of record of this message, RFC 3339 (or 2006-01-02T15:04 in the configured zone); default: now")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if _, ok := registry().Get(jinqiu.Platform(*platform)); !ok {
		return usageError("--platform must be " + platformNames(" or "))
	}
	if *user == "" || fs.NArg() == 0 {
		return usageError("usage: " + synopsis("say"))
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	clock := time.Now
	if *nowFlag != "" {
		t, err := parseWhen(*nowFlag, cfg.Location)
		if err != nil {
			return usageError("--now: " + err.Error())
		}
		clock = func() time.Time { return t }
	}
	a, err := openAppAt(ctx, cfg, quietLog(stderr), clock)
	if err != nil {
		return err
	}
	defer a.close()
	save, err := keepDialogues(a)
	if err != nil {
		return err
	}
	// What serve's minute job would have done by now: a rehearsal that
	// skips a day still finds the hours of the activities that ended.
	cr := &jobs.Credits{DB: a.db, Loc: cfg.Location, Log: a.log, Now: clock}
	if _, err := cr.Once(ctx, clock()); err != nil {
		return fmt.Errorf("credit ended activities: %w", err)
	}
	cl := &jobs.Closings{DB: a.db, Platforms: cfg.Platforms, Log: a.log, Now: clock}
	if _, err := cl.Once(ctx, clock()); err != nil {
		return fmt.Errorf("announce closed publicities: %w", err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	m := jinqiu.Message{
		Platform: jinqiu.Platform(*platform),
		Robot:    "cli",
		MsgID:    "cli-" + hex.EncodeToString(id),
		ChatID:   *chat,
		ChatType: "group",
		UserID:   *user,
		UserName: *name,
		Text:     strings.Join(fs.Args(), " "),
		SentAt:   clock(),
	}
	if *chat == "" {
		m.ChatType = "single"
	}
	// The command line can wait: no late delivery.
	a.pipeline.Budget = time.Minute
	out, err := a.pipeline.Process(ctx, m)
	if err != nil {
		return err
	}
	if err := save(); err != nil {
		return err
	}
	if !out.Reply.Empty() {
		fmt.Fprintln(stdout, out.Reply.Text)
	}
	return nil
}

// keepDialogues makes the in-memory state of a SQLite app outlive the
// process, in a file beside the database, so that a question asked by one
// `say` is answered by the next, as in a group; the function it returns
// saves it. With Redis the state is Redis's (and expires on Redis's clock).
func keepDialogues(a *app) (save func() error, err error) {
	mem, ok := a.state.(*state.Memory)
	if !ok || a.cfg.Storage.Driver != storage.SQLite {
		return func() error { return nil }, nil
	}
	file := filepath.Join(filepath.Dir(a.cfg.Storage.DSN), "say-state.json")
	if f, err := os.Open(file); err == nil {
		err = mem.Load(f)
		f.Close()
		if err != nil {
			// A torn or foreign file costs a pending question, not the run.
			a.log.Warn("dialogue state unreadable: starting without it", "file", file, "error", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("dialogue state: %w", err)
	}
	return func() error {
		// Written aside and renamed: a run killed halfway leaves the old
		// state, never half of one.
		tmp, err := os.CreateTemp(filepath.Dir(file), ".say-state-*.json")
		if err != nil {
			return fmt.Errorf("save dialogue state: %w", err)
		}
		defer os.Remove(tmp.Name())
		if err := mem.Save(tmp); err != nil {
			tmp.Close()
			return fmt.Errorf("save dialogue state: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("save dialogue state: %w", err)
		}
		if err := os.Rename(tmp.Name(), file); err != nil {
			return fmt.Errorf("save dialogue state: %w", err)
		}
		return nil
	}, nil
}

// platformNames are the registered platforms' names, joined by sep.
func platformNames(sep string) string {
	var ss []string
	for _, n := range registry().Names() {
		ss = append(ss, string(n))
	}
	return strings.Join(ss, sep)
}
