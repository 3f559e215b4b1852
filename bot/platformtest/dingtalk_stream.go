package platformtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// DingTalk Stream mode (LONGCONN.md §2), on the same fake: the gateway
// (POST /v1.0/gateway/connections/open gives an endpoint and a ticket good
// for one connection for TicketLife), the WebSocket at /connect, robot
// messages pushed as CALLBACK frames to one live connection at random and
// pushed again when their ack is later than RedeliverAfter, SYSTEM ping
// and disconnect, and the OpenAPI's access token and robot group send.

// Stream defaults: DingTalk's documented ticket life and disconnect
// grace; its redelivery delay is reported as 16–60 s.
const (
	DefaultTicketLife      = 90 * time.Second
	DefaultRedeliverAfter  = 20 * time.Second
	DefaultDisconnectGrace = 10 * time.Second
)

const streamBotTopic = "/v1.0/im/bot/messages/get"

// StreamMessage is a message a user sends to a stream robot.
type StreamMessage struct {
	MsgID, ConversationID, StaffID, Text string
}

// StreamAck is the first ack of a robot message.
type StreamAck struct {
	MsgID string
	At    time.Time
}

// streamState is the Stream side of the fake; guarded by its own mutex.
type streamState struct {
	mu sync.Mutex
	// TicketLife, RedeliverAfter and DisconnectGrace: set before use.
	ticketLife, redeliverAfter, disconnectGrace time.Duration

	apps    map[string]string    // client id → secret
	tickets map[string]time.Time // unused ticket → expiry
	tokens  map[string]string    // access token → client id
	conns   map[*streamConn]bool
	queue   []streamMsg          // not yet pushed: no live connection
	unacked map[string]unackedAt // pushed messageId → the message
	acks    map[string]time.Time // msgId → first ack
	pushes  int
	redeliv int
	opened  int
	expired int
	pongs   int
	sends   []Sent            // robot group sends
	msgOf   map[string]string // session code → msgId
}

type streamMsg struct {
	m       StreamMessage
	session string
	expires time.Time
}

type unackedAt struct {
	msg streamMsg
	at  time.Time
}

type streamConn struct {
	c      *websocket.Conn
	wmu    sync.Mutex
	ending bool // told to disconnect: nothing more is pushed to it
	closed bool
}

func (f *FakeDingTalk) registerStream(mux *http.ServeMux) {
	f.st = &streamState{
		ticketLife: DefaultTicketLife, redeliverAfter: DefaultRedeliverAfter, disconnectGrace: DefaultDisconnectGrace,
		apps: map[string]string{}, tickets: map[string]time.Time{}, tokens: map[string]string{},
		conns: map[*streamConn]bool{}, unacked: map[string]unackedAt{}, acks: map[string]time.Time{}, msgOf: map[string]string{},
	}
	mux.HandleFunc("POST /v1.0/gateway/connections/open", f.openConnection)
	mux.HandleFunc("GET /connect", f.connect)
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", f.accessToken)
	mux.HandleFunc("POST /v1.0/robot/groupMessages/send", f.groupSend)
	go f.redeliver()
}

// StreamTiming sets the ticket life, the redelivery delay of an unacked
// message and the grace between a disconnect frame and the close.
func (f *FakeDingTalk) StreamTiming(ticketLife, redeliverAfter, disconnectGrace time.Duration) {
	f.st.mu.Lock()
	f.st.ticketLife, f.st.redeliverAfter, f.st.disconnectGrace = ticketLife, redeliverAfter, disconnectGrace
	f.st.mu.Unlock()
}

// AddApp lets the app with clientID and secret open Stream connections and
// use the OpenAPI.
func (f *FakeDingTalk) AddApp(clientID, secret string) {
	f.st.mu.Lock()
	f.st.apps[clientID] = secret
	f.st.mu.Unlock()
}

func openAPIError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

func (f *FakeDingTalk) openConnection(w http.ResponseWriter, r *http.Request) {
	var b struct {
		ClientID      string `json:"clientId"`
		ClientSecret  string `json:"clientSecret"`
		Subscriptions []struct {
			Type, Topic string
		} `json:"subscriptions"`
	}
	if json.Unmarshal(readBody(r), &b) != nil {
		openAPIError(w, http.StatusBadRequest, "InvalidParameter", "bad body")
		return
	}
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.apps[b.ClientID]; !ok || s != b.ClientSecret {
		openAPIError(w, http.StatusUnauthorized, "InvalidAuthentication", "clientId or clientSecret wrong")
		return
	}
	subscribed := false
	for _, s := range b.Subscriptions {
		subscribed = subscribed || (s.Type == "CALLBACK" && s.Topic == streamBotTopic)
	}
	if !subscribed {
		openAPIError(w, http.StatusBadRequest, "InvalidParameter", "robot topic not subscribed (fake)")
		return
	}
	ticket := randomHex(16)
	st.tickets[ticket] = time.Now().Add(st.ticketLife)
	json.NewEncoder(w).Encode(map[string]string{"endpoint": "ws" + strings.TrimPrefix(f.URL, "http") + "/connect", "ticket": ticket})
}

func (f *FakeDingTalk) connect(w http.ResponseWriter, r *http.Request) {
	st := f.st
	ticket := r.URL.Query().Get("ticket")
	st.mu.Lock()
	exp, ok := st.tickets[ticket]
	delete(st.tickets, ticket) // one connection per ticket
	if ok && time.Now().After(exp) {
		st.expired++
		ok = false
	}
	st.mu.Unlock()
	if !ok {
		http.Error(w, "ticket invalid or expired", http.StatusUnauthorized)
		return
	}
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	sc := &streamConn{c: c}
	st.mu.Lock()
	st.conns[sc] = true
	st.opened++
	f.flushStreamLocked()
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		sc.closed = true
		delete(st.conns, sc)
		st.mu.Unlock()
		c.Close()
	}()
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		var a struct {
			Code    int               `json:"code"`
			Headers map[string]string `json:"headers"`
			Data    string            `json:"data"`
		}
		if json.Unmarshal(b, &a) != nil {
			return
		}
		id := a.Headers["messageId"]
		st.mu.Lock()
		if strings.HasPrefix(id, "ping_") {
			if strings.Contains(a.Data, id) { // the opaque echoed
				st.pongs++
			}
		} else if u, ok := st.unacked[id]; ok && a.Code == 200 {
			delete(st.unacked, id)
			if _, seen := st.acks[u.msg.m.MsgID]; !seen {
				st.acks[u.msg.m.MsgID] = time.Now()
			}
		}
		st.mu.Unlock()
	}
}

func (sc *streamConn) write(v any) {
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	sc.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if sc.c.WriteJSON(v) != nil {
		go sc.c.Close()
	}
}

// SendStream has a user send m to the robot: pushed to a live connection
// at random, or to the next one to open. Each message gets its own
// sessionWebhook on this fake.
func (f *FakeDingTalk) SendStream(m StreamMessage) {
	exp := time.Now().Add(90 * time.Minute)
	sm := streamMsg{m: m, session: f.NewSession(exp), expires: exp}
	f.st.mu.Lock()
	f.st.msgOf[sessionCode(sm.session)] = m.MsgID
	f.st.queue = append(f.st.queue, sm)
	f.flushStreamLocked()
	f.st.mu.Unlock()
}

func (f *FakeDingTalk) flushStreamLocked() {
	st := f.st
	var live []*streamConn
	for c := range st.conns {
		if !c.ending && !c.closed {
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		return
	}
	for _, sm := range st.queue {
		f.pushLocked(live[rand.IntN(len(live))], sm)
	}
	st.queue = nil
}

func (f *FakeDingTalk) pushLocked(c *streamConn, sm streamMsg) {
	st := f.st
	st.pushes++
	id := fmt.Sprintf("%s_%d", randomHex(4), st.pushes)
	st.unacked[id] = unackedAt{msg: sm, at: time.Now()}
	data := DingTalkCallback{
		MsgType: "text", Text: Content{Content: sm.m.Text}, MsgID: sm.m.MsgID, CreateAt: time.Now().UnixMilli(),
		ConversationType: "1", ConversationID: sm.m.ConversationID, SenderStaffID: sm.m.StaffID,
		SessionWebhook: sm.session, SessionWebhookExpiredTime: sm.expires.UnixMilli(),
	}
	if sm.m.ConversationID != "" {
		data.ConversationType = "2"
	}
	raw, _ := json.Marshal(data)
	c.write(map[string]any{"specVersion": "1.0", "type": "CALLBACK",
		"headers": map[string]string{"topic": streamBotTopic, "messageId": id, "contentType": "application/json", "time": fmt.Sprint(time.Now().UnixMilli())},
		"data":    string(raw)})
}

// redeliver pushes again what was not acked in time, as DingTalk does.
func (f *FakeDingTalk) redeliver() {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		st := f.st
		select {
		case <-f.done:
			// The test ends: close the sockets, or the server's Close
			// waits for their handlers for ever.
			st.mu.Lock()
			for c := range st.conns {
				c.c.Close()
			}
			st.mu.Unlock()
			return
		case <-t.C:
		}
		st.mu.Lock()
		for id, u := range st.unacked {
			if time.Since(u.at) >= st.redeliverAfter {
				delete(st.unacked, id)
				st.redeliv++
				st.queue = append(st.queue, u.msg)
			}
		}
		f.flushStreamLocked()
		st.mu.Unlock()
	}
}

// PingStream sends a SYSTEM ping to every connection; the pongs (acks
// echoing the opaque) are counted in StreamCounts.
func (f *FakeDingTalk) PingStream() {
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for c := range st.conns {
		id := "ping_" + randomHex(6)
		data, _ := json.Marshal(map[string]string{"opaque": id})
		c.write(map[string]any{"specVersion": "1.0", "type": "SYSTEM", "headers": map[string]string{"topic": "ping", "messageId": id}, "data": string(data)})
	}
}

// DisconnectStream announces the end of every live connection with a
// SYSTEM disconnect, pushes nothing more to them, and closes them after
// the grace.
func (f *FakeDingTalk) DisconnectStream() {
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for c := range st.conns {
		if c.ending {
			continue
		}
		c.ending = true
		c.write(map[string]any{"specVersion": "1.0", "type": "SYSTEM",
			"headers": map[string]string{"topic": "disconnect", "messageId": randomHex(6)}, "data": `{"reason":"connection is expired"}`})
		time.AfterFunc(st.disconnectGrace, func() { c.c.Close() })
	}
}

// DropStream closes every connection abruptly.
func (f *FakeDingTalk) DropStream() {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	for c := range f.st.conns {
		c.c.Close()
	}
}

// StreamConnections is how many connections are open.
func (f *FakeDingTalk) StreamConnections() int {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return len(f.st.conns)
}

// StreamAcked is when the message was first acked (zero: never).
func (f *FakeDingTalk) StreamAcked(msgID string) time.Time {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return f.st.acks[msgID]
}

// StreamCounts returns the frames pushed (redeliveries included), the
// redeliveries, the connections opened, the expired tickets refused and
// the pongs.
func (f *FakeDingTalk) StreamCounts() (pushes, redelivered, opened, expiredTickets, pongs int) {
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.pushes, st.redeliv, st.opened, st.expired, st.pongs
}

// SessionMsg is the msgId of the message sent with SendStream whose
// sessionWebhook has the code (Sent.Robot of a reply): "" if none. Tests
// check with it that a reply went to its own message's session.
func (f *FakeDingTalk) SessionMsg(code string) string {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return f.st.msgOf[code]
}

func sessionCode(sessionWebhook string) string {
	_, after, _ := strings.Cut(sessionWebhook, "session=")
	return after
}

func (f *FakeDingTalk) accessToken(w http.ResponseWriter, r *http.Request) {
	var b struct {
		AppKey    string `json:"appKey"`
		AppSecret string `json:"appSecret"`
	}
	json.Unmarshal(readBody(r), &b)
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.apps[b.AppKey]; !ok || s != b.AppSecret {
		openAPIError(w, http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或clientSecret")
		return
	}
	tok := randomHex(16)
	st.tokens[tok] = b.AppKey
	json.NewEncoder(w).Encode(map[string]any{"accessToken": tok, "expireIn": 7200})
}

func (f *FakeDingTalk) groupSend(w http.ResponseWriter, r *http.Request) {
	var b struct {
		MsgKey             string `json:"msgKey"`
		MsgParam           string `json:"msgParam"`
		OpenConversationID string `json:"openConversationId"`
		RobotCode          string `json:"robotCode"`
	}
	json.Unmarshal(readBody(r), &b)
	st := f.st
	st.mu.Lock()
	defer st.mu.Unlock()
	app, ok := st.tokens[r.Header.Get("x-acs-dingtalk-access-token")]
	if !ok {
		openAPIError(w, http.StatusUnauthorized, "InvalidAuthentication", "不合法的access_token")
		return
	}
	if b.RobotCode != app || b.OpenConversationID == "" {
		openAPIError(w, http.StatusBadRequest, "invalidParameter.robotCode", "robotCode or openConversationId wrong")
		return
	}
	var p map[string]string
	if json.Unmarshal([]byte(b.MsgParam), &p) != nil {
		openAPIError(w, http.StatusBadRequest, "invalidParameter.msgParam", "msgParam is not a JSON string")
		return
	}
	m := Sent{Kind: "openapi", Robot: b.RobotCode, ChatID: b.OpenConversationID, MsgType: b.MsgKey, At: time.Now()}
	switch b.MsgKey {
	case "sampleText":
		m.Content = p["content"]
	case "sampleMarkdown":
		m.Content, m.Title = p["text"], p["title"]
	default:
		m.Content = b.MsgParam
	}
	st.sends = append(st.sends, m)
	json.NewEncoder(w).Encode(map[string]string{"processQueryKey": randomHex(8)})
}

// GroupSends are the robot OpenAPI group sends received.
func (f *FakeDingTalk) GroupSends() []Sent {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	return append([]Sent(nil), f.st.sends...)
}
