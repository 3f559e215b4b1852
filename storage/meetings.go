package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"strconv"
	"time"
)

const meetingCols = "id, branch_id, kind, held_on, topic, recorder_id, created_at, msg_id, expected, present, delivered"

// NewMeeting is a meeting a secretary records.
type NewMeeting struct {
	BranchID string
	Kind     jinqiu.MeetingKind
	HeldOn   time.Time
	Topic    string
	// Attendance, 0 when not said.
	Expected, Present, Delivered int
}

// RecordMeeting records that a branch held a meeting, on behalf of a
// (display name name). The same kind on the same day is one meeting: a
// repeat changes nothing and returns the stored one with already true.
// ErrNotFound if the branch does not exist.
func (db *DB) RecordMeeting(ctx context.Context, a jinqiu.Actor, name string, n NewMeeting) (m jinqiu.Meeting, already bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		already = false
		if _, err := tx.branch(ctx, n.BranchID); err != nil {
			return err
		}
		get := func() error {
			return tx.GetContext(ctx, &m, "SELECT "+meetingCols+" FROM meetings WHERE branch_id = ? AND kind = ? AND held_on = ?", n.BranchID, n.Kind, day(n.HeldOn))
		}
		switch err := get(); {
		case err == nil:
			already = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("record meeting: %w", err)
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		id, err := tx.insertID(ctx, "INSERT INTO meetings (branch_id, kind, held_on, topic, recorder_id, created_at, msg_id, expected, present, delivered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.BranchID, n.Kind, day(n.HeldOn), truncateUTF8(n.Topic, 500), by.ID, tx.Now, a.MsgID, n.Expected, n.Present, n.Delivered)
		if isDuplicate(err) {
			already = true
			return errAlready
		}
		if err != nil {
			return fmt.Errorf("record meeting: %w", err)
		}
		if err := get(); err != nil {
			return fmt.Errorf("record meeting: %w", err)
		}
		return tx.audit(ctx, a, "record_meeting", "meeting:"+strconv.FormatInt(id, 10), n.BranchID+" "+string(n.Kind)+" "+day(n.HeldOn))
	})
	if already && errors.Is(err, errAlready) {
		// Another message recorded it first; read what it stored.
		err = db.q(ctx).GetContext(ctx, &m, "SELECT "+meetingCols+" FROM meetings WHERE branch_id = ? AND kind = ? AND held_on = ?", n.BranchID, n.Kind, day(n.HeldOn))
	}
	return m, already, err
}

// Meetings returns the meetings a branch held on days in [from, to), by
// day.
func (db *DB) Meetings(ctx context.Context, branchID string, from, to time.Time) ([]jinqiu.Meeting, error) {
	var ms []jinqiu.Meeting
	err := db.q(ctx).SelectContext(ctx, &ms, "SELECT "+meetingCols+" FROM meetings WHERE branch_id = ? AND held_on >= ? AND held_on < ? ORDER BY held_on, id",
		branchID, day(from), day(to))
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	return ms, nil
}

// AllMeetings returns every branch's meetings held on days in [from, to),
// by branch and day: for the bureau.
func (db *DB) AllMeetings(ctx context.Context, from, to time.Time) ([]jinqiu.Meeting, error) {
	var ms []jinqiu.Meeting
	err := db.q(ctx).SelectContext(ctx, &ms, "SELECT "+meetingCols+" FROM meetings WHERE held_on >= ? AND held_on < ? ORDER BY branch_id, held_on, id",
		day(from), day(to))
	if err != nil {
		return nil, fmt.Errorf("all meetings: %w", err)
	}
	return ms, nil
}

// Inquorate returns the 支部党员大会 held on days in [from, to) whose
// attendance was written and was not more than half of the members
// expected, of one branch (or of all when branchID is ""), by day.
func (db *DB) Inquorate(ctx context.Context, branchID string, from, to time.Time) ([]jinqiu.Meeting, error) {
	q := "SELECT " + meetingCols + " FROM meetings WHERE kind = ? AND expected > 0 AND present * 2 <= expected AND held_on >= ? AND held_on < ?"
	args := []any{jinqiu.BranchAssembly, day(from), day(to)}
	if branchID != "" {
		q += " AND branch_id = ?"
		args = append(args, branchID)
	}
	var ms []jinqiu.Meeting
	if err := db.q(ctx).SelectContext(ctx, &ms, q+" ORDER BY held_on, id", args...); err != nil {
		return nil, fmt.Errorf("inquorate meetings: %w", err)
	}
	return ms, nil
}
