package handlers

import (
	"context"
	"jinqiu"
	"strings"

	"jinqiu/handlers/say"
)

// console answers 后台: a bureau admin or a secretary gets, in a single
// chat only, a link that opens the web console once within
// jinqiu.ConsoleLinkTTL. A group would let others open it.
func (h *Handlers) console(ctx context.Context, sc *scene, _ request, _ scope) (jinqiu.Reply, error) {
	switch {
	case !sc.admin && len(sc.secOf) == 0:
		return text(say.ConsoleNotFor()), nil
	case sc.msg.ChatType != jinqiu.ChatSingle:
		return text(say.ConsoleInPrivate()), nil
	case h.ConsoleURL == "":
		return text(say.ConsoleOff()), nil
	}
	token, err := h.DB.NewConsoleLink(ctx, sc.actor.Identity(), sc.name(), jinqiu.ConsoleLinkTTL)
	if err != nil {
		return jinqiu.Reply{}, err
	}
	url := strings.TrimSuffix(h.ConsoleURL, "/") + ConsoleLoginPath + token
	return text(say.ConsoleLink(url, int(jinqiu.ConsoleLinkTTL.Minutes()))), nil
}

// ConsoleLoginPath is where a console link points, before its token.
const ConsoleLoginPath = "/console/login/"
