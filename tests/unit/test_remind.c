/*
 * test_remind.c - reorder reminders (src/remind.c) on a hand-made log whose
 * intervals, due dates and statuses are derived by hand below; the
 * statuses add up to the base's customers and predicted value; P(alive) at
 * a day after the as-of day (clv__p_alive_at(), predict.c) against a Monte
 * Carlo simulation of each model, and its use by the reminders.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "testutil.h"

/* Day 0 of the hand-made log: 2024-01-01. */
#define D0 clv_day_from_ymd(2024, 1, 1)

static void add(clv_orders *o, const char *cust, int32_t day, double amount,
                const char *product) {
  clv_order_row r;
  clv_order_row_init(&r);
  r.customer = cust;
  r.customer_len = cust ? strlen(cust) : 0;
  r.day = day;
  r.amount = amount;
  r.text[CLV_ATTR_PRODUCT] = product;
  r.text_len[CLV_ATTR_PRODUCT] = product ? strlen(product) : 0;
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
}

/*
 * The log (days after D0):
 *  A: 0 coffee, 10 coffee + filter, 30 coffee, 40 filter. Purchase days
 *     0, 10, 30, 40: gaps 10, 20, 10, median 10, due 40 + 10 = 50.
 *     coffee days 0, 10, 30: gaps 10, 20, median 15, due 45.
 *     filter days 10, 40: one gap 30, due 70. Suggested: coffee (3 days).
 *  B: 5 tea, 25 tea, 26 a tea refund (-5, not a purchase). One gap 20:
 *     mean interval 20, due 45. tea: due 45.
 *  C: 60 only: the population's interval.
 *  F0..F19: days i and i + 14 (interval 14, due i + 28);
 *  G0..G19: days i and i + 30 (interval 30, due i + 60); no products.
 *  H0..H19: day i only (the population's interval: due i + 17 <= 36).
 *  One anonymous row (ignored).
 * Own intervals: 10 (A), 20 (B), 14 x 20, 30 x 20: 42 values, sorted the
 * 21st is 14 and the 22nd is 20, median 17. C is due 60 + 17 = 77.
 * On day 47 (week 47..53): A due 50 -> due this week; B due 45 -> overdue
 * 2 days = 0.1 intervals; C due 77 -> not due; F_i due i + 28: i < 19
 * overdue, F19 due 47 -> due; G_i due >= 60 -> not due; H_i overdue.
 * So: due 2, overdue 40, not due 21, total 63.
 */
static clv_orders *hand_log(void) {
  clv_orders *o;
  char id[8];
  assert_int_equal(clv_orders_new(&o, 1u << CLV_ATTR_PRODUCT, 0), CLV_OK);
  add(o, "A", D0, 10, "coffee");
  add(o, "A", D0 + 10, 10, "coffee");
  add(o, "A", D0 + 10, 5, "filter");
  add(o, "A", D0 + 30, 10, "coffee");
  add(o, "A", D0 + 40, 5, "filter");
  add(o, "B", D0 + 5, 8, "tea");
  add(o, "B", D0 + 25, 8, "tea");
  add(o, "B", D0 + 26, -5, "tea");
  add(o, "C", D0 + 60, 12, "coffee");
  add(o, NULL, D0 + 3, 100, "coffee");
  for (int i = 0; i < 20; i++) {
    snprintf(id, sizeof id, "F%d", i);
    add(o, id, D0 + i, 10 + i, NULL);
    add(o, id, D0 + i + 14, 10 + i, NULL);
    snprintf(id, sizeof id, "G%d", i);
    add(o, id, D0 + i, 20 + i, NULL);
    add(o, id, D0 + i + 30, 20 + i, NULL);
    snprintf(id, sizeof id, "H%d", i);
    add(o, id, D0 + i, 15, NULL);
  }
  return o;
}

static clv_base *score(const clv_orders *o, int32_t as_of) {
  clv_base_opts bo;
  clv_base *b = NULL;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  bo.as_of_day = as_of;
  clv_error err;
  clv_error_clear(&err);
  int rc = clv_base_build(o, &bo, &b, &err);
  if (rc)
    fail_msg("clv_base_build: %s: %s", clv_strerror(rc), err.message);
  return b;
}

static const clv_remind_customer *find(const clv_remind *r, const clv_base *b,
                                       const char *id) {
  uint32_t c;
  assert_true(clv_orders_find_customer(b->orders, id, strlen(id), &c));
  for (size_t i = 0; i < r->n; i++)
    if (r->cust[i].customer == c)
      return &r->cust[i];
  fail_msg("customer %s not in the reminders", id);
  return NULL;
}

static void hand_checked(void **state) {
  (void)state;
  clv_orders *o = hand_log();
  clv_base *b = score(o, D0 + 70);
  clv_remind_opts ro;
  clv_remind *r = NULL;
  clv_remind_opts_init(&ro);
  ro.on_day = D0 + 47;
  ro.min_p_alive = 1.0; /* no overdue customer is certainly alive */
  assert_int_equal(clv_remind_compute(b, &ro, &r), CLV_OK);
  assert_int_equal(r->n, 63);
  assert_close(r->population_interval_days, 17, 1e-12, 0);

  const clv_remind_customer *a = find(r, b, "A");
  assert_int_equal(a->source, CLV_INTERVAL_MEDIAN);
  assert_close(a->interval_days, 10, 1e-12, 0);
  assert_int_equal(a->last_day, D0 + 40);
  assert_int_equal(a->purchase_days, 4);
  assert_int_equal(a->due_day, D0 + 50);
  assert_int_equal(a->status, CLV_REMIND_DUE);
  assert_int_equal(a->days_overdue, 0);
  assert_true(a->contact);
  assert_string_equal(
      clv_orders_key_text(o, CLV_ATTR_PRODUCT, a->suggested_product), "coffee");
  /* The model's date: the as-of day plus the median time to the next
   * purchase, in weeks of 7 days. */
  double np = b->run->pred->next_purchase[a->row];
  if (isfinite(np))
    assert_int_equal(a->model_next_day, D0 + 70 + (int32_t)lround(np * 7));
  /* Value at stake: P(alive) x margin (1) x the next order's spend. */
  assert_close(a->value_at_stake,
               a->p_alive * (b->run->pred->expected_spend
                                 ? b->run->pred->expected_spend[a->row]
                                 : 35.0 / 5),
               1e-9, 1e-9);

  const clv_remind_customer *bb = find(r, b, "B");
  assert_int_equal(bb->source, CLV_INTERVAL_MEAN);
  assert_close(bb->interval_days, 20, 1e-12, 0);
  assert_int_equal(bb->last_day, D0 + 25); /* the refund is no purchase */
  assert_int_equal(bb->status, CLV_REMIND_OVERDUE);
  assert_int_equal(bb->days_overdue, 2);
  assert_close(bb->intervals_overdue, 0.1, 1e-12, 0);
  assert_false(bb->contact); /* overdue, P(alive) < 1 */

  const clv_remind_customer *c = find(r, b, "C");
  assert_int_equal(c->source, CLV_INTERVAL_POPULATION);
  assert_int_equal(c->due_day, D0 + 77);
  assert_int_equal(c->status, CLV_REMIND_NOT_DUE);
  assert_int_equal(c->suggested_product, CLV_NO_KEY);

  assert_close(r->status_customers[CLV_REMIND_DUE], 2, 0, 0);
  assert_close(r->status_customers[CLV_REMIND_OVERDUE], 40, 0, 0);
  assert_close(r->status_customers[CLV_REMIND_NOT_DUE], 21, 0, 0);
  assert_close(r->status_customers[CLV_REMIND_UNKNOWN], 0, 0, 0);
  /* A and F19 are due; of the overdue, only the H customers (one purchase
   * day, x = 0, for which BG/NBD's P(alive) is exactly 1) pass the floor:
   * 2 + 20. */
  assert_int_equal(r->n_contact, 22);

  /* Products: A coffee (due 45, overdue 2), A filter (due 70), B tea
   * (due 45, overdue 2); nothing else repeats. */
  assert_int_equal(r->n_items, 3);
  for (size_t k = 0; k < r->n_items; k++) {
    const clv_remind_item *it = &r->items[k];
    const char *p = clv_orders_key_text(o, CLV_ATTR_PRODUCT, it->product);
    if (strcmp(p, "filter") == 0) {
      assert_close(it->interval_days, 30, 1e-12, 0);
      assert_int_equal(it->due_day, D0 + 70);
      assert_int_equal(it->status, CLV_REMIND_NOT_DUE);
    } else {
      assert_close(it->interval_days, strcmp(p, "coffee") == 0 ? 15 : 20, 1e-12,
                   0);
      assert_int_equal(it->due_day, D0 + 45);
      assert_int_equal(it->status, CLV_REMIND_OVERDUE);
      assert_int_equal(it->days_overdue, 2);
    }
  }
  clv_remind_free(r);

  /* With no P(alive) floor every overdue customer is a contact too: 42,
   * sorted by value at stake. */
  ro.min_p_alive = 0;
  assert_int_equal(clv_remind_compute(b, &ro, &r), CLV_OK);
  assert_int_equal(r->n_contact, 42);
  for (size_t k = 1; k < r->n_contact; k++)
    assert_true(r->cust[r->contact[k - 1]].value_at_stake >=
                r->cust[r->contact[k]].value_at_stake);
  clv_remind_free(r);

  ro.min_p_alive = 1.5;
  assert_int_equal(clv_remind_compute(b, &ro, &r), CLV_EINVAL);
  assert_null(r);
  clv_base_free(b);
  clv_orders_free(o);
}

/* The statuses add up to the base's customers and predicted value. */
static void totals_add_up(const clv_remind *r, const clv_base *b) {
  double n = 0, v = 0, sn = 0, sv = 0;
  for (size_t i = 0; i < clv_summary_rows(b->run->summary); i++) {
    n += 1;
    v += isfinite(b->run->pred->value[i]) ? b->run->pred->value[i] : 0;
  }
  for (int s = 0; s < CLV_REMIND__COUNT; s++) {
    sn += r->status_customers[s];
    sv += r->status_clv[s];
  }
  assert_close(sn, n, 1e-9, 0);
  assert_close(r->customers, n, 1e-9, 0);
  assert_close(sv, v, 1e-6, 1e-9);
  assert_close(r->clv_total, v, 1e-6, 1e-9);
}

static void hand_writers(void **state) {
  (void)state;
  clv_orders *o = hand_log();
  clv_base *b = score(o, D0 + 70);
  clv_remind_opts ro;
  clv_remind *r = NULL;
  clv_remind_opts_init(&ro);
  ro.on_day = D0 + 47;
  assert_int_equal(clv_remind_compute(b, &ro, &r), CLV_OK);
  totals_add_up(r, b);
  FILE *f = fopen(clv_test_tmp("remind_contacts.csv"), "w+");
  assert_non_null(f);
  assert_int_equal(clv_remind_write_contacts_csv(r, b, f, 1), CLV_OK);
  assert_int_equal(clv_remind_write_products_csv(r, b, f, 0), CLV_OK);
  assert_int_equal(clv_remind_write_json(r, b, 5, f), CLV_OK);
  rewind(f);
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  assert_non_null(strstr(buf, "customer_id,status,due_date,days_overdue"));
  assert_non_null(strstr(buf, "A,本周到期,2024-02-20,0,10,"));
  assert_non_null(
      strstr(buf, "A,coffee,,3,2024-01-31,15,2024-02-15,overdue,2"));
  assert_non_null(strstr(buf, "\"label_en\":\"overdue\""));
  assert_null(strstr(buf, "nan"));
  clv_remind_free(r);
  clv_base_free(b);
  clv_orders_free(o);
}

/* Published CDNOW parameters, in weeks (shared/reference/published.md):
 * BG/NBD (FHL 2005), MBG/NBD (section 7, the packages' CDNOW fit),
 * Pareto/NBD (BTYD). */
static const double BGNBD[4] = {0.243, 4.414, 0.793, 2.426};
static const double MBGNBD[4] = {0.525, 6.183, 0.891, 1.614};
static const double PNBD[4] = {0.5533971, 10.5801985, 0.6060625, 11.6562237};

/*
 * Monte Carlo of P(alive at T + tau | x, t_x, T) from the model's story
 * alone, without the posterior algebra under test: draw the rates from the
 * PRIOR, weight each draw by the likelihood of the history jointly with the
 * state at T (alive, or dead after the last purchase), then run the alive
 * ones forward through (T, T + tau] and count who is still alive. kind 1
 * BG/NBD, 2 MBG/NBD (may also die right after the first purchase), 3
 * Pareto/NBD. The weights (FHL 2005 eq. 3; Schmittlein et al. 1987):
 *   BG/NBD  alive lambda^x e^(-lambda T) (1-p)^x,
 *           dead  lambda^x e^(-lambda t_x) p (1-p)^(x-1)   (x > 0);
 *   MBG/NBD alive lambda^x e^(-lambda T) (1-p)^(x+1),
 *           dead  lambda^x e^(-lambda t_x) p (1-p)^x;
 *   Pareto  alive lambda^x e^(-(lambda+mu) T),
 *           dead  lambda^x mu/(lambda+mu) (e^(-(lambda+mu) t_x)
 *                 - e^(-(lambda+mu) T))   (death in (t_x, T]).
 * Forward: BG families buy at Exp(lambda) gaps and die at each purchase
 * with probability p; the Pareto lifetime left is Exp(mu) (memoryless).
 * The estimate is a ratio sum(w_alive I) / sum(w_alive + w_dead); its
 * standard error the ratio estimator's, sqrt(sum (y - R w)^2) / sum w.
 */
static double mc_alive_later(gsl_rng *rng, int kind, const double *p, double x,
                             double tx, double T, double tau, int draws,
                             double *se) {
  double *y = malloc((size_t)draws * sizeof *y);
  double *w = malloc((size_t)draws * sizeof *w);
  assert_non_null(y);
  assert_non_null(w);
  double sy = 0, sw = 0;
  for (int d = 0; d < draws; d++) {
    double lam = gsl_ran_gamma(rng, p[0], 1 / p[1]), wa, wd, alive_later;
    double lx = x > 0 ? pow(lam, x) : 1;
    if (kind == 3) {
      double mu = gsl_ran_gamma(rng, p[2], 1 / p[3]), k = lam + mu;
      wa = lx * exp(-k * T);
      wd = lx * mu / k * (exp(-k * tx) - exp(-k * T));
      alive_later = gsl_ran_exponential(rng, 1 / mu) > tau;
    } else {
      double q = gsl_ran_beta(rng, p[2], p[3]), e = kind == 2 ? 1 : 0;
      wa = lx * exp(-lam * T) * pow(1 - q, x + e);
      wd = x + e > 0 ? lx * exp(-lam * tx) * q * pow(1 - q, x + e - 1) : 0;
      alive_later = 1;
      for (double now = gsl_ran_exponential(rng, 1 / lam); now <= tau;
           now += gsl_ran_exponential(rng, 1 / lam))
        if (gsl_rng_uniform(rng) < q) {
          alive_later = 0;
          break;
        }
    }
    y[d] = wa * alive_later;
    w[d] = wa + wd;
    sy += y[d];
    sw += w[d];
  }
  double R = sy / sw, v = 0;
  for (int d = 0; d < draws; d++)
    v += (y[d] - R * w[d]) * (y[d] - R * w[d]);
  *se = sqrt(v) / sw;
  free(y);
  free(w);
  return R;
}

static void p_alive_later_monte_carlo(void **state) {
  (void)state;
  const char *fams[] = {"bgnbd", "mbgnbd", "pnbd"};
  const double *ps[] = {BGNBD, MBGNBD, PNBD};
  /* CDNOW-like customers (weeks): one purchase day, a few repeats recently,
   * many repeats long ago. */
  const double cx[] = {0, 2, 6}, ctx[] = {0, 30.4, 12}, cT[] = {38, 38.5, 36};
  const double taus[] = {4, 26};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 20261123);
  for (int f = 0; f < 3; f++) {
    clv_model *m = NULL;
    assert_int_equal(clv_model_new(fams[f], ps[f], CLV_UNIT_WEEK, &m), CLV_OK);
    for (int i = 0; i < 3; i++) {
      clv_summary *one = clv_test_one(CLV_UNIT_WEEK, cx[i], ctx[i], cT[i]);
      double pa0, pa, prev = 2;
      assert_int_equal(clv_p_alive(m, one, &pa0), CLV_OK);
      assert_int_equal(clv__p_alive_at(m, one, 0, &pa), CLV_OK);
      assert_true(pa == pa0); /* tau = 0 is the as-of day's */
      for (int k = 0; k < 2; k++) {
        double se;
        assert_int_equal(clv__p_alive_at(m, one, taus[k], &pa), CLV_OK);
        double mc = mc_alive_later(rng, f + 1, ps[f], cx[i], ctx[i], cT[i],
                                   taus[k], 300000, &se);
        print_message("%s x=%g t_x=%g T=%g tau=%g: P(alive) now %.5f, later "
                      "%.5f, MC %.5f (se %.5f)\n",
                      fams[f], cx[i], ctx[i], cT[i], taus[k], pa0, pa, mc, se);
        assert_true(fabs(pa - mc) < 4 * se);
        assert_true(pa < pa0 && pa < prev); /* survival only falls */
        prev = pa;
      }
      clv_summary_free(one);
    }
    clv_model_free(m);
  }
  /* BG/BB has no derivation here: a later day is refused, never faked. */
  const double bgbb[4] = {1.2, 0.75, 0.66, 2.78};
  clv_model *m = NULL;
  assert_int_equal(clv_model_new("bgbb", bgbb, CLV_UNIT_WEEK, &m), CLV_OK);
  clv_summary *one = clv_test_one(CLV_UNIT_WEEK, 2, 4, 6);
  double pa;
  assert_int_equal(clv__p_alive_at(m, one, 3, &pa), CLV_EUNSUPPORTED);
  clv_summary_free(one);
  clv_model_free(m);
  gsl_rng_free(rng);
}

/*
 * The reminders with --on after the as-of day: P(alive) is the one at the
 * on day, below the as-of day's for every customer (even the one-purchase
 * H customers, whose BG/NBD P(alive) is 1 at the as-of day, may buy and
 * drop out in between); the value at stake scales with it, and the overdue
 * customers' contact floor uses it. As of D0 + 70, on D0 + 100 (30 days =
 * 30/7 weeks later, the summary's unit).
 */
static void p_alive_on_later_day(void **state) {
  (void)state;
  clv_orders *o = hand_log();
  clv_base *b = score(o, D0 + 70);
  clv_remind_opts ro;
  clv_remind *r = NULL, *r0 = NULL;
  clv_remind_opts_init(&ro);
  ro.min_p_alive = 0.3;
  assert_int_equal(clv_remind_compute(b, &ro, &r0), CLV_OK);
  assert_int_equal(r0->p_alive_on, 0); /* on = as-of */
  ro.on_day = D0 + 100;
  assert_int_equal(clv_remind_compute(b, &ro, &r), CLV_OK);
  assert_int_equal(r->p_alive_on, 1);
  double *want = malloc(r->n * sizeof *want);
  assert_non_null(want);
  assert_int_equal(clv__p_alive_at(b->run->tx, b->run->summary, 30.0 / 7, want),
                   CLV_OK);
  size_t contacts = 0;
  for (size_t i = 0; i < r->n; i++) {
    const clv_remind_customer *c = &r->cust[i], *c0 = &r0->cust[i];
    assert_close(c->p_alive, want[i], 0, 1e-15);
    assert_close(c->p_alive_as_of, b->run->pred->p_alive[i], 0, 0);
    assert_close(c0->p_alive, c->p_alive_as_of, 0, 0);
    assert_true(c->p_alive < c->p_alive_as_of);
    /* Stake = P(alive) x margin x spend: it scales with P(alive). */
    assert_close(c->value_at_stake,
                 c0->value_at_stake * c->p_alive / c0->p_alive, 1e-12, 1e-9);
    int due_before = c->due_day < r->week_of;
    int in_week = c->due_day >= r->week_of && c->due_day <= r->week_of + 6;
    contacts += in_week || (due_before && c->p_alive >= 0.3);
  }
  assert_int_equal(r->n_contact, contacts);
  FILE *f = fopen(clv_test_tmp("remind_later.json"), "w+");
  assert_non_null(f);
  assert_int_equal(clv_remind_write_json(r, b, 3, f), CLV_OK);
  assert_int_equal(clv_remind_write_customers_csv(r, b, f, 0), CLV_OK);
  rewind(f);
  static char buf[1 << 16];
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  buf[len] = 0;
  fclose(f);
  assert_non_null(strstr(buf, "\"p_alive_day\":\"2024-04-10\""));
  assert_non_null(strstr(buf, ",contact,p_alive_as_of\n"));
  free(want);
  clv_remind_free(r);
  clv_remind_free(r0);
  clv_base_free(b);
  clv_orders_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hand_checked),
      cmocka_unit_test(hand_writers),
      cmocka_unit_test(p_alive_later_monte_carlo),
      cmocka_unit_test(p_alive_on_later_day),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
