package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// A unit is one message's transaction. Every write a handler makes through
// a context that carries the unit joins it, and the unit ends with the
// fenced finish of the message's inbound row (FinishInbound), so a
// message's effects, its outbox rows and its stored reply commit together
// or not at all, and a handler whose claim was taken over commits nothing.
//
// The transaction begins at the first write: a message that only reads
// (活动, 我的, 帮助) costs no BEGIN and no COMMIT, and reads before the
// first write run on the pool. Reads after it run in the transaction, so a
// handler sees its own writes.
//
// A storage method that fails after writing must leave the unit as it
// found it: the first write of a unit needs nothing for that (a failure
// rolls the whole transaction back, and the next write begins a new one);
// later ones run under a savepoint.
type unit struct {
	db  *DB
	ctx context.Context // the transaction's: it rolls back when this ends

	mu     sync.Mutex
	x      *sqlx.Tx
	now    time.Time
	writes int
	// broken is an error that ended the transaction under the handler
	// (a deadlock, a lost connection): the whole message must run again.
	broken error
}

type unitKey struct{}

// WithUnit returns a context whose writes join one transaction, for a
// message about to be handled. The transaction ends with FinishInbound or,
// if the handler fails, with Abort; a unit is for one goroutine at a time.
func (db *DB) WithUnit(ctx context.Context) context.Context {
	return context.WithValue(ctx, unitKey{}, &unit{db: db, ctx: ctx})
}

func unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	return u
}

// Abort rolls back the unit of ctx, if it has begun.
func Abort(ctx context.Context) {
	if u := unitOf(ctx); u != nil {
		u.mu.Lock()
		u.rollback()
		u.mu.Unlock()
	}
}

// ErrUnitBroken wraps the database error that ended a message's
// transaction under its handler: the handler's work is lost and the whole
// message must be handled again (a deadlock, say).
var ErrUnitBroken = errors.New("message transaction broken")

// Broken reports whether err means the message's transaction was lost
// and the message should be handled again from the start.
func Broken(err error) bool { return errors.Is(err, ErrUnitBroken) || retryable(err) }

func (u *unit) begin() error {
	if u.x != nil {
		return nil
	}
	x, err := u.db.x.BeginTxx(u.ctx, nil)
	if err != nil {
		return fmt.Errorf("%w: begin: %w", ErrUnitBroken, err)
	}
	u.x, u.now, u.writes = x, u.db.now(), 0
	return nil
}

func (u *unit) rollback() {
	if u.x != nil {
		u.x.Rollback()
		u.x = nil
	}
}

func (u *unit) tx() *Tx { return &Tx{querier: u.x, Now: u.now, dialect: u.db.dialect, zone: u.db.Zone} }

// update runs fn in the unit's transaction.
func (u *unit) update(ctx context.Context, fn func(tx *Tx) error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.broken != nil {
		return u.broken
	}
	if err := u.begin(); err != nil {
		u.broken = err
		return err
	}
	if u.writes == 0 {
		if err := fn(u.tx()); err != nil {
			// Nothing else is in the transaction: drop it whole.
			u.rollback()
			return u.check(err)
		}
		u.writes++
		return nil
	}
	sp := "jq" + strconv.Itoa(u.writes)
	if _, err := u.x.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
		u.broken = fmt.Errorf("%w: savepoint: %w", ErrUnitBroken, err)
		return u.broken
	}
	if err := fn(u.tx()); err != nil {
		if _, rerr := u.x.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); rerr != nil {
			u.broken = fmt.Errorf("%w: rollback to savepoint: %w", ErrUnitBroken, rerr)
			return u.broken
		}
		return u.check(err)
	}
	u.writes++
	return nil
}

// check notes an error that broke the transaction: a deadlock rolls all of
// it back on MySQL, so the handler's earlier writes are gone.
func (u *unit) check(err error) error {
	if retryable(err) {
		u.rollback()
		u.broken = fmt.Errorf("%w: %w", ErrUnitBroken, err)
		return u.broken
	}
	return err
}

// querier returns what reads run on: the transaction once it has begun.
func (u *unit) querier() (querier, time.Time, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.x == nil {
		return nil, time.Time{}, false
	}
	return u.x, u.now, true
}

// q is what a read under ctx runs on: the message's transaction when it
// has begun, else the pool.
func (db *DB) q(ctx context.Context) querier {
	if u := unitOf(ctx); u != nil {
		if x, _, ok := u.querier(); ok {
			return x
		}
	}
	return db.x
}

// finish runs fn, the last statements of the unit, and commits. Without a
// write before it, fn runs in a transaction of its own only when asked
// (needTx); else on the pool, in autocommit.
func (u *unit) finish(ctx context.Context, needTx bool, fn func(tx *Tx) error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.broken != nil {
		u.rollback()
		return u.broken
	}
	if u.x == nil && !needTx {
		return fn(&Tx{querier: u.db.x, Now: u.db.now(), dialect: u.db.dialect, zone: u.db.Zone})
	}
	if err := u.begin(); err != nil {
		return err
	}
	if err := fn(u.tx()); err != nil {
		u.rollback()
		return err
	}
	err := u.x.Commit()
	u.x = nil
	if err != nil {
		return fmt.Errorf("%w: commit: %w", ErrUnitBroken, err)
	}
	return nil
}

// Atomically runs fn with a context whose writes join one transaction, as
// a message's do, and commits them when fn returns nil (else rolls them
// back): for work that is not a message, such as a console form, whose
// effects and outbox rows must commit together. A transaction lost under
// fn (a deadlock) runs fn again, a few times; fn must not keep what it
// computed in a failed attempt.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return again(ctx, Broken, func() error {
		uctx := db.WithUnit(ctx)
		if err := fn(uctx); err != nil {
			Abort(uctx)
			return err
		}
		return unitOf(uctx).finish(uctx, false, func(*Tx) error { return nil })
	})
}
