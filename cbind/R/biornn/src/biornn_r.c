/*
 * .Call glue between R and the biornn C API (biornn.h).
 *
 * Rules kept here: an R error (Rf_error, which longjmps) is raised only
 * after the biornn call returned and its message was copied into memory R
 * owns; the progress callback never lets an R error or interrupt longjmp
 * across the Go frames (R_tryEval, R_ToplevelExec); temporary buffers come
 * from R_alloc, so an error frees them. Handles live in external pointers
 * whose finalizers free them.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <R.h>
#include <R_ext/Rdynload.h>
#include <Rinternals.h>

#include "biornn.h"

static SEXP handle_tag = NULL;

/* fail raises an R error with the last biornn message (copied first). */
static void fail(int status, const char* what) {
    size_t n = biornn_last_error(NULL, 0);
    char* msg = R_alloc(n + 1, 1);
    biornn_last_error(msg, n + 1);
    Rf_error("%s (status %d): %s", what, status, msg);
}

#define CHECK(call, what)          \
    do {                           \
        int rc_ = (call);          \
        if (rc_ != BIORNN_OK) fail(rc_, what); \
    } while (0)

/* ---- handles in external pointers ---- */

static void handle_finalizer(SEXP ptr) {
    void* p = R_ExternalPtrAddr(ptr);
    if (p != NULL) {
        biornn_free((biornn_handle)(intptr_t)p);
        R_ClearExternalPtr(ptr);
    }
}

static SEXP wrap_handle(biornn_handle h) {
    SEXP ptr = PROTECT(R_MakeExternalPtr((void*)(intptr_t)h, handle_tag, R_NilValue));
    R_RegisterCFinalizerEx(ptr, handle_finalizer, TRUE);
    UNPROTECT(1);
    return ptr;
}

static biornn_handle get_handle(SEXP ptr) {
    if (TYPEOF(ptr) != EXTPTRSXP || R_ExternalPtrTag(ptr) != handle_tag) Rf_error("biornn: not a biornn object");
    void* p = R_ExternalPtrAddr(ptr);
    if (p == NULL) Rf_error("biornn: the object was freed");
    return (biornn_handle)(intptr_t)p;
}

static SEXP r_free(SEXP ptr) {
    if (TYPEOF(ptr) == EXTPTRSXP) handle_finalizer(ptr);
    return R_NilValue;
}

/* ---- small conversions ---- */

static const char* str1(SEXP s, const char* what) {
    if (!Rf_isString(s) || XLENGTH(s) != 1 || STRING_ELT(s, 0) == NA_STRING)
        Rf_error("biornn: %s must be a single string", what);
    return Rf_translateCharUTF8(STRING_ELT(s, 0));
}

/* float32 copy of a double vector (NULL for length 0) */
static float* floats(SEXP v, const char* what) {
    if (!Rf_isReal(v)) Rf_error("biornn: %s must be a double vector", what);
    R_xlen_t n = XLENGTH(v);
    if (n == 0) return NULL;
    float* out = (float*)R_alloc(n, sizeof(float));
    const double* d = REAL(v);
    for (R_xlen_t i = 0; i < n; i++) out[i] = (float)d[i];
    return out;
}

typedef int (*string_fn)(char*, size_t, size_t*);

static SEXP string_result(const char* s) { return Rf_mkString(s); }

static char* query_string(string_fn fn, const char* what) {
    size_t need = 0;
    CHECK(fn(NULL, 0, &need), what);
    char* buf = R_alloc(need, 1);
    CHECK(fn(buf, need, NULL), what);
    return buf;
}

/* ---- environment variables ----
 *
 * The library reads BIORNN_DATA and BIORNN_KERNELS (biornn_env_names) from
 * its own copy of the environment, taken when it was loaded; Sys.setenv
 * changes the C environment only. sync_env gives the library the values of
 * the C environment that changed since they were last given: at load
 * (R_init_biornn) and at the start of every call that may read them. R is
 * single-threaded and the library writes the environment only in
 * biornn_set_env, so getenv here races with nothing. */

#define MAX_ENV 16
static int env_count = 0;
static char* env_names[MAX_ENV];
static char* env_given[MAX_ENV]; /* last value given to the library, NULL = unset */
static int env_known[MAX_ENV];   /* whether env_given holds anything yet */

static char* dup_or_null(const char* s) {
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    char* d = malloc(n);
    if (d != NULL) memcpy(d, s, n);
    return d;
}

static int same_value(const char* a, const char* b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* remember that the library's name now has value (a failed copy forgets it,
 * so that the next sync gives it again) */
static void env_remember(int i, const char* value) {
    free(env_given[i]);
    env_given[i] = dup_or_null(value);
    env_known[i] = value == NULL || env_given[i] != NULL;
}

/* env_load reads the names once; returns 0 on failure (no names). */
static int env_load(void) {
    if (env_count > 0) return 1;
    size_t need = 0;
    if (biornn_env_names(NULL, 0, &need) != BIORNN_OK || need == 0) return 0;
    char* buf = malloc(need);
    if (buf == NULL) return 0;
    if (biornn_env_names(buf, need, NULL) != BIORNN_OK) {
        free(buf);
        return 0;
    }
    for (char* p = buf; *p != 0 && env_count < MAX_ENV;) {
        char* end = strchr(p, '\n');
        if (end != NULL) *end = 0;
        env_names[env_count] = dup_or_null(p);
        env_given[env_count] = NULL;
        env_known[env_count] = 0;
        if (env_names[env_count] != NULL) env_count++;
        if (end == NULL) break;
        p = end + 1;
    }
    free(buf);
    return env_count > 0;
}

/* sync_env returns the status of the first biornn_set_env that failed, else
 * BIORNN_OK; *failed gets the variable's name. */
static int sync_env_status(const char** failed) {
    env_load();
    for (int i = 0; i < env_count; i++) {
        const char* v = getenv(env_names[i]);
        if (env_known[i] && same_value(v, env_given[i])) continue;
        int rc = biornn_set_env(env_names[i], v);
        if (rc != BIORNN_OK) {
            *failed = env_names[i];
            return rc;
        }
        env_remember(i, v);
    }
    return BIORNN_OK;
}

static void sync_env(void) {
    const char* name = NULL;
    int rc = sync_env_status(&name);
    if (rc != BIORNN_OK) fail(rc, name);
}

static SEXP r_env_names(void) {
    env_load();
    SEXP v = PROTECT(Rf_allocVector(STRSXP, env_count));
    for (int i = 0; i < env_count; i++) SET_STRING_ELT(v, i, Rf_mkChar(env_names[i]));
    UNPROTECT(1);
    return v;
}

/* value: a single string, or NULL / NA to unset */
static SEXP r_set_env(SEXP name, SEXP value) {
    const char* n = str1(name, "name");
    const char* v = NULL;
    if (!Rf_isNull(value)) {
        if (!Rf_isString(value) || XLENGTH(value) != 1) Rf_error("biornn: value must be a single string or NULL");
        if (STRING_ELT(value, 0) != NA_STRING) v = Rf_translateCharUTF8(STRING_ELT(value, 0));
    }
    sync_env(); /* the others first, so that the remembered values stay exact */
    CHECK(biornn_set_env(n, v), "biornn_set_env");
    /* the library also set the C environment (so Sys.getenv agrees) */
    env_load();
    for (int i = 0; i < env_count; i++)
        if (strcmp(env_names[i], n) == 0) env_remember(i, v);
    return R_NilValue;
}

static SEXP r_get_env(SEXP name) {
    const char* n = str1(name, "name");
    sync_env();
    size_t need = 0;
    CHECK(biornn_get_env(n, NULL, 0, &need), "biornn_get_env");
    char* buf = R_alloc(need, 1);
    CHECK(biornn_get_env(n, buf, need, NULL), "biornn_get_env");
    return Rf_ScalarString(Rf_mkCharCE(buf, CE_UTF8));
}

/* ---- library information ---- */

static SEXP r_version(void) { return string_result(query_string(biornn_version, "biornn_version")); }
static SEXP r_kernels(void) { return string_result(query_string(biornn_kernels, "biornn_kernels")); }
static SEXP r_default_kernel(void) {
    sync_env();
    return string_result(query_string(biornn_default_kernel, "biornn_default_kernel"));
}
static SEXP r_stat_names(void) { return string_result(query_string(biornn_stat_names, "biornn_stat_names")); }

static SEXP r_set_kernels(SEXP name) {
    CHECK(biornn_set_kernels(str1(name, "name")), "biornn_set_kernels");
    return R_NilValue;
}

static SEXP r_set_threads(SEXP n) {
    CHECK(biornn_set_threads(Rf_asInteger(n)), "biornn_set_threads");
    return R_NilValue;
}

static SEXP r_get_threads(void) {
    int32_t n = 0;
    CHECK(biornn_get_threads(&n), "biornn_get_threads");
    return Rf_ScalarInteger(n);
}

/* ---- networks ---- */

static SEXP r_from_connectome(SEXP name, SEXP opts) {
    biornn_handle h = 0;
    sync_env();
    CHECK(biornn_network_from_connectome(str1(name, "name"), str1(opts, "options"), &h),
          "biornn_network_from_connectome");
    return wrap_handle(h);
}

static SEXP r_from_arrays(SEXP sizes, SEXP w_in, SEXP w_hh, SEXP b, SEXP w_out, SEXP b_out, SEXP mask, SEXP opts) {
    sync_env();
    if (!Rf_isReal(sizes) || XLENGTH(sizes) != 3) Rf_error("biornn: sizes must be c(inputs, hidden, outputs)");
    const double* s = REAL(sizes);
    float* a = floats(w_in, "w_in");
    float* c = floats(w_hh, "w_hh");
    float* d = floats(b, "b");
    float* e = floats(w_out, "w_out");
    float* f = floats(b_out, "b_out");
    uint8_t* m = NULL;
    size_t mlen = 0;
    if (mask != R_NilValue) {
        if (!Rf_isLogical(mask)) Rf_error("biornn: mask must be logical");
        mlen = (size_t)XLENGTH(mask);
        m = (uint8_t*)R_alloc(mlen, 1);
        const int* l = LOGICAL(mask);
        for (size_t i = 0; i < mlen; i++) {
            if (l[i] == NA_LOGICAL) Rf_error("biornn: mask has NA at %zu", i + 1);
            m[i] = l[i] != 0;
        }
    }
    biornn_handle h = 0;
    CHECK(biornn_network_from_arrays((int64_t)s[0], (int64_t)s[1], (int64_t)s[2], a, XLENGTH(w_in), c,
                                     XLENGTH(w_hh), d, XLENGTH(b), e, XLENGTH(w_out), f, XLENGTH(b_out), m, mlen,
                                     str1(opts, "options"), &h),
          "biornn_network_from_arrays");
    return wrap_handle(h);
}

static SEXP r_sizes(SEXP ptr) {
    int64_t in = 0, h = 0, out = 0;
    CHECK(biornn_network_sizes(get_handle(ptr), &in, &h, &out), "biornn_network_sizes");
    SEXP v = PROTECT(Rf_allocVector(REALSXP, 3));
    REAL(v)[0] = (double)in;
    REAL(v)[1] = (double)h;
    REAL(v)[2] = (double)out;
    UNPROTECT(1);
    return v;
}

static SEXP r_info(SEXP ptr, SEXP key) {
    biornn_handle h = get_handle(ptr);
    const char* k = str1(key, "key");
    size_t need = 0;
    CHECK(biornn_get_info(h, k, NULL, 0, &need), "biornn_get_info");
    char* buf = R_alloc(need, 1);
    CHECK(biornn_get_info(h, k, buf, need, NULL), "biornn_get_info");
    return Rf_mkString(buf);
}

/* row-major (rows x cols) doubles into an R matrix (column-major) */
static SEXP to_matrix(const double* d, int64_t rows, int64_t cols) {
    SEXP m = PROTECT(Rf_allocMatrix(REALSXP, (int)rows, (int)cols));
    double* out = REAL(m);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) out[i + j * rows] = d[i * cols + j];
    UNPROTECT(1);
    return m;
}

static SEXP r_matrix(SEXP ptr, SEXP name) {
    biornn_handle h = get_handle(ptr);
    const char* n = str1(name, "name");
    int64_t rows = 0, cols = 0;
    CHECK(biornn_matrix_size(h, n, &rows, &cols), "biornn_matrix_size");
    double* buf = (double*)R_alloc((size_t)(rows * cols) + 1, sizeof(double));
    CHECK(biornn_get_matrix(h, n, buf, (size_t)(rows * cols)), "biornn_get_matrix");
    return to_matrix(buf, rows, cols);
}

static SEXP r_stats(SEXP ptr, SEXP count) {
    int n = Rf_asInteger(count);
    SEXP v = PROTECT(Rf_allocVector(REALSXP, n));
    int rc = biornn_get_stats(get_handle(ptr), REAL(v), (size_t)n);
    if (rc != BIORNN_OK) fail(rc, "biornn_get_stats");
    UNPROTECT(1);
    return v;
}

static SEXP r_get_param(SEXP ptr, SEXP name) {
    biornn_handle h = get_handle(ptr);
    const char* n = str1(name, "name");
    int64_t rows = 0, cols = 0;
    CHECK(biornn_param_size(h, n, &rows, &cols), "biornn_param_size");
    float* buf = (float*)R_alloc((size_t)(rows * cols) + 1, sizeof(float));
    CHECK(biornn_get_param(h, n, buf, (size_t)(rows * cols)), "biornn_get_param");
    double* d = (double*)R_alloc((size_t)(rows * cols) + 1, sizeof(double));
    for (int64_t i = 0; i < rows * cols; i++) d[i] = buf[i];
    return to_matrix(d, rows, cols);
}

/* values: row-major doubles */
static SEXP r_set_param(SEXP ptr, SEXP name, SEXP values) {
    biornn_handle h = get_handle(ptr);
    float* f = floats(values, "value");
    CHECK(biornn_set_param(h, str1(name, "name"), f, XLENGTH(values)), "biornn_set_param");
    return R_NilValue;
}

static int64_t* steps64(SEXP steps) {
    if (!Rf_isInteger(steps)) Rf_error("biornn: loss_steps must be integer");
    R_xlen_t n = XLENGTH(steps);
    int64_t* out = (int64_t*)R_alloc(n + 1, sizeof(int64_t));
    for (R_xlen_t i = 0; i < n; i++) {
        if (INTEGER(steps)[i] == NA_INTEGER) Rf_error("biornn: loss_steps has NA");
        out[i] = INTEGER(steps)[i];
    }
    return out;
}

/* x, y: row-major doubles; dims = c(trials, T) */
static SEXP r_train_arrays(SEXP ptr, SEXP x, SEXP dims, SEXP y, SEXP steps, SEXP opts, SEXP nsteps) {
    sync_env();
    biornn_handle h = get_handle(ptr);
    float* xf = floats(x, "x");
    float* yf = floats(y, "y");
    int64_t* ls = steps64(steps);
    int n = Rf_asInteger(nsteps);
    if (n < 0 || n == NA_INTEGER) Rf_error("biornn: steps must be a count >= 0");
    SEXP losses = PROTECT(Rf_allocVector(REALSXP, n));
    int rc = biornn_train_arrays(h, xf, XLENGTH(x), (int64_t)REAL(dims)[0], (int64_t)REAL(dims)[1], yf, XLENGTH(y),
                                 ls, XLENGTH(steps), str1(opts, "options"), n ? REAL(losses) : NULL, (size_t)n);
    if (rc != BIORNN_OK) fail(rc, "biornn_train_arrays");
    UNPROTECT(1);
    return losses;
}

static SEXP r_evaluate(SEXP ptr, SEXP x, SEXP dims, SEXP y, SEXP steps, SEXP loss) {
    biornn_handle h = get_handle(ptr);
    float* xf = floats(x, "x");
    float* yf = floats(y, "y");
    int64_t* ls = steps64(steps);
    double l = 0, acc = 0;
    CHECK(biornn_evaluate(h, xf, XLENGTH(x), (int64_t)REAL(dims)[0], (int64_t)REAL(dims)[1], yf, XLENGTH(y), ls,
                          XLENGTH(steps), str1(loss, "loss"), &l, &acc),
          "biornn_evaluate");
    SEXP v = PROTECT(Rf_allocVector(REALSXP, 2));
    REAL(v)[0] = l;
    REAL(v)[1] = acc;
    UNPROTECT(1);
    return v;
}

/* returns row-major (trials, T, outputs) doubles */
static SEXP r_predict(SEXP ptr, SEXP x, SEXP dims, SEXP outputs) {
    biornn_handle h = get_handle(ptr);
    float* xf = floats(x, "x");
    int64_t trials = (int64_t)REAL(dims)[0], t = (int64_t)REAL(dims)[1];
    int64_t n = trials * t * (int64_t)Rf_asReal(outputs);
    if (n < 0) n = 0;
    float* out = (float*)R_alloc((size_t)n + 1, sizeof(float));
    CHECK(biornn_predict(h, xf, XLENGTH(x), trials, t, n ? out : NULL, (size_t)n), "biornn_predict");
    SEXP v = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
    for (int64_t i = 0; i < n; i++) REAL(v)[i] = out[i];
    UNPROTECT(1);
    return v;
}

/* returns list(outputs, hidden): row-major (trials, T, outputs) and
 * (trials, T, hidden) doubles */
static SEXP r_predict_hidden(SEXP ptr, SEXP x, SEXP dims, SEXP sizes) {
    biornn_handle h = get_handle(ptr);
    float* xf = floats(x, "x");
    int64_t trials = (int64_t)REAL(dims)[0], t = (int64_t)REAL(dims)[1];
    int64_t no = trials * t * (int64_t)REAL(sizes)[0], nh = trials * t * (int64_t)REAL(sizes)[1];
    if (no < 0) no = 0;
    if (nh < 0) nh = 0;
    float* out = (float*)R_alloc((size_t)no + 1, sizeof(float));
    float* hid = (float*)R_alloc((size_t)nh + 1, sizeof(float));
    CHECK(biornn_predict_hidden(h, xf, XLENGTH(x), trials, t, no ? out : NULL, (size_t)no, nh ? hid : NULL,
                                (size_t)nh),
          "biornn_predict_hidden");
    SEXP v = PROTECT(Rf_allocVector(VECSXP, 2));
    SEXP a = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)no));
    for (int64_t i = 0; i < no; i++) REAL(a)[i] = out[i];
    SEXP b = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)nh));
    for (int64_t i = 0; i < nh; i++) REAL(b)[i] = hid[i];
    SET_VECTOR_ELT(v, 0, a);
    SET_VECTOR_ELT(v, 1, b);
    UNPROTECT(3);
    return v;
}

static SEXP r_set_dale(SEXP ptr, SEXP signs) {
    biornn_handle h = get_handle(ptr);
    if (Rf_isNull(signs)) {
        CHECK(biornn_set_dale(h, NULL, 0), "biornn_set_dale");
        return R_NilValue;
    }
    float* f = floats(signs, "signs");
    CHECK(biornn_set_dale(h, f, XLENGTH(signs)), "biornn_set_dale");
    return R_NilValue;
}

static SEXP r_save(SEXP ptr, SEXP dir) {
    CHECK(biornn_network_save(get_handle(ptr), str1(dir, "dir")), "biornn_network_save");
    return R_NilValue;
}

static SEXP r_load(SEXP dir, SEXP opts) {
    biornn_handle h = 0;
    sync_env();
    CHECK(biornn_network_load(str1(dir, "dir"), str1(opts, "options"), &h), "biornn_network_load");
    return wrap_handle(h);
}

/* ---- training runs with a progress callback ---- */

struct progress_state {
    SEXP fn;         /* R function or R_NilValue */
    int interrupted; /* the user pressed Ctrl-C */
    int failed;      /* the R callback raised an error */
    int stopped;     /* the R callback returned FALSE */
    char error[1024]; /* the callback's error message */
};

static void check_interrupt(void* unused) {
    (void)unused;
    R_CheckUserInterrupt();
}

/* Runs on R's main thread (biornn_train calls it on the calling thread). */
static int on_epoch(void* user, int64_t epoch, int64_t epochs, double train_loss, double val_loss,
                    double val_accuracy, double seconds) {
    struct progress_state* st = user;
    if (!R_ToplevelExec(check_interrupt, NULL)) {
        st->interrupted = 1;
        return 1;
    }
    if (st->fn == R_NilValue) return 0;
    const char* names[] = {"epoch", "epochs", "train_loss", "val_loss", "val_accuracy", "seconds", ""};
    SEXP rec = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(rec, 0, Rf_ScalarInteger((int)epoch));
    SET_VECTOR_ELT(rec, 1, Rf_ScalarInteger((int)epochs));
    SET_VECTOR_ELT(rec, 2, Rf_ScalarReal(train_loss));
    SET_VECTOR_ELT(rec, 3, Rf_ScalarReal(val_loss));
    SET_VECTOR_ELT(rec, 4, Rf_ScalarReal(val_accuracy));
    SET_VECTOR_ELT(rec, 5, Rf_ScalarReal(seconds));
    SEXP call = PROTECT(Rf_lang2(st->fn, rec));
    int err = 0;
    SEXP res = R_tryEvalSilent(call, R_GlobalEnv, &err);
    int stop = 0;
    if (err) {
        st->failed = 1;
        snprintf(st->error, sizeof st->error, "%s", R_curErrorBuf());
        stop = 1;
    } else if (Rf_isLogical(res) && XLENGTH(res) == 1 && LOGICAL(res)[0] == 0) {
        st->stopped = 1;
        stop = 1;
    }
    UNPROTECT(2);
    return stop;
}

/* returns list(status, message, run_id); the R side raises the condition */
static SEXP r_train(SEXP ptr, SEXP opts, SEXP fn) {
    sync_env();
    biornn_handle h = get_handle(ptr);
    const char* o = str1(opts, "options");
    struct progress_state st = {fn, 0, 0, 0, {0}};
    char run_id[64] = {0};
    int rc = biornn_train(h, o, on_epoch, &st, run_id, sizeof run_id);
    size_t n = biornn_last_error(NULL, 0);
    char* msg = R_alloc(n + 1, 1);
    biornn_last_error(msg, n + 1);
    /* R_ToplevelExec consumed the interrupt; the R side re-signals it. */
    const char* names[] = {"status", "message", "run_id", "callback_error", "interrupted", ""};
    SEXP out = PROTECT(Rf_mkNamed(VECSXP, names));
    SET_VECTOR_ELT(out, 0, Rf_ScalarInteger(rc));
    SET_VECTOR_ELT(out, 1, Rf_mkString(msg));
    SET_VECTOR_ELT(out, 2, Rf_mkString(run_id));
    SET_VECTOR_ELT(out, 3, st.failed ? Rf_mkString(st.error) : R_NilValue);
    SET_VECTOR_ELT(out, 4, Rf_ScalarLogical(st.interrupted));
    UNPROTECT(1);
    return out;
}

/* ---- reading results ---- */

static SEXP split_lines(const char* s) {
    int n = *s ? 1 : 0;
    for (const char* p = s; *p; p++) n += *p == '\n';
    SEXP v = PROTECT(Rf_allocVector(STRSXP, n));
    const char* start = s;
    for (int i = 0; i < n; i++) {
        const char* end = strchr(start, '\n');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        SET_STRING_ELT(v, i, Rf_mkCharLenCE(start, (int)len, CE_UTF8));
        start = end ? end + 1 : start + len;
    }
    UNPROTECT(1);
    return v;
}

static char* res_string(biornn_handle h, const char* table, int which) {
    size_t need = 0;
    if (which == 0)
        CHECK(biornn_results_tables(h, NULL, 0, &need), "biornn_results_tables");
    else
        CHECK(biornn_results_columns(h, table, NULL, 0, &need), "biornn_results_columns");
    char* buf = R_alloc(need, 1);
    if (which == 0)
        CHECK(biornn_results_tables(h, buf, need, NULL), "biornn_results_tables");
    else
        CHECK(biornn_results_columns(h, table, buf, need, NULL), "biornn_results_columns");
    return buf;
}

static SEXP read_column(biornn_handle h, const char* t, const char* c, int64_t n) {
    int32_t type = 0;
    CHECK(biornn_results_column_type(h, t, c, &type), "biornn_results_column_type");
    uint8_t* valid = (uint8_t*)R_alloc((size_t)n + 1, 1);
    CHECK(biornn_results_get_valid(h, t, c, valid, (size_t)n), "biornn_results_get_valid");
    SEXP v;
    if (type == BIORNN_COL_STRING) {
        size_t need = 0;
        CHECK(biornn_results_get_strings(h, t, c, NULL, 0, &need), "biornn_results_get_strings");
        char* buf = R_alloc(need + 1, 1);
        CHECK(biornn_results_get_strings(h, t, c, buf, need, NULL), "biornn_results_get_strings");
        v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
        const char* p = buf;
        for (int64_t i = 0; i < n; i++) {
            SET_STRING_ELT(v, i, valid[i] ? Rf_mkCharCE(p, CE_UTF8) : NA_STRING);
            p += strlen(p) + 1;
        }
    } else if (type == BIORNN_COL_FLOAT64 || type == BIORNN_COL_TIMESTAMP) {
        v = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
        if (type == BIORNN_COL_FLOAT64) {
            CHECK(biornn_results_get_float64(h, t, c, REAL(v), (size_t)n), "biornn_results_get_float64");
        } else {
            int64_t* us = (int64_t*)R_alloc((size_t)n + 1, sizeof(int64_t));
            CHECK(biornn_results_get_int64(h, t, c, us, (size_t)n), "biornn_results_get_int64");
            for (int64_t i = 0; i < n; i++) REAL(v)[i] = (double)us[i] / 1e6;
            SEXP cls = PROTECT(Rf_allocVector(STRSXP, 2));
            SET_STRING_ELT(cls, 0, Rf_mkChar("POSIXct"));
            SET_STRING_ELT(cls, 1, Rf_mkChar("POSIXt"));
            Rf_setAttrib(v, R_ClassSymbol, cls);
            Rf_setAttrib(v, Rf_install("tzone"), Rf_mkString("UTC"));
            UNPROTECT(1);
        }
        for (int64_t i = 0; i < n; i++)
            if (!valid[i]) REAL(v)[i] = NA_REAL;
    } else {
        /* INT64 and BOOL: logical for BOOL; integer when every value fits,
         * else double when exact (|v| <= 2^53), else decimal strings */
        int64_t* x = (int64_t*)R_alloc((size_t)n + 1, sizeof(int64_t));
        CHECK(biornn_results_get_int64(h, t, c, x, (size_t)n), "biornn_results_get_int64");
        int fits_int = 1, fits_double = 1;
        for (int64_t i = 0; i < n; i++) {
            if (!valid[i]) continue;
            if (x[i] <= INT32_MIN || x[i] > INT32_MAX) fits_int = 0;
            if (x[i] < -(INT64_C(1) << 53) || x[i] > (INT64_C(1) << 53)) fits_double = 0;
        }
        if (type == BIORNN_COL_BOOL) {
            v = PROTECT(Rf_allocVector(LGLSXP, (R_xlen_t)n));
            for (int64_t i = 0; i < n; i++) LOGICAL(v)[i] = valid[i] ? (x[i] != 0) : NA_LOGICAL;
        } else if (fits_int) {
            v = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)n));
            for (int64_t i = 0; i < n; i++) INTEGER(v)[i] = valid[i] ? (int)x[i] : NA_INTEGER;
        } else if (fits_double) {
            v = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
            for (int64_t i = 0; i < n; i++) REAL(v)[i] = valid[i] ? (double)x[i] : NA_REAL;
        } else {
            v = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)n));
            char num[32];
            for (int64_t i = 0; i < n; i++) {
                snprintf(num, sizeof num, "%lld", (long long)x[i]);
                SET_STRING_ELT(v, i, valid[i] ? Rf_mkChar(num) : NA_STRING);
            }
        }
    }
    UNPROTECT(1);
    return v;
}

/* returns a named list of data.frames, one per table */
static SEXP r_read_results(SEXP dir) {
    biornn_handle h = 0;
    CHECK(biornn_results_open(str1(dir, "dir"), &h), "biornn_results_open");
    /* free the handle even if an R error follows: keep it in an external
     * pointer with a finalizer */
    SEXP guard = PROTECT(wrap_handle(h));
    SEXP tables = PROTECT(split_lines(res_string(h, NULL, 0)));
    R_xlen_t nt = XLENGTH(tables);
    SEXP out = PROTECT(Rf_allocVector(VECSXP, nt));
    Rf_setAttrib(out, R_NamesSymbol, tables);
    for (R_xlen_t ti = 0; ti < nt; ti++) {
        const char* t = CHAR(STRING_ELT(tables, ti));
        int64_t rows = 0;
        CHECK(biornn_results_num_rows(h, t, &rows), "biornn_results_num_rows");
        SEXP cols = PROTECT(split_lines(res_string(h, t, 1)));
        R_xlen_t nc = XLENGTH(cols);
        SEXP df = PROTECT(Rf_allocVector(VECSXP, nc));
        for (R_xlen_t ci = 0; ci < nc; ci++)
            SET_VECTOR_ELT(df, ci, read_column(h, t, CHAR(STRING_ELT(cols, ci)), rows));
        Rf_setAttrib(df, R_NamesSymbol, cols);
        SEXP rn = PROTECT(Rf_allocVector(INTSXP, 2));
        INTEGER(rn)[0] = NA_INTEGER;
        INTEGER(rn)[1] = -(int)rows;
        Rf_setAttrib(df, R_RowNamesSymbol, rn);
        Rf_setAttrib(df, R_ClassSymbol, Rf_mkString("data.frame"));
        SET_VECTOR_ELT(out, ti, df);
        UNPROTECT(3);
    }
    handle_finalizer(guard);
    UNPROTECT(3);
    return out;
}

/* ---- registration ---- */

static const R_CallMethodDef calls[] = {
    {"C_version", (DL_FUNC)&r_version, 0},
    {"C_kernels", (DL_FUNC)&r_kernels, 0},
    {"C_default_kernel", (DL_FUNC)&r_default_kernel, 0},
    {"C_stat_names", (DL_FUNC)&r_stat_names, 0},
    {"C_set_kernels", (DL_FUNC)&r_set_kernels, 1},
    {"C_set_threads", (DL_FUNC)&r_set_threads, 1},
    {"C_env_names", (DL_FUNC)&r_env_names, 0},
    {"C_set_env", (DL_FUNC)&r_set_env, 2},
    {"C_get_env", (DL_FUNC)&r_get_env, 1},
    {"C_get_threads", (DL_FUNC)&r_get_threads, 0},
    {"C_from_connectome", (DL_FUNC)&r_from_connectome, 2},
    {"C_from_arrays", (DL_FUNC)&r_from_arrays, 8},
    {"C_free", (DL_FUNC)&r_free, 1},
    {"C_sizes", (DL_FUNC)&r_sizes, 1},
    {"C_info", (DL_FUNC)&r_info, 2},
    {"C_matrix", (DL_FUNC)&r_matrix, 2},
    {"C_stats", (DL_FUNC)&r_stats, 2},
    {"C_get_param", (DL_FUNC)&r_get_param, 2},
    {"C_set_param", (DL_FUNC)&r_set_param, 3},
    {"C_train_arrays", (DL_FUNC)&r_train_arrays, 7},
    {"C_evaluate", (DL_FUNC)&r_evaluate, 6},
    {"C_predict", (DL_FUNC)&r_predict, 4},
    {"C_predict_hidden", (DL_FUNC)&r_predict_hidden, 4},
    {"C_save", (DL_FUNC)&r_save, 2},
    {"C_set_dale", (DL_FUNC)&r_set_dale, 2},
    {"C_load", (DL_FUNC)&r_load, 2},
    {"C_train", (DL_FUNC)&r_train, 3},
    {"C_read_results", (DL_FUNC)&r_read_results, 1},
    {NULL, NULL, 0}};

void R_init_biornn(DllInfo* dll) {
    handle_tag = Rf_install("biornn_handle");
    R_registerRoutines(dll, NULL, calls, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    if (biornn_abi_version() != BIORNN_ABI_VERSION)
        Rf_warning("biornn: libbiornn has ABI version %d, the package was built for %d", biornn_abi_version(),
                   BIORNN_ABI_VERSION);
    /* the session's BIORNN_DATA and BIORNN_KERNELS, also those Sys.setenv
     * changed before the package was loaded */
    const char* name = NULL;
    if (sync_env_status(&name) != BIORNN_OK) Rf_warning("biornn: could not give the library %s", name);
}
