/*
 * test_summarize.c - the summariser core (src/summarize.c) on hand-checked
 * small logs: the purchase and refund rules, periods, --until, holdout,
 * out-of-order replay and the two-half merge, plus randomized properties
 * (shuffled input == sorted input; split + merge == one pass).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "summarize.h"
#include "testutil.h"

typedef struct row {
  const char *id;
  int32_t day;
  double amount;
} row;

static clv__summarizer_opts opts(int32_t until, int32_t holdout) {
  clv__summarizer_opts o;
  memset(&o, 0, sizeof o);
  o.period = CLV_PERIOD_DAY;
  o.unit = CLV_UNIT_DAY;
  o.until_day = until;
  o.holdout_day = holdout;
  o.with_amount = 1;
  return o;
}

static void feed(clv__summarizer *s, const row *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    assert_int_equal(clv__summarizer_add(s, r[i].id, strlen(r[i].id), r[i].day,
                                         r[i].amount, 1),
                     CLV_OK);
}

/* Runs a log through one summariser, with the replay when it asks. */
static clv_summary *run(const clv__summarizer_opts *o, const row *r, size_t n,
                        clv__summarizer_stats *st) {
  clv__summarizer *s;
  clv_summary *t;
  assert_int_equal(clv__summarizer_new(&s, o), CLV_OK);
  feed(s, r, n);
  if (clv__summarizer_needs_replay(s)) {
    assert_int_equal(clv__summarizer_begin_replay(s), CLV_OK);
    feed(s, r, n);
  }
  assert_int_equal(clv__summarizer_finish(s, &t, st), CLV_OK);
  clv__summarizer_free(s);
  return t;
}

static size_t find(const clv_summary *t, const char *id) {
  for (size_t i = 0; i < clv_summary_rows(t); i++)
    if (strcmp(clv_summary_id(t, i, NULL), id) == 0)
      return i;
  fail_msg("customer %s not in the summary", id);
  return 0;
}

#define COL(t, c, i) clv_summary_col((t), (c))[(i)]

/*
 * Customer A (checked by hand): day 0 +10 and -10 (a refund cancels the
 * order: net 0 with a refund, no purchase); day 5 +20 (first purchase);
 * day 9 +5 and -2 (net 3 > 0: a purchase); day 12 -7 (refund only: no
 * purchase, but it lowers the spend). Purchases on days 5 and 9: x = 1,
 * recency = 4, T = 20 - 5 = 15, monetary = 3 (the repeat period's net),
 * total = 10 - 10 + 20 + 5 - 2 - 7 = 16, refunds = 10 + 2 + 7 = 19, 6 rows.
 * B: one zero-amount order on day 3 is a purchase: x = 0, T = 17.
 * C: only a refund: no purchase, left out, its -5 counted as excluded.
 */
static const row log_a[] = {
    {"A", 0, 10}, {"A", 0, -10}, {"B", 3, 0},  {"C", 4, -5},
    {"A", 5, 20}, {"A", 9, 5},   {"A", 9, -2}, {"A", 12, -7},
};

static void check_log_a(const clv_summary *t, const clv__summarizer_stats *st) {
  assert_int_equal(clv_summary_rows(t), 2);
  size_t a = find(t, "A"), b = find(t, "B");
  assert_true(a < b); /* order of first appearance */
  assert_close(COL(t, CLV_COL_X, a), 1, 0, 0);
  assert_close(COL(t, CLV_COL_TX, a), 4, 0, 0);
  assert_close(COL(t, CLV_COL_T, a), 15, 0, 0);
  assert_close(COL(t, CLV_COL_M, a), 3, 1e-12, 0);
  assert_close(COL(t, CLV_COL_TOTAL_SPEND, a), 16, 1e-12, 0);
  assert_close(COL(t, CLV_COL_REFUNDS, a), 19, 1e-12, 0);
  assert_close(COL(t, CLV_COL_ORDERS, a), 6, 0, 0);
  assert_close(COL(t, CLV_COL_FIRST_DAY, a), 5, 0, 0);
  assert_close(COL(t, CLV_COL_LAST_DAY, a), 9, 0, 0);
  assert_close(COL(t, CLV_COL_X, b), 0, 0, 0);
  assert_close(COL(t, CLV_COL_T, b), 17, 0, 0);
  assert_close(COL(t, CLV_COL_M, b), 0, 0, 0);
  assert_int_equal(st->customers_no_purchase, 1);
  assert_close(st->spend_excluded, -5, 1e-12, 0);
  assert_int_equal(st->rows_used, 8);
}

static void test_refund_rules(void **state) {
  (void)state;
  clv__summarizer_opts o = opts(20, INT32_MIN);
  clv__summarizer_stats st;
  clv_summary *t = run(&o, log_a, 8, &st);
  check_log_a(t, &st);
  assert_int_equal(st.replayed_customers, 0);
  clv_summary_free(t);
}

/* The same log backwards: every customer goes out of order and the replay
 * must give the same numbers. */
static void test_out_of_order_replay(void **state) {
  (void)state;
  row rev[8];
  for (int i = 0; i < 8; i++)
    rev[i] = log_a[7 - i];
  clv__summarizer_opts o = opts(20, INT32_MIN);
  clv__summarizer_stats st;
  clv_summary *t = run(&o, rev, 8, &st);
  check_log_a(t, &st);
  assert_int_equal(st.replayed_customers, 1); /* only A had several days */
  clv_summary_free(t);
}

/*
 * Weekly and monthly periods, by hand. 1997-01-01 is a Wednesday, so its
 * ISO week runs Mon 1996-12-30 .. Sun 1997-01-05. Rows: Wed 01-01 (10) and
 * Sun 01-05 (5) share week 0 (one purchase, 15); Mon 01-06 (7) is week 1;
 * Mon 01-20 (8) is week 3; until Fri 01-31 is in week 4. So x = 2,
 * recency = 3, T = 4 weeks, monetary = (7 + 8) / 2 = 7.5. By month, all
 * four are January plus 03-15 (4): x = 1, recency = 2, T (until 04-10) = 3,
 * monetary = 4.
 */
static void test_periods(void **state) {
  (void)state;
  int32_t d0 = clv_day_from_ymd(1997, 1, 1);
  row r[] = {{"w", d0, 10},
             {"w", d0 + 4, 5},
             {"w", d0 + 5, 7},
             {"w", d0 + 19, 8},
             {"w", clv_day_from_ymd(1997, 3, 15), 4}};
  clv__summarizer_opts o = opts(clv_day_from_ymd(1997, 1, 31), INT32_MIN);
  o.period = CLV_PERIOD_WEEK;
  o.unit = CLV_UNIT_WEEK;
  clv__summarizer_stats st;
  clv_summary *t = run(&o, r, 4, &st);
  assert_close(COL(t, CLV_COL_X, 0), 2, 0, 0);
  assert_close(COL(t, CLV_COL_TX, 0), 3, 0, 0);
  assert_close(COL(t, CLV_COL_T, 0), 4, 0, 0);
  assert_close(COL(t, CLV_COL_M, 0), 7.5, 1e-12, 0);
  assert_close(COL(t, CLV_COL_FIRST_DAY, 0), d0, 0, 0);
  clv_summary_free(t);
  /* Weeks expressed in days: 7 times the week numbers. */
  o.unit = CLV_UNIT_DAY;
  t = run(&o, r, 4, &st);
  assert_close(COL(t, CLV_COL_TX, 0), 21, 0, 0);
  assert_close(COL(t, CLV_COL_T, 0), 28, 0, 0);
  clv_summary_free(t);
  o = opts(clv_day_from_ymd(1997, 4, 10), INT32_MIN);
  o.period = CLV_PERIOD_MONTH;
  o.unit = CLV_UNIT_MONTH;
  t = run(&o, r, 5, &st);
  assert_close(COL(t, CLV_COL_X, 0), 1, 0, 0);
  assert_close(COL(t, CLV_COL_TX, 0), 2, 0, 0);
  assert_close(COL(t, CLV_COL_T, 0), 3, 0, 0);
  assert_close(COL(t, CLV_COL_M, 0), 4, 1e-12, 0);
  assert_close(COL(t, CLV_COL_LAST_DAY, 0), clv_day_from_ymd(1997, 3, 15), 0,
               0);
  clv_summary_free(t);
  /* A month period with a day unit has no fixed conversion. */
  clv__summarizer *s;
  o.unit = CLV_UNIT_DAY;
  assert_int_equal(clv__summarizer_new(&s, &o), CLV_EINVAL);
}

/* Rows after --until are left out and counted; a customer seen only after
 * it does not appear. Without --until, the end is the last day. */
static void test_until(void **state) {
  (void)state;
  row r[] = {{"a", 0, 1}, {"a", 10, 1}, {"b", 11, 1}, {"a", 3, 1}};
  clv__summarizer_opts o = opts(5, INT32_MIN);
  clv__summarizer_stats st;
  clv_summary *t = run(&o, r, 4, &st);
  assert_int_equal(st.rows, 4);
  assert_int_equal(st.rows_after_until, 2);
  assert_int_equal(clv_summary_rows(t), 1);
  assert_close(COL(t, CLV_COL_X, 0), 1, 0, 0);
  assert_close(COL(t, CLV_COL_T, 0), 5, 0, 0);
  assert_int_equal(clv_summary_end_day(t), 5);
  clv_summary_free(t);
  o.until_day = INT32_MIN;
  t = run(&o, r, 4, &st);
  assert_int_equal(st.rows_after_until, 0);
  assert_int_equal(clv_summary_rows(t), 2);
  assert_close(COL(t, CLV_COL_T, 0), 11, 0, 0);
  assert_close(COL(t, CLV_COL_T, 1), 0, 0, 0);
  assert_int_equal(st.until_day, 11);
  clv_summary_free(t);
}

/*
 * Holdout from day 10, until day 19 (by hand). A: day 0 (10), day 5 (20)
 * in calibration: x = 1, recency 5, T = 9 - 0 = 9 (calibration ends the day
 * before the holdout), monetary 20. Holdout: day 12 (30) a purchase, day 15
 * +40 -40 no purchase, day 18 (8) a purchase: frequency_holdout 2,
 * monetary_value_holdout (30 + 8) / 2 = 19, duration 19 - 10 + 1 = 10.
 * B: first purchase day 11 is in the holdout: left out, counted.
 */
static void test_holdout(void **state) {
  (void)state;
  row r[] = {{"A", 0, 10},  {"A", 5, 20},   {"B", 11, 3}, {"A", 12, 30},
             {"A", 15, 40}, {"A", 15, -40}, {"A", 18, 8}};
  clv__summarizer_opts o = opts(19, 10);
  clv__summarizer_stats st;
  clv_summary *t = run(&o, r, 7, &st);
  assert_int_equal(clv_summary_rows(t), 1);
  assert_close(COL(t, CLV_COL_X, 0), 1, 0, 0);
  assert_close(COL(t, CLV_COL_TX, 0), 5, 0, 0);
  assert_close(COL(t, CLV_COL_T, 0), 9, 0, 0);
  assert_close(COL(t, CLV_COL_M, 0), 20, 0, 0);
  assert_close(COL(t, CLV_COL_X_HOLDOUT, 0), 2, 0, 0);
  assert_close(COL(t, CLV_COL_M_HOLDOUT, 0), 19, 1e-12, 0);
  assert_close(COL(t, CLV_COL_DURATION_HOLDOUT, 0), 10, 0, 0);
  assert_close(COL(t, CLV_COL_TOTAL_SPEND, 0), 30, 0, 0); /* calibration */
  assert_int_equal(st.customers_holdout_only, 1);
  assert_int_equal(clv_summary_holdout_day(t), 10);
  clv_summary_free(t);
  /* A week that straddles the holdout start is two periods, as lifetimes
   * splits by date before bucketing: day 8 (Fri 1970-01-09) and day 9 (Sat)
   * share the ISO week Mon day 4 .. Sun day 10, but with the holdout from
   * day 9 the first is calibration, the second holdout. Calibration end
   * (day 8) and until (day 10) are in the same week, so the duration is 0
   * weeks, as lifetimes' period difference gives. */
  row w[] = {{"A", 8, 5}, {"A", 9, 6}};
  o = opts(10, 9);
  o.period = CLV_PERIOD_WEEK;
  o.unit = CLV_UNIT_WEEK;
  t = run(&o, w, 2, &st);
  assert_close(COL(t, CLV_COL_X, 0), 0, 0, 0);
  assert_close(COL(t, CLV_COL_X_HOLDOUT, 0), 1, 0, 0);
  assert_close(COL(t, CLV_COL_DURATION_HOLDOUT, 0), 0, 0, 0);
  clv_summary_free(t);
  clv__summarizer *s;
  o = opts(5, 10);
  assert_int_equal(clv__summarizer_new(&s, &o), CLV_EINVAL);
}

/* Two tables equal up to floating-point summation order in money. */
static void assert_same(const clv_summary *a, const clv_summary *b) {
  assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
  assert_int_equal(clv_summary_columns(a), clv_summary_columns(b));
  for (size_t i = 0; i < clv_summary_rows(a); i++) {
    assert_string_equal(clv_summary_id(a, i, NULL), clv_summary_id(b, i, NULL));
    for (int c = 0; c < CLV_COL__COUNT; c++) {
      if (!clv_summary_has(a, (clv_col)c))
        continue;
      assert_close(COL(b, c, i), COL(a, c, i), 1e-9, 1e-12);
    }
  }
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* A random log: nc customers, days 0..120, about 1 in 5 rows refunds,
 * some zero amounts, several rows per day. Sorted by day when `sorted`. */
static row *random_log(size_t n, int nc, char ids[][16], int sorted) {
  row *r = malloc(n * sizeof *r);
  for (int k = 0; k < nc; k++)
    snprintf(ids[k], 16, "c%d", k);
  for (size_t i = 0; i < n; i++) {
    r[i].id = ids[rnd() % (uint64_t)nc];
    r[i].day = (int32_t)(rnd() % 121);
    int kind = (int)(rnd() % 10);
    r[i].amount = kind < 2   ? -(double)(rnd() % 3000) / 100
                  : kind < 3 ? 0
                             : (double)(rnd() % 5000) / 100;
  }
  if (sorted)
    for (size_t i = 1; i < n; i++) /* insertion sort keeps it stable */
      for (size_t j = i; j > 0 && r[j - 1].day > r[j].day; j--) {
        row tmp = r[j];
        r[j] = r[j - 1];
        r[j - 1] = tmp;
      }
  return r;
}

/* Property: a shuffled log gives the same summary as the sorted log (for
 * day, week and month periods and with a holdout). Output order differs
 * (first appearance), so rows are matched by id. */
static void test_shuffle_property(void **state) {
  (void)state;
  static char ids[40][16];
  for (int round = 0; round < 40; round++) {
    size_t n = 50 + rnd() % 400;
    row *r = random_log(n, 1 + (int)(rnd() % 40), ids, 1);
    row *sh = malloc(n * sizeof *sh);
    memcpy(sh, r, n * sizeof *r);
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = rnd() % (i + 1);
      row tmp = sh[i];
      sh[i] = sh[j];
      sh[j] = tmp;
    }
    clv__summarizer_opts o = opts(INT32_MIN, round % 2 ? 60 : INT32_MIN);
    o.period = (clv_period)(round % 3);
    o.unit = o.period == CLV_PERIOD_MONTH  ? CLV_UNIT_MONTH
             : o.period == CLV_PERIOD_WEEK ? CLV_UNIT_WEEK
                                           : CLV_UNIT_DAY;
    clv__summarizer_stats s1, s2;
    clv_summary *a = run(&o, r, n, &s1);
    clv_summary *b = run(&o, sh, n, &s2);
    assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
    for (size_t i = 0; i < clv_summary_rows(a); i++) {
      size_t j = find(b, clv_summary_id(a, i, NULL));
      for (int c = 0; c < CLV_COL__COUNT; c++)
        if (clv_summary_has(a, (clv_col)c))
          assert_close(COL(b, c, j), COL(a, c, i), 1e-9, 1e-12);
    }
    assert_int_equal(s1.customers_no_purchase, s2.customers_no_purchase);
    assert_int_equal(s1.customers_holdout_only, s2.customers_holdout_only);
    clv_summary_free(a);
    clv_summary_free(b);
    free(r);
    free(sh);
  }
}

/* Property: cutting a log anywhere, summarising the halves separately and
 * merging gives the one-pass result, sorted (merge joins periods, never
 * replays) or not (overlapping customers are replayed). */
static void test_split_merge_property(void **state) {
  (void)state;
  static char ids[40][16];
  for (int round = 0; round < 60; round++) {
    size_t n = 20 + rnd() % 300;
    int sorted = round % 3 != 0;
    row *r = random_log(n, 1 + (int)(rnd() % 40), ids, sorted);
    size_t cut = rnd() % (n + 1);
    clv__summarizer_opts o =
        opts(round % 4 ? INT32_MIN : 100, round % 5 == 1 ? 70 : INT32_MIN);
    o.period = (clv_period)(round % 3);
    o.unit = o.period == CLV_PERIOD_MONTH  ? CLV_UNIT_MONTH
             : o.period == CLV_PERIOD_WEEK ? CLV_UNIT_WEEK
                                           : CLV_UNIT_DAY;
    clv__summarizer_stats s1, s2;
    clv_summary *want = run(&o, r, n, &s1), *got;
    clv__summarizer *a, *b;
    clv__summarizer_opts ob = o;
    ob.keep_head = 1;
    assert_int_equal(clv__summarizer_new(&a, &o), CLV_OK);
    assert_int_equal(clv__summarizer_new(&b, &ob), CLV_OK);
    feed(a, r, cut);
    feed(b, r + cut, n - cut);
    assert_int_equal(clv__summarizer_merge(a, b), CLV_OK);
    clv__summarizer_free(b);
    if (sorted)
      assert_false(clv__summarizer_needs_replay(a));
    if (clv__summarizer_needs_replay(a)) {
      clv__summarizer_begin_replay(a);
      feed(a, r, n);
    }
    assert_int_equal(clv__summarizer_finish(a, &got, &s2), CLV_OK);
    clv__summarizer_free(a);
    assert_same(want, got);
    assert_int_equal(s1.rows_after_until, s2.rows_after_until);
    assert_int_equal(s1.customers_no_purchase, s2.customers_no_purchase);
    clv_summary_free(want);
    clv_summary_free(got);
    free(r);
  }
}

/* A keep_head summariser used alone (no merge) still gives the right
 * answer: the head period is closed at the end. */
static void test_keep_head_alone(void **state) {
  (void)state;
  clv__summarizer_opts o = opts(20, INT32_MIN);
  o.keep_head = 1;
  clv__summarizer *s;
  clv_summary *t;
  clv__summarizer_stats st;
  assert_int_equal(clv__summarizer_new(&s, &o), CLV_OK);
  feed(s, log_a, 8);
  assert_int_equal(clv__summarizer_finish(s, &t, &st), CLV_OK);
  check_log_a(t, &st);
  clv_summary_free(t);
  clv__summarizer_free(s);
}

/* Bad values are refused and leave no trace; no row means EEMPTY. */
static void test_bad_values(void **state) {
  (void)state;
  clv__summarizer_opts o = opts(INT32_MIN, INT32_MIN);
  clv__summarizer *s;
  clv_summary *t;
  assert_int_equal(clv__summarizer_new(&s, &o), CLV_OK);
  assert_int_equal(clv__summarizer_add(s, "a", 1, 0, NAN, 1), CLV_EDOMAIN);
  assert_int_equal(clv__summarizer_add(s, "a", 1, 0, INFINITY, 1), CLV_EDOMAIN);
  assert_int_equal(clv__summarizer_add(s, "a", 1, 200000000, 1, 1),
                   CLV_EDOMAIN);
  assert_int_equal(clv__summarizer_customers(s), 0);
  assert_int_equal(clv__summarizer_finish(s, &t, NULL), CLV_EEMPTY);
  assert_null(t);
  clv__summarizer_free(s);
}

/* Many customers with long and short ids: the hash map grows and every id
 * comes back exactly, in order. */
static void test_many_ids(void **state) {
  (void)state;
  clv__summarizer_opts o = opts(INT32_MIN, INT32_MIN);
  clv__summarizer *s;
  clv_summary *t;
  char id[64];
  assert_int_equal(clv__summarizer_new(&s, &o), CLV_OK);
  for (int k = 0; k < 50000; k++) {
    int len = snprintf(id, sizeof id, k % 3 ? "%d" : "customer-%d-long-id", k);
    assert_int_equal(clv__summarizer_add(s, id, (size_t)len, k % 100, 1, 1),
                     CLV_OK);
  }
  for (int k = 0; k < 50000; k += 7) { /* repeat customers: found again */
    int len = snprintf(id, sizeof id, k % 3 ? "%d" : "customer-%d-long-id", k);
    assert_int_equal(clv__summarizer_add(s, id, (size_t)len, 200, 1, 1),
                     CLV_OK);
  }
  assert_int_equal(clv__summarizer_customers(s), 50000);
  assert_int_equal(clv__summarizer_finish(s, &t, NULL), CLV_OK);
  for (int k = 0; k < 50000; k += 997) {
    snprintf(id, sizeof id, k % 3 ? "%d" : "customer-%d-long-id", k);
    assert_string_equal(clv_summary_id(t, (size_t)k, NULL), id);
    assert_close(COL(t, CLV_COL_X, k), k % 7 == 0 ? 1 : 0, 0, 0);
  }
  clv_summary_free(t);
  clv__summarizer_free(s);
}

/* Two runs' tables, stats and per-day repeat counts, equal bit for bit. */
static void assert_identical(const clv_summary *t1,
                             const clv__summarizer_stats *st1,
                             const clv_summary *t2,
                             const clv__summarizer_stats *st2) {
  assert_int_equal(clv_summary_rows(t1), clv_summary_rows(t2));
  assert_int_equal(clv_summary_columns(t1), clv_summary_columns(t2));
  for (size_t i = 0; i < clv_summary_rows(t1); i++) {
    size_t l1, l2;
    const char *a = clv_summary_id(t1, i, &l1), *b = clv_summary_id(t2, i, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    for (int c = 0; c < CLV_COL__COUNT; c++) {
      const double *c1 = clv_summary_col(t1, (clv_col)c);
      const double *c2 = clv_summary_col(t2, (clv_col)c);
      assert_true((c1 == NULL) == (c2 == NULL));
      if (c1)
        assert_memory_equal(&c1[i], &c2[i], sizeof c1[i]);
    }
  }
  assert_int_equal(st1->rows, st2->rows);
  assert_int_equal(st1->rows_used, st2->rows_used);
  assert_int_equal(st1->rows_after_until, st2->rows_after_until);
  assert_int_equal(st1->customers, st2->customers);
  assert_int_equal(st1->customers_holdout_only, st2->customers_holdout_only);
  assert_int_equal(st1->customers_no_purchase, st2->customers_no_purchase);
  assert_int_equal(st1->replayed_customers, st2->replayed_customers);
  assert_memory_equal(&st1->spend_excluded, &st2->spend_excluded,
                      sizeof(double));
  assert_int_equal(st1->first_day, st2->first_day);
  assert_int_equal(st1->last_day, st2->last_day);
  assert_int_equal(st1->until_day, st2->until_day);
  int32_t f1, f2;
  size_t n1, n2;
  const uint64_t *d1 = clv_summary_repeat_days(t1, &f1, &n1);
  const uint64_t *d2 = clv_summary_repeat_days(t2, &f2, &n2);
  assert_true((d1 == NULL) == (d2 == NULL));
  if (d1) {
    assert_int_equal(f1, f2);
    assert_int_equal(n1, n2);
    assert_memory_equal(d1, d2, n1 * sizeof *d1);
  }
}

/* clv__summarizer_add_batch() gives what one clv__summarizer_add() per row
 * gives, with ids of 0 to 20 bytes (both sides of the 8-byte inline limit
 * of the customer record) and enough customers to grow the map and move the
 * records several times. Checked against the row-at-a-time path, bit for
 * bit, and the customer count by construction (ids are unique per number
 * 0..5002, and k * 7919 mod 5003 visits every number since 5003 is prime
 * and N > 5003). */
static void test_batch_equals_rows(void **state) {
  (void)state;
  enum { N = 30000 };
  static char ids[N][24];
  static clv__order r[N];
  clv__summarizer_opts o = opts(INT32_MIN, INT32_MIN);
  clv__summarizer *s1, *s2;
  clv_summary *t1, *t2;
  clv__summarizer_stats st1, st2;
  for (int k = 0; k < N; k++) {
    int cust = (k * 7919) % 5003;
    /* 0 to 16 'x' then the number: 1 to 20 bytes. */
    snprintf(ids[k], sizeof ids[k], "%.*s%d", cust % 17, "xxxxxxxxxxxxxxxxx",
             cust);
    r[k].id = ids[k];
    r[k].id_len = strlen(ids[k]);
    r[k].hash = clv__hash_bytes(r[k].id, r[k].id_len);
    r[k].seq = (uint64_t)k;
    r[k].day = k / 10; /* time order: no replay */
    r[k].amount = (double)(k % 97) - 10;
  }
  assert_int_equal(clv__summarizer_new(&s1, &o), CLV_OK);
  assert_int_equal(clv__summarizer_new(&s2, &o), CLV_OK);
  for (int k = 0; k < N; k++)
    assert_int_equal(
        clv__summarizer_add(s1, r[k].id, r[k].id_len, r[k].day, r[k].amount, 1),
        CLV_OK);
  assert_int_equal(clv__summarizer_add_batch(s2, r, N), CLV_OK);
  assert_int_equal(clv__summarizer_needs_replay(s1), 0);
  assert_int_equal(clv__summarizer_finish(s1, &t1, &st1), CLV_OK);
  assert_int_equal(clv__summarizer_finish(s2, &t2, &st2), CLV_OK);
  assert_int_equal(st1.customers + st1.customers_no_purchase, 5003);
  assert_identical(t1, &st1, t2, &st2);
  clv_summary_free(t1);
  clv_summary_free(t2);
  clv__summarizer_free(s1);
  clv__summarizer_free(s2);
}

/* Runs rows through clv__summarizer_add() one at a time (the general
 * update, no batch guesses; ids hashed by the summariser) and through
 * clv__summarizer_add_batch() in batches of 1 to 300 rows (the rows'
 * own hashes, which may be forged to collide), both with the replay when
 * asked, and asserts that everything agrees bit for bit. */
static void check_batch_paths(const clv__summarizer_opts *o,
                              const clv__order *r, size_t n,
                              uint64_t *replayed) {
  clv__summarizer *s1, *s2;
  clv_summary *t1, *t2;
  clv__summarizer_stats st1, st2;
  assert_int_equal(clv__summarizer_new(&s1, o), CLV_OK);
  assert_int_equal(clv__summarizer_new(&s2, o), CLV_OK);
  for (int pass = 0; pass < 2; pass++) {
    for (size_t k = 0; k < n; k++)
      assert_int_equal(clv__summarizer_add(s1, r[k].id, r[k].id_len, r[k].day,
                                           r[k].amount, 1),
                       CLV_OK);
    for (size_t k = 0; k < n;) {
      size_t m = 1 + rnd() % 300;
      m = m < n - k ? m : n - k;
      assert_int_equal(clv__summarizer_add_batch(s2, r + k, m), CLV_OK);
      k += m;
    }
    assert_int_equal(clv__summarizer_needs_replay(s1),
                     clv__summarizer_needs_replay(s2));
    if (!clv__summarizer_needs_replay(s1))
      break;
    assert_int_equal(clv__summarizer_begin_replay(s1), CLV_OK);
    assert_int_equal(clv__summarizer_begin_replay(s2), CLV_OK);
  }
  assert_int_equal(clv__summarizer_finish(s1, &t1, &st1), CLV_OK);
  assert_int_equal(clv__summarizer_finish(s2, &t2, &st2), CLV_OK);
  assert_identical(t1, &st1, t2, &st2);
  *replayed += st1.replayed_customers;
  clv_summary_free(t1);
  clv_summary_free(t2);
  clv__summarizer_free(s1);
  clv__summarizer_free(s2);
}

/* Option sets for check_batch_paths(): the first three take the batch's
 * day path (day periods, no holdout, no keep_head), the others the
 * general one. */
static clv__summarizer_opts path_opts(int which) {
  clv__summarizer_opts o = opts(INT32_MIN, INT32_MIN);
  switch (which) {
  case 1:
    o.until_day = 900; /* rows after it counted, not used */
    break;
  case 2:
    o.with_amount = 0;
    break;
  case 3:
    o.period = CLV_PERIOD_WEEK;
    o.unit = CLV_UNIT_WEEK;
    break;
  case 4:
    o.holdout_day = 600;
    break;
  case 5:
    o.period = CLV_PERIOD_MONTH;
    o.unit = CLV_UNIT_MONTH;
    o.holdout_day = 700;
    o.until_day = 1100;
    break;
  default:
    break;
  }
  return o;
}

/*
 * The batch's day path (add_day) and its guessed lookups give what the
 * general row-at-a-time update gives, field by field: ids of 0 to 20
 * bytes (inline and arena keys; every branch of the short-key hash),
 * refunds, zero and negative-zero amounts, several rows per day, enough
 * customers to grow the map and move the records, in time order and
 * shuffled (out-of-order rows: the replay), for the day path's options and
 * the general ones.
 */
static void test_day_path_equals_general(void **state) {
  (void)state;
  enum { N = 24000, NC = 4001 };
  static char ids[NC][32];
  static clv__order r[N], sh[N];
  for (int c = 0; c < NC; c++)
    snprintf(ids[c], sizeof ids[c], "%.*s%d", c % 21, "yyyyyyyyyyyyyyyyyyyyy",
             c);
  ids[0][0] = '\0'; /* the empty id is a customer too */
  for (int k = 0; k < N; k++) {
    int c = (int)(rnd() % NC);
    int kind = (int)(rnd() % 10);
    r[k].id = ids[c];
    r[k].id_len = strlen(ids[c]);
    r[k].hash = clv__hash_bytes(r[k].id, r[k].id_len);
    r[k].seq = (uint64_t)k;
    r[k].day = k / 20;
    r[k].amount = kind < 2   ? -(double)(rnd() % 3000) / 100
                  : kind < 3 ? (kind == 2 && k % 2 ? -0.0 : 0.0)
                             : (double)(rnd() % 5000) / 100;
  }
  memcpy(sh, r, sizeof r);
  for (size_t i = N - 1; i > 0; i--) {
    size_t j = rnd() % (i + 1);
    clv__order tmp = sh[i];
    sh[i] = sh[j];
    sh[j] = tmp;
  }
  uint64_t replayed = 0;
  for (int which = 0; which < 6; which++) {
    clv__summarizer_opts o = path_opts(which);
    uint64_t before = replayed;
    check_batch_paths(&o, r, N, &replayed);
    assert_int_equal(replayed, before); /* time order: nothing replayed */
    check_batch_paths(&o, sh, N, &replayed);
    assert_true(replayed > before); /* the shuffle was replayed */
  }
}

/*
 * Hash collisions in the batch pipeline: rows whose (forged) hashes share
 * one 32-bit tag and a handful of home slots, so that the guess read from
 * a slot is most often another customer's record and lookups probe long
 * runs of equal tags. Fewer customers than the first table's growth point
 * (717 of 1,024 slots), since growing re-hashes the stored keys with
 * clv__hash_bytes(). The same rows with real hashes go through
 * clv__summarizer_add(); both must agree, in order and shuffled.
 */
static void test_batch_tag_collisions(void **state) {
  (void)state;
  enum { N = 6000, NC = 600 };
  static char ids[NC][24];
  static clv__order r[N];
  for (int c = 0; c < NC; c++)
    snprintf(ids[c], sizeof ids[c], c % 2 ? "id%05d" : "customer-%d-x", c);
  for (int k = 0; k < N; k++) {
    int c = (int)(rnd() % NC);
    r[k].id = ids[c];
    r[k].id_len = strlen(ids[c]);
    r[k].hash = (0x5EEDF00Dull << 32) | (uint64_t)(c % 7) * 3;
    r[k].seq = (uint64_t)k;
    r[k].day = k / 8;
    r[k].amount = (double)(rnd() % 200) - 30;
  }
  uint64_t replayed = 0;
  for (int which = 0; which < 6; which += 3) {
    clv__summarizer_opts o = path_opts(which);
    check_batch_paths(&o, r, N, &replayed);
  }
  for (size_t i = N - 1; i > 0; i--) {
    size_t j = rnd() % (i + 1);
    clv__order tmp = r[i];
    r[i] = r[j];
    r[j] = tmp;
  }
  clv__summarizer_opts o = path_opts(0);
  check_batch_paths(&o, r, N, &replayed);
  assert_true(replayed > 0);
}

/* Two summarisers of a split where one half got no customer at all (every
 * id hashed to the other half): the rows come out as from one. */
static void test_split_with_empty_half(void **state) {
  (void)state;
  clv__summarizer_opts o = opts(20, INT32_MIN);
  o.track_seq = 1;
  clv__summarizer *s[2];
  clv_summary *t;
  clv__summarizer_stats st;
  assert_int_equal(clv__summarizer_new(&s[0], &o), CLV_OK);
  assert_int_equal(clv__summarizer_new(&s[1], &o), CLV_OK);
  feed(s[1], log_a, 8);
  assert_int_equal(clv__summarizer_finish_multi(s, 2, &t, &st), CLV_OK);
  check_log_a(t, &st);
  clv_summary_free(t);
  clv__summarizer_free(s[0]);
  clv__summarizer_free(s[1]);
}

/* Numbers in written rows: whole numbers and whole cents take shortcuts in
 * the writer; the text must be the one clv__fmt_num() gives (fewest
 * digits that read back; money to 15 significant digits), written out
 * here by hand: 74.02000000000001 (29.33 + 29.73 + 14.96 in doubles) is
 * money 74.02, 12.50 is 12.5, a whole 300 is 300, a mean such as 80.12/3
 * keeps its 17 digits, and an order count of 2^52 + 1, past the
 * shortcut, prints whole. */
static void test_writer_numbers(void **state) {
  (void)state;
  static const struct {
    double total, orders, refunds;
    const char *text;
  } cases[] = {
      {29.33 + 29.73 + 14.96, 1, 0, "74.02,1,0"},
      {12.50, 1, 0.07, "12.5,1,0.07"},
      {300, 1, 1e9 - 0.01, "300,1,999999999.99"},
      {80.12 / 3, 1, 0, "26.706666666666667,1,0"},
      {1, 4503599627370497.0, 0, "1,4503599627370497,0"},
      {-3.1, 1, 0.1, "-3.1,1,0.1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    clv_summary *t = NULL;
    clv_summary_row r;
    char *buf = NULL;
    size_t len = 0;
    memset(&r, 0, sizeof r);
    r.v[CLV_COL_WEIGHT] = 1;
    r.v[CLV_COL_TOTAL_SPEND] = cases[i].total;
    r.v[CLV_COL_ORDERS] = cases[i].orders;
    r.v[CLV_COL_REFUNDS] = cases[i].refunds;
    assert_int_equal(
        clv_summary_new(&t, CLV_UNIT_DAY,
                        (1u << CLV_COL_X) | (1u << CLV_COL_TX) |
                            (1u << CLV_COL_T) | (1u << CLV_COL_TOTAL_SPEND) |
                            (1u << CLV_COL_ORDERS) | (1u << CLV_COL_REFUNDS),
                        1),
        CLV_OK);
    assert_int_equal(clv_summary_append(t, "a", 1, &r), CLV_OK);
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(clv_summary_write_csv(t, f), CLV_OK);
    fclose(f);
    const char *line = strchr(buf, '\n') + 1;
    char want[128];
    snprintf(want, sizeof want, "a,0,0,0,%s\n", cases[i].text);
    assert_string_equal(line, want);
    free(buf);
    clv_summary_free(t);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_writer_numbers),
      cmocka_unit_test(test_refund_rules),
      cmocka_unit_test(test_out_of_order_replay),
      cmocka_unit_test(test_periods),
      cmocka_unit_test(test_until),
      cmocka_unit_test(test_holdout),
      cmocka_unit_test(test_shuffle_property),
      cmocka_unit_test(test_split_merge_property),
      cmocka_unit_test(test_keep_head_alone),
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_many_ids),
      cmocka_unit_test(test_batch_equals_rows),
      cmocka_unit_test(test_day_path_equals_general),
      cmocka_unit_test(test_batch_tag_collisions),
      cmocka_unit_test(test_split_with_empty_half),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
