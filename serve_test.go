package main

import (
	"net"
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
