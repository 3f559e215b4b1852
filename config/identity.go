package config

import (
	"errors"
	"fmt"
	"jinqiu"
	"slices"
	"strings"
)

// ParseIdentity reads platform:user_id. The user id is taken exactly as
// written after the first colon (ids are compared byte for byte); a bare
// id, an unknown platform or surrounding space is an error that says how
// to write it.
func ParseIdentity(s string, names []jinqiu.Platform) (jinqiu.Identity, error) {
	platform, id, ok := strings.Cut(s, ":")
	switch {
	case !ok:
		return jinqiu.Identity{}, errors.New("must name the platform and the user id, e.g. wecom:zhangsan or dingtalk:0123 (a bare user id could be anyone's on the other platform)")
	case !slices.Contains(names, jinqiu.Platform(platform)):
		return jinqiu.Identity{}, fmt.Errorf("must start with the platform (%s) and a colon, e.g. wecom:zhangsan", orList(names))
	case id == "":
		return jinqiu.Identity{}, errors.New("must have a user id after the platform, e.g. wecom:zhangsan")
	case strings.TrimSpace(id) != id || strings.ContainsAny(id, " \t\r\n"):
		return jinqiu.Identity{}, errors.New("must not contain spaces: write the user id exactly as the platform sends it")
	}
	return jinqiu.Identity{Platform: jinqiu.Platform(platform), UserID: id}, nil
}

// Identities parses a list already validated: each is platform:user_id
// (wecom:zhangsan, dingtalk:0123), and the same user id on two platforms
// is two people.
func Identities(ss []string) []jinqiu.Identity {
	var out []jinqiu.Identity
	for _, s := range ss {
		platform, id, _ := strings.Cut(s, ":")
		out = append(out, jinqiu.Identity{Platform: jinqiu.Platform(platform), UserID: id})
	}
	return out
}
