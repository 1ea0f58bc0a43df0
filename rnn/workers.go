package rnn

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// PanicError is the error a training or evaluation call returns when the
// computation panicked (a bug in biornn or a kernel). The panic is recovered
// on the goroutine where it happened, worker goroutines included, so that the
// host process (a Python or R session behind the C API) survives.
type PanicError struct {
	Value any    // what was passed to panic
	Chunk int    // the chunk of the batch (ChunkSize trials each) being processed
	Stack []byte // the stack of the goroutine that panicked
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("rnn: internal error (a bug, please report it): panic while processing chunk %d of a batch: %v", e.Chunk, e.Value)
}

// task asks a worker to process chunks first, first+stride, ... below nch of
// the network's current job, or (rowPart > 0) part rowPart of the product
// being split by rows (Network.rop).
type task struct{ first, stride, nch, rowPart int }

// workers is a network's pool of Threads-1 goroutines that process chunks
// beside the caller's goroutine. It is started by the first batch that has
// work for more than one goroutine and kept, so that a training step starts
// no goroutine and allocates nothing; tasks and results travel over
// channels of plain values.
type workers struct {
	size    int
	tasks   chan task
	done    chan *PanicError // one per task, nil when the task went well
	stopped sync.WaitGroup   // the goroutines that have not yet returned
}

// liveWorkers counts the worker goroutines of all networks.
var liveWorkers atomic.Int64

// WorkerGoroutines returns the number of worker goroutines running for all
// networks together: sum of Threads-1 over the networks that have run a
// multi-threaded batch and not been closed since. For leak checks.
func WorkerGoroutines() int { return int(liveWorkers.Load()) }

// workerPool returns the pool, starting it (or restarting it after SetThreads
// or Close) with Threads-1 goroutines.
func (n *Network) workerPool() *workers {
	if n.pool != nil && n.pool.size == n.threads-1 {
		return n.pool
	}
	n.Close()
	p := &workers{size: n.threads - 1, tasks: make(chan task, n.threads-1), done: make(chan *PanicError, n.threads-1)}
	p.stopped.Add(p.size)
	liveWorkers.Add(int64(p.size))
	for range p.size {
		go n.serve(p)
	}
	n.pool = p
	return p
}

// serve is a worker goroutine: it runs until the pool's tasks channel is closed.
func (n *Network) serve(p *workers) {
	defer p.stopped.Done()
	defer liveWorkers.Add(-1)
	for {
		t, ok := receive(p.tasks)
		if !ok {
			return
		}
		if t.rowPart > 0 {
			p.done <- n.runRowPart(t.rowPart)
			continue
		}
		p.done <- n.runChunks(t.first, t.stride, t.nch, false)
	}
}

// Close stops the network's worker goroutines, if any, and waits until
// they have returned. A network that has
// run a batch with Threads > 1 keeps Threads-1 goroutines waiting for the
// next batch, and they keep the network reachable: call Close when done with
// it (no finalizer does it for you). Close may be called more than once; the
// network stays usable, the next multi-threaded batch starts the workers
// again. Run closes the network it trains; the C API closes a network when
// its handle is freed. Like every other method, Close must not run
// concurrently with a call on the same network.
func (n *Network) Close() {
	if n.pool != nil {
		close(n.pool.tasks)
		n.pool.stopped.Wait()
		n.pool = nil
	}
}

// spinWait is how long a worker looks for its next task, and the caller for
// the workers' results, before blocking. Waking a thread blocked on another
// (virtual) CPU takes tens to hundreds of microseconds, as long as a whole
// chunk of a paper network, while the gap between two batches' tasks (the
// optimizer step) is a few microseconds: so a worker stays awake through an
// epoch and goes to sleep only when training pauses.
const spinWait = 200 * time.Microsecond

// receive takes the next value from c (ok false: closed), spinning for up
// to spinWait before it blocks.
func receive[T any](c <-chan T) (v T, ok bool) {
	start := time.Now()
	for i := 1; ; i++ {
		select {
		case v, ok = <-c:
			return v, ok
		default:
		}
		if i%64 == 0 && time.Since(start) > spinWait {
			v, ok = <-c
			return v, ok
		}
	}
}
