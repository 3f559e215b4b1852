package storage

import (
	"context"
	"fmt"
	"jinqiu"
	"time"
)

// MemberStats is one person's record (我的).
type MemberStats struct {
	MonthCentihours   int `db:"month"`   // approved, served this calendar month
	YearCentihours    int `db:"year"`    // approved, served this calendar year
	PendingCentihours int `db:"pending"` // reported, awaiting the secretary
	PendingCount      int `db:"pending_count"`
	YearCheckins      int `db:"checkins"` // activities checked in to this year
}

// MemberStats returns the member's hours for the month and the year of
// today (a calendar day: its year, month and day in the configured zone)
// and what is pending. yearStart is the first instant of that year in the
// configured zone, for the check-in count.
func (db *DB) MemberStats(ctx context.Context, memberID int64, today, yearStart time.Time) (MemberStats, error) {
	var s MemberStats
	monthFrom := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	yearFrom := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	// One statement for every figure: 我的 is among the commonest messages
	// and each round trip to the database counts.
	err := db.q(ctx).GetContext(ctx, &s, `SELECT
		COALESCE(SUM(CASE WHEN state = ? AND served_on >= ? AND served_on < ? THEN centihours ELSE 0 END), 0) AS month,
		COALESCE(SUM(CASE WHEN state = ? AND served_on >= ? AND served_on < ? THEN centihours ELSE 0 END), 0) AS year,
		COALESCE(SUM(CASE WHEN state = ? THEN centihours ELSE 0 END), 0) AS pending,
		COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS pending_count,
		(SELECT COUNT(*) FROM checkins WHERE member_id = ? AND checked_at >= ? AND checked_at < ?) AS checkins
		FROM hours_reports WHERE member_id = ?`,
		jinqiu.HoursApproved, day(monthFrom), day(monthFrom.AddDate(0, 1, 0)),
		jinqiu.HoursApproved, day(yearFrom), day(yearFrom.AddDate(1, 0, 0)),
		jinqiu.HoursPending, jinqiu.HoursPending,
		memberID, utc(yearStart), utc(yearStart.AddDate(1, 0, 0)),
		memberID)
	if err != nil {
		err = fmt.Errorf("member stats: %w", err)
	}
	return s, err
}
