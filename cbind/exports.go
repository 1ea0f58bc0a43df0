package main

/*
#cgo CFLAGS: -I${SRCDIR}/include
#include "biornn.h"

// Const-qualified aliases so that the prototypes cgo generates match
// biornn.h exactly; including biornn.h here makes the C compiler check
// every exported signature against the public header.
typedef const char biornn_cchar;
typedef const float biornn_cfloat;
typedef const int64_t biornn_cint64;
typedef const uint8_t biornn_cuint8;

void biornn_bridge_set_error(const char* msg, size_t n);
size_t biornn_bridge_get_error(char* buf, size_t len);
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/biornn/biornn/cbind/internal/capi"
	"github.com/biornn/biornn/rnn"
)

// maxLen bounds every array length a caller passes, so that a garbage length
// is an error instead of a slice header spanning the address space.
const maxLen = 1 << 40

// call runs fn, turns a panic into ErrInternal (capi.Recover), stores the
// error message for biornn_last_error and returns the status code.
func call(where string, fn func() error) C.int {
	err := guarded(where, fn)
	setError(err)
	return C.int(capi.StatusOf(err))
}

func guarded(where string, fn func() error) (err error) {
	defer capi.Recover(&err, where)
	return fn()
}

func errNull(where, what string) error {
	return &capi.Error{Status: capi.ErrNull, Msg: fmt.Sprintf("%s: %s is NULL", where, what)}
}

func errSize(where string, format string, args ...any) error {
	return &capi.Error{Status: capi.ErrSize, Msg: where + ": " + fmt.Sprintf(format, args...)}
}

// str converts a required C string.
func str(where, what string, s *C.biornn_cchar) (string, error) {
	if s == nil {
		return "", errNull(where, what)
	}
	return C.GoString((*C.char)(s)), nil
}

// optStr converts an optional C string (NULL = "").
func optStr(s *C.biornn_cchar) string {
	if s == nil {
		return ""
	}
	return C.GoString((*C.char)(s))
}

// slice views caller memory p[0:n] as a Go slice for the duration of a call.
func slice[T any, P any](where, what string, p *P, n C.size_t) ([]T, error) {
	if n == 0 {
		return []T{}, nil
	}
	if p == nil {
		return nil, errNull(where, what)
	}
	if uint64(n) > maxLen {
		return nil, errSize(where, "%s: length %d is not plausible", what, uint64(n))
	}
	return unsafe.Slice((*T)(unsafe.Pointer(p)), int(n)), nil
}

// writeString implements the (buf, len, needed) string-output convention.
func writeString(where, s string, buf *C.char, n C.size_t, needed *C.size_t) error {
	if needed != nil {
		*needed = C.size_t(len(s) + 1)
	}
	if buf == nil {
		if n == 0 {
			return nil
		}
		return errNull(where, "buf")
	}
	if n == 0 {
		return errSize(where, "the buffer has length 0, %d bytes are needed", len(s)+1)
	}
	// View only the bytes that can be written, whatever len the caller gave.
	m := min(uint64(n), uint64(len(s)+1))
	out := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(m))
	k := copy(out[:m-1], s)
	out[k] = 0
	if k < len(s) {
		return errSize(where, "the buffer holds %d bytes, %d are needed", uint64(n), len(s)+1)
	}
	return nil
}

func dim(where, what string, v C.int64_t) (int, error) {
	if v <= 0 || v > 1<<31 {
		return 0, &capi.Error{Status: capi.ErrInvalid, Msg: fmt.Sprintf("%s: %s = %d: expected a positive count below 2^31", where, what, int64(v))}
	}
	return int(v), nil
}

//export biornn_abi_version
func biornn_abi_version() C.int32_t { return capi.ABIVersion }

//export biornn_last_error
func biornn_last_error(buf *C.char, n C.size_t) C.size_t {
	return C.biornn_bridge_get_error(buf, n)
}

//export biornn_version
func biornn_version(buf *C.char, n C.size_t, needed *C.size_t) C.int {
	return call("biornn_version", func() error {
		return writeString("biornn_version", capi.LibraryVersion(), buf, n, needed)
	})
}

//export biornn_kernels
func biornn_kernels(buf *C.char, n C.size_t, needed *C.size_t) C.int {
	return call("biornn_kernels", func() error {
		return writeString("biornn_kernels", strings.Join(capi.KernelNames(), "\n"), buf, n, needed)
	})
}

//export biornn_default_kernel
func biornn_default_kernel(buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_default_kernel"
	return call(where, func() error {
		name, err := capi.DefaultKernel()
		if err != nil {
			return err
		}
		return writeString(where, name, buf, n, needed)
	})
}

//export biornn_set_kernels
func biornn_set_kernels(name *C.biornn_cchar) C.int {
	const where = "biornn_set_kernels"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		return capi.SetKernels(s)
	})
}

//export biornn_env_names
func biornn_env_names(buf *C.char, n C.size_t, needed *C.size_t) C.int {
	return call("biornn_env_names", func() error {
		return writeString("biornn_env_names", strings.Join(capi.EnvNames, "\n"), buf, n, needed)
	})
}

//export biornn_set_env
func biornn_set_env(name, value *C.biornn_cchar) C.int {
	const where = "biornn_set_env"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		return capi.SetEnv(s, optStr(value), value == nil)
	})
}

//export biornn_get_env
func biornn_get_env(name *C.biornn_cchar, buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_get_env"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		v, _, err := capi.GetEnv(s)
		if err != nil {
			return err
		}
		return writeString(where, v, buf, n, needed)
	})
}

//export biornn_set_threads
func biornn_set_threads(threads C.int32_t) C.int {
	return call("biornn_set_threads", func() error { return capi.SetThreads(int(threads)) })
}

//export biornn_get_threads
func biornn_get_threads(threads *C.int32_t) C.int {
	const where = "biornn_get_threads"
	return call(where, func() error {
		if threads == nil {
			return errNull(where, "threads")
		}
		*threads = C.int32_t(capi.Threads())
		return nil
	})
}

//export biornn_network_from_connectome
func biornn_network_from_connectome(name, options *C.biornn_cchar, out *C.biornn_handle) C.int {
	return newHandle("biornn_network_from_connectome", "name", name, out, func(s string) (capi.Handle, error) {
		return capi.NewConnectomeNetwork(s, optStr(options))
	})
}

// newHandle is the body of the exports that make a handle from one text
// argument (what names it in errors): *out is 0 unless open succeeds.
func newHandle(where, what string, arg *C.biornn_cchar, out *C.biornn_handle, open func(string) (capi.Handle, error)) C.int {
	return call(where, func() error {
		if out == nil {
			return errNull(where, "out")
		}
		*out = 0
		s, err := str(where, what, arg)
		if err != nil {
			return err
		}
		h, err := open(s)
		if err != nil {
			return err
		}
		*out = C.biornn_handle(h)
		return nil
	})
}

//export biornn_network_from_arrays
func biornn_network_from_arrays(inputs, hidden, outputs C.int64_t,
	wIn *C.biornn_cfloat, wInLen C.size_t, wHH *C.biornn_cfloat, wHHLen C.size_t,
	b *C.biornn_cfloat, bLen C.size_t, wOut *C.biornn_cfloat, wOutLen C.size_t,
	bOut *C.biornn_cfloat, bOutLen C.size_t, mask *C.biornn_cuint8, maskLen C.size_t,
	options *C.biornn_cchar, out *C.biornn_handle) C.int {
	const where = "biornn_network_from_arrays"
	return call(where, func() error {
		if out == nil {
			return errNull(where, "out")
		}
		*out = 0
		in, err := dim(where, "inputs", inputs)
		if err != nil {
			return err
		}
		h, err := dim(where, "hidden", hidden)
		if err != nil {
			return err
		}
		o, err := dim(where, "outputs", outputs)
		if err != nil {
			return err
		}
		p := rnn.Params{Hidden: h, Inputs: in, Outputs: o}
		for _, a := range []struct {
			name string
			ptr  *C.biornn_cfloat
			n    C.size_t
			want int
			dst  *[]float32
		}{
			{"w_in", wIn, wInLen, h * in, &p.WIn},
			{"w_hh", wHH, wHHLen, h * h, &p.WHH},
			{"b", b, bLen, h, &p.B},
			{"w_out", wOut, wOutLen, o * h, &p.WOut},
			{"b_out", bOut, bOutLen, o, &p.BOut},
		} {
			if uint64(a.n) != uint64(a.want) {
				return errSize(where, "%s has length %d, expected %d", a.name, uint64(a.n), a.want)
			}
			v, err := slice[float32](where, a.name, a.ptr, a.n)
			if err != nil {
				return err
			}
			*a.dst = append([]float32(nil), v...)
		}
		var m []bool
		if mask != nil || maskLen != 0 {
			if uint64(maskLen) != uint64(h*h) {
				return errSize(where, "mask has length %d, expected %d (hidden x hidden), or NULL with length 0 for no mask", uint64(maskLen), h*h)
			}
			raw, err := slice[uint8](where, "mask", mask, maskLen)
			if err != nil {
				return err
			}
			m = make([]bool, len(raw))
			for i, v := range raw {
				m[i] = v != 0
			}
		}
		hd, err := capi.NewArraysNetwork(p, m, optStr(options))
		if err != nil {
			return err
		}
		*out = C.biornn_handle(hd)
		return nil
	})
}

//export biornn_network_sizes
func biornn_network_sizes(net C.biornn_handle, inputs, hidden, outputs *C.int64_t) C.int {
	const where = "biornn_network_sizes"
	return call(where, func() error {
		return capi.WithNetwork(where, capi.Handle(net), func(n *capi.Network) error {
			in, h, o := n.Sizes()
			if inputs != nil {
				*inputs = C.int64_t(in)
			}
			if hidden != nil {
				*hidden = C.int64_t(h)
			}
			if outputs != nil {
				*outputs = C.int64_t(o)
			}
			return nil
		})
	})
}

//export biornn_get_info
func biornn_get_info(net C.biornn_handle, key *C.biornn_cchar, buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_get_info"
	return call(where, func() error {
		k, err := str(where, "key", key)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			s, err := nw.Info(where, k)
			if err != nil {
				return err
			}
			return writeString(where, s, buf, n, needed)
		})
	})
}

// shape implements the *_size calls: the shape of the network's array
// called name, as get returns it.
func shape(where string, net C.biornn_handle, name *C.biornn_cchar, rows, cols *C.int64_t,
	get func(nw *capi.Network, name string) (int, int, error)) C.int {
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		if rows == nil || cols == nil {
			return errNull(where, "rows or cols")
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			r, c, err := get(nw, s)
			if err != nil {
				return err
			}
			*rows, *cols = C.int64_t(r), C.int64_t(c)
			return nil
		})
	})
}

//export biornn_matrix_size
func biornn_matrix_size(net C.biornn_handle, name *C.biornn_cchar, rows, cols *C.int64_t) C.int {
	const where = "biornn_matrix_size"
	return shape(where, net, name, rows, cols, func(nw *capi.Network, s string) (int, int, error) {
		r, c, _, err := nw.Matrix(where, s)
		return r, c, err
	})
}

//export biornn_get_matrix
func biornn_get_matrix(net C.biornn_handle, name *C.biornn_cchar, buf *C.double, n C.size_t) C.int {
	const where = "biornn_get_matrix"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			r, c, data, err := nw.Matrix(where, s)
			if err != nil {
				return err
			}
			if uint64(n) != uint64(r*c) {
				return errSize(where, "matrix %q has %d values (%dx%d), the buffer holds %d", s, r*c, r, c, uint64(n))
			}
			dst, err := slice[float64](where, "buf", buf, n)
			if err != nil {
				return err
			}
			copy(dst, data)
			return nil
		})
	})
}

//export biornn_stat_names
func biornn_stat_names(buf *C.char, n C.size_t, needed *C.size_t) C.int {
	return call("biornn_stat_names", func() error {
		return writeString("biornn_stat_names", strings.Join(capi.StatNames, "\n"), buf, n, needed)
	})
}

//export biornn_get_stats
func biornn_get_stats(net C.biornn_handle, values *C.double, n C.size_t) C.int {
	const where = "biornn_get_stats"
	return call(where, func() error {
		if uint64(n) != uint64(len(capi.StatNames)) {
			return errSize(where, "values holds %d, expected %d (one per name of biornn_stat_names)", uint64(n), len(capi.StatNames))
		}
		dst, err := slice[float64](where, "values", values, n)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			v, err := nw.Stats(where)
			if err != nil {
				return err
			}
			copy(dst, v)
			return nil
		})
	})
}

//export biornn_param_size
func biornn_param_size(net C.biornn_handle, name *C.biornn_cchar, rows, cols *C.int64_t) C.int {
	const where = "biornn_param_size"
	return shape(where, net, name, rows, cols, func(nw *capi.Network, s string) (int, int, error) {
		return nw.ParamShape(where, s)
	})
}

//export biornn_get_param
func biornn_get_param(net C.biornn_handle, name *C.biornn_cchar, buf *C.float, n C.size_t) C.int {
	const where = "biornn_get_param"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		dst, err := slice[float32](where, "buf", buf, n)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.GetParam(where, s, dst)
		})
	})
}

//export biornn_set_param
func biornn_set_param(net C.biornn_handle, name *C.biornn_cchar, data *C.biornn_cfloat, n C.size_t) C.int {
	const where = "biornn_set_param"
	return call(where, func() error {
		s, err := str(where, "name", name)
		if err != nil {
			return err
		}
		src, err := slice[float32](where, "data", data, n)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.SetParam(where, s, src)
		})
	})
}

// arraysData converts the (x, trials, steps, y, loss_steps) arguments.
func arraysData(where string, x *C.biornn_cfloat, xLen C.size_t, trials, steps C.int64_t,
	y *C.biornn_cfloat, yLen C.size_t, lossSteps *C.biornn_cint64, nLoss C.size_t, needY bool) (capi.ArraysData, error) {
	var d capi.ArraysData
	var err error
	if d.Trials, err = dim(where, "trials", trials); err != nil {
		return d, err
	}
	if d.T, err = dim(where, "steps_t", steps); err != nil {
		return d, err
	}
	if d.X, err = slice[float32](where, "x", x, xLen); err != nil {
		return d, err
	}
	if !needY {
		return d, nil
	}
	if d.Y, err = slice[float32](where, "y", y, yLen); err != nil {
		return d, err
	}
	ls, err := slice[int64](where, "loss_steps", lossSteps, nLoss)
	if err != nil {
		return d, err
	}
	for _, t := range ls {
		if t < 0 || t >= int64(d.T) {
			return d, &capi.Error{Status: capi.ErrInvalid, Msg: fmt.Sprintf("%s: loss step %d is outside 0..%d", where, t, d.T-1)}
		}
		d.LossSteps = append(d.LossSteps, int(t))
	}
	return d, nil
}

//export biornn_train_arrays
func biornn_train_arrays(net C.biornn_handle, x *C.biornn_cfloat, xLen C.size_t, trials, steps C.int64_t,
	y *C.biornn_cfloat, yLen C.size_t, lossSteps *C.biornn_cint64, nLoss C.size_t,
	options *C.biornn_cchar, losses *C.double, lossesLen C.size_t) C.int {
	const where = "biornn_train_arrays"
	return call(where, func() error {
		d, err := arraysData(where, x, xLen, trials, steps, y, yLen, lossSteps, nLoss, true)
		if err != nil {
			return err
		}
		out, err := slice[float64](where, "losses", losses, lossesLen)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.TrainArrays(d, optStr(options), out)
		})
	})
}

//export biornn_evaluate
func biornn_evaluate(net C.biornn_handle, x *C.biornn_cfloat, xLen C.size_t, trials, steps C.int64_t,
	y *C.biornn_cfloat, yLen C.size_t, lossSteps *C.biornn_cint64, nLoss C.size_t,
	loss *C.biornn_cchar, lossOut, accOut *C.double) C.int {
	const where = "biornn_evaluate"
	return call(where, func() error {
		kind, err := str(where, "loss", loss)
		if err != nil {
			return err
		}
		d, err := arraysData(where, x, xLen, trials, steps, y, yLen, lossSteps, nLoss, true)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			l, acc, err := nw.Evaluate(d, kind)
			if err != nil {
				return err
			}
			if lossOut != nil {
				*lossOut = C.double(l)
			}
			if accOut != nil {
				*accOut = C.double(acc)
			}
			return nil
		})
	})
}

//export biornn_predict
func biornn_predict(net C.biornn_handle, x *C.biornn_cfloat, xLen C.size_t, trials, steps C.int64_t,
	out *C.float, outLen C.size_t) C.int {
	const where = "biornn_predict"
	return call(where, func() error {
		d, err := arraysData(where, x, xLen, trials, steps, nil, 0, nil, 0, false)
		if err != nil {
			return err
		}
		dst, err := slice[float32](where, "out", out, outLen)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.Predict(d, dst)
		})
	})
}

//export biornn_predict_hidden
func biornn_predict_hidden(net C.biornn_handle, x *C.biornn_cfloat, xLen C.size_t, trials, steps C.int64_t,
	out *C.float, outLen C.size_t, hidden *C.float, hiddenLen C.size_t) C.int {
	const where = "biornn_predict_hidden"
	return call(where, func() error {
		d, err := arraysData(where, x, xLen, trials, steps, nil, 0, nil, 0, false)
		if err != nil {
			return err
		}
		dst, err := slice[float32](where, "out", out, outLen)
		if err != nil {
			return err
		}
		hid, err := slice[float32](where, "hidden", hidden, hiddenLen)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.PredictHidden(d, dst, hid)
		})
	})
}

//export biornn_set_dale
func biornn_set_dale(net C.biornn_handle, signs *C.biornn_cfloat, n C.size_t) C.int {
	const where = "biornn_set_dale"
	return call(where, func() error {
		var v []float32
		if signs != nil || n != 0 {
			src, err := slice[float32](where, "signs", signs, n)
			if err != nil {
				return err
			}
			v = append([]float32(nil), src...)
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.SetDale(where, v)
		})
	})
}

//export biornn_network_save
func biornn_network_save(net C.biornn_handle, dir *C.biornn_cchar) C.int {
	const where = "biornn_network_save"
	return call(where, func() error {
		s, err := str(where, "dir", dir)
		if err != nil {
			return err
		}
		return capi.WithNetwork(where, capi.Handle(net), func(nw *capi.Network) error {
			return nw.Save(where, s)
		})
	})
}

//export biornn_network_load
func biornn_network_load(dir, options *C.biornn_cchar, out *C.biornn_handle) C.int {
	return newHandle("biornn_network_load", "dir", dir, out, func(s string) (capi.Handle, error) {
		return capi.LoadNetwork(s, optStr(options))
	})
}

//export biornn_train
func biornn_train(net C.biornn_handle, options *C.biornn_cchar, progress C.biornn_progress_fn,
	user unsafe.Pointer, runID *C.char, runIDLen C.size_t) C.int {
	const where = "biornn_train"
	return call(where, func() error {
		if runID == nil && runIDLen != 0 {
			return errNull(where, "run_id")
		}
		id, err := capi.Train(capi.Handle(net), optStr(options), progressFunc(progress, user))
		if err != nil {
			return err
		}
		if runID != nil {
			return writeString(where, id, runID, runIDLen, nil)
		}
		return nil
	})
}

//export biornn_results_open
func biornn_results_open(dir *C.biornn_cchar, out *C.biornn_handle) C.int {
	return newHandle("biornn_results_open", "dir", dir, out, capi.NewResultsHandle)
}

//export biornn_results_tables
func biornn_results_tables(res C.biornn_handle, buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_results_tables"
	return call(where, func() error {
		return capi.WithResults(where, capi.Handle(res), func(r *capi.Results) error {
			return writeString(where, strings.Join(r.TableNames(), "\n"), buf, n, needed)
		})
	})
}

// withColumn converts table and column names and runs fn on the column.
func withColumn(where string, res C.biornn_handle, table, column *C.biornn_cchar, fn func(*capi.Table, *capi.Column) error) error {
	t, err := str(where, "table", table)
	if err != nil {
		return err
	}
	c, err := str(where, "column", column)
	if err != nil {
		return err
	}
	return capi.WithColumn(where, capi.Handle(res), t, c, fn)
}

//export biornn_results_num_rows
func biornn_results_num_rows(res C.biornn_handle, table *C.biornn_cchar, rows *C.int64_t) C.int {
	const where = "biornn_results_num_rows"
	return call(where, func() error {
		t, err := str(where, "table", table)
		if err != nil {
			return err
		}
		if rows == nil {
			return errNull(where, "rows")
		}
		return capi.WithResults(where, capi.Handle(res), func(r *capi.Results) error {
			tab, err := r.Table(t)
			if err != nil {
				return err
			}
			*rows = C.int64_t(tab.Rows)
			return nil
		})
	})
}

//export biornn_results_columns
func biornn_results_columns(res C.biornn_handle, table *C.biornn_cchar, buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_results_columns"
	return call(where, func() error {
		t, err := str(where, "table", table)
		if err != nil {
			return err
		}
		return capi.WithResults(where, capi.Handle(res), func(r *capi.Results) error {
			tab, err := r.Table(t)
			if err != nil {
				return err
			}
			return writeString(where, strings.Join(tab.ColumnNames(), "\n"), buf, n, needed)
		})
	})
}

//export biornn_results_column_type
func biornn_results_column_type(res C.biornn_handle, table, column *C.biornn_cchar, typ *C.int32_t) C.int {
	const where = "biornn_results_column_type"
	return call(where, func() error {
		if typ == nil {
			return errNull(where, "type")
		}
		return withColumn(where, res, table, column, func(_ *capi.Table, c *capi.Column) error {
			*typ = C.int32_t(c.Type)
			return nil
		})
	})
}

func checkRows(where string, t *capi.Table, c *capi.Column, n C.size_t) error {
	if uint64(n) != uint64(t.Rows) {
		return errSize(where, "table %q has %d rows, the buffer for column %q holds %d", t.Name, t.Rows, c.Name, uint64(n))
	}
	return nil
}

// getColumn implements the biornn_results_get_* calls on numbers: checks
// that buf holds one value per row and lets fill copy column into it.
func getColumn[T any, P any](where string, res C.biornn_handle, table, column *C.biornn_cchar, buf *P, n C.size_t,
	fill func(c *capi.Column, dst []T) error) C.int {
	return call(where, func() error {
		return withColumn(where, res, table, column, func(t *capi.Table, c *capi.Column) error {
			if err := checkRows(where, t, c, n); err != nil {
				return err
			}
			dst, err := slice[T](where, "buf", buf, n)
			if err != nil {
				return err
			}
			return fill(c, dst)
		})
	})
}

//export biornn_results_get_float64
func biornn_results_get_float64(res C.biornn_handle, table, column *C.biornn_cchar, buf *C.double, n C.size_t) C.int {
	const where = "biornn_results_get_float64"
	return getColumn(where, res, table, column, buf, n, func(c *capi.Column, dst []float64) error {
		return capi.ColumnFloat64(where, c, dst)
	})
}

//export biornn_results_get_int64
func biornn_results_get_int64(res C.biornn_handle, table, column *C.biornn_cchar, buf *C.int64_t, n C.size_t) C.int {
	const where = "biornn_results_get_int64"
	return getColumn(where, res, table, column, buf, n, func(c *capi.Column, dst []int64) error {
		return capi.ColumnInt64(where, c, dst)
	})
}

//export biornn_results_get_valid
func biornn_results_get_valid(res C.biornn_handle, table, column *C.biornn_cchar, buf *C.uint8_t, n C.size_t) C.int {
	return getColumn("biornn_results_get_valid", res, table, column, buf, n, func(c *capi.Column, dst []uint8) error {
		capi.ColumnValid(c, dst)
		return nil
	})
}

//export biornn_results_get_strings
func biornn_results_get_strings(res C.biornn_handle, table, column *C.biornn_cchar, buf *C.char, n C.size_t, needed *C.size_t) C.int {
	const where = "biornn_results_get_strings"
	return call(where, func() error {
		return withColumn(where, res, table, column, func(t *capi.Table, c *capi.Column) error {
			if c.Type != capi.ColString {
				return &capi.Error{Status: capi.ErrInvalid, Msg: fmt.Sprintf("%s: column %q is not a string column (type %d)", where, c.Name, c.Type)}
			}
			size := 0
			for _, s := range c.String {
				size += len(s) + 1
			}
			if needed != nil {
				*needed = C.size_t(size)
			}
			if buf == nil && n == 0 {
				return nil
			}
			if uint64(n) < uint64(size) {
				return errSize(where, "column %q needs %d bytes, the buffer holds %d", c.Name, size, uint64(n))
			}
			if size == 0 {
				return nil
			}
			dst, err := slice[byte](where, "buf", buf, C.size_t(size))
			if err != nil {
				return err
			}
			k := 0
			for _, s := range c.String {
				k += copy(dst[k:], s)
				dst[k] = 0
				k++
			}
			return nil
		})
	})
}

//export biornn_free
func biornn_free(h C.biornn_handle) C.int {
	return call("biornn_free", func() error { return capi.Free(capi.Handle(h)) })
}
