package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"os/signal"
	"syscall"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/storage"
)

// Command jinqiu-bench is jinqiu's load harness, kept out of the
// production binary: it writes a configuration of many groups, runs the
// baseline server the figures are compared with, and plays WeCom and
// DingTalk at a running server. bench.sh shows how the parts fit.
const benchUsage = `usage:
  jinqiu-bench config --groups N --listen ADDR --dsn DSN --redis ADDR --sink URL > bench.yaml
  jinqiu-bench baseline --config bench.yaml [--listen ADDR]
  jinqiu-bench run --config bench.yaml --target URL [--members N] [--setup] [--rate R --duration D | --closed C --n N]
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runBench(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jinqiu-bench:", err)
		if _, ok := err.(usageError); ok {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

// newFlags returns a flag set with the --config flag.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, fs.String("config", "bench.yaml", "path of the configuration file")
}

// loadConfig reads a configuration of the two platforms the load generator
// plays.
func loadConfig(path string) (*config.Config, error) {
	return config.Load(path, bot.Platforms{wecom.New(), dingtalk.New()})
}

// runBench is the load harness: see bench.sh for how its parts fit.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, benchUsage)
		if len(args) == 0 {
			return usageError("a sub-command is needed")
		}
		return nil
	}
	switch args[0] {
	case "config":
		return benchConfig(args[1:], stdout, stderr)
	case "baseline":
		return benchBaseline(ctx, args[1:], stderr)
	case "run":
		return benchRun(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, benchUsage)
	return usageError("unknown bench sub-command " + args[0])
}

func benchConfig(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	groups := fs.Int("groups", 100, "branches, one group each")
	listen := fs.String("listen", "127.0.0.1:8080", "server.listen")
	dsn := fs.String("dsn", "root@tcp(127.0.0.1:3306)/jinqiu_bench", "MySQL DSN")
	redis := fs.String("redis", "127.0.0.1:6379", "Redis address")
	sink := fs.String("sink", "http://127.0.0.1:9301", "where DingTalk replies go (the generator listens there)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	return WriteConfig(stdout, *groups, *listen, *dsn, *redis, *sink)
}

func benchBaseline(ctx context.Context, args []string, stderr io.Writer) error {
	fs, path := newFlags("baseline", stderr)
	listen := fs.String("listen", "127.0.0.1:8091", "address")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	db, err := storage.Open(ctx, cfg.Storage.Driver, cfg.Storage.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	db.Zone = cfg.Location
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	b, err := NewBaseline(cfg, db, log)
	if err != nil {
		return err
	}
	return serveUntilDone(ctx, *listen, b.Routes())
}

func serveUntilDone(ctx context.Context, addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func benchRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("run", stderr)
	target := fs.String("target", "http://127.0.0.1:8080", "the server's base URL")
	members := fs.Int("members", 20, "members per group")
	setup := fs.Bool("setup", false, "first register every member and publish activities")
	rate := fs.Float64("rate", 0, "open loop: callbacks per second")
	duration := fs.Duration("duration", 20*time.Second, "open loop: how long")
	closed := fs.Int("closed", 0, "closed loop: this many concurrent senders")
	n := fs.Int("n", 20000, "closed loop: callbacks to send")
	seed := fs.Uint64("seed", 1, "random seed of the mix")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	// Listen where the server's DingTalk replies go.
	sink := &Sink{}
	su, err := url.Parse(dingTalkOf(cfg).APIBase)
	if err != nil {
		return err
	}
	sinkCtx, stopSink := context.WithCancel(ctx)
	defer stopSink()
	go serveUntilDone(sinkCtx, su.Host, sink)

	w := Workload{Target: strings.TrimRight(*target, "/"), Groups: GroupsFromConfig(cfg, dingTalkOf(cfg).APIBase), Members: *members, Seed: *seed}
	if len(w.Groups) == 0 {
		return errors.New("bench: the configuration has no groups with receiving robots")
	}
	b, err := NewBuilder(w)
	if err != nil {
		return err
	}
	client := Client()
	if *setup {
		reqs, err := b.Setup()
		if err != nil {
			return err
		}
		t := time.Now()
		if err := Sequential(ctx, client, reqs, 16); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "setup: %d callbacks in %.1fs\n", len(reqs), time.Since(t).Seconds())
	}
	probe := &RSSProbe{MetricsURL: w.Target + "/metrics", Client: client}
	var rep Report
	switch {
	case *rate > 0:
		reqs, err := b.Mix(int(*rate * duration.Seconds()))
		if err != nil {
			return err
		}
		rep = Open(ctx, client, reqs, *rate, probe)
	case *closed > 0:
		reqs, err := b.Mix(*n)
		if err != nil {
			return err
		}
		rep = Closed(ctx, client, reqs, *closed, probe)
	default:
		if *setup {
			return nil
		}
		return usageError("give --rate or --closed")
	}
	fmt.Fprintln(stdout, rep.String())
	if rep.MaxRSS == 0 {
		if v := os.Getenv("JINQIU_BENCH_QUIET"); v == "" {
			fmt.Fprintln(stderr, "(no RSS: the target has no /metrics)")
		}
	}
	return nil
}
