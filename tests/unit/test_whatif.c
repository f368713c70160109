/*
 * test_whatif.c - what-if scenarios (clv/whatif.h): a scenario without
 * changes reproduces the base predictions; the closed forms under changed
 * drop-out and purchase rates agree with a Monte Carlo simulation of the
 * future drawn from each family's posterior; order value and margin act
 * exactly linearly; the plain formulas on a hand-computed log; and the group
 * tables add up to the company totals (a small log and UCI Online Retail).
 */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv/whatif.h"

/* Published CDNOW parameters (shared/reference/published.md): BG/NBD
 * (FHL 2005), Pareto/NBD (BTYD), Gamma-Gamma (FHL 2005 JMR). The MBG/NBD
 * set is the BG/NBD's, which is a valid parameter set of that family. */
static const double BGNBD[4] = {0.243, 4.414, 0.793, 2.426};
static const double PNBD[4] = {0.5533971, 10.5801985, 0.6060625, 11.6562237};
static const double GG[3] = {6.25, 3.74, 15.44};

/* A few customers of CDNOW's kind, in weeks, with mean spends. */
#define NROWS 6
static const double X[NROWS] = {0, 1, 2, 5, 10, 3};
static const double TX[NROWS] = {0, 10, 30.4, 35, 38, 5};
static const double TT[NROWS] = {38, 39, 38.5, 36, 38.9, 39};
static const double MM[NROWS] = {0, 20, 35.5, 48, 12, 100};

static clv_summary *rows(void) {
  clv_summary *s = NULL;
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, NROWS, X, TX, TT, MM, NULL),
      CLV_OK);
  return s;
}

static clv_model *model(const char *fam, const double *p) {
  clv_model *m = NULL;
  assert_int_equal(clv_model_new(fam, p, CLV_UNIT_WEEK, &m), CLV_OK);
  return m;
}

/* Monthly discounting of 10 % a year over 52 weeks, margin 0.3. */
static clv_value_opts value_opts(void) {
  clv_value_opts vo;
  clv_value_opts_init(&vo);
  vo.horizon = 52;
  vo.margin = 0.3;
  vo.discount_period = 365.2425 / 12 / 7;
  vo.discount_rate = pow(1.10, 1.0 / 12) - 1;
  return vo;
}

/* No change: the base's expected purchases and values, to rounding. */
static void test_factor_one(void **state) {
  (void)state;
  const char *fams[] = {"bgnbd", "pnbd", "mbgnbd", "bgbb"};
  const double *ps[] = {BGNBD, PNBD, BGNBD, BGNBD};
  clv_summary *s = rows();
  clv_model *gg = model("gg", GG);
  clv_value_opts vo = value_opts();
  clv_whatif_scenario sc;
  clv_whatif_scenario_init(&sc);
  for (int f = 0; f < 4; f++) {
    clv_summary *use = s;
    if (strcmp(fams[f], "bgbb") == 0) {
      /* BG/BB needs whole opportunities: x <= n, t_x <= n. */
      double x[2] = {2, 0}, tx[2] = {4, 0}, n[2] = {6, 6}, m[2] = {10, 0};
      assert_int_equal(
          clv_summary_from_arrays(&use, CLV_UNIT_WEEK, 2, x, tx, n, m, NULL),
          CLV_OK);
    }
    size_t n = clv_summary_rows(use);
    clv_model *tx = model(fams[f], ps[f]);
    double want[NROWS], got[NROWS];
    assert_int_equal(clv_expected_purchases(tx, use, 26, want), CLV_OK);
    assert_int_equal(clv_whatif_expected(tx, use, 26, &sc, got), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(got[i], want[i], 0, 1e-13);
    clv_value_opts v = vo;
    if (strcmp(fams[f], "bgbb") == 0)
      v.horizon = 5, v.discount_period = 1;
    assert_int_equal(clv_customer_value(tx, gg, use, &v, want), CLV_OK);
    assert_int_equal(clv_whatif_values(tx, gg, use, &v, &sc, got), CLV_OK);
    for (size_t i = 0; i < n; i++)
      assert_close(got[i], want[i], 0, 1e-13);
    /* A rate change has no derivation for the BG/BB: refused, not faked. */
    if (strcmp(fams[f], "bgbb") == 0) {
      clv_whatif_scenario r = sc;
      r.retention = 0.1;
      assert_int_equal(clv_whatif_values(tx, gg, use, &v, &r, got),
                       CLV_EUNSUPPORTED);
      clv_summary_free(use);
    }
    clv_model_free(tx);
  }
  clv_model_free(gg);
  clv_summary_free(s);
}

/*
 * Monte Carlo of the future given alive at T: draw the customer's rates
 * from the family's posterior, scale them as the scenario says, simulate
 * purchases over (T, T + t] and average. kind 1: BG/NBD (p ~ Beta(a, b+x)),
 * 2: MBG/NBD (p ~ Beta(a, b+x+1): the drop-out chance at the first purchase
 * too), 3: Pareto/NBD.
 */
static double simulate_future(gsl_rng *rng, int kind, const double *p, double x,
                              double T, double t, double c, double g, int draws,
                              double *se) {
  double sum = 0, sum2 = 0;
  for (int d = 0; d < draws; d++) {
    double lam = gsl_ran_gamma(rng, p[0] + x, 1 / (p[1] + T)) * g, n = 0;
    if (kind == 3) {
      double mu = gsl_ran_gamma(rng, p[2], 1 / (p[3] + T)) * c;
      double life = gsl_ran_exponential(rng, 1 / mu);
      n = gsl_ran_poisson(rng, lam * (life < t ? life : t));
    } else {
      double q = gsl_ran_beta(rng, p[2], p[3] + x + (kind == 2)) * c;
      double now = 0;
      for (;;) {
        now += gsl_ran_exponential(rng, 1 / lam);
        if (now > t)
          break;
        n += 1;
        if (gsl_rng_uniform(rng) < q)
          break;
      }
    }
    sum += n;
    sum2 += n * n;
  }
  double mean = sum / draws;
  *se = sqrt((sum2 / draws - mean * mean) / draws);
  return mean;
}

static void test_monte_carlo(void **state) {
  (void)state;
  const char *fams[] = {"bgnbd", "mbgnbd", "pnbd"};
  const double *ps[] = {BGNBD, BGNBD, PNBD};
  /* Retention +30 % with frequency +25 %, and frequency -20 % alone. */
  const double ret[2] = {0.3, 0}, freq[2] = {0.25, -0.2};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 20261123);
  for (int f = 0; f < 3; f++) {
    clv_model *tx = model(fams[f], ps[f]);
    for (int k = 0; k < 2; k++) {
      for (int i = 2; i < 5; i++) {
        clv_summary *one = clv_test_one(CLV_UNIT_WEEK, X[i], TX[i], TT[i]);
        clv_whatif_scenario sc;
        clv_whatif_scenario_init(&sc);
        sc.retention = ret[k];
        sc.frequency = freq[k];
        double e, pa, se, t = 52;
        assert_int_equal(clv_whatif_expected(tx, one, t, &sc, &e), CLV_OK);
        assert_int_equal(clv_p_alive(tx, one, &pa), CLV_OK);
        double mc = simulate_future(rng, f + 1, ps[f], X[i], TT[i], t,
                                    1 - ret[k], 1 + freq[k], 200000, &se);
        print_message("%s ret %+g freq %+g x=%g: closed %.5f MC %.5f (se "
                      "%.5f)\n",
                      fams[f], ret[k], freq[k], X[i], e / pa, mc, se);
        assert_true(fabs(e / pa - mc) < 4 * se);
        clv_summary_free(one);
      }
    }
    clv_model_free(tx);
  }
  gsl_rng_free(rng);
}

/* Order value and margin scale the value exactly; a discount rate equal to
 * the base's changes nothing; higher retention raises every value. */
static void test_linear(void **state) {
  (void)state;
  clv_summary *s = rows();
  clv_model *gg = model("gg", GG), *tx = model("pnbd", PNBD);
  clv_value_opts vo = value_opts();
  double base[NROWS], got[NROWS];
  clv_whatif_scenario sc;
  assert_int_equal(clv_customer_value(tx, gg, s, &vo, base), CLV_OK);
  clv_whatif_scenario_init(&sc);
  sc.aov = 0.1;
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_OK);
  for (int i = 0; i < NROWS; i++)
    assert_close(got[i], 1.1 * base[i], 0, 1e-14);
  clv_whatif_scenario_init(&sc);
  sc.margin_points = 0.05; /* 30 % -> 35 % */
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_OK);
  for (int i = 0; i < NROWS; i++)
    assert_close(got[i], base[i] * 0.35 / 0.3, 0, 1e-14);
  clv_whatif_scenario_init(&sc);
  sc.margin = 0.5;
  sc.aov = -0.5;
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_OK);
  for (int i = 0; i < NROWS; i++)
    assert_close(got[i], base[i] * 0.5 / 0.3 * 0.5, 0, 1e-14);
  clv_whatif_scenario_init(&sc);
  sc.discount_rate = 0.10; /* the base's yearly rate */
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_OK);
  for (int i = 0; i < NROWS; i++)
    assert_close(got[i], base[i], 0, 1e-12);
  clv_whatif_scenario_init(&sc);
  sc.retention = 0.2;
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_OK);
  for (int i = 0; i < NROWS; i++)
    assert_true(got[i] > base[i]);
  /* Out of range: retention +100 % (no drop-out: no finite form here), a
   * BG/NBD drop-out probability scaled above 1, order value -100 %. */
  clv_whatif_scenario_init(&sc);
  sc.retention = 1;
  assert_int_equal(clv_whatif_values(tx, gg, s, &vo, &sc, got), CLV_EDOMAIN);
  clv_model *bg = model("bgnbd", BGNBD);
  sc.retention = -0.1;
  assert_int_equal(clv_whatif_values(bg, gg, s, &vo, &sc, got), CLV_EDOMAIN);
  clv_whatif_scenario_init(&sc);
  sc.aov = 0.1;
  assert_int_equal(clv_whatif_values(bg, NULL, s, &vo, &sc, got),
                   CLV_EUNSUPPORTED);
  clv_model_free(bg);
  clv_model_free(tx);
  clv_model_free(gg);
  clv_summary_free(s);
}

/* Adds a row to the order table: customer id (NULL: none), date, amount. */
static void add(clv_orders *o, const char *cust, int y, int m, int d,
                double amount) {
  clv_order_row r;
  clv_order_row_init(&r);
  r.customer = cust;
  r.customer_len = cust ? strlen(cust) : 0;
  r.day = clv_day_from_ymd(y, m, d);
  r.amount = amount;
  assert_int_equal(clv_orders_add(o, &r), CLV_OK);
}

/* Sums of the groups equal the total row. */
static void check_totals(const clv_whatif *w) {
  double c = 0, u = 0, h = 0, b = 0, v[64] = {0};
  for (size_t g = 0; g < w->ngroups; g++) {
    c += w->groups[g].customers;
    u += w->groups[g].unscored;
    h += w->groups[g].historic;
    b += w->groups[g].base;
    for (size_t k = 0; k < w->nscen; k++)
      v[k] += w->groups[g].value[k];
  }
  const clv_whatif_group *t = &w->groups[w->ngroups];
  assert_close(c, t->customers, 1e-9, 1e-12);
  assert_close(u, t->unscored, 1e-9, 1e-12);
  assert_close(h, t->historic, 1e-6, 1e-12);
  assert_close(b, t->base, 1e-6, 1e-12);
  assert_close(b, w->base_total, 1e-6, 1e-12);
  for (size_t k = 0; k < w->nscen; k++) {
    assert_close(v[k], t->value[k], 1e-6, 1e-12);
    assert_close(v[k], w->total[k], 1e-6, 1e-12);
  }
}

/*
 * A log built so that every plain figure can be worked by hand, observed
 * 2020-01-01 .. 2021-12-30 (730 days, so the yearly retention windows are
 * A = days 0..364 and B = days 365..729 of the log):
 *   10 x "a": 2020-01-01 100, 2021-01-10 100  (in A and B; months Jan 20,
 *             Jan 21)
 *   10 x "b": 2020-03-05 50                   (A only; Mar 20)
 *   10 x "c": 2020-06-15 50, 2020-07-15 50    (A only; Jun and Jul 20)
 *   10 x "d": 2021-12-30 200                  (B only; Dec 21, the last
 *             day, age 0)
 * and one row without a customer, 2021-05-01, 30.
 * Yearly retention r = 10 / 30 = 1/3, lifespan 1.5 years. Revenue 5500 in
 * 60 orders: AOV 91.67. Ages in days 729, 665, 563, 0, each plus the one
 * day of exposure: customer-years 10 (730 + 666 + 564 + 1) / 365.2425.
 * Active customer-months 60 with 5500 of revenue: 91.67 a month; months
 * with a next month (Dec 21 left out): 50 active, 10 of them (c: Jun ->
 * Jul) active the next month: monthly retention 0.2, lifespan 1.25 months.
 */
static void test_plain_formulas(void **state) {
  (void)state;
  clv_orders *o = NULL;
  char id[16];
  assert_int_equal(clv_orders_new(&o, 0, 0), CLV_OK);
  for (int i = 0; i < 10; i++) {
    snprintf(id, sizeof id, "a%d", i);
    add(o, id, 2020, 1, 1, 100);
    add(o, id, 2021, 1, 10, 100);
    snprintf(id, sizeof id, "b%d", i);
    add(o, id, 2020, 3, 5, 50);
    snprintf(id, sizeof id, "c%d", i);
    add(o, id, 2020, 6, 15, 50);
    add(o, id, 2020, 7, 15, 50);
    snprintf(id, sizeof id, "d%d", i);
    add(o, id, 2021, 12, 30, 200);
  }
  add(o, NULL, 2021, 5, 1, 30);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  bo.run.ingest.unit = CLV_UNIT_DAY;
  /* Four repeated patterns make a flat likelihood: a light penalty keeps
   * the fit well-posed (the plain formulas do not depend on it). */
  bo.run.fit.penalty = 0.1;
  clv_base *b = NULL;
  clv_error err;
  int rc = clv_base_build(o, &bo, &b, &err);
  if (rc)
    print_error("base: %s\n", err.message);
  assert_int_equal(rc, CLV_OK);
  clv_whatif_scenario sc[2];
  clv_whatif_scenario_init(&sc[0]);
  clv_whatif_scenario_init(&sc[1]);
  sc[1].frequency = 0.1;
  clv_whatif_opts wo;
  clv_whatif_opts_init(&wo);
  wo.scenarios = sc;
  wo.nscen = 2;
  clv_whatif *w = NULL;
  assert_int_equal(clv_whatif_compute(b, &wo, &w, &err), CLV_OK);
  const clv_whatif_group *t = &w->groups[w->ngroups];
  const clv_whatif_plain *p = &t->plain;
  double years = 10.0 * (730 + 666 + 564 + 1) / 365.2425;
  assert_close(t->customers, 40, 0, 1e-15);
  assert_close(t->historic, 5530, 1e-9, 0);
  assert_close(w->annual_discount_rate, 0.10, 1e-12, 0);
  assert_close(p->retention_year, 1.0 / 3, 1e-12, 0);
  /* An interior fit: no limit note. */
  assert_false(clv_model_at_limit(b->run->tx));
  assert_int_equal(w->no_dropout, 0);
  assert_string_equal(w->limit_note, "");
  assert_string_equal(clv_whatif_scenario_note(w, 1), "");
  assert_close(p->lifespan_years, 1.5, 1e-12, 0);
  assert_close(p->aov, 5500.0 / 60, 1e-9, 0);
  assert_close(p->orders_per_year, 60 / years, 0, 1e-12);
  assert_close(p->value_aov, 5500 / years * 1.5, 0, 1e-12);
  assert_close(p->value_retention, 5500 / years * (1.0 / 3) / (1.1 - 1.0 / 3),
               0, 1e-12);
  assert_close(p->monthly_value, 5500.0 / 60, 1e-9, 0);
  assert_close(p->retention_month, 0.2, 1e-12, 0);
  assert_close(p->lifespan_months, 1.25, 1e-12, 0);
  assert_close(p->value_monthly, 5500.0 / 60 * 1.25, 1e-9, 0);
  /* The factor-1 scenario is the base; the group table adds up. */
  assert_close(w->total[0], b->run->value_total, 1e-9, 1e-12);
  assert_close(w->change[0], 0, 1e-9, 0);
  assert_true(w->total[1] > w->total[0]);
  check_totals(w);
  /* The rows without a customer are their own group, with their money. */
  assert_close(w->groups[w->ngroups - 1].historic, 30, 1e-12, 0);
  FILE *f = fopen(clv_test_tmp("whatif.json"), "w");
  assert_non_null(f);
  assert_int_equal(clv_whatif_write_json(w, f), CLV_OK);
  assert_int_equal(clv_whatif_write_customers_csv(w, b, f), CLV_OK);
  fclose(f);
  clv_whatif_free(w);
  clv_base_free(b);
  clv_orders_free(o);
}

/* UCI Online Retail: refunds and rows without a customer id; the group
 * table's historic revenue is the log's net amount. */
static void test_online_retail(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "online_retail/online_retail.csv");
  clv_orders_opts oo;
  clv_orders_opts_init(&oo);
  oo.ingest.customer_col = "CustomerID";
  oo.ingest.date_col = "InvoiceDate";
  oo.ingest.quantity_col = "Quantity";
  oo.ingest.price_col = "UnitPrice";
  oo.ingest.skip_errors = 1;
  clv_orders *o = NULL;
  clv_orders_report rep;
  clv_error err;
  int rc = clv_orders_read(path, &oo, &o, &rep, &err);
  if (rc)
    print_error("read: %s\n", err.message);
  assert_int_equal(rc, CLV_OK);
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  clv_base *b = NULL;
  rc = clv_base_build(o, &bo, &b, &err);
  if (rc)
    print_error("base: %s\n", err.message);
  assert_int_equal(rc, CLV_OK);
  clv_whatif_scenario sc[3];
  for (int k = 0; k < 3; k++)
    clv_whatif_scenario_init(&sc[k]);
  sc[1].retention = 0.1;
  sc[2].aov = 0.05;
  clv_whatif_opts wo;
  clv_whatif_opts_init(&wo);
  wo.scenarios = sc;
  wo.nscen = 3;
  clv_whatif *w = NULL;
  assert_int_equal(clv_whatif_compute(b, &wo, &w, &err), CLV_OK);
  check_totals(w);
  assert_close(w->groups[w->ngroups].historic, rep.amount_total, 1e-3, 1e-9);
  assert_close(w->total[0], b->run->value_total, 1e-6, 1e-12);
  assert_close(w->total[2], 1.05 * w->total[0], 1e-6, 1e-12);
  /* A year of this shop shows almost no drop-out: the chosen model is a
   * limit fit (test_limit_fit.c), where retention +10 % is worth about 0
   * and the result says so; an interior fit gains from it. */
  assert_int_equal(w->no_dropout, clv_model_at_limit(b->run->tx));
  if (w->no_dropout) {
    assert_true(fabs(w->change_pct[1]) < 1e-4);
    assert_ptr_equal(clv_whatif_scenario_note(w, 1), w->limit_note);
  } else {
    assert_true(w->total[1] > w->total[0]);
  }
  print_message("online retail: base %.0f, retention +10%% %.0f (%+.2f%%)\n",
                w->base_total, w->total[1], w->change_pct[1]);
  clv_whatif_free(w);
  clv_base_free(b);
  clv_orders_free(o);
}

/*
 * A hand-made log without drop-out: 300 customers who each buy every 7 to
 * 45 days (+-2) from their first day (days 0..60 of 2023) to the end of the
 * year, when the log is scored. Nobody stops, so the BG/NBD likelihood has
 * its supremum at a -> 0 and the fit is a limit fit (model.c), the NBD:
 * E[Y(t) | lambda] = lambda t. Checked by hand from the formulas of
 * docs/whatif.md: retention scales p -> c p and the changed expectation is
 * E[Y(g c t)] / c = lambda g c t / c = g lambda t, so retention +10 % is
 * worth 0 (up to the held a of about 1e-7), frequency +10 % adds exactly
 * 10 % and order value +5 % 5 %. The result must say why retention is
 * worth 0, per retention scenario, in English and Chinese.
 */
static void test_limit_note(void **state) {
  (void)state;
  clv_orders *o = NULL;
  char id[16];
  static const int gaps[] = {7, 10, 14, 21, 30, 45};
  int32_t d0 = clv_day_from_ymd(2023, 1, 1);
  uint32_t seed = 3;
#define NEXT(n) (seed = seed * 1664525u + 1013904223u, (int)((seed >> 8) % (n)))
  assert_int_equal(clv_orders_new(&o, 0, 0), CLV_OK);
  for (int i = 0; i < 300; i++) {
    snprintf(id, sizeof id, "L%d", i);
    int gap = gaps[NEXT(6)];
    for (int d = NEXT(61); d <= 364; d += gap + NEXT(5) - 2) {
      clv_order_row r;
      clv_order_row_init(&r);
      r.customer = id;
      r.customer_len = strlen(id);
      r.day = d0 + d;
      r.amount = 20 + i % 7 * 5;
      assert_int_equal(clv_orders_add(o, &r), CLV_OK);
    }
  }
#undef NEXT
  clv_base_opts bo;
  clv_base_opts_init(&bo);
  bo.run.model = "bgnbd";
  clv_base *b = NULL;
  clv_error err;
  int rc = clv_base_build(o, &bo, &b, &err);
  if (rc)
    print_error("base: %s\n", err.message);
  assert_int_equal(rc, CLV_OK);
  assert_true(clv_model_at_limit(b->run->tx)); /* the premise */
  clv_whatif_scenario sc[4];
  for (int k = 0; k < 4; k++)
    clv_whatif_scenario_init(&sc[k]);
  sc[0].retention = 0.10;
  sc[1].frequency = 0.10;
  sc[2].aov = 0.05;
  sc[3].retention = 0.5;
  sc[3].frequency = 0.10;
  clv_whatif_opts wo;
  clv_whatif_opts_init(&wo);
  wo.scenarios = sc;
  wo.nscen = 4;
  for (int zh = 0; zh < 2; zh++) {
    clv_whatif *w = NULL;
    wo.zh = zh;
    assert_int_equal(clv_whatif_compute(b, &wo, &w, &err), CLV_OK);
    assert_true(w->base_total > 0);
    assert_close(w->total[0], w->base_total, 0, 1e-6);
    assert_close(w->total[1], 1.10 * w->base_total, 0, 1e-6);
    assert_close(w->total[2], 1.05 * w->base_total, 0, 1e-9);
    assert_close(w->total[3], 1.10 * w->base_total, 0, 1e-6);
    assert_int_equal(w->no_dropout, 1);
    assert_non_null(strstr(w->limit_note, zh ? "无流失" : "no-drop-out"));
    assert_non_null(strstr(w->limit_note, "--frequency"));
    assert_non_null(strstr(w->limit_note, "--aov"));
    assert_ptr_equal(clv_whatif_scenario_note(w, 0), w->limit_note);
    assert_string_equal(clv_whatif_scenario_note(w, 1), "");
    assert_string_equal(clv_whatif_scenario_note(w, 2), "");
    assert_ptr_equal(clv_whatif_scenario_note(w, 3), w->limit_note);
    FILE *f = fopen(clv_test_tmp("whatif_limit.txt"), "w+");
    assert_non_null(f);
    assert_int_equal(clv_whatif_write_csv(w, f), CLV_OK);
    assert_int_equal(clv_whatif_write_json(w, f), CLV_OK);
    rewind(f);
    static char buf[16384];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = 0;
    fclose(f);
    assert_non_null(strstr(buf, ",change_pct,note\n"));
    assert_non_null(strstr(buf, "\"no_dropout\":true"));
    /* The note is in the retention row of the CSV and the JSON. */
    const char *row = strstr(buf, "\nretention");
    assert_non_null(row);
    assert_non_null(strstr(row, w->limit_note));
    assert_non_null(strstr(buf, "\"note\":\"\""));
    clv_whatif_free(w);
  }
  clv_base_free(b);
  clv_orders_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_factor_one), cmocka_unit_test(test_monte_carlo),
      cmocka_unit_test(test_linear),     cmocka_unit_test(test_plain_formulas),
      cmocka_unit_test(test_limit_note), cmocka_unit_test(test_online_retail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
