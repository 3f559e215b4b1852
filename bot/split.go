package bot

import (
	"strings"
	"unicode/utf8"
)

// SplitLines cuts s into parts of at most maxBytes bytes each, for platforms
// whose messages have a byte limit (WeCom text 2048 B, a CJK character is 3
// bytes). It breaks between lines where it can; the newline at such a break
// is dropped, since the next part starts a new message anyway. A single line
// longer than maxBytes is cut hard, but never inside a UTF-8 sequence. Parts
// that would hold nothing but newlines are left out.
//
// s itself comes back as the only part when it fits; an empty s gives no
// parts. A maxBytes below utf8.UTFMax is raised to it so that every rune
// fits and the loop always advances.
func SplitLines(s string, maxBytes int) []string {
	if s == "" {
		return nil
	}
	if maxBytes < utf8.UTFMax {
		maxBytes = utf8.UTFMax
	}
	if len(s) <= maxBytes {
		return []string{s}
	}

	var parts []string
	emit := func(p string) {
		p = strings.TrimSuffix(p, "\n")
		if strings.Trim(p, "\n") != "" {
			parts = append(parts, p)
		}
	}

	var cur strings.Builder
	for rest := s; rest != ""; {
		// The next line, with its newline if it has one.
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]

		// A line's own trailing newline does not count against the limit
		// when it would end the part: it is dropped there.
		if cur.Len()+len(strings.TrimSuffix(line, "\n")) <= maxBytes {
			cur.WriteString(line)
			if cur.Len() >= maxBytes {
				emit(cur.String())
				cur.Reset()
			}
			continue
		}
		if cur.Len() > 0 {
			emit(cur.String())
			cur.Reset()
		}
		for len(strings.TrimSuffix(line, "\n")) > maxBytes {
			cut := runeCut(line, maxBytes)
			emit(line[:cut])
			line = line[cut:]
		}
		cur.WriteString(line)
	}
	if cur.Len() > 0 {
		emit(cur.String())
	}
	return parts
}

// runeCut returns the largest n <= max such that s[:n] does not end inside a
// UTF-8 sequence. Bytes that are not valid UTF-8 are cut anywhere: there is
// no character to keep whole. It is at least 1, so callers always advance.
func runeCut(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	for n := max; n > 0 && n > max-utf8.UTFMax; n-- {
		if utf8.RuneStart(s[n]) {
			// s[n] starts a rune; make sure the rune before it is whole.
			return n
		}
	}
	return max
}
