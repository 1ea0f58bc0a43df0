package sweep

import (
	"slices"

	"github.com/biornn/biornn/rnn"
)

// leadingAxes are expanded first, outermost first, in the order of the
// original grids: shards split runs by position, so this order is part of
// every existing sweep's run index and must not change.
var leadingAxes = []string{"connectome", "task", "pattern_length", "n_back", "trial_length", "optimizer", "lr", "activation"}

// axisOrder is the expansion order, outermost first: the leading axes, the
// other settings in settings-table order, then seed, and strategy innermost
// so that a bio run and its controls with the same seed are neighbours.
func axisOrder() []string {
	keys := slices.Clone(leadingAxes)
	for _, s := range rnn.Settings() {
		if !slices.Contains(leadingAxes, s.Key) && s.Key != "seed" && s.Key != "strategy" {
			keys = append(keys, s.Key)
		}
	}
	return append(keys, "seed", "strategy")
}

// taskParams are the settings that only some tasks use. A run of another
// task leaves them unset, whether an axis or a fixed value gives them, so an
// n_back axis does not multiply the seq_mem runs and their ids do not depend
// on it.
var taskParams = map[string]func(rnn.Task) bool{
	"pattern_length": isSeqMem,
	"n_back":         func(t rnn.Task) bool { return !isSeqMem(t) },
	"trial_length":   func(t rnn.Task) bool { return !isSeqMem(t) },
}

// isSeqMem: a run without a task runs the default, seq_mem.
func isSeqMem(t rnn.Task) bool { return t == "" || t == rnn.TaskSeqMem }

// base returns a RunSpec holding the fixed settings.
func (c *Config) base() rnn.RunSpec {
	var s rnn.RunSpec
	for k, v := range c.fixed {
		mustSet(&s, k, v)
	}
	return s
}

// mustSet stores a value that was accepted when the config got it.
func mustSet(s *rnn.RunSpec, key, text string) {
	if err := s.Set(key, text); err != nil {
		panic("sweep: a stored value no longer parses: " + err.Error())
	}
}

// Specs expands the grid into run specs, before defaults, in axisOrder.
// Every spec has its seed set: seed 1 when the config gives none, as
// before, so that specs keep their ids with Plan(c, nil).
func (c *Config) Specs() []rnn.RunSpec {
	type axis struct {
		key    string
		values []string
	}
	var axes []axis
	for _, k := range axisOrder() {
		vals := c.grid[k]
		if k == "seed" {
			if vals = c.Values("seed"); vals == nil {
				vals = []string{"1"}
			}
		}
		if vals != nil {
			axes = append(axes, axis{k, vals})
		}
	}
	var out []rnn.RunSpec
	var expand func(s rnn.RunSpec, rest []axis)
	expand = func(s rnn.RunSpec, rest []axis) {
		if len(rest) == 0 {
			for k, applies := range taskParams {
				if !applies(s.Task) {
					st, _ := rnn.LookupSetting(k)
					st.Clear(&s)
				}
			}
			out = append(out, s)
			return
		}
		a := rest[0]
		if applies, ok := taskParams[a.key]; ok && !applies(s.Task) {
			expand(s, rest[1:])
			return
		}
		for _, v := range a.values {
			t := s
			mustSet(&t, a.key, v)
			expand(t, rest[1:])
		}
	}
	expand(c.base(), axes)
	return out
}
