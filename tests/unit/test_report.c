/*
 * test_report.c - the HTML report (clv_report_*): the page is
 * self-contained (CSP, no external URL), the data block cannot be closed
 * early by a title holding "</script>", and the figures add up to the run's
 * totals. The data block is parsed back with jansson, an independent
 * reader, rather than compared with a copy of our own output.
 */
#include "testutil.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clv.h"

/* A scored base from a simulated log of 2000 customers (the default
 * BG/NBD + Gamma-Gamma CDNOW parameters). Only base->run is read by the
 * report's base sections, so the order table stays NULL. */
static clv_base *simulated_base(void) {
  clv_sim_opts so;
  clv_run_opts ro;
  clv_run_result *rr = NULL;
  clv_base *b;
  const char *path = clv_test_tmp("report_orders.csv");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  clv_sim_opts_init(&so);
  so.customers = 2000;
  so.seed = 11;
  so.threads = 1;
  assert_int_equal(clv_simulate_log(&so, f, NULL), CLV_OK);
  assert_int_equal(fclose(f), 0);
  clv_run_opts_init(&ro);
  assert_int_equal(clv_run(path, &ro, &rr, NULL), CLV_OK);
  b = calloc(1, sizeof *b);
  assert_non_null(b);
  b->run = rr;
  return b;
}

static void free_base(clv_base *b) {
  clv_run_result_free(b->run);
  free(b);
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  char *p;
  long len;
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  len = ftell(f);
  rewind(f);
  p = malloc((size_t)len + 1);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
  p[len] = '\0';
  fclose(f);
  *n = (size_t)len;
  return p;
}

static size_t count(const char *hay, const char *needle) {
  size_t c = 0;
  for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
    c++;
  return c;
}

/* The JSON of the data block, parsed. */
static json_t *data_of(const char *html) {
  const char *a = strstr(html, "id=\"clv-data\">");
  const char *e;
  json_error_t je;
  json_t *j;
  assert_non_null(a);
  a += strlen("id=\"clv-data\">");
  e = strstr(a, "</script>");
  assert_non_null(e);
  j = json_loadb(a, (size_t)(e - a), 0, &je);
  if (j == NULL)
    fail_msg("data block: %s at %d", je.text, je.position);
  return j;
}

static json_t *section(json_t *d, const char *id) {
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(d, "sections"), i, s) {
    if (strcmp(json_string_value(json_object_get(s, "id")), id) == 0)
      return json_object_get(s, "payload");
  }
  fail_msg("no section %s", id);
  return NULL;
}

static double kpi(json_t *payload, const char *label) {
  size_t i;
  json_t *k;
  json_array_foreach(json_object_get(payload, "kpis"), i, k) {
    if (strcmp(json_string_value(json_object_get(k, "label")), label) == 0)
      return json_number_value(json_object_get(k, "value"));
  }
  fail_msg("no kpi %s", label);
  return NAN;
}

static json_t *chart(json_t *payload, const char *title_start) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(payload, "charts"), i, c) {
    const char *t = json_string_value(json_object_get(c, "title"));
    if (strncmp(t, title_start, strlen(title_start)) == 0)
      return c;
  }
  fail_msg("no chart %s", title_start);
  return NULL;
}

static double series_sum(json_t *c, size_t k) {
  json_t *d =
      json_object_get(json_array_get(json_object_get(c, "series"), k), "data");
  json_t *v;
  size_t i;
  double s = 0;
  json_array_foreach(d, i, v) s += json_number_value(v);
  return s;
}

static char *render(const clv_base *b, const clv_report_opts *o, size_t *n) {
  const char *path = clv_test_tmp("report.html");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(clv_report_write(b, o, f), CLV_OK);
  assert_int_equal(fclose(f), 0);
  return slurp(path, n);
}

/* The page is self-contained and its figures add up. The totals are the
 * run's own sums (customers, sum of values), computed by clv_run, which the
 * report must carry over unchanged; the histogram and the purchase
 * distribution must each count every customer once. */
static void test_totals_and_self_contained(void **state) {
  clv_base *b;
  clv_report_opts o;
  char *html;
  size_t n;
  json_t *d, *ov, *val, *fit, *c;
  (void)state;
  if (!clv_report_available())
    skip();
  b = simulated_base();
  clv_report_opts_init(&o);
  o.title = "Shop </script><script>alert(1)</script>";
  html = render(b, &o, &n);
  assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  assert_non_null(strstr(html, "default-src 'none'"));
  /* No URL that a browser would fetch: no src= or href= to http. */
  assert_null(strstr(html, "src=\"http"));
  assert_null(strstr(html, "href=\"http"));
  /* Four script elements in the template, each closed once: the title's
   * "</script>" must not add a fifth closing tag. */
  assert_int_equal(count(html, "</script>"), 4);
  /* ECharts is ~1.1 MB; a 2000-customer base adds a few kB. */
  assert_true(n < 1500000);
  d = data_of(html);
  assert_string_equal(json_string_value(json_object_get(d, "title")), o.title);
  assert_string_equal(json_string_value(json_object_get(d, "symbol")), "$");
  ov = section(d, "overview");
  assert_close(kpi(ov, "Customers"), 2000, 0, 1e-12);
  assert_close(kpi(ov, "Predicted CLV, total"), b->run->value_total, 0, 1e-5);
  assert_close(kpi(ov, "Historic revenue"), b->run->historic_revenue, 0, 1e-5);
  assert_close(kpi(ov, "Predicted CLV per customer"),
               b->run->value_total / 2000, 0, 1e-5);
  {
    double a = kpi(ov, "Active share (mean P(alive))");
    assert_true(a > 0 && a < 1);
  }
  val = section(d, "value");
  assert_close(kpi(val, "Predicted CLV, total"), b->run->value_total, 0, 1e-5);
  c = chart(val, "Distribution of predicted CLV");
  assert_close(series_sum(c, 0), 2000, 0, 1e-12);
  /* The Pareto curve rises from 0 to 1 and is concave (most valuable
   * first), so it lies above the diagonal. */
  c = chart(val, "Pareto curve");
  {
    json_t *y = json_object_get(json_array_get(json_object_get(c, "series"), 0),
                                "data");
    json_t *x = json_object_get(c, "x");
    size_t i, m = json_array_size(y);
    assert_true(m >= 10);
    assert_close(json_number_value(json_array_get(y, 0)), 0, 1e-12, 0);
    assert_close(json_number_value(json_array_get(y, m - 1)), 1, 1e-5, 0);
    for (i = 1; i < m; i++) {
      double yi = json_number_value(json_array_get(y, i));
      assert_true(yi >= json_number_value(json_array_get(y, i - 1)) - 1e-9);
      assert_true(yi >= json_number_value(json_array_get(x, i)) - 1e-5);
    }
  }
  fit = section(d, "fit");
  c = chart(fit, "Customers by repeat purchases");
  /* Actual counts every customer once; the model's P(X(T_i) = n) summed
   * over n (with the tail in the last bar) is 1 per customer. */
  assert_close(series_sum(c, 0), 2000, 0, 1e-12);
  assert_close(series_sum(c, 1), 2000, 0, 1e-4);
  /* Two heat maps of 16 recency points per frequency row. */
  c = chart(fit, "P(alive) by frequency");
  assert_int_equal(json_array_size(json_object_get(c, "z")),
                   16 * json_array_size(json_object_get(c, "y")));
  /* No NaN in the data (ECharts' own code may spell it). */
  assert_null(strstr(strstr(html, "id=\"clv-data\">"), "NaN"));
  json_decref(d);
  free(html);
  free_base(b);
}

static int cmp_dbl(const void *a, const void *c) {
  double u = *(const double *)a, v = *(const double *)c;
  return (u > v) - (u < v);
}

/* The frequency/recency matrices span t_x up to the median age T and x up
 * to the 99th percentile of x (5 to 40 rows). The report finds both by
 * selection, not sorting; here they are read off a full sort of the
 * summary's columns, an independent route to the same order statistics. */
static void test_heatmap_grid_quantiles(void **state) {
  clv_base *b = simulated_base();
  const clv_summary *s = b->run->summary;
  size_t n = clv_summary_rows(s), nx, html_n;
  double *v = malloc(n * sizeof *v), medT, p99;
  char *html;
  json_t *d, *c, *x;
  (void)state;
  assert_non_null(v);
  memcpy(v, clv_summary_col(s, CLV_COL_T), n * sizeof *v);
  qsort(v, n, sizeof *v, cmp_dbl);
  medT = v[n / 2];
  memcpy(v, clv_summary_col(s, CLV_COL_X), n * sizeof *v);
  qsort(v, n, sizeof *v, cmp_dbl);
  p99 = v[(size_t)((double)(n - 1) * 0.99)];
  nx = p99 < 5 ? 6 : p99 > 40 ? 41 : (size_t)floor(p99) + 1;
  html = render(b, NULL, &html_n);
  d = data_of(html);
  c = chart(section(d, "fit"), "P(alive) by frequency");
  x = json_object_get(c, "x");
  assert_int_equal(json_array_size(x), 16);
  /* Six significant digits in the page. */
  assert_close(json_number_value(json_array_get(x, 15)), medT, 0, 1e-5);
  assert_int_equal(json_array_size(json_object_get(c, "y")), nx);
  json_decref(d);
  free(html);
  free(v);
  free_base(b);
}

/* Pareto share checked by hand: a fifth of the customers worth 4 each and
 * the rest 0.25 each: the top 20% hold 0.2n*4 / (0.2n*4 + 0.8n*0.25) =
 * 0.8 / 1.0 = 80% of the value. */
static void test_pareto_hand_checked(void **state) {
  clv_base *b;
  size_t i, rows;
  char *html;
  size_t n;
  json_t *d;
  (void)state;
  if (!clv_report_available())
    skip();
  b = simulated_base();
  rows = b->run->pred->rows;
  assert_int_equal(rows % 5, 0);
  for (i = 0; i < rows; i++)
    b->run->pred->value[i] = i % 5 == 0 ? 4 : 0.25;
  html = render(b, NULL, &n);
  d = data_of(html);
  assert_close(
      kpi(section(d, "value"), "Share of value in the top 20% of customers"),
      0.8, 1e-9, 0);
  assert_close(kpi(section(d, "value"), "Median CLV"), 0.25, 1e-12, 0);
  json_decref(d);
  free(html);
  free_base(b);
}

/* Chinese labels and the yuan sign; section ids are checked. */
static void test_lang_and_sections(void **state) {
  clv_report *r = NULL;
  clv_report_opts o;
  char *html;
  size_t n;
  const char *path = clv_test_tmp("sections.html");
  FILE *f;
  json_t *d, *s;
  (void)state;
  clv_report_opts_init(&o);
  o.lang = "fr";
  assert_int_equal(clv_report_new(&r, &o), CLV_EINVAL);
  assert_null(r);
  o.lang = "zh";
  assert_int_equal(clv_report_new(&r, &o), CLV_OK);
  assert_int_equal(clv_report_add_section(r, "bad id", "A", "B", "{}"),
                   CLV_EINVAL);
  assert_int_equal(clv_report_add_section(r, "ok", "A", "B", "[]"), CLV_EINVAL);
  assert_int_equal(
      clv_report_add_section(r, "extra", "Extra", "额外", "{\"slot\":\"a<b\"}"),
      CLV_OK);
  if (!clv_report_available()) {
    f = fopen(path, "w");
    assert_int_equal(clv_report_write_html(r, f), CLV_EUNSUPPORTED);
    fclose(f);
    clv_report_free(r);
    skip();
  }
  f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(clv_report_write_html(r, f), CLV_OK);
  assert_int_equal(fclose(f), 0);
  clv_report_free(r);
  html = slurp(path, &n);
  d = data_of(html);
  assert_string_equal(json_string_value(json_object_get(d, "currency")), "CNY");
  assert_string_equal(json_string_value(json_object_get(d, "symbol")),
                      "\xc2\xa5");
  s = json_array_get(json_object_get(d, "sections"), 0);
  assert_string_equal(json_string_value(json_object_get(s, "title")), "额外");
  /* '<' reaches the page as \u003c and reads back as '<'. */
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(s, "payload"), "slot")),
      "a<b");
  assert_null(strstr(strstr(html, "id=\"clv-data\">"), "a<b"));
  json_decref(d);
  free(html);
}

/* ---- the business sections ------------------------------------------- */

/* A scored base over a simulated retail log (products, categories, costs,
 * channels, stores, acquisition sources) or the plain layout (customer,
 * date, amount only). The order table is returned for freeing. */
static clv_base *retail_base(int retail, clv_orders **orders) {
  clv_sim_opts so;
  clv_orders_opts oo;
  clv_base *b = NULL;
  clv_error err;
  const char *path = clv_test_tmp(retail ? "retail.csv" : "plain.csv");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  clv_sim_opts_init(&so);
  so.customers = 3000;
  so.seed = 21;
  so.threads = 1;
  so.retail = retail;
  assert_int_equal(clv_simulate_log(&so, f, NULL), CLV_OK);
  assert_int_equal(fclose(f), 0);
  clv_orders_opts_init(&oo);
  assert_int_equal(clv_orders_read(path, &oo, orders, NULL, &err), CLV_OK);
  assert_int_equal(clv_base_build(*orders, NULL, &b, &err), CLV_OK);
  return b;
}

static double table_rows(json_t *c) {
  return (double)json_array_size(json_object_get(c, "rows"));
}

/* The series named `name` of a chart, summed. */
static double named_sum(json_t *c, const char *name) {
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(c, "series"), i, s) {
    if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
      return series_sum(c, i);
  }
  fail_msg("no series %s", name);
  return NAN;
}

static long file_lines(const char *path) {
  FILE *f = fopen(path, "r");
  long n = 0;
  int ch;
  if (f == NULL)
    return -1;
  while ((ch = fgetc(f)) != EOF)
    n += ch == '\n';
  fclose(f);
  return n;
}

/* Every section of the issue is present, in order, and the payloads carry
 * the modules' totals. The totals are checked against sums taken here from
 * the order table's own columns (every row up to the as-of day: net
 * revenue; rows with a customer: the cohorts' revenue) and against the
 * run's sums (customers, predicted value), not against the report's
 * output. */
static void test_business_sections(void **state) {
  static const char *const ids[] = {"overview",    "fit",      "tracking",
                                    "value",       "segments", "cohorts",
                                    "acquisition", "products", "actions"};
  clv_orders *orders = NULL;
  clv_base *b;
  clv_report_opts o;
  char *html, dir[4096];
  size_t n, i, rows;
  json_t *d, *p, *c, *secs;
  double net = 0, with_customer = 0;
  const double *amt;
  const int32_t *day;
  const uint32_t *cust;
  (void)state;
  if (!clv_report_available())
    skip();
  b = retail_base(1, &orders);
  rows = clv_orders_rows(orders);
  amt = clv_orders_amount(orders);
  day = clv_orders_day(orders);
  cust = clv_orders_customer(orders);
  for (i = 0; i < rows; i++)
    if (day[i] <= b->as_of_day) {
      net += amt[i];
      if (cust[i] != CLV_NO_CUSTOMER)
        with_customer += amt[i];
    }
  snprintf(dir, sizeof dir, "%s", clv_test_tmp("actions"));
  /* The folder must exist before the report writes into it. */
  assert_true(mkdir(dir, 0777) == 0 || errno == EEXIST);
  clv_report_opts_init(&o);
  o.actions_dir = dir;
  o.actions_href = "lists";
  html = render(b, &o, &n);
  /* Aggregates only: ECharts (~1.1 MB) plus some tens of kB. */
  assert_true(n < 1500000);
  d = data_of(html);
  secs = json_object_get(d, "sections");
  assert_int_equal(json_array_size(secs), sizeof ids / sizeof ids[0]);
  for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(secs, i), "id")),
        ids[i]);

  /* Tracking: both curves; the actual cumulative count at the end is every
   * repeat purchase of the summary (sum of x), the model's is close. */
  p = section(d, "tracking");
  c = chart(p, "Cumulative repeat purchases");
  {
    const double *x = clv_summary_col(b->run->summary, CLV_COL_X);
    double sx = 0, last;
    json_t *a = json_object_get(json_array_get(json_object_get(c, "series"), 0),
                                "data");
    for (i = 0; i < clv_summary_rows(b->run->summary); i++)
      sx += x[i];
    last = json_number_value(json_array_get(a, json_array_size(a) - 1));
    assert_close(last, sx, 0, 1e-5);
    assert_close(kpi(p, "Repeat purchases to date, model"), sx, 0, 0.15);
  }
  chart(p, "Repeat purchases per period");

  /* Value segments: each table counts every scored customer once and its
   * predicted value adds up to the run's total. */
  p = section(d, "segments");
  {
    static const char *const t[] = {"Value tiers", "RFM groups", "RFM segments",
                                    "Churn-risk"};
    for (i = 0; i < 4; i++) {
      c = chart(p, t[i]);
      assert_close(named_sum(c, "Customers (count)"), b->run->customers, 0,
                   1e-9);
      assert_close(named_sum(c, "Predicted CLV (sum)"), b->run->value_total, 0,
                   1e-4);
      assert_close(named_sum(c, "Customers"), 1, 0, 1e-4);
      assert_close(named_sum(c, "Predicted CLV"), 1, 0, 1e-4);
    }
  }

  /* Cohorts: every customer with a purchase is acquired once; the cohorts'
   * revenue is the revenue of the rows with a customer (the simulated log
   * has no refunds, so no customer is left unacquired). */
  p = section(d, "cohorts");
  assert_close(kpi(p, "Customers acquired"), b->run->customers, 0, 1e-12);
  assert_close(kpi(p, "Revenue of the cohorts"), with_customer, 0, 1e-5);
  assert_close(kpi(p, "Predicted CLV of the cohorts"), b->run->value_total, 0,
               1e-5);
  c = chart(p, "Retention by cohort");
  assert_true(json_array_size(json_object_get(c, "z")) > 0);
  chart(p, "Cumulative revenue per customer");
  c = chart(p, "Predicted CLV per customer by cohort");
  assert_close(named_sum(c, "Customers"), b->run->customers, 0, 1e-9);

  /* Acquisition: the channels' customers add up to every customer. */
  p = section(d, "acquisition");
  assert_close(kpi(p, "Customers acquired"), b->run->customers, 0, 1e-12);
  c = chart(p, "Value and the most");
  assert_close(named_sum(c, "Customers"), b->run->customers, 0, 1e-9);
  chart(p, "Payback");
  assert_true(table_rows(chart(p, "Per channel")) >= 2);

  /* Products: the net revenue is every row's amount up to the as-of day. */
  p = section(d, "products");
  assert_close(kpi(p, "Net revenue"), net, 0, 1e-5);
  c = chart(p, "Most profitable products");
  assert_true(json_array_size(json_object_get(c, "x")) == 10);
  assert_true(table_rows(chart(p, "What high-value")) > 0);
  assert_true(table_rows(chart(p, "Top cross-sell pairs")) > 0);

  /* Action: two top lists of at most 20 and three linked CSV lists. */
  p = section(d, "actions");
  c = chart(p, "Top 20 customers at high churn risk");
  assert_true(table_rows(c) > 0 && table_rows(c) <= 20);
  c = chart(p, "Top 20 customers to contact");
  assert_true(table_rows(c) <= 20);
  assert_int_equal(json_array_size(json_object_get(p, "links")), 3);
  assert_string_equal(
      json_string_value(json_object_get(
          json_array_get(json_object_get(p, "links"), 0), "href")),
      "lists/customers.csv");
  {
    char path[4200];
    snprintf(path, sizeof path, "%s/customers.csv", dir);
    /* A header and one line per scored customer. */
    assert_int_equal(file_lines(path), (long)b->run->customers + 1);
    snprintf(path, sizeof path, "%s/contacts.csv", dir);
    assert_true(file_lines(path) >= 1);
    snprintf(path, sizeof path, "%s/recommendations.csv", dir);
    assert_true(file_lines(path) >= 1);
  }
  assert_null(strstr(strstr(html, "id=\"clv-data\">"), "NaN"));
  json_decref(d);
  free(html);
  clv_base_free(b);
  clv_orders_free(orders);
}

/* A log without a product column: the report is still written, and the
 * Products section says why it has no charts; no links without
 * actions_dir. */
static void test_no_product_column(void **state) {
  clv_orders *orders = NULL;
  clv_base *b;
  char *html;
  size_t n;
  json_t *d, *p;
  (void)state;
  if (!clv_report_available())
    skip();
  b = retail_base(0, &orders);
  html = render(b, NULL, &n);
  d = data_of(html);
  p = section(d, "products");
  assert_null(json_object_get(p, "charts"));
  assert_non_null(
      strstr(json_string_value(json_object_get(p, "slot")), "product column"));
  p = section(d, "actions");
  assert_int_equal(json_array_size(json_object_get(p, "links")), 0);
  section(d, "cohorts");
  section(d, "segments");
  assert_null(strstr(strstr(html, "id=\"clv-data\">"), "NaN"));
  json_decref(d);
  free(html);
  clv_base_free(b);
  clv_orders_free(orders);
}

/* The opt-in CLV trend: one point per scoring date, the latest being the
 * base itself, so that the company's mean there is the run's total over its
 * customers. */
static void test_trend(void **state) {
  clv_orders *orders = NULL;
  clv_base *b;
  clv_report_opts o;
  char *html;
  size_t n;
  json_t *d, *c, *y;
  (void)state;
  if (!clv_report_available())
    skip();
  b = retail_base(1, &orders);
  clv_report_opts_init(&o);
  o.trend_points = 3;
  html = render(b, &o, &n);
  d = data_of(html);
  c = chart(section(d, "cohorts"), "CLV trend");
  assert_int_equal(json_array_size(json_object_get(c, "x")), 3);
  y = json_object_get(json_array_get(json_object_get(c, "series"), 0), "data");
  assert_close(json_number_value(json_array_get(y, 2)),
               b->run->value_total / b->run->customers, 0, 1e-5);
  /* The value tiers' lines ride along: Platinum to Regular. */
  assert_int_equal(json_array_size(json_object_get(c, "series")), 6);
  json_decref(d);
  free(html);
  clv_base_free(b);
  clv_orders_free(orders);
}

/* ---- the page's language ---------------------------------------------- */

/* 1 when s holds a CJK ideograph or full-width punctuation (U+3000..U+9FFF
 * or U+FF00..U+FFEF), read from its UTF-8 bytes. */
static int has_cjk(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  for (; *u; u++) {
    if (u[0] >= 0xe3 && u[0] <= 0xe9 && u[1] >= 0x80)
      return 1; /* U+3000..U+9FFF */
    if (u[0] == 0xef && (u[1] == 0xbc || u[1] == 0xbd || u[1] == 0xbe))
      return 1; /* U+FF00..U+FFBF */
  }
  return 0;
}

/* The page's data values (x labels, table cells) and the model family:
 * names from the log (channels, products) or the code, not words. */
static json_t *data_values;

static void collect_data(json_t *d) {
  size_t i, j, k;
  json_t *s, *c, *v, *row;
  json_array_foreach(json_object_get(d, "sections"), i, s) {
    json_t *p = json_object_get(s, "payload");
    json_array_foreach(json_object_get(p, "charts"), j, c) {
      json_array_foreach(json_object_get(c, "x"), k, v) {
        if (json_is_string(v))
          json_array_append(data_values, v);
      }
      json_array_foreach(json_object_get(c, "rows"), k, row) {
        size_t m;
        json_array_foreach(row, m, v) {
          if (json_is_string(v))
            json_array_append(data_values, v);
        }
      }
    }
  }
}

/* 1 when s needs no translation: no Latin letter (a number, "3+", "%"),
 * or one of the data values. */
static int needs_no_words(const char *s) {
  size_t i;
  json_t *v;
  const char *c;
  for (c = s; *c; c++)
    if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
      break;
  if (*c == '\0')
    return 1;
  json_array_foreach(data_values, i, v) {
    if (strcmp(json_string_value(v), s) == 0)
      return 1;
  }
  return 0;
}

/* The texts of a payload that are words for the reader: notes, slot,
 * key-figure labels and texts, chart titles, axis names, series and
 * column names, link labels. Data (x labels, table cells) is not
 * walked. Calls check(text, where) on each. */
static void payload_texts(json_t *p, const char *id,
                          void (*check)(const char *, const char *)) {
  size_t i, k;
  json_t *v, *c, *w;
  char where[128];
  const char *t;
  json_array_foreach(json_object_get(p, "notes"), i, v) {
    snprintf(where, sizeof where, "%s notes[%zu]", id, i);
    check(json_string_value(v), where);
  }
  if ((t = json_string_value(json_object_get(p, "slot"))) != NULL) {
    snprintf(where, sizeof where, "%s slot", id);
    check(t, where);
  }
  json_array_foreach(json_object_get(p, "kpis"), i, v) {
    snprintf(where, sizeof where, "%s kpis[%zu]", id, i);
    check(json_string_value(json_object_get(v, "label")), where);
    if ((t = json_string_value(json_object_get(v, "text"))) != NULL)
      check(t, where);
  }
  json_array_foreach(json_object_get(p, "links"), i, v) {
    snprintf(where, sizeof where, "%s links[%zu]", id, i);
    check(json_string_value(json_object_get(v, "label")), where);
  }
  json_array_foreach(json_object_get(p, "charts"), i, c) {
    static const char *const keys[] = {"title", "xname", "yname"};
    for (k = 0; k < 3; k++)
      if ((t = json_string_value(json_object_get(c, keys[k]))) != NULL) {
        snprintf(where, sizeof where, "%s charts[%zu].%s", id, i, keys[k]);
        check(t, where);
      }
    json_array_foreach(json_object_get(c, "series"), k, w) {
      snprintf(where, sizeof where, "%s charts[%zu].series[%zu]", id, i, k);
      check(json_string_value(json_object_get(w, "name")), where);
    }
    json_array_foreach(json_object_get(c, "columns"), k, w) {
      snprintf(where, sizeof where, "%s charts[%zu].columns[%zu]", id, i, k);
      check(json_string_value(json_object_get(w, "name")), where);
    }
  }
}

static void check_zh(const char *t, const char *where) {
  if (t == NULL)
    fail_msg("%s: not a string", where);
  if (!has_cjk(t) && !needs_no_words(t))
    fail_msg("%s: no Chinese in \"%s\"", where, t);
}

static void check_en(const char *t, const char *where) {
  if (t == NULL)
    fail_msg("%s: not a string", where);
  if (has_cjk(t))
    fail_msg("%s: Chinese in the English page: \"%s\"", where, t);
}

/* Every word of the page's data in zh has Chinese text (or is a number,
 * an identifier or data); the English page has none anywhere in its data
 * block. Returns the parsed zh data for more checks. */
static json_t *check_languages(const clv_base *b) {
  clv_report_opts o;
  char *html;
  size_t n, i;
  json_t *d, *s;
  clv_report_opts_init(&o);
  html = render(b, &o, &n);
  {
    const char *a = strstr(html, "id=\"clv-data\">");
    const char *e = strstr(a, "</script>");
    char *block = strndup(a, (size_t)(e - a));
    assert_non_null(block);
    check_en(block, "en data block");
    free(block);
  }
  free(html);
  o.lang = "zh";
  html = render(b, &o, &n);
  d = data_of(html);
  data_values = json_array();
  assert_non_null(data_values);
  json_array_append_new(data_values, json_string(clv_model_family(b->run->tx)));
  collect_data(d);
  check_zh(json_string_value(json_object_get(d, "title")), "title");
  json_array_foreach(json_object_get(d, "sections"), i, s) {
    const char *id = json_string_value(json_object_get(s, "id"));
    check_zh(json_string_value(json_object_get(s, "title")), id);
    payload_texts(json_object_get(s, "payload"), id, check_zh);
  }
  json_decref(data_values);
  data_values = NULL;
  free(html);
  return d;
}

/* The overview's note that starts with `start`, or NULL. */
static const char *note_starting(json_t *d, const char *start) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(section(d, "overview"), "notes"), i, v) {
    const char *t = json_string_value(v);
    if (strncmp(t, start, strlen(start)) == 0)
      return t;
  }
  return NULL;
}

/* A retail log in Chinese: every note and label has Chinese words; the
 * model choice and the margin are worded in Chinese with the run's own
 * figures (the holdout split day, the winner's RMSE, the holdout total,
 * the margin taken from the costs). */
static void test_zh_everywhere_retail(void **state) {
  clv_orders *orders = NULL;
  clv_base *b;
  json_t *d;
  const clv_validation *v;
  const char *t;
  char want[256];
  (void)state;
  if (!clv_report_available())
    skip();
  b = retail_base(1, &orders);
  v = b->run->validation;
  assert_non_null(v);
  assert_true(v->chosen >= 0);
  assert_true(b->margin > 0 && b->margin < 1);
  d = check_languages(b);

  t = note_starting(d, "模型选择（校准期为 ");
  if (t == NULL)
    fail_msg("no Chinese model-choice note");
  snprintf(want, sizeof want, "%s 对验证期的预测最好：RMSE %.4g，对比 ",
           v->models[v->chosen].family, v->models[v->chosen].rmse);
  if (strstr(t, want) == NULL)
    fail_msg("model choice: \"%s\" lacks \"%s\"", t, want);
  snprintf(want, sizeof want, "；预测合计 %.5g，实际 %.5g",
           v->models[v->chosen].total_predicted, v->total_actual);
  if (strstr(t, want) == NULL)
    fail_msg("model choice: \"%s\" lacks \"%s\"", t, want);
  assert_non_null(strstr(t, "之前，验证期自 "));

  t = note_starting(d, "毛利率为 ");
  if (t == NULL)
    fail_msg("no Chinese margin note");
  snprintf(want, sizeof want,
           "毛利率为 %.1f%%，即数据中可识别客户的 1 - 成本 / 收入。",
           100 * b->margin);
  assert_string_equal(t, want);
  json_decref(d);
  clv_base_free(b);
  clv_orders_free(orders);
}

/* A log without drop-out (p ~ Beta(0.0001, 1000)): the purchase model is a
 * limit fit, whose notes (the limit, the starts that did not converge)
 * reach the page in Chinese; the English page keeps them in English. */
static void test_zh_limit_fit(void **state) {
  clv_sim_opts so;
  clv_orders_opts oo;
  clv_orders *orders = NULL;
  clv_base *b = NULL;
  clv_error err;
  json_t *d;
  const char *t;
  char want[64];
  (void)state;
  if (!clv_report_available())
    skip();
  clv_sim_opts_init(&so);
  so.customers = 3000;
  so.seed = 4;
  so.threads = 1;
  so.params[0] = 0.5;
  so.params[1] = 4;
  so.params[2] = 0.0001;
  so.params[3] = 1000;
  const char *path = clv_test_simulate("nodropout.csv", &so);
  clv_orders_opts_init(&oo);
  assert_int_equal(clv_orders_read(path, &oo, &orders, NULL, &err), CLV_OK);
  assert_int_equal(clv_base_build(orders, NULL, &b, &err), CLV_OK);
  assert_true(clv_model_at_limit(b->run->tx));
  assert_non_null(strstr(b->run->notes, "Limit fit: a ran down to"));
  d = check_languages(b);
  snprintf(want, sizeof want, "%s：", clv_model_family(b->run->tx));
  t = note_starting(d, want);
  if (t == NULL)
    fail_msg("no Chinese note of the model's fit");
  assert_non_null(strstr(t, "极限拟合：a 降至 "));
  assert_non_null(strstr(t, "无标准误。"));
  assert_null(strstr(t, "Limit"));
  json_decref(d);
  clv_base_free(b);
  clv_orders_free(orders);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_totals_and_self_contained),
      cmocka_unit_test(test_pareto_hand_checked),
      cmocka_unit_test(test_heatmap_grid_quantiles),
      cmocka_unit_test(test_lang_and_sections),
      cmocka_unit_test(test_business_sections),
      cmocka_unit_test(test_no_product_column),
      cmocka_unit_test(test_trend),
      cmocka_unit_test(test_zh_everywhere_retail),
      cmocka_unit_test(test_zh_limit_fit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
