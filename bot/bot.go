// Package bot holds what the chat platforms have in common: the door every
// callback passes, posting, splitting and making people's text inert. Wire
// formats live in the per-platform packages below it.
package bot

import (
	"jinqiu"
)

// Platform names, as stored and configured.
const (
	WeCom    jinqiu.Platform = "wecom"
	DingTalk jinqiu.Platform = "dingtalk"
)
