package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestRepliesLiveInOnePlace: no Go file of the package other than
// replies.go (and the parser's word lists) holds Chinese text, so the
// wording is reviewed and changed in one file.
func TestRepliesLiveInOnePlace(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if f == "replies.go" || strings.HasPrefix(f, "parse") || strings.HasSuffix(f, "_test.go") {
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
				t.Errorf("%s: Chinese text outside replies.go: %s", fs.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
	if checked < 8 {
		t.Errorf("checked %d files; expected the handlers' files", checked)
	}
}
