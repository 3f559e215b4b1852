package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"jinqiu"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The enterprise robot's own group send (LONGCONN.md §2.7): a stream robot
// pushes to the groups it serves with its AppKey as robotCode and the
// conversation id as openConversationId, so that a group needs no custom
// robot webhook.

const (
	tokenPath     = "/v1.0/oauth2/accessToken"
	groupSendPath = "/v1.0/robot/groupMessages/send"
	// tokenMargin renews an access token this long before DingTalk says
	// it expires (expireIn is 7200 s).
	tokenMargin = 5 * time.Minute
)

// openAPI is what a Sender needs to push through stream robots.
type openAPI struct {
	base    string
	apps    map[string]Robot  // stream robots by name
	pushers map[string]string // robot name by chat id

	mu     sync.Mutex
	tokens map[string]token // by client id
}

type token struct {
	value   string
	expires time.Time
}

// UseOpenAPI lets the sender push to the groups of pushers (chat id →
// robot name) through those stream robots' OpenAPI under base.
func (s *Sender) UseOpenAPI(base string, robots []Robot, pushers map[string]string) {
	o := &openAPI{base: base, apps: map[string]Robot{}, pushers: pushers, tokens: map[string]token{}}
	for _, r := range robots {
		if r.Mode == ModeStream {
			o.apps[r.Name] = r
		}
	}
	s.openapi = o
}

// pusher is the stream robot that pushes to a group target without a
// custom robot of its own.
func (s *Sender) pusher(t jinqiu.Target) (Robot, bool) {
	if s.openapi == nil || s.groups[t.ChatID].url != "" {
		return Robot{}, false
	}
	r, ok := s.openapi.apps[s.openapi.pushers[t.ChatID]]
	return r, ok
}

// token is the app's access token, fetched once per two hours.
func (s *Sender) token(ctx context.Context, r Robot) (string, error) {
	o := s.openapi
	o.mu.Lock()
	defer o.mu.Unlock()
	if t, ok := o.tokens[r.ClientID]; ok && s.now().Before(t.expires) {
		return t.value, nil
	}
	var a struct {
		AccessToken string `json:"accessToken"`
		ExpireIn    int64  `json:"expireIn"`
	}
	if err := openAPICall(ctx, s.client, o.base, tokenPath, "", map[string]string{"appKey": r.ClientID, "appSecret": r.ClientSecret}, &a); err != nil {
		return "", err
	}
	if a.AccessToken == "" {
		return "", errors.New("dingtalk openapi: no access token in the answer")
	}
	o.tokens[r.ClientID] = token{value: a.AccessToken, expires: s.now().Add(time.Duration(a.ExpireIn)*time.Second - tokenMargin)}
	return a.AccessToken, nil
}

func (s *Sender) forgetToken(r Robot) {
	s.openapi.mu.Lock()
	delete(s.openapi.tokens, r.ClientID)
	s.openapi.mu.Unlock()
}

// sendOpenAPI pushes r to the group chatID as the robot: a titled document
// as sampleMarkdown, anything else as sampleText.
func (s *Sender) sendOpenAPI(ctx context.Context, rb Robot, chatID string, r jinqiu.Reply) error {
	msgs := build(r)
	for i, m := range msgs {
		key, param := "sampleText", map[string]string{}
		if m.Markdown != nil {
			key, param = "sampleMarkdown", map[string]string{"title": m.Markdown.Title, "text": m.Markdown.Text}
		} else {
			param["content"] = m.Text.Content
		}
		p, _ := json.Marshal(param) // strings only
		if err := s.groupSend(ctx, rb, chatID, key, string(p)); err != nil {
			return jinqiu.PartError(err, i, len(msgs))
		}
	}
	return nil
}

func (s *Sender) groupSend(ctx context.Context, rb Robot, chatID, key, param string) error {
	tok, err := s.token(ctx, rb)
	if err != nil {
		return s.classify(rb, err)
	}
	body := map[string]string{"msgKey": key, "msgParam": param, "openConversationId": chatID, "robotCode": rb.ClientID}
	var a struct {
		ProcessQueryKey string `json:"processQueryKey"`
	}
	if err := openAPICall(ctx, s.client, s.openapi.base, groupSendPath, tok, body, &a); err != nil {
		return s.classify(rb, err)
	}
	return nil
}

// classify turns an OpenAPI failure into a SendError.
func (s *Sender) classify(rb Robot, err error) error {
	var e *errOpenAPI
	if !errors.As(err, &e) {
		// The request may have gone through: a push is at least once.
		return &jinqiu.SendError{Class: jinqiu.Ambiguous, Message: err.Error()}
	}
	code := strings.ToLower(e.Code)
	switch {
	case e.Status == http.StatusTooManyRequests || strings.Contains(code, "toofast") || strings.Contains(code, "too.fast") || strings.Contains(code, "flowcontrol"):
		return &jinqiu.SendError{Class: jinqiu.Throttled, Code: e.Status, Message: e.Error(), RetryAfter: time.Minute}
	case e.Status == http.StatusUnauthorized || strings.Contains(code, "token"):
		// An expired or revoked token: fetch a new one next time.
		s.forgetToken(rb)
		return &jinqiu.SendError{Class: jinqiu.Transient, Code: e.Status, Message: e.Error()}
	case e.Status >= 500:
		return &jinqiu.SendError{Class: jinqiu.Transient, Code: e.Status, Message: e.Error()}
	default:
		s.log().Error("dingtalk robot openapi refused a push: check the app's permissions and client_id", "robot", rb.Name, "status", e.Status, "code", e.Code)
		return &jinqiu.SendError{Class: jinqiu.Permanent, Code: e.Status, Message: fmt.Sprintf("%s: %s", e.Code, e.Message)}
	}
}
