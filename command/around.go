package command

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words around a command (COMMANDS.md, Normalisation): politeness,
// filler and emoji before and after it change nothing, a question that
// carries a full command is that command, and 帮X / 给X / 替X / 代X before it
// name whom a secretary acts for. They are taken off the normalised text
// before the command is read; inside free text (a note, a title) nothing
// is taken off.

// leadingWords come off the start of a message, longest first; asks marks
// the ones that make it a question.
var leadingWords = []struct {
	text string
	asks bool
}{
	{"书记您好", false}, {"书记你好", false}, {"书记好", false}, {"老师好", false}, {"您好", false}, {"你好", false},
	{"大家好", false}, {"麻烦您", false}, {"麻烦你", false}, {"麻烦", false}, {"请问", true}, {"请", false}, {"劳驾", false},
	{"帮我", false}, {"帮忙", false}, {"给我", false}, {"我想", false}, {"能不能", true}, {"能否", true},
	{"可不可以", true}, {"可以", true}, {"能", true}, {"俺", false},
}

// trailingWords come off the end of a message, longest first.
var trailingWords = []struct {
	text string
	asks bool
}{
	{"谢谢书记", false}, {"谢谢您", false}, {"谢谢你", false}, {"谢谢了", false}, {"谢谢啦", false}, {"谢谢", false},
	{"多谢", false}, {"一下", false}, {"好吗", true}, {"行吗", true}, {"可以吗", true}, {"好不好", true},
	{"行不行", true}, {"吗", true}, {"吧", false}, {"啊", false}, {"呀", false}, {"哈", false}, {"呢", true},
}

// speakers are the words after 帮 给 替 代 that name the speaker, not
// someone else.
var speakers = []string{"我", "俺", "咱", "我们", "咱们", "俺们", "自己", "忙"}

// thanksWords make an unknown message a thank-you or a greeting.
var thanksWords = []string{"谢谢", "多谢", "感谢", "辛苦", "你好", "您好", "早上好", "上午好", "下午好", "晚上好",
	"大家好", "早安", "晚安", "点赞", "书记好", "老师好", "👍", "🌹", "🙏"}

// aroundEnds are the first characters of the leading words and the last
// ones of the trailing words, so that most messages need no word compared.
var aroundEnds = func() (e struct{ lead, trail bmpSet }) {
	for _, w := range leadingWords {
		r, _ := utf8.DecodeRuneInString(w.text)
		e.lead.add(r)
	}
	e.lead.add('书')
	for _, w := range trailingWords {
		r, _ := utf8.DecodeLastRuneInString(w.text)
		e.trail.add(r)
	}
	return e
}()

// around is where the command stands in the normalised text and what the
// words around it said.
type around struct {
	a, b    int    // the command: s[a:b]
	intro   int    // after a leading 我是X, (0: none), tried when the whole is no command
	asked   bool   // a question word came off
	forName string // 代办: the name as written
}

func isEmojiRune(r rune) bool {
	switch {
	case r == '\uFE0F', r == '\u200D', r == '\u20E3', r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF:
		return true
	}
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r)
}

// findAround takes the words around the command off s (f is s
// simplified, of the same length).
func findAround(s, f string) around {
	ar := around{a: 0, b: len(f)}
	for changed := true; changed; {
		changed = false
		for ar.a < ar.b && f[ar.a] == ' ' {
			ar.a++
		}
		if r, n := utf8.DecodeRuneInString(f[ar.a:ar.b]); n > 0 && isEmojiRune(r) {
			ar.a += n
			changed = true
			continue
		}
		if rest, ok := strings.CutPrefix(f[ar.a:ar.b], "书记"); ok && vocative(rest) {
			// 书记，报名3 and 书记帮我报个名: the secretary is addressed.
			ar.a += len("书记")
			changed = true
			continue
		}
		if r, _ := utf8.DecodeRuneInString(f[ar.a:ar.b]); !aroundEnds.lead.has(r) {
			break // the common case: the message starts with its command
		}
		for _, w := range leadingWords {
			if strings.HasPrefix(f[ar.a:ar.b], w.text) && !strings.HasPrefix(f[ar.a+len(w.text):ar.b], "们") {
				// The word must not be the start of a longer one (请假, 可以了).
				if d := lang.dict.longest(f, ar.a); d != nil && len(d.text) > len(w.text) && d.class != wcFiller && d.class != wcQuestion {
					continue
				}
				ar.a += len(w.text)
				ar.asked = ar.asked || w.asks
				changed = true
				break
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for ar.b > ar.a && f[ar.b-1] == ' ' {
			ar.b--
		}
		if r, n := utf8.DecodeLastRuneInString(f[ar.a:ar.b]); n > 0 && isEmojiRune(r) {
			ar.b -= n
			changed = true
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(f[ar.a:ar.b]); !aroundEnds.trail.has(r) {
			break
		}
		for _, w := range trailingWords {
			if strings.HasSuffix(f[ar.a:ar.b], w.text) {
				ar.b -= len(w.text)
				ar.asked = ar.asked || w.asks
				changed = true
				break
			}
		}
	}
	if ar.a >= ar.b {
		return ar
	}
	ar.a = actingFor(s, f, ar.a, ar.b, &ar.forName)
	if rest := f[ar.a:ar.b]; strings.HasPrefix(rest, "我是") {
		if sp := strings.IndexByte(rest, ' '); sp > len("我是") && sp <= 8*3 {
			ar.intro = ar.a + sp + 1
		}
	}
	return ar
}

// actingFor reads 帮X, 给X, 替X or 代X right before a command word at f[a:]
// and returns where the command starts; name is X as written in s, unless
// X is the speaker.
func actingFor(s, f string, a, b int, name *string) int {
	rest := f[a:b]
	var lead string
	for _, l := range []string{"帮", "给", "替", "代"} {
		if strings.HasPrefix(rest, l) {
			lead = l
			break
		}
	}
	if lead == "" {
		return a
	}
	if d := lang.dict.longest(f, a); d != nil && len(d.text) > len(lead) {
		return a // 帮助, 帮忙: a word of its own
	}
	start := a + len(lead)
	spaces := 0
	for j, runes := start, 0; j < b && runes <= 8; runes++ {
		if f[j] == ' ' {
			if spaces++; spaces > 1 || j == start {
				return a
			}
			j++
			continue
		}
		if w := lang.dict.longest(f, j); w != nil && j > start && isCommandClass(w.class) {
			x := strings.TrimSpace(s[start:j])
			for _, sp := range speakers {
				if simplify(x) == sp {
					return j
				}
			}
			*name = x
			return j
		}
		_, n := utf8.DecodeRuneInString(f[j:])
		j += n
	}
	return a
}

// vocative reports whether what follows a leading 书记 shows that it
// addresses the secretary.
func vocative(rest string) bool {
	for _, p := range []string{" ", "帮", "给", "请", "麻烦", "您", "你", "我想", "我要"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

func isCommandClass(c wordClass) bool { return c == wcKeyword || c == wcWeak || c == wcSoft }

// isThanks reports whether a message without a command thanks or greets.
func isThanks(f string) bool {
	for _, w := range thanksWords {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}
