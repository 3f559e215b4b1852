package command

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

func TestTryScratch(t *testing.T) {
	f, err := os.Open("/tmp/try/msgs.txt")
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	now := mustParseNow(t)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := Parse(sc.Text(), now)
		b, _ := json.Marshal(c)
		fmt.Printf("%-36s %s why=%s for=%q inexact=%q two=%v/%v thanks=%v\n", sc.Text(), b, c.BadDateWhy, c.For, c.Inexact, c.TwoNumbers, c.TwoAmounts, c.Thanks)
	}
}
