package dingtalk_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/bot/dingtalk"
)

// TestRecordedPayloads feeds the recorded callbacks of testdata/ (the
// shape of DingTalk's 接收消息 document: text in a group and in a single
// chat, and richText with a picture) through the handler, signed as
// DingTalk signs them, and checks the message each one becomes.
func TestRecordedPayloads(t *testing.T) {
	for _, c := range []struct {
		file string
		want jinqiu.Message
	}{
		{"text-group.json", jinqiu.Message{MsgID: "msgJwwVo3d3H3XlTpbsO/9ulg==", ChatID: "cid2dFKEKNhxCOvnBDm5ReEUQ==", ChatType: jinqiu.ChatGroup, UserID: "0123", UserName: "王五", Text: " 报名 3"}},
		{"text-single.json", jinqiu.Message{MsgID: "msgSingle1==", ChatType: jinqiu.ChatSingle, UserID: "0456", UserName: "李四", Text: "我的记录"}},
		{"richtext-group.json", jinqiu.Message{MsgID: "msgRich1==", ChatID: "cid2dFKEKNhxCOvnBDm5ReEUQ==", ChatType: jinqiu.ChatGroup, UserID: "0789", UserName: "赵六", Text: "时长 2 打扫楼道"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			r := newRig(t)
			raw, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(strings.TrimSpace(string(raw)), "SESSIONWEBHOOK", r.fake.NewSession(t0.Add(time.Hour)))
			if code, answer := r.do(r.fake.SignedRequest(r.url(), appSecret, []byte(body))); code != http.StatusOK {
				t.Fatalf("answered %d %s", code, answer)
			}
			r.mu.Lock()
			got := append([]jinqiu.Message(nil), r.got...)
			r.mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("processor got %d messages", len(got))
			}
			m := got[0]
			if m.Platform != dingtalk.Name || m.MsgID != c.want.MsgID || m.ChatID != c.want.ChatID || m.ChatType != c.want.ChatType ||
				m.UserID != c.want.UserID || m.UserName != c.want.UserName || m.Text != c.want.Text ||
				m.Late.Kind != jinqiu.KindSession || !m.SentAt.Equal(time.UnixMilli(1772443800000)) {
				t.Errorf("message = %+v\nwant      %+v", m, c.want)
			}
		})
	}
}
