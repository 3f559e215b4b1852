package storage

import (
	"context"
	"fmt"
	"time"
)

// MemberStats is one person's record (我的).
type MemberStats struct {
	MonthCentihours   int // approved, served this calendar month
	YearCentihours    int // approved, served this calendar year
	PendingCentihours int // reported, awaiting the secretary
	PendingCount      int
	YearCheckins      int // activities checked in to this year
}

// MemberStats returns the member's hours for the month and the year of
// today (a calendar day: its year, month and day in the configured zone)
// and what is pending. yearStart is the first instant of that year in the
// configured zone, for the check-in count.
func (db *DB) MemberStats(ctx context.Context, memberID int64, today, yearStart time.Time) (MemberStats, error) {
	var s MemberStats
	monthFrom := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	yearFrom := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.view(ctx, func(tx *Tx) error {
		sum := func(dst *int, q string, args ...any) error {
			if err := tx.GetContext(ctx, dst, q, args...); err != nil {
				return fmt.Errorf("member stats: %w", err)
			}
			return nil
		}
		const approved = "SELECT COALESCE(SUM(centihours), 0) FROM hours_reports WHERE member_id = ? AND state = ? AND served_on >= ? AND served_on < ?"
		if err := sum(&s.MonthCentihours, approved, memberID, HoursApproved, day(monthFrom), day(monthFrom.AddDate(0, 1, 0))); err != nil {
			return err
		}
		if err := sum(&s.YearCentihours, approved, memberID, HoursApproved, day(yearFrom), day(yearFrom.AddDate(1, 0, 0))); err != nil {
			return err
		}
		if err := sum(&s.PendingCentihours, "SELECT COALESCE(SUM(centihours), 0) FROM hours_reports WHERE member_id = ? AND state = ?", memberID, HoursPending); err != nil {
			return err
		}
		if err := sum(&s.PendingCount, "SELECT COUNT(*) FROM hours_reports WHERE member_id = ? AND state = ?", memberID, HoursPending); err != nil {
			return err
		}
		return sum(&s.YearCheckins, "SELECT COUNT(*) FROM checkins WHERE member_id = ? AND checked_at >= ? AND checked_at < ?",
			memberID, utc(yearStart), utc(yearStart.AddDate(1, 0, 0)))
	})
	return s, err
}
