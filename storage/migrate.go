package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrDirty means a migration failed halfway; `jinqiu migrate` runs it again
// (every statement is written to be re-runnable).
var ErrDirty = errors.New("a migration failed halfway: run `jinqiu migrate` to finish it")

type migration struct {
	version int
	name    string
	stmts   []string
}

func (db *DB) migrations() ([]migration, error) {
	dir := path.Join("migrations", db.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		n := e.Name()
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil || !strings.HasSuffix(n, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", n)
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, n))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: n, stmts: splitStatements(string(b))})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// splitStatements cuts a file at semicolons that end a line; the files hold
// no semicolons inside strings.
func splitStatements(s string) []string {
	var out []string
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || t == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(b.String()), ";"))
			b.Reset()
		}
	}
	if strings.TrimSpace(b.String()) != "" {
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

// Migrate applies every migration not yet applied, in order. Replicas that
// start together serialise on a lock (MySQL GET_LOCK on a pinned
// connection; SQLite's write lock). A migration left dirty by a crash is run
// again: its statements are re-runnable.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateTo(ctx, 1<<30) }

// MigrateTo is Migrate up to and including version last: for tests that
// prove a migration keeps the rows written under the schema before it.
func (db *DB) MigrateTo(ctx context.Context, last int) error {
	conn, err := db.x.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	var ex execer = conn
	if db.dialect == MySQL {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('jinqiu_migrate', 60)").Scan(&got); err != nil || got.Int64 != 1 {
			return fmt.Errorf("migrate: could not take the migration lock: %v", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('jinqiu_migrate')")
	} else {
		// SQLite's DDL is transactional: one immediate transaction is the
		// lock, and a failure leaves nothing half done.
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer tx.Rollback()
		ex = tx
	}
	if err := db.migrate(ctx, ex, last); err != nil {
		return err
	}
	if tx, ok := ex.(*sql.Tx); ok {
		return tx.Commit()
	}
	return nil
}

// migrationSteps are the Go steps of migrations, run after their
// statements, on the same connection: what SQL alone cannot do the same on
// both dialects (a calendar day in the configured zone). Re-runnable, like
// the statements.
var migrationSteps = map[int]func(ctx context.Context, x execer, dialect string, zone *time.Location) error{
	activeDaysVersion: backfillActiveDays,
}

// activeDaysVersion is the migration that brings the kept active days.
const activeDaysVersion = 12

// execer is what *sql.Conn and *sql.Tx share.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) migrate(ctx context.Context, conn execer, last int) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INT NOT NULL PRIMARY KEY, name VARCHAR(191) NOT NULL,
		dirty INT NOT NULL, applied_at DATETIME NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ms, err := db.migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if m.version > last {
			break
		}
		var dirty sql.NullInt64
		err := conn.QueryRowContext(ctx, "SELECT dirty FROM schema_migrations WHERE version = ?", m.version).Scan(&dirty)
		if err == nil && dirty.Int64 == 0 {
			continue
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("migrate: %w", err)
		}
		now := utc(db.Now())
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, dirty, applied_at) VALUES (?, ?, 1, ?)", m.version, m.name, now); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
		if err := db.runStatements(ctx, conn, m); err != nil {
			return err
		}
		if step := migrationSteps[m.version]; step != nil {
			if err := step(ctx, conn, db.dialect, db.Zone); err != nil {
				return fmt.Errorf("migrate %s: %w", m.name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "UPDATE schema_migrations SET dirty = 0, applied_at = ? WHERE version = ?", now, m.version); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	if last >= activeDaysVersion {
		// 0012's first build had no active_days_state, and a database it
		// migrated has 0012 recorded as done: its statements (re-runnable)
		// again, only when the table is not there.
		var one int
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM active_days_state").Scan(&one); err != nil {
			for _, m := range ms {
				if m.version == activeDaysVersion {
					if err := db.runStatements(ctx, conn, m); err != nil {
						return err
					}
				}
			}
		}
		return rezoneActiveDays(ctx, conn, db.dialect, db.Zone, db.Rezone)
	}
	return nil
}

// runStatements runs the statements of migration m on conn.
func (db *DB) runStatements(ctx context.Context, conn execer, m migration) error {
	for i, s := range m.stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil && !db.alreadyAdded(s, err) {
			return fmt.Errorf("migrate %s: statement %d: %w", m.name, i+1, err)
		}
	}
	return nil
}

// alreadyAdded reports whether err says that stmt, an ALTER TABLE ... ADD
// COLUMN, was applied before: SQLite has no ADD COLUMN IF NOT EXISTS, and
// every statement must be re-runnable.
func (db *DB) alreadyAdded(stmt string, err error) bool {
	u := strings.ToUpper(stmt)
	return db.dialect == SQLite && strings.HasPrefix(u, "ALTER TABLE") && strings.Contains(u, " ADD COLUMN ") &&
		strings.Contains(err.Error(), "duplicate column name")
}

// CheckSchema returns ErrDirty if a migration is unfinished, and an error if
// the database is behind the binary.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	var rows []struct {
		Version int `db:"version"`
		Dirty   int `db:"dirty"`
	}
	if err := db.x.SelectContext(ctx, &rows, "SELECT version, dirty FROM schema_migrations"); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	done := map[int]bool{}
	for _, r := range rows {
		if r.Dirty != 0 {
			return ErrDirty
		}
		done[r.Version] = true
	}
	for _, m := range ms {
		if !done[m.version] {
			return fmt.Errorf("check schema: migration %s not applied: run `jinqiu migrate`", m.name)
		}
	}
	return nil
}

// InstalledAt is when the first migration was applied: when this
// database, and so the bot, started keeping records.
func (db *DB) InstalledAt(ctx context.Context) (time.Time, error) {
	// Not MIN(): SQLite returns an aggregate of a DATETIME as text.
	var t time.Time
	err := db.x.GetContext(ctx, &t, "SELECT applied_at FROM schema_migrations ORDER BY applied_at LIMIT 1")
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("installed at: %w", err)
	}
	return t, nil
}
