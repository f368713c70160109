/*
 * test_predict.c - per-customer predictions and CLV (src/predict.c) at the
 * edges: customers with thousands of purchases, recency equal to T, ten
 * years in days, parameters near 1e-6 and 1e6. Reference values were
 * computed with mpmath 1.3 at 40 digits from FHL (2005) eq. 10 (hyp2f1), and
 * independently by integrating E[Y(t) | alive] = E_p[(1 - (1 + p t /
 * (alpha+T))^-(r+x)) / p] over p ~ Beta(a, b+x) with the substitutions
 * p = u^(1/a) and 1-p = v^(1/(b+x)) (mpmath.quad); both agree to 17 digits
 * where both converge.
 */
#include "testutil.h"

#include "clv/run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static clv_model *bg(double r, double al, double a, double b, clv_unit u) {
  double p[4] = {r, al, a, b};
  clv_model *m = NULL;
  assert_int_equal(clv_model_new("bgnbd", p, u, &m), CLV_OK);
  return m;
}

static clv_summary *one(double x, double tx, double T, clv_unit u) {
  clv_summary *s = NULL;
  assert_int_equal(clv_summary_from_arrays(&s, u, 1, &x, &tx, &T, NULL, NULL),
                   CLV_OK);
  return s;
}

static void test_extremes(void **state) {
  (void)state;
  static const struct {
    double r, al, a, b, x, tx, T, t, want;
  } c[] = {
      /* CDNOW parameters in days, 5000 purchases, t_x = T = 10 years. */
      {0.243, 30.898, 0.793, 2.426, 5000, 3650, 3650, 365, 477.34461812516376},
      {0.243, 30.898, 0.793, 2.426, 3, 3650, 3650, 3650, 2.2051593918091572},
      /* Parameters near 1e-6 (x = 0: a + b + x - 1 < 0, integral form). */
      {1e-6, 1e-6, 1e-6, 1e-6, 3, 10, 3650, 365, 0.01185129951353518},
      {1e-6, 1e-6, 1e-6, 1e-6, 0, 0, 3650, 365, 9.7655087455411761e-8},
      /* Parameters near 1e6 (mpmath hyp2f1 only). */
      {1e6, 1e6, 1e6, 1e6, 10, 5, 20, 52, 6.118362680086548e-7},
      /* a = 1 + 1e-7: eq. 10's 0/0 at a = 1. */
      {0.5, 10, 1.0000001, 3, 4, 20, 30, 52, 2.6109784099140202},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    clv_model *m = bg(c[i].r, c[i].al, c[i].a, c[i].b, CLV_UNIT_DAY);
    clv_summary *s = one(c[i].x, c[i].tx, c[i].T, CLV_UNIT_DAY);
    double e = -1;
    assert_int_equal(clv_expected_purchases(m, s, c[i].t, &e), CLV_OK);
    print_message("case %zu: %.17g (want %.17g)\n", i, e, c[i].want);
    assert_close(e, c[i].want, 0, 1e-8);
    clv_summary_free(s);
    clv_model_free(m);
  }
  /* A new customer over 10 years in days at CDNOW parameters. */
  clv_model *m = bg(0.243, 30.898, 0.793, 2.426, CLV_UNIT_DAY);
  double e;
  assert_int_equal(clv_expected_purchases_new(m, 3650, &e), CLV_OK);
  assert_close(e, 4.9807250962332348, 0, 1e-10);
  clv_model_free(m);
}

static double logu(double lo, double hi) {
  return exp(log(lo) + (log(hi) - log(lo)) * (rand() / (RAND_MAX + 1.0)));
}

/* Random parameters log-uniform (alpha, b over [1e-6, 1e6]; r, a over
 * [1e-3, 1e3]: mixed extremes beyond that, such as r = 1e5 with a = 1e-4,
 * can make E[Y] return CLV_ENUMERIC, never a wrong number) and random rows
 * (x up to 5000, T up to 3650, t_x anywhere in [0, T] including T): every
 * prediction is finite, probabilities lie in [0, 1], expectations grow with
 * t. */
static void test_properties(void **state) {
  (void)state;
  enum { N = 64 };
  double x[N], tx[N], T[N], pa[N], e1[N], e2[N], pn[N], nx[N];
  srand(12345);
  for (int trial = 0; trial < 60; trial++) {
    clv_model *m = bg(logu(1e-3, 1e3), logu(1e-6, 1e6), logu(1e-3, 1e3),
                      logu(1e-6, 1e6), CLV_UNIT_DAY);
    for (int i = 0; i < N; i++) {
      x[i] = i % 4 == 0 ? 0 : floor(logu(1, 5000));
      T[i] = logu(0.01, 3650);
      tx[i] = x[i] == 0
                  ? 0
                  : (i % 3 == 0 ? T[i] : T[i] * (rand() / (RAND_MAX + 1.0)));
    }
    clv_summary *s = NULL;
    assert_int_equal(
        clv_summary_from_arrays(&s, CLV_UNIT_DAY, N, x, tx, T, NULL, NULL), 0);
    assert_int_equal(clv_p_alive(m, s, pa), CLV_OK);
    int rc1 = clv_expected_purchases(m, s, 30, e1);
    int rc2 = clv_expected_purchases(m, s, 3650, e2);
    /* KNOWN WEAKNESS: a few mixed-extreme parameter sets make the series
     * and both quadratures fail; that must be a status, not a number. */
    assert_true(rc1 == CLV_OK || rc1 == CLV_ENUMERIC);
    assert_true(rc2 == CLV_OK || rc2 == CLV_ENUMERIC);
    if (rc1 || rc2) {
      print_message("trial %d: E[Y] reported CLV_ENUMERIC\n", trial);
      for (int i = 0; i < N; i++)
        e1[i] = e2[i] = 0;
    }
    assert_int_equal(clv_prob_no_purchase(m, s, 30, pn), CLV_OK);
    assert_int_equal(clv_next_purchase(m, s, 0.5, nx), CLV_OK);
    for (int i = 0; i < N; i++) {
      assert_true(pa[i] >= 0 && pa[i] <= 1);
      assert_true(isfinite(e1[i]) && e1[i] >= 0);
      if (!(isfinite(e2[i]) && e2[i] >= e1[i] * (1 - 1e-9)))
        print_error("trial %d row %d: E[Y(30)] %.17g E[Y(3650)] %.17g\n", trial,
                    i, e1[i], e2[i]);
      assert_true(isfinite(e2[i]) && e2[i] >= e1[i] * (1 - 1e-9));
      assert_true(pn[i] >= 0 && pn[i] <= 1);
      assert_true(nx[i] >= 0);
    }
    double en;
    int rcn = clv_expected_purchases_new(m, 365, &en);
    assert_true(rcn == CLV_OK || rcn == CLV_ENUMERIC);
    assert_true(rcn || (isfinite(en) && en >= 0));
    clv_summary_free(s);
    clv_model_free(m);
  }
}

/* CLV by hand: with d = 0 the discounted sum telescopes to E[Y(H)]; with
 * P = H/2 it is E[Y(P)]/(1+d) + (E[Y(H)] - E[Y(P)])/(1+d)^2, computed here
 * from clv_expected_purchases (the direct path, one t at a time). */
static void test_value(void **state) {
  (void)state;
  clv_model *m = bg(0.243, 4.414, 0.793, 2.426, CLV_UNIT_WEEK);
  double gp[3] = {6.25, 3.74, 15.44}, x[3] = {2, 0, 26},
         tx[3] = {30.43, 0, 30.86}, T[3] = {38.86, 38.86, 31},
         mm[3] = {22.35, 0, 40};
  clv_model *g = NULL;
  clv_summary *s = NULL;
  assert_int_equal(clv_model_new("gg", gp, CLV_UNIT_WEEK, &g), 0);
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 3, x, tx, T, mm, NULL), 0);
  double v[3], eh[3], ep[3], sp[3], newv, en, enp;
  clv_value_opts o;
  clv_value_opts_init(&o);
  o.horizon = 52;
  o.margin = 0.3;
  o.discount_rate = 0;
  o.discount_period = 4.35;
  assert_int_equal(clv_customer_value(m, g, s, &o, v), CLV_OK);
  assert_int_equal(clv_expected_purchases(m, s, 52, eh), CLV_OK);
  assert_int_equal(clv_expected_spend(g, s, sp), CLV_OK);
  for (int i = 0; i < 3; i++)
    assert_close(v[i], 0.3 * sp[i] * eh[i], 1e-12, 1e-10);
  o.discount_rate = 0.1;
  o.discount_period = 26;
  assert_int_equal(clv_customer_value(m, g, s, &o, v), CLV_OK);
  assert_int_equal(clv_expected_purchases(m, s, 26, ep), CLV_OK);
  for (int i = 0; i < 3; i++)
    assert_close(v[i], 0.3 * sp[i] * (ep[i] / 1.1 + (eh[i] - ep[i]) / 1.21),
                 1e-12, 1e-10);
  /* New customer: E[X(t)] and the population mean spend. */
  assert_int_equal(clv_new_customer_value(m, g, &o, &newv), CLV_OK);
  assert_int_equal(clv_expected_purchases_new(m, 52, &en), 0);
  assert_int_equal(clv_expected_purchases_new(m, 26, &enp), 0);
  assert_close(newv,
               0.3 * (6.25 * 15.44 / 2.74) * (enp / 1.1 + (en - enp) / 1.21),
               1e-12, 1e-10);
  /* A horizon that is not a whole number of periods: the last period is
   * cut at H (P = 20, H = 52: points 20, 40, 52). */
  o.discount_period = 20;
  double e20[3], e40[3];
  assert_int_equal(clv_customer_value(m, NULL, s, &o, v), CLV_OK);
  assert_int_equal(clv_expected_purchases(m, s, 20, e20), 0);
  assert_int_equal(clv_expected_purchases(m, s, 40, e40), 0);
  for (int i = 0; i < 3; i++)
    assert_close(v[i],
                 0.3 * (e20[i] / 1.1 + (e40[i] - e20[i]) / 1.21 +
                        (eh[i] - e40[i]) / 1.331),
                 1e-12, 1e-10);
  /* Bad options and a unit mismatch are refused. */
  o.discount_period = 0;
  assert_int_equal(clv_customer_value(m, g, s, &o, v), CLV_EINVAL);
  clv_summary *sd = one(1, 1, 2, CLV_UNIT_DAY);
  assert_int_equal(clv_p_alive(m, sd, v), CLV_EINVAL);
  assert_int_equal(clv_p_alive(g, s, v), CLV_EUNSUPPORTED);
  clv_summary_free(sd);
  clv_summary_free(s);
  clv_model_free(g);
  clv_model_free(m);
}

/* P(no purchase) and the next-purchase quantile by hand at x = 0 (alive for
 * sure): P = (alpha/(alpha+t))^r and the median solves
 * (alpha/(alpha+w))^r = 1/2, w = alpha (2^(1/r) - 1). */
static void test_no_purchase_and_next(void **state) {
  (void)state;
  clv_model *m = bg(0.5, 4, 0.8, 2.5, CLV_UNIT_WEEK);
  clv_summary *s = one(0, 0, 10, CLV_UNIT_WEEK);
  double p, w;
  assert_int_equal(clv_prob_no_purchase(m, s, 6, &p), CLV_OK);
  assert_close(p, pow(14.0 / 20.0, 0.5), 0, 1e-14);
  assert_int_equal(clv_next_purchase(m, s, 0.5, &w), CLV_OK);
  assert_close(w, 14 * (pow(2.0, 2.0) - 1), 0, 1e-14);
  assert_int_equal(clv_next_purchase(m, s, 1.0, &w), CLV_EINVAL);
  clv_summary_free(s);
  clv_model_free(m);
}

/* The one-pass table of clv_predictions_compute() against the separate
 * prediction functions, which compute each column on their own (P(alive)
 * per row, E[Y] per distinct (x, T), ...): same numbers to 1e-12 relative.
 * Summaries of random customers: whole days (the dense (x, T) table) and
 * fractional weeks (the hashed pairs), with and without a spend model and
 * amounts, large enough (60,000 rows, over 2,000 distinct (x, T)) that both
 * passes run on two threads, and a tiny one that runs on one. */
static void test_fused_table(void **state) {
  (void)state;
  static const size_t sizes[] = {60000, 7};
  srand(777);
  for (int variant = 0; variant < 6; variant++) {
    int whole = variant % 2 == 0, with_spend = variant / 2 != 1;
    int with_m = variant / 2 != 2;
    size_t n = sizes[variant >= 4];
    clv_unit u = whole ? CLV_UNIT_DAY : CLV_UNIT_WEEK;
    double *x = malloc(n * sizeof *x), *tx = malloc(n * sizeof *tx);
    double *T = malloc(n * sizeof *T), *m = malloc(n * sizeof *m);
    double *col = malloc(n * sizeof *col);
    assert_non_null(x && tx && T && m && col);
    for (size_t i = 0; i < n; i++) {
      double r = rand() / (RAND_MAX + 1.0);
      x[i] = floor(r * r * 60);
      /* 80 distinct ages: whole days, or weeks with a fraction. */
      T[i] = whole ? 30 + 7 * (rand() % 80) : 4.3 + 0.7 * (rand() % 80);
      tx[i] = x[i] == 0
                  ? 0
                  : (i % 5 == 0 ? T[i] : T[i] * (rand() / (RAND_MAX + 1.0)));
      if (whole)
        tx[i] = floor(tx[i]);
      m[i] =
          x[i] == 0 || i % 97 == 0 ? 0 : 5 + 100 * (rand() / (RAND_MAX + 1.0));
    }
    clv_summary *s = NULL;
    assert_int_equal(
        clv_summary_from_arrays(&s, u, n, x, tx, T, with_m ? m : NULL, NULL),
        CLV_OK);
    double bp[4] = {0.243, whole ? 30.898 : 4.414, 0.793, 2.426};
    double gp[3] = {6.25, 3.74, 15.44};
    clv_model *bgm = bg(bp[0], bp[1], bp[2], bp[3], u), *g = NULL;
    assert_int_equal(clv_model_new("gg", gp, u, &g), CLV_OK);
    clv_model *sp = with_spend ? g : NULL;
    clv_value_opts o;
    clv_value_opts_init(&o);
    o.horizon = whole ? 365.2425 : 52;
    o.margin = 0.3;
    o.discount_rate = 0.008;
    o.discount_period = whole ? 365.2425 / 12 : 5; /* 52/5: a cut period */
    clv_predictions *p = NULL;
    assert_int_equal(clv_predictions_compute(bgm, sp, s, &o, &p), CLV_OK);
    assert_int_equal(p->rows, n);
    assert_int_equal(clv_p_alive(bgm, s, col), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(p->p_alive[i], col[i], 0, 1e-12);
    assert_int_equal(clv_expected_purchases(bgm, s, o.horizon, col), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(p->expected[i], col[i], 0, 1e-12);
    assert_int_equal(clv_prob_no_purchase(bgm, s, o.horizon, col), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(p->prob_none[i], col[i], 0, 1e-12);
    assert_int_equal(clv_next_purchase(bgm, s, 0.5, col), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(p->next_purchase[i], col[i], 0, 1e-12);
    assert_int_equal(clv_customer_value(bgm, sp, s, &o, col), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(p->value[i], col[i], 0, 1e-12);
    if (with_spend) {
      assert_int_equal(clv_expected_spend(g, s, col), CLV_OK);
      for (size_t i = 0; i < n; i++)
        assert_close(p->expected_spend[i], col[i], 0, 1e-12);
    } else {
      assert_null(p->expected_spend);
    }
    double en, ev;
    assert_int_equal(clv_expected_purchases_new(bgm, o.horizon, &en), CLV_OK);
    assert_int_equal(clv_new_customer_value(bgm, sp, &o, &ev), CLV_OK);
    assert_close(p->new_expected, en, 0, 1e-12);
    /* The first purchase at the mean spend p gamma / (q - 1) (or 1). */
    double first = o.margin * (with_spend ? 6.25 * 15.44 / 2.74 : 1.0);
    assert_close(p->new_value, first + ev, 0, 1e-12);
    clv_predictions_free(p);
    /* Failures keep the statuses of the separate functions. */
    o.discount_period = 0;
    assert_int_equal(clv_predictions_compute(bgm, sp, s, &o, &p), CLV_EINVAL);
    assert_null(p);
    clv_model_free(bgm);
    clv_model_free(g);
    clv_summary_free(s);
    free(x);
    free(tx);
    free(T);
    free(m);
    free(col);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_extremes),
      cmocka_unit_test(test_properties),
      cmocka_unit_test(test_value),
      cmocka_unit_test(test_no_purchase_and_next),
      cmocka_unit_test(test_fused_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
