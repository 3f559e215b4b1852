package storagetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"jinqiu/storage"
)

// ProvinceSize is the shape of a generated province.
type ProvinceSize struct {
	Branches, Members, Hours int
	// ActivitiesPerBranch over the year; each has SignupsPerActivity places.
	ActivitiesPerBranch, SignupsPerActivity int
}

// Province is the size the design plans one instance for: 100 districts.
func Province() ProvinceSize {
	return ProvinceSize{Branches: 5000, Members: 200000, Hours: 2000000, ActivitiesPerBranch: 26, SignupsPerActivity: 8}
}

// ProvinceWeek is the Monday (Asia/Shanghai) of the week the generated
// year ends with: 2026-W48.
func ProvinceWeek() time.Time {
	return time.Date(2026, 11, 23, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// ProvinceBranchID names generated branch i (0-based).
func ProvinceBranchID(i int) string { return fmt.Sprintf("p%04d", i) }

// OpenProvince returns a MySQL/MariaDB database (JINQIU_TEST_MYSQL_DSN's
// server, database JINQIU_BENCH_PROVINCE_DB or jinqiu_province) holding a
// generated province of the given size: a year of registrations,
// activities, sign-ups, check-ins, hours reports and meetings up to the end
// of ProvinceWeek. The database is kept between runs and generated again
// only when its recorded size differs (or JINQIU_BENCH_PROVINCE_REGEN=1):
// generation takes a few minutes, a run seconds. Rows go in with
// multi-row INSERTs of literal values.
func OpenProvince(tb testing.TB, size ProvinceSize) *storage.DB {
	tb.Helper()
	base := os.Getenv("JINQIU_TEST_MYSQL_DSN")
	if base == "" {
		Skip(tb, "the province needs JINQIU_TEST_MYSQL_DSN, e.g. root@tcp(127.0.0.1:3306)/test")
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		tb.Fatalf("JINQIU_TEST_MYSQL_DSN: %v", err)
	}
	name := os.Getenv("JINQIU_BENCH_PROVINCE_DB")
	if name == "" {
		name = "jinqiu_province"
	}
	admin, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE IF NOT EXISTS " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		Skip(tb, "MySQL at JINQIU_TEST_MYSQL_DSN is not usable: "+err.Error())
	}
	cfg.DBName = name
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.MySQL, cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	sig := fmt.Sprintf("%+v", size)
	var have string
	db.X().Get(&have, "SELECT sig FROM province_marker")
	if have == sig && os.Getenv("JINQIU_BENCH_PROVINCE_REGEN") != "1" {
		if err := db.Migrate(ctx); err != nil { // new indexes, if any
			tb.Fatal(err)
		}
		return db
	}
	start := time.Now()
	if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatal(err)
	}
	db.X().SetMaxOpenConns(8)
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	g := &generator{tb: tb, x: db.X(), size: size, rnd: rand.New(rand.NewPCG(48, 2026))}
	// Secondary indexes are dropped for the load and built again after it,
	// from the definitions the migrations made: building an index by
	// sorting is far faster than maintaining it row by row.
	tables := []string{"members", "registrations", "activities", "signups", "checkins", "hours_reports", "meetings"}
	var rebuild []string
	for _, t := range tables {
		rebuild = append(rebuild, g.dropIndexes(name, t))
	}
	g.run()
	for _, stmt := range rebuild {
		if stmt != "" {
			g.exec(stmt)
		}
	}
	if err := db.BackfillActiveDays(ctx); err != nil { // the rows went in around the writes
		tb.Fatal(err)
	}
	if _, err := db.X().Exec("CREATE TABLE province_marker (sig VARCHAR(191) NOT NULL)"); err != nil {
		tb.Fatal(err)
	}
	db.X().MustExec("INSERT INTO province_marker VALUES (?)", sig)
	for _, t := range []string{"branches", "members", "registrations", "activities", "signups", "checkins", "hours_reports", "meetings", "active_days"} {
		db.X().MustExec("ANALYZE TABLE " + t)
	}
	tb.Logf("generated a province (%s) in %s", sig, time.Since(start).Round(time.Second))
	return db
}

type generator struct {
	tb   testing.TB
	x    *sqlx.DB
	size ProvinceSize
	rnd  *rand.Rand
}

func (g *generator) exec(q string) {
	if _, err := g.x.Exec(q); err != nil {
		g.tb.Fatalf("%s: %v", q, err)
	}
}

// dropIndexes drops the secondary indexes of a table and returns the
// ALTER TABLE that adds them back.
func (g *generator) dropIndexes(schema, table string) string {
	var cols []struct {
		Name      string `db:"index_name"`
		NonUnique int    `db:"non_unique"`
		Column    string `db:"column_name"`
	}
	err := g.x.Select(&cols, `SELECT index_name, non_unique, column_name FROM information_schema.statistics
		WHERE table_schema = ? AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY index_name, seq_in_index`, schema, table)
	if err != nil {
		g.tb.Fatal(err)
	}
	var order []string
	defs := map[string][]string{}
	unique := map[string]bool{}
	for _, c := range cols {
		if _, ok := defs[c.Name]; !ok {
			order = append(order, c.Name)
		}
		defs[c.Name] = append(defs[c.Name], c.Column)
		unique[c.Name] = c.NonUnique == 0
	}
	if len(order) == 0 {
		return ""
	}
	var drops, adds []string
	for _, ix := range order {
		drops = append(drops, "DROP INDEX "+ix)
		kind := "INDEX"
		if unique[ix] {
			kind = "UNIQUE INDEX"
		}
		adds = append(adds, fmt.Sprintf("ADD %s %s (%s)", kind, ix, strings.Join(defs[ix], ", ")))
	}
	g.exec("ALTER TABLE " + table + " " + strings.Join(drops, ", "))
	return "ALTER TABLE " + table + " " + strings.Join(adds, ", ")
}

// batch collects rows of literal values and inserts them many at a time.
type batch struct {
	g     *generator
	head  string
	rows  []string
	total int
	bytes int
}

func (g *generator) batch(head string) *batch { return &batch{g: g, head: head} }

func (b *batch) add(values ...string) {
	row := "(" + strings.Join(values, ",") + ")"
	b.rows = append(b.rows, row)
	b.bytes += len(row)
	if b.bytes > 1<<20 {
		b.flush()
	}
}

func (b *batch) flush() {
	if len(b.rows) == 0 {
		return
	}
	if _, err := b.g.x.Exec(b.head + " VALUES " + strings.Join(b.rows, ",")); err != nil {
		b.g.tb.Fatalf("%s: %v", b.head, err)
	}
	b.total += len(b.rows)
	b.rows, b.bytes = b.rows[:0], 0
}

func q(s string) string { return "'" + s + "'" }

func n(i int) string { return strconv.Itoa(i) }

func n64(i int64) string { return strconv.FormatInt(i, 10) }

// utcs is an instant as a DATETIME literal in UTC.
func utcs(t time.Time) string { return q(t.UTC().Format("2006-01-02 15:04:05")) }

func days(t time.Time) string { return q(t.Format("2006-01-02")) }

func (g *generator) run() {
	sz := g.size
	loc := ProvinceWeek().Location()
	end := ProvinceWeek().AddDate(0, 0, 7) // the year ends with the week
	yearStart := end.AddDate(-1, 0, 0)
	day := func() time.Time { return yearStart.AddDate(0, 0, g.rnd.IntN(365)) }
	now := utcs(end)

	towns := max(1, sz.Branches/20)
	b := g.batch("INSERT INTO branches (id, name, town, kind, updated_at)")
	for i := 0; i < sz.Branches; i++ {
		kind := "community"
		if i%5 >= 3 {
			kind = "rural"
		}
		b.add(q(ProvinceBranchID(i)), q(fmt.Sprintf("第%d社区临时党支部", i)), q(fmt.Sprintf("第%d镇", i%towns)), q(kind), now)
	}
	b.flush()
	b = g.batch("INSERT INTO chat_groups (platform, chat_id, branch_id, robot, updated_at)")
	for i := 0; i < sz.Branches; i++ {
		b.add(q("wecom"), q("chat-"+ProvinceBranchID(i)), q(ProvinceBranchID(i)), q(""), now)
	}
	b.flush()

	// Members 1..M; member m is in branch (m-1) % B. Most registered long
	// ago, a tenth during the year.
	m := g.batch("INSERT INTO members (id, platform, user_id, display_name, branch_id, registered_at, created_at)")
	r := g.batch("INSERT INTO registrations (member_id, branch_id, registered_on, created_at)")
	for id := 1; id <= sz.Members; id++ {
		platform := "wecom"
		if id%10 >= 7 {
			platform = "dingtalk"
		}
		reg := yearStart.AddDate(-1, 0, -g.rnd.IntN(365))
		if g.rnd.IntN(10) == 0 {
			reg = day().Add(time.Duration(8+g.rnd.IntN(10)) * time.Hour)
		}
		br := ProvinceBranchID((id - 1) % sz.Branches)
		m.add(n(id), q(platform), q(fmt.Sprintf("u%d", id)), q(fmt.Sprintf("老党员%d", id)), q(br), utcs(reg), utcs(reg))
		r.add(n(id), q(br), days(reg.In(loc)), utcs(reg))
	}
	m.flush()
	r.flush()
	perBranch := max(1, sz.Members/sz.Branches)
	memberOf := func(branch, k int) int { return branch + 1 + (k%perBranch)*sz.Branches } // k-th member of a branch

	a := g.batch("INSERT INTO activities (id, branch_id, title, place, starts_at, ends_at, capacity, taken, next_seq, state, created_by, created_at)")
	s := g.batch("INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at)")
	c := g.batch("INSERT INTO checkins (activity_id, member_id, checked_at)")
	id := int64(0)
	for br := 0; br < sz.Branches; br++ {
		for k := 0; k < sz.ActivitiesPerBranch; k++ {
			id++
			start := day().Add(time.Duration(9+5*g.rnd.IntN(2)) * time.Hour)
			state := "open"
			if g.rnd.IntN(20) == 0 {
				state = "cancelled"
			}
			a.add(n64(id), q(ProvinceBranchID(br)), q(fmt.Sprintf("志愿服务%d", k)), q("社区活动室"), utcs(start), utcs(start.Add(2*time.Hour)),
				n(sz.SignupsPerActivity), n(sz.SignupsPerActivity), n(sz.SignupsPerActivity), q(state), n(memberOf(br, 0)), utcs(start.AddDate(0, 0, -5)))
			first := g.rnd.IntN(perBranch)
			for j := 0; j < sz.SignupsPerActivity && j < perBranch; j++ {
				mem := memberOf(br, first+j)
				st := "confirmed"
				switch g.rnd.IntN(20) {
				case 0:
					st = "waiting"
				case 1:
					st = "cancelled"
				}
				at := start.AddDate(0, 0, -3).Add(time.Duration(j) * time.Minute)
				s.add(n64(id), n(mem), q(st), n(j+1), utcs(at), utcs(at))
				if st == "confirmed" && state == "open" && g.rnd.IntN(4) != 0 {
					c.add(n64(id), n(mem), utcs(start.Add(-10*time.Minute)))
				}
			}
		}
	}
	a.flush()
	s.flush()
	c.flush()

	h := g.batch("INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, state, created_at)")
	for i := 0; i < sz.Hours; i++ {
		mem := 1 + g.rnd.IntN(sz.Members)
		st := "approved"
		switch g.rnd.IntN(20) {
		case 0, 1:
			st = "pending"
		case 2:
			st = "rejected"
		}
		on := day()
		h.add(n(mem), q(ProvinceBranchID((mem-1)%sz.Branches)), days(on), n(50+25*g.rnd.IntN(15)), q(st), utcs(on.Add(20*time.Hour)))
	}
	h.flush()

	mt := g.batch("INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at)")
	for br := 0; br < sz.Branches; br++ {
		for mo := 0; mo < 12; mo++ {
			first := time.Date(yearStart.Year(), yearStart.Month()+time.Month(mo), 1, 0, 0, 0, 0, loc)
			kinds := []string{"committee", "group", "theme_day"}
			if (int(first.Month())-1)%3 == 2 {
				kinds = append(kinds, "branch_assembly", "lecture")
			}
			for i, kind := range kinds {
				if g.rnd.IntN(100) < 12 {
					continue // overdue
				}
				on := first.AddDate(0, 0, i*3+g.rnd.IntN(3))
				if !on.Before(end) {
					continue
				}
				mt.add(q(ProvinceBranchID(br)), q(kind), days(on), n(memberOf(br, 0)), utcs(on.Add(12*time.Hour)))
			}
		}
	}
	mt.flush()
	g.tb.Logf("province: %d branches, %d members, %d activities, %d sign-ups, %d check-ins, %d hours reports, %d meetings",
		sz.Branches, m.total, a.total, s.total, c.total, h.total, mt.total)
}
