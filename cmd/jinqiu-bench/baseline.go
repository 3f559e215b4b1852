package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/storage"
)

// Baseline is the floor jinqiu is measured against: a handler that only
// does what any correct callback receiver must (bounded read, verify,
// decrypt, one durable insert of the message id) and answers an empty 200.
type Baseline struct {
	DB     *storage.DB
	Log    *slog.Logger
	crypto map[string]*wecom.Crypto
	secret map[string]string
}

// NewBaseline prepares the baseline for the configured robots.
func NewBaseline(cfg *config.Config, db *storage.DB, log *slog.Logger) (*Baseline, error) {
	b := &Baseline{DB: db, Log: log, crypto: map[string]*wecom.Crypto{}, secret: map[string]string{}}
	for _, r := range weComOf(cfg).Robots {
		if r.Token == "" {
			continue
		}
		c, err := wecom.NewCrypto(r.Token, r.EncodingAESKey, "")
		if err != nil {
			return nil, err
		}
		b.crypto[r.Name] = c
	}
	for _, r := range dingTalkOf(cfg).Robots {
		b.secret[r.Name] = r.AppSecret
	}
	return b, nil
}

// Routes serves the same paths as jinqiu.
func (b *Baseline) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /wecom/{robot}", b.wecom)
	mux.HandleFunc("POST /dingtalk/{robot}", b.dingtalk)
	return mux
}

func (b *Baseline) wecom(w http.ResponseWriter, r *http.Request) {
	c := b.crypto[r.PathValue("robot")]
	if c == nil {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	var env struct {
		Encrypt string `json:"encrypt"`
	}
	if json.Unmarshal(body, &env) != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	plain, err := c.Open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt)
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var m struct {
		MsgID string `json:"msgid"`
	}
	if json.Unmarshal(plain, &m) != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	b.insert(w, r.Context(), "wecom", r.PathValue("robot"), m.MsgID)
}

func (b *Baseline) dingtalk(w http.ResponseWriter, r *http.Request) {
	secret, ok := b.secret[r.PathValue("robot")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ts, err := strconv.ParseInt(r.Header.Get("timestamp"), 10, 64)
	want := dingtalk.Sign(secret, ts)
	got := r.Header.Get("sign")
	if err != nil || len(got) != len(want) || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 ||
		time.Since(time.UnixMilli(ts)).Abs() > time.Hour {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	var m struct {
		MsgID string `json:"msgId"`
	}
	if json.Unmarshal(body, &m) != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	b.insert(w, r.Context(), "dingtalk", r.PathValue("robot"), m.MsgID)
}

func (b *Baseline) insert(w http.ResponseWriter, ctx context.Context, platform, robot, msgID string) {
	if _, _, err := b.DB.ClaimInbound(ctx, storage.NewInbound{Platform: jinqiu.Platform(platform), Robot: robot, MsgID: msgID}, time.Minute); err != nil {
		b.Log.Error("baseline insert", "error", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Sink stands in for DingTalk's sessionWebhook endpoint during a load run:
// it accepts every reply and counts them.
type Sink struct {
	Received atomic.Int64
}

// ServeHTTP answers like DingTalk does on success.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	s.Received.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}
