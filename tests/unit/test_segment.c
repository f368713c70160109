/*
 * test_segment.c - clv segment: value tiers (with ties at a cut), both RFM
 * schemes, risk bands, concentration (Gini, Pareto curve), the totals of
 * every table, and a scored base end to end (simulated log and the UCI
 * Online Retail log) whose tables add up to the log's totals; the split
 * "classify, then predict separately" (--by) recovers each channel's
 * simulation truth and adds up to the pooled and separate totals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Sums of a table's groups and its total row agree, and the total equals
 * the expected customers and predicted value. */
static void check_table(const clv_seg_table *t, double customers,
                        double predicted, double historic) {
  double c = 0, p = 0, h = 0, sc = 0;
  for (size_t k = 0; k < t->n; k++) {
    c += t->g[k].customers;
    p += t->g[k].predicted;
    h += t->g[k].historic;
    sc += t->g[k].share_customers;
  }
  assert_close(c, customers, 1e-9, 0);
  assert_close(t->total.customers, customers, 1e-9, 0);
  assert_close(p, predicted, 1e-6, 1e-12);
  assert_close(t->total.predicted, predicted, 1e-6, 1e-12);
  assert_close(h, historic, 1e-6, 1e-12);
  assert_close(t->total.historic, historic, 1e-6, 1e-12);
  assert_close(sc, 1, 1e-12, 0);
}

/*
 * Ten customers, tiers platinum top 10%, gold 10-30%, silver 30-60%. By hand:
 * sorted values 100 | 50 50 50 | 30 20 | 10 5 1 0. The cut of gold falls
 * inside the three 50s (top 30% = 3 customers, the 50s are places 2-4):
 * tied customers are never split, so all three are gold and silver starts
 * at place 5 (30, 20: 4 and 5 customers above, below 6), the rest Regular.
 */
static void tiers_with_ties(void **state) {
  (void)state;
  const double value[10] = {50, 0, 100, 30, 50, 5, 20, 1, 50, 10};
  const double hist[10] = {10, -4, 30, 7, 8, 2, 6, 1, 9, 3};
  const uint8_t want[10] = {1, 3, 0, 2, 1, 3, 2, 3, 1, 3};
  double palive[10], rec[10], freq[10];
  for (int i = 0; i < 10; i++) {
    palive[i] = 0.5;
    rec[i] = i;
    freq[i] = 1 + i % 3;
  }
  clv_segment_opts o;
  clv_segment_opts_init(&o);
  assert_int_equal(
      clv_segment_parse_tiers(&o, "platinum:10,gold:30,silver:60", 0), CLV_OK);
  assert_int_equal(o.tiers, 3);
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute_arrays(10, value, palive, NULL, rec,
                                               freq, hist, NULL, NULL, &o, &s),
                   CLV_OK);
  for (int i = 0; i < 10; i++)
    assert_int_equal(s->tier_of[i], want[i]);
  /* Tier sums by hand: platinum 100, gold 150, silver 50, rest 16. */
  assert_close(s->tiers.g[0].predicted, 100, 0, 0);
  assert_close(s->tiers.g[1].predicted, 150, 0, 0);
  assert_close(s->tiers.g[1].customers, 3, 0, 0);
  assert_close(s->tiers.g[2].predicted, 50, 0, 0);
  assert_close(s->tiers.g[3].predicted, 16, 0, 0);
  assert_close(s->tiers.g[1].share_predicted, 150.0 / 316.0, 0, 1e-15);
  assert_close(s->tiers.g[1].avg_clv, 50, 0, 1e-15);
  /* Historic with a refund (-4) in the rest: 1 + -4 + 2 + 3 = 2. */
  assert_close(s->tiers.g[3].historic, 2, 1e-12, 0);
  assert_string_equal(s->tiers.g[0].label, "Platinum");
  assert_string_equal(s->tiers.g[3].label, "Regular");
  check_table(&s->tiers, 10, 316, 72);
  check_table(&s->rfm8, 10, 316, 72);
  check_table(&s->rfm11, 10, 316, 72);
  check_table(&s->risk, 10, 316, 72);
  clv_segments_free(s);

  /* Money thresholds 50, 20: value >= 50 tier 1 (4 customers), >= 20 tier 2
   * (30, 20), the rest 4; Chinese label of a known name. */
  assert_int_equal(clv_segment_parse_tiers(&o, "gold:50,silver:20", 1), CLV_OK);
  o.zh = 1;
  assert_int_equal(clv_segments_compute_arrays(10, value, palive, NULL, rec,
                                               freq, hist, NULL, NULL, &o, &s),
                   CLV_OK);
  assert_close(s->tiers.g[0].customers, 4, 0, 0);
  assert_close(s->tiers.g[1].customers, 2, 0, 0);
  assert_close(s->tiers.g[2].customers, 4, 0, 0);
  assert_string_equal(s->tiers.g[0].label, "黄金");
  assert_string_equal(s->tiers.g[2].label, "普通");
  assert_string_equal(s->tiers.total.label, "合计");
  clv_segments_free(s);
}

static void tier_specs(void **state) {
  (void)state;
  clv_segment_opts o;
  clv_segment_opts_init(&o);
  /* Defaults: platinum 1, gold 5, silver 10, bronze 25. */
  assert_int_equal(o.tiers, 4);
  assert_close(o.cut[3], 25, 0, 0);
  assert_int_equal(clv_segment_parse_tiers(&o, "a:5,b:1", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "a:0", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "a:101", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "5,10", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "a:5,", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "a:x", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "", 0), CLV_EINVAL);
  assert_int_equal(clv_segment_parse_tiers(&o, "100,500", 1), CLV_EINVAL);
  assert_int_equal(o.tiers, 4); /* unchanged after errors */
  assert_int_equal(clv_segment_parse_tiers(&o, "1000,500,100", 1), CLV_OK);
  assert_int_equal(o.tier_mode, CLV_TIER_MONEY);
  assert_string_equal(o.tier_name[1], "tier2");
}

/*
 * Five customers, derived by hand:
 *   customer   R days  F  spend  M=spend/F
 *   0          10      5  500    100
 *   1          50      1  40     40
 *   2          5       2  300    150
 *   3          100     3  90     30
 *   4          30      1  20     20
 * Means: R 39, F 2.4, M 68. Types (R high = fewer days than the split):
 *   0 H H H 重要价值; 1 L L L 一般挽留; 2 H L H 重要发展; 3 L H L 一般保持;
 *   4 H L L 一般发展.
 * Medians: R 30, F 2, M 40 (equal to the split is low):
 *   0 重要价值; 1 一般挽留; 2 重要发展; 3 一般保持; 4 (R 30 = split: low)
 *   一般挽留.
 * Quintile scores, n = 5, score = 1 + number strictly worse:
 *   R (more days worse): 3->1, 1->2, 4->3, 0->4, 2->5
 *   F: 1 and 4 tie at 1 -> 1, 2 -> 3, 3 -> 4, 0 -> 5
 *   M: 4->1, 3->2, 1->3, 0->4, 2->5
 * F-M score (F + M + 1) / 2: 0:5, 1:2, 2:4, 3:3, 4:1. Grid: 0 (R4, FM5)
 * Loyal; 1 (R2, FM2) Hibernating; 2 (R5, FM4) Champions; 3 (R1, FM3) At
 * risk; 4 (R3, FM1) About to sleep.
 */
static void rfm_schemes(void **state) {
  (void)state;
  const double rec[5] = {10, 50, 5, 100, 30};
  const double freq[5] = {5, 1, 2, 3, 1};
  const double hist[5] = {500, 40, 300, 90, 20};
  const double value[5] = {1, 2, 3, 4, 5};
  const double palive[5] = {0.9, 0.2, 0.7, 0.3, 0.29999};
  const double none[5] = {0.1, 0.8, 0.35, 0.69, 0.71};
  clv_segment_opts o;
  clv_segment_opts_init(&o);
  o.zh = 1;
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute_arrays(5, value, palive, none, rec,
                                               freq, hist, NULL, NULL, &o, &s),
                   CLV_OK);
  assert_close(s->r_split, 39, 0, 1e-15);
  assert_close(s->f_split, 2.4, 0, 1e-15);
  assert_close(s->m_split, 68, 0, 1e-15);
  const char *mean_types[5] = {"重要价值客户", "一般挽留客户", "重要发展客户",
                               "一般保持客户", "一般发展客户"};
  for (int i = 0; i < 5; i++)
    assert_string_equal(s->rfm8.g[s->rfm8_of[i]].label, mean_types[i]);
  const uint8_t r[5] = {4, 2, 5, 1, 3}, f[5] = {5, 1, 3, 4, 1},
                m[5] = {4, 3, 5, 2, 1};
  for (int i = 0; i < 5; i++) {
    assert_int_equal(s->r_score[i], r[i]);
    assert_int_equal(s->f_score[i], f[i]);
    assert_int_equal(s->m_score[i], m[i]);
  }
  const char *groups[5] = {"Loyal", "Hibernating", "Champions", "At risk",
                           "About to sleep"};
  for (int i = 0; i < 5; i++)
    assert_string_equal(clv_rfm11_label(s->rfm11_of[i], 0), groups[i]);
  /* Risk from P(alive): 0.9 low, 0.2 high, 0.7 low (the cut is in the
   * better band), 0.3 medium, 0.29999 high. */
  const uint8_t risk[5] = {2, 0, 2, 1, 0};
  for (int i = 0; i < 5; i++)
    assert_int_equal(s->risk_of[i], risk[i]);
  assert_string_equal(s->risk.g[0].label, "高风险");
  clv_segments_free(s);

  o.zh = 0;
  o.rfm_median = 1;
  o.risk_by = CLV_RISK_NOPURCHASE;
  assert_int_equal(clv_segments_compute_arrays(5, value, palive, none, rec,
                                               freq, hist, NULL, NULL, &o, &s),
                   CLV_OK);
  assert_close(s->r_split, 30, 0, 0);
  assert_close(s->f_split, 2, 0, 0);
  assert_close(s->m_split, 40, 0, 0);
  const char *median_types[5] = {"Key value", "General win-back",
                                 "Key development", "General retention",
                                 "General win-back"};
  for (int i = 0; i < 5; i++)
    assert_string_equal(s->rfm8.g[s->rfm8_of[i]].label, median_types[i]);
  /* Risk from 1 - P(none): 0.9 low, 0.2 high, 0.65 medium, 0.31 medium,
   * 0.29 high. */
  const uint8_t risk2[5] = {2, 0, 1, 1, 0};
  for (int i = 0; i < 5; i++)
    assert_int_equal(s->risk_of[i], risk2[i]);
  clv_segments_free(s);

  /* Without P(none) the no-purchase bands cannot be drawn. */
  assert_int_equal(clv_segments_compute_arrays(5, value, palive, NULL, rec,
                                               freq, hist, NULL, NULL, &o, &s),
                   CLV_EINVAL);
  assert_null(s);
  /* A value that is not finite is refused, never segmented. */
  double bad[5] = {1, NAN, 3, 4, 5};
  assert_int_equal(clv_segments_compute_arrays(5, bad, palive, none, rec, freq,
                                               hist, NULL, NULL, &o, &s),
                   CLV_EINVAL);
}

/* Even median (average of the middle two) and the weights: a weight of 2
 * counts as two customers. */
static void rfm_weights(void **state) {
  (void)state;
  const double rec[4] = {1, 2, 3, 4}, freq[4] = {1, 2, 3, 4},
               hist[4] = {1, 4, 9, 16}, value[4] = {0, 0, 0, 0},
               pa[4] = {1, 1, 1, 1};
  clv_segment_opts o;
  clv_segment_opts_init(&o);
  o.rfm_median = 1;
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute_arrays(4, value, pa, NULL, rec, freq,
                                               hist, NULL, NULL, &o, &s),
                   CLV_OK);
  assert_close(s->r_split, 2.5, 0, 0);
  assert_close(s->m_split, 2.5, 0, 0); /* M = 1, 2, 3, 4 */
  clv_segments_free(s);
  /* Weights 1, 1, 1, 3 (6 customers): the weighted median of F is 4 (the
   * 3rd and 4th of 1, 2, 3, 4, 4, 4 are 3 and 4 -> 3.5). */
  const double w[4] = {1, 1, 1, 3};
  assert_int_equal(clv_segments_compute_arrays(4, value, pa, NULL, rec, freq,
                                               hist, NULL, w, &o, &s),
                   CLV_OK);
  assert_close(s->f_split, 3.5, 0, 0);
  assert_close(s->tiers.total.customers, 6, 0, 0);
  /* F scores: below 0, 1, 2, 3 of 6 -> 1 + floor(5 * below / 6) = 1, 1, 2,
   * 3. */
  assert_int_equal(s->f_score[0], 1);
  assert_int_equal(s->f_score[1], 1);
  assert_int_equal(s->f_score[2], 2);
  assert_int_equal(s->f_score[3], 3);
  clv_segments_free(s);
}

/*
 * Gini of 1, 2, 3, 4: mean absolute difference over twice the mean. Pair
 * differences 1+2+3+1+2+1 = 10, counted twice over 4^2 pairs = 20 / 16 =
 * 1.25, over 2 x 2.5 = 0.25. Top quarter holds 4/10; top 1% holds 0.04 of
 * the top customer = 0.016.
 */
static void concentration_small(void **state) {
  (void)state;
  const double v[4] = {3, 1, 4, 2}, pa[4] = {1, 1, 1, 1}, rec[4] = {1, 1, 1, 1},
               fr[4] = {1, 1, 1, 1};
  clv_segment_opts o;
  clv_segment_opts_init(&o);
  o.lorenz_points = 4;
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute_arrays(4, v, pa, NULL, rec, fr, v, NULL,
                                               NULL, &o, &s),
                   CLV_OK);
  const clv_concentration *c = &s->conc_predicted;
  assert_close(c->gini, 0.25, 1e-14, 0);
  assert_int_equal(c->points, 5);
  const double curve[5] = {0, 0.4, 0.7, 0.9, 1};
  for (int k = 0; k < 5; k++)
    assert_close(c->curve[k], curve[k], 1e-14, 0);
  assert_close(c->top1, 0.016, 1e-14, 0);
  assert_close(c->top20, 0.8 * 0.4, 1e-14, 0);
  assert_close(s->conc_historic.gini, 0.25, 1e-14, 0);
  clv_segments_free(s);

  /* Net refunds count as 0: all value with one of four customers gives
   * the largest Gini of four, (n - 1) / n = 0.75. */
  const double h[4] = {-5, 0, 0, 10};
  assert_int_equal(clv_segments_compute_arrays(4, v, pa, NULL, rec, fr, h, NULL,
                                               NULL, &o, &s),
                   CLV_OK);
  assert_close(s->conc_historic.gini, 0.75, 1e-14, 0);
  assert_close(s->conc_historic.negative, 1, 0, 0);
  assert_close(s->conc_historic.top1, 0.04, 1e-14, 0); /* 0.04 of 10 */
  clv_segments_free(s);
}

/* The exponential distribution has Gini 1/2 and its top share q holds
 * q (1 - ln q) of the value. Quantiles of 200000 evenly spaced
 * probabilities stand in for a sample. */
static void concentration_exponential(void **state) {
  (void)state;
  size_t n = 200000;
  double *v = malloc(n * sizeof *v), *one = malloc(n * sizeof *one);
  for (size_t i = 0; i < n; i++) {
    v[i] = -log(1 - (i + 0.5) / (double)n);
    one[i] = 1;
  }
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute_arrays(n, v, one, NULL, one, one, v,
                                               NULL, NULL, NULL, &s),
                   CLV_OK);
  assert_close(s->conc_predicted.gini, 0.5, 1e-3, 0);
  assert_close(s->conc_predicted.top20, 0.2 * (1 - log(0.2)), 1e-3, 0);
  assert_close(s->conc_predicted.top1, 0.01 * (1 - log(0.01)), 1e-3, 0);
  /* Default tiers: 1% platinum, 4% gold, 5% silver, 15% bronze, 75%. */
  assert_close(s->tiers.g[0].customers, 0.01 * n, 1, 0);
  assert_close(s->tiers.g[1].customers, 0.04 * n, 1, 0);
  assert_close(s->tiers.g[4].customers, 0.75 * n, 1, 0);
  clv_segments_free(s);
  free(v);
  free(one);
}

/* The totals of a scored base add up to its order log: tiers' customers +
 * customers without a summary row = all customers; historic of tiers +
 * those customers + rows without a customer = every row's amount up to the
 * as-of day; predicted = the run's value total. The sums here are taken
 * over the rows independently of the library. */
static void check_base(const clv_base *b, const clv_segments *s) {
  const uint32_t *cu = clv_orders_customer(b->orders);
  const int32_t *day = clv_orders_day(b->orders);
  const double *amt = clv_orders_amount(b->orders);
  double all = 0, anon = 0;
  for (size_t r = 0; r < clv_orders_rows(b->orders); r++)
    if (day[r] <= b->as_of_day) {
      all += amt[r];
      if (cu[r] == CLV_NO_CUSTOMER)
        anon += amt[r];
    }
  double n = (double)clv_summary_rows(b->run->summary);
  assert_close(s->company_historic, all, 1e-6, 1e-12);
  assert_close(s->anonymous_historic, anon, 1e-6, 1e-12);
  assert_close(s->company_customers, (double)b->customers, 0, 0);
  assert_close(s->tiers.total.customers + s->unscored_customers,
               (double)b->customers, 0, 0);
  assert_close(s->tiers.total.historic + s->unscored_historic + anon, all, 1e-6,
               1e-12);
  const clv_seg_table *t[4] = {&s->tiers, &s->rfm8, &s->rfm11, &s->risk};
  for (int k = 0; k < 4; k++)
    check_table(t[k], n, b->run->value_total, s->tiers.total.historic);
}

/* Writes every output into scratch files; they must be written. */
static void write_all(const clv_segments *s, const clv_base *b) {
  FILE *f = fopen(clv_test_tmp("seg_out.txt"), "w");
  assert_non_null(f);
  assert_int_equal(clv_segments_write_text(s, f), CLV_OK);
  assert_int_equal(clv_segments_write_json(s, f), CLV_OK);
  assert_int_equal(clv_seg_table_write_csv(&s->tiers, "tiers", 1, f), CLV_OK);
  assert_int_equal(clv_segments_write_concentration_csv(s, f), CLV_OK);
  assert_int_equal(clv_segments_write_customers(s, b, f), CLV_OK);
  fclose(f);
}

static void simulated_base(void **state) {
  (void)state;
  clv_sim_opts so;
  clv_sim_opts_init(&so);
  so.customers = 2000;
  so.seed = 5;
  so.refund_rate = 0.05;
  so.threads = 1;
  const char *csv = clv_test_simulate("seg_sim.csv", &so);
  clv_orders_opts oo;
  clv_orders_opts_init(&oo);
  clv_orders *o = NULL;
  assert_int_equal(clv_orders_read(csv, &oo, &o, NULL, NULL), CLV_OK);
  /* Rows without a customer, and a customer with only a refund (no
   * summary row), must still count in the company totals. */
  clv_order_row r;
  clv_order_row_init(&r);
  r.day = clv_orders_first_day(o) + 30;
  r.amount = 12.5;
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
  r.customer = "refund-only";
  r.customer_len = strlen(r.customer);
  r.amount = -7.25;
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute(b, NULL, &s), CLV_OK);
  check_base(b, s);
  assert_close(s->anonymous_historic, 25, 1e-12, 0);
  assert_true(s->unscored_customers >= 1);
  write_all(s, b);
  clv_segments_free(s);
  clv_base_free(b);
  clv_orders_free(o);
}

static void online_retail(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "online_retail/online_retail.csv");
  clv_orders_opts oo;
  clv_orders_opts_init(&oo);
  clv_orders *o = NULL;
  assert_int_equal(clv_orders_read(path, &oo, &o, NULL, NULL), CLV_OK);
  clv_base_opts bo;
  clv_base_opts_init(&bo);

  clv_base *b = NULL;
  clv_error err;
  int rc = clv_base_build(o, &bo, &b, &err);
  if (rc)
    fprintf(stderr, "%s\n", err.message);
  assert_int_equal(rc, CLV_OK);
  clv_segment_opts so;
  clv_segment_opts_init(&so);
  so.rfm_median = 1;
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute(b, &so, &s), CLV_OK);
  check_base(b, s);
  /* The log's published figures (test_orders_read): 4372 customers, rows
   * without a customer worth 1447682.12. */
  assert_close(s->company_customers, 4372, 0, 0);
  assert_close(s->anonymous_historic, 1447682.12, 1e-4, 0);
  assert_true(s->conc_historic.gini > 0.5 && s->conc_historic.gini < 1);
  write_all(s, b);
  clv_segments_free(s);
  clv_base_free(b);
  clv_orders_free(o);
}

/* Checks the totals of a split: the total row is the sum of its segments,
 * the pooled column adds up to the pooled base's value total, the separate
 * column to the per-row separate values, and customers to the summary. */
static void check_split(const clv_base *b, const clv_seg_split *r) {
  double c = 0, pooled = 0, sep = 0, rows_sep = 0;
  for (size_t k = 0; k < r->n; k++) {
    c += r->g[k].customers;
    pooled += r->g[k].pooled;
    sep += r->g[k].separate;
    assert_close(r->g[k].diff, r->g[k].separate - r->g[k].pooled, 1e-9, 0);
  }
  for (size_t i = 0; i < r->rows; i++)
    rows_sep += r->separate_value[i];
  assert_close(r->total.customers, c, 0, 0);
  assert_close(r->total.customers, clv_summary_customers(b->run->summary), 0,
               0);
  assert_close(r->total.separate, sep, 0, 1e-15);
  assert_close(r->total.separate, rows_sep, 1e-6, 1e-12);
  assert_close(r->total.pooled, pooled, 0, 1e-15);
  assert_close(r->total.pooled, b->run->value_total, 1e-6, 1e-12);
  FILE *f = fopen(clv_test_tmp("seg_by_out.txt"), "w");
  assert_non_null(f);
  assert_int_equal(clv_seg_split_write_csv(r, f), CLV_OK);
  assert_int_equal(clv_seg_split_write_json(r, f), CLV_OK);
  assert_int_equal(clv_seg_split_write_text(r, f), CLV_OK);
  fclose(f);
}

/* Simulates one log and copies its rows into `into` with the channel text
 * and an id prefix (so that the two logs' customers stay apart). */
static void add_sim_log(clv_orders *into, const double *params, uint64_t seed,
                        const char *channel, const char *prefix) {
  clv_sim_opts so;
  clv_sim_opts_init(&so);
  memcpy(so.params, params, sizeof so.params);
  so.customers = 3000;
  so.seed = seed;
  so.threads = 1;
  const char *csv = clv_test_simulate("seg_by_sim.csv", &so);
  clv_orders *o = NULL;
  assert_int_equal(clv_orders_read(csv, NULL, &o, NULL, NULL), CLV_OK);
  const uint32_t *cu = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  const double *amt = clv_orders_amount(o);
  for (size_t i = 0; i < clv_orders_rows(o); i++) {
    char id[64];
    snprintf(id, sizeof id, "%s%s", prefix,
             clv_orders_customer_id(o, cu[i], NULL));
    clv_order_row r;
    clv_order_row_init(&r);
    r.customer = id;
    r.customer_len = strlen(id);
    r.day = day[i];
    r.amount = amt[i];
    r.text[CLV_ATTR_CHANNEL] = channel;
    r.text_len[CLV_ATTR_CHANNEL] = channel ? strlen(channel) : 0;
    assert_int_equal(clv_orders_add(into, &r), CLV_OK);
  }
  assert_int_equal(clv_orders_customers(o), 3000);
  clv_orders_free(o);
}

/* Two channels whose customers follow different BG/NBD parameters (the
 * CDNOW fit and a faster-buying, slower-leaving population): fitted
 * separately, each channel recovers its own simulation truth within 3
 * standard errors, while the pooled fit describes neither. A handful of
 * kiosk customers (too few to fit: they keep the pooled predictions) and
 * customers without a channel ("(none)", also too few) check the
 * fallback. */
static void by_channel(void **state) {
  (void)state;
  const double truth[2][4] = {{0.243, 4.414, 0.793, 2.426},
                              {0.9, 3.0, 0.4, 3.0}};
  clv_orders *o = NULL;
  assert_int_equal(clv_orders_new(&o, 1u << CLV_ATTR_CHANNEL, 0), CLV_OK);
  add_sim_log(o, truth[0], 21, "web", "W");
  add_sim_log(o, truth[1], 22, "store", "S");
  /* Kiosk customers K0..K4 buy on two days (one repeat purchase); N0..N2
   * have no channel. Day 19740 is 2024-01-17, inside the simulated
   * window; 19800 is 2024-03-17. */
  for (int c = 0; c < 8; c++) {
    char id[8];
    snprintf(id, sizeof id, "%c%d", c < 5 ? 'K' : 'N', c < 5 ? c : c - 5);
    for (int k = 0; k < 2; k++) {
      clv_order_row r;
      clv_order_row_init(&r);
      r.customer = id;
      r.customer_len = strlen(id);
      r.day = 19740 + 60 * k;
      r.amount = 20 + c;
      if (c < 5) {
        r.text[CLV_ATTR_CHANNEL] = "kiosk";
        r.text_len[CLV_ATTR_CHANNEL] = 5;
      }
      assert_int_equal(clv_orders_add(o, &r), CLV_OK);
    }
  }
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute(b, NULL, &s), CLV_OK);
  clv_seg_split *r = NULL;
  assert_int_equal(clv_segments_by(b, s, NULL, &r), CLV_OK);
  assert_string_equal(r->column, "channel");
  assert_string_equal(r->family, "bgnbd");
  assert_int_equal(r->n, 4);
  const char *want[4] = {"web", "store", "kiosk", "(none)"};
  const double customers[4] = {3000, 3000, 5, 3};
  for (size_t k = 0; k < 4; k++) {
    assert_string_equal(r->g[k].label, want[k]);
    assert_close(r->g[k].customers, customers[k], 0, 0);
  }
  for (size_t k = 0; k < 2; k++) {
    const clv_seg_by_group *g = &r->g[k];
    assert_int_equal(g->fallback, 0);
    assert_int_equal(g->tx_np, 4);
    for (int i = 0; i < 4; i++) {
      assert_true(isfinite(g->tx_se[i]) && g->tx_se[i] > 0);
      if (fabs(g->tx[i] - truth[k][i]) > 3 * g->tx_se[i])
        fail_msg("%s %s = %g, truth %g, se %g", g->label, r->tx_name[i],
                 g->tx[i], truth[k][i], g->tx_se[i]);
    }
    /* Enough repeat buyers: Gamma-Gamma per segment. */
    assert_int_equal(g->spend_pooled, 0);
    assert_int_equal(g->spend_np, 3);
  }
  /* The store population buys 3.7 times as often (r / alpha 0.3 vs
   * 0.055 a week): pooled parameters cannot be near both. */
  assert_true(fabs(r->g[1].tx[0] / r->g[1].tx[1] -
                   r->g[0].tx[0] / r->g[0].tx[1]) > 0.15);
  /* The small segments keep the pooled values row by row. */
  assert_int_equal(r->fallbacks, 2);
  const double *pooled = b->run->pred->value;
  for (size_t k = 2; k < 4; k++) {
    assert_int_equal(r->g[k].fallback, 1);
    assert_true(strstr(r->g[k].reason, "fewer than 100") != NULL);
    assert_close(r->g[k].separate, r->g[k].pooled, 0, 0);
  }
  for (size_t i = 0; i < r->rows; i++)
    if (r->group_of[i] >= 2)
      assert_close(r->separate_value[i], pooled[i], 0, 0);
  check_split(b, r);
  /* The JSON of segments.json carries the split as "by". */
  FILE *f = fopen(clv_test_tmp("seg_by.json"), "w+");
  assert_non_null(f);
  assert_int_equal(clv_segments_write_json_by(s, r, f), CLV_OK);
  rewind(f);
  char buf[1 << 16];
  size_t got = fread(buf, 1, sizeof buf - 1, f);
  buf[got] = '\0';
  fclose(f);
  assert_non_null(strstr(buf, ",\"by\":{\"column\":\"channel\""));
  clv_seg_split_free(r);
  /* A column the table does not carry is an error, not an empty split. */
  clv_segment_by_opts o2;
  clv_segment_by_opts_init(&o2);
  o2.attr = CLV_ATTR_STORE;
  r = NULL;
  assert_int_equal(clv_segments_by(b, s, &o2, &r), CLV_EINVAL);
  assert_null(r);
  clv_segments_free(s);
  clv_base_free(b);
  clv_orders_free(o);
}

/* By value tier: the split's segments are the tiers of clv segment, with
 * the same customers and pooled values (tiers.g[k].predicted). */
static void by_tier(void **state) {
  (void)state;
  clv_sim_opts so;
  clv_sim_opts_init(&so);
  so.customers = 2000;
  so.seed = 9;
  so.threads = 1;
  const char *csv = clv_test_simulate("seg_by_tier.csv", &so);
  clv_orders *o = NULL;
  assert_int_equal(clv_orders_read(csv, NULL, &o, NULL, NULL), CLV_OK);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL;
  assert_int_equal(clv_base_build(o, &bo, &b, NULL), CLV_OK);
  clv_segments *s = NULL;
  assert_int_equal(clv_segments_compute(b, NULL, &s), CLV_OK);
  clv_segment_by_opts bo2;
  clv_segment_by_opts_init(&bo2);
  bo2.by_tier = 1;
  clv_seg_split *r = NULL;
  assert_int_equal(clv_segments_by(b, s, &bo2, &r), CLV_OK);
  assert_string_equal(r->column, "tier");
  assert_int_equal(r->n, s->tiers.n);
  for (size_t k = 0; k < r->n; k++) {
    assert_string_equal(r->g[k].label, s->tiers.g[k].label);
    assert_close(r->g[k].customers, s->tiers.g[k].customers, 0, 0);
    assert_close(r->g[k].pooled, s->tiers.g[k].predicted, 1e-9, 1e-12);
    assert_close(r->g[k].historic, s->tiers.g[k].historic, 1e-9, 1e-12);
  }
  /* Platinum is the top 1%: 20 customers, too few to fit. */
  assert_int_equal(r->g[0].fallback, 1);
  /* The rest (75% = 1500 customers) is fitted. */
  assert_int_equal(r->g[r->n - 1].fallback, 0);
  check_split(b, r);
  clv_seg_split_free(r);
  clv_segments_free(s);
  clv_base_free(b);
  clv_orders_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tiers_with_ties),
      cmocka_unit_test(tier_specs),
      cmocka_unit_test(rfm_schemes),
      cmocka_unit_test(rfm_weights),
      cmocka_unit_test(concentration_small),
      cmocka_unit_test(concentration_exponential),
      cmocka_unit_test(simulated_base),
      cmocka_unit_test(online_retail),
      cmocka_unit_test(by_channel),
      cmocka_unit_test(by_tier),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
