package bot

import (
	"context"
	"errors"
	"fmt"
	"jinqiu"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"jinqiu/inbound"
)

// A Platform is one chat platform: a folder under bot/ that brings all
// jinqiu knows of it (its section of config.yaml, its callback routes, its
// sender, its limits and how it lays out a document) and is registered
// with one line in cmd/jinqiu. Nothing outside its folder names it.
//
// Configure is called once, before anything else; the rest may then be
// called concurrently.
type Platform interface {
	// Name is how the platform is written in config.yaml, in identities
	// (wecom:zhangsan) and in storage.
	Name() jinqiu.Platform
	// Section is where the platform's section of config.yaml (the key
	// of its name) is decoded: a pointer to its own struct, decoded
	// strictly (unknown keys are problems) before Configure.
	Section() any
	// Configure checks the decoded section and the push settings of the
	// groups on the platform, filling defaults. It returns every problem,
	// each prefixed with its key path and saying how to fix it, and never
	// a value (which may be a secret).
	Configure(groups []GroupConfig) []string
	// Robots are the names of the configured robots: the last part of
	// their callback URLs.
	Robots() []string
	// Pushable reports whether the group with the chat id has a webhook
	// to push to.
	Pushable(chatID string) bool
	// Open returns the platform's sender, which pushes to a configured
	// group (jinqiu.KindGroup) through the webhook it resolves itself, and
	// adds the platform's callback routes to mux.
	Open(env Env, mux *http.ServeMux) jinqiu.Sender
	// Parts lays a document (a titled reply of markdown, a line per line)
	// out for the platform and cuts it into the messages it is pushed as,
	// each within the platform's limits, in order; every part after the
	// first starts with the line continued(k, n).
	Parts(doc jinqiu.Reply, continued func(k, n int) string) []jinqiu.Reply
}

// GroupConfig is a configured group on a platform, as Configure reads it.
type GroupConfig struct {
	Key    string // its key path in config.yaml, for problems: branches[0].groups[1]
	ChatID string
	Robot  string
	// Push are the group's keys that belong to the platform (webhook_key
	// on WeCom; webhook and secret on DingTalk).
	Push map[string]string
}

// Env is what a platform is opened with.
type Env struct {
	// Processor takes the verified messages.
	Processor inbound.Processor
	// Client sends; it follows no redirects (NoRedirects).
	Client *http.Client
	Log    *slog.Logger
	Now    func() time.Time
	// Undelivered receives what a callback's answer could not carry (an
	// over-long reply, a dead reply address): the wiring queues it for the
	// group in the outbox.
	Undelivered func(ctx context.Context, m jinqiu.Message, r jinqiu.Reply)
	// Background starts a long connection's loop, which runs until the
	// context it is given ends (the service stops).
	Background func(run func(ctx context.Context))
	// Leases decide which replica holds a connection that only one may
	// (a WeCom AI bot's); Replica names this one.
	Leases  Leases
	Replica string
}

// ErrStopping is the cause with which the service ends a long
// connection's context when it stops in good order: the connection then
// hands its lease on at once. Any other end (a kill) leaves the lease to
// lapse.
var ErrStopping = errors.New("service stopping")

// Leases are named leases in the database, held by one holder at a time
// (storage.DB).
type Leases interface {
	// HoldLease takes or renews the lease until now+ttl: true when holder
	// has it.
	HoldLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// Platforms are the registered platforms.
type Platforms []Platform

// Get returns the platform of the name.
func (ps Platforms) Get(name jinqiu.Platform) (Platform, bool) {
	for _, p := range ps {
		if p.Name() == name {
			return p, true
		}
	}
	return nil, false
}

// Names are the platforms' names, in order of registration.
func (ps Platforms) Names() []jinqiu.Platform {
	out := make([]jinqiu.Platform, len(ps))
	for i, p := range ps {
		out[i] = p.Name()
	}
	return out
}

// Pushable reports whether a group has a webhook to push to.
func (ps Platforms) Pushable(g jinqiu.Group) bool {
	p, ok := ps.Get(g.Platform)
	return ok && p.Pushable(g.ChatID)
}

// Parts is the document as pushed to a group of the platform (nothing on
// a platform that is not registered).
func (ps Platforms) Parts(platform jinqiu.Platform, doc jinqiu.Reply, continued func(k, n int) string) []jinqiu.Reply {
	if p, ok := ps.Get(platform); ok {
		return p.Parts(doc, continued)
	}
	return nil
}

// Configure configures every platform (its section decoded) with its
// groups, and checks what spans platforms: a robot's name is its own
// across all of them, and a group's robot is one of its platform's robots.
func (ps Platforms) Configure(groups map[jinqiu.Platform][]GroupConfig) []string {
	var problems []string
	robots := map[string]jinqiu.Platform{}
	for _, p := range ps {
		problems = append(problems, p.Configure(groups[p.Name()])...)
		for i, name := range p.Robots() {
			if prev, ok := robots[name]; ok {
				problems = append(problems, fmt.Sprintf("%s.robots[%d].name: %s is also a robot of %s; each robot needs its own name", p.Name(), i, name, prev))
				continue
			}
			robots[name] = p.Name()
		}
	}
	for _, p := range ps {
		for _, g := range groups[p.Name()] {
			if g.Robot == "" || slices.Contains(p.Robots(), g.Robot) {
				continue
			}
			if other, ok := robots[g.Robot]; ok {
				problems = append(problems, fmt.Sprintf("%s.robot: names a %s robot; this group is on %s", g.Key, other, p.Name()))
			} else {
				problems = append(problems, fmt.Sprintf("%s.robot: must name a robot of %s.robots", g.Key, p.Name()))
			}
		}
	}
	return problems
}

// PushKeys checks that a group sets only the platform's own push keys, and
// returns the problems.
func PushKeys(g GroupConfig, platform jinqiu.Platform, allowed ...string) []string {
	var problems []string
	for k := range g.Push {
		if !slices.Contains(allowed, k) {
			want := "no push keys"
			if len(allowed) > 0 {
				want = strings.Join(allowed, " and ")
			}
			problems = append(problems, fmt.Sprintf("%s.%s: is not a key of a %s group, which uses %s", g.Key, k, platform, want))
		}
	}
	slices.Sort(problems)
	return problems
}

// Parts cuts a document's markdown md into messages of at most limit
// bytes, between lines; every part after the first starts with the line
// continued(k, n), so that a reader sees the order even if the messages
// arrive out of it.
func Parts(md string, limit int, continued func(k, n int) string) []string {
	const reserve = 40 // the continuation line
	parts := SplitLines(md, limit-reserve)
	if len(parts) < 2 {
		return SplitLines(md, limit)
	}
	for i := 1; i < len(parts); i++ {
		parts[i] = continued(i+1, len(parts)) + "\n" + parts[i]
	}
	return parts
}

// IsBase reports whether v is an API base: an http(s) URL with a host.
func IsBase(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// CheckRobotName checks the name of the robot at key (it is the last part
// of the callback URL, and unique on the platform: seen).
func CheckRobotName(key, name string, seen map[string]bool) []string {
	defer func() { seen[name] = true }()
	switch {
	case name == "":
		return []string{key + ".name: must not be empty; it is the last part of the callback URL"}
	case url.PathEscape(name) != name:
		return []string{key + ".name: must be letters, digits, - or _ (it is part of a URL)"}
	case seen[name]:
		return []string{key + ".name: is used by another robot; each robot needs its own name"}
	}
	return nil
}
