package command

import "strings"

// Fold is text as the language compares it: normalised, lower case (and,
// with the second version's table, simplified), for look-ups of what
// people name (a branch, an activity, a member) against what is stored as
// typed.
func Fold(text string) string { return strings.ToLower(Normalize(text)) }
