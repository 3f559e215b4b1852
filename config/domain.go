package config

import (
	"time"

	"jinqiu"
)

// Calendar is the schedule as the domain reads it. The schedule must have
// been validated (Parse does): what does not parse is left at its zero.
func (s Schedule) Calendar() jinqiu.Schedule {
	rule, _ := jinqiu.ParseDayRule(s.ThemeDayOn)
	at, _ := time.Parse("15:04", s.At)
	return jinqiu.Schedule{
		Every: map[jinqiu.MeetingKind]jinqiu.Period{
			jinqiu.BranchAssembly: jinqiu.Period(s.BranchAssembly),
			jinqiu.Committee:      jinqiu.Period(s.Committee),
			jinqiu.PartyGroup:     jinqiu.Period(s.Group),
			jinqiu.Lecture:        jinqiu.Period(s.Lecture),
			jinqiu.ThemeDay:       jinqiu.Period(s.ThemeDay),
		},
		ThemeDay: rule,
		LeadDays: append([]int(nil), s.LeadDays...),
		At:       time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute,
		CatchUp:  s.CatchUp.D(),
	}
}

// ScheduleOf is the schedule of the configured branch with the id (its own,
// or jobs.schedule).
func (c *Config) ScheduleOf(branchID string) Schedule {
	for _, b := range c.Branches {
		if b.ID == branchID && b.Schedule != nil {
			return *b.Schedule
		}
	}
	return c.Jobs.Schedule
}

// Clock reads an HH:MM that validation accepted, as a time of day.
func Clock(s string) time.Duration {
	t, _ := time.Parse("15:04", s)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}
