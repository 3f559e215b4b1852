package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"jinqiu"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jinqiu/handlers/say"
	"jinqiu/storage"
)

// The bureau's desk: the workbook's download link (导出) and 公示 of
// approved hours (公示, 同意公示, 不同意公示, 有异议).

// DownloadTTL is how long a workbook link works.
const DownloadTTL = 15 * time.Minute

// DefaultPublicityDays is how many working days a 公示 stays open.
const DefaultPublicityDays = 3

// DownloadPath is where jinqiu serve hands out workbooks: DownloadPath +
// token.
const DownloadPath = "/download/"

// period is the month or year a 导出 or 公示 names: bare is this month.
func (sc *scene) period(rq request) (from, to time.Time, year bool) {
	if rq.period == "year" || rq.year != 0 {
		y := sc.now.Year() + rq.offset
		if rq.year != 0 {
			y = rq.year
		}
		from = time.Date(y, 1, 1, 0, 0, 0, 0, sc.now.Location())
		return from, from.AddDate(1, 0, 0), true
	}
	from, to = jinqiu.Month(sc.now, rq.offset)
	return from, to, false
}

// export answers 导出 with a link to the workbook, in a single chat only:
// the district's for the bureau, the branch's for its secretary.
func (h *Handlers) export(ctx context.Context, sc *scene, rq request, _ scope) (jinqiu.Reply, error) {
	// Who may have a workbook is decided here rather than by the manager
	// role: that role sends a secretary of several branches to their
	// groups, where no link is ever posted.
	if !sc.admin && len(sc.secOf) == 0 {
		return text(say.NotSecretary()), nil
	}
	if sc.msg.ChatType != jinqiu.ChatSingle {
		return text(say.ExportPrivately()), nil
	}
	if h.BaseURL == "" {
		return text(say.ExportNoURL()), nil
	}
	from, to, year := sc.period(rq)
	span := say.PeriodWords(year, from)
	expires := sc.now.Add(DownloadTTL)
	scopes := sc.secOf // a secretary: each branch, a link each
	if sc.admin {
		scopes = []string{""} // the district
	}
	var links []string
	for _, branchID := range scopes {
		name := say.DistrictScope()
		if branchID != "" {
			b, err := h.DB.Branch(ctx, branchID)
			if errors.Is(err, storage.ErrNotFound) {
				continue // a role in a branch no longer configured
			}
			if err != nil {
				return jinqiu.Reply{}, err
			}
			name = b.Name
		}
		token, err := newToken()
		if err != nil {
			return jinqiu.Reply{}, err
		}
		l := storage.DownloadLink{BranchID: branchID, FromDay: jinqiu.Day(from), ToDay: jinqiu.Day(to), ExpiresAt: expires}
		if err := h.DB.NewDownloadLink(ctx, sc.actor, token, l); err != nil {
			return jinqiu.Reply{}, err
		}
		links = append(links, sc.w.ExportLink(name, span, strings.TrimRight(h.BaseURL, "/")+DownloadPath+token, expires))
	}
	if len(links) == 0 {
		return text(say.NotSecretary()), nil
	}
	return text(strings.Join(links, "\n\n")), nil
}

// newToken is 32 random bytes, URL-safe: unguessable, and only its hash is
// stored.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (h *Handlers) publicityDays() int {
	if h.PublicityDays > 0 {
		return h.PublicityDays
	}
	return DefaultPublicityDays
}

// PublicityCloses is the last day (a midnight in the configured zone) of
// a 公示 published now: the configured number of working days after today.
func (h *Handlers) PublicityCloses() time.Time {
	return h.Calendar.AddWorkingDays(jinqiu.Midnight(h.now(), h.loc()), h.publicityDays())
}

// publicity answers 公示: the branch's approved entries of the period not
// yet published go to the branch's groups through the outbox, names masked
// unless the member said 同意公示, open for objections for the configured
// working days.
func (h *Handlers) publicity(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	from, to, year := sc.period(rq)
	p, es, err := h.publishHours(ctx, sc.w, sc.actor, sc.msg.UserName, s.branch, from, to, year)
	if errors.Is(err, storage.ErrNothingToPublish) {
		return text(say.PublicityNone(say.PeriodWords(year, from))), nil
	}
	if errors.Is(err, ErrNoGroup) {
		return text(say.PublicityNoGroup()), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return text(sc.w.PublicityPublished(len(es), p.ClosesOn)), nil
}

// Publish is 公示 from the web console, by the chat's rule and with its
// push: the branch's approved entries of the days [from, to) (a month, or
// a year when year is set) not yet published, listed in the branch's
// groups through the outbox, names masked unless the member said 同意公示,
// audited with a. Under a context of storage.Atomically the 公示 and its
// push commit together. storage.ErrNothingToPublish when there is no
// entry; storage.ErrNotFound for a branch that does not exist; ErrNoGroup,
// with nothing published, for a branch with no group to show it in.
func (h *Handlers) Publish(ctx context.Context, a jinqiu.Actor, name, branchID string, from, to time.Time, year bool) (storage.Publicity, []storage.PublicEntry, error) {
	return h.publishHours(ctx, say.Words{Year: h.now().Year()}, a, name, branchID, from, to, year)
}

func (h *Handlers) publishHours(ctx context.Context, w say.Words, a jinqiu.Actor, name, branchID string, from, to time.Time, year bool) (storage.Publicity, []storage.PublicEntry, error) {
	b, err := h.DB.Branch(ctx, branchID)
	if err != nil {
		return storage.Publicity{}, nil, err
	}
	// A 公示 is what the branch's group reads: with no group it can be
	// pushed to there is nowhere to show it, and its entries would turn
	// final unseen.
	all, err := h.DB.Groups(ctx, b.ID)
	if err != nil {
		return storage.Publicity{}, nil, err
	}
	var groups []jinqiu.Group
	for _, g := range all {
		if h.Pushable == nil || h.Pushable(g) {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return storage.Publicity{}, nil, ErrNoGroup
	}
	closes := h.PublicityCloses()
	p, es, err := h.DB.Publish(ctx, a, name, storage.NewPublicity{
		BranchID: b.ID, FromDay: jinqiu.Day(from), ToDay: jinqiu.Day(to),
		ClosesOn: jinqiu.Day(closes), ClosesAt: jinqiu.AddDays(closes, 1),
		Show: func(e storage.PublicEntry) string {
			if e.Consented {
				return e.MemberName
			}
			return say.MaskName(e.MemberName)
		},
	})
	if err != nil {
		return p, nil, err
	}
	rows := make([]string, 0, len(es))
	for _, e := range es {
		what := e.Activity
		if what == "" {
			what = e.Note
		}
		rows = append(rows, w.PublicityRow(e.HoursID, e.Shown, e.ServedOn, e.Centihours, what))
	}
	body := w.PublicityList(b.Name, say.PeriodWords(year, from), closes, rows)
	key := "publicity|" + strconv.FormatInt(p.ID, 10)
	for _, pl := range platformsOf(groups) {
		if err := h.DB.Enqueue(ctx, notices(groups, key, pl, nil, body)...); err != nil {
			return p, nil, err
		}
	}
	return p, es, nil
}

// platformsOf are the platforms of the groups, each once.
func platformsOf(groups []jinqiu.Group) []jinqiu.Platform {
	var out []jinqiu.Platform
	seen := map[jinqiu.Platform]bool{}
	for _, g := range groups {
		if !seen[g.Platform] {
			seen[g.Platform] = true
			out = append(out, g.Platform)
		}
	}
	return out
}

// consent answers 同意公示.
func (h *Handlers) consent(ctx context.Context, sc *scene, _ request, _ scope) (jinqiu.Reply, error) {
	changed, err := h.DB.SetConsent(ctx, sc.actor, sc.name(), true)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return text(say.ConsentGiven(changed)), nil
}

// withdrawConsent answers 不同意公示.
func (h *Handlers) withdrawConsent(ctx context.Context, sc *scene, _ request, _ scope) (jinqiu.Reply, error) {
	changed, err := h.DB.SetConsent(ctx, sc.actor, sc.name(), false)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return text(say.ConsentWithdrawn(changed)), nil
}

// object answers 有异议 N 理由: kept with the entry while its 公示 is open,
// and the branch's secretaries are told in the group (without the reason).
func (h *Handlers) object(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if rq.report == 0 || strings.TrimSpace(rq.note) == "" {
		return text(say.ObjectHow()), nil
	}
	_, err := h.DB.Object(ctx, sc.actor, sc.name(), s.branch, rq.report, rq.note)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.NoSuchEntry(rq.report)), nil
	case errors.Is(err, storage.ErrNotPublished):
		return text(say.NotPublished(rq.report)), nil
	case errors.Is(err, storage.ErrPublicityClosed):
		p, perr := h.DB.EntryPublicity(ctx, s.branch, rq.report)
		if perr != nil {
			return jinqiu.Reply{}, perr
		}
		return text(sc.w.PublicityClosed(rq.report, p.ClosesOn)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	groups, err := h.DB.Groups(ctx, s.branch)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	secs, err := h.DB.Secretaries(ctx, s.branch)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	key := "objection|" + sc.actor.MsgID
	for _, pl := range platformsOf(groups) {
		var ids []string
		for _, who := range secs {
			if who.Platform == pl {
				ids = append(ids, who.UserID)
			}
		}
		if len(ids) == 0 {
			continue // no secretary of the branch reads this platform
		}
		if err := h.DB.Enqueue(ctx, notices(groups, key, pl, ids, say.ObjectionNotice(rq.report))...); err != nil {
			return jinqiu.Reply{}, err
		}
	}
	return text(say.Objected(rq.report)), nil
}

// What a correction from the console is refused for; storage's errors
// (ErrNoReason, ErrNotFound, ErrNotPublished) are the others.
var (
	// ErrNotFinal: the entry's 公示 is open, and objections are still
	// taken; it is corrected once final.
	ErrNotFinal = errors.New("entry not final")
	// ErrBadHours: not an amount an entry can hold (above 0, at most a
	// day's cap).
	ErrBadHours = errors.New("impossible hours")
	// ErrUnchanged: the entry already holds that amount.
	ErrUnchanged = errors.New("hours unchanged")
	// ErrReasonTooLong: a reason over jinqiu.MaxNoteRunes characters.
	ErrReasonTooLong = errors.New("reason too long")
	// ErrNoGroup: the branch has no group configured to show a 公示 in.
	ErrNoGroup = errors.New("branch has no group")
)

// CorrectHours is the correction of a final entry (its 公示 closed) from
// the web console: the new amount with a reason, kept beside the old one
// and audited with a (storage.CorrectHours), and the member told in the
// branch's groups (under storage.Atomically, in the same transaction). Refused, with nothing
// changed: ErrBadHours for an amount not in (0, jinqiu.MaxDayCentihours],
// storage.ErrNoReason without a reason, ErrReasonTooLong,
// storage.ErrNotFound for an entry that is not the branch's,
// storage.ErrNotPublished when no 公示 lists it, ErrNotFinal while its 公示
// is open, ErrUnchanged when it already holds the amount (storage's
// ErrDecided for an entry not approved, which no 公示 lists).
func (h *Handlers) CorrectHours(ctx context.Context, a jinqiu.Actor, name, branchID string, hoursID int64, centihours int, reason string) (storage.Correction, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case centihours <= 0 || centihours > jinqiu.MaxDayCentihours:
		return storage.Correction{}, ErrBadHours
	case reason == "":
		return storage.Correction{}, storage.ErrNoReason
	case utf8.RuneCountInString(reason) > jinqiu.MaxNoteRunes:
		return storage.Correction{}, ErrReasonTooLong
	}
	r, err := h.DB.HoursReport(ctx, branchID, hoursID)
	if err != nil {
		return storage.Correction{}, err
	}
	p, err := h.DB.EntryPublicity(ctx, branchID, hoursID)
	if err != nil {
		return storage.Correction{}, err
	}
	// A 公示 never reopens: final now is final when the correction commits.
	if h.now().Before(p.ClosesAt) {
		return storage.Correction{}, ErrNotFinal
	}
	if r.Centihours == centihours {
		return storage.Correction{}, ErrUnchanged
	}
	m, err := h.DB.MemberByID(ctx, r.MemberID)
	if err != nil {
		return storage.Correction{}, err
	}
	groups, err := h.DB.Groups(ctx, branchID)
	if err != nil {
		return storage.Correction{}, err
	}
	c, err := h.DB.CorrectHours(ctx, a, name, branchID, hoursID, centihours, reason)
	if err != nil {
		return c, err
	}
	// The member is told where a decision is told: in the branch's groups.
	notice := say.Words{Year: h.now().Year()}.CorrectedNotice(r, c.CentiBefore, c.CentiAfter, c.Reason)
	key := "correction|" + strconv.FormatInt(hoursID, 10) + "|" + strconv.FormatInt(c.At.Unix(), 10)
	return c, h.DB.Enqueue(ctx, notices(groups, key, m.Platform, []string{m.UserID}, notice)...)
}
