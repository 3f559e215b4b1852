package platformtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"jinqiu"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// WeCom errcodes the fake answers with. The first four are WeCom's real
// codes (PLATFORMS.md §1, and live replies quoted in issue threads);
// CodeResponseURLSpent is the fake's own: WeCom's answer to a second use of
// a response_url is not documented.
const (
	CodeWeComFreqLimit   = 45009 // api freq out of limit
	CodeWeComInvalidKey  = 93000 // invalid webhook url
	CodeWeComTooLong     = 40058 // content exceed max length
	CodeWeComEmpty       = 44004 // empty content
	CodeWeComBadType     = 40008 // invalid message type
	CodeResponseURLSpent = 95999 // fake: response_url used, expired or unknown
)

// FakeWeCom is the WeCom API (group robot webhooks and AI-bot response_urls)
// as seen by the bot, and the WeCom callback sender as seen by the bot's
// handler.
type FakeWeCom struct {
	*Server

	keys      map[string]bool         // guarded by Server.mu
	responses map[string]*responseURL // guarded by Server.mu
}

type responseURL struct {
	expires time.Time
	used    bool
}

// NewWeCom starts a fake WeCom for the test. It knows no webhook keys until
// AddKey.
func NewWeCom(tb testing.TB) *FakeWeCom {
	tb.Helper()
	f := &FakeWeCom{keys: map[string]bool{}, responses: map[string]*responseURL{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cgi-bin/webhook/send", f.webhook)
	mux.HandleFunc("POST /cgi-bin/aibot/response", f.response)
	f.Server = newServer(tb, mux)
	return f
}

// AddKey makes key a valid group robot webhook key.
func (f *FakeWeCom) AddKey(key string) {
	f.mu.Lock()
	f.keys[key] = true
	f.mu.Unlock()
}

// WebhookURL is the full webhook URL of key, as WeCom shows it.
func (f *FakeWeCom) WebhookURL(key string) string {
	return f.URL + "/cgi-bin/webhook/send?key=" + url.QueryEscape(key)
}

// NewResponseURL returns a fresh one-use AI-bot response_url, valid for an
// hour of the fake's clock.
func (f *FakeWeCom) NewResponseURL() string {
	code := randomHex(12)
	f.mu.Lock()
	f.responses[code] = &responseURL{expires: f.now().Add(time.Hour)}
	f.mu.Unlock()
	return f.URL + "/cgi-bin/aibot/response?response_code=" + code
}

type wecomBody struct {
	MsgType string `json:"msgtype"`
	ChatID  string `json:"chatid"`
	Text    struct {
		Content       string   `json:"content"`
		MentionedList []string `json:"mentioned_list"`
	} `json:"text"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
	MarkdownV2 struct {
		Content string `json:"content"`
	} `json:"markdown_v2"`
}

// parse reads a message body into m, returning an errcode when WeCom would
// refuse it.
func (b *wecomBody) into(m *Sent, raw []byte, textLimit, mdLimit int) (int, string) {
	if err := json.Unmarshal(raw, b); err != nil {
		return CodeWeComBadType, "invalid json"
	}
	m.MsgType, m.ChatID = b.MsgType, b.ChatID
	limit := 0
	switch b.MsgType {
	case "text":
		m.Content, m.Mentions, limit = b.Text.Content, b.Text.MentionedList, textLimit
	case "markdown":
		m.Content, limit = b.Markdown.Content, mdLimit
	case "markdown_v2":
		m.Content, limit = b.MarkdownV2.Content, mdLimit
	default:
		return CodeWeComBadType, "invalid message type"
	}
	if m.Content == "" {
		return CodeWeComEmpty, "empty content"
	}
	if len(m.Content) > limit {
		return CodeWeComTooLong, fmt.Sprintf("%s.content exceed max length %d", b.MsgType, limit)
	}
	return 0, ""
}

func (f *FakeWeCom) webhook(w http.ResponseWriter, r *http.Request) {
	fail, hang := f.inject()
	if fail {
		http.Error(w, "injected failure", http.StatusServiceUnavailable)
		return
	}
	now := f.now()
	raw := readBody(r)
	key := r.URL.Query().Get("key")
	m := Sent{Kind: jinqiu.KindWebhook, Robot: key, At: now}
	f.mu.Lock()
	known := f.keys[key]
	f.mu.Unlock()
	if !known {
		m.ErrCode, m.ErrMsg = CodeWeComInvalidKey, "invalid webhook url"
		f.answer(w, r, m, hang)
		return
	}
	var b wecomBody
	if code, msg := b.into(&m, raw, 2048, 4096); code != 0 {
		m.ErrCode, m.ErrMsg = code, msg
		f.answer(w, r, m, hang)
		return
	}
	if !f.allow("wecom:"+key, now) {
		m.ErrCode, m.ErrMsg = CodeWeComFreqLimit, "api freq out of limit"
	}
	f.answer(w, r, m, hang)
}

func (f *FakeWeCom) response(w http.ResponseWriter, r *http.Request) {
	fail, hang := f.inject()
	if fail {
		http.Error(w, "injected failure", http.StatusServiceUnavailable)
		return
	}
	now := f.now()
	raw := readBody(r)
	code := r.URL.Query().Get("response_code")
	m := Sent{Kind: jinqiu.KindResponseURL, Robot: code, At: now}
	f.mu.Lock()
	ru := f.responses[code]
	spent := ru == nil || ru.used || !now.Before(ru.expires)
	if !spent {
		ru.used = true
	}
	f.mu.Unlock()
	if spent {
		m.ErrCode, m.ErrMsg = CodeResponseURLSpent, "response_url used, expired or unknown (fake)"
		f.answer(w, r, m, hang)
		return
	}
	var b wecomBody
	if code, msg := b.into(&m, raw, 20480, 20480); code != 0 {
		m.ErrCode, m.ErrMsg = code, msg
	}
	f.answer(w, r, m, hang)
}

// Content is a {content} object, in JSON and in XML.
type Content struct {
	Content string `json:"content" xml:"Content"`
}

// WeComUser is the sender of an AI-bot callback.
type WeComUser struct {
	UserID string `json:"userid"`
}

// AIBotMessage is the plaintext of an AI-bot callback (doc 100719).
type AIBotMessage struct {
	MsgID       string      `json:"msgid"`
	AIBotID     string      `json:"aibotid,omitempty"`
	ChatID      string      `json:"chatid,omitempty"`
	ChatType    string      `json:"chattype,omitempty"`
	From        WeComUser   `json:"from"`
	ResponseURL string      `json:"response_url,omitempty"`
	MsgType     string      `json:"msgtype"`
	CreateTime  int64       `json:"create_time,omitempty"`
	Text        *Content    `json:"text,omitempty"`
	Voice       *Content    `json:"voice,omitempty"`
	Mixed       *AIBotMixed `json:"mixed,omitempty"`
	Stream      *StreamRef  `json:"stream,omitempty"`
	Event       *AIBotEvent `json:"event,omitempty"`
}

// AIBotMixed is a mixed text-and-image message.
type AIBotMixed struct {
	Items []AIBotItem `json:"msg_item"`
}

// AIBotItem is one item of a mixed message.
type AIBotItem struct {
	MsgType string    `json:"msgtype"`
	Text    *Content  `json:"text,omitempty"`
	Image   *ImageRef `json:"image,omitempty"`
}

// ImageRef points at an image.
type ImageRef struct {
	URL string `json:"url"`
}

// StreamRef names the stream of a refresh callback.
type StreamRef struct {
	ID string `json:"id"`
}

// AIBotEvent is the event of an event callback.
type AIBotEvent struct {
	EventType string `json:"eventtype"`
}

// GroupRobotMessage is the plaintext of a group-robot callback (doc 99399).
type GroupRobotMessage struct {
	XMLName      xml.Name         `xml:"xml"`
	WebhookURL   string           `xml:"WebhookUrl,omitempty"`
	MsgID        string           `xml:"MsgId"`
	ChatID       string           `xml:"ChatId,omitempty"`
	ChatType     string           `xml:"ChatType,omitempty"`
	From         GroupRobotUser   `xml:"From"`
	MsgType      string           `xml:"MsgType"`
	Text         *Content         `xml:"Text,omitempty"`
	MixedMessage *GroupRobotMixed `xml:"MixedMessage,omitempty"`
	Event        *GroupRobotEvent `xml:"Event,omitempty"`
}

// GroupRobotUser is the sender of a group-robot callback.
type GroupRobotUser struct {
	UserID string `xml:"UserId"`
	Name   string `xml:"Name,omitempty"`
	Alias  string `xml:"Alias,omitempty"`
}

// GroupRobotMixed is a mixed message.
type GroupRobotMixed struct {
	Items []GroupRobotItem `xml:"MsgItem"`
}

// GroupRobotItem is one item of a mixed message.
type GroupRobotItem struct {
	MsgType string   `xml:"MsgType"`
	Text    *Content `xml:"Text,omitempty"`
}

// GroupRobotEvent is the event of an event callback.
type GroupRobotEvent struct {
	EventType string `xml:"EventType"`
}

// AIBotReply is the decrypted passive reply to an AI-bot callback.
type AIBotReply struct {
	MsgType string `json:"msgtype"`
	Stream  struct {
		ID      string `json:"id"`
		Finish  bool   `json:"finish"`
		Content string `json:"content"`
	} `json:"stream"`
	Text Content `json:"text"`
}

// GroupRobotReply is the decrypted passive reply to a group-robot callback.
type GroupRobotReply struct {
	XMLName xml.Name `xml:"xml"`
	MsgType string   `xml:"MsgType"`
	Text    struct {
		Content       string   `xml:"Content"`
		MentionedList []string `xml:"MentionedList>Item"`
	} `xml:"Text"`
	Markdown Content `xml:"Markdown"`
}

// WeComPeer is WeCom's side of one robot's callbacks: it encrypts and signs
// what WeCom would send, and opens what the bot answers. Its methods call
// tb.Fatal on setup errors, so use them from the test's goroutine.
type WeComPeer struct {
	Token          string
	EncodingAESKey string
	// WebhookKey, if set, fills WebhookUrl of group-robot callbacks.
	WebhookKey string

	f   *FakeWeCom
	key []byte
}

// Peer returns the platform side of the robot with token and encodingAESKey.
func (f *FakeWeCom) Peer(token, encodingAESKey string) *WeComPeer {
	f.tb.Helper()
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		f.tb.Fatalf("platformtest: bad EncodingAESKey %q", encodingAESKey)
	}
	return &WeComPeer{Token: token, EncodingAESKey: encodingAESKey, f: f, key: key}
}

// Seal encrypts plaintext with receiveid "" and signs it, stamped with the
// fake's clock and a fresh nonce, as WeCom does.
func (p *WeComPeer) Seal(plaintext []byte) (encrypt, signature, timestamp, nonce string) {
	p.f.tb.Helper()
	random := make([]byte, 16)
	rand.Read(random)
	enc, err := util.EncryptMsg(random, plaintext, "", p.EncodingAESKey)
	if err != nil {
		p.f.tb.Fatalf("platformtest: encrypt: %v", err)
	}
	encrypt = string(enc)
	timestamp = strconv.FormatInt(p.f.now().Unix(), 10)
	nonce = strconv.FormatUint(uint64(binary.BigEndian.Uint32(random[:4])), 10)
	return encrypt, util.Signature(p.Token, timestamp, nonce, encrypt), timestamp, nonce
}

func signedURL(botURL, sig, ts, nonce string, extra url.Values) string {
	v := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
	for k, vs := range extra {
		v[k] = vs
	}
	sep := "?"
	if strings.Contains(botURL, "?") {
		sep = "&"
	}
	// Encode percent-encodes '+', '/' and '=' as WeCom does.
	return botURL + sep + v.Encode()
}

// URLVerification builds WeCom's GET check of botURL and returns it with the
// plaintext the bot must echo.
func (p *WeComPeer) URLVerification(botURL string) (*http.Request, string) {
	p.f.tb.Helper()
	echo := strconv.FormatUint(uint64(time.Now().UnixNano()), 10)
	enc, sig, ts, nonce := p.Seal([]byte(echo))
	req, err := http.NewRequest(http.MethodGet, signedURL(botURL, sig, ts, nonce, url.Values{"echostr": {enc}}), nil)
	if err != nil {
		p.f.tb.Fatalf("platformtest: %v", err)
	}
	return req, echo
}

// Request builds an encrypted callback POST to botURL carrying plaintext,
// in the XML envelope of group robots or the JSON one of AI bots.
func (p *WeComPeer) Request(botURL string, plaintext []byte, xmlEnvelope bool) *http.Request {
	p.f.tb.Helper()
	enc, sig, ts, nonce := p.Seal(plaintext)
	var body []byte
	ctype := "application/json"
	if xmlEnvelope {
		body = []byte("<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
		ctype = "application/xml"
	} else {
		body, _ = json.Marshal(map[string]string{"encrypt": enc})
	}
	req, err := http.NewRequest(http.MethodPost, signedURL(botURL, sig, ts, nonce, nil), bytes.NewReader(body))
	if err != nil {
		p.f.tb.Fatalf("platformtest: %v", err)
	}
	req.Header.Set("Content-Type", ctype)
	return req
}

// AIBot builds an AI-bot callback. Empty fields get defaults: a random
// msgid, msgtype text when Text is set, chattype from ChatID, and a fresh
// response_url for text, voice and mixed messages.
func (p *WeComPeer) AIBot(botURL string, m AIBotMessage) *http.Request {
	p.f.tb.Helper()
	if m.MsgID == "" {
		m.MsgID = "msg-" + randomHex(8)
	}
	if m.AIBotID == "" {
		m.AIBotID = "aibot-fake"
	}
	if m.MsgType == "" && m.Text != nil {
		m.MsgType = "text"
	}
	if m.ChatType == "" {
		m.ChatType = "single"
		if m.ChatID != "" {
			m.ChatType = "group"
		}
	}
	if m.ResponseURL == "" && (m.MsgType == "text" || m.MsgType == "voice" || m.MsgType == "mixed") {
		m.ResponseURL = p.f.NewResponseURL()
	}
	plain, err := json.Marshal(m)
	if err != nil {
		p.f.tb.Fatalf("platformtest: %v", err)
	}
	return p.Request(botURL, plain, false)
}

// GroupRobot builds a group-robot callback. Empty fields get defaults: a
// random MsgId, MsgType text when Text is set, ChatType from ChatId, and
// WebhookUrl from WebhookKey.
func (p *WeComPeer) GroupRobot(botURL string, m GroupRobotMessage) *http.Request {
	p.f.tb.Helper()
	if m.MsgID == "" {
		m.MsgID = "msg-" + randomHex(8)
	}
	if m.MsgType == "" && m.Text != nil {
		m.MsgType = "text"
	}
	if m.ChatType == "" {
		m.ChatType = "single"
		if m.ChatID != "" {
			m.ChatType = "group"
		}
	}
	if m.WebhookURL == "" && p.WebhookKey != "" {
		m.WebhookURL = p.f.WebhookURL(p.WebhookKey)
	}
	plain, err := xml.Marshal(m)
	if err != nil {
		p.f.tb.Fatalf("platformtest: %v", err)
	}
	return p.Request(botURL, plain, true)
}

// OpenAIBotReply checks and decrypts the bot's passive answer (body) to
// req: the signature, the echoed nonce, the receiveid.
func (p *WeComPeer) OpenAIBotReply(req *http.Request, body []byte) (AIBotReply, error) {
	var env struct {
		Encrypt      string          `json:"encrypt"`
		MsgSignature string          `json:"msgsignature"`
		Timestamp    json.RawMessage `json:"timestamp"`
		Nonce        string          `json:"nonce"`
	}
	var out AIBotReply
	if err := json.Unmarshal(body, &env); err != nil {
		return out, fmt.Errorf("reply envelope: %w", err)
	}
	plain, err := p.open(req, env.Encrypt, env.MsgSignature, strings.Trim(string(env.Timestamp), `"`), env.Nonce)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(plain, &out); err != nil {
		return out, fmt.Errorf("reply plaintext: %w", err)
	}
	return out, nil
}

// OpenGroupRobotReply checks and decrypts the bot's passive XML answer.
func (p *WeComPeer) OpenGroupRobotReply(req *http.Request, body []byte) (GroupRobotReply, error) {
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	var out GroupRobotReply
	if err := xml.Unmarshal(body, &env); err != nil {
		return out, fmt.Errorf("reply envelope: %w", err)
	}
	plain, err := p.open(req, env.Encrypt, env.MsgSignature, env.TimeStamp, env.Nonce)
	if err != nil {
		return out, err
	}
	if err := xml.Unmarshal(plain, &out); err != nil {
		return out, fmt.Errorf("reply plaintext: %w", err)
	}
	return out, nil
}

func (p *WeComPeer) open(req *http.Request, enc, sig, ts, nonce string) ([]byte, error) {
	if want := req.URL.Query().Get("nonce"); nonce != want {
		return nil, fmt.Errorf("reply nonce %q, callback nonce %q", nonce, want)
	}
	want := util.Signature(p.Token, ts, nonce, enc)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return nil, errors.New("reply signature mismatch")
	}
	return decryptWeCom(p.key, enc, "")
}

// decryptWeCom is the fake's own WXBizMsgCrypt decrypt, kept apart from the
// bot's so that the two check each other.
func decryptWeCom(key []byte, enc, receiveID string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("reply base64: %w", err)
	}
	if len(ct) == 0 || len(ct)%32 != 0 {
		return nil, fmt.Errorf("reply ciphertext length %d", len(ct))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > 32 || !bytes.Equal(pt[len(pt)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("reply padding")
	}
	pt = pt[:len(pt)-pad]
	if len(pt) < 20 {
		return nil, errors.New("reply too short")
	}
	n := int(binary.BigEndian.Uint32(pt[16:20]))
	if n < 0 || n > len(pt)-20 {
		return nil, errors.New("reply length field")
	}
	if got := string(pt[20+n:]); got != receiveID {
		return nil, fmt.Errorf("reply receiveid %q, want %q", got, receiveID)
	}
	return pt[20 : 20+n], nil
}
