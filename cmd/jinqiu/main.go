// Command jinqiu is 金秋助手, the bot of a bureau for retired cadres in its
// WeCom and DingTalk groups. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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

// subcommand is a command's name, what it does and its synopsis, for the
// list of commands and for its -h, and what runs it.
type subcommand struct {
	name, what, synopsis string
	run                  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// noStdin adapts a command that reads no standard input.
func noStdin(f func(ctx context.Context, args []string, stdout, stderr io.Writer) error) func(context.Context, []string, io.Reader, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return f(ctx, args, stdout, stderr)
	}
}

// commands are the sub-commands.
func commands() []subcommand {
	return []subcommand{
		{"serve", "run the service: callbacks, jobs, /healthz, /readyz, /metrics; stop it with SIGTERM or Ctrl-C",
			"jinqiu serve [--config PATH] [--listen ADDR] [--pprof ADDR]", noStdin(runServe)},
		{"migrate", "apply database migrations and exit",
			"jinqiu migrate [--config PATH]", noStdin(runMigrate)},
		{"parse", "print how messages are understood",
			"jinqiu parse [--config PATH] [--now RFC3339] [TEXT...]", func(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
				return runParse(args, stdin, stdout, stderr)
			}},
		{"say", "feed a message as if from a group, at a time of record if --now is given",
			"jinqiu say [--config PATH] [--platform " + platformNames("|") + "] [--chat CHAT] --user UID [--name NAME] [--now RFC3339] TEXT", noStdin(runSay)},
		{"remind", "print what would be sent at a time, and to whom",
			"jinqiu remind [--config PATH] --dry-run [--at TIME] [--until TIME]", noStdin(runRemind)},
		{"digest", "print a weekly digest, of the district or one branch",
			"jinqiu digest [--config PATH] [--week 2026-W48] [--branch ID] [--platform " + platformNames("|") + "]", noStdin(runDigest)},
		{"export", "write the bureau's workbook (台账) of a period",
			"jinqiu export [--config PATH] [--from DATE --to DATE | --month 2026-11 | --year 2026] [--branch ID] --out FILE.xlsx", noStdin(runExport)},
		{"report", "print the year's programme report (双融双助)",
			"jinqiu report [--config PATH] [--year 2026]", noStdin(runReport)},
		{"grant", "make a person a branch secretary, or withdraw it",
			"jinqiu grant [--config PATH] --branch ID --platform " + platformNames("|") + " --user UID [--revoke]", noStdin(runGrant)},
		{"console-link", "print a one-time console link for a bureau admin or a secretary, as 后台 sends it in a single chat",
			"jinqiu console-link [--config PATH] --platform " + platformNames("|") + " --user UID", noStdin(runConsoleLink)},
	}
}

// synopsis is the usage line of the named command.
func synopsis(name string) string {
	for _, c := range commands() {
		if c.name == name {
			return c.synopsis
		}
	}
	return "jinqiu " + name
}

// usage is the list of commands.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: jinqiu <command> [--config PATH] [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.what)
	}
	b.WriteString("\nEvery command takes --config PATH (default ./config.yaml) and -h for its flags;\n`jinqiu help COMMAND` is `jinqiu COMMAND -h`.\n")
	return b.String()
}

type usageError string

func (e usageError) Error() string { return string(e) }

func isUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// run is the whole program, testable: it returns instead of exiting.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" && len(rest) > 0 {
		cmd, rest = rest[0], []string{"-h"}
	}
	err := runCommand(ctx, cmd, rest, stdin, stdout, stderr)
	// -h is a question answered, not a mistake.
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func runCommand(ctx context.Context, cmd string, rest []string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd {
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	for _, c := range commands() {
		if c.name == cmd {
			return c.run(ctx, rest, stdin, stdout, stderr)
		}
	}
	fmt.Fprint(stderr, usage())
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}
