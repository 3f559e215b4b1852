package main

import (
	"context"
	"jinqiu"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jinqiu/bot/dingtalk"
	"jinqiu/bot/platformtest"
	"jinqiu/bot/wecom"
	"jinqiu/config"
	"jinqiu/handlers/say"
	"jinqiu/storage"
)

// The service wired from config.yaml serves a WeCom AI bot over the long
// connection and a DingTalk robot over Stream with the real handlers: a
// message on either is answered as its callback would be.
func TestServeOverLongConnections(t *testing.T) {
	ws, dt := platformtest.NewWeComWS(t), platformtest.NewDingTalk(t)
	ws.AddBot("BOT1", "s3cret")
	dt.AddApp("dingAPPKEY", "appSECRET")
	doc := `server:
  reply_budget: 30s
storage:
  driver: sqlite
  dsn: "` + filepath.Join(t.TempDir(), "jinqiu.db") + `"
wecom:
  ws_url: "` + ws.URL + `"
  robots:
    - {name: jinqiu, mode: aibot_ws, bot_id: BOT1, secret: s3cret}
dingtalk:
  api_base: "` + dt.URL + `"
  openapi_base: "` + dt.URL + `"
  robots:
    - {name: jinqiu-dd, mode: stream, client_id: dingAPPKEY, client_secret: appSECRET}
branches:
  - id: b1
    name: 枣林社区
    kind: community
    groups:
      - {platform: wecom, chat_id: wrA, robot: jinqiu}
      - {platform: dingtalk, chat_id: cidA, robot: jinqiu-dd}
`
	cfg, err := config.Parse([]byte(doc), e2eNoEnv, registry())
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	a.replica = "test"
	var loops []func(context.Context)
	a.routes(func(run func(context.Context)) { loops = append(loops, run) })
	if len(loops) != 2 {
		t.Fatalf("%d long connections started, want 2", len(loops))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for _, run := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	want := say.Help(say.Guest)
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	wait("the WeCom subscription", func() bool { return ws.Subscribed("BOT1") })
	ws.Send("BOT1", platformtest.WeComWSMessage{MsgID: "w1", ChatID: "wrA", UserID: "u1", Text: "@金秋助手 帮助"})
	wait("the WeCom reply", func() bool { return len(ws.Replies()) == 1 })
	if got := ws.Replies()[0].Content; strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("WeCom reply = %q, want the guest's help %q", got, want)
	}
	wait("the Stream connection", func() bool { return dt.StreamConnections() == 1 })
	dt.SendStream(platformtest.StreamMessage{MsgID: "d1", ConversationID: "cidA", StaffID: "u2", Text: "@金秋助手 帮助"})
	wait("the DingTalk reply", func() bool { return len(dt.Messages()) == 1 })
	if got := dt.Messages()[0]; got.Content != want || dt.SessionMsg(got.Robot) != "d1" {
		t.Errorf("DingTalk reply = %+v, want the guest's help on d1's session", got)
	}
	for _, m := range []struct {
		platform     jinqiu.Platform
		robot, msgID string
	}{{wecom.Name, "jinqiu", "w1"}, {dingtalk.Name, "jinqiu-dd", "d1"}} {
		if in, err := a.db.InboundByMsg(t.Context(), m.platform, m.robot, m.msgID); err != nil || in.State != storage.InboundDone {
			t.Errorf("%s: inbound row %+v, %v: want it done", m.msgID, in, err)
		}
	}
}
