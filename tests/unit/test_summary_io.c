/*
 * test_summary_io.c - summary CSV/JSON-lines writers and the summary CSV
 * reader (clv's own format, lifetimes', BTYD's), exact round trips and
 * error positions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "textout.h"

#define COL(t, c, i) clv_summary_col((t), (c))[(i)]

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Values that need all 17 digits, money with binary noise, dates and a
 * quoted id: the CSV reads back to the same doubles, the money to 15
 * significant digits, and the text is as written below by hand. */
static void test_write_read_round_trip(void **state) {
  (void)state;
  clv_summary *s, *back;
  unsigned cols = (1u << CLV_COL_M) | (1u << CLV_COL_FIRST_DAY) |
                  (1u << CLV_COL_TOTAL_SPEND);
  assert_int_equal(clv_summary_new(&s, CLV_UNIT_WEEK, cols, 0), CLV_OK);
  clv_summary_row r;
  memset(&r, 0, sizeof r);
  r.v[CLV_COL_X] = 2;
  r.v[CLV_COL_TX] = 213.0 / 7; /* 30.428571428571427 */
  r.v[CLV_COL_T] = 272.0 / 7;
  r.v[CLV_COL_M] = 22.345;
  r.v[CLV_COL_WEIGHT] = 1;
  r.v[CLV_COL_FIRST_DAY] = clv_day_from_ymd(1997, 1, 1);
  r.v[CLV_COL_TOTAL_SPEND] = 29.33 + 29.73 + 14.96; /* 74.02000000000001 */
  assert_int_equal(clv_summary_append(s, "a,\"b\"", 5, &r), CLV_OK);
  r.v[CLV_COL_X] = 0;
  r.v[CLV_COL_TX] = 0;
  r.v[CLV_COL_T] = 1e-7;
  r.v[CLV_COL_M] = -0.0;
  r.v[CLV_COL_TOTAL_SPEND] = -3.5;
  assert_int_equal(clv_summary_append(s, "张三", strlen("张三"), &r), CLV_OK);
  const char *path = clv_test_tmp("rt.csv");
  FILE *f = fopen(path, "wb");
  assert_int_equal(clv_summary_write_csv(s, f), CLV_OK);
  fclose(f);
  assert_string_equal(
      slurp(path),
      "customer_id,frequency,recency,T,monetary_value,first_purchase,"
      "total_spend\n"
      "\"a,\"\"b\"\"\",2,30.428571428571427,38.857142857142854,22.345,"
      "1997-01-01,74.02\n"
      "张三,0,0,0.0000001,0,1997-01-01,-3.5\n");
  assert_int_equal(clv_summary_read_csv(path, CLV_UNIT_WEEK, &back, NULL),
                   CLV_OK);
  assert_int_equal(clv_summary_rows(back), 2);
  assert_string_equal(clv_summary_id(back, 0, NULL), "a,\"b\"");
  assert_string_equal(clv_summary_id(back, 1, NULL), "张三");
  assert_true(COL(back, CLV_COL_TX, 0) == 213.0 / 7);
  assert_true(COL(back, CLV_COL_T, 0) == 272.0 / 7);
  assert_true(COL(back, CLV_COL_T, 1) == 1e-7);
  assert_close(COL(back, CLV_COL_TOTAL_SPEND, 0), 74.02, 0, 0);
  assert_close(COL(back, CLV_COL_FIRST_DAY, 1), clv_day_from_ymd(1997, 1, 1), 0,
               0);
  assert_int_equal(clv_summary_unit(back), CLV_UNIT_WEEK);
  clv_summary_free(back);
  f = fopen(path, "wb");
  assert_int_equal(clv_summary_write_jsonl(s, f), CLV_OK);
  fclose(f);
  assert_string_equal(slurp(path),
                      "{\"customer_id\":\"a,\\\"b\\\"\",\"frequency\":2,"
                      "\"recency\":30.428571428571427,\"T\":38.857142857142854,"
                      "\"monetary_value\":22.345,\"first_purchase\":"
                      "\"1997-01-01\",\"total_spend\":74.02}\n"
                      "{\"customer_id\":\"张三\",\"frequency\":0,"
                      "\"recency\":0,\"T\":0.0000001,\"monetary_value\":0,"
                      "\"first_purchase\":\"1997-01-01\",\"total_spend\":-3.5}"
                      "\n");
  clv_summary_free(s);
}

/* lifetimes' CDNOW summary: README figures 2,357 rows, sum of frequency
 * 2,457, 1,411 customers with x = 0, T from 27.00 to 38.86. */
static void test_read_lifetimes(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "lifetimes/cdnow_customers_summary.csv");
  clv_summary *s;
  assert_int_equal(clv_summary_read_csv(path, CLV_UNIT_WEEK, &s, NULL), CLV_OK);
  size_t n = clv_summary_rows(s), zeros = 0;
  double sum = 0, tmin = 1e9, tmax = 0;
  assert_int_equal(n, 2357);
  for (size_t i = 0; i < n; i++) {
    sum += COL(s, CLV_COL_X, i);
    zeros += COL(s, CLV_COL_X, i) == 0;
    tmin = fmin(tmin, COL(s, CLV_COL_T, i));
    tmax = fmax(tmax, COL(s, CLV_COL_T, i));
  }
  assert_close(sum, 2457, 0, 0);
  assert_int_equal(zeros, 1411);
  assert_close(tmin, 27.00, 1e-12, 0);
  assert_close(tmax, 38.86, 1e-12, 0);
  assert_string_equal(clv_summary_id(s, 0, NULL), "1");
  assert_false(clv_summary_has(s, CLV_COL_M));
  clv_summary_free(s);
  CLV_REQUIRE_DATA(p2,
                   "lifetimes/cdnow_customers_summary_with_transactions.csv");
  assert_int_equal(clv_summary_read_csv(p2, CLV_UNIT_WEEK, &s, NULL), CLV_OK);
  /* README: 946 customers with x > 0, mean zbar over them 35.08. */
  double m = 0;
  size_t k = 0;
  for (size_t i = 0; i < clv_summary_rows(s); i++)
    if (COL(s, CLV_COL_X, i) > 0) {
      m += COL(s, CLV_COL_M, i);
      k++;
    }
  assert_int_equal(k, 946);
  assert_close(m / (double)k, 35.08, 0.005, 0);
  clv_summary_free(s);
}

/* BTYD's cbs (cust,x,t.x,T.cal,x.star) and the grouped donations data
 * (frequency,recency,periods,weights: 11,104 donors in 22 patterns). */
static void test_read_btyd_and_weights(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  clv_summary *s;
  assert_int_equal(clv_summary_read_csv(path, CLV_UNIT_WEEK, &s, NULL), CLV_OK);
  assert_int_equal(clv_summary_rows(s), 2357);
  assert_true(clv_summary_has(s, CLV_COL_X_HOLDOUT));
  assert_close(COL(s, CLV_COL_TX, 0), 30.4285714285714, 1e-12, 0);
  assert_close(COL(s, CLV_COL_X_HOLDOUT, 0), 1, 0, 0);
  clv_summary_free(s);
  CLV_REQUIRE_DATA(p2, "lifetimes/donations.csv");
  assert_int_equal(clv_summary_read_csv(p2, CLV_UNIT_PERIOD, &s, NULL), CLV_OK);
  assert_int_equal(clv_summary_rows(s), 22);
  assert_close(clv_summary_customers(s), 11104, 0, 0);
  assert_close(COL(s, CLV_COL_T, 0), 6, 0, 0);
  clv_summary_free(s);
}

/* Bad summaries: each message names the line and column (by hand). */
static void test_read_errors(void **state) {
  (void)state;
  clv_summary *s;
  clv_error err;
  const char *p = clv_test_write("e1.csv", "id,frequency,recency,T\n"
                                           "a,1,2,3\n"
                                           "b,1,abc,3\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EPARSE);
  assert_null(s);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 5);
  assert_non_null(strstr(err.message, "expected a number in column recency"));
  p = clv_test_write("e2.csv", "id,frequency,recency,T\na,1,5,3\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EPARSE);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 7);
  assert_non_null(strstr(err.message, "T >= recency"));
  p = clv_test_write("e3.csv", "id,frequency,T\na,1,3\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err),
                   CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "recency"));
  p = clv_test_write("e4.csv", "x,t_x,T\n-1,0,1\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EPARSE);
  assert_int_equal(err.column, 1);
  p = clv_test_write("e5.csv", "x,t_x,T\n1,0,nan\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EPARSE);
  p = clv_test_write("e6.csv", "x,t_x,T\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EEMPTY);
  p = clv_test_write("e7.csv", "x,t_x,T\n1,0\n");
  assert_int_equal(clv_summary_read_csv(p, CLV_UNIT_DAY, &s, &err), CLV_EPARSE);
  assert_non_null(strstr(err.message, "expected 3 fields, found 2"));
}

/* What clv summary writes, clv_summary_read_csv() reads back exactly. */
static void test_summarize_then_read(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "BTYD/cdnowElog.csv");
  clv_ingest_opts o;
  clv_summary *a, *b;
  clv_ingest_opts_init(&o);
  o.customer_col = "sampleid";
  o.unit = CLV_UNIT_WEEK;
  o.holdout_day = clv_day_from_ymd(1997, 10, 1);
  assert_int_equal(clv_summarize_file(log, &o, &a, NULL, NULL), CLV_OK);
  const char *path = clv_test_tmp("elog_summary.csv");
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", path);
  FILE *f = fopen(copy, "wb");
  assert_int_equal(
      clv_summarize_file_write(log, &o, f, CLV_FORMAT_CSV, NULL, NULL), CLV_OK);
  fclose(f);
  assert_int_equal(clv_summary_read_csv(copy, CLV_UNIT_WEEK, &b, NULL), CLV_OK);
  assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
  assert_int_equal(clv_summary_columns(a), clv_summary_columns(b));
  for (size_t i = 0; i < clv_summary_rows(a); i++)
    for (int c = 0; c < CLV_COL__COUNT; c++)
      if (clv_summary_has(a, (clv_col)c) && c != CLV_COL_M &&
          c != CLV_COL_M_HOLDOUT && c != CLV_COL_TOTAL_SPEND &&
          c != CLV_COL_REFUNDS)
        assert_true(COL(a, c, i) == COL(b, c, i));
      else if (clv_summary_has(a, (clv_col)c))
        assert_close(COL(b, c, i), COL(a, c, i), 0, 1e-14);
  remove(copy);
  clv_summary_free(a);
  clv_summary_free(b);
}

/* Reads a whole file into a malloc'ed, NUL-terminated buffer. */
static char *slurp_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* The buffered writer's edge cases: an id far longer than its buffer (with
 * commas and quotes, so quoted in pieces), JSON escapes of control bytes,
 * bytes that are not UTF-8 and quotes, and two dates 1024 days apart (the
 * same slot of its date cache). The expected text is built by hand below:
 * RFC 4180 doubles each quote; day 1024 is 1972-10-21 (730 days to
 * 1972-01-01, then day 295 of a leap year: 274 days to the end of
 * September, plus 21). */
static void test_writer_long_id_escapes_dates(void **state) {
  (void)state;
  clv_summary *s;
  unsigned cols = (1u << CLV_COL_FIRST_DAY);
  assert_int_equal(clv_summary_new(&s, CLV_UNIT_DAY, cols, 0), CLV_OK);
  size_t reps = 20000, n = 4 * reps; /* 80,000 bytes of "a,\"b" */
  char *id = malloc(n);
  assert_non_null(id);
  for (size_t k = 0; k < reps; k++)
    memcpy(id + 4 * k, "a,\"b", 4);
  clv_summary_row r;
  memset(&r, 0, sizeof r);
  r.v[CLV_COL_WEIGHT] = 1;
  r.v[CLV_COL_X] = 1;
  r.v[CLV_COL_TX] = 2;
  r.v[CLV_COL_T] = 3;
  r.v[CLV_COL_FIRST_DAY] = 0;
  assert_int_equal(clv_summary_append(s, id, n, &r), CLV_OK);
  r.v[CLV_COL_FIRST_DAY] = 1024;
  assert_int_equal(clv_summary_append(s, "\x01\xff\"\xc3\xa9", 5, &r), CLV_OK);
  const char *path = clv_test_tmp("long.csv");
  FILE *f = fopen(path, "wb");
  assert_int_equal(clv_summary_write_csv(s, f), CLV_OK);
  fclose(f);
  size_t len;
  char *got = slurp_all(path, &len);
  const char *head = "customer_id,frequency,recency,T,first_purchase\n\"";
  size_t hl = strlen(head);
  assert_int_equal(len,
                   hl + 5 * reps + strlen("\",1,2,3,1970-01-01\n") +
                       strlen("\x01\xff\"\"\xc3\xa9\",1,2,3,1972-10-21\n") + 1);
  assert_memory_equal(got, head, hl);
  for (size_t k = 0; k < reps; k++)
    assert_memory_equal(got + hl + 5 * k, "a,\"\"b", 5);
  assert_string_equal(got + hl + 5 * reps,
                      "\",1,2,3,1970-01-01\n"
                      "\"\x01\xff\"\"\xc3\xa9\",1,2,3,1972-10-21\n");
  free(got);
  f = fopen(path, "wb");
  assert_int_equal(clv_summary_write_jsonl(s, f), CLV_OK);
  fclose(f);
  got = slurp_all(path, &len);
  const char *jhead = "{\"customer_id\":\"";
  size_t jl = strlen(jhead);
  assert_memory_equal(got, jhead, jl);
  for (size_t k = 0; k < reps; k++)
    assert_memory_equal(got + jl + 5 * k, "a,\\\"b", 5);
  assert_string_equal(got + jl + 5 * reps,
                      "\",\"frequency\":1,\"recency\":2,\"T\":3,"
                      "\"first_purchase\":\"1970-01-01\"}\n"
                      "{\"customer_id\":\"\\u0001\\u00ff\\\"\xc3\xa9\","
                      "\"frequency\":1,\"recency\":2,\"T\":3,"
                      "\"first_purchase\":\"1972-10-21\"}\n");
  free(got);
  free(id);
  clv_summary_free(s);
}

/* More output than the writer's 256 KiB buffer: 30,000 rows written and
 * read back give the same ids and the same doubles (the writer's digits
 * are the shortest that read back, so the check is exact). */
static void test_writer_many_rows_round_trip(void **state) {
  (void)state;
  clv_summary *s, *back;
  unsigned cols = (1u << CLV_COL_M) | (1u << CLV_COL_LAST_DAY) |
                  (1u << CLV_COL_TOTAL_SPEND) | (1u << CLV_COL_ORDERS);
  size_t n = 30000;
  assert_int_equal(clv_summary_new(&s, CLV_UNIT_WEEK, cols, 0), CLV_OK);
  for (size_t i = 0; i < n; i++) {
    clv_summary_row r;
    char id[32];
    memset(&r, 0, sizeof r);
    r.v[CLV_COL_X] = (double)(i % 13);
    r.v[CLV_COL_TX] = (double)(i % 97) / 7;
    r.v[CLV_COL_T] = 100.0 / 7 + (double)(i % 97);
    r.v[CLV_COL_M] = (double)i / 3 - 2000;
    r.v[CLV_COL_WEIGHT] = 1;
    r.v[CLV_COL_LAST_DAY] = 9000 + (double)(i % 3000);
    r.v[CLV_COL_TOTAL_SPEND] = 0.01 * (double)i;
    r.v[CLV_COL_ORDERS] = (double)(i % 7 + 1);
    int len = snprintf(id, sizeof id, "cust-%zu", i);
    assert_int_equal(clv_summary_append(s, id, (size_t)len, &r), CLV_OK);
  }
  const char *path = clv_test_tmp("many.csv");
  FILE *f = fopen(path, "wb");
  assert_int_equal(clv_summary_write_csv(s, f), CLV_OK);
  fclose(f);
  assert_int_equal(clv_summary_read_csv(path, CLV_UNIT_WEEK, &back, NULL),
                   CLV_OK);
  assert_int_equal(clv_summary_rows(back), n);
  for (size_t i = 0; i < n; i++) {
    size_t la, lb;
    const char *a = clv_summary_id(s, i, &la),
               *b = clv_summary_id(back, i, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_true(COL(back, CLV_COL_X, i) == COL(s, CLV_COL_X, i));
    assert_true(COL(back, CLV_COL_TX, i) == COL(s, CLV_COL_TX, i));
    assert_true(COL(back, CLV_COL_T, i) == COL(s, CLV_COL_T, i));
    assert_true(COL(back, CLV_COL_LAST_DAY, i) == COL(s, CLV_COL_LAST_DAY, i));
    assert_true(COL(back, CLV_COL_ORDERS, i) == COL(s, CLV_COL_ORDERS, i));
    /* Money is written to 15 significant digits. */
    assert_close(COL(back, CLV_COL_M, i), COL(s, CLV_COL_M, i), 0, 1e-14);
    assert_close(COL(back, CLV_COL_TOTAL_SPEND, i),
                 COL(s, CLV_COL_TOTAL_SPEND, i), 0, 1e-14);
  }
  clv_summary_free(back);
  clv_summary_free(s);
}

/* The specification of clv__fmt_num()'s general case, written plainly:
 * when no n / 10^k (k <= 9) reads back (within rel_tol), the shortest of
 * %.15g, %.16g and %.17g that strtod reads back. Returns 0 when the
 * fixed-point case applies (not compared here). */
static size_t fmt_spec(double v, double rel_tol, char *buf, size_t size) {
  double a = fabs(v), p = 1;
  for (int k = 0; k <= 9; k++, p *= 10) {
    double sc = a * p;
    if (sc >= 9007199254740992.0)
      break;
    double back = floor(sc + 0.5) / p;
    if (back == a || fabs(back - a) <= rel_tol * a)
      return 0;
  }
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (prec == 17 || strtod(buf, NULL) == v)
      break;
  }
  return strlen(buf);
}

/* clv__fmt_num() derives the 15- and 16-digit candidates from one printf
 * call: it must agree with the plain search on every value. Checked on
 * random bit patterns (all magnitudes, subnormals), means of cent amounts,
 * sevenths (weeks) and thirds at many scales. */
static void test_fmt_num_matches_spec(void **state) {
  (void)state;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  char want[64], got[64];
  long compared = 0;
  for (long i = 0; i < 300000; i++) {
    double v;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    switch (i % 4) {
    case 0:
      memcpy(&v, &x, 8);
      if (!isfinite(v) || v == 0)
        continue;
      break;
    case 1:
      v = (double)(x % 100000000) / 100.0 / (double)(1 + (x >> 40) % 50);
      break;
    case 2:
      v = (double)(x % 100000) / 7.0;
      break;
    default:
      v = -(double)(x % 1000000) / 3.0 * pow(10, (int)(x >> 60) - 8);
      break;
    }
    for (int t = 0; t < 2; t++) {
      double tol = t ? 5e-15 : 0;
      if (v == 0 || fmt_spec(v, tol, want, sizeof want) == 0)
        continue;
      clv__fmt_num(v, tol, got, sizeof got);
      assert_string_equal(got, want);
      compared++;
    }
  }
  assert_true(compared > 100000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_read_round_trip),
      cmocka_unit_test(test_read_lifetimes),
      cmocka_unit_test(test_read_btyd_and_weights),
      cmocka_unit_test(test_read_errors),
      cmocka_unit_test(test_summarize_then_read),
      cmocka_unit_test(test_writer_long_id_escapes_dates),
      cmocka_unit_test(test_writer_many_rows_round_trip),
      cmocka_unit_test(test_fmt_num_matches_spec),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
