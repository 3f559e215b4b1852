package bot

import (
	"errors"
	"io"
	"jinqiu"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// DefaultBodyTimeout bounds how long a callback's body may take to arrive.
// The platforms send a few KiB at once; a body that trickles in is not
// theirs, and must not hold a connection for the server's whole read
// timeout.
const DefaultBodyTimeout = 2 * time.Second

var refusedTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "jinqiu_callbacks_refused_total",
	Help: "Callbacks refused before they were trusted, by platform and reason (signature, stale, body, envelope, slow_body, too_large, busy, ...).",
}, []string{"platform", "reason"})

// Door is what a platform's callback passes through before it is trusted:
// a short deadline and a bound on its body, and the count and log of what
// was refused. A refusal is logged at most once a minute per source
// address, so that a flood of forgeries cannot flood the log. Safe for
// concurrent use.
type Door struct {
	Platform jinqiu.Platform
	Log      *slog.Logger
	// BodyTimeout bounds the read of a body (DefaultBodyTimeout when zero).
	BodyTimeout time.Duration
	// Now is the clock of the log limiter (time.Now when nil).
	Now func() time.Time

	mu     sync.Mutex
	logged map[string]time.Time // source address → last refusal logged
}

// Read reads the body of r, at most max bytes, under the body deadline.
// On failure it has answered (413 too large, 408 too slow, 400 otherwise)
// and returns false.
func (d *Door) Read(w http.ResponseWriter, r *http.Request, max int64) ([]byte, bool) {
	timeout := d.BodyTimeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	rc := http.NewResponseController(w)
	// Not supported by every ResponseWriter (tests' recorders): then the
	// server's own ReadTimeout is the bound.
	_ = rc.SetReadDeadline(time.Now().Add(timeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err == nil {
		_ = rc.SetReadDeadline(time.Time{})
		return body, true
	}
	// The rest of the body is not waited for: the connection is closed
	// after the answer (and the deadline stays, should the server try to
	// read what is left).
	w.Header().Set("Connection", "close")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		d.Refuse(w, r, http.StatusRequestEntityTooLarge, "too_large", "body too large")
	case errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		d.Refuse(w, r, http.StatusRequestTimeout, "slow_body", "body too slow")
	default:
		d.Refuse(w, r, http.StatusBadRequest, "body", "cannot read body")
	}
	return nil, false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Refuse answers a callback that is not to be trusted with status and a
// short message, counts it under reason and logs it (rate-limited per
// source). The message never echoes what was sent.
func (d *Door) Refuse(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
	refusedTotal.WithLabelValues(string(d.Platform), reason).Inc()
	if d.shouldLog(r) {
		d.log().Warn("callback refused", "platform", d.Platform, "reason", reason, "status", status,
			"source", source(r), "path", r.URL.Path)
	}
	http.Error(w, msg, status)
}

// shouldLog reports whether a refusal from r's source may be logged now.
func (d *Door) shouldLog(r *http.Request) bool {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	src := source(r)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.logged == nil {
		d.logged = map[string]time.Time{}
	}
	if last, ok := d.logged[src]; ok && now.Sub(last) < time.Minute {
		return false
	}
	if len(d.logged) >= 10_000 {
		// Bounded: forget the sources that have been quiet for a minute.
		for k, t := range d.logged {
			if now.Sub(t) >= time.Minute {
				delete(d.logged, k)
			}
		}
		if len(d.logged) >= 10_000 {
			return false
		}
	}
	d.logged[src] = now
	return true
}

func (d *Door) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// source is the address a request came from, without its port.
func source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
