package sweep

import (
	"bytes"
	"fmt"

	"github.com/BurntSushi/toml"
	"github.com/biornn/biornn/rnn"
)

// TOML returns the config as a sweep file that Parse reads back to the same
// config (a preset written out to be edited, for example): the keys the
// config sets, in settings-table order; settings it leaves to their defaults
// are left out.
func (c *Config) TOML() ([]byte, error) {
	var b bytes.Buffer
	var err error
	// line writes key = v through the TOML encoder, which quotes and
	// escapes as TOML wants.
	line := func(key string, v any) {
		if err == nil {
			var text []byte
			text, err = toml.Marshal(map[string]any{key: v})
			b.Write(text)
		}
	}
	if c.Name != "" {
		line("name", c.Name)
	}
	if c.Repetitions != 0 {
		line("repetitions", c.Repetitions)
	}
	if len(c.Seeds) > 0 {
		line("seeds", c.Seeds)
	}
	if len(c.grid) > 0 {
		b.WriteString("\n[grid]\n")
		for _, s := range rnn.Settings() {
			if texts, ok := c.grid[s.Key]; ok {
				vals := make([]any, len(texts))
				for i, t := range texts {
					vals[i] = typed(s, t)
				}
				line(s.Key, vals)
			}
		}
	}
	if len(c.fixed) > 0 {
		b.WriteString("\n[fixed]\n")
		for _, s := range rnn.Settings() {
			if t, ok := c.fixed[s.Key]; ok {
				line(s.Key, typed(s, t))
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sweep config: %w", err)
	}
	return b.Bytes(), nil
}

// typed is a stored value as a Go value of the setting's kind, so that the
// file writes numbers as numbers and texts as strings.
func typed(s *rnn.Setting, text string) any {
	var spec rnn.RunSpec
	mustSet(&spec, s.Key, text)
	return s.Get(spec)
}
