/*
 * testutil.h - helpers shared by the unit tests (cmocka).
 */
#ifndef CLV_TESTUTIL_H
#define CLV_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clv.h"

/*
 * Path of a file in the shared data folder (CLV_DATA_DIR, default set by
 * CMake to ../shared/data), e.g. clv_test_data("lifetimes/CDNOW_sample.txt").
 * Returns NULL, after printing a loud "SKIPPED: shared data missing" line on
 * stderr, when the file is absent: the caller then calls skip().
 * The returned buffer is static (one per call site is fine in tests).
 */
const char *clv_test_data(const char *relative);

/* A path for a scratch file in the test's temporary folder (CLV_TEST_TMP, or
 * /tmp). Static buffer, overwritten by the next call. */
const char *clv_test_tmp(const char *name);

/* Writes text to a scratch file and returns its path (static buffer). */
const char *clv_test_write(const char *name, const char *text);

/* Writes the order log that clv_simulate_log() draws with `so` to a scratch
 * file and returns its path (static buffer, as clv_test_tmp()). */
const char *clv_test_simulate(const char *name, const clv_sim_opts *so);

/* Fails the test unless |got - want| <= abs_tol + rel_tol * |want|, printing
 * both values and the expression. */
#define assert_close(got, want, abs_tol, rel_tol)                              \
  clv_test_assert_close((got), (want), (abs_tol), (rel_tol), #got, __FILE__,   \
                        __LINE__)
void clv_test_assert_close(double got, double want, double abs_tol,
                           double rel_tol, const char *expr, const char *file,
                           int line);

/* Reads a summary CSV in the given unit; fails the test with the reader's
 * file:line:column message on error. The caller frees it. */
clv_summary *clv_test_read_summary(const char *path, clv_unit unit);

/* A one-row summary (x, t_x, T) in the given unit. The caller frees it. */
clv_summary *clv_test_one(clv_unit unit, double x, double tx, double T);

/* Model families' internals, for tests that check a family's fast path. */
typedef struct clv__family clv__family;

/* Total log-likelihood and gradient of a summary through the shared fast
 * path (compression, prepare, ll_block) of family f, one thread. */
int clv_test_family_loglik(const clv__family *f, const clv_summary *s,
                           const double *p, double *ll, double *g);

/* E[Y(t) | x, t_x, T] = P(alive) E[Y(t) | alive], composed as predict.c
 * does, from family f's descriptor functions. */
double clv_test_cond(const clv__family *f, const double *p, double x, double tx,
                     double T, double t);

/*
 * Checks family f's analytic gradient g of the log-likelihood ll of summary
 * s at p against a Richardson-extrapolated central difference (error
 * O(h^4), h = 1e-4 p_k) of the fast-path log-likelihood, within
 * 1e-6 |fd| + 1e-12 (1 + |ll|) / h: the rounding in ll (~1e-16 |ll|)
 * amplified by 1/h. `label` names the case in the failure message.
 */
void clv_test_check_gradient(const clv__family *f, const clv_summary *s,
                             const double *p, double ll, const double *g,
                             const char *label);

/*
 * Simulate-then-fit: for `seeds` seeds from first_seed on, simulates
 * `customers` customers of `family` (clv_simulate_summary, weeks) at the
 * 4 true parameters, fits the family, prints each estimate's z-score and
 * fails unless every SE is finite and positive and every |z| < zmax.
 */
void clv_test_recovery(const char *family, const double truth[4],
                       uint64_t customers, uint64_t first_seed, int seeds,
                       double zmax);

/* Skips the current test when the data file is missing (loud, not a pass). */
#define CLV_REQUIRE_DATA(var, rel)                                             \
  const char *var = clv_test_data(rel);                                        \
  if (var == NULL) {                                                           \
    skip();                                                                    \
  }

#endif
