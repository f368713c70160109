/* test_status.c - the status list, error formatting and calendar days. */
#include "testutil.h"

#include <string.h>

static void test_strerror(void **state) {
  (void)state;
  assert_int_equal(CLV_OK, 0);
  assert_string_equal(clv_strerror(CLV_OK), "success");
  assert_string_equal(clv_status_name(CLV_EPARSE), "EPARSE");
  assert_string_equal(clv_strerror(-1), "unknown status");
  assert_string_equal(clv_strerror(CLV__STATUS_COUNT), "unknown status");
  for (int s = 0; s < CLV__STATUS_COUNT; s++)
    assert_true(strlen(clv_strerror(s)) > 0);
}

static void test_error_format(void **state) {
  (void)state;
  clv_error e;
  char buf[128];
  clv_error_clear(&e);
  e.status = CLV_EPARSE;
  strcpy(e.file, "orders.csv");
  e.line = 42;
  e.column = 3;
  strcpy(e.message, "expected a number, got \"abc\"");
  assert_string_equal(clv_error_format(&e, buf, sizeof buf),
                      "orders.csv:42:3: expected a number, got \"abc\"");
  e.column = 0;
  e.message[0] = '\0';
  assert_string_equal(clv_error_format(&e, buf, sizeof buf),
                      "orders.csv:42: malformed input data");
}

/* Known day numbers: 1970-01-01 is 0, 2000-03-01 is 11017 (leap century),
 * 1997-09-30 is 10134; round trips over 400 years (one Gregorian cycle). */
static void test_days(void **state) {
  (void)state;
  char buf[11];
  assert_int_equal(clv_day_from_ymd(1970, 1, 1), 0);
  assert_int_equal(clv_day_from_ymd(2000, 3, 1), 11017);
  assert_int_equal(clv_day_from_ymd(1997, 9, 30), 10134);
  assert_int_equal(clv_day_from_ymd(1969, 12, 31), -1);
  assert_string_equal(clv_day_format(10134, buf), "1997-09-30");
  assert_int_equal(clv_day_weekday(0), 3);     /* Thursday */
  assert_int_equal(clv_day_weekday(10134), 1); /* 1997-09-30, a Tuesday */
  for (int32_t d = clv_day_from_ymd(1900, 1, 1);
       d < clv_day_from_ymd(2300, 1, 1); d++) {
    int y, m, dd;
    clv_day_to_ymd(d, &y, &m, &dd);
    assert_true(clv_ymd_valid(y, m, dd));
    assert_int_equal(clv_day_from_ymd(y, m, dd), d);
  }
  assert_false(clv_ymd_valid(1900, 2, 29));
  assert_true(clv_ymd_valid(2000, 2, 29));
  assert_false(clv_ymd_valid(2023, 4, 31));
}

static void test_units(void **state) {
  (void)state;
  clv_unit u;
  assert_int_equal(clv_unit_parse("weeks", &u), CLV_OK);
  assert_int_equal(u, CLV_UNIT_WEEK);
  assert_int_equal(clv_unit_parse("fortnight", &u), CLV_EINVAL);
  assert_true(clv_unit_days(CLV_UNIT_WEEK) == 7.0);
  assert_string_equal(clv_unit_name(CLV_UNIT_DAY), "day");
}

static void test_summary_table(void **state) {
  (void)state;
  clv_summary *s = NULL;
  double x[] = {0, 2, 5}, tx[] = {0, 3.5, 10}, T[] = {4, 8, 10},
         w[] = {1, 2, 3};
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 3, x, tx, T, NULL, w), CLV_OK);
  assert_int_equal(clv_summary_rows(s), 3);
  assert_true(clv_summary_customers(s) == 6.0);
  assert_string_equal(clv_summary_id(s, 2, NULL), "3");
  assert_null(clv_summary_col(s, CLV_COL_M));
  assert_true(clv_summary_col(s, CLV_COL_TX)[1] == 3.5);
  clv_summary_row bad = {{0}};
  bad.v[CLV_COL_TX] = 5;
  bad.v[CLV_COL_T] = 4; /* recency after the end of observation */
  bad.v[CLV_COL_WEIGHT] = 1;
  assert_int_equal(clv_summary_append(s, "x", 1, &bad), CLV_EDOMAIN);
  clv_summary_free(s);
  clv_summary_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strerror), cmocka_unit_test(test_error_format),
      cmocka_unit_test(test_days), cmocka_unit_test(test_units),
      cmocka_unit_test(test_summary_table)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
