/*
 * test_orders_read.c - clv_orders_read(): an order log with its optional
 * columns (order, product, name, category, channel, acquisition channel,
 * store, quantity, cost) into an order table. Hand-written logs in English
 * and Chinese, without a header, with quotes, CRLF and a BOM, refunds and
 * rows without a customer; every error's file:line:column; and the UCI
 * Online Retail file against figures computed independently.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "ingest.h"
#include "orders_read.h"
#include "testutil.h"

static clv_orders_opts defaults(void) {
  clv_orders_opts o;
  clv_orders_opts_init(&o);
  return o;
}

/* Reads text written to a scratch file; fails the test unless CLV_OK. */
static clv_orders *read_text(const char *name, const char *text,
                             const clv_orders_opts *o, clv_orders_report *rep) {
  clv_orders *t = NULL;
  clv_error err;
  int rc = clv_orders_read(clv_test_write(name, text), o, &t, rep, &err);
  if (rc != CLV_OK)
    fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column,
            err.message);
  assert_int_equal(rc, CLV_OK);
  assert_non_null(t);
  return t;
}

static double sum(const double *v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  return s;
}

static const char *key_text(const clv_orders *t, clv_attr a, size_t row) {
  return clv_orders_key_text(t, a, clv_orders_key(t, a)[row]);
}

/*
 * Every optional column with English names, quantity x unit price as the
 * amount and quantity x unit cost as the cost; a quoted name with a comma,
 * a refund (negative quantity) and a row without customer (kept). By hand:
 * amounts 2x3.50 = 7, 1x10 = 10, 3x3.5 = 10.5, -1x10 = -10, 1x3.5 = 3.5,
 * total 21, anonymous 3.5; costs 2x1 + 1x4 + 3x1 - 1x4 + 1x1 = 6.
 */
static void test_english_all_columns(void **state) {
  (void)state;
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = read_text(
      "orders_en.csv",
      "order_id,customer_id,date,sku,product_name,category,channel,"
      "acquisition_channel,store,quantity,unit_price,unit_cost\n"
      "A1,c1,2024-01-05,S1,\"Tea, green\",Drinks,web,ads,Shop1,2,3.50,1.00\n"
      "A1,c1,2024-01-05,S2,Cup,Kitchen,web,ads,Shop1,1,10,4\n"
      "A2,c2,2024-01-07,S1,\"Tea, green\",Drinks,app,referral,Shop2,3,3.5,1\n"
      "C3,c1,2024-01-09,S2,Cup,Kitchen,web,ads,Shop1,-1,10,4\n"
      "A4,,2024-01-10,S1,\"Tea, green\",Drinks,store,,Shop2,1,3.5,1\n",
      &o, &rep);
  assert_int_equal(clv_orders_rows(t), 5);
  assert_int_equal(clv_orders_customers(t), 2);
  assert_int_equal(rep.ingest.rows, 5);
  assert_int_equal(rep.ingest.rows_used, 5);
  assert_int_equal(rep.rows_anonymous, 1);
  assert_close(rep.amount_total, 21.0, 1e-12, 0);
  assert_close(rep.amount_anonymous, 3.5, 1e-12, 0);
  assert_close(sum(clv_orders_amount(t), 5), 21.0, 1e-12, 0);
  assert_close(clv_orders_amount(t)[3], -10.0, 0, 0);
  assert_true(clv_orders_has_num(t, CLV_NUM_QUANTITY));
  assert_true(clv_orders_has_num(t, CLV_NUM_COST));
  assert_close(sum(clv_orders_num(t, CLV_NUM_COST), 5), 6.0, 1e-12, 0);
  assert_close(sum(clv_orders_num(t, CLV_NUM_QUANTITY), 5), 6.0, 0, 0);
  assert_int_equal(clv_orders_customer(t)[4], CLV_NO_CUSTOMER);
  assert_string_equal(
      clv_orders_customer_id(t, clv_orders_customer(t)[2], NULL), "c2");
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    assert_true(clv_orders_has_attr(t, (clv_attr)a));
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_ORDER), 4);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_PRODUCT), 2);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_CATEGORY), 2);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_CHANNEL), 3);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_ACQ_CHANNEL), 2);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_STORE), 2);
  assert_int_equal(clv_orders_key(t, CLV_ATTR_ACQ_CHANNEL)[4], CLV_NO_KEY);
  assert_string_equal(key_text(t, CLV_ATTR_PRODUCT_NAME, 0), "Tea, green");
  assert_string_equal(key_text(t, CLV_ATTR_ORDER, 3), "C3");
  assert_string_equal(key_text(t, CLV_ATTR_CHANNEL, 4), "store");
  assert_string_equal(
      clv_orders_product_name(t, clv_orders_key(t, CLV_ATTR_PRODUCT)[1]),
      "Cup");
  assert_int_equal(clv_orders_first_day(t), clv_day_from_ymd(2024, 1, 5));
  assert_int_equal(clv_orders_last_day(t), clv_day_from_ymd(2024, 1, 10));
  assert_int_equal(rep.ingest.first_day, clv_day_from_ymd(2024, 1, 5));
  assert_int_equal(rep.ingest.last_day, clv_day_from_ymd(2024, 1, 10));
  assert_string_equal(rep.attr_col[CLV_ATTR_PRODUCT], "sku");
  assert_string_equal(rep.attr_col[CLV_ATTR_ACQ_CHANNEL],
                      "acquisition_channel");
  assert_string_equal(rep.ingest.amount_col, "quantity x unit_price");
  assert_string_equal(rep.ingest.cost_col, "quantity x unit_cost");
  assert_string_equal(rep.ingest.customer_col, "customer_id");
  clv_orders_free(t);
}

/*
 * Chinese headers (UTF-8) after a BOM, CRLF line ends, a paid-amount
 * column beside the quantity, a margin given as "30%", "0.4" and "30",
 * doubled quotes inside a quoted name, a refund row. By hand: costs
 * 100 x (1 - 0.3) = 70, 50 x (1 - 0.4) = 30, -50 x (1 - 0.3) = -35,
 * total 65; amounts total 100.
 */
static void test_chinese_headers(void **state) {
  (void)state;
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = read_text(
      "orders_zh.csv",
      "\xEF\xBB\xBF订单号,客户ID,下单时间,商品编码,商品名称,品类,渠道,门店,"
      "数量,实付金额,毛利率\r\n"
      "D1,张三,2024-03-01 10:00:00,P1,\"绿茶 \"\"特级\"\"\",饮料,小程序,"
      "南京路店,2,100.00,30%\r\n"
      "D2,李四,2024-03-02,P2,杯子,厨具,门店,南京路店,1,50,0.4\r\n"
      "D3,张三,2024-03-05,P1,\"绿茶 \"\"特级\"\"\",饮料,小程序,南京路店,"
      "-1,-50,30\r\n",
      &o, &rep);
  assert_int_equal(clv_orders_rows(t), 3);
  assert_int_equal(clv_orders_customers(t), 2);
  assert_string_equal(clv_orders_customer_id(t, 0, NULL), "张三");
  assert_string_equal(clv_orders_customer_id(t, 1, NULL), "李四");
  assert_close(rep.amount_total, 100.0, 1e-12, 0);
  const double *cost = clv_orders_num(t, CLV_NUM_COST);
  assert_close(cost[0], 70.0, 1e-9, 0);
  assert_close(cost[1], 30.0, 1e-9, 0);
  assert_close(cost[2], -35.0, 1e-9, 0);
  assert_close(clv_orders_num(t, CLV_NUM_QUANTITY)[2], -1.0, 0, 0);
  assert_string_equal(key_text(t, CLV_ATTR_PRODUCT_NAME, 2), "绿茶 \"特级\"");
  assert_string_equal(key_text(t, CLV_ATTR_STORE, 1), "南京路店");
  assert_string_equal(key_text(t, CLV_ATTR_CHANNEL, 1), "门店");
  assert_false(clv_orders_has_attr(t, CLV_ATTR_ACQ_CHANNEL));
  assert_string_equal(rep.attr_col[CLV_ATTR_ORDER], "订单号");
  assert_string_equal(rep.attr_col[CLV_ATTR_CATEGORY], "品类");
  assert_string_equal(rep.attr_col[CLV_ATTR_ACQ_CHANNEL], "");
  assert_string_equal(rep.ingest.amount_col, "实付金额");
  assert_string_equal(rep.ingest.cost_col, "amount x (1 - 毛利率)");
  assert_int_equal(clv_orders_day(t)[0], clv_day_from_ymd(2024, 3, 1));
  clv_orders_free(t);
}

/*
 * No header, ';' as delimiter, the core columns detected from the values
 * (customer 1, date 2, amount the last number) and the product named by
 * position. "15/03/2024" can only be day/month, so "01/04/2024" after it
 * is 1 April.
 */
static void test_no_header_positions(void **state) {
  (void)state;
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  o.attr_col[CLV_ATTR_PRODUCT] = "3";
  clv_orders *t = read_text("orders_nohdr.csv",
                            "c9;15/03/2024;P7;12.50\n"
                            "c8;01/04/2024;P7;7.50\n"
                            "c9;02/04/2024;P8;(5.00)\n",
                            &o, &rep);
  assert_int_equal(rep.ingest.header, 0);
  assert_int_equal(rep.ingest.delimiter, ';');
  assert_int_equal(clv_orders_rows(t), 3);
  assert_int_equal(clv_orders_customers(t), 2);
  assert_int_equal(clv_orders_day(t)[1], clv_day_from_ymd(2024, 4, 1));
  assert_close(clv_orders_amount(t)[0], 12.5, 0, 0);
  assert_close(clv_orders_amount(t)[2], -5.0, 0, 0);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_PRODUCT), 2);
  assert_string_equal(rep.attr_col[CLV_ATTR_PRODUCT], "column 3");
  assert_int_equal(rep.ingest.date_order_used, CLV_DATE_DMY);
  assert_false(clv_orders_has_attr(t, CLV_ATTR_ORDER));
  assert_false(clv_orders_has_num(t, CLV_NUM_COST));
  clv_orders_free(t);
}

/* A bad date on line 3 (third column): an error naming it, or with
 * skip_errors a skipped, counted row whose reason is kept. */
static void test_bad_date(void **state) {
  (void)state;
  const char *text = "customer,amount,date\n"
                     "a,5,2024-01-01\n"
                     "b,6,notadate\n"
                     "c,7,2024-01-03\n";
  const char *path = clv_test_write("orders_bad.csv", text);
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = NULL;
  clv_error err;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_EPARSE);
  assert_null(t);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 5);
  assert_non_null(strstr(err.message, "expected a date"));
  assert_non_null(strstr(err.message, "\"notadate\""));
  assert_non_null(strstr(err.file, "orders_bad.csv"));
  o.ingest.skip_errors = 1;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  assert_int_equal(clv_orders_rows(t), 2);
  assert_int_equal(rep.ingest.rows, 3);
  assert_int_equal(rep.ingest.rows_skipped, 1);
  assert_int_equal(rep.ingest.n_errors, 1);
  assert_int_equal(rep.ingest.errors[0].line, 3);
  assert_int_equal(rep.ingest.errors[0].column, 5);
  assert_close(rep.amount_total, 12.0, 0, 0);
  clv_orders_free(t);
}

/* keep_anonymous = 0: a row without customer is an error at its column. */
static void test_anonymous_refused(void **state) {
  (void)state;
  const char *path =
      clv_test_write("orders_anon.csv", "date,customer_id,amount\n"
                                        "2024-01-01,x,5\n"
                                        "2024-01-02,,6\n");
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = NULL;
  clv_error err;
  o.keep_anonymous = 0;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_EPARSE);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 12);
  assert_non_null(strstr(err.message, "expected a customer id"));
  o.ingest.skip_errors = 1;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  assert_int_equal(clv_orders_rows(t), 1);
  assert_int_equal(rep.rows_anonymous, 0);
  assert_int_equal(rep.ingest.rows_skipped, 1);
  clv_orders_free(t);
}

/*
 * Column options: "" turns a detected column off, a missing name is
 * CLV_ENOCOLUMN with the header listed, an explicit cost column wins over a
 * detected unit cost, a unit cost without quantity is refused, and a margin
 * over 100% is a bad value (1.5 is read as 1.5%: only a bare number in
 * -1..1 is a share, so "150" would be 150% and is refused).
 */
static void test_column_options(void **state) {
  (void)state;
  const char *path =
      clv_test_write("orders_opts.csv", "customer,date,amount,category,"
                                        "unit_cost,row_cost,qty,m\n"
                                        "a,2024-01-01,10,X,2,5,2,150\n");
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = NULL;
  clv_error err;
  /* Detected: category, unit cost x qty (row_cost and m are not known). */
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  assert_true(clv_orders_has_attr(t, CLV_ATTR_CATEGORY));
  assert_close(clv_orders_num(t, CLV_NUM_COST)[0], 4.0, 0, 0);
  assert_close(clv_orders_num(t, CLV_NUM_QUANTITY)[0], 2.0, 0, 0);
  clv_orders_free(t);
  /* Turned off, and an explicit row cost. */
  o.attr_col[CLV_ATTR_CATEGORY] = "";
  o.ingest.cost_col = "row_cost";
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  assert_false(clv_orders_has_attr(t, CLV_ATTR_CATEGORY));
  assert_close(clv_orders_num(t, CLV_NUM_COST)[0], 5.0, 0, 0);
  assert_string_equal(rep.ingest.cost_col, "row_cost");
  clv_orders_free(t);
  /* A margin of 150 (%) is refused at line 2, column 25. */
  o.ingest.cost_col = NULL;
  o.ingest.margin_col = "m";
  o.ingest.unit_cost_col = "";
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_EPARSE);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 25);
  assert_non_null(strstr(err.message, "expected a margin"));
  /* A name that is not there. */
  o.ingest.margin_col = NULL;
  o.attr_col[CLV_ATTR_STORE] = "shop";
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_ENOCOLUMN);
  assert_int_equal(err.line, 1);
  assert_non_null(strstr(err.message, "expected a store column \"shop\""));
  assert_non_null(strstr(err.message, "\"unit_cost\""));
  /* A unit cost without a quantity column to multiply it by. */
  o.attr_col[CLV_ATTR_STORE] = NULL;
  o.ingest.unit_cost_col = "unit_cost";
  path = clv_test_write("orders_noqty.csv", "customer,date,amount,unit_cost\n"
                                            "a,2024-01-01,10,2\n");
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "expected a quantity column"));
  /* Without the option, the detected unit cost is left unused. */
  o.ingest.unit_cost_col = NULL;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  assert_false(clv_orders_has_num(t, CLV_NUM_COST));
  assert_string_equal(rep.ingest.cost_col, "");
  clv_orders_free(t);
}

/* Margins: share, percentage with and without a sign, negative (sold below
 * cost). By hand: 20 x (1 - m) for m = 0.25, 0.25, 0.25, -0.1 and 1. */
static void test_margin_forms(void **state) {
  (void)state;
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = read_text("orders_margin.csv",
                            "customer,date,amount,margin\n"
                            "a,2024-01-01,20,0.25\n"
                            "a,2024-01-02,20,25%\n"
                            "a,2024-01-03,20,25\n"
                            "a,2024-01-04,20,-10%\n"
                            "a,2024-01-05,20,1\n",
                            &o, &rep);
  const double *c = clv_orders_num(t, CLV_NUM_COST);
  assert_close(c[0], 15.0, 1e-12, 0);
  assert_close(c[1], 15.0, 1e-12, 0);
  assert_close(c[2], 15.0, 1e-12, 0);
  assert_close(c[3], 22.0, 1e-12, 0);
  assert_close(c[4], 0.0, 1e-12, 0);
  clv_orders_free(t);
}

/* The customer fallback ("a column ending in id") skips order and product
 * ids: a log with only an order id has no customer column. */
static void test_no_customer_column(void **state) {
  (void)state;
  const char *path =
      clv_test_write("orders_nocust.csv", "order_id,date,amount\n"
                                          "o1,2024-01-01,5\n");
  clv_orders *t = NULL;
  clv_error err;
  assert_int_equal(clv_orders_read(path, NULL, &t, NULL, &err), CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "expected a customer column"));
  assert_int_equal(clv_orders_read(clv_test_write("orders_empty.csv", ""), NULL,
                                   &t, NULL, &err),
                   CLV_EEMPTY);
  assert_null(t);
}

/* The memory entry reads as the file entry does. */
static void test_memory(void **state) {
  (void)state;
  const char *text = "customer,date,amount,store\nz,2024-02-29,1.25,S\n";
  clv_orders *t = NULL;
  clv_orders_report rep;
  assert_int_equal(
      clv__orders_read_mem(text, strlen(text), NULL, &t, &rep, NULL), CLV_OK);
  assert_int_equal(clv_orders_rows(t), 1);
  assert_int_equal(clv_orders_day(t)[0], clv_day_from_ymd(2024, 2, 29));
  assert_string_equal(key_text(t, CLV_ATTR_STORE, 0), "S");
  clv_orders_free(t);
}

/*
 * UCI Online Retail (541,909 rows). Figures computed independently with
 * python's csv module:
 *   python3 -c "import csv; ... for r in csv.DictReader(open(f)): ..."
 * rows 541909, rows with an empty CustomerID 135080 (their Quantity x
 * UnitPrice sums to 1447682.12), distinct StockCode 4070, distinct InvoiceNo
 * 25900, distinct CustomerID 4372, InvoiceNo starting with 'C' 9288 rows
 * summing to -896812.49 (none positive), dates 2010-12-01 .. 2011-12-09.
 * The total of Quantity x UnitPrice is recomputed here by a plain strtod
 * loop over the scanner's fields (not the amount parser).
 */
static void test_online_retail(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "online_retail/online_retail.csv");
  clv_orders_opts o = defaults();
  clv_orders_report rep;
  clv_orders *t = NULL;
  clv_error err;
  assert_int_equal(clv_orders_read(path, &o, &t, &rep, &err), CLV_OK);
  size_t rows = clv_orders_rows(t);
  assert_int_equal(rows, 541909);
  assert_int_equal(rep.ingest.rows, 541909);
  assert_int_equal(rep.rows_anonymous, 135080);
  assert_int_equal(clv_orders_customers(t), 4372);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_PRODUCT), 4070);
  assert_int_equal(clv_orders_keys(t, CLV_ATTR_ORDER), 25900);
  assert_true(clv_orders_has_attr(t, CLV_ATTR_PRODUCT_NAME));
  assert_false(clv_orders_has_attr(t, CLV_ATTR_CATEGORY));
  assert_false(clv_orders_has_num(t, CLV_NUM_COST));
  assert_string_equal(rep.ingest.amount_col, "Quantity x UnitPrice");
  assert_string_equal(rep.attr_col[CLV_ATTR_ORDER], "InvoiceNo");
  assert_string_equal(rep.attr_col[CLV_ATTR_PRODUCT], "StockCode");
  assert_string_equal(rep.attr_col[CLV_ATTR_PRODUCT_NAME], "Description");
  assert_int_equal(clv_orders_first_day(t), clv_day_from_ymd(2010, 12, 1));
  assert_int_equal(clv_orders_last_day(t), clv_day_from_ymd(2011, 12, 9));
  assert_close(rep.amount_anonymous, 1447682.12, 1e-6, 0);

  /* Independent total: strtod over Quantity (3) and UnitPrice (5). */
  clv__csv *c;
  const clv__field *f;
  size_t n;
  clv__csv_opts co = {0, 0};
  double want = 0;
  assert_int_equal(clv__csv_open_path(&c, path, NULL, &co, NULL), CLV_OK);
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  while (clv__csv_next(c, &f, &n, NULL) == CLV_OK && n > 0) {
    char q[64], p[64];
    snprintf(q, sizeof q, "%.*s", (int)f[3].len, f[3].p);
    snprintf(p, sizeof p, "%.*s", (int)f[5].len, f[5].p);
    want += strtod(q, NULL) * strtod(p, NULL);
  }
  clv__csv_close(c);
  assert_close(want, 9747747.934, 1e-3, 0); /* python's figure */
  assert_close(rep.amount_total, want, 1e-6, 0);
  assert_close(sum(clv_orders_amount(t), rows), want, 1e-6, 0);

  /* Cancellations: orders whose id starts with 'C' are negative rows. */
  const uint32_t *ord = clv_orders_key(t, CLV_ATTR_ORDER);
  const double *amt = clv_orders_amount(t);
  size_t canc = 0, positive = 0;
  double canc_sum = 0;
  for (size_t i = 0; i < rows; i++)
    if (clv_orders_key_text(t, CLV_ATTR_ORDER, ord[i])[0] == 'C') {
      canc++;
      canc_sum += amt[i];
      positive += amt[i] > 0;
    }
  assert_int_equal(canc, 9288);
  assert_int_equal(positive, 0);
  assert_close(canc_sum, -896812.49, 1e-6, 0);
  clv_orders_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_english_all_columns),
      cmocka_unit_test(test_chinese_headers),
      cmocka_unit_test(test_no_header_positions),
      cmocka_unit_test(test_bad_date),
      cmocka_unit_test(test_anonymous_refused),
      cmocka_unit_test(test_column_options),
      cmocka_unit_test(test_margin_forms),
      cmocka_unit_test(test_no_customer_column),
      cmocka_unit_test(test_memory),
      cmocka_unit_test(test_online_retail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
