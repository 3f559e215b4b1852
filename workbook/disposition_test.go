package workbook_test

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu"
	"jinqiu/storage"
	"jinqiu/storage/storagetest"
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
		// A branch named by whoever wrote the configuration: no directory,
		// drive or character a file system refuses reaches the fallback.
		{"金秋助手台账_[link](http://x)_2026-11.xlsx", "jinqiu_[link](httpx)_2026-11.xlsx"},
		{"金秋助手台账_../../etc/x_2026-11.xlsx", "jinqiu_etcx_2026-11.xlsx"},
		{"金秋助手台账_a\\b<c>|d?*e\n\"f_2026-11.xlsx", "jinqiu_abcdef_2026-11.xlsx"},
	} {
		h := workbook.Disposition(tc.name)
		kind, params, err := mime.ParseMediaType(h)
		if err != nil || kind != "attachment" || params["filename"] != tc.name {
			t.Errorf("%q: %q parses as %q %v, %v", tc.name, h, kind, params, err)
		}
		if !strings.Contains(h, `filename="`+tc.fallback+`"`) || !strings.Contains(h, "filename*=UTF-8''") {
			t.Errorf("%q: %q, want the fallback %q and filename*", tc.name, h, tc.fallback)
		}
		if strings.ContainsAny(h[:strings.Index(h, "filename*")], `/\:*?<>|`) {
			t.Errorf("%q: the fallback in %q names a path or a character file systems refuse", tc.name, h)
		}
		if strings.ContainsFunc(h, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("%q: header %q is not ASCII", tc.name, h)
		}
	}
}

// TestServeOutlastsTheWriteTimeout: a download is not cut by the server's
// WriteTimeout, which is for callbacks (15 s in jinqiu serve; a
// province's year takes a minute): here one far shorter than writing any
// workbook takes.
func TestServeOutlastsTheWriteTimeout(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		x, from, to := world(t, db)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := x.Serve(w, r, jinqiu.Actor{Platform: "wecom", UserID: "admin"}, workbook.Request{From: from, To: to}, "台账.xlsx"); err != nil {
				t.Error(err)
			}
		}))
		srv.Config.WriteTimeout = time.Millisecond
		srv.Start()
		defer srv.Close()
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("the download was cut: %v", err)
		}
		if int64(len(body)) != resp.ContentLength {
			t.Fatalf("%d bytes of %d", len(body), resp.ContentLength)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("the download is no workbook: %v", err)
		}
		f.Close()
	})
}
