// Package storage keeps every record of jinqiu in SQL: MySQL/MariaDB in
// production, SQLite (pure Go) as the embedded default, through sqlx with the
// same queries where the dialects agree. Each public method of *DB is one
// transaction; the domain types it returns are plain structs.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialects.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// ErrNotFound is returned when a record does not exist (or is not visible
// to the caller: the two are indistinguishable on purpose).
var ErrNotFound = errors.New("not found")

//go:embed migrations
var migrations embed.FS

// DB is the database. Safe for concurrent use.
type DB struct {
	x       *sqlx.DB
	dialect string
	cache   *lookups
	// Now is the clock; tests replace it. Times are stored in UTC, truncated
	// to the second, so that both dialects compare them alike.
	Now func() time.Time
	// Zone is the configured zone, in which an instant's calendar day is
	// taken for the kept active days (active.go); set it before Migrate.
	Zone *time.Location
	// Rezone lets Migrate take every kept active day again when Zone is
	// not the zone they were taken in (`jinqiu migrate` sets it); without
	// it Migrate refuses with a *ZoneChangedError.
	Rezone bool
}

// Open connects to the database of the given driver ("sqlite" or "mysql")
// and checks that it answers. It does not migrate.
func Open(ctx context.Context, driver, dsn string) (*DB, error) {
	var x *sqlx.DB
	var err error
	switch driver {
	case SQLite:
		x, err = openSQLite(dsn)
	case MySQL:
		x, err = openMySQL(dsn)
	default:
		return nil, fmt.Errorf("open: unknown driver %q", driver)
	}
	if err != nil {
		return nil, err
	}
	db := &DB{x: x, dialect: driver, Now: time.Now, Zone: defaultZone(), cache: newLookups()}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.PingContext(pctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("open %s: %w", driver, err)
	}
	return db, nil
}

func openSQLite(path string) (*sqlx.DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	// WAL lets readers run beside the writer; immediate transactions take
	// the write lock at BEGIN, so two writers wait (busy_timeout) instead of
	// failing halfway with SQLITE_BUSY on upgrade.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	x, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	x.SetMaxOpenConns(8)
	x.SetMaxIdleConns(8)
	return x, nil
}

func openMySQL(dsn string) (*sqlx.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open mysql: bad dsn: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	// The session zone must agree with Loc, or NOW() and TIMESTAMP shift.
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Params["sql_mode"] = "'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'"
	cfg.RejectReadOnly = true
	// RowsAffected counts the rows matched, as SQLite does, not only those
	// whose values changed: a fenced update to the same second must count.
	cfg.ClientFoundRows = true
	// One round trip per query instead of prepare, execute and close; safe
	// with utf8mb4 (the driver refuses it for multibyte charsets like GBK).
	cfg.InterpolateParams = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	x, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	x.SetMaxOpenConns(32)
	x.SetMaxIdleConns(32)
	// Under the 5-minute idle cut of common middleboxes.
	x.SetConnMaxLifetime(3 * time.Minute)
	return x, nil
}

// Dialect returns SQLite or MySQL.
func (db *DB) Dialect() string { return db.dialect }

// X returns the underlying handle, for tests and the load harness.
func (db *DB) X() *sqlx.DB { return db.x }

// Close closes the pool.
func (db *DB) Close() error { return db.x.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.x.PingContext(ctx) }

// now is the transaction's clock reading.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Second) }

// Tx is one transaction (or, for reads, the pool) and the time it runs at.
type Tx struct {
	querier
	Now     time.Time
	dialect string
	zone    *time.Location
}

// querier is what *sqlx.Tx and *sqlx.DB share.
type querier interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// update runs fn in a write transaction and commits it. A deadlock, lock
// wait timeout or busy database is retried a few times with jitter: the
// databases say even correct applications must retry them.
func (db *DB) update(ctx context.Context, fn func(tx *Tx) error) error {
	if u := unitOf(ctx); u != nil {
		// The message's transaction: a deadlock there is retried by
		// handling the whole message again.
		return u.update(ctx, fn)
	}
	return again(ctx, retryable, func() error { return db.tryUpdate(ctx, fn) })
}

// again runs try, and again while its error is one that retry says a
// fresh attempt may not meet, a few times with jitter.
func again(ctx context.Context, retry func(error) bool, try func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = try()
		if err == nil || !retry(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(5+rand.IntN(20*(attempt+1))) * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tryUpdate(ctx context.Context, fn func(tx *Tx) error) error {
	x, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer x.Rollback()
	if err := fn(&Tx{querier: x, Now: db.now(), dialect: db.dialect, zone: db.Zone}); err != nil {
		return err
	}
	return x.Commit()
}

// exec runs one autocommit statement, again after a deadlock or lock wait
// timeout: even a single-row update can be chosen as a deadlock's victim.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		res, err = db.x.ExecContext(ctx, query, args...)
		if err == nil || !retryable(err) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, err
		case <-time.After(time.Duration(5+rand.IntN(20*(attempt+1))) * time.Millisecond):
		}
	}
	return res, err
}

// view runs fn's reads on the pool, outside a transaction: a read-only
// transaction would cost two more round trips on MySQL, and no reader here
// needs a snapshot across statements.
func (db *DB) view(ctx context.Context, fn func(tx *Tx) error) error {
	if u := unitOf(ctx); u != nil {
		if x, now, ok := u.querier(); ok {
			return fn(&Tx{querier: x, Now: now, dialect: db.dialect, zone: db.Zone})
		}
	}
	return fn(&Tx{querier: db.x, Now: db.now(), dialect: db.dialect, zone: db.Zone})
}

func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// isDuplicate reports whether err is a unique-key violation.
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// day formats a calendar day for a DATE column.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// utc normalises an instant for storage.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// nullTime is a nullable instant for optional columns.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: utc(t), Valid: true}
}

// Placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertID inserts and returns the new row's id, in either dialect.
func (tx *Tx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// forUpdate is the locking-read suffix: MySQL needs it to read rows that
// committed after the transaction's snapshot; SQLite's write transactions
// are serialised and have no such syntax.
func (tx *Tx) forUpdate() string {
	if tx.dialect == MySQL {
		return " FOR UPDATE"
	}
	return ""
}
