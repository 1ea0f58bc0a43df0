package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// Condition identifies an experimental condition: everything that defines a
// group of runs except the strategy and the seed.
type Condition struct {
	Connectome string
	Task       string
	Param      string // the task parameter, e.g. "L=3" or "n=2 L=5"
	Optimizer  string
	LR         float64
	Activation string
	// Other lists the remaining settings that differ between the runs of
	// the folder (e.g. "epochs=100 trials=200"), so that runs of different
	// experiments are never pooled; empty when the folder is uniform.
	Other string
}

// Row summarises the runs of one strategy under one condition, and compares
// them with the condition's reference (the baseline strategy).
type Row struct {
	Condition
	Strategy string
	// Weights is how the recurrent weights were set: random, rank or
	// weights (for a control, its control_weights setting).
	Weights    string
	N          int     // runs
	ChanceLoss float64 // the task's loss at chance (rnn.ChanceLoss)

	LossMedian, LossQ1, LossQ3 float64 // minimum validation loss

	// Training-speed epoch over the runs that learnt (reached the 1%
	// criterion and a minimum loss below chance); NSpeed counts them.
	NSpeed                        int
	SpeedMedian, SpeedQ1, SpeedQ3 float64

	// Comparison with Reference (empty for the reference itself and when the
	// condition has no baseline). Deltas are Cliff's delta of this
	// strategy's values against the reference's: positive means this
	// strategy's loss (or speed epoch) is larger, i.e. the reference did
	// better; CI is its 95% bootstrap interval. Test is "signed-rank" (runs
	// paired by seed, when both arms have the same seeds) or "rank-sum";
	// P two-sided, PAdj Holm-adjusted over every comparison of the report.
	Reference                                   string
	LossDelta, LossCILow, LossCIHigh, LossP     float64
	LossPAdj                                    float64
	LossTest                                    string
	SpeedDelta, SpeedCILow, SpeedCIHigh, SpeedP float64
	SpeedPAdj                                   float64
	SpeedTest                                   string
	lossVals, speedVals                         []float64
	lossBySeed, speedBySeed                     map[uint64]float64
	seedDup                                     bool
	runIDs                                      []string
	experiments                                 map[string]bool // runIdentity of the runs counted
}

// Report is the summary of a results folder.
type Report struct {
	Rows []Row
	// Pooled summarises each compared strategy over all conditions.
	Pooled []Pooled
	// Comparisons is the number of tests the Holm adjustment covers.
	Comparisons int
	// Warnings are notes to print with the table (mixed biornn versions).
	Warnings []string
	// Varying lists which of optimizer, lr and activation take more than one
	// value; the tables show only those columns.
	Varying map[string]bool
}

// taskParams are the task parameters a Condition's Param shows, with their
// labels, where they apply to the run's task.
var taskParams = []struct{ key, label string }{{"n_back", "n"}, {"pattern_length", "L"}, {"trial_length", "L"}}

// ParamOf formats the task parameters of a run: "L=3" (seq_mem), "n=2 L=5"
// (the n-back tasks); those that do not apply to its task are left out.
func ParamOf(r results.RunRow) string {
	var parts []string
	for _, p := range taskParams {
		if s, ok := rnn.LookupSetting(p.key); ok && s.Applies(r.Spec) {
			parts = append(parts, p.label+"="+s.Format(r.Spec))
		}
	}
	return strings.Join(parts, " ")
}

// ConditionOf returns the condition of a run, without Other.
func ConditionOf(r results.RunRow) Condition {
	return Condition{Connectome: r.Spec.Connectome, Task: string(r.Spec.Task), Param: ParamOf(r),
		Optimizer: string(r.Spec.Optimizer), LR: r.Spec.LR, Activation: string(r.Spec.Activation)}
}

// conditionKeys are the settings a Condition (or the strategy) already
// names.
var conditionKeys = map[string]bool{"connectome": true, "task": true, "pattern_length": true, "n_back": true,
	"trial_length": true, "optimizer": true, "lr": true, "activation": true, "strategy": true}

// otherSettings are the run settings outside the condition that still
// define an experiment: not seeds, not where data live or how the arithmetic
// runs.
var otherSettings = func() []*rnn.Setting {
	var out []*rnn.Setting
	for _, s := range rnn.Settings() {
		if !conditionKeys[s.Key] && !s.Execution && s.Group != rnn.GroupRun {
			out = append(out, s)
		}
	}
	return out
}()

// settingText is a setting's value in a run as a row label shows it, and
// whether the setting applies to the run at all (a null in the runs table
// that means "not applicable", not "unset"): the runs table's value, "none"
// for an unset text (no neurons file, no fill rule).
func settingText(s *rnn.Setting, spec rnn.RunSpec) (string, bool) {
	if !s.Applies(spec) {
		return "", false
	}
	switch v := results.SettingValue(s, spec).(type) {
	case nil:
		return "none", true
	case string:
		return v, true
	}
	return s.Format(spec), true
}

// varyingOther returns the otherSettings that take more than one value
// among the runs they apply to.
func varyingOther(runs []results.RunRow) []int {
	var idx []int
	for k, s := range otherSettings {
		seen := map[string]bool{}
		for _, r := range runs {
			if text, ok := settingText(s, r.Spec); ok {
				seen[text] = true
			}
		}
		if len(seen) > 1 {
			idx = append(idx, k)
		}
	}
	return idx
}

// runIdentity is what makes a run a distinct experiment: every setting that
// applies to it (not how it was executed), its connectome's checksum and
// its minimum validation loss. Two runs of one identity differ only in
// settings that do not apply to them (a sweep axis of control_weights also
// repeats the bio runs, which have no control weights): the report counts
// them once.
func runIdentity(r results.RunRow) string {
	var b strings.Builder
	for _, s := range rnn.Settings() {
		if text, ok := settingText(s, r.Spec); ok && !s.Execution {
			fmt.Fprintf(&b, "%s=%s\x00", s.Key, text)
		}
	}
	fmt.Fprintf(&b, "%s\x00%x", r.ConnectomeSHA256, math.Float64bits(r.MinValLoss))
	return b.String()
}

// Reference picks the strategy the others are compared with: baseline if
// it is among strategies, else (baseline "") "bio-random" if present, else
// the first bio-* strategy, else none.
func Reference(strategies []string, baseline string) string {
	if baseline != "" {
		for _, s := range strategies {
			if s == baseline {
				return s
			}
		}
		return ""
	}
	ref := ""
	for _, s := range strategies {
		if s == string(rnn.StrategyBioRandom) {
			return s
		}
		if strings.HasPrefix(s, "bio-") && (ref == "" || s < ref) {
			ref = s
		}
	}
	return ref
}

// Options of BuildWith.
type Options struct {
	// Baseline is the strategy the others are compared with ("" =
	// bio-random, else the first bio-* strategy of a condition).
	Baseline string
}

// BaselineError is a baseline strategy that no run of the folder has.
type BaselineError struct {
	Baseline string
	Present  []string
}

func (e *BaselineError) Error() string {
	return fmt.Sprintf("baseline %q: no run of the results has that strategy (present: %s)", e.Baseline, strings.Join(e.Present, ", "))
}

// weightsOf is how a run's recurrent weights were set.
func weightsOf(s rnn.RunSpec) string {
	switch s.Strategy {
	case rnn.StrategyBioRank:
		return string(rnn.ControlRank)
	case rnn.StrategyBioWeights:
		return string(rnn.ControlWeights)
	case rnn.StrategyBioRandom:
		return string(rnn.ControlRandom)
	}
	if s.ControlWeights == "" {
		return string(rnn.ControlRandom)
	}
	return string(s.ControlWeights)
}

// learnt reports whether a run learnt (rnn.Learnt: the speed criterion
// reached below chance); computed from the row, so folders written before
// the learnt column existed are summarised alike.
func learnt(r results.RunRow) bool {
	return rnn.Learnt(r.Spec.Task, int(r.SpeedEpoch), r.MinValLoss)
}

// Build summarises runs by condition and strategy against the default
// baseline.
func Build(runs []results.RunRow) *Report {
	rep, _ := BuildWith(runs, Options{})
	return rep
}

// BuildWith summarises runs by condition and strategy, comparing every
// strategy with opts.Baseline.
func BuildWith(runs []results.RunRow, opts Options) (*Report, error) {
	if opts.Baseline != "" {
		present := map[string]bool{}
		for _, r := range runs {
			present[string(r.Spec.Strategy)] = true
		}
		if !present[opts.Baseline] {
			var names []string
			for n := range present {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, &BaselineError{Baseline: opts.Baseline, Present: names}
		}
	}
	type key struct {
		c Condition
		s string
	}
	groups := map[key]*Row{}
	strategies := map[Condition][]string{}
	// Settings that vary are looked for within each task: the paper's grids
	// use 500 trials for seq_mem and 1000 for the n-back tasks, which is no
	// reason to label every row with its trial count.
	byTask := map[string][]results.RunRow{}
	versions := map[string]int{}
	for _, r := range runs {
		byTask[string(r.Spec.Task)] = append(byTask[string(r.Spec.Task)], r)
		versions[r.BiornnVersion]++
	}
	vary := map[string][]int{}
	anyVary := len(versions) > 1
	for task, rs := range byTask {
		vary[task] = varyingOther(rs)
		anyVary = anyVary || len(vary[task]) > 0
	}
	rep := &Report{Varying: map[string]bool{"other": anyVary}}
	if len(versions) > 1 {
		var vs []string
		for v, n := range versions {
			vs = append(vs, fmt.Sprintf("%s (%d runs)", v, n))
		}
		sort.Strings(vs)
		rep.Warnings = append(rep.Warnings, "the results come from "+strconv.Itoa(len(versions))+" biornn versions: "+strings.Join(vs, ", ")+
			"; rows are per version, since single runs can differ between versions in the last digits and training can amplify that")
	}
	// The values each varying setting takes in a condition, among the runs
	// it applies to.
	values := map[Condition]map[int]map[string]bool{}
	for _, r := range runs {
		c := ConditionOf(r)
		if values[c] == nil {
			values[c] = map[int]map[string]bool{}
		}
		for _, k := range vary[string(r.Spec.Task)] {
			if text, ok := settingText(otherSettings[k], r.Spec); ok {
				if values[c][k] == nil {
					values[c][k] = map[string]bool{}
				}
				values[c][k][text] = true
			}
		}
	}
	repeated := map[string]bool{}
	for _, r := range runs {
		c := ConditionOf(r)
		// The labels of the rows the run counts in: one, unless a varying
		// setting does not apply to it (control_weights of a bio strategy,
		// spectral_radius without scaled weights); then it counts with every
		// value that setting takes in its condition, so that a baseline
		// meets each variant of its controls.
		others := [][]string{nil}
		for _, k := range vary[string(r.Spec.Task)] {
			s := otherSettings[k]
			texts := slices.Sorted(maps.Keys(values[c][k]))
			if text, ok := settingText(s, r.Spec); ok {
				texts = []string{text}
			}
			var next [][]string
			for _, o := range others {
				for _, text := range texts {
					next = append(next, append(slices.Clone(o), s.Key+"="+text))
				}
			}
			if len(next) > 0 {
				others = next
			}
		}
		id := runIdentity(r)
		for _, other := range others {
			if len(versions) > 1 {
				other = append(other, "biornn_version="+r.BiornnVersion)
			}
			c.Other = strings.Join(other, " ")
			k := key{c, string(r.Spec.Strategy)}
			g := groups[k]
			if g == nil {
				g = &Row{Condition: k.c, Strategy: k.s, Weights: weightsOf(r.Spec), ChanceLoss: rnn.ChanceLoss(r.Spec.Task),
					lossBySeed: map[uint64]float64{}, speedBySeed: map[uint64]float64{}, experiments: map[string]bool{}}
				groups[k] = g
				strategies[k.c] = append(strategies[k.c], k.s)
			}
			if g.experiments[id] {
				repeated[r.RunID] = true
				continue
			}
			g.experiments[id] = true
			g.N++
			g.lossVals = append(g.lossVals, r.MinValLoss)
			if _, dup := g.lossBySeed[r.Spec.Seed]; dup {
				g.seedDup = true
			}
			g.lossBySeed[r.Spec.Seed] = r.MinValLoss
			if learnt(r) {
				g.speedVals = append(g.speedVals, float64(r.SpeedEpoch))
				g.speedBySeed[r.Spec.Seed] = float64(r.SpeedEpoch)
			}
			g.runIDs = append(g.runIDs, r.RunID)
		}
	}
	if len(repeated) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d runs repeat another run except in settings that do not apply to them "+
			"(such as control_weights of a bio strategy, from a sweep axis); each is counted once", len(repeated)))
	}
	seen := map[string]map[string]bool{"optimizer": {}, "lr": {}, "activation": {}}
	for k, g := range groups {
		seen["optimizer"][k.c.Optimizer] = true
		seen["lr"][strconv.FormatFloat(k.c.LR, 'g', -1, 64)] = true
		seen["activation"][k.c.Activation] = true
		g.LossMedian, g.LossQ1, g.LossQ3 = Median(g.lossVals), Quantile(g.lossVals, 0.25), Quantile(g.lossVals, 0.75)
		g.NSpeed = len(g.speedVals)
		g.SpeedMedian, g.SpeedQ1, g.SpeedQ3 = Median(g.speedVals), Quantile(g.speedVals, 0.25), Quantile(g.speedVals, 0.75)
		nan := math.NaN()
		g.LossDelta, g.LossCILow, g.LossCIHigh, g.LossP = nan, nan, nan, nan
		g.SpeedDelta, g.SpeedCILow, g.SpeedCIHigh, g.SpeedP = nan, nan, nan, nan
		ref := Reference(strategies[k.c], opts.Baseline)
		if ref != "" && ref != g.Strategy {
			r := groups[key{k.c, ref}]
			g.Reference = ref
			g.LossTest, g.LossDelta, g.LossCILow, g.LossCIHigh, g.LossP = compare(g.lossVals, r.lossVals, pairs(g, r, g.lossBySeed, r.lossBySeed))
			g.SpeedTest, g.SpeedDelta, g.SpeedCILow, g.SpeedCIHigh, g.SpeedP = compare(g.speedVals, r.speedVals, pairs(g, r, g.speedBySeed, r.speedBySeed))
		}
		rep.Rows = append(rep.Rows, *g)
	}
	for name, vals := range seen {
		rep.Varying[name] = len(vals) > 1
	}
	sort.Slice(rep.Rows, func(i, j int) bool { return rowLess(&rep.Rows[i], &rep.Rows[j]) })
	// Holm over every comparison of the report (loss and speed alike).
	var ps []float64
	for _, r := range rep.Rows {
		ps = append(ps, r.LossP, r.SpeedP)
	}
	adj := HolmAdjust(ps)
	for i := range rep.Rows {
		rep.Rows[i].LossPAdj, rep.Rows[i].SpeedPAdj = adj[2*i], adj[2*i+1]
	}
	for _, p := range ps {
		if !math.IsNaN(p) {
			rep.Comparisons++
		}
	}
	rep.Pooled = pool(rep.Rows)
	return rep, nil
}

// paired holds the two arms' values paired by seed.
type paired struct{ x, y []float64 }

// pairs pairs a row's values with the reference's by seed when both arms
// have the same seeds, each once (for the speed epoch: those of the runs
// that learnt, in both arms); nil otherwise, and the arms are compared as
// independent samples.
func pairs(g, r *Row, gs, rs map[uint64]float64) *paired {
	if g.seedDup || r.seedDup || len(g.lossBySeed) != len(r.lossBySeed) || len(gs) != len(rs) {
		return nil
	}
	for s := range g.lossBySeed {
		if _, ok := r.lossBySeed[s]; !ok {
			return nil
		}
	}
	seeds := make([]uint64, 0, len(gs))
	for s := range gs {
		if _, ok := rs[s]; !ok {
			return nil
		}
		seeds = append(seeds, s)
	}
	sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
	p := &paired{}
	for _, s := range seeds {
		p.x, p.y = append(p.x, gs[s]), append(p.y, rs[s])
	}
	return p
}

// ciSeed makes the bootstrap intervals reproducible.
const ciSeed = 1

// compare tests x against the reference y: the signed-rank test on pairs
// when given, else the rank-sum test; Cliff's delta with its bootstrap CI.
func compare(x, y []float64, p *paired) (test string, delta, lo, hi, pv float64) {
	delta = CliffsDelta(x, y)
	if math.IsNaN(delta) {
		return "", delta, math.NaN(), math.NaN(), math.NaN()
	}
	if p != nil && len(p.x) > 0 {
		_, pv = WilcoxonSignedRank(p.x, p.y)
		lo, hi = CliffsDeltaCI(p.x, p.y, true, ciSeed)
		return "signed-rank", delta, lo, hi, pv
	}
	_, pv = MannWhitney(x, y)
	lo, hi = CliffsDeltaCI(x, y, false, ciSeed)
	return "rank-sum", delta, lo, hi, pv
}

// Pooled summarises one compared strategy over every condition where it
// met its reference.
type Pooled struct {
	Strategy, Reference string
	Conditions, Runs    int
	// LossDeltaMedian is the median over conditions of the loss delta.
	LossDeltaMedian float64
	// RefBetter and StrategyBetter count conditions whose loss comparison
	// is significant after Holm's adjustment (p_adjusted < 0.05), by side.
	RefBetter, StrategyBetter int
	// RefAhead and StrategyAhead count conditions by the sign of the loss
	// delta alone (ties left out), and SignP is the two-sided sign test of
	// those counts: with few seeds per condition (5 pairs cannot give a
	// signed-rank p below 0.0625) the direction across conditions is the
	// evidence.
	RefAhead, StrategyAhead int
	SignP                   float64
}

// pool summarises the rows per (strategy, reference).
func pool(rows []Row) []Pooled {
	by := map[[2]string]*Pooled{}
	deltas := map[[2]string][]float64{}
	var order [][2]string
	for _, r := range rows {
		if r.Reference == "" {
			continue
		}
		k := [2]string{r.Strategy, r.Reference}
		p := by[k]
		if p == nil {
			p = &Pooled{Strategy: r.Strategy, Reference: r.Reference}
			by[k] = p
			order = append(order, k)
		}
		p.Conditions++
		p.Runs += r.N
		deltas[k] = append(deltas[k], r.LossDelta)
		switch {
		case r.LossDelta > 0:
			p.RefAhead++
		case r.LossDelta < 0:
			p.StrategyAhead++
		}
		if r.LossPAdj < 0.05 {
			if r.LossDelta > 0 {
				p.RefBetter++
			} else if r.LossDelta < 0 {
				p.StrategyBetter++
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i][0] != order[j][0] {
			return order[i][0] < order[j][0]
		}
		return order[i][1] < order[j][1]
	})
	out := make([]Pooled, len(order))
	for i, k := range order {
		by[k].LossDeltaMedian = Median(deltas[k])
		by[k].SignP = SignTest(by[k].RefAhead, by[k].StrategyAhead)
		out[i] = *by[k]
	}
	return out
}

// rowLess orders rows by condition, then the reference first, then the rest
// by name.
func rowLess(a, b *Row) bool {
	ca, cb := a.Condition, b.Condition
	if ca != cb {
		switch {
		case ca.Connectome != cb.Connectome:
			return ca.Connectome < cb.Connectome
		case ca.Task != cb.Task:
			return ca.Task < cb.Task
		case ca.Param != cb.Param:
			return paramLess(ca.Param, cb.Param)
		case ca.Optimizer != cb.Optimizer:
			return ca.Optimizer < cb.Optimizer
		case ca.LR != cb.LR:
			return ca.LR > cb.LR
		case ca.Activation != cb.Activation:
			return ca.Activation < cb.Activation
		default:
			return ca.Other < cb.Other
		}
	}
	if (a.Reference == "") != (b.Reference == "") {
		return a.Reference == ""
	}
	return a.Strategy < b.Strategy
}

// paramLess sorts "L=10" after "L=5".
func paramLess(a, b string) bool {
	na, nb := paramNums(a), paramNums(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return a < b
}

func paramNums(p string) []int {
	var out []int
	for _, f := range strings.Fields(p) {
		if _, v, ok := strings.Cut(f, "="); ok {
			n, _ := strconv.Atoi(v)
			out = append(out, n)
		}
	}
	return out
}

// groupHead returns the header of the columns that identify a row's group:
// connectome, task and parameter always, the optimizer settings and the
// other settings only when they vary across the report (else they would
// repeat one value on every row).
func (rep *Report) groupHead() []string {
	head := []string{"connectome", "task", "param"}
	for _, v := range []string{"optimizer", "lr", "activation"} {
		if rep.Varying[v] {
			head = append(head, v)
		}
	}
	if rep.Varying["other"] {
		head = append(head, "settings")
	}
	return head
}

// groupCells returns row r's cells under groupHead.
func (rep *Report) groupCells(r Row) []string {
	rec := []string{r.Connectome, r.Task, r.Param}
	if rep.Varying["optimizer"] {
		rec = append(rec, r.Optimizer)
	}
	if rep.Varying["lr"] {
		rec = append(rec, strconv.FormatFloat(r.LR, 'g', -1, 64))
	}
	if rep.Varying["activation"] {
		rec = append(rec, r.Activation)
	}
	if rep.Varying["other"] {
		rec = append(rec, r.Other)
	}
	return rec
}

// columns returns the table's header and one formatted record per row.
func (rep *Report) columns(fmtNum func(float64, int) string) ([]string, [][]string) {
	head := rep.groupHead()
	head = append(head, "strategy", "weights", "n", "chance_loss", "loss_median", "loss_q1", "loss_q3",
		"n_speed", "n_not_learnt", "speed_median", "speed_q1", "speed_q3",
		"vs", "test", "loss_delta", "effect_ci_low", "effect_ci_high", "loss_p", "p_adjusted",
		"speed_test", "speed_delta", "speed_ci_low", "speed_ci_high", "speed_p", "speed_p_adjusted")
	var recs [][]string
	for _, r := range rep.Rows {
		rec := rep.groupCells(r)
		rec = append(rec, r.Strategy, r.Weights, strconv.Itoa(r.N), fmtNum(r.ChanceLoss, 4),
			fmtNum(r.LossMedian, 4), fmtNum(r.LossQ1, 4), fmtNum(r.LossQ3, 4),
			strconv.Itoa(r.NSpeed), strconv.Itoa(r.N-r.NSpeed), fmtNum(r.SpeedMedian, 4), fmtNum(r.SpeedQ1, 4), fmtNum(r.SpeedQ3, 4),
			r.Reference, r.LossTest, fmtNum(r.LossDelta, 3), fmtNum(r.LossCILow, 3), fmtNum(r.LossCIHigh, 3),
			fmtNum(r.LossP, 3), fmtNum(r.LossPAdj, 3),
			r.SpeedTest, fmtNum(r.SpeedDelta, 3), fmtNum(r.SpeedCILow, 3), fmtNum(r.SpeedCIHigh, 3),
			fmtNum(r.SpeedP, 3), fmtNum(r.SpeedPAdj, 3))
		recs = append(recs, rec)
	}
	return head, recs
}

// short formats a number for people: significant digits, "-" for NaN.
func short(x float64, digits int) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', digits, 64)
}

// full formats a number for machines: shortest exact, empty for NaN.
func full(x float64, _ int) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// compact returns the human-readable table: each metric as
// "median [q1, q3]" and each comparison as "delta (p)".
func (rep *Report) compact() ([]string, [][]string) {
	head := rep.groupHead()
	head = append(head, "strategy", "weights", "n", "min val loss: median [IQR] (chance)", "speed epoch of runs that learnt: median [IQR]",
		"vs", "test", "loss delta [95% CI] (p adj.)", "speed delta [95% CI] (p adj.)")
	var recs [][]string
	for _, r := range rep.Rows {
		rec := rep.groupCells(r)
		speed := fmt.Sprintf("%s [%s, %s]", short(r.SpeedMedian, 4), short(r.SpeedQ1, 4), short(r.SpeedQ3, 4))
		if r.NSpeed < r.N {
			speed += fmt.Sprintf(" (%d of %d did not learn)", r.N-r.NSpeed, r.N)
		}
		cmp := func(d, lo, hi, p float64) string {
			if math.IsNaN(d) {
				return "-"
			}
			return fmt.Sprintf("%+.2f [%+.2f, %+.2f] (%s)", d, lo, hi, short(p, 2))
		}
		ref, test := r.Reference, r.LossTest
		if ref == "" {
			ref, test = "-", "-"
		}
		rec = append(rec, r.Strategy, r.Weights, strconv.Itoa(r.N),
			fmt.Sprintf("%s [%s, %s] (%s)", short(r.LossMedian, 4), short(r.LossQ1, 4), short(r.LossQ3, 4), short(r.ChanceLoss, 3)),
			speed, ref, test, cmp(r.LossDelta, r.LossCILow, r.LossCIHigh, r.LossPAdj),
			cmp(r.SpeedDelta, r.SpeedCILow, r.SpeedCIHigh, r.SpeedPAdj))
		recs = append(recs, rec)
	}
	return head, recs
}

// WriteText writes the table aligned for a terminal.
func (rep *Report) WriteText(w io.Writer) error {
	head, recs := rep.compact()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range recs {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, rep.notes()); err != nil {
		return err
	}
	if len(rep.Pooled) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\npooled over conditions:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head, recs = rep.pooledTable()
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range recs {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// notes is the legend, the multiple-comparison note and the warnings.
func (rep *Report) notes() string {
	out := Legend + fmt.Sprintf(" P-values are Holm-Bonferroni adjusted over the %d comparisons of this table (loss and speed).", rep.Comparisons)
	for _, w := range rep.Warnings {
		out += "\nwarning: " + w
	}
	return out
}

// pooledTable is the per-strategy summary over conditions.
func (rep *Report) pooledTable() ([]string, [][]string) {
	head := []string{"strategy", "vs", "conditions", "runs", "median loss delta", "vs better (p adj. < 0.05)", "strategy better (p adj. < 0.05)",
		"conditions vs / strategy lower (sign test p)"}
	var recs [][]string
	for _, p := range rep.Pooled {
		recs = append(recs, []string{p.Strategy, p.Reference, strconv.Itoa(p.Conditions), strconv.Itoa(p.Runs),
			fmt.Sprintf("%+.2f", p.LossDeltaMedian), strconv.Itoa(p.RefBetter), strconv.Itoa(p.StrategyBetter),
			fmt.Sprintf("%d / %d (%s)", p.RefAhead, p.StrategyAhead, short(p.SignP, 2))})
	}
	return head, recs
}

// Legend explains the comparison columns.
const Legend = "min val loss = each run's minimum validation loss (chance: the task's loss at chance level); " +
	"speed epoch = first epoch within 1% of the run's loss range, over the runs that learnt (reached it with a minimum loss below chance); " +
	"weights = how the recurrent weights were set; IQR = quartiles; " +
	"delta = Cliff's delta of this strategy against the 'vs' strategy (+1: all its values larger, i.e. 'vs' reached lower loss or learnt faster; -1: all smaller), " +
	"with its 95% bootstrap interval; test = two-sided Wilcoxon signed-rank test on runs paired by seed when both strategies have the same seeds, else the Mann-Whitney rank-sum test."

// WriteCSV writes the table as CSV with full-precision numbers.
func (rep *Report) WriteCSV(w io.Writer) error {
	head, recs := rep.columns(full)
	cw := csv.NewWriter(w)
	cw.Write(head)
	cw.WriteAll(recs)
	return cw.Error()
}

// WriteMarkdown writes the human-readable table as GitHub-flavoured
// Markdown.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	head, recs := rep.compact()
	var b strings.Builder
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for _, h := range head {
		if h == "n" {
			b.WriteString("--:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range recs {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	b.WriteString("\n" + strings.ReplaceAll(rep.notes(), "\nwarning:", "\n\nWarning:") + "\n")
	if len(rep.Pooled) > 0 {
		head, recs := rep.pooledTable()
		b.WriteString("\nPooled over conditions:\n\n| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat("---|", len(head)) + "\n")
		for _, r := range recs {
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
