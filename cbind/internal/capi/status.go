// Package capi is the Go side of biornn's C API: the handle registry, the
// options-string parser, network and results handles and the training calls.
// It holds no cgo so that it can be tested with plain `go test`; package main in
// cbind/ only converts C pointers and lengths to Go slices and back.
package capi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/biornn/biornn/rnn"
)

// Status is a C API status code. The values are part of the ABI (see
// cbind/include/biornn.h): never renumber, only append.
type Status int32

const (
	OK             Status = 0
	ErrInvalid     Status = 1 // an invalid argument or option value, or an unknown option key
	ErrNull        Status = 2 // a required pointer was NULL
	ErrHandle      Status = 3 // an unknown, freed or wrong-kind handle
	ErrSize        Status = 4 // an array length or buffer size does not match
	ErrIO          Status = 5 // a file or data set could not be read or written
	Cancelled      Status = 6 // the progress callback asked to stop
	ErrInternal    Status = 7 // a recovered panic: a bug in biornn, please report it
	ErrUnsupported Status = 8 // the operation does not apply to this handle
)

// Error carries a status code and a message for biornn_last_error.
type Error struct {
	Status Status
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// errorf returns an *Error with the given status.
func errorf(s Status, format string, args ...any) error {
	return &Error{Status: s, Msg: fmt.Sprintf(format, args...)}
}

// wrap gives err the status s unless it already carries one, is a
// cancellation (Cancelled), a panic recovered by the trainer (ErrInternal)
// or a file error (ErrIO).
func wrap(s Status, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Status: Cancelled, Msg: err.Error()}
	}
	var panicked *rnn.PanicError
	if errors.As(err, &panicked) {
		return &Error{Status: ErrInternal, Msg: err.Error()}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		s = ErrIO
	}
	return &Error{Status: s, Msg: err.Error()}
}

// StatusOf returns the status code of err (OK for nil, ErrInternal for an
// error without a code, Cancelled for a cancelled context).
func StatusOf(err error) Status {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	if errors.Is(err, context.Canceled) {
		return Cancelled
	}
	return ErrInternal
}

// Recover turns a panic into an ErrInternal error; use as
// `defer capi.Recover(&err, "biornn_x")` in every entry point.
func Recover(err *error, where string) {
	if r := recover(); r != nil {
		*err = &Error{Status: ErrInternal, Msg: fmt.Sprintf("%s: internal error (recovered panic): %v", where, r)}
	}
}
