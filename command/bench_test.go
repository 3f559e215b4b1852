package command

import (
	"testing"
)

// BenchmarkParseCorpus parses the corpus messages in turn, so that the mix
// of intents and lengths is the one the corpus shows.
func BenchmarkParseCorpus(b *testing.B) {
	cases := mustParseCorpus(b)
	now := mustParseNow(b)
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.Text
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		Parse(texts[n%len(texts)], now)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
