package wecom_test

import (
	"jinqiu/bot/wecom"
	"os"
	"strings"
	"testing"

	"jinqiu"
)

// TestRecordedPayloads feeds the recorded callbacks of testdata/ (the
// shapes of WeCom's documents 100719 and 101027 for AI bots, and of the
// group robot's internal-beta callback) through the handler, sealed as
// WeCom seals them, and checks the message each one becomes.
func TestRecordedPayloads(t *testing.T) {
	for _, c := range []struct {
		file  string
		robot string
		want  jinqiu.Message
		late  string
	}{
		{"aibot-text-group.json", "ai", jinqiu.Message{MsgID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", ChatID: "CHATID", ChatType: jinqiu.ChatGroup, UserID: "zhangsan", Text: "@金秋助手 报名 3"}, jinqiu.KindResponseURL},
		{"aibot-text-single.json", "ai", jinqiu.Message{MsgID: "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AJ=", ChatType: jinqiu.ChatSingle, UserID: "lisi", Text: "我的记录"}, jinqiu.KindResponseURL},
		{"aibot-mixed-group.json", "ai", jinqiu.Message{MsgID: "CAIQrcjMjQYY/NGagIOAgAMgq4KM0AK=", ChatID: "CHATID", ChatType: jinqiu.ChatGroup, UserID: "wangwu", Text: "@金秋助手 时长 2 打扫楼道"}, jinqiu.KindResponseURL},
		{"group-robot-text.xml", "grp", jinqiu.Message{MsgID: "abcdabcdabcd", ChatID: "wrkSFfCgAALFgnrSsWU38puA", ChatType: jinqiu.ChatGroup, UserID: "zhaoliu", UserName: "赵六", Text: "@金秋助手 签到"}, jinqiu.KindWebhook},
	} {
		t.Run(c.file, func(t *testing.T) {
			r := newRig(t)
			raw, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			plain := strings.ReplaceAll(strings.TrimSpace(string(raw)), "RESPONSEURL", r.fake.NewResponseURL())
			peer := r.ai
			if c.robot == "grp" {
				peer = r.grp
			}
			if code, body := r.do(peer.Request(r.url(c.robot), []byte(plain), c.robot == "grp")); code != 200 {
				t.Fatalf("answered %d %s", code, body)
			}
			got := r.messages()
			if len(got) != 1 {
				t.Fatalf("processor got %d messages", len(got))
			}
			m := got[0]
			if m.Platform != wecom.Name || m.Robot != c.robot || m.MsgID != c.want.MsgID || m.ChatID != c.want.ChatID || m.ChatType != c.want.ChatType ||
				m.UserID != c.want.UserID || m.UserName != c.want.UserName || m.Text != c.want.Text || m.Late.Kind != c.late {
				t.Errorf("message = %+v\nwant      %+v (late %s)", m, c.want, c.late)
			}
		})
	}
}
