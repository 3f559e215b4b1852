package bot

import "strings"

// Mentionable returns the ids of ids that may be @-mentioned: a person's
// user id, never "@all" (the bot mentions no one it does not name) nor an
// id that would break out of the platforms' mention syntax (<@id>).
func Mentionable(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id == "" || strings.HasPrefix(id, "@") || strings.ContainsAny(id, "<> \t\r\n") {
			continue
		}
		out = append(out, id)
	}
	return out
}
