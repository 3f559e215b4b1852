package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/jobs"
	"jinqiu/storage"
)

// runServe runs the service until ctx ends (SIGTERM), then drains in-flight
// callbacks and the dispatcher before returning.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, path := newFlags("serve", stderr)
	listen := fs.String("listen", "", "override server.listen")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060), for profiling")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()

	client := bot.NoRedirects(&http.Client{Timeout: 10 * time.Second})
	senders := map[string]bot.Sender{
		bot.WeCom:    wecom.NewSender(cfg.WeCom.APIBase, client),
		bot.DingTalk: dingtalk.NewSender(cfg.DingTalk.APIBase, client),
	}
	mux := a.routes(senders)

	srv := &http.Server{
		Addr:              cfg.Server.Listen,
		Handler:           shed(mux, cfg.Server.MaxInFlight),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, pprofMux())
	}
	owner := replicaName()
	log.Info("jinqiu serving", "listen", ln.Addr().String(), "storage", cfg.Storage.Driver,
		"redis", cfg.Redis.Addr != "", "timezone", cfg.Timezone, "replica", owner)

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	d := &jobs.Dispatcher{
		DB: a.db, State: a.state, Senders: senders, Groups: jobs.GroupsOf(cfg), RobotKeys: jobs.RobotKeysOf(cfg), Log: log, Owner: owner,
		PerMinute: cfg.Jobs.Outbox.PerMinute, MaxAttempts: cfg.Jobs.Outbox.MaxAttempts,
		Poll: cfg.Jobs.Outbox.Poll.D(), Lease: cfg.Jobs.Outbox.Lease.D(),
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.Run(bg) }()
	// Messages a dead process left half handled, and replies it owed.
	wg.Add(1)
	go func() { defer wg.Done(); a.pipeline.RunRecovery(bg, 5*time.Second) }()
	stopJobs := startScheduler(bg, a, owner)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopBG()
		wg.Wait()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownGrace.D())
	defer cancel()
	err = srv.Shutdown(sctx)
	<-stopJobs(sctx).Done()
	stopBG()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// replicaName names this process in leases and job claims.
func replicaName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// routes is the HTTP surface: the platforms' callbacks and the operator's
// endpoints.
func (a *app) routes(senders map[string]bot.Sender) *http.ServeMux {
	cfg, log := a.cfg, a.log
	mux := http.NewServeMux()
	// What a callback's answer could not carry (an over-long reply, a dead
	// sessionWebhook) goes to the group through the outbox.
	undelivered := func(ctx context.Context, m bot.Message, r bot.Reply) {
		if m.ChatID == "" {
			log.Warn("undelivered reply in a single chat dropped", "platform", m.Platform, "msg_id", m.MsgID)
			return
		}
		o := bot.GroupOutbound("reply|"+m.Platform+"|"+m.Robot+"|"+m.MsgID, m.Platform, m.ChatID, r, storage.AtLeastOnce)
		if err := a.db.Enqueue(context.WithoutCancel(ctx), o); err != nil {
			log.Error("queue undelivered reply", "msg_id", m.MsgID, "error", err)
		}
	}
	wh := wecom.NewHandler(cfg.WeCom.Robots, a.pipeline, log)
	wh.OnUndelivered = undelivered
	wh.Register(mux)
	dh := dingtalk.NewHandler(cfg.DingTalk.Robots, cfg.DingTalk.APIBase, a.pipeline, senders[bot.DingTalk], log)
	dh.OnUndelivered = undelivered
	dh.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.db.Ping(rctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := a.state.Ping(rctx); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", promhttp.Handler())
	return mux
}

// pprofMux serves the profiler on its own listener, never on the public one.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

var shedTotal = promauto.NewCounter(prometheus.CounterOpts{
	Name: "jinqiu_callbacks_shed_total",
	Help: "Callbacks answered 503 because max_in_flight were being handled.",
})

// shed answers callbacks beyond max in flight with 503 at once: the
// platforms retry them, and a queue would only make every answer late.
// Operator endpoints are never shed.
func shed(next http.Handler, max int) http.Handler {
	slots := make(chan struct{}, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/wecom/") && !strings.HasPrefix(r.URL.Path, "/dingtalk/") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			shedTotal.Inc()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	})
}
