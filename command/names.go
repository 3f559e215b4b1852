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

// TitleKey is an activity's title as named (周六的垃圾分类 names 垃圾分类)
// in the form compared against stored titles.
func TitleKey(title string) string {
	return Fold(strings.TrimSuffix(strings.TrimSpace(title), "的"))
}
