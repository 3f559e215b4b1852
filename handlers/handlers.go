// Package handlers is the command language of jinqiu and the programme's
// rules: it normalises and parses a message, decides who may do what in
// which branch, acts through storage and says what happened and what to
// send next. It knows nothing of wire formats.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"jinqiu/report"
	"log/slog"
	"slices"
	"strings"
	"time"

	"jinqiu/outbox"
	"jinqiu/storage"
	"jinqiu/storage/state"
)

// Limits of the conversation; the programme's rules are the root's
// (jinqiu.CheckinOpens, jinqiu.MaxDayCentihours, ...).
const (
	// DialogueTTL is how long a question the bot asked waits for its answer.
	DialogueTTL = 5 * time.Minute
	// listLimit bounds the items a reply lists, to keep it short; the
	// rest are a page away (活动 第2页). maxListed bounds what is read.
	listLimit = 5
	maxListed = 200
)

// pageOf is page (from 1; 0 is 1) of items, listLimit a page, the page it
// is, and how many come after it.
func pageOf[T any](items []T, page int) (shown []T, at, more int) {
	if page < 1 {
		page = 1
	}
	from := (page - 1) * listLimit
	if from >= len(items) {
		from = max(0, (len(items)-1)/listLimit*listLimit)
		page = from/listLimit + 1
	}
	to := min(from+listLimit, len(items))
	return items[from:to], page, len(items) - to
}

// Handlers answers messages. Every field is set at start-up; Schedule may
// be nil (config.DefaultSchedule for every branch), Now may be nil
// (the database's clock), Log may be nil (discarded). Safe for concurrent use.
type Handlers struct {
	DB       *storage.DB
	State    state.Store
	Loc      *time.Location                        // configured zone
	Admins   []jinqiu.Identity                     // bureau admins (config bureau.admins)
	Schedule func(branchID string) jinqiu.Schedule // meeting schedule per branch
	// Since is when the bot started keeping records (zero: no bound): no
	// meeting is recorded as held before it.
	Since time.Time
	Now   func() time.Time
	Log   *slog.Logger
	// Reports computes 周报 and 月报: the figures of the weekly digest.
	Reports *report.Reporter
	// BaseURL is the service's public address (console.base_url), where the
	// links sent for 后台 and 导出 point; "": neither is offered.
	BaseURL string
	// PublicityDays is how many working days a 公示 stays open (0:
	// DefaultPublicityDays), counted on Calendar (the zero calendar:
	// Monday to Friday).
	PublicityDays int
	Calendar      jinqiu.WorkCalendar
	// Pushable says whether a group has a way to be pushed to (a webhook,
	// a long connection): a 公示 goes only to those, and needs one. Nil:
	// every group has.
	Pushable func(jinqiu.Group) bool
}

// Handle answers one message (already verified and deduplicated). Errors
// are internal (database down, ...): the pipeline apologises and the
// platform retries; a person's mistakes are replies, not errors.
func (h *Handlers) Handle(ctx context.Context, m jinqiu.Message) (jinqiu.Reply, error) {
	if m.UserID == "" {
		// No stable id (a DingTalk external contact, a WeCom message
		// without from.userid): whoever it is must not act as anyone,
		// not even as another person without an id.
		return text(say.NoIdentity()), nil
	}
	sc, err := h.scene(ctx, m)
	if err != nil {
		return jinqiu.Reply{}, fmt.Errorf("handle: %w", err)
	}
	parse := command.Parse
	if m.Spoken {
		parse = command.ParseHeard // an acting intent heard, not read, asks first
	}
	r, err := h.handle(ctx, sc, parse(m.Text, sc.now))
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if m.Spoken && !r.Empty() {
		// What was heard comes first, so that a mishearing shows.
		heard := say.VoiceHeard(m.Text)
		r.Text = heard + "\n" + r.Text
		if r.Markdown != "" {
			r.Markdown = heard + "\n" + r.Markdown
		}
	}
	return r, nil
}

// handle answers the command c of the scene's message: the open dialogue
// first, else the intent's rule.
func (h *Handlers) handle(ctx context.Context, sc *scene, c command.Command) (jinqiu.Reply, error) {
	rq := requestOf(c)
	r, ok, err := h.continueDialogue(ctx, sc, rq)
	if !ok && err == nil {
		r, err = h.dispatch(ctx, sc, rq)
	}
	if err != nil {
		return jinqiu.Reply{}, fmt.Errorf("handle %s: %w", rq.intent, err)
	}
	return r, nil
}

// scene is who writes where: the facts every rule needs.
type scene struct {
	msg    jinqiu.Message
	actor  jinqiu.Actor
	now    time.Time     // in the configured zone
	group  jinqiu.Group  // zero when the chat is not a configured group
	branch jinqiu.Branch // the group's branch; ID "" in a bureau group, a single chat or an unknown group
	member jinqiu.Member // ID 0 when the person is unknown
	secOf  []string      // branches where the person is secretary
	admin  bool          // bureau admin
	w      say.Words     // how dates are written for this person now
	// forMember is the member a secretary acts for (代办); member is then
	// theirs, actor stays the secretary's.
	forMember *jinqiu.Member
}

func (h *Handlers) scene(ctx context.Context, m jinqiu.Message) (*scene, error) {
	now := h.now()
	sc := &scene{
		w:     say.Words{Year: now.Year()},
		msg:   m,
		actor: jinqiu.Actor{Platform: m.Platform, UserID: m.UserID, MsgID: m.MsgID},
		now:   now,
		admin: m.UserID != "" && slices.Contains(h.Admins, jinqiu.Identity{Platform: m.Platform, UserID: m.UserID}),
	}
	// Only a group chat has a group's scope: a single chat that names a
	// group's chat id is still a single chat.
	if m.ChatID != "" && m.ChatType == jinqiu.ChatGroup {
		g, err := h.DB.GroupByChat(ctx, m.Platform, m.ChatID)
		switch {
		case err == nil:
			sc.group = g
		case !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	if sc.group.BranchID != "" {
		b, err := h.DB.Branch(ctx, sc.group.BranchID)
		if err != nil {
			return nil, err
		}
		sc.branch = b
	}
	mem, err := h.DB.Member(ctx, m.Platform, m.UserID)
	switch {
	case err == nil:
		sc.member = mem
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	if sc.secOf, err = h.DB.SecretaryOf(ctx, jinqiu.Identity{Platform: m.Platform, UserID: m.UserID}); err != nil {
		return nil, err
	}
	return sc, nil
}

// malformed is the reason to give instead of acting when the command was
// written but not well enough to act on: two numbers where one is taken,
// two amounts, an amount that is not exact, a date that was not taken.
// Each gets its own reason, never the menu.
func malformed(sc *scene, rq request) string {
	switch {
	case rq.badDate != "":
		return sc.w.BadDate(string(rq.intent), rq.badDate, rq.badDateWhy)
	case rq.twoNumbers:
		return say.TwoNumbers(string(rq.intent))
	case rq.twoAmounts:
		return say.TwoAmounts()
	case rq.inexact != "":
		return say.InexactHours(rq.inexact)
	}
	return ""
}

// reader is who the person is, for the menu they see.
func (sc *scene) reader() say.Reader {
	switch {
	case sc.admin || len(sc.secOf) > 0:
		return say.Secretary
	case sc.member.Registered():
		return say.Member
	}
	return say.Guest
}

// name is how the bot addresses the person.
func (sc *scene) name() string {
	if sc.forMember != nil {
		return sc.forMember.DisplayName
	}
	if sc.msg.UserName != "" {
		return sc.msg.UserName
	}
	return sc.member.DisplayName
}

// dispatch answers a command: the rule of its intent, if the person may
// ask for it here.
func (h *Handlers) dispatch(ctx context.Context, sc *scene, rq request) (jinqiu.Reply, error) {
	in, ok := intentTable()[rq.intent]
	if !ok {
		return text(say.Unknown(sc.reader())), nil
	}
	who, behalf := in.who, in.onBehalf && (rq.forName != "" || rq.forMember != 0)
	if behalf {
		who = manager
	}
	s, refusal := sc.grant(who)
	if refusal != "" {
		if behalf && refusal == say.NotSecretary() {
			refusal = say.OnlySecretaryForOthers()
		}
		return text(refusal), nil
	}
	if reason := malformed(sc, rq); reason != "" {
		return text(reason), nil
	}
	if behalf {
		if r, done, err := h.onBehalf(ctx, sc, rq, s); done || err != nil {
			return r, err
		}
	}
	if rq.confirm && !rq.confirmed {
		return h.confirmFirst(ctx, sc, rq, s), nil
	}
	r, err := in.answer(h, ctx, sc, rq, s)
	if m := sc.forMember; m != nil && err == nil && !r.Empty() {
		r.Text = say.ActedFor(m.DisplayName) + "\n" + r.Text
		if r.Markdown != "" {
			r.Markdown = say.ActedFor(m.DisplayName) + "\n" + r.Markdown
		}
		if m.Platform == sc.msg.Platform {
			r.Mentions = append(r.Mentions, m.UserID)
		}
	}
	return r, err
}

// ---- time ------------------------------------------------------------------------

func (h *Handlers) loc() *time.Location {
	if h.Loc != nil {
		return h.Loc
	}
	return time.FixedZone("CST", 8*3600) // Asia/Shanghai, which has no DST
}

func (h *Handlers) now() time.Time {
	now := h.DB.Now
	if h.Now != nil {
		now = h.Now
	}
	return now().In(h.loc()).Truncate(time.Second)
}

func (h *Handlers) schedule(branchID string) jinqiu.Schedule {
	if h.Schedule != nil {
		return h.Schedule(branchID)
	}
	return jinqiu.DefaultSchedule()
}

func (h *Handlers) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.New(slog.DiscardHandler)
}

// calendarDay is the day of t in its own location, as a UTC midnight: the
// form in which storage reads and writes DATE columns.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ---- replies ---------------------------------------------------------------------

func text(s string) jinqiu.Reply { return jinqiu.Reply{Text: s} }

// list renders a list reply: plain text, and markdown with a bold head
// for the platforms that show it.
func (sc *scene) list(head string, body []string) jinqiu.Reply {
	return jinqiu.Reply{
		Text:     strings.Join(append([]string{head}, body...), "\n"),
		Markdown: "**" + head + "**\n" + strings.Join(body, "\n"),
	}
}

// ---- notices ---------------------------------------------------------------------

// notices returns the outbox rows that push text to every group of a
// branch on the platform of the people it @-mentions. key names the event:
// with the group it makes the dedup key.
func notices(groups []jinqiu.Group, key string, platform jinqiu.Platform, userIDs []string, text string) []storage.Outbound {
	var out []storage.Outbound
	for _, g := range groups {
		if g.Platform != platform {
			continue
		}
		out = append(out, outbox.ToGroup(outbox.DedupKey(key, string(g.Platform), g.ChatID), g.Platform, g.ChatID,
			jinqiu.Reply{Text: text, Mentions: userIDs}, storage.AtMostOnce))
	}
	return out
}
