package main

/*
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#cgo CFLAGS: -I${SRCDIR}/include
#include "biornn.h"

// The last error of each OS thread. Go code of an exported function runs on
// the calling C thread, so per-thread storage is exactly "per caller
// thread". A pthread key (not __thread) keeps the library out of the static
// TLS block, which dlopen (ctypes, R) may not be able to grow; the
// destructor frees a thread's message when the thread exits.
typedef struct { size_t len; char msg[]; } biornn_err_t;
static pthread_key_t biornn_err_key;
static pthread_once_t biornn_err_once = PTHREAD_ONCE_INIT;

static void biornn_err_init(void) { pthread_key_create(&biornn_err_key, free); }

void biornn_bridge_set_error(const char* msg, size_t n) {
	pthread_once(&biornn_err_once, biornn_err_init);
	biornn_err_t* e = pthread_getspecific(biornn_err_key);
	if (n == 0) {
		if (e != NULL) e->len = 0;
		return;
	}
	biornn_err_t* grown = realloc(e, sizeof(biornn_err_t) + n + 1);
	if (grown == NULL) {
		if (e != NULL) e->len = 0; // out of memory: no message rather than a wrong one
		return;
	}
	memcpy(grown->msg, msg, n);
	grown->msg[n] = 0;
	grown->len = n;
	pthread_setspecific(biornn_err_key, grown);
}

size_t biornn_bridge_get_error(char* buf, size_t len) {
	pthread_once(&biornn_err_once, biornn_err_init);
	biornn_err_t* e = pthread_getspecific(biornn_err_key);
	size_t have = e != NULL ? e->len : 0;
	if (buf != NULL && len > 0) {
		size_t n = have < len - 1 ? have : len - 1;
		if (n > 0) memcpy(buf, e->msg, n);
		buf[n] = 0;
	}
	return have;
}

int biornn_bridge_progress(biornn_progress_fn f, void* user, int64_t epoch, int64_t epochs,
                           double train_loss, double val_loss, double val_accuracy, double seconds) {
	return f(user, epoch, epochs, train_loss, val_loss, val_accuracy, seconds);
}
*/
import "C"

import (
	"unsafe"

	"github.com/biornn/biornn/cbind/internal/capi"
	"github.com/biornn/biornn/rnn"
)

// setError stores err's message for biornn_last_error on this thread ("" for nil).
func setError(err error) {
	if err == nil {
		C.biornn_bridge_set_error(nil, 0)
		return
	}
	msg := err.Error()
	if msg == "" {
		msg = "unknown error"
	}
	b := []byte(msg)
	C.biornn_bridge_set_error((*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b)))
}

// progressFunc wraps a C progress callback (nil when f is NULL).
func progressFunc(f C.biornn_progress_fn, user unsafe.Pointer) capi.Progress {
	if f == nil {
		return nil
	}
	return func(rec rnn.EpochRecord, epochs int) bool {
		rc := C.biornn_bridge_progress(f, user, C.int64_t(rec.Epoch), C.int64_t(epochs),
			C.double(rec.TrainLoss), C.double(rec.ValLoss), C.double(rec.ValAccuracy), C.double(rec.Seconds))
		return rc == 0
	}
}
