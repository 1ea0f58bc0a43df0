package sweep

import (
	"iter"

	"github.com/biornn/biornn/rnn/results"
)

// RunState is where a run of a sweep stands in its results folder.
type RunState int

const (
	// Missing: not in the folder and nobody trains it.
	Missing RunState = iota
	// Done: complete (both files; verified when asked).
	Done
	// Running: claimed by a live process.
	Running
	// Damaged: its files are there but do not verify (a resumed sweep sets
	// them aside and trains the run again).
	Damaged
	// Abandoned: claimed by a process that is gone (its claim is stale): a
	// task that died while training it.
	Abandoned
)

func (s RunState) String() string {
	return [...]string{"missing", "done", "running", "damaged", "abandoned"}[s]
}

// StateOf looks at run id in the results folder out: its files (checked
// with results.Verify when verify is set, else only their presence) and
// its claim, read without taking it: a claim is live while its owner on
// this host runs, or, for an owner on another host, while it was touched
// within results.ClaimTTL.
func StateOf(out, id string, verify bool) RunState {
	if results.Exists(out, id) {
		if !verify || results.Verify(out, id) == nil {
			return Done
		}
		return Damaged
	}
	switch claimed, stale := results.ClaimState(out, id); {
	case !claimed:
		return Missing
	case stale:
		return Abandoned
	}
	return Running
}

// TaskStatus counts the runs of one array task (shard) by state.
type TaskStatus struct {
	Task                                             int
	Runs, Done, Running, Missing, Damaged, Abandoned int
}

// Failed is the runs that a task tried and did not finish: damaged files
// and claims of processes that are gone.
func (t TaskStatus) Failed() int { return t.Damaged + t.Abandoned }

// Todo is the runs a resubmitted task would train: all but the done and
// the running ones.
func (t TaskStatus) Todo() int { return t.Missing + t.Failed() }

func (t *TaskStatus) add(s RunState) {
	t.Runs++
	switch s {
	case Done:
		t.Done++
	case Running:
		t.Running++
	case Damaged:
		t.Damaged++
	case Abandoned:
		t.Abandoned++
	default:
		t.Missing++
	}
}

// Status is the state of a sweep's runs, per array task and in total.
type Status struct {
	Tasks []TaskStatus // task i = shard i/len(Tasks)
	Total TaskStatus   // Task is -1
}

// StatusOf counts the runs of plan in the results folder out, split into
// tasks shards as ShardRuns splits them (a run's task is its index modulo
// tasks). verify reads each finished run's files (results.Verify) to find
// damaged ones; without it a present file counts as done (cheap enough to
// poll).
func StatusOf(plan iter.Seq[Planned], out string, tasks int, verify bool) Status {
	tasks = max(tasks, 1)
	st := Status{Tasks: make([]TaskStatus, tasks), Total: TaskStatus{Task: -1}}
	for i := range st.Tasks {
		st.Tasks[i].Task = i
	}
	for p := range plan {
		s := StateOf(out, p.ID, verify)
		st.Tasks[p.Index%tasks].add(s)
		st.Total.add(s)
	}
	return st
}

// Incomplete lists the tasks whose shards have runs to train (missing,
// damaged or abandoned): the array to resubmit.
func (s Status) Incomplete() []int {
	var out []int
	for _, t := range s.Tasks {
		if t.Todo() > 0 {
			out = append(out, t.Task)
		}
	}
	return out
}
