package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestActiveDaysReadCommitted: the catch-up, and the backfill (Migrate's
// when the zone changes, with the other replicas serving), beside a 撤销
// of the check-in they read, on a MariaDB whose sessions run READ
// COMMITTED (the default of managed MySQL such as Alibaba Cloud RDS; the
// DSN does not set the level). The 撤销 is held open after deleting the
// check-in and its day; the reader starts and waits on it; once it
// commits, no day is kept for the check-in that is gone.
func TestActiveDaysReadCommitted(t *testing.T) {
	for name, read := range map[string]func(*storage.DB) error{
		"catch-up": func(db *storage.DB) error { _, err := db.CatchUpActiveDays(context.Background()); return err },
		"backfill": func(db *storage.DB) error { return db.BackfillActiveDays(context.Background()) },
	} {
		t.Run(name, func(t *testing.T) { readBesideUndo(t, read) })
	}
}

func readBesideUndo(t *testing.T, read func(*storage.DB) error) {
	driver, dsn := storagetest.DSN(t, storage.MySQL)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	// MariaDB before 11.1 knows the level as tx_isolation, MySQL 8 as
	// transaction_isolation alone.
	var db *storage.DB
	for _, name := range []string{"tx_isolation", "transaction_isolation"} {
		cfg.Params = map[string]string{name: "'READ-COMMITTED'"}
		d, err := storage.Open(ctx, driver, cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var level string
		if err := d.Migrate(ctx); err == nil && d.X().Get(&level, "SELECT @@"+name) == nil && level == "READ-COMMITTED" {
			db = d
			break
		}
	}
	if db == nil {
		t.Fatal("no session at READ COMMITTED")
	}
	seed(t, db)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	m := mustMember(t, db, "u1", "b1")
	a := mustActivity(t, db, "b1", -30*time.Minute, 5)
	// Signed up the day before: the check-in alone makes its day.
	db.Now = func() time.Time { return t0.Add(-24 * time.Hour) }
	if _, err := db.SignUp(ctx, actor("u1", "s1"), "b1", a.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	fixedClock(db)
	if _, err := db.CheckIn(ctx, actor("k1", "k1"), "b1", a.ID, m.ID, t0); err != nil {
		t.Fatal(err)
	}
	// What the 撤销 does (storage.Undo), held before its commit.
	undo, err := db.X().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer undo.Rollback()
	if _, err := undo.ExecContext(ctx, "DELETE FROM checkins WHERE activity_id = ? AND member_id = ?", a.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := undo.ExecContext(ctx, "DELETE FROM active_days WHERE member_id = ?", m.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- read(db) }()
	// Until the reader waits on the 撤销's locks (MariaDB's innodb_trx
	// does not list the waiting statement; the monitor does).
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the read finished beside an open 撤销 (%v): it did not wait for it", err)
		case <-time.After(10 * time.Millisecond):
		}
		var typ, name, status string
		if err := db.X().QueryRow("SHOW ENGINE INNODB STATUS").Scan(&typ, &name, &status); err != nil {
			t.Fatal(err)
		}
		waiting = strings.Contains(status, "WAITING") && strings.Contains(status, "INSERT IGNORE INTO active_days")
	}
	if err := undo.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, want := keptDays(t, db), eventDays(t, db, sh); !slices.Equal(got, want) {
		t.Fatalf("kept %v, want (from the events) %v: a day for a check-in undone", got, want)
	}
}
