// Package storagetest opens real databases for tests: SQLite in a temporary
// directory, and a fresh database on the MySQL/MariaDB server named by
// JINQIU_TEST_MYSQL_DSN. Without that variable MySQL tests skip, unless
// JINQIU_REQUIRE_SERVICES=1 turns the skip into a failure.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"jinqiu/storage"
)

// Require reports whether missing services are failures.
func Require() bool { return os.Getenv("JINQIU_REQUIRE_SERVICES") == "1" }

// Skip skips (or, under JINQIU_REQUIRE_SERVICES=1, fails) a test that lacks a service.
func Skip(tb testing.TB, why string) {
	tb.Helper()
	if Require() {
		tb.Fatalf("%s (JINQIU_REQUIRE_SERVICES=1)", why)
	}
	tb.Skip(why)
}

// Dialects returns the dialects to run storage tests on.
func Dialects() []string { return []string{storage.SQLite, storage.MySQL} }

// Each runs fn as a subtest on a fresh, migrated database of each dialect.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// Open returns a fresh, migrated database of the dialect, removed when the
// test ends.
func Open(tb testing.TB, dialect string) *storage.DB {
	tb.Helper()
	driver, dsn := DSN(tb, dialect)
	db, err := storage.Open(context.Background(), driver, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// DSN creates an empty database of the dialect for the test and returns
// the driver and DSN to reach it.
func DSN(tb testing.TB, dialect string) (driver, dsn string) {
	tb.Helper()
	if dialect == storage.SQLite {
		return storage.SQLite, filepath.Join(tb.TempDir(), "jinqiu.db")
	}
	base := os.Getenv("JINQIU_TEST_MYSQL_DSN")
	if base == "" {
		Skip(tb, "MySQL tests need JINQIU_TEST_MYSQL_DSN, e.g. root@tcp(127.0.0.1:3306)/test")
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		tb.Fatalf("JINQIU_TEST_MYSQL_DSN: %v", err)
	}
	admin, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "jinqiu_t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		Skip(tb, "MySQL at JINQIU_TEST_MYSQL_DSN is not usable: "+err.Error())
	}
	tb.Cleanup(func() {
		a, err := sqlx.Open("mysql", cfg.FormatDSN())
		if err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	cfg.DBName = name
	return storage.MySQL, cfg.FormatDSN()
}

// Outbox returns the outbox rows of db, oldest first: those in state, or
// every row when state is "".
func Outbox(tb testing.TB, db *storage.DB, state string) []storage.OutboxRow {
	tb.Helper()
	q, args := "SELECT "+storage.OutboxColumns+" FROM outbox", []any{}
	if state != "" {
		q, args = q+" WHERE state = ?", append(args, state)
	}
	var rows []storage.OutboxRow
	if err := db.X().Select(&rows, q+" ORDER BY id", args...); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// FailOutboxWrites makes every insert into the outbox fail, as when the
// database refuses a write halfway through a transaction, until the test
// ends or the returned function is called.
func FailOutboxWrites(tb testing.TB, db *storage.DB) (restore func()) {
	tb.Helper()
	create := `CREATE TRIGGER jinqiu_fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox write refused by the test'); END`
	if db.Dialect() == storage.MySQL {
		create = `CREATE TRIGGER jinqiu_fail_outbox BEFORE INSERT ON outbox FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'outbox write refused by the test'`
	}
	if _, err := db.X().Exec(create); err != nil {
		tb.Fatalf("fail outbox writes: %v", err)
	}
	done := false
	restore = func() {
		if done {
			return
		}
		done = true
		if _, err := db.X().Exec("DROP TRIGGER IF EXISTS jinqiu_fail_outbox"); err != nil {
			tb.Errorf("restore outbox writes: %v", err)
		}
	}
	tb.Cleanup(restore)
	return restore
}
