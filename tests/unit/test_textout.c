/*
 * test_textout.c - clv__fmt_sig(), the printf-free "%.Ng" of the prediction
 * writer, against printf itself.
 */
#include "testutil.h"

#include <math.h>
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

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases),
                                     cmocka_unit_test(test_against_printf)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
