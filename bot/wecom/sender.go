package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jinqiu/bot"
)

// Errcodes of WeCom answers (PLATFORMS.md §1).
const (
	codeOK           = 0
	codeBusy         = -1    // 系统繁忙
	codeFreqLimit    = 45009 // api freq out of limit: the 20/min robot budget
	codeInvalidKey   = 93000 // invalid webhook url: wrong or deleted key
	throttlePause    = time.Minute
	defaultTimeout   = 5 * time.Second
	webhookSendPath  = "/cgi-bin/webhook/send"
	responseURLLimit = MaxResponseURLBytes
)

// Sender delivers replies and pushes to WeCom: group robot webhooks
// (Target.Kind webhook) and AI-bot response_urls (Kind response_url). It
// only ever posts under its API base. Safe for concurrent use once its
// fields are set.
type Sender struct {
	// Timeout bounds each request (5 s when zero); a shorter deadline on
	// the caller's context wins.
	Timeout time.Duration
	// Now is the clock for expiry checks (time.Now when nil).
	Now func() time.Time
	// Log receives configuration errors (discarded when nil). Keys and
	// message bodies are never logged.
	Log *slog.Logger

	base    *url.URL
	baseErr error
	client  *http.Client
	// groups and robots are the webhook keys of group targets (Platform
	// fills them from the configuration): by chat id, by robot name.
	groups, robots map[string]string
	// pushers name the long-connection robot of a group without a
	// webhook, by chat id; ws are those robots' connections, by name.
	pushers map[string]string
	ws      map[string]*WS
}

var _ jinqiu.Sender = (*Sender)(nil)

// NewSender returns a sender posting under apiBase (https://qyapi.weixin.qq.com
// in production, an httptest URL in tests) through client, which is copied
// so that it follows no redirects. A nil client means a default one.
func NewSender(apiBase string, client *http.Client) *Sender {
	base, err := bot.ParseBase(apiBase)
	return &Sender{base: base, baseErr: err, client: bot.NoRedirects(client)}
}

// webhookBody is a group robot message. chatid is for robots with the
// (internal-beta) callback that sit in several groups.
type webhookBody struct {
	MsgType  string `json:"msgtype"`
	ChatID   string `json:"chatid,omitempty"`
	Text     *text  `json:"text,omitempty"`
	Markdown *md    `json:"markdown,omitempty"`
}

type text struct {
	Content       string   `json:"content"`
	MentionedList []string `json:"mentioned_list,omitempty"`
}

type md struct {
	Content string `json:"content"`
}

type answer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Send delivers r to t. A reply over WeCom's byte limit (text 2048 B,
// markdown 4096 B, response_url 20480 B) goes as consecutive parts, split on
// line boundaries; mentions go with the first part only. A failure is a
// *jinqiu.SendError: errcode 45009 Throttled, 93000 and other refusals
// Permanent, -1 and 5xx and network errors Transient, no answer after the
// request was written Ambiguous. If part k > 1 fails, the earlier parts were
// delivered; the error message says which part failed.
func (s *Sender) Send(ctx context.Context, t jinqiu.Target, r jinqiu.Reply) error {
	if s.baseErr != nil {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: s.baseErr.Error()}
	}
	if r.Empty() {
		return nil
	}
	if t.Platform != "" && t.Platform != Name {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("wecom sender given a %q target", t.Platform)}
	}
	switch t.Kind {
	case jinqiu.KindGroup:
		if ws := s.pusher(t); ws != nil {
			return ws.Push(ctx, t.ChatID, r)
		}
		w, err := s.resolve(t)
		if err != nil {
			s.log().Error("wecom group has no webhook: configuration error", "chat_id", t.ChatID, "via", t.Via)
			return err
		}
		return s.sendWebhook(ctx, w, r)
	case jinqiu.KindWebhook:
		return s.sendWebhook(ctx, t, r)
	case jinqiu.KindResponseURL:
		return s.sendResponseURL(ctx, t, r)
	case jinqiu.KindPush:
		ws := s.ws[t.Robot]
		if ws == nil {
			return &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("wecom robot %q is not served over the long connection", t.Robot)}
		}
		return ws.Push(ctx, t.ChatID, r)
	default:
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("wecom cannot send to a %q target", t.Kind)}
	}
}

// webhookURL turns Target.URL (a bare key, or a full URL under the API base)
// into the endpoint without chatid, and the chatid it carried.
func (s *Sender) webhookURL(raw string) (endpoint, chatID string, err error) {
	if raw == "" {
		return "", "", fmt.Errorf("empty webhook key")
	}
	var u *url.URL
	if !strings.Contains(raw, "://") {
		u = s.base.JoinPath(webhookSendPath)
		u.RawQuery = url.Values{"key": {raw}}.Encode()
	} else {
		u, err = url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("webhook url does not parse")
		}
		if !bot.WithinBase(u, s.base) {
			return "", "", fmt.Errorf("webhook url is not under the api base %s", s.base.Redacted())
		}
	}
	q := u.Query()
	if q.Get("key") == "" {
		return "", "", fmt.Errorf("webhook url has no key")
	}
	chatID = q.Get("chatid")
	q.Del("chatid")
	u.RawQuery = q.Encode()
	return u.String(), chatID, nil
}

func (s *Sender) sendWebhook(ctx context.Context, t jinqiu.Target, r jinqiu.Reply) error {
	endpoint, chatID, err := s.webhookURL(t.URL)
	if t.ChatID != "" {
		chatID = t.ChatID
	}
	if err != nil {
		s.log().Error("wecom webhook misconfigured", "robot", t.Robot, "error", err)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: err.Error()}
	}
	var bodies []webhookBody
	if r.Markdown != "" {
		for _, p := range bot.SplitLines(inlineMentions(bot.Mentionable(r.Mentions))+r.Markdown, MaxMarkdownBytes) {
			bodies = append(bodies, webhookBody{MsgType: "markdown", ChatID: chatID, Markdown: &md{Content: p}})
		}
	} else {
		for i, p := range bot.SplitLines(r.Text, MaxTextBytes) {
			b := webhookBody{MsgType: "text", ChatID: chatID, Text: &text{Content: p}}
			if i == 0 {
				b.Text.MentionedList = bot.Mentionable(r.Mentions)
			}
			bodies = append(bodies, b)
		}
	}
	for i, b := range bodies {
		if err := s.post(ctx, t, endpoint, b); err != nil {
			return jinqiu.PartError(err, i, len(bodies))
		}
	}
	return nil
}

func (s *Sender) sendResponseURL(ctx context.Context, t jinqiu.Target, r jinqiu.Reply) error {
	u, err := url.Parse(t.URL)
	if err != nil || !bot.WithinBase(u, s.base) {
		s.log().Warn("wecom response_url refused: not under the api base", "robot", t.Robot)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: "response_url is not under the api base"}
	}
	if !t.Expires.IsZero() && !s.now().Before(t.Expires) {
		return &jinqiu.SendError{Class: jinqiu.Permanent, Message: "response_url expired"}
	}
	content := r.Markdown
	if content == "" {
		content = r.Text
	}
	// A response_url takes one message, so a reply too long for it
	// loses its tail. 20 KB is far beyond any command reply.
	parts := bot.SplitLines(content, responseURLLimit)
	if len(parts) > 1 {
		s.log().Warn("wecom reply too long for a response_url; the rest is dropped",
			"robot", t.Robot, "dropped_parts", len(parts)-1)
	}
	return s.post(ctx, t, u.String(), webhookBody{MsgType: "markdown", Markdown: &md{Content: parts[0]}})
}

// post sends one message and classifies WeCom's answer.
func (s *Sender) post(ctx context.Context, t jinqiu.Target, endpoint string, body webhookBody) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	raw, err := bot.PostJSON(ctx, s.client, endpoint, body)
	if err != nil {
		return err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		// A 200 that is not WeCom's JSON: it got the request, and we
		// cannot tell whether it delivered the message.
		return &jinqiu.SendError{Class: jinqiu.Ambiguous, Code: http.StatusOK, Message: "unreadable answer"}
	}
	switch a.ErrCode {
	case codeOK:
		return nil
	case codeFreqLimit:
		return &jinqiu.SendError{Class: jinqiu.Throttled, Code: a.ErrCode, Message: a.ErrMsg, RetryAfter: throttlePause}
	case codeInvalidKey:
		s.log().Error("wecom webhook key rejected: configuration error", "robot", t.Robot, "errcode", a.ErrCode)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Code: a.ErrCode, Message: a.ErrMsg}
	case codeBusy:
		return &jinqiu.SendError{Class: jinqiu.Transient, Code: a.ErrCode, Message: a.ErrMsg}
	default:
		// Anything else (bad content, message too long, wrong type) will
		// fail the same way again.
		s.log().Warn("wecom refused a message", "robot", t.Robot, "errcode", a.ErrCode, "errmsg", a.ErrMsg)
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
