package main

import (
	"strings"
	"testing"

	"jinqiu"
	"jinqiu/handlers"
)

// console-link prints a link that opens the console once, only for the
// bureau and secretaries, and only when the console is on.
func TestCLIConsoleLink(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "console:\n  base_url: https://jq.example.gov.cn/\n")
	db := openCLIDB(t, path)
	for _, user := range []string{w.user("admin"), w.secA} {
		out, errOut, err := cliRun(t, path, "console-link", "--platform", "wecom", "--user", user)
		if err != nil {
			t.Fatalf("console-link %s: %v\n%s", user, err, errOut)
		}
		prefix := "https://jq.example.gov.cn" + handlers.ConsoleLoginPath
		first, _, _ := strings.Cut(out, "\n")
		if !strings.HasPrefix(first, prefix) {
			t.Fatalf("console-link %s printed %q", user, out)
		}
		s, err := db.ConsoleLink(t.Context(), strings.TrimPrefix(first, prefix))
		if err != nil || s.Identity() != (jinqiu.Identity{Platform: "wecom", UserID: user}) || s.ExpiresAt.Sub(s.CreatedAt) != jinqiu.ConsoleLinkTTL {
			t.Errorf("the link of %s opens %+v, %v", user, s, err)
		}
	}
	if out, _, err := cliRun(t, path, "console-link", "--platform", "wecom", "--user", w.user("m1")); err == nil {
		t.Errorf("a member got a link: %q", out)
	}
	if _, _, err := cliRun(t, path, "console-link", "--platform", "wecom"); err == nil || !isUsage(err) {
		t.Errorf("without --user: %v", err)
	}
	off := e2eConfigFile(t, w, "")
	if _, _, err := cliRun(t, off, "console-link", "--platform", "wecom", "--user", w.user("admin")); err == nil || !strings.Contains(err.Error(), "console.base_url") {
		t.Errorf("with the console off: %v", err)
	}
}
