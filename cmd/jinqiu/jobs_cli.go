package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"strings"
	"time"

	"jinqiu/handlers/say"
	"jinqiu/outbox"
	"jinqiu/storage"
)

// parseWhen reads a time given on the command line: RFC 3339, or a wall
// time "2006-01-02 15:04" / "2006-01-02T15:04" / "2006-01-02" in loc.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(loc), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time such as 2026-11-23T09:00 or 2026-11-23T09:00:00+08:00", s)
}

// runRemind prints what the scheduler would send at a time, and to whom,
// without sending or claiming anything.
func runRemind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("remind", stderr)
	dry := fs.Bool("dry-run", false, "print what would be sent; required (the service sends)")
	at := fs.String("at", "", "the time to look at, in the configured zone unless an offset is given (default: now)")
	until := fs.String("until", "", "show everything due from --at up to this time instead of the one minute of --at")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if !*dry || fs.NArg() > 0 {
		return usageError("usage: " + synopsis("remind") + " (only the dry run exists: `jinqiu serve` sends)")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	from := time.Now().In(cfg.Location)
	if *at != "" {
		if from, err = parseWhen(*at, cfg.Location); err != nil {
			return usageError("--at: " + err.Error())
		}
	}
	from = from.Truncate(time.Minute)
	to := from.Add(time.Minute - time.Nanosecond)
	if *until != "" {
		u, err := parseWhen(*until, cfg.Location)
		if err != nil {
			return usageError("--until: " + err.Error())
		}
		if u.Before(from) {
			return usageError("--until is before --at")
		}
		to = u
	}
	a, err := openApp(ctx, cfg, quietLog(stderr))
	if err != nil {
		return err
	}
	defer a.close()
	s, err := newScheduler(a, "dry-run")
	if err != nil {
		return err
	}
	planned, err := s.DryRun(ctx, from, to)
	if err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if len(planned) == 0 {
		fmt.Fprintf(out, "nothing is due from %s to %s (%s)\n", from.Format("2006-01-02 15:04"), to.Format("2006-01-02 15:04"), cfg.Timezone)
		return nil
	}
	for _, p := range planned {
		f := p.Fire
		fmt.Fprintf(out, "%s %s %s  %s\n", f.Slot.Format("2006-01-02 15:04"), say.Weekday(f.Slot), f.Job, f.Describe())
		if p.Recorded != "" {
			fmt.Fprintf(out, "  (slot already %s in job_runs: the service will not send it again)\n", p.Recorded)
		}
		if len(p.Rows) == 0 {
			fmt.Fprintln(out, "  nothing to send: every meeting is recorded, nobody signed up, or the branch has no group")
		}
		for _, row := range p.Rows {
			addr, r, err := outbox.Decode(storage.OutboxRow{Target: row.Target, Body: row.Body})
			if err != nil {
				return fmt.Errorf("remind: %w", err)
			}
			to := string(addr.Platform) + "/" + addr.ChatID
			if len(r.Mentions) > 0 {
				to += "  @" + strings.Join(r.Mentions, " @")
			}
			if p.NoWebhook[jinqiu.Group{Platform: addr.Platform, ChatID: addr.ChatID}] {
				to += "  (no webhook configured for this group: not sent)"
			}
			fmt.Fprintf(out, "  → %s\n", to)
			body := r.Text
			if r.Markdown != "" {
				body = r.Markdown
			}
			for _, l := range strings.Split(body, "\n") {
				fmt.Fprintf(out, "    %s\n", l)
			}
		}
	}
	return nil
}

// knownBranch returns nil if the database has the branch, else an error
// that lists the ids it has.
func knownBranch(ctx context.Context, db *storage.DB, id string) error {
	_, err := db.Branch(ctx, id)
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	bs, err := db.Branches(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, b := range bs {
		ids = append(ids, b.ID)
	}
	if len(ids) == 0 {
		return fmt.Errorf("unknown branch %q: the database has no branches (branches[] in the configuration)", id)
	}
	return fmt.Errorf("unknown branch %q: the branches are %s (branches[].id in the configuration)", id, strings.Join(ids, ", "))
}

// runDigest prints a weekly digest: the district's, or one branch's.
func runDigest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("digest", stderr)
	week := fs.String("week", "", "ISO week, e.g. 2026-W48 (default: last week, as the Monday digest)")
	branch := fs.String("branch", "", "a branch id: that branch's digest, with its inactive members named")
	platform := fs.String("platform", string(registry().Names()[0]), "render for "+platformNames(" or ")+" (the parts as they would be sent)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if _, ok := registry().Get(jinqiu.Platform(*platform)); fs.NArg() > 0 || !ok {
		return usageError("usage: " + synopsis("digest"))
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	start := jinqiu.WeekStart(time.Now(), cfg.Location).AddDate(0, 0, -7)
	if *week != "" {
		if start, err = jinqiu.ParseWeek(*week, cfg.Location); err != nil {
			return usageError("--week: " + err.Error())
		}
	}
	a, err := openApp(ctx, cfg, quietLog(stderr))
	if err != nil {
		return err
	}
	defer a.close()
	if *branch != "" {
		if err := knownBranch(ctx, a.db, *branch); err != nil {
			return err
		}
	}
	d, err := a.reports.Week(ctx, start, *branch)
	if err != nil {
		return err
	}
	// The period first, in plain dates: the digest's own title names the
	// ISO week, which few people can place.
	last := jinqiu.AddDays(d.To, -1)
	fmt.Fprintf(stdout, "week %d-W%02d: %s to %s (%s)", d.Year, d.Week, d.From.Format("2006-01-02"), last.Format("2006-01-02"), cfg.Timezone)
	if d.AsOf.Before(d.To) {
		fmt.Fprintf(stdout, ", figures as of %s", d.AsOf.In(cfg.Location).Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(stdout)
	replies := cfg.Platforms.Parts(jinqiu.Platform(*platform), say.Digest(d), say.Continued)
	if len(replies) > 0 && replies[0].Title != "" {
		fmt.Fprintf(stdout, "title: %s\n\n", replies[0].Title)
	}
	for i, r := range replies {
		if i > 0 {
			fmt.Fprintf(stdout, "\n----- message %d of %d (%d bytes) -----\n", i+1, len(replies), len(r.Markdown))
		}
		fmt.Fprintln(stdout, r.Markdown)
	}
	return nil
}

// runReport prints the programme report of a year: the whole year once it
// is over, else the year so far.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("report", stderr)
	year := fs.Int("year", 0, "the calendar year, e.g. 2026 (default: this year)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 || *year < 0 || (*year != 0 && (*year < 2000 || *year > 9999)) {
		return usageError("usage: " + synopsis("report"))
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	now := time.Now().In(cfg.Location)
	if *year == 0 {
		*year = now.Year()
	}
	a, err := openApp(ctx, cfg, quietLog(stderr))
	if err != nil {
		return err
	}
	defer a.close()
	p, err := a.reports.Year(ctx, *year)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	for _, l := range (say.Words{Year: now.Year()}).Programme(p) {
		fmt.Fprintln(out, l)
	}
	return nil
}
