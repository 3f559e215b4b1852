package handlers

import (
	"context"
	"jinqiu"
	"sync"

	"jinqiu/command"
	"jinqiu/handlers/say"
)

// intent is what the bot does with a command: who may ask for it, and the
// rule that answers, within the scope the role grants.
type intent struct {
	who    role
	answer func(h *Handlers, ctx context.Context, sc *scene, rq request, s scope) (jinqiu.Reply, error)
}

// intents are the programme's rules by intent. Adding an intent is its
// grammar in command, its rule in its subject's file here with a line in
// this table, and its replies in say.
func intents() map[command.Intent]intent {
	return map[command.Intent]intent{
		command.IntentHelp:            {anyone, (*Handlers).help},
		command.IntentRegister:        {anyone, (*Handlers).register},
		command.IntentMyStats:         {anyone, (*Handlers).myStats},
		command.IntentListActivities:  {viewer, (*Handlers).listActivities},
		command.IntentSignup:          {member, (*Handlers).signup},
		command.IntentCancelSignup:    {member, (*Handlers).cancelSignup},
		command.IntentCheckin:         {member, (*Handlers).checkin},
		command.IntentReportHours:     {member, (*Handlers).reportHours},
		command.IntentPublishActivity: {manager, (*Handlers).publish},
		command.IntentCancelActivity:  {manager, (*Handlers).cancelActivity},
		command.IntentRoster:          {manager, (*Handlers).roster},
		command.IntentApproveHours:    {manager, (*Handlers).approve},
		command.IntentRejectHours:     {manager, (*Handlers).reject},
		command.IntentRecordMeeting:   {manager, (*Handlers).recordMeeting},
		command.IntentMeetingStatus:   {manager, (*Handlers).meetingStatus},
		command.IntentDigest:          {manager, (*Handlers).digest},
	}
}

// intentTable is intents, built once and only read afterwards.
var intentTable = sync.OnceValue(intents)

func (h *Handlers) help(context.Context, *scene, request, scope) (jinqiu.Reply, error) {
	return text(say.Help()), nil
}
