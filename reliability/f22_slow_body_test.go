package reliability

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestF22SlowBodies: 300 connections that send a callback's headers and
// then its body at one byte a second, kept up (each one cut is opened
// again) while real callbacks flow at 20 a second. At least 99 % of the
// real ones are answered 200 within 5 s: a slow body is cut at its own
// deadline and never takes one of the places in flight. Then the same
// from a single address, which the bound per source refuses at once.
func TestF22SlowBodies(t *testing.T) {
	heavy(t)
	dur := sizeD(10*time.Second, 30*time.Second)
	const slow, rate = 300, 20
	w := newWorld(t, worldOpts{perSource: 128})
	r := w.serve(t)
	e := newEffects(t, w, 2*rate*int(dur/time.Second)+100)

	for _, phase := range []struct {
		name  string
		addrs int // source addresses the slow connections come from
	}{{"30 addresses", 30}, {"one address", 1}} {
		t.Run(strings.ReplaceAll(phase.name, " ", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), dur)
			defer cancel()
			var cut, refused, opened atomic.Int64
			var wg sync.WaitGroup
			for i := 0; i < slow; i++ {
				src := net.IPv4(127, 0, 0, byte(2+i%phase.addrs))
				wg.Add(1)
				go func() {
					defer wg.Done()
					for ctx.Err() == nil {
						opened.Add(1)
						switch trickle(ctx, r.base, src) {
						case "cut":
							cut.Add(1)
						case "refused":
							refused.Add(1)
							time.Sleep(100 * time.Millisecond)
						}
					}
				}()
			}
			time.Sleep(500 * time.Millisecond) // the slow ones hold their connections

			msgs, _ := e.messages(t, rate*int(dur/time.Second))
			c := loadClient(5 * time.Second)
			var mu sync.Mutex
			var lat []time.Duration
			ok, late, failed := 0, 0, 0
			tick := time.NewTicker(time.Second / rate)
			var sent sync.WaitGroup
			for _, m := range msgs {
				<-tick.C
				sent.Add(1)
				go func() {
					defer sent.Done()
					res := deliver(context.Background(), c, r.base, m)
					mu.Lock()
					defer mu.Unlock()
					lat = append(lat, res.latency())
					switch {
					case res.status == http.StatusOK && res.latency() <= 5*time.Second:
						ok++
					case res.status == http.StatusOK:
						late++
					default:
						failed++
					}
				}()
			}
			tick.Stop()
			sent.Wait()
			cancel()
			wg.Wait()
			share := float64(ok) / float64(len(msgs)) * 100
			figure(t, "F22 slow bodies (%s): %d connections trickling a body at 1 byte/s for %v (opened %d, cut at the body deadline %d, refused by the bound per source %d) while %d real callbacks came at %d/s → answered 200 within 5 s %d (%.1f%%, want ≥ 99%%), later %d, not 200 %d; p50 %s p99 %s",
				phase.name, slow, dur, opened.Load(), cut.Load(), refused.Load(), len(msgs), rate, ok, share, late, failed, ms(percentile(lat, .5)), ms(percentile(lat, .99)))
			if share < 99 {
				t.Errorf("%.1f%% of real callbacks answered 200 within 5 s, want at least 99%%", share)
			}
			if phase.addrs == 1 && refused.Load() == 0 {
				t.Errorf("300 connections from one address: none refused by max_conns_per_source")
			}
			if phase.addrs > 1 && cut.Load() == 0 {
				t.Errorf("no slow body was cut at the body deadline")
			}
		})
	}
}

// trickle opens a connection from src, sends a callback's headers and then
// one body byte a second, and says how it ended: "cut" (the server
// answered before the body was complete), "refused" (closed at once or
// not accepted) or "done" (ctx ended).
func trickle(ctx context.Context, base string, src net.IP) string {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, "tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return "refused"
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, "POST /wecom/%s?msg_signature=x&timestamp=1&nonce=n HTTP/1.1\r\nHost: jinqiu\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n", robotAIBot); err != nil {
		return "refused"
	}
	answered := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(c).ReadString('\n')
		switch {
		case err == io.EOF && line == "":
			answered <- "refused"
		case err != nil && line == "":
			answered <- "refused"
		default:
			answered <- "cut"
		}
	}()
	for i := 0; i < 4096; i++ {
		select {
		case how := <-answered:
			return how
		case <-ctx.Done():
			return "done"
		case <-time.After(time.Second):
		}
		if _, err := c.Write([]byte("{")); err != nil {
			return <-answered
		}
	}
	return "done"
}

// health is the status of /healthz (0 when there is no answer).
func (r *replica) health() int {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(r.base + "/healthz")
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
