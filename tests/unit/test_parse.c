/*
 * test_parse.c - clv__parse_amount() and clv__parse_double() (src/parse.c).
 *
 * One line per case: text, expected result (1 = parsed, 0 = rejected) and
 * value. The values are the decimal numbers written in the text; they are
 * compared for exact equality with the C compiler's own conversion of the
 * same decimal literal (which rounds correctly), so a fast path that rounds
 * twice would fail. The hard cases near halfway points are classic
 * correctly-rounded-conversion tests (2^53 + 1, 9007199254740993, 0.1, 1e23,
 * 2.2250738585072011e-308).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

typedef struct num_case {
  const char *in;
  int ok;
  double want;
} num_case;

static const num_case amounts[] = {
    {"11.77", 1, 11.77},
    {"0", 1, 0.0},
    {"-12.50", 1, -12.50},
    {"+3", 1, 3.0},
    {"  42.00  ", 1, 42.0},
    {"\t7\t", 1, 7.0},
    {".5", 1, 0.5},
    {"5.", 1, 5.0},
    {"0.1", 1, 0.1},
    {"2.55", 1, 2.55},
    {"1e3", 1, 1000.0},
    {"1.5E-2", 1, 0.015},
    /* Thousands separators group exactly three digits. */
    {"1,234", 1, 1234.0},
    {"1,234,567.89", 1, 1234567.89},
    {"-12,345.6", 1, -12345.6},
    {"12,5", 0, 0},
    {"1,23", 0, 0},
    {"1234,567", 0, 0},
    {"1,2345", 0, 0},
    {",123", 0, 0},
    {"1,", 0, 0},
    {"1,234.5,6", 0, 0},
    {"1.234,56", 0, 0},
    /* Currency symbols and codes, before or after, with or without blanks. */
    {"$12.50", 1, 12.50},
    {"-$12.50", 1, -12.50},
    {"$-12.50", 1, -12.50},
    {"$ 1,000", 1, 1000.0},
    {"\xE2\x82\xAC"
     "9.99",
     1, 9.99},
    {"9.99 \xE2\x82\xAC", 1, 9.99},
    {"\xC2\xA3"
     "5",
     1, 5.0},
    {"\xC2\xA5"
     "100",
     1, 100.0},
    {"\xEF\xBF\xA5"
     "1,280.00",
     1, 1280.0},
    {"128\xE5\x85\x83", 1, 128.0},
    {"RMB 66.6", 1, 66.6},
    {"CNY88", 1, 88.0},
    {"12.50 USD", 1, 12.50},
    {"eur 3", 1, 3.0},
    {"GBP-4", 1, -4.0},
    {"$12$", 0, 0},
    {"USD 5 EUR", 0, 0},
    {"$", 0, 0},
    {"XYZ 5", 0, 0},
    /* Accounting negatives. */
    {"(12.50)", 1, -12.50},
    {"($1,234.00)", 1, -1234.0},
    {"( 7 )", 1, -7.0},
    {"(12.50", 0, 0},
    {"12.50)", 0, 0},
    {"(-12.50)", 0, 0},
    /* Not amounts. */
    {"", 0, 0},
    {"   ", 0, 0},
    {"-", 0, 0},
    {".", 0, 0},
    {"abc", 0, 0},
    {"12abc", 0, 0},
    {"1 2", 0, 0},
    {"--1", 0, 0},
    {"1e", 0, 0},
    {"1e+", 0, 0},
    {"inf", 0, 0},
    {"nan", 0, 0},
    {"1e400", 0, 0},
    {"0x10", 0, 0},
    /* Exactness: one rounding only. */
    {"9007199254740992", 1, 9007199254740992.0},
    {"9007199254740993", 1, 9007199254740993.0},
    {"123456789012345678901234567890", 1, 123456789012345678901234567890.0},
    {"0.30000000000000004", 1, 0.30000000000000004},
    {"1e23", 1, 1e23},
    {"8.41e21", 1, 8.41e21},
    {"1e22", 1, 1e22},
    {"4.35679e-9", 1, 4.35679e-9},
    {"2.2250738585072011e-308", 1, 2.2250738585072011e-308},
    {"0.000000000000000000000000000001", 1, 1e-30},
    {"1.00000000000000000000000000001", 1, 1.00000000000000000000000000001},
    {"0e999", 1, 0.0},
};

static void run_table(const num_case *t, size_t n,
                      int (*fn)(const char *, size_t, double *),
                      const char *what) {
  for (size_t i = 0; i < n; i++) {
    double v = -999.0;
    int ok = fn(t[i].in, strlen(t[i].in), &v);
    if (ok != t[i].ok)
      fail_msg("%s case %zu \"%s\": returned %d, want %d", what, i, t[i].in, ok,
               t[i].ok);
    if (ok && v != t[i].want)
      fail_msg("%s case %zu \"%s\": %.17g, want %.17g", what, i, t[i].in, v,
               t[i].want);
    if (!ok && v != -999.0)
      fail_msg("%s case %zu \"%s\": wrote a value on failure", what, i,
               t[i].in);
  }
}

static void test_amount_table(void **state) {
  (void)state;
  run_table(amounts, sizeof amounts / sizeof amounts[0], clv__parse_amount,
            "amount");
}

static const num_case doubles[] = {
    {"1", 1, 1.0},      {"-2.5", 1, -2.5}, {" +3e2 ", 1, 300.0},
    {".25", 1, 0.25},   {"39.0", 1, 39.0}, {"0.0000001", 1, 1e-7},
    {"1,234", 0, 0},    {"$5", 0, 0},      {"(5)", 0, 0},
    {"", 0, 0},         {"1.2.3", 0, 0},   {"- 1", 0, 0},
    {"1e-400", 1, 0.0}, {"1e309", 0, 0},   {"NaN", 0, 0},
    {"Infinity", 0, 0},
};

static void test_double_table(void **state) {
  (void)state;
  run_table(doubles, sizeof doubles / sizeof doubles[0], clv__parse_double,
            "double");
}

/* Fields are not NUL-terminated: the parser must stop at n. */
static void test_length_bound(void **state) {
  (void)state;
  double v;
  assert_int_equal(clv__parse_amount("12.5,7", 4, &v), 1);
  assert_true(v == 12.5);
  assert_int_equal(clv__parse_double("3e5x", 3, &v), 1);
  assert_true(v == 3e5);
  /* "3e" alone is an exponent without digits. */
  assert_int_equal(clv__parse_double("3e5x", 2, &v), 0);
  assert_int_equal(clv__parse_amount(NULL, 0, &v), 0);
}

/* Every price with two decimals from 0.00 to 99.99 and a sample of larger
 * ones must equal strtod's correctly rounded value (the fast path divides
 * the integer mantissa by 100 once). */
static void test_amount_matches_strtod(void **state) {
  (void)state;
  char buf[64];
  for (long cents = 0; cents < 2000000; cents += cents < 10000 ? 1 : 997) {
    int n = snprintf(buf, sizeof buf, "%ld.%02ld", cents / 100, cents % 100);
    double v;
    assert_int_equal(clv__parse_amount(buf, (size_t)n, &v), 1);
    assert_true(v == strtod(buf, NULL));
  }
  /* 17 significant digits: the fast path cannot take them all. */
  for (int i = 0; i < 2000; i++) {
    unsigned long long m = 12345678901234567ULL + (unsigned long long)i * 7919;
    int n = snprintf(buf, sizeof buf, "%llu.%03d", m, i % 1000);
    double v;
    assert_int_equal(clv__parse_double(buf, (size_t)n, &v), 1);
    assert_true(v == strtod(buf, NULL));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_amount_table),
      cmocka_unit_test(test_double_table),
      cmocka_unit_test(test_length_bound),
      cmocka_unit_test(test_amount_matches_strtod),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
