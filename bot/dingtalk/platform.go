package dingtalk

import (
	"fmt"
	"jinqiu"
	"net/http"
	"strings"

	"jinqiu/bot"
)

// Name is DingTalk's name in config.yaml, identities and storage.
const Name jinqiu.Platform = "dingtalk"

// DefaultAPIBase is DingTalk's API.
const DefaultAPIBase = "https://oapi.dingtalk.com"

// Config is the dingtalk section of config.yaml. Field names follow the
// YAML keys, which operators rely on: do not rename them.
type Config struct {
	APIBase string  `yaml:"api_base"`
	Robots  []Robot `yaml:"robots"`
}

// Robot is one DingTalk robot: AppSecret verifies callbacks of the
// enterprise robot; Webhook and Secret sign pushes through a custom robot.
type Robot struct {
	Name      string `yaml:"name"`
	AppSecret string `yaml:"app_secret"`
	Webhook   string `yaml:"webhook"`
	Secret    string `yaml:"secret"`
}

// Platform is DingTalk as jinqiu registers it (bot.Platform).
type Platform struct {
	cfg Config
	// groups are the configured groups' custom robots, by chat id.
	groups map[string]hook
}

// hook is a custom robot: its URL and signing secret.
type hook struct{ url, secret string }

var _ bot.Platform = (*Platform)(nil)

// New returns DingTalk, to be configured.
func New() *Platform { return &Platform{} }

// Name implements bot.Platform.
func (p *Platform) Name() jinqiu.Platform { return Name }

// Config is the platform's section as configured.
func (p *Platform) Config() Config { return p.cfg }

// Section implements bot.Platform.
func (p *Platform) Section() any { return &p.cfg }

// Configure implements bot.Platform.
func (p *Platform) Configure(groups []bot.GroupConfig) []string {
	var problems []string
	if p.cfg.APIBase == "" {
		p.cfg.APIBase = DefaultAPIBase
	}
	p.cfg.APIBase = strings.TrimRight(p.cfg.APIBase, "/")
	if !bot.IsBase(p.cfg.APIBase) {
		problems = append(problems, "dingtalk.api_base: must be an http(s) URL such as "+DefaultAPIBase)
	}
	seen := map[string]bool{}
	for i, r := range p.cfg.Robots {
		k := fmt.Sprintf("dingtalk.robots[%d]", i)
		problems = append(problems, bot.CheckRobotName(k, r.Name, seen)...)
		if r.AppSecret == "" && r.Webhook == "" {
			problems = append(problems, k+": set app_secret (to receive) or webhook (to send)")
		}
		problems = append(problems, p.checkWebhook(k+".webhook", r.Webhook)...)
	}
	p.groups = map[string]hook{}
	for _, g := range groups {
		problems = append(problems, bot.PushKeys(g, Name, "webhook", "secret")...)
		problems = append(problems, p.checkWebhook(g.Key+".webhook", g.Push["webhook"])...)
		if g.Push["webhook"] != "" {
			p.groups[g.ChatID] = hook{url: g.Push["webhook"], secret: g.Push["secret"]}
		}
	}
	return problems
}

func (p *Platform) checkWebhook(key, v string) []string {
	if v == "" || strings.HasPrefix(v, p.cfg.APIBase+"/") {
		return nil
	}
	return []string{fmt.Sprintf("%s: must be a custom robot URL under dingtalk.api_base, e.g. %s/robot/send?access_token=...", key, p.cfg.APIBase)}
}

// Robots implements bot.Platform.
func (p *Platform) Robots() []string {
	out := make([]string, len(p.cfg.Robots))
	for i, r := range p.cfg.Robots {
		out[i] = r.Name
	}
	return out
}

// Pushable implements bot.Platform.
func (p *Platform) Pushable(chatID string) bool { return p.groups[chatID].url != "" }

// Open implements bot.Platform: the sender of custom robots and
// sessionWebhooks, and POST /dingtalk/{robot}.
func (p *Platform) Open(env bot.Env, mux *http.ServeMux) jinqiu.Sender {
	s := NewSender(p.cfg.APIBase, env.Client)
	s.Log, s.Now = env.Log, env.Now
	s.groups = p.groups
	h := NewHandler(p.cfg.Robots, p.cfg.APIBase, env.Processor, s, env.Log)
	h.Now = env.Now
	h.OnUndelivered = env.Undelivered
	h.Register(mux)
	return s
}

// Parts implements bot.Platform: DingTalk markdown needs a blank line
// between lines, and takes up to MaxMessageBytes a message here.
func (p *Platform) Parts(doc jinqiu.Reply, continued func(k, n int) string) []jinqiu.Reply {
	var out []jinqiu.Reply
	for _, part := range bot.Parts(paragraphs(doc.Markdown), MaxMessageBytes, continued) {
		part = paragraphs(part) // the continuation line is a paragraph too
		out = append(out, jinqiu.Reply{Markdown: part, Title: doc.Title, Text: part})
	}
	return out
}

// paragraphs lays markdown written a line per line out as DingTalk shows
// it: a blank line between lines. It is idempotent.
func paragraphs(md string) string {
	var ls []string
	for _, l := range strings.Split(md, "\n") {
		if l != "" {
			ls = append(ls, l)
		}
	}
	return strings.Join(ls, "\n\n")
}

// resolve turns a group target into the custom robot that pushes to it.
func (s *Sender) resolve(t jinqiu.Target) (jinqiu.Target, error) {
	h := s.groups[t.ChatID]
	if h.url == "" {
		return t, &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("group %s/%s has no webhook configured", Name, t.ChatID)}
	}
	return jinqiu.Target{Platform: t.Platform, Robot: t.Robot, Kind: jinqiu.KindWebhook, URL: h.url, Secret: h.secret}, nil
}
