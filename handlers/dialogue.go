package handlers

import (
	"context"
	"encoding/json"
	"jinqiu"
	"jinqiu/command"
	"jinqiu/handlers/say"
	"slices"
	"time"
)

// Dialogues.
//
// When a command lacks its number (报名, 取消报名, 签到 with several
// candidates, 通过 …), or the bot would have to guess (a single candidate,
// a community other than the group's), the bot asks and keeps what it
// asked in the short-lived store (Redis, or memory without it) under
// (platform, chat, person) for DialogueTTL. The next message of that person
// in that chat then answers it:
//   - 取消 / 算了 (and kin) ends it;
//   - 是 confirms the single guess;
//   - a number listed in the question picks it (another number asks again);
//   - when the question was the reason for rejecting hours (驳回 N sent
//     without one), free text is the reason;
//   - any other command replaces the dialogue; text that is no command
//     asks again.
// The chosen command is then run as if sent with its number, so every rule
// and role is checked again. Losing the store costs a dialogue, never a
// record: a store error is logged and the message is handled without it.

// dialogue is what the bot asked, as stored (JSON).
type dialogue struct {
	Intent  command.Intent `json:"intent"`
	Options []int64        `json:"options,omitempty"` // the numbers offered
	Confirm bool           `json:"confirm,omitempty"` // one guess awaiting 是
	Branch  string         `json:"branch,omitempty"`  // register: the branch to confirm
	Reason  bool           `json:"reason,omitempty"`  // reject: awaiting the reason for Options[0]
	// A held command: the message Text, parsed at At, run again on 是 (or
	// with the member picked from Options when Members).
	Text    string    `json:"text,omitempty"`
	At      time.Time `json:"at,omitempty"`
	Again   bool      `json:"again,omitempty"`   // the repeat is meant
	Members bool      `json:"members,omitempty"` // Options are 1..n of Picks, members for 代办
	Picks   []int64   `json:"picks,omitempty"`
	For     int64     `json:"for,omitempty"` // the member chosen for 代办
	// Args are a registry command's parts while it asks which member
	// (Picks) is meant.
	Args *registryArgs `json:"args,omitempty"`
	// Missing is the part of Args the question asked for (member,
	// position, note, topic): the next message that is no command.
	Missing string `json:"missing,omitempty"`
}

func (sc *scene) dialogueKey() string {
	return "dlg:" + string(sc.msg.Platform) + ":" + sc.msg.ChatID + ":" + sc.msg.UserID
}

// ask stores the dialogue and returns the question.
func (h *Handlers) ask(ctx context.Context, sc *scene, d dialogue, question string) jinqiu.Reply {
	b, _ := json.Marshal(d) // plain fields: cannot fail
	if err := h.State.Set(ctx, sc.dialogueKey(), string(b), DialogueTTL); err != nil {
		h.log().Warn("dialogue not kept", "platform", sc.msg.Platform, "chat_id", sc.msg.ChatID, "msg_id", sc.msg.MsgID, "error", err)
	}
	return text(question)
}

func (h *Handlers) endDialogue(ctx context.Context, sc *scene) {
	if err := h.State.Delete(ctx, sc.dialogueKey()); err != nil {
		h.log().Warn("dialogue not ended", "platform", sc.msg.Platform, "chat_id", sc.msg.ChatID, "msg_id", sc.msg.MsgID, "error", err)
	}
}

// continueDialogue answers a message that answers the person's open
// dialogue; ok is false when there is none or the message is a new command
// (which then replaces it).
func (h *Handlers) continueDialogue(ctx context.Context, sc *scene, rq request) (jinqiu.Reply, bool, error) {
	raw, found, err := h.State.Get(ctx, sc.dialogueKey())
	if err != nil {
		h.log().Warn("dialogue not read", "platform", sc.msg.Platform, "chat_id", sc.msg.ChatID, "msg_id", sc.msg.MsgID, "error", err)
		return jinqiu.Reply{}, false, nil
	}
	if !found {
		return jinqiu.Reply{}, false, nil
	}
	var d dialogue
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		h.endDialogue(ctx, sc)
		return jinqiu.Reply{}, false, nil
	}
	switch {
	case command.Stops(sc.msg.Text):
		h.endDialogue(ctx, sc)
		return text(say.DialogueEnded()), true, nil
	case d.Reason && len(d.Options) == 1 && command.Normalize(sc.msg.Text) != "" && readsAsReason(rq.intent):
		h.endDialogue(ctx, sc)
		r, err := h.dispatch(ctx, sc, request{intent: command.IntentRejectHours, report: d.Options[0], note: command.Normalize(sc.msg.Text)})
		return r, true, err
	case d.Args != nil && d.Missing != "" && rq.intent == command.IntentUnknown && !rq.thanks && command.Normalize(sc.msg.Text) != "":
		h.endDialogue(ctx, sc)
		r, err := h.dispatch(ctx, sc, d.Args.withAnswer(d.Missing, command.Normalize(sc.msg.Text)).request(d.Intent, 0))
		return r, true, err
	case d.Confirm && command.Confirms(sc.msg.Text):
		h.endDialogue(ctx, sc)
		r, err := h.resume(ctx, sc, d, 0)
		return r, true, err
	}
	if n, ok := command.ParseReplyNumber(sc.msg.Text); ok && len(d.Options) > 0 && !d.Reason {
		if !slices.Contains(d.Options, int64(n)) {
			return text(say.DialogueAgain(d.Options[0])), true, nil
		}
		h.endDialogue(ctx, sc)
		r, err := h.resume(ctx, sc, d, int64(n))
		return r, true, err
	}
	if rq.intent == command.IntentUnknown {
		first := int64(0)
		if len(d.Options) > 0 && !d.Confirm {
			first = d.Options[0]
		}
		return text(say.DialogueAgain(first)), true, nil
	}
	h.endDialogue(ctx, sc)
	return jinqiu.Reply{}, false, nil
}

// resume runs the command the dialogue was about with the number chosen
// (n), or with its single guess when n is 0.
func (h *Handlers) resume(ctx context.Context, sc *scene, d dialogue, n int64) (jinqiu.Reply, error) {
	if d.Text != "" {
		return h.resumeHeld(ctx, sc, d, n)
	}
	if d.Args != nil {
		id := heldFor(d, n)
		if id == 0 {
			return text(say.Unknown(sc.reader())), nil
		}
		return h.dispatch(ctx, sc, d.Args.request(d.Intent, id))
	}
	if d.Intent == command.IntentRegister {
		return h.registerIn(ctx, sc, d.Branch)
	}
	if n == 0 {
		if len(d.Options) == 0 {
			return text(say.Unknown(sc.reader())), nil
		}
		n = d.Options[0]
	}
	rq := request{intent: d.Intent}
	switch d.Intent {
	case command.IntentApproveHours, command.IntentRejectHours:
		rq.report = n
	case command.IntentCommend:
		rq.nomination = n
	default:
		rq.activity = n
	}
	return h.dispatch(ctx, sc, rq)
}

// readsAsReason reports whether a reply to "why do you reject it?" is the
// reason: free text, or one of the intents that reasons were seen to parse
// as (时长填错了 reads as report_hours, 请补充说明… as help). Any other
// command replaces the dialogue, and the report stays pending.
func readsAsReason(in command.Intent) bool {
	return in == command.IntentUnknown || in == command.IntentHelp || in == command.IntentReportHours
}

// choose asks the person to pick one of options (each line starting with
// its number), or to confirm the only one with confirmQ.
func (h *Handlers) choose(ctx context.Context, sc *scene, d dialogue, ids []int64, lines []string, pickQ func([]string) string, confirmQ string) jinqiu.Reply {
	d.Options = ids
	if len(ids) == 1 && confirmQ != "" {
		d.Confirm = true
		return h.ask(ctx, sc, d, confirmQ)
	}
	return h.ask(ctx, sc, d, pickQ(lines))
}
