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
		if awaitingGrammar[in] {
			continue
		}
		t.Errorf("the rule of %s answers an intent command never parses", in)
	}
}

// awaitingGrammar are the registries' intents, whose rules came before
// their grammars (the parser of COMMANDS.md's second version): remove
// them from here once command parses them.
var awaitingGrammar = map[command.Intent]bool{
	command.IntentAppoint: true, command.IntentResign: true, command.IntentRecordDecision: true,
	command.IntentNominate: true, command.IntentCommend: true,
}
