package jinqiu

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is one message a person sent to the bot, whatever the platform.
// It is stored with its inbound row (so that a message whose process died
// can be handled again), so it holds no credential beyond the
// per-message reply address the platform gave.
type Message struct {
	Platform Platform  `json:"platform"`
	Robot    string    `json:"robot"`  // the configured robot's name
	MsgID    string    `json:"msg_id"` // the platform's message id: the dedup key with Platform and Robot
	ChatID   string    `json:"chat_id,omitempty"`
	ChatType ChatType  `json:"chat_type"` // a single chat never acts in a group's scope
	UserID   string    `json:"user_id"`   // WeCom userid, DingTalk senderStaffId; "" when the platform gave none
	UserName string    `json:"user_name,omitempty"`
	Text     string    `json:"text"` // as sent, leading mentions included
	SentAt   time.Time `json:"sent_at"`
	// Late is where a reply may still go after the callback was answered.
	Late Target `json:"late"`
	// PostsReply is set by an adapter that posts the reply itself after
	// answering (DingTalk's sessionWebhook), rather than in the answer.
	PostsReply bool `json:"posts_reply,omitempty"`
	// Spoken marks a voice message: Text is the platform's transcript,
	// which may have misheard, so an acting intent asks first.
	Spoken bool `json:"spoken,omitempty"`
}

// Target is where an outbound message goes: a configured group (Kind
// group), whose webhook the platform's sender resolves from its own
// configuration so that no key is ever stored, or an address the platform
// gave with a message (a reply URL).
type Target struct {
	Platform Platform `json:"platform"`
	Robot    string   `json:"robot,omitempty"` // rate-limit key: one budget per robot
	// URL is a full webhook URL (WeCom response_url, DingTalk
	// sessionWebhook or custom robot URL). For a WeCom group robot webhook it
	// may instead be the bare key. Keys from the configuration are filled in
	// when a message is sent, never stored.
	URL string `json:"url,omitempty"`
	// Secret signs the URL of a webhook that needs it (a DingTalk custom
	// robot), filled in as a group is resolved, never stored.
	Secret string `json:"-"`
	// ChatID is the group of a group target, and picks the chat of a
	// group robot that sits in several (WeCom sends it in the body).
	ChatID string `json:"chat_id,omitempty"`
	// Via, for a group target, names the robot whose own webhook sends
	// (a WeCom group robot answering in the chat it was called from); the
	// group's webhook when empty.
	Via string `json:"via,omitempty"`
	// Expires is when URL stops working (zero: never).
	Expires time.Time `json:"expires,omitempty"`
	// Kind says where it goes: "group" (a configured group), "webhook"
	// (a robot webhook URL or key, as a sender resolves a group),
	// "response_url" (WeCom AI bot, one use), "session" (DingTalk
	// sessionWebhook), "push" (a chat, ChatID, that the robot pushes to
	// through its platform's API: WeCom aibot_send_msg over the long
	// connection, DingTalk's robot OpenAPI).
	Kind string `json:"kind,omitempty"`
}

// Target kinds.
const (
	KindGroup       = "group"
	KindWebhook     = "webhook"
	KindResponseURL = "response_url"
	KindSession     = "session"
	KindPush        = "push"
)

// Reply is what the bot says: plain text, optionally a markdown rendering of
// the same (a line per line: each platform lays it out its own way), and
// the people to @-mention. A reply with a Title is a document (the digest),
// which a platform may show as rich text where a short reply stays plain.
type Reply struct {
	Text     string   `json:"text"`
	Markdown string   `json:"markdown,omitempty"`
	Title    string   `json:"title,omitempty"`
	Mentions []string `json:"mentions,omitempty"`
	// Buttons are taps that stand for typed commands, for a platform that
	// can show them (a WeCom template card, DingTalk links that send the
	// text); the text always says how to type them too.
	Buttons []Button `json:"buttons,omitempty"`
}

// Button is a tap that sends Command as if the person had typed it, so
// that it takes the same path, rules and exactly-once handling.
type Button struct {
	Text    string `json:"text"`
	Command string `json:"command"`
}

// Empty reports whether there is nothing to say.
func (r Reply) Empty() bool { return r.Text == "" && r.Markdown == "" }

// Sender delivers one message to one target. Implementations are safe for
// concurrent use; a failure is a *SendError.
type Sender interface {
	Send(ctx context.Context, t Target, r Reply) error
}

// ErrClass says what to do about a failed send.
type ErrClass int

const (
	// Transient: network, 5xx, timeout before the request was written. Retry with back-off.
	Transient ErrClass = iota
	// Throttled: the platform's rate limit (WeCom 45009, DingTalk 130101). Pause the robot.
	Throttled
	// Permanent: bad key, bad signature, expired session. Never retry.
	Permanent
	// Ambiguous: the request went out and no answer came back.
	Ambiguous
)

func (c ErrClass) String() string {
	switch c {
	case Throttled:
		return "throttled"
	case Permanent:
		return "permanent"
	case Ambiguous:
		return "ambiguous"
	default:
		return "transient"
	}
}

// SendError is a failed send, classified.
type SendError struct {
	Class      ErrClass
	Code       int    // the platform's errcode, or the HTTP status
	Message    string // the platform's errmsg, or the transport error
	RetryAfter time.Duration
}

func (e *SendError) Error() string {
	return fmt.Sprintf("send %s: code %d: %s", e.Class, e.Code, e.Message)
}

// Classify returns the class of err: a *SendError's own, else Transient.
func Classify(err error) ErrClass {
	var se *SendError
	if errors.As(err, &se) {
		return se.Class
	}
	return Transient
}

// PartError notes in err which part of a message split in n parts failed.
func PartError(err error, i, n int) error {
	if n < 2 {
		return err
	}
	if se, ok := err.(*SendError); ok {
		c := *se
		c.Message = fmt.Sprintf("part %d of %d: %s", i+1, n, se.Message)
		return &c
	}
	return err
}
