// Command jinqiu is 金秋助手, the bot of a bureau for retired cadres in its
// WeCom and DingTalk groups. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // Asia/Shanghai must exist on minimal hosts

	"jinqiu/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jinqiu:", err)
		if config.IsInvalid(err) || isUsage(err) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `usage: jinqiu <command> [--config PATH] [flags]

commands:
  serve     run the service: callbacks, jobs, /healthz, /readyz, /metrics
  migrate   apply database migrations and exit
  parse     print how messages are understood: jinqiu parse [--now RFC3339] [TEXT...]
  say       feed a message as if from a group: jinqiu say --platform wecom --chat CHAT --user UID [--name NAME] TEXT
  remind    print what would be sent at a time, and to whom: jinqiu remind --dry-run [--at TIME] [--until TIME]
  digest    print a weekly digest: jinqiu digest [--week 2026-W48] [--branch ID] [--platform wecom|dingtalk]
  report    print the year's programme report (双融双助): jinqiu report [--year 2026]
  grant     make a person a branch secretary: jinqiu grant --branch ID --platform wecom|dingtalk --user UID [--revoke]

Every command takes --config PATH (default ./config.yaml).
`

type usageError string

func (e usageError) Error() string { return string(e) }

func isUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// run is the whole program, testable: it returns instead of exiting.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "parse":
		return runParse(rest, stdin, stdout, stderr)
	case "say":
		return runSay(ctx, rest, stdout, stderr)
	case "remind":
		return runRemind(ctx, rest, stdout, stderr)
	case "digest":
		return runDigest(ctx, rest, stdout, stderr)
	case "report":
		return runReport(ctx, rest, stdout, stderr)
	case "grant":
		return runGrant(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usageError(fmt.Sprintf("unknown command %q", cmd))
	}
}
