package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"jinqiu"
	"jinqiu/console"
	"jinqiu/handlers"
	"jinqiu/report"
	"jinqiu/storage/state"
	"jinqiu/storage/storagetest"
)

// BenchmarkPages times each page's answer over HTTP on a generated data
// set on MariaDB: a reduced one by default (250 branches, 10,000 members,
// 100,000 hours reports, in database jinqiu_console_bench), the province
// (5,000 branches, 200,000 members, 2,000,000 hours reports: the digest
// benchmark's jinqiu_province) with JINQIU_BENCH_PROVINCE=1. "cold" is a
// page whose figures nobody asked for yet (a console just started, or the
// first secretary of a branch); "shared" is a console that has computed
// nothing, beside another (a replica) that has, sharing figures through
// Redis (JINQIU_TEST_REDIS_ADDR; else a store in memory); "warm" is every
// later answer, served from the figures of the last minute while they are
// renewed behind it.
//
//	JINQIU_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test ./console/ -run '^$' -bench Pages -benchtime 20x
func BenchmarkPages(b *testing.B) {
	size := storagetest.ProvinceSize{Branches: 250, Members: 10000, Hours: 100000, ActivitiesPerBranch: 26, SignupsPerActivity: 8}
	if os.Getenv("JINQIU_BENCH_PROVINCE") == "1" {
		size = storagetest.Province()
	} else if os.Getenv("JINQIU_BENCH_PROVINCE_DB") == "" {
		b.Setenv("JINQIU_BENCH_PROVINCE_DB", "jinqiu_console_bench")
	}
	db := storagetest.OpenProvince(b, size)
	loc := storagetest.ProvinceWeek().Location()
	now := func() time.Time { return storagetest.ProvinceWeek().Add(4*24*time.Hour + 15*time.Hour) } // Friday afternoon
	db.Now = now
	bureau := jinqiu.Identity{Platform: "wecom", UserID: "bench-admin"}
	secretary := jinqiu.Identity{Platform: "wecom", UserID: "bench-secretary"}
	branch := storagetest.ProvinceBranchID(7)
	if err := db.GrantSecretary(bg, jinqiu.Actor{Platform: "wecom", UserID: "bench"}, branch, secretary); err != nil {
		b.Logf("grant: %v (granted before)", err)
	}
	rep := &report.Reporter{DB: db, Loc: loc, Default: jinqiu.DefaultSchedule(), Now: now}
	h := &handlers.Handlers{DB: db, Loc: loc, Admins: []jinqiu.Identity{bureau}, Now: now, Reports: rep}
	// The store replicas share computed figures in: Redis when named, as
	// serve has it, else one in memory standing for it.
	var shared state.Store = state.NewMemory()
	if addr := os.Getenv("JINQIU_TEST_REDIS_ADDR"); addr != "" {
		r := state.NewRedis(addr, "", 0).WithPrefix(fmt.Sprintf("jinqiu-bench:%d:", time.Now().UnixNano()))
		b.Cleanup(func() { r.Close() })
		shared = r
	}
	serveWith := func(st state.Store) *httptest.Server {
		cs := &console.Server{DB: db, Handlers: h, Reports: rep, Admins: []jinqiu.Identity{bureau}, Loc: loc, Now: now, Shared: st}
		hh, err := cs.Handler()
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(hh)
		b.Cleanup(srv.Close)
		return srv
	}
	serve := func() *httptest.Server { return serveWith(nil) }
	session := func(who jinqiu.Identity) string {
		token, err := db.NewConsoleLink(bg, who, "bench", time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		s, _, err := db.RedeemConsoleLink(bg, token, 24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	get := func(srv *httptest.Server, cookie, path string) {
		rq, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		rq.AddCookie(&http.Cookie{Name: console.CookieName, Value: cookie})
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			b.Fatalf("%s: %d, %d bytes", path, resp.StatusCode, n)
		}
	}
	bur, sec := session(bureau), session(secretary)
	pages := []struct{ name, cookie, path string }{
		{"overview/bureau", bur, "/console/"},
		{"branches/bureau", bur, "/console/branches"},
		{"branches/bureau-town", bur, "/console/branches?town=%E7%AC%AC3%E9%95%87&sort=hours"},
		{"branch/bureau", bur, "/console/branches/" + storagetest.ProvinceBranchID(11)},
		{"overview/secretary", sec, "/console/"},
		{"branches/secretary", sec, "/console/branches"},
		{"branch/secretary", sec, "/console/branches/" + branch},
		{"publicity/bureau", bur, "/console/publicity"},
		{"export/bureau", bur, "/console/export"},
	}
	for _, p := range pages {
		b.Run(p.name+"/cold", func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				srv := serve() // a console that has computed nothing yet
				b.StartTimer()
				get(srv, p.cookie, p.path)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
		b.Run(p.name+"/shared", func(b *testing.B) {
			get(serveWith(shared), p.cookie, p.path) // another replica computed it
			for b.Loop() {
				b.StopTimer()
				srv := serveWith(shared) // this replica has computed nothing
				b.StartTimer()
				get(srv, p.cookie, p.path)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
		b.Run(p.name+"/warm", func(b *testing.B) {
			srv := serve()
			get(srv, p.cookie, p.path)
			for b.Loop() {
				get(srv, p.cookie, p.path)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
}
