package storage_test

import (
	"errors"
	"jinqiu"
	"strconv"
	"testing"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestPostsKeepTheirHistory(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		m := mustMember(t, db, "u1", "b1")
		n := storage.NewPost{MemberID: m.ID, BranchID: "b1", Position: "3号楼楼栋长", Kind: jinqiu.BuildingHead, StartedOn: date(2026, 11, 1)}
		p, already, err := db.Appoint(ctx, actor("sec1", "a1"), "书记", n)
		if err != nil || already || !p.Held() || p.Position != "3号楼楼栋长" || p.Kind != jinqiu.BuildingHead || p.MsgID != "a1" || p.RecorderID == 0 {
			t.Fatalf("appoint = %+v, %v, %v", p, already, err)
		}
		if again, already, err := db.Appoint(ctx, actor("sec1", "a2"), "书记", n); err != nil || !already || again.ID != p.ID {
			t.Fatalf("appoint again = %+v, %v, %v", again, already, err)
		}
		ended, err := db.Resign(ctx, actor("sec1", "r1"), "书记", p.ID, date(2026, 11, 20))
		if err != nil || ended.Held() || ended.EndedOn.Format("2006-01-02") != "2026-11-20" || ended.StartedOn.Format("2006-01-02") != "2026-11-01" {
			t.Fatalf("resign = %+v, %v", ended, err)
		}
		if _, err := db.Resign(ctx, actor("sec1", "r2"), "书记", p.ID, date(2026, 11, 21)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("resign twice: %v, want ErrNotFound (the end is not moved)", err)
		}
		// Taken again: a new row beside the ended one.
		n.StartedOn = date(2026, 11, 25)
		p2, already, err := db.Appoint(ctx, actor("sec1", "a3"), "书记", n)
		if err != nil || already || p2.ID == p.ID {
			t.Fatalf("appoint after resign = %+v, %v, %v", p2, already, err)
		}
		held, err := db.Posts(ctx, m.ID, false)
		if err != nil || len(held) != 1 || held[0].ID != p2.ID {
			t.Errorf("held = %+v, %v", held, err)
		}
		all, err := db.Posts(ctx, m.ID, true)
		if err != nil || len(all) != 2 || all[0].ID != p.ID || all[0].EndedOn.IsZero() {
			t.Errorf("history = %+v, %v", all, err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE object IN (?, ?)", "post:"+strconv.FormatInt(p.ID, 10), "post:"+strconv.FormatInt(p2.ID, 10)); got != 3 {
			t.Errorf("audit rows = %d, want 3 (two appointments, one resignation)", got)
		}
	})
}

func TestDecisionsAndNominations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		yes := true
		d, already, err := db.RecordDecision(ctx, actor("sec1", "d1"), "书记", storage.NewDecision{BranchID: "b1", Topic: "停车位改造", DecidedOn: date(2026, 11, 26), Present: 5, Adopted: &yes})
		if err != nil || already || d.Adopted == nil || !*d.Adopted || d.Present != 5 {
			t.Fatalf("decision = %+v, %v, %v", d, already, err)
		}
		if _, already, err := db.RecordDecision(ctx, actor("sec1", "d2"), "书记", storage.NewDecision{BranchID: "b1", Topic: "停车位改造", DecidedOn: date(2026, 11, 26)}); err != nil || !already {
			t.Fatalf("same topic and day: already %v, %v", already, err)
		}
		open, _, err := db.RecordDecision(ctx, actor("sec1", "d3"), "书记", storage.NewDecision{BranchID: "b2", Topic: "暖气", DecidedOn: date(2026, 11, 26)})
		if err != nil || open.Adopted != nil {
			t.Fatalf("adoption not said = %+v, %v: want nil, never false", open, err)
		}
		if _, _, err := db.RecordDecision(ctx, actor("sec1", "d4"), "书记", storage.NewDecision{BranchID: "nope", Topic: "x", DecidedOn: date(2026, 11, 26)}); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown branch: %v", err)
		}

		m := mustMember(t, db, "u1", "b1")
		n, already, err := db.Nominate(ctx, actor("sec1", "n1"), "书记", m.ID, "b1", "带领20名老党员清理小区杂物")
		if err != nil || already || n.State != jinqiu.Nominated || n.MemberName != "名u1" || n.Deeds != "带领20名老党员清理小区杂物" {
			t.Fatalf("nominate = %+v, %v, %v", n, already, err)
		}
		if again, already, err := db.Nominate(ctx, actor("sec1", "n2"), "书记", m.ID, "b1", "别的"); err != nil || !already || again.ID != n.ID || again.Deeds != n.Deeds {
			t.Fatalf("nominate again = %+v, %v, %v", again, already, err)
		}
		if os, err := db.OpenNominations(ctx, 5); err != nil || len(os) != 1 {
			t.Fatalf("open = %+v, %v", os, err)
		}
		c, already, err := db.Commend(ctx, actor("admin", "c1"), "局", n.ID)
		if err != nil || already || c.State != jinqiu.Commended || c.CommendedAt.IsZero() || c.CommendedBy == 0 || c.Deeds != n.Deeds {
			t.Fatalf("commend = %+v, %v, %v", c, already, err)
		}
		if _, already, err := db.Commend(ctx, actor("admin", "c2"), "局", n.ID); err != nil || !already {
			t.Fatalf("commend again: already %v, %v", already, err)
		}
		if _, _, err := db.Commend(ctx, actor("admin", "c3"), "局", 999); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("commend unknown: %v", err)
		}
		if os, err := db.OpenNominations(ctx, 5); err != nil || len(os) != 0 {
			t.Fatalf("open after commending = %+v, %v", os, err)
		}
		// A member commended may be nominated again, for new deeds.
		if n2, already, err := db.Nominate(ctx, actor("sec1", "n3"), "书记", m.ID, "b1", "帮扶独居老人"); err != nil || already || n2.ID == n.ID {
			t.Fatalf("nominate after commendation = %+v, %v, %v", n2, already, err)
		}
	})
}

func TestSyncPlacesAndDivisionCode(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		spec := func(places ...jinqiu.Place) []storage.BranchSpec {
			return []storage.BranchSpec{{Branch: jinqiu.Branch{ID: "b1", Name: "粥店社区", Town: "粥店街道", Kind: jinqiu.Community, DivisionCode: "370911002001"}, Places: places}}
		}
		room := jinqiu.Place{Name: "党员活动室", Kind: jinqiu.ActivityRoom}
		hall := jinqiu.Place{Name: "金秋讲堂", Kind: jinqiu.Lectern}
		if err := db.SyncConfig(ctx, spec(room, hall), nil); err != nil {
			t.Fatal(err)
		}
		b, err := db.Branch(ctx, "b1")
		if err != nil || b.DivisionCode != "370911002001" {
			t.Fatalf("branch = %+v, %v", b, err)
		}
		hall.Kind = jinqiu.TeachingSite
		if err := db.SyncConfig(ctx, spec(hall), nil); err != nil {
			t.Fatal(err)
		}
		ps, err := db.Places(ctx)
		if err != nil || len(ps) != 1 || ps[0].Name != "金秋讲堂" || ps[0].Kind != jinqiu.TeachingSite || ps[0].BranchID != "b1" {
			t.Fatalf("places = %+v, %v: want the configured one, with its new kind", ps, err)
		}
	})
}
