package storage

import (
	"context"
	"fmt"
	"jinqiu"
	"time"
)

// Span is a period both as instants [From, To) and as calendar days
// [FromDay, ToDay), as DigestRange has it.
type Span struct {
	From, To       time.Time
	FromDay, ToDay time.Time
}

// WeekFigures are the two figures of the console's weekly chart.
type WeekFigures struct {
	Active     int // distinct members who signed up, checked in or reported hours
	Centihours int // approved hours served in the span, ×100
}

// Trend returns, for each span, its active members and approved hours, of
// one branch or (branchID "") of every branch. Each span is two statements,
// on the hours' time index (migration 0003) and the kept active days
// (0012), a few at a time.
func (db *DB) Trend(ctx context.Context, branchID string, spans []Span) ([]WeekFigures, error) {
	out := make([]WeekFigures, len(spans))
	err := db.view(ctx, func(tx *Tx) error {
		r := DigestRange{BranchID: branchID}
		hf, ha := r.branchFilter("branch_id")
		var tasks []func() error
		for i, s := range spans {
			fd, td := day(s.FromDay), day(s.ToDay)
			tasks = append(tasks, func() error {
				err := tx.GetContext(ctx, &out[i].Centihours, "SELECT COALESCE(SUM(centihours), 0) FROM hours_reports WHERE served_on >= ? AND served_on < ? AND state = ?"+hf,
					append([]any{fd, td, hoursApproved}, ha...)...)
				if err != nil {
					return fmt.Errorf("trend hours: %w", err)
				}
				return nil
			}, func() error {
				err := tx.GetContext(ctx, &out[i].Active, "SELECT COUNT(DISTINCT member_id) FROM active_days WHERE day >= ? AND day < ?"+hf,
					append([]any{fd, td}, ha...)...)
				if err != nil {
					return fmt.Errorf("trend active members: %w", err)
				}
				return nil
			})
		}
		return runParallel(digestParallel, tasks)
	})
	return out, err
}

// ReportWithApprover is an hours report with the name of who decided it.
type ReportWithApprover struct {
	jinqiu.HoursReport
	ApproverName string `db:"approver_name"`
}

const ledgerSelect = `SELECT h.id, h.member_id, m.display_name AS member_name, h.branch_id, h.served_on, h.centihours, h.note, h.state,
	h.activity_id, h.approver_id, h.decided_at, h.reason, h.created_at, h.msg_id, COALESCE(d.display_name, '') AS approver_name
	FROM hours_reports h JOIN members m ON m.id = h.member_id LEFT JOIN members d ON d.id = h.approver_id`

// Ledger returns a branch's hours reports: every pending one (oldest first,
// at most limit) and then the latest decided ones (newest day first, at
// most limit).
func (db *DB) Ledger(ctx context.Context, branchID string, limit int) (pending, decided []ReportWithApprover, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		if err := tx.SelectContext(ctx, &pending, ledgerSelect+" WHERE h.branch_id = ? AND h.state = ? ORDER BY h.id LIMIT ?",
			branchID, jinqiu.HoursPending, limit); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		if err := tx.SelectContext(ctx, &decided, ledgerSelect+" WHERE h.branch_id = ? AND h.state IN (?, ?) ORDER BY h.served_on DESC, h.id DESC LIMIT ?",
			branchID, jinqiu.HoursApproved, jinqiu.HoursRejected, limit); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		return nil
	})
	return pending, decided, err
}

// RecentActivities returns a branch's activities (cancelled ones too),
// latest start first, at most limit.
func (db *DB) RecentActivities(ctx context.Context, branchID string, limit int) ([]jinqiu.Activity, error) {
	var acts []jinqiu.Activity
	err := db.q(ctx).SelectContext(ctx, &acts, "SELECT "+activityCols+" FROM activities WHERE branch_id = ? ORDER BY starts_at DESC, id DESC LIMIT ?", branchID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent activities: %w", err)
	}
	return acts, nil
}

// MemberHours returns each member's approved centihours in a branch on
// the days [fromDay, toDay).
func (db *DB) MemberHours(ctx context.Context, branchID string, fromDay, toDay time.Time) (map[int64]int, error) {
	var rows []struct {
		MemberID   int64 `db:"member_id"`
		Centihours int   `db:"centihours"`
	}
	err := db.q(ctx).SelectContext(ctx, &rows, "SELECT member_id, SUM(centihours) AS centihours FROM hours_reports WHERE branch_id = ? AND state = ? AND served_on >= ? AND served_on < ? GROUP BY member_id",
		branchID, jinqiu.HoursApproved, day(fromDay), day(toDay))
	if err != nil {
		return nil, fmt.Errorf("member hours: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.MemberID] = r.Centihours
	}
	return out, nil
}
