/*
 * test_validate.c - calibration/holdout validation, model choice and cohort
 * tracking (src/validate.c, src/tracking.c) against the published CDNOW
 * holdout tables of Fader, Hardie & Lee (2005) and BTYD's vignette
 * (shared/reference/published.md sections 0, 1 and 2), hand-made choice
 * cases, and consistency checks (weights, per-row holdout lengths).
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BTYD's BG/NBD estimate on the CDNOW sample (published.md section 1). */
static const double BTYD_BG[4] = {0.2425982, 4.4136842, 0.7929899, 2.4261667};

/* Published bins x = 0..6, 7+ of the 39-week holdout (section 1). */
static const double BIN_N[8] = {1411, 439, 214, 100, 62, 38, 29, 64};
static const double BIN_ACTUAL[8] = {0.2367, 0.6970, 1.3925, 1.5600,
                                     2.5323, 2.9474, 3.8621, 6.3594};
static const double BIN_BGNBD[8] = {0.2250893, 0.5231364, 1.044126, 1.520256,
                                    2.163824,  2.653789,  3.503957, 6.157036};
static const double BIN_PNBD[8] = {0.138, 0.600, 1.196, 1.714,
                                   2.399, 2.907, 3.819, 6.403};

static clv_summary *read_weeks(const char *path) {
  return clv_test_read_summary(path, CLV_UNIT_WEEK);
}

static clv_validation *validate(const clv_summary *s, const char *const *fams,
                                double holdout) {
  clv_validate_opts o;
  clv_validation *v = NULL;
  clv_error err;
  clv_validate_opts_init(&o);
  o.families = fams;
  o.holdout_length = holdout;
  int rc = clv_validate(s, &o, &v, &err);
  if (rc) {
    char buf[1024];
    fail_msg("%s", clv_error_format(&err, buf, sizeof buf));
  }
  return v;
}

/*
 * BG/NBD on BTYD's full-precision CDNOW summary with x.star: bin sizes and
 * actual means are data (exact; the published means have 4 decimals). The
 * conditional expectations are the vignette's to 1e-4 absolute + 3e-5
 * relative: our MLE (0.2425945, 4.413602, 0.7929221, 2.425907) is the
 * independent [V] check and CLVTools' to 7 digits, but the vignette's table
 * comes from BTYD's estimate, whose b differs by 1.1e-4 relative; that moves
 * the 7+ bin by 1.5e-4 (6.157191 vs 6.157036). test_bgnbd.c reproduces the
 * 7 digits at BTYD's own parameters. The total 1653.4 is [V]. AIC/BIC by hand
 * from the published LL -9582.429: AIC = 2*4 + 2*9582.429 = 19172.858; BIC = 4
 * ln 2357
 * + 19164.858 = 4*7.765145 + 19164.858 = 19195.919.
 */
static void test_cdnow_bgnbd_holdout(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const char *const fams[] = {"bgnbd", NULL};
  clv_summary *s = read_weeks(path);
  clv_validation *v = validate(s, fams, 39);
  const clv_validation_model *r = &v->models[0];

  assert_int_equal(v->nmodels, 1);
  assert_int_equal(r->status, CLV_OK);
  assert_int_equal(v->nbins, 8);
  for (int b = 0; b < 8; b++) {
    assert_close(v->bin_customers[b], BIN_N[b], 0, 0);
    assert_close(v->bin_actual[b], BIN_ACTUAL[b], 5e-5, 0);
    assert_close(r->bin_predicted[b], BIN_BGNBD[b], 1e-4, 3e-5);
  }
  assert_close(v->total_actual, 1882, 0, 0);
  assert_close(v->customers, 2357, 0, 0);
  assert_close(v->repeat_buyers, 2357 - 1411, 0, 0);
  assert_close(r->total_predicted, 1653.4, 0.5, 0);
  assert_int_equal(r->nparams, 4);
  assert_int_equal(r->converged, 1);
  assert_close(r->loglik, -9582.429, 0.001, 0);
  assert_close(r->aic, 19172.858, 0.003, 0);
  assert_close(r->bic, 19195.919, 0.003, 0);

  /* The errors recomputed here from the per-customer predictions. */
  const double *y = clv_summary_col(s, CLV_COL_X_HOLDOUT);
  double mae = 0, mse = 0, n = (double)clv_summary_rows(s);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    mae += fabs(r->predicted[i] - y[i]) / n;
    mse += (r->predicted[i] - y[i]) * (r->predicted[i] - y[i]) / n;
  }
  assert_close(r->mae, mae, 0, 1e-12);
  assert_close(r->rmse, sqrt(mse), 0, 1e-12);
  assert_true(r->correlation > 0.3 && r->correlation < 1);
  /* Enough data: a real comparison, and the only family wins. */
  assert_int_equal(v->compared, 1);
  assert_int_equal(v->chosen, 0);
  assert_non_null(strstr(v->choice, "bgnbd predicts the holdout best"));
  assert_non_null(strstr(v->choice, "actual 1882"));
  clv_validation_free(v);
  clv_summary_free(s);
}

/* The Pareto/NBD row of the same table (BTYD vignette, 3 decimals), when
 * the family is registered in this build; skipped loudly otherwise. */
static void test_cdnow_pnbd_holdout(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const char *const fams[] = {"bgnbd", "pnbd", NULL};
  clv_summary *s = read_weeks(path);
  clv_validation *v = validate(s, fams, 39);
  const clv_validation_model *r = &v->models[1];
  if (r->status == CLV_EMODEL) {
    fprintf(stderr, "SKIPPED: pnbd is not registered in this build\n");
    clv_validation_free(v);
    clv_summary_free(s);
    skip();
  }
  assert_int_equal(r->status, CLV_OK);
  for (int b = 0; b < 8; b++)
    assert_close(r->bin_predicted[b], BIN_PNBD[b], 0.002, 0);
  assert_close(r->loglik, -9594.976, 0.002, 0);
  /* Both fitted: the choice names the winner and the loser's RMSE. */
  assert_int_equal(v->compared, 1);
  assert_true(v->chosen == 0 || v->chosen == 1);
  int other = 1 - v->chosen;
  assert_true(v->models[v->chosen].rmse <= v->models[other].rmse);
  assert_non_null(strstr(v->choice, v->models[other].family));
  clv_validation_free(v);
  clv_summary_free(s);
}

/*
 * Cohort tracking at BTYD's parameters, birth = max(T.cal) - T.cal (the
 * earliest customer, born 1997-01-01, has T.cal = 272/7 = 38.857 weeks:
 * published.md section 0): cumulative weeks 20..25 to the vignette's 3
 * decimals, the weekly increments to 5e-5 (6 significant digits: ours are
 * 76.865351, 74.888472, 73.045583, 71.321697, 69.704153, 68.182161, a
 * steady 3e-5..4e-5 above the vignette's 7th digit, cause not found; the
 * birth times cannot cause it, since a
 * shift of 1/7 week moves the increments by about 0.3), weeks 39 and 78
 * ([V]); and BTYD's actual curve read back (week 39 = 2457, 78 = 4339,
 * increments 73, 55, 70, 33, 56, 99 in weeks 20..25).
 */
static void test_tracking_published(void **state) {
  (void)state;
  /* clv_test_data() returns a static buffer: copy the first path. */
  char cbs[1024];
  CLV_REQUIRE_DATA(path0, "BTYD/cdnowSummary_cbs.csv");
  snprintf(cbs, sizeof cbs, "%s", path0);
  CLV_REQUIRE_DATA(cu, "BTYD/cdnowSummary_cu_tracking.csv");
  const char *path = cbs;
  static const double cum[6] = {1312.458, 1387.346, 1460.392,
                                1531.713, 1601.418, 1669.600};
  static const double inc[6] = {76.86531, 74.88843, 73.04554,
                                71.32166, 69.70412, 68.18213};
  static const double act_inc[6] = {73, 55, 70, 33, 56, 99};
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  clv_tracking *t = NULL;
  clv_tracking_opts o;
  clv_error err;
  assert_int_equal(clv_model_new("bgnbd", BTYD_BG, CLV_UNIT_WEEK, &m), CLV_OK);
  clv_tracking_opts_init(&o);
  o.periods = 78;
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, &err), CLV_OK);
  for (int w = 20; w <= 25; w++) {
    assert_close(t->expected[w - 1], cum[w - 20], 0.002, 0);
    assert_close(t->expected_incremental[w - 1], inc[w - 20], 5e-5, 0);
  }
  assert_close(t->expected[38], 2501.5, 0.1, 0);
  assert_close(t->expected[77], 4165.7, 0.1, 0);
  assert_null(t->actual);
  assert_int_equal(clv_tracking_read_actual(t, cu, &err), CLV_OK);
  assert_close(t->actual[38], 2457, 0, 0);
  assert_close(t->actual[77], 4339, 0, 0);
  for (int w = 20; w <= 25; w++)
    assert_close(t->actual_incremental[w - 1], act_inc[w - 20], 0, 0);
  clv_tracking_free(t);

  /* The same with an explicit cohort length of 272/7 weeks, and with 39
   * weeks (every birth 1/7 week later: the curve must be lower). */
  o.cohort_length = 272.0 / 7;
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, &err), CLV_OK);
  assert_close(t->expected[19], cum[0], 0.002, 0);
  clv_tracking_free(t);
  o.cohort_length = 39;
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, &err), CLV_OK);
  assert_true(t->expected[19] < cum[0] - 1);
  clv_tracking_free(t);
  clv_model_free(m);
  clv_summary_free(s);
}

/* The tracking curve of our own BG/NBD fit: weeks 20..25 within 0.05 of the
 * vignette (the fit differs from BTYD's in the 5th digit). */
static void test_tracking_fitted(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const double cum[6] = {1312.458, 1387.346, 1460.392,
                                1531.713, 1601.418, 1669.600};
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  clv_tracking *t = NULL;
  clv_tracking_opts o;
  assert_int_equal(clv_fit("bgnbd", s, NULL, &m, NULL), CLV_OK);
  clv_tracking_opts_init(&o);
  o.periods = 78;
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, NULL), CLV_OK);
  for (int w = 20; w <= 25; w++)
    assert_close(t->expected[w - 1], cum[w - 20], 0.05, 0);
  assert_close(t->expected[38], 2501.5, 0.1, 0);
  assert_close(t->expected[77], 4165.7, 0.1, 0);
  clv_tracking_free(t);
  clv_model_free(m);
  clv_summary_free(s);
}

/*
 * Birth from the first_purchase column: three customers born on days 0, 7
 * and 14 of the cohort (weekly unit). At week 2 only the first two are
 * born, so the cohort expects E[X(2)] + E[X(1)]; computed here from
 * clv_expected_purchases_new() directly (an independent sum).
 */
static void test_tracking_dates(void **state) {
  (void)state;
  clv_summary *s = NULL;
  clv_model *m = NULL;
  clv_tracking *t = NULL;
  clv_tracking_opts o;
  double e1, e2;
  int32_t d0 = clv_day_from_ymd(2020, 1, 1);
  assert_int_equal(
      clv_summary_new(&s, CLV_UNIT_WEEK, 1u << CLV_COL_FIRST_DAY, 3), CLV_OK);
  for (int i = 0; i < 3; i++) {
    clv_summary_row row;
    memset(&row, 0, sizeof row);
    row.v[CLV_COL_T] = 10 - i;
    row.v[CLV_COL_WEIGHT] = 1;
    row.v[CLV_COL_FIRST_DAY] = d0 + 7 * i;
    assert_int_equal(clv_summary_append(s, NULL, 0, &row), CLV_OK);
  }
  assert_int_equal(clv_model_new("bgnbd", BTYD_BG, CLV_UNIT_WEEK, &m), CLV_OK);
  clv_tracking_opts_init(&o);
  o.periods = 2;
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, NULL), CLV_OK);
  assert_int_equal(clv_expected_purchases_new(m, 1, &e1), CLV_OK);
  assert_int_equal(clv_expected_purchases_new(m, 2, &e2), CLV_OK);
  assert_close(t->expected[0], e1, 0, 1e-14);
  assert_close(t->expected[1], e2 + e1, 0, 1e-14);
  assert_close(t->expected_incremental[1], e2, 0, 1e-12);
  clv_tracking_free(t);
  clv_model_free(m);
  clv_summary_free(s);
}

/* Bad tracking files and arguments get clear errors, never a crash. */
static void test_tracking_errors(void **state) {
  (void)state;
  clv_summary *s = NULL;
  clv_model *m = NULL, *gg = NULL;
  clv_tracking *t = NULL;
  clv_tracking_opts o;
  clv_error err;
  char buf[1024];
  double x = 1, tx = 2, T = 5;
  static const double ggp[3] = {6.25, 3.74, 15.44};
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 1, &x, &tx, &T, NULL, NULL),
      CLV_OK);
  assert_int_equal(clv_model_new("bgnbd", BTYD_BG, CLV_UNIT_WEEK, &m), CLV_OK);
  assert_int_equal(clv_model_new("gg", ggp, CLV_UNIT_WEEK, &gg), CLV_OK);
  clv_tracking_opts_init(&o);
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, &err), CLV_EINVAL);
  o.periods = 3;
  assert_int_equal(clv_tracking_compute(gg, s, &o, &t, &err), CLV_EUNSUPPORTED);
  assert_int_equal(clv_tracking_compute(m, s, &o, &t, &err), CLV_OK);

  const char *p = clv_test_write("trk_bad.csv", "week,cum\n1,0\n2.5,3\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_EPARSE);
  clv_error_format(&err, buf, sizeof buf);
  assert_non_null(strstr(buf, ":3:1: expected a whole period number"));
  p = clv_test_write("trk_bad2.csv", "1,0\n2,x\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_EPARSE);
  clv_error_format(&err, buf, sizeof buf);
  assert_non_null(strstr(buf, ":2:3: expected a cumulative count"));
  p = clv_test_write("trk_down.csv", "1,5\n2,4\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_EPARSE);
  clv_error_format(&err, buf, sizeof buf);
  assert_non_null(strstr(buf, ":2:3: expected a cumulative count >= 5"));
  p = clv_test_write("trk_order.csv", "2,5\n1,6\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_EPARSE);
  clv_error_format(&err, buf, sizeof buf);
  assert_non_null(strstr(buf, ":2:1: expected a period after 2, found 1"));
  p = clv_test_write("trk_empty.csv", "week,cum\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_EEMPTY);
  assert_int_equal(
      clv_tracking_read_actual(t, clv_test_tmp("no/such.csv"), &err), CLV_EIO);
  /* Periods the file lacks are NaN; period 2's increment needs period 1. */
  p = clv_test_write("trk_gap.csv", "2,4\n3,9\n");
  assert_int_equal(clv_tracking_read_actual(t, p, &err), CLV_OK);
  assert_true(isnan(t->actual[0]));
  assert_true(isnan(t->actual_incremental[1]));
  assert_close(t->actual_incremental[2], 5, 0, 0);
  clv_tracking_free(t);
  clv_model_free(gg);
  clv_model_free(m);
  clv_summary_free(s);
}

/* A hand-made result: families with the given RMSEs and sizes (status
 * CLV_OK unless nparams is 0). */
static void fake(clv_validation *v, clv_validation_model *ms, size_t n,
                 const double *rmse, const int *np) {
  memset(v, 0, sizeof *v);
  memset(ms, 0, n * sizeof *ms);
  v->models = ms;
  v->nmodels = n;
  v->total_actual = 1882;
  for (size_t i = 0; i < n; i++) {
    snprintf(ms[i].family, sizeof ms[i].family, "m%zu", i);
    ms[i].status = np[i] ? CLV_OK : CLV_ENOCONV;
    ms[i].nparams = np[i];
    ms[i].rmse = rmse[i];
    ms[i].total_predicted = 1700;
  }
}

/* The choice rule on hand-made results: lowest RMSE; a tie (within the
 * relative tolerance) goes to fewer parameters, then to list order; failed
 * families never win; fallback = fewest parameters; nothing fitted. */
static void test_choice(void **state) {
  (void)state;
  clv_validation v;
  clv_validation_model ms[4];
  {
    const double r[3] = {1.25, 1.23, 1.30};
    const int np[3] = {4, 4, 3};
    fake(&v, ms, 3, r, np);
    clv_validation_choose(&v, 1, 1e-4, NULL);
    assert_int_equal(v.chosen, 1);
    assert_string_equal(v.choice, "m1 predicts the holdout best: RMSE 1.23 vs "
                                  "m0 1.25, m2 1.3; total 1700 vs actual "
                                  "1882.");
  }
  {
    /* m2 is within 1e-4 relative of m0 and has fewer parameters. */
    const double r[3] = {1.25, 1.26, 1.25005};
    const int np[3] = {4, 4, 3};
    fake(&v, ms, 3, r, np);
    clv_validation_choose(&v, 1, 1e-4, NULL);
    assert_int_equal(v.chosen, 2);
    assert_non_null(strstr(v.choice, "tied with m0"));
    /* With no tolerance the lower RMSE wins. */
    clv_validation_choose(&v, 1, 0, NULL);
    assert_int_equal(v.chosen, 0);
  }
  {
    /* Exact tie, same size: the one listed first. */
    const double r[2] = {1.25, 1.25};
    const int np[2] = {4, 4};
    fake(&v, ms, 2, r, np);
    clv_validation_choose(&v, 1, 1e-4, NULL);
    assert_int_equal(v.chosen, 0);
  }
  {
    /* The best RMSE belongs to a failed family (nparams 0 = failed). */
    const double r[3] = {1.25, 0.5, 1.30};
    const int np[3] = {4, 0, 3};
    fake(&v, ms, 3, r, np);
    clv_validation_choose(&v, 1, 1e-4, NULL);
    assert_int_equal(v.chosen, 0);
    assert_null(strstr(v.choice, "m1"));
    /* Fallback: no comparison, the simplest that fits. */
    clv_validation_choose(&v, 0, 1e-4, "only 12 repeat buyers");
    assert_int_equal(v.chosen, 2);
    assert_int_equal(v.compared, 0);
    assert_string_equal(v.choice,
                        "no model comparison: only 12 repeat buyers; m2 is "
                        "recommended as the simplest model that fits (3 "
                        "parameters).");
  }
  {
    const double r[2] = {NAN, NAN};
    const int np[2] = {0, 0};
    fake(&v, ms, 2, r, np);
    clv_validation_choose(&v, 1, 1e-4, NULL);
    assert_int_equal(v.chosen, -1);
    assert_non_null(strstr(v.choice, "no model could be fitted"));
  }
}

/* A summary of n customers with holdout columns (weeks). */
static clv_summary *holdout_summary(size_t n, const double (*rows)[6]) {
  clv_summary *s = NULL;
  unsigned cols = 1u << CLV_COL_X_HOLDOUT | 1u << CLV_COL_DURATION_HOLDOUT;
  assert_int_equal(clv_summary_new(&s, CLV_UNIT_WEEK, cols, n), CLV_OK);
  for (size_t i = 0; i < n; i++) {
    clv_summary_row row;
    memset(&row, 0, sizeof row);
    row.v[CLV_COL_X] = rows[i][0];
    row.v[CLV_COL_TX] = rows[i][1];
    row.v[CLV_COL_T] = rows[i][2];
    row.v[CLV_COL_X_HOLDOUT] = rows[i][3];
    row.v[CLV_COL_DURATION_HOLDOUT] = rows[i][4];
    row.v[CLV_COL_WEIGHT] = rows[i][5];
    assert_int_equal(clv_summary_append(s, NULL, 0, &row), CLV_OK);
  }
  return s;
}

/* Too few repeat buyers: 40 customers, 6 of them repeat buyers -> no
 * comparison, said in the choice; unknown and spend families are reported,
 * not fatal. */
static void test_fallback(void **state) {
  (void)state;
  static const char *const fams[] = {"bgnbd", "nosuch", "gg", NULL};
  double rows[40][6];
  for (int i = 0; i < 40; i++) {
    int rep = i < 6;
    rows[i][0] = rep ? 1 + i % 3 : 0;
    rows[i][1] = rep ? 5 + i : 0;
    rows[i][2] = 30 + i % 5;
    rows[i][3] = i % 4 == 0;
    rows[i][4] = 20;
    rows[i][5] = 1;
  }
  clv_summary *s = holdout_summary(40, (const double(*)[6])rows);
  clv_validation *v = validate(s, fams, 0);
  assert_int_equal(v->nmodels, 3);
  assert_int_equal(v->models[1].status, CLV_EMODEL);
  assert_non_null(strstr(v->models[1].reason, "not registered"));
  assert_int_equal(v->models[2].status, CLV_EUNSUPPORTED);
  assert_int_equal(v->compared, 0);
  assert_non_null(strstr(v->choice, "no model comparison: only 6 repeat "
                                    "buyers in the calibration period"));
  /* Whether the tiny fit converges or not, the choice follows it. */
  assert_int_equal(v->chosen, v->models[0].status == CLV_OK ? 0 : -1);
  clv_validation_free(v);
  clv_summary_free(s);
}

/*
 * The CDNOW customers with per-row holdout lengths (39 weeks for odd rows,
 * 26 for even ones): each prediction equals clv_expected_purchases() of
 * that customer alone. Then the first customer given weight 2 equals that
 * customer listed twice, in every figure.
 */
static void test_rows_and_weights(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "BTYD/cdnowSummary_cbs.csv");
  static const char *const fams[] = {"bgnbd", NULL};
  clv_summary *cbs = read_weeks(path);
  size_t n = clv_summary_rows(cbs);
  const double *x = clv_summary_col(cbs, CLV_COL_X);
  const double *tx = clv_summary_col(cbs, CLV_COL_TX);
  const double *T = clv_summary_col(cbs, CLV_COL_T);
  const double *y = clv_summary_col(cbs, CLV_COL_X_HOLDOUT);
  double(*rows)[6] = calloc(n + 1, sizeof *rows);
  for (size_t i = 0; i < n; i++) {
    rows[i][0] = x[i];
    rows[i][1] = tx[i];
    rows[i][2] = T[i];
    rows[i][3] = y[i];
    rows[i][4] = i % 2 ? 39 : 26;
    rows[i][5] = 1;
  }
  clv_summary *s = holdout_summary(n, (const double(*)[6])rows);
  clv_validation *v = validate(s, fams, 0);
  const clv_validation_model *r = &v->models[0];
  assert_int_equal(r->status, CLV_OK);
  for (size_t i = 0; i < 6; i++) {
    clv_summary *one = NULL;
    double e;
    assert_int_equal(clv_summary_from_arrays(&one, CLV_UNIT_WEEK, 1,
                                             &rows[i][0], &rows[i][1],
                                             &rows[i][2], NULL, NULL),
                     CLV_OK);
    assert_int_equal(clv_expected_purchases(r->model, one, rows[i][4], &e),
                     CLV_OK);
    assert_close(r->predicted[i], e, 0, 1e-14);
    clv_summary_free(one);
  }
  clv_validation_free(v);
  clv_summary_free(s);

  /* Weight 2 on row 0 versus row 0 appended again. */
  rows[0][5] = 2;
  clv_summary *sw = holdout_summary(n, (const double(*)[6])rows);
  rows[0][5] = 1;
  memcpy(rows[n], rows[0], sizeof rows[0]);
  clv_summary *sd = holdout_summary(n + 1, (const double(*)[6])rows);
  clv_validation *vw = validate(sw, fams, 0), *vd = validate(sd, fams, 0);
  const clv_validation_model *a = &vw->models[0], *b = &vd->models[0];
  assert_int_equal(a->status, CLV_OK);
  assert_int_equal(b->status, CLV_OK);
  assert_close(vw->customers, (double)n + 1, 0, 0);
  assert_close(a->loglik, b->loglik, 1e-7, 1e-10);
  assert_close(a->total_predicted, b->total_predicted, 1e-7, 1e-8);
  assert_close(a->rmse, b->rmse, 0, 1e-7);
  assert_close(a->mae, b->mae, 0, 1e-7);
  assert_close(a->correlation, b->correlation, 0, 1e-7);
  assert_close(a->bic, b->bic, 1e-6, 1e-10);
  for (int k = 0; k < 8; k++) {
    assert_close(vw->bin_customers[k], vd->bin_customers[k], 0, 0);
    assert_close(vw->bin_actual[k], vd->bin_actual[k], 0, 1e-14);
    assert_close(a->bin_predicted[k], b->bin_predicted[k], 0, 1e-7);
  }
  clv_validation_free(vw);
  clv_validation_free(vd);
  clv_summary_free(sw);
  clv_summary_free(sd);
  clv_summary_free(cbs);
  free(rows);
}

/* Summaries without holdout columns are refused with the way to make one. */
static void test_missing_holdout(void **state) {
  (void)state;
  clv_summary *s = NULL;
  clv_validation *v = NULL;
  clv_validate_opts o;
  clv_error err;
  double x[2] = {0, 1}, tx[2] = {0, 2}, T[2] = {5, 6};
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 2, x, tx, T, NULL, NULL),
      CLV_OK);
  clv_validate_opts_init(&o);
  assert_int_equal(clv_validate(s, &o, &v, &err), CLV_ENOCOLUMN);
  assert_null(v);
  assert_non_null(strstr(err.message, "clv summary LOG --holdout-from"));
  o.bins = 0;
  assert_int_equal(clv_validate(s, &o, &v, &err), CLV_EINVAL);
  clv_summary_free(s);

  /* x.star without a duration and no holdout length given. */
  static const double rows[1][6] = {{1, 2, 6, 1, 0, 1}};
  clv_summary *h = holdout_summary(1, rows);
  clv_validate_opts_init(&o);
  assert_int_equal(clv_validate(h, &o, &v, &err), CLV_EDOMAIN);
  assert_non_null(strstr(err.message, "holdout duration > 0"));
  clv_summary_free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cdnow_bgnbd_holdout),
      cmocka_unit_test(test_cdnow_pnbd_holdout),
      cmocka_unit_test(test_tracking_published),
      cmocka_unit_test(test_tracking_fitted),
      cmocka_unit_test(test_tracking_dates),
      cmocka_unit_test(test_tracking_errors),
      cmocka_unit_test(test_choice),
      cmocka_unit_test(test_fallback),
      cmocka_unit_test(test_rows_and_weights),
      cmocka_unit_test(test_missing_holdout),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
