package sweep

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

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

// MaxRuns is the largest grid a sweep takes. The grid is enumerated lazily
// (All), but a sweep holds one id per run to find grid points that become
// the same run, so a grid must stay countable in memory; a million runs is
// also far more than a sweep can train.
const MaxRuns = 1_000_000

// axis is one expanded key: n values, the i-th as text. The seed axis of
// repetitions = N is 1..N computed, not listed, so a huge count costs
// nothing before Count rejects it.
type axis struct {
	key   string
	n     int
	value func(i int) string
}

// axes lists the grid's axes in axisOrder. Every spec has its seed set: seed
// 1 when the config gives none, as before, so that specs keep their ids.
func (c *Config) axes() []axis {
	var out []axis
	for _, k := range axisOrder() {
		switch vals := c.grid[k]; {
		case k == "seed" && vals == nil && len(c.Seeds) > 0:
			seeds := c.Seeds
			out = append(out, axis{k, len(seeds), func(i int) string { return strconv.FormatUint(seeds[i], 10) }})
		case k == "seed" && vals == nil && c.Repetitions > 0:
			out = append(out, axis{k, c.Repetitions, func(i int) string { return strconv.Itoa(i + 1) }})
		case k == "seed" && vals == nil:
			if v, ok := c.fixed["seed"]; ok {
				out = append(out, axis{k, 1, func(int) string { return v }})
			} else {
				out = append(out, axis{k, 1, func(int) string { return "1" }})
			}
		case vals != nil:
			out = append(out, axis{k, len(vals), func(i int) string { return vals[i] }})
		}
	}
	return out
}

// Count returns the number of runs of the grid without enumerating it. A
// grid of more than MaxRuns runs is an error that names the axes and their
// lengths.
func (c *Config) Count() (int, error) {
	axes := c.axes()
	// count multiplies the axes' lengths, a task parameter only for the
	// tasks that use it, saturating above MaxRuns.
	var count func(task rnn.Task, rest []axis) int
	count = func(task rnn.Task, rest []axis) int {
		if len(rest) == 0 {
			return 1
		}
		a := rest[0]
		if applies, ok := taskParams[a.key]; ok && !applies(task) {
			return count(task, rest[1:])
		}
		total := 0
		if a.key == "task" {
			for i := range a.n {
				total += count(rnn.Task(a.value(i)), rest[1:])
				if total > MaxRuns {
					return MaxRuns + 1
				}
			}
			return total
		}
		inner := count(task, rest[1:])
		if inner > 0 && a.n > (MaxRuns+1)/inner {
			return MaxRuns + 1
		}
		return min(a.n*inner, MaxRuns+1)
	}
	n := count(c.base().Task, axes)
	if n <= MaxRuns {
		return n, nil
	}
	var parts []string
	for _, a := range axes {
		if a.n > 1 {
			name := c.where(a.key)
			if a.key == "seed" && c.Repetitions > 0 && c.grid["seed"] == nil {
				name = "repetitions"
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, a.n))
		}
	}
	return 0, fmt.Errorf("the grid has more than %d runs (%s): more than a sweep can hold; split it into several sweep files or shrink the grid",
		MaxRuns, strings.Join(parts, " x "))
}

// All yields the grid's run specs, before defaults, in axisOrder with their
// grid positions, one at a time: nothing is held but the current spec.
func (c *Config) All() iter.Seq2[int, rnn.RunSpec] {
	return func(yield func(int, rnn.RunSpec) bool) {
		axes := c.axes()
		i := 0
		var expand func(s rnn.RunSpec, rest []axis) bool
		expand = func(s rnn.RunSpec, rest []axis) bool {
			if len(rest) == 0 {
				for k, applies := range taskParams {
					if !applies(s.Task) {
						st, _ := rnn.LookupSetting(k)
						st.Clear(&s)
					}
				}
				i++
				return yield(i-1, s)
			}
			a := rest[0]
			if applies, ok := taskParams[a.key]; ok && !applies(s.Task) {
				return expand(s, rest[1:])
			}
			for k := range a.n {
				t := s
				mustSet(&t, a.key, a.value(k))
				if !expand(t, rest[1:]) {
					return false
				}
			}
			return true
		}
		expand(c.base(), axes)
	}
}

// Specs expands the grid into run specs, before defaults, in axisOrder
// (All as a slice; nil for a grid of more than MaxRuns runs).
func (c *Config) Specs() []rnn.RunSpec {
	if _, err := c.Count(); err != nil {
		return nil
	}
	var out []rnn.RunSpec
	for _, s := range c.All() {
		out = append(out, s)
	}
	return out
}
