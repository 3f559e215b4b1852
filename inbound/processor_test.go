package inbound_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"jinqiu"
	"jinqiu/inbound"
)

// Limit answers ErrBusy beyond n messages at once, and counts a finished
// one free again.
func TestLimitBoundsMessagesInFlight(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	p := inbound.Limit(inbound.ProcessorFunc(func(ctx context.Context, m jinqiu.Message) (inbound.Outcome, error) {
		entered <- struct{}{}
		<-release
		return inbound.Outcome{Reply: jinqiu.Reply{Text: "ok"}}, nil
	}), 2)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); p.Process(context.Background(), jinqiu.Message{}) }()
	}
	<-entered
	<-entered
	if _, err := p.Process(context.Background(), jinqiu.Message{}); !errors.Is(err, inbound.ErrBusy) {
		t.Fatalf("third at once: %v, want ErrBusy", err)
	}
	close(release)
	wg.Wait()
	go func() { <-entered }()
	if out, err := p.Process(context.Background(), jinqiu.Message{}); err != nil || out.Reply.Text != "ok" {
		t.Fatalf("after the others: %+v %v", out, err)
	}
}
