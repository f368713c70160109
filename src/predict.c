/*
 * predict.c - per-customer predictions and customer lifetime value, built
 * from the family functions in models/ (BG/NBD: Fader, Hardie & Lee
 * 2005, eqs. 7-11; Gamma-Gamma: Fader, Hardie & Lee 2005b, eq. 5).
 *
 * Every transaction family factorises the conditional expectation as
 *   E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) * E[Y(t) | alive, x, T],
 * and the second factor (the expensive one: a hypergeometric function for
 * the BG/NBD) depends on (x, T) only. Real summaries have far fewer distinct
 * (x, T) pairs than customers (T takes one value per first-purchase day), so
 * it is computed once per pair; the per-customer work is P(alive), a few
 * floating-point operations.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "predict.h"
#include "special.h"

/* ---- checks ----------------------------------------------------------------
 */

static int check_tx(const clv_model *m, const clv_summary *s, const void *out) {
  if (m == NULL || out == NULL)
    return CLV_EINVAL;
  if (m->fam->kind != CLV__KIND_TX)
    return CLV_EUNSUPPORTED;
  if (s != NULL && clv_summary_unit(s) != m->unit)
    return CLV_EINVAL;
  clv__gsl_init();
  return CLV_OK;
}

/* ---- (x, T) pairs
 * ------------------------------------------------------------- */

/* Distinct (x, T) pairs of a summary and the way from a row to its pair:
 * either a direct table indexed by (x, T) (cell, whole-number keys) or, per
 * row, the index of its pair found by open addressing over the pair's bits
 * (row_pair). */
typedef struct pairs {
  size_t n, mask;
  uint32_t *slot;
  double *key; /* 2 per pair */
  uint32_t *row_pair;
  uint32_t *cell; /* dense: pair of (x, T) at x * nT + T */
  size_t nT;
} pairs;

static void pairs_free(pairs *p) {
  free(p->slot);
  free(p->key);
  free(p->row_pair);
  free(p->cell);
}

/* The pair of row i. The dense table is a few hundred kilobytes that stay in
 * cache, so looking it up costs less than reading a per-row index array. */
static inline size_t pair_of(const pairs *p, const double *x, const double *T,
                             size_t i) {
  if (p->cell)
    return p->cell[(size_t)x[i] * p->nT + (size_t)T[i]];
  return p->row_pair[i];
}

static size_t pair_hash(double x, double T) {
  uint64_t a, b;
  x = x == 0 ? 0.0 : x;
  T = T == 0 ? 0.0 : T;
  memcpy(&a, &x, 8);
  memcpy(&b, &T, 8);
  uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ (b + 0x632BE59BD9B4E019ull);
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return (size_t)h;
}

/* Summaries in days hold whole x and T of a few hundred values each: then a
 * direct table indexed by (x, T) replaces the hash, with no probing and no
 * large table to fault in. Returns 1 when it applied, 0 when the keys do not
 * suit it, -1 when out of memory. */
#define DENSE_LIMIT (1u << 22)

static int pairs_dense(pairs *p, const double *x, const double *T,
                       size_t rows) {
  double mx = 0, mT = 0;
  for (size_t i = 0; i < rows; i++) {
    if (!(x[i] >= 0 && x[i] < DENSE_LIMIT && x[i] == floor(x[i]) && T[i] >= 0 &&
          T[i] < DENSE_LIMIT && T[i] == floor(T[i])))
      return 0;
    mx = x[i] > mx ? x[i] : mx;
    mT = T[i] > mT ? T[i] : mT;
  }
  size_t nT = (size_t)mT + 1, cells = ((size_t)mx + 1) * nT;
  if (cells > DENSE_LIMIT || cells > 4 * rows + 4096)
    return 0;
  uint32_t *cell = malloc(cells * sizeof *cell);
  double *key = malloc(2 * (cells < rows ? cells : rows + 1) * sizeof *key);
  if (cell == NULL || key == NULL) {
    free(cell);
    free(key);
    return -1;
  }
  memset(cell, 0xFF, cells * sizeof *cell);
  for (size_t i = 0; i < rows; i++) {
    size_t c = (size_t)x[i] * nT + (size_t)T[i];
    if (cell[c] == UINT32_MAX) {
      key[2 * p->n] = x[i];
      key[2 * p->n + 1] = T[i];
      cell[c] = (uint32_t)p->n++;
    }
  }
  p->cell = cell;
  p->key = key;
  p->nT = nT;
  return 1;
}

static int pairs_build(pairs *p, const clv_summary *s) {
  size_t rows = clv_summary_rows(s), size = 1024;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  memset(p, 0, sizeof *p);
  int dense = pairs_dense(p, x, T, rows);
  if (dense)
    return dense > 0 ? CLV_OK : CLV_ENOMEM;
  p->key = malloc((rows + 1) * 2 * sizeof(double));
  p->row_pair = malloc((rows + 1) * sizeof(uint32_t));
  if (!p->key || !p->row_pair)
    return CLV_ENOMEM;
  /* A table of 2 * rows slots never fills: no growth needed. */
  while (size < 2 * rows)
    size *= 2;
  p->mask = size - 1;
  p->slot = calloc(size, sizeof *p->slot);
  if (!p->slot)
    return CLV_ENOMEM;
  for (size_t i = 0; i < rows; i++) {
    size_t h = pair_hash(x[i], T[i]) & p->mask;
    for (;;) {
      uint32_t e = p->slot[h];
      if (e == 0) {
        p->key[2 * p->n] = x[i];
        p->key[2 * p->n + 1] = T[i];
        p->slot[h] = (uint32_t)(++p->n);
        p->row_pair[i] = (uint32_t)(p->n - 1);
        break;
      }
      if (p->key[2 * (e - 1)] == x[i] && p->key[2 * (e - 1) + 1] == T[i]) {
        p->row_pair[i] = e - 1;
        break;
      }
      h = (h + 1) & p->mask;
    }
  }
  return CLV_OK;
}

/* Runs fn(job0) here and fn(job1) on a second thread when two is set (or
 * here too when the thread cannot start: the same result, later). */
typedef void *(*work_fn)(void *);

static void run_halves(work_fn fn, void *job0, void *job1, int two) {
  pthread_t tid;
  int started = 0;
  if (two)
    started = pthread_create(&tid, NULL, fn, job1) == 0;
  fn(job0);
  if (two) {
    if (started)
      pthread_join(tid, NULL);
    else
      fn(job1);
  }
}

/* Below this many pairs (each a few hypergeometric series) or rows (each a
 * P(alive)) a second thread costs more than it saves. */
#define THREAD_MIN_PAIRS 2000
#define THREAD_MIN_ROWS 50000

/* For every pair: v = sum_j coef[j] * E[Y(ts[j]) | alive, x, T]. */
typedef struct pair_job {
  const clv_model *m;
  const pairs *p;
  size_t begin, end;
  int nt;
  const double *ts, *coef;
  double *val;
  int rc;
} pair_job;

static void *pair_run(void *arg) {
  pair_job *j = arg;
  const double *par = j->m->p;
  j->rc = CLV_OK;
  for (size_t k = j->begin; k < j->end; k++) {
    double x = j->p->key[2 * k], T = j->p->key[2 * k + 1], v = 0, e;
    for (int h = 0; h < j->nt; h++) {
      int rc = j->m->fam->expect_alive(par, x, T, j->ts[h], &e);
      if (rc) {
        j->rc = rc;
        return NULL;
      }
      v += j->coef[h] * e;
    }
    j->val[k] = v;
  }
  return NULL;
}

/* Runs pair_run over the pairs in two halves when there are many. */
static int pair_values(const clv_model *m, const pairs *p, int nt,
                       const double *ts, const double *coef, double *val) {
  pair_job j[2];
  for (int t = 0; t < 2; t++)
    j[t] = (pair_job){
        m,   p, p->n * (size_t)t / 2, p->n * (size_t)(t + 1) / 2, nt, ts, coef,
        val, 0};
  if (p->n < THREAD_MIN_PAIRS) {
    j[0].end = p->n;
    pair_run(&j[0]);
    return j[0].rc;
  }
  run_halves(pair_run, &j[0], &j[1], 1);
  return j[0].rc ? j[0].rc : j[1].rc;
}

/* out[i] = P(alive_i) * sum_j coef[j] E[Y(ts[j]) | alive, x_i, T_i]
 * (times spend[i] when spend is not NULL). */
static int conditional_sum(const clv_model *m, const clv_summary *s, int nt,
                           const double *ts, const double *coef,
                           const double *spend, double *out) {
  pairs p;
  double *val = NULL;
  int rc = pairs_build(&p, s);
  if (rc)
    goto done;
  val = malloc((p.n + 1) * sizeof(double));
  if (val == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  rc = pair_values(m, &p, nt, ts, coef, val);
  if (rc)
    goto done;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    double v =
        m->fam->p_alive(m->p, x[i], tx[i], T[i]) * val[pair_of(&p, x, T, i)];
    if (spend)
      v *= spend[i];
    if (!isfinite(v)) {
      rc = CLV_ENUMERIC;
      goto done;
    }
    out[i] = v;
  }
done:
  free(val);
  pairs_free(&p);
  return rc;
}

/* ---- per-customer predictions -------------------------------------------- */

int clv_p_alive(const clv_model *m, const clv_summary *s, double *out) {
  int rc = check_tx(m, s, out);
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    out[i] = m->fam->p_alive(m->p, x[i], tx[i], T[i]);
    if (!isfinite(out[i]))
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

int clv_expected_purchases(const clv_model *m, const clv_summary *s, double t,
                           double *out) {
  int rc = check_tx(m, s, out);
  double one = 1.0;
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  if (!(t >= 0) || !isfinite(t))
    return CLV_EINVAL;
  return conditional_sum(m, s, 1, &t, &one, NULL, out);
}

int clv_prob_no_purchase(const clv_model *m, const clv_summary *s, double t,
                         double *out) {
  int rc = check_tx(m, s, out);
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  if (!(t >= 0) || !isfinite(t))
    return CLV_EINVAL;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    /* P(no purchase) = P(dead) + P(alive) P(none | alive)
     *                = 1 - P(alive) (1 - P(none | alive)). */
    double pa = m->fam->p_alive(m->p, x[i], tx[i], T[i]);
    double none = m->fam->none_alive(m->p, x[i], T[i], t);
    out[i] = 1.0 - pa * (1.0 - none);
    if (!isfinite(out[i]))
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

int clv_next_purchase(const clv_model *m, const clv_summary *s, double q,
                      double *out) {
  int rc = check_tx(m, s, out);
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  if (!(q > 0 && q < 1))
    return CLV_EINVAL;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    out[i] = m->fam->next_alive(m->p, x[i], T[i], q);
    if (isnan(out[i]) || out[i] < 0)
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

int clv_expected_purchases_new(const clv_model *m, double t, double *out) {
  int rc = check_tx(m, NULL, out);
  if (rc)
    return rc;
  if (!(t >= 0) || !isfinite(t))
    return CLV_EINVAL;
  /* A new customer has x = 0 and T = 0. E[X(t)] = P(alive at 0) x
   * E[X(t) | alive at 0]: for BG/NBD, Pareto/NBD and BG/BB the first
   * factor is 1 (eq. 7 is eq. 10's alive part there), but the MBG/NBD lets
   * a customer drop out right after the first purchase, with probability
   * E[p] = a / (a + b), so only b / (a + b) of new customers go on. */
  double alive = m->fam->p_alive(m->p, 0.0, 0.0, 0.0);
  rc = m->fam->expect_alive(m->p, 0.0, 0.0, t, out);
  if (rc == CLV_OK)
    *out *= alive;
  return rc;
}

int clv_dert(const clv_model *m, const clv_summary *s, double rate,
             double *out) {
  int rc = check_tx(m, s, out);
  if (rc)
    return rc;
  if (s == NULL || !(rate > 0) || !isfinite(rate))
    return CLV_EINVAL;
  if (m->fam->dert == NULL)
    return CLV_EUNSUPPORTED;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    rc = m->fam->dert(m->p, x[i], tx[i], T[i], rate, &out[i]);
    if (rc)
      return rc;
    if (!isfinite(out[i]) || out[i] < 0)
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

int clv_pmf(const clv_model *m, double t, int n, double *out) {
  int rc = check_tx(m, NULL, out);
  if (rc)
    return rc;
  if (!(t >= 0) || !isfinite(t) || n < 0)
    return CLV_EINVAL;
  return m->fam->pmf(m->p, t, n, out);
}

int clv_expected_spend(const clv_model *gg, const clv_summary *s, double *out) {
  if (gg == NULL || s == NULL || out == NULL)
    return CLV_EINVAL;
  if (gg->fam->kind != CLV__KIND_SPEND)
    return CLV_EUNSUPPORTED;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *mx = clv_summary_col(s, CLV_COL_M);
  if (!isfinite(gg->fam->spend_mean(gg->p)))
    return CLV_EDOMAIN;
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    /* Without a monetary column every customer gets the population mean. */
    double xi = mx ? x[i] : 0.0, mi = mx ? mx[i] : 0.0;
    if (xi > 0 && !(mi > 0))
      xi = 0; /* no spend recorded: the population mean */
    out[i] = gg->fam->spend(gg->p, xi, mi);
    if (!isfinite(out[i]))
      return CLV_EDOMAIN;
  }
  return CLV_OK;
}

/* ---- value ------------------------------------------------------------------
 */

void clv_value_opts_init(clv_value_opts *o) {
  if (o == NULL)
    return;
  o->horizon = 52.0;
  o->margin = 1.0;
  o->discount_rate = 0.0;
  o->discount_period = 1.0;
}

#define MAX_PERIODS 100000

/* The discounted-sum weights: with t_k = min(kP, H), k = 1..K, K = ceil(H/P),
 *   sum_k (E[Y(t_k)] - E[Y(t_{k-1})]) / (1+d)^k
 *     = sum_k E[Y(t_k)] (D_k - D_{k+1}),  D_k = (1+d)^-k, D_{K+1} = 0,
 * since E[Y(0)] = 0 (summation by parts). Returns K or -1. */
static int value_weights(const clv_value_opts *o, double **ts, double **coef) {
  *ts = *coef = NULL;
  if (o == NULL || !(o->horizon > 0) || !isfinite(o->horizon) ||
      !(o->discount_period > 0) || !isfinite(o->discount_period) ||
      !(o->discount_rate > -1) || !isfinite(o->discount_rate) ||
      !isfinite(o->margin))
    return -1;
  double kk = ceil(o->horizon / o->discount_period);
  if (kk > MAX_PERIODS)
    return -1;
  int K = (int)kk;
  *ts = malloc((size_t)K * sizeof(double));
  *coef = malloc((size_t)K * sizeof(double));
  if (*ts == NULL || *coef == NULL)
    return -2;
  for (int k = 1; k <= K; k++) {
    double t = k * o->discount_period;
    double Dk = pow(1 + o->discount_rate, -k);
    double Dk1 = k < K ? Dk / (1 + o->discount_rate) : 0.0;
    (*ts)[k - 1] = t < o->horizon ? t : o->horizon;
    (*coef)[k - 1] = Dk - Dk1;
  }
  return K;
}

int clv_customer_value(const clv_model *tx, const clv_model *spend,
                       const clv_summary *s, const clv_value_opts *o,
                       double *out) {
  double *ts = NULL, *coef = NULL, *sp = NULL;
  int rc = check_tx(tx, s, out), K;
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  K = value_weights(o, &ts, &coef);
  if (K < 0) {
    rc = K == -2 ? CLV_ENOMEM : CLV_EINVAL;
    goto done;
  }
  size_t n = clv_summary_rows(s);
  sp = malloc((n + 1) * sizeof(double));
  if (sp == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  if (spend) {
    rc = clv_expected_spend(spend, s, sp);
    if (rc)
      goto done;
  } else {
    for (size_t i = 0; i < n; i++)
      sp[i] = 1.0;
  }
  for (size_t i = 0; i < n; i++)
    sp[i] *= o->margin;
  rc = conditional_sum(tx, s, K, ts, coef, sp, out);
done:
  free(ts);
  free(coef);
  free(sp);
  return rc;
}

int clv_new_customer_value(const clv_model *tx, const clv_model *spend,
                           const clv_value_opts *o, double *out) {
  double *ts = NULL, *coef = NULL, v = 0, e, em = 1.0;
  int rc = check_tx(tx, NULL, out), K;
  if (rc)
    return rc;
  K = value_weights(o, &ts, &coef);
  if (K < 0) {
    rc = K == -2 ? CLV_ENOMEM : CLV_EINVAL;
    goto done;
  }
  if (spend) {
    if (spend->fam->kind != CLV__KIND_SPEND) {
      rc = CLV_EUNSUPPORTED;
      goto done;
    }
    em = spend->fam->spend_mean(spend->p);
    if (!isfinite(em)) {
      rc = CLV_EDOMAIN;
      goto done;
    }
  }
  for (int k = 0; k < K; k++) {
    rc = tx->fam->expect_alive(tx->p, 0.0, 0.0, ts[k], &e);
    if (rc)
      goto done;
    v += coef[k] * e;
  }
  /* As in clv_expected_purchases_new(): only the new customers alive after
   * the first purchase go on buying. */
  *out = o->margin * em * v * tx->fam->p_alive(tx->p, 0.0, 0.0, 0.0);
  rc = isfinite(*out) ? CLV_OK : CLV_ENUMERIC;
done:
  free(ts);
  free(coef);
  return rc;
}

/* ---- the fused table --------------------------------------------------------
 *
 * clv_predictions_compute() needs P(alive), E[Y(H)], P(none in H), the
 * next-purchase median and the CLV of every customer. Called one by one, the
 * functions above compute P(alive) three times, find the (x, T) pairs twice,
 * evaluate E[Y(H)] twice (the last CLV period ends at H) and sweep the
 * columns six times. Here the per-pair quantities are computed once per
 * distinct (x, T) in one pass and the per-customer ones in one sweep over
 * the rows, both split over two threads.
 */

/* Per-pair values: E[Y(H) | alive], the CLV sum, P(none in H | alive) and
 * the next-purchase quantile. */
enum { PV_EH, PV_SUM, PV_NONE, PV_NEXT, PV_N };

typedef struct fused_pair_job {
  const clv_model *m;
  const pairs *p;
  size_t begin, end;
  int nt;
  const double *ts, *coef;
  double h, q;
  double *pv;
  int rc;
} fused_pair_job;

static void *fused_pair_run(void *arg) {
  fused_pair_job *j = arg;
  const clv__family *f = j->m->fam;
  const double *par = j->m->p;
  j->rc = CLV_OK;
  for (size_t k = j->begin; k < j->end; k++) {
    double x = j->p->key[2 * k], T = j->p->key[2 * k + 1], v = 0, e, eh = NAN;
    double *out = j->pv + PV_N * k;
    int have_h = 0;
    for (int h = 0; h < j->nt; h++) {
      int rc = f->expect_alive(par, x, T, j->ts[h], &e);
      if (rc) {
        j->rc = rc;
        return NULL;
      }
      v += j->coef[h] * e;
      /* The last period point is usually the horizon itself. */
      if (j->ts[h] == j->h) {
        eh = e;
        have_h = 1;
      }
    }
    if (!have_h) {
      int rc = f->expect_alive(par, x, T, j->h, &eh);
      if (rc) {
        j->rc = rc;
        return NULL;
      }
    }
    out[PV_EH] = eh;
    out[PV_SUM] = v;
    out[PV_NONE] = f->none_alive(par, x, T, j->h);
    out[PV_NEXT] = f->next_alive(par, x, T, j->q);
    if (isnan(out[PV_NEXT]) || out[PV_NEXT] < 0) {
      j->rc = CLV_ENUMERIC;
      return NULL;
    }
  }
  return NULL;
}

typedef struct fused_row_job {
  const clv_model *tx, *spend;
  const pairs *p;
  const double *x, *tx_, *T, *m, *pv;
  double margin;
  clv__pred_cols out;
  size_t begin, end;
  int rc;
} fused_row_job;

/* The per-customer sweep. Each value is formed by the same operations as in
 * the separate functions: P(alive) from the family, E = P(alive) E[.|alive],
 * P(none) = 1 - P(alive) (1 - P(none | alive)), CLV = (P(alive) sum) times
 * (margin E(M)). */
static void *fused_row_run(void *arg) {
  fused_row_job *j = arg;
  const clv__family *f = j->tx->fam;
  const double *par = j->tx->p, *x = j->x, *tx = j->tx_, *T = j->T;
  j->rc = CLV_OK;
  for (size_t i = j->begin; i < j->end; i++) {
    const double *v = j->pv + PV_N * pair_of(j->p, x, T, i);
    double pa = f->p_alive(par, x[i], tx[i], T[i]);
    double sp = j->margin;
    if (j->spend) {
      /* As clv_expected_spend(): the population mean without amounts or
       * without a recorded repeat spend. */
      double xi = j->m ? x[i] : 0.0, mi = j->m ? j->m[i] : 0.0;
      if (xi > 0 && !(mi > 0))
        xi = 0;
      double es = j->spend->fam->spend(j->spend->p, xi, mi);
      if (!isfinite(es)) {
        j->rc = CLV_EDOMAIN;
        return NULL;
      }
      j->out.expected_spend[i] = es;
      sp = es * j->margin;
    }
    double e = pa * v[PV_EH];
    double none = 1.0 - pa * (1.0 - v[PV_NONE]);
    double val = pa * v[PV_SUM];
    val *= sp;
    if (!isfinite(pa) || !isfinite(e) || !isfinite(none) || !isfinite(val)) {
      j->rc = CLV_ENUMERIC;
      return NULL;
    }
    j->out.p_alive[i] = pa;
    j->out.expected[i] = e;
    j->out.prob_none[i] = none;
    j->out.next_purchase[i] = v[PV_NEXT];
    j->out.value[i] = val;
  }
  return NULL;
}

int clv__predict_all(const clv_model *tx, const clv_model *spend,
                     const clv_summary *s, const clv_value_opts *o, double q,
                     clv__pred_cols *out) {
  pairs p;
  double *ts = NULL, *coef = NULL, *pv = NULL;
  int rc, K;
  memset(&p, 0, sizeof p);
  if (out == NULL || s == NULL || o == NULL || !(q > 0 && q < 1))
    return CLV_EINVAL;
  rc = check_tx(tx, s, out->p_alive);
  if (rc)
    return rc;
  if (spend &&
      (spend->fam->kind != CLV__KIND_SPEND || out->expected_spend == NULL ||
       !isfinite(spend->fam->spend_mean(spend->p))))
    return CLV_EINVAL;
  if (!(o->horizon >= 0) || !isfinite(o->horizon))
    return CLV_EINVAL;
  K = value_weights(o, &ts, &coef);
  if (K < 0) {
    rc = K == -2 ? CLV_ENOMEM : CLV_EINVAL;
    goto done;
  }
  rc = pairs_build(&p, s);
  if (rc)
    goto done;
  pv = malloc((p.n + 1) * PV_N * sizeof(double));
  if (pv == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  fused_pair_job pj[2];
  for (int t = 0; t < 2; t++)
    pj[t] = (fused_pair_job){.m = tx,
                             .p = &p,
                             .begin = p.n * (size_t)t / 2,
                             .end = p.n * (size_t)(t + 1) / 2,
                             .nt = K,
                             .ts = ts,
                             .coef = coef,
                             .h = o->horizon,
                             .q = q,
                             .pv = pv};
  if (p.n < THREAD_MIN_PAIRS) {
    pj[0].end = p.n;
    pj[1].begin = pj[1].end = p.n;
  }
  run_halves(fused_pair_run, &pj[0], &pj[1], p.n >= THREAD_MIN_PAIRS);
  rc = pj[0].rc ? pj[0].rc : pj[1].rc;
  if (rc)
    goto done;
  size_t n = clv_summary_rows(s);
  fused_row_job rj[2];
  for (int t = 0; t < 2; t++)
    rj[t] = (fused_row_job){.tx = tx,
                            .spend = spend,
                            .p = &p,
                            .x = clv_summary_col(s, CLV_COL_X),
                            .tx_ = clv_summary_col(s, CLV_COL_TX),
                            .T = clv_summary_col(s, CLV_COL_T),
                            .m = clv_summary_col(s, CLV_COL_M),
                            .pv = pv,
                            .margin = o->margin,
                            .out = *out,
                            .begin = n * (size_t)t / 2,
                            .end = n * (size_t)(t + 1) / 2};
  if (n < THREAD_MIN_ROWS) {
    rj[0].end = n;
    rj[1].begin = rj[1].end = n;
  }
  run_halves(fused_row_run, &rj[0], &rj[1], n >= THREAD_MIN_ROWS);
  rc = rj[0].rc ? rj[0].rc : rj[1].rc;
done:
  free(ts);
  free(coef);
  free(pv);
  pairs_free(&p);
  return rc;
}

/* ---- P(alive) at a later day ----------------------------------------------
 */

/*
 * S(tau | alive at T, x, T): the chance that a customer alive at the end of
 * observation T is still alive tau units later, averaged over the posterior
 * of the rates given alive at T and over the purchases in (T, T + tau],
 * which are not observed (so they are not conditioned on as "none").
 *
 * BG/NBD (Fader, Hardie & Lee 2005). A customer alive at T with rates
 * (lambda, p) buys as a Poisson process of rate lambda and drops out right
 * after each purchase with probability p. The fatal purchases are a thinning
 * of that process, a Poisson process of rate lambda p, so
 *   S(tau | lambda, p) = exp(-lambda p tau).
 * Given alive at T the likelihood is lambda^x e^(-lambda T) (1 - p)^x
 * (FHL eq. 3's first term), so lambda ~ Gamma(r + x, alpha + T) and
 * p ~ Beta(a, b + x), independent. Averaging over lambda first,
 *   E[e^(-lambda p tau) | p] = ((alpha + T) / (alpha + T + p tau))^(r + x),
 * then over p with Euler's integral for 2F1 (B = a, C - B = b + x),
 *   S = 2F1(r + x, a; a + b + x; -tau / (alpha + T)),
 * and Pfaff's transformation 2F1(A, B; C; z) = (1 - z)^(-A)
 * 2F1(A, C - B; C; z / (z - 1)) moves the argument into [0, 1):
 *   S = ((alpha + T) / (alpha + T + tau))^(r + x)
 *       2F1(r + x, b + x; a + b + x; tau / (alpha + T + tau)).
 * It is FHL eq. 10's series with c = a + b + x instead of a + b + x - 1.
 *
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007). The customer may also drop
 * out right after the first purchase, so given alive at T the likelihood
 * carries (1 - p)^(x + 1) and p ~ Beta(a, b + x + 1); the future is the
 * BG/NBD's:
 *   S = ((alpha + T) / (alpha + T + tau))^(r + x)
 *       2F1(r + x, b + x + 1; a + b + x + 1; tau / (alpha + T + tau)).
 *
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987). The lifetime is
 * exponential with rate mu and memoryless: S(tau | mu) = e^(-mu tau). Given
 * alive at T the likelihood carries e^(-mu T), so mu ~ Gamma(s, beta + T)
 * and
 *   S = ((beta + T) / (beta + T + tau))^s.
 *
 * Parameters: p = r, alpha, a, b (BG/NBD, MBG/NBD) or r, alpha, s, beta
 * (Pareto/NBD). kind is 1 (BG/NBD), 2 (MBG/NBD) or 3 (Pareto/NBD).
 */
static int survive_alive(int kind, const double *p, double x, double T,
                         double tau, double *out) {
  if (tau == 0) {
    *out = 1;
    return CLV_OK;
  }
  if (kind == 3) {
    *out = exp(-p[2] * log1p(tau / (p[3] + T)));
    return CLV_OK;
  }
  double extra = kind == 2 ? 1 : 0, lf;
  int sign, rc;
  double z = tau / (p[1] + T + tau);
  rc = clv__log_hyp2f1(p[0] + x, p[3] + x + extra, p[2] + p[3] + x + extra, z,
                       &lf, &sign);
  if (rc)
    return rc;
  double ls = -(p[0] + x) * log1p(tau / (p[1] + T)) + lf;
  *out = sign > 0 ? exp(ls) : NAN;
  /* A probability, up to the last bits of the series. */
  if (!(*out >= 0 && *out <= 1 + 1e-12))
    return CLV_ENUMERIC;
  if (*out > 1)
    *out = 1;
  return CLV_OK;
}

int clv__p_alive_at(const clv_model *m, const clv_summary *s, double tau,
                    double *out) {
  int rc = check_tx(m, s, out);
  if (rc || s == NULL)
    return rc ? rc : CLV_EINVAL;
  if (!(tau >= 0) || !isfinite(tau))
    return CLV_EINVAL;
  int kind = strcmp(m->fam->name, "bgnbd") == 0    ? 1
             : strcmp(m->fam->name, "mbgnbd") == 0 ? 2
             : strcmp(m->fam->name, "pnbd") == 0   ? 3
                                                   : 0;
  if (kind == 0 && tau > 0)
    return CLV_EUNSUPPORTED;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  /* The survival factor depends on (x, T) only: rows of a summary share few
   * pairs, and consecutive rows often the same one. */
  double last_x = NAN, last_T = NAN, surv = 1;
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    if (tau > 0 && !(x[i] == last_x && T[i] == last_T)) {
      if ((rc = survive_alive(kind, m->p, x[i], T[i], tau, &surv)))
        return rc;
      last_x = x[i];
      last_T = T[i];
    }
    double pa = m->fam->p_alive(m->p, x[i], tx[i], T[i]);
    out[i] = pa * surv;
    if (!(out[i] >= 0 && out[i] <= 1))
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}
