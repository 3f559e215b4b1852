package command

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used, so that a benchmark on a
// shared machine can report messages per second of one core's work as
// well as per second of wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

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

// BenchmarkParse parses the messages of both corpora and of this package's
// own cases in turn: the mix of the second version.
func BenchmarkParse(b *testing.B) {
	var texts []string
	for _, path := range []string{parseCorpusPath, "testdata/commands-v2.jsonl", "testdata/cases-v2.jsonl"} {
		for _, c := range mustCorpusFile(b, path) {
			texts = append(texts, c.Text)
		}
	}
	now := mustParseNow(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		Parse(texts[n%len(texts)], now)
		n++
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "msgs/cpu-s")
	}
}
