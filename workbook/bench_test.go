package workbook_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/report"
	"jinqiu/storage/storagetest"
	"jinqiu/workbook"
)

// BenchmarkExportYear writes the district's workbook of the twelve months
// the generated province ends with (every hours row of it), on MariaDB, and
// reports the rows and the peak RSS of the process while writing, under
// the heap limit jinqiu export sets. Reduced
// by default (100 branches, 4,000 members, 40,000 hours rows, in database
// jinqiu_province_small); JINQIU_BENCH_PROVINCE=1 is the province of the
// digest's benchmark (5,000 branches, 200,000 members, 2,000,000 hours).
func BenchmarkExportYear(b *testing.B) {
	size := storagetest.ProvinceSize{Branches: 100, Members: 4000, Hours: 40000, ActivitiesPerBranch: 26, SignupsPerActivity: 8}
	if os.Getenv("JINQIU_BENCH_PROVINCE") == "1" {
		size = storagetest.Province()
	} else if os.Getenv("JINQIU_BENCH_PROVINCE_DB") == "" {
		b.Setenv("JINQIU_BENCH_PROVINCE_DB", "jinqiu_province_small") // never regenerate the full one
	}
	db := storagetest.OpenProvince(b, size)
	loc := storagetest.ProvinceWeek().Location()
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
	from := to.AddDate(-1, 0, 0)
	now := func() time.Time { return to.Add(time.Hour) }
	x := &workbook.Writer{DB: db, Loc: loc, Reports: &report.Reporter{DB: db, Loc: loc, Default: jinqiu.DefaultSchedule(), Now: now, Since: from}}
	out := filepath.Join(b.TempDir(), "year.xlsx")
	debug.SetMemoryLimit(workbook.MemoryLimit) // as jinqiu export runs
	var peak, size0 int64
	var rows int
	for b.Loop() {
		resetPeakRSS()
		f, err := os.Create(out)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		t, err := x.Write(context.Background(), w, workbook.Request{From: from, To: to})
		if err == nil {
			err = w.Flush()
		}
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		rows = t.LedgerRows
		peak = max(peak, peakRSS())
		if st, err := os.Stat(out); err == nil {
			size0 = st.Size()
		}
	}
	b.ReportMetric(float64(rows), "hours-rows")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(size0)/(1<<20), "file-MB")
}

// resetPeakRSS resets the process's high-water mark of resident memory
// (Linux: 5 > /proc/self/clear_refs), so that peakRSS measures one export.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident memory in KiB (VmHWM), 0 if unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
