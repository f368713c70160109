/*
 * test_ingest.c - clv_summarize_file() end to end: the published CDNOW
 * summaries (lifetimes and BTYD), CDNOW_master, the UCI Online Retail file,
 * header and column detection, ids kept exactly, the two-thread split, and
 * every error message's file:line:column.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "ingest.h"
#include "testutil.h"

#define COL(t, c, i) clv_summary_col((t), (c))[(i)]

static clv_ingest_opts defaults(void) {
  clv_ingest_opts o;
  clv_ingest_opts_init(&o);
  return o;
}

/* Reads a CSV of numbers with a header into rows (via the scanner): used to
 * load the published summaries that the tests compare against. */
typedef struct table {
  char names[8][32];
  double v[3000][8];
  size_t rows, cols;
} table;

static table *load_table(const char *path) {
  table *t = calloc(1, sizeof *t);
  clv__csv *c;
  const clv__field *f;
  size_t n;
  clv__csv_opts co = {0, 0};
  assert_int_equal(clv__csv_open_path(&c, path, NULL, &co, NULL), CLV_OK);
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  t->cols = n;
  for (size_t j = 0; j < n; j++)
    snprintf(t->names[j], 32, "%.*s", (int)f[j].len, f[j].p);
  while (clv__csv_next(c, &f, &n, NULL) == CLV_OK && n > 0) {
    for (size_t j = 0; j < n && j < 8; j++) {
      char buf[64];
      snprintf(buf, sizeof buf, "%.*s", (int)f[j].len, f[j].p);
      t->v[t->rows][j] = strtod(buf, NULL);
    }
    t->rows++;
  }
  clv__csv_close(c);
  return t;
}

/*
 * CDNOW_sample.txt (no header, blanks; customer = column 2, date = 3,
 * amount = 5) to 1997-09-30 in weeks equals lifetimes'
 * cdnow_customers_summary_with_transactions.csv (ID,x,t_x,T,zbar): the
 * file is rounded to 2 decimals, so frequency must match exactly and the
 * rest to 0.005 (plus the half-cent of rounding a .xx5 mean).
 */
static void test_cdnow_sample_lifetimes(void **state) {
  (void)state;
  /* clv_test_data() returns a static buffer: load the reference first. */
  CLV_REQUIRE_DATA(ref_path,
                   "lifetimes/cdnow_customers_summary_with_transactions.csv");
  table *ref = load_table(ref_path);
  CLV_REQUIRE_DATA(log, "lifetimes/CDNOW_sample.txt");
  clv_ingest_opts o = defaults();
  clv_ingest_report rep;
  clv_summary *s;
  clv_error err;
  o.customer_col = "2";
  o.date_col = "3";
  o.amount_col = "5";
  o.unit = CLV_UNIT_WEEK;
  o.until_day = clv_day_from_ymd(1997, 9, 30);
  assert_int_equal(clv_summarize_file(log, &o, &s, &rep, &err), CLV_OK);
  assert_int_equal(rep.header, 0);
  assert_int_equal(rep.delimiter, ' ');
  assert_int_equal(rep.rows, 6919);
  assert_int_equal(rep.rows_after_until, 1959); /* README: 4,960 + 1,959 */
  assert_int_equal(clv_summary_rows(s), 2357);
  assert_int_equal(ref->rows, 2357);
  for (size_t i = 0; i < 2357; i++) {
    /* Sample ids are 0001..2357 in the order of the reference. */
    assert_int_equal(atoi(clv_summary_id(s, i, NULL)), (int)ref->v[i][0]);
    assert_close(COL(s, CLV_COL_X, i), ref->v[i][1], 0, 0);
    assert_close(COL(s, CLV_COL_TX, i), ref->v[i][2], 0.005, 0);
    assert_close(COL(s, CLV_COL_T, i), ref->v[i][3], 0.005, 0);
    assert_close(COL(s, CLV_COL_M, i), ref->v[i][4], 0.0050001, 0);
  }
  free(ref);
  clv_summary_free(s);
}

/* BTYD's cdnowElog.csv against cdnowSummary_cbs.csv (cust,x,t.x,T.cal,
 * x.star), unrounded: t.x and T.cal to 1e-9 and the holdout count x.star
 * exactly, with the holdout 1997-10-01 .. 1998-06-30 (39 weeks). */
static void test_cdnow_btyd_holdout(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(ref_path, "BTYD/cdnowSummary_cbs.csv");
  table *ref = load_table(ref_path);
  CLV_REQUIRE_DATA(log, "BTYD/cdnowElog.csv");
  clv_ingest_opts o = defaults();
  clv_ingest_report rep;
  clv_summary *s;
  o.customer_col = "sampleid";
  o.unit = CLV_UNIT_WEEK;
  o.holdout_day = clv_day_from_ymd(1997, 10, 1);
  o.until_day = clv_day_from_ymd(1998, 6, 30);
  assert_int_equal(clv_summarize_file(log, &o, &s, &rep, NULL), CLV_OK);
  assert_string_equal(rep.date_col, "date");
  assert_string_equal(rep.amount_col, "sales");
  assert_int_equal(clv_summary_rows(s), 2357);
  for (size_t i = 0; i < 2357; i++) {
    assert_int_equal(atoi(clv_summary_id(s, i, NULL)), (int)ref->v[i][0]);
    assert_close(COL(s, CLV_COL_X, i), ref->v[i][1], 0, 0);
    assert_close(COL(s, CLV_COL_TX, i), ref->v[i][2], 1e-9, 0);
    assert_close(COL(s, CLV_COL_T, i), ref->v[i][3], 1e-9, 0);
    assert_close(COL(s, CLV_COL_X_HOLDOUT, i), ref->v[i][4], 0, 0);
    assert_close(COL(s, CLV_COL_DURATION_HOLDOUT, i), 39, 0, 0);
  }
  free(ref);
  clv_summary_free(s);
}

/* CDNOW_master.txt: header, blanks, CRLF: 23,570 customers (README). */
static void test_cdnow_master(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "lifetimes/CDNOW_master.txt");
  clv_ingest_report rep;
  clv_summary *s;
  assert_int_equal(clv_summarize_file(log, NULL, &s, &rep, NULL), CLV_OK);
  assert_int_equal(rep.header, 1);
  assert_string_equal(rep.customer_col, "customer_id");
  assert_string_equal(rep.amount_col, "dollar_value");
  assert_int_equal(rep.rows, 69659);
  assert_int_equal(clv_summary_rows(s), 23570);
  assert_int_equal(rep.last_day, clv_day_from_ymd(1998, 6, 30));
  clv_summary_free(s);
}

/* example_transactions.csv has only date,id: 5,000 customers, every row a
 * purchase, no monetary columns. */
static void test_no_amount(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "lifetimes/example_transactions.csv");
  clv_ingest_report rep;
  clv_summary *s;
  assert_int_equal(clv_summarize_file(log, NULL, &s, &rep, NULL), CLV_OK);
  assert_int_equal(clv_summary_rows(s), 5000);
  assert_int_equal(rep.rows, 15273);
  assert_false(clv_summary_has(s, CLV_COL_M));
  assert_false(clv_summary_has(s, CLV_COL_TOTAL_SPEND));
  assert_string_equal(rep.amount_col, "");
  clv_summary_free(s);
}

/*
 * UCI Online Retail with amount = Quantity x UnitPrice and skipped rows:
 * the 135,080 lines without CustomerID (README) are errors that skip mode
 * counts, and the money adds up: the sum of total_spend plus the spend of
 * the customers left out equals the sum of q x p over the rows with a
 * customer, summed here independently from the raw fields with strtod.
 */
static void test_online_retail(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "online_retail/online_retail.csv");
  clv_ingest_opts o = defaults();
  clv_ingest_report rep;
  clv_summary *s;
  clv_error err;
  o.quantity_col = "Quantity";
  o.price_col = "UnitPrice";
  assert_int_equal(clv_summarize_file(log, &o, &s, &rep, &err), CLV_EPARSE);
  assert_string_equal(err.message,
                      "expected a customer id, found an empty field");
  o.skip_errors = 1;
  assert_int_equal(clv_summarize_file(log, &o, &s, &rep, &err), CLV_OK);
  assert_int_equal(rep.rows, 541909);
  assert_int_equal(rep.rows_skipped, 135080);
  assert_int_equal(rep.n_errors, 5);
  assert_int_equal(rep.errors[0].line, 624); /* first empty CustomerID */
  assert_int_equal(clv_summary_rows(s) + rep.customers_no_purchase, 4372);
  double got = rep.spend_excluded, want = 0;
  for (size_t i = 0; i < clv_summary_rows(s); i++)
    got += COL(s, CLV_COL_TOTAL_SPEND, i);
  clv__csv *c;
  const clv__field *f;
  size_t n;
  clv__csv_opts co = {0, 0};
  assert_int_equal(clv__csv_open_path(&c, log, NULL, &co, NULL), CLV_OK);
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK); /* header */
  while (clv__csv_next(c, &f, &n, NULL) == CLV_OK && n > 0) {
    char q[32], p[32];
    if (f[6].len == 0)
      continue;
    snprintf(q, sizeof q, "%.*s", (int)f[3].len, f[3].p);
    snprintf(p, sizeof p, "%.*s", (int)f[5].len, f[5].p);
    want += strtod(q, NULL) * strtod(p, NULL);
  }
  clv__csv_close(c);
  assert_close(got, want, 1e-4, 0);
  clv_summary_free(s);
}

/* Ids with quotes, commas, line breaks, blanks and UTF-8 come out byte for
 * byte; the header is Chinese (会员ID, 下单时间, 实付金额) and detected. */
static void test_ids_exact_and_chinese(void **state) {
  (void)state;
  const char *path =
      clv_test_write("ids.csv", "\xEF\xBB\xBF会员ID,下单时间,实付金额\r\n"
                                "\"a,b\",2024-01-02,\"1,234.50\"\r\n"
                                "\"say \"\"hi\"\"\",2024-01-03,5\r\n"
                                "张三,2024/01/04,¥20\r\n"
                                "\" x \",2024-01-05,1\r\n"
                                "\"two\nlines\",2024-01-06,2\r\n"
                                "张三,2024-01-09,30\r\n");
  clv_ingest_report rep;
  clv_summary *s;
  clv_error err;
  assert_int_equal(clv_summarize_file(path, NULL, &s, &rep, &err), CLV_OK);
  assert_string_equal(rep.customer_col, "会员ID");
  assert_string_equal(rep.date_col, "下单时间");
  assert_string_equal(rep.amount_col, "实付金额");
  assert_int_equal(clv_summary_rows(s), 5);
  assert_string_equal(clv_summary_id(s, 0, NULL), "a,b");
  assert_string_equal(clv_summary_id(s, 1, NULL), "say \"hi\"");
  assert_string_equal(clv_summary_id(s, 2, NULL), "张三");
  assert_string_equal(clv_summary_id(s, 3, NULL), " x ");
  assert_string_equal(clv_summary_id(s, 4, NULL), "two\nlines");
  assert_close(COL(s, CLV_COL_TOTAL_SPEND, 0), 1234.5, 1e-9, 0);
  /* 张三: Jan 4 and Jan 9, until Jan 9: x = 1, t_x = 5, T = 5, m = 30. */
  assert_close(COL(s, CLV_COL_X, 2), 1, 0, 0);
  assert_close(COL(s, CLV_COL_TX, 2), 5, 0, 0);
  assert_close(COL(s, CLV_COL_M, 2), 30, 0, 0);
  clv_summary_free(s);
}

/* Skip mode counts bad rows and keeps the first five reasons, each with
 * its line and column (counted by hand from the text below); fail mode
 * stops at the first. */
static void test_errors_and_skip(void **state) {
  (void)state;
  const char *path =
      clv_test_write("bad.csv", "customer_id,date,amount\n" /* line 1 */
                                "a,2024-01-01,10\n"
                                "b,2024-13-01,10\n"     /* col 3: date */
                                "c,2024-01-02,ten\n"    /* col 14: amount */
                                ",2024-01-02,1\n"       /* col 1: id */
                                "d,2024-01-02\n"        /* 2 fields */
                                "e,2024-01-03,\"5\"x\n" /* scanner */
                                "f,2024-01-04,1\n"
                                "g,2024-01-05,1e999\n" /* col 14 */
                                "a,2024-01-06,3\n");
  clv_ingest_opts o = defaults();
  clv_ingest_report rep;
  clv_summary *s;
  clv_error err;
  char buf[1024];
  assert_int_equal(clv_summarize_file(path, &o, &s, &rep, &err), CLV_EPARSE);
  assert_null(s);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 3);
  assert_non_null(strstr(clv_error_format(&err, buf, sizeof buf),
                         "bad.csv:3:3: expected a date"));
  o.skip_errors = 1;
  assert_int_equal(clv_summarize_file(path, &o, &s, &rep, &err), CLV_OK);
  assert_int_equal(rep.rows, 9);
  assert_int_equal(rep.rows_skipped, 6);
  assert_int_equal(rep.n_errors, 5);
  long want[5][2] = {{3, 3}, {4, 14}, {5, 1}, {6, 13}, {7, 0}};
  for (int k = 0; k < 5; k++) {
    assert_int_equal(rep.errors[k].line, want[k][0]);
    if (want[k][1])
      assert_int_equal(rep.errors[k].column, want[k][1]);
  }
  assert_non_null(strstr(rep.errors[0].message, "\"2024-13-01\""));
  assert_non_null(strstr(rep.errors[1].message, "expected an amount"));
  assert_non_null(strstr(rep.errors[2].message, "customer id"));
  assert_non_null(strstr(rep.errors[3].message, "expected 3 fields, found 2"));
  assert_int_equal(clv_summary_rows(s), 2); /* a and f */
  assert_close(COL(s, CLV_COL_X, 0), 1, 0, 0);
  clv_summary_free(s);
}

/* Missing columns and bad options say what was expected. */
static void test_column_errors(void **state) {
  (void)state;
  const char *path = clv_test_write("cols.csv", "who,when,what\n"
                                                "a,2024-01-01,1\n");
  clv_ingest_opts o = defaults();
  clv_summary *s;
  clv_error err;
  assert_int_equal(clv_summarize_file(path, &o, &s, NULL, &err), CLV_ENOCOLUMN);
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.message, "expected a customer column"));
  assert_non_null(strstr(err.message, "\"who\""));
  o.customer_col = "who";
  o.date_col = "when";
  o.amount_col = "nope";
  assert_int_equal(clv_summarize_file(path, &o, &s, NULL, &err), CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "amount column \"nope\""));
  o.amount_col = "3";
  assert_int_equal(clv_summarize_file(path, &o, &s, NULL, &err), CLV_OK);
  assert_close(COL(s, CLV_COL_TOTAL_SPEND, 0), 1, 0, 0);
  clv_summary_free(s);
  o.until_day = 10;
  o.holdout_day = 20;
  assert_int_equal(clv_summarize_file(path, &o, &s, NULL, &err), CLV_EINVAL);
  o.until_day = INT32_MIN;
  o.holdout_day = clv_day_from_ymd(2025, 1, 1); /* after the last date */
  assert_int_equal(clv_summarize_file(path, &o, &s, NULL, &err), CLV_EINVAL);
  path = clv_test_write("empty.csv", "");
  assert_int_equal(clv_summarize_file(path, NULL, &s, NULL, &err), CLV_EEMPTY);
  path = clv_test_write("header_only.csv", "customer_id,date\n");
  assert_int_equal(clv_summarize_file(path, NULL, &s, NULL, &err), CLV_EEMPTY);
}

static void assert_same(const clv_summary *a, const clv_summary *b) {
  assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
  for (size_t i = 0; i < clv_summary_rows(a); i++) {
    assert_string_equal(clv_summary_id(a, i, NULL), clv_summary_id(b, i, NULL));
    for (int c = 0; c < CLV_COL__COUNT; c++)
      if (clv_summary_has(a, (clv_col)c))
        assert_close(COL(b, c, i), COL(a, c, i), 1e-9, 1e-12);
  }
}

/* The two-thread split gives the serial result: on CDNOW (sorted by
 * customer: halves meet inside one customer) and on a shuffled log with
 * refunds (customers overlap in time: replay), with and without header. */
static void test_split_equals_serial(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "lifetimes/CDNOW_sample.txt");
  clv_ingest_opts o = defaults();
  clv_ingest_report r1, r2;
  clv_summary *a, *b;
  o.customer_col = "2";
  o.date_col = "3";
  o.amount_col = "5";
  o.until_day = clv_day_from_ymd(1997, 9, 30);
  o.threads = 1;
  assert_int_equal(
      clv__summarize(log, NULL, 0, &o, 1, &a, NULL, NULL, NULL, &r1, NULL),
      CLV_OK);
  o.threads = 2;
  assert_int_equal(
      clv__summarize(log, NULL, 0, &o, 1, &b, NULL, NULL, NULL, &r2, NULL),
      CLV_OK);
  assert_int_equal(r1.threads_used, 1);
  assert_int_equal(r2.threads_used, 2);
  assert_int_equal(r2.rows, r1.rows);
  assert_int_equal(r2.rows_after_until, r1.rows_after_until);
  assert_same(a, b);
  clv_summary_free(a);
  clv_summary_free(b);
  /* A random log in random order, with a header line. */
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  uint64_t x = 12345;
  len += (size_t)snprintf(text, cap, "id,date,amount\n");
  for (int k = 0; k < 2000; k++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    int cust = (int)((x >> 33) % 150), day = (int)((x >> 20) % 60);
    double amt = (double)((int)((x >> 40) % 9000) - 2000) / 100;
    len += (size_t)snprintf(text + len, cap - len, "c%d,2024-03-%02d,%.2f\n",
                            cust, day % 28 + 1, amt);
  }
  for (int threads = 1; threads <= 2; threads++) {
    o = defaults();
    o.threads = threads;
    assert_int_equal(clv__summarize(NULL, text, len, &o, 1,
                                    threads == 1 ? &a : &b, NULL, NULL, NULL,
                                    threads == 1 ? &r1 : &r2, NULL),
                     CLV_OK);
  }
  assert_int_equal(r2.threads_used, 2);
  assert_true(r1.replayed_customers > 0);
  assert_same(a, b);
  clv_summary_free(a);
  clv_summary_free(b);
  free(text);
}

/* Day/month order: the first half holds only ambiguous dates, the second
 * an unambiguous day-first date (13/01). Serially the later 13/01 cannot
 * change how earlier rows were read (they are month-first), and the split
 * must agree with the serial reading. */
static void test_split_date_order(void **state) {
  (void)state;
  const char *text = "c,d,a\n"
                     "x,01/02/2024,1\n"
                     "y,01/03/2024,1\n"
                     "x,13/01/2024,1\n"
                     "y,02/03/2024,1\n";
  clv_ingest_opts o = defaults();
  clv_ingest_report r1, r2;
  clv_summary *a, *b;
  o.customer_col = "c";
  o.date_col = "d";
  o.amount_col = "a";
  o.threads = 1;
  assert_int_equal(clv__summarize(NULL, text, strlen(text), &o, 1, &a, NULL,
                                  NULL, NULL, &r1, NULL),
                   CLV_OK);
  o.threads = 2;
  assert_int_equal(clv__summarize(NULL, text, strlen(text), &o, 1, &b, NULL,
                                  NULL, NULL, &r2, NULL),
                   CLV_OK);
  assert_same(a, b);
  assert_int_equal(r1.date_order_used, r2.date_order_used);
  clv_summary_free(a);
  clv_summary_free(b);
  /* Now the first half learns day-first (13/01) and the second half starts
   * with ambiguous dates: serially they are read day-first (2 Jan is
   * 01/02), which the second thread could not know; the driver must notice
   * and fall back to one pass. Then x has 13 Jan and 1 Feb: x = 1. */
  text = "c,d,a\n"
         "x,13/01/2024,1\n"
         "y,01/03/2024,1\n"
         "x,01/02/2024,1\n"
         "y,02/03/2024,1\n";
  for (int threads = 1; threads <= 2; threads++) {
    o.threads = threads;
    assert_int_equal(clv__summarize(NULL, text, strlen(text), &o, 1,
                                    threads == 1 ? &a : &b, NULL, NULL, NULL,
                                    threads == 1 ? &r1 : &r2, NULL),
                     CLV_OK);
  }
  assert_int_equal(r1.date_order_used, CLV_DATE_DMY);
  assert_same(a, b);
  assert_close(COL(a, CLV_COL_LAST_DAY, 0), clv_day_from_ymd(2024, 2, 1), 0, 0);
  clv_summary_free(a);
  clv_summary_free(b);
}

/* The two-thread run (each thread applies the customers of one half of the
 * id hashes) against the serial run, on a log built here: ids short (inline
 * in the customer record), long (> 8 bytes: the map's arena) and quoted
 * with a comma (quotes no longer stop the split), and bad dates on lines
 * known by construction (every 37th data row, counted from line 2). Skip
 * mode must report the same rows and the same first 5 error lines as the
 * serial run, which are the constructed ones; fail mode the same first
 * line. */
static void test_parts_errors_and_long_ids(void **state) {
  (void)state;
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  long bad_lines[64];
  size_t n_bad = 0;
  uint64_t x = 777;
  clv_ingest_report r[2];
  clv_summary *t[2];
  clv_error err[2];
  assert_non_null(text);
  len += (size_t)snprintf(text, cap, "id,date,amount\n");
  for (int k = 0; k < 1500; k++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    int cust = (int)((x >> 33) % 90), day = (int)((x >> 20) % 28) + 1;
    char id[64];
    if (cust % 3 == 0)
      snprintf(id, sizeof id, "c%d", cust);
    else if (cust % 3 == 1)
      snprintf(id, sizeof id, "customer-with-a-long-id-%d", cust);
    else
      snprintf(id, sizeof id, "\"q,%d\"", cust);
    if (k % 37 == 5) {
      len +=
          (size_t)snprintf(text + len, cap - len, "%s,2024-02-xx,1.00\n", id);
      bad_lines[n_bad++] = k + 2; /* line 1 is the header */
    } else {
      len += (size_t)snprintf(text + len, cap - len, "%s,2024-02-%02d,%.2f\n",
                              id, day, (double)((x >> 40) % 5000) / 100);
    }
  }
  assert_true(n_bad > CLV_INGEST_MAX_ERRORS);
  clv_ingest_opts o = defaults();
  o.skip_errors = 1;
  for (int k = 0; k < 2; k++) {
    o.threads = k + 1;
    assert_int_equal(clv__summarize(NULL, text, len, &o, 1, &t[k], NULL, NULL,
                                    NULL, &r[k], NULL),
                     CLV_OK);
  }
  assert_int_equal(r[0].threads_used, 1);
  assert_int_equal(r[1].threads_used, 2);
  assert_same(t[0], t[1]);
  for (int k = 0; k < 2; k++) {
    assert_int_equal(r[k].rows, 1500);
    assert_int_equal(r[k].rows_skipped, n_bad);
    assert_int_equal(r[k].customers, 90);
    assert_int_equal(r[k].n_errors, CLV_INGEST_MAX_ERRORS);
    for (size_t e = 0; e < CLV_INGEST_MAX_ERRORS; e++)
      assert_int_equal(r[k].errors[e].line, bad_lines[e]);
    clv_summary_free(t[k]);
  }
  /* The quoted ids keep their comma and lose the quotes. */
  o.skip_errors = 0;
  for (int k = 0; k < 2; k++) {
    o.threads = k + 1;
    assert_int_equal(clv__summarize(NULL, text, len, &o, 1, &t[k], NULL, NULL,
                                    NULL, &r[k], &err[k]),
                     CLV_EPARSE);
    assert_null(t[k]);
    assert_int_equal(err[k].line, bad_lines[0]);
  }
  free(text);
}

/* Two threads cut the input into chunks at line feeds (with a split
 * threshold of 1, one chunk per row). Chunks cut inside a quoted field
 * (ids with a line break in quotes), a row starting with a byte-order mark
 * (data after the first line, unlike at the start), CRLF rows and blank
 * lines must all give the serial result; so must the error lines in skip
 * mode, which are known by construction (line numbers counted with the
 * quoted line breaks, as the serial scanner counts them). */
static void test_chunks_against_serial(void **state) {
  (void)state;
  size_t cap = 1 << 17, len = 0;
  char *text = malloc(cap);
  long bad_lines[64], bad_cols[64];
  size_t n_bad = 0;
  uint64_t x = 4242;
  assert_non_null(text);
  for (int variant = 0; variant < 2; variant++) {
    long line = 2;
    len = (size_t)snprintf(text, cap, "id,date,amount\r\n");
    n_bad = 0;
    for (int k = 0; k < 1200; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      int cust = (int)((x >> 33) % 70), day = (int)((x >> 20) % 28) + 1;
      char id[64];
      if (variant == 1 && cust % 7 == 0)
        snprintf(id, sizeof id, "\"n\n%d\"", cust); /* a quoted line break */
      else if (cust % 7 == 1)
        snprintf(id, sizeof id, "\xEF\xBB\xBF%d", cust); /* a BOM: data */
      else
        snprintf(id, sizeof id, "c%d", cust);
      if (k % 53 == 7) {
        len += (size_t)snprintf(text + len, cap - len, "%s,2024-02-31,1\n", id);
        /* The row's line is where it starts; the date's column counts
         * from the id's last line (after its line break, if any). */
        bad_cols[n_bad] =
            (long)strlen(strrchr(id, '\n') ? strrchr(id, '\n') + 1 : id) + 2;
        bad_lines[n_bad++] = line;
      } else {
        len += (size_t)snprintf(text + len, cap - len, "%s,2024-02-%02d,%d%s",
                                id, day, (int)((x >> 40) % 300) - 30,
                                k % 5 ? "\n" : "\r\n");
      }
      line += 1 + (variant == 1 && cust % 7 == 0);
      if (k % 97 == 3) {
        len += (size_t)snprintf(text + len, cap - len, "\n");
        line++;
      }
    }
    assert_true(n_bad > CLV_INGEST_MAX_ERRORS);
    for (size_t split = 1; split <= 4096; split *= 64) {
      clv_ingest_report r[2];
      clv_summary *t[2];
      clv_ingest_opts o = defaults();
      o.skip_errors = 1;
      for (int k = 0; k < 2; k++) {
        o.threads = k + 1;
        assert_int_equal(clv__summarize(NULL, text, len, &o, split, &t[k], NULL,
                                        NULL, NULL, &r[k], NULL),
                         CLV_OK);
      }
      assert_int_equal(r[1].threads_used, 2);
      assert_same(t[0], t[1]);
      for (int k = 0; k < 2; k++) {
        assert_int_equal(r[k].rows, 1200);
        assert_int_equal(r[k].rows_skipped, n_bad);
        assert_int_equal(r[k].n_errors, CLV_INGEST_MAX_ERRORS);
        for (size_t e = 0; e < CLV_INGEST_MAX_ERRORS; e++)
          assert_int_equal(r[k].errors[e].line, bad_lines[e]);
        clv_summary_free(t[k]);
      }
      /* Fail mode stops at the first bad row, on its line. */
      o.skip_errors = 0;
      for (int k = 0; k < 2; k++) {
        clv_error err;
        o.threads = k + 1;
        assert_int_equal(clv__summarize(NULL, text, len, &o, split, &t[k], NULL,
                                        NULL, NULL, &r[k], &err),
                         CLV_EPARSE);
        assert_int_equal(err.line, bad_lines[0]);
        assert_int_equal(err.column, bad_cols[0]);
      }
    }
  }
  free(text);
}

/* The date of the last ISO row is reused for rows with the same date part,
 * but the time of day is still checked: 24:00 after a valid time on the
 * same day is an error on its own line, and a date-only row and a 'T'
 * row of the same day are the same day (one purchase: frequency 0). */
static void test_date_reuse_checks_time(void **state) {
  (void)state;
  const char *bad = "id,date,amount\n"
                    "a,2024-01-01 10:00:00,1\n"
                    "a,2024-01-01 24:00:00,1\n";
  const char *good = "id,date,amount\n"
                     "a,2024-01-01 10:00:00,1\n"
                     "a,2024-01-01,2\n"
                     "a,2024-01-01T23:59:60,3\n"
                     "b,2024-01-01 00:00:00,1\n"
                     "b,2024-01-03 00:00:00,1\n";
  clv_ingest_opts o = defaults();
  clv_ingest_report r;
  clv_summary *t = NULL;
  clv_error err;
  o.threads = 1;
  assert_int_equal(clv__summarize(NULL, bad, strlen(bad), &o, 1, &t, NULL, NULL,
                                  NULL, &r, &err),
                   CLV_EPARSE);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 3);
  assert_int_equal(clv__summarize(NULL, good, strlen(good), &o, 1, &t, NULL,
                                  NULL, NULL, &r, NULL),
                   CLV_OK);
  assert_int_equal(clv_summary_rows(t), 2);
  assert_close(COL(t, CLV_COL_X, 0), 0, 0, 0);
  assert_close(COL(t, CLV_COL_TOTAL_SPEND, 0), 6, 0, 0);
  assert_close(COL(t, CLV_COL_FIRST_DAY, 0), clv_day_from_ymd(2024, 1, 1), 0,
               0);
  assert_close(COL(t, CLV_COL_X, 1), 1, 0, 0);
  assert_close(COL(t, CLV_COL_TX, 1), 2, 0, 0);
  clv_summary_free(t);
}

/* A log above the split threshold (4 MiB) through clv_summarize_file_write():
 * two threads (chunks of 1 MiB, rows written by two threads in blocks) must
 * write the same bytes as one, CSV and JSON lines, with refunds, rows out of
 * order (a replay) and a holdout. */
static void test_two_thread_file_bytes(void **state) {
  (void)state;
  size_t cap = 6u << 20, len = 0;
  char *text = malloc(cap);
  uint64_t x = 99;
  assert_non_null(text);
  len += (size_t)snprintf(text, cap, "customer_id,order_date,amount\n");
  for (int k = 0; len < (5u << 20); k++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    int cust = (int)((x >> 33) % 40000), day = k / 600 + (int)((x >> 20) % 3);
    int cents = (int)((x >> 40) % 20000) - 1000;
    len += (size_t)snprintf(
        text + len, cap - len, "C%07d,%s %02d:%02d:00,%d.%02d\n", cust,
        day < 200 ? "2024-03-01" : "2024-03-02", day % 24, k % 60, cents / 100,
        (cents < 0 ? -cents : cents) % 100);
    if (day >= 200 && k % 3 == 0) /* a second date, sometimes out of order */
      len += (size_t)snprintf(text + len, cap - len,
                              "C%07d,2024-02-%02d 12:00:00,%d.50\n", cust,
                              1 + (int)((x >> 12) % 28), (int)(x % 90));
  }
  const char *path = clv_test_write("two_thread.csv", text);
  free(text);
  for (int variant = 0; variant < 3; variant++) {
    char *out[2];
    size_t out_len[2];
    for (int k = 0; k < 2; k++) {
      clv_ingest_opts o = defaults();
      clv_ingest_report r;
      clv_error err;
      o.threads = k + 1;
      if (variant == 2)
        o.holdout_day = clv_day_from_ymd(2024, 2, 20);
      FILE *f = open_memstream(&out[k], &out_len[k]);
      assert_non_null(f);
      assert_int_equal(clv_summarize_file_write(path, &o, f,
                                                variant == 1 ? CLV_FORMAT_JSONL
                                                             : CLV_FORMAT_CSV,
                                                &r, &err),
                       CLV_OK);
      fclose(f);
      assert_int_equal(r.threads_used, k + 1);
      if (k == 1)
        assert_true(r.replayed_customers > 0);
    }
    assert_true(out_len[0] > 1000);
    assert_int_equal(out_len[0], out_len[1]);
    assert_memory_equal(out[0], out[1], out_len[0]);
    free(out[0]);
    free(out[1]);
  }
}

/* Weekly periods through the driver, and a gzip file read transparently
 * gives the same table as the plain file. */
static void test_gzip_same(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "BTYD/cdnowElog.csv");
  char cmd[8192];
  const char *gz = clv_test_tmp("elog.csv.gz");
  char gzpath[4096];
  snprintf(gzpath, sizeof gzpath, "%s", gz);
  snprintf(cmd, sizeof cmd, "gzip -c '%s' > '%s'", log, gzpath);
  if (system(cmd) != 0)
    skip();
  clv_ingest_opts o = defaults();
  clv_summary *a, *b;
  o.customer_col = "sampleid";
  o.period = CLV_PERIOD_WEEK;
  o.unit = CLV_UNIT_WEEK;
  assert_int_equal(clv_summarize_file(log, &o, &a, NULL, NULL), CLV_OK);
  assert_int_equal(clv_summarize_file(gzpath, &o, &b, NULL, NULL), CLV_OK);
  assert_same(a, b);
  remove(gzpath);
  clv_summary_free(a);
  clv_summary_free(b);
}

/*
 * Costs (clv_ingest_opts.costs): the revenue and cost totals of the rows up
 * to the observation end, by hand:
 *   a 2024-01-01 10.00 x2 @1.50 -> cost 3.00
 *   b 2024-01-02 20.00 x1 @12.00 -> cost 12.00
 *   a 2024-01-03 -5.00 x-1 @1.50 -> cost -1.50 (a refund returns its cost)
 *   b 2024-01-04 7.00 x1 @abc -> bad unit cost: skipped (line 5, column 21)
 *   c 2024-01-09 100.00 x4 @9.00 -> after --until 2024-01-05: left out
 * revenue 10 + 20 - 5 = 25, cost 3 + 12 - 1.5 = 13.5. The same totals with
 * two threads in chunks (threshold 1: a chunk per row).
 */
static void test_costs(void **state) {
  (void)state;
  const char *text = "customer_id,date,amount,quantity,unit_cost\n"
                     "a,2024-01-01,10.00,2,1.50\n"
                     "b,2024-01-02,20.00,1,12.00\n"
                     "a,2024-01-03,-5.00,-1,1.50\n"
                     "b,2024-01-04,7.00,1,abc\n"
                     "c,2024-01-09,100.00,4,9.00\n";
  clv_ingest_opts o = defaults();
  clv_ingest_report r;
  clv_summary *t;
  clv_error err;
  o.costs = 1;
  o.skip_errors = 1;
  o.until_day = clv_day_from_ymd(2024, 1, 5);
  for (int threads = 1; threads <= 2; threads++) {
    o.threads = threads;
    assert_int_equal(clv__summarize(NULL, text, strlen(text), &o, 1, &t, NULL,
                                    NULL, NULL, &r, NULL),
                     CLV_OK);
    assert_string_equal(r.cost_col, "quantity x unit_cost");
    assert_close(r.revenue, 25.0, 1e-12, 0);
    assert_close(r.cost, 13.5, 1e-12, 0);
    assert_int_equal(r.rows_skipped, 1);
    assert_int_equal(r.errors[0].line, 5);
    assert_int_equal(r.errors[0].column, 21);
    assert_non_null(strstr(r.errors[0].message, "a unit cost"));
    clv_summary_free(t);
  }
  /* Without costs the cost columns are not read: the bad one is no error. */
  o.costs = 0;
  o.threads = 1;
  o.skip_errors = 0;
  assert_int_equal(clv__summarize(NULL, text, strlen(text), &o, 1, &t, NULL,
                                  NULL, NULL, &r, NULL),
                   CLV_OK);
  assert_string_equal(r.cost_col, "");
  clv_summary_free(t);
  /* A named margin column: cost = amount x (1 - margin); "35%" and 0.35
   * are the same margin. revenue 30, cost 0.65 x 10 + 0.75 x 20 = 21.5. */
  const char *m = "customer_id,date,amount,gm\n"
                  "a,2024-01-01,10,35%\n"
                  "b,2024-01-02,20,0.25\n";
  o.costs = 1;
  o.margin_col = "gm";
  assert_int_equal(clv__summarize(NULL, m, strlen(m), &o, 1, &t, NULL, NULL,
                                  NULL, &r, NULL),
                   CLV_OK);
  assert_string_equal(r.cost_col, "amount x (1 - gm)");
  assert_close(r.revenue, 30.0, 1e-12, 0);
  assert_close(r.cost, 21.5, 1e-12, 0);
  clv_summary_free(t);
  /* A named cost column that does not exist is a column error. */
  o.margin_col = NULL;
  o.cost_col = "cogs";
  assert_int_equal(clv__summarize(NULL, m, strlen(m), &o, 1, &t, NULL, NULL,
                                  NULL, &r, &err),
                   CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "expected a cost column \"cogs\""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cdnow_sample_lifetimes),
      cmocka_unit_test(test_cdnow_btyd_holdout),
      cmocka_unit_test(test_cdnow_master),
      cmocka_unit_test(test_no_amount),
      cmocka_unit_test(test_online_retail),
      cmocka_unit_test(test_ids_exact_and_chinese),
      cmocka_unit_test(test_errors_and_skip),
      cmocka_unit_test(test_column_errors),
      cmocka_unit_test(test_split_equals_serial),
      cmocka_unit_test(test_split_date_order),
      cmocka_unit_test(test_parts_errors_and_long_ids),
      cmocka_unit_test(test_gzip_same),
      cmocka_unit_test(test_chunks_against_serial),
      cmocka_unit_test(test_date_reuse_checks_time),
      cmocka_unit_test(test_two_thread_file_bytes),
      cmocka_unit_test(test_costs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
