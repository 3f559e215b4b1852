package say_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestWordsLiveInOnePlace: no Go file of the packages that make what a
// person reads holds Chinese text outside this catalogue (and the command
// language's word lists, which are what people type), so that the wording
// is reviewed and changed in one place.
func TestWordsLiveInOnePlace(t *testing.T) {
	checked := 0
	for _, dir := range []string{"..", "../../jobs", "../../report", "../../inbound", "../../outbox", "../../bot", "../../bot/wecom", "../../bot/dingtalk", "../../workbook"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			if strings.HasPrefix(base, "parse") || strings.HasSuffix(base, "_test.go") {
				continue
			}
			checked++
			fs := token.NewFileSet()
			file, err := parser.ParseFile(fs, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if ok && lit.Kind == token.STRING && strings.IndexFunc(lit.Value, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
					t.Errorf("%s: Chinese text outside the catalogue: %s", fs.Position(lit.Pos()), lit.Value)
				}
				return true
			})
		}
	}
	if checked < 20 {
		t.Errorf("checked %d files; expected the packages' files", checked)
	}
}
