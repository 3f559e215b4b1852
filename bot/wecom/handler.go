// Package wecom speaks WeCom (企业微信): the encrypted callbacks of AI bots
// (JSON) and group robots (XML), their passive replies, and the group
// robot webhook and AI-bot response_url senders. PLATFORMS.md §1–§3 has
// the wire facts and their sources.
package wecom

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"jinqiu"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"jinqiu/bot"
	"jinqiu/inbound"
)

// Robot modes, as configured.
const (
	ModeAIBot      = "aibot"
	ModeGroupRobot = "group_robot"
)

// Byte limits of WeCom message content (PLATFORMS.md §1, §2b).
const (
	MaxTextBytes        = 2048
	MaxMarkdownBytes    = 4096
	MaxResponseURLBytes = 20480 // AI-bot stream and response_url markdown
)

// MaxBody bounds a callback body. WeCom callbacks are a few KiB; anything
// bigger is not from WeCom.
const MaxBody = 64 << 10

const (
	// defaultMaxSkew bounds how old a callback's timestamp may be. WeCom
	// documents no window; five minutes (Stripe's default) stops replays
	// of captured callbacks without tripping over WeCom's 5 s retries.
	defaultMaxSkew = 5 * time.Minute
	// responseURLLife is how long an AI bot's response_url works.
	responseURLLife = time.Hour
	// streamLife is how long WeCom may poll a stream: 6 minutes after the
	// user's message.
	streamLife  = 6 * time.Minute
	streamCache = 1024
)

// Handler answers the callbacks of the configured WeCom robots. It
// verifies and decrypts each one, hands the message to the Processor and
// writes the passive reply. Nothing that failed verification reaches the
// Processor. Safe for concurrent use once its fields are set.
type Handler struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MaxSkew bounds |now - timestamp| of a callback (5 minutes when zero,
	// no check when negative).
	MaxSkew time.Duration
	// OnUndelivered, if set, receives the part of a reply that a passive
	// answer could not carry because of WeCom's size limits; the lead
	// wires it to the outbox, which sends it to m.Late. Without it the
	// rest is dropped and a warning is logged.
	OnUndelivered func(ctx context.Context, m jinqiu.Message, r jinqiu.Reply)

	robots map[string]*robot
	proc   inbound.Processor
	log    *slog.Logger
	door   *bot.Door

	mu      sync.Mutex
	streams map[string]finishedStream
}

type robot struct {
	name   string
	mode   string
	crypto *Crypto
}

type finishedStream struct {
	content string
	expires time.Time
}

// NewHandler builds the handler for robots. A robot whose token or
// EncodingAESKey is unusable, or whose mode is unknown, is left out with an
// error in the log, and its URL answers 404: config validation should have
// caught it (NewCrypto tells). An empty mode means aibot, the public path.
func NewHandler(robots []Robot, p inbound.Processor, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{
		robots:  make(map[string]*robot, len(robots)),
		proc:    p,
		log:     log.With("platform", Name),
		streams: make(map[string]finishedStream),
		door:    &bot.Door{Platform: Name, Log: log},
	}
	for _, rc := range robots {
		mode := rc.Mode
		if mode == "" {
			mode = ModeAIBot
		}
		if mode == ModeAIBotWS {
			continue // served over the long connection (WS), not by callbacks
		}
		if mode != ModeAIBot && mode != ModeGroupRobot {
			h.log.Error("wecom robot disabled: unknown mode", "robot", rc.Name, "mode", rc.Mode)
			continue
		}
		c, err := NewCrypto(rc.Token, rc.EncodingAESKey, "")
		if err != nil {
			h.log.Error("wecom robot disabled: bad callback credentials", "robot", rc.Name, "error", err)
			continue
		}
		if _, dup := h.robots[rc.Name]; dup {
			h.log.Error("wecom robot configured twice; the last one wins", "robot", rc.Name)
		}
		h.robots[rc.Name] = &robot{name: rc.Name, mode: mode, crypto: c}
	}
	return h
}

// Register adds GET and POST /wecom/{robot} to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /wecom/{robot}", h.verifyURL)
	mux.HandleFunc("POST /wecom/{robot}", h.callback)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// fresh reports whether a callback timestamp (Unix seconds) is within the
// allowed skew of now.
func (h *Handler) fresh(ts string) bool {
	skew := h.MaxSkew
	if skew < 0 {
		return true
	}
	if skew == 0 {
		skew = defaultMaxSkew
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := h.now().Sub(time.Unix(sec, 0))
	return d <= skew && d >= -skew
}

// query holds the signed query parameters. r.URL.Query() decodes them
// exactly once, which is what the signature is over: decoding again would
// turn the '+' of base64 into a space.
type query struct{ sig, ts, nonce string }

func signedQuery(r *http.Request) (query, bool) {
	v := r.URL.Query()
	q := query{v.Get("msg_signature"), v.Get("timestamp"), v.Get("nonce")}
	return q, q.sig != "" && q.ts != "" && q.nonce != ""
}

// open verifies and decrypts encrypt, writing the error answer itself when
// it fails.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, rb *robot, q query, encrypt string) ([]byte, bool) {
	plain, err := rb.crypto.Open(q.sig, q.ts, q.nonce, encrypt)
	switch {
	case errors.Is(err, ErrSignature):
		h.door.Refuse(w, r, http.StatusUnauthorized, "signature", "bad signature")
		return nil, false
	case errors.Is(err, ErrReceiveID):
		h.door.Refuse(w, r, http.StatusUnauthorized, "receiveid", "bad receiveid")
		return nil, false
	case err != nil:
		h.door.Refuse(w, r, http.StatusBadRequest, "ciphertext", "bad ciphertext")
		return nil, false
	}
	if !h.fresh(q.ts) {
		h.door.Refuse(w, r, http.StatusUnauthorized, "stale", "stale timestamp")
		return nil, false
	}
	return plain, true
}

func (h *Handler) robot(w http.ResponseWriter, r *http.Request) *robot {
	rb := h.robots[r.PathValue("robot")]
	if rb == nil {
		h.door.Refuse(w, r, http.StatusNotFound, "unknown_robot", "404 page not found")
	}
	return rb
}

// verifyURL answers WeCom's URL check: the decrypted echostr, bare, within
// WeCom's 1 s.
func (h *Handler) verifyURL(w http.ResponseWriter, r *http.Request) {
	rb := h.robot(w, r)
	if rb == nil {
		return
	}
	log := h.log.With("robot", rb.name)
	q, ok := signedQuery(r)
	echo := r.URL.Query().Get("echostr")
	if !ok || echo == "" {
		h.door.Refuse(w, r, http.StatusBadRequest, "parameters", "missing parameters")
		return
	}
	plain, ok := h.open(w, r, rb, q, echo)
	if !ok {
		return
	}
	log.Info("wecom url verified")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(plain)
}

// callback handles a message or event.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	rb := h.robot(w, r)
	if rb == nil {
		return
	}
	log := h.log.With("robot", rb.name)
	q, ok := signedQuery(r)
	if !ok {
		h.door.Refuse(w, r, http.StatusBadRequest, "parameters", "missing parameters")
		return
	}
	body, ok := h.door.Read(w, r, MaxBody)
	if !ok {
		return
	}
	encrypt, err := encryptedFrom(body, rb.mode == ModeGroupRobot)
	if err != nil {
		h.door.Refuse(w, r, http.StatusBadRequest, "envelope", "bad envelope")
		return
	}
	plain, ok := h.open(w, r, rb, q, encrypt)
	if !ok {
		return
	}
	if rb.mode == ModeGroupRobot {
		h.groupRobot(w, r, rb, q, plain, log)
	} else {
		h.aibot(w, r, rb, q, plain, log)
	}
}

func (h *Handler) aibot(w http.ResponseWriter, r *http.Request, rb *robot, q query, plain []byte, log *slog.Logger) {
	var in aibotMessage
	if err := json.Unmarshal(plain, &in); err != nil {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "bad message")
		return
	}
	log = log.With("msg_id", in.MsgID, "msg_type", in.MsgType)

	switch in.MsgType {
	case "stream":
		// WeCom polls a stream until it is finished. Ours finish in the
		// first answer, so a poll means that answer was lost: repeat it if
		// this replica still has it, else say nothing.
		if s, ok := h.finished(in.Stream.ID); ok {
			h.writeStream(w, rb, q, in.Stream.ID, s, log)
			return
		}
		log.Debug("wecom stream refresh for an unknown stream")
		w.WriteHeader(http.StatusOK)
		return
	case "event":
		// enter_chat, card and feedback events need no answer from us;
		// an empty 200 is the documented "nothing to say".
		log.Debug("wecom event ignored", "event_type", in.Event.EventType)
		w.WriteHeader(http.StatusOK)
		return
	}
	if strings.TrimSpace(in.text()) == "" {
		log.Debug("wecom message without text ignored")
		w.WriteHeader(http.StatusOK)
		return
	}
	if in.MsgID == "" {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "no msgid")
		return
	}

	now := h.now()
	m, _ := messageOf(in, rb.name, now)
	if in.ResponseURL != "" {
		m.Late = jinqiu.Target{
			Platform: Name,
			Robot:    rb.name,
			URL:      in.ResponseURL,
			Kind:     jinqiu.KindResponseURL,
			Expires:  now.Add(responseURLLife),
		}
	}
	reply, ok := h.process(w, r, m, log)
	if !ok {
		return
	}

	content, md := reply.Markdown, true
	if content == "" {
		content, md = reply.Text, false
	}
	parts := bot.SplitLines(content, MaxResponseURLBytes)
	if len(parts) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	h.overflow(r, m, parts[1:], md, reply.Title, log)

	id := newID()
	h.remember(id, parts[0])
	h.writeStream(w, rb, q, id, parts[0], log)
}

// writeStream answers with a finished stream frame holding content.
func (h *Handler) writeStream(w http.ResponseWriter, rb *robot, q query, id, content string, log *slog.Logger) {
	var sr streamReply
	sr.MsgType = "stream"
	sr.Stream.ID = id
	sr.Stream.Finish = true
	sr.Stream.Content = content
	plain, err := json.Marshal(sr)
	if err != nil {
		h.fail(w, log, err)
		return
	}
	enc, ts, sig, err := h.seal(rb, q, plain)
	if err != nil {
		h.fail(w, log, err)
		return
	}
	out, err := json.Marshal(jsonReplyEnvelope{Encrypt: enc, MsgSignature: sig, Timestamp: ts, Nonce: q.nonce})
	if err != nil {
		h.fail(w, log, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out)
}

func (h *Handler) groupRobot(w http.ResponseWriter, r *http.Request, rb *robot, q query, plain []byte, log *slog.Logger) {
	var in groupMessage
	if err := decodeXML(plain, &in); err != nil {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "bad message")
		return
	}
	log = log.With("msg_id", in.MsgID, "msg_type", in.MsgType)
	if in.MsgType == "event" {
		log.Debug("wecom event ignored", "event_type", in.Event.EventType)
		w.WriteHeader(http.StatusOK)
		return
	}
	text := in.text()
	if strings.TrimSpace(text) == "" {
		log.Debug("wecom message without text ignored")
		w.WriteHeader(http.StatusOK)
		return
	}
	if in.MsgID == "" {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "no MsgId")
		return
	}

	m := jinqiu.Message{
		Platform: Name,
		Robot:    rb.name,
		MsgID:    in.MsgID,
		ChatID:   in.ChatID,
		ChatType: chatType(in.ChatType, in.ChatID),
		UserID:   in.From.UserID,
		UserName: in.From.Name,
		Text:     text,
		SentAt:   h.now(),
	}
	if in.WebhookURL != "" {
		// The callback's WebhookUrl carries the robot's key: a late reply
		// goes through the robot's configured webhook instead, so that
		// no key is stored with the message.
		m.Late = jinqiu.Target{Platform: Name, Robot: rb.name, Kind: jinqiu.KindWebhook, ChatID: in.ChatID}
	}
	reply, ok := h.process(w, r, m, log)
	if !ok {
		return
	}

	var gr groupReply
	var parts []string
	if reply.Markdown != "" {
		parts = bot.SplitLines(inlineMentions(bot.Mentionable(reply.Mentions))+reply.Markdown, MaxMarkdownBytes)
		if len(parts) > 0 {
			gr.MsgType = "markdown"
			gr.Markdown = &struct {
				Content cdata `xml:"Content"`
			}{cdata{xmlText(parts[0])}}
		}
		h.overflow(r, m, tail(parts), true, reply.Title, log)
	} else {
		parts = bot.SplitLines(reply.Text, MaxTextBytes)
		if len(parts) > 0 {
			gr.MsgType = "text"
			gr.Text = &struct {
				Content       cdata `xml:"Content"`
				MentionedList *struct {
					Items []cdata `xml:"Item"`
				} `xml:"MentionedList,omitempty"`
			}{Content: cdata{xmlText(parts[0])}}
			if mentions := bot.Mentionable(reply.Mentions); len(mentions) > 0 {
				ml := &struct {
					Items []cdata `xml:"Item"`
				}{}
				for _, u := range mentions {
					ml.Items = append(ml.Items, cdata{xmlText(u)})
				}
				gr.Text.MentionedList = ml
			}
		}
		h.overflow(r, m, tail(parts), false, reply.Title, log)
	}
	if len(parts) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	plainReply, err := xml.Marshal(gr)
	if err != nil {
		h.fail(w, log, err)
		return
	}
	enc, ts, sig, err := h.seal(rb, q, plainReply)
	if err != nil {
		h.fail(w, log, err)
		return
	}
	out, err := xml.Marshal(xmlReplyEnvelope{Encrypt: cdata{enc}, MsgSignature: cdata{sig}, TimeStamp: ts, Nonce: cdata{q.nonce}})
	if err != nil {
		h.fail(w, log, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(out)
}

// process runs the Processor and writes the answer when there is no reply
// to send: 503 when another attempt holds the message (WeCom sends it
// again and gets the stored reply), 500 on error (WeCom retries), an empty
// 200 when the reply is empty or goes out later.
func (h *Handler) process(w http.ResponseWriter, r *http.Request, m jinqiu.Message, log *slog.Logger) (jinqiu.Reply, bool) {
	out, err := h.proc.Process(r.Context(), m)
	switch {
	case errors.Is(err, inbound.ErrInFlight) || errors.Is(err, inbound.ErrBusy):
		// WeCom sends it again, and then gets the reply.
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return jinqiu.Reply{}, false
	case err != nil:
		log.Error("wecom message not processed", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return jinqiu.Reply{}, false
	}
	if out.Reply.Empty() {
		w.WriteHeader(http.StatusOK)
		return jinqiu.Reply{}, false
	}
	return out.Reply, true
}

// overflow hands the parts a passive reply cannot carry to OnUndelivered.
func (h *Handler) overflow(r *http.Request, m jinqiu.Message, rest []string, markdown bool, title string, log *slog.Logger) {
	if len(rest) == 0 {
		return
	}
	joined := strings.Join(rest, "\n")
	if h.OnUndelivered == nil {
		log.Warn("wecom reply too long for a passive answer; the rest is dropped", "dropped_bytes", len(joined))
		return
	}
	rr := jinqiu.Reply{Text: joined, Title: title}
	if markdown {
		rr = jinqiu.Reply{Markdown: joined, Title: title}
	}
	// The outbox write must finish even if WeCom hangs up on us.
	h.OnUndelivered(context.WithoutCancel(r.Context()), m, rr)
}

// seal encrypts and signs a passive reply with the callback's nonce, which
// the AI bot requires.
func (h *Handler) seal(rb *robot, q query, plain []byte) (enc, ts, sig string, err error) {
	enc, err = rb.crypto.Encrypt(plain)
	if err != nil {
		return "", "", "", err
	}
	ts = strconv.FormatInt(h.now().Unix(), 10)
	return enc, ts, rb.crypto.Signature(ts, q.nonce, enc), nil
}

func (h *Handler) fail(w http.ResponseWriter, log *slog.Logger, err error) {
	log.Error("wecom reply not built", "error", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (h *Handler) remember(id, content string) {
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.streams) >= streamCache {
		for k, s := range h.streams {
			if now.After(s.expires) {
				delete(h.streams, k)
			}
		}
		for k := range h.streams {
			if len(h.streams) < streamCache {
				break
			}
			delete(h.streams, k)
		}
	}
	h.streams[id] = finishedStream{content: content, expires: now.Add(streamLife)}
}

func (h *Handler) finished(id string) (string, bool) {
	if id == "" {
		return "", false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.streams[id]
	if !ok || h.now().After(s.expires) {
		return "", false
	}
	return s.content, true
}

// text is what a message says: a voice message's is WeCom's transcript.
func (in *aibotMessage) text() string {
	switch in.MsgType {
	case "text":
		return in.Text.Content
	case "mixed":
		return mixedText(in.Mixed)
	case "voice":
		return in.Voice.Content
	}
	return ""
}

// messageOf is the message of an AI bot's text, mixed or voice message,
// however it came (callback or long connection); false when it has no
// text or no msgid.
func messageOf(in aibotMessage, robot string, now time.Time) (jinqiu.Message, bool) {
	text := in.text()
	if strings.TrimSpace(text) == "" || in.MsgID == "" {
		return jinqiu.Message{}, false
	}
	m := jinqiu.Message{
		Platform: Name,
		Robot:    robot,
		MsgID:    in.MsgID,
		ChatID:   in.ChatID,
		ChatType: chatType(in.ChatType, in.ChatID),
		UserID:   in.From.UserID,
		Text:     text,
		SentAt:   now,
		Spoken:   in.MsgType == "voice",
	}
	if in.CreateTime > 0 {
		m.SentAt = time.Unix(int64(in.CreateTime), 0)
	}
	return m, true
}

func chatType(t, chatID string) jinqiu.ChatType {
	if t == "single" || (t == "" && chatID == "") {
		return jinqiu.ChatSingle
	}
	return jinqiu.ChatGroup
}

func inlineMentions(ids []string) string {
	var b strings.Builder
	for _, id := range ids {
		if id == "" {
			continue
		}
		b.WriteString("<@")
		b.WriteString(id)
		b.WriteString("> ")
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

func tail(parts []string) []string {
	if len(parts) < 2 {
		return nil
	}
	return parts[1:]
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
