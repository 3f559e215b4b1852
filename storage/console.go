package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"jinqiu"
	"time"
)

// Errors of a console link that exists but opens nothing.
var (
	ErrLinkUsed    = errors.New("console link already used")
	ErrLinkExpired = errors.New("console link expired")
)

// ConsoleSession is a person signed in to the web console. What they may
// see is decided on every request from their identity (bureau admin,
// secretary of which branches), so that a withdrawn role ends its reach at
// once.
type ConsoleSession struct {
	Platform    jinqiu.Platform `db:"platform"`
	UserID      string          `db:"user_id"`
	DisplayName string          `db:"display_name"`
	CreatedAt   time.Time       `db:"created_at"`
	ExpiresAt   time.Time       `db:"expires_at"`
}

// Identity is the session's person.
func (s ConsoleSession) Identity() jinqiu.Identity {
	return jinqiu.Identity{Platform: s.Platform, UserID: s.UserID}
}

// tokenHash is what is stored of a token: its SHA-256, hex.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// newToken is 32 random bytes, hex: unguessable, safe in a URL path.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}

// NewConsoleLink stores a one-time link for who, valid for ttl, and returns
// its token (only its hash is kept). Links and sessions that ended a day
// ago are removed on the way.
func (db *DB) NewConsoleLink(ctx context.Context, who jinqiu.Identity, name string, ttl time.Duration) (string, error) {
	token := newToken()
	err := db.update(ctx, func(tx *Tx) error {
		old := tx.Now.Add(-24 * time.Hour)
		for _, t := range []string{"console_links", "console_sessions"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE expires_at < ?", old); err != nil {
				return fmt.Errorf("console link: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO console_links (token_hash, platform, user_id, display_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			tokenHash(token), who.Platform, who.UserID, truncateUTF8(name, 190), tx.Now, tx.Now.Add(ttl))
		if err != nil {
			return fmt.Errorf("console link: %w", err)
		}
		return tx.audit(ctx, jinqiu.Actor{Platform: who.Platform, UserID: who.UserID}, "console_link", "console", "")
	})
	return token, err
}

type consoleLink struct {
	ConsoleSession
	UsedAt sql.NullTime `db:"used_at"`
}

func (tx *Tx) consoleLink(ctx context.Context, token string, lock bool) (consoleLink, error) {
	var l consoleLink
	q := "SELECT platform, user_id, display_name, created_at, expires_at, used_at FROM console_links WHERE token_hash = ?"
	if lock {
		q += tx.forUpdate()
	}
	err := tx.GetContext(ctx, &l, q, tokenHash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	if err != nil {
		return l, fmt.Errorf("console link: %w", err)
	}
	switch {
	case l.UsedAt.Valid:
		return l, ErrLinkUsed
	case !tx.Now.Before(l.ExpiresAt):
		return l, ErrLinkExpired
	}
	return l, nil
}

// ConsoleLink checks a link without spending it: ErrNotFound (forged),
// ErrLinkUsed or ErrLinkExpired, else the person it is for.
func (db *DB) ConsoleLink(ctx context.Context, token string) (ConsoleSession, error) {
	var l consoleLink
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		l, err = tx.consoleLink(ctx, token, false)
		return err
	})
	return l.ConsoleSession, err
}

// RedeemConsoleLink spends a link (once: of two redemptions at the same
// time one wins) and opens a session of ttl for its person; it returns the
// session's token. The errors are ConsoleLink's.
func (db *DB) RedeemConsoleLink(ctx context.Context, token string, ttl time.Duration) (string, ConsoleSession, error) {
	session := newToken()
	var s ConsoleSession
	err := db.update(ctx, func(tx *Tx) error {
		l, err := tx.consoleLink(ctx, token, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE console_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", tx.Now, tokenHash(token))
		if err != nil {
			return fmt.Errorf("redeem console link: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkUsed
		}
		s = l.ConsoleSession
		s.CreatedAt, s.ExpiresAt = tx.Now, tx.Now.Add(ttl)
		if _, err := tx.ExecContext(ctx, "INSERT INTO console_sessions (token_hash, platform, user_id, display_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			tokenHash(session), s.Platform, s.UserID, s.DisplayName, s.CreatedAt, s.ExpiresAt); err != nil {
			return fmt.Errorf("redeem console link: %w", err)
		}
		return tx.audit(ctx, jinqiu.Actor{Platform: s.Platform, UserID: s.UserID}, "console_login", "console", "")
	})
	return session, s, err
}

// ConsoleSessionOf returns the live session of a token, or ErrNotFound
// (unknown, ended or expired: the same to the caller).
func (db *DB) ConsoleSessionOf(ctx context.Context, token string) (ConsoleSession, error) {
	var s ConsoleSession
	err := db.q(ctx).GetContext(ctx, &s, "SELECT platform, user_id, display_name, created_at, expires_at FROM console_sessions WHERE token_hash = ? AND expires_at > ?",
		tokenHash(token), db.now())
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("console session: %w", err)
	}
	return s, nil
}

// EndConsoleSession signs a session out; an unknown token is no error.
func (db *DB) EndConsoleSession(ctx context.Context, token string) error {
	_, err := db.exec(ctx, "DELETE FROM console_sessions WHERE token_hash = ?", tokenHash(token))
	return err
}
