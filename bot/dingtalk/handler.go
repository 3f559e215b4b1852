// Package dingtalk speaks DingTalk (钉钉): the signed HTTP callback of an
// enterprise robot, replies through its sessionWebhook, and pushes through
// custom robots. PLATFORMS.md §4–§5 has the wire facts and their sources.
package dingtalk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"jinqiu/bot"
	"jinqiu/inbound"
)

// MaxBody bounds a callback body; DingTalk's are a few KiB.
const MaxBody = 64 << 10

const (
	// maxSkew is DingTalk's own window for the timestamp header.
	maxSkew = time.Hour
	// deliverTimeout bounds the reply through the sessionWebhook, so
	// that DingTalk gets its answer well within its patience.
	deliverTimeout = 3 * time.Second
)

// Handler answers the HTTP callbacks of the configured DingTalk robots: it
// checks the signed headers before it reads anything else, hands the
// message to the Processor, and delivers the reply through the message's
// sessionWebhook with the Sender. Safe for concurrent use once its fields
// are set.
//
// DingTalk signs only the timestamp, not the body (RELIABILITY.md §1.2), so
// a captured header pair can carry any body for an hour: the body's
// sessionWebhook is used only when it lies under the configured API base.
type Handler struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// DeliverTimeout bounds the reply through the sessionWebhook (3 s when
	// zero).
	DeliverTimeout time.Duration
	// OnUndelivered, if set, receives a reply that could not go through
	// the sessionWebhook (none usable, expired, or the send failed,
	// ambiguous sends included: a duplicate reply beats a lost one). The
	// lead wires it to the outbox.
	OnUndelivered func(ctx context.Context, m jinqiu.Message, r jinqiu.Reply)

	robots  map[string]Robot
	base    *url.URL
	proc    inbound.Processor
	send    jinqiu.Sender
	log     *slog.Logger
	door    *bot.Door
	baseErr error
}

// NewHandler builds the handler for robots. apiBase is the DingTalk API
// base (https://oapi.dingtalk.com); session webhooks elsewhere are never
// contacted. A robot without app_secret is left out with an error in the
// log and its URL answers 404.
func NewHandler(robots []Robot, apiBase string, p inbound.Processor, s jinqiu.Sender, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{
		robots: make(map[string]Robot, len(robots)),
		proc:   p,
		send:   s,
		log:    log.With("platform", Name),
		door:   &bot.Door{Platform: Name, Log: log},
	}
	h.base, h.baseErr = bot.ParseBase(apiBase)
	if h.baseErr != nil {
		h.log.Error("dingtalk api base unusable: replies go to OnUndelivered", "error", h.baseErr)
	}
	for _, rc := range robots {
		if rc.Mode == ModeStream {
			continue // served over Stream, not by callbacks
		}
		if rc.AppSecret == "" {
			h.log.Error("dingtalk robot disabled: no app_secret", "robot", rc.Name)
			continue
		}
		if _, dup := h.robots[rc.Name]; dup {
			h.log.Error("dingtalk robot configured twice; the last one wins", "robot", rc.Name)
		}
		h.robots[rc.Name] = rc
	}
	return h
}

// Register adds POST /dingtalk/{robot} to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /dingtalk/{robot}", h.callback)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Sign is DingTalk's signature: base64(HMAC-SHA256(secret, timestamp + "\n"
// + secret)), used by callbacks (as is) and custom robots (URL-encoded).
func Sign(secret string, timestampMillis int64) string {
	return sign(secret, strconv.FormatInt(timestampMillis, 10))
}

// sign signs the timestamp as written.
func sign(secret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// callbackBody is the part of DingTalk's callback JSON we use.
type callbackBody struct {
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
	Content struct {
		RichText []struct {
			Text string `json:"text"`
		} `json:"richText"`
	} `json:"content"`
	MsgID                     string `json:"msgId"`
	CreateAt                  int64  `json:"createAt"`
	ConversationType          string `json:"conversationType"`
	ConversationID            string `json:"conversationId"`
	SenderStaffID             string `json:"senderStaffId"`
	SenderNick                string `json:"senderNick"`
	SessionWebhook            string `json:"sessionWebhook"`
	SessionWebhookExpiredTime int64  `json:"sessionWebhookExpiredTime"`
}

func (b *callbackBody) text() string {
	switch b.MsgType {
	case "text":
		return b.Text.Content
	case "richText":
		var parts []string
		for _, p := range b.Content.RichText {
			if p.Text != "" {
				parts = append(parts, p.Text)
			}
		}
		return strings.Join(parts, "")
	}
	return ""
}

func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	rc, ok := h.robots[r.PathValue("robot")]
	if !ok {
		h.door.Refuse(w, r, http.StatusNotFound, "unknown_robot", "404 page not found")
		return
	}
	log := h.log.With("robot", rc.Name)

	// Headers first: nothing of the body is read before they check out.
	if !h.verify(rc.AppSecret, r.Header.Get("timestamp"), r.Header.Get("sign")) {
		h.door.Refuse(w, r, http.StatusUnauthorized, "signature", "bad signature")
		return
	}

	raw, ok := h.door.Read(w, r, MaxBody)
	if !ok {
		return
	}
	var in callbackBody
	if err := json.Unmarshal(raw, &in); err != nil {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "bad json")
		return
	}
	log = log.With("msg_id", in.MsgID, "msg_type", in.MsgType)
	text := in.text()
	if strings.TrimSpace(text) == "" {
		log.Debug("dingtalk message without text ignored")
		writeOK(w)
		return
	}
	if in.MsgID == "" {
		h.door.Refuse(w, r, http.StatusBadRequest, "message", "no msgId")
		return
	}

	m := h.message(rc.Name, in, log)

	// The reply goes to the sessionWebhook after handling, before the
	// answer: a crash in between leaves the reply owed, and the retry (or
	// the pipeline's recovery) posts it.
	m.PostsReply = true
	out, err := h.proc.Process(r.Context(), m)
	switch {
	case errors.Is(err, inbound.ErrInFlight) || errors.Is(err, inbound.ErrBusy):
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case err != nil:
		log.Error("dingtalk message not processed", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// A repeat's reply went to the sessionWebhook (or, failing that, to
	// the outbox) the first time; Post says when it did not.
	if out.Post {
		h.deliver(r.Context(), m, out.Reply, log)
		h.proc.Delivered(r.Context(), out.ID)
	}
	writeOK(w)
}

// message is the message of a callback body with text and a msgId,
// however it came (HTTP callback or Stream). Its reply address is the
// body's sessionWebhook, when that lies under the API base.
func (h *Handler) message(robot string, in callbackBody, log *slog.Logger) jinqiu.Message {
	m := jinqiu.Message{
		Platform: Name,
		Robot:    robot,
		MsgID:    in.MsgID,
		ChatType: "single",
		UserID:   in.SenderStaffID,
		UserName: in.SenderNick,
		Text:     in.text(),
		SentAt:   h.now(),
	}
	if in.ConversationType == "2" {
		m.ChatType = "group"
		m.ChatID = in.ConversationID
	}
	if in.CreateAt > 0 {
		m.SentAt = time.UnixMilli(in.CreateAt)
	}
	if in.SessionWebhook != "" {
		if h.trusted(in.SessionWebhook) {
			m.Late = jinqiu.Target{
				Platform: Name,
				Robot:    robot,
				URL:      in.SessionWebhook,
				Kind:     jinqiu.KindSession,
			}
			if in.SessionWebhookExpiredTime > 0 {
				m.Late.Expires = time.UnixMilli(in.SessionWebhookExpiredTime)
			}
		} else {
			// The body is not signed: this may be a forgery aiming our
			// replies (and whatever they contain) at another host.
			log.Warn("dingtalk sessionWebhook outside the api base ignored", "webhook_host", hostOf(in.SessionWebhook))
		}
	}
	return m
}

// verify checks the timestamp header (ms, within an hour of now) and the
// sign header, in constant time.
func (h *Handler) verify(secret, ts, signature string) bool {
	if ts == "" || signature == "" {
		return false
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := h.now().Sub(time.UnixMilli(ms))
	if d > maxSkew || d < -maxSkew {
		return false
	}
	// Sign over the header as sent, so "0123" does not verify as "123".
	return hmac.Equal([]byte(signature), []byte(sign(secret, ts)))
}

// SessionPath is where DingTalk's sessionWebhooks live under the API base.
const SessionPath = "/robot/sendBySession"

// trusted reports whether a sessionWebhook from a callback body may be
// posted to: https (or the API base's own scheme, for tests on plain
// http), under the API base, on the session path, with nothing in its
// query but the session. The body is not signed: a URL elsewhere under the
// host (/robot/send?access_token=… of someone else's robot) would post our
// replies, and whatever they hold, to a group of the forger's choosing.
func (h *Handler) trusted(raw string) bool {
	if h.base == nil {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Fragment != "" || u.RawFragment != "" {
		return false
	}
	if u.Scheme != "https" && u.Scheme != h.base.Scheme {
		return false
	}
	if !bot.WithinBase(u, h.base) || u.EscapedPath() != strings.TrimSuffix(h.base.EscapedPath(), "/")+SessionPath {
		return false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q) != 1 || len(q["session"]) != 1 || q.Get("session") == "" {
		return false
	}
	return true
}

// deliver sends reply to m.Late under a short deadline, and hands it to
// OnUndelivered when that is impossible or fails.
func (h *Handler) deliver(ctx context.Context, m jinqiu.Message, reply jinqiu.Reply, log *slog.Logger) {
	// Delivery and the fallback must finish even if DingTalk hangs up.
	ctx = context.WithoutCancel(ctx)
	usable := m.Late.Kind == jinqiu.KindSession && m.Late.URL != "" && h.send != nil &&
		(m.Late.Expires.IsZero() || h.now().Before(m.Late.Expires))
	if usable {
		timeout := h.DeliverTimeout
		if timeout <= 0 {
			timeout = deliverTimeout
		}
		sctx, cancel := context.WithTimeout(ctx, timeout)
		err := h.send.Send(sctx, m.Late, reply)
		cancel()
		if err == nil {
			return
		}
		log.Warn("dingtalk reply through sessionWebhook failed", "class", jinqiu.Classify(err).String(), "error", err)
	}
	if h.OnUndelivered == nil {
		log.Warn("dingtalk reply undelivered and no fallback configured")
		return
	}
	h.OnUndelivered(ctx, m, reply)
}

func writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte("{}"))
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Host
}
