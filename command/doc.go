// Package command is the bot's command language (COMMANDS.md): Parse
// turns one chat message into a Command, which handlers act on.
//
// What handlers use:
//
//   - Parse(text, now) and ParseHeard(text, now) (a voice transcript: an
//     acting intent always asks to confirm). Intents() lists the intents.
//   - Command fields: Intent and the arguments COMMANDS.md lists; Confirm
//     (repeat what was understood, act only on 是); BadDate, the date
//     expression not taken as written, and BadDateWhy, why:
//     BadDateImpossible, BadDatePast, BadDateFuture or BadDateTooFar; For
//     (代办, the name as written); ActivityTitle and ActivityDate (an
//     activity named instead of numbered); Expected, Present, Delivered;
//     Adopted; Member, Position; Nomination; Year; Page; and, not printed
//     by parse, TwoNumbers, TwoAmounts, Inexact (the inexact amount as
//     written) and Thanks (a thank-you or greeting with no command).
//   - Fold (text as compared: normalised, simplified, lower case),
//     Surname, TitleKey and PositionKind for look-ups by what people name;
//     Normalize, ParseNumber, ParseReplyNumber, Stops and Confirms for
//     dialogue replies.
//
// Traditional characters are matched through a rune table generated from
// OpenCC's t2s data (go generate ./command/, see gen_t2s.go); what people
// name is kept as typed.
package command
