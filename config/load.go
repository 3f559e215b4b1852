package config

import (
	"bytes"
	"errors"
	"fmt"
	"jinqiu"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"jinqiu/bot"
)

// Problems is every problem found in a configuration, each naming its key.
type Problems []string

func (p Problems) Error() string {
	return "invalid configuration:\n  " + strings.Join(p, "\n  ")
}

// IsInvalid reports whether err is a configuration problem (exit code 2)
// rather than, say, a missing file.
func IsInvalid(err error) bool {
	var p Problems
	return errors.As(err, &p)
}

var (
	envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	// quoted is how yaml.v3 quotes the value in its errors.
	quoted = regexp.MustCompile("`[^`]*`")
)

// hideValue removes the values yaml.v3 quotes in its errors ("cannot
// unmarshal !!str `…` into int"): a configuration error names the key and
// what was expected, never a value, which may be a secret.
func hideValue(msg string) string { return quoted.ReplaceAllString(msg, "(value)") }

// Load reads the file at path, expands ${VAR} references from the
// environment in string values, rejects unknown keys, fills defaults and
// validates. A problem with the contents is returned as Problems.
//
// Each of the platforms decodes and checks its own section (the key of its
// name) and its groups' push keys; a section of no registered platform is
// a problem.
func Load(path string, platforms bot.Platforms) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, os.LookupEnv, platforms)
}

// Parse is Load on bytes, with lookup standing in for the environment.
func Parse(data []byte, lookup func(string) (string, bool), platforms bot.Platforms) (*Config, error) {
	var problems Problems
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{fmt.Sprintf("yaml: %v", err)}
	}
	// Expand inside scalar values only, so that a secret containing ':' or
	// '#' cannot change the document's structure.
	expandNode(&root, "", lookup, &problems)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&root); err != nil && root.Kind != 0 {
		return nil, fmt.Errorf("re-encode config: %w", err)
	}
	cfg := &Config{}
	if root.Kind != 0 {
		dec := yaml.NewDecoder(&buf)
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				for _, e := range te.Errors {
					problems = append(problems, hideValue(e))
				}
			} else {
				problems = append(problems, hideValue(err.Error()))
			}
			return nil, problems
		}
	}
	cfg.ApplyDefaults()
	problems = append(problems, cfg.Validate(platforms.Names())...)
	problems = append(problems, cfg.configure(platforms)...)
	if len(problems) > 0 {
		return nil, problems
	}
	cfg.Platforms = platforms
	return cfg, nil
}

// configure decodes each platform's section into it and has it check the
// section and its groups.
func (c *Config) configure(platforms bot.Platforms) Problems {
	var problems Problems
	keys := make([]string, 0, len(c.Sections))
	for k := range c.Sections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := platforms.Get(jinqiu.Platform(k)); !ok {
			problems = append(problems, fmt.Sprintf("%s: is not a key of config.yaml (the platforms are %s)", k, orList(platforms.Names())))
		}
	}
	groups := map[jinqiu.Platform][]bot.GroupConfig{}
	addGroups := func(prefix string, gs []Group) {
		for j, g := range gs {
			groups[g.Platform] = append(groups[g.Platform], bot.GroupConfig{Key: fmt.Sprintf("%s[%d]", prefix, j), ChatID: g.ChatID, Robot: g.Robot, Push: g.Push})
		}
	}
	for i, b := range c.Branches {
		addGroups(fmt.Sprintf("branches[%d].groups", i), b.Groups)
	}
	addGroups("bureau.groups", c.Bureau.Groups)
	for _, p := range platforms {
		// A section's lines are counted from its own first line.
		if n, ok := c.Sections[string(p.Name())]; ok {
			if err := decodeStrict(&n, p.Section()); err != nil {
				var te *yaml.TypeError
				if errors.As(err, &te) {
					for _, e := range te.Errors {
						problems = append(problems, fmt.Sprintf("%s: %s", p.Name(), hideValue(e)))
					}
				} else {
					problems = append(problems, fmt.Sprintf("%s: %s", p.Name(), hideValue(err.Error())))
				}
			}
		}
	}
	return append(problems, platforms.Configure(groups)...)
}

// decodeStrict decodes n into v, refusing unknown keys.
func decodeStrict(n *yaml.Node, v any) error {
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(n); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	return dec.Decode(v)
}

func expandNode(n *yaml.Node, path string, lookup func(string) (string, bool), problems *Problems) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			p := path
			if n.Kind == yaml.SequenceNode {
				p = fmt.Sprintf("%s[%d]", path, i)
			}
			expandNode(c, p, lookup, problems)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			p := key
			if path != "" {
				p = path + "." + key
			}
			expandNode(n.Content[i+1], p, lookup, problems)
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v, ok := lookup(name)
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s: environment variable %s is not set", path, name))
			}
			return v
		})
	}
}
