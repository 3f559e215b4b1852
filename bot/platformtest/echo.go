package platformtest

import (
	"context"
	"jinqiu"
	"sync"
	"time"
)

// Echo is a message handler (inbound.Handler) for tests of the platforms'
// receive paths: it answers "re: " and the text, optionally after Delay,
// and counts how often each message was handled. A handling that did not
// commit (taken over) still counts: the pipeline must not start one.
type Echo struct {
	Delay time.Duration

	mu      sync.Mutex
	handled map[string]int
	ended   map[string]time.Time
	spoken  map[string]bool
}

// Reply is what Echo answers to text.
func (e *Echo) Reply(text string) string { return "re: " + text }

// Handle implements inbound.Handler.
func (e *Echo) Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error) {
	e.mu.Lock()
	if e.handled == nil {
		e.handled, e.ended, e.spoken = map[string]int{}, map[string]time.Time{}, map[string]bool{}
	}
	e.handled[m.MsgID]++
	e.spoken[m.MsgID] = m.Spoken
	e.mu.Unlock()
	if e.Delay > 0 {
		select {
		case <-time.After(e.Delay):
		case <-ctx.Done():
			return jinqiu.Reply{}, ctx.Err()
		}
	}
	e.mu.Lock()
	e.ended[m.MsgID] = time.Now()
	e.mu.Unlock()
	return jinqiu.Reply{Text: e.Reply(m.Text)}, nil
}

// Handled is how often the message was handled.
func (e *Echo) Handled(msgID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.handled[msgID]
}

// Ended is when the message's handling ended (zero: not yet).
func (e *Echo) Ended(msgID string) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ended[msgID]
}

// Spoken reports whether the message came marked as spoken (voice).
func (e *Echo) Spoken(msgID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.spoken[msgID]
}

// Twice counts the messages handled more than once.
func (e *Echo) Twice() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.handled {
		if c > 1 {
			n++
		}
	}
	return n
}
