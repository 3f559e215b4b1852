package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"jinqiu"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"jinqiu/workbook"
)

// runExport writes the bureau's workbook of a period to a file.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("export", stderr)
	from := fs.String("from", "", "first day, 2026-11-01 (with --to)")
	to := fs.String("to", "", "last day, included, 2026-11-30 (with --from)")
	month := fs.String("month", "", "a calendar month, 2026-11")
	year := fs.String("year", "", "a calendar year, 2026")
	branch := fs.String("branch", "", "one branch's workbook (default: the district)")
	out := fs.String("out", "", "the file to write, e.g. 台账.xlsx")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError("usage: " + synopsis("export"))
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	start, end, err := exportPeriod(time.Now().In(cfg.Location), cfg.Location, *from, *to, *month, *year)
	if err != nil {
		return usageError(err.Error() + "\nusage: " + synopsis("export"))
	}
	a, err := openApp(ctx, cfg, quietLog(stderr))
	if err != nil {
		return err
	}
	defer a.close()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(workbook.MemoryLimit)
	}
	tmp := *out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	t, err := a.workbook().Write(ctx, w, workbook.Request{From: start, To: end, BranchID: *branch})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	filter := exportFilter(start, end, *branch)
	if err := a.db.RecordExport(ctx, jinqiu.Actor{Platform: "cli", UserID: "operator"}, filter, t.LedgerRows); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s, %d hours entries (%s h, %s h final), %d activities, %d meetings, %d registrations\n",
		*out, filter, t.LedgerRows, strconv.FormatFloat(float64(t.LedgerHours)/100, 'f', 2, 64), strconv.FormatFloat(float64(t.FinalHours)/100, 'f', 2, 64),
		t.Activities, t.Meetings, t.Registrations)
	return nil
}

// exportFilter names what a workbook covers, for the audit log.
func exportFilter(from, to time.Time, branch string) string {
	s := from.Format(time.DateOnly) + ".." + jinqiu.AddDays(to, -1).Format(time.DateOnly)
	if branch != "" {
		s += " branch:" + branch
	}
	return s
}

// exportPeriod reads the period flags: days [from, to) as midnights in loc;
// none is this month.
func exportPeriod(now time.Time, loc *time.Location, from, to, month, year string) (time.Time, time.Time, error) {
	given := 0
	for _, s := range []string{from + to, month, year} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return time.Time{}, time.Time{}, errors.New("give one of --from/--to, --month, --year")
	}
	switch {
	case month != "":
		m, err := time.ParseInLocation("2006-01", month, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--month %q is not a month such as 2026-11", month)
		}
		return m, m.AddDate(0, 1, 0), nil
	case year != "":
		y, err := time.ParseInLocation("2006", year, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--year %q is not a year such as 2026", year)
		}
		return y, y.AddDate(1, 0, 0), nil
	case from != "" || to != "":
		f, err1 := time.ParseInLocation(time.DateOnly, from, loc)
		t, err2 := time.ParseInLocation(time.DateOnly, to, loc)
		if err1 != nil || err2 != nil {
			return time.Time{}, time.Time{}, errors.New("--from and --to are days such as 2026-11-01, given together")
		}
		if t.Before(f) {
			return time.Time{}, time.Time{}, errors.New("--to is before --from")
		}
		return f, jinqiu.AddDays(t, 1), nil
	}
	f, t := jinqiu.Month(now, 0)
	return f, t, nil
}
