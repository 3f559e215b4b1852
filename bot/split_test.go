package bot

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitLines(t *testing.T) {
	tests := []struct {
		name string
		s    string
		max  int
		want []string
	}{
		{"empty", "", 10, nil},
		{"fits", "abc\ndef", 10, []string{"abc\ndef"}},
		{"exactly the limit", "abcdefghij", 10, []string{"abcdefghij"}},
		{"two lines", "abcdef\nghijkl", 10, []string{"abcdef", "ghijkl"}},
		{"newline at the limit is dropped", "abcdefghij\nk", 10, []string{"abcdefghij", "k"}},
		{"lines packed", "ab\ncd\nef\ngh", 5, []string{"ab\ncd", "ef\ngh"}},
		{"long line cut hard", "abcdefghijklmnopqrstuvwxy", 10, []string{"abcdefghij", "klmnopqrst", "uvwxy"}},
		{"long line then short", "abcdefghijkl\nmn", 10, []string{"abcdefghij", "kl\nmn"}},
		{"blank lines kept inside", "a\n\nb\nccc", 5, []string{"a\n\nb", "ccc"}},
		{"only newlines between parts", "aaaaa\n\n\n\nbbbbb", 5, []string{"aaaaa", "bbbbb"}},
		// 签到 is 6 bytes: a cut at 4 would split 到.
		{"cjk not cut inside a rune", "签到签到", 4, []string{"签", "到", "签", "到"}},
		{"cjk packed", "签到签到签", 7, []string{"签到", "签到", "签"}},
		{"tiny limit raised to a rune", "😀😀", 1, []string{"😀", "😀"}},
		{"emoji with text", "ab😀cd", 5, []string{"ab", "😀c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitLines(tt.s, tt.max)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("SplitLines(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
			}
		})
	}
}

// checkSplit asserts the invariants of SplitLines on any input.
func checkSplit(t *testing.T, s string, maxBytes int) {
	t.Helper()
	parts := SplitLines(s, maxBytes)
	limit := max(maxBytes, utf8.UTFMax)
	for i, p := range parts {
		if len(p) > limit {
			t.Fatalf("part %d has %d bytes > %d", i, len(p), limit)
		}
		if p == "" {
			t.Fatalf("part %d is empty", i)
		}
		if utf8.ValidString(s) && !utf8.ValidString(p) {
			t.Fatalf("part %d is not valid UTF-8: %q", i, p)
		}
	}
	// Nothing but the newlines at breaks may be lost, and order is kept.
	strip := func(x string) string { return strings.ReplaceAll(x, "\n", "") }
	if got, want := strip(strings.Join(parts, "")), strip(s); got != want {
		t.Fatalf("content changed:\n got %q\nwant %q", got, want)
	}
}

func TestSplitLinesInvariants(t *testing.T) {
	var digest strings.Builder
	for i := 0; i < 300; i++ {
		digest.WriteString("第")
		digest.WriteString(strings.Repeat("七", i%13))
		digest.WriteString("支部：报到 12 人，活动 3 次 🎉\n")
	}
	for _, max := range []int{1, 5, 100, 2048, 4096, 20480} {
		checkSplit(t, digest.String(), max)
		checkSplit(t, strings.Repeat("长", 5000), max)
	}
}

func FuzzSplitLines(f *testing.F) {
	f.Add("abc\ndef", 4)
	f.Add("签到\n报名 😀\n\n\n时长", 5)
	f.Add("\xff\xfe\x80\x80abc", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max > 1<<16 || max < -1<<16 {
			return
		}
		checkSplit(t, s, max)
	})
}

func TestWithinBase(t *testing.T) {
	base, _ := url.Parse("https://oapi.dingtalk.com")
	sub, _ := url.Parse("https://example.com/api")
	tests := []struct {
		base *url.URL
		u    string
		want bool
	}{
		{base, "https://oapi.dingtalk.com/robot/send?access_token=x", true},
		{base, "https://OAPI.dingtalk.com:443/robot/sendBySession?session=x", true},
		{base, "http://oapi.dingtalk.com/robot/send", false},
		{base, "https://oapi.dingtalk.com:8443/robot/send", false},
		{base, "https://oapi.dingtalk.com.evil.example/robot/send", false},
		{base, "https://evil.example/?https://oapi.dingtalk.com/", false},
		{base, "https://user:pw@oapi.dingtalk.com/robot/send", false},
		{base, "//oapi.dingtalk.com/robot/send", false},
		{base, "/robot/send", false},
		{sub, "https://example.com/api/x", true},
		{sub, "https://example.com/api", true},
		{sub, "https://example.com/apix", false},
		{sub, "https://example.com/other", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.u)
		if err != nil {
			t.Fatal(err)
		}
		if got := WithinBase(u, tt.base); got != tt.want {
			t.Errorf("WithinBase(%q, %q) = %v, want %v", tt.u, tt.base, got, tt.want)
		}
	}
}
