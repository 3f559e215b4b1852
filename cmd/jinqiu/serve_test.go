package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// perSource closes a source's connections beyond the bound at once and
// counts a closed one free again.
func TestPerSourceBoundsConnectionsOfOneAddress(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := perSource(raw, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := dial(), dial()
	sa, sb := <-accepted, <-accepted
	c := dial()
	// The third is closed by the server: a read sees EOF at once.
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("third connection from one address: read %v, want it closed", err)
	}
	select {
	case <-accepted:
		t.Fatal("the third connection was handed to the server")
	default:
	}
	sa.Close()
	a.Close()
	d := dial()
	select {
	case s := <-accepted:
		s.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("a connection after one closed was not accepted")
	}
	b.Close()
	sb.Close()
	d.Close()
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// serve with server.metrics_listen serves /metrics there and not on the
// public listener; /readyz answers on the public one.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	dir := t.TempDir()
	pub, met := freeAddr(t), freeAddr(t)
	cfg := "server:\n  listen: \"" + pub + "\"\n  metrics_listen: \"" + met + "\"\nstorage:\n  dsn: " + filepath.Join(dir, "j.db") + "\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", path}, nil, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	get := func(addr, p string) int {
		for i := 0; i < 100; i++ {
			resp, err := http.Get("http://" + addr + p)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			time.Sleep(50 * time.Millisecond)
		}
		return 0
	}
	if got := get(pub, "/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz = %d", got)
	}
	if got := get(met, "/metrics"); got != http.StatusOK {
		t.Errorf("/metrics on metrics_listen = %d, want 200", got)
	}
	if got := get(pub, "/metrics"); got != http.StatusNotFound {
		t.Errorf("/metrics on the public listener = %d, want 404", got)
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
