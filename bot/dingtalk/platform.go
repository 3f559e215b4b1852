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

// DefaultOpenAPIBase is DingTalk's newer API: the Stream gateway, access
// tokens and the enterprise robot's group send.
const DefaultOpenAPIBase = "https://api.dingtalk.com"

// Robot modes, as configured.
const (
	ModeHTTP   = "http"   // callbacks to a public URL, verified with app_secret
	ModeStream = "stream" // Stream mode: we dial DingTalk, no public URL
)

// Config is the dingtalk section of config.yaml. Field names follow the
// YAML keys, which operators rely on: do not rename them.
type Config struct {
	APIBase string `yaml:"api_base"`
	// OpenAPIBase is the Stream gateway's and the robot OpenAPI's base
	// (DefaultOpenAPIBase when empty).
	OpenAPIBase string  `yaml:"openapi_base"`
	Robots      []Robot `yaml:"robots"`
}

// Robot is one DingTalk robot. In mode http (the default) AppSecret
// verifies callbacks of the enterprise robot; in mode stream ClientID and
// ClientSecret (the app's AppKey and AppSecret) open the Stream
// connection and push through the robot's OpenAPI. Webhook and Secret sign
// pushes through a custom robot.
type Robot struct {
	Name         string `yaml:"name"`
	Mode         string `yaml:"mode"` // http | stream
	AppSecret    string `yaml:"app_secret"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	Webhook      string `yaml:"webhook"`
	Secret       string `yaml:"secret"`
}

// Platform is DingTalk as jinqiu registers it (bot.Platform).
type Platform struct {
	cfg Config
	// groups are the configured groups' custom robots, by chat id;
	// pushers the stream robots that push to the groups without one.
	groups  map[string]hook
	pushers map[string]string
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
	if p.cfg.OpenAPIBase == "" {
		p.cfg.OpenAPIBase = DefaultOpenAPIBase
	}
	p.cfg.OpenAPIBase = strings.TrimRight(p.cfg.OpenAPIBase, "/")
	if !bot.IsBase(p.cfg.OpenAPIBase) {
		problems = append(problems, "dingtalk.openapi_base: must be an http(s) URL such as "+DefaultOpenAPIBase)
	}
	seen := map[string]bool{}
	stream := map[string]bool{}
	for i := range p.cfg.Robots {
		r := &p.cfg.Robots[i]
		k := fmt.Sprintf("dingtalk.robots[%d]", i)
		problems = append(problems, bot.CheckRobotName(k, r.Name, seen)...)
		if r.Mode == "" {
			r.Mode = ModeHTTP
		}
		switch r.Mode {
		case ModeStream:
			stream[r.Name] = true
			if r.ClientID == "" || r.ClientSecret == "" {
				problems = append(problems, k+": mode stream needs client_id and client_secret: the app's AppKey and AppSecret (Client ID and Client Secret on the app's credentials page of the developer console; README: DingTalk Stream mode)")
			}
			if r.AppSecret != "" {
				problems = append(problems, k+".app_secret: is for mode: http (it verifies callbacks to a public URL); in mode stream put the AppSecret in client_secret")
			}
		case ModeHTTP:
			if r.ClientID != "" || r.ClientSecret != "" {
				problems = append(problems, k+": client_id and client_secret belong to mode: stream; mode http receives callbacks verified with app_secret")
			}
			if r.AppSecret == "" && r.Webhook == "" {
				problems = append(problems, k+": set app_secret (to receive callbacks) or webhook (to send), or use mode: stream with client_id and client_secret")
			}
		default:
			problems = append(problems, k+".mode: must be http (callbacks to a public URL, with app_secret) or stream (Stream mode, no public URL, with client_id and client_secret)")
		}
		problems = append(problems, p.checkWebhook(k+".webhook", r.Webhook)...)
	}
	p.groups = map[string]hook{}
	p.pushers = map[string]string{}
	for _, g := range groups {
		if stream[g.Robot] {
			p.pushers[g.ChatID] = g.Robot
		}
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
func (p *Platform) Pushable(chatID string) bool {
	return p.groups[chatID].url != "" || p.pushers[chatID] != ""
}

// Open implements bot.Platform: the sender of custom robots,
// sessionWebhooks and the robot OpenAPI, POST /dingtalk/{robot}, and the
// Stream connection of each stream robot.
func (p *Platform) Open(env bot.Env, mux *http.ServeMux) jinqiu.Sender {
	s := NewSender(p.cfg.APIBase, env.Client)
	s.Log, s.Now = env.Log, env.Now
	s.groups = p.groups
	s.UseOpenAPI(p.cfg.OpenAPIBase, p.cfg.Robots, p.pushers)
	h := NewHandler(p.cfg.Robots, p.cfg.APIBase, env.Processor, s, env.Log)
	h.Now = env.Now
	h.OnUndelivered = env.Undelivered
	h.Register(mux)
	for _, r := range p.cfg.Robots {
		if r.Mode != ModeStream {
			continue
		}
		if env.Background == nil {
			env.Log.Error("dingtalk stream not started: no background runner", "robot", r.Name)
			continue
		}
		st := &Stream{Base: p.cfg.OpenAPIBase, Robot: r, Handler: h, Client: env.Client, Log: env.Log}
		env.Background(st.Run)
	}
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
