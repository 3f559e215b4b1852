package storage_test

import (
	"context"
	"errors"
	"jinqiu"
	"strconv"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// approved reports and approves hours of the member on a day of November.
func approved(t *testing.T, db *storage.DB, m jinqiu.Member, d, centihours int) jinqiu.HoursReport {
	t.Helper()
	msg := m.UserID + "-" + time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC).Format("0102")
	r, err := db.ReportHours(ctx, actor(m.UserID, msg), storage.NewReport{MemberID: m.ID, BranchID: m.BranchID, ServedOn: date(2026, 11, d), Centihours: centihours, Note: "巡逻"}, 1200)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err = db.DecideHours(ctx, actor("sec-"+m.BranchID, "ok-"+msg), "书记", m.BranchID, r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPublicity: consent is a history whose latest word counts; a 公示
// lists each approved entry once, with the name as Show decides from the
// consent; objections are taken while it is open, refused after, and for
// entries not published or of another branch; after it only a correction
// with a reason changes an entry, and the correction is kept; the final
// hours are those whose 公示 closed.
func TestPublicity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db) // 2026-11-27 10:00 Shanghai, a Friday
		zhang := mustMember(t, db, "u1", "b1")
		li := mustMember(t, db, "u2", "b1")
		other := mustMember(t, db, "u3", "b2")
		r1 := approved(t, db, zhang, 20, 200)
		r2 := approved(t, db, li, 21, 150)
		r3 := approved(t, db, other, 21, 100)

		for _, step := range []struct {
			granted, changed bool
		}{{true, true}, {true, false}, {false, true}, {true, true}} {
			changed, err := db.SetConsent(ctx, actor("u1", "c"), "张大明", step.granted)
			if err != nil || changed != step.changed {
				t.Fatalf("consent %v: changed %v, %v; want %v", step.granted, changed, err, step.changed)
			}
		}
		if ok, err := db.Consent(ctx, zhang.ID); err != nil || !ok {
			t.Errorf("consent of u1 = %v, %v", ok, err)
		}
		if ok, _ := db.Consent(ctx, li.ID); ok {
			t.Error("u2 never consented")
		}
		au, _ := db.Audit(ctx, "member:"+itoa(zhang.ID))
		if len(au) != 3 {
			t.Errorf("consent history: %d audit rows, want 3 (one per change)", len(au))
		}

		closesAt := time.Date(2026, 12, 3, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		n := storage.NewPublicity{BranchID: "b1", FromDay: date(2026, 11, 1), ToDay: date(2026, 12, 1), ClosesOn: date(2026, 12, 2), ClosesAt: closesAt,
			Show: func(e storage.PublicEntry) string {
				if e.Consented {
					return e.MemberName
				}
				return "masked:" + e.MemberName
			}}
		p, es, err := db.Publish(ctx, actor("sec1", "pub1"), "书记", n)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].HoursID != r1.ID || !es[0].Consented || es[0].Shown != "张大明" ||
			es[1].HoursID != r2.ID || es[1].Consented || es[1].Shown != "masked:"+li.DisplayName {
			t.Errorf("published %+v", es)
		}
		if _, err := db.Undo(ctx, actor("sec-b1", "undo"), t0.Add(-time.Hour)); !errors.Is(err, storage.ErrUndoTooLate) {
			t.Errorf("undoing the approval of a published entry: %v", err)
		}
		if _, _, err := db.Publish(ctx, actor("sec1", "pub2"), "书记", n); !errors.Is(err, storage.ErrNothingToPublish) {
			t.Errorf("second 公示 of the same entries: %v", err)
		}

		if _, err := db.Object(ctx, actor("u2", "o1"), "李四", "b1", r2.ID, "日期不对"); err != nil {
			t.Errorf("objection while open: %v", err)
		}
		if _, err := db.Object(ctx, actor("u2", "o2"), "李四", "b1", r3.ID, "x"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("objection to another branch's entry: %v", err)
		}
		r4 := approved(t, db, li, 22, 50)
		if _, err := db.Object(ctx, actor("u2", "o3"), "李四", "b1", r4.ID, "x"); !errors.Is(err, storage.ErrNotPublished) {
			t.Errorf("objection to an entry not published: %v", err)
		}
		r := storage.ExportRange{FromDay: date(2026, 11, 1), ToDay: date(2026, 12, 1), AsOf: t0}
		if fin, err := db.FinalCentihours(ctx, r); err != nil || fin["b1"] != 0 {
			t.Errorf("final while open: %v, %v", fin, err)
		}

		// After the closing day.
		db.Now = func() time.Time { return closesAt }
		if _, err := db.Object(ctx, actor("u2", "o4"), "李四", "b1", r2.ID, "晚了"); !errors.Is(err, storage.ErrPublicityClosed) {
			t.Errorf("objection after the 公示: %v", err)
		}
		r.AsOf = closesAt
		if fin, _ := db.FinalCentihours(ctx, r); fin["b1"] != 350 {
			t.Errorf("final after it closed: %v, want b1 350 (r4 is not published)", fin)
		}
		if _, err := db.CorrectHours(ctx, actor("sec1", "fix0"), "书记", "b1", r2.ID, 100, ""); !errors.Is(err, storage.ErrNoReason) {
			t.Errorf("correction without a reason: %v", err)
		}
		c, err := db.CorrectHours(ctx, actor("sec1", "fix1"), "书记", "b1", r2.ID, 100, "核实为1小时")
		if err != nil || c.CentiBefore != 150 || c.CentiAfter != 100 {
			t.Fatalf("correction %+v, %v", c, err)
		}
		got, _ := db.HoursReport(ctx, "b1", r2.ID)
		cs, _ := db.Corrections(ctx, r2.ID)
		if got.Centihours != 100 || len(cs) != 1 || cs[0].Reason != "核实为1小时" {
			t.Errorf("after correction: %d centihours, corrections %+v", got.Centihours, cs)
		}
		if fin, _ := db.FinalCentihours(ctx, r); fin["b1"] != 300 {
			t.Errorf("final after correction: %v, want 300", fin)
		}
		if pub, err := db.EntryPublicity(ctx, "b1", r1.ID); err != nil || pub.ID != p.ID || !pub.ClosesOn.Equal(date(2026, 12, 2)) {
			t.Errorf("entry publicity %+v, %v", pub, err)
		}
		var rows, final int
		if err := db.EachLedgerEntry(ctx, r, func(e storage.LedgerEntry) error {
			rows++
			if e.Final {
				final += e.Centihours
			}
			if e.ID == r2.ID && (e.Objections != 1 || e.Corrections != 1) {
				t.Errorf("ledger entry %+v: want 1 objection, 1 correction", e)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if rows != 4 || final != 300 {
			t.Errorf("ledger: %d rows, %d final centihours; want 4, 300", rows, final)
		}
	})
}

// TestDownloadLink: a link grants its scope until it expires; a token
// never given is not found, and only the token's hash is stored.
func TestDownloadLink(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		fixedClock(db)
		l := storage.DownloadLink{BranchID: "b1", FromDay: date(2026, 11, 1), ToDay: date(2026, 12, 1), ExpiresAt: t0.Add(15 * time.Minute)}
		if err := db.NewDownloadLink(ctx, actor("sec1", "x"), "secret-token", l); err != nil {
			t.Fatal(err)
		}
		got, err := db.UseDownloadLink(ctx, "secret-token")
		if err != nil || got.BranchID != "b1" || !got.FromDay.Equal(l.FromDay) {
			t.Errorf("use: %+v, %v", got, err)
		}
		if _, err := db.UseDownloadLink(ctx, "secret-tokem"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("forged: %v", err)
		}
		var stored int
		if err := db.X().GetContext(ctx, &stored, "SELECT COUNT(*) FROM download_links WHERE token_hash = 'secret-token'"); err != nil || stored != 0 {
			t.Errorf("the token itself is stored (%d, %v)", stored, err)
		}
		db.Now = func() time.Time { return t0.Add(15 * time.Minute) }
		if _, err := db.UseDownloadLink(ctx, "secret-token"); !errors.Is(err, storage.ErrLinkExpired) {
			t.Errorf("expired: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAtomically: the writes of several storage calls under one context of
// Atomically commit together, or none of them when the work fails; the
// console's 公示 and its push rely on it.
func TestAtomically(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		zhang := mustMember(t, db, "u1", "b1")
		push := storage.Outbound{DedupKey: "atomic", Platform: "wecom", Robot: "r", Target: "{}", Body: "{}"}
		work := func(fail error) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				if _, err := db.SetConsent(ctx, actor("u1", "c1"), "张大明", true); err != nil {
					return err
				}
				if err := db.Enqueue(ctx, push); err != nil {
					return err
				}
				return fail
			}
		}
		state := func() (bool, int) {
			t.Helper()
			ok, err := db.Consent(ctx, zhang.ID)
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.X().Get(&n, "SELECT COUNT(*) FROM outbox WHERE dedup_key = ?", "atomic"); err != nil {
				t.Fatal(err)
			}
			return ok, n
		}
		boom := errors.New("refused after both writes")
		if err := db.Atomically(ctx, work(boom)); !errors.Is(err, boom) {
			t.Fatalf("failed work: %v", err)
		}
		if ok, n := state(); ok || n != 0 {
			t.Errorf("after the failed work: consent %v, %d outbox rows; want neither", ok, n)
		}
		if err := db.Atomically(ctx, work(nil)); err != nil {
			t.Fatal(err)
		}
		if ok, n := state(); !ok || n != 1 {
			t.Errorf("after the work: consent %v, %d outbox rows; want both", ok, n)
		}
	})
}
