package command

import "strings"

// honorifics are the words people put after a surname instead of a given
// name (张大爷, 李阿姨): the member is then anyone of that surname.
var honorifics = []string{"大爷", "大妈", "大娘", "阿姨", "叔叔", "叔", "伯伯", "大伯", "奶奶", "爷爷", "婆婆", "老师", "师傅", "同志", "书记", "大哥", "大姐"}

// Surname is the surname a name as written stands for when it names a
// person by surname only (张大爷, 李阿姨, 老张), in folded form; "" when the
// name is a full name.
func Surname(name string) string {
	want := Fold(name)
	for _, hn := range honorifics {
		if s, ok := strings.CutSuffix(want, hn); ok && s != "" {
			return s
		}
	}
	if s, ok := strings.CutPrefix(want, "老"); ok && s != "" {
		return s
	}
	return ""
}

// TitleKey is an activity's title as named (周六的垃圾分类 names 垃圾分类: a
// day before 的 is no part of the title) in the form compared against
// stored titles.
func TitleKey(title string) string {
	f := Fold(title)
	var buf [8]lexSegment
	segs := lexMessage(f, buf[:0])
	if len(segs) > 2 && segs[0].kind == segDate && segs[1].kind == segWord && segs[1].w.text == "的" {
		f = f[segs[2].start:]
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(f, "的"), "的"))
}
