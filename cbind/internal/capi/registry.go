package capi

import (
	"sync"
	"sync/atomic"
)

// Handle is the integer a C caller holds instead of a Go pointer (cgo forbids
// C from keeping Go pointers, and an integer can be checked: a freed or
// made-up handle is simply not in the table).
type Handle int64

// entry is one registered object with its own lock: calls on one handle are
// serialised, calls on different handles run in parallel.
type entry struct {
	mu  sync.Mutex
	obj any
}

var (
	regMu   sync.Mutex
	reg     = map[Handle]*entry{}
	lastHdl atomic.Int64
)

// register stores obj and returns its new handle. Handles start at 1 and are
// never reused within a process, so a stale handle cannot reach a new object.
func register(obj any) Handle {
	h := Handle(lastHdl.Add(1))
	regMu.Lock()
	reg[h] = &entry{obj: obj}
	regMu.Unlock()
	return h
}

// lookup returns the entry of h, locked; the caller must unlock it.
func lookup(where string, h Handle) (*entry, error) {
	regMu.Lock()
	e := reg[h]
	regMu.Unlock()
	if e == nil {
		return nil, errorf(ErrHandle, "%s: handle %d is not valid (never created or already freed)", where, h)
	}
	e.mu.Lock()
	return e, nil
}

// with runs fn on the object of h if it has type T, holding the handle's lock.
func with[T any](where string, h Handle, fn func(T) error) error {
	e, err := lookup(where, h)
	if err != nil {
		return err
	}
	defer e.mu.Unlock()
	obj, ok := e.obj.(T)
	if !ok {
		var zero T
		return errorf(ErrHandle, "%s: handle %d is a %s, not a %s", where, h, kindName(e.obj), kindName(zero))
	}
	return fn(obj)
}

// Free releases h: later calls get ErrHandle. A call already running on h
// finishes first (Free waits for the handle's lock), then the object's
// resources (a network's worker goroutines) are released.
func Free(h Handle) error {
	regMu.Lock()
	e := reg[h]
	delete(reg, h)
	regMu.Unlock()
	if e == nil {
		return errorf(ErrHandle, "biornn_free: handle %d is not valid (never created or already freed)", h)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.obj.(interface{ close() }); ok {
		c.close()
	}
	return nil
}

// LiveHandles returns the number of registered handles (for leak tests).
func LiveHandles() int {
	regMu.Lock()
	defer regMu.Unlock()
	return len(reg)
}

func kindName(obj any) string {
	switch obj.(type) {
	case *Network:
		return "network"
	case *Results:
		return "results"
	}
	return "unknown object"
}
