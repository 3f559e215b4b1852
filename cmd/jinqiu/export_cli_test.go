package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jinqiu/handlers/say"
)

// TestCLIExport: --help exits 0; a period flag that is not one, or two
// periods, is a usage error; the workbook of a month is written with the
// hours reported through `say`, and the export is audited.
func TestCLIExport(t *testing.T) {
	w := newE2EWorld()
	path := e2eConfigFile(t, w, "")
	cli := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), append([]string{args[0], "--config", path}, args[1:]...), strings.NewReader(""), &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	if out, err := cli("export", "--help"); err != nil || !strings.Contains(out, "-month") {
		t.Errorf("export --help: %v %q", err, out)
	}
	out := filepath.Join(t.TempDir(), "台账.xlsx")
	for _, bad := range [][]string{{"--month", "2026-13"}, {"--month", "2026-11", "--year", "2026"}, {"--from", "2026-11-05"}, {"--from", "2026-11-05", "--to", "2026-11-01"}, {}} {
		args := append([]string{"export"}, bad...)
		if len(bad) > 0 {
			args = append(args, "--out", out)
		}
		if _, err := cli(args...); !isUsage(err) {
			t.Errorf("export %v: %v, want a usage error", bad, err)
		}
	}
	if _, err := cli("say", "--chat", w.chatA, "--user", w.user("m1"), "--name", "=张三", "报到"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("say", "--chat", w.chatA, "--user", w.user("m1"), "时长 2 打扫楼道"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("say", "--chat", w.chatA, "--user", w.secA, "通过 1"); err != nil {
		t.Fatal(err)
	}
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	msg, err := cli("export", "--month", month, "--out", out)
	if err != nil || !strings.Contains(msg, "1 hours entries (2.00 h") {
		t.Fatalf("export: %v %q", err, msg)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(say.SheetLedger)
	if len(rows) != 2 || rows[1][1] != "'=张三" {
		t.Errorf("ledger rows %q", rows)
	}
	if _, err := os.Stat(out + ".part"); err == nil {
		t.Error("the partial file was left behind")
	}
}
