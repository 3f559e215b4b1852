package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"jinqiu"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jinqiu/bot"
	"jinqiu/inbound"
)

// The AI bot's long connection (智能机器人长连接, LONGCONN.md §1): we dial
// WeCom, subscribe with the bot's BotID and Secret, and get messages as
// frames; replies go up the same socket on the message's req_id. WeCom
// keeps one connection per bot and the newest subscription kicks the
// older, so replicas take turns through a lease in the database.

// ModeAIBotWS is an AI bot served over the long connection.
const ModeAIBotWS = "aibot_ws"

// DefaultWSURL is WeCom's long-connection endpoint; a privately deployed
// WeCom shows its own in the admin console.
const DefaultWSURL = "wss://openws.work.weixin.qq.com"

// Defaults of the long connection's timing (LONGCONN.md §1.3, §1.5).
const (
	DefaultHeartbeat = 30 * time.Second
	// DefaultLeaseTTL is how long a holder that died keeps the bot from
	// its standbys: they take over within it and a second.
	DefaultLeaseTTL   = 6 * time.Second
	DefaultMinBackoff = time.Second
	defaultAckTimeout = 5 * time.Second
	// standDown is how long a replica kicked off a connection it held the
	// lease of keeps every replica of this database off it: another
	// instance (a copy of the deployment elsewhere) has the bot, and
	// taking it back would start a kicking match.
	standDown = time.Hour
	// maxProcessTries bounds how often a message is offered to a busy
	// pipeline: there is no platform retry over the socket.
	maxProcessTries = 8
	// maxCardButtons is WeCom's limit of a button_interaction card.
	maxCardButtons = 6
)

// Errcodes of long-connection acks.
const (
	codeInvalidReqID = 846605
	codeStreamExpiry = 846608
)

var (
	errKicked    = errors.New("wecom: a newer subscription took the bot (disconnected_event)")
	errLeaseLost = errors.New("wecom: the connection lease went to another replica")
	errNoAck     = errors.New("wecom: no ack within the timeout")
	errClosed    = errors.New("wecom: connection closed")
)

// WS serves one AI bot over the long connection. Run it on every replica:
// the one holding the lease connects, the others stand by. Set the fields
// before Run.
type WS struct {
	URL    string
	Robot  Robot
	Proc   inbound.Processor
	Leases bot.Leases
	Holder string // this replica's name in the lease
	Log    *slog.Logger
	Now    func() time.Time
	// OnUndelivered receives a reply the socket could not carry (the
	// connection dropped, or it is too long); it goes out through the
	// outbox to Message.Late.
	OnUndelivered func(ctx context.Context, m jinqiu.Message, r jinqiu.Reply)

	Heartbeat  time.Duration // between pings (30 s when zero)
	LeaseTTL   time.Duration // 6 s when zero; renewed every third of it
	MinBackoff time.Duration // first reconnect wait (1 s when zero); capped at 30 s
	AckTimeout time.Duration // 5 s when zero

	mu  sync.Mutex
	cur *wsConn // the subscribed connection, nil when none
}

// wsConn is one subscribed socket and the acks awaited on it.
type wsConn struct {
	s       *bot.Socket
	mu      sync.Mutex
	waiting map[string]chan inFrame
	slots   map[string]*slot
}

// slot lets one frame per req_id be in flight: acks carry only the
// req_id, so two frames on one could not be told apart.
type slot struct {
	ch chan struct{}
	n  int
}

// inFrame is any frame WeCom sends: a callback (cmd set) or an ack.
type inFrame struct {
	Cmd     string `json:"cmd"`
	Headers struct {
		ReqID string `json:"req_id"`
	} `json:"headers"`
	Body    json.RawMessage `json:"body"`
	ErrCode int             `json:"errcode"`
	ErrMsg  string          `json:"errmsg"`
}

type outFrame struct {
	Cmd     string `json:"cmd"`
	Headers struct {
		ReqID string `json:"req_id"`
	} `json:"headers"`
	Body any `json:"body,omitempty"`
}

// LeaseName is the lease of the bot's connection: by BotID, so that two
// names for one bot still share it.
func (w *WS) LeaseName() string { return "wecom:aibot:" + w.Robot.BotID }

// Run serves the bot until ctx ends: stand by while another replica holds
// the lease, connect and serve while this one does, reconnect after a
// drop. A kick by a newer subscription while this replica holds the lease
// (a second deployment) stops it for good. Run never releases the lease
// when ctx ends, unless its cause is bot.ErrStopping (the service stops
// in good order): a killed process cannot, and the standbys must cope
// with that anyway.
func (w *WS) Run(ctx context.Context) {
	log := w.log()
	defer func() {
		if errors.Is(context.Cause(ctx), bot.ErrStopping) {
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err := w.Leases.ReleaseLease(rctx, w.LeaseName(), w.Holder); err != nil {
				log.Warn("wecom connection lease not released; a standby waits for it to lapse", "error", err)
			}
		}
	}()
	fails := 0
	for ctx.Err() == nil {
		held, err := w.Leases.HoldLease(ctx, w.LeaseName(), w.Holder, w.ttl())
		if err != nil && ctx.Err() == nil {
			log.Warn("wecom connection lease not checked", "error", err)
		}
		if !held {
			sleep(ctx, w.ttl()/6)
			continue
		}
		subscribed, err := w.session(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errKicked):
			if held, _ := w.Leases.HoldLease(context.WithoutCancel(ctx), w.LeaseName(), w.Holder, standDown); held {
				log.Error("wecom bot kicked off by a subscription outside this deployment; standing down for an hour, check for a duplicate instance", "stand_down", standDown)
				return
			}
			log.Warn("wecom bot kicked off: another replica holds it now")
			fails = 0
			continue
		case errors.Is(err, errLeaseLost):
			log.Warn("wecom connection lease lost; standing by")
			fails = 0
			continue
		}
		if subscribed {
			fails = 0
		}
		wait := bot.Backoff(fails, orDefault(w.MinBackoff, DefaultMinBackoff))
		fails++
		log.Warn("wecom long connection ended; reconnecting", "error", err, "wait", wait.String())
		sleep(ctx, wait)
	}
}

// session connects, subscribes and serves until the socket ends, the lease
// is lost, the bot is kicked off or ctx ends. subscribed reports whether
// WeCom accepted the subscription.
func (w *WS) session(ctx context.Context) (subscribed bool, err error) {
	log := w.log()
	s, err := bot.DialSocket(ctx, w.URL)
	if err != nil {
		return false, fmt.Errorf("dial: %w", err)
	}
	defer s.Close()
	c := &wsConn{s: s, waiting: map[string]chan inFrame{}, slots: map[string]*slot{}}
	ended := make(chan error, 1)
	go func() { ended <- w.read(ctx, c) }()

	ack, err := c.request(ctx, w.ackTimeout(), "aibot_subscribe", newReqID("aibot_subscribe"),
		map[string]string{"bot_id": w.Robot.BotID, "secret": w.Robot.Secret})
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	if ack.ErrCode != 0 {
		return false, fmt.Errorf("subscribe refused: errcode %d: %s (check bot_id and secret)", ack.ErrCode, ack.ErrMsg)
	}
	w.setCurrent(c)
	defer w.setCurrent(nil)
	log.Info("wecom long connection subscribed")

	hb := time.NewTicker(w.heartbeat())
	defer hb.Stop()
	renew := time.NewTicker(w.ttl() / 3)
	defer renew.Stop()
	lastHeld := time.Now()
	var missed atomic.Int32
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case err := <-ended:
			return true, err
		case <-hb.C:
			go func() {
				ack, err := c.request(ctx, w.ackTimeout(), "ping", newReqID("ping"), nil)
				if err == nil && ack.ErrCode == 0 {
					missed.Store(0)
				} else if missed.Add(1) >= 2 {
					// Two unanswered pings: the socket is dead even if
					// TCP has not noticed.
					s.Close()
				}
			}()
		case <-renew.C:
			held, err := w.Leases.HoldLease(ctx, w.LeaseName(), w.Holder, w.ttl())
			switch {
			case err == nil && !held:
				return true, errLeaseLost
			case err == nil:
				lastHeld = time.Now()
			case time.Since(lastHeld) > w.ttl()*5/6:
				// The lease may lapse before the database answers
				// again: step aside before a standby kicks us.
				return true, errLeaseLost
			default:
				log.Warn("wecom connection lease not renewed", "error", err)
			}
		}
	}
}

// read dispatches the socket's frames until it ends.
func (w *WS) read(ctx context.Context, c *wsConn) error {
	defer c.s.Close()
	// WeCom answers our pings, so a socket silent for two and a half
	// heartbeats is dead.
	idle := w.heartbeat()*2 + w.heartbeat()/2
	for {
		b, err := c.s.Read(idle)
		if err != nil {
			return err
		}
		var f inFrame
		if err := json.Unmarshal(b, &f); err != nil {
			w.log().Warn("wecom frame unreadable", "error", err)
			continue
		}
		switch f.Cmd {
		case "":
			c.acked(f)
		case "aibot_msg_callback":
			go w.message(ctx, c, f)
		case "aibot_event_callback":
			var in aibotMessage
			json.Unmarshal(f.Body, &in)
			switch in.Event.EventType {
			case "disconnected_event":
				return errKicked
			case "template_card_event":
				go w.click(ctx, c, f, in)
			default:
				w.log().Debug("wecom event ignored", "event_type", in.Event.EventType)
			}
		default:
			w.log().Debug("wecom frame ignored", "cmd", f.Cmd)
		}
	}
}

// message handles one message frame through the pipeline and replies on
// its req_id.
func (w *WS) message(ctx context.Context, c *wsConn, f inFrame) {
	var in aibotMessage
	if err := json.Unmarshal(f.Body, &in); err != nil {
		w.log().Warn("wecom message frame unreadable", "error", err)
		return
	}
	m, ok := messageOf(in, w.Robot.Name, w.now())
	if !ok {
		return
	}
	log := w.log().With("msg_id", m.MsgID)
	to := in.ChatID
	if to == "" {
		to = in.From.UserID
	}
	m.Late = jinqiu.Target{Platform: Name, Robot: w.Robot.Name, Kind: jinqiu.KindPush, ChatID: to}
	var out inbound.Outcome
	var err error
	for try := 0; try < maxProcessTries; try++ {
		if out, err = w.Proc.Process(ctx, m); err == nil || ctx.Err() != nil {
			break
		}
		// Nobody sends it again over the socket: wait and offer it again.
		sleep(ctx, bot.Backoff(try, 200*time.Millisecond))
	}
	if err != nil {
		log.Error("wecom message not processed", "error", err)
		return
	}
	if out.Reply.Empty() {
		return
	}
	content := out.Reply.Markdown
	if content == "" {
		content = out.Reply.Text
	}
	parts := bot.SplitLines(content, MaxResponseURLBytes)
	if len(parts) == 0 {
		return
	}
	var sr streamReply
	sr.MsgType = "stream"
	sr.Stream.ID = newID()
	sr.Stream.Finish = true
	sr.Stream.Content = parts[0]
	var body any = sr
	if len(out.Reply.Buttons) > 0 {
		// The text and its buttons in one frame.
		body = map[string]any{"msgtype": "stream_with_template_card", "stream": sr.Stream, "template_card": buttonCard(out.Reply)}
	}
	ack, err := c.request(ctx, w.ackTimeout(), "aibot_respond_msg", f.Headers.ReqID, body)
	if err == nil && ack.ErrCode != 0 {
		err = fmt.Errorf("errcode %d: %s", ack.ErrCode, ack.ErrMsg)
	}
	if err != nil {
		log.Warn("wecom reply on the long connection failed; pushing it instead", "error", err)
		w.undelivered(ctx, m, out.Reply)
		return
	}
	if len(parts) > 1 {
		rest := strings.Join(parts[1:], "\n")
		w.undelivered(ctx, m, jinqiu.Reply{Markdown: rest, Text: rest, Title: out.Reply.Title})
	}
}

// click handles a tap on a card button: the button's key is the command
// it stands for, handled as if typed (the same pipeline, rules and
// exactly-once path, the event's msgid the dedup key), and the card is
// updated for the one who tapped with the reply. An event's req_id takes
// no aibot_respond_msg (846605), only the card update within 5 s.
func (w *WS) click(ctx context.Context, c *wsConn, f inFrame, in aibotMessage) {
	ev := in.Event.TemplateCardEvent
	key, task := ev.EventKey, ev.TaskID
	if key == "" { // the older SDK's shape: directly under event
		key, task = in.Event.EventKey, in.Event.TaskID
	}
	if key == "" || in.MsgID == "" {
		w.log().Debug("wecom card event without a key ignored")
		return
	}
	in.MsgType, in.Text.Content = "text", key
	m, ok := messageOf(in, w.Robot.Name, w.now())
	if !ok {
		return
	}
	to := in.ChatID
	if to == "" {
		to = in.From.UserID
	}
	m.Late = jinqiu.Target{Platform: Name, Robot: w.Robot.Name, Kind: jinqiu.KindPush, ChatID: to}
	out, err := w.Proc.Process(ctx, m)
	if err != nil || out.Reply.Empty() {
		if err != nil {
			w.log().Warn("wecom card tap not processed", "msg_id", m.MsgID, "error", err)
		}
		return
	}
	card := buttonCard(out.Reply)
	card["card_type"], card["task_id"] = "text_notice", task
	delete(card, "button_list")
	body := map[string]any{"response_type": "update_template_card", "userids": []string{in.From.UserID}, "template_card": card}
	ack, err := c.request(ctx, w.ackTimeout(), "aibot_respond_update_msg", f.Headers.ReqID, body)
	if err == nil && ack.ErrCode != 0 {
		err = fmt.Errorf("errcode %d: %s", ack.ErrCode, ack.ErrMsg)
	}
	if err != nil {
		w.log().Warn("wecom card not updated; pushing the reply instead", "msg_id", m.MsgID, "error", err)
		w.undelivered(ctx, m, out.Reply)
	}
}

// buttonCard is a button_interaction template card of a reply: its first
// line the title, the rest below, a button per Button whose key is the
// command it sends.
func buttonCard(r jinqiu.Reply) map[string]any {
	content := r.Text
	if content == "" {
		content = r.Markdown
	}
	title, rest, _ := strings.Cut(strings.TrimSpace(content), "\n")
	if r.Title != "" {
		title, rest = r.Title, content
	}
	var buttons []map[string]any
	for i, b := range r.Buttons {
		if i == maxCardButtons {
			break
		}
		buttons = append(buttons, map[string]any{"text": b.Text, "style": 1, "key": b.Command})
	}
	return map[string]any{
		"card_type":      "button_interaction",
		"main_title":     map[string]string{"title": title},
		"sub_title_text": rest,
		"task_id":        "jq" + newID(),
		"button_list":    buttons,
	}
}

func (w *WS) undelivered(ctx context.Context, m jinqiu.Message, r jinqiu.Reply) {
	if w.OnUndelivered == nil {
		w.log().Warn("wecom reply undelivered and no fallback configured", "msg_id", m.MsgID)
		return
	}
	w.OnUndelivered(context.WithoutCancel(ctx), m, r)
}

// Push sends markdown to a chat (a group's chatid, or a userid for a single
// chat) with aibot_send_msg, which needs no message to answer. Only the
// replica holding the connection can: elsewhere it is Throttled for a
// second, which the outbox retries without counting an attempt, so that
// the row waits for the holder's dispatcher (or a reconnect) however
// often a standby picks it up.
func (w *WS) Push(ctx context.Context, chatID string, r jinqiu.Reply) error {
	c := w.current()
	if c == nil {
		return &jinqiu.SendError{Class: jinqiu.Throttled, RetryAfter: time.Second, Message: "this replica does not hold the bot's long connection"}
	}
	content := r.Markdown
	if content == "" {
		content = r.Text
	}
	parts := bot.SplitLines(inlineMentions(bot.Mentionable(r.Mentions))+content, MaxMarkdownBytes)
	for i, p := range parts {
		body := map[string]any{"chatid": chatID, "msgtype": "markdown", "markdown": md{Content: p}}
		if len(r.Buttons) > 0 && len(parts) == 1 {
			body = map[string]any{"chatid": chatID, "msgtype": "template_card", "template_card": buttonCard(r)}
		}
		ack, err := c.request(ctx, w.ackTimeout(), "aibot_send_msg", newReqID("aibot_send_msg"), body)
		switch {
		case errors.Is(err, errNoAck):
			return jinqiu.PartError(&jinqiu.SendError{Class: jinqiu.Ambiguous, Message: err.Error()}, i, len(parts))
		case err != nil:
			return jinqiu.PartError(&jinqiu.SendError{Class: jinqiu.Transient, Message: err.Error()}, i, len(parts))
		case ack.ErrCode == codeFreqLimit:
			return jinqiu.PartError(&jinqiu.SendError{Class: jinqiu.Throttled, Code: ack.ErrCode, Message: ack.ErrMsg, RetryAfter: throttlePause}, i, len(parts))
		case ack.ErrCode == codeBusy:
			return jinqiu.PartError(&jinqiu.SendError{Class: jinqiu.Transient, Code: ack.ErrCode, Message: ack.ErrMsg}, i, len(parts))
		case ack.ErrCode != 0:
			w.log().Warn("wecom refused a push", "errcode", ack.ErrCode, "errmsg", ack.ErrMsg)
			return jinqiu.PartError(&jinqiu.SendError{Class: jinqiu.Permanent, Code: ack.ErrCode, Message: ack.ErrMsg}, i, len(parts))
		}
	}
	return nil
}

// Subscribed reports whether this replica holds the bot's connection now.
func (w *WS) Subscribed() bool { return w.current() != nil }

// request writes one frame on reqID and waits for its ack, one frame in
// flight per req_id.
func (c *wsConn) request(ctx context.Context, timeout time.Duration, cmd, reqID string, body any) (inFrame, error) {
	sl := c.acquire(reqID)
	defer c.release(reqID, sl)
	select {
	case sl.ch <- struct{}{}:
		defer func() { <-sl.ch }()
	case <-ctx.Done():
		return inFrame{}, ctx.Err()
	case <-c.s.Done():
		return inFrame{}, errClosed
	}
	wait := make(chan inFrame, 1)
	c.mu.Lock()
	c.waiting[reqID] = wait
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, reqID)
		c.mu.Unlock()
	}()
	f := outFrame{Cmd: cmd, Body: body}
	f.Headers.ReqID = reqID
	if err := c.s.WriteJSON(f); err != nil {
		c.s.Close()
		return inFrame{}, fmt.Errorf("%w: %v", errClosed, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-wait:
		return a, nil
	case <-t.C:
		return inFrame{}, errNoAck
	case <-c.s.Done():
		return inFrame{}, errNoAck // written: it may have gone through
	case <-ctx.Done():
		return inFrame{}, ctx.Err()
	}
}

func (c *wsConn) acquire(reqID string) *slot {
	c.mu.Lock()
	defer c.mu.Unlock()
	sl := c.slots[reqID]
	if sl == nil {
		sl = &slot{ch: make(chan struct{}, 1)}
		c.slots[reqID] = sl
	}
	sl.n++
	return sl
}

func (c *wsConn) release(reqID string, sl *slot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sl.n--; sl.n == 0 {
		delete(c.slots, reqID)
	}
}

func (c *wsConn) acked(f inFrame) {
	c.mu.Lock()
	wait := c.waiting[f.Headers.ReqID]
	delete(c.waiting, f.Headers.ReqID)
	c.mu.Unlock()
	if wait != nil {
		wait <- f
	}
}

func (w *WS) setCurrent(c *wsConn) {
	w.mu.Lock()
	w.cur = c
	w.mu.Unlock()
}

func (w *WS) current() *wsConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur
}

func (w *WS) log() *slog.Logger {
	l := w.Log
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l.With("platform", Name, "robot", w.Robot.Name)
}

func (w *WS) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *WS) ttl() time.Duration        { return orDefault(w.LeaseTTL, DefaultLeaseTTL) }
func (w *WS) heartbeat() time.Duration  { return orDefault(w.Heartbeat, DefaultHeartbeat) }
func (w *WS) ackTimeout() time.Duration { return orDefault(w.AckTimeout, defaultAckTimeout) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// newReqID is a frame's req_id, as the official SDK makes them.
func newReqID(cmd string) string {
	return fmt.Sprintf("%s_%d_%s", cmd, time.Now().UnixMilli(), newID()[:8])
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
