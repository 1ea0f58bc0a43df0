package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/biornn/biornn/rnn"
	"github.com/biornn/biornn/rnn/results"
)

// Planned is one run of a sweep: its position in the full grid, its id and
// its spec after defaults.
type Planned struct {
	Index int
	ID    string
	Spec  rnn.RunSpec

	cfg *Config // the sweep it belongs to, to name keys in Check's errors
}

// Describe gives a short human-readable label of the run's grid position.
// Settings still empty (a spec before defaults, in an error from Plan) are
// left out rather than printed as blanks and zeros.
func (p Planned) Describe() string {
	s := p.Spec
	var parts []string
	add := func(ok bool, format string, args ...any) {
		if ok {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(s.Connectome != "", "%s", s.Connectome)
	add(s.Task != "", "%s", s.Task)
	if s.Task == "" || s.Task == "seq_mem" {
		add(s.PatternLength != 0, "L=%d", s.PatternLength)
	} else {
		add(s.NBack != 0, "n=%d", s.NBack)
		add(s.TrialLength != 0, "L=%d", s.TrialLength)
	}
	add(s.Strategy != "", "%s", s.Strategy)
	add(s.Optimizer != "", "%s", s.Optimizer)
	add(s.LR != 0, "lr=%g", s.LR)
	add(s.Activation != "", "%s", s.Activation)
	add(true, "seed=%d", s.Seed)
	return strings.Join(parts, " ")
}

// Outcome is the one-line result of a finished run, the same in the sweep's
// per-run lines and in 'biornn train': the minimum validation loss and its
// epoch, the training-speed epoch (or "not reached") and the wall time.
func Outcome(r *rnn.RunResult) string {
	speed := "not reached"
	if r.SpeedEpoch >= 0 {
		speed = strconv.Itoa(r.SpeedEpoch)
	}
	return fmt.Sprintf("min val loss %.6g @ epoch %d, speed epoch %s, %s", r.MinValLoss, r.MinValEpoch, speed, Seconds(r.WallSeconds))
}

// Seconds formats a duration for the progress lines: three significant
// digits below 10 s (short test runs take milliseconds), whole seconds above.
func Seconds(s float64) string {
	if s < 10 {
		return strconv.FormatFloat(s, 'g', 3, 64) + " s"
	}
	return strconv.FormatFloat(s, 'f', 0, 64) + " s"
}

// Plan expands a config into runs. canonical fills defaults and validates a
// spec (rnn.Defaults in the CLI); the run id is computed from its result, so
// that a grid value spelled out and the same default left empty are one run.
// Two grid points that become the same run are an error. An *rnn.Problem
// from canonical is reported under the key as the config sets it (grid.lr,
// fixed.epochs) or the bare key for a default.
func Plan(c *Config, canonical func(rnn.RunSpec) (rnn.RunSpec, error)) ([]Planned, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	specs := c.Specs()
	plan := make([]Planned, 0, len(specs))
	seen := map[string]int{}
	for i, s := range specs {
		if canonical != nil {
			full, err := canonical(s)
			if err != nil {
				return nil, fmt.Errorf("run %d (%s): %w", i, Planned{Spec: s}.Describe(), c.describe(err))
			}
			s = full
		}
		p := Planned{Index: i, ID: results.RunID(s), Spec: s, cfg: c}
		if j, dup := seen[p.ID]; dup {
			return nil, fmt.Errorf("sweep runs %d (%s) and %d (%s) are the same run after defaults: remove the duplicate grid value",
				j, plan[j].Describe(), i, p.Describe())
		}
		seen[p.ID] = i
		plan = append(plan, p)
	}
	return plan, nil
}

// Check builds one network per connectome of the plan with build
// (rnn.BuildWiring in the CLI) before any training, so that a missing data
// folder, an unknown connectome or a bad neurons file stops the sweep at once
// with the config key at fault, instead of failing every run alike. The
// construction settings other than the connectome are shared by all runs,
// so one bio-random build per connectome covers them.
func Check(plan []Planned, build func(rnn.RunSpec) error) error {
	seen := map[string]bool{}
	for _, p := range plan {
		if seen[p.Spec.Connectome] {
			continue
		}
		seen[p.Spec.Connectome] = true
		s := p.Spec
		s.Strategy = rnn.StrategyBioRandom
		if err := build(s); err != nil {
			if p.cfg != nil {
				err = p.cfg.describe(err)
			}
			return fmt.Errorf("run %d (%s): %w", p.Index, p.Describe(), err)
		}
	}
	return nil
}

// ParseShard reads "i/n" (0 <= i < n).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			n, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: expected i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return i, n, nil
}

// ShardFromEnv reads a SLURM job array's position: SLURM_ARRAY_TASK_ID minus
// SLURM_ARRAY_TASK_MIN (so --array=1-8 and --array=0-7 both work) out of
// SLURM_ARRAY_TASK_COUNT. ok is false outside a job array.
func ShardFromEnv(getenv func(string) string) (i, n int, ok bool, err error) {
	id, count := getenv("SLURM_ARRAY_TASK_ID"), getenv("SLURM_ARRAY_TASK_COUNT")
	if id == "" && count == "" {
		return 0, 0, false, nil
	}
	ti, err1 := strconv.Atoi(id)
	n, err2 := strconv.Atoi(count)
	if err1 != nil || err2 != nil || n < 1 {
		return 0, 0, false, fmt.Errorf("SLURM_ARRAY_TASK_ID=%q SLURM_ARRAY_TASK_COUNT=%q: expected integers", id, count)
	}
	min := 0
	if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
		if min, err = strconv.Atoi(m); err != nil {
			return 0, 0, false, fmt.Errorf("SLURM_ARRAY_TASK_MIN=%q: expected an integer", m)
		}
	}
	i = ti - min
	if i < 0 || i >= n {
		return 0, 0, false, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d (min %d) is outside 0..%d: the sweep splits by task index, so use a contiguous --array range", ti, min, n-1)
	}
	return i, n, true, nil
}

// Shard keeps the runs whose grid position is i modulo n: a deterministic
// partition (every run in exactly one shard) that spreads slow and fast
// grid regions evenly.
func Shard(plan []Planned, i, n int) []Planned {
	var out []Planned
	for _, p := range plan {
		if p.Index%n == i {
			out = append(out, p)
		}
	}
	return out
}

// RunFunc trains one run (rnn.Run in the CLI).
type RunFunc func(ctx context.Context, spec rnn.RunSpec, onEpoch func(rnn.EpochRecord)) (*rnn.RunResult, error)

// Options control Execute.
type Options struct {
	Out     string    // results folder
	Workers int       // parallel runs; 0 = one per core (divided by the runs' threads)
	Run     RunFunc   // the trainer
	Version string    // biornn version recorded with each run
	Log     io.Writer // one line per finished run; nil = silent
}

// Summary counts what Execute did.
type Summary struct {
	Planned, Skipped, Done, Failed int
	Failures                       []error
	Seconds                        float64
}

// Execute runs the plan: it removes what interrupted writes of this plan's
// runs left behind (results.CleanIncomplete), skips runs already complete in opts.Out, and trains the rest with
// opts.Workers in parallel, writing each as soon as it finishes. A failing
// run is reported and does not stop the others (it is retried on resume); a
// cancelled ctx stops handing out runs and returns ctx's error.
func Execute(ctx context.Context, plan []Planned, opts Options) (Summary, error) {
	start := time.Now()
	sum := Summary{Planned: len(plan)}
	if opts.Run == nil {
		return sum, errors.New("sweep: no trainer")
	}
	ids := make(map[string]bool, len(plan))
	for _, p := range plan {
		ids[p.ID] = true
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return sum, fmt.Errorf("sweep: creating %s: %w", opts.Out, err)
	}
	if _, err := results.CleanIncomplete(opts.Out, ids); err != nil {
		return sum, err
	}
	var todo []Planned
	for _, p := range plan {
		if results.Exists(opts.Out, p.ID) {
			sum.Skipped++
		} else {
			todo = append(todo, p)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		threads := 1
		if len(plan) > 0 && plan[0].Spec.Threads > 1 {
			threads = plan[0].Spec.Threads
		}
		workers = max(1, runtime.NumCPU()/threads)
	}
	workers = min(workers, max(1, len(todo)))
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	if sum.Skipped > 0 {
		logf("sweep: %d of %d runs already in %s, %d to do", sum.Skipped, len(plan), opts.Out, len(todo))
	}

	jobs := make(chan Planned)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				res, err := runOne(ctx, p, opts)
				mu.Lock()
				k := sum.Skipped + sum.Done + sum.Failed + 1
				switch {
				case err == nil:
					sum.Done++
					logf("[%d/%d] %s %s: %s", k, len(plan), p.ID, p.Describe(), Outcome(res))
				case ctx.Err() == nil:
					sum.Failed++
					sum.Failures = append(sum.Failures, fmt.Errorf("run %s (%s): %w", p.ID, p.Describe(), err))
					logf("[%d/%d] FAILED %s %s: %v", k, len(plan), p.ID, p.Describe(), err)
				}
				mu.Unlock()
			}
		}()
	}
dispatch:
	for _, p := range todo {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
	sum.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("sweep interrupted after %d new runs (%v); run the same command again to resume", sum.Done, err)
	}
	return sum, nil
}

// runOne trains and writes one run.
func runOne(ctx context.Context, p Planned, opts Options) (*rnn.RunResult, error) {
	res, err := opts.Run(ctx, p.Spec, nil)
	if err != nil {
		return nil, err
	}
	if err := results.Write(opts.Out, p.ID, res, opts.Version); err != nil {
		return nil, err
	}
	return res, nil
}
