/*
 * interval.c - parameter uncertainty carried to predictions: intervals for
 * each customer's expected purchases and CLV by a parametric bootstrap of
 * the fitted parameters (Efron & Tibshirani 1993, "An Introduction to the
 * Bootstrap", ch. 6 and 13: the percentile interval; the normal law of the
 * maximum-likelihood estimate is the usual asymptotic one).
 *
 * The fit leaves the covariance Sigma of the log-parameters theta = log p
 * (the inverse Hessian of the negative log-likelihood in theta, model.c).
 * Each draw b takes theta_b = theta_hat + L z_b, with L L' = Sigma
 * (Cholesky) and z_b standard normal, for the purchase model and,
 * independently, for the spend model (they are fitted separately, so their
 * estimates carry no joint covariance). Drawing on the log scale keeps every
 * parameter positive and follows the scale on which the likelihood is close
 * to quadratic. The predictions of a draw are those of clv__predict_all()
 * with the drawn parameters, so the interval describes exactly the numbers
 * the point table holds; its bounds are the empirical (1 - level)/2 and
 * (1 + level)/2 quantiles (linear interpolation between order statistics,
 * Hyndman & Fan's type 7) of the draws per customer.
 *
 * Memory: B values per customer and column are too many for ten million
 * customers (16 GB at B = 200), so customers are taken in blocks whose B
 * values fit a fixed budget (32 MB per column); the parameter draws are made
 * once up front, so every block sees the same draws and the result does not
 * depend on the block size. Draw b uses the random stream (seed, model, b), so
 * the draws of a seed are the same whatever B is: raising B only adds draws.
 */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "predict.h"
#include "rng.h"
#include "special.h"

/* Values kept per column and block: 4 Mi doubles (32 MB) each for the
 * expected purchases and the values, whatever the number of customers. */
#define BLOCK_VALUES ((size_t)1 << 22)
#define MAX_DRAWS 100000

/* Random streams of the two models' draws. */
enum { STREAM_TX = 1, STREAM_SPEND = 2 };

void clv_interval_opts_init(clv_interval_opts *o) {
  if (o == NULL)
    return;
  o->level = 0.9;
  o->draws = 200;
  o->seed = 1;
  o->block_rows = 0;
}

void clv_intervals_free(clv_intervals *iv) {
  if (iv == NULL)
    return;
  free(iv->expected_lo);
  free(iv->expected_hi);
  free(iv->value_lo);
  free(iv->value_hi);
  free(iv);
}

static void set_err(clv_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(clv_error *err, int status, const char *fmt, ...) {
  va_list ap;
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = status;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/*
 * Draws B parameter vectors of model m (natural scale) into
 * par[b * CLV__MAXP + i]. A draw whose parameters overflow, or, for a
 * spend model, whose population mean spend is infinite (q <= 1), gets
 * ok[b] = 0. Returns CLV_OK, CLV_ENUMERIC (the covariance is not positive
 * definite) or CLV_ENOMEM.
 */
static int draw_params(const clv_model *m, int B, uint64_t seed,
                       uint64_t stream, double *par, unsigned char *ok) {
  int np = m->fam->np, rc = CLV_OK;
  double L[CLV__MAXP * CLV__MAXP], z[CLV__MAXP];
  gsl_rng *rng = NULL;
  memcpy(L, m->cov, (size_t)(np * np) * sizeof(double));
  gsl_matrix_view lv = gsl_matrix_view_array(L, (size_t)np, (size_t)np);
  if (gsl_linalg_cholesky_decomp1(&lv.matrix) != GSL_SUCCESS) {
    rc = CLV_ENUMERIC;
    goto done;
  }
  rng = clv__rng_new();
  if (rng == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (int b = 0; b < B; b++) {
    double *p = par + (size_t)b * CLV__MAXP;
    clv__rng_seed(rng, seed, stream, (uint64_t)b);
    for (int i = 0; i < np; i++)
      z[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
    ok[b] = 1;
    /* The factor sits in the lower triangle of L. */
    for (int i = 0; i < np; i++) {
      double th = log(m->p[i]);
      for (int j = 0; j <= i; j++)
        th += L[i * np + j] * z[j];
      p[i] = exp(th);
      if (!(p[i] > 0) || !isfinite(p[i]))
        ok[b] = 0;
    }
    if (ok[b] && m->fam->kind == CLV__KIND_SPEND &&
        !isfinite(m->fam->spend_mean(p)))
      ok[b] = 0;
  }
done:
  if (rng)
    gsl_rng_free(rng);
  return rc;
}

/* The k-th smallest of a[0..n) (0-based), moving it to a[k] with nothing
 * larger before it and nothing smaller after it (Hoare's FIND, as in
 * Wirth's "Algorithms + Data Structures = Programs", 1976): expected O(n),
 * where sorting every customer's B draws would cost O(B log B). */
static double select_kth(double *a, size_t n, size_t k) {
  ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
  while (l < r) {
    double x = a[kk];
    ptrdiff_t i = l, j = r;
    do {
      while (a[i] < x)
        i++;
      while (x < a[j])
        j--;
      if (i <= j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < kk)
      l = i;
    if (kk < i)
      r = j;
  }
  return a[kk];
}

/* The q-quantile of a[0..n), n >= 1, interpolating between the order
 * statistics at (n - 1) q (type 7), when the first `from` order statistics
 * are already in a[0..from) (none larger than any value after them) and
 * (n - 1) q >= from. Reorders a[from..n). */
static double quantile_above(double *a, size_t n, size_t from, double q) {
  double h = (double)(n - 1) * q, fl = floor(h);
  size_t k = (size_t)fl;
  double v = select_kth(a + from, n - from, k - from);
  if (h > fl && k + 1 < n) {
    double w = a[k + 1];
    for (size_t i = k + 2; i < n; i++)
      w = a[i] < w ? a[i] : w;
    v += (h - fl) * (w - v);
  }
  return v;
}

/* The q-quantile of a[0..n) (type 7). Reorders a. */
static double quantile(double *a, size_t n, double q) {
  return quantile_above(a, n, 0, q);
}

/* Lower and upper bounds of the interval of a[0..n). The upper order
 * statistics lie above the lower ones, so after the lower quantile's
 * selection the upper one is searched among the values above it only. */
static void bounds(double *a, size_t n, double level, double *lo, double *hi) {
  double ql = (1 - level) / 2, qh = (1 + level) / 2;
  size_t kl = (size_t)floor((double)(n - 1) * ql);
  size_t kh = (size_t)floor((double)(n - 1) * qh);
  *lo = quantile(a, n, ql);
  *hi = quantile_above(a, n, kh > kl ? kl + 1 : kl, qh);
}

/* Mean and standard deviation (n - 1 denominator) of a[0..n), n >= 2. */
static double sd_of(const double *a, size_t n) {
  double mean = 0, ss = 0;
  for (size_t i = 0; i < n; i++)
    mean += a[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++)
    ss += (a[i] - mean) * (a[i] - mean);
  return sqrt(ss / (double)(n - 1));
}

/* The model m with the parameters p (a copy on the caller's stack). */
static clv_model with_params(const clv_model *m, const double *p) {
  clv_model c = *m;
  memcpy(c.p, p, (size_t)m->fam->np * sizeof(double));
  return c;
}

/* Customers whose draws are gathered together for the quantiles: one
 * cache line of each draw's column. */
#define GATHER 8

/* Scratch of one block: the prediction columns of one draw, the B values
 * of every customer stored draw by draw (draw d of customer i at
 * d * rows + i, so that each draw is written in one sweep), and the
 * gathered draws of GATHER customers. */
typedef struct block {
  clv__pred_cols cols;
  double *e, *v, *tmp;
  size_t rows;
} block;

static void block_free(block *k) {
  free(k->cols.p_alive);
  free(k->cols.expected);
  free(k->cols.prob_none);
  free(k->cols.next_purchase);
  free(k->cols.value);
  free(k->cols.expected_spend);
  free(k->e);
  free(k->v);
  free(k->tmp);
}

static int block_alloc(block *k, size_t rows, int B, int spend) {
  size_t n = rows ? rows : 1;
  memset(k, 0, sizeof *k);
  k->cols.p_alive = malloc(n * sizeof(double));
  k->cols.expected = malloc(n * sizeof(double));
  k->cols.prob_none = malloc(n * sizeof(double));
  k->cols.next_purchase = malloc(n * sizeof(double));
  k->cols.value = malloc(n * sizeof(double));
  if (spend)
    k->cols.expected_spend = malloc(n * sizeof(double));
  k->rows = n;
  k->e = malloc(n * (size_t)B * sizeof(double));
  k->v = malloc(n * (size_t)B * sizeof(double));
  k->tmp = malloc(2 * GATHER * (size_t)B * sizeof(double));
  if (!k->cols.p_alive || !k->cols.expected || !k->cols.prob_none ||
      !k->cols.next_purchase || !k->cols.value ||
      (spend && !k->cols.expected_spend) || !k->e || !k->v || !k->tmp)
    return CLV_ENOMEM;
  return CLV_OK;
}

/* Shared state of one computation. */
typedef struct boot {
  const clv_model *tx, *spend;
  const clv_value_opts *vo;
  int B;
  const double *ptx, *psp; /* drawn parameters */
  unsigned char *ok;       /* draws not (yet) failed */
  unsigned char *failed;   /* draws that failed somewhere */
  double level;
} boot;

/*
 * Runs every usable draw on the customers [begin, begin + n) of s (sub is
 * that range as a summary of its own, or s itself when it is all of it) and
 * writes their interval bounds. A draw that fails on this block is marked
 * failed; it stays in the blocks where it worked (docs/models.md). Returns
 * CLV_OK, CLV_ENOMEM or CLV_ENUMERIC (fewer than half of the draws left).
 */
static int run_block(const boot *bt, const clv_summary *sub, size_t begin,
                     size_t n, block *k, clv_intervals *iv) {
  size_t used = 0;
  for (int b = 0; b < bt->B; b++) {
    if (!bt->ok[b])
      continue;
    clv_model t = with_params(bt->tx, bt->ptx + (size_t)b * CLV__MAXP), g;
    if (bt->spend)
      g = with_params(bt->spend, bt->psp + (size_t)b * CLV__MAXP);
    int rc =
        clv__predict_all(&t, bt->spend ? &g : NULL, sub, bt->vo, 0.5, &k->cols);
    if (rc == CLV_ENOMEM)
      return rc;
    if (rc) {
      bt->failed[b] = 1;
      continue;
    }
    memcpy(k->e + used * k->rows, k->cols.expected, n * sizeof(double));
    memcpy(k->v + used * k->rows, k->cols.value, n * sizeof(double));
    used++;
  }
  if (2 * used < (size_t)bt->B || used < 2)
    return CLV_ENUMERIC;
  /* Customers i0..i0+g-1 gathered: their draws are read one cache line of
   * each column at a time rather than one line per value. */
  for (size_t i0 = 0; i0 < n; i0 += GATHER) {
    size_t g = n - i0 < GATHER ? n - i0 : GATHER;
    double *te = k->tmp, *tv = k->tmp + GATHER * used;
    for (size_t d = 0; d < used; d++)
      for (size_t j = 0; j < g; j++) {
        te[j * used + d] = k->e[d * k->rows + i0 + j];
        tv[j * used + d] = k->v[d * k->rows + i0 + j];
      }
    for (size_t j = 0; j < g; j++) {
      size_t r = begin + i0 + j;
      bounds(te + j * used, used, bt->level, &iv->expected_lo[r],
             &iv->expected_hi[r]);
      bounds(tv + j * used, used, bt->level, &iv->value_lo[r],
             &iv->value_hi[r]);
    }
  }
  return CLV_OK;
}

/* The summary rows [begin, begin + n) of s as a table of their own. */
static int slice(const clv_summary *s, size_t begin, size_t n,
                 clv_summary **out) {
  const double *m = clv_summary_col(s, CLV_COL_M);
  return clv_summary_from_arrays(
      out, clv_summary_unit(s), n, clv_summary_col(s, CLV_COL_X) + begin,
      clv_summary_col(s, CLV_COL_TX) + begin,
      clv_summary_col(s, CLV_COL_T) + begin, m ? m + begin : NULL, NULL);
}

/*
 * The new customer's figures for every usable draw: E[X(H)] and the value
 * (the first purchase at margin x mean spend plus the discounted repeat
 * value, as clv_predictions_compute()). A draw that fails here fails
 * everywhere. Returns CLV_OK, CLV_ENOMEM or CLV_ENUMERIC.
 */
static int new_customer(const boot *bt, clv_intervals *iv) {
  double *e = malloc((size_t)bt->B * sizeof(double));
  double *v = malloc((size_t)bt->B * sizeof(double));
  size_t used = 0;
  int rc = CLV_ENOMEM;
  if (e == NULL || v == NULL)
    goto done;
  for (int b = 0; b < bt->B; b++) {
    if (!bt->ok[b])
      continue;
    clv_model t = with_params(bt->tx, bt->ptx + (size_t)b * CLV__MAXP), g;
    double ex, rep, mean = 1.0;
    if (bt->spend) {
      g = with_params(bt->spend, bt->psp + (size_t)b * CLV__MAXP);
      mean = g.fam->spend_mean(g.p);
    }
    rc = clv_expected_purchases_new(&t, bt->vo->horizon, &ex);
    if (rc == CLV_OK)
      rc = clv_new_customer_value(&t, bt->spend ? &g : NULL, bt->vo, &rep);
    if (rc == CLV_ENOMEM)
      goto done;
    double val = bt->vo->margin * mean + rep;
    if (rc || !isfinite(ex) || !isfinite(val)) {
      bt->failed[b] = 1;
      bt->ok[b] = 0;
      continue;
    }
    e[used] = ex;
    v[used++] = val;
  }
  rc = CLV_ENUMERIC;
  if (2 * used < (size_t)bt->B || used < 2)
    goto done;
  iv->new_expected_sd = sd_of(e, used);
  iv->new_value_sd = sd_of(v, used);
  bounds(e, used, bt->level, &iv->new_expected_lo, &iv->new_expected_hi);
  bounds(v, used, bt->level, &iv->new_value_lo, &iv->new_value_hi);
  rc = CLV_OK;
done:
  free(e);
  free(v);
  return rc;
}

/* The reason a model cannot give intervals, or NULL when it can. */
static const char *no_cov_why(const clv_model *m) {
  if (m->has_cov)
    return NULL;
  if (m->converged && isfinite(m->se[0]))
    return "the model file has no \"covariance_log\" (written by an older "
           "clv): refit it";
  if (m->converged)
    return "its Hessian was not positive definite at the fit, so the "
           "parameters' uncertainty is unknown";
  return "it was not fitted (given parameters carry no uncertainty)";
}

int clv_intervals_compute(const clv_model *tx, const clv_model *spend,
                          const clv_summary *s, const clv_value_opts *vo,
                          const clv_interval_opts *io, clv_intervals **out,
                          clv_error *err) {
  clv_value_opts vdef;
  clv_interval_opts idef;
  clv_intervals *iv = NULL;
  clv_summary *sub = NULL;
  block k;
  boot bt;
  double *ptx = NULL, *psp = NULL;
  unsigned char *ok = NULL, *ok_sp = NULL, *failed = NULL;
  const char *why;
  int rc = CLV_EINVAL;
  memset(&k, 0, sizeof k);
  if (err)
    clv_error_clear(err);
  if (out == NULL || tx == NULL || s == NULL)
    return CLV_EINVAL;
  *out = NULL;
  clv__gsl_init();
  if (vo == NULL) {
    clv_value_opts_init(&vdef);
    vo = &vdef;
  }
  if (io == NULL) {
    clv_interval_opts_init(&idef);
    io = &idef;
  }
  if (!(io->level > 0 && io->level < 1) || io->draws < 2 ||
      io->draws > MAX_DRAWS) {
    set_err(err, rc,
            "interval options: expected a level between 0 and 1 and 2 to %d "
            "draws, found level %g and %d draws",
            MAX_DRAWS, io->level, io->draws);
    goto fail;
  }
  if (tx->fam->kind != CLV__KIND_TX ||
      (spend && spend->fam->kind != CLV__KIND_SPEND)) {
    rc = CLV_EUNSUPPORTED;
    set_err(err, rc,
            "intervals need a purchase model and, optionally, a "
            "spend model");
    goto fail;
  }
  if ((why = no_cov_why(tx)) != NULL ||
      (spend && (why = no_cov_why(spend)) != NULL)) {
    const clv_model *m = no_cov_why(tx) ? tx : spend;
    rc = CLV_EUNSUPPORTED;
    set_err(err, rc,
            "no intervals: the %s model has no covariance of its "
            "parameters: %s",
            m->fam->name, why);
    goto fail;
  }
  if (clv_summary_unit(s) != tx->unit) {
    set_err(err, rc, "the summary's unit (%s) is not the model's (%s)",
            clv_unit_name(clv_summary_unit(s)), clv_unit_name(tx->unit));
    goto fail;
  }

  int B = io->draws;
  size_t n = clv_summary_rows(s);
  size_t rows = io->block_rows ? io->block_rows : BLOCK_VALUES / (size_t)B;
  rows = rows < 1 ? 1 : rows;
  rows = rows > n ? n : rows;
  iv = calloc(1, sizeof *iv);
  ptx = malloc((size_t)B * CLV__MAXP * sizeof(double));
  psp = malloc((size_t)B * CLV__MAXP * sizeof(double));
  ok = malloc((size_t)B);
  ok_sp = malloc((size_t)B);
  failed = calloc((size_t)B, 1);
  rc = CLV_ENOMEM;
  if (!iv || !ptx || !psp || !ok || !ok_sp || !failed)
    goto fail;
  iv->rows = n;
  iv->level = io->level;
  iv->draws = B;
  iv->expected_lo = malloc((n ? n : 1) * sizeof(double));
  iv->expected_hi = malloc((n ? n : 1) * sizeof(double));
  iv->value_lo = malloc((n ? n : 1) * sizeof(double));
  iv->value_hi = malloc((n ? n : 1) * sizeof(double));
  if (!iv->expected_lo || !iv->expected_hi || !iv->value_lo || !iv->value_hi ||
      block_alloc(&k, rows, B, spend != NULL))
    goto fail;

  rc = draw_params(tx, B, io->seed, STREAM_TX, ptx, ok);
  if (rc == CLV_OK && spend)
    rc = draw_params(spend, B, io->seed, STREAM_SPEND, psp, ok_sp);
  if (rc) {
    if (rc == CLV_ENUMERIC)
      set_err(err, rc,
              "the covariance of the %s parameters is not positive definite",
              tx->fam->name);
    goto fail;
  }
  for (int b = 0; b < B; b++) {
    if (spend && !ok_sp[b])
      ok[b] = 0;
    failed[b] = !ok[b];
  }
  bt = (boot){tx, spend, vo, B, ptx, psp, ok, failed, io->level};
  rc = new_customer(&bt, iv);
  for (size_t begin = 0; rc == CLV_OK && begin < n; begin += rows) {
    size_t len = n - begin < rows ? n - begin : rows;
    const clv_summary *view = s;
    if (len < n) {
      clv_summary_free(sub);
      sub = NULL;
      if ((rc = slice(s, begin, len, &sub)))
        break;
      view = sub;
    }
    rc = run_block(&bt, view, begin, len, &k, iv);
  }
  for (int b = 0; b < B; b++)
    iv->failed += failed[b];
  if (rc == CLV_ENUMERIC)
    set_err(err, rc,
            "%d of %d parameter draws gave non-finite predictions: the "
            "parameters are too uncertain for intervals",
            iv->failed, B);
  if (rc)
    goto fail;
  *out = iv;
  iv = NULL;
fail:
  clv_intervals_free(iv);
  clv_summary_free(sub);
  block_free(&k);
  free(ptx);
  free(psp);
  free(ok);
  free(ok_sp);
  free(failed);
  return rc;
}
