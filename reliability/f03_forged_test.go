package reliability

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot/platformtest"
)

// forged is one request of the corpus and the status it must get (0: any
// 4xx).
type forged struct {
	kind   string
	method string
	path   string
	header http.Header
	body   []byte
	want   int
}

// wecomSealer builds WeCom callbacks with every part under the test's
// control, so that each can be wrong in one way.
type wecomSealer struct {
	token string
	key   []byte
}

func newSealer(t testing.TB, p *platformtest.WeComPeer) wecomSealer {
	key, err := base64.StdEncoding.DecodeString(p.EncodingAESKey + "=")
	if err != nil || len(key) != 32 {
		t.Fatalf("bad EncodingAESKey %q", p.EncodingAESKey)
	}
	return wecomSealer{token: p.Token, key: key}
}

// encrypt is WXBizMsgCrypt's encryption with a chosen receiveid and a
// padding function (nil: PKCS#7 to 32 bytes, as WeCom does).
func (s wecomSealer) encrypt(plain []byte, receiveID string, pad func(n int) []byte) string {
	var b bytes.Buffer
	random := make([]byte, 16)
	rand.Read(random)
	b.Write(random)
	binary.Write(&b, binary.BigEndian, uint32(len(plain)))
	b.Write(plain)
	b.WriteString(receiveID)
	if pad == nil {
		pad = func(n int) []byte {
			k := 32 - n%32
			return bytes.Repeat([]byte{byte(k)}, k)
		}
	}
	b.Write(pad(b.Len()))
	pt := b.Bytes()
	if len(pt)%aes.BlockSize != 0 {
		pt = append(pt, make([]byte, aes.BlockSize-len(pt)%aes.BlockSize)...)
	}
	block, _ := aes.NewCipher(s.key)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, s.key[:16]).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct)
}

func wecomSignature(token, ts, nonce, enc string) string {
	parts := []string{token, ts, nonce, enc}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// request builds a POST to path with the signed query and an envelope
// around enc (JSON for the AI bot, XML for the group robot).
func (s wecomSealer) request(path, token, ts, nonce, enc string, xmlBody bool) forged {
	q := url.Values{"msg_signature": {wecomSignature(token, ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
	f := forged{method: http.MethodPost, path: path + "?" + q.Encode(), header: http.Header{}}
	if xmlBody {
		f.body = []byte("<xml><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
		f.header.Set("Content-Type", "application/xml")
	} else {
		f.body, _ = json.Marshal(map[string]string{"encrypt": enc})
		f.header.Set("Content-Type", "application/json")
	}
	return f
}

func nowTS() string { return strconv.FormatInt(time.Now().Unix(), 10) }
func nonce() string { return strconv.FormatUint(mrand.Uint64()%1e10, 10) }
func flipHex(s string) string {
	if s == "" {
		return "0"
	}
	b := []byte(s)
	i := mrand.IntN(len(b))
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

func flipB64(s string) string {
	b := []byte(s)
	for {
		i := mrand.IntN(len(b))
		if b[i] == '=' {
			continue
		}
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
}

func nestedJSON(depth int) []byte {
	return []byte(`{"encrypt":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
}

func nestedXML(depth int) []byte {
	return []byte("<xml>" + strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth) + "</xml>")
}

const billionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><xml><Encrypt>&lol4;</Encrypt></xml>`

const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt></xml>`

// corpus returns n forged or malformed callbacks, every kind in turn.
func (w *world) corpus(t testing.TB, n int) []forged {
	t.Helper()
	ai, gr := newSealer(t, w.aiPeer), newSealer(t, w.grPeer)
	b := w.branches[0]
	aiPath, grPath, ddPath := "/wecom/"+robotAIBot, "/wecom/"+robotGroup, "/dingtalk/"+robotDing
	aiPlain := func() []byte {
		p, _ := json.Marshal(map[string]any{"msgid": "forged-" + randToken(10), "aibotid": "x", "chatid": b.WeComChat, "chattype": "group",
			"from": map[string]string{"userid": "intruder-" + randToken(4)}, "msgtype": "text", "text": map[string]string{"content": "报到"}})
		return p
	}
	grPlain := func() []byte {
		return []byte("<xml><MsgId>forged-" + randToken(10) + "</MsgId><ChatId>" + b.GroupChat + "</ChatId><ChatType>group</ChatType><From><UserId>intruder</UserId></From><MsgType>text</MsgType><Text><Content>报到</Content></Text></xml>")
	}
	ddBody := func() []byte {
		p, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "报到"}, "msgId": "forged-" + randToken(10),
			"conversationType": "2", "conversationId": b.DingChat, "senderStaffId": "intruder-" + randToken(4), "senderNick": "入侵者"})
		return p
	}
	ddReq := func(ts, sign string, body []byte) forged {
		f := forged{method: http.MethodPost, path: ddPath, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: body}
		if ts != "" {
			f.header.Set("timestamp", ts)
		}
		if sign != "" {
			f.header.Set("sign", sign)
		}
		return f
	}
	ddSigned := func(body []byte) forged {
		ms := time.Now().UnixMilli()
		return ddReq(strconv.FormatInt(ms, 10), platformtest.SignDingTalk(w.ddSecret, ms), body)
	}
	big := func(n int) []byte { return bytes.Repeat([]byte("A"), n) }
	pkcs := func(k int) func(int) []byte {
		return func(n int) []byte {
			p := 32 - n%32
			return append(bytes.Repeat([]byte{byte(p)}, p-1), byte(k))
		}
	}

	gens := []func() forged{
		// WeCom AI bot: signature and crypto
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			u, _ := url.Parse(f.path)
			q := u.Query()
			q.Set("msg_signature", flipHex(q.Get("msg_signature")))
			f.path = aiPath + "?" + q.Encode()
			f.kind, f.want = "wecom bit-flipped signature", 401
			return f
		},
		func() forged {
			f := ai.request(aiPath, "wrongtoken"+randToken(4), nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.kind, f.want = "wecom wrong token", 401
			return f
		},
		func() forged {
			other := wecomSealer{token: ai.token, key: []byte(randToken(32))}
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), other.encrypt(aiPlain(), "", nil), false)
			f.kind = "wecom wrong AES key"
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			u, _ := url.Parse(f.path)
			q := u.Query()
			q.Del([]string{"msg_signature", "timestamp", "nonce"}[mrand.IntN(3)])
			f.path = aiPath + "?" + q.Encode()
			f.kind, f.want = "wecom missing query parameter", 400
			return f
		},
		func() forged {
			ts := strconv.FormatInt(time.Now().Add(-time.Duration(301+mrand.IntN(7200))*time.Second).Unix(), 10)
			f := ai.request(aiPath, ai.token, ts, nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.kind, f.want = "wecom stale timestamp (> 5 min)", 401
			return f
		},
		func() forged {
			// A minute beyond the window: the corpus is built before it is sent.
			ts := strconv.FormatInt(time.Now().Add(time.Duration(360+mrand.IntN(7200))*time.Second).Unix(), 10)
			f := ai.request(aiPath, ai.token, ts, nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.kind, f.want = "wecom future timestamp (> 5 min)", 401
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, "yesterday", nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.kind, f.want = "wecom non-numeric timestamp", 401
			return f
		},
		func() forged {
			k := []int{0, 33, 255}[mrand.IntN(3)]
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", pkcs(k)), false)
			f.kind, f.want = "wecom bad AES padding", 400
			return f
		},
		func() forged {
			enc := ai.encrypt(aiPlain(), "", nil)
			raw, _ := base64.StdEncoding.DecodeString(enc)
			enc = base64.StdEncoding.EncodeToString(raw[:len(raw)-1-mrand.IntN(15)])
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), enc, false)
			f.kind, f.want = "wecom ciphertext not a whole block", 400
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), "!!not*base64!!"+randToken(8), false)
			f.kind, f.want = "wecom encrypt not base64", 400
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "wwcorp"+randToken(6), nil), false)
			f.kind, f.want = "wecom wrong receiveid", 401
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt([]byte(`{"msgid":"x","msgtype":"text","text":{"content":"报到"`), "", nil), false)
			f.kind, f.want = "wecom signed, truncated inner JSON", 400
			return f
		},
		func() forged {
			p, _ := json.Marshal(map[string]any{"chatid": b.WeComChat, "chattype": "group", "from": map[string]string{"userid": "u"}, "msgtype": "text", "text": map[string]string{"content": "报到"}})
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(p, "", nil), false)
			f.kind, f.want = "wecom signed, no msgid", 400
			return f
		},
		// WeCom envelope
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.body = f.body[:len(f.body)/2]
			f.kind, f.want = "wecom truncated envelope JSON", 400
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), "", false)
			f.body = []byte([]string{`{"encrypt":}`, `{"encrypt":1}`, `[]`, `null`, `{"encrypt":"a"`, ``}[mrand.IntN(6)])
			f.kind, f.want = "wecom malformed envelope JSON", 0
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), "", false)
			f.body = []byte("\xff\xfe\xfd{\"encrypt\":\"\xc3\x28\"}")
			f.kind, f.want = "wecom non-UTF-8 envelope", 0
			return f
		},
		func() forged {
			enc := "\xc3\x28" + randToken(20)
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), enc, false)
			f.kind, f.want = "wecom non-UTF-8 ciphertext, signed", 0
			return f
		},
		func() forged {
			enc := ai.encrypt(aiPlain(), "", nil)
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), enc, false)
			f.body = []byte("encrypt=" + url.QueryEscape(enc))
			f.header.Set("Content-Type", "application/x-www-form-urlencoded")
			f.kind, f.want = "wecom wrong content type (form body)", 400
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.body = append(f.body, big(1536<<10)...)
			f.kind, f.want = "wecom body over 1 MiB", 413
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.body = []byte(`{"encrypt":"` + string(big(70<<10)) + `"}`)
			f.kind, f.want = "wecom body over the 64 KiB cap", 413
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), "", false)
			f.body = nestedJSON(30000)
			f.kind, f.want = "wecom 30k-deep JSON", 400
			return f
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), "", false)
			f.body = nestedJSON(100000)
			f.kind, f.want = "wecom 100k-deep JSON (over the cap)", 413
			return f
		},
		// WeCom group robot (XML)
		func() forged {
			f := gr.request(grPath, gr.token, nowTS(), nonce(), gr.encrypt(grPlain(), "", nil), true)
			f.body = []byte(`<!DOCTYPE xml [<!ELEMENT xml ANY>]>` + string(f.body))
			f.kind, f.want = "wecom XML envelope with DOCTYPE", 400
			return f
		},
		func() forged {
			f := gr.request(grPath, gr.token, nowTS(), nonce(), "", true)
			f.body = []byte([]string{billionLaughs, xxe}[mrand.IntN(2)])
			f.kind, f.want = "wecom XML entity bomb / XXE", 400
			return f
		},
		func() forged {
			f := gr.request(grPath, gr.token, nowTS(), nonce(), "", true)
			f.body = nestedXML(5000)
			f.kind, f.want = "wecom deeply nested XML", 400
			return f
		},
		func() forged {
			f := gr.request(grPath, gr.token, nowTS(), nonce(), gr.encrypt(grPlain(), "", nil), true)
			f.body = f.body[:len(f.body)-5-mrand.IntN(20)]
			f.kind, f.want = "wecom truncated XML envelope", 400
			return f
		},
		func() forged {
			inner := []byte(`<!DOCTYPE xml [<!ENTITY a "报到">]><xml><MsgId>forged-` + randToken(8) + `</MsgId><ChatId>` + b.GroupChat + `</ChatId><From><UserId>u</UserId></From><MsgType>text</MsgType><Text><Content>&a;</Content></Text></xml>`)
			f := gr.request(grPath, gr.token, nowTS(), nonce(), gr.encrypt(inner, "", nil), true)
			f.kind, f.want = "wecom signed inner XML with DOCTYPE", 400
			return f
		},
		func() forged {
			inner := []byte("<xml>" + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + "<MsgId>x</MsgId><MsgType>text</MsgType><Text><Content>报到</Content></Text></xml>")
			f := gr.request(grPath, gr.token, nowTS(), nonce(), gr.encrypt(inner, "", nil), true)
			f.kind, f.want = "wecom signed inner XML nested too deep", 400
			return f
		},
		func() forged {
			f := gr.request(grPath, gr.token, nowTS(), nonce(), gr.encrypt(grPlain(), "", nil), true)
			u, _ := url.Parse(f.path)
			q := u.Query()
			q.Set("msg_signature", flipHex(q.Get("msg_signature")))
			f.path = grPath + "?" + q.Encode()
			f.kind, f.want = "wecom group robot bit-flipped signature", 401
			return f
		},
		// other routes
		func() forged {
			f := ai.request("/wecom/nosuchrobot", ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.kind, f.want = "unknown robot", 404
			return f
		},
		func() forged {
			enc := ai.encrypt([]byte("12345"), "", nil)
			q := url.Values{"msg_signature": {flipHex(wecomSignature(ai.token, nowTS(), "1", enc))}, "timestamp": {nowTS()}, "nonce": {"1"}, "echostr": {enc}}
			return forged{kind: "wecom URL check with a bad signature", method: http.MethodGet, path: aiPath + "?" + q.Encode(), header: http.Header{}, want: 401}
		},
		func() forged {
			f := ai.request(aiPath, ai.token, nowTS(), nonce(), ai.encrypt(aiPlain(), "", nil), false)
			f.method, f.kind, f.want = http.MethodPut, "wrong method", 405
			return f
		},
		// DingTalk: headers
		func() forged {
			ms := time.Now().UnixMilli()
			f := ddReq(strconv.FormatInt(ms, 10), flipB64(platformtest.SignDingTalk(w.ddSecret, ms)), ddBody())
			f.kind, f.want = "dingtalk bit-flipped sign", 401
			return f
		},
		func() forged {
			ms := time.Now().UnixMilli()
			f := ddReq(strconv.FormatInt(ms, 10), platformtest.SignDingTalk("wrong-"+randToken(8), ms), ddBody())
			f.kind, f.want = "dingtalk wrong secret", 401
			return f
		},
		func() forged {
			ms := time.Now().UnixMilli()
			ts, sign := strconv.FormatInt(ms, 10), platformtest.SignDingTalk(w.ddSecret, ms)
			switch mrand.IntN(3) {
			case 0:
				ts = ""
			case 1:
				sign = ""
			default:
				ts, sign = "", ""
			}
			f := ddReq(ts, sign, ddBody())
			f.kind, f.want = "dingtalk missing header", 401
			return f
		},
		func() forged {
			ms := time.Now().Add(-time.Hour - time.Duration(1+mrand.IntN(5*3600))*time.Second).UnixMilli()
			f := ddReq(strconv.FormatInt(ms, 10), platformtest.SignDingTalk(w.ddSecret, ms), ddBody())
			f.kind, f.want = "dingtalk stale timestamp (> 1 h)", 401
			return f
		},
		func() forged {
			ms := time.Now().Add(time.Hour + time.Duration(60+mrand.IntN(5*3600))*time.Second).UnixMilli()
			f := ddReq(strconv.FormatInt(ms, 10), platformtest.SignDingTalk(w.ddSecret, ms), ddBody())
			f.kind, f.want = "dingtalk future timestamp (> 1 h)", 401
			return f
		},
		func() forged {
			ms := time.Now().UnixMilli()
			f := ddReq("0"+strconv.FormatInt(ms, 10), platformtest.SignDingTalk(w.ddSecret, ms), ddBody())
			f.kind, f.want = "dingtalk timestamp re-spelt (leading zero)", 401
			return f
		},
		func() forged {
			s := time.Now().Unix()
			f := ddReq(strconv.FormatInt(s, 10), platformtest.SignDingTalk(w.ddSecret, s), ddBody())
			f.kind, f.want = "dingtalk timestamp in seconds", 401
			return f
		},
		// DingTalk: body under valid headers (the body is not signed)
		func() forged {
			f := ddSigned([]byte("\xff\xfe\xfd\x00garbage"))
			f.kind, f.want = "dingtalk signed, non-UTF-8 body", 400
			return f
		},
		func() forged {
			f := ddSigned([]byte("msgtype=text&content=%E6%8A%A5%E5%88%B0"))
			f.header.Set("Content-Type", "application/x-www-form-urlencoded")
			f.kind, f.want = "dingtalk signed, wrong content type (form body)", 400
			return f
		},
		func() forged {
			body := ddBody()
			f := ddSigned(body[:len(body)/2])
			f.kind, f.want = "dingtalk signed, truncated JSON", 400
			return f
		},
		func() forged {
			f := ddSigned([]byte([]string{`{"msgtype":}`, `{"text":{"content":"报到"},}`, `[1,2`, `{"msgId":1e999}`}[mrand.IntN(4)]))
			f.kind, f.want = "dingtalk signed, malformed JSON", 400
			return f
		},
		func() forged {
			f := ddSigned(nestedJSON(30000))
			f.kind, f.want = "dingtalk signed, 30k-deep JSON", 400
			return f
		},
		func() forged {
			f := ddSigned(append(ddBody(), big(1536<<10)...))
			f.kind, f.want = "dingtalk signed, body over 1 MiB", 413
			return f
		},
		func() forged {
			f := ddReq("", "", big(1536<<10))
			f.kind, f.want = "dingtalk unsigned, body over 1 MiB", 401
			return f
		},
		func() forged {
			p, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": "报到"}, "conversationType": "2", "conversationId": b.DingChat, "senderStaffId": "u"})
			f := ddSigned(p)
			f.kind, f.want = "dingtalk signed, no msgId", 400
			return f
		},
	}
	out := make([]forged, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, gens[i%len(gens)]())
	}
	mrand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// rss reads process_resident_memory_bytes from a replica's /metrics.
func (r *replica) rss() int64 {
	resp, err := http.Get(r.base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int64(f)
		}
	}
	return 0
}

// TestF3ForgedCorpus: forged and malformed callbacks get 4xx (413 when
// oversize), change no row of any table, make no outbound send, and leave
// the server healthy with no panic; a DingTalk body that is signed but
// carries a foreign sessionWebhook is processed, and the foreign host is
// never contacted.
func TestF3ForgedCorpus(t *testing.T) {
	heavy(t)
	N := size(1000, 10000)
	ctx, cancel := context.WithTimeout(context.Background(), sizeD(2*time.Minute, 10*time.Minute))
	defer cancel()
	w := newWorld(t, worldOpts{branches: 1})
	r := w.serve(t)
	corpus := w.corpus(t, N)

	before := w.counts(t)
	sendsBefore := len(w.wc.Requests()) + len(w.dd.Requests())
	c := loadClient(10 * time.Second)
	type outcome struct {
		f      forged
		status int
		err    error
		lat    time.Duration
	}
	outcomes := make([]outcome, len(corpus))
	var peakRSS atomic.Int64
	stopRSS := make(chan struct{})
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		for {
			if v := r.rss(); v > peakRSS.Load() {
				peakRSS.Store(v)
			}
			select {
			case <-stopRSS:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, f := range corpus {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req, err := http.NewRequestWithContext(ctx, f.method, r.base+f.path, bytes.NewReader(f.body))
			if err != nil {
				outcomes[i] = outcome{f: f, err: err}
				return
			}
			req.Header = f.header.Clone()
			t0 := time.Now()
			resp, err := c.Do(req)
			o := outcome{f: f, err: err, lat: time.Since(t0)}
			if err == nil {
				o.status = resp.StatusCode
				resp.Body.Close()
			}
			outcomes[i] = o
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopRSS)
	<-rssDone
	time.Sleep(time.Second) // anything asynchronous would have written by now
	diff := diffCounts(before, w.counts(t))
	sends := len(w.wc.Requests()) + len(w.dd.Requests()) - sendsBefore

	var lat []time.Duration
	var fourxx, wrongStatus, transport int
	byKind := map[string]map[int]int{}
	for _, o := range outcomes {
		lat = append(lat, o.lat)
		if byKind[o.f.kind] == nil {
			byKind[o.f.kind] = map[int]int{}
		}
		byKind[o.f.kind][o.status]++
		switch {
		case o.err != nil:
			transport++
		case o.status >= 400 && o.status < 500:
			fourxx++
			if o.f.want != 0 && o.status != o.f.want {
				wrongStatus++
			}
		default:
			wrongStatus++
		}
	}
	health := http.StatusOK
	if resp, err := http.Get(r.base + "/healthz"); err != nil {
		health = 0
	} else {
		health = resp.StatusCode
		resp.Body.Close()
	}
	ready := r.ready(3 * time.Second)
	panics := r.panics()
	figure(t, "F3 forged/malformed corpus: %d requests of %d kinds → 4xx %d/%d (%.1f%%), other status %d, transport errors %d, unexpected status %d; row changes: %s; outbound sends %d; p99 %s max %s; peak RSS %.1f MB; healthz %d readyz %d; panic lines %d; %.1fs",
		N, len(byKind), fourxx, N, 100*float64(fourxx)/float64(N), N-fourxx-transport, transport, wrongStatus, fmtCounts(diff), sends,
		ms(percentile(lat, .99)), ms(percentile(lat, 1)), float64(peakRSS.Load())/(1<<20), health, ready, len(panics), elapsed.Seconds())

	if fourxx != N || wrongStatus != 0 || transport != 0 {
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			t.Logf("  %-50s %v", k, byKind[k])
		}
		for _, o := range outcomes {
			if o.err != nil || o.status < 400 || o.status >= 500 || (o.f.want != 0 && o.status != o.f.want) {
				t.Errorf("%s: status %d (want %d) %v", o.f.kind, o.status, o.f.want, o.err)
			}
		}
	}
	if len(diff) != 0 {
		t.Errorf("rows changed: %s", fmtCounts(diff))
	}
	if sends != 0 {
		t.Errorf("%d outbound sends at the fakes", sends)
	}
	if health != http.StatusOK || ready != http.StatusOK {
		t.Errorf("after the corpus: healthz %d, readyz %d", health, ready)
	}
	if len(panics) > 0 {
		t.Errorf("panic in the log: %s", panics[0])
	}
	if peak := peakRSS.Load(); peak > 200<<20 {
		t.Errorf("peak RSS %.1f MB, want < 200 MB", float64(peak)/(1<<20))
	}
	if p := percentile(lat, .99); p > 2*time.Second {
		t.Errorf("p99 %v: something waits on forged input", p)
	}

	t.Run("foreign sessionWebhook", func(t *testing.T) { foreignSession(t, w, r) })
}

// foreignSession sends correctly signed DingTalk callbacks whose body
// names a sessionWebhook on another host (a local listener standing in
// for an attacker's): they are processed, and the listener sees no
// connection.
func foreignSession(t *testing.T, w *world, r *replica) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	foreign := "http://" + ln.Addr().String()
	apiHost := strings.TrimPrefix(w.dd.URL, "http://")
	hooks := []string{
		foreign + "/robot/sendBySession?session=stolen",
		foreign + "/robot/sendBySession?session=x&next=" + url.QueryEscape(w.dd.URL),
		"http://" + apiHost + "@" + ln.Addr().String() + "/robot/sendBySession?session=userinfo",
		"https://" + ln.Addr().String() + "/robot/sendBySession?session=tls",
		foreign + "/" + apiHost + "/robot/sendBySession",
	}
	b := &w.branches[0]
	c := loadClient(10 * time.Second)
	var msgs []*msg
	statuses := map[int]int{}
	for i, hook := range hooks {
		ms := time.Now().UnixMilli()
		body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": " 帮助"}, "msgId": fmt.Sprintf("foreign-%d-%s", i, randToken(6)),
			"createAt": ms, "conversationType": "2", "conversationId": b.DingChat, "senderStaffId": "someone", "senderNick": "某人",
			"sessionWebhook": hook, "sessionWebhookExpiredTime": time.Now().Add(time.Hour).UnixMilli()})
		m := &msg{ID: "foreign", Via: robotDing, path: "/dingtalk/" + robotDing, body: body,
			header: http.Header{"Content-Type": {"application/json"}, "Timestamp": {strconv.FormatInt(ms, 10)}, "Sign": {platformtest.SignDingTalk(w.ddSecret, ms)}}}
		msgs = append(msgs, m)
		res := deliver(context.Background(), c, r.base, m)
		statuses[res.status]++
	}
	// The undelivered replies go through the outbox to the group's own
	// webhook; give the dispatcher time to act on them.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(w.dd.MessagesTo(b.DingToken)) == 0 {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	figure(t, "F3 foreign sessionWebhook: %d signed callbacks naming a foreign host → %v; connections to the foreign host %d (want 0); replies that went to the group's configured webhook instead (rate-limited, so far) %d",
		len(hooks), statuses, conns.Load(), len(w.dd.MessagesTo(b.DingToken)))
	if conns.Load() != 0 {
		t.Errorf("the foreign host was contacted %d times", conns.Load())
	}
	if statuses[http.StatusOK] != len(hooks) {
		t.Errorf("statuses %v: a signed callback is processed whatever its sessionWebhook", statuses)
	}
}
