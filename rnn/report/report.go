package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
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
// them with the condition's reference (bio) strategy.
type Row struct {
	Condition
	Strategy string
	N        int // runs

	LossMedian, LossQ1, LossQ3 float64 // minimum validation loss

	// Training-speed epoch over the runs that reached it; NSpeed counts them.
	NSpeed                        int
	SpeedMedian, SpeedQ1, SpeedQ3 float64

	// Comparison with Reference (empty for the reference itself and when the
	// condition has no bio strategy). Deltas are Cliff's delta of this
	// strategy's values against the reference's: positive means this
	// strategy's loss (or speed epoch) is larger, i.e. the reference did
	// better. P-values are two-sided Mann-Whitney.
	Reference           string
	LossDelta, LossP    float64
	SpeedDelta, SpeedP  float64
	lossVals, speedVals []float64
	runIDs              []string
}

// Report is the summary of a results folder.
type Report struct {
	Rows []Row
	// Varying lists which of optimizer, lr and activation take more than one
	// value; the tables show only those columns.
	Varying map[string]bool
}

// ParamOf formats the task parameter of a run.
func ParamOf(r results.RunRow) string {
	if r.Spec.Task == rnn.TaskSeqMem || r.Spec.Task == "" {
		return fmt.Sprintf("L=%d", r.Spec.PatternLength)
	}
	return fmt.Sprintf("n=%d L=%d", r.Spec.NBack, r.Spec.TrialLength)
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

// varyingOther returns the otherSettings that take more than one value.
func varyingOther(runs []results.RunRow) []int {
	var idx []int
	for k, s := range otherSettings {
		seen := map[string]bool{}
		for _, r := range runs {
			seen[s.Format(r.Spec)] = true
		}
		if len(seen) > 1 {
			idx = append(idx, k)
		}
	}
	return idx
}

// Reference picks the strategy the others are compared with: "bio-random"
// if present, else the first bio-* strategy, else none.
func Reference(strategies []string) string {
	ref := ""
	for _, s := range strategies {
		if s == "bio-random" {
			return s
		}
		if strings.HasPrefix(s, "bio-") && (ref == "" || s < ref) {
			ref = s
		}
	}
	return ref
}

// Build summarises runs by condition and strategy.
func Build(runs []results.RunRow) *Report {
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
	for _, r := range runs {
		byTask[string(r.Spec.Task)] = append(byTask[string(r.Spec.Task)], r)
	}
	vary := map[string][]int{}
	anyVary := false
	for task, rs := range byTask {
		vary[task] = varyingOther(rs)
		anyVary = anyVary || len(vary[task]) > 0
	}
	for _, r := range runs {
		c := ConditionOf(r)
		var other []string
		for _, k := range vary[string(r.Spec.Task)] {
			v := otherSettings[k].Format(r.Spec)
			if v == "" {
				v = "none" // an unset string setting (no neurons file, no fill rule)
			}
			other = append(other, otherSettings[k].Key+"="+v)
		}
		c.Other = strings.Join(other, " ")
		k := key{c, string(r.Spec.Strategy)}
		g := groups[k]
		if g == nil {
			g = &Row{Condition: k.c, Strategy: k.s}
			groups[k] = g
			strategies[k.c] = append(strategies[k.c], k.s)
		}
		g.N++
		g.lossVals = append(g.lossVals, r.MinValLoss)
		if r.SpeedEpoch >= 0 {
			g.speedVals = append(g.speedVals, float64(r.SpeedEpoch))
		}
		g.runIDs = append(g.runIDs, r.RunID)
	}
	rep := &Report{Varying: map[string]bool{"other": anyVary}}
	seen := map[string]map[string]bool{"optimizer": {}, "lr": {}, "activation": {}}
	for k, g := range groups {
		seen["optimizer"][k.c.Optimizer] = true
		seen["lr"][strconv.FormatFloat(k.c.LR, 'g', -1, 64)] = true
		seen["activation"][k.c.Activation] = true
		g.LossMedian, g.LossQ1, g.LossQ3 = Median(g.lossVals), Quantile(g.lossVals, 0.25), Quantile(g.lossVals, 0.75)
		g.NSpeed = len(g.speedVals)
		g.SpeedMedian, g.SpeedQ1, g.SpeedQ3 = Median(g.speedVals), Quantile(g.speedVals, 0.25), Quantile(g.speedVals, 0.75)
		g.LossDelta, g.LossP, g.SpeedDelta, g.SpeedP = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		ref := Reference(strategies[k.c])
		if ref != "" && ref != g.Strategy {
			r := groups[key{k.c, ref}]
			g.Reference = ref
			g.LossDelta = CliffsDelta(g.lossVals, r.lossVals)
			_, g.LossP = MannWhitney(g.lossVals, r.lossVals)
			g.SpeedDelta = CliffsDelta(g.speedVals, r.speedVals)
			_, g.SpeedP = MannWhitney(g.speedVals, r.speedVals)
		}
		rep.Rows = append(rep.Rows, *g)
	}
	for name, vals := range seen {
		rep.Varying[name] = len(vals) > 1
	}
	sort.Slice(rep.Rows, func(i, j int) bool { return rowLess(&rep.Rows[i], &rep.Rows[j]) })
	return rep
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
	head = append(head, "strategy", "n", "loss_median", "loss_q1", "loss_q3",
		"n_speed", "speed_median", "speed_q1", "speed_q3",
		"vs", "loss_delta", "loss_p", "speed_delta", "speed_p")
	var recs [][]string
	for _, r := range rep.Rows {
		rec := rep.groupCells(r)
		rec = append(rec, r.Strategy, strconv.Itoa(r.N),
			fmtNum(r.LossMedian, 4), fmtNum(r.LossQ1, 4), fmtNum(r.LossQ3, 4),
			strconv.Itoa(r.NSpeed), fmtNum(r.SpeedMedian, 4), fmtNum(r.SpeedQ1, 4), fmtNum(r.SpeedQ3, 4),
			r.Reference, fmtNum(r.LossDelta, 3), fmtNum(r.LossP, 3), fmtNum(r.SpeedDelta, 3), fmtNum(r.SpeedP, 3))
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
	head = append(head, "strategy", "n", "min val loss: median [IQR]", "speed epoch: median [IQR]", "vs", "loss delta (p)", "speed delta (p)")
	var recs [][]string
	for _, r := range rep.Rows {
		rec := rep.groupCells(r)
		speed := fmt.Sprintf("%s [%s, %s]", short(r.SpeedMedian, 4), short(r.SpeedQ1, 4), short(r.SpeedQ3, 4))
		if r.NSpeed < r.N {
			speed += fmt.Sprintf(" (%d of %d reached)", r.NSpeed, r.N)
		}
		cmp := func(d, p float64) string {
			if math.IsNaN(d) {
				return "-"
			}
			return fmt.Sprintf("%+.2f (%s)", d, short(p, 2))
		}
		ref := r.Reference
		if ref == "" {
			ref = "-"
		}
		rec = append(rec, r.Strategy, strconv.Itoa(r.N),
			fmt.Sprintf("%s [%s, %s]", short(r.LossMedian, 4), short(r.LossQ1, 4), short(r.LossQ3, 4)),
			speed, ref, cmp(r.LossDelta, r.LossP), cmp(r.SpeedDelta, r.SpeedP))
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
	_, err := fmt.Fprintln(w, Legend)
	return err
}

// Legend explains the comparison columns.
const Legend = "min val loss = each run's minimum validation loss; speed epoch = first epoch within 1% of the run's loss range (runs that never get there are left out); " +
	"IQR = quartiles; delta = Cliff's delta of this strategy against the 'vs' strategy (+1: all its values larger, i.e. 'vs' reached lower loss or learnt faster; -1: all smaller); " +
	"p = two-sided Mann-Whitney rank-sum test."

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
	b.WriteString("\n" + Legend + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}
