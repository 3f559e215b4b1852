package console_test

import (
	"strings"
	"testing"
	"time"

	"jinqiu/storage"
	"jinqiu/storage/storagetest"
)

// TestOverviewShowsTheProgramme: the bureau's overview has the
// programme's figures of the year so far, a secretary's has none.
func TestOverviewShowsTheProgramme(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		w := newWorld(t, db)
		w.member(chatA, "ma", "2 打扫楼道")
		w.say(chatA, secA, "名ma 担任 3号楼楼栋长")
		w.say(chatA, secA, "顾问团议事 小区停车位改造 参加5人 已采纳")
		w.advance(time.Minute) // figures count up to now, not including it
		bureau := w.client()
		bureau.login(admin)
		_, over := bureau.get("/console/")
		for _, want := range []string{"双融双助（今年以来）", "楼栋长 1", "顾问团 1 个，参与决策 1 项，其中采纳 1 项"} {
			if !strings.Contains(over, want) {
				t.Errorf("the bureau's overview lacks %q", want)
			}
		}
		sec := w.client()
		sec.login(secA)
		if _, over := sec.get("/console/"); strings.Contains(over, "双融双助") {
			t.Errorf("a secretary's overview has the district's programme")
		}
	})
}
