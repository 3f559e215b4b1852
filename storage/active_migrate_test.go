package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"jinqiu/storage/storagetest"
)

// TestActiveDaysBackfilledByReplicasTogether: a database written before
// 0012 (events on both sides of Shanghai's midnight, in UTC) is migrated
// by three replicas at once: each succeeds, the backfill runs under the
// lock, and the kept days are the events' in the configured zone; run
// again after a crash left 0012 dirty, it changes nothing.
func TestActiveDaysBackfilledByReplicasTogether(t *testing.T) {
	for _, dialect := range storagetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			old, driver, dsn := openAt(t, dialect, 11)
			for _, q := range []string{
				"INSERT INTO branches (id, name, town, kind, updated_at) VALUES ('b1', '枣行社区', '城关街道', 'community', '2026-11-01 00:00:00')",
				"INSERT INTO branches (id, name, town, kind, updated_at) VALUES ('b2', '史家庄村', '王庄镇', 'rural', '2026-11-01 00:00:00')",
				"INSERT INTO members (id, platform, user_id, display_name, branch_id, created_at) VALUES (1, 'wecom', 'u1', '张三', 'b1', '2026-11-01 00:00:00')",
				"INSERT INTO members (id, platform, user_id, display_name, branch_id, created_at) VALUES (2, 'wecom', 'u2', '李四', 'b2', '2026-11-01 00:00:00')",
				"INSERT INTO activities (id, branch_id, title, place, starts_at, ends_at, capacity, taken, next_seq, state, created_by, created_at) VALUES (1, 'b1', '清理', '社区', '2026-11-20 15:00:00', '2026-11-20 17:00:00', 5, 2, 3, 'open', 1, '2026-11-19 00:00:00')",
				"INSERT INTO activities (id, branch_id, title, place, starts_at, ends_at, capacity, taken, next_seq, state, created_by, created_at) VALUES (2, 'b2', '讲解', '村', '2026-11-21 01:00:00', '2026-11-21 03:00:00', 5, 1, 2, 'cancelled', 1, '2026-11-19 00:00:00')",
				// 23:50 and 00:10 in Shanghai: the 20th and the 21st.
				"INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (1, 1, 'confirmed', 1, '2026-11-20 15:50:00', '2026-11-20 15:50:00')",
				"INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (1, 2, 'cancelled', 2, '2026-11-20 16:10:00', '2026-11-20 16:20:00')",
				"INSERT INTO signups (activity_id, member_id, state, seq, created_at, updated_at) VALUES (2, 1, 'confirmed', 1, '2026-11-19 03:00:00', '2026-11-19 03:00:00')",
				"INSERT INTO checkins (activity_id, member_id, checked_at) VALUES (1, 1, '2026-11-20 16:05:00')",
				"INSERT INTO hours_reports (member_id, branch_id, served_on, centihours, state, created_at) VALUES (2, 'b2', '2026-11-18', 100, 'void', '2026-11-18 02:00:00')",
			} {
				if _, err := old.X().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			dbs := migrateTogether(t, driver, dsn, 3)
			sh, _ := time.LoadLocation("Asia/Shanghai")
			want := []activeDay{{"2026-11-18", "b2", 2}, {"2026-11-19", "b2", 1}, {"2026-11-20", "b1", 1}, {"2026-11-21", "b1", 1}, {"2026-11-21", "b1", 2}}
			if got := keptDays(t, dbs[0]); !slices.Equal(got, want) || !slices.Equal(got, eventDays(t, dbs[0], sh)) {
				t.Fatalf("backfilled by replicas together: %v, want %v", got, want)
			}
			if _, err := dbs[0].X().Exec("UPDATE schema_migrations SET dirty = 1 WHERE version = 12"); err != nil {
				t.Fatal(err)
			}
			if err := dbs[1].Migrate(ctx); err != nil {
				t.Fatalf("finishing a dirty 0012: %v", err)
			}
			if got := keptDays(t, dbs[0]); !slices.Equal(got, want) {
				t.Fatalf("after 0012 ran again: %v, want %v", got, want)
			}
		})
	}
}
