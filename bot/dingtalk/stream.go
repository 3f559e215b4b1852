package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"jinqiu/bot"
	"jinqiu/inbound"
)

// Stream mode (LONGCONN.md §2): we ask the gateway for an endpoint and a
// one-use ticket, dial it, and get robot messages as CALLBACK frames that
// we acknowledge. DingTalk sends a frame again when its ack is late, so a
// message is acknowledged as soon as its inbound row is durable, before
// it is handled; replies still go through the sessionWebhook. Several
// replicas may each hold a connection: DingTalk gives each frame to one.

// Stream paths and topics.
const (
	gatewayPath = "/v1.0/gateway/connections/open"
	botTopic    = "/v1.0/im/bot/messages/get"
)

const (
	// defaultDrain is how long a connection the server announced the end
	// of stays open for the frames still on it: the server closes it
	// after 10 s.
	defaultDrain = 15 * time.Second
	// defaultIdle: DingTalk pings every 20–30 s; a minute of silence
	// means a dead socket.
	defaultIdle = time.Minute
)

// Stream serves one stream robot. Set the fields before Run.
type Stream struct {
	Base       string // the OpenAPI base
	Robot      Robot
	Handler    *Handler // builds messages, posts replies
	Client     *http.Client
	Log        *slog.Logger
	MinBackoff time.Duration // first reconnect wait (1 s when zero), capped at 30 s
	Drain      time.Duration // 15 s when zero
	Idle       time.Duration // 1 minute when zero
}

type streamFrame struct {
	SpecVersion string            `json:"specVersion"`
	Type        string            `json:"type"`
	Headers     map[string]string `json:"headers"`
	Data        string            `json:"data"`
}

type streamAck struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

// Run keeps a connection open until ctx ends: after a drop it reconnects
// with back-off; when the server announces a disconnect it opens the next
// connection at once and lets the old one drain, so that nothing arriving
// meanwhile waits for a reconnect.
func (s *Stream) Run(ctx context.Context) {
	log := s.log()
	fails := 0
	for ctx.Err() == nil {
		sock, err := s.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := bot.Backoff(fails, orDefault(s.MinBackoff, time.Second))
			fails++
			log.Warn("dingtalk stream not connected; retrying", "error", err, "wait", wait.String())
			sleep(ctx, wait)
			continue
		}
		fails = 0
		rotate := make(chan struct{})
		ended := make(chan error, 1)
		go func() { ended <- s.serve(ctx, sock, rotate) }()
		select {
		case <-ctx.Done():
			sock.Close()
			return
		case err := <-ended:
			if ctx.Err() != nil {
				return
			}
			wait := bot.Backoff(0, orDefault(s.MinBackoff, time.Second))
			log.Warn("dingtalk stream dropped; reconnecting", "error", err, "wait", wait.String())
			sleep(ctx, wait)
		case <-rotate:
			log.Info("dingtalk stream to be closed by the server; opening the next one first")
			go func() {
				t := time.AfterFunc(orDefault(s.Drain, defaultDrain), sock.Close)
				<-ended
				t.Stop()
			}()
		}
	}
}

// connect asks the gateway for an endpoint and ticket and dials it. A
// ticket is good for one connection for 90 s, so every connect asks anew.
func (s *Stream) connect(ctx context.Context) (*bot.Socket, error) {
	body := map[string]any{
		"clientId": s.Robot.ClientID, "clientSecret": s.Robot.ClientSecret, "ua": "jinqiu",
		"subscriptions": []map[string]string{{"type": "CALLBACK", "topic": botTopic}, {"type": "EVENT", "topic": "*"}},
	}
	var ep struct {
		Endpoint string `json:"endpoint"`
		Ticket   string `json:"ticket"`
	}
	if err := s.call(ctx, gatewayPath, "", body, &ep); err != nil {
		return nil, fmt.Errorf("open connection: %w", err)
	}
	u, err := url.Parse(ep.Endpoint)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || ep.Ticket == "" {
		return nil, fmt.Errorf("open connection: unusable endpoint %q", ep.Endpoint)
	}
	q := u.Query()
	q.Set("ticket", ep.Ticket)
	u.RawQuery = q.Encode()
	return bot.DialSocket(ctx, u.String())
}

// serve reads frames until the socket ends; a disconnect announcement
// closes rotate.
func (s *Stream) serve(ctx context.Context, sock *bot.Socket, rotate chan struct{}) error {
	defer sock.Close()
	var once sync.Once
	for {
		b, err := sock.Read(orDefault(s.Idle, defaultIdle))
		if err != nil {
			return err
		}
		var f streamFrame
		if err := json.Unmarshal(b, &f); err != nil {
			s.log().Warn("dingtalk stream frame unreadable", "error", err)
			continue
		}
		id := f.Headers["messageId"]
		switch {
		case f.Type == "SYSTEM" && f.Headers["topic"] == "ping":
			ack(sock, id, f.Data)
		case f.Type == "SYSTEM" && f.Headers["topic"] == "disconnect":
			once.Do(func() { close(rotate) })
		case f.Type == "SYSTEM":
			// CONNECTED, REGISTERED, KEEPALIVE: nothing to do.
		case f.Type == "CALLBACK" && f.Headers["topic"] == botTopic:
			go s.robot(ctx, sock, id, f.Data)
		case f.Type == "EVENT":
			ack(sock, id, `{"status":"SUCCESS","message":"ok"}`)
		default:
			ack(sock, id, `{"response":null}`)
		}
	}
}

// robot handles one robot message: acknowledged once its inbound row is
// durable, then handled, and its reply posted to the sessionWebhook. A
// message the pipeline could not record is left unacknowledged, and
// DingTalk sends it again.
func (s *Stream) robot(ctx context.Context, sock *bot.Socket, id, data string) {
	var once sync.Once
	acked := func() { once.Do(func() { ack(sock, id, `{"response":null}`) }) }
	var in callbackBody
	if err := json.Unmarshal([]byte(data), &in); err != nil {
		s.log().Warn("dingtalk stream message unreadable", "error", err)
		acked() // it would be as unreadable the next time
		return
	}
	log := s.log().With("msg_id", in.MsgID)
	if in.MsgID == "" || in.text() == "" {
		acked()
		return
	}
	m := s.Handler.message(s.Robot.Name, in, log)
	m.PostsReply = true
	out, err := s.Handler.proc.Process(inbound.OnRecorded(ctx, acked), m)
	if err != nil {
		log.Warn("dingtalk stream message not processed", "error", err)
		return
	}
	acked()
	if out.Post {
		s.Handler.deliver(ctx, m, out.Reply, log)
		s.Handler.proc.Delivered(ctx, out.ID)
	}
}

// ack answers a pushed frame. A failed write needs nothing: DingTalk sends
// the frame again, and the pipeline answers the copy.
func ack(sock *bot.Socket, id, data string) {
	sock.WriteJSON(streamAck{Code: 200, Headers: map[string]string{"messageId": id, "contentType": "application/json"}, Message: "OK", Data: data})
}

// call posts body as JSON to the OpenAPI path (with the access token when
// given) and decodes the answer into out. The OpenAPI answers errors with
// an HTTP status and {code, message}.
func (s *Stream) call(ctx context.Context, path, token string, body, out any) error {
	return openAPICall(ctx, s.Client, s.Base, path, token, body, out)
}

// errOpenAPI is a refusal by the OpenAPI: status and its code.
type errOpenAPI struct {
	Status  int
	Code    string
	Message string
}

func (e *errOpenAPI) Error() string {
	return fmt.Sprintf("dingtalk openapi: HTTP %d: %s %s", e.Status, e.Code, e.Message)
}

func openAPICall(ctx context.Context, c *http.Client, base, path, token string, body, out any) error {
	if c == nil {
		c = http.DefaultClient
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json") // else the answer may be XML
	if token != "" {
		req.Header.Set("x-acs-dingtalk-access-token", token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &errOpenAPI{Status: resp.StatusCode}
		var a struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &a) == nil {
			e.Code, e.Message = a.Code, a.Message
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return errors.New("dingtalk openapi: unreadable answer")
	}
	return nil
}

func (s *Stream) log() *slog.Logger {
	l := s.Log
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l.With("platform", Name, "robot", s.Robot.Name)
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
