package storage_test

import (
	"fmt"
	"jinqiu"
	"os"
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// provinceRange is the digest of the province's last week: what the
// Monday digest asks.
func provinceRange(branch string) storage.DigestRange {
	from := storagetest.ProvinceWeek()
	to := from.AddDate(0, 0, 7)
	since := to.AddDate(0, 0, -60)
	r := storage.DigestRange{From: from, To: to, FromDay: from, ToDay: to, InactiveSince: since, InactiveSinceDay: since,
		BranchID: branch, Top: 10, Names: branch != ""}
	for _, k := range jinqiu.MeetingKinds() {
		r.Meetings = append(r.Meetings,
			storage.MeetingSpan{Kind: k, FromDay: time.Date(2026, 10, 1, 0, 0, 0, 0, from.Location()), ToDay: to},
			storage.MeetingSpan{Kind: k, FromDay: time.Date(2026, 7, 1, 0, 0, 0, 0, from.Location()), ToDay: time.Date(2026, 10, 1, 0, 0, 0, 0, from.Location())})
	}
	return r
}

func needProvince(tb testing.TB) *storage.DB {
	tb.Helper()
	if os.Getenv("JINQIU_BENCH_PROVINCE") != "1" {
		tb.Skip("set JINQIU_BENCH_PROVINCE=1 (with JINQIU_TEST_MYSQL_DSN) to generate a province-sized database and check the digest on it")
	}
	return storagetest.OpenProvince(tb, storagetest.Province())
}

// TestDigestProvinceExplain checks with EXPLAIN that no digest query reads
// the whole of a big table: hours_reports (2 million rows), signups,
// checkins, activities, meetings or registrations. members is read in full
// once by design (every member is counted) through its branch index.
func TestDigestProvinceExplain(t *testing.T) {
	db := needProvince(t)
	for _, branch := range []string{"", storagetest.ProvinceBranchID(7)} {
		names, queries, args := storage.DigestSQL(provinceRange(branch))
		for i, q := range queries {
			rows, err := db.X().Queryx("EXPLAIN "+q, args[i]...)
			if err != nil {
				t.Fatalf("explain %s: %v", names[i], err)
			}
			var plan []string
			for rows.Next() {
				m := map[string]any{}
				if err := rows.MapScan(m); err != nil {
					t.Fatal(err)
				}
				str := func(k string) string {
					if b, ok := m[k].([]byte); ok {
						return string(b)
					}
					return fmt.Sprint(m[k])
				}
				table, typ, key := str("table"), str("type"), str("key")
				plan = append(plan, fmt.Sprintf("%s:%s(%s) rows=%s", table, typ, key, str("rows")))
				if typ == "ALL" && table != "branches" && !strings.HasPrefix(table, "<") {
					t.Errorf("%s (branch %q): full scan of %s", names[i], branch, table)
				}
				if table == "hours_reports" && (typ == "ALL" || typ == "index") {
					t.Errorf("%s (branch %q): reads all of hours_reports (%s)", names[i], branch, typ)
				}
			}
			rows.Close()
			t.Logf("%-16s %q: %s", names[i], branch, strings.Join(plan, "  "))
		}
	}
}

// BenchmarkDigestStatsProvince times the SQL of the bureau's weekly digest
// on the province (jobs.BenchmarkDigestProvince times the whole digest).
func BenchmarkDigestStatsProvince(b *testing.B) {
	db := needProvince(b)
	r := provinceRange("")
	for b.Loop() {
		if _, err := db.DigestStats(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
