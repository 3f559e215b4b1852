package wecom

import (
	"encoding/base64"
	"fmt"
	"jinqiu"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"jinqiu/bot"
)

// Name is WeCom's name in config.yaml, identities and storage.
const Name jinqiu.Platform = "wecom"

// DefaultAPIBase is WeCom's API.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// Config is the wecom section of config.yaml. Field names follow the YAML
// keys, which operators rely on: do not rename them.
type Config struct {
	APIBase string `yaml:"api_base"`
	// WSURL is the long connection's endpoint (DefaultWSURL when empty).
	WSURL  string  `yaml:"ws_url"`
	Robots []Robot `yaml:"robots"`
}

// Robot is one WeCom robot: an AI bot receiving callbacks (mode aibot), an
// AI bot over the long connection (aibot_ws), or a group robot with the
// internal-beta callback (group_robot). Token and EncodingAESKey verify
// callbacks; BotID and Secret subscribe the long connection; WebhookKey
// sends through a group robot.
type Robot struct {
	Name           string `yaml:"name"`
	Mode           string `yaml:"mode"` // aibot | aibot_ws | group_robot
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	BotID          string `yaml:"bot_id"`
	Secret         string `yaml:"secret"`
	WebhookKey     string `yaml:"webhook_key"`
}

// Platform is WeCom as jinqiu registers it (bot.Platform).
type Platform struct {
	cfg Config
	// groups are the configured groups' webhook keys by chat id; robots
	// the robots' own, by name.
	groups map[string]string
	robots map[string]string
	// pushers are the groups whose robot is an AI bot on the long
	// connection: its name, by chat id. They need no webhook.
	pushers map[string]string
}

var _ bot.Platform = (*Platform)(nil)

// New returns WeCom, to be configured.
func New() *Platform { return &Platform{} }

// Name implements bot.Platform.
func (p *Platform) Name() jinqiu.Platform { return Name }

var tokenRe = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)

// Config is the platform's section as configured.
func (p *Platform) Config() Config { return p.cfg }

// Section implements bot.Platform.
func (p *Platform) Section() any { return &p.cfg }

// Configure implements bot.Platform.
func (p *Platform) Configure(groups []bot.GroupConfig) []string {
	var problems []string
	add := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}
	if p.cfg.APIBase == "" {
		p.cfg.APIBase = DefaultAPIBase
	}
	p.cfg.APIBase = strings.TrimRight(p.cfg.APIBase, "/")
	if !bot.IsBase(p.cfg.APIBase) {
		add("wecom.api_base", "must be an http(s) URL such as %s", DefaultAPIBase)
	}
	p.robots = map[string]string{}
	seen := map[string]bool{}
	for i := range p.cfg.Robots {
		r := &p.cfg.Robots[i]
		k := fmt.Sprintf("wecom.robots[%d]", i)
		problems = append(problems, bot.CheckRobotName(k, r.Name, seen)...)
		if r.Mode == "" {
			r.Mode = ModeAIBot
		}
		if r.Mode == ModeAIBotWS {
			problems = append(problems, checkWS(k, r)...)
			if r.WebhookKey != "" {
				p.robots[r.Name] = r.WebhookKey
			}
			continue
		}
		if r.Mode != ModeAIBot && r.Mode != ModeGroupRobot {
			add(k+".mode", "must be aibot (callbacks to a public URL), aibot_ws (the long connection: no public URL) or group_robot")
		}
		if r.BotID != "" || r.Secret != "" {
			add(k, "bot_id and secret belong to mode: aibot_ws; a %s robot receives callbacks with token and encoding_aes_key", r.Mode)
		}
		if (r.Token == "") != (r.EncodingAESKey == "") {
			add(k, "token and encoding_aes_key go together: set both to receive messages, or neither")
		}
		if r.Token != "" && !tokenRe.MatchString(r.Token) {
			add(k+".token", "must be 3 to 32 letters or digits, as set in the WeCom admin console")
		}
		if r.EncodingAESKey != "" {
			if b, err := base64.StdEncoding.DecodeString(r.EncodingAESKey + "="); len(r.EncodingAESKey) != 43 || err != nil || len(b) != 32 {
				add(k+".encoding_aes_key", "must be the 43-character EncodingAESKey from the WeCom admin console")
			}
		}
		if r.Token == "" && r.WebhookKey == "" {
			add(k, "set token and encoding_aes_key (to receive) or webhook_key (to send)")
		}
		problems = append(problems, checkWebhookKey(k+".webhook_key", r.WebhookKey)...)
		if r.WebhookKey != "" {
			p.robots[r.Name] = r.WebhookKey
		}
	}
	if p.cfg.WSURL == "" {
		p.cfg.WSURL = DefaultWSURL
	}
	if u, err := url.Parse(p.cfg.WSURL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
		add("wecom.ws_url", "must be a ws(s) URL such as %s (a private WeCom shows its own in the admin console)", DefaultWSURL)
	}
	ws := map[string]bool{}
	for _, r := range p.cfg.Robots {
		if r.Mode == ModeAIBotWS {
			ws[r.Name] = true
		}
	}
	p.groups = map[string]string{}
	p.pushers = map[string]string{}
	for _, g := range groups {
		if ws[g.Robot] {
			p.pushers[g.ChatID] = g.Robot
		}
		problems = append(problems, bot.PushKeys(g, Name, "webhook_key")...)
		key := g.Push["webhook_key"]
		problems = append(problems, checkWebhookKey(g.Key+".webhook_key", key)...)
		if key != "" {
			p.groups[g.ChatID] = key
		}
	}
	return problems
}

// checkWS checks an aibot_ws robot: it subscribes with bot_id and secret
// and has no callback, so no token.
func checkWS(k string, r *Robot) []string {
	var problems []string
	if r.BotID == "" || r.Secret == "" {
		problems = append(problems, k+": mode aibot_ws needs bot_id and secret: in the WeCom admin console, open the AI bot, switch its API mode to the long connection and take both from its credentials (README: WeCom long connection)")
	}
	if r.Token != "" || r.EncodingAESKey != "" {
		problems = append(problems, k+": token and encoding_aes_key are for mode: aibot (callbacks to a public URL); mode aibot_ws uses bot_id and secret and no URL")
	}
	return append(problems, checkWebhookKey(k+".webhook_key", r.WebhookKey)...)
}

func checkWebhookKey(key, v string) []string {
	if strings.Contains(v, "://") || strings.Contains(v, "key=") {
		// WeCom answers 93000 when the whole URL is pasted where the key belongs.
		return []string{key + ": put only the key (the part after key=), not the whole URL"}
	}
	return nil
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
	return p.groups[chatID] != "" || p.pushers[chatID] != ""
}

// Open implements bot.Platform: the sender of group robot webhooks,
// AI-bot response_urls and long-connection pushes, POST and GET
// /wecom/{robot}, and the long connection of each aibot_ws robot.
func (p *Platform) Open(env bot.Env, mux *http.ServeMux) jinqiu.Sender {
	s := NewSender(p.cfg.APIBase, env.Client)
	s.Log, s.Now = env.Log, env.Now
	s.groups, s.robots, s.pushers = p.groups, p.robots, p.pushers
	s.ws = map[string]*WS{}
	for _, r := range p.cfg.Robots {
		if r.Mode != ModeAIBotWS {
			continue
		}
		w := &WS{URL: p.cfg.WSURL, Robot: r, Proc: env.Processor, Leases: env.Leases, Holder: env.Replica,
			Log: env.Log, Now: env.Now, OnUndelivered: env.Undelivered}
		s.ws[r.Name] = w
		if env.Background == nil || env.Leases == nil {
			env.Log.Error("wecom long connection not started: no background runner or leases", "robot", r.Name)
			continue
		}
		env.Background(w.Run)
	}
	h := NewHandler(p.cfg.Robots, env.Processor, env.Log)
	h.Now = env.Now
	h.OnUndelivered = env.Undelivered
	h.Register(mux)
	return s
}

// Parts implements bot.Platform: WeCom shows markdown as written, up to
// 4096 bytes a message.
func (p *Platform) Parts(doc jinqiu.Reply, continued func(k, n int) string) []jinqiu.Reply {
	var out []jinqiu.Reply
	for _, part := range bot.Parts(doc.Markdown, MaxMarkdownBytes, continued) {
		out = append(out, jinqiu.Reply{Markdown: part, Text: part})
	}
	return out
}

// pusher is the long connection that pushes to a group target: the
// group's AI bot, when it is served over the long connection and the
// group has no webhook of its own.
func (s *Sender) pusher(t jinqiu.Target) *WS {
	if t.Via != "" || s.groups[t.ChatID] != "" {
		return nil
	}
	return s.ws[s.pushers[t.ChatID]]
}

// resolve turns a group target into the webhook that pushes to it.
func (s *Sender) resolve(t jinqiu.Target) (jinqiu.Target, error) {
	w := jinqiu.Target{Platform: t.Platform, Robot: t.Robot, Kind: jinqiu.KindWebhook}
	if t.Via != "" {
		// The robot's own webhook, in the chat it was called from; the
		// group's, failing that.
		w.ChatID = t.ChatID
		if w.URL = s.robots[t.Via]; w.URL == "" {
			w.URL = s.groups[t.ChatID]
		}
		if w.URL == "" {
			return w, &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("robot %s/%s has no webhook_key configured", Name, url.PathEscape(t.Via))}
		}
		return w, nil
	}
	if w.URL = s.groups[t.ChatID]; w.URL == "" {
		return w, &jinqiu.SendError{Class: jinqiu.Permanent, Message: fmt.Sprintf("group %s/%s has no webhook_key configured", Name, t.ChatID)}
	}
	return w, nil
}
