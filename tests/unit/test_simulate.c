/*
 * test_simulate.c - the simulator: option checks, reproducibility across
 * thread counts, agreement with the models' closed forms (published values
 * or formulas derived by hand, with tolerances of 5 sampling standard errors
 * estimated from the same sample, so they do not flake), and the contents of
 * the CSV log (refunds, malformed rows, dates, order).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------- */

typedef struct buf {
  char *p;
  size_t len, cap;
} buf;

static int buf_write(void *ctx, const void *data, size_t len) {
  buf *b = ctx;
  if (b->len + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len + 1)
      cap *= 2;
    char *q = realloc(b->p, cap);
    if (q == NULL)
      return -1;
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, len);
  b->len += len;
  b->p[b->len] = '\0';
  return 0;
}

/* Simulates a log into memory; fails the test on a status other than OK. */
static buf sim_log(const clv_sim_opts *o, clv_sim_stats *st) {
  buf b = {NULL, 0, 0};
  assert_int_equal(clv_simulate_log_write(o, buf_write, &b, st), CLV_OK);
  return b;
}

/* Mean and standard error of the mean of n values. */
typedef struct moments {
  double mean, se;
} moments;

static moments moments_of(const double *v, size_t n) {
  double s = 0, ss = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  double mean = s / (double)n;
  for (size_t i = 0; i < n; i++)
    ss += (v[i] - mean) * (v[i] - mean);
  moments m = {mean, sqrt(ss / (double)(n - 1) / (double)n)};
  return m;
}

/* Fails unless got is within 5 standard errors of want. */
#define assert_sigma(got, want, se) assert_close((got), (want), 5 * (se), 0)

/* Splits a buffer into lines (in place); returns the count (header incl.). */
static size_t split_lines(buf *b, char ***lines) {
  size_t n = 0;
  for (size_t i = 0; i < b->len; i++)
    n += b->p[i] == '\n';
  *lines = malloc((n + 1) * sizeof **lines);
  assert_non_null(*lines);
  size_t k = 0;
  char *p = b->p;
  for (size_t i = 0; i < b->len; i++) {
    if (b->p[i] == '\n') {
      b->p[i] = '\0';
      (*lines)[k++] = p;
      p = b->p + i + 1;
    }
  }
  return n;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- options --------------------------------------------------------------
 */

static void test_options(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_summary *s = NULL;
  clv_sim_opts_init(&o);
  assert_string_equal(o.family, "bgnbd");
  assert_close(o.params[0], 0.243, 0, 0);
  assert_close(o.params[3], 2.426, 0, 0);
  assert_int_equal(o.unit, CLV_UNIT_WEEK);
  assert_int_equal(o.start_day, clv_day_from_ymd(2024, 1, 1));
  assert_string_equal(clv_sim_param_names("pnbd")[2], "s");
  assert_null(clv_sim_param_names("nbd"));
  assert_int_equal(clv_sim_opts_set_family(&o, "nbd"), CLV_EMODEL);
  assert_string_equal(o.family, "bgnbd");
  assert_int_equal(clv_sim_opts_set_family(&o, "pnbd"), CLV_OK);
  assert_close(o.params[1], 10.578, 0, 0);

  /* Each bad option is refused before anything is written. */
  static const struct {
    int field;
    double value;
  } bad[] = {{0, -1}, {1, 0},  {2, NAN}, {3, INFINITY}, {4, 0},
             {5, 90}, {6, -1}, {7, 1},   {8, -0.1},     {9, 0}};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    clv_sim_opts_init(&o);
    o.customers = 10;
    double v = bad[k].value;
    switch (bad[k].field) {
    case 0:
    case 1:
    case 2:
    case 3:
      o.params[bad[k].field] = v;
      break;
    case 4:
      o.span = v;
      break;
    case 5:
      o.birth_span = v; /* more than the 78-week span */
      break;
    case 6:
      o.birth_span = v;
      break;
    case 7:
      o.refund_rate = v;
      break;
    case 8:
      o.malformed_rate = v;
      break;
    case 9:
      o.gamma = v;
      break;
    }
    buf b = {NULL, 0, 0};
    assert_int_equal(clv_simulate_log_write(&o, buf_write, &b, NULL),
                     CLV_EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_EINVAL);
    assert_null(s);
  }
  clv_sim_opts_init(&o);
  o.family = "gg";
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_EMODEL);
  /* Abstract periods have no length in days: no dates, no conversion. */
  clv_sim_opts_init(&o);
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_PERIOD, &s), CLV_EINVAL);
  o.unit = CLV_UNIT_PERIOD;
  assert_int_equal(clv_simulate_log(&o, stdout, NULL), CLV_EINVAL);
  assert_int_equal(clv_simulate_log(&o, NULL, NULL), CLV_EINVAL);
  assert_int_equal(clv_simulate_truth(&o, NULL), CLV_EINVAL);
}

/* ---- reproducibility -------------------------------------------------------
 */

static void test_reproducible(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_sim_opts_init(&o);
  o.customers = 5000;
  o.seed = 42;
  o.refund_rate = 0.05;
  o.malformed_rate = 0.01;
  o.threads = 1;
  for (int order = 0; order < 2; order++) {
    o.order = order ? CLV_SIM_BY_CUSTOMER : CLV_SIM_CHRONOLOGICAL;
    o.threads = 1;
    buf a = sim_log(&o, NULL);
    buf again = sim_log(&o, NULL);
    o.threads = 3;
    buf b = sim_log(&o, NULL);
    o.threads = 0;
    buf c = sim_log(&o, NULL);
    o.seed = 43;
    buf d = sim_log(&o, NULL);
    o.seed = 42;
    assert_true(a.len > 100000);
    assert_int_equal(a.len, again.len);
    assert_memory_equal(a.p, again.p, a.len);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.p, c.p, a.len);
    assert_true(d.len != a.len || memcmp(a.p, d.p, a.len) != 0);
    free(a.p);
    free(again.p);
    free(b.p);
    free(c.p);
    free(d.p);
  }
  /* The summary too, column by column. */
  clv_summary *s1 = NULL, *s4 = NULL;
  o.threads = 1;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s1), CLV_OK);
  o.threads = 4;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s4), CLV_OK);
  assert_int_equal(clv_summary_rows(s1), 5000);
  assert_int_equal(clv_summary_rows(s4), 5000);
  for (int c = CLV_COL_X; c <= CLV_COL_M; c++)
    assert_memory_equal(clv_summary_col(s1, c), clv_summary_col(s4, c),
                        5000 * sizeof(double));
  assert_string_equal(clv_summary_id(s1, 0, NULL), "C0000001");
  assert_string_equal(clv_summary_id(s1, 4999, NULL), "C0005000");
  clv_summary_free(s1);
  clv_summary_free(s4);
}

/* ---- the models' closed forms ------------------------------------------- */

/* Summary of n customers all born at time 0, observed for t weeks. */
static clv_summary *cohort(const char *family, size_t n, double t) {
  clv_sim_opts o;
  clv_summary *s = NULL;
  clv_sim_opts_init(&o);
  assert_int_equal(clv_sim_opts_set_family(&o, family), CLV_OK);
  o.customers = n;
  o.seed = 2005;
  o.span = t;
  o.birth_span = 0;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_OK);
  assert_int_equal(clv_summary_rows(s), n);
  return s;
}

/* Mean number of repeat purchases by t against the BG/NBD E[X(t)] at the
 * CDNOW parameters: 1.8580 at t = 78 and 1.444012 at t = 52 (published.md
 * section 1, recomputed there with 2F1; FHL 2005 eq. 9). */
static void test_bgnbd_expected_purchases(void **state) {
  (void)state;
  static const struct {
    double t, want;
  } cases[] = {{78, 1.8580}, {52, 1.444012}};
  for (size_t k = 0; k < 2; k++) {
    size_t n = 200000;
    clv_summary *s = cohort("bgnbd", n, cases[k].t);
    moments m = moments_of(clv_summary_col(s, CLV_COL_X), n);
    assert_sigma(m.mean, cases[k].want, m.se);
    /* The tolerance must be tight enough to catch a wrong model: the
     * MBG/NBD coin at time 0 would lower the mean by about a quarter. */
    assert_true(5 * m.se < 0.05 * cases[k].want);
    clv_summary_free(s);
  }
}

static double share_zero(const clv_summary *s, double *se) {
  size_t n = clv_summary_rows(s), zeros = 0;
  const double *x = clv_summary_col(s, CLV_COL_X);
  for (size_t i = 0; i < n; i++)
    zeros += x[i] == 0;
  double p = (double)zeros / (double)n;
  *se = sqrt(p * (1 - p) / (double)n);
  return p;
}

/* P(X(39) = 0) = 0.5737864 at the CDNOW parameters (published.md section 1,
 * the BTYD manual's pmf). By hand: a BG/NBD customer cannot drop out before
 * the first repeat, so P(X(t)=0) = (alpha/(alpha+t))^r =
 * (4.414/43.414)^0.243 = 0.57379. */
static void test_bgnbd_no_repeat_share(void **state) {
  (void)state;
  size_t n = 200000;
  clv_summary *s = cohort("bgnbd", n, 39);
  double se, p = share_zero(s, &se);
  assert_sigma(p, 0.5737864, se);
  clv_summary_free(s);
}

/* MBG/NBD may drop out right after the first purchase: derived by hand,
 * P(X(t)=0) = E[p] + E[1-p] (alpha/(alpha+t))^r with E[p] = a/(a+b).
 * At the MBG/NBD CDNOW fit (0.525, 6.183, 0.891, 1.614) and t = 39:
 * 0.355689 + 0.644311 * (6.183/45.183)^0.525 = 0.355689 + 0.644311 *
 * 0.351980 = 0.582473 (by hand with a calculator). */
static void test_mbgnbd_no_repeat_share(void **state) {
  (void)state;
  size_t n = 200000;
  double r = 0.525, alpha = 6.183, a = 0.891, b = 1.614, t = 39;
  double want = a / (a + b) + b / (a + b) * pow(alpha / (alpha + t), r);
  assert_close(want, 0.582473, 1e-5, 0);
  clv_summary *s = cohort("mbgnbd", n, t);
  double se, p = share_zero(s, &se);
  assert_sigma(p, want, se);
  clv_summary_free(s);
}

/* Pareto/NBD: E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
 * (Schmittlein, Morrison & Colombo 1987; Fader & Hardie's Pareto/NBD note,
 * eq. 17). At the CDNOW fit (0.553, 10.578, 0.606, 11.669) and t = 78 this is
 * 1.9094 (checked by hand: 11.669/89.669 = 0.130134, to the power -0.394 is
 * 2.23321, and -1.54831 * -1.23321 = 1.9094). */
static void test_pnbd_expected_purchases(void **state) {
  (void)state;
  size_t n = 200000;
  double r = 0.553, alpha = 10.578, s_ = 0.606, beta = 11.669, t = 78;
  double want =
      r * beta / (alpha * (s_ - 1)) * (1 - pow(beta / (beta + t), s_ - 1));
  assert_close(want, 1.9094, 1e-3, 0);
  clv_summary *s = cohort("pnbd", n, t);
  moments m = moments_of(clv_summary_col(s, CLV_COL_X), n);
  assert_sigma(m.mean, want, m.se);
  clv_summary_free(s);
}

/* Gamma-Gamma: E[z] = p E[1/nu] = p gamma / (q - 1) = 6.25 * 15.44 / 2.74 =
 * 35.2190 (E[1/nu] = gamma/(q-1) for nu ~ Gamma(q, rate gamma)). The first
 * purchase of each customer is one independent draw per customer: its value
 * is the total spend minus the repeat spend x * m. */
static void test_spend_mean(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_summary *s = NULL;
  clv_sim_opts_init(&o);
  o.customers = 200000;
  o.seed = 13;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_OK);
  size_t n = clv_summary_rows(s);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *m = clv_summary_col(s, CLV_COL_M);
  const double *tot = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const double *orders = clv_summary_col(s, CLV_COL_ORDERS);
  double *first = malloc(n * sizeof *first);
  assert_non_null(first);
  for (size_t i = 0; i < n; i++) {
    first[i] = tot[i] - x[i] * m[i];
    assert_true(first[i] > 0);
    assert_true(orders[i] == x[i] + 1);
    if (x[i] == 0)
      assert_true(m[i] == 0);
  }
  double want = 6.25 * 15.44 / (3.74 - 1);
  assert_close(want, 35.2190, 1e-4, 0);
  moments mo = moments_of(first, n);
  assert_sigma(mo.mean, want, mo.se);
  free(first);
  clv_summary_free(s);
}

/* The latent values agree with the summary of the same seed: a BG/NBD
 * customer drops out only right after a repeat purchase, which is then the
 * last one; lambda and p have the means r/alpha and a/(a+b). */
static void test_truth(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_summary *s = NULL;
  clv_sim_opts_init(&o);
  o.customers = 50000;
  size_t n = 50000;
  double *mem = malloc(5 * n * sizeof(double));
  assert_non_null(mem);
  clv_sim_truth tr = {mem, mem + n, mem + 2 * n, mem + 3 * n, mem + 4 * n};
  assert_int_equal(clv_simulate_truth(&o, &tr), CLV_OK);
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_OK);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  size_t dead = 0;
  for (size_t i = 0; i < n; i++) {
    assert_true(tr.birth[i] >= 0 && tr.birth[i] < 12);
    assert_close(T[i], 78 - tr.birth[i], 1e-9, 0);
    if (isfinite(tr.death[i])) {
      dead++;
      assert_true(x[i] >= 1);
      assert_close(tr.death[i], tr.birth[i] + tx[i], 1e-9, 0);
    }
    if (x[i] == 0)
      assert_false(isfinite(tr.death[i]));
  }
  assert_true(dead > n / 10);
  moments ml = moments_of(tr.lambda, n), mp = moments_of(tr.dropout, n);
  assert_sigma(ml.mean, 0.243 / 4.414, ml.se);
  assert_sigma(mp.mean, 0.793 / (0.793 + 2.426), mp.se);
  free(mem);
  clv_summary_free(s);
}

/* Times convert between units: in days they are 7 times the weeks. */
static void test_units(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_summary *w = NULL, *d = NULL;
  clv_sim_opts_init(&o);
  o.customers = 2000;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &w), CLV_OK);
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_DAY, &d), CLV_OK);
  assert_int_equal(clv_summary_unit(d), CLV_UNIT_DAY);
  /* The window 2024-01-01 + 78 weeks ends on 2025-06-29 (546 days). */
  assert_int_equal(clv_summary_end_day(w), clv_day_from_ymd(2025, 6, 29));
  for (size_t i = 0; i < 2000; i++) {
    assert_true(clv_summary_col(w, CLV_COL_X)[i] ==
                clv_summary_col(d, CLV_COL_X)[i]);
    assert_close(clv_summary_col(d, CLV_COL_T)[i],
                 7 * clv_summary_col(w, CLV_COL_T)[i], 1e-9, 1e-12);
    assert_close(clv_summary_col(d, CLV_COL_TX)[i],
                 7 * clv_summary_col(w, CLV_COL_TX)[i], 1e-9, 1e-12);
  }
  clv_summary_free(w);
  clv_summary_free(d);
}

/* ---- the CSV log
 * ------------------------------------------------------------- */

/* A parsed row: id number, day as "YYYY-MM-DD", the full date-time, the
 * amount in cents; kind 0 good, 1 bad date, 2 bad amount, 3 missing field. */
typedef struct prow {
  long id;
  char date[11];
  char stamp[20];
  long cents;
  int kind;
} prow;

static prow parse_row(const char *line) {
  prow r;
  memset(&r, 0, sizeof r);
  char amount[32] = "";
  int n = sscanf(line, "C%ld,%19[^,],%31s", &r.id, r.stamp, amount);
  assert_true(n >= 2);
  memcpy(r.date, r.stamp, 10);
  if (n == 2) {
    r.kind = 3;
  } else if (memcmp(r.stamp + 5, "13", 2) == 0) {
    r.kind = 1;
  } else if (strcmp(amount, "#VALUE!") == 0) {
    r.kind = 2;
  } else {
    long units;
    int frac;
    char sign = amount[0];
    assert_int_equal(sscanf(amount + (sign == '-'), "%ld.%2d", &units, &frac),
                     2);
    r.cents = (units * 100 + frac) * (sign == '-' ? -1 : 1);
  }
  return r;
}

/* Counts, dates, order, refunds and malformed rows of one log, and its
 * agreement with the summary of the same seed. */
static void test_log_contents(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_sim_stats st;
  clv_sim_opts_init(&o);
  o.customers = 20000;
  o.seed = 7;
  o.refund_rate = 0.03;
  o.malformed_rate = 0.01;
  buf b = sim_log(&o, &st);
  assert_int_equal(st.bytes, b.len);
  assert_int_equal(st.customers, 20000);
  assert_int_equal(st.first_day, clv_day_from_ymd(2024, 1, 1));
  assert_int_equal(st.last_day, clv_day_from_ymd(2025, 6, 29));
  char **lines;
  size_t n = split_lines(&b, &lines);
  assert_string_equal(lines[0], "customer_id,order_date,amount");
  assert_int_equal(n - 1, st.rows);

  uint64_t purchases = 0, refunds = 0, bad[4] = {0}, last_day_orders = 0;
  double revenue = 0, refunded = 0;
  long *orders_of = calloc(20001, sizeof(long));
  assert_non_null(orders_of);
  char prev[20] = "";
  for (size_t i = 1; i < n; i++) {
    prow r = parse_row(lines[i]);
    assert_true(r.id >= 1 && r.id <= 20000);
    if (r.kind != 0) {
      bad[r.kind]++;
      /* A malformed row is a copy of the good row just before it. */
      prow g = parse_row(lines[i - 1]);
      assert_int_equal(g.kind, 0);
      assert_int_equal(g.id, r.id);
      continue;
    }
    assert_true(strcmp(r.date, "2024-01-01") >= 0);
    assert_true(strcmp(r.date, "2025-06-29") <= 0);
    /* ISO date-times sort as strings: the log is chronological. */
    assert_true(strcmp(prev, r.stamp) <= 0);
    memcpy(prev, r.stamp, sizeof prev);
    assert_true(r.cents != 0);
    if (r.cents > 0) {
      purchases++;
      revenue += (double)r.cents / 100;
      orders_of[r.id]++;
      last_day_orders += strcmp(r.date, "2025-06-29") == 0;
    } else {
      refunds++;
      refunded -= (double)r.cents / 100;
    }
  }
  assert_int_equal(purchases, st.orders);
  assert_int_equal(refunds, st.refunds);
  assert_int_equal(bad[1] + bad[2] + bad[3], st.malformed);
  assert_close(revenue, st.revenue, 1e-6, 1e-12);
  assert_close(refunded, st.refunded, 1e-6, 1e-12);
  /* Rates as requested (binomial, 5 sigma); orders on the last day cannot
   * be refunded inside the window. Each kind of damage occurs. */
  double eligible = (double)(purchases - last_day_orders);
  assert_sigma((double)refunds, 0.03 * eligible, sqrt(eligible * 0.03 * 0.97));
  double good = (double)(purchases + refunds);
  assert_sigma((double)st.malformed, 0.01 * good, sqrt(good * 0.01 * 0.99));
  for (int k = 1; k <= 3; k++)
    assert_true(bad[k] > 0);
  /* Same customers as the summary of the same seed: orders per customer. */
  clv_summary *s = NULL;
  assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_OK);
  const double *ord = clv_summary_col(s, CLV_COL_ORDERS);
  for (size_t i = 0; i < 20000; i++)
    assert_true(ord[i] == (double)orders_of[i + 1]);
  clv_summary_free(s);
  free(orders_of);
  free(lines);
  free(b.p);
}

/* Refunds (checked on the log grouped by customer): each follows a purchase
 * of the same customer and amount by 1 to 30 days. Without the malformed
 * rows, the damaged log is the clean log of the same seed; the two orders
 * hold the same rows. */
static void test_log_refunds_and_orders(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_sim_opts_init(&o);
  o.customers = 5000;
  o.seed = 99;
  o.refund_rate = 0.2;
  o.order = CLV_SIM_BY_CUSTOMER;
  buf b = sim_log(&o, NULL);
  char **lines;
  size_t n = split_lines(&b, &lines);
  size_t checked = 0;
  for (size_t i = 1; i < n; i++) {
    prow r = parse_row(lines[i]);
    if (r.cents >= 0)
      continue;
    int found = 0;
    int y, m, d;
    sscanf(r.date, "%d-%d-%d", &y, &m, &d);
    int32_t rday = clv_day_from_ymd(y, m, d);
    for (size_t j = i - 1; j >= 1 && !found; j--) {
      prow p = parse_row(lines[j]);
      if (p.id != r.id)
        break;
      sscanf(p.date, "%d-%d-%d", &y, &m, &d);
      int32_t gap = rday - clv_day_from_ymd(y, m, d);
      found = p.cents == -r.cents && gap >= 1 && gap <= 30;
    }
    assert_true(found);
    checked++;
  }
  assert_true(checked > 1000);
  free(lines);

  /* Malformed copies are extra rows: dropping them gives the clean log. */
  o.order = CLV_SIM_CHRONOLOGICAL;
  o.refund_rate = 0.03;
  buf clean = sim_log(&o, NULL);
  o.malformed_rate = 0.05;
  buf dirty = sim_log(&o, NULL);
  char **cl, **dl;
  size_t nc = split_lines(&clean, &cl), nd = split_lines(&dirty, &dl);
  size_t j = 0;
  for (size_t i = 0; i < nd; i++)
    if (i == 0 || parse_row(dl[i]).kind == 0)
      assert_string_equal(dl[i], cl[j++]);
  assert_int_equal(j, nc);
  assert_true(nd > nc + 100);

  /* Grouped by customer: the same rows as the chronological log. */
  o.malformed_rate = 0;
  o.order = CLV_SIM_BY_CUSTOMER;
  buf grouped = sim_log(&o, NULL);
  char **gl;
  size_t ng = split_lines(&grouped, &gl);
  assert_int_equal(ng, nc);
  qsort(cl + 1, nc - 1, sizeof *cl, cmp_str);
  qsort(gl + 1, ng - 1, sizeof *gl, cmp_str);
  for (size_t i = 0; i < nc; i++)
    assert_string_equal(cl[i], gl[i]);
  free(cl);
  free(dl);
  free(gl);
  free(b.p);
  free(clean.p);
  free(dirty.p);
  free(grouped.p);
}

/* Date-only logs and plain integer ids, checked by hand on a tiny log. */
static void test_log_formats(void **state) {
  (void)state;
  clv_sim_opts o;
  clv_sim_stats st;
  clv_sim_opts_init(&o);
  o.customers = 300;
  o.with_time = 0;
  o.plain_ids = 1;
  o.start_day = clv_day_from_ymd(1999, 12, 31);
  o.span = 2; /* 14 days: 1999-12-31 .. 2000-01-13 */
  o.birth_span = 2;
  buf b = sim_log(&o, &st);
  char **lines;
  size_t n = split_lines(&b, &lines);
  assert_int_equal(n - 1, st.orders);
  assert_int_equal(st.last_day, clv_day_from_ymd(2000, 1, 13));
  for (size_t i = 1; i < n; i++) {
    long id;
    int y, m, d, units, frac, used = 0;
    assert_int_equal(sscanf(lines[i], "%ld,%d-%d-%d,%d.%2d%n", &id, &y, &m, &d,
                            &units, &frac, &used),
                     6);
    assert_int_equal((size_t)used, strlen(lines[i]));
    assert_true(id >= 1 && id <= 300);
    int32_t day = clv_day_from_ymd(y, m, d);
    assert_true(day >= o.start_day && day <= st.last_day);
    assert_true(units > 0 || frac > 0);
  }
  free(lines);
  free(b.p);
  /* No customers: just the header. */
  o.customers = 0;
  buf e = sim_log(&o, &st);
  assert_string_equal(e.p, "customer_id,order_date,amount\n");
  assert_int_equal(st.rows, 0);
  free(e.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_options),
      cmocka_unit_test(test_reproducible),
      cmocka_unit_test(test_bgnbd_expected_purchases),
      cmocka_unit_test(test_bgnbd_no_repeat_share),
      cmocka_unit_test(test_mbgnbd_no_repeat_share),
      cmocka_unit_test(test_pnbd_expected_purchases),
      cmocka_unit_test(test_spend_mean),
      cmocka_unit_test(test_truth),
      cmocka_unit_test(test_units),
      cmocka_unit_test(test_log_contents),
      cmocka_unit_test(test_log_refunds_and_orders),
      cmocka_unit_test(test_log_formats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
