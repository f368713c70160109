/*
 * test_sbg.c - the shifted-beta-geometric retention model (Fader & Hardie
 * 2007, "How to project customer retention"; Fader & Hardie 2010, DERL)
 * against published.md section 6, and its consistency: the recursions
 * against the closed forms, the gradient against finite differences, DERL
 * against its defining sum, tenure input against cohort input, and recovery
 * of known parameters from simulated cohorts.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/sbg.h"

/* FH07 Table 1 (from Berry & Linoff 2004), published.md section 6: the
 * survivors of two cohorts of 1000 at the end of years 0..12. */
static const double regular[13] = {1000, 631, 468, 382, 326, 289, 262,
                                   241,  223, 207, 194, 183, 173};
static const double highend[13] = {1000, 869, 743, 653, 593, 551, 517,
                                   491,  468, 445, 427, 409, 394};

/* Data of one cohort's first n + 1 counts (years 0..n). */
static clv_retention_data *cohort_data(const double *sv, size_t n) {
  clv_retention_data *d = NULL;
  assert_int_equal(clv_retention_data_new(&d), CLV_OK);
  assert_int_equal(clv_retention_data_add_cohort(d, sv, n + 1, NULL), CLV_OK);
  return d;
}

static clv_sbg *fit(const clv_retention_data *d) {
  clv_sbg *m = NULL;
  clv_error err;
  int rc = clv_sbg_fit(d, NULL, &m, &err);
  if (rc) {
    char buf[1024];
    fail_msg("fit: %s", clv_error_format(&err, buf, sizeof buf));
  }
  return m;
}

/* published.md section 6: Regular, fitted on years 1-7: alpha 0.704, beta
 * 1.182 ([R] pymc-marketing tests, a reading summary of the paper; [V]
 * 0.7041, 1.1820, LL -1680.27). */
static void test_published_regular(void **state) {
  (void)state;
  clv_retention_data *d = cohort_data(regular, 7);
  clv_sbg *m = fit(d);
  assert_close(clv_sbg_alpha(m), 0.704, 0.0005, 0);
  assert_close(clv_sbg_beta(m), 1.182, 0.0005, 0);
  assert_close(clv_sbg_loglik(m), -1680.27, 0.01, 0);
  assert_true(clv_sbg_converged(m));
  assert_close(clv_sbg_customers(m), 1000, 0, 0);
  assert_true(clv_sbg_se_alpha(m) > 0 && clv_sbg_se_beta(m) > 0);
  clv_sbg_free(m);
  clv_retention_data_free(d);
}

/* High End: alpha 0.668 (FH07 appendix B; the body's 0.688 is a misprint),
 * beta 3.806, LL -1611.16 ([V]); LL at the paper's spreadsheet starts
 * (1, 1) = -2115.5 and (0.01, 0.01) = -2741.7 ([R] reading summary, [V]). */
static void test_published_highend(void **state) {
  (void)state;
  clv_retention_data *d = cohort_data(highend, 7);
  clv_sbg *m = fit(d), *at = NULL;
  double ll;
  assert_close(clv_sbg_alpha(m), 0.668, 0.0005, 0);
  assert_close(clv_sbg_beta(m), 3.806, 0.0005, 0);
  assert_close(clv_sbg_loglik(m), -1611.16, 0.01, 0);
  assert_int_equal(clv_sbg_new(1, 1, &at), CLV_OK);
  assert_int_equal(clv_sbg_data_loglik(at, d, &ll, NULL), CLV_OK);
  assert_close(ll, -2115.5, 0.05, 0);
  clv_sbg_free(at);
  assert_int_equal(clv_sbg_new(0.01, 0.01, &at), CLV_OK);
  assert_int_equal(clv_sbg_data_loglik(at, d, &ll, NULL), CLV_OK);
  assert_close(ll, -2741.7, 0.05, 0);
  clv_sbg_free(at);
  /* DERL of the survivors after 7 renewals at d = 0.10: 7.530 periods in
   * the README of jdmaturen/shifted_beta_geometric_py (same data, its own
   * fit and scipy's hyp2f1), an independent implementation. */
  double derl;
  assert_int_equal(clv_sbg_derl(m, 0.1, 7, &derl), CLV_OK);
  assert_close(derl, 7.530, 0.0005, 0);
  clv_sbg_free(m);
  clv_retention_data_free(d);
}

/* The year-12 projection from the 7-year fits: High End S(12) 0.378 vs
 * actual 0.394, Regular 0.170 vs 0.173 (published.md section 6 [V]; the
 * paper's errors of about 4 % and 2 %). */
static void test_projection_year12(void **state) {
  (void)state;
  const double *cohorts[2] = {highend, regular};
  const double want[2] = {0.378, 0.170}, pct[2] = {4, 2};
  for (int k = 0; k < 2; k++) {
    clv_retention_data *d = cohort_data(cohorts[k], 7);
    clv_sbg *m = fit(d);
    double s[13];
    assert_int_equal(clv_sbg_survival(m, 12, s), CLV_OK);
    assert_close(s[0], 1, 0, 0);
    assert_close(s[12], want[k], 0.0005, 0);
    double err =
        100 * (s[12] - cohorts[k][12] / 1000) / (cohorts[k][12] / 1000);
    assert_close(fabs(err), pct[k], 0.5, 0);
    /* Inside the fit window the model tracks the data to a few percent. */
    for (int t = 1; t <= 7; t++)
      assert_close(s[t], cohorts[k][t] / 1000, 0, 0.06);
    clv_sbg_free(m);
    clv_retention_data_free(d);
  }
}

/* r_t = (beta + t - 1) / (alpha + beta + t - 1) equals S(t) / S(t - 1), the
 * recursions agree with the log-beta closed forms out to t = 5000, and the
 * pmf sums with the survivor to 1 (sum_{t<=n} P(T=t) + S(n) = 1). */
static void test_retention_rate_and_recursions(void **state) {
  (void)state;
  static const double ps[][2] = {{0.704, 1.182}, {0.668, 3.806}, {3.8, 15.2},
                                 {0.067, 0.267}, {250, 40},      {1e-3, 2e3}};
  enum { TMAX = 5000 };
  double *s = malloc((TMAX + 1) * sizeof *s);
  for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
    double a = ps[k][0], b = ps[k][1], cum = 0;
    clv_sbg *m = NULL;
    assert_int_equal(clv_sbg_new(a, b, &m), CLV_OK);
    assert_int_equal(clv_sbg_survival(m, TMAX, s), CLV_OK);
    for (long t = 1; t <= TMAX; t++) {
      double r, p;
      assert_int_equal(clv_sbg_retention_rate(m, t, &r), CLV_OK);
      if (s[t - 1] > 1e-300 && s[t] > 1e-300)
        assert_close(r, s[t] / s[t - 1], 0, 1e-12);
      /* Below DBL_MIN exp() leaves the normal range and its digits. */
      if (s[t] > 1e-300)
        assert_close(log(s[t]), clv__sbg_log_surv(a, b, (double)t), 1e-10,
                     1e-10);
      assert_int_equal(clv_sbg_churn_pmf(m, t, &p), CLV_OK);
      cum += p;
      if (t <= 50)
        assert_close(cum + s[t], 1, 1e-12, 0);
    }
    clv_sbg_free(m);
  }
  free(s);
}

/* The recursive log-likelihood and its gradient against the closed forms
 * (log-beta and digamma) and against central finite differences. */
static void test_gradient(void **state) {
  (void)state;
  double churn[14] = {0}, alive[14] = {0};
  for (int t = 1; t <= 12; t++)
    churn[t] = highend[t - 1] - highend[t];
  alive[12] = highend[12];
  alive[5] = 17; /* a second censoring point, as tenure data have */
  churn[13] = 3;
  static const double ps[][2] = {
      {0.668, 3.806}, {1, 1}, {0.05, 0.02}, {12, 3}, {0.3, 40}};
  for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
    double a = ps[k][0], b = ps[k][1], ll, g[2], direct = 0, dg[2] = {0, 0};
    assert_int_equal(clv__sbg_loglik(a, b, churn, alive, 13, &ll, g), CLV_OK);
    for (int t = 0; t <= 13; t++) {
      double gt[2];
      if (t >= 1 && churn[t] > 0) {
        direct += churn[t] * clv__sbg_log_pmf_grad(a, b, t, gt);
        dg[0] += churn[t] * gt[0];
        dg[1] += churn[t] * gt[1];
      }
      if (alive[t] > 0) {
        direct += alive[t] * clv__sbg_log_surv_grad(a, b, t, gt);
        dg[0] += alive[t] * gt[0];
        dg[1] += alive[t] * gt[1];
      }
    }
    assert_close(ll, direct, 0, 1e-12);
    assert_close(g[0], dg[0], 1e-7, 1e-8);
    assert_close(g[1], dg[1], 1e-7, 1e-8);
    for (int i = 0; i < 2; i++) {
      double h = 1e-6 * ps[k][i], p[2] = {a, b}, lp, lm;
      p[i] += h;
      assert_int_equal(clv__sbg_loglik(p[0], p[1], churn, alive, 13, &lp, NULL),
                       CLV_OK);
      p[i] -= 2 * h;
      assert_int_equal(clv__sbg_loglik(p[0], p[1], churn, alive, 13, &lm, NULL),
                       CLV_OK);
      assert_close(g[i], (lp - lm) / (2 * h), 1e-4, 1e-6);
    }
  }
  assert_int_equal(clv__sbg_loglik(0, 1, churn, alive, 13, &churn[0], NULL),
                   CLV_EDOMAIN);
}

/* DERL(d | alpha, beta, n) (FH10 eq. 6) against its defining sum
 * sum_{k>=1} S(n+k)/S(n) / (1+d)^(k-1), summed term by term with the
 * survivor recursion until the terms vanish, and DEL against
 * sum_{t>=0} S(t) / (1+d)^t; 1e-9 relative. */
static void test_derl_bruteforce(void **state) {
  (void)state;
  static const double cases[][4] = {
      /* alpha, beta, n, d */
      {0.704, 1.182, 0, 0.1},   {0.704, 1.182, 7, 0.1},
      {0.668, 3.806, 7, 0.1},   {3.8, 15.2, 0, 0.1},
      {0.067, 0.267, 4, 0.1},   {0.668, 3.806, 12, 0.01},
      {2.5, 0.7, 30, 0.25},     {0.668, 3.806, 500, 0.1},
      {0.704, 1.182, 0, 0.001}, /* monthly periods, ~1.2 % a year */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    double a = cases[k][0], b = cases[k][1], n = cases[k][2], d = cases[k][3];
    double z = 1 / (1 + d), ratio = 1, disc = 1, sum = 0, got;
    /* S(n+k)/S(n) = prod_{j=1..k} r_{n+j}. */
    for (long j = 1; j < 200000; j++) {
      ratio *= (b + n + j - 1) / (a + b + n + j - 1);
      sum += ratio * disc;
      disc *= z;
      if (ratio * disc < 1e-18 * sum)
        break;
    }
    assert_int_equal(clv__sbg_derl(a, b, d, n, &got), CLV_OK);
    assert_close(got, sum, 0, 1e-9);
    if (n == 0) {
      double del, s = 1, t_sum = 1, dz = 1;
      for (long t = 1; t < 200000; t++) {
        s *= (b + t - 1) / (a + b + t - 1);
        dz *= z;
        t_sum += s * dz;
        if (s * dz < 1e-18 * t_sum)
          break;
      }
      assert_int_equal(clv__sbg_del(a, b, d, &del), CLV_OK);
      assert_close(del, t_sum, 0, 1e-9);
    }
  }
  /* d = 0: E[(1 - theta) / theta] under Beta(alpha, beta + n) =
   * (beta + n) / (alpha - 1) when alpha > 1 (3.2 / 1.5 here), the limit of
   * small discount rates; infinite (EDOMAIN) when alpha <= 1. */
  double v, v0;
  assert_int_equal(clv__sbg_derl(2.5, 1.2, 0, 2, &v0), CLV_OK);
  assert_close(v0, 3.2 / 1.5, 0, 1e-15);
  assert_int_equal(clv__sbg_derl(2.5, 1.2, 1e-5, 2, &v), CLV_OK);
  assert_close(v, v0, 0, 1e-3);
  assert_int_equal(clv__sbg_derl(0.7, 1.2, 0, 2, &v), CLV_EDOMAIN);
  assert_int_equal(clv__sbg_derl(0.7, 1.2, -0.1, 2, &v), CLV_EDOMAIN);
}

/* Subscriber values are margin x value x DEL / DERL. */
static void test_subscriber_value(void **state) {
  (void)state;
  clv_sbg *m = NULL;
  clv_sbg_value_opts o;
  double del, derl, v;
  clv_sbg_value_opts_init(&o);
  assert_close(o.discount_rate, 0.1, 0, 0);
  o.value = 100;
  o.margin = 0.3;
  assert_int_equal(clv_sbg_new(0.668, 3.806, &m), CLV_OK);
  assert_int_equal(clv_sbg_del(m, 0.1, &del), CLV_OK);
  assert_int_equal(clv_sbg_derl(m, 0.1, 7, &derl), CLV_OK);
  assert_int_equal(clv_sbg_new_subscriber_value(m, &o, &v), CLV_OK);
  assert_close(v, 30 * del, 0, 1e-15);
  assert_int_equal(clv_sbg_subscriber_value(m, &o, 7, &v), CLV_OK);
  assert_close(v, 30 * derl, 0, 1e-15);
  /* A survivor of 7 renewals is worth more than a new customer: the
   * sorting effect FH10 warn about (DERL(7) > DERL(0)). */
  assert_int_equal(clv_sbg_derl(m, 0.1, 0, &v), CLV_OK);
  assert_true(derl > v);
  assert_int_equal(clv_sbg_derl(m, 0.1, -1, &v), CLV_EINVAL);
  clv_sbg_free(m);
}

/* The Regular cohort expanded into 1000 per-customer rows (id, renewals,
 * churned) and read back as a tenure file gives the same sufficient
 * statistics, so the same fit, as the cohort counts. */
static void test_tenure_equals_cohort(void **state) {
  (void)state;
  size_t cap = 64 * 1000 + 64, len = 0;
  char *text = malloc(cap);
  long id = 0;
  len +=
      (size_t)snprintf(text + len, cap - len, "customer_id,renewals,churned\n");
  for (int t = 1; t <= 7; t++)
    for (int i = 0; i < (int)(regular[t - 1] - regular[t]); i++)
      len +=
          (size_t)snprintf(text + len, cap - len, "c%ld,%d,1\n", ++id, t - 1);
  for (int i = 0; i < (int)regular[7]; i++)
    len += (size_t)snprintf(text + len, cap - len, "c%ld,7,0\n", ++id);
  assert_int_equal(id, 1000);
  const char *path = clv_test_write("tenure_regular.csv", text);
  free(text);
  clv_retention_data *td = NULL, *cd = cohort_data(regular, 7);
  clv_error err;
  assert_int_equal(clv_retention_read_tenure(path, NULL, NULL, &td, &err),
                   CLV_OK);
  assert_close(clv_retention_data_customers(td), 1000, 0, 0);
  assert_int_equal(clv_retention_data_periods(td), 7);
  clv_sbg *mt = fit(td), *mc = fit(cd);
  assert_close(clv_sbg_alpha(mt), clv_sbg_alpha(mc), 0, 1e-12);
  assert_close(clv_sbg_beta(mt), clv_sbg_beta(mc), 0, 1e-12);
  assert_close(clv_sbg_loglik(mt), clv_sbg_loglik(mc), 0, 1e-12);
  assert_close(clv_sbg_alpha(mt), 0.704, 0.0005, 0);
  clv_sbg_free(mt);
  clv_sbg_free(mc);
  clv_retention_data_free(td);
  clv_retention_data_free(cd);
}

/* Simulate-then-fit: theta ~ Beta(alpha, beta) per customer, a geometric
 * lifetime T given theta, observed for 10 periods; 3 seeds x 5000
 * customers; the estimates land within 3 standard errors. */
static void test_simulate_recover(void **state) {
  (void)state;
  static const double truth[][2] = {
      {0.704, 1.182}, {0.668, 3.806}, {3.8, 15.2}};
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  for (int seed = 1; seed <= 3; seed++) {
    double a = truth[seed - 1][0], b = truth[seed - 1][1];
    clv_retention_data *d = NULL;
    gsl_rng_set(r, (unsigned long)(seed * 7919));
    assert_int_equal(clv_retention_data_new(&d), CLV_OK);
    for (int i = 0; i < 5000; i++) {
      double theta = gsl_ran_beta(r, a, b);
      unsigned T = theta > 0 ? gsl_ran_geometric(r, theta) : 0;
      int churned = T >= 1 && T <= 10;
      assert_int_equal(clv_retention_data_add_customer(
                           d, churned ? (long)T - 1 : 10, churned, 1),
                       CLV_OK);
    }
    clv_sbg *m = fit(d);
    assert_true(clv_sbg_se_alpha(m) > 0 && clv_sbg_se_beta(m) > 0);
    assert_close(clv_sbg_alpha(m), a, 3 * clv_sbg_se_alpha(m), 0);
    assert_close(clv_sbg_beta(m), b, 3 * clv_sbg_se_beta(m), 0);
    clv_sbg_free(m);
    clv_retention_data_free(d);
  }
  gsl_rng_free(r);
}

/* Several cohorts fitted jointly: one (alpha, beta) whose log-likelihood
 * is the sum of the cohorts' and cannot beat the separate fits. */
static void test_joint_fit(void **state) {
  (void)state;
  clv_retention_data *d = cohort_data(regular, 7), *r = cohort_data(regular, 7),
                     *h = cohort_data(highend, 7);
  assert_int_equal(clv_retention_data_add_cohort(d, highend, 8, NULL), CLV_OK);
  clv_sbg *mj = fit(d), *mr = fit(r), *mh = fit(h), *at = NULL;
  double lr, lh;
  assert_int_equal(clv_sbg_new(clv_sbg_alpha(mj), clv_sbg_beta(mj), &at),
                   CLV_OK);
  assert_int_equal(clv_sbg_data_loglik(at, r, &lr, NULL), CLV_OK);
  assert_int_equal(clv_sbg_data_loglik(at, h, &lh, NULL), CLV_OK);
  assert_close(clv_sbg_loglik(mj), lr + lh, 1e-9, 0);
  assert_true(clv_sbg_loglik(mj) < clv_sbg_loglik(mr) + clv_sbg_loglik(mh));
  assert_close(clv_sbg_customers(mj), 2000, 0, 0);
  clv_sbg_free(at);
  clv_sbg_free(mj);
  clv_sbg_free(mr);
  clv_sbg_free(mh);
  clv_retention_data_free(d);
  clv_retention_data_free(r);
  clv_retention_data_free(h);
}

/* Data that do not identify the model, and bad cohorts. */
static void test_bad_data(void **state) {
  (void)state;
  static const double nobody_leaves[4] = {100, 100, 100, 100};
  static const double up[3] = {100, 50, 60};
  static const double neg[3] = {100, 50, -1};
  clv_retention_data *d = NULL;
  clv_sbg *m = NULL;
  clv_error err;
  assert_int_equal(clv_retention_data_new(&d), CLV_OK);
  assert_int_equal(clv_sbg_fit(d, NULL, &m, &err), CLV_EEMPTY);
  assert_int_equal(clv_retention_data_add_cohort(d, up, 3, &err), CLV_EDOMAIN);
  assert_non_null(strstr(err.message, "cannot increase"));
  assert_int_equal(clv_retention_data_add_cohort(d, neg, 3, &err), CLV_EDOMAIN);
  assert_int_equal(clv_retention_data_add_cohort(d, up, 1, &err), CLV_EDOMAIN);
  assert_int_equal(clv_retention_data_add_customer(d, -1, 1, 1), CLV_EDOMAIN);
  assert_int_equal(clv_retention_data_add_cohort(d, nobody_leaves, 4, &err),
                   CLV_OK);
  assert_int_equal(clv_sbg_fit(d, NULL, &m, &err), CLV_ENOCONV);
  assert_null(m);
  assert_non_null(strstr(err.message, "do not identify"));
  clv_retention_data_free(d);
  assert_int_equal(clv_sbg_new(0, 1, &m), CLV_EDOMAIN);
  assert_int_equal(clv_sbg_new(1, NAN, &m), CLV_EDOMAIN);
  clv_retention_data_free(NULL);
  clv_sbg_free(NULL);
  clv_survivors_free(NULL);
}

/* Reading survivor tables: the shared file, column choice, and the
 * file:line:column of each kind of bad cell. */
static void test_read_survivors(void **state) {
  (void)state;
  clv_survivors *s = NULL;
  clv_error err;
  const char *names[] = {"highend_alive"};
  const char *p = clv_test_write("sv.csv", "year,a,b\n0,10,100\n1,8,90\n"
                                           "2,,80\n3,,70\n");
  assert_int_equal(clv_survivors_read_csv(p, NULL, 0, &s, &err), CLV_OK);
  assert_int_equal(clv_survivors_cohorts(s), 2);
  assert_string_equal(clv_survivors_name(s, 0), "a");
  assert_int_equal(clv_survivors_length(s, 0), 2); /* a younger cohort */
  assert_int_equal(clv_survivors_length(s, 1), 4);
  assert_close(clv_survivors_counts(s, 1)[3], 70, 0, 0);
  clv_survivors_free(s);
  static const struct {
    const char *text, *what;
    long line, column;
    int rc;
  } bad[] = {
      {"year,a\n0,100\n1,90\n2,95\n", "cannot increase", 4, 3, CLV_EPARSE},
      {"year,a\n0,100\n1,-5\n", ">= 0", 3, 3, CLV_EPARSE},
      {"year,a\n0,100\n1,abc\n", "expected a survivor count", 3, 3, CLV_EPARSE},
      {"year,a\n0,100\n1,\n2,50\n", "expected an empty cell", 4, 3, CLV_EPARSE},
      {"year,a\n0,0\n1,0\n", "> 0", 2, 3, CLV_EPARSE},
      {"year,a\n0,100\n", "at least one later period", 0, 0, CLV_EEMPTY},
      {"year,b\n0,100\n1,90\n", "expected a cohort column \"highend_alive\"", 1,
       1, CLV_ENOCOLUMN},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    const char *bp = clv_test_write("bad.csv", bad[k].text);
    int rc = clv_survivors_read_csv(bp, k == 6 ? names : NULL, k == 6 ? 1 : 0,
                                    &s, &err);
    assert_int_equal(rc, bad[k].rc);
    assert_null(s);
    assert_non_null(strstr(err.message, bad[k].what));
    assert_int_equal(err.line, bad[k].line);
    assert_int_equal(err.column, bad[k].column);
    assert_non_null(strstr(err.file, "bad.csv"));
  }
  const char *tp = clv_test_write("bad_tenure.csv", "id,renewals,churned\n"
                                                    "a,3,1\nb,2,maybe\n");
  clv_retention_data *d = NULL;
  assert_int_equal(clv_retention_read_tenure(tp, NULL, NULL, &d, &err),
                   CLV_EPARSE);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 5); /* "b,2,maybe": the flag starts at 5 */
  tp = clv_test_write("bad_tenure.csv", "id,renewals,churned\na,2.5,1\n");
  assert_int_equal(clv_retention_read_tenure(tp, NULL, NULL, &d, &err),
                   CLV_EPARSE);
  assert_int_equal(err.column, 3);
  tp = clv_test_write("bad_tenure.csv", "id,tenure,churned\na,2,1\n");
  assert_int_equal(clv_retention_read_tenure(tp, NULL, NULL, &d, &err),
                   CLV_ENOCOLUMN);
  assert_null(d);
}

static void test_read_shared(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "sbg_fader_hardie_2007/survivors.csv");
  clv_survivors *s = NULL;
  clv_error err;
  assert_int_equal(clv_survivors_read_csv(path, NULL, 0, &s, &err), CLV_OK);
  assert_int_equal(clv_survivors_cohorts(s), 2);
  assert_string_equal(clv_survivors_name(s, 0), "regular_alive");
  assert_string_equal(clv_survivors_name(s, 1), "highend_alive");
  for (int k = 0; k < 2; k++) {
    assert_int_equal(clv_survivors_length(s, (size_t)k), 13);
    for (int t = 0; t < 13; t++)
      assert_close(clv_survivors_counts(s, (size_t)k)[t],
                   (k ? highend : regular)[t], 0, 0);
  }
  clv_survivors_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_published_regular),
      cmocka_unit_test(test_published_highend),
      cmocka_unit_test(test_projection_year12),
      cmocka_unit_test(test_retention_rate_and_recursions),
      cmocka_unit_test(test_gradient),
      cmocka_unit_test(test_derl_bruteforce),
      cmocka_unit_test(test_subscriber_value),
      cmocka_unit_test(test_tenure_equals_cohort),
      cmocka_unit_test(test_simulate_recover),
      cmocka_unit_test(test_joint_fit),
      cmocka_unit_test(test_bad_data),
      cmocka_unit_test(test_read_survivors),
      cmocka_unit_test(test_read_shared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
