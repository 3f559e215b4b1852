package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"jinqiu"
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
	"jinqiu/config"
	"jinqiu/console"
	"jinqiu/handlers"
	"jinqiu/inbound"
	"jinqiu/jobs"
	"jinqiu/outbox"
	"jinqiu/storage"
)

// runServe runs the service until ctx ends (SIGTERM), then drains in-flight
// callbacks and the dispatcher before returning.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("serve", stderr)
	listen := fs.String("listen", "", "override server.listen")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060), for profiling")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
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
	a.replica = replicaName()

	var loops []func(context.Context)
	mux, senders := a.routes(func(run func(context.Context)) { loops = append(loops, run) })
	if cfg.Server.MetricsListen == "" {
		mux.Handle("GET /metrics", promhttp.Handler())
	}

	srv := &http.Server{
		Addr:    cfg.Server.Listen,
		Handler: mux,
		// A callback's body has its own, shorter deadline (bot.Door).
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
	ln = perSource(ln, *cfg.Server.MaxConnsPerSource)
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, pprofMux())
	}
	if cfg.Server.MetricsListen != "" {
		mln, err := net.Listen("tcp", cfg.Server.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen for metrics: %w", err)
		}
		msrv := &http.Server{Handler: promhttp.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
	}
	owner := a.replica
	log.Info("jinqiu serving", "listen", ln.Addr().String(), "storage", cfg.Storage.Driver,
		"redis", cfg.Redis.Addr != "", "timezone", cfg.Timezone, "replica", owner)

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	d := &outbox.Dispatcher{
		DB: a.db, State: a.state, Senders: senders, Log: log, Owner: owner,
		PerMinute: cfg.Jobs.Outbox.PerMinute, MaxAttempts: cfg.Jobs.Outbox.MaxAttempts,
		Poll: cfg.Jobs.Outbox.Poll.D(), Lease: cfg.Jobs.Outbox.Lease.D(),
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.Run(bg) }()
	// Messages a dead process left half handled, and replies it owed.
	wg.Add(1)
	go func() { defer wg.Done(); a.pipeline.RunRecovery(bg, 5*time.Second) }()
	ret := &jobs.Retention{DB: a.db, Keep: cfg.Storage.Retention.D(), Log: log, Now: a.now}
	wg.Add(1)
	go func() { defer wg.Done(); ret.Run(bg) }()
	cr := &jobs.Credits{DB: a.db, Loc: cfg.Location, Log: log, Now: a.now}
	wg.Add(1)
	go func() { defer wg.Done(); cr.Run(bg) }()
	cl := &jobs.Closings{DB: a.db, Platforms: cfg.Platforms, Log: log, Now: a.now}
	wg.Add(1)
	go func() { defer wg.Done(); cl.Run(bg) }()
	ad := &jobs.ActiveDays{DB: a.db, Log: log}
	wg.Add(1)
	go func() { defer wg.Done(); ad.Run(bg) }()
	stopJobs := startScheduler(bg, a, owner)
	// The long connections (WeCom AI bot, DingTalk Stream); stopped with
	// bot.ErrStopping, they hand their leases on at once.
	lc, stopLoops := context.WithCancelCause(bg)
	for _, run := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); run(lc) }()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopLoops(nil)
		stopBG()
		wg.Wait()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Server.ShutdownGrace.D())
	defer cancel()
	err = srv.Shutdown(sctx)
	a.pipeline.FlushDelivered(sctx)
	<-stopJobs(sctx).Done()
	stopLoops(bot.ErrStopping)
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
// endpoints; and the platforms' senders. The platforms' long connections
// are handed to background, to be run while the service serves.
func (a *app) routes(background func(run func(context.Context))) (*http.ServeMux, map[jinqiu.Platform]jinqiu.Sender) {
	cfg, log := a.cfg, a.log
	mux := http.NewServeMux()
	// What a callback's answer could not carry (an over-long reply, a dead
	// sessionWebhook) goes to the group through the outbox.
	undelivered := func(ctx context.Context, m jinqiu.Message, r jinqiu.Reply) {
		if m.Late.Kind == jinqiu.KindPush {
			// The robot pushes to the chat itself, a single chat too.
			o := outbox.ToLate(outbox.DedupKey("reply", string(m.Platform), m.Robot, m.MsgID), m.ChatID, m.Late, r)
			if err := a.db.Enqueue(context.WithoutCancel(ctx), o); err != nil {
				log.Error("queue undelivered reply", "msg_id", m.MsgID, "error", err)
			}
			return
		}
		if m.ChatID == "" {
			log.Warn("undelivered reply in a single chat dropped", "platform", m.Platform, "msg_id", m.MsgID)
			return
		}
		o := outbox.ToGroup("reply|"+string(m.Platform)+"|"+m.Robot+"|"+m.MsgID, m.Platform, m.ChatID, r, storage.AtLeastOnce)
		if err := a.db.Enqueue(context.WithoutCancel(ctx), o); err != nil {
			log.Error("queue undelivered reply", "msg_id", m.MsgID, "error", err)
		}
	}
	// Only verified messages reach the processor, so only they take one
	// of the places in flight: a slow or forged request never does.
	env := bot.Env{
		Processor:   inbound.Limit(a.pipeline, cfg.Server.MaxInFlight),
		Client:      bot.NoRedirects(&http.Client{Timeout: 10 * time.Second}),
		Log:         log,
		Now:         time.Now,
		Undelivered: undelivered,
		Background:  background,
		Leases:      a.db,
		Replica:     a.replica,
	}
	senders := map[jinqiu.Platform]jinqiu.Sender{}
	for _, p := range cfg.Platforms {
		senders[p.Name()] = p.Open(env, mux)
	}
	if cfg.Console.BaseURL != "" {
		cs := &console.Server{
			DB: a.db, Handlers: a.handlers, Reports: a.reports, Workbook: a.workbook(), Admins: config.Identities(cfg.Bureau.Admins),
			Loc: cfg.Location, Now: a.now, Log: log, Secure: strings.HasPrefix(cfg.Console.BaseURL, "https://"),
			Shared: a.sharedState(),
		}
		h, err := cs.Handler()
		if err != nil {
			log.Error("console disabled", "error", err) // the templates are embedded: a build problem
		} else {
			mux.Handle("/console/", h)
			go func() {
				if err := cs.Warm(context.Background()); err != nil {
					log.Warn("console: district figures not computed ahead", "error", err)
				}
			}()
		}
	}
	mux.Handle("GET "+handlers.DownloadPath+"{token}", a.workbook().Download(log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		// A write, not a ping: a database that answers but refuses
		// writes (a full disk, a read-only replica) cannot take a message.
		if err := a.db.CheckWritable(rctx, a.replica); err != nil {
			log.Warn("not ready: database refuses writes", "error", err)
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := a.state.Ping(rctx); err != nil {
			http.Error(w, "redis unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	return mux, senders
}

// pprofMux serves the profiler on its own listener, never on the public one.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

var sourceRefused = promauto.NewCounter(prometheus.CounterOpts{
	Name: "jinqiu_connections_refused_total",
	Help: "Connections closed at once because their source address had server.max_conns_per_source open.",
})

// perSource bounds the connections open at once from one source address
// (0: no bound). Behind a reverse proxy every connection comes from the
// proxy: set it to 0 there and bound at the proxy.
func perSource(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		return ln
	}
	return &sourceLimited{Listener: ln, max: max, open: map[string]int{}}
}

type sourceLimited struct {
	net.Listener
	max  int
	mu   sync.Mutex
	open map[string]int
}

func (l *sourceLimited) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		l.mu.Lock()
		if l.open[host] >= l.max {
			l.mu.Unlock()
			sourceRefused.Inc()
			c.Close()
			continue
		}
		l.open[host]++
		l.mu.Unlock()
		return &sourceConn{Conn: c, l: l, host: host}, nil
	}
}

type sourceConn struct {
	net.Conn
	l    *sourceLimited
	host string
	once sync.Once
}

func (c *sourceConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.open[c.host]--; c.l.open[c.host] <= 0 {
			delete(c.l.open, c.host)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
