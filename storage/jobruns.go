package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Job-run states.
const (
	JobDone   = "done"
	JobMissed = "missed"
)

// ClaimSlot claims the (job, slot) pair for owner and, in the same
// transaction, calls fan to write the outbox rows of that fire. claimed is
// false when another replica (or an earlier run) already has the slot; then
// fan is not called. If fan fails nothing is written and the slot stays
// free.
func (db *DB) ClaimSlot(ctx context.Context, job string, slot time.Time, owner string, fan func(ctx context.Context, tx *Tx) ([]Outbound, error)) (claimed bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		claimed = false
		_, err := tx.ExecContext(ctx, "INSERT INTO job_runs (job, slot, state, owner, created_at) VALUES (?, ?, ?, ?, ?)",
			job, utc(slot), JobDone, owner, tx.Now)
		if isDuplicate(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim %s: %w", job, err)
		}
		claimed = true
		if fan == nil {
			return nil
		}
		os, err := fan(ctx, tx)
		if err != nil {
			return err
		}
		return tx.enqueue(ctx, os...)
	})
	return claimed, err
}

// RecordMissed records a slot that was too late to send. It reports false
// if the slot was already claimed or recorded.
func (db *DB) RecordMissed(ctx context.Context, job string, slot time.Time, owner string) (bool, error) {
	var ok bool
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO job_runs (job, slot, state, owner, created_at) VALUES (?, ?, ?, ?, ?)",
			job, utc(slot), JobMissed, owner, tx.Now)
		if isDuplicate(err) {
			return nil
		}
		ok = err == nil
		return err
	})
	return ok, err
}

// JobRun is one claimed slot.
type JobRun struct {
	Job   string    `db:"job"`
	Slot  time.Time `db:"slot"`
	State string    `db:"state"`
}

// LastSlot returns the latest slot recorded for job, or ErrNotFound.
func (db *DB) LastSlot(ctx context.Context, job string) (JobRun, error) {
	var r JobRun
	err := db.q(ctx).GetContext(ctx, &r, "SELECT job, slot, state FROM job_runs WHERE job = ? ORDER BY slot DESC LIMIT 1", job)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// JobRuns returns the runs of jobs whose name starts with prefix.
func (db *DB) JobRuns(ctx context.Context, prefix string) ([]JobRun, error) {
	var rs []JobRun
	err := db.q(ctx).SelectContext(ctx, &rs, "SELECT job, slot, state FROM job_runs WHERE job LIKE ? ORDER BY slot, job", prefix+"%")
	return rs, err
}

// Exec runs a statement inside the claim transaction, for fan-out
// functions that need to read.
func (tx *Tx) Dialect() string { return tx.dialect }
