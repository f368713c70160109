/*
 * test_special.c - special functions (src/special.c), GSL's TEST_SF style:
 * one line per case with the call, the expected value and the tolerance.
 * Reference values are identities checked by hand, or mpmath 1.3 at 40
 * digits (mpmath.hyp2f1, which sums the series in exact rational
 * arithmetic at that precision), recorded here as constants.
 */
#include "testutil.h"

#include <math.h>

#include <gsl/gsl_sf_hyperg.h>

#include "special.h"

#define TEST_SF(expr, want, rel) assert_close((expr), (want), 0, (rel))

static double lf(double a, double b, double c, double z) {
  double v;
  int sign;
  assert_int_equal(clv__log_hyp2f1(a, b, c, z, &v, &sign), CLV_OK);
  assert_int_equal(sign, 1);
  return v;
}

static void test_elementary(void **state) {
  (void)state;
  clv__gsl_init();
  TEST_SF(clv__lngamma(5.0), log(24.0), 1e-15);
  TEST_SF(clv__lngamma(0.5), 0.5 * log(M_PI), 1e-15);
  /* psi(1) = -Euler's gamma; psi(x+1) = psi(x) + 1/x. */
  TEST_SF(clv__digamma(1.0), -0.57721566490153286, 1e-15);
  TEST_SF(clv__digamma(3.5), clv__digamma(2.5) + 1 / 2.5, 1e-15);
  /* B(2, 3) = 1/12; B(a, 1) = 1/a. */
  TEST_SF(clv__lnbeta(2, 3), -log(12.0), 1e-14);
  TEST_SF(clv__lnbeta(1e6, 1), -log(1e6), 1e-12);
  /* (r)_x = r (r+1) ... (r+x-1): (0.5)_3 = 0.5 * 1.5 * 2.5. */
  TEST_SF(clv__lnpoch(0.5, 3), log(1.875), 1e-14);
  /* GSL loses a few digits for large a: 1e-10 is what it delivers. */
  TEST_SF(clv__lnpoch(1e6, 2), log(1e6 * (1e6 + 1)), 1e-10);
  TEST_SF(clv__logsumexp(1000, 1000), 1000 + log(2.0), 1e-15);
  TEST_SF(clv__logsumexp(-INFINITY, 3), 3, 1e-15);
  TEST_SF(clv__log1pexp(800), 800, 1e-15);
  TEST_SF(clv__log1pexp(-800), exp(-800), 1e-12);
  TEST_SF(clv__log1pexp(0), log(2.0), 1e-15);
  TEST_SF(clv__expm1_over(0), 1, 0);
  TEST_SF(clv__expm1_over(1e-10), 1 + 5e-11, 1e-15);
  TEST_SF(clv__log1p_over(1e-10), 1 - 5e-11, 1e-15);
  /* I_x(1, 1) = x; I_x(a, 1) = x^a. */
  double v;
  assert_int_equal(clv__beta_inc(1, 1, 0.3, &v), CLV_OK);
  TEST_SF(v, 0.3, 1e-14);
  assert_int_equal(clv__beta_inc(2.5, 1, 0.3, &v), CLV_OK);
  TEST_SF(v, pow(0.3, 2.5), 1e-13);
  assert_true(isnan(clv__digamma(0.0)) || !isfinite(clv__digamma(0.0)));
}

static void test_hyp2f1(void **state) {
  (void)state;
  /* Identities: 2F1(1,1;2;z) = -log(1-z)/z; 2F1(a,b;b;z) = (1-z)^-a. */
  TEST_SF(lf(1, 1, 2, 0.5), log(2 * log(2.0)), 1e-14);
  TEST_SF(lf(3.7, 2.2, 2.2, 0.9), -3.7 * log(0.1), 1e-12);
  /* mpmath, 40 digits (log 2F1). */
  TEST_SF(lf(0.243, 2.426, 2.219, 0.5), 0.18821830926204302351, 1e-13);
  TEST_SF(lf(0.243, 2.426, 2.219, 0.95), 0.89453035366229180739, 1e-12);
  TEST_SF(lf(100, 200, 150, 0.9), 330.02509837719967411, 1e-13);
  TEST_SF(lf(5000.243, 5002.426, 5002.219, 0.99), 23027.923175549553619, 1e-13);
  TEST_SF(lf(1.5, -0.207, 2.219, 0.999), -0.31448068670414924133, 1e-12);
  TEST_SF(lf(26.243, 28.426, 27.219, 0.6), 25.125987478209623384, 1e-13);
  TEST_SF(lf(0.5, 0.5, 1e-3, 0.3), 4.7243374899655450901, 1e-12);
  TEST_SF(lf(2000, 3, 1000, 0.999), 5561.0245651724780472, 1e-13);
  /* Against GSL where GSL is accurate (moderate parameters). */
  static const double g[][4] = {
      {0.3, 1.7, 2.5, 0.2}, {2.5, 3.5, 1.5, 0.7},  {0.8, 0.6, 3.0, 0.95},
      {10, 4, 12, 0.4},     {1.2, 2.3, 0.7, 0.01}, {0.243, 2.426, 2.219, 0.3}};
  for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
    double want = gsl_sf_hyperg_2F1(g[i][0], g[i][1], g[i][2], g[i][3]);
    TEST_SF(lf(g[i][0], g[i][1], g[i][2], g[i][3]), log(want), 1e-12);
  }
  /* The tail S = (2F1 - 1)/b stays finite as b -> 0:
   * S(a, 0; c; z) = sum_k (a)_k (k-1)! / ((c)_k k!) z^k; with a = c it is
   * sum z^k / k = -log(1 - z). */
  double ls;
  int sign;
  assert_int_equal(clv__hyp2f1_tail(2.5, 0.0, 2.5, 0.6, &ls, &sign), CLV_OK);
  assert_int_equal(sign, 1);
  TEST_SF(exp(ls), -log(0.4), 1e-14);
  /* Domain errors. */
  assert_int_equal(clv__log_hyp2f1(1, 1, 2, 1.0, &ls, &sign), CLV_EDOMAIN);
  assert_int_equal(clv__log_hyp2f1(1, 1, -0.5, 0.5, &ls, &sign), CLV_EDOMAIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_elementary),
      cmocka_unit_test(test_hyp2f1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
