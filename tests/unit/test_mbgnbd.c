/*
 * test_mbgnbd.c - the MBG/NBD model (Batislam, Denizel & Filiztekin 2007)
 * against published.md section 7 (the CDNOW fit of lifetimes / btyd /
 * BTYDplus and btyd's single-customer log-likelihood), and its
 * consistency: fast likelihood == the paper's formula, analytic gradient
 * == finite differences, the pmf summing to 1 with the right mean, the
 * BG/NBD limit, finite predictions on extreme customers, and
 * simulate-then-fit.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

extern const clv__family clv__family_mbgnbd;

static const clv__family *const F = &clv__family_mbgnbd;

/* [V] MLE on the CDNOW sample (published.md section 7). */
static const double MLE[4] = {0.5248, 6.1831, 0.8914, 1.6140};

static clv_summary *read_weeks(const char *path) {
  return clv_test_read_summary(path, CLV_UNIT_WEEK);
}

static clv_summary *one(double x, double tx, double T) {
  return clv_test_one(CLV_UNIT_WEEK, x, tx, T);
}

static int loglik(const clv_summary *s, const double *p, double *ll,
                  double *g) {
  return clv_test_family_loglik(F, s, p, ll, g);
}

/* btyd's test: one customer x=200, t_x=38, T=40 at (0.53, 6.18, 0.89,
 * 1.614) has log-likelihood 91.808242 ([R] and [V]). */
static void test_single_customer(void **state) {
  (void)state;
  static const double p[4] = {0.53, 6.18, 0.89, 1.614};
  static const double key[3] = {200, 38, 40};
  clv_summary *s = one(200, 38, 40);
  double ll;
  assert_int_equal(loglik(s, p, &ll, NULL), CLV_OK);
  assert_close(ll, 91.808242, 5e-7, 0);
  assert_close(F->row_ll(p, key), 91.808242, 5e-7, 0);
  clv_summary_free(s);
}

/* The CDNOW fit: lifetimes 0.525, 6.183, 0.891, 1.614 (3 decimals); [V]
 * 0.5248, 6.1831, 0.8914, 1.6140 with LL -9582.136. */
static void test_fit_cdnow(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const double lt[4] = {0.525, 6.183, 0.891, 1.614};
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  clv_error err;
  double ll;
  assert_int_equal(loglik(s, MLE, &ll, NULL), CLV_OK);
  assert_close(ll, -9582.136, 0.001, 0);
  assert_int_equal(clv_fit("mbgnbd", s, NULL, &m, &err), CLV_OK);
  const double *p = clv_model_params(m);
  for (int i = 0; i < 4; i++) {
    assert_close(p[i], MLE[i], 0, 2e-4);
    assert_close(p[i], lt[i], 0.0015, 0);
  }
  assert_close(clv_model_loglik(m), -9582.136, 0.001, 0);
  assert_true(clv_model_converged(m));
  clv_model_free(m);
  clv_summary_free(s);
}

/* The fast likelihood equals the paper's two-term formula row by row, and
 * its analytic gradient equals central differences, at ordinary and
 * extreme parameters and rows. */
static void test_gradient(void **state) {
  (void)state;
  static const double params[][4] = {{0.525, 6.183, 0.891, 1.614},
                                     {1e-3, 1e-2, 5e-3, 1e-2},
                                     {50, 300, 40, 80},
                                     {2.0, 0.5, 0.1, 0.05},
                                     {0.5, 2000, 3, 0.9}};
  static const double rows[][3] = {
      {0, 0, 38.86}, {1, 1.71, 38.86},   {2, 30.43, 38.86}, {26, 30.85, 31},
      {200, 38, 40}, {5000, 3650, 3650}, {3, 3650, 3650},   {1, 0.5, 3650}};
  for (size_t pi = 0; pi < sizeof params / sizeof params[0]; pi++) {
    for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
      clv_summary *s = one(rows[ri][0], rows[ri][1], rows[ri][2]);
      double p[4], ll, g[4];
      memcpy(p, params[pi], sizeof p);
      assert_int_equal(loglik(s, p, &ll, g), CLV_OK);
      assert_close(ll, F->row_ll(p, rows[ri]), 1e-9, 1e-11);
      {
        char label[64];
        snprintf(label, sizeof label, "params %zu row %zu", pi, ri);
        clv_test_check_gradient(F, s, p, ll, g, label);
      }
      clv_summary_free(s);
    }
  }
}

/* Hand checks of the model's story. A customer with x = 0 may be dead:
 * P(alive | 0, 0, T) = 1 / (1 + a/b ((alpha+T)/alpha)^r), below 1 even at
 * T = 0, where it is E[1 - p] = b/(a+b). The new customer's expected
 * purchases E[X(t)] = P(alive at 0) E[Y(t) | alive, 0, 0] equal the mean of
 * the pmf, and tend to E[(1-p)/p] = b/(a-1) as t -> inf (a > 1). */
static void test_story(void **state) {
  (void)state;
  const double *p = MLE;
  double a = p[2], b = p[3];
  assert_close(F->p_alive(p, 0, 0, 0), b / (a + b), 1e-15, 0);
  double want = 1 / (1 + a / b * pow((p[1] + 39) / p[1], p[0]));
  assert_close(F->p_alive(p, 0, 0, 39), want, 1e-14, 0);
  assert_true(F->p_alive(p, 0, 0, 39) < 1);
  static const double ts[3] = {1, 39, 400};
  for (int k = 0; k < 3; k++) {
    double sum = 0, mean = 0, v, e;
    for (int n = 0; n < 4000; n++) {
      assert_int_equal(F->pmf(p, ts[k], n, &v), CLV_OK);
      sum += v;
      mean += n * v;
    }
    assert_int_equal(F->expect_alive(p, 0, 0, ts[k], &e), CLV_OK);
    assert_close(sum, 1.0, 1e-9, 0);
    assert_close(mean, F->p_alive(p, 0, 0, 0) * e, 0, 1e-7);
  }
  /* P(X(t) = 0) = a/(a+b) + b/(a+b) (alpha/(alpha+t))^r: dead at once, or
   * alive without purchases. */
  double v;
  assert_int_equal(F->pmf(p, 39, 0, &v), CLV_OK);
  assert_close(v, a / (a + b) + b / (a + b) * pow(p[1] / (p[1] + 39), p[0]),
               1e-14, 0);
  /* With lambda ~ Gamma(5, 6) nearly every customer has bought until
   * dropping out by t = 1e4: E[X] = b/(a-1) = 2 less the customers with a
   * tiny p still buying, E[(1-p)/p (1 + p t/alpha)^-r], about 4e-5. */
  static const double a2[4] = {5, 6, 2.5, 3};
  double e;
  assert_int_equal(F->expect_alive(a2, 0, 0, 1e4, &e), CLV_OK);
  assert_close(F->p_alive(a2, 0, 0, 0) * e, 3 / 1.5, 0, 1e-4);
  assert_true(F->p_alive(a2, 0, 0, 0) * e < 2);
}

/* The public new-customer figures carry the MBG/NBD's drop-out at the first
 * purchase: clv_expected_purchases_new() equals the mean of the public pmf
 * (which counts the customers dead at once as zeros), and the value of a
 * new customer with spend 1, margin 1 and no discounting equals it too.
 * Before the fix they were E[X(t) | alive at 0], (a+b)/b = 1.55 times too
 * high at the CDNOW fit. */
static void test_new_customer_public(void **state) {
  (void)state;
  clv_model *m = NULL;
  assert_int_equal(clv_model_new("mbgnbd", MLE, CLV_UNIT_WEEK, &m), CLV_OK);
  static const double ts[2] = {39, 78};
  for (int k = 0; k < 2; k++) {
    double mean = 0, v, e, val;
    for (int n = 0; n < 4000; n++) {
      assert_int_equal(clv_pmf(m, ts[k], n, &v), CLV_OK);
      mean += n * v;
    }
    assert_int_equal(clv_expected_purchases_new(m, ts[k], &e), CLV_OK);
    assert_close(e, mean, 0, 1e-7);
    clv_value_opts o;
    clv_value_opts_init(&o);
    o.horizon = ts[k];
    o.discount_period = ts[k];
    o.discount_rate = 0;
    o.margin = 1;
    assert_int_equal(clv_new_customer_value(m, NULL, &o, &val), CLV_OK);
    assert_close(val, e, 0, 1e-10);
  }
  clv_model_free(m);
}

/* Predictions on extreme customers and parameters are finite and in range
 * (random draws on a log scale, as test_pnbd.c). */
static void test_properties(void **state) {
  (void)state;
  unsigned long long u = 88172645463325252ull;
  for (int it = 0; it < 3000; it++) {
    double v[8];
    for (int j = 0; j < 8; j++) {
      u ^= u << 13;
      u ^= u >> 7;
      u ^= u << 17;
      v[j] = (double)(u >> 11) / 9007199254740992.0;
    }
    double p[4] = {exp(-4 + 8 * v[0]), exp(-3 + 10 * v[1]), exp(-4 + 8 * v[2]),
                   exp(-4 + 8 * v[3])};
    double T = exp(-2 + 10 * v[4]);
    double x = floor(exp(9 * v[5])) - 1;
    double tx = x > 0 ? T * v[6] : 0;
    double pa = F->p_alive(p, x, tx, T);
    assert_true(pa >= 0 && pa <= 1);
    double prev = 0;
    for (double t = 1; t <= 1e4; t *= 10) {
      double e;
      /* Saturated expectations may wobble in the last digits. */
      int rc = F->expect_alive(p, x, T, t * v[7] + t, &e);
      if (rc || !(isfinite(e) && e >= prev * (1 - 1e-10)))
        print_error("p %g %g %g %g row %g %g %g t %g: rc %d E %.17g after "
                    "%.17g\n",
                    p[0], p[1], p[2], p[3], x, tx, T, t * v[7] + t, rc, e,
                    prev);
      assert_int_equal(rc, CLV_OK);
      assert_true(isfinite(e) && e >= prev * (1 - 1e-10));
      prev = e;
    }
    double ll;
    clv_summary *s = one(x, tx, T);
    assert_int_equal(loglik(s, p, &ll, NULL), CLV_OK);
    assert_true(isfinite(ll));
    clv_summary_free(s);
  }
}

/* Simulate-then-fit: 20,000 customers from src/simulate.c's MBG/NBD story
 * (the drop-out coin also after the first purchase) at the CDNOW
 * parameters; every estimate within 3.5 SE of the truth on 2 seeds. */
static void test_recovery(void **state) {
  (void)state;
  static const double truth[4] = {0.525, 6.183, 0.891, 1.614};
  clv_test_recovery("mbgnbd", truth, 20000, 700, 2, 3.5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_single_customer),
      cmocka_unit_test(test_fit_cdnow),
      cmocka_unit_test(test_gradient),
      cmocka_unit_test(test_story),
      cmocka_unit_test(test_properties),
      cmocka_unit_test(test_recovery),
      cmocka_unit_test(test_new_customer_public),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
