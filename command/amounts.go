package command

import (
	"strings"
	"unicode/utf8"
)

// Forms of the second version's lexer: amounts that are not exact, the
// attendance of a meeting, a page of a list and a year on its own.

// inexactWords are spans of time that name no number of hours.
var inexactWords = []string{"大半天", "半天", "一整天", "一天", "整整一天", "一上午", "一下午", "一晚上", "一早上",
	"一整个上午", "一整个下午", "大半个上午", "大半个下午", "一整上午", "一整下午"}

// scanInexact reads an amount of time that is not exact at s[i:]: 两个多小时,
// 一个来小时, 三四个小时, 3到4小时, 几个小时, 好几个钟头, 2小时左右, 半天, 一上午.
// It returns the end, or 0.
func scanInexact(s string, i int) int {
	rest := s[i:]
	for _, w := range inexactWords {
		if strings.HasPrefix(rest, w) {
			return i + len(w)
		}
	}
	j, loose := i, false
	switch {
	case strings.HasPrefix(rest, "好几"):
		j, loose = j+len("好几"), true
	case strings.HasPrefix(rest, "十几"):
		j, loose = j+len("十几"), true
	case strings.HasPrefix(rest, "几"):
		j, loose = j+len("几"), true
	default:
		ns := scanNumber(s, j)
		if ns.end == 0 || ns.bad {
			return 0
		}
		j = ns.end
		if d, n := cnDigit(s[j:]); d > 0 && ns.isInt {
			j, loose = j+n, true // 三四个小时: a range said in one breath
		} else {
			for _, r := range []string{"到", "至", "-", "~"} {
				if strings.HasPrefix(s[j:], r) {
					if m := scanNumber(s, j+len(r)); m.end > 0 && !m.bad {
						j, loose = m.end, true
					}
					break
				}
			}
		}
	}
	if strings.HasPrefix(s[j:], "个") {
		j += len("个")
	}
	for _, w := range []string{"多", "来"} {
		if strings.HasPrefix(s[j:], w) {
			j, loose = j+len(w), true
			if strings.HasPrefix(s[j:], "个") {
				j += len("个")
			}
			break
		}
	}
	e := unitAt(s, j, hourUnits)
	if e == 0 {
		e = unitAt(s, j, minuteUnits)
	}
	if e == 0 {
		return 0
	}
	for _, w := range []string{"左右", "上下", "多"} {
		if strings.HasPrefix(s[e:], w) {
			return e + len(w)
		}
	}
	if !loose {
		return 0
	}
	return e
}

// approxBefore reports whether the amount at segment i is said to be about
// that much (大概2小时, 差不多两个钟头): then it is not exact either.
func (p *msgParser) approxBefore(i int) bool {
	if i == 0 {
		return false
	}
	prev := &p.segs[i-1]
	if prev.kind != segText && prev.kind != segWord {
		return false
	}
	t := p.f[prev.start:prev.end]
	for _, w := range []string{"大概", "大约", "约莫", "差不多", "将近", "估计", "大致", "约", "快", "近", "得有", "有个"} {
		if strings.HasSuffix(t, w) {
			return true
		}
	}
	return false
}

// Attendance kinds of a meeting.
const (
	attendExpected  = 'e'
	attendPresent   = 'p'
	attendDelivered = 'd'
)

// attendPrefixes: bare says the word means a head count on its own, so
// that 应到5 实到7 needs no 人 (参加5 might be anything).
var attendPrefixes = []struct {
	text string
	kind byte
	bare bool
}{
	{"送学上门", attendDelivered, true}, {"送学", attendDelivered, false},
	{"应到会", attendExpected, true}, {"应参会", attendExpected, true}, {"应出席", attendExpected, true}, {"应到", attendExpected, true},
	{"实际到会", attendPresent, true}, {"实到会", attendPresent, true}, {"实到", attendPresent, true}, {"到会", attendPresent, false},
	{"参会", attendPresent, false}, {"参加", attendPresent, false}, {"出席", attendPresent, false}, {"到场", attendPresent, false},
}

// endsCount reports whether s[k:] ends a bare head count: the end, a space
// or a punctuation mark.
func endsCount(s string, k int) bool {
	if k >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return r == ' ' || strings.ContainsRune(",，。;；、.!！", r)
}

var attendSuffixes = []string{"参加", "参会", "到会", "出席", "到场"}

// scanAttend reads 应到9人, 实到7人, 到会12人, 参加18人, 6人参加, 送学上门2人 at
// s[i:]: the kind, the number and the end (0 when there is none).
func scanAttend(s string, i int) (byte, numVal, int) {
	j, kind, bare := i, byte(0), false
	for _, p := range attendPrefixes {
		if strings.HasPrefix(s[j:], p.text) {
			j, kind, bare = j+len(p.text), p.kind, p.bare
			break
		}
	}
	if kind != 0 && j < len(s) && s[j] == ' ' {
		j++
	}
	ns := scanNumber(s, j)
	if ns.end == 0 {
		return 0, numVal{}, 0
	}
	k := ns.end
	if strings.HasPrefix(s[k:], "个") {
		k += len("个")
	}
	found := false
	for _, u := range []string{"人", "名", "位"} {
		if strings.HasPrefix(s[k:], u) {
			k, found = k+len(u), true
			break
		}
	}
	if !found && !(bare && k == ns.end && endsCount(s, k)) {
		return 0, numVal{}, 0
	}
	if kind == 0 {
		for _, sf := range attendSuffixes {
			if strings.HasPrefix(s[k:], sf) {
				k, kind = k+len(sf), attendPresent
				break
			}
		}
		if kind == 0 {
			return 0, numVal{}, 0
		}
	}
	n := numVal{val: ns.val, isInt: ns.isInt, bad: ns.bad || !ns.isInt || ns.val > 100000}
	return kind, n, k
}

// scanPage reads 第2页 or 2页 at s[i:].
func scanPage(s string, i int) (int, int) {
	j := i
	if strings.HasPrefix(s[j:], "第") {
		j += len("第")
	}
	ns := scanNumber(s, j)
	if ns.end == 0 || !ns.isInt || ns.bad || ns.val > 9999 {
		return 0, 0
	}
	if !strings.HasPrefix(s[ns.end:], "页") {
		return 0, 0
	}
	return int(ns.val), ns.end + len("页")
}

// scanYear reads a year on its own (2026年, 二〇二六年) at s[i:]; a year
// with a month and day is a date.
func scanYear(s string, i int) (int, int) {
	if i > 0 && isDigitByte(s[i-1]) {
		return 0, 0
	}
	y, j := yearAt(s, i)
	if j == 0 || !strings.HasPrefix(s[j:], "年") || y < 1900 || y > 2999 {
		return 0, 0
	}
	return y, j + len("年")
}
