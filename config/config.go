// Package config loads and validates config.yaml: the one place where every
// setting of jinqiu is named, defaulted and checked.
package config

import (
	"jinqiu"
	"time"

	"go.yaml.in/yaml/v3"

	"jinqiu/bot"
)

// Config is the whole configuration. Field names follow the YAML keys, which
// operators and other tools rely on: do not rename them.
type Config struct {
	Server   Server   `yaml:"server"`
	Storage  Storage  `yaml:"storage"`
	Redis    Redis    `yaml:"redis"`
	Timezone string   `yaml:"timezone"`
	Branches []Branch `yaml:"branches"`
	Bureau   Bureau   `yaml:"bureau"`
	Jobs     Jobs     `yaml:"jobs"`
	Console  Console  `yaml:"console"`
	// Publicity is the 公示 of approved hours.
	Publicity Publicity      `yaml:"publicity"`
	Location  *time.Location `yaml:"-"`
	// Sections are the platforms' own sections (wecom, dingtalk): each
	// registered platform decodes and checks its own.
	Sections map[string]yaml.Node `yaml:",inline"`
	// Platforms are the registered platforms, configured.
	Platforms bot.Platforms `yaml:"-"`
}

// Server is the HTTP listener.
type Server struct {
	Listen string `yaml:"listen"`
	// ReplyBudget is how long a callback may be handled synchronously before
	// the answer goes out later through the outbox.
	ReplyBudget Duration `yaml:"reply_budget"`
	// ShutdownGrace bounds the drain of in-flight requests on SIGTERM.
	ShutdownGrace Duration `yaml:"shutdown_grace"`
	// MaxInFlight bounds the callbacks handled at once; beyond it a
	// callback is answered 503 at once and the platform retries it, instead
	// of queueing until the platform's deadline has passed anyway.
	MaxInFlight int `yaml:"max_in_flight"`
	// MaxConnsPerSource bounds the connections open at once from one
	// address (0: none, for a service behind a reverse proxy).
	MaxConnsPerSource *int `yaml:"max_conns_per_source"`
	// MetricsListen, when set, serves /metrics on this address instead of
	// on Listen (keep it off the public listener).
	MetricsListen string `yaml:"metrics_listen"`
	// RecoverAfter is how long a message whose process died waits for the
	// platform to send it again before the bot handles it itself and sends
	// the reply after (WeCom resends three times, 5 s apart).
	RecoverAfter Duration `yaml:"recover_after"`
}

// Storage selects the SQL database.
type Storage struct {
	Driver string `yaml:"driver"` // sqlite | mysql
	DSN    string `yaml:"dsn"`
	// Retention is how long received messages (their text and the bot's
	// replies) and sent outbox rows are kept; the audit log is kept for
	// ever.
	Retention Duration `yaml:"retention"`
}

// Redis is the short-lived shared state; an empty Addr keeps it in memory.
type Redis struct {
	Addr     string `yaml:"addr"`
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
}

// Branch is a party branch (a community or village) and its groups.
type Branch struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Town        string   `yaml:"town"`
	Kind        string   `yaml:"kind"` // community | rural; from DivisionCode when not given
	Secretaries []string `yaml:"secretaries"`
	Groups      []Group  `yaml:"groups"`
	// DivisionCode is the 12-digit 统计用区划代码 of the branch's community
	// or village; its township digits give the line when Kind is not given.
	DivisionCode string `yaml:"division_code"`
	// Places are the branch's 阵地: an activity whose place names one is
	// counted there.
	Places []Place `yaml:"places"`
	// Schedule overrides the default meeting schedule for this branch.
	Schedule *Schedule `yaml:"schedule"`
}

// Place is a 阵地 of a branch.
type Place struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"` // 党员活动室 | 金秋讲堂 | 党员驿站 | 教学点 | 其他
}

// Group is one chat group the bot is in, and how to push to it.
type Group struct {
	Platform jinqiu.Platform `yaml:"platform"`
	ChatID   string          `yaml:"chat_id"`
	Robot    string          `yaml:"robot"`
	// Push are the platform's own keys of the group (how to push to
	// it), which the platform checks.
	Push map[string]string `yaml:",inline"`
}

// Bureau is the district bureau: its groups get the digest, its admins may do
// anything.
type Bureau struct {
	Groups []Group  `yaml:"groups"`
	Admins []string `yaml:"admins"`
}

// Console is the bureau's web side. BaseURL is the address people open, as
// their phone reaches this service (https://jinqiu.example.gov.cn): the
// links sent for 后台 and 导出 begin with it. Empty: no links are given and
// the console is not served.
type Console struct {
	BaseURL string `yaml:"base_url"`
}

// Publicity is the 公示 of approved hours: how many working days it stays
// open for objections before the entries are final, and which days are
// working days: Monday to Friday less Holidays, plus Workdays (the weekend
// days worked in their place, 调休), as the State Council announces them
// each year. Days are written YYYY-MM-DD.
type Publicity struct {
	WorkingDays int      `yaml:"working_days"`
	Holidays    []string `yaml:"holidays"`
	Workdays    []string `yaml:"workdays"`
}

// Calendar is the working calendar of Holidays and Workdays; a day that is
// not a date (Validate reports it) is left out.
func (p Publicity) Calendar() jinqiu.WorkCalendar {
	return jinqiu.NewWorkCalendar(calendarDays(p.Holidays), calendarDays(p.Workdays))
}

func calendarDays(ss []string) []time.Time {
	var out []time.Time
	for _, s := range ss {
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// Jobs configures reminders, digests and the outbox dispatcher.
type Jobs struct {
	Schedule Schedule          `yaml:"schedule"`
	Digest   DigestJob         `yaml:"digest"`
	Outbox   OutboxJob         `yaml:"outbox"`
	Activity ActivityReminders `yaml:"activity_reminders"`
}

// Schedule is how often each meeting kind is due and when to remind.
type Schedule struct {
	BranchAssembly string `yaml:"branch_assembly"` // monthly | quarterly | yearly | off
	Committee      string `yaml:"committee"`
	Group          string `yaml:"group"`
	Lecture        string `yaml:"lecture"`
	ThemeDay       string `yaml:"theme_day"`
	// ThemeDayOn is the configured day of 主题党日: "first friday", "15", ...
	ThemeDayOn string `yaml:"theme_day_on"`
	// LeadDays are the reminder lead times in days before the period ends.
	LeadDays []int    `yaml:"lead_days"`
	At       string   `yaml:"at"` // HH:MM
	CatchUp  Duration `yaml:"catch_up"`
}

// DigestJob is the weekly digest.
type DigestJob struct {
	Cron    string   `yaml:"cron"`
	CatchUp Duration `yaml:"catch_up"`
}

// ActivityReminders are the reminders to signees.
type ActivityReminders struct {
	EveningBefore string   `yaml:"evening_before"` // HH:MM the day before
	LeadTime      Duration `yaml:"lead_time"`      // before the start
	CatchUp       Duration `yaml:"catch_up"`
}

// OutboxJob is the dispatcher.
type OutboxJob struct {
	PerMinute   int      `yaml:"per_minute"`
	MaxAttempts int      `yaml:"max_attempts"`
	Poll        Duration `yaml:"poll"`
	Lease       Duration `yaml:"lease"`
}
