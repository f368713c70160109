/*
 * test_special_powint.c - the Pareto/NBD integral
 *   J(P, Q; m, M) = int_0^inf (m+v)^-P (M+v)^-Q dv
 * and 2F1(a, b; a+1; z) = a J(b, a+1-b; 1-z, 1) (src/special.c), fast up to
 * z -> 1 by splitting the integral. Checked against: high-precision values
 * (mpmath 1.3 at 40 digits: mpmath.hyp2f1, each value also confirmed to 23
 * or more digits by mpmath.quad of the Euler integral
 * a int_0^1 t^(a-1) (1 - z t)^-b dt, split at 1 - 10(1-z) and z), the older
 * general series clv__log_hyp2f1() where it converges, closed forms, and
 * central differences for the analytic derivatives.
 */
#include "testutil.h"

#include <math.h>

#include "special.h"

#define TEST_SF(expr, want, rel) assert_close((expr), (want), 0, (rel))

static double inc(double a, double b, double z) {
  double v = NAN;
  assert_int_equal(clv__log_hyp2f1_inc(a, b, z, &v), CLV_OK);
  return v;
}

/* log 2F1(a, b; a+1; z) from the general function (series, Euler). */
static double general(double a, double b, double z) {
  double v = NAN;
  int sign = 0;
  assert_int_equal(clv__log_hyp2f1(a, b, a + 1, z, &v, &sign), CLV_OK);
  assert_int_equal(sign, 1);
  return v;
}

/* mpmath values (see the file comment): a, b, z, log 2F1(a, b; a+1; z).
 * b = s + 1 with a small s, b = r + x with a large x, and b just above a
 * (the Online Retail fit's s = 2.8e-5). */
static const double mp[][4] = {
    {0.5, 1.3, 0.9, 0.93503712149251036436},
    {0.5, 1.3, 0.99, 1.760395867869788514},
    {0.5, 1.3, 0.999999, 4.6475045260809410411},
    {1.35, 1.0001, 0.999999, 2.8925007388933917354},
    {2.5, 0.6, 0.99, 1.1395376830036379916},
    {101.2, 1.6, 0.999999, 13.408592290906936885},
    {1000.5, 1.606, 0.9, 3.6837460458177703447},
    {1000.5, 1000.0, 0.999999, 13801.69654775145515},
    {1000.5, 999.9, 0.99, 4600.1060832306080739},
    {20.3, 3.0, 0.999999, 29.94847652481261512},
    {0.83, 0.8300279, 0.999999, 1.5383086798462702948},
    {5.83, 5.8300279, 0.999999, 66.917465942802941209},
    /* A large exponent Q = a + 1 - b on the long scale: Gauss-Legendre
     * pieces after the head, or from m when there is no room for one. */
    {10001.2, 0.6, 0.999999, 6.1368007937276111471},
    {1000.5, 1.606, 0.999999, 15.749071687629100647},
    {1000.5, 1.606, 0.99, 7.2588308215351872652},
    {20.3, 3.0, 0.95, 7.8299388547025589071},
    {300.7, 2.5, 0.9999, 19.070558687729163303},
    /* Large P and Q together: the pieces must follow y^-P's decay too. */
    {846.07, 792.9, 0.978, 3022.5195479525766732},
    {60.5, 50.2, 0.95, 147.58513870812478323},
    {2000.5, 1995.0, 0.999, 13774.067277506747025},
};

static void test_high_precision(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof mp / sizeof mp[0]; i++)
    TEST_SF(inc(mp[i][0], mp[i][1], mp[i][2]), mp[i][3], 1e-13);
}

/* Where the general series converges (z up to 0.99 for these parameters)
 * the two must agree to 1e-12, on both sides of the split (z = 0.8 for
 * b >= a, that is Q <= 1, and higher for larger Q). */
static void test_against_series(void **state) {
  (void)state;
  static const double as[] = {0.3, 1.0, 1.35, 4.2, 37.5};
  static const double bf[] = {0.02, 0.1, 0.5, 0.999};
  static const double zs[] = {0.0, 0.1, 0.5, 0.79, 0.81, 0.9, 0.95, 0.99};
  for (size_t i = 0; i < sizeof as / sizeof as[0]; i++)
    for (size_t j = 0; j < sizeof bf / sizeof bf[0]; j++)
      for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
        double a = as[i], b = bf[j] * (a + 1), z = zs[k];
        assert_close(inc(a, b, z), general(a, b, z), 1e-13, 1e-12);
      }
}

/* Closed forms for a = 1: 2F1(1, b; 2; z) = int_0^1 (1 - z t)^-b dt
 * = ((1-z)^(1-b) - 1) / ((b-1) z), and -log(1-z)/z when b = 1; up to
 * 1 - z = 1e-15, with b on both sides of 1 (Q = 2 - b above and below 1).
 * Then the domain errors. */
static void test_closed_forms(void **state) {
  (void)state;
  static const double zs[] = {0.5, 0.9, 0.999, 1 - 1e-9, 1 - 1e-15};
  for (size_t k = 0; k < sizeof zs / sizeof zs[0]; k++) {
    double z = zs[k];
    TEST_SF(inc(1, 1, z), log(-log1p(-z) / z), 1e-13);
    /* b = 1.5: ((1-z)^-0.5 - 1) / (0.5 z). */
    TEST_SF(inc(1, 1.5, z), log(expm1(-0.5 * log1p(-z)) / (0.5 * z)), 1e-13);
    /* b = 0.25 (Q = 1.75): (1 - (1-z)^0.75) / (0.75 z). */
    TEST_SF(inc(1, 0.25, z), log(-expm1(0.75 * log1p(-z)) / (0.75 * z)), 1e-13);
  }
  /* 1 - z given directly, down to 1e-300 (z itself would round to 1). */
  double v;
  assert_int_equal(clv__log_hyp2f1_inc_1mz(1, 1, 1e-300, &v), CLV_OK);
  TEST_SF(v, log(300 * log(10.0)), 1e-13);
  assert_int_equal(clv__log_hyp2f1_inc_1mz(1, 1.5, 1e-300, &v), CLV_OK);
  TEST_SF(v, log(2e150), 1e-13);
  /* Domain. */
  assert_int_equal(clv__log_hyp2f1_inc(1, 1, 1.0, &v), CLV_EDOMAIN);
  assert_int_equal(clv__log_hyp2f1_inc(1, 2.5, 0.5, &v), CLV_EDOMAIN);
  assert_int_equal(clv__log_hyp2f1_inc(0, 0.5, 0.5, &v), CLV_EDOMAIN);
  assert_int_equal(clv__log_hyp2f1_inc_1mz(1, 1, 0, &v), CLV_EDOMAIN);
  clv__powint j;
  assert_int_equal(clv__log_powint(1, 1, 2, 1, &j), CLV_EDOMAIN);
  assert_int_equal(clv__log_powint(0.2, 0.3, 1, 2, &j), CLV_EDOMAIN);
}

static double jl(double P, double Q, double m, double M) {
  clv__powint j;
  assert_int_equal(clv__log_powint(P, Q, m, M, &j), CLV_OK);
  return j.l;
}

/* Analytic derivatives of log J equal central differences (relative step
 * 1e-6), in the series regime and deep in the split regime, with P across
 * the integers where the head's term k = P - 1 is a logarithm, and with a
 * large Q (Gauss-Legendre pieces, with and without a head). */
static void test_derivatives(void **state) {
  (void)state;
  static const double c[][4] = {
      {1.5, 0.6, 3.0, 10.0},    {0.83, 1.0001, 70, 1.2e6},
      {1.83, 2.8e-5, 300, 1e6}, {2.0, 0.3, 1.0, 1e5},
      {3.0, 1.3, 5.0, 1e4},     {0.4, 0.9, 2.0, 1e9},
      {40.2, 1.6, 10, 1e7},     {0.61, 25.5, 12, 4e4},
      {0.6, 1001.8, 1e-3, 1.0}, {1.83, 30, 0.05, 1.0},
      {2.5, 3.5, 1e-4, 1.0},    {792.9, 54.17, 4.44, 206.5},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    double x[4] = {c[i][0], c[i][1], c[i][2], c[i][3]};
    clv__powint j;
    assert_int_equal(clv__log_powint(x[0], x[1], x[2], x[3], &j), CLV_OK);
    double an[4] = {j.dP, j.dQ, j.dm, j.dM};
    for (int k = 0; k < 4; k++) {
      double h = 1e-6 * x[k], xp[4], xm[4];
      for (int i2 = 0; i2 < 4; i2++)
        xp[i2] = xm[i2] = x[i2];
      xp[k] += h;
      xm[k] -= h;
      double fd =
          (jl(xp[0], xp[1], xp[2], xp[3]) - jl(xm[0], xm[1], xm[2], xm[3])) /
          (2 * h);
      /* Rounding in the difference is about 1e-16 |log J| / h. */
      assert_close(an[k], fd, 1e-14 * (1 + fabs(j.l)) / h, 1e-6);
    }
  }
}

static void same(double P, double Q, double m0, double M) {
  clv__powint a, b;
  assert_int_equal(clv__log_powint(P, Q, m0 * (1 + 1e-12), M, &a), CLV_OK);
  assert_int_equal(clv__log_powint(P, Q, m0 * (1 - 1e-12), M, &b), CLV_OK);
  assert_close(a.l, b.l, 1e-12, 1e-12);
  assert_close(a.dP, b.dP, 1e-11, 1e-11);
  assert_close(a.dQ, b.dQ, 1e-11, 1e-11);
  assert_close(a.dm, b.dm, 1e-11, 1e-11);
  assert_close(a.dM, b.dM, 1e-11, 1e-11);
}

/* The split starts where Y = theta (M - m) = 2m; for Q > 2 the pieces
 * without a head start at m = M/10. On either side of each switch
 * (relative 1e-12 apart) the methods give the same value and derivatives
 * to 1e-12: no jump for the optimiser to trip on. */
static void test_continuity(void **state) {
  (void)state;
  static const double pq[][2] = {
      {1.83, 0.6}, {0.9, 1.4}, {12.5, 3.2}, {0.6, 40.0}};
  for (size_t i = 0; i < sizeof pq / sizeof pq[0]; i++) {
    double P = pq[i][0], Q = pq[i][1], M = 100.0;
    double th = 0.5 / (Q > 1 ? Q : 1);
    same(P, Q, th * M / (2 + th), M);
    if (Q > 2)
      same(P, Q, 0.1 * M, M);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_high_precision),
      cmocka_unit_test(test_against_series),
      cmocka_unit_test(test_closed_forms),
      cmocka_unit_test(test_derivatives),
      cmocka_unit_test(test_continuity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
