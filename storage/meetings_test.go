package storage_test

import (
	"jinqiu"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

func TestRecordMeeting(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		seed(t, db)
		fixedClock(db)
		n := storage.NewMeeting{BranchID: "b1", Kind: jinqiu.Committee, HeldOn: date(2026, 11, 18), Topic: "学习会议精神"}
		m, already, err := db.RecordMeeting(ctx, actor("sec1", "r1"), "书记", n)
		if err != nil || already || m.HeldOn.Format(time.DateOnly) != "2026-11-18" || m.Topic != "学习会议精神" || m.RecorderID == 0 {
			t.Fatalf("record = %+v, %v, %v", m, already, err)
		}
		n.Topic = "另一个"
		m2, already, err := db.RecordMeeting(ctx, actor("sec1", "r2"), "书记", n)
		if err != nil || !already || m2.ID != m.ID || m2.Topic != "学习会议精神" {
			t.Fatalf("repeat = %+v, %v, %v", m2, already, err)
		}
		db.RecordMeeting(ctx, actor("sec1", "r3"), "书记", storage.NewMeeting{BranchID: "b1", Kind: jinqiu.Lecture, HeldOn: date(2026, 10, 30)})
		db.RecordMeeting(ctx, actor("sec2", "r4"), "", storage.NewMeeting{BranchID: "b2", Kind: jinqiu.PartyGroup, HeldOn: date(2026, 11, 2)})
		ms, err := db.Meetings(ctx, "b1", date(2026, 11, 1), date(2026, 12, 1))
		if err != nil || len(ms) != 1 || ms[0].Kind != jinqiu.Committee {
			t.Errorf("november b1 = %+v, %v", ms, err)
		}
		ms, err = db.Meetings(ctx, "b1", date(2026, 10, 1), date(2026, 11, 19))
		if err != nil || len(ms) != 2 || ms[0].Kind != jinqiu.Lecture {
			t.Errorf("oct–nov 18 b1 = %+v, %v", ms, err)
		}
		all, err := db.AllMeetings(ctx, date(2026, 11, 1), date(2026, 12, 1))
		if err != nil || len(all) != 2 || all[0].BranchID != "b1" || all[1].BranchID != "b2" {
			t.Errorf("all = %+v, %v", all, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'record_meeting'"); n != 3 {
			t.Errorf("audit rows = %d, want 3 (the repeat changes nothing)", n)
		}
	})
}
