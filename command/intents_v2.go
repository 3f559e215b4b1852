package command

// The intents COMMANDS.md's second version adds; their grammars come with
// the parser of that version.
const (
	IntentUndo            Intent = "undo"
	IntentPendingHours    Intent = "pending_hours"
	IntentAppoint         Intent = "appoint"
	IntentResign          Intent = "resign"
	IntentRecordDecision  Intent = "record_decision"
	IntentNominate        Intent = "nominate"
	IntentCommend         Intent = "commend"
	IntentExport          Intent = "export"
	IntentConsole         Intent = "console"
	IntentPublicity       Intent = "publicity"
	IntentConsent         Intent = "consent"
	IntentWithdrawConsent Intent = "withdraw_consent"
	IntentObject          Intent = "object"
)
