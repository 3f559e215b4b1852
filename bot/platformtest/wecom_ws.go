package platformtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// WeCom errcodes of the long connection (LONGCONN.md §1.11); the
// subscribe refusal is the fake's own (WeCom's is not documented).
const (
	CodeWeComInvalidReqID = 846605
	CodeWeComBadSecret    = 95998 // fake: subscribe with a wrong bot_id or secret
)

// FakeWeComWS is WeCom's AI-bot long connection (LONGCONN.md §1): a
// WebSocket server at URL that takes aibot_subscribe, answers ping, pushes
// aibot_msg_callback frames with a fresh req_id each, takes
// aibot_respond_msg on those req_ids (refusing a req_id of another
// connection with 846605) and aibot_send_msg, and acks every frame. One
// connection per bot: a newer subscription kicks the older with a
// disconnected_event. A message pushed on a connection that ends before
// it is answered is pushed again on the next subscription (WeCom's own
// behaviour is unverified; this makes a loss the bot's, not the fake's).
// Safe for concurrent use.
type FakeWeComWS struct {
	// URL is the ws:// address to configure as wecom.ws_url.
	URL string
	// AckDelay holds each ack back, so that a second frame on a req_id
	// before the first's ack shows (Overlaps).
	AckDelay time.Duration

	srv *httptest.Server
	mu  sync.Mutex
	// bots are the secrets by bot id; subs the subscribed connection of
	// each bot.
	bots    map[string]string
	subs    map[string]*wsPeer
	conns   map[*wsPeer]bool
	pending map[string][]WeComWSMessage // by bot, not yet pushed
	replies []WeComWSReply
	pushes  []WeComWSPush
	updates []WeComCardUpdate
	seq     int

	subscribes  int // successful subscriptions
	kicks       int // subscriptions that kicked a live one off
	stale       int // replies on a req_id not of their connection
	overlaps    int // frames on a req_id whose previous frame was unacked
	redelivered int // messages pushed again after their connection ended
	pings       int
	unsubAt     map[string]time.Time
	gaps        []time.Duration
}

// WeComWSMessage is a message a user sends to the bot.
type WeComWSMessage struct {
	MsgID, ChatID, ChatType, UserID string
	MsgType                         string // text (default) or voice
	Text                            string
}

// WeComWSReply is a reply frame the bot sent on a message's req_id.
type WeComWSReply struct {
	ReqID, MsgID, Content string
	Finish                bool
	Buttons               []WeComCardButton // of a stream_with_template_card
}

// WeComCardButton is a button of a template card.
type WeComCardButton struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// WeComCardUpdate is an aibot_respond_update_msg after a card tap.
type WeComCardUpdate struct {
	ReqID, TaskID, Title, Text string
	UserIDs                    []string
}

// WeComWSPush is an aibot_send_msg frame.
type WeComWSPush struct {
	ChatID, MsgType, Content string
}

type wsPeer struct {
	c      *websocket.Conn
	wmu    sync.Mutex
	bot    string
	reqs   map[string]string // req_id → msgid pushed on this connection
	events map[string]string // req_id → task_id of a card tap pushed on it
	open   map[string]WeComWSMessage
	unack  map[string]bool // req_ids with a frame awaiting its ack
	closed bool
}

// NewWeComWS starts the fake for the test.
func NewWeComWS(tb testing.TB) *FakeWeComWS {
	tb.Helper()
	f := &FakeWeComWS{bots: map[string]string{}, subs: map[string]*wsPeer{}, conns: map[*wsPeer]bool{},
		pending: map[string][]WeComWSMessage{}, unsubAt: map[string]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = "ws" + strings.TrimPrefix(f.srv.URL, "http")
	tb.Cleanup(func() {
		f.mu.Lock()
		for p := range f.conns {
			p.c.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// AddBot lets botID subscribe with secret.
func (f *FakeWeComWS) AddBot(botID, secret string) {
	f.mu.Lock()
	f.bots[botID] = secret
	f.mu.Unlock()
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *FakeWeComWS) serve(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	p := &wsPeer{c: c, reqs: map[string]string{}, events: map[string]string{}, open: map[string]WeComWSMessage{}, unack: map[string]bool{}}
	f.mu.Lock()
	f.conns[p] = true
	f.mu.Unlock()
	defer f.gone(p)
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		var fr struct {
			Cmd     string `json:"cmd"`
			Headers struct {
				ReqID string `json:"req_id"`
			} `json:"headers"`
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal(b, &fr) != nil {
			return // WeCom drops a connection that speaks nonsense
		}
		f.frame(p, fr.Cmd, fr.Headers.ReqID, fr.Body)
	}
}

func (f *FakeWeComWS) frame(p *wsPeer, cmd, reqID string, body json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.closed {
		return
	}
	if cmd != "aibot_subscribe" && p.bot == "" {
		f.ackLocked(p, reqID, 846609, "not subscribed")
		return
	}
	switch cmd {
	case "aibot_subscribe":
		var b struct {
			BotID  string `json:"bot_id"`
			Secret string `json:"secret"`
		}
		json.Unmarshal(body, &b)
		if s, ok := f.bots[b.BotID]; !ok || s != b.Secret {
			f.ackLocked(p, reqID, CodeWeComBadSecret, "invalid bot_id or secret")
			return
		}
		if old := f.subs[b.BotID]; old != nil && old != p {
			f.kicks++
			f.writeLocked(old, map[string]any{"cmd": "aibot_event_callback", "headers": map[string]string{"req_id": f.nextLocked("evt")},
				"body": map[string]any{"msgid": f.nextLocked("evt"), "msgtype": "event", "event": map[string]string{"eventtype": "disconnected_event"}}})
			f.closeLocked(old)
		}
		p.bot = b.BotID
		f.subs[b.BotID] = p
		f.subscribes++
		if at, ok := f.unsubAt[b.BotID]; ok {
			f.gaps = append(f.gaps, time.Since(at))
			delete(f.unsubAt, b.BotID)
		}
		f.ackLocked(p, reqID, 0, "ok")
		f.flushLocked(b.BotID)
	case "ping":
		f.pings++
		f.ackLocked(p, reqID, 0, "ok")
	case "aibot_respond_msg":
		msgID, ok := p.reqs[reqID]
		if !ok {
			f.stale++
			f.ackLocked(p, reqID, CodeWeComInvalidReqID, "invalid req_id")
			return
		}
		var b struct {
			MsgType string `json:"msgtype"`
			Stream  struct {
				Finish  bool   `json:"finish"`
				Content string `json:"content"`
			} `json:"stream"`
			Card struct {
				Buttons []WeComCardButton `json:"button_list"`
			} `json:"template_card"`
		}
		json.Unmarshal(body, &b)
		if b.MsgType != "stream" && b.MsgType != "stream_with_template_card" {
			f.ackLocked(p, reqID, CodeWeComBadType, "invalid message type")
			return
		}
		f.replies = append(f.replies, WeComWSReply{ReqID: reqID, MsgID: msgID, Content: b.Stream.Content, Finish: b.Stream.Finish, Buttons: b.Card.Buttons})
		delete(p.open, reqID)
		f.ackLocked(p, reqID, 0, "ok")
	case "aibot_respond_update_msg":
		task, ok := p.events[reqID]
		var b struct {
			ResponseType string   `json:"response_type"`
			UserIDs      []string `json:"userids"`
			Card         struct {
				TaskID    string `json:"task_id"`
				MainTitle struct {
					Title string `json:"title"`
				} `json:"main_title"`
				SubTitle string `json:"sub_title_text"`
			} `json:"template_card"`
		}
		json.Unmarshal(body, &b)
		if !ok || b.Card.TaskID != task || b.ResponseType != "update_template_card" {
			f.stale++
			f.ackLocked(p, reqID, CodeWeComInvalidReqID, "invalid req_id")
			return
		}
		delete(p.events, reqID)
		f.updates = append(f.updates, WeComCardUpdate{ReqID: reqID, TaskID: task, Title: b.Card.MainTitle.Title, Text: b.Card.SubTitle, UserIDs: b.UserIDs})
		f.ackLocked(p, reqID, 0, "ok")
	case "aibot_send_msg":
		var b struct {
			ChatID   string `json:"chatid"`
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		json.Unmarshal(body, &b)
		if b.MsgType != "markdown" && b.MsgType != "template_card" {
			f.ackLocked(p, reqID, CodeWeComBadType, "invalid message type")
			return
		}
		f.pushes = append(f.pushes, WeComWSPush{ChatID: b.ChatID, MsgType: b.MsgType, Content: b.Markdown.Content})
		f.ackLocked(p, reqID, 0, "ok")
	default:
		f.ackLocked(p, reqID, 40008, "unknown cmd")
	}
}

// ackLocked answers a frame, AckDelay later; a frame on a req_id whose
// previous frame is still unacked counts as an overlap.
func (f *FakeWeComWS) ackLocked(p *wsPeer, reqID string, code int, msg string) {
	if p.unack[reqID] {
		f.overlaps++
	}
	a := map[string]any{"headers": map[string]string{"req_id": reqID}, "errcode": code, "errmsg": msg}
	if f.AckDelay <= 0 {
		f.writeLocked(p, a)
		return
	}
	p.unack[reqID] = true
	time.AfterFunc(f.AckDelay, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(p.unack, reqID)
		f.writeLocked(p, a)
	})
}

func (f *FakeWeComWS) writeLocked(p *wsPeer, v any) {
	if p.closed {
		return
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if p.c.WriteJSON(v) != nil {
		go p.c.Close()
	}
}

func (f *FakeWeComWS) nextLocked(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_%d", prefix, f.seq)
}

// Send has a user send m to the bot: pushed now on its subscribed
// connection, or when one subscribes.
func (f *FakeWeComWS) Send(botID string, m WeComWSMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending[botID] = append(f.pending[botID], m)
	f.flushLocked(botID)
}

func (f *FakeWeComWS) flushLocked(botID string) {
	p := f.subs[botID]
	if p == nil {
		return
	}
	for _, m := range f.pending[botID] {
		reqID := f.nextLocked("req")
		p.reqs[reqID] = m.MsgID
		p.open[reqID] = m
		body := map[string]any{"msgid": m.MsgID, "aibotid": botID, "chattype": "single",
			"from": map[string]string{"userid": m.UserID}, "create_time": time.Now().Unix()}
		if m.ChatID != "" {
			body["chatid"], body["chattype"] = m.ChatID, "group"
		}
		switch m.MsgType {
		case "voice":
			body["msgtype"] = "voice"
			body["voice"] = map[string]string{"content": m.Text}
		default:
			body["msgtype"] = "text"
			body["text"] = map[string]string{"content": m.Text}
		}
		f.writeLocked(p, map[string]any{"cmd": "aibot_msg_callback", "headers": map[string]string{"req_id": reqID}, "body": body})
	}
	f.pending[botID] = nil
}

// gone forgets a connection that ended, and queues what it left
// unanswered for the next subscription.
func (f *FakeWeComWS) gone(p *wsPeer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closeLocked(p)
	delete(f.conns, p)
}

func (f *FakeWeComWS) closeLocked(p *wsPeer) {
	if p.closed {
		return
	}
	p.closed = true
	p.c.Close()
	if p.bot == "" {
		return
	}
	for _, m := range p.open {
		f.redelivered++
		f.pending[p.bot] = append(f.pending[p.bot], m)
	}
	p.open = map[string]WeComWSMessage{}
	if f.subs[p.bot] == p {
		delete(f.subs, p.bot)
		f.unsubAt[p.bot] = time.Now()
	}
}

// Click has a user tap the button with key on the card taskID: a
// template_card_event, pushed once (WeCom does not retry events); false
// when the bot has no subscribed connection.
func (f *FakeWeComWS) Click(botID, msgID, chatID, userID, taskID, key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.subs[botID]
	if p == nil {
		return false
	}
	reqID := f.nextLocked("evt")
	p.events[reqID] = taskID
	body := map[string]any{"msgid": msgID, "aibotid": botID, "chattype": "single", "from": map[string]string{"userid": userID},
		"msgtype": "event", "event": map[string]any{"eventtype": "template_card_event",
			"template_card_event": map[string]any{"card_type": "button_interaction", "event_key": key, "task_id": taskID}}}
	if chatID != "" {
		body["chatid"], body["chattype"] = chatID, "group"
	}
	f.writeLocked(p, map[string]any{"cmd": "aibot_event_callback", "headers": map[string]string{"req_id": reqID}, "body": body})
	return true
}

// Updates are the card updates received, in order.
func (f *FakeWeComWS) Updates() []WeComCardUpdate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]WeComCardUpdate(nil), f.updates...)
}

// Drop closes the bot's subscribed connection abruptly, as a network
// failure would; false when none is subscribed.
func (f *FakeWeComWS) Drop(botID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.subs[botID]
	if p == nil {
		return false
	}
	f.closeLocked(p)
	return true
}

// Kick sends the bot's subscribed connection a disconnected_event and
// closes it, as WeCom does when another instance subscribes.
func (f *FakeWeComWS) Kick(botID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.subs[botID]; p != nil {
		f.writeLocked(p, map[string]any{"cmd": "aibot_event_callback", "headers": map[string]string{"req_id": f.nextLocked("evt")},
			"body": map[string]any{"msgtype": "event", "event": map[string]string{"eventtype": "disconnected_event"}}})
		f.closeLocked(p)
	}
}

// Subscribed reports whether the bot has a subscribed connection.
func (f *FakeWeComWS) Subscribed(botID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subs[botID] != nil
}

// Replies are the reply frames received, in order.
func (f *FakeWeComWS) Replies() []WeComWSReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]WeComWSReply(nil), f.replies...)
}

// Pushes are the aibot_send_msg frames received, in order.
func (f *FakeWeComWS) Pushes() []WeComWSPush {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]WeComWSPush(nil), f.pushes...)
}

// Gaps are the times from a bot's connection ending to the next
// subscription: the failovers and reconnects.
func (f *FakeWeComWS) Gaps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.gaps...)
}

// Counts returns the counters at once (subscribes, kicks, stale,
// overlaps, redelivered).
func (f *FakeWeComWS) Counts() (subscribes, kicks, stale, overlaps, redelivered int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.subscribes, f.kicks, f.stale, f.overlaps, f.redelivered
}
