package dingtalk_test

import (
	"context"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jinqiu/bot"
	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/inbound"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// streamRig is the platform with one stream robot "st" serving the group
// cidGroup, opened against a fake DingTalk, with the real pipeline on
// SQLite and an echoing handler.
type streamRig struct {
	fake   *platformtest.FakeDingTalk
	echo   *platformtest.Echo
	sender jinqiu.Sender
}

func newStreamRig(t *testing.T, echo *platformtest.Echo, wrap func(inbound.Processor) inbound.Processor) *streamRig {
	t.Helper()
	r := &streamRig{fake: platformtest.NewDingTalk(t), echo: echo}
	r.fake.AddApp("dingAPPKEY", "appSECRET")
	p := dingtalk.New()
	cfg := p.Section().(*dingtalk.Config)
	cfg.APIBase, cfg.OpenAPIBase = r.fake.URL, r.fake.URL
	cfg.Robots = []dingtalk.Robot{{Name: "st", Mode: dingtalk.ModeStream, ClientID: "dingAPPKEY", ClientSecret: "appSECRET"}}
	if problems := p.Configure([]bot.GroupConfig{{Key: "branches[0].groups[0]", ChatID: "cidGroup", Robot: "st"}}); len(problems) > 0 {
		t.Fatal(problems)
	}
	db := storagetest.Open(t, storage.SQLite)
	var proc inbound.Processor = &inbound.Pipeline{DB: db, Handler: echo, Log: slog.New(slog.DiscardHandler)}
	if wrap != nil {
		proc = wrap(proc)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	env := bot.Env{Processor: proc, Client: r.fake.Client(), Log: slog.New(slog.DiscardHandler), Now: time.Now,
		Background: func(run func(context.Context)) {
			wg.Add(1)
			go func() { defer wg.Done(); run(ctx) }()
		}}
	r.sender = p.Open(env, http.NewServeMux())
	return r
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// replies checks that every message has exactly one reply, the echo of its
// text, on its own sessionWebhook.
func (r *streamRig) replies(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "replies", func() bool { return len(sessionReplies(r.fake)) >= n })
	seen := map[string]int{}
	for _, m := range sessionReplies(r.fake) {
		id := r.fake.SessionMsg(m.Robot)
		seen[id]++
		if want := r.echo.Reply("text " + id); m.Content != want {
			t.Errorf("reply on the session of %s = %q, want %q", id, m.Content, want)
		}
	}
	for i := range n {
		if id := fmt.Sprintf("s%d", i); seen[id] != 1 {
			t.Errorf("%s: %d replies, want 1", id, seen[id])
		}
	}
}

func sessionReplies(f *platformtest.FakeDingTalk) []platformtest.Sent {
	var out []platformtest.Sent
	for _, m := range f.Messages() {
		if m.Kind == jinqiu.KindSession {
			out = append(out, m)
		}
	}
	return out
}

func TestStreamAcksOnceRecordedBeforeHandling(t *testing.T) {
	echo := &platformtest.Echo{Delay: 1500 * time.Millisecond}
	r := newStreamRig(t, echo, nil)
	r.fake.StreamTiming(platformtest.DefaultTicketLife, time.Second, time.Second)
	waitFor(t, "a connection", func() bool { return r.fake.StreamConnections() == 1 })
	const n = 5
	for i := range n {
		r.fake.SendStream(platformtest.StreamMessage{MsgID: fmt.Sprintf("s%d", i), ConversationID: "cidGroup", StaffID: "u1", Text: fmt.Sprintf("text s%d", i)})
	}
	r.replies(t, n)
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		acked, ended := r.fake.StreamAcked(id), echo.Ended(id)
		if acked.IsZero() || !acked.Before(ended) {
			t.Errorf("%s acked at %v, handled by %v: want the ack first", id, acked, ended)
		}
		if h := echo.Handled(id); h != 1 {
			t.Errorf("%s handled %d times", id, h)
		}
	}
	if _, redelivered, _, _, _ := r.fake.StreamCounts(); redelivered != 0 {
		t.Errorf("%d redeliveries: the acks were late", redelivered)
	}
}

func TestStreamUnrecordedMessageIsRedelivered(t *testing.T) {
	var refused atomic.Bool
	busyOnce := func(p inbound.Processor) inbound.Processor {
		return inbound.ProcessorFunc(func(ctx context.Context, m jinqiu.Message) (inbound.Outcome, error) {
			if refused.CompareAndSwap(false, true) {
				return inbound.Outcome{}, inbound.ErrBusy
			}
			return p.Process(ctx, m)
		})
	}
	echo := &platformtest.Echo{}
	r := newStreamRig(t, echo, busyOnce)
	r.fake.StreamTiming(platformtest.DefaultTicketLife, 100*time.Millisecond, time.Second)
	waitFor(t, "a connection", func() bool { return r.fake.StreamConnections() == 1 })
	r.fake.SendStream(platformtest.StreamMessage{MsgID: "s0", StaffID: "u1", Text: "text s0"})
	r.replies(t, 1)
	if _, redelivered, _, _, _ := r.fake.StreamCounts(); redelivered < 1 || echo.Handled("s0") != 1 {
		t.Errorf("redelivered %d, handled %d: want the unrecorded message sent again and handled once", redelivered, echo.Handled("s0"))
	}
}

func TestStreamPingDisconnectAndTicketExpiry(t *testing.T) {
	echo := &platformtest.Echo{}
	r := newStreamRig(t, echo, nil)
	r.fake.StreamTiming(platformtest.DefaultTicketLife, time.Second, 800*time.Millisecond)
	waitFor(t, "a connection", func() bool { return r.fake.StreamConnections() == 1 })
	r.fake.PingStream()
	waitFor(t, "a pong", func() bool { _, _, _, _, pongs := r.fake.StreamCounts(); return pongs == 1 })

	// The next connection opens while the announced one still drains.
	r.fake.DisconnectStream()
	waitFor(t, "the next connection beside the old", func() bool { return r.fake.StreamConnections() == 2 })
	r.fake.SendStream(platformtest.StreamMessage{MsgID: "s0", StaffID: "u1", Text: "text s0"})
	r.replies(t, 1)
	waitFor(t, "the old connection closed", func() bool { return r.fake.StreamConnections() == 1 })

	// Tickets that expire before use are refused; the client asks anew.
	r.fake.StreamTiming(-time.Second, time.Second, time.Second)
	r.fake.DropStream()
	waitFor(t, "a refused ticket", func() bool { _, _, _, expired, _ := r.fake.StreamCounts(); return expired >= 1 })
	r.fake.StreamTiming(platformtest.DefaultTicketLife, time.Second, time.Second)
	waitFor(t, "a connection with a fresh ticket", func() bool { return r.fake.StreamConnections() == 1 })
}

func TestStreamGroupPushThroughTheOpenAPI(t *testing.T) {
	r := newStreamRig(t, &platformtest.Echo{}, nil)
	for _, rep := range []jinqiu.Reply{{Text: "今天下午活动"}, {Title: "周报", Markdown: "第一行\n第二行"}} {
		if err := r.sender.Send(context.Background(), jinqiu.Target{Platform: dingtalk.Name, Kind: jinqiu.KindGroup, ChatID: "cidGroup"}, rep); err != nil {
			t.Fatal(err)
		}
	}
	sends := r.fake.GroupSends()
	if len(sends) != 2 || sends[0].ChatID != "cidGroup" || sends[0].Robot != "dingAPPKEY" ||
		sends[0].MsgType != "sampleText" || sends[0].Content != "今天下午活动" ||
		sends[1].MsgType != "sampleMarkdown" || sends[1].Title != "周报" || sends[1].Content != "第一行\n\n第二行" {
		t.Errorf("group sends = %+v", sends)
	}
}

// Buttons go to DingTalk as links that send the command they stand for.
func TestStreamButtonsAreSendMessageLinks(t *testing.T) {
	r := newStreamRig(t, &platformtest.Echo{}, nil)
	rep := jinqiu.Reply{Text: "3号活动 植树\n报名请发送：报名 3", Buttons: []jinqiu.Button{{Text: "报名", Command: "报名 3"}, {Text: "取消报名", Command: "取消报名 3"}}}
	if err := r.sender.Send(context.Background(), jinqiu.Target{Platform: dingtalk.Name, Kind: jinqiu.KindGroup, ChatID: "cidGroup"}, rep); err != nil {
		t.Fatal(err)
	}
	sends := r.fake.GroupSends()
	want := "3号活动 植树\n\n报名请发送：报名 3\n\n[报名](dtmd://dingtalkclient/sendMessage?content=%E6%8A%A5%E5%90%8D%203) | [取消报名](dtmd://dingtalkclient/sendMessage?content=%E5%8F%96%E6%B6%88%E6%8A%A5%E5%90%8D%203)"
	if len(sends) != 1 || sends[0].MsgType != "sampleMarkdown" || sends[0].Title != "3号活动 植树" || sends[0].Content != want {
		t.Errorf("sends = %+v\nwant markdown %q", sends, want)
	}
}
