package console

import (
	"fmt"
	"html/template"
	"jinqiu"
	"time"

	"jinqiu/handlers/say"
)

// chartWeeks is how many weeks the overview's chart shows.
const chartWeeks = 12

// week is one week of the chart.
type week struct {
	From       time.Time
	Active     int
	Centihours int
}

// chart is the overview's two bar charts, drawn as inline SVG on the
// server: no script, no third-party host, and it scales with the page.
type chart struct {
	Weeks         []week
	Active, Hours panel
}

// panel is one bar chart: its bars and the y-axis ticks, in the SVG's own
// units (viewBox 0 0 chartW chartH).
type panel struct {
	Bars  []bar
	Ticks []tick
}

type bar struct {
	X, Y, W, H float64
	Label      string // the week, M/D
	Value      string
	Labelled   bool // every other week is labelled under its bar, this week's always, so that the labels fit a phone
	TextX      float64
}

type tick struct {
	Y     float64
	Label string
}

// Geometry of a panel, in SVG units.
const (
	chartW, chartH      = 480.0, 200.0
	plotL, plotR        = 44.0, 472.0
	plotTop, plotBottom = 14.0, 168.0
	barFill             = 0.62
	labelY              = 186.0
	ticksPerPanel       = 4
	hoursScale          = 100 // centihours in an hour
	minAx               = 4
)

func chartOf(weeks []week) chart {
	c := chart{Weeks: weeks}
	act := make([]float64, len(weeks))
	hrs := make([]float64, len(weeks))
	for i, w := range weeks {
		act[i] = float64(w.Active)
		hrs[i] = float64(w.Centihours) / hoursScale
	}
	c.Active = panelOf(weeks, act, axisTop(maxOf(act), false), func(v float64) string { return fmt.Sprintf("%d", int(v)) })
	c.Hours = panelOf(weeks, hrs, axisTop(maxOf(hrs), true), func(v float64) string { return say.Hours(int(v * hoursScale)) })
	return c
}

func panelOf(weeks []week, vals []float64, top float64, format func(float64) string) panel {
	var p panel
	for i := 0; i <= ticksPerPanel; i++ {
		v := top * float64(i) / ticksPerPanel
		p.Ticks = append(p.Ticks, tick{Y: plotBottom - (plotBottom-plotTop)*v/top, Label: format(v)})
	}
	slot := (plotR - plotL) / float64(len(vals))
	for i, v := range vals {
		h := (plotBottom - plotTop) * v / top
		x := plotL + slot*float64(i) + slot*(1-barFill)/2
		p.Bars = append(p.Bars, bar{
			X: x, W: slot * barFill, Y: plotBottom - h, H: h, TextX: x + slot*barFill/2,
			Label: fmt.Sprintf("%d/%d", weeks[i].From.Month(), weeks[i].From.Day()), Value: format(v),
			Labelled: (len(vals)-1-i)%2 == 0,
		})
	}
	return p
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

// axisTop is the top of a y-axis that starts at 0 and has ticksPerPanel
// round steps: the step is 1, 2 or 5 times a power of ten (2.5 too when
// fractions read well, as hours do), the top at least ticksPerPanel.
func axisTop(v float64, fractions bool) float64 {
	need := v / ticksPerPanel
	steps := []float64{1, 2, 5}
	if fractions {
		steps = []float64{1, 2, 2.5, 5}
	}
	for p := 1.0; ; p *= 10 {
		for _, m := range steps {
			if m*p >= need {
				return m * p * ticksPerPanel
			}
		}
	}
}

// funcs are the templates' helpers: the wording catalogue's formats of
// hours, kinds, lines and periods, and days in the configured zone.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"hours":  say.Hours,
		"kind":   say.Kind,
		"line":   say.Line,
		"period": say.PeriodName,
		"day":    func(t time.Time) string { return t.In(s.Loc).Format("2006-01-02") },
		"date":   func(t time.Time) string { return t.Format("2006-01-02") }, // a calendar day (DATE column)
		"when":   func(t time.Time) string { return t.In(s.Loc).Format("01-02 15:04") },
		"clock":  func(t time.Time) string { return t.In(s.Loc).Format("15:04") },
		"lastDay": func(t time.Time) string {
			return jinqiu.AddDays(t, -1).Format("01-02")
		},
		"attendance": func(f jinqiu.Figures) string {
			if pct, ok := f.Attendance(); ok {
				return fmt.Sprintf("%d%%", pct)
			}
			return "–"
		},
		"mask":    say.MaskName,
		"span":    say.PeriodSpan,
		"weekday": say.Weekday,
		// pstate is whether a 公示 closing at closes is open at now.
		"pstate": func(now, closes time.Time) bool { return now.Before(closes) },
		"f1":     func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"add":    func(a, b int) int { return a + b },
		"sub":    func(a, b int) int { return a - b },

		// The programme's figures of the year so far (the district's only).
		"programme":     say.ProgrammeSummary,
		"programmeHead": func() string { return say.ProgrammeHead },
	}
}

func (s *Server) parse() error {
	s.pages = map[string]*template.Template{}
	for _, p := range []string{"login", "error", "overview", "branches", "branch", "publicity", "publicity_detail", "export"} {
		t, err := template.New(p).Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return fmt.Errorf("console templates: %w", err)
		}
		s.pages[p] = t
	}
	return nil
}
