package jobs_test

import (
	"jinqiu"
	"os"
	"testing"
	"time"

	"jinqiu/storage/storagetest"
)

// BenchmarkDigestProvince times the bureau's weekly digest, end to end
// (every aggregate, the meeting compliance of every branch, the rendering),
// on a generated province on MariaDB: 5,000 branches, 200,000 members,
// 2 million hours reports and a year of activities, sign-ups and
// check-ins. The target is under 2 s.
//
//	JINQIU_BENCH_PROVINCE=1 JINQIU_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' \
//	  go test ./jobs/ -run '^$' -bench DigestProvince -benchtime 5x
func BenchmarkDigestProvince(b *testing.B) {
	if os.Getenv("JINQIU_BENCH_PROVINCE") != "1" {
		b.Skip("set JINQIU_BENCH_PROVINCE=1 (with JINQIU_TEST_MYSQL_DSN) to generate a province-sized database and time the digest on it")
	}
	db := storagetest.OpenProvince(b, storagetest.Province())
	var pool int64
	db.X().Get(&pool, "SELECT @@innodb_buffer_pool_size")
	p := mustPlanner(b, mustConfig(b, "timezone: Asia/Shanghai\n"))
	week := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
	monday := week.AddDate(0, 0, 7).Add(9 * time.Hour) // the digest's own slot
	x := reporterOf(db, p, func() time.Time { return monday }, time.Time{})
	for _, tc := range []struct{ name, branch string }{{"district", ""}, {"branch", storagetest.ProvinceBranchID(7)}} {
		b.Run(tc.name, func(b *testing.B) {
			var d jinqiu.Digest
			for b.Loop() {
				var err error
				if d, err = x.Week(ctx, week, tc.branch); err != nil {
					b.Fatal(err)
				}
				wecomParts(d)
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per.Milliseconds()), "ms/digest")
			b.ReportMetric(float64(len(wecomParts(d))), "wecom-msgs")
			if tc.branch == "" {
				b.Logf("district digest of %d branches, %d members: %s per digest, %d WeCom messages (MariaDB buffer pool %d MiB)",
					d.Total.Branches, d.Total.Members, per.Round(time.Millisecond), len(wecomParts(d)), pool>>20)
			}
			if per > 2*time.Second {
				b.Errorf("the digest takes %s, over the 2 s target", per)
			}
		})
	}
}
