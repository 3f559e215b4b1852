package storage_test

import (
	"context"
	"errors"
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func mustExec(t *testing.T, db *storage.DB, q string, args ...any) int64 {
	t.Helper()
	res, err := db.X().Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	id, _ := res.LastInsertId()
	return id
}

func at(m time.Month, d, h, min, s int) time.Time {
	return time.Date(2026, m, d, h, min, s, 0, shanghai)
}

func u(t time.Time) time.Time { return t.UTC() }

func TestRemindQueries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		created := u(at(11, 1, 0, 0, 0))
		act := func(title string, starts time.Time, state string) int64 {
			return mustExec(t, db, `INSERT INTO activities (branch_id, title, place, starts_at, ends_at, state, created_by, created_at)
				VALUES ('b1', ?, '活动室', ?, ?, ?, 0, ?)`, title, u(starts), u(starts.Add(time.Hour)), state, created)
		}
		a1 := act("理发", at(11, 28, 9, 0, 0), "open")
		act("取消", at(11, 28, 9, 30, 0), "cancelled")
		act("后天", at(11, 29, 9, 0, 0), "open")
		got, err := db.UpcomingActivities(ctx, [2]time.Time{at(11, 28, 0, 0, 0), at(11, 29, 0, 0, 0)}, [2]time.Time{at(12, 1, 0, 0, 0), at(11, 30, 0, 0, 0)})
		if err != nil || len(got) != 1 || got[0].ID != a1 || !got[0].StartsAt.Equal(at(11, 28, 9, 0, 0)) || got[0].Place != "活动室" {
			t.Fatalf("upcoming = %+v, %v", got, err)
		}
		m := func(platform, uid, name string) int64 {
			return mustExec(t, db, "INSERT INTO members (platform, user_id, display_name, branch_id, registered_at, created_at) VALUES (?, ?, ?, 'b1', ?, ?)",
				platform, uid, name, created, created)
		}
		sign := func(member int64, state string, seq int) {
			mustExec(t, db, "INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				a1, member, state, seq, created, created)
		}
		sign(m("wecom", "u2", "李四"), "confirmed", 2)
		sign(m("wecom", "u1", "张三 👴🏻"), "confirmed", 1)
		sign(m("wecom", "u3", "王五"), "waiting", 3)
		sign(m("dingtalk", "u4", "赵六"), "cancelled", 4)

		mustExec(t, db, "INSERT INTO meetings (branch_id, kind, held_on, recorder_id, created_at) VALUES ('b1', 'committee', '2026-11-30', 0, ?)", created)
		var groups []jinqiu.Group
		var secs []jinqiu.Identity
		var held, notHeld bool
		rows, err := db.Preview(ctx, func(ctx context.Context, tx *storage.Tx) ([]storage.Outbound, error) {
			a, ss, err := tx.ReminderActivity(ctx, a1)
			if err != nil {
				return nil, err
			}
			if a.State != "open" || len(ss) != 2 || ss[0].DisplayName != "张三 👴🏻" || ss[1].UserID != "u2" || ss[0].Platform != "wecom" {
				t.Errorf("signees = %+v", ss)
			}
			if _, _, err := tx.ReminderActivity(ctx, 9999); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("missing activity: %v", err)
			}
			if groups, err = tx.GroupsOf(ctx, ""); err != nil {
				return nil, err
			}
			if secs, err = tx.SecretariesOf(ctx, "b1"); err != nil {
				return nil, err
			}
			held, _ = tx.MeetingHeld(ctx, "b1", "committee", at(11, 1, 0, 0, 0), at(12, 1, 0, 0, 0))
			notHeld, _ = tx.MeetingHeld(ctx, "b1", "committee", at(12, 1, 0, 0, 0), at(1, 1, 0, 0, 0).AddDate(1, 0, 0))
			return []storage.Outbound{{DedupKey: "x"}}, nil
		})
		if err != nil || len(rows) != 1 {
			t.Fatalf("preview = %v, %v", rows, err)
		}
		if len(groups) != 1 || groups[0].ChatID != "bureau" || len(secs) != 1 || secs[0] != (jinqiu.Identity{Platform: "wecom", UserID: "sec1"}) || !held || notHeld {
			t.Errorf("groups %v, secretaries %v, held %v/%v", groups, secs, held, notHeld)
		}
		// Preview writes nothing: its rows are only returned.
		counts, _ := db.OutboxCounts(ctx)
		if len(counts) != 0 {
			t.Errorf("preview wrote outbox rows: %v", counts)
		}

		if _, err := db.NewestSlot(ctx); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("newest slot of an empty table: %v", err)
		}
		for _, s := range []time.Time{at(11, 23, 9, 0, 0), at(11, 30, 9, 0, 0), at(11, 29, 18, 0, 0)} {
			if _, err := db.ClaimSlot(ctx, "j", s, "r", nil); err != nil {
				t.Fatal(err)
			}
		}
		db.RecordMissed(ctx, "k", at(11, 29, 9, 0, 0), "r")
		newest, err := db.NewestSlot(ctx)
		if err != nil || !newest.Equal(at(11, 30, 9, 0, 0)) {
			t.Errorf("newest = %s, %v", newest, err)
		}
		runs, err := db.SlotsBetween(ctx, at(11, 29, 9, 0, 0), at(11, 30, 9, 0, 0))
		if err != nil || len(runs) != 3 || runs[0].State != storage.JobMissed || !runs[2].Slot.Equal(at(11, 30, 9, 0, 0)) {
			t.Errorf("slots between = %+v, %v", runs, err)
		}
	})
}
