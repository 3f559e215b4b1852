package jobs

import (
	"jinqiu"
	"strings"

	"jinqiu/bot"
	"jinqiu/handlers/say"
)

// Byte limits of one message: WeCom group robot markdown 4096 B; DingTalk
// about 20000 B, of which bot/dingtalk uses 18000.
const (
	WeComMarkdownBytes    = 4096
	DingTalkMarkdownBytes = 18000
)

// DigestReplies returns d as the replies to push to a group of the
// platform (bot.WeCom or bot.DingTalk), one per message.
func DigestReplies(platform jinqiu.Platform, d jinqiu.Digest) []jinqiu.Reply {
	doc := say.Digest(d)
	var out []jinqiu.Reply
	if platform == bot.DingTalk {
		md := strings.ReplaceAll(doc.Markdown, "\n", "\n\n")
		for _, p := range split(md, DingTalkMarkdownBytes) {
			out = append(out, jinqiu.Reply{Markdown: p, Title: doc.Title, Text: p})
		}
		return out
	}
	for _, p := range split(doc.Markdown, WeComMarkdownBytes) {
		out = append(out, jinqiu.Reply{Markdown: p, Text: p})
	}
	return out
}

// split cuts the markdown into parts within limit; every part after the
// first starts with a continuation line.
func split(md string, limit int) []string {
	const reserve = 40 // the 续 line
	parts := bot.SplitLines(md, limit-reserve)
	if len(parts) < 2 {
		return bot.SplitLines(md, limit)
	}
	for i := 1; i < len(parts); i++ {
		parts[i] = say.Continued(i+1, len(parts)) + "\n" + parts[i]
	}
	return parts
}
