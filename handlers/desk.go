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
func (h *Handlers) export(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if sc.msg.ChatType != jinqiu.ChatSingle {
		return text(say.ExportPrivately()), nil
	}
	if h.BaseURL == "" {
		return text(say.ExportNoURL()), nil
	}
	from, to, year := sc.period(rq)
	token, err := newToken()
	if err != nil {
		return jinqiu.Reply{}, err
	}
	expires := sc.now.Add(DownloadTTL)
	l := storage.DownloadLink{BranchID: s.branch, FromDay: jinqiu.Day(from), ToDay: jinqiu.Day(to), ExpiresAt: expires}
	if err := h.DB.NewDownloadLink(ctx, sc.actor, token, l); err != nil {
		return jinqiu.Reply{}, err
	}
	name := say.DistrictScope()
	if !s.all {
		b, err := h.DB.Branch(ctx, s.branch)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		name = b.Name
	}
	url := strings.TrimRight(h.BaseURL, "/") + DownloadPath + token
	return text(sc.w.ExportLink(name, say.PeriodWords(year, from), url, expires)), nil
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

// publicity answers 公示: the branch's approved entries of the period not
// yet published go to the branch's groups through the outbox, names masked
// unless the member said 同意公示, open for objections for the configured
// working days.
func (h *Handlers) publicity(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	b, err := h.DB.Branch(ctx, s.branch)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	from, to, year := sc.period(rq)
	span := say.PeriodWords(year, from)
	closes := h.Calendar.AddWorkingDays(jinqiu.Midnight(sc.now, h.loc()), h.publicityDays())
	p, es, err := h.DB.Publish(ctx, sc.actor, sc.msg.UserName, storage.NewPublicity{
		BranchID: b.ID, FromDay: jinqiu.Day(from), ToDay: jinqiu.Day(to),
		ClosesOn: jinqiu.Day(closes), ClosesAt: jinqiu.AddDays(closes, 1),
		Show: func(e storage.PublicEntry) string {
			if e.Consented {
				return e.MemberName
			}
			return say.MaskName(e.MemberName)
		},
	})
	if errors.Is(err, storage.ErrNothingToPublish) {
		return text(say.PublicityNone(span)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	rows := make([]string, 0, len(es))
	for _, e := range es {
		what := e.Activity
		if what == "" {
			what = e.Note
		}
		rows = append(rows, sc.w.PublicityRow(e.HoursID, e.Shown, e.ServedOn, e.Centihours, what))
	}
	groups, err := h.DB.Groups(ctx, b.ID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	body := sc.w.PublicityList(b.Name, span, closes, rows)
	key := "publicity|" + strconv.FormatInt(p.ID, 10)
	for _, pl := range platformsOf(groups) {
		if err := h.DB.Enqueue(ctx, notices(groups, key, pl, nil, body)...); err != nil {
			return jinqiu.Reply{}, err
		}
	}
	return text(sc.w.PublicityPublished(len(es), closes)), nil
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
