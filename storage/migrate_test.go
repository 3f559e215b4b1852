package storage_test

import (
	"context"
	"errors"
	"fmt"
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
			db := migrateTogether(t, driver, dsn, 3)[0]
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

// openAt opens a fresh database of the dialect migrated up to version,
// and returns the driver and DSN that reach it.
func openAt(t *testing.T, dialect string, version int) (db *storage.DB, driver, dsn string) {
	t.Helper()
	driver, dsn = storagetest.DSN(t, dialect)
	db, err := storage.Open(context.Background(), driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return db, driver, dsn
}

// migrateTogether opens n replicas of the database and migrates them at
// once, as replicas starting together do; each must succeed.
func migrateTogether(t *testing.T, driver, dsn string, n int) []*storage.DB {
	t.Helper()
	dbs := make([]*storage.DB, n)
	for i := range dbs {
		db, err := storage.Open(context.Background(), driver, dsn)
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
		go func() { defer wg.Done(); errs[i] = db.Migrate(context.Background()) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	return dbs
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

// 0005 (identity by platform, ids compared as bytes) keeps every row
// written under the schema before it, and gives a granted role the
// platform of its holder.
func TestIdentityMigrationKeepsEveryRow(t *testing.T) {
	for _, dialect := range storagetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db, _, _ := openAt(t, dialect, 4)
			x := db.X()
			now := "2026-11-27 10:00:00"
			for _, q := range []string{
				"INSERT INTO branches (id, name, town, kind, updated_at) VALUES ('b1', '枣行社区', '城关街道', 'community', '" + now + "')",
				"INSERT INTO members (platform, user_id, display_name, branch_id, created_at) VALUES ('wecom', 'zhang', '张三', 'b1', '" + now + "')",
				"INSERT INTO members (platform, user_id, display_name, created_at) VALUES ('dingtalk', '0123', '李四', '" + now + "')",
				"INSERT INTO members (platform, user_id, display_name, created_at) VALUES ('wecom', 'both', '王五', '" + now + "')",
				"INSERT INTO members (platform, user_id, display_name, created_at) VALUES ('dingtalk', 'both', '王五', '" + now + "')",
				"INSERT INTO branch_roles (branch_id, user_id, role, source, created_at) VALUES ('b1', 'zhang', 'secretary', 'grant', '" + now + "')",
				"INSERT INTO branch_roles (branch_id, user_id, role, source, created_at) VALUES ('b1', 'both', 'secretary', 'grant', '" + now + "')",
				"INSERT INTO inbound (platform, robot, msg_id, state, received_at) VALUES ('wecom', 'r', 'M1', 'done', '" + now + "')",
				"INSERT INTO outbox (dedup_key, platform, robot, target, body, policy, state, next_attempt_at, created_at) VALUES ('k', 'wecom', 'r', '{}', '{}', 'at_most_once', 'sent', '" + now + "', '" + now + "')",
				"INSERT INTO audit_log (actor, action, object, msg_id, at) VALUES ('wecom:zhang', 'register', 'branch:b1', 'M1', '" + now + "')",
			} {
				if _, err := x.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			before := counts(t, db)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if after := counts(t, db); after != before {
				t.Fatalf("rows after the migration %s, before %s", after, before)
			}
			var roles []struct {
				Platform string `db:"platform"`
				UserID   string `db:"user_id"`
			}
			if err := x.Select(&roles, "SELECT platform, user_id FROM branch_roles ORDER BY user_id"); err != nil {
				t.Fatal(err)
			}
			if len(roles) != 2 || roles[0].UserID != "both" || roles[0].Platform != "" || roles[1].UserID != "zhang" || roles[1].Platform != "wecom" {
				t.Fatalf("roles after the migration = %+v, want both with no platform (ambiguous) and zhang on wecom", roles)
			}
			// Ids now compare as bytes: a variant is another id.
			if _, err := x.Exec("INSERT INTO inbound (platform, robot, msg_id, state, received_at) VALUES ('wecom', 'r', 'm1', 'done', '" + now + "')"); err != nil {
				t.Fatalf("m1 beside M1: %v", err)
			}
			if _, err := x.Exec("INSERT INTO members (platform, user_id, display_name, created_at) VALUES ('wecom', 'zhang ', 'x', '" + now + "')"); err != nil {
				t.Fatalf("'zhang ' beside 'zhang': %v", err)
			}
		})
	}
}

func counts(t *testing.T, db *storage.DB) string {
	t.Helper()
	var out string
	for _, tb := range []string{"branches", "members", "branch_roles", "inbound", "outbox", "audit_log"} {
		var n int
		if err := db.X().Get(&n, "SELECT COUNT(*) FROM "+tb); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s=%d ", tb, n)
	}
	return out
}
