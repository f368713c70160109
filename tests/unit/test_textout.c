/*
 * test_textout.c - clv__fmt_sig(), the printf-free "%.Ng" of the prediction
 * writer, against printf itself; clv__fmt_num()'s integer fast path against
 * its printf/strtod definition (clv__fmt_num_slow) and by hand.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textout.h"

/* Hand-checked cases, including the carry (9.9999999996 -> "10"), the
 * boundaries of the fast path and negative numbers. */
static void test_cases(void **state) {
  (void)state;
  static const struct {
    double v;
    const char *want;
  } cases[] = {
      {0, "0"},
      {1, "1"},
      {-2.5, "-2.5"},
      {0.1, "0.1"},
      {1.226, "1.226"},
      {25.75659, "25.75659"},
      {9.99999999996, "10"},
      {0.00012345678912, "0.0001234567891"},
      {123456789.125, "123456789.1"},
      {1234567890, "1234567890"},
      {12345678901.0, "1.23456789e+10"},
      {1e-6, "1e-06"},
      {0.9688523, "0.9688523"},
  };
  char buf[40];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    clv__fmt_sig(cases[i].v, 10, buf, sizeof buf);
    if (strcmp(buf, cases[i].want) != 0)
      fail_msg("%.17g: got %s, want %s", cases[i].v, buf, cases[i].want);
  }
}

/* Random values over 24 orders of magnitude, and money-like values with a
 * 5 in the 11th digit (halfway cases): the text equals printf's "%.10g". */
static void test_against_printf(void **state) {
  (void)state;
  char mine[40], ref[40];
  unsigned long long x = 88172645463325252ULL;
  size_t n = 300000, differ = 0;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double u = (double)(x >> 11) / 9007199254740992.0;
    double v = pow(10.0, -8 + 24 * u) * ((x & 1) ? -1 : 1);
    if (i % 7 == 0) /* round values with few digits, as money and counts */
      v = floor(v * 100) / 100;
    clv__fmt_sig(v, 10, mine, sizeof mine);
    snprintf(ref, sizeof ref, "%.10g", v);
    if (strcmp(mine, ref) != 0 && differ++ < 5)
      fprintf(stderr, "%.17g: %s, printf %s\n", v, mine, ref);
  }
  if (differ > 0)
    fail_msg("%zu of %zu values differ from printf", differ, n);
}

/* clv__fmt_num() by hand: weeks (days / 7) need 16 or 17 digits, means of
 * cents often 16, short decimals take the fixed-point form, money (5e-15)
 * hides binary noise, and the fast path's edges (2^-13, 2^52, exponent
 * forms) give printf's text. */
static void test_fmt_num_cases(void **state) {
  (void)state;
  static const struct {
    double v, tol;
    const char *want;
  } cases[] = {
      {213.0 / 7, 0, "30.428571428571427"},
      {272.0 / 7, 0, "38.857142857142854"},
      {545.0 / 7, 0, "77.85714285714286"},
      {36.0 / 7, 0, "5.142857142857143"},
      {260.04 / 7, 5e-15, "37.14857142857143"},
      {260.04 / 7, 0, "37.14857142857143"},
      {22.954, 5e-15, "22.954"},
      {45.91 / 2, 5e-15, "22.955"},
      {0.1 + 0.2, 0, "0.30000000000000004"},
      {0.1 + 0.2, 5e-15, "0.3"},
      {29.33 + 29.73 + 14.96, 5e-15, "74.02"},
      {29.33 + 29.73 + 14.96, 0, "74.02000000000001"},
      {-1.0 / 3, 0, "-0.3333333333333333"},
      {2.0 / 3, 0, "0.6666666666666666"},
      {1e-7, 0, "0.0000001"},
      {0.0009765625, 0, "0.0009765625"},
      {0.00012207031250000001, 0, "0.0001220703125"},
      {1.0 / 3e4, 0, "3.3333333333333335e-05"},
      {4503599627370495.5, 0, "4503599627370495.5"},
      {4503599627370496.0, 0, "4503599627370496"},
      {1e15 / 3, 0, "333333333333333.3"},
      {-0.0, 0, "0"},
      {12345678.9, 0, "12345678.9"},
      {123456789.01, 5e-15, "123456789.01"},
  };
  char buf[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = clv__fmt_num(cases[i].v, cases[i].tol, buf, sizeof buf);
    if (strcmp(buf, cases[i].want) != 0 || n != strlen(cases[i].want))
      fail_msg("%.17g (tol %g): got %s, want %s", cases[i].v, cases[i].tol, buf,
               cases[i].want);
  }
  /* A small buffer takes the same text (or the slow path's truncation). */
  char small[20];
  clv__fmt_num(213.0 / 7, 0, small, sizeof small);
  assert_string_equal(small, "30.428571428571427");
}

static uint64_t xorshift(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* One value of a mix: any bit pattern, all magnitudes, cents and their
 * sums and means, weeks, months, values near 1e9, 2^52 and 2^53, tiny
 * values, dyadic fractions, powers of two, short decimals. */
static double gen_value(uint64_t *x, long i) {
  uint64_t r = xorshift(x);
  double u = (double)(xorshift(x) >> 11) / 9007199254740992.0, v;
  switch (i % 12) {
  case 0:
    memcpy(&v, &r, sizeof v);
    return isfinite(v) ? v : 1.5;
  case 1:
    return pow(10.0, -8 + 26 * u);
  case 2:
    return (double)(r % 10000000) / 100.0;
  case 3: {
    double s = 0;
    for (uint64_t k = 0; k <= r % 30; k++)
      s += (double)(xorshift(x) % 100000) / 100.0;
    return s / (double)(1 + xorshift(x) % 40);
  }
  case 4:
    return (double)(r % 100000) / 7.0;
  case 5:
    return (double)(r % 100000) / 30.4375;
  case 6:
    return 1e9 + (double)((int64_t)(r % 2000001) - 1000000) / 1000.0;
  case 7:
    return 4503599627370496.0 + (double)((int64_t)(r % 2001) - 1000) / 2;
  case 8:
    return 9007199254740992.0 + (double)((int64_t)(r % 2001) - 1000) * 2;
  case 9:
    return ldexp((double)(r >> 11), -(int)(xorshift(x) % 110));
  case 10:
    return (double)(r % 100000000) / pow(10, (double)(xorshift(x) % 10));
  default:
    return 1e-5 * (1 + u * 1e-3);
  }
}

/* The fast path gives the bytes of clv__fmt_num_slow() (printf and strtod)
 * for every value of the mix, its neighbours one unit away, both signs,
 * and the tolerances the writers use. */
static void test_fmt_num_fast_equals_slow(void **state) {
  (void)state;
  static const double tols[] = {0, 5e-15, 1e-12};
  uint64_t x = 0x2545F4914F6CDD1Dull;
  char fast[64], slow[64];
  long compared = 0;
  for (long i = 0; i < 200000; i++) {
    double v = gen_value(&x, i);
    if (i & 1)
      v = -v;
    double vs[3] = {v, nextafter(v, INFINITY), nextafter(v, -INFINITY)};
    for (int j = 0; j < 3; j++)
      for (int t = 0; t < 3; t++) {
        size_t nf = clv__fmt_num(vs[j], tols[t], fast, sizeof fast);
        size_t ns = clv__fmt_num_slow(vs[j], tols[t], slow, sizeof slow);
        if (nf != ns || strcmp(fast, slow) != 0)
          fail_msg("%.17g (tol %g): fast %s, slow %s", vs[j], tols[t], fast,
                   slow);
        compared++;
      }
  }
  assert_true(compared == 1800000);
}

/* Without a tolerance the text reads back to the same double, and with
 * 5e-15 it reads back within 5e-15 relative. */
static void test_fmt_num_round_trip(void **state) {
  (void)state;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  char buf[64];
  for (long i = 0; i < 200000; i++) {
    double v = gen_value(&x, i);
    clv__fmt_num(v, 0, buf, sizeof buf);
    if (strtod(buf, NULL) != v)
      fail_msg("%.17g: wrote %s, which reads back differently", v, buf);
    clv__fmt_num(v, 5e-15, buf, sizeof buf);
    double back = strtod(buf, NULL);
    if (!(fabs(back - v) <= 5e-15 * fabs(v)))
      fail_msg("%.17g: wrote %s, more than 5e-15 away", v, buf);
  }
}

/* clv__put_uint() by hand at every length. */
static void test_put_uint(void **state) {
  (void)state;
  static const uint64_t vals[] = {
      0,         7,    10,        99,   100,
      999,       1000, 123456789, 1e15, 4503599627370495ull,
      UINT64_MAX};
  static const char *want[] = {"0",
                               "7",
                               "10",
                               "99",
                               "100",
                               "999",
                               "1000",
                               "123456789",
                               "1000000000000000",
                               "4503599627370495",
                               "18446744073709551615"};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    char buf[32];
    char *e = clv__put_uint(vals[i], buf);
    *e = '\0';
    assert_string_equal(buf, want[i]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_against_printf),
      cmocka_unit_test(test_fmt_num_cases),
      cmocka_unit_test(test_fmt_num_fast_equals_slow),
      cmocka_unit_test(test_fmt_num_round_trip),
      cmocka_unit_test(test_put_uint)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
