package workbook_test

import (
	"mime"
	"strings"
	"testing"

	"jinqiu/workbook"
)

// TestDisposition: a Chinese download name reaches a client that reads
// filename* (RFC 5987) whole, and one that reads only filename gets an
// ASCII name that still says what the file is.
func TestDisposition(t *testing.T) {
	for _, tc := range []struct{ name, fallback string }{
		{"金秋助手台账_2026-11.xlsx", "jinqiu_2026-11.xlsx"},
		{"金秋助手台账_枣行社区临时党支部_2026-11-01至2026-11-15.xlsx", "jinqiu_2026-11-012026-11-15.xlsx"},
		{"台账.xlsx", "jinqiu.xlsx"},
		{`a "b"\c%.xlsx`, `jinqiu_abc.xlsx`},
		{"ledger.xlsx", "ledger.xlsx"},
	} {
		h := workbook.Disposition(tc.name)
		kind, params, err := mime.ParseMediaType(h)
		if err != nil || kind != "attachment" || params["filename"] != tc.name {
			t.Errorf("%q: %q parses as %q %v, %v", tc.name, h, kind, params, err)
		}
		if !strings.Contains(h, `filename="`+tc.fallback+`"`) || !strings.Contains(h, "filename*=UTF-8''") {
			t.Errorf("%q: %q, want the fallback %q and filename*", tc.name, h, tc.fallback)
		}
		if strings.ContainsFunc(h, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("%q: header %q is not ASCII", tc.name, h)
		}
	}
}
