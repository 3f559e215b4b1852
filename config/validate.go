package config

import (
	"fmt"
	"jinqiu"
	"jinqiu/inbound"
	"jinqiu/outbox"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Defaults of every setting that has one.
const (
	DefaultListen    = ":8080"
	DefaultTimezone  = "Asia/Shanghai"
	DefaultSQLiteDSN = "data/jinqiu.db"
)

// Meeting periods a schedule may name.
const (
	PeriodMonthly   = string(jinqiu.Monthly)
	PeriodQuarterly = string(jinqiu.Quarterly)
	PeriodYearly    = string(jinqiu.Yearly)
	PeriodOff       = string(jinqiu.Off)
)

// ApplyDefaults fills every unset field that has a default.
func (c *Config) ApplyDefaults() {
	setDefault(&c.Server.Listen, DefaultListen)
	if c.Server.ReplyBudget == 0 {
		c.Server.ReplyBudget = Duration(inbound.DefaultBudget)
	}
	if c.Server.ShutdownGrace == 0 {
		c.Server.ShutdownGrace = Duration(10 * time.Second)
	}
	if c.Server.MaxInFlight == 0 {
		c.Server.MaxInFlight = 256
	}
	if c.Server.RecoverAfter == 0 {
		c.Server.RecoverAfter = Duration(inbound.DefaultGrace)
	}
	if c.Server.MaxConnsPerSource == nil {
		n := 128
		c.Server.MaxConnsPerSource = &n
	}
	if c.Storage.Retention == 0 {
		c.Storage.Retention = Duration(90 * 24 * time.Hour)
	}
	if c.Publicity.WorkingDays == 0 {
		c.Publicity.WorkingDays = 3
	}
	setDefault(&c.Storage.Driver, "sqlite")
	if c.Storage.Driver == "sqlite" {
		setDefault(&c.Storage.DSN, DefaultSQLiteDSN)
	}
	setDefault(&c.Timezone, DefaultTimezone)
	for i := range c.Branches {
		b := &c.Branches[i]
		if line, ok := jinqiu.DivisionLine(b.DivisionCode); ok {
			setDefault(&b.Kind, string(line))
		}
		setDefault(&b.Kind, "community")
		for j := range b.Places {
			setDefault(&b.Places[j].Kind, string(jinqiu.OtherPlace))
		}
	}
	c.Jobs.Schedule.fill(DefaultSchedule())
	for i := range c.Branches {
		if s := c.Branches[i].Schedule; s != nil {
			s.fill(c.Jobs.Schedule)
		}
	}
	setDefault(&c.Jobs.Digest.Cron, "0 9 * * 1")
	if c.Jobs.Digest.CatchUp == 0 {
		c.Jobs.Digest.CatchUp = Duration(24 * time.Hour)
	}
	a := &c.Jobs.Activity
	setDefault(&a.EveningBefore, "18:00")
	if a.LeadTime == 0 {
		a.LeadTime = Duration(time.Hour)
	}
	if a.CatchUp == 0 {
		a.CatchUp = Duration(30 * time.Minute)
	}
	o := &c.Jobs.Outbox
	if o.PerMinute == 0 {
		o.PerMinute = outbox.DefaultPerMinute
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = outbox.DefaultMaxAttempts
	}
	if o.Poll == 0 {
		o.Poll = Duration(outbox.DefaultPoll)
	}
	if o.Lease == 0 {
		o.Lease = Duration(outbox.DefaultLease)
	}
}

// DefaultSchedule is the domain's default schedule (jinqiu.DefaultSchedule)
// as config.yaml writes it.
func DefaultSchedule() Schedule {
	d := jinqiu.DefaultSchedule()
	return Schedule{
		BranchAssembly: string(d.Period(jinqiu.BranchAssembly)),
		Committee:      string(d.Period(jinqiu.Committee)),
		Group:          string(d.Period(jinqiu.PartyGroup)),
		Lecture:        string(d.Period(jinqiu.Lecture)),
		ThemeDay:       string(d.Period(jinqiu.ThemeDay)),
		ThemeDayOn:     d.ThemeDay.String(),
		LeadDays:       d.LeadDays,
		At:             fmt.Sprintf("%02d:%02d", int(d.At.Hours()), int(d.At.Minutes())%60),
		CatchUp:        Duration(d.CatchUp),
	}
}

func (s *Schedule) fill(d Schedule) {
	setDefault(&s.BranchAssembly, d.BranchAssembly)
	setDefault(&s.Committee, d.Committee)
	setDefault(&s.Group, d.Group)
	setDefault(&s.Lecture, d.Lecture)
	setDefault(&s.ThemeDay, d.ThemeDay)
	setDefault(&s.ThemeDayOn, d.ThemeDayOn)
	setDefault(&s.At, d.At)
	if s.LeadDays == nil {
		s.LeadDays = append([]int(nil), d.LeadDays...)
	}
	if s.CatchUp == 0 {
		s.CatchUp = d.CatchUp
	}
}

func setDefault(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

var clockRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

// Validate returns every problem, each prefixed with its key path and
// saying how to fix it, of what is not the platforms' (whose names are
// names). It also sets Location.
func (c *Config) Validate(names []jinqiu.Platform) Problems {
	var p Problems
	add := func(key, format string, args ...any) {
		p = append(p, key+": "+fmt.Sprintf(format, args...))
	}
	if c.Server.Listen == "" {
		add("server.listen", "must not be empty, e.g. :8080")
	}
	if c.Server.MaxInFlight < 1 {
		add("server.max_in_flight", "must be at least 1, e.g. 256")
	}
	if n := c.Server.MaxConnsPerSource; n != nil && *n < 0 {
		add("server.max_conns_per_source", "must be 0 (no bound, behind a reverse proxy) or more, e.g. 128")
	}
	if c.Publicity.WorkingDays < 1 || c.Publicity.WorkingDays > 30 {
		add("publicity.working_days", "must be 1 to 30 working days, e.g. 3")
	}
	c.Publicity.validateCalendar(add)
	if u := c.Console.BaseURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		add("console.base_url", "must be an http(s) address such as https://jinqiu.example.gov.cn")
	}
	if c.Storage.Retention.D() < 7*24*time.Hour {
		add("storage.retention", "must be at least 7d: the platforms resend a message for minutes, and people ask about last week")
	}
	switch c.Storage.Driver {
	case "sqlite":
	case "mysql":
		if c.Storage.DSN == "" {
			add("storage.dsn", "required for mysql, e.g. jinqiu:${DB_PASSWORD}@tcp(127.0.0.1:3306)/jinqiu")
		}
	default:
		add("storage.driver", "must be sqlite or mysql")
	}
	// Local is whatever the host says, which can change under the kept
	// records (their calendar days are taken in this zone): a name only.
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "Local" {
		add("timezone", "must be a time zone name, e.g. Asia/Shanghai")
	} else {
		c.Location = loc
	}
	chats := map[string]string{}
	ids := map[string]bool{}
	for i, b := range c.Branches {
		k := fmt.Sprintf("branches[%d]", i)
		switch {
		case b.ID == "":
			add(k+".id", "must not be empty; a short stable id such as zaoxing")
		case ids[b.ID]:
			add(k+".id", "is used by another branch; branch ids must be unique")
		case len(b.ID) > 64:
			add(k+".id", "must be at most 64 characters")
		}
		ids[b.ID] = true
		if b.Name == "" {
			add(k+".name", "must not be empty, e.g. 枣行社区临时党支部")
		}
		if b.Kind != "community" && b.Kind != "rural" {
			add(k+".kind", "must be community (城市) or rural (乡镇)")
		}
		if b.DivisionCode != "" {
			if _, ok := jinqiu.DivisionLine(b.DivisionCode); !ok {
				add(k+".division_code", "must be the 12-digit 统计用区划代码 of the community or village, e.g. 370911002001; its 7th digit is 0 for a 街道 (城市), 1 for a 镇 or 2–3 for a 乡 (乡镇); or leave it out and write kind")
			}
		}
		places := map[string]bool{}
		for j, pl := range b.Places {
			pk := fmt.Sprintf("%s.places[%d]", k, j)
			switch {
			case pl.Name == "":
				add(pk+".name", "must not be empty: the place as activities name it, e.g. 枣行社区党员活动室")
			case places[pl.Name]:
				add(pk+".name", "is used by another place of the branch; names must be unique within a branch")
			}
			places[pl.Name] = true
			if !jinqiu.PlaceKind(pl.Kind).Valid() {
				add(pk+".kind", "must be 党员活动室, 金秋讲堂, 党员驿站, 教学点 or 其他")
			}
		}
		for j, s := range b.Secretaries {
			checkIdentity(&p, fmt.Sprintf("%s.secretaries[%d]", k, j), s, names)
		}
		for j, g := range b.Groups {
			c.checkGroup(&p, fmt.Sprintf("%s.groups[%d]", k, j), g, names, chats)
		}
		if b.Schedule != nil {
			checkSchedule(&p, k+".schedule", *b.Schedule)
		}
	}
	for j, g := range c.Bureau.Groups {
		c.checkGroup(&p, fmt.Sprintf("bureau.groups[%d]", j), g, names, chats)
	}
	for j, a := range c.Bureau.Admins {
		checkIdentity(&p, fmt.Sprintf("bureau.admins[%d]", j), a, names)
	}
	if u := c.Console.BaseURL; u != "" {
		pu, err := url.Parse(u)
		switch {
		case err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "":
			add("console.base_url", "must be an http(s) address such as https://jinqiu.example.gov.cn, or empty (no console)")
		case pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil:
			add("console.base_url", "must be a bare address: no user, query or fragment")
		}
	}
	checkSchedule(&p, "jobs.schedule", c.Jobs.Schedule)
	if _, err := cron.ParseStandard(c.Jobs.Digest.Cron); err != nil {
		add("jobs.digest.cron", "must be a 5-field cron spec such as \"0 9 * * 1\" (minute hour day month weekday)")
	}
	if !clockRe.MatchString(c.Jobs.Activity.EveningBefore) {
		add("jobs.activity_reminders.evening_before", "must be a time such as 18:00")
	}
	if o := c.Jobs.Outbox; o.PerMinute < 1 || o.PerMinute > 20 {
		add("jobs.outbox.per_minute", "must be 1 to 20: the platforms allow 20 messages a minute per robot")
	}
	if c.Jobs.Outbox.MaxAttempts < 1 {
		add("jobs.outbox.max_attempts", "must be at least 1")
	}
	return p
}

// checkIdentity checks a person written platform:user_id.
func checkIdentity(p *Problems, key, v string, names []jinqiu.Platform) {
	if _, err := ParseIdentity(v, names); err != nil {
		*p = append(*p, key+": "+err.Error())
	}
}

func (c *Config) checkGroup(p *Problems, key string, g Group, names []jinqiu.Platform, chats map[string]string) {
	add := func(k, format string, args ...any) {
		*p = append(*p, k+": "+fmt.Sprintf(format, args...))
	}
	if !slices.Contains(names, g.Platform) {
		add(key+".platform", "must be %s", orList(names))
	}
	if g.ChatID == "" {
		add(key+".chat_id", "must not be empty: the group's chat id as the platform sends it")
	} else if prev, ok := chats[string(g.Platform)+"/"+g.ChatID]; ok {
		add(key+".chat_id", "is already used by %s; a chat belongs to one branch or to the bureau", prev)
	} else {
		chats[string(g.Platform)+"/"+g.ChatID] = key
	}
}

// orList is "wecom or dingtalk".
func orList(names []jinqiu.Platform) string {
	ss := make([]string, len(names))
	for i, n := range names {
		ss[i] = string(n)
	}
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " or " + ss[len(ss)-1]
}

func checkSchedule(p *Problems, key string, s Schedule) {
	add := func(k, format string, args ...any) {
		*p = append(*p, k+": "+fmt.Sprintf(format, args...))
	}
	for _, f := range []struct{ k, v string }{
		{"branch_assembly", s.BranchAssembly}, {"committee", s.Committee}, {"group", s.Group},
		{"lecture", s.Lecture}, {"theme_day", s.ThemeDay},
	} {
		switch f.v {
		case PeriodMonthly, PeriodQuarterly, PeriodYearly, PeriodOff:
		default:
			add(key+"."+f.k, "must be monthly, quarterly, yearly or off")
		}
	}
	if _, err := ParseDayRule(s.ThemeDayOn); err != nil {
		add(key+".theme_day_on", "%v", err)
	}
	for i, d := range s.LeadDays {
		if d < 0 || d > 60 {
			add(fmt.Sprintf("%s.lead_days[%d]", key, i), "must be 0 to 60 days")
		}
	}
	if !clockRe.MatchString(s.At) {
		add(key+".at", "must be a time such as 09:00")
	}
}

// ParseDayRule reads "15", "first friday", "last monday".
func ParseDayRule(s string) (jinqiu.DayRule, error) { return jinqiu.ParseDayRule(s) }

// validateCalendar checks publicity.holidays and publicity.workdays: real
// dates, each day in one list only, and make-up working days on weekends
// (a weekday is a working day already: listing one is a slip).
func (p Publicity) validateCalendar(add func(key, format string, args ...any)) {
	// dates are the list's dates by index (zero where it is no date).
	dates := func(list string, ss []string) []time.Time {
		out := make([]time.Time, len(ss))
		for i, s := range ss {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				add(fmt.Sprintf("publicity.%s[%d]", list, i), "must be a date written YYYY-MM-DD, e.g. 2026-10-01")
				continue
			}
			out[i] = d
		}
		return out
	}
	holidays := map[time.Time]int{}
	for i, d := range dates("holidays", p.Holidays) {
		if _, seen := holidays[d]; !seen && !d.IsZero() {
			holidays[d] = i
		}
	}
	for i, d := range dates("workdays", p.Workdays) {
		if d.IsZero() {
			continue
		}
		k, day := fmt.Sprintf("publicity.workdays[%d]", i), d.Format(time.DateOnly)
		if j, ok := holidays[d]; ok {
			add(k, "%s is also publicity.holidays[%d]; a day is either a holiday or a make-up working day, remove it from one list", day, j)
			continue
		}
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			add(k, "%s is a %s, a working day anyway; list only the Saturdays and Sundays worked in place of a holiday (调休)", day, wd)
		}
	}
}
