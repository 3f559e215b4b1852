package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// Replicas that start together migrate one fresh database once between
// them, and a migration left dirty by a crash is finished by the next run
// (every statement is re-runnable) rather than blocking the service.
func TestMigrateReplicasTogetherAndDirty(t *testing.T) {
	for _, dialect := range storagetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			driver, dsn := storagetest.DSN(t, dialect)
			ctx := context.Background()
			dbs := make([]*storage.DB, 3)
			for i := range dbs {
				db, err := storage.Open(ctx, driver, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			var wg sync.WaitGroup
			errs := make([]error, len(dbs))
			for i, db := range dbs {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = db.Migrate(ctx) }()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
			}
			db := dbs[0]
			var rows, dirty int
			db.X().Get(&rows, "SELECT COUNT(*) FROM schema_migrations")
			db.X().Get(&dirty, "SELECT COUNT(*) FROM schema_migrations WHERE dirty <> 0")
			if rows < 2 || dirty != 0 {
				t.Fatalf("schema_migrations: %d rows, %d dirty", rows, dirty)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
			before := schema(t, db)

			// A crash halfway through the newest migration.
			if _, err := db.X().Exec("UPDATE schema_migrations SET dirty = 1 WHERE version = (SELECT v FROM (SELECT MAX(version) AS v FROM schema_migrations) m)"); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(ctx); !errors.Is(err, storage.ErrDirty) {
				t.Fatalf("check of a dirty schema = %v, want ErrDirty", err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("finishing the dirty migration: %v", err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
			if after := schema(t, db); after != before {
				t.Fatalf("schema changed by re-running a migration:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

// schema is a canonical description of the tables, columns and indexes.
func schema(t *testing.T, db *storage.DB) string {
	t.Helper()
	var q string
	if db.Dialect() == storage.MySQL {
		q = `SELECT CONCAT(c.table_name, '.', c.column_name, ' ', c.column_type, ' ', c.is_nullable) FROM information_schema.columns c
			WHERE c.table_schema = DATABASE() UNION ALL
			SELECT CONCAT(s.table_name, ' index ', s.index_name, ' ', s.seq_in_index, ' ', s.column_name) FROM information_schema.statistics s
			WHERE s.table_schema = DATABASE() ORDER BY 1`
	} else {
		q = "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY 1"
	}
	var lines []string
	if err := db.X().Select(&lines, q); err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
