package command

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// TestT2STableMatchesOpenCC keeps the generated table equal to what OpenCC
// itself makes of each character (go generate ./command/ rebuilds it).
func TestT2STableMatchesOpenCC(t *testing.T) {
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		s, err := cc.Convert(string(r))
		if err != nil {
			t.Fatal(err)
		}
		want := r
		if c, n := utf8.DecodeRuneInString(s); n == len(s) && utf8.RuneLen(c) == utf8.RuneLen(r) {
			want = c
		}
		if got := t2sRune(r); got != want {
			t.Errorf("t2sRune(%c) = %c, OpenCC gives %s", r, got, s)
		}
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"棗行社區", "枣行社区"}, {"金秋講堂", "金秋讲堂"}, {"張大爺", "张大爷"}, {"ＡＢＣ 社区", "abc 社区"},
		{"@金秋助手 報名", "报名"}, {"發佈活動", "发布活动"}, {"禮拜天", "礼拜天"}, {"通過", "通过"}, {"週三", "周三"}, {"枣行社区🏠", "枣行社区"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if s := "报名 3"; simplify(s) != s {
		t.Errorf("simplify changed simplified text")
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"张大爷", "张"}, {"張大爺", "张"}, {"李阿姨", "李"}, {"老王", "王"}, {"王建国", ""},
	} {
		if got := Surname(c.in); got != c.want {
			t.Errorf("Surname(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"周六的垃圾分类", "垃圾分类"}, {"垃圾分類", "垃圾分类"}, {"金秋讲堂的", "金秋讲堂"}, {"明天的读书会", "读书会"},
		{"Ａ组读书会", "a组读书会"},
	} {
		if got := TitleKey(c.in); got != c.want {
			t.Errorf("TitleKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTraditionalWords checks that every word of the dictionary, written
// in traditional characters (OpenCC's s2t and s2tw), reads as itself:
// 報名 = 报名 and so on for every word the language knows.
func TestTraditionalWords(t *testing.T) {
	for _, conv := range []string{"s2t", "s2tw", "s2hk"} {
		cc, err := opencc.New(conv)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ws := range lang.dict.byRune {
			for _, w := range ws {
				if seen[w.text] {
					continue
				}
				seen[w.text] = true
				tw, err := cc.Convert(w.text)
				if err != nil {
					t.Fatal(err)
				}
				if got := simplify(tw); got != w.text {
					t.Errorf("%s: %q written %q reads %q", conv, w.text, tw, got)
				}
			}
		}
	}
}

// TestTraditionalCorpus parses every corpus message and own case written
// in traditional characters: it must mean the same, with what people name
// kept as typed (the same once simplified).
func TestTraditionalCorpus(t *testing.T) {
	cc, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	now := mustParseNow(t)
	for _, path := range []string{parseCorpusPath, "testdata/commands-v2.jsonl", "testdata/cases-v2.jsonl"} {
		for _, c := range mustCorpusFile(t, path) {
			tw, err := cc.Convert(c.Text)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(Parse(c.Text, now))
			got, _ := json.Marshal(Parse(tw, now))
			if simplify(string(got)) != simplify(string(want)) {
				t.Errorf("Parse(%q) = %s\nParse(%q) = %s", tw, got, c.Text, want)
			}
		}
	}
}
