package wecom

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/inbound"
)

// FuzzWeComDecrypt feeds garbage to the decrypt, to the envelope parsers
// behind a failing signature, and, signed and encrypted properly, to the
// message parsers and reply builders. Nothing may panic, nothing unsigned
// may reach the Processor, and every answer must be 200 or 4xx.
func FuzzWeComDecrypt(f *testing.F) {
	f.Add(vecEmptyEnc, []byte(vecEmptyPlain), false)
	f.Add(vecMsgEnc, []byte(vecMsgPlain), true)
	f.Add("", []byte(""), false)
	f.Add("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>", []byte(`<xml><MsgId>1</MsgId><MsgType>text</MsgType><From><UserId>u</UserId></From><Text><Content>@bot 签到]]></Content></Text></xml>`), true)
	f.Add(`{"encrypt":"AAAA"}`, []byte(`{"msgid":"1","msgtype":"mixed","mixed":"{\"msg_item\":[{\"msgtype\":\"text\",\"text\":{\"content\":\"a\"}}]}"}`), false)
	f.Add("!!", []byte(`{"msgid":"2","msgtype":"stream","stream":{"id":"x"}}`), false)
	f.Add("AAAA", []byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgId>&a;</MsgId></xml>`), true)
	f.Add(strings.Repeat("A", 64), []byte(`<xml><MixedMessage><MsgItem><MsgType>text</MsgType><Text><Content>x</Content></Text></MsgItem></MixedMessage><MsgType>mixed</MsgType><MsgId>3</MsgId></xml>`), true)
	f.Add("\x00\xff", []byte("{\"msgid\":\"4\",\"msgtype\":\"text\",\"text\":{\"content\":\"\x01\xfe\"},\"create_time\":\"x\"}"), false)

	c := mustCrypto(f, "")
	var calls atomic.Int64
	var bad atomic.Pointer[jinqiu.Message]
	p := inbound.ProcessorFunc(func(ctx context.Context, m jinqiu.Message) (inbound.Outcome, error) {
		calls.Add(1)
		if m.MsgID == "" || strings.TrimSpace(m.Text) == "" {
			bad.Store(&m)
		}
		// Echo untrusted text back, so reply building sees it too.
		return inbound.Outcome{Reply: jinqiu.Reply{Text: m.Text, Markdown: m.UserID, Mentions: []string{m.UserID}}}, nil
	})
	robots := []Robot{
		{Name: "ai", Mode: ModeAIBot, Token: vecToken, EncodingAESKey: vecAESKey},
		{Name: "grp", Mode: ModeGroupRobot, Token: vecToken, EncodingAESKey: vecAESKey},
	}
	h := NewHandler(robots, p, slog.New(slog.DiscardHandler))
	now := time.Unix(1700000000, 0)
	h.Now = func() time.Time { return now }
	mux := http.NewServeMux()
	h.Register(mux)
	const ts, nonce = "1700000000", "nonce123"

	post := func(robot, sig string, body []byte) *httptest.ResponseRecorder {
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		req := httptest.NewRequest(http.MethodPost, "/wecom/"+robot+"?"+q.Encode(), strings.NewReader(string(body)))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}

	f.Fuzz(func(t *testing.T, encrypt string, plain []byte, group bool) {
		if msg, err := c.Decrypt(encrypt); err == nil && len(msg) > len(encrypt) {
			t.Fatalf("decrypt made %d bytes out of %d", len(msg), len(encrypt))
		}

		robot := "ai"
		if group {
			robot = "grp"
		}
		before := calls.Load()
		for _, body := range [][]byte{[]byte(encrypt), plain} {
			rec := post(robot, strings.Repeat("0", 40), body)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Fatalf("unsigned body: status %d", rec.Code)
			}
		}
		if calls.Load() != before {
			t.Fatal("an unsigned body reached the Processor")
		}

		enc, err := c.encrypt([]byte("0123456789abcdef"), plain)
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		if group {
			body, _ = xml.Marshal(struct {
				XMLName xml.Name `xml:"xml"`
				Encrypt cdata    `xml:"Encrypt"`
			}{Encrypt: cdata{enc}})
		} else {
			body, _ = json.Marshal(jsonEnvelope{Encrypt: enc})
		}
		rec := post(robot, c.Signature(ts, nonce, enc), body)
		if m := bad.Load(); m != nil {
			t.Fatalf("Processor got %+v", *m)
		}
		switch {
		case rec.Code == http.StatusOK && rec.Body.Len() == 0:
		case rec.Code == http.StatusOK:
			openReply(t, c, rec.Body.Bytes(), group)
		case rec.Code == http.StatusBadRequest:
		default:
			t.Fatalf("signed body: status %d %q", rec.Code, rec.Body.String())
		}
	})
}

// openReply checks that a passive reply is a signed, decryptable envelope
// with the callback's nonce.
func openReply(t *testing.T, c *Crypto, body []byte, group bool) {
	t.Helper()
	var enc, sig, ts, nonce string
	if group {
		var env struct {
			Encrypt, MsgSignature, TimeStamp, Nonce string
		}
		if err := xml.Unmarshal(body, &env); err != nil {
			t.Fatalf("reply envelope: %v", err)
		}
		enc, sig, ts, nonce = env.Encrypt, env.MsgSignature, env.TimeStamp, env.Nonce
	} else {
		var env jsonReplyEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("reply envelope: %v", err)
		}
		enc, sig, ts, nonce = env.Encrypt, env.MsgSignature, env.Timestamp, env.Nonce
	}
	if nonce != "nonce123" {
		t.Fatalf("reply nonce %q", nonce)
	}
	plain, err := c.Open(sig, ts, nonce, enc)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if group {
		var gr struct{ MsgType string }
		if err := xml.Unmarshal(plain, &gr); err != nil || (gr.MsgType != "text" && gr.MsgType != "markdown") {
			t.Fatalf("reply plaintext %q: %v", plain, err)
		}
	} else {
		var sr streamReply
		if err := json.Unmarshal(plain, &sr); err != nil || sr.MsgType != "stream" || !sr.Stream.Finish {
			t.Fatalf("reply plaintext %q: %v", plain, err)
		}
	}
}
