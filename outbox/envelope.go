// Package outbox is every message the bot sends that is not the answer to
// a callback: the envelope an outbox row holds (where it goes, what it
// says), and the dispatcher that sends due rows within each robot's budget,
// across replicas.
package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"jinqiu"
	"strings"

	"jinqiu/storage"
)

// Address is where a queued message goes, as stored in an outbox row: a
// group (pushed through the webhook configured for it, looked up when it is
// sent, so that no key is stored in the database) or a reply URL.
type Address struct {
	Platform jinqiu.Platform `json:"platform"`
	ChatID   string          `json:"chat_id,omitempty"`
	// Robot, when set, sends through that robot's own configured webhook
	// (a WeCom group robot answering in the chat it was called from).
	Robot string         `json:"robot,omitempty"`
	Late  *jinqiu.Target `json:"late,omitempty"`
}

// DedupKey joins the parts of an event's key for an outbox row; a key too
// long for the column keeps its first part and a hash of the whole.
func DedupKey(parts ...string) string {
	k := strings.Join(parts, "|")
	if len(k) <= 160 {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return parts[0] + "|" + hex.EncodeToString(sum[:])
}

// ToGroup is an outbox row that pushes r to a group. Each group's
// webhook is its own robot on both platforms, so the group is the rate key.
func ToGroup(dedupKey string, platform jinqiu.Platform, chatID string, r jinqiu.Reply, policy string) storage.Outbound {
	return storage.Outbound{
		DedupKey: dedupKey,
		Platform: platform,
		Robot:    string(platform) + ":" + chatID,
		Target:   mustJSON(Address{Platform: platform, ChatID: chatID}),
		Body:     mustJSON(r),
		Policy:   policy,
	}
}

// ToRobot is an outbox row that pushes r to a chat through a
// robot's own configured webhook, looked up when it is sent.
func ToRobot(dedupKey string, platform jinqiu.Platform, robot, chatID string, r jinqiu.Reply) storage.Outbound {
	return storage.Outbound{
		DedupKey: dedupKey,
		Platform: platform,
		Robot:    string(platform) + ":" + robot,
		Target:   mustJSON(Address{Platform: platform, ChatID: chatID, Robot: robot}),
		Body:     mustJSON(r),
		Policy:   storage.AtLeastOnce,
	}
}

// ToLate is an outbox row that delivers a reply to a reply URL after
// the callback was answered. Replies are at least once: a missing answer is
// worse than a repeated one. The rate budget is the chat's (chatID; "" in
// a single chat): after a crash many replies are late at once, and one
// budget for the whole robot would hold them for minutes.
func ToLate(dedupKey, chatID string, t jinqiu.Target, r jinqiu.Reply) storage.Outbound {
	return storage.Outbound{
		DedupKey: dedupKey,
		Platform: t.Platform,
		Robot:    string(t.Platform) + ":" + t.Robot + ":" + chatID,
		Target:   mustJSON(Address{Platform: t.Platform, Late: &t}),
		Body:     mustJSON(r),
		Policy:   storage.AtLeastOnce,
	}
}

// Decode reads the address and reply of an outbox row.
func Decode(row storage.OutboxRow) (Address, jinqiu.Reply, error) {
	var a Address
	var r jinqiu.Reply
	if err := json.Unmarshal([]byte(row.Target), &a); err != nil {
		return a, r, err
	}
	err := json.Unmarshal([]byte(row.Body), &r)
	return a, r, err
}

func mustJSON(v any) string {
	// Only structs of strings and times reach here: Marshal cannot fail.
	b, _ := json.Marshal(v)
	return string(b)
}
