/*
 * test_bgnbd.c - the BG/NBD model (Fader, Hardie & Lee 2005) against the
 * published CDNOW numbers of shared/reference/published.md section 1, and
 * its consistency: fast likelihood == the paper's formula, analytic gradient
 * == finite differences, retries, failure on data that identify nothing.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Published parameter sets (published.md section 1). */
static const double PAPER[4] = {0.243, 4.414, 0.793, 2.426};
static const double BTYD[4] = {0.2425982, 4.4136842, 0.7929899, 2.4261667};

static clv_summary *read_weeks(const char *path) {
  return clv_test_read_summary(path, CLV_UNIT_WEEK);
}

static clv_model *model(const double *p) {
  clv_model *m = NULL;
  assert_int_equal(clv_model_new("bgnbd", p, CLV_UNIT_WEEK, &m), CLV_OK);
  return m;
}

/* One customer as a summary (weeks). */
static clv_summary *one(double x, double tx, double T) {
  return clv_test_one(CLV_UNIT_WEEK, x, tx, T);
}

/* |round(v, 3) - want| <= 0.0005: equal to the printed digits. */
static void assert_printed(double v, double want) {
  assert_close(round(v * 1000) / 1000, want, 0.0005 + 1e-12, 0);
}

static void test_fit_cdnow_rounded(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "lifetimes/cdnow_customers_summary.csv");
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  clv_error err;
  assert_int_equal(clv_fit("bgnbd", s, NULL, &m, &err), CLV_OK);
  const double *p = clv_model_params(m);
  for (int i = 0; i < 4; i++)
    assert_printed(p[i], PAPER[i]);
  /* Paper: -9582.4; the 2-decimal file gives -9582.426 ([V]). */
  assert_close(clv_model_loglik(m), -9582.426, 0.001, 0);
  assert_close(round(clv_model_loglik(m) * 10) / 10, -9582.4, 1e-9, 0);
  assert_true(clv_model_converged(m));
  assert_int_equal((int)clv_model_customers(m), 2357);
  for (int i = 0; i < 4; i++)
    assert_true(clv_model_se(m)[i] > 0 && clv_model_se(m)[i] < p[i]);
  clv_model_free(m);
  clv_summary_free(s);
}

static void test_fit_cdnow_full(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  assert_int_equal(clv_fit("bgnbd", s, NULL, &m, NULL), CLV_OK);
  const double *p = clv_model_params(m);
  /* [V] 0.2425945, 4.413602, 0.7929221, 2.425907 (CLVTools agrees to
   * 1e-5 on r, alpha); LL -9582.429 (BTYD, CLVTools). */
  assert_close(p[0], 0.2425945, 0, 1e-4);
  assert_close(p[1], 4.413602, 0, 1e-4);
  assert_close(p[2], 0.7929221, 0, 1e-4);
  assert_close(p[3], 2.425907, 0, 1e-4);
  assert_close(clv_model_loglik(m), -9582.429, 0.0005, 0);
  /* The summary loglik of the fitted model is the same number. */
  double ll;
  assert_int_equal(clv_model_summary_loglik(m, s, &ll), CLV_OK);
  assert_close(ll, clv_model_loglik(m), 1e-9, 0);
  clv_model_free(m);
  clv_summary_free(s);
}

/* E[X(t)], FHL eq. 7, at the paper's parameters: exact values from mpmath
 * (30 digits, hyp2f1 evaluated directly, see docs/models.md), and Hardie's
 * spreadsheet values quoted by lifetimes' test (0.0078, 0.0532, 0.1506,
 * 1.0405, 1.0437, 1.8576), which come from slightly different parameters:
 * they agree to 0.003. */
static void test_unconditional(void **state) {
  (void)state;
  static const struct {
    double t, exact, sheet;
  } cases[] = {{0.1429, 0.00782834751607216, 0.0078},
               {1, 0.0532678911716583, 0.0532},
               {3, 0.150865230893047, 0.1506},
               {31.8571, 1.04199606085221, 1.0405},
               {32, 1.04524332837444, 1.0437},
               {78, 1.86051905794277, 1.8576}};
  clv_model *m = model(PAPER);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double e;
    assert_int_equal(clv_expected_purchases_new(m, cases[i].t, &e), CLV_OK);
    assert_close(e, cases[i].exact, 0, 1e-11);
    assert_close(e, cases[i].sheet, 0.003, 0);
  }
  clv_model_free(m);
  /* BTYD vignette: E[X(52)] = 1.444004 at BTYD's estimate ([V] 1.444012). */
  m = model(BTYD);
  double e;
  assert_int_equal(clv_expected_purchases_new(m, 52, &e), CLV_OK);
  assert_close(e, 1.444004, 1e-5, 0);
  clv_model_free(m);
}

static void test_conditional(void **state) {
  (void)state;
  double e, pa;
  /* Hardie's spreadsheet: E[Y(39) | 2, 30.43, 38.86] = 1.226. */
  clv_model *m = model(PAPER);
  clv_summary *s = one(2, 30.43, 38.86);
  assert_int_equal(clv_expected_purchases(m, s, 39, &e), CLV_OK);
  assert_close(e, 1.226, 5e-4, 0);
  clv_summary_free(s);
  clv_model_free(m);
  /* BTYD vignette, customer 1516: E[Y(52)] 25.75659, P(alive) 0.9688523 at
   * BTYD's estimate ([V] 25.7573, 0.968854: BTYD rounds its inputs). */
  m = model(BTYD);
  s = one(26, 30.85714, 31);
  assert_int_equal(clv_expected_purchases(m, s, 52, &e), CLV_OK);
  assert_int_equal(clv_p_alive(m, s, &pa), CLV_OK);
  assert_close(e, 25.75659, 0.001, 0);
  assert_close(pa, 0.9688523, 2e-6, 0);
  clv_summary_free(s);
  /* The "increasing frequency paradox": E[Y(52) | x, t_x = 20, T = 39]. */
  static const double xs[4] = {10, 15, 20, 25};
  static const double want[4] = {0.3474606, 0.04283391, 0.004158973,
                                 0.0003583685};
  for (int i = 0; i < 4; i++) {
    s = one(xs[i], 20, 39);
    assert_int_equal(clv_expected_purchases(m, s, 52, &e), CLV_OK);
    assert_close(e, want[i], 0, 2e-4);
    clv_summary_free(s);
  }
  clv_model_free(m);
}

static void test_pmf(void **state) {
  (void)state;
  static const double p30[10] = {
      0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
      0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260};
  clv_model *m = model(PAPER);
  double v;
  assert_int_equal(clv_pmf(m, 2, 10, &v), CLV_OK);
  assert_close(v, 1.07869e-07, 0, 1e-5);
  assert_int_equal(clv_pmf(m, 39, 0, &v), CLV_OK);
  assert_close(v, 0.5737864, 0, 1e-6);
  for (int n = 11; n <= 20; n++) {
    assert_int_equal(clv_pmf(m, 30, n, &v), CLV_OK);
    assert_close(v, p30[n - 11], 0, 1e-6);
  }
  /* The pmf sums to 1 (hand check of eq. 8's two parts together). */
  double sum = 0;
  for (int n = 0; n < 2000; n++) {
    assert_int_equal(clv_pmf(m, 30, n, &v), CLV_OK);
    sum += v;
  }
  assert_close(sum, 1.0, 1e-9, 0);
  clv_model_free(m);
}

/* Fader & Hardie note 027: one customer x = 200, t_x = 38, T = 40 at
 * (0.25, 4, 0.8, 2.5) has log-likelihood 100.7957, where the spreadsheet
 * formula overflows (#NUM!). */
static void test_num_note(void **state) {
  (void)state;
  static const double p[4] = {0.25, 4, 0.8, 2.5};
  clv_model *m = model(p);
  clv_summary *s = one(200, 38, 40);
  double ll, row;
  assert_int_equal(clv_model_summary_loglik(m, s, &ll), CLV_OK);
  assert_close(ll, 100.7957, 5e-5, 0);
  assert_int_equal(clv_model_row_loglik(m, s, &row), CLV_OK);
  assert_close(row, 100.7957, 5e-5, 0);
  clv_summary_free(s);
  clv_model_free(m);
}

/* BTYD vignette: holdout expectation E[Y(39)] averaged by calibration x
 * (0..6, 7+) at BTYD's estimate; and the cohort's expected cumulative repeat
 * transactions at weeks 20..25, sum_i E[X(w - birth_i)] with
 * birth_i = max(T) - T_i, as BTYD's bgnbd.ExpectedCumulativeTransactions
 * ([V] recomputes both). */
static void test_holdout_and_tracking(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const double bins[8] = {0.2250893, 0.5231364, 1.044126, 1.520256,
                                 2.163824,  2.653789,  3.503957, 6.157036};
  static const double cum[6] = {1312.458, 1387.346, 1460.392,
                                1531.713, 1601.418, 1669.600};
  clv_summary *s = read_weeks(path);
  clv_model *m = model(BTYD);
  size_t n = clv_summary_rows(s);
  double *e = calloc(n, sizeof *e), sum[8] = {0}, cnt[8] = {0}, total = 0;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  double Tmax = 0;
  for (size_t i = 0; i < n; i++)
    Tmax = T[i] > Tmax ? T[i] : Tmax;
  assert_int_equal(clv_expected_purchases(m, s, 39, e), CLV_OK);
  for (size_t i = 0; i < n; i++) {
    int b = x[i] >= 7 ? 7 : (int)x[i];
    sum[b] += e[i];
    cnt[b] += 1;
    total += e[i];
  }
  for (int b = 0; b < 8; b++)
    assert_close(sum[b] / cnt[b], bins[b], 0, 1e-5);
  assert_close(total, 1653.4, 0.05, 0); /* [V] only */
  for (int w = 20; w <= 25; w++) {
    double c = 0, v;
    for (size_t i = 0; i < n; i++) {
      double age = w - (Tmax - T[i]);
      if (age <= 0)
        continue;
      assert_int_equal(clv_expected_purchases_new(m, age, &v), CLV_OK);
      c += v;
    }
    assert_close(c, cum[w - 20], 0.002, 0);
  }
  free(e);
  clv_model_free(m);
  clv_summary_free(s);
}

/* The fast likelihood (per-x and per-time tables, log1p(e^u)) equals the
 * paper's two-term formula row by row, and its analytic gradient equals
 * central differences, at ordinary and extreme parameters and rows. */
static void test_gradient(void **state) {
  (void)state;
  static const double params[][4] = {{0.243, 4.414, 0.793, 2.426},
                                     {1e-3, 1e-2, 5e-3, 1e-2},
                                     {50, 300, 40, 80},
                                     {2.0, 0.5, 0.1, 0.05},
                                     {0.5, 2000, 3, 0.9}};
  static const double rows[][3] = {
      {0, 0, 38.86}, {1, 1.71, 38.86},   {2, 30.43, 38.86}, {26, 30.85, 31},
      {200, 38, 40}, {5000, 3650, 3650}, {3, 3650, 3650},   {1, 0.5, 3650}};
  const clv__family *fam = clv__family_find("bgnbd");
  for (size_t pi = 0; pi < sizeof params / sizeof params[0]; pi++) {
    for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
      clv_summary *s = one(rows[ri][0], rows[ri][1], rows[ri][2]);
      clv__data d;
      assert_int_equal(clv__data_build(fam, s, &d, NULL), CLV_OK);
      double *work = malloc((fam->work_size(&d) + 1) * sizeof(double));
      double p[4], ll, g[4];
      memcpy(p, params[pi], sizeof p);
      assert_int_equal(clv__data_loglik(fam, &d, p, work, 1, &ll, g), CLV_OK);
      assert_close(ll, fam->row_ll(p, rows[ri]), 1e-9, 1e-11);
      {
        char label[64];
        snprintf(label, sizeof label, "params %zu row %zu", pi, ri);
        clv_test_check_gradient(fam, s, p, ll, g, label);
      }
      free(work);
      clv__data_free(&d);
      clv_summary_free(s);
    }
  }
}

/* A start far from the optimum (every parameter off by a factor of 100 or
 * more) still reaches the published optimum. */
static void test_bad_start(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const double start[4] = {100, 0.001, 200, 0.005};
  clv_summary *s = read_weeks(path);
  clv_fit_opts o;
  clv_model *m = NULL;
  clv_fit_opts_init(&o);
  o.start = start;
  assert_int_equal(clv_fit("bgnbd", s, &o, &m, NULL), CLV_OK);
  assert_close(clv_model_params(m)[0], 0.2425945, 0, 1e-4);
  assert_close(clv_model_params(m)[3], 2.425907, 0, 1e-4);
  assert_close(clv_model_loglik(m), -9582.429, 0.0005, 0);
  clv_model_free(m);
  clv_summary_free(s);
}

/* Nobody ever repeats: LL = r log(alpha / (alpha + T)) grows without bound
 * as r -> 0, so there is no maximum; the fit must say so. */
static void test_no_convergence(void **state) {
  (void)state;
  double x[50], tx[50], T[50];
  for (int i = 0; i < 50; i++) {
    x[i] = 0;
    tx[i] = 0;
    T[i] = 10 + i;
  }
  clv_summary *s = NULL;
  clv_model *m = NULL;
  clv_error err;
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 50, x, tx, T, NULL, NULL),
      CLV_OK);
  assert_int_equal(clv_fit("bgnbd", s, NULL, &m, &err), CLV_ENOCONV);
  assert_null(m);
  assert_true(strlen(err.message) > 20);
  assert_int_equal(clv_fit("nosuch", s, NULL, &m, &err), CLV_EMODEL);
  clv_summary_free(s);
}

/* The fast path of large fits (a loose fit on a 1-in-k subsample of the
 * compressed rows, then Newton steps with the subsample's Hessian) lands on
 * the same optimum as plain BFGS from a given start, which never takes that
 * path: 80,000 simulated customers with continuous times (every row
 * distinct, above the 60,000 rows that switch the subsample on). */
static void test_subsample_chord_equals_bfgs(void **state) {
  (void)state;
  clv_sim_opts so;
  clv_summary *s = NULL;
  clv_model *fast = NULL, *plain = NULL;
  clv_sim_opts_init(&so);
  so.customers = 80000;
  so.seed = 11;
  assert_int_equal(clv_simulate_summary(&so, CLV_UNIT_WEEK, &s), CLV_OK);
  assert_int_equal(clv_fit("bgnbd", s, NULL, &fast, NULL), CLV_OK);
  assert_true(clv_model_unique_rows(fast) >= 60000);
  clv_fit_opts o;
  clv_fit_opts_init(&o);
  o.start = PAPER; /* a caller's start: no subsample, plain BFGS */
  assert_int_equal(clv_fit("bgnbd", s, &o, &plain, NULL), CLV_OK);
  print_message("evaluations: subsample + chord %d, BFGS %d\n",
                clv_model_evaluations(fast), clv_model_evaluations(plain));
  assert_true(clv_model_converged(fast) && clv_model_converged(plain));
  assert_close(clv_model_loglik(fast), clv_model_loglik(plain), 0, 1e-6);
  for (int i = 0; i < 4; i++) {
    assert_close(clv_model_params(fast)[i], clv_model_params(plain)[i], 0,
                 1e-5);
    assert_close(clv_model_se(fast)[i], clv_model_se(plain)[i], 0, 1e-3);
  }
  clv_model_free(fast);
  clv_model_free(plain);
  clv_summary_free(s);
}

typedef struct crow {
  double x, tx, T, w;
} crow;

static int crow_cmp(const void *a, const void *b) {
  const crow *p = a, *q = b;
  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  if (p->tx != q->tx)
    return p->tx < q->tx ? -1 : 1;
  if (p->T != q->T)
    return p->T < q->T ? -1 : 1;
  return 0;
}

/* Collapses rows by sorting and merging: the reference for the hashing
 * compressions. Returns the number of distinct rows (r is overwritten). */
static size_t collapse(crow *r, size_t n) {
  size_t m = 0;
  qsort(r, n, sizeof *r, crow_cmp);
  for (size_t i = 0; i < n; i++) {
    if (m > 0 && crow_cmp(&r[m - 1], &r[i]) == 0)
      r[m - 1].w += r[i].w;
    else
      r[m++] = r[i];
  }
  return m;
}

/* clv__data_build()'s compressions (the whole-number path for times in days,
 * the hashed path otherwise) give exactly the rows and summed weights of a
 * sort-and-merge, with consistent distinct-value tables: whole days with
 * unit and with uneven weights, and the same rows with one fractional time
 * (which sends them all down the hashed path). */
static void test_compression(void **state) {
  (void)state;
  enum { N = 30000 };
  const clv__family *fam = clv__family_find("bgnbd");
  double *x = malloc(N * sizeof *x), *tx = malloc(N * sizeof *tx);
  double *T = malloc(N * sizeof *T), *w = malloc(N * sizeof *w);
  crow *ref = malloc(N * sizeof *ref), *got = NULL;
  assert_non_null(x && tx && T && w && ref);
  srand(4242);
  for (int variant = 0; variant < 3; variant++) {
    for (size_t i = 0; i < N; i++) {
      x[i] = rand() % 7 == 0 ? rand() % 300 : rand() % 4;
      T[i] = 400 + rand() % 147;
      tx[i] = x[i] == 0 ? 0 : (double)(rand() % ((int)T[i] + 1));
      w[i] = variant == 0 ? 1.0 : 1 + rand() % 5;
    }
    if (variant == 2)
      tx[N - 1] = x[N - 1] == 0 ? 0 : 0.5;
    clv_summary *s = NULL;
    assert_int_equal(clv_summary_from_arrays(&s, CLV_UNIT_DAY, N, x, tx, T,
                                             NULL, variant > 0 ? w : NULL),
                     CLV_OK);
    double total = 0;
    for (size_t i = 0; i < N; i++) {
      ref[i] = (crow){x[i], tx[i], T[i], variant == 0 ? 1.0 : w[i]};
      total += ref[i].w;
    }
    size_t m = collapse(ref, N);
    clv__data d;
    assert_int_equal(clv__data_build(fam, s, &d, NULL), CLV_OK);
    assert_int_equal(d.n, m);
    assert_close(d.customers, total, 0, 0);
    got = malloc(d.n * sizeof *got);
    assert_non_null(got);
    double wx_total = 0;
    for (size_t j = 0; j < d.nx; j++)
      wx_total += d.wx[j];
    assert_close(wx_total, total, 0, 0);
    for (size_t i = 0; i < d.n; i++) {
      got[i] = (crow){d.k[0][i], d.k[1][i], d.k[2][i], d.w[i]};
      assert_true(d.xs[d.ix[i]] == d.k[0][i]);
      assert_true(d.ts[d.i1[i]] == d.k[1][i]);
      assert_true(d.ts[d.i2[i]] == d.k[2][i]);
    }
    qsort(got, d.n, sizeof *got, crow_cmp);
    for (size_t i = 0; i < d.n; i++) {
      assert_int_equal(crow_cmp(&got[i], &ref[i]), 0);
      assert_true(got[i].w == ref[i].w); /* sums of small integers: exact */
    }
    free(got);
    clv__data_free(&d);
    clv_summary_free(s);
  }
  free(x);
  free(tx);
  free(T);
  free(w);
  free(ref);
}

/* Large summaries whose keys are mostly distinct (Gamma-Gamma mean spends in
 * cents) are kept uncompressed (model.c, mostly_distinct()): the weighted
 * log-likelihood still equals the sum of the paper's per-row formula
 * (clv_model_row_loglik, note 025 eq. 4 term by term) times the weights. Half
 * the rows repeat with weights 1-3 so that both the plain and the weighted
 * sums are exercised; x = 0 rows are skipped by the model. */
static void test_gg_uncompressed(void **state) {
  (void)state;
  enum { N = 240000 };
  double *x = malloc(N * sizeof *x), *t0 = calloc(N, sizeof *t0);
  double *m = malloc(N * sizeof *m), *w = malloc(N * sizeof *w);
  double *row = malloc(N * sizeof *row);
  assert_non_null(x && t0 && m && w && row);
  srand(99);
  for (size_t i = 0; i < N; i++) {
    x[i] = i % 5 == 0 ? 0 : 1 + rand() % 12;
    m[i] = x[i] == 0 ? 0 : 3 + (rand() % 10000000) / 1e5;
    w[i] = 1 + rand() % 3;
  }
  clv_summary *s = NULL;
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, N, x, t0, t0, m, w), CLV_OK);
  static const double gp[3] = {6.25, 3.74, 15.44};
  clv_model *g = NULL;
  assert_int_equal(clv_model_new("gg", gp, CLV_UNIT_WEEK, &g), CLV_OK);
  double ll, want = 0;
  assert_int_equal(clv_model_summary_loglik(g, s, &ll), CLV_OK);
  assert_int_equal(clv_model_row_loglik(g, s, row), CLV_OK);
  for (size_t i = 0; i < N; i++)
    want += w[i] * row[i];
  assert_close(ll, want, 0, 1e-10);
  clv_model_free(g);
  clv_summary_free(s);
  free(x);
  free(t0);
  free(m);
  free(w);
  free(row);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fit_cdnow_rounded),
      cmocka_unit_test(test_fit_cdnow_full),
      cmocka_unit_test(test_unconditional),
      cmocka_unit_test(test_conditional),
      cmocka_unit_test(test_pmf),
      cmocka_unit_test(test_num_note),
      cmocka_unit_test(test_holdout_and_tracking),
      cmocka_unit_test(test_gradient),
      cmocka_unit_test(test_bad_start),
      cmocka_unit_test(test_no_convergence),
      cmocka_unit_test(test_subsample_chord_equals_bfgs),
      cmocka_unit_test(test_compression),
      cmocka_unit_test(test_gg_uncompressed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
