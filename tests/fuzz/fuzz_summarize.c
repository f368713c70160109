/*
 * fuzz_summarize.c - libFuzzer target: arbitrary bytes through the whole
 * order-log ingest (scanner, header and column detection, value parsers,
 * summariser, replay, two-thread split) in skip mode. Checks: no crash, no
 * sanitizer report, and every output row finite with 0 <= recency <= T and
 * frequency >= 0. The first input byte picks options (period, split,
 * holdout, costs) so that all code paths are reached; with costs the
 * margin is in [0, 1] or absent.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  clv_ingest_opts o;
  clv_summary *s = NULL;
  clv_ingest_report rep;
  clv_error err;
  if (size < 1)
    return 0;
  clv_ingest_opts_init(&o);
  uint8_t flags = data[0];
  o.skip_errors = 1;
  o.period = (clv_period)(flags % 3);
  o.unit = o.period == CLV_PERIOD_MONTH  ? CLV_UNIT_MONTH
           : o.period == CLV_PERIOD_WEEK ? CLV_UNIT_WEEK
                                         : CLV_UNIT_DAY;
  o.threads = (flags & 4) ? 2 : 1;
  if (flags & 8)
    o.holdout_day = clv_day_from_ymd(2000, 1, 1);
  if (flags & 16)
    o.until_day = clv_day_from_ymd(2010, 1, 1);
  if (flags & 32)
    o.header = 0;
  if (flags & 64) {
    o.customer_col = "1";
    o.date_col = "2";
    o.amount_col = "3";
  }
  if (flags & 128)
    o.costs = 1; /* cost columns by detection (cost.c) */
  int rc = clv__summarize(NULL, (const char *)data + 1, size - 1, &o, 1, &s,
                          NULL, NULL, NULL, &rep, &err);
  if (rc == CLV_OK) {
    size_t n = clv_summary_rows(s);
    for (size_t i = 0; i < n; i++) {
      for (int c = 0; c < CLV_COL__COUNT; c++) {
        const double *col = clv_summary_col(s, (clv_col)c);
        if (col && !isfinite(col[i]))
          abort();
      }
      double x = clv_summary_col(s, CLV_COL_X)[i];
      double tx = clv_summary_col(s, CLV_COL_TX)[i];
      double T = clv_summary_col(s, CLV_COL_T)[i];
      if (x < 0 || tx < 0 || tx > T)
        abort();
    }
    if (rep.customers != n)
      abort();
    double m = clv__cost_margin(rep.revenue, rep.cost);
    if (!(m == -1 || (m >= 0 && m <= 1)))
      abort();
  }
  clv_summary_free(s);
  return 0;
}
