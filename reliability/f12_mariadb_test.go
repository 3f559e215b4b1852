package reliability

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// attempt is one delivery of a message by the retrying load generator.
type attempt struct {
	result
	n int // 0 for the first delivery, then the retry number
}

// platformRetry delivers m, and again after a back-off while the answer is
// not a 2xx, up to retries times, alternating replicas as a load balancer
// would. It records every attempt.
func platformRetry(ctx context.Context, c *http.Client, replicas []*replica, first int, m *msg, retries int, record func(attempt)) bool {
	for n := 0; n <= retries; n++ {
		ri := (first + n) % len(replicas)
		r := deliver(ctx, c, replicas[ri].base, m)
		r.replica = ri
		record(attempt{result: r, n: n})
		if r.status/100 == 2 {
			return true
		}
		backoff := min(time.Second<<n, 5*time.Second)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
	}
	return false
}

// TestF12MariaDBRestart: a constant load of callbacks with effects while
// MariaDB is stopped (SIGTERM) and started again, under the running
// replicas. During the outage the answers are 5xx, never 200; after it,
// the replicas recover without a restart, and once the generator has
// re-sent every non-2xx (as the platforms do), the rows are exact.
func TestF12MariaDBRestart(t *testing.T) {
	heavy(t)
	rate := size(30, 50)
	dur := sizeD(20*time.Second, 60*time.Second)
	stopAt := sizeD(5*time.Second, 20*time.Second)
	downFor := sizeD(5*time.Second, 10*time.Second)
	M := rate * int(dur/time.Second)
	const retries = 10
	ctx, cancel := context.WithTimeout(context.Background(), dur+3*time.Minute)
	defer cancel()

	db := startMariaDB(t, nil)
	w := newWorld(t, worldOpts{dsn: db.DSN()})
	replicas := []*replica{w.serve(t), w.serve(t)}
	e := newEffects(t, w, M)
	msgs, ex := e.messages(t, M)
	before := w.counts(t)

	var mu sync.Mutex
	var attempts []attempt
	record := func(a attempt) {
		mu.Lock()
		attempts = append(attempts, a)
		mu.Unlock()
	}
	c := loadClient(5 * time.Second) // WeCom gives up after 5 s and retries

	// The outage: SIGTERM at stopAt, a new mariadbd at stopAt+downFor.
	var stopSent, stopped, restartAt, upAt, readyAt time.Time
	var startErr error
	chaos := make(chan struct{})
	t0 := time.Now()
	go func() {
		defer close(chaos)
		time.Sleep(time.Until(t0.Add(stopAt)))
		stopSent = time.Now()
		db.p.signal(syscall.SIGTERM)
		db.p.wait(60 * time.Second)
		stopped = db.p.exited
		time.Sleep(time.Until(stopSent.Add(downFor)))
		restartAt = time.Now()
		if err := db.startE(); err != nil {
			startErr = err
			return
		}
		upAt = time.Now()
		for time.Since(upAt) < 60*time.Second {
			if waitReadyAll(replicas, http.StatusOK, 100*time.Millisecond) >= 0 {
				readyAt = time.Now()
				return
			}
		}
	}()

	var wg sync.WaitGroup
	var lostMu sync.Mutex
	var lost []*msg
	interval := time.Second / time.Duration(rate)
	for i, m := range msgs {
		time.Sleep(time.Until(t0.Add(time.Duration(i) * interval)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !platformRetry(ctx, c, replicas, i%2, m, retries, record) {
				lostMu.Lock()
				lost = append(lost, m)
				lostMu.Unlock()
			}
		}()
	}
	wg.Wait()
	<-chaos
	if startErr != nil {
		t.Fatal(startErr)
	}

	settling := w.waitSettled(t, 10*time.Second)
	diff := diffCounts(before, w.counts(t))

	// Classify every attempt by when its answer came back.
	var during200, shutdown200, during, duringNon5xx int
	var firstOKAfter time.Time
	okIDs := map[string]bool{}
	retried := 0
	for _, a := range attempts {
		if a.n > 0 {
			retried++
		}
		if a.status == http.StatusOK {
			okIDs[a.m.ID] = true
		}
		switch {
		case a.sent.After(stopped) && a.done.Before(restartAt):
			// Sent after mariadbd exited, answered before a new one was
			// started: nothing can have been stored.
			during++
			if a.status == http.StatusOK {
				during200++
			} else if a.status < 500 {
				duringNon5xx++
			}
		case a.done.After(stopSent) && !a.done.After(stopped) && a.status == http.StatusOK:
			shutdown200++
		case !a.done.Before(upAt) && a.status == http.StatusOK:
			if firstOKAfter.IsZero() || a.done.Before(firstOKAfter) {
				firstOKAfter = a.done
			}
		}
	}
	// Every message answered 200 must have its row, and the row must be done.
	var notDone []string
	ids := make([]string, 0, len(okIDs))
	for id := range okIDs {
		ids = append(ids, id)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		q := "SELECT msg_id FROM inbound WHERE state = 'done' AND msg_id IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		var done []string
		if err := w.x(t).Select(&done, q, args...); err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, id := range done {
			have[id] = true
		}
		for _, id := range chunk {
			if !have[id] {
				notDone = append(notDone, id)
			}
		}
	}
	recovery := "never"
	if !readyAt.IsZero() {
		recovery = fmt.Sprintf("%.2fs", readyAt.Sub(upAt).Seconds())
	}
	firstOK := "never"
	if !firstOKAfter.IsZero() {
		firstOK = fmt.Sprintf("%.2fs", firstOKAfter.Sub(upAt).Seconds())
	}
	var all []result
	for _, a := range attempts {
		all = append(all, a.result)
	}
	figure(t, "F12 MariaDB restart under load: %d rps for %v (M=%d) on 2 replicas, SIGTERM at %v, down %.1fs (stop took %.1fs, start %.1fs) → attempts %d (%d re-sends): %s; requests sent and answered while down %d: 200 %d (want 0), non-5xx %d; 200s answered during the stop %d; answered 200 without a done row %d (want 0); messages never 2xx %d (want 0); /readyz back %s after MariaDB accepted, first 200 after %s; inbound %+d (want %d), signups %+d (want %d), checkins %+d (want %d), hours_reports %+d (want %d); still processing %d",
		rate, dur, M, stopAt, upAt.Sub(stopped).Seconds(), stopped.Sub(stopSent).Seconds(), upAt.Sub(restartAt).Seconds(),
		len(attempts), retried, fmtStatus(statusCounts(all)), during, during200, duringNon5xx, shutdown200, len(notDone), len(lost),
		recovery, firstOK, diff["inbound"], ex.M(), diff["signups"], ex.S+ex.C, diff["checkins"], ex.C, diff["hours_reports"], ex.H+ex.C, settling)

	if during200 != 0 {
		t.Errorf("%d answers of 200 while MariaDB was down", during200)
	}
	if duringNon5xx != 0 {
		t.Errorf("%d answers while MariaDB was down were neither 200 nor 5xx", duringNon5xx)
	}
	if during == 0 {
		t.Errorf("no request was answered while MariaDB was down: the outage was not exercised")
	}
	// Orphans: claims left processing, whose message was answered "in
	// flight" and never handled. A claim's INSERT can commit while its
	// attempt sees an error (MariaDB went away before its OK packet); the
	// attempt then clears its dedup mark, and the retry that takes the mark
	// takes the row over (bot/pipeline.go). There must be none; should one
	// appear, its effects are discounted so the other figures stay exact.
	var stuck []string
	if err := w.x(t).Select(&stuck, "SELECT msg_id FROM inbound WHERE state <> 'done'"); err != nil {
		t.Fatal(err)
	}
	orphan := map[string]bool{}
	for _, id := range stuck {
		orphan[id] = true
	}
	exDone := ex
	for _, m := range msgs {
		if orphan[m.ID] {
			switch m.Kind {
			case "signup":
				exDone.S--
			case "checkin":
				exDone.C--
			default:
				exDone.H--
			}
		}
	}
	want := exDone.rows()
	want["inbound"] = ex.M() // the orphans' rows are there, processing
	var badRows []string
	for tb, n := range want {
		if diff[tb] != n {
			badRows = append(badRows, fmt.Sprintf("%s %+d, want %+d", tb, diff[tb], n))
		}
	}
	if len(badRows) > 0 {
		t.Errorf("rows: %s (all changes: %s; %d orphans discounted)", strings.Join(badRows, "; "), fmtCounts(diff), len(orphan))
	}
	for _, id := range notDone {
		if !orphan[id] {
			t.Errorf("message %s answered 200 has no inbound row", id)
		}
	}
	if len(orphan) > 0 {
		t.Errorf("F12: %d of %d messages acknowledged with an empty 200 \"in flight\" and never handled: their claim committed as MariaDB stopped, e.g. %s (want 0)", len(orphan), M, stuck[0])
	}
	if len(lost) > 0 {
		t.Errorf("%d messages never got a 2xx after %d re-sends, e.g. %s %q", len(lost), retries, lost[0].ID, lost[0].Text)
	}
	if readyAt.IsZero() || readyAt.Sub(upAt) > 10*time.Second {
		t.Errorf("/readyz recovery %s after MariaDB came back, want < 10s", recovery)
	}
	for _, r := range replicas {
		if !r.running() {
			t.Errorf("replica %s exited: %v", r.name, r.err)
		}
		if p := r.panics(); len(p) > 0 {
			t.Errorf("replica %s logged a panic: %s", r.name, p[0])
		}
	}
}
