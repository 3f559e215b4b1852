// Package jinqiu is the domain of 金秋助手: the people, branches and groups
// of a bureau for retired cadres, the activities, sign-ups, hours and
// meetings they record, the one calendar of 三会一课 and 主题党日, the
// programme's rules, and the contract between the bot and the chat
// platforms (Message, Reply, Target, Sender). It imports nothing of the
// project; every other package uses it.
package jinqiu

// Platform names a chat platform ("wecom", "dingtalk"); which ones exist
// is known only to the platforms' own packages under bot/.
type Platform string

// ChatType is where a message was written.
type ChatType string

// Chat types.
const (
	ChatGroup  ChatType = "group"
	ChatSingle ChatType = "single"
)

// Identity is a person on a platform: who they are is the pair, compared
// byte for byte. The same user id on another platform is another person.
type Identity struct {
	Platform Platform `db:"platform"`
	UserID   string   `db:"user_id"`
}

func (i Identity) String() string { return string(i.Platform) + ":" + i.UserID }

// Actor is who asked for a change, and through which message: every change
// is audited with it.
type Actor struct {
	Platform Platform
	UserID   string
	MsgID    string
}

func (a Actor) String() string {
	if a.Platform == "" {
		return a.UserID
	}
	return string(a.Platform) + ":" + a.UserID
}

// Identity is the actor's person.
func (a Actor) Identity() Identity { return Identity{Platform: a.Platform, UserID: a.UserID} }
