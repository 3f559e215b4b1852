package dingtalk

import (
	"context"
	"encoding/json"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jinqiu/bot"
)

// MaxMessageBytes is how much content one DingTalk message carries here.
// DingTalk is said to refuse messages over 20000 bytes (PLATFORMS.md §5,
// unverified); the margin leaves room for the JSON around the text.
const MaxMessageBytes = 18000

// Errcodes of DingTalk answers (PLATFORMS.md §4–§5).
const (
	codeOK        = 0
	codeBusy      = -1
	codeTooFast   = 130101 // send too fast, exceed 20 times per minute
	codeThrottled = 410100 // reported by third-party code as throttling [U]
	codeSecurity  = 310000 // keywords, timestamp, sign or IP allow-list
	codeNoSession = 300001 // session 不存在, token is not exist
)

const (
	// throttlePause is DingTalk's penalty: a robot over 20/min is refused
	// for 10 minutes.
	throttlePause  = 10 * time.Minute
	defaultTimeout = 5 * time.Second
	maxTitleBytes  = 64
)

// Sender delivers to DingTalk: custom robot webhooks (Target.Kind webhook,
// signed when Target.Secret is set) and sessionWebhooks (Kind session). It
// only ever posts under its API base. Safe for concurrent use once its
// fields are set.
type Sender struct {
	// Timeout bounds each request (5 s when zero); a shorter deadline on
	// the caller's context wins.
	Timeout time.Duration
	// Now is the clock for signing and expiry (time.Now when nil).
	Now func() time.Time
	// Log receives configuration errors (discarded when nil). Tokens,
	// secrets and message bodies are never logged.
	Log *slog.Logger

	base    *url.URL
	baseErr error
	client  *http.Client
	// groups are the custom robots of group targets (Platform fills them
	// from the configuration), by chat id.
	groups map[string]hook
	// openapi pushes to the groups of stream robots (UseOpenAPI).
	openapi *openAPI
}

var _ jinqiu.Sender = (*Sender)(nil)

// NewSender returns a sender posting under apiBase (https://oapi.dingtalk.com
// in production) through client, which is copied so that it follows no
// redirects. A nil client means a default one.
func NewSender(apiBase string, client *http.Client) *Sender {
	base, err := bot.ParseBase(apiBase)
	return &Sender{base: base, baseErr: err, client: bot.NoRedirects(client)}
}

type message struct {
	MsgType  string    `json:"msgtype"`
	Text     *text     `json:"text,omitempty"`
	Markdown *markdown `json:"markdown,omitempty"`
	At       *at       `json:"at,omitempty"`
}

type text struct {
	Content string `json:"content"`
}

type markdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type at struct {
	AtUserIDs []string `json:"atUserIds,omitempty"`
	IsAtAll   bool     `json:"isAtAll,omitempty"`
}

type answer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Send delivers r to t: a titled document (r.Title and r.Markdown set, the
// digest) as markdown laid out with a blank line between lines, which
// DingTalk needs; every other reply as text, which it shows as written.
// Mentions are listed in the at block and written as "@userid" in the
// content, which DingTalk needs to highlight them; they go with the first
// part of a reply split over MaxMessageBytes. A failure is a
// *jinqiu.SendError: errcode 130101 Throttled (RetryAfter 10 min); 310000,
// 300001, an expired session and other refusals Permanent; -1, 5xx and
// network errors Transient; no answer after the request was written
// Ambiguous.
func (s *Sender) Send(ctx context.Context, t jinqiu.Target, r jinqiu.Reply) error {
	if s.baseErr != nil {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: s.baseErr.Error()}
	}
	if r.Empty() {
		return nil
	}
	if t.Platform != "" && t.Platform != Name {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("dingtalk sender given a %q target", t.Platform)}
	}
	if t.Kind == jinqiu.KindGroup {
		if rb, ok := s.pusher(t); ok {
			return s.sendOpenAPI(ctx, rb, t.ChatID, r)
		}
		w, err := s.resolve(t)
		if err != nil {
			s.log().Error("dingtalk group has no webhook: configuration error", "chat_id", t.ChatID)
			return err
		}
		t = w
	}
	if t.Kind != jinqiu.KindWebhook && t.Kind != jinqiu.KindSession {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("dingtalk cannot send to a %q target", t.Kind)}
	}
	u, err := url.Parse(t.URL)
	if err != nil || !bot.WithinBase(u, s.base) {
		s.log().Error("dingtalk target refused: not under the api base", "robot", t.Robot, "kind", t.Kind)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: "target url is not under the api base"}
	}
	if t.Kind == jinqiu.KindSession && !t.Expires.IsZero() && !s.now().Before(t.Expires) {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: "sessionWebhook expired"}
	}

	msgs := build(r)
	for i, m := range msgs {
		endpoint := *u
		if t.Kind == jinqiu.KindWebhook && t.Secret != "" {
			// Each part gets a fresh signature: a slow earlier part must
			// not push a later one outside DingTalk's hour.
			ms := s.now().UnixMilli()
			q := endpoint.Query()
			q.Set("timestamp", strconv.FormatInt(ms, 10))
			q.Set("sign", Sign(t.Secret, ms))
			endpoint.RawQuery = q.Encode()
		}
		if err := s.post(ctx, t, endpoint.String(), m); err != nil {
			return jinqiu.PartError(err, i, len(msgs))
		}
	}
	return nil
}

// build renders r as one or more DingTalk messages.
func build(r jinqiu.Reply) []message {
	ids := bot.Mentionable(r.Mentions)
	var prefix strings.Builder
	for _, id := range ids {
		prefix.WriteString("@" + id + " ")
	}
	var block *at
	if len(ids) > 0 {
		block = &at{AtUserIDs: ids}
	}

	var msgs []message
	if len(r.Buttons) > 0 && r.Markdown == "" {
		// Buttons become links that make the tapper's client send the
		// command, so the tap arrives as the typed message would.
		r.Markdown = r.Text + "\n" + buttonLinks(r.Buttons)
		if r.Title == "" {
			r.Title, _, _ = strings.Cut(r.Text, "\n")
		}
	}
	if r.Markdown != "" && r.Title != "" {
		head := ""
		if prefix.Len() > 0 {
			head = prefix.String() + "\n\n"
		}
		title := titleOf(r)
		for i, p := range bot.SplitLines(head+paragraphs(r.Markdown), MaxMessageBytes) {
			m := message{MsgType: "markdown", Markdown: &markdown{Title: title, Text: p}}
			if i == 0 {
				m.At = block
			}
			msgs = append(msgs, m)
		}
		return msgs
	}
	head := ""
	if prefix.Len() > 0 {
		head = prefix.String() + "\n"
	}
	for i, p := range bot.SplitLines(head+r.Text, MaxMessageBytes) {
		m := message{MsgType: "text", Text: &text{Content: p}}
		if i == 0 {
			m.At = block
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// buttonLinks are the buttons as dtmd sendMessage links, on one line
// (LONGCONN.md §2.6). The content is path-escaped: a space as %20, which
// DingTalk's client decodes, where '+' might stay a plus.
func buttonLinks(bs []jinqiu.Button) string {
	var ls []string
	for _, b := range bs {
		ls = append(ls, "["+b.Text+"](dtmd://dingtalkclient/sendMessage?content="+url.PathEscape(b.Command)+")")
	}
	return strings.Join(ls, " | ")
}

// titleOf is the markdown preview title DingTalk requires, within its
// length.
func titleOf(r jinqiu.Reply) string {
	t := r.Title
	if len(t) > maxTitleBytes {
		cut := maxTitleBytes
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut]
	}
	return t
}

func (s *Sender) post(ctx context.Context, t jinqiu.Target, endpoint string, m message) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	raw, err := bot.PostJSON(ctx, s.client, endpoint, m)
	if err != nil {
		return err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return &jinqiu.SendError{Class: jinqiu.Ambiguous, Code: http.StatusOK, Message: "unreadable answer"}
	}
	switch a.ErrCode {
	case codeOK:
		return nil
	case codeTooFast, codeThrottled:
		return &jinqiu.SendError{Class: jinqiu.Throttled, Code: a.ErrCode, Message: a.ErrMsg, RetryAfter: throttlePause}
	case codeSecurity:
		// Keyword, signature, clock or allow-list: an operator must act.
		s.log().Error("dingtalk refused the robot's security check: configuration error",
			"robot", t.Robot, "kind", t.Kind, "errcode", a.ErrCode, "errmsg", a.ErrMsg)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Code: a.ErrCode, Message: a.ErrMsg}
	case codeNoSession:
		if t.Kind == jinqiu.KindWebhook {
			s.log().Error("dingtalk robot token rejected: configuration error", "robot", t.Robot, "errcode", a.ErrCode)
		}
		return &jinqiu.SendError{Class: jinqiu.Permanent, Code: a.ErrCode, Message: a.ErrMsg}
	case codeBusy:
		return &jinqiu.SendError{Class: jinqiu.Transient, Code: a.ErrCode, Message: a.ErrMsg}
	default:
		s.log().Warn("dingtalk refused a message", "robot", t.Robot, "kind", t.Kind, "errcode", a.ErrCode, "errmsg", a.ErrMsg)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Code: a.ErrCode, Message: a.ErrMsg}
	}
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log.With("platform", Name)
	}
	return slog.New(slog.DiscardHandler)
}
