package outbox_test

import (
	"context"
	"fmt"
	"io"
	"jinqiu"
	"log/slog"
	"net/http"
	"strings"
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
	// The groups as an operator configures them: the senders resolve
	// their webhooks.
	var doc strings.Builder
	fmt.Fprintf(&doc, "wecom: {api_base: %q}\ndingtalk: {api_base: %q}\nbureau:\n  groups:\n", we.URL, dt.URL)
	for i := 0; i < groups; i++ {
		chat := fmt.Sprintf("chat%d", i)
		key := fmt.Sprintf("key-%d", i)
		we.AddKey(key)
		r.keys[chat] = key
		fmt.Fprintf(&doc, "    - {platform: wecom, chat_id: %s, webhook_key: %s}\n", chat, key)
	}
	dt.AddRobot("tok1", "SECabc")
	fmt.Fprintf(&doc, "    - {platform: dingtalk, chat_id: dd1, webhook: %q, secret: SECabc}\n", dt.WebhookURL("tok1"))
	doc.WriteString("    - {platform: wecom, chat_id: badkey, webhook_key: nobody-has-this-key}\n")
	cfg, err := config.Parse([]byte(doc.String()), func(string) (string, bool) { return "", false }, bot.Platforms{wecom.New(), dingtalk.New()})
	if err != nil {
		t.Fatal(err)
	}
	env := bot.Env{Client: &http.Client{Timeout: 2 * time.Second}, Log: slog.New(slog.DiscardHandler), Now: time.Now}
	senders := map[jinqiu.Platform]jinqiu.Sender{}
	for _, p := range cfg.Platforms {
		senders[p.Name()] = p.Open(env, http.NewServeMux())
	}
	r.d = &outbox.Dispatcher{
		DB: db, State: state.NewMemory(), Owner: "t1",
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Senders:   senders,
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
			r.push(t, fmt.Sprint("remind|", i), wecom.Name, fmt.Sprintf("chat%d", i), "请于本月召开支委会")
		}
		r.push(t, "remind|dd", dingtalk.Name, "dd1", "请于本月召开支委会")
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
		r.push(t, fmt.Sprint("burst|", i), wecom.Name, "chat0", fmt.Sprint("第", i, "条"))
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
	r.push(t, "bad", wecom.Name, "badkey", "x")
	// An unconfigured group is parked too.
	r.push(t, "nogroup", wecom.Name, "nowhere", "x")
	r.d.Tick(ctx)
	for _, k := range []string{"bad", "nogroup"} {
		row, _ := db.OutboxByKey(ctx, k)
		if row.State != storage.OutboxDead {
			t.Errorf("%s state = %s (%s), want dead", k, row.State, row.LastError)
		}
	}
	// A 5xx is transient: retried later, the attempt counted.
	r.we.FailNext(1)
	r.push(t, "flaky", wecom.Name, "chat1", "x")
	r.d.Tick(ctx)
	row, _ := db.OutboxByKey(ctx, "flaky")
	if row.State != storage.OutboxPending || row.Attempts != 1 || !row.NextAttemptAt.After(time.Now()) {
		t.Errorf("flaky = %+v, want pending with 1 attempt and a later try", row)
	}
}
