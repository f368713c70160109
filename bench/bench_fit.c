/*
 * bench_fit.c - wall time of the BG/NBD (Fader, Hardie & Lee 2005),
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987) and Gamma-Gamma (Fader,
 * Hardie & Lee 2005, "RFM and CLV") maximum-likelihood fits on large
 * simulated customer bases.
 *
 *   bench_fit [N ...] [--repeat K] [--model NAME ...]
 *
 * For each N (default 1000000 and 10000000) it simulates N customers with
 * clv_simulate_summary() from the CDNOW parameters (r 0.243, alpha 4.414,
 * a 0.793, b 2.426 per week; p 6.25, q 3.74, gamma 15.44) over 78 weeks,
 * with days as the unit. clv_simulate_summary() returns continuous times, so
 * they are rounded here the way a daily order log rounds them: each customer
 * is born on day floor(546 - T) of the 546-day window, buys last on day
 * floor(546 - T + t_x), and the window ends on day 546, so T and t_x become
 * whole days. Monetary values stay as simulated (a log's cents give nearly as
 * many distinct values).
 *
 * Then it times clv_fit("bgnbd"), clv_fit("pnbd") and clv_fit("gg") on that
 * same summary, or only the families named with --model (best of K runs,
 * default 1, wall clock, CLOCK_MONOTONIC; and the least process CPU time),
 * and prints seconds, iterations,
 * log-likelihood evaluations, unique rows, the time of the compression alone
 * (clv_model_summary_loglik(), which compresses and evaluates once), the
 * log-likelihood and the parameters. Nothing is asserted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clv.h"
#include "clv/model.h"
#include "clv/simulate.h"

#include "bench_common.h"

static void fit_one(const char *family, const clv_summary *s, int repeat) {
  clv_model *m = NULL, *best = NULL;
  clv_error err;
  double secs = INFINITY, comp = INFINITY, cpu = INFINITY, ll;
  for (int k = 0; k < repeat; k++) {
    double t0 = bench_now(), c0 = bench_cpu_now();
    int rc = clv_fit(family, s, NULL, &m, &err);
    double t1 = bench_now(), c1 = bench_cpu_now();
    if (rc) {
      char msg[800];
      printf("%-6s failed: %s\n", family,
             clv_error_format(&err, msg, sizeof msg));
      return;
    }
    cpu = fmin(cpu, c1 - c0);
    if (t1 - t0 < secs) {
      secs = t1 - t0;
      clv_model_free(best);
      best = m;
    } else {
      clv_model_free(m);
    }
    m = NULL;
    /* Compression plus one evaluation, the fixed cost of every fit. */
    t0 = bench_now();
    clv_model_summary_loglik(best, s, &ll);
    t1 = bench_now();
    if (t1 - t0 < comp)
      comp = t1 - t0;
  }
  printf("%-6s %8.3f s  cpu %7.3f s  iter %3d  evals %4d  unique %8zu  "
         "compress+1 eval %.3f s  LL %.6f  conv %d\n",
         family, secs, cpu, clv_model_iterations(best),
         clv_model_evaluations(best), clv_model_unique_rows(best), comp,
         clv_model_loglik(best), clv_model_converged(best));
  printf("       params");
  for (int i = 0; i < clv_model_nparams(best); i++)
    printf("  %s %.6g (se %.3g)", clv_model_param_name(best, i),
           clv_model_params(best)[i], clv_model_se(best)[i]);
  printf("\n");
  clv_model_free(best);
}

int main(int argc, char **argv) {
  unsigned long sizes[16];
  const char *models[8];
  int ns = 0, nm = 0, repeat = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      if (nm < 8)
        models[nm++] = argv[i + 1];
      i++;
    } else if (ns < 16)
      sizes[ns++] = strtoul(argv[i], NULL, 10);
  }
  if (ns == 0) {
    sizes[ns++] = 1000000;
    sizes[ns++] = 10000000;
  }
  if (repeat < 1)
    repeat = 1;
  if (nm == 0) {
    /* The same summary for every family: the Pareto/NBD line prints
     * next to the BG/NBD one. */
    models[nm++] = "bgnbd";
    models[nm++] = "pnbd";
    models[nm++] = "gg";
  }
  for (int k = 0; k < ns; k++) {
    clv_summary *s = NULL;
    double t0 = bench_now();
    int rc = bench_daily_summary(sizes[k], 1, &s);
    if (rc) {
      fprintf(stderr, "bench_fit: simulation failed: %s\n", clv_strerror(rc));
      return 1;
    }
    printf("customers %lu (simulated in %.2f s; days, 78 weeks, CDNOW "
           "parameters)\n",
           sizes[k], bench_now() - t0);
    for (int j = 0; j < nm; j++)
      fit_one(models[j], s, repeat);
    clv_summary_free(s);
  }
  return 0;
}
