package handlers

import (
	"context"
	"errors"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"strings"

	"jinqiu/storage"
)

// register binds the person to the branch of the group (报到), or, outside
// a branch's group, to the community they name. Naming another community
// in a branch's group is a guess that needs a yes.
func (h *Handlers) register(ctx context.Context, sc *scene, rq request, _ scope) (jinqiu.Reply, error) {
	if sc.branch.ID != "" {
		if rq.community != "" && !strings.Contains(sc.branch.Name, rq.community) {
			return h.ask(ctx, sc, dialogue{Intent: command.IntentRegister, Branch: sc.branch.ID, Confirm: true}, say.RegisterConfirm(sc.branch)), nil
		}
		return h.registerIn(ctx, sc, sc.branch.ID)
	}
	if rq.community == "" {
		return text(say.RegisterNeedCommunity()), nil
	}
	b, err := h.DB.FindBranchByName(ctx, rq.community)
	if errors.Is(err, storage.ErrNotFound) {
		return text(say.RegisterNoSuchCommunity(rq.community)), nil
	}
	if err != nil {
		return jinqiu.Reply{}, err
	}
	return h.registerIn(ctx, sc, b.ID)
}

// registerIn records the registration: a repeat is idempotent, a move to
// another branch is a new registration row (the old one stays).
func (h *Handlers) registerIn(ctx context.Context, sc *scene, branchID string) (jinqiu.Reply, error) {
	b, err := h.DB.Branch(ctx, branchID)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	reg, err := h.DB.Register(ctx, sc.actor, sc.msg.UserName, b.ID, sc.now)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	switch {
	case reg.Already:
		return text(say.RegisteredAlready(b)), nil
	case reg.From != "":
		return text(say.RegisterMoved(b)), nil
	}
	return text(sc.w.Registered(sc.name(), b, sc.now)), nil
}
