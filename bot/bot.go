// Package bot holds what the chat platforms have in common: the pipeline
// that turns a message into its reply exactly once, the door every
// callback passes, posting and splitting. Wire formats live in the
// per-platform packages below it.
package bot

import (
	"context"

	"jinqiu"
)

// Platform names, as stored and configured.
const (
	WeCom    jinqiu.Platform = "wecom"
	DingTalk jinqiu.Platform = "dingtalk"
)

// ProcessorFunc adapts a function to Processor, for tests of adapters;
// Delivered does nothing.
type ProcessorFunc func(ctx context.Context, m jinqiu.Message) (Outcome, error)

// Process calls f.
func (f ProcessorFunc) Process(ctx context.Context, m jinqiu.Message) (Outcome, error) {
	return f(ctx, m)
}

// Delivered implements Processor.
func (f ProcessorFunc) Delivered(context.Context, int64) {}
