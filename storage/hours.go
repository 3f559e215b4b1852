package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// ErrDecided: the report was already approved or rejected.
var ErrDecided = errors.New("report already decided")

// ErrOwnReport: nobody decides on their own hours; another secretary of
// the branch or the bureau does.
var ErrOwnReport = errors.New("own hours report")

// DayLimitError refuses a report that would take a person's hours for one
// day (pending and approved) over the limit.
type DayLimitError struct {
	Used  int // centihours already reported for the day
	Limit int
}

func (e *DayLimitError) Error() string {
	return fmt.Sprintf("day limit: %d of %d centihours used", e.Used, e.Limit)
}

const hoursSelect = `SELECT h.id, h.member_id, m.display_name AS member_name, h.branch_id, h.served_on, h.centihours, h.note, h.state,
	h.activity_id, h.approver_id, h.decided_at, h.reason, h.created_at, h.msg_id
	FROM hours_reports h JOIN members m ON m.id = h.member_id`

// NewReport is hours a member reports.
type NewReport struct {
	MemberID   int64
	BranchID   string
	ServedOn   time.Time // the calendar day (see jinqiu.HoursReport)
	Centihours int
	Note       string
}

// ReportHours records a pending report, unless it would take the member's
// pending and approved hours on that day over maxPerDay centihours
// (*DayLimitError). The member's row is locked first, so that two reports
// sent at once cannot pass the limit together.
func (db *DB) ReportHours(ctx context.Context, a jinqiu.Actor, n NewReport, maxPerDay int) (jinqiu.HoursReport, error) {
	var r jinqiu.HoursReport
	err := db.update(ctx, func(tx *Tx) error {
		lock := "SELECT id FROM members WHERE id = ?"
		if tx.dialect == MySQL {
			lock += " FOR UPDATE"
		}
		var id int64
		if err := tx.GetContext(ctx, &id, lock, n.MemberID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("report hours: %w", err)
		}
		used, err := tx.dayHours(ctx, n.MemberID, n.ServedOn)
		if err != nil {
			return err
		}
		if used+n.Centihours > maxPerDay {
			return &DayLimitError{Used: used, Limit: maxPerDay}
		}
		id, err = tx.insertID(ctx, `INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, note, state, created_at, msg_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			n.MemberID, n.BranchID, day(n.ServedOn), n.Centihours, truncateUTF8(n.Note, 500), jinqiu.HoursPending, tx.Now, a.MsgID)
		if err != nil {
			return fmt.Errorf("report hours: %w", err)
		}
		if err := tx.markActive(ctx, n.MemberID, n.BranchID, n.ServedOn); err != nil {
			return err
		}
		if r, err = tx.report(ctx, n.BranchID, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, "report_hours", r.Object(), fmt.Sprintf("%s centihours:%d", day(n.ServedOn), n.Centihours))
	})
	return r, err
}

// dayHours sums a member's pending and approved centihours on a day.
func (tx *Tx) dayHours(ctx context.Context, memberID int64, on time.Time) (int, error) {
	var used int
	err := tx.GetContext(ctx, &used, "SELECT COALESCE(SUM(centihours), 0) FROM hours_reports WHERE member_id = ? AND served_on = ? AND state IN (?, ?)",
		memberID, day(on), jinqiu.HoursPending, jinqiu.HoursApproved)
	if err != nil {
		return 0, fmt.Errorf("hours of the day: %w", err)
	}
	return used, nil
}

func (tx *Tx) report(ctx context.Context, branchID string, id int64) (jinqiu.HoursReport, error) {
	var r jinqiu.HoursReport
	err := tx.GetContext(ctx, &r, hoursSelect+" WHERE h.id = ? AND h.branch_id = ?", id, branchID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read report %d: %w", id, err)
	}
	return r, nil
}

// HoursReport returns the report of the branch with the given id. An id of
// another branch is ErrNotFound, like one that does not exist.
func (db *DB) HoursReport(ctx context.Context, branchID string, id int64) (jinqiu.HoursReport, error) {
	var r jinqiu.HoursReport
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.report(ctx, branchID, id)
		return err
	})
	return r, err
}

// HoursReportAnyBranch returns the report with the given id whatever its
// branch: only for callers entitled to every branch (the bureau).
func (db *DB) HoursReportAnyBranch(ctx context.Context, id int64) (jinqiu.HoursReport, error) {
	var r jinqiu.HoursReport
	err := db.q(ctx).GetContext(ctx, &r, hoursSelect+" WHERE h.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// PendingReports returns the branch's reports awaiting a decision, oldest
// first, at most limit.
func (db *DB) PendingReports(ctx context.Context, branchID string, limit int) ([]jinqiu.HoursReport, error) {
	var rs []jinqiu.HoursReport
	err := db.q(ctx).SelectContext(ctx, &rs, hoursSelect+" WHERE h.branch_id = ? AND h.state = ? ORDER BY h.id LIMIT ?", branchID, jinqiu.HoursPending, limit)
	if err != nil {
		return nil, fmt.Errorf("pending reports: %w", err)
	}
	return rs, nil
}

// DecideHours approves (approve true) or rejects a pending report of the
// branch on behalf of a (display name name), recording the reason, and
// returns the report and its member (for the caller's notice).
// ErrOwnReport when a is the report's member. ErrNotFound for an id of
// another branch; ErrDecided (with the report as
// it stands) if it is no longer pending.
func (db *DB) DecideHours(ctx context.Context, a jinqiu.Actor, name, branchID string, id int64, approve bool, reason string) (jinqiu.HoursReport, jinqiu.Member, error) {
	var r jinqiu.HoursReport
	var m jinqiu.Member
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		// No lock: the conditional update below decides a report once.
		if r, err = tx.report(ctx, branchID, id); err != nil {
			return err
		}
		if r.State != jinqiu.HoursPending {
			return ErrDecided
		}
		by, err := tx.ensureMember(ctx, a.Platform, a.UserID, name)
		if err != nil {
			return err
		}
		if by.ID == r.MemberID {
			return ErrOwnReport
		}
		state, action := jinqiu.HoursApproved, "approve_hours"
		if !approve {
			state, action = jinqiu.HoursRejected, "reject_hours"
		}
		reason = truncateUTF8(reason, 500)
		res, err := tx.ExecContext(ctx, "UPDATE hours_reports SET state = ?, approver_id = ?, decided_at = ?, reason = ? WHERE id = ? AND state = ?",
			state, by.ID, tx.Now, reason, id, jinqiu.HoursPending)
		if err != nil {
			return fmt.Errorf("decide hours: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrDecided
		}
		r.State, r.Reason = state, reason
		r.ApproverID = sql.NullInt64{Int64: by.ID, Valid: true}
		r.DecidedAt = sql.NullTime{Time: tx.Now, Valid: true}
		if err := tx.GetContext(ctx, &m, "SELECT "+memberCols+" FROM members WHERE id = ?", r.MemberID); err != nil {
			return fmt.Errorf("decide hours: %w", err)
		}
		r.MemberName = m.DisplayName
		return tx.audit(ctx, a, action, r.Object(), reason)
	})
	return r, m, err
}

// SameHours returns the member's report of the same day and amount made
// since (pending or approved), or ErrNotFound: a second one is asked about
// before it is stored.
func (db *DB) SameHours(ctx context.Context, memberID int64, servedOn time.Time, centihours int, since time.Time) (jinqiu.HoursReport, error) {
	var r jinqiu.HoursReport
	err := db.q(ctx).GetContext(ctx, &r, hoursSelect+" WHERE h.member_id = ? AND h.served_on = ? AND h.centihours = ? AND h.state IN (?, ?) AND h.created_at >= ? ORDER BY h.id DESC LIMIT 1",
		memberID, day(servedOn), centihours, jinqiu.HoursPending, jinqiu.HoursApproved, utc(since))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("same hours: %w", err)
	}
	return r, nil
}
