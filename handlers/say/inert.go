package say

import (
	"regexp"
	"strings"
	"unicode"
)

// Inert returns text a person supplied (a name, a title, a place, a note, a
// reason, a topic) in a form that is safe inside any reply, push or digest
// of either platform, as plain text or markdown, and still reads the same
// to a person:
//
//   - mention syntax does nothing: '@' becomes the full-width '＠', so
//     <@all>, <@userid>, @所有人 and @all are text; only the bot mentions,
//     through the platforms' mention fields;
//   - markup does nothing: the characters of markdown and HTML ([ ] ( ) < >
//   - _ ` # ! | ~ \) become their full-width forms, so no link, image,
//     heading, code, quote, emphasis, table or tag (<font>, <a>) forms;
//   - links do not form: "://" and the colon of a scheme (javascript:,
//     mailto:) get a full-width colon and the dots of a host name become
//     full-width, so clients do not auto-link them;
//   - line breaks and other control characters become spaces, so the text
//     cannot start a line of its own (a heading, a quote, a fake notice);
//   - a right-to-left override or isolate is closed at the end of the
//     text, so it cannot turn the rest of the message around.
//
// The text itself is kept as typed everywhere else (storage, matching).
func Inert(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	embeds, isolates := 0, 0
	for _, r := range s {
		switch {
		case r == '\u202a' || r == '\u202b' || r == '\u202d' || r == '\u202e': // LRE RLE LRO RLO
			embeds++
			b.WriteRune(r)
		case r == '\u202c': // PDF
			if embeds > 0 {
				embeds--
				b.WriteRune(r)
			}
		case r == '\u2066' || r == '\u2067' || r == '\u2068': // LRI RLI FSI
			isolates++
			b.WriteRune(r)
		case r == '\u2069': // PDI
			if isolates > 0 {
				isolates--
				b.WriteRune(r)
			}
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cc, r):
			b.WriteByte(' ')
		default:
			if w, ok := fullWidth[r]; ok {
				b.WriteRune(w)
			} else {
				b.WriteRune(r)
			}
		}
	}
	for ; embeds > 0; embeds-- {
		b.WriteRune('\u202c')
	}
	for ; isolates > 0; isolates-- {
		b.WriteRune('\u2069')
	}
	out := b.String()
	out = strings.ReplaceAll(out, "://", "：//")
	out = scheme.ReplaceAllStringFunc(out, func(s string) string { return strings.TrimSuffix(s, ":") + "：" })
	return hostLike.ReplaceAllStringFunc(out, func(h string) string { return strings.ReplaceAll(h, ".", "．") })
}

// scheme matches the URI schemes that clients act on without "//"
// (javascript:alert(1), mailto:, tel:).
var scheme = regexp.MustCompile(`(?i)\b(javascript|vbscript|data|mailto|tel|sms|file|weixin|dingtalk|alipays?):`)

// fullWidth maps the characters that mean something to the platforms'
// markdown, HTML or mention syntax to their full-width forms.
var fullWidth = map[rune]rune{
	'@': '＠', '[': '［', ']': '］', '(': '（', ')': '）', '<': '＜', '>': '＞',
	'*': '＊', '_': '＿', '`': '｀', '#': '＃', '!': '！', '|': '｜', '~': '～', '\\': '＼',
}

// hostLike matches a dotted name ending in letters (evil.example,
// www.a.cn), which clients turn into links; "2.5" and "12.1" are left.
var hostLike = regexp.MustCompile(`(?i)[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}`)
