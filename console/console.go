// Package console is the bureau's web console under /console: district
// figures, every branch's 三会一课 standing, a branch's members,
// activities and hours ledger, where pending hours are approved and
// rejected by the chat's own rule, 公示 of approved hours (published,
// objected to, corrected once final) and the workbook's download. Pages
// are html/template (embedded), with no script at all: forms and
// redirects. A person signs in through a one-time link the bot sends for
// 后台 in a single chat; what they see is decided on every request from
// who they are (the bureau: everything; a secretary: their branches).
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"jinqiu"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jinqiu/handlers"
	"jinqiu/report"
	"jinqiu/storage"
	"jinqiu/storage/state"
	"jinqiu/workbook"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// CookieName is the session cookie.
const CookieName = "jinqiu_console"

// Server serves the console. Set the fields, then call Handler once.
// Safe for concurrent use.
type Server struct {
	DB       *storage.DB
	Handlers *handlers.Handlers // the chat's rules: deciding hours, 公示, corrections
	Reports  *report.Reporter
	Workbook *workbook.Writer  // the workbook of 导出 (nil: one on DB, Reports and Loc)
	Admins   []jinqiu.Identity // the bureau's admins (bureau.admins)
	Loc      *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	// Secure marks the cookie Secure (console.base_url is https); a request
	// that came over TLS gets it anyway.
	Secure bool
	// CacheFor is how long district figures are served before they are
	// computed again in the background (0: a minute).
	CacheFor time.Duration
	// Shared is where computed figures are shared between replicas and
	// kept across restarts (Redis, when configured); nil keeps them in
	// this process only.
	Shared state.Store

	pages map[string]*template.Template
	memo  *memo
}

// Handler returns the console's routes, all under /console/, refusing
// cross-origin POSTs (net/http.CrossOriginProtection: Sec-Fetch-Site, else
// Origin against Host).
func (s *Server) Handler() (http.Handler, error) {
	if s.Workbook == nil {
		s.Workbook = &workbook.Writer{DB: s.DB, Reports: s.Reports, Loc: s.Loc}
	}
	if err := s.parse(); err != nil {
		return nil, err
	}
	if s.CacheFor <= 0 {
		s.CacheFor = time.Minute
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.memo = newMemo(s.CacheFor, s.Shared)
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /console/login/{token}", s.loginPage)
	mux.HandleFunc("POST /console/login/{token}", s.login)
	mux.HandleFunc("POST /console/logout", s.logout)
	mux.HandleFunc("GET /console/{$}", s.signedIn(s.overview))
	mux.HandleFunc("GET /console/branches", s.signedIn(s.branches))
	mux.HandleFunc("GET /console/branches/{id}", s.signedIn(s.branch))
	mux.HandleFunc("POST /console/branches/{id}/hours/{report}", s.signedIn(s.decide))
	mux.HandleFunc("GET /console/publicity", s.signedIn(s.publicityPage))
	mux.HandleFunc("POST /console/publicity", s.signedIn(s.publish))
	mux.HandleFunc("GET /console/publicity/{id}", s.signedIn(s.publicityDetail))
	mux.HandleFunc("POST /console/publicity/{id}/entries/{hours}", s.signedIn(s.correct))
	mux.HandleFunc("GET /console/export", s.signedIn(s.exportPage))
	mux.HandleFunc("POST /console/export", s.signedIn(s.export))
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "not_found")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "cross_origin")
	}))
	return headers(cop.Handler(mux)), nil
}

// headers: no script runs, nothing is framed, no page is cached, and no
// address (a login token) leaks in a Referer.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/console/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// viewer is who is signed in and what they may see.
type viewer struct {
	storage.ConsoleSession
	Bureau   bool
	Branches []string // a secretary's branches (Bureau: all)
	MemberID int64    // their own member row, 0 if none: never their own hours
}

func (v viewer) sees(branchID string) bool { return v.Bureau || slices.Contains(v.Branches, branchID) }

// scopeKey names what the viewer sees, for the figures' cache. Each id is
// quoted: ids are the configuration's text, and a branch "*" or "a,b" must
// not name the bureau's scope or that of a secretary of a and b.
func (v viewer) scopeKey() string {
	if v.Bureau {
		return "*"
	}
	q := make([]string, len(v.Branches))
	for i, b := range v.Branches {
		q[i] = strconv.Quote(b)
	}
	return strings.Join(q, ",")
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().In(s.Loc)
	}
	return time.Now().In(s.Loc)
}

// signedIn runs page for a live session whose person is still the
// bureau's or a secretary's; anyone else goes to the sign-in help.
func (s *Server) signedIn(page func(w http.ResponseWriter, r *http.Request, v viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			s.fail(w, r, http.StatusUnauthorized, "signed_out")
			return
		}
		sess, err := s.DB.ConsoleSessionOf(r.Context(), c.Value)
		if errors.Is(err, storage.ErrNotFound) {
			s.fail(w, r, http.StatusUnauthorized, "signed_out")
			return
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		v, err := s.viewer(r.Context(), sess)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if !v.Bureau && len(v.Branches) == 0 {
			s.fail(w, r, http.StatusForbidden, "no_role")
			return
		}
		page(w, r, v)
	}
}

func (s *Server) viewer(ctx context.Context, sess storage.ConsoleSession) (viewer, error) {
	v := viewer{ConsoleSession: sess, Bureau: slices.Contains(s.Admins, sess.Identity())}
	var err error
	if !v.Bureau {
		if v.Branches, err = s.DB.SecretaryOf(ctx, sess.Identity()); err != nil {
			return v, err
		}
	}
	m, err := s.DB.Member(ctx, sess.Platform, sess.UserID)
	switch {
	case err == nil:
		v.MemberID = m.ID
	case !errors.Is(err, storage.ErrNotFound):
		return v, err
	}
	return v, nil
}

// loginPage shows the confirm button and spends nothing: a link preview
// that fetches the address leaves the link usable.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	sess, err := s.DB.ConsoleLink(r.Context(), token)
	if s.linkRefused(w, r, err) {
		return
	}
	s.render(w, r, http.StatusOK, "login", map[string]any{"Token": token, "Name": sess.DisplayName, "Until": sess.ExpiresAt.In(s.Loc)})
}

// linkRefused answers a link that opens nothing (forged, used, expired:
// each says so) or a failure, and reports whether it did.
func (s *Server) linkRefused(w http.ResponseWriter, r *http.Request, err error) bool {
	code := ""
	switch {
	case err == nil:
		return false
	case errors.Is(err, storage.ErrNotFound):
		code = "link_forged"
	case errors.Is(err, storage.ErrLinkUsed):
		code = "link_used"
	case errors.Is(err, storage.ErrLinkExpired):
		code = "link_expired"
	default:
		s.internal(w, r, err)
		return true
	}
	s.fail(w, r, http.StatusNotFound, code)
	return true
}

// login spends the link and opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	token, sess, err := s.DB.RedeemConsoleLink(r.Context(), r.PathValue("token"), jinqiu.ConsoleSessionTTL)
	if s.linkRefused(w, r, err) {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/console/", Expires: sess.ExpiresAt, MaxAge: int(jinqiu.ConsoleSessionTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.Secure || r.TLS != nil,
	})
	s.Log.Info("console sign-in", "platform", sess.Platform, "user_id", sess.UserID)
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := s.DB.EndConsoleSession(r.Context(), c.Value); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/console/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.Secure || r.TLS != nil})
	s.render(w, r, http.StatusOK, "error", map[string]any{"Code": "signed_out_done"})
}

// fail answers with the error page of code (its wording is the template's).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, code string) {
	s.render(w, r, status, "error", map[string]any{"Code": code})
}

// failed answers err, if there is one: storage.ErrNotFound as a page that
// does not exist, anything else as internal; it reports whether it did.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, storage.ErrNotFound):
		s.fail(w, r, http.StatusNotFound, "not_found")
	default:
		s.internal(w, r, err)
	}
	return true
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("console", "path", r.URL.Path, "error", err)
	s.fail(w, r, http.StatusInternalServerError, "internal")
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data map[string]any) {
	var b strings.Builder
	t := s.pages[page]
	if t == nil {
		s.Log.Error("console render: no such page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		s.Log.Error("console render", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}
