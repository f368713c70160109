/*
 * tracking.c - the cohort's expected cumulative repeat transactions, period
 * by period, next to the actual curve.
 *
 * Fader, Hardie & Lee (2005, Marketing Science 24(2), figure 2) track a
 * cohort's weekly repeat transactions across calibration and holdout: a
 * customer born (first purchase) at b_i contributes E[X(t - b_i)], the
 * expected repeat purchases of a new customer, to the cohort's cumulative
 * total at time t > b_i. BTYD's *.ExpectedCumulativeTransactions compute the
 * same sum with b_i = max(T) - T_i.
 */
#include "clv/validate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "parse.h"

void clv_tracking_opts_init(clv_tracking_opts *o) {
  o->periods = 0;
  o->period_length = 1;
  o->cohort_length = 0;
}

void clv_tracking_free(clv_tracking *t) {
  if (t == NULL)
    return;
  free(t->expected);
  free(t->expected_incremental);
  free(t->actual);
  free(t->actual_incremental);
  free(t);
}

static void set_err(clv_error *err, int status, const char *msg) {
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = status;
  snprintf(err->message, sizeof err->message, "%s", msg);
}

/* Birth times with their summed weights, sorted by birth. */
typedef struct birth {
  double b, w;
} birth;

static int cmp_birth(const void *pa, const void *pb) {
  double a = ((const birth *)pa)->b, b = ((const birth *)pb)->b;
  return (a > b) - (a < b);
}

/*
 * Fills bs with each row's birth (time of first purchase since the cohort's
 * first, in the unit) and merges equal births, so that a grid point costs
 * one E[X(t)] per distinct birth day rather than per customer. Returns the
 * number of distinct births.
 */
static size_t births(const clv_summary *s, double cohort_length, birth *bs) {
  size_t n = clv_summary_rows(s), k = 0;
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *T = clv_summary_col(s, CLV_COL_T);
  const double *first = clv_summary_col(s, CLV_COL_FIRST_DAY);
  double unit_days = clv_unit_days(clv_summary_unit(s));

  if (first && unit_days > 0) {
    double start = first[0];
    for (size_t i = 1; i < n; i++)
      start = fmin(start, first[i]);
    for (size_t i = 0; i < n; i++)
      bs[i].b = (first[i] - start) / unit_days;
  } else {
    double len = cohort_length;
    if (!(len > 0)) {
      len = T[0];
      for (size_t i = 1; i < n; i++)
        len = fmax(len, T[i]);
    }
    for (size_t i = 0; i < n; i++)
      bs[i].b = len - T[i];
  }
  for (size_t i = 0; i < n; i++)
    bs[i].w = w[i];
  qsort(bs, n, sizeof *bs, cmp_birth);
  for (size_t i = 0; i < n; i++) {
    if (k > 0 && bs[i].b == bs[k - 1].b)
      bs[k - 1].w += bs[i].w;
    else
      bs[k++] = bs[i];
  }
  return k;
}

static double *alloc_nan(size_t n) {
  double *p = malloc(n * sizeof *p);
  for (size_t i = 0; p && i < n; i++)
    p[i] = NAN;
  return p;
}

int clv_tracking_compute(const clv_model *m, const clv_summary *s,
                         const clv_tracking_opts *o, clv_tracking **out,
                         clv_error *err) {
  clv_tracking *t = NULL;
  birth *bs = NULL;
  size_t nb, n;
  int rc = CLV_OK;

  if (out)
    *out = NULL;
  if (m == NULL || s == NULL || o == NULL || out == NULL || o->periods == 0 ||
      o->periods > 10000000 || !(o->period_length > 0) ||
      !isfinite(o->period_length) || !(o->cohort_length >= 0)) {
    set_err(err, CLV_EINVAL, "invalid arguments to clv_tracking_compute()");
    return CLV_EINVAL;
  }
  if (!clv_model_is_transaction(m)) {
    set_err(err, CLV_EUNSUPPORTED,
            "cohort tracking needs a transaction model, not a spend model");
    return CLV_EUNSUPPORTED;
  }
  n = clv_summary_rows(s);
  if (n == 0) {
    set_err(err, CLV_EEMPTY, "the summary has no customers");
    return CLV_EEMPTY;
  }
  t = calloc(1, sizeof *t);
  bs = malloc(n * sizeof *bs);
  if (t == NULL || bs == NULL)
    goto nomem;
  t->periods = o->periods;
  t->period_length = o->period_length;
  t->expected = malloc(o->periods * sizeof *t->expected);
  t->expected_incremental = malloc(o->periods * sizeof *t->expected);
  if (!t->expected || !t->expected_incremental)
    goto nomem;
  nb = births(s, o->cohort_length, bs);

  for (size_t k = 0; k < o->periods; k++) {
    double at = (double)(k + 1) * o->period_length, sum = 0, e;
    /* Customers born at or after `at` have no repeat purchases yet. */
    for (size_t j = 0; j < nb && bs[j].b < at; j++) {
      rc = clv_expected_purchases_new(m, at - bs[j].b, &e);
      if (rc) {
        set_err(err, rc,
                "the model gave no finite expected purchases for the "
                "cohort curve");
        goto fail;
      }
      sum += bs[j].w * e;
    }
    t->expected[k] = sum;
    t->expected_incremental[k] = k ? sum - t->expected[k - 1] : sum;
  }
  *out = t;
  t = NULL;
  goto done;

nomem:
  rc = CLV_ENOMEM;
  set_err(err, rc, "out of memory");
fail:
  clv_tracking_free(t);
done:
  free(bs);
  return rc;
}

/*
 * The actual curve from the summariser's per-day repeat counts: day d falls
 * in period floor((d - origin) / length) + 1, origin being the cohort's
 * first purchase day, as for the expected curve above and as BTYD's
 * walkthrough bins the CDNOW log by week from 1997-01-01. Periods that start
 * after the observation end are unknown (NaN); a period cut by it counts
 * what was observed.
 */
int clv_tracking_actual_from_summary(clv_tracking *t, const clv_summary *s,
                                     clv_error *err) {
  int32_t first, end;
  size_t days, n;
  const uint64_t *cnt;
  const double *fd;
  double *cum = NULL, *inc = NULL, unit_days, len, origin;
  int rc = CLV_OK;

  if (t == NULL || s == NULL || t->periods == 0) {
    set_err(err, CLV_EINVAL,
            "invalid arguments to clv_tracking_actual_from_summary()");
    return CLV_EINVAL;
  }
  cnt = clv_summary_repeat_days(s, &first, &days);
  fd = clv_summary_col(s, CLV_COL_FIRST_DAY);
  n = clv_summary_rows(s);
  unit_days = clv_unit_days(clv_summary_unit(s));
  if (cnt == NULL || fd == NULL || n == 0 || !(unit_days > 0)) {
    set_err(err, CLV_ENOCOLUMN,
            "the actual tracking curve needs a summary made from an order "
            "log (per-day repeat purchases and first purchase dates)");
    return CLV_ENOCOLUMN;
  }
  cum = malloc(t->periods * sizeof *cum);
  inc = calloc(t->periods, sizeof *inc);
  if (cum == NULL || inc == NULL) {
    rc = CLV_ENOMEM;
    set_err(err, rc, "out of memory");
    goto done;
  }
  origin = fd[0];
  for (size_t i = 1; i < n; i++)
    origin = fmin(origin, fd[i]);
  len = t->period_length * unit_days;
  for (size_t d = 0; d < days; d++) {
    double p;
    if (cnt[d] == 0)
      continue;
    p = floor(((double)first + (double)d - origin) / len);
    if (p >= 0 && p < (double)t->periods)
      inc[(size_t)p] += (double)cnt[d];
  }
  end = clv_summary_end_day(s);
  if (end == INT32_MIN)
    end = first + (int32_t)days - 1;
  for (size_t k = 0; k < t->periods; k++) {
    if (origin + (double)k * len > (double)end) {
      cum[k] = inc[k] = NAN;
      continue;
    }
    cum[k] = k ? cum[k - 1] + inc[k] : inc[k];
  }
  free(t->actual);
  free(t->actual_incremental);
  t->actual = cum;
  t->actual_incremental = inc;
  cum = inc = NULL;
done:
  free(cum);
  free(inc);
  return rc;
}

int clv_tracking_opts_span(clv_tracking_opts *o, const clv_summary *s,
                           double period_days, size_t max_periods) {
  const double *first = clv_summary_col(s, CLV_COL_FIRST_DAY);
  double unit_days = clv_unit_days(clv_summary_unit(s));
  int32_t end = clv_summary_end_day(s);
  size_t n = clv_summary_rows(s);
  if (o == NULL || !(period_days >= 0) || !isfinite(period_days))
    return CLV_EINVAL;
  if (first == NULL || n == 0 || end == INT32_MIN || !(unit_days > 0))
    return CLV_ENOCOLUMN;
  double start = first[0];
  for (size_t i = 1; i < n; i++)
    start = fmin(start, first[i]);
  if (period_days == 0)
    period_days = 7;
  /* Days start..end inclusive; the last period may be cut by the end. */
  double periods = ceil(((double)end - start + 1) / period_days);
  if (max_periods > 0 && periods > (double)max_periods) {
    period_days *= ceil(periods / (double)max_periods);
    periods = ceil(((double)end - start + 1) / period_days);
  }
  if (!(periods >= 1) || periods > 10000000)
    return CLV_EDOMAIN;
  o->periods = (size_t)periods;
  o->period_length = period_days / unit_days;
  return CLV_OK;
}

/* A value, or nothing for an unknown (NaN) one: no NaN in an output. */
static void put_value(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, ",%.17g", v);
  else
    fputc(',', f);
}

int clv_tracking_write_csv(const clv_tracking *t, FILE *f) {
  if (t == NULL || f == NULL)
    return CLV_EINVAL;
  fputs("period,expected,actual,expected_cumulative,actual_cumulative\n", f);
  for (size_t k = 0; k < t->periods; k++) {
    fprintf(f, "%zu", k + 1);
    put_value(f, t->expected_incremental[k]);
    put_value(f, t->actual_incremental ? t->actual_incremental[k] : NAN);
    put_value(f, t->expected[k]);
    put_value(f, t->actual ? t->actual[k] : NAN);
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

/* 1 when the field is a whole number >= 1 (a period), written to *k. */
static int parse_period(const clv__field *f, size_t *k) {
  double v;
  if (!clv__parse_double(f->p, f->len, &v) || !(v >= 1) || v > 1e12 ||
      v != floor(v))
    return 0;
  *k = (size_t)v;
  return 1;
}

int clv_tracking_read_actual(clv_tracking *t, const char *path,
                             clv_error *err) {
  clv__csv *c = NULL;
  clv__csv_opts co = {0, 0};
  const clv__field *f;
  double *cum = NULL, *inc = NULL;
  size_t nf, k, rows = 0, last_k = 0;
  double last_v = 0;
  int rc;

  if (t == NULL || path == NULL) {
    set_err(err, CLV_EINVAL, "invalid arguments to clv_tracking_read_actual()");
    return CLV_EINVAL;
  }
  cum = alloc_nan(t->periods);
  inc = alloc_nan(t->periods);
  if (cum == NULL || inc == NULL) {
    rc = CLV_ENOMEM;
    set_err(err, rc, "out of memory");
    goto fail;
  }
  rc = clv__csv_open_path(&c, path, NULL, &co, err);
  if (rc)
    goto fail;
  for (long line_no = 0;; line_no++) {
    double v;
    rc = clv__csv_next(c, &f, &nf, err);
    if (rc)
      goto fail;
    if (nf == 0)
      break;
    /* A first line whose first field is not a number is the header. */
    if (line_no == 0 && !clv__parse_double(f[0].p, f[0].len, &v))
      continue;
    if (nf < 2) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, clv__csv_line(c), f[0].column + (long)f[0].len,
                     "expected 2 fields (period,cumulative), found %zu", nf);
      goto fail;
    }
    if (!parse_period(&f[0], &k)) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, clv__csv_line(c), f[0].column,
                     "expected a whole period number >= 1, found \"%.*s\"",
                     (int)(f[0].len > 40 ? 40 : f[0].len), f[0].p);
      goto fail;
    }
    if (!clv__parse_double(f[1].p, f[1].len, &v) || !isfinite(v) || v < 0) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, clv__csv_line(c), f[1].column,
                     "expected a cumulative count >= 0, found \"%.*s\"",
                     (int)(f[1].len > 40 ? 40 : f[1].len), f[1].p);
      goto fail;
    }
    /* A cumulative curve only grows, period after period; anything else
     * is a different file (a summary, say), not a tracking curve. */
    if (rows > 0 && (k <= last_k || v < last_v)) {
      rc = CLV_EPARSE;
      if (k <= last_k)
        clv__csv_error(c, err, clv__csv_line(c), f[0].column,
                       "expected a period after %zu, found %zu", last_k, k);
      else
        clv__csv_error(c, err, clv__csv_line(c), f[1].column,
                       "expected a cumulative count >= %.10g (the previous "
                       "period's), found %.10g",
                       last_v, v);
      goto fail;
    }
    last_k = k;
    last_v = v;
    rows++;
    if (k <= t->periods)
      cum[k - 1] = v;
  }
  if (rows == 0) {
    rc = CLV_EEMPTY;
    set_err(err, rc, "the tracking file has no period,cumulative rows");
    goto fail;
  }
  /* Per-period increments where both ends are known; period 1 starts from
   * zero repeat transactions. */
  for (k = 0; k < t->periods; k++)
    inc[k] = k ? cum[k] - cum[k - 1] : cum[0];
  free(t->actual);
  free(t->actual_incremental);
  t->actual = cum;
  t->actual_incremental = inc;
  cum = inc = NULL;
  rc = CLV_OK;
fail:
  clv__csv_close(c);
  free(cum);
  free(inc);
  return rc;
}
