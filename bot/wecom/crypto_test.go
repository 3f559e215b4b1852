package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The official vectors (PLATFORMS.md §3, from the WeCom Go sample) and the
// self-made empty-receiveid vector.
const (
	vecToken  = "QDG6eK"
	vecAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vecCorpID = "wx5823bf96d3bd56c7"

	vecURLSig      = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vecURLTS       = "1409659589"
	vecURLNonce    = "263014780"
	vecEchoRaw     = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	vecEchoEncoded = "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
	vecEchoPlain   = "1616140317555161061"

	vecMsgSig   = "477715d11cdb4164915debcba66cb864d751f3e6"
	vecMsgTS    = "1409659813"
	vecMsgNonce = "1372623149"
	vecMsgEnc   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	vecMsgPlain = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"

	vecEmptyRandom = "0123456789abcdef"
	vecEmptyTS     = "1700000000"
	vecEmptyNonce  = "nonce123"
	vecEmptyPlain  = `{"msgid":"m1","chattype":"group","msgtype":"text","text":{"content":"@bot 签到"}}`
	vecEmptyEnc    = "sKqRbbiSUnDhFHOvPjtUMWM/C3b1S/q438GFIahMcnFIi14wMnFGcUmKfdUpFYrUT0hmJPzv4Z5l8Al0c/p3XdaLr/MslRgcY/Sa13tyJdibNk0nY4QMInYZs060/1O64kZCYt20jno3M6sRaxlQ0/zf2uena+wR2NsjUg+fwMc="
	vecEmptySig    = "2258cfc9aa99bc743814957ae655c046b7f4c71d"
)

func mustCrypto(tb testing.TB, receiveID string) *Crypto {
	tb.Helper()
	c, err := NewCrypto(vecToken, vecAESKey, receiveID)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestCryptoKey(t *testing.T) {
	c := mustCrypto(t, "")
	if got, want := hex.EncodeToString(c.key), "8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760"; got != want {
		t.Errorf("key = %s, want %s", got, want)
	}
	for _, bad := range []string{"", "short", vecAESKey + "A", strings.Repeat("!", 43)} {
		if _, err := NewCrypto(vecToken, bad, ""); err == nil {
			t.Errorf("NewCrypto accepted EncodingAESKey %q", bad)
		}
	}
	if _, err := NewCrypto("", vecAESKey, ""); err == nil {
		t.Error("NewCrypto accepted an empty token")
	}
}

func TestOfficialVectors(t *testing.T) {
	c := mustCrypto(t, vecCorpID)
	t.Run("url check", func(t *testing.T) {
		got, err := c.Open(vecURLSig, vecURLTS, vecURLNonce, vecEchoRaw)
		if err != nil || string(got) != vecEchoPlain {
			t.Fatalf("Open = %q, %v; want %q", got, err, vecEchoPlain)
		}
	})
	t.Run("url check signature is over the decoded echostr", func(t *testing.T) {
		if c.Verify(vecURLSig, vecURLTS, vecURLNonce, vecEchoEncoded) {
			t.Fatal("signature verified over the percent-encoded echostr")
		}
	})
	t.Run("message", func(t *testing.T) {
		got, err := c.Open(vecMsgSig, vecMsgTS, vecMsgNonce, vecMsgEnc)
		if err != nil || string(got) != vecMsgPlain {
			t.Fatalf("Open = %q, %v; want %q", got, err, vecMsgPlain)
		}
	})
	t.Run("robot receiveid refuses the app vector", func(t *testing.T) {
		_, err := mustCrypto(t, "").Open(vecMsgSig, vecMsgTS, vecMsgNonce, vecMsgEnc)
		if !errors.Is(err, ErrReceiveID) {
			t.Fatalf("err = %v, want ErrReceiveID", err)
		}
	})
}

func TestEmptyReceiveIDVector(t *testing.T) {
	c := mustCrypto(t, "")
	if got := c.Signature(vecEmptyTS, vecEmptyNonce, vecEmptyEnc); got != vecEmptySig {
		t.Errorf("Signature = %s, want %s", got, vecEmptySig)
	}
	got, err := c.Open(vecEmptySig, vecEmptyTS, vecEmptyNonce, vecEmptyEnc)
	if err != nil || string(got) != vecEmptyPlain {
		t.Fatalf("Open = %q, %v; want %q", got, err, vecEmptyPlain)
	}
	enc, err := c.encrypt([]byte(vecEmptyRandom), []byte(vecEmptyPlain))
	if err != nil || enc != vecEmptyEnc {
		t.Fatalf("encrypt = %q, %v; want %q", enc, err, vecEmptyEnc)
	}
	if _, err := mustCrypto(t, vecCorpID).Decrypt(vecEmptyEnc); !errors.Is(err, ErrReceiveID) {
		t.Errorf("app crypto decrypting a robot message: err = %v, want ErrReceiveID", err)
	}
}

func TestCryptoRoundTrip(t *testing.T) {
	c := mustCrypto(t, "")
	for _, msg := range []string{"", "x", strings.Repeat("签", 11), strings.Repeat("a", 1000)} {
		enc, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != msg {
			t.Errorf("round trip of %d bytes = %q, %v", len(msg), got, err)
		}
	}
}

func TestCryptoRejects(t *testing.T) {
	c := mustCrypto(t, "")
	t.Run("bit-flipped signature", func(t *testing.T) {
		sig := []byte(vecEmptySig)
		sig[0] ^= 1
		if _, err := c.Open(string(sig), vecEmptyTS, vecEmptyNonce, vecEmptyEnc); !errors.Is(err, ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("short and long signatures", func(t *testing.T) {
		for _, sig := range []string{"", vecEmptySig[:39], vecEmptySig + "0", strings.ToUpper(vecEmptySig)} {
			if c.Verify(sig, vecEmptyTS, vecEmptyNonce, vecEmptyEnc) {
				t.Errorf("Verify(%q) = true", sig)
			}
		}
	})
	t.Run("tampered ciphertext", func(t *testing.T) {
		// CBC alone does not notice most changes; the signature does.
		b := []byte(vecEmptyEnc)
		b[10] = 'A' + (b[10]-'A'+1)%26
		if _, err := c.Open(vecEmptySig, vecEmptyTS, vecEmptyNonce, string(b)); !errors.Is(err, ErrSignature) {
			t.Fatalf("err = %v, want ErrSignature", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		for _, enc := range []string{"", "!!!", "AAAA", strings.Repeat("A", 43) + "=", strings.Repeat("A", 64)} {
			if _, err := c.Decrypt(enc); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decrypt(%q) err = %v, want ErrMalformed", enc, err)
			}
		}
	})
	t.Run("strict padding and length", func(t *testing.T) {
		body := func(msgLen uint32, msg string) []byte {
			b := append([]byte(vecEmptyRandom), byte(msgLen>>24), byte(msgLen>>16), byte(msgLen>>8), byte(msgLen))
			return append(b, msg...)
		}
		pad := func(b []byte, p ...byte) []byte { return append(append([]byte(nil), b...), p...) }
		ok := body(11, "hello world") // 31 bytes: one byte of pad
		cases := map[string][]byte{
			"pad 0":                 pad(ok, 0),
			"pad 33":                pad(body(12, "hello world!"), bytes.Repeat([]byte{33}, 32)...),
			"pad bytes disagree":    pad(body(10, "hello worl"), 1, 2),
			"length beyond message": pad(body(99, "hello world"), 1),
			"too short":             pad(nil, bytes.Repeat([]byte{32}, 32)...),
		}
		for name, pt := range cases {
			if len(pt)%32 != 0 {
				t.Fatalf("%s: bad test plaintext length %d", name, len(pt))
			}
			if _, err := c.Decrypt(rawEncrypt(t, c.key, pt)); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", name, err)
			}
		}
		if got, err := c.Decrypt(rawEncrypt(t, c.key, pad(ok, 1))); err != nil || string(got) != "hello world" {
			t.Errorf("valid control = %q, %v", got, err)
		}
	})
}

// rawEncrypt is AES-256-CBC with IV = key[:16] and no padding of its own.
func rawEncrypt(t *testing.T, key, pt []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(ct, pt)
	return base64.StdEncoding.EncodeToString(ct)
}

// TestOfficialURLCheckThroughHTTP sends the official GET with the
// percent-encoded echostr through net/http and the handler, with the
// robot's receiveid set to the vector's CorpID: the bare plaintext must
// come back.
func TestOfficialURLCheckThroughHTTP(t *testing.T) {
	h := NewHandler(nil, nil, slog.New(slog.DiscardHandler))
	h.Now = func() time.Time { return time.Unix(1409659589, 0) }
	h.robots["app"] = &robot{name: "app", mode: ModeAIBot, crypto: mustCrypto(t, vecCorpID)}
	mux := http.NewServeMux()
	h.Register(mux)

	target := "/wecom/app?msg_signature=" + vecURLSig + "&timestamp=" + vecURLTS + "&nonce=" + vecURLNonce + "&echostr=" + vecEchoEncoded
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK || rec.Body.String() != vecEchoPlain {
		t.Fatalf("GET = %d %q, want 200 %q", rec.Code, rec.Body.String(), vecEchoPlain)
	}

	t.Run("double decoding breaks it", func(t *testing.T) {
		// A '+' left raw in the query is a space after one decoding: the
		// signature must then fail, not be papered over.
		raw := "/wecom/app?msg_signature=" + vecURLSig + "&timestamp=" + vecURLTS + "&nonce=" + vecURLNonce + "&echostr=" + vecEchoRaw
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, raw, nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("GET with a raw '+' = %d, want 401", rec.Code)
		}
	})
	t.Run("stale", func(t *testing.T) {
		h.Now = func() time.Time { return time.Unix(1409659589, 0).Add(time.Hour) }
		defer func() { h.Now = func() time.Time { return time.Unix(1409659589, 0) } }()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("GET an hour late = %d, want 401", rec.Code)
		}
	})
	t.Run("robot receiveid refuses the app vector", func(t *testing.T) {
		h.robots["robot"] = &robot{name: "robot", mode: ModeAIBot, crypto: mustCrypto(t, "")}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, strings.Replace(target, "/app?", "/robot?", 1), nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("GET = %d, want 401", rec.Code)
		}
	})
}
