package command

import (
	"jinqiu"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxRef bounds activity and report numbers so that they fit any int column;
// longer digit strings are no number at all.
const maxRefNumber = 999_999_999

// ParseNumber reads one number token as the Numbers section of COMMANDS.md
// describes: Arabic or full-width digits, decimals, Chinese numerals up to 999
// (十一 二十一 一百二十 一百零五 两), 二点五, 半, 一个半, 两个半. It reports false
// for anything else, and for zero or negative numbers. Safe for concurrent use.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(foldWidth(s))
	if s == "" {
		return 0, false
	}
	n := scanNumber(s, 0)
	if n.end != len(s) || n.bad {
		return 0, false
	}
	return n.val, true
}

// ParseReplyNumber reads a bare reply in a dialogue ("3", "3号", "#3",
// "第三个", "三", "3号活动"), or the number with words after it ("2号 金秋讲堂":
// the listed number and its name), and returns the positive integer it
// names. It reports false for anything else, decimals and non-positive
// numbers included. Safe for concurrent use.
func ParseReplyNumber(s string) (int, bool) {
	t := Normalize(s)
	if t == "" {
		return 0, false
	}
	var buf [8]lexSegment
	segs := lexMessage(t, buf[:0])
	n, found, words := 0, false, false
	for i := range segs {
		sg := &segs[i]
		switch {
		case sg.kind == segSpace:
			words = found // after the number's token, words may follow
		case sg.kind == segWord && (sg.w.class == wcFiller || sg.w.text == "活动"):
		case sg.kind == segNum && sg.num.validRef() && !found:
			n, found = int(sg.num.val), true
		case words && sg.kind != segNum && !(sg.kind == segWord && isCommandClass(sg.w.class)):
		default:
			return 0, false
		}
	}
	return n, found
}

// fold makes full-width digits and points half-width for callers that did
// not normalise.
func foldWidth(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFKC.String(s)
		}
	}
	return s
}

// cnDigit reads one Chinese digit (零〇一二两三…九, and the 大写 forms
// 壹贰叁肆伍陆柒捌玖 that people used to writing receipts type) at the
// start of s.
func cnDigit(s string) (int, int) {
	if len(s) < 3 {
		return -1, 0
	}
	switch s[:3] {
	case "零", "〇":
		return 0, 3
	case "一", "壹":
		return 1, 3
	case "二", "两", "俩", "贰":
		return 2, 3
	case "三", "仨", "叁":
		return 3, 3
	case "四", "肆":
		return 4, 3
	case "五", "伍":
		return 5, 3
	case "六", "陆":
		return 6, 3
	case "七", "柒":
		return 7, 3
	case "八", "捌":
		return 8, 3
	case "九", "玖":
		return 9, 3
	}
	return -1, 0
}

// tenAt and hundredAt return the length of 十 (拾) or 百 (佰) at the start
// of s, 0 when it is not there. Every form is three bytes.
func tenAt(s string) int {
	if strings.HasPrefix(s, "十") || strings.HasPrefix(s, "拾") {
		return 3
	}
	return 0
}

func hundredAt(s string) int {
	if strings.HasPrefix(s, "百") || strings.HasPrefix(s, "佰") {
		return 3
	}
	return 0
}

// scanCNInt reads the longest Chinese integer up to 999 at the start of s:
// 三, 十, 十一, 二十一, 一百, 一百零五, 一百二十 and the spoken 一百二 (120).
// It returns the value and the bytes read, 0 bytes when there is none.
func scanCNInt(s string) (int, int) {
	d, n := cnDigit(s)
	if d < 0 {
		if tenAt(s) > 0 {
			return scanTens(s, 0, 1)
		}
		return 0, 0
	}
	if h := hundredAt(s[n:]); d > 0 && h > 0 {
		v, i := d*100, n+h
		if z, zn := cnDigit(s[i:]); z == 0 {
			if u, un := cnDigit(s[i+zn:]); u > 0 {
				return v + u, i + zn + un
			}
			return v, i
		}
		if t, tn := cnDigit(s[i:]); t > 0 {
			if tenAt(s[i+tn:]) > 0 {
				tv, ti := scanTens(s, i+tn, t)
				return v + tv, ti
			}
			return v + t*10, i + tn // 一百二 = 120
		}
		if tenAt(s[i:]) > 0 {
			tv, ti := scanTens(s, i, 1)
			return v + tv, ti
		}
		return v, i
	}
	if d > 0 && tenAt(s[n:]) > 0 {
		return scanTens(s, n, d)
	}
	return d, n
}

// scanTens reads 十 at s[i:] and an optional unit digit after it.
func scanTens(s string, i, tens int) (int, int) {
	v, j := tens*10, i+tenAt(s[i:])
	if u, un := cnDigit(s[j:]); u > 0 {
		return v + u, j + un
	}
	return v, j
}

type numScan struct {
	val   float64
	isInt bool
	bad   bool // negative, zero or too long: explained, but no number
	end   int  // 0 when nothing was read
}

// scanNumber reads a number at s[i:]: digits with an optional fraction
// (2.5, and the voice keyboard's 2点5), Chinese numerals with 点 decimals,
// 半, and N个半. A leading '-' is read so that "-1" is a bad number rather
// than a 1.
func scanNumber(s string, i int) numScan {
	j := i
	neg := false
	if j+1 < len(s) && s[j] == '-' && isDigitByte(s[j+1]) && (j == 0 || !isDigitByte(s[j-1])) {
		neg = true
		j++
	}
	var ns numScan
	switch {
	case j < len(s) && isDigitByte(s[j]):
		k := j
		for k < len(s) && isDigitByte(s[k]) {
			k++
		}
		intEnd := k
		if k+1 < len(s) && s[k] == '.' && isDigitByte(s[k+1]) {
			k++
			for k < len(s) && isDigitByte(s[k]) {
				k++
			}
		}
		if intEnd-j > 9 || k-intEnd > 8 {
			ns = numScan{bad: true, end: k}
			break
		}
		v, err := strconv.ParseFloat(s[j:k], 64)
		ns = numScan{val: v, isInt: k == intEnd, bad: err != nil, end: k}
		if ns.isInt && strings.HasPrefix(s[k:], "点") && k+3 < len(s) && isDigitByte(s[k+3]) {
			f, fe := digitFraction(s, k+3)
			if fe-(k+3) <= 8 {
				ns = numScan{val: v + f, end: fe}
			}
		}
	case strings.HasPrefix(s[j:], "半"):
		ns = numScan{val: 0.5, end: j + len("半")}
	default:
		v, n := scanCNInt(s[j:])
		if n == 0 {
			return numScan{}
		}
		k := j + n
		ns = numScan{val: float64(v), isInt: true, end: k}
		if strings.HasPrefix(s[k:], "点") {
			f, fe := 0.0, k+len("点")
			scale := 0.1
			for digits := 0; digits < 8; digits++ {
				d, dn := cnDigit(s[fe:])
				if d < 0 {
					break
				}
				f += float64(d) * scale
				scale /= 10
				fe += dn
			}
			if fe > k+len("点") {
				ns = numScan{val: float64(v) + f, end: fe}
			}
		}
	}
	if ns.isInt && strings.HasPrefix(s[ns.end:], "个半") {
		ns.val += 0.5
		ns.isInt = false
		ns.end += len("个半")
	}
	if neg || ns.val <= 0 || math.IsInf(ns.val, 0) || math.IsNaN(ns.val) {
		ns.bad = true
	}
	return ns
}

func digitFraction(s string, i int) (float64, int) {
	f, scale := 0.0, 0.1
	for i < len(s) && isDigitByte(s[i]) {
		f += float64(s[i]-'0') * scale
		scale /= 10
		i++
	}
	return f, i
}

// numVal is a number as written in a message.
type numVal struct {
	val   float64
	isInt bool
	bad   bool
	ref   bool // written with 第, #, 号 or 活动: certainly a reference
	day   bool // a plain N号, which may also be a day of the month
	// sentence: a capacity said in a sentence (需要10个人), not as a field.
	sentence bool
}

func (n numVal) validRef() bool {
	return !n.bad && n.isInt && n.val >= 1 && n.val <= maxRefNumber
}

// scanNumRef reads a number, with the reference forms of COMMANDS.md around
// it: 3, 3号, #3, 第3个, 第三个, 三号, 活动3, 3号活动, 第5条.
func scanNumRef(s string, i int) (numVal, int) {
	j := i
	prefix := ""
	for _, p := range []string{"第", "#", "活动", "编号", "序号"} {
		if strings.HasPrefix(s[j:], p) {
			prefix = p
			j += len(p)
			break
		}
	}
	if prefix != "" && prefix != "活动" && j < len(s) && s[j] == ' ' {
		j++
	}
	ns := scanNumber(s, j)
	if ns.end == 0 {
		return numVal{}, 0
	}
	k := ns.end
	k2 := k
	if k2 < len(s) && s[k2] == ' ' {
		k2++
	}
	suffix := ""
	switch {
	case strings.HasPrefix(s[k2:], "号"):
		suffix = "号"
	case prefix == "第":
		for _, sf := range []string{"个", "条", "项", "场", "次", "期"} {
			if strings.HasPrefix(s[k2:], sf) {
				suffix = sf
				break
			}
		}
	}
	act := false
	if suffix != "" {
		k = k2 + len(suffix)
		if strings.HasPrefix(s[k:], "活动") {
			k += len("活动")
			act = true
		}
	}
	return numVal{
		val:   ns.val,
		isInt: ns.isInt,
		bad:   ns.bad,
		ref:   prefix != "" || suffix != "",
		day:   prefix == "" && suffix == "号" && !act,
	}, k
}

var (
	hourUnits   = []string{"个小时", "小时", "个钟头", "钟头", "个钟"}
	minuteUnits = []string{"分钟"}
)

// scanHours reads an amount of time: N小时, N个小时, Nh, N分钟, 半小时,
// 一个半小时, N小时M分钟, N小时半. Minutes become hours.
func scanHours(s string, i int) (float64, bool, int) {
	ns := scanNumber(s, i)
	if ns.end == 0 {
		return 0, false, 0
	}
	k := ns.end
	if k < len(s) && s[k] == ' ' {
		k++
	}
	v := ns.val
	hoursEnd := unitAt(s, k, hourUnits, "h", "hr", "hrs", "hour", "hours")
	switch {
	case hoursEnd > 0:
		k = hoursEnd
		if strings.HasPrefix(s[k:], "半") {
			v += 0.5
			k += len("半")
		} else if m := scanNumber(s, k); m.end > 0 && !m.bad {
			if e := unitAt(s, m.end, minuteUnits, "min", "mins"); e > 0 {
				v += m.val / 60
				k = e
			} else if strings.HasPrefix(s[m.end:], "分") {
				v += m.val / 60
				k = m.end + len("分")
			}
		}
	case strings.HasPrefix(s[k:], "刻钟") && ns.isInt:
		// 一刻钟, 三刻钟: quarters of an hour.
		v /= 4
		k += len("刻钟")
	default:
		e := unitAt(s, k, minuteUnits, "min", "mins", "minute", "minutes")
		if e == 0 && strings.HasPrefix(s[k:], "分") && !strings.HasPrefix(s[k:], "分之") {
			e = k + len("分") // 40分: minutes, spoken short
		}
		if e == 0 {
			return 0, false, 0
		}
		v /= 60
		k = e
	}
	return v, ns.bad || v <= 0, k
}

// unitAt returns the end of one of the units at s[k:], ASCII units as whole
// letter runs in any case, or 0.
func unitAt(s string, k int, units []string, ascii ...string) int {
	for _, u := range units {
		if strings.HasPrefix(s[k:], u) {
			return k + len(u)
		}
	}
	e := k
	for e < len(s) && isLetterByte(s[e]) {
		e++
	}
	if e == k {
		return 0
	}
	for _, u := range ascii {
		if strings.EqualFold(s[k:e], u) {
			return e
		}
	}
	return 0
}

// scanCapacity reads 名额N, 名额 N, 人数N, 限额N, 限N人, N人, N名, N个名额.
// Weak prefixes (限, 共, 最多) need the 人 as well, so that 共3小时 stays hours.
func scanCapacity(s string, i int) (numVal, int) {
	j := i
	strong, weak := false, false
	sentence := false
	for _, p := range []string{"名额", "人数", "限额", "限报", "最多", "招募", "需要", "限", "共"} {
		if strings.HasPrefix(s[j:], p) {
			strong = p == "名额" || p == "人数" || p == "限额"
			sentence = p == "需要"
			weak = !strong
			j += len(p)
			break
		}
	}
	if (strong || weak) && j < len(s) && s[j] == ' ' {
		j++
	}
	ns := scanNumber(s, j)
	if ns.end == 0 {
		return numVal{}, 0
	}
	k := ns.end
	if strong && k < len(s) && (isLetterByte(s[k]) || s[k] == '.') {
		// 名额1e9, 名额2.5k: a number that goes on is not a number of
		// places; the whole of it is the bad capacity.
		for k < len(s) && (isLetterByte(s[k]) || isDigitByte(s[k]) || s[k] == '.' || s[k] == '+' || s[k] == '-') {
			k++
		}
		return numVal{bad: true}, k
	}
	suffix := false
	for _, sf := range []string{"个名额", "名额", "个人", "人", "名", "位"} {
		if strings.HasPrefix(s[k:], sf) && !strings.HasPrefix(s[k:], "名单") {
			sentence = sentence && sf == "个人" // 需要10个人, not 需要10人
			suffix = true
			k += len(sf)
			break
		}
	}
	if !suffix && !strong {
		return numVal{}, 0
	}
	sentence = sentence && suffix
	if !suffix && unitAt(s, k, hourUnits) > 0 {
		return numVal{}, 0
	}
	return numVal{val: ns.val, isInt: ns.isInt, sentence: sentence,
		bad: ns.bad || !ns.isInt || ns.val < 1 || ns.val > jinqiu.MaxCapacity}, k
}
