/*
 * Tests of the biornn C API through the public header only: the happy paths
 * and every kind of bad input (NULL pointers, wrong sizes, unknown and freed
 * handles, wrong-kind handles, invalid options), which must give an error
 * code and a message, never a crash.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -pthread -I<dir of biornn.h> test_capi.c \
 *       -L<dir> -lbiornn -Wl,-rpath,<dir> -lm -o test_capi
 *   ./test_capi <connectome data dir> <scratch dir>
 *
 * cbind/test.sh builds and runs it.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "biornn.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                        \
    } while (0)

/* EXPECT runs a call, checks its status and, for an error, that
 * biornn_last_error gives a message containing `part` (NULL: any message). */
#define EXPECT(call, want, part) expect_status((call), (want), (part), #call, __LINE__)

static void expect_status(int got, int want, const char* part, const char* what, int line) {
    char msg[4096];
    size_t n = biornn_last_error(msg, sizeof msg);
    checks++;
    if (got != want) {
        failures++;
        fprintf(stderr, "FAIL line %d: %s returned %d, expected %d (last error: %s)\n", line, what, got, want, msg);
        return;
    }
    if (want == BIORNN_OK) {
        if (n != 0) {
            failures++;
            fprintf(stderr, "FAIL line %d: %s succeeded but left the error \"%s\"\n", line, what, msg);
        }
        return;
    }
    if (n == 0 || strlen(msg) != (n < sizeof msg ? n : sizeof msg - 1)) {
        failures++;
        fprintf(stderr, "FAIL line %d: %s failed without a proper message\n", line, what);
        return;
    }
    if (part != NULL && strstr(msg, part) == NULL) {
        failures++;
        fprintf(stderr, "FAIL line %d: %s: message \"%s\" lacks \"%s\"\n", line, what, msg, part);
    }
}

/* A small deterministic pseudo-random generator for test data. */
static unsigned long long rng = 88172645463325252ULL;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((rng >> 11) * (1.0 / 9007199254740992.0)) - 0.5f;
}

enum { IN = 2, H = 6, OUT = 3, TRIALS = 8, T = 5 };

static float w_in[H * IN], w_hh[H * H], b[H], w_out[OUT * H], b_out[OUT];
static uint8_t mask[H * H];

static biornn_handle make_net(const char* options) {
    biornn_handle h = 0;
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H,
                                      b_out, OUT, mask, H * H, options, &h),
           BIORNN_OK, NULL);
    CHECK(h > 0);
    return h;
}

static void test_info(void) {
    char buf[256];
    size_t needed = 0;
    CHECK(biornn_abi_version() == BIORNN_ABI_VERSION);
    EXPECT(biornn_version(buf, sizeof buf, &needed), BIORNN_OK, NULL);
    CHECK(strlen(buf) > 0 && needed == strlen(buf) + 1);
    /* size query, then a too-small buffer: truncated, NUL-terminated, ERR_SIZE */
    EXPECT(biornn_kernels(NULL, 0, &needed), BIORNN_OK, NULL);
    CHECK(needed > 1);
    EXPECT(biornn_kernels(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strstr(buf, "generic") != NULL);
    CHECK(strlen(buf) + 1 == needed);
    char tiny[3] = {'x', 'x', 'x'};
    EXPECT(biornn_kernels(tiny, sizeof tiny, NULL), BIORNN_ERR_SIZE, "needed");
    CHECK(tiny[2] == 0);
    EXPECT(biornn_kernels(NULL, 5, NULL), BIORNN_ERR_NULL, "buf");

    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strlen(buf) > 0);
    EXPECT(biornn_set_kernels("generic"), BIORNN_OK, NULL);
    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(buf, "generic") == 0);
    EXPECT(biornn_set_kernels("no-such-kernels"), BIORNN_ERR_INVALID, "no-such-kernels");
    EXPECT(biornn_set_kernels(NULL), BIORNN_ERR_NULL, "name");
    EXPECT(biornn_set_kernels("default"), BIORNN_OK, NULL);

    int32_t threads = 0;
    EXPECT(biornn_set_threads(2), BIORNN_OK, NULL);
    EXPECT(biornn_get_threads(&threads), BIORNN_OK, NULL);
    CHECK(threads == 2);
    EXPECT(biornn_set_threads(0), BIORNN_ERR_INVALID, "thread");
    EXPECT(biornn_get_threads(NULL), BIORNN_ERR_NULL, "threads");
    EXPECT(biornn_set_threads(1), BIORNN_OK, NULL);

    /* a successful call clears the previous error */
    EXPECT(biornn_set_threads(-1), BIORNN_ERR_INVALID, NULL);
    EXPECT(biornn_get_threads(&threads), BIORNN_OK, NULL);
    CHECK(biornn_last_error(NULL, 0) == 0);

    EXPECT(biornn_stat_names(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strncmp(buf, "neurons\n", 8) == 0);
}

static void test_arrays(void) {
    for (int i = 0; i < H * IN; i++) w_in[i] = frand();
    for (int i = 0; i < H * H; i++) {
        w_hh[i] = frand();
        mask[i] = (i % 3) != 0;
    }
    for (int i = 0; i < H; i++) b[i] = frand() * 0.1f;
    for (int i = 0; i < OUT * H; i++) w_out[i] = frand();
    for (int i = 0; i < OUT; i++) b_out[i] = 0;

    biornn_handle net = make_net("activation=tanh; kernels=generic");
    int64_t in = 0, hid = 0, out = 0, rows = 0, cols = 0;
    EXPECT(biornn_network_sizes(net, &in, &hid, &out), BIORNN_OK, NULL);
    CHECK(in == IN && hid == H && out == OUT);
    EXPECT(biornn_network_sizes(net, NULL, NULL, NULL), BIORNN_OK, NULL);

    /* parameters: the mask is applied, other values round-trip exactly */
    EXPECT(biornn_param_size(net, "w_hh", &rows, &cols), BIORNN_OK, NULL);
    CHECK(rows == H && cols == H);
    EXPECT(biornn_param_size(net, "b", &rows, &cols), BIORNN_OK, NULL);
    CHECK(rows == H && cols == 1);
    float got[H * H];
    EXPECT(biornn_get_param(net, "w_hh", got, H * H), BIORNN_OK, NULL);
    int same = 1;
    for (int i = 0; i < H * H; i++) same &= got[i] == (mask[i] ? w_hh[i] : 0.0f);
    CHECK(same);
    float wout2[OUT * H];
    for (int i = 0; i < OUT * H; i++) wout2[i] = (float)i / 10;
    EXPECT(biornn_set_param(net, "w_out", wout2, OUT * H), BIORNN_OK, NULL);
    EXPECT(biornn_get_param(net, "w_out", got, OUT * H), BIORNN_OK, NULL);
    same = 1;
    for (int i = 0; i < OUT * H; i++) same &= got[i] == wout2[i];
    CHECK(same);
    EXPECT(biornn_set_param(net, "w_out", w_out, OUT * H), BIORNN_OK, NULL);

    /* matrices and statistics of an arrays network */
    EXPECT(biornn_matrix_size(net, "mask", &rows, &cols), BIORNN_OK, NULL);
    CHECK(rows == H && cols == H);
    double m[H * H];
    EXPECT(biornn_get_matrix(net, "mask", m, H * H), BIORNN_OK, NULL);
    same = 1;
    for (int i = 0; i < H * H; i++) same &= m[i] == (mask[i] ? 1.0 : 0.0);
    CHECK(same);
    EXPECT(biornn_get_matrix(net, "w", m, H * H), BIORNN_OK, NULL);
    CHECK(m[1 * H + 0] == (double)(mask[0 * H + 1] ? w_hh[0 * H + 1] : 0.0f)); /* w = w_hh^T */
    double stats[8];
    EXPECT(biornn_get_stats(net, stats, 8), BIORNN_OK, NULL);
    CHECK(stats[0] == H);
    int kept = 0;
    for (int i = 0; i < H * H; i++) kept += mask[i] != 0;
    CHECK(stats[2] == kept);
    char info[64];
    EXPECT(biornn_get_info(net, "source", info, sizeof info, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(info, "arrays") == 0);
    EXPECT(biornn_get_info(net, "kernel_set", info, sizeof info, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(info, "generic") == 0);

    /* data: MSE targets and NLL labels */
    float x[TRIALS * T * IN], y[TRIALS * T * OUT], labels[TRIALS * T];
    for (int i = 0; i < TRIALS * T * IN; i++) x[i] = frand() + 0.5f;
    for (int i = 0; i < TRIALS * T * OUT; i++) y[i] = frand();
    for (int i = 0; i < TRIALS * T; i++) labels[i] = (float)(i % OUT);
    int64_t steps_mse[] = {3, 4}, steps_nll[] = {4};

    float pred[TRIALS * T * OUT], pred2[TRIALS * T * OUT];
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, TRIALS, T, pred, TRIALS * T * OUT), BIORNN_OK, NULL);
    /* loss at the start equals the MSE of the prediction at the loss steps */
    double loss0 = 0, acc = 0;
    EXPECT(biornn_evaluate(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2, "mse", &loss0, &acc),
           BIORNN_OK, NULL);
    CHECK(isnan(acc));
    double ref = 0;
    for (int n = 0; n < TRIALS; n++)
        for (int s = 0; s < 2; s++)
            for (int o = 0; o < OUT; o++) {
                int k = (n * T + (int)steps_mse[s]) * OUT + o;
                ref += ((double)pred[k] - y[k]) * ((double)pred[k] - y[k]);
            }
    ref /= TRIALS * 2 * OUT;
    CHECK(fabs(ref - loss0) < 1e-5 * (1 + ref));

    double losses[20];
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2,
                               "loss=mse;optimizer=adam;lr=0.01;steps=20", losses, 20),
           BIORNN_OK, NULL);
    CHECK(fabs(losses[0] - loss0) < 1e-9 * (1 + loss0));
    CHECK(losses[19] < losses[0]);
    /* masked weights stay exactly zero after training */
    EXPECT(biornn_get_param(net, "w_hh", got, H * H), BIORNN_OK, NULL);
    same = 1;
    for (int i = 0; i < H * H; i++) same &= mask[i] || got[i] == 0.0f;
    CHECK(same);
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, TRIALS, T, pred2, TRIALS * T * OUT), BIORNN_OK, NULL);
    CHECK(memcmp(pred, pred2, sizeof pred) != 0);

    double l3[3];
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, labels, TRIALS * T, steps_nll, 1,
                               "loss=nll;optimizer=sgd;lr=0.1;momentum=0.9", l3, 3),
           BIORNN_OK, NULL);
    CHECK(l3[0] > 0 && !isnan(l3[2]));
    EXPECT(biornn_evaluate(net, x, TRIALS * T * IN, TRIALS, T, labels, TRIALS * T, steps_nll, 1, "nll", NULL, &acc),
           BIORNN_OK, NULL);
    CHECK(acc >= 0 && acc <= 1);

    /* Dale's law: the weights must already follow the signs; bad calls fail */
    float signs[H];
    for (int j = 0; j < H; j++) signs[j] = 1.0f;
    EXPECT(biornn_set_dale(net, signs, H - 1), BIORNN_ERR_INVALID, "signs");
    EXPECT(biornn_set_dale(net, NULL, H), BIORNN_ERR_NULL, "signs");
    signs[0] = 2.0f;
    EXPECT(biornn_set_dale(net, signs, H), BIORNN_ERR_INVALID, "expected +1 or -1");
    EXPECT(biornn_set_dale(net, NULL, 0), BIORNN_OK, NULL);

    /* ---- bad inputs: error codes and messages, never a crash ---- */
    biornn_handle bad = 0;
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN - 1, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT,
                                      NULL, 0, NULL, &bad),
           BIORNN_ERR_SIZE, "w_in");
    CHECK(bad == 0);
    EXPECT(biornn_network_from_arrays(IN, H, OUT, NULL, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL,
                                      0, NULL, &bad),
           BIORNN_ERR_NULL, "w_in");
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, mask,
                                      7, NULL, &bad),
           BIORNN_ERR_SIZE, "mask");
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL,
                                      0, NULL, NULL),
           BIORNN_ERR_NULL, "out");
    EXPECT(biornn_network_from_arrays(0, H, OUT, w_in, 0, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL, 0,
                                      NULL, &bad),
           BIORNN_ERR_INVALID, "inputs");
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL,
                                      0, "activation=sigmoid", &bad),
           BIORNN_ERR_INVALID, "activation");
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL,
                                      0, "colour=blue", &bad),
           BIORNN_ERR_INVALID, "\"colour\"");
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, NULL,
                                      0, "activation", &bad),
           BIORNN_ERR_INVALID, "key=value");
    float nanv[OUT];
    for (int i = 0; i < OUT; i++) nanv[i] = NAN;
    EXPECT(biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, nanv, OUT, NULL, 0,
                                      NULL, &bad),
           BIORNN_ERR_INVALID, "finite");

    EXPECT(biornn_get_param(net, "w_hh", got, H * H - 1), BIORNN_ERR_SIZE, "w_hh");
    EXPECT(biornn_get_param(net, "w_hh", got, SIZE_MAX), BIORNN_ERR_SIZE, NULL);
    EXPECT(biornn_predict(net, x, SIZE_MAX, TRIALS, T, pred, TRIALS * T * OUT), BIORNN_ERR_SIZE, NULL);
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, INT64_MAX, INT64_MAX, pred, TRIALS * T * OUT),
           BIORNN_ERR_INVALID, "trials");
    EXPECT(biornn_version(info, SIZE_MAX, NULL), BIORNN_OK, NULL); /* a bogus length is never used */
    EXPECT(biornn_get_param(net, "w_hh", NULL, H * H), BIORNN_ERR_NULL, "buf");
    EXPECT(biornn_get_param(net, "gamma", got, 1), BIORNN_ERR_INVALID, "gamma");
    EXPECT(biornn_get_param(net, NULL, got, 1), BIORNN_ERR_NULL, "name");
    EXPECT(biornn_set_param(net, "b", b, H + 1), BIORNN_ERR_SIZE, "\"b\"");
    EXPECT(biornn_param_size(net, "w_in", NULL, &cols), BIORNN_ERR_NULL, NULL);
    EXPECT(biornn_get_matrix(net, "w", m, 3), BIORNN_ERR_SIZE, "\"w\"");
    EXPECT(biornn_get_matrix(net, "connectome", m, 1), BIORNN_ERR_UNSUPPORTED, "connectome");
    EXPECT(biornn_get_matrix(net, "nonsense", m, 1), BIORNN_ERR_INVALID, "nonsense");
    EXPECT(biornn_get_stats(net, stats, 7), BIORNN_ERR_SIZE, NULL);
    EXPECT(biornn_get_info(net, "colour", info, sizeof info, NULL), BIORNN_ERR_INVALID, "colour");

    EXPECT(biornn_predict(net, x, TRIALS * T * IN - 1, TRIALS, T, pred, TRIALS * T * OUT), BIORNN_ERR_SIZE, "x has");
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, TRIALS, T, pred, 5), BIORNN_ERR_SIZE, "output");
    EXPECT(biornn_predict(net, NULL, TRIALS * T * IN, TRIALS, T, pred, TRIALS * T * OUT), BIORNN_ERR_NULL, "x");
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, 0, T, pred, TRIALS * T * OUT), BIORNN_ERR_INVALID, "trials");
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2,
                               "optimizer=adagrad", losses, 3),
           BIORNN_ERR_INVALID, "optimizer");
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2,
                               "lr=fast", losses, 3),
           BIORNN_ERR_INVALID, "\"lr\"");
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2, "steps=4",
                               losses, 3),
           BIORNN_ERR_SIZE, "losses");
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T, steps_mse, 2, "loss=mse", losses,
                               3),
           BIORNN_ERR_SIZE, "y has");
    int64_t bad_steps[] = {9};
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, bad_steps, 1, NULL, losses,
                               3),
           BIORNN_ERR_INVALID, "loss step");
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, NULL, 2, NULL, losses, 3),
           BIORNN_ERR_NULL, "loss_steps");
    float badlab[TRIALS * T];
    for (int i = 0; i < TRIALS * T; i++) badlab[i] = 7;
    EXPECT(biornn_train_arrays(net, x, TRIALS * T * IN, TRIALS, T, badlab, TRIALS * T, steps_nll, 1, "loss=nll",
                               losses, 3),
           BIORNN_ERR_INVALID, "class");
    EXPECT(biornn_evaluate(net, x, TRIALS * T * IN, TRIALS, T, y, TRIALS * T * OUT, steps_mse, 2, "hinge", NULL,
                           NULL),
           BIORNN_ERR_INVALID, "hinge");

    /* unknown and freed handles */
    EXPECT(biornn_network_sizes(987654321, &in, &hid, &out), BIORNN_ERR_HANDLE, "987654321");
    EXPECT(biornn_get_param(-1, "w_in", got, H * IN), BIORNN_ERR_HANDLE, NULL);
    EXPECT(biornn_free(net), BIORNN_OK, NULL);
    EXPECT(biornn_free(net), BIORNN_ERR_HANDLE, "freed");
    EXPECT(biornn_predict(net, x, TRIALS * T * IN, TRIALS, T, pred, TRIALS * T * OUT), BIORNN_ERR_HANDLE, NULL);
    EXPECT(biornn_free(0), BIORNN_ERR_HANDLE, NULL);
}

/* ---- threads: per-thread error messages, one handle shared, results
 * independent of concurrency ---- */

enum { NTHREADS = 4 };
static pthread_barrier_t barrier;
static biornn_handle shared_net;

struct thread_result {
    int index;
    int own_error_kept;
    int predict_ok;
    double losses[5];
};

static float tx[TRIALS * T * IN], ty[TRIALS * T * OUT];

static void* thread_main(void* arg) {
    struct thread_result* r = arg;
    char name[32], msg[4096];
    snprintf(name, sizeof name, "bad-kernels-%d", r->index);
    /* every thread fails with its own message, then waits for the others */
    biornn_set_kernels(name);
    pthread_barrier_wait(&barrier);
    biornn_last_error(msg, sizeof msg);
    r->own_error_kept = strstr(msg, name) != NULL;
    pthread_barrier_wait(&barrier);
    /* the shared handle: calls are serialised, every one succeeds */
    float out[TRIALS * T * OUT];
    r->predict_ok = 1;
    for (int k = 0; k < 20; k++)
        r->predict_ok &= biornn_predict(shared_net, tx, TRIALS * T * IN, TRIALS, T, out, TRIALS * T * OUT) == 0;
    /* an own network, trained concurrently with the others */
    biornn_handle h = 0;
    biornn_network_from_arrays(IN, H, OUT, w_in, H * IN, w_hh, H * H, b, H, w_out, OUT * H, b_out, OUT, mask, H * H,
                               "kernels=generic", &h);
    int64_t steps[] = {4};
    biornn_train_arrays(h, tx, TRIALS * T * IN, TRIALS, T, ty, TRIALS * T * OUT, steps, 1, "lr=0.01", r->losses, 5);
    biornn_free(h);
    return NULL;
}

static void test_threads(void) {
    for (int i = 0; i < TRIALS * T * IN; i++) tx[i] = frand();
    for (int i = 0; i < TRIALS * T * OUT; i++) ty[i] = frand();
    shared_net = make_net("kernels=generic");
    biornn_handle h = make_net("kernels=generic");
    double want[5];
    int64_t steps[] = {4};
    EXPECT(biornn_train_arrays(h, tx, TRIALS * T * IN, TRIALS, T, ty, TRIALS * T * OUT, steps, 1, "lr=0.01", want, 5),
           BIORNN_OK, NULL);
    biornn_free(h);

    pthread_t th[NTHREADS];
    struct thread_result res[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].index = i;
        pthread_create(&th[i], NULL, thread_main, &res[i]);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < NTHREADS; i++) {
        CHECK(res[i].own_error_kept);
        CHECK(res[i].predict_ok);
        CHECK(memcmp(res[i].losses, want, sizeof want) == 0);
    }
    EXPECT(biornn_free(shared_net), BIORNN_OK, NULL);
}

/* ---- connectome networks, training runs and results ---- */

struct progress_state {
    int calls;
    int cancel_at; /* epoch at which to return nonzero, -1 = never */
    int64_t last_epoch, epochs;
    int ok;
};

static int on_epoch(void* user, int64_t epoch, int64_t epochs, double train_loss, double val_loss, double val_acc,
                    double seconds) {
    struct progress_state* st = user;
    st->ok &= epoch == st->calls && train_loss > 0 && val_loss > 0 && seconds >= 0 && !isnan(val_loss);
    (void)val_acc;
    st->calls++;
    st->last_epoch = epoch;
    st->epochs = epochs;
    return st->cancel_at >= 0 && epoch >= st->cancel_at;
}

static void test_connectome(const char* scratch) {
    char opts[2300];
    biornn_handle net = 0;
    snprintf(opts, sizeof opts, "neurons=2;seed=7");
    EXPECT(biornn_network_from_connectome("macaque", opts, &net), BIORNN_OK, NULL);
    if (net == 0) return;
    int64_t in = -1, hid = 0, out = -1, rows = 0, cols = 0;
    EXPECT(biornn_network_sizes(net, &in, &hid, &out), BIORNN_OK, NULL);
    CHECK(hid == 58 && in == 0 && out == 0);
    EXPECT(biornn_matrix_size(net, "connectome", &rows, &cols), BIORNN_OK, NULL);
    CHECK(rows == 29 && cols == 29);
    double* c = malloc(sizeof(double) * 29 * 29);
    EXPECT(biornn_get_matrix(net, "connectome", c, 29 * 29), BIORNN_OK, NULL);
    int nnz = 0;
    for (int i = 0; i < 29 * 29; i++) nnz += c[i] != 0;
    CHECK(nnz == 536); /* the macaque matrix of Markov et al. */
    free(c);
    double* w = malloc(sizeof(double) * 58 * 58);
    EXPECT(biornn_get_matrix(net, "w", w, 58 * 58), BIORNN_OK, NULL);
    double r[58];
    EXPECT(biornn_get_matrix(net, "region", r, 58), BIORNN_OK, NULL);
    CHECK(r[0] == 0 && r[1] == 0 && r[57] == 28);
    double stats[8];
    EXPECT(biornn_get_stats(net, stats, 8), BIORNN_OK, NULL);
    CHECK(stats[0] == 58 && stats[1] == 29 && stats[2] > 0 && stats[7] > 0);
    char info[4096];
    EXPECT(biornn_get_info(net, "regions", info, sizeof info, NULL), BIORNN_OK, NULL);
    CHECK(strchr(info, '\n') != NULL);
    EXPECT(biornn_get_info(net, "source", info, sizeof info, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(info, "connectome") == 0);
    /* connectome networks have no arrays parameters */
    float p[4];
    EXPECT(biornn_get_param(net, "w_in", p, 4), BIORNN_ERR_UNSUPPORTED, "connectome");

    /* the same seed builds the same network; a null model changes it */
    biornn_handle net2 = 0, perm = 0;
    EXPECT(biornn_network_from_connectome("macaque", opts, &net2), BIORNN_OK, NULL);
    double* w2 = malloc(sizeof(double) * 58 * 58);
    EXPECT(biornn_get_matrix(net2, "w", w2, 58 * 58), BIORNN_OK, NULL);
    CHECK(memcmp(w, w2, sizeof(double) * 58 * 58) == 0);
    snprintf(opts, sizeof opts, "neurons=2;seed=7;null=permute");
    EXPECT(biornn_network_from_connectome("macaque", opts, &perm), BIORNN_OK, NULL);
    EXPECT(biornn_get_matrix(perm, "w", w2, 58 * 58), BIORNN_OK, NULL);
    CHECK(memcmp(w, w2, sizeof(double) * 58 * 58) != 0);
    free(w);
    free(w2);

    /* bad construction input */
    biornn_handle bad = 0;
    EXPECT(biornn_network_from_connectome("no-such-connectome", opts, &bad), BIORNN_ERR_IO, "no-such-connectome");
    EXPECT(biornn_network_from_connectome(NULL, opts, &bad), BIORNN_ERR_NULL, "name");
    EXPECT(biornn_network_from_connectome("macaque", "target_sparsity=2", &bad), BIORNN_ERR_INVALID, "option \"target_sparsity\"");
    EXPECT(biornn_network_from_connectome("macaque", "neurons=four", &bad), BIORNN_ERR_INVALID, "\"neurons\"");
    EXPECT(biornn_network_from_connectome("macaque", "null=smash", &bad), BIORNN_ERR_INVALID, "smash");
    EXPECT(biornn_network_from_connectome("macaque", "nuerons=3", &bad), BIORNN_ERR_INVALID, "\"nuerons\"");
    CHECK(bad == 0);

    /* a training run with progress, written as Parquet and read back */
    char dir[1100], run_id[32] = {0};
    snprintf(dir, sizeof dir, "%.1000s/results", scratch);
    snprintf(opts, sizeof opts, "out=%s;task=seq_mem;epochs=3;trials=40;batch_size=16", dir);
    struct progress_state st = {0, -1, -1, 0, 1};
    EXPECT(biornn_train(net, opts, on_epoch, &st, run_id, sizeof run_id), BIORNN_OK, NULL);
    CHECK(st.ok && st.calls == 4 && st.last_epoch == 3 && st.epochs == 3);
    CHECK(strlen(run_id) == 16);

    /* cancellation: the network continues after its 3 epochs, the callback
     * returns nonzero at epoch 5; the network stays as it was */
    float before[4], after[4];
    EXPECT(biornn_get_param(net, "b_out", before, 1), BIORNN_OK, NULL);
    snprintf(opts, sizeof opts, "out=%s;task=seq_mem;epochs=50;trials=40;batch_size=16;data_seed=99", dir);
    struct progress_state st2 = {4, 5, -1, 0, 1};
    EXPECT(biornn_train(net, opts, on_epoch, &st2, NULL, 0), BIORNN_CANCELLED, "cancelled");
    CHECK(st2.ok && st2.last_epoch == 5 && st2.calls == 6);
    EXPECT(biornn_get_param(net, "b_out", after, 1), BIORNN_OK, NULL);
    CHECK(before[0] == after[0]);

    EXPECT(biornn_train(net, "task=seq_mem", NULL, NULL, NULL, 0), BIORNN_ERR_INVALID, "\"out\"");
    EXPECT(biornn_train(net, "out=x;epochs=many", NULL, NULL, NULL, 0), BIORNN_ERR_INVALID, "\"epochs\"");
    EXPECT(biornn_train(net, "out=x;learning_rate=1", NULL, NULL, NULL, 0), BIORNN_ERR_INVALID, "learning_rate");
    EXPECT(biornn_train(987654, opts, NULL, NULL, NULL, 0), BIORNN_ERR_HANDLE, NULL);

    biornn_handle res = 0;
    EXPECT(biornn_results_open(dir, &res), BIORNN_OK, NULL);
    char names[4096];
    EXPECT(biornn_results_tables(res, names, sizeof names, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(names, "epochs\nruns") == 0);
    int64_t nrows = 0;
    EXPECT(biornn_results_num_rows(res, "runs", &nrows), BIORNN_OK, NULL);
    CHECK(nrows == 1); /* the cancelled run wrote nothing */
    EXPECT(biornn_results_num_rows(res, "epochs", &nrows), BIORNN_OK, NULL);
    CHECK(nrows == 4);
    EXPECT(biornn_results_columns(res, "epochs", names, sizeof names, NULL), BIORNN_OK, NULL);
    CHECK(strstr(names, "val_loss") != NULL && strstr(names, "run_id") != NULL);
    int32_t type = 0;
    EXPECT(biornn_results_column_type(res, "epochs", "val_loss", &type), BIORNN_OK, NULL);
    CHECK(type == BIORNN_COL_FLOAT64);
    EXPECT(biornn_results_column_type(res, "epochs", "epoch", &type), BIORNN_OK, NULL);
    CHECK(type == BIORNN_COL_INT64);
    double vl[4];
    int64_t ep[4];
    uint8_t valid[4];
    EXPECT(biornn_results_get_float64(res, "epochs", "val_loss", vl, 4), BIORNN_OK, NULL);
    EXPECT(biornn_results_get_int64(res, "epochs", "epoch", ep, 4), BIORNN_OK, NULL);
    EXPECT(biornn_results_get_valid(res, "epochs", "val_loss", valid, 4), BIORNN_OK, NULL);
    CHECK(ep[0] == 0 && ep[3] == 3 && vl[0] > 0 && valid[0] == 1 && valid[3] == 1);
    size_t need = 0;
    EXPECT(biornn_results_get_strings(res, "runs", "run_id", NULL, 0, &need), BIORNN_OK, NULL);
    CHECK(need == 17);
    char ids[17];
    EXPECT(biornn_results_get_strings(res, "runs", "run_id", ids, sizeof ids, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(ids, run_id) == 0);
    EXPECT(biornn_results_column_type(res, "runs", "started_at", &type), BIORNN_OK, NULL);
    CHECK(type == BIORNN_COL_TIMESTAMP);

    EXPECT(biornn_results_get_strings(res, "runs", "run_id", ids, 5, NULL), BIORNN_ERR_SIZE, "bytes");
    EXPECT(biornn_results_get_float64(res, "epochs", "val_loss", vl, 3), BIORNN_ERR_SIZE, "rows");
    EXPECT(biornn_results_get_float64(res, "runs", "run_id", vl, 1), BIORNN_ERR_INVALID, "string");
    EXPECT(biornn_results_get_int64(res, "epochs", "val_loss", ep, 4), BIORNN_ERR_INVALID, "val_loss");
    EXPECT(biornn_results_get_float64(res, "epochs", "no_column", vl, 4), BIORNN_ERR_INVALID, "no_column");
    EXPECT(biornn_results_get_float64(res, "tables", "val_loss", vl, 4), BIORNN_ERR_INVALID, "tables");
    EXPECT(biornn_results_num_rows(res, NULL, &nrows), BIORNN_ERR_NULL, "table");
    /* wrong-kind handles */
    EXPECT(biornn_network_sizes(res, &in, &hid, &out), BIORNN_ERR_HANDLE, "results");
    EXPECT(biornn_results_num_rows(net, "runs", &nrows), BIORNN_ERR_HANDLE, "network");
    EXPECT(biornn_results_open("/nonexistent/biornn-results", &bad), BIORNN_ERR_IO, "nonexistent");
    EXPECT(biornn_results_open(scratch, NULL), BIORNN_ERR_NULL, "out");

    EXPECT(biornn_free(res), BIORNN_OK, NULL);
    EXPECT(biornn_results_num_rows(res, "runs", &nrows), BIORNN_ERR_HANDLE, NULL);
    EXPECT(biornn_free(net), BIORNN_OK, NULL);
    EXPECT(biornn_free(net2), BIORNN_OK, NULL);
    EXPECT(biornn_free(perm), BIORNN_OK, NULL);
}

/* data_dir: a folder holding bio2art's connectome files gives the same
 * network as the built-in data set (same checksum, same W). */
static void test_data_dir(const char* data_dir) {
    char opts[1100], sha_builtin[128] = {0}, sha_dir[128] = {0};
    biornn_handle builtin = 0, from_dir = 0;
    EXPECT(biornn_network_from_connectome("macaque", "neurons=2;seed=7", &builtin), BIORNN_OK, NULL);
    snprintf(opts, sizeof opts, "data_dir=%.1000s;neurons=2;seed=7", data_dir);
    EXPECT(biornn_network_from_connectome("macaque", opts, &from_dir), BIORNN_OK, NULL);
    if (builtin == 0 || from_dir == 0) return;
    EXPECT(biornn_get_info(builtin, "sha256", sha_builtin, sizeof sha_builtin, NULL), BIORNN_OK, NULL);
    EXPECT(biornn_get_info(from_dir, "sha256", sha_dir, sizeof sha_dir, NULL), BIORNN_OK, NULL);
    CHECK(sha_builtin[0] != 0 && strcmp(sha_builtin, sha_dir) == 0);
    double* w = malloc(sizeof(double) * 58 * 58);
    double* w2 = malloc(sizeof(double) * 58 * 58);
    EXPECT(biornn_get_matrix(builtin, "w", w, 58 * 58), BIORNN_OK, NULL);
    EXPECT(biornn_get_matrix(from_dir, "w", w2, 58 * 58), BIORNN_OK, NULL);
    CHECK(memcmp(w, w2, sizeof(double) * 58 * 58) == 0);
    free(w);
    free(w2);
    EXPECT(biornn_free(builtin), BIORNN_OK, NULL);
    EXPECT(biornn_free(from_dir), BIORNN_OK, NULL);
}

/* ---- environment variables ---- */

/* from_connectome_status builds the macaque network and frees it. */
static int from_connectome_status(void) {
    biornn_handle h = 0;
    int rc = biornn_network_from_connectome("macaque", "neurons=1", &h);
    if (h != 0) biornn_free(h);
    return rc;
}

static void test_env(const char* scratch) {
    char buf[4096], missing[2200];
    size_t need = 0;
    EXPECT(biornn_env_names(buf, sizeof buf, &need), BIORNN_OK, NULL);
    CHECK(strcmp(buf, "BIORNN_DATA\nBIORNN_MNIST\nBIORNN_KERNELS") == 0);
    EXPECT(biornn_set_env("BIORNN_NOPE", "x"), BIORNN_ERR_INVALID, "BIORNN_NOPE");
    EXPECT(biornn_set_env("PATH", "/"), BIORNN_ERR_INVALID, "BIORNN_DATA, BIORNN_MNIST, BIORNN_KERNELS");
    EXPECT(biornn_set_env(NULL, "x"), BIORNN_ERR_NULL, "name");
    EXPECT(biornn_get_env("BIORNN_NOPE", buf, sizeof buf, NULL), BIORNN_ERR_INVALID, "BIORNN_NOPE");
    EXPECT(biornn_get_env(NULL, buf, sizeof buf, NULL), BIORNN_ERR_NULL, "name");

    /* BIORNN_DATA: setenv() after the library was loaded does not reach
     * it; biornn_set_env does (and sets the C environment too). */
    EXPECT(biornn_set_env("BIORNN_DATA", NULL), BIORNN_OK, NULL);
    snprintf(missing, sizeof missing, "%s/no-such-data-folder", scratch);
    setenv("BIORNN_DATA", missing, 1);
    EXPECT(from_connectome_status(), BIORNN_OK, NULL);
    EXPECT(biornn_get_env("BIORNN_DATA", buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(buf, "") == 0);
    EXPECT(biornn_set_env("BIORNN_DATA", missing), BIORNN_OK, NULL);
    EXPECT(from_connectome_status(), BIORNN_ERR_IO, "no-such-data-folder (BIORNN_DATA)");
    EXPECT(biornn_get_env("BIORNN_DATA", buf, sizeof buf, &need), BIORNN_OK, NULL);
    CHECK(strcmp(buf, missing) == 0 && need == strlen(missing) + 1);
    CHECK(getenv("BIORNN_DATA") != NULL && strcmp(getenv("BIORNN_DATA"), missing) == 0);
    /* the data_dir option comes first */
    biornn_handle h = 0;
    EXPECT(biornn_network_from_connectome("macaque", "neurons=1;data_dir=/", &h), BIORNN_OK, NULL);
    biornn_free(h);
    EXPECT(biornn_set_env("BIORNN_DATA", NULL), BIORNN_OK, NULL);
    CHECK(getenv("BIORNN_DATA") == NULL);
    EXPECT(from_connectome_status(), BIORNN_OK, NULL);
    EXPECT(biornn_set_env("BIORNN_DATA", ""), BIORNN_OK, NULL); /* empty = unset */
    EXPECT(from_connectome_status(), BIORNN_OK, NULL);
    EXPECT(biornn_set_env("BIORNN_DATA", NULL), BIORNN_OK, NULL);

    /* BIORNN_KERNELS: the default kernels, after biornn_set_kernels' choice */
    char best[64];
    EXPECT(biornn_default_kernel(best, sizeof best, NULL), BIORNN_OK, NULL);
    EXPECT(biornn_set_env("BIORNN_KERNELS", "generic"), BIORNN_OK, NULL);
    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(buf, "generic") == 0);
    EXPECT(biornn_set_env("BIORNN_KERNELS", "nonesuch"), BIORNN_OK, NULL);
    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_ERR_INVALID, "nonesuch");
    EXPECT(biornn_set_kernels("generic"), BIORNN_OK, NULL);
    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(buf, "generic") == 0);
    EXPECT(biornn_set_kernels("default"), BIORNN_OK, NULL);
    EXPECT(biornn_set_env("BIORNN_KERNELS", NULL), BIORNN_OK, NULL);
    EXPECT(biornn_default_kernel(buf, sizeof buf, NULL), BIORNN_OK, NULL);
    CHECK(strcmp(buf, best) == 0);
}

int main(int argc, char** argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s <scratch dir> [<connectome data dir>]\n", argv[0]);
        return 2;
    }
    test_info();
    test_arrays();
    test_threads();
    test_connectome(argv[1]);
    test_env(argv[1]);
    if (argc == 3)
        test_data_dir(argv[2]);
    else
        printf("skipped: the data_dir test (no connectome folder given; cbind/test.sh passes ../shared/connectomes when present)\n");
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
