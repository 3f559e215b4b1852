package command

import (
	"encoding/json"
	"testing"
)

// TestParseCorpusV2 runs every line of the second version's corpus, and
// TestParseCasesV2 the cases of this package's own (testdata/cases-v2.jsonl),
// written for each rule of COMMANDS.md beyond the corpus.
func TestParseCorpusV2(t *testing.T) { runCorpus(t, "testdata/commands-v2.jsonl") }

func TestParseCasesV2(t *testing.T) {
	inCorpus := map[string]bool{}
	for _, path := range []string{parseCorpusPath, "testdata/commands-v2.jsonl"} {
		for _, c := range mustCorpusFile(t, path) {
			inCorpus[c.Text] = true
		}
	}
	for _, c := range mustCorpusFile(t, "testdata/cases-v2.jsonl") {
		if inCorpus[c.Text] {
			t.Errorf("%q is in a corpus already: replace it with a new case", c.Text)
		}
	}
	runCorpus(t, "testdata/cases-v2.jsonl")
}

func runCorpus(t *testing.T, path string) {
	now := mustParseNow(t)
	cases := mustCorpusFile(t, path)
	pass := 0
	for _, c := range cases {
		got, err := json.Marshal(Parse(c.Text, now))
		if err != nil {
			t.Errorf("Parse(%q): marshal: %v", c.Text, err)
			continue
		}
		if !sameParseJSON(t, got, c.Want) {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.Text, got, c.Want)
			continue
		}
		pass++
	}
	t.Logf("%s: %d/%d", path, pass, len(cases))
}
