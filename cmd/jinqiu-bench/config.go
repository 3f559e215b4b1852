package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// WriteConfig writes a jinqiu configuration for a load run: groups
// branches, each with one group, alternating WeCom (AI bot) and DingTalk,
// one robot of each, on the given database and Redis. DingTalk replies go
// to sinkBase, where the load generator listens.
func WriteConfig(w io.Writer, groups int, listen, dsn, redisAddr, sinkBase string) error {
	key := make([]byte, 32)
	rand.Read(key)
	aes := strings.TrimSuffix(base64.StdEncoding.EncodeToString(key), "=")
	tok := make([]byte, 8)
	rand.Read(tok)
	sec := make([]byte, 16)
	rand.Read(sec)
	var b strings.Builder
	fmt.Fprintf(&b, "server:\n  listen: %q\n  shutdown_grace: 20s\n", listen)
	fmt.Fprintf(&b, "storage:\n  driver: mysql\n  dsn: %q\n", dsn)
	fmt.Fprintf(&b, "redis:\n  addr: %q\n", redisAddr)
	fmt.Fprintf(&b, "wecom:\n  robots:\n    - {name: bench-wecom, mode: aibot, token: %s, encoding_aes_key: %s}\n", hex.EncodeToString(tok), aes)
	fmt.Fprintf(&b, "dingtalk:\n  api_base: %q\n  robots:\n    - {name: bench-dd, app_secret: %s}\n", sinkBase, hex.EncodeToString(sec))
	b.WriteString("branches:\n")
	for i := 0; i < groups; i++ {
		platform, robot := "wecom", "bench-wecom"
		if i%2 == 1 {
			platform, robot = "dingtalk", "bench-dd"
		}
		fmt.Fprintf(&b, "  - {id: b%04d, name: 第%d社区临时党支部, town: 第%d街道, kind: %s, secretaries: [%s:sec%04d], groups: [{platform: %s, chat_id: chat%04d, robot: %s}]}\n",
			i, i, i%10, []string{"community", "rural"}[i%3/2], platform, i, platform, i, robot)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
