package handlers

import (
	"context"
	"jinqiu"
	"slices"

	"jinqiu/handlers/say"
	"jinqiu/storage"
)

// digest answers 周报/月报: a branch's own figures for a secretary (or an
// admin in the branch's group), the programme's two lines for the bureau.
// The figures are report's, the same as the weekly digest job's.
func (h *Handlers) digest(ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error) {
	week := rq.period != "month"
	from, to := jinqiu.Month(sc.now, rq.offset)
	if week {
		from, to = jinqiu.Week(sc.now, rq.offset)
	}
	d, err := h.Reports.Digest(ctx, from, to, s.branch)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	if !s.all && d.BranchName == "" {
		return jinqiu.Reply{}, storage.ErrNotFound
	}
	if week {
		// Names of members only in a single chat with the branch's
		// secretary or a bureau admin.
		private := sc.msg.ChatType == jinqiu.ChatSingle && (sc.admin || (!s.all && slices.Contains(sc.secOf, s.branch)))
		if !private {
			d = d.Public()
		}
		return say.Digest(d), nil
	}
	period := sc.w.Span(week, rq.offset, from, to)
	if !s.all {
		return sc.list(say.BranchDigest(period, d)), nil
	}
	return sc.list(say.BureauDigest(period, d)), nil
}
