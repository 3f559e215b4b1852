package bot_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jinqiu/bot"
)

// A body that trickles in is cut off at the body deadline with 408, well
// before the server's own read timeout; a whole body is read.
func TestDoorCutsASlowBody(t *testing.T) {
	d := &bot.Door{Platform: "x", BodyTimeout: 300 * time.Millisecond}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := d.Read(w, r, 1<<10)
		if ok {
			fmt.Fprintf(w, "%d", len(body))
		}
	}))
	srv.Config.ReadTimeout = time.Minute
	srv.Start()
	defer srv.Close()

	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "5" {
		t.Fatalf("whole body: %d %q", resp.StatusCode, b)
	}

	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
	start := time.Now()
	done := make(chan string)
	go func() {
		line, _ := bufio.NewReader(c).ReadString('\n')
		done <- line
	}()
	for i := 0; i < 20; i++ {
		select {
		case got := <-done:
			if !strings.HasPrefix(got, "HTTP/1.1 408") {
				t.Fatalf("slow body answered %q, want 408", got)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Fatalf("slow body held for %v", el)
			}
			return
		case <-time.After(100 * time.Millisecond):
			c.Write([]byte("a"))
		}
	}
	t.Fatal("a body sent 1 byte per 100 ms was still being read after 2 s")
}

func TestDoorRefusesOversizeWith413(t *testing.T) {
	d := &bot.Door{Platform: "x"}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, 2048)))
	if _, ok := d.Read(rec, req, 1024); ok || rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: ok %v, status %d", ok, rec.Code)
	}
}

// Refusals are logged at most once a minute per source address.
func TestDoorLogsRefusalsOncePerMinutePerSource(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d := &bot.Door{Platform: "x", Log: slog.New(slog.NewTextHandler(&buf, nil)), Now: func() time.Time { return now }}
	refuse := func(addr string) {
		req := httptest.NewRequest(http.MethodPost, "/wecom/r", nil)
		req.RemoteAddr = addr
		d.Refuse(httptest.NewRecorder(), req, http.StatusUnauthorized, "signature", "bad signature")
	}
	for i := 0; i < 100; i++ {
		refuse("203.0.113.7:4000")
	}
	refuse("203.0.113.8:4000")
	if n := strings.Count(buf.String(), "callback refused"); n != 2 {
		t.Fatalf("%d log lines for 101 refusals from 2 sources, want 2:\n%s", n, buf.String())
	}
	now = now.Add(61 * time.Second)
	refuse("203.0.113.7:4001")
	if n := strings.Count(buf.String(), "callback refused"); n != 3 {
		t.Fatalf("after a minute: %d log lines, want 3", n)
	}
}
