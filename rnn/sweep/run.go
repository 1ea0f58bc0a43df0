package sweep

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
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
// fixed.epochs) or the bare key for a default. A grid of more than MaxRuns
// runs is an error; Runs gives the runs without holding them.
func Plan(c *Config, canonical func(rnn.RunSpec) (rnn.RunSpec, error)) ([]Planned, error) {
	n, runs, err := Runs(c, canonical)
	if err != nil {
		return nil, err
	}
	plan := make([]Planned, 0, n)
	for p := range runs {
		plan = append(plan, p)
	}
	return plan, nil
}

// Runs checks the whole plan as Plan does, holding only one 8-byte id per
// run, and returns the number of runs and an iterator that yields them in
// plan order, computing each when it is reached. A grid of more than
// MaxRuns runs is an error naming the axes, before anything is expanded.
func Runs(c *Config, canonical func(rnn.RunSpec) (rnn.RunSpec, error)) (int, iter.Seq[Planned], error) {
	if err := c.validate(); err != nil {
		return 0, nil, err
	}
	n, err := c.Count()
	if err != nil {
		return 0, nil, err
	}
	plan := func(yield func(Planned, error) bool) {
		for i, s := range c.All() {
			if canonical != nil {
				full, err := canonical(s)
				if err != nil {
					yield(Planned{}, fmt.Errorf("run %d (%s): %w", i, Planned{Spec: s}.Describe(), c.describe(err)))
					return
				}
				s = full
			}
			if !yield(Planned{Index: i, ID: results.RunID(s), Spec: s, cfg: c}, nil) {
				return
			}
		}
	}
	seen := make(map[[8]byte]int, n)
	for p, err := range plan {
		if err != nil {
			return 0, nil, err
		}
		var key [8]byte
		hex.Decode(key[:], []byte(p.ID))
		if j, dup := seen[key]; dup {
			first := Planned{}
			for q := range plan {
				if q.Index == j {
					first = q
					break
				}
			}
			return 0, nil, fmt.Errorf("sweep runs %d (%s) and %d (%s) are the same run after defaults: remove the duplicate grid value",
				j, first.Describe(), p.Index, p.Describe())
		}
		seen[key] = p.Index
	}
	seen = nil
	return n, func(yield func(Planned) bool) {
		for p, err := range plan {
			if err != nil || !yield(p) {
				return
			}
		}
	}, nil
}

// Check builds one network per connectome of the plan with build
// (rnn.BuildWiring in the CLI) before any training, so that a missing data
// folder, an unknown connectome or a bad neurons file stops the sweep at once
// with the config key at fault, instead of failing every run alike. The
// construction settings other than the connectome are shared by all runs,
// so one bio-random build per connectome covers them.
func Check(plan []Planned, build func(rnn.RunSpec) error) error {
	return CheckRuns(slices.Values(plan), build)
}

// CheckRuns is Check over an iterator of runs (Runs, ShardRuns).
func CheckRuns(plan iter.Seq[Planned], build func(rnn.RunSpec) error) error {
	seen := map[string]bool{}
	for p := range plan {
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
	for p := range ShardRuns(slices.Values(plan), i, n) {
		out = append(out, p)
	}
	return out
}

// ShardRuns is Shard over an iterator of runs.
func ShardRuns(plan iter.Seq[Planned], i, n int) iter.Seq[Planned] {
	return func(yield func(Planned) bool) {
		for p := range plan {
			if p.Index%n == i && !yield(p) {
				return
			}
		}
	}
}

// RunFunc trains one run (rnn.Run in the CLI).
type RunFunc func(ctx context.Context, spec rnn.RunSpec, onEpoch func(rnn.EpochRecord)) (*rnn.RunResult, error)

// Options control Execute.
type Options struct {
	Out     string    // results folder
	Workers int       // parallel runs; 0 = one per core (divided by the runs' threads); < 0 is an error
	Run     RunFunc   // the trainer
	Version string    // biornn version recorded with each run
	Log     io.Writer // one line per finished run; nil = silent
	// Poll is how often a run that another process has claimed is looked at
	// again (done, or its claim turned stale); 0 = 2 s.
	Poll time.Duration
	// Total is the number of runs, for the log lines' [k/Total]; 0 = not
	// shown. Execute sets it to the plan's length.
	Total int
}

// Summary counts what Execute did.
type Summary struct {
	Planned, Skipped, Done, Failed int
	Failures                       []error
	// SetAside lists the files of damaged runs moved aside (and trained
	// again).
	SetAside []string
	Seconds  float64
}

// Execute runs the plan (ExecuteRuns over a slice).
func Execute(ctx context.Context, plan []Planned, opts Options) (Summary, error) {
	if opts.Total == 0 {
		opts.Total = len(plan)
	}
	return ExecuteRuns(ctx, slices.Values(plan), opts)
}

// ExecuteRuns trains the runs of plan that are not complete in opts.Out,
// with opts.Workers in parallel, writing each as soon as it finishes. A run
// already in the folder is verified (results.Verify) and skipped; a damaged
// one is set aside (results.SetAside), with a message, and trained again.
// Before training a run it claims it (results.TryClaim), so processes that
// share the folder never train a run twice: a run claimed by another live
// process is waited for (looked at every opts.Poll) until it is done, or
// its claim turns stale and this process takes it over. Only after claiming
// a run does it remove what interrupted writes of that run left behind
// (results.CleanRun), so another process's files in flight are safe. A
// failing run is reported and does not stop the others (it is retried on
// resume); a cancelled ctx stops handing out runs and returns ctx's error.
func ExecuteRuns(ctx context.Context, plan iter.Seq[Planned], opts Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	if opts.Run == nil {
		return sum, errors.New("sweep: no trainer")
	}
	if opts.Out == "" {
		return sum, errors.New("sweep: no results folder")
	}
	if opts.Workers < 0 {
		return sum, fmt.Errorf("sweep: %d workers: expected 1 or more (or 0 for one per core)", opts.Workers)
	}
	if err := results.PrepareFolder(opts.Out); err != nil {
		return sum, fmt.Errorf("sweep: %w", err)
	}
	poll := opts.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	next, stop := iter.Pull(plan)
	defer stop()
	first, ok := next()
	workers := opts.Workers
	if workers == 0 {
		threads := 1
		if ok && first.Spec.Threads > 1 {
			threads = first.Spec.Threads
		}
		workers = max(1, runtime.NumCPU()/threads)
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}

	var mu sync.Mutex
	var waiting []Planned // claimed by other processes
	held := map[string]string{}
	// one handles one run; false = claimed elsewhere, look again later.
	one := func(p Planned) bool {
		if results.Exists(opts.Out, p.ID) && results.Verify(opts.Out, p.ID) == nil {
			results.ClearStaleClaim(opts.Out, p.ID)
			mu.Lock()
			sum.Skipped++
			mu.Unlock()
			return true
		}
		claim, holder, err := results.TryClaim(opts.Out, p.ID)
		if err == nil && claim == nil {
			mu.Lock()
			held[p.ID] = holder
			mu.Unlock()
			return false
		}
		var res *rnn.RunResult
		already := false
		if err == nil {
			// Holding the claim, look again: another process may have
			// finished the run meanwhile, or its files may be damaged.
			if results.Exists(opts.Out, p.ID) {
				verr := results.Verify(opts.Out, p.ID)
				if already = verr == nil; !already {
					var moved []string
					moved, err = results.SetAside(opts.Out, p.ID)
					mu.Lock()
					sum.SetAside = append(sum.SetAside, moved...)
					mu.Unlock()
					if err == nil {
						logf("sweep: run %s (%s) is damaged: %v; moved to %s, training it again", p.ID, p.Describe(), verr, strings.Join(moved, ", "))
					}
				}
			}
			if !already && err == nil {
				if _, err = results.CleanRun(opts.Out, p.ID); err == nil {
					res, err = runOne(ctx, p, opts)
				}
			}
			claim.Release()
		}
		mu.Lock()
		defer mu.Unlock()
		k := strconv.Itoa(sum.Skipped + sum.Done + sum.Failed + 1)
		if opts.Total > 0 {
			k += "/" + strconv.Itoa(opts.Total)
		}
		switch {
		case already:
			sum.Skipped++
		case err == nil:
			sum.Done++
			logf("[%s] %s %s: %s", k, p.ID, p.Describe(), Outcome(res))
		case ctx.Err() == nil:
			sum.Failed++
			sum.Failures = append(sum.Failures, fmt.Errorf("run %s (%s): %w", p.ID, p.Describe(), err))
			logf("[%s] FAILED %s %s: %v", k, p.ID, p.Describe(), err)
		}
		return true
	}
	// pass hands the runs of src to the workers; runs claimed elsewhere go
	// to waiting.
	pass := func(src func() (Planned, bool)) {
		jobs := make(chan Planned)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range jobs {
					if !one(p) {
						mu.Lock()
						waiting = append(waiting, p)
						mu.Unlock()
					}
				}
			}()
		}
	dispatch:
		for {
			p, ok := src()
			if !ok {
				break
			}
			select {
			case jobs <- p:
			case <-ctx.Done():
				break dispatch
			}
		}
		close(jobs)
		wg.Wait()
	}
	pending := ok
	pass(func() (Planned, bool) {
		if !pending {
			return Planned{}, false
		}
		p := first
		sum.Planned++
		first, pending = next()
		return p, true
	})
	for len(waiting) > 0 && ctx.Err() == nil {
		holders := map[string]bool{}
		for _, p := range waiting {
			holders[held[p.ID]] = true
		}
		logf("sweep: waiting for %d runs that other processes are training (%s)", len(waiting), strings.Join(slices.Sorted(maps.Keys(holders)), "; "))
		select {
		case <-time.After(poll):
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		round := waiting
		waiting = nil
		pass(func() (Planned, bool) {
			if len(round) == 0 {
				return Planned{}, false
			}
			p := round[0]
			round = round[1:]
			return p, true
		})
	}
	sum.Seconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("sweep interrupted after %d new runs (%v); run the same command again to resume", sum.Done, err)
	}
	return sum, nil
}

// runOne trains and writes one run.
func runOne(ctx context.Context, p Planned, opts Options) (*rnn.RunResult, error) {
	spec := p.Spec
	if spec.SaveNetwork != "" {
		// One folder per run: save_network names the folder of the sweep's networks.
		spec.SaveNetwork = filepath.Join(spec.SaveNetwork, p.ID)
	}
	res, err := opts.Run(ctx, spec, nil)
	if err != nil {
		return nil, err
	}
	// The id holds the contents of the inputs given by path; one edited
	// while the run read it would store a result under the wrong id.
	if id, err := results.RunIDChecked(p.Spec); err != nil || id != p.ID {
		if err == nil {
			err = errors.New("an input file (connectome, neurons_file or MNIST latents) changed while the run read it")
		}
		return nil, fmt.Errorf("not written: %w; run the sweep again", err)
	}
	if err := results.Write(opts.Out, p.ID, res, opts.Version); err != nil {
		return nil, err
	}
	return res, nil
}
