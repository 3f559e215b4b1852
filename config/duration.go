package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in YAML as "5m" or "90s".
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalYAML reads "5m", "2h30m" and the like.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: must be a duration such as 90s or 5m", n.Line)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes d as "5m0s".
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }
