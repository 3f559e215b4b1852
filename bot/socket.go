package bot

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Long connections (WeCom's AI-bot WebSocket, DingTalk Stream) are our own
// small clients on gorilla/websocket, the library every official SDK uses:
// DingTalk's Go SDK v0.9.1 panics with "send on closed channel" on
// reconnect, and hides the timing of its acks, which we must control.

const (
	// socketWriteTimeout bounds one frame's write: a stalled peer must
	// not hold the writer for ever.
	socketWriteTimeout = 5 * time.Second
	// MaxFrame bounds a frame read from a platform: theirs are a few KiB.
	MaxFrame = 1 << 20
)

// Socket is one WebSocket to a platform. Writes are serialised (gorilla
// allows one writer at a time); Close may be called from anywhere, more
// than once. Safe for concurrent use.
type Socket struct {
	c    *websocket.Conn
	mu   sync.Mutex
	once sync.Once
	done chan struct{}
}

// DialSocket opens a WebSocket to url within ctx.
func DialSocket(ctx context.Context, url string) (*Socket, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	c, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(MaxFrame)
	return &Socket{c: c, done: make(chan struct{})}, nil
}

// WriteJSON writes v as one text frame.
func (s *Socket) WriteJSON(v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.SetWriteDeadline(time.Now().Add(socketWriteTimeout))
	return s.c.WriteJSON(v)
}

// Read returns the next frame's payload, waiting at most idle (no limit
// when zero): a socket silent for longer is dead.
func (s *Socket) Read(idle time.Duration) ([]byte, error) {
	if idle > 0 {
		s.c.SetReadDeadline(time.Now().Add(idle))
	}
	_, b, err := s.c.ReadMessage()
	return b, err
}

// Close closes the socket at once, without a closing handshake: the
// peer sees what it would see if the process died.
func (s *Socket) Close() {
	s.once.Do(func() {
		close(s.done)
		s.c.Close()
	})
}

// Done is closed once Close was called.
func (s *Socket) Done() <-chan struct{} { return s.done }

// Backoff is the wait before reconnect attempt n (from 0): min doubling,
// capped at 30 s, less up to a fifth at random so that replicas do not
// reconnect in step.
func Backoff(n int, min time.Duration) time.Duration {
	const cap = 30 * time.Second
	d := min << uint(n)
	if n > 20 || d > cap || d <= 0 {
		d = cap
	}
	return d - time.Duration(rand.Int64N(int64(d/5)+1))
}
