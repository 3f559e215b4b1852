package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxAnswer bounds how much of a platform's answer is read: they are small
// JSON objects, and a misbehaving peer must not make us buffer megabytes.
const maxAnswer = 64 << 10

// PostJSON posts v, encoded as JSON without HTML escaping (WeCom markdown
// carries <font> and <@userid> literally), to u and returns the body of a
// 200 answer. The errcode inside that body is the caller's to check.
//
// Every failure is a *SendError: a transport failure before the request was
// fully written is Transient; any failure after it (timeout, reset, an
// unreadable answer) is Ambiguous, since the platform may have delivered the
// message. HTTP 429 is Throttled (with Retry-After when given), 5xx
// Transient, every other status Permanent. The error text never contains u,
// whose query holds the robot's credential.
func PostJSON(ctx context.Context, c *http.Client, u string, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, &jinqiu.SendError{Class: jinqiu.Permanent, Message: "encode: " + err.Error()}
	}

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, u, &buf)
	if err != nil {
		return nil, &jinqiu.SendError{Class: jinqiu.Permanent, Message: "bad url"}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")

	resp, err := c.Do(req)
	if err != nil {
		class := jinqiu.Transient
		if wrote.Load() {
			class = jinqiu.Ambiguous
		}
		return nil, &jinqiu.SendError{Class: class, Message: "post: " + transportError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		// The platform answered, so it has the message; what it said is lost.
		return nil, &jinqiu.SendError{Class: jinqiu.Ambiguous, Code: resp.StatusCode, Message: "read answer: " + transportError(err)}
	}

	switch {
	case resp.StatusCode == http.StatusOK:
		return body, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &jinqiu.SendError{Class: jinqiu.Throttled, Code: resp.StatusCode, Message: resp.Status,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	case resp.StatusCode >= 500:
		return nil, &jinqiu.SendError{Class: jinqiu.Transient, Code: resp.StatusCode, Message: resp.Status}
	default:
		// 3xx included: redirects are not followed (see NoRedirects), and
		// a platform endpoint that moved needs an operator, not a retry.
		return nil, &jinqiu.SendError{Class: jinqiu.Permanent, Code: resp.StatusCode, Message: resp.Status}
	}
}

// transportError describes err without the request URL that *url.Error
// would print.
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}

func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// NoRedirects returns a copy of c (or of a zero client when c is nil) that
// never follows a redirect: a platform endpoint must not be able to send a
// robot's message, or its credential, to another host.
func NoRedirects(c *http.Client) *http.Client {
	var cc http.Client
	if c != nil {
		cc = *c
	}
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// WithinBase reports whether u lies under base: the same scheme, the same
// host and port, no user info, and a path equal to base's or below it.
// Outbound code uses it so that a URL taken from configuration or from a
// callback body is never posted to a foreign host.
func WithinBase(u, base *url.URL) bool {
	if u == nil || base == nil || u.User != nil || u.Opaque != "" {
		return false
	}
	if !strings.EqualFold(u.Scheme, base.Scheme) {
		return false
	}
	if !strings.EqualFold(u.Hostname(), base.Hostname()) || port(u) != port(base) || u.Hostname() == "" {
		return false
	}
	bp := strings.TrimSuffix(base.EscapedPath(), "/")
	up := u.EscapedPath()
	if bp == "" {
		return true
	}
	return up == bp || strings.HasPrefix(up, bp+"/")
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// ParseBase parses a platform API base such as https://qyapi.weixin.qq.com.
func ParseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("api base: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("api base %q: want http(s)://host", s)
	}
	return u, nil
}
