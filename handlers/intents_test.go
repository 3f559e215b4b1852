package handlers

import (
	"testing"

	"jinqiu/command"
)

// TestEveryIntentHasARule: the language and the rules register the same
// intents, so that nothing parsed goes unanswered and no rule is dead.
func TestEveryIntentHasARule(t *testing.T) {
	rules := intents()
	for _, in := range command.Intents() {
		if _, ok := rules[in]; !ok {
			t.Errorf("command parses %s, which has no rule", in)
		}
		delete(rules, in)
	}
	delete(rules, command.IntentUnknown) // what no grammar reads
	for in := range rules {
		t.Errorf("the rule of %s answers an intent command never parses", in)
	}
}
