package handlers

import (
	"context"
	"errors"
	"jinqiu"
	"strconv"

	"jinqiu/handlers/say"
	"jinqiu/storage"
)

// undo answers 撤销: the sender's own latest change of the last
// jinqiu.UndoWindow is taken back, and the reply says what it was.
func (h *Handlers) undo(ctx context.Context, sc *scene, _ request, _ scope) (jinqiu.Reply, error) {
	u, err := h.DB.Undo(ctx, sc.actor, sc.now.Add(-jinqiu.UndoWindow))
	switch {
	case errors.Is(err, storage.ErrNothingToUndo):
		return text(say.NothingToUndo(int(jinqiu.UndoWindow.Minutes()))), nil
	case errors.Is(err, storage.ErrUndoTooLate):
		return text(sc.w.UndoTooLate(u)), nil
	case err != nil:
		return jinqiu.Reply{}, err
	}
	if m := u.Promoted; m != nil {
		groups, err := h.DB.Groups(ctx, u.Activity.BranchID)
		if err != nil {
			return jinqiu.Reply{}, err
		}
		key := "promote|" + strconv.FormatInt(u.Activity.ID, 10) + "|" + strconv.FormatInt(m.ID, 10) + "|" + sc.msg.MsgID
		if err := h.DB.Enqueue(ctx, notices(groups, key, m.Platform, []string{m.UserID}, sc.w.Promoted(m.DisplayName, u.Activity, h.loc()))...); err != nil {
			return jinqiu.Reply{}, err
		}
	}
	return text(sc.w.Undone(u, h.loc())), nil
}
