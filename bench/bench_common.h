/*
 * bench_common.h - what the fit and prediction benchmarks share: clocks and
 * the simulated input (header only: every bench_*.c is its own program).
 */
#ifndef CLV_BENCH_COMMON_H
#define CLV_BENCH_COMMON_H

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "clv.h"

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the process, both threads: above the wall time when the
 * second core works, and the figure to trust when the machine is loaded
 * (wall time then includes waiting for a core). */
static inline double bench_cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The summary of n customers simulated with the CDNOW parameters over 78
 * weeks, in days rounded to whole days as a daily order log gives them
 * (first and last purchase on their calendar day, T to the window's end). */
static inline int bench_daily_summary(unsigned long n, uint64_t seed,
                                      clv_summary **out) {
  clv_sim_opts o;
  clv_summary *raw = NULL;
  double *tx = NULL, *T = NULL;
  int rc;
  clv_sim_opts_init(&o);
  o.customers = n;
  o.seed = seed;
  rc = clv_simulate_summary(&o, CLV_UNIT_DAY, &raw);
  if (rc)
    goto done;
  size_t rows = clv_summary_rows(raw);
  const double *ctx = clv_summary_col(raw, CLV_COL_TX);
  const double *cT = clv_summary_col(raw, CLV_COL_T);
  double end = o.span * 7.0;
  tx = malloc(rows * sizeof *tx);
  T = malloc(rows * sizeof *T);
  rc = CLV_ENOMEM;
  if (tx == NULL || T == NULL)
    goto done;
  for (size_t i = 0; i < rows; i++) {
    double first = floor(end - cT[i]);
    double last = floor(end - cT[i] + ctx[i]);
    T[i] = end - first;
    tx[i] = fmin(last - first, T[i]);
  }
  rc = clv_summary_from_arrays(out, CLV_UNIT_DAY, rows,
                               clv_summary_col(raw, CLV_COL_X), tx, T,
                               clv_summary_col(raw, CLV_COL_M), NULL);
done:
  free(tx);
  free(T);
  clv_summary_free(raw);
  return rc;
}

#endif
