package handlers

import (
	"context"
	"errors"
	"jinqiu"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jinqiu/command"
	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/storage"
)

// The programme's registries: a secretary records the posts members of the
// branch take and leave (担任, 卸任), the decisions the branch's 顾问团 took
// part in, and puts members forward as 典型; the bureau commends them.

// registryArgs are the parts of a registry command kept while the bot asks
// which member is meant: the message is resumed from them, not parsed
// again, so the answer runs exactly what was asked.
type registryArgs struct {
	Member   string    `json:"member,omitempty"`
	Position string    `json:"position,omitempty"`
	Note     string    `json:"note,omitempty"`
	Date     time.Time `json:"date,omitempty"`
	Topic    string    `json:"topic,omitempty"`
	Present  int       `json:"present,omitempty"`
	Adopted  *bool     `json:"adopted,omitempty"`
}

func argsOf(rq request) *registryArgs {
	return &registryArgs{Member: rq.member, Position: rq.position, Note: rq.note, Date: rq.date, Topic: rq.topic, Present: rq.present, Adopted: rq.adopted}
}

func (a registryArgs) request(in command.Intent, memberID int64) request {
	return request{intent: in, member: a.Member, position: a.Position, note: a.Note, date: a.Date,
		topic: a.Topic, present: a.Present, adopted: a.Adopted, memberID: memberID}
}

// The parts a registry command may lack, which the next message then
// gives (as the reason of a rejection does).
const (
	missingMember   = "member"
	missingPosition = "position"
	missingNote     = "note"
	missingTopic    = "topic"
)

// askMissing asks for the part of a registry command it lacks and keeps
// the rest: the person's next message, if it is no command, is that part.
func (h *Handlers) askMissing(ctx context.Context, sc *scene, rq request, missing, question string) jinqiu.Reply {
	return h.ask(ctx, sc, dialogue{Intent: rq.intent, Args: argsOf(rq), Missing: missing}, question)
}

// withAnswer is the held registry command with the part it lacked.
func (a registryArgs) withAnswer(missing, answer string) registryArgs {
	switch missing {
	case missingMember:
		a.Member = answer
	case missingPosition:
		a.Position = answer
	case missingNote:
		a.Note = answer
	case missingTopic:
		a.Topic = answer
	}
	return a
}

// registryDay is the day a registry command names (today when not said),
// or the refusal when it has not come.
func (sc *scene) registryDay(rq request) (time.Time, string) {
	today := calendarDay(sc.now)
	on := rq.date
	if on.IsZero() {
		on = today
	}
	if on.After(today) {
		return on, sc.w.RegistryFuture(on)
	}
	return on, ""
}

// registryMember resolves the member a registry command names within the
// branch: done is true when the person is answered instead (no name, no
// such member, or a numbered question which one).
func (h *Handlers) registryMember(ctx context.Context, sc *scene, rq request, branchID, example string) (m jinqiu.Member, r jinqiu.Reply, done bool, err error) {
	if rq.member == "" && rq.memberID == 0 {
		return m, h.askMissing(ctx, sc, rq, missingMember, say.RegistryNeedMember(example)), true, nil
	}
	ms, err := h.DB.BranchMembers(ctx, branchID)
	if err != nil {
		return m, r, true, err
	}
	var found []jinqiu.Member
	if rq.memberID != 0 {
		for _, x := range ms {
			if x.ID == rq.memberID && x.Registered() {
				found = append(found, x)
			}
		}
	} else {
		found = membersNamed(ms, rq.member)
	}
	switch len(found) {
	case 0:
		return m, text(say.NoMemberNamed(rq.member, example)), true, nil
	case 1:
		return found[0], r, false, nil
	}
	found = found[:min(len(found), listLimit)]
	d := dialogue{Intent: rq.intent, Members: true, Args: argsOf(rq)}
	ls := make([]string, len(found))
	for i, x := range found {
		d.Picks = append(d.Picks, x.ID)
		d.Options = append(d.Options, int64(i+1))
		ls[i] = say.MemberOption(i+1, x)
	}
	return m, h.ask(ctx, sc, d, say.PickRegistryMember(rq.member, ls)), true, nil
}

// tooLong is the refusal of a registry field longer than kept, or "".
func tooLong(field, v string, limit int, example string) string {
	if n := utf8.RuneCountInString(v); n > limit {
		return say.TooLong(field, n, limit, example)
	}
	return ""
}

func (h *Handlers) appoint(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	rq = postNotName(rq)
	if rq.member == "" && rq.memberID == 0 {
		return h.askMissing(ctx, sc, rq, missingMember, say.RegistryNeedMember(say.ExampleAppoint)), nil
	}
	if rq.position == "" {
		return h.askMissing(ctx, sc, rq, missingPosition, say.AppointNeedPosition(rq.member)), nil
	}
	if refusal := tooLong(say.FieldPosition, rq.position, jinqiu.MaxPositionRunes, say.ExampleAppoint); refusal != "" {
		return text(refusal), nil
	}
	on, refusal := sc.registryDay(rq)
	if refusal != "" {
		return text(refusal), nil
	}
	m, r, done, err := h.registryMember(ctx, sc, rq, s.branch, say.ExampleAppoint)
	if done || err != nil {
		return r, err
	}
	p, already, err := h.DB.Appoint(ctx, sc.actor, sc.msg.UserName, storage.NewPost{
		MemberID: m.ID, BranchID: s.branch, Position: rq.position, Kind: jinqiu.PostKindOf(command.Fold(rq.position)), StartedOn: on,
	})
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if already {
		return text(sc.w.AppointedAlready(m.DisplayName, p)), nil
	}
	return text(sc.w.Appointed(m.DisplayName, p)), nil
}

func (h *Handlers) resign(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	rq = postNotName(rq)
	if rq.member == "" && rq.memberID == 0 {
		return h.askMissing(ctx, sc, rq, missingMember, say.RegistryNeedMember(say.ExampleResign)), nil
	}
	if rq.position == "" {
		return h.askMissing(ctx, sc, rq, missingPosition, say.ResignNeedPosition(rq.member)), nil
	}
	on, refusal := sc.registryDay(rq)
	if refusal != "" {
		return text(refusal), nil
	}
	m, r, done, err := h.registryMember(ctx, sc, rq, s.branch, say.ExampleResign)
	if done || err != nil {
		return r, err
	}
	held, err := h.DB.Posts(ctx, m.ID, false)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	match := postsNamed(held, rq.position)
	switch len(match) {
	case 0:
		return text(say.NoSuchPost(m.DisplayName, rq.position, held)), nil
	case 1:
	default:
		return text(say.SeveralPosts(m.DisplayName, match)), nil
	}
	if on.Before(match[0].StartedOn) {
		return text(sc.w.ResignBeforeStart(m.DisplayName, match[0])), nil
	}
	p, err := h.DB.Resign(ctx, sc.actor, sc.msg.UserName, match[0].ID, on)
	if errors.Is(err, storage.ErrNotFound) {
		// Ended by another message meanwhile.
		return text(say.NoSuchPost(m.DisplayName, rq.position, nil)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return text(sc.w.Resigned(m.DisplayName, p)), nil
}

// postNotName reads `担任 楼栋长`, whose one word the parser takes for the
// member, as the post with the member not said: a known post's word is
// nobody's name.
func postNotName(rq request) request {
	if rq.position == "" && rq.memberID == 0 && jinqiu.PostKindOf(command.Fold(rq.member)) != jinqiu.OtherPost {
		rq.position, rq.member = rq.member, ""
	}
	return rq
}

// postsNamed are the held posts a position as written means: the same
// position (folded), else those that contain it (楼栋长 for 3号楼楼栋长),
// else those of its kind.
func postsNamed(held []jinqiu.Post, position string) []jinqiu.Post {
	want := command.Fold(position)
	var same, within, kind []jinqiu.Post
	k := jinqiu.PostKindOf(want)
	for _, p := range held {
		have := command.Fold(p.Position)
		switch {
		case have == want:
			same = append(same, p)
		case strings.Contains(have, want):
			within = append(within, p)
		case k != jinqiu.OtherPost && p.Kind == k:
			kind = append(kind, p)
		}
	}
	switch {
	case len(same) > 0:
		return same
	case len(within) > 0:
		return within
	}
	return kind
}

func (h *Handlers) recordDecision(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	if rq.topic == "" {
		return h.askMissing(ctx, sc, rq, missingTopic, say.DecisionNeedTopic()), nil
	}
	if refusal := tooLong(say.FieldDecision, rq.topic, jinqiu.MaxNoteRunes, say.ExampleDecision); refusal != "" {
		return text(refusal), nil
	}
	on, refusal := sc.registryDay(rq)
	if refusal != "" {
		return text(refusal), nil
	}
	d, already, err := h.DB.RecordDecision(ctx, sc.actor, sc.msg.UserName, storage.NewDecision{
		BranchID: s.branch, Topic: rq.topic, DecidedOn: on, Present: rq.present, Adopted: rq.adopted,
	})
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if already {
		return text(sc.w.DecisionRecordedAlready(d)), nil
	}
	return text(sc.w.DecisionRecorded(d)), nil
}

func (h *Handlers) nominate(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	if rq.member == "" && rq.memberID == 0 {
		return h.askMissing(ctx, sc, rq, missingMember, say.RegistryNeedMember(say.ExampleNominate)), nil
	}
	if rq.note == "" {
		return h.askMissing(ctx, sc, rq, missingNote, say.NominateNeedDeeds(rq.member)), nil
	}
	if refusal := tooLong(say.FieldDeeds, rq.note, jinqiu.MaxDeedsRunes, say.ExampleNominate); refusal != "" {
		return text(refusal), nil
	}
	m, r, done, err := h.registryMember(ctx, sc, rq, s.branch, say.ExampleNominate)
	if done || err != nil {
		return r, err
	}
	n, already, err := h.DB.Nominate(ctx, sc.actor, sc.msg.UserName, m.ID, s.branch, rq.note)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if already {
		return text(say.NominatedAlready(n)), nil
	}
	return text(say.Nominated(n)), nil
}

// commend is the bureau's: a 典型 is commended and announced in the
// member's branch groups, the name masked unless they said 同意公示.
func (h *Handlers) commend(ctx context.Context, sc *scene, rq request, _ scope) (jinqiu.Reply, error) {
	if rq.nomination == 0 {
		open, err := h.DB.OpenNominations(ctx, listLimit)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		if len(open) == 0 {
			return text(say.CommendNoneOpen()), nil
		}
		ids := make([]int64, len(open))
		ls := make([]string, len(open))
		for i, n := range open {
			ids[i], ls[i] = n.ID, say.NominationOption(n)
		}
		return h.choose(ctx, sc, dialogue{Intent: rq.intent}, ids, ls, say.PickNomination, say.ConfirmCommend(open[0])), nil
	}
	n, already, err := h.DB.Commend(ctx, sc.actor, sc.msg.UserName, rq.nomination)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return text(say.NominationNotFound(rq.nomination)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	case already:
		return text(say.CommendedAlready(n)), nil
	}
	consented, err := h.DB.Consent(ctx, n.MemberID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	groups, err := h.DB.Groups(ctx, n.BranchID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	var out []storage.Outbound
	for _, g := range groups {
		out = append(out, outbox.ToGroup(outbox.DedupKey("commend", strconv.FormatInt(n.ID, 10), string(g.Platform), g.ChatID), g.Platform, g.ChatID,
			jinqiu.Reply{Text: say.CommendedNotice(n, consented)}, storage.AtMostOnce))
	}
	if err := h.DB.Enqueue(ctx, out...); err != nil {
		return jinqiu.Reply{}, err
	}
	return text(say.Commended(n)), nil
}
