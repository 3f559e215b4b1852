package console

import (
	"jinqiu"
	"math"
	"testing"
	"time"
)

func TestAxisTop(t *testing.T) {
	for _, v := range []float64{0, 0.5, 3, 4, 5, 9, 31.5, 99, 100, 101, 12345} {
		for _, frac := range []bool{false, true} {
			top := axisTop(v, frac)
			step := top / ticksPerPanel
			p := math.Pow(10, math.Floor(math.Log10(step)))
			m := step / p
			round := m == 1 || m == 2 || m == 5 || (frac && m == 2.5)
			if top < v || top < ticksPerPanel || !round {
				t.Errorf("axisTop(%v, %v) = %v: step %v", v, frac, top, step)
			}
			if !frac && step != math.Trunc(step) {
				t.Errorf("axisTop(%v) has a step of %v people", v, step)
			}
			if v >= ticksPerPanel && top > 2.5*v {
				t.Errorf("axisTop(%v, %v) = %v wastes the panel", v, frac, top)
			}
		}
	}
}

func TestChartBarsFromZero(t *testing.T) {
	from := time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)
	var weeks []week
	for i := range chartWeeks {
		weeks = append(weeks, week{From: jinqiu.AddDays(from, 7*i), Active: i * 3, Centihours: i * 150})
	}
	c := chartOf(weeks)
	for _, p := range []panel{c.Active, c.Hours} {
		if len(p.Bars) != chartWeeks || p.Ticks[0].Y != plotBottom || p.Ticks[len(p.Ticks)-1].Y != plotTop {
			t.Fatalf("panel %+v", p)
		}
		for i, b := range p.Bars {
			if b.Y+b.H != plotBottom || b.X < plotL || b.X+b.W > plotR {
				t.Errorf("bar %d %+v leaves the plot", i, b)
			}
			if i > 0 && b.H <= p.Bars[i-1].H {
				t.Errorf("bar %d is not higher than the one before for a higher value", i)
			}
		}
	}
	if c.Active.Bars[0].H != 0 || c.Active.Bars[1].Label != "9/14" || c.Hours.Bars[2].Value != "3" {
		t.Errorf("bars %+v %+v", c.Active.Bars[:2], c.Hours.Bars[2])
	}
}

func TestRankSharesTies(t *testing.T) {
	row := func(id, town string, pct, ch int) *branchRow {
		return &branchRow{BranchFigures: jinqiu.BranchFigures{ID: id, Town: town, Figures: jinqiu.Figures{Centihours: ch}}, Pct: pct}
	}
	rows := []*branchRow{row("a", "t1", 50, 100), row("b", "t1", 100, 0), row("c", "t1", 50, 100), row("d", "t1", 50, 90), row("e", "t2", 0, 0)}
	rank(rows, func(r *branchRow) string { return r.Town }, func(r *branchRow, n, of int) { r.RankTown, r.InTown = n, of })
	want := map[string][2]int{"a": {2, 4}, "b": {1, 4}, "c": {2, 4}, "d": {4, 4}, "e": {1, 1}}
	for _, r := range rows {
		if got := [2]int{r.RankTown, r.InTown}; got != want[r.ID] {
			t.Errorf("%s: rank %v, want %v", r.ID, got, want[r.ID])
		}
	}
}
