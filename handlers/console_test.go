package handlers

import (
	"jinqiu"
	"jinqiu/bot/wecom"
	"jinqiu/handlers/say"
	"strings"
	"testing"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// consoleSay sends 后台 from user in chat (a single chat when chat is "").
func (w *testWorld) consoleSay(chat, user string) jinqiu.Reply {
	w.tb.Helper()
	m := w.message(chat, user, "后台")
	if chat == "" {
		m.ChatType = jinqiu.ChatSingle
	}
	r, err := w.h.Handle(twCtx, m)
	if err != nil {
		w.tb.Fatal(err)
	}
	return r
}

func TestConsoleLink(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newTestWorld(t, db, nil)
		w.h.ConsoleURL = "https://jq.example.gov.cn/"
		w.register(twChatA, "m1")
		links := func() int { return w.count("SELECT COUNT(*) FROM console_links") }

		for _, tc := range []struct {
			name, chat, user, want string
		}{
			{"a member is told what the console is for", "", "m1", say.ConsoleNotFor()},
			{"a stranger too", "", "nobody", say.ConsoleNotFor()},
			{"a secretary in the branch group gets no link", twChatA, twSecA, say.ConsoleInPrivate()},
			{"the bureau in its group neither", twChatBur, twAdmin, say.ConsoleInPrivate()},
		} {
			if got := w.consoleSay(tc.chat, tc.user).Text; got != tc.want {
				t.Errorf("%s: reply %q, want %q", tc.name, got, tc.want)
			}
		}
		if n := links(); n != 0 {
			t.Fatalf("%d links stored for refusals", n)
		}

		for _, user := range []string{twSecA, twAdmin} {
			got := w.consoleSay("", user).Text
			prefix := "https://jq.example.gov.cn" + ConsoleLoginPath
			i := strings.Index(got, prefix)
			if i < 0 {
				t.Fatalf("%s: reply %q has no link starting %s", user, got, prefix)
			}
			token := strings.Fields(got[i+len(prefix):])[0]
			s, err := db.ConsoleLink(twCtx, token)
			if err != nil || s.Identity() != (jinqiu.Identity{Platform: wecom.Name, UserID: user}) {
				t.Errorf("%s: link is for %+v, %v", user, s, err)
			}
			if want := say.ConsoleLink(prefix+token, 15); got != want {
				t.Errorf("%s: reply %q, want %q", user, got, want)
			}
			if w.count("SELECT COUNT(*) FROM console_links WHERE token_hash = ?", token) != 0 {
				t.Errorf("%s: the token itself is stored", user)
			}
		}
		if n := links(); n != 2 {
			t.Errorf("%d links stored, want 2", n)
		}

		w.h.ConsoleURL = ""
		if got := w.consoleSay("", twAdmin).Text; got != say.ConsoleOff() {
			t.Errorf("without base_url: %q", got)
		}
	})
}
