package command

import (
	"sort"
	"strings"
	"unicode/utf8"
)

//go:generate go run gen_t2s.go

// t2sRune is the simplified form of a traditional character, r itself
// when OpenCC's t2s leaves it or changes it into more than one rune or a
// rune of another UTF-8 length (none of those is in a command word).
func t2sRune(r rune) rune {
	if r < 0x3400 || r < 0x10000 && !t2sBMP.has(r) {
		return r
	}
	i := sort.Search(len(t2sPairs), func(i int) bool { return t2sPairs[i][0] >= r })
	if i < len(t2sPairs) && t2sPairs[i][0] == r {
		return t2sPairs[i][1]
	}
	return r
}

// t2sBMP marks the traditional characters of the table in the Basic
// Multilingual Plane, so that most runes need no search.
var t2sBMP = func() *bmpSet {
	var b bmpSet
	for _, p := range t2sPairs {
		b.add(p[0])
	}
	return &b
}()

// simplify returns s with traditional characters made simplified. Every
// replacement has the same UTF-8 length, so byte offsets in the result are
// offsets in s: the parser matches on the simplified text and cuts what
// people name out of s, as typed.
func simplify(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if t2sRune(r) != r {
			break
		}
		i += n
	}
	if i == len(s) {
		return s // the common case: nothing to change, no copy
	}
	b := []byte(s)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if t := t2sRune(r); t != r {
			utf8.EncodeRune(b[i:], t)
		}
		i += n
	}
	return string(b)
}

// Fold is text as the language compares it: normalised, simplified
// (OpenCC's t2s, character by character) and lower case, for look-ups of
// what people name (a branch, an activity, a member) against what is
// stored as typed.
func Fold(text string) string {
	s := strings.ToLower(simplify(Normalize(text)))
	if i := emojiRunStart(s); i < len(s) {
		s = strings.TrimRight(s[:i], " ") // 枣行社区🏠 names 枣行社区
	}
	return s
}
