package handlers

import (
	"fmt"
	"jinqiu"
	"jinqiu/handlers/say"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestSignupRush: 200 members send 报名 for an activity of 50 places at
// the same instant, through Handle. Exactly 50 are confirmed and 150 wait;
// the waiting list is in arrival order (the order in which sign-ups took
// the activity's row lock, recorded as seq): every confirmed seq comes
// before every waiting one, and each waiting reply names the position its
// seq has, 1 to 150, each once. Then a confirmed person cancels and the
// first in the queue is promoted and @-mentioned.
func TestSignupRush(t *testing.T) {
	const people, places = 200, 50
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		act := w.publish(twChatA, twSecA, fmt.Sprintf("发布活动 重阳节慰问 明天上午9点 社区广场 名额%d", places))
		users := make([]string, people)
		for i := range users {
			users[i] = fmt.Sprintf("r%03d", i)
			if _, err := db.Register(twCtx, jinqiu.Actor{Platform: "wecom", UserID: users[i]}, twName(users[i]), twA, w.clock()); err != nil {
				t.Fatal(err)
			}
		}
		a0, _ := db.Activity(twCtx, twA, act.ID)
		full := a0
		full.Taken = places
		replies := make([]string, people)
		errs := make([]error, people)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := w.message(twChatA, u, fmt.Sprintf("报名 %d", act.ID))
				<-start
				r, err := w.h.Handle(twCtx, m)
				replies[i], errs[i] = r.Text, err
			}()
		}
		began := time.Now()
		close(start)
		wg.Wait()
		elapsed := time.Since(began)

		seqs := map[string]int64{}
		var rows []struct {
			UserID string `db:"user_id"`
			State  string `db:"state"`
			Seq    int64  `db:"seq"`
		}
		if err := db.X().Select(&rows, "SELECT m.user_id, s.state, s.seq FROM signups s JOIN members m ON m.id = s.member_id WHERE s.activity_id = ? ORDER BY s.seq", act.ID); err != nil {
			t.Fatal(err)
		}
		confirmed, waiting := 0, 0
		var lastConfirmed int64 = -1
		firstWaiting := int64(1 << 62)
		for _, r := range rows {
			seqs[r.UserID] = r.Seq
			switch r.State {
			case jinqiu.SignupConfirmed:
				confirmed++
				lastConfirmed = max(lastConfirmed, r.Seq)
			case jinqiu.SignupWaiting:
				waiting++
				firstWaiting = min(firstWaiting, r.Seq)
			}
		}
		got, _ := db.Activity(twCtx, twA, act.ID)
		t.Logf("%s: %d sign-ups in %v: %d confirmed, %d waiting", db.Dialect(), people, elapsed.Round(time.Millisecond), confirmed, waiting)
		if confirmed != places || waiting != people-places || got.Taken != places || len(rows) != people {
			t.Fatalf("confirmed %d, waiting %d, taken %d, rows %d; want %d, %d, %d, %d", confirmed, waiting, got.Taken, len(rows), places, people-places, places, people)
		}
		if lastConfirmed >= firstWaiting {
			t.Errorf("a confirmed seq (%d) comes after a waiting one (%d)", lastConfirmed, firstWaiting)
		}
		var positions []int
		for i, u := range users {
			if errs[i] != nil {
				t.Fatalf("%s: %v", u, errs[i])
			}
			seq := seqs[u]
			switch {
			case seq < places:
				if replies[i] != twWords.SignedUp(twName(u), a0, w.h.loc()) {
					t.Errorf("%s (seq %d) got %q", u, seq, replies[i])
				}
			default:
				pos := int(seq) - places + 1
				if replies[i] != say.Waiting(full, pos) {
					t.Errorf("%s (seq %d) got %q, want waiting %d", u, seq, replies[i], pos)
				}
				positions = append(positions, pos)
			}
		}
		sort.Ints(positions)
		for i, p := range positions {
			if p != i+1 {
				t.Fatalf("waiting positions are not 1..%d once each: %v", people-places, positions)
			}
		}

		// A confirmed person cancels: the first waiting (seq 50) is promoted.
		var first, quitter string
		for u, s := range seqs {
			switch s {
			case places:
				first = u
			case 0:
				quitter = u
			}
		}
		w.say(twChatA, quitter, fmt.Sprintf("取消报名 %d", act.ID))
		q := w.outbox()
		if len(q) != 1 || !slices.Equal(q[0].Reply.Mentions, []string{first}) {
			t.Errorf("promotion = %+v, want %s (first waiting) mentioned", q, first)
		}
	})
}
