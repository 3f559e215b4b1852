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
	// onBehalf: a secretary may do it for a member of the branch (代办).
	onBehalf bool
}

// intents are the programme's rules by intent. Adding an intent is its
// grammar in command, its rule in its subject's file here with a line in
// this table, and its replies in say.
func intents() map[command.Intent]intent {
	return map[command.Intent]intent{
		command.IntentHelp:            {who: anyone, answer: (*Handlers).help},
		command.IntentUnknown:         {who: anyone, answer: (*Handlers).unknown},
		command.IntentRegister:        {who: anyone, answer: (*Handlers).register},
		command.IntentMyStats:         {who: anyone, answer: (*Handlers).myStats},
		command.IntentListActivities:  {who: viewer, answer: (*Handlers).listActivities},
		command.IntentSignup:          {who: member, answer: (*Handlers).signup, onBehalf: true},
		command.IntentCancelSignup:    {who: member, answer: (*Handlers).cancelSignup, onBehalf: true},
		command.IntentCheckin:         {who: member, answer: (*Handlers).checkin, onBehalf: true},
		command.IntentReportHours:     {who: member, answer: (*Handlers).reportHours, onBehalf: true},
		command.IntentPublishActivity: {who: manager, answer: (*Handlers).publish},
		command.IntentCancelActivity:  {who: manager, answer: (*Handlers).cancelActivity},
		command.IntentRoster:          {who: manager, answer: (*Handlers).roster},
		command.IntentApproveHours:    {who: manager, answer: (*Handlers).approve},
		command.IntentRejectHours:     {who: manager, answer: (*Handlers).reject},
		command.IntentRecordMeeting:   {who: manager, answer: (*Handlers).recordMeeting},
		command.IntentMeetingStatus:   {who: manager, answer: (*Handlers).meetingStatus},
		command.IntentDigest:          {who: manager, answer: (*Handlers).digest},
		command.IntentPendingHours:    {who: manager, answer: (*Handlers).pendingHours},
		command.IntentUndo:            {who: anyone, answer: (*Handlers).undo},
		command.IntentAppoint:         {who: manager, answer: (*Handlers).appoint},
		command.IntentResign:          {who: manager, answer: (*Handlers).resign},
		command.IntentRecordDecision:  {who: manager, answer: (*Handlers).recordDecision},
		command.IntentNominate:        {who: manager, answer: (*Handlers).nominate},
		command.IntentCommend:         {who: bureau, answer: (*Handlers).commend},
		command.IntentConsole:         {who: anyone, answer: (*Handlers).console},
		command.IntentExport:          {who: anyone, answer: (*Handlers).export},
		command.IntentPublicity:       {who: manager, answer: (*Handlers).publicity},
		command.IntentConsent:         {who: member, answer: (*Handlers).consent},
		command.IntentWithdrawConsent: {who: member, answer: (*Handlers).withdrawConsent},
		command.IntentObject:          {who: member, answer: (*Handlers).object},
	}
}

// intentTable is intents, built once and only read afterwards.
var intentTable = sync.OnceValue(intents)

func (h *Handlers) help(_ context.Context, sc *scene, _ request, _ scope) (jinqiu.Reply, error) {
	return text(say.Help(sc.reader())), nil
}

// unknown answers a message that is no command: a thank-you or greeting
// gets a friendly line, anything else the short menu.
func (h *Handlers) unknown(_ context.Context, sc *scene, rq request, _ scope) (jinqiu.Reply, error) {
	if rq.thanks {
		return text(say.Thanks()), nil
	}
	return text(say.Unknown(sc.reader())), nil
}
