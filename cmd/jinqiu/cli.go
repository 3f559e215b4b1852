package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jinqiu/command"
	"jinqiu/storage"
	"jinqiu/storage/state"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	cfg, err := loadConfig(*path)
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
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
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
// prints the reply.
func runSay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("say", stderr)
	platform := fs.String("platform", string(registry().Names()[0]), "the platform: "+platformNames("|"))
	chat := fs.String("chat", "", "the group's chat id (as configured)")
	user := fs.String("user", "", "the sender's platform user id")
	name := fs.String("name", "", "the sender's display name")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if _, ok := registry().Get(jinqiu.Platform(*platform)); !ok {
		return usageError("--platform must be " + platformNames(" or "))
	}
	if *user == "" || fs.NArg() == 0 {
		return usageError("usage: jinqiu say --platform " + platformNames("|") + " --chat CHAT --user UID [--name NAME] TEXT")
	}
	a, err := openQuiet(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer a.close()
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
		SentAt:   time.Now(),
	}
	if *chat == "" {
		m.ChatType = "single"
	}
	// Without Redis, dialogue state lives in this process: keep it in a
	// file beside the database so that a question asked by one `say` is
	// answered by the next, as in a group.
	if mem, ok := a.state.(*state.Memory); ok && a.cfg.Storage.Driver == storage.SQLite {
		file := filepath.Join(filepath.Dir(a.cfg.Storage.DSN), "say-state.json")
		if f, err := os.Open(file); err == nil {
			mem.Load(f)
			f.Close()
		}
		defer func() {
			if f, err := os.Create(file); err == nil {
				mem.Save(f)
				f.Close()
			}
		}()
	}
	// The command line can wait: no late delivery.
	a.pipeline.Budget = time.Minute
	out, err := a.pipeline.Process(ctx, m)
	if err != nil {
		return err
	}
	if !out.Reply.Empty() {
		fmt.Fprintln(stdout, out.Reply.Text)
	}
	return nil
}

// platformNames are the registered platforms' names, joined by sep.
func platformNames(sep string) string {
	var ss []string
	for _, n := range registry().Names() {
		ss = append(ss, string(n))
	}
	return strings.Join(ss, sep)
}
