package handlers

import (
	"fmt"
	"strings"
	"testing"

	"jinqiu/handlers/say"
)

// A voice message is its transcript: the reply quotes what was heard, and
// an acting command waits for 是 even when written plainly.
func TestVoiceQuotesAndConfirmsActs(t *testing.T) {
	twEachStore(t, func(t *testing.T, w *testWorld) {
		w.register(twChatA, "m1")
		a1, _ := twTwoActivities(w)
		loc := w.h.loc()
		speak := func(text string) string {
			t.Helper()
			m := w.message(twChatA, "m1", text)
			m.Spoken = true
			r, err := w.h.Handle(twCtx, m)
			if err != nil {
				t.Fatal(err)
			}
			return r.Text
		}
		signup := "报名 " + fmt.Sprint(a1.ID)
		got := speak(signup)
		heard := say.VoiceHeard("@金秋助手 " + signup)
		if !strings.HasPrefix(got, heard+"\n") {
			t.Errorf("spoken sign-up = %q, want it to start with %q", got, heard)
		}
		if strings.TrimPrefix(got, heard+"\n") != twWords.Confirm(say.Heard{Intent: "signup", ActivityID: a1.ID, Activity: &a1}, loc) {
			t.Errorf("spoken sign-up = %q, want the confirmation of %d", got, a1.ID)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 0 {
			t.Errorf("a spoken sign-up acted before 是: %d sign-ups", n)
		}
		if r := w.say(twChatA, "m1", "是"); r.Text != twWords.SignedUp(twName("m1"), a1, loc) {
			t.Errorf("是 = %q", r.Text)
		}
		if n := w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'"); n != 1 {
			t.Errorf("after 是: %d sign-ups, want 1", n)
		}
		// The same command typed acts at once (the typed path is unchanged).
		typed := w.say(twChatA, "m1", "取消报名 "+fmt.Sprint(a1.ID))
		if strings.Contains(typed.Text, say.VoiceHeard("@金秋助手 取消报名 "+fmt.Sprint(a1.ID))) || w.count("SELECT COUNT(*) FROM signups WHERE state = 'confirmed'") != 0 {
			t.Errorf("typed cancellation = %q: want it done at once", typed.Text)
		}
		// A spoken question is answered at once, quoted.
		if got := speak("帮助"); !strings.HasPrefix(got, say.VoiceHeard("@金秋助手 帮助")+"\n") || strings.Contains(got, "确认请回复") {
			t.Errorf("spoken help = %q", got)
		}
	})
}
