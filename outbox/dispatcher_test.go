package outbox_test

import (
	"context"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

var ctx = context.Background()

type rig struct {
	db   *storage.DB
	we   *platformtest.FakeWeCom
	dt   *platformtest.FakeDingTalk
	d    *outbox.Dispatcher
	keys map[string]string // chat → key
}

func newRig(t *testing.T, db *storage.DB, groups int) *rig {
	we := platformtest.NewWeCom(t)
	dt := platformtest.NewDingTalk(t)
	r := &rig{db: db, we: we, dt: dt, keys: map[string]string{}}
	gm := map[string]config.Group{}
	for i := 0; i < groups; i++ {
		chat := fmt.Sprintf("chat%d", i)
		key := fmt.Sprintf("key-%d", i)
		we.AddKey(key)
		r.keys[chat] = key
		gm[outbox.GroupKey(bot.WeCom, chat)] = config.Group{Platform: bot.WeCom, ChatID: chat, WebhookKey: key}
	}
	dt.AddRobot("tok1", "SECabc")
	gm[outbox.GroupKey(bot.DingTalk, "dd1")] = config.Group{Platform: bot.DingTalk, ChatID: "dd1", Webhook: dt.WebhookURL("tok1"), Secret: "SECabc"}
	gm[outbox.GroupKey(bot.WeCom, "badkey")] = config.Group{Platform: bot.WeCom, ChatID: "badkey", WebhookKey: "nobody-has-this-key"}
	client := &http.Client{Timeout: 2 * time.Second}
	r.d = &outbox.Dispatcher{
		DB: db, State: state.NewMemory(), Groups: gm, Owner: "t1",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Senders: map[jinqiu.Platform]jinqiu.Sender{
			bot.WeCom:    wecom.NewSender(we.URL, client),
			bot.DingTalk: dingtalk.NewSender(dt.URL, client),
		},
		PerMinute: 18, MaxAttempts: 3,
	}
	return r
}

func (r *rig) push(t *testing.T, key string, platform jinqiu.Platform, chat, text string) {
	t.Helper()
	o := outbox.ToGroup(key, platform, chat, jinqiu.Reply{Text: text, Mentions: []string{"u1"}}, storage.AtMostOnce)
	if err := r.db.Enqueue(ctx, o); err != nil {
		t.Fatal(err)
	}
}

func TestDispatcherSendsOncePerGroup(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		r := newRig(t, db, 30)
		for i := 0; i < 30; i++ {
			r.push(t, fmt.Sprint("remind|", i), bot.WeCom, fmt.Sprintf("chat%d", i), "请于本月召开支委会")
		}
		r.push(t, "remind|dd", bot.DingTalk, "dd1", "请于本月召开支委会")
		for i := 0; i < 5; i++ {
			if _, err := r.d.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for chat, key := range r.keys {
			if got := len(r.we.MessagesTo(key)); got != 1 {
				t.Errorf("%s got %d messages, want 1", chat, got)
			}
		}
		if got := len(r.dt.MessagesTo("tok1")); got != 1 {
			t.Errorf("dingtalk got %d, want 1", got)
		}
		m := r.we.MessagesTo("key-0")[0]
		if m.Content != "请于本月召开支委会" || len(m.Mentions) != 1 || m.Mentions[0] != "u1" {
			t.Errorf("message = %+v", m)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[storage.OutboxSent] != 31 {
			t.Errorf("outbox = %v", counts)
		}
	})
}

func TestDispatcherKeepsTheRobotBudget(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, 1)
	for i := 0; i < 25; i++ {
		r.push(t, fmt.Sprint("burst|", i), bot.WeCom, "chat0", fmt.Sprint("第", i, "条"))
	}
	for i := 0; i < 10; i++ {
		r.d.Tick(ctx)
	}
	// 18 a minute with a burst of one: one message now, the next in 3.3 s.
	if got := len(r.we.MessagesTo("key-0")); got != 1 {
		t.Fatalf("sent %d at once to one robot, want 1", got)
	}
	counts, _ := db.OutboxCounts(ctx)
	if counts[storage.OutboxPending] != 24 {
		t.Fatalf("outbox = %v, want 24 waiting", counts)
	}
	if max := r.we.MaxInWindow("key-0"); max > 18 {
		t.Fatalf("max in window = %d", max)
	}
}

func TestDispatcherErrorClasses(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	r := newRig(t, db, 2)
	// 93000: a bad key is permanent and parks the row at once.
	r.push(t, "bad", bot.WeCom, "badkey", "x")
	// An unconfigured group is parked too.
	r.push(t, "nogroup", bot.WeCom, "nowhere", "x")
	r.d.Tick(ctx)
	for _, k := range []string{"bad", "nogroup"} {
		row, _ := db.OutboxByKey(ctx, k)
		if row.State != storage.OutboxDead {
			t.Errorf("%s state = %s (%s), want dead", k, row.State, row.LastError)
		}
	}
	// A 5xx is transient: retried later, the attempt counted.
	r.we.FailNext(1)
	r.push(t, "flaky", bot.WeCom, "chat1", "x")
	r.d.Tick(ctx)
	row, _ := db.OutboxByKey(ctx, "flaky")
	if row.State != storage.OutboxPending || row.Attempts != 1 || !row.NextAttemptAt.After(time.Now()) {
		t.Errorf("flaky = %+v, want pending with 1 attempt and a later try", row)
	}
}
