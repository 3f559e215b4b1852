package handlers

import (
	"context"
	"jinqiu"

	"jinqiu/handlers/say"
)

// pendingHours answers 待审核: the branch's reports awaiting a decision,
// oldest first, a page at a time, the secretary's own marked as theirs
// (another secretary or the bureau decides them).
func (h *Handlers) pendingHours(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	if s.all {
		return text(say.AskInBranchGroup()), nil
	}
	pending, err := h.DB.PendingReports(ctx, s.branch, maxListed)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if len(pending) == 0 {
		return text(say.NothingPending()), nil
	}
	shown, page, more := pageOf(pending, rq.page)
	var ls []string
	for _, r := range shown {
		l := sc.w.Report(r)
		if sc.member.ID != 0 && r.MemberID == sc.member.ID {
			l += say.OwnMark()
		}
		ls = append(ls, l)
	}
	head, body := say.Pending(len(pending), ls, shown[0].ID)
	if more > 0 {
		body = append(body, say.More(more, say.ListPending, page+1))
	}
	r := sc.list(head, body)
	r.Buttons = say.DecideButtons(shown[0].ID)
	return r, nil
}
