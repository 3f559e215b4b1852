package platformtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"jinqiu"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// DingTalk errcodes the fake answers with. 130101, 310000 and 300001 are
// DingTalk's (PLATFORMS.md §4–§5 and live replies quoted in issue threads);
// the other two are unverified or the fake's own.
const (
	CodeDingTalkTooFast   = 130101 // send too fast, exceed 20 times per minute
	CodeDingTalkSecurity  = 310000 // sign not match, invalid timestamp, keywords, ip
	CodeDingTalkNoSession = 300001 // session 不存在; token is not exist
	CodeDingTalkTooLong   = 460101 // [U] message too long, exceed 20000 bytes
	CodeDingTalkBadBody   = 400001 // fake: unparsable body or unknown msgtype
)

// DingTalk's penalty for a robot over its budget.
const dingTalkPenalty = 10 * time.Minute

// FakeDingTalk is the DingTalk API (custom robot webhooks and
// sessionWebhooks) as seen by the bot, and the robot callback sender as seen
// by the bot's handler.
type FakeDingTalk struct {
	*Server

	robots   map[string]string    // access_token → secret ("" = unsigned); guarded by Server.mu
	sessions map[string]time.Time // session → expiry; guarded by Server.mu
	blocked  map[string]time.Time // robot key → end of its penalty; guarded by Server.mu
	st       *streamState         // Stream mode and the OpenAPI
}

// NewDingTalk starts a fake DingTalk for the test. It knows no robots until
// AddRobot.
func NewDingTalk(tb testing.TB) *FakeDingTalk {
	tb.Helper()
	f := &FakeDingTalk{
		robots:   map[string]string{},
		sessions: map[string]time.Time{},
		blocked:  map[string]time.Time{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /robot/send", f.webhook)
	mux.HandleFunc("POST /robot/sendBySession", f.session)
	f.Server = newServer(tb, mux)
	f.registerStream(mux)
	return f
}

// AddRobot registers a custom robot. With a secret, every send must carry a
// valid timestamp and sign.
func (f *FakeDingTalk) AddRobot(accessToken, secret string) {
	f.mu.Lock()
	f.robots[accessToken] = secret
	f.mu.Unlock()
}

// WebhookURL is the custom robot's URL, as DingTalk shows it.
func (f *FakeDingTalk) WebhookURL(accessToken string) string {
	return f.URL + "/robot/send?access_token=" + url.QueryEscape(accessToken)
}

// NewSession returns a fresh sessionWebhook that works until expires.
func (f *FakeDingTalk) NewSession(expires time.Time) string {
	id := randomHex(12)
	f.mu.Lock()
	f.sessions[id] = expires
	f.mu.Unlock()
	return f.URL + "/robot/sendBySession?session=" + id
}

// SignDingTalk is base64(HMAC-SHA256(secret, timestamp+"\n"+secret)), the
// signature of callbacks and custom robots.
func SignDingTalk(secret string, timestampMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestampMillis, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

type dingTalkBody struct {
	MsgType  string  `json:"msgtype"`
	Text     Content `json:"text"`
	Markdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
	At struct {
		AtUserIDs []string `json:"atUserIds"`
		IsAtAll   bool     `json:"isAtAll"`
	} `json:"at"`
}

func (f *FakeDingTalk) webhook(w http.ResponseWriter, r *http.Request) {
	fail, hang := f.inject()
	if fail {
		http.Error(w, "injected failure", http.StatusServiceUnavailable)
		return
	}
	now := f.now()
	raw := readBody(r)
	q := r.URL.Query()
	token := q.Get("access_token")
	m := Sent{Kind: jinqiu.KindWebhook, Robot: token, At: now}
	f.mu.Lock()
	secret, known := f.robots[token]
	f.mu.Unlock()
	switch {
	case !known:
		m.ErrCode, m.ErrMsg = CodeDingTalkNoSession, "token is not exist"
	case secret != "":
		ms, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if d := now.Sub(time.UnixMilli(ms)); err != nil || d > time.Hour || d < -time.Hour {
			m.ErrCode, m.ErrMsg = CodeDingTalkSecurity, "invalid timestamp"
		} else if !hmac.Equal([]byte(q.Get("sign")), []byte(SignDingTalk(secret, ms))) {
			m.ErrCode, m.ErrMsg = CodeDingTalkSecurity, "sign not match"
		}
	}
	if m.ErrCode == 0 {
		f.deliver(&m, raw, "dingtalk:"+token, now)
	}
	f.answer(w, r, m, hang)
}

func (f *FakeDingTalk) session(w http.ResponseWriter, r *http.Request) {
	fail, hang := f.inject()
	if fail {
		http.Error(w, "injected failure", http.StatusServiceUnavailable)
		return
	}
	now := f.now()
	raw := readBody(r)
	id := r.URL.Query().Get("session")
	m := Sent{Kind: jinqiu.KindSession, Robot: id, At: now}
	f.mu.Lock()
	expires, known := f.sessions[id]
	f.mu.Unlock()
	if !known || !now.Before(expires) {
		m.ErrCode, m.ErrMsg = CodeDingTalkNoSession, "session 不存在"
	} else {
		// Session limits are not documented; the robot limit is assumed.
		f.deliver(&m, raw, "session:"+id, now)
	}
	f.answer(w, r, m, hang)
}

// deliver checks the body and the budget of key, filling m.
func (f *FakeDingTalk) deliver(m *Sent, raw []byte, key string, now time.Time) {
	var b dingTalkBody
	if err := json.Unmarshal(raw, &b); err != nil {
		m.ErrCode, m.ErrMsg = CodeDingTalkBadBody, "invalid json (fake)"
		return
	}
	m.MsgType, m.Mentions, m.AtAll = b.MsgType, b.At.AtUserIDs, b.At.IsAtAll
	switch b.MsgType {
	case "text":
		m.Content = b.Text.Content
	case "markdown":
		m.Content, m.Title = b.Markdown.Text, b.Markdown.Title
	default:
		m.ErrCode, m.ErrMsg = CodeDingTalkBadBody, "unknown msgtype (fake)"
		return
	}
	if len(m.Content) > 20000 {
		m.ErrCode, m.ErrMsg = CodeDingTalkTooLong, "message too long, exceed 20000 bytes"
		return
	}
	f.mu.Lock()
	until := f.blocked[key]
	f.mu.Unlock()
	if now.Before(until) {
		m.ErrCode, m.ErrMsg = CodeDingTalkTooFast, "send too fast, exceed 20 times per minute"
		return
	}
	if !f.allow(key, now) {
		// DingTalk then refuses the robot for 10 minutes.
		f.mu.Lock()
		f.blocked[key] = now.Add(dingTalkPenalty)
		f.mu.Unlock()
		m.ErrCode, m.ErrMsg = CodeDingTalkTooFast, "send too fast, exceed 20 times per minute"
	}
}

// DingTalkCallback is the JSON body of a robot callback (PLATFORMS.md §4).
type DingTalkCallback struct {
	MsgType                   string  `json:"msgtype"`
	Text                      Content `json:"text"`
	MsgID                     string  `json:"msgId"`
	CreateAt                  int64   `json:"createAt"`
	ConversationType          string  `json:"conversationType"`
	ConversationID            string  `json:"conversationId,omitempty"`
	ConversationTitle         string  `json:"conversationTitle,omitempty"`
	SenderID                  string  `json:"senderId,omitempty"`
	SenderNick                string  `json:"senderNick,omitempty"`
	SenderStaffID             string  `json:"senderStaffId,omitempty"`
	SenderCorpID              string  `json:"senderCorpId,omitempty"`
	ChatbotUserID             string  `json:"chatbotUserId,omitempty"`
	RobotCode                 string  `json:"robotCode,omitempty"`
	IsInAtList                bool    `json:"isInAtList,omitempty"`
	SessionWebhook            string  `json:"sessionWebhook,omitempty"`
	SessionWebhookExpiredTime int64   `json:"sessionWebhookExpiredTime,omitempty"`
}

// Callback builds a signed robot callback to botURL for the robot with
// appSecret, stamped with the fake's clock. Empty fields get defaults: a
// random msgId, msgtype text, createAt now, conversationType from
// ConversationID, and a sessionWebhook on this fake valid for 90 minutes.
func (f *FakeDingTalk) Callback(botURL, appSecret string, c DingTalkCallback) *http.Request {
	f.tb.Helper()
	now := f.now()
	if c.MsgID == "" {
		c.MsgID = "msg" + randomHex(8)
	}
	if c.MsgType == "" {
		c.MsgType = "text"
	}
	if c.CreateAt == 0 {
		c.CreateAt = now.UnixMilli()
	}
	if c.ConversationType == "" {
		c.ConversationType = "1"
		if c.ConversationID != "" {
			c.ConversationType = "2"
		}
	}
	if c.SessionWebhook == "" {
		exp := now.Add(90 * time.Minute)
		c.SessionWebhook = f.NewSession(exp)
		c.SessionWebhookExpiredTime = exp.UnixMilli()
	}
	body, err := json.Marshal(c)
	if err != nil {
		f.tb.Fatalf("platformtest: %v", err)
	}
	return f.SignedRequest(botURL, appSecret, body)
}

// SignedRequest builds a callback POST of any body with valid timestamp and
// sign headers, for tests that need malformed bodies.
func (f *FakeDingTalk) SignedRequest(botURL, appSecret string, body []byte) *http.Request {
	f.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, botURL, bytes.NewReader(body))
	if err != nil {
		f.tb.Fatalf("platformtest: %v", err)
	}
	ms := f.now().UnixMilli()
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("timestamp", strconv.FormatInt(ms, 10))
	req.Header.Set("sign", SignDingTalk(appSecret, ms))
	return req
}
