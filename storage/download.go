package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// DownloadLink is what a workbook link grants: one branch's (or, BranchID
// "", the district's) workbook of the days [FromDay, ToDay), until
// ExpiresAt.
type DownloadLink struct {
	Actor     string    `db:"actor"`
	BranchID  string    `db:"branch_id"`
	FromDay   time.Time `db:"from_day"`
	ToDay     time.Time `db:"to_day"`
	ExpiresAt time.Time `db:"expires_at"`
}

// NewDownloadLink keeps a link's grant under the hash of its token (the
// token itself is never stored) and audits it.
func (db *DB) NewDownloadLink(ctx context.Context, a jinqiu.Actor, token string, l DownloadLink) error {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO download_links (token_hash, actor, branch_id, from_day, to_day, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			tokenHash(token), a.String(), l.BranchID, day(l.FromDay), day(l.ToDay), utc(l.ExpiresAt), tx.Now); err != nil {
			return fmt.Errorf("download link: %w", err)
		}
		return tx.audit(ctx, a, "export_link", "export:"+l.BranchID, day(l.FromDay)+".."+day(l.ToDay))
	})
}

// UseDownloadLink returns the grant of a token and counts the download.
// ErrNotFound for a token never given (or forged), ErrLinkExpired after
// its time.
func (db *DB) UseDownloadLink(ctx context.Context, token string) (DownloadLink, error) {
	var l DownloadLink
	err := db.update(ctx, func(tx *Tx) error {
		h := tokenHash(token)
		err := tx.GetContext(ctx, &l, "SELECT actor, branch_id, from_day, to_day, expires_at FROM download_links WHERE token_hash = ?", h)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("download link: %w", err)
		}
		if !tx.Now.Before(l.ExpiresAt) {
			return ErrLinkExpired
		}
		_, err = tx.ExecContext(ctx, "UPDATE download_links SET downloads = downloads + 1 WHERE token_hash = ?", h)
		return err
	})
	return l, err
}
