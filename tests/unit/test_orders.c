/*
 * test_orders.c - the order table (src/orders.c) and the scored base
 * (src/base.c): dictionaries and customer numbers on a hand-made log, the
 * per-customer attribute picks, the summary from the table against the
 * streaming summariser on the same rows written as CSV (shuffled, so the
 * replay runs), and a base against clv_run() on the same log.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Adds a row with a customer (NULL: none), day, amount, product, channel. */
static void add(clv_orders *o, const char *cust, int32_t day, double amount,
                const char *product, const char *channel, double cost) {
  clv_order_row r;
  clv_order_row_init(&r);
  r.customer = cust;
  r.customer_len = cust ? strlen(cust) : 0;
  r.day = day;
  r.amount = amount;
  r.text[CLV_ATTR_PRODUCT] = product;
  r.text_len[CLV_ATTR_PRODUCT] = product ? strlen(product) : 0;
  r.text[CLV_ATTR_PRODUCT_NAME] = product ? "name" : NULL;
  r.text_len[CLV_ATTR_PRODUCT_NAME] = product ? 4 : 0;
  r.text[CLV_ATTR_CHANNEL] = channel;
  r.text_len[CLV_ATTR_CHANNEL] = channel ? strlen(channel) : 0;
  r.num[CLV_NUM_COST] = cost;
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
}

static clv_orders *small_log(void) {
  clv_orders *o;
  unsigned attrs = 1u << CLV_ATTR_PRODUCT | 1u << CLV_ATTR_PRODUCT_NAME |
                   1u << CLV_ATTR_CHANNEL;
  assert_int_equal(clv_orders_new(&o, attrs, 1u << CLV_NUM_COST), CLV_OK);
  /* Customer "a": web on day 10, then store twice; "b": only a refund and a
   * purchase; one anonymous row. */
  add(o, "a", 12, 20, "p2", "store", 12);
  add(o, "b", 11, 30, "p1", "web", 10);
  add(o, NULL, 11, 7, "p1", "store", 3);
  add(o, "a", 10, 10, "p1", "web", 5);
  add(o, "a", 15, -5, "p2", "store", -3);
  add(o, "a", 20, 40, "p3", NULL, 20);
  add(o, "b", 30, 15, "p1", "app", 5);
  return o;
}

static void table_basics(void **state) {
  (void)state;
  clv_orders *o = small_log();
  assert_int_equal(clv_orders_rows(o), 7);
  assert_int_equal(clv_orders_customers(o), 2);
  /* Customers are numbered in order of first appearance: a = 0, b = 1. */
  uint32_t c = 99;
  assert_true(clv_orders_find_customer(o, "b", 1, &c));
  assert_int_equal(c, 1);
  assert_string_equal(clv_orders_customer_id(o, 0, NULL), "a");
  assert_int_equal(clv_orders_customer(o)[2], CLV_NO_CUSTOMER);
  assert_int_equal(clv_orders_keys(o, CLV_ATTR_PRODUCT), 3);
  assert_int_equal(clv_orders_keys(o, CLV_ATTR_CHANNEL), 3);
  assert_int_equal(clv_orders_key(o, CLV_ATTR_CHANNEL)[5], CLV_NO_KEY);
  assert_string_equal(clv_orders_key_text(o, CLV_ATTR_PRODUCT, 1), "p1");
  assert_string_equal(clv_orders_product_name(o, 0), "name");
  assert_null(clv_orders_key(o, CLV_ATTR_STORE));
  assert_null(clv_orders_num(o, CLV_NUM_QUANTITY));
  assert_int_equal(clv_orders_first_day(o), 10);
  assert_int_equal(clv_orders_last_day(o), 30);
  /* A value that is not finite is refused and nothing is added. */
  clv_order_row r;
  clv_order_row_init(&r);
  r.amount = NAN;
  assert_int_equal(clv_orders_add(o, &r), CLV_EDOMAIN);
  assert_int_equal(clv_orders_rows(o), 7);
  clv_orders_free(o);
}

static void attribute_picks(void **state) {
  (void)state;
  clv_orders *o = small_log();
  uint32_t k[2];
  uint32_t web = 1, store = 0, app = 2; /* in order of first appearance */
  assert_string_equal(clv_orders_key_text(o, CLV_ATTR_CHANNEL, web), "web");
  assert_string_equal(clv_orders_key_text(o, CLV_ATTR_CHANNEL, app), "app");
  /* First: a's earliest row (day 10) is web although its first row in the
   * input is store; b's is web (day 11). */
  assert_int_equal(clv_orders_customer_attr(o, CLV_ATTR_CHANNEL, CLV_PICK_FIRST,
                                            INT32_MAX, k),
                   CLV_OK);
  assert_int_equal(k[0], web);
  assert_int_equal(k[1], web);
  /* Most: a has store twice, web once; b has web and app once each, and the
   * tie goes to the value seen first (web). */
  assert_int_equal(clv_orders_customer_attr(o, CLV_ATTR_CHANNEL, CLV_PICK_MOST,
                                            INT32_MAX, k),
                   CLV_OK);
  assert_int_equal(k[0], store);
  assert_int_equal(k[1], web);
  /* Up to day 10 only a has a row. */
  assert_int_equal(
      clv_orders_customer_attr(o, CLV_ATTR_CHANNEL, CLV_PICK_MOST, 10, k),
      CLV_OK);
  assert_int_equal(k[0], web);
  assert_int_equal(k[1], CLV_NO_KEY);
  assert_int_equal(
      clv_orders_customer_attr(o, CLV_ATTR_STORE, CLV_PICK_MOST, INT32_MAX, k),
      CLV_EINVAL);
  clv_orders_free(o);
}

static void summary_small(void **state) {
  (void)state;
  clv_orders *o = small_log();
  clv_ingest_opts io;
  clv_ingest_opts_init(&io);
  io.unit = CLV_UNIT_DAY;
  clv_summary *s;
  size_t row_of[2];
  assert_int_equal(clv_orders_summarize(o, &io, &s, row_of, NULL), CLV_OK);
  assert_int_equal(clv_summary_rows(s), 2);
  /* By hand: a buys on days 10, 12, 20 (day 15 is only a refund, so it is
   * not a purchase) -> x = 2, t_x = 10, T = 30 - 10 = 20; repeat spend:
   * day 12 nets 20, day 20 nets 40 -> m = 30 (the refund on day 15 is in
   * the total spend, 65). b: days 11 and 30 -> x = 1, t_x = 19, T = 19,
   * m = 15. The anonymous row is not a customer. */
  size_t a = row_of[0], b = row_of[1];
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  const double *m = clv_summary_col(s, CLV_COL_M);
  const double *tot = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  assert_close(x[a], 2, 0, 0);
  assert_close(tx[a], 10, 0, 0);
  assert_close(T[a], 20, 0, 0);
  assert_close(m[a], 30, 1e-12, 0);
  assert_close(tot[a], 65, 1e-12, 0);
  assert_close(x[b], 1, 0, 0);
  assert_close(tx[b], 19, 0, 0);
  assert_close(T[b], 19, 0, 0);
  assert_close(m[b], 15, 1e-12, 0);
  clv_summary_free(s);
  /* As of day 11: b's day-30 row is left out, a is at x = 0. */
  io.until_day = 11;
  assert_int_equal(clv_orders_summarize(o, &io, &s, row_of, NULL), CLV_OK);
  assert_close(clv_summary_col(s, CLV_COL_X)[row_of[0]], 0, 0, 0);
  assert_close(clv_summary_col(s, CLV_COL_T)[row_of[1]], 0, 0, 0);
  clv_summary_free(s);
  clv_orders_free(o);
}

/* A simulated log, shuffled by a fixed permutation, both as a CSV file and as
 * an order table. */
static clv_orders *simulated(const char *csv_name, const char **csv_path,
                             size_t customers, int with_cost) {
  clv_sim_opts so;
  clv_sim_opts_init(&so);
  so.customers = customers;
  so.seed = 11;
  so.with_time = 0;
  so.refund_rate = 0.05;
  so.threads = 1;
  const char *raw = clv_test_simulate("orders_sim_raw.csv", &so);
  /* Read it back by hand (customer_id,date,amount), shuffle, and write the
   * shuffled rows to csv_name and into the table. */
  FILE *f = fopen(raw, "r");
  assert_non_null(f);
  char line[60];
  size_t n = 0, cap = 1024;
  char(*rows)[64] = malloc(cap * sizeof *rows);
  assert_non_null(fgets(line, sizeof line, f)); /* header */
  while (fgets(line, sizeof line, f)) {
    if (n == cap)
      rows = realloc(rows, (cap *= 2) * sizeof *rows);
    snprintf(rows[n++], sizeof rows[0], "%s", line);
  }
  fclose(f);
  uint64_t st = 7;
  for (size_t i = n; i > 1; i--) {
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    size_t j = (size_t)(st >> 33) % i;
    char tmp[64];
    memcpy(tmp, rows[i - 1], sizeof tmp);
    memcpy(rows[i - 1], rows[j], sizeof tmp);
    memcpy(rows[j], tmp, sizeof tmp);
  }
  *csv_path = clv_test_tmp(csv_name);
  f = fopen(*csv_path, "w");
  fputs("customer_id,date,amount\n", f);
  clv_orders *o;
  assert_int_equal(clv_orders_new(&o, 0, with_cost ? 1u << CLV_NUM_COST : 0),
                   CLV_OK);
  for (size_t i = 0; i < n; i++) {
    fputs(rows[i], f);
    char id[32];
    int y, mo, d;
    double amt;
    assert_int_equal(
        sscanf(rows[i], "%31[^,],%d-%d-%d,%lf", id, &y, &mo, &d, &amt), 5);
    clv_order_row r;
    clv_order_row_init(&r);
    r.customer = id;
    r.customer_len = strlen(id);
    r.day = clv_day_from_ymd(y, mo, d);
    r.amount = amt;
    r.num[CLV_NUM_COST] = 0.625 * amt;
    assert_int_equal(clv_orders_add(o, &r), CLV_OK);
  }
  fclose(f);
  free(rows);
  return o;
}

/* Column-by-column equality of two summaries whose rows are matched by id. */
static void assert_same_summary(const clv_summary *a, const clv_summary *b) {
  assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
  assert_int_equal(clv_summary_columns(a), clv_summary_columns(b));
  for (size_t i = 0; i < clv_summary_rows(a); i++) {
    assert_string_equal(clv_summary_id(a, i, NULL), clv_summary_id(b, i, NULL));
    for (int c = 0; c < CLV_COL__COUNT; c++)
      if (clv_summary_has(a, (clv_col)c))
        assert_close(clv_summary_col(a, (clv_col)c)[i],
                     clv_summary_col(b, (clv_col)c)[i], 1e-9, 1e-12);
  }
}

static void summary_matches_streaming(void **state) {
  (void)state;
  const char *csv;
  clv_orders *o = simulated("orders_sim.csv", &csv, 3000, 0);
  clv_ingest_opts io;
  clv_ingest_opts_init(&io);
  io.unit = CLV_UNIT_WEEK;
  io.holdout_day = clv_orders_first_day(o) + 300;
  clv_summary *a, *b;
  clv_ingest_report ra, rb;
  size_t *row_of = malloc(clv_orders_customers(o) * sizeof *row_of);
  assert_int_equal(clv_orders_summarize(o, &io, &a, row_of, &ra), CLV_OK);
  assert_int_equal(clv_summarize_file(csv, &io, &b, &rb, NULL), CLV_OK);
  /* Shuffled rows: the replay rebuilt customers on both paths. */
  assert_true(ra.replayed_customers > 0);
  assert_int_equal(ra.customers, rb.customers);
  assert_int_equal(ra.rows_used, rb.rows_used);
  assert_int_equal(ra.customers_no_purchase, rb.customers_no_purchase);
  assert_int_equal(ra.customers_holdout_only, rb.customers_holdout_only);
  assert_same_summary(a, b);
  for (size_t c = 0; c < clv_orders_customers(o); c++)
    if (row_of[c] != SIZE_MAX)
      assert_string_equal(clv_summary_id(a, row_of[c], NULL),
                          clv_orders_customer_id(o, (uint32_t)c, NULL));
  free(row_of);
  clv_summary_free(a);
  clv_summary_free(b);
  clv_orders_free(o);
}

static void base_matches_run(void **state) {
  (void)state;
  const char *csv;
  clv_orders *o = simulated("orders_base.csv", &csv, 4000, 0);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  /* As of 60 days in, inside the 12 weeks of births, so that later rows
   * and customers must be left out. */
  bo.as_of_day = clv_orders_first_day(o) + 60;
  clv_base *b = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  clv_run_opts ro = bo.run;
  ro.ingest.until_day = bo.as_of_day;
  clv_run_result *r = NULL;
  assert_int_equal(clv_run(csv, &ro, &r, NULL), CLV_OK);
  /* The same log gives the same customers, parameters and values. */
  assert_same_summary(b->run->summary, r->summary);
  for (int k = 0; k < 4; k++)
    assert_close(clv_model_params(b->run->tx)[k], clv_model_params(r->tx)[k], 0,
                 1e-9);
  assert_close(b->run->value_total, r->value_total, 0, 1e-9);
  assert_int_equal(b->as_of_day, bo.as_of_day);
  /* The maps are inverse to each other. */
  size_t n = clv_summary_rows(b->run->summary), mapped = 0;
  for (size_t i = 0; i < n; i++)
    assert_int_equal(b->row_of[b->customer_of[i]], i);
  for (size_t c = 0; c < b->customers; c++)
    mapped += b->row_of[c] != SIZE_MAX;
  assert_int_equal(mapped, n);
  assert_true(n < b->customers); /* later customers are not in the base */
  clv_run_result_free(r);
  clv_base_free(b);
  clv_orders_free(o);
}

static void base_margin_from_cost(void **state) {
  (void)state;
  const char *csv;
  /* Every row costs 0.625 of its amount (refunds return their cost), so the
   * margin of the log is exactly 1 - 0.625 = 0.375. */
  clv_orders *o = simulated("orders_cost.csv", &csv, 2000, 1);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL, *b2 = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  assert_close(b->margin, 0.375, 1e-12, 0);
  assert_non_null(strstr(b->run->notes, "1 - cost / revenue"));
  /* A margin the caller set wins, and values scale with it. */
  bo.run.margin = 0.75;
  assert_int_equal(clv_base_build(o, &bo, &b2, NULL), CLV_OK);
  assert_close(b2->margin, 0.75, 0, 0);
  assert_close(b2->run->value_total, 2 * b->run->value_total, 0, 1e-9);
  clv_base_free(b);
  clv_base_free(b2);
  clv_orders_free(o);
}

/* clv_run() values a log with costs at the margin they imply, as the base
 * does: on a simulated retail log (quantity x unit_cost), the margin is
 * 1 - sum(quantity x unit_cost) / sum(amount), summed here by hand from the
 * CSV's fields, and clv_run() and clv_base_build() give the same margin and
 * CLV total; without costs clv_run() values revenue (total / margin). */
static void run_margin_equals_base(void **state) {
  (void)state;
  clv_sim_opts so;
  clv_sim_opts_init(&so);
  so.customers = 1500;
  so.seed = 5;
  so.retail = 1;
  so.threads = 1;
  const char *csv = clv_test_simulate("orders_retail_cost.csv", &so);
  /* Columns: order_id,customer_id,order_date,product_id,product_name,
   * category,quantity,unit_price,amount,unit_cost,... (no quoted fields). */
  FILE *f = fopen(csv, "r");
  char line[512];
  double rev = 0, cost = 0;
  assert_non_null(fgets(line, sizeof line, f));
  assert_non_null(strstr(line, "quantity,unit_price,amount,unit_cost"));
  while (fgets(line, sizeof line, f)) {
    char *p = line;
    double q = 0, amount = 0, unit = 0;
    for (int k = 0; k < 10; k++) {
      if (k == 6)
        q = strtod(p, NULL);
      if (k == 8)
        amount = strtod(p, NULL);
      if (k == 9)
        unit = strtod(p, NULL);
      p = strchr(p, ',') + 1;
    }
    rev += amount;
    cost += q * unit;
  }
  fclose(f);
  double margin = 1 - cost / rev;

  clv_orders *o;
  assert_int_equal(clv_orders_read(csv, NULL, &o, NULL, NULL), CLV_OK);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  assert_close(b->margin, margin, 1e-9, 0);
  clv_run_opts ro = bo.run;
  ro.ingest.costs = 1;
  clv_run_result *r = NULL, *r0 = NULL;
  assert_int_equal(clv_run(csv, &ro, &r, NULL), CLV_OK);
  assert_close(r->ingest.revenue, rev, 0, 1e-12);
  assert_close(r->ingest.cost, cost, 0, 1e-12);
  assert_close(r->pred->value_opts.margin, b->margin, 0, 0);
  assert_close(r->value_total, b->run->value_total, 0, 1e-9);
  assert_non_null(strstr(r->notes, "1 - cost / revenue"));
  ro.ingest.costs = 0;
  assert_int_equal(clv_run(csv, &ro, &r0, NULL), CLV_OK);
  assert_close(r0->pred->value_opts.margin, 1.0, 0, 0);
  assert_close(r0->value_total * b->margin, r->value_total, 0, 1e-9);
  clv_run_result_free(r);
  clv_run_result_free(r0);
  clv_base_free(b);
  clv_orders_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_basics),
      cmocka_unit_test(attribute_picks),
      cmocka_unit_test(summary_small),
      cmocka_unit_test(summary_matches_streaming),
      cmocka_unit_test(base_matches_run),
      cmocka_unit_test(base_margin_from_cost),
      cmocka_unit_test(run_margin_equals_base),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
