/*
 * bench_predict.c - wall time of the per-customer predictions of the BG/NBD
 * (Fader, Hardie & Lee 2005, eqs. 10-11) and the Gamma-Gamma spend model
 * (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 5) on a large simulated
 * customer base.
 *
 *   bench_predict [N] [--repeat K]
 *
 * Simulates N customers (default 1000000) with clv_simulate_summary(): the
 * CDNOW parameters over 78 weeks with days as the unit, times rounded to
 * whole days as a daily order log gives them (see bench_fit.c). The models
 * are the simulation's true parameters (alpha in days = 7 x the weekly
 * value), so no fit is timed here. It times the whole prediction table
 * (clv_predictions_compute(): a 365-day horizon, CLV with 12 monthly
 * discount periods) and then each prediction function alone; best of K runs
 * (default 3), wall clock and process CPU time (best of each). Nothing is
 * asserted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clv.h"
#include "clv/model.h"
#include "clv/run.h"
#include "clv/simulate.h"

#include "bench_common.h"

enum { P_TABLE, P_ALIVE, P_EXPECTED, P_NONE, P_NEXT, P_SPEND, P_VALUE, P_N };
static const char *const step_names[P_N] = {
    "whole table (clv_predictions_compute)",
    "clv_p_alive",
    "clv_expected_purchases (365 d)",
    "clv_prob_no_purchase (365 d)",
    "clv_next_purchase (median)",
    "clv_expected_spend",
    "clv_customer_value (12 periods)"};

static int run_step(int step, const clv_model *tx, const clv_model *gg,
                    const clv_summary *s, const clv_value_opts *vo,
                    double *out) {
  clv_predictions *p = NULL;
  int rc;
  switch (step) {
  case P_TABLE:
    rc = clv_predictions_compute(tx, gg, s, vo, &p);
    clv_predictions_free(p);
    return rc;
  case P_ALIVE:
    return clv_p_alive(tx, s, out);
  case P_EXPECTED:
    return clv_expected_purchases(tx, s, vo->horizon, out);
  case P_NONE:
    return clv_prob_no_purchase(tx, s, vo->horizon, out);
  case P_NEXT:
    return clv_next_purchase(tx, s, 0.5, out);
  case P_SPEND:
    return clv_expected_spend(gg, s, out);
  default:
    return clv_customer_value(tx, gg, s, vo, out);
  }
}

int main(int argc, char **argv) {
  unsigned long n = 1000000;
  int repeat = 3, rc;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else
      n = strtoul(argv[i], NULL, 10);
  }
  if (repeat < 1)
    repeat = 1;
  clv_summary *s = NULL;
  clv_model *tx = NULL, *gg = NULL;
  static const double bg[4] = {0.243, 4.414 * 7, 0.793, 2.426};
  static const double sp[3] = {6.25, 3.74, 15.44};
  if ((rc = bench_daily_summary(n, 2, &s)) ||
      (rc = clv_model_new("bgnbd", bg, CLV_UNIT_DAY, &tx)) ||
      (rc = clv_model_new("gg", sp, CLV_UNIT_DAY, &gg))) {
    fprintf(stderr, "bench_predict: setup failed: %s\n", clv_strerror(rc));
    return 1;
  }
  size_t rows = clv_summary_rows(s);
  double *out = malloc(rows * sizeof *out);
  clv_value_opts vo;
  clv_value_opts_init(&vo);
  vo.horizon = 365.2425;
  vo.discount_period = 365.2425 / 12;
  vo.discount_rate = pow(1.10, 1.0 / 12) - 1;
  printf("customers %zu (days, 78 weeks, CDNOW parameters), best of %d\n", rows,
         repeat);
  for (int step = 0; step < P_N; step++) {
    double best = INFINITY, best_cpu = INFINITY;
    for (int k = 0; k < repeat; k++) {
      double t0 = bench_now(), c0 = bench_cpu_now();
      rc = run_step(step, tx, gg, s, &vo, out);
      double t1 = bench_now(), c1 = bench_cpu_now();
      if (rc) {
        fprintf(stderr, "bench_predict: %s failed: %s\n", step_names[step],
                clv_strerror(rc));
        return 1;
      }
      best = fmin(best, t1 - t0);
      best_cpu = fmin(best_cpu, c1 - c0);
    }
    double sum = 0;
    if (step > P_TABLE)
      for (size_t i = 0; i < rows; i++)
        sum += isfinite(out[i]) ? out[i] : 0;
    printf("  %-40s %8.4f s  cpu %7.4f s  %7.1f M customers/s",
           step_names[step], best, best_cpu, rows / best / 1e6);
    if (step > P_TABLE)
      printf("  (mean %.6g)", sum / (double)rows);
    printf("\n");
  }
  free(out);
  clv_model_free(tx);
  clv_model_free(gg);
  clv_summary_free(s);
  return 0;
}
