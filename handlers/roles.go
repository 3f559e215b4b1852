package handlers

import (
	"context"
	"jinqiu"
	"jinqiu/handlers/say"
	"slices"
)

// Roles and scope.
//
// The group decides the branch. In a branch's group:
//   - a member is a person registered (报到) in that branch; member commands
//     act on their own records in it;
//   - a secretary is listed for the branch in config or granted by the
//     bureau; secretary commands act on that branch only;
//   - a bureau admin acts as a secretary of the branch.
//
// An id of another branch's activity or report answers exactly as an id
// that does not exist: the lookups are scoped to the branch in SQL. Outside
// a branch's group (a bureau group, a single chat, an unknown group), member
// commands act in the person's own branch, a secretary of one branch acts
// in it, and an admin may name any branch's ids (branch-level commands such
// as publishing then ask to be sent in the branch's group).

// role is who may ask for an intent, and so where it acts.
type role uint8

const (
	anyone  role = iota // everyone, as themselves (the rule checks the rest)
	viewer              // who may see a branch's activities: the group's, else their own
	member              // a member registered in the branch, in its group or their own
	manager             // a secretary of the branch, or a bureau admin
	bureau              // a bureau admin, anywhere
)

// grant returns the scope the role gives the person here, or the refusal
// to say.
func (sc *scene) grant(who role) (scope, string) {
	switch who {
	case viewer:
		b, refusal := sc.viewBranch()
		return scope{branch: b}, refusal
	case member:
		b, refusal := sc.asMember()
		return scope{branch: b}, refusal
	case manager:
		return sc.asManager()
	case bureau:
		if sc.admin {
			return scope{all: true}, ""
		}
		return scope{}, say.OnlyBureau()
	}
	return scope{}, ""
}

// asMember returns the branch where the person acts as a member, or the
// refusal to say.
func (sc *scene) asMember() (branchID, refusal string) {
	if sc.member.ID == 0 || !sc.member.Registered() {
		return "", say.NeedRegister(sc.branch.ID != "")
	}
	if sc.branch.ID != "" && sc.member.BranchID != sc.branch.ID {
		return "", say.NotHere()
	}
	return sc.member.BranchID, ""
}

// scope is where a command acts: one branch, or every branch (an admin
// outside a branch's group).
type scope struct {
	branch string
	all    bool
}

// asManager returns the scope of a secretary command, or the refusal.
func (sc *scene) asManager() (scope, string) {
	if sc.branch.ID != "" {
		if sc.admin || slices.Contains(sc.secOf, sc.branch.ID) {
			return scope{branch: sc.branch.ID}, ""
		}
		return scope{}, say.NotSecretary()
	}
	switch {
	case sc.admin:
		return scope{all: true}, ""
	case len(sc.secOf) == 1:
		return scope{branch: sc.secOf[0]}, ""
	case len(sc.secOf) > 1:
		return scope{}, say.AskInBranchGroup()
	}
	return scope{}, say.NotSecretary()
}

// viewBranch is the branch whose activities anyone may list here: the
// group's, else the person's own.
func (sc *scene) viewBranch() (string, string) {
	switch {
	case sc.branch.ID != "":
		return sc.branch.ID, ""
	case sc.member.Registered():
		return sc.member.BranchID, ""
	case len(sc.secOf) == 1:
		return sc.secOf[0], ""
	case sc.admin || len(sc.secOf) > 1:
		return "", say.AskInBranchGroup()
	}
	return "", say.NeedRegister(false)
}

// activity looks an activity up within the scope.
func (h *Handlers) scopedActivity(ctx context.Context, s scope, id int64) (jinqiu.Activity, error) {
	if s.all {
		return h.DB.ActivityAnyBranch(ctx, id)
	}
	return h.DB.Activity(ctx, s.branch, id)
}

// report looks an hours report up within the scope.
func (h *Handlers) scopedReport(ctx context.Context, s scope, id int64) (jinqiu.HoursReport, error) {
	if s.all {
		return h.DB.HoursReportAnyBranch(ctx, id)
	}
	return h.DB.HoursReport(ctx, s.branch, id)
}

// mayReadNames reports whether a list of people's names (a roster, a
// digest that names members) may be answered here: in the branch's own
// group, or in a single chat with a secretary or a bureau admin (whose
// scope asManager has checked). Never in a bureau group or a group the bot
// does not know, where others read along.
func (sc *scene) mayReadNames() bool {
	if sc.msg.ChatType == jinqiu.ChatSingle {
		return sc.admin || len(sc.secOf) > 0
	}
	return sc.branch.ID != ""
}
