/*
 * test_gg.c - the Gamma-Gamma spend model (Fader, Hardie & Lee 2005b;
 * Fader & Hardie 2013, note 025) against published.md section 3, plus the
 * fast likelihood against the formula and the gradient against finite
 * differences.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static clv_summary *read_weeks(const char *path) {
  return clv_test_read_summary(path, CLV_UNIT_WEEK);
}

static void test_fit_cdnow(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path,
                   "lifetimes/cdnow_customers_summary_with_transactions.csv");
  clv_summary *s = read_weeks(path);
  clv_model *m = NULL;
  assert_int_equal(clv_fit("gg", s, NULL, &m, NULL), CLV_OK);
  const double *p = clv_model_params(m);
  /* Note 025 / lifetimes / CLVTools: 6.25, 3.74, 15.44, from the unrounded
   * spend; on this file's 2-decimal m_x the MLE is [V] 6.2488, 3.7446,
   * 15.4477 (LL -4055.9232), within 0.01 of the paper's. */
  assert_close(p[0], 6.25, 0.01, 0);
  assert_close(p[1], 3.74, 0.01, 0);
  assert_close(p[2], 15.44, 0.01, 0);
  assert_close(p[0], 6.2488, 1e-4, 0);
  assert_close(p[1], 3.7446, 1e-4, 0);
  assert_close(p[2], 15.4477, 1e-4, 0);
  assert_close(clv_model_loglik(m), -4055.9232, 5e-4, 0);
  assert_int_equal((int)clv_model_customers(m), 946); /* x > 0 only */
  /* E(M | x, m_x) of the first ten customers at this fit agree with Hardie's
   * spreadsheet to 0.01 (the spreadsheet uses unrounded spend, see
   * test_spend_unrounded for the tight check). */
  static const double want[10] = {24.65, 18.91, 35.17, 35.17, 35.17,
                                  71.46, 18.91, 35.17, 27.28, 35.17};
  double *e = calloc(clv_summary_rows(s), sizeof *e);
  assert_int_equal(clv_expected_spend(m, s, e), CLV_OK);
  for (int i = 0; i < 10; i++)
    assert_close(e[i], want[i], 0.01 + 1e-9, 0);
  /* Population mean p gamma / (q - 1) = 35.17 ([V]). */
  assert_close(p[0] * p[2] / (p[1] - 1), 35.17, 0.005, 0);
  free(e);
  clv_model_free(m);
  clv_summary_free(s);
}

/* Note 025's spreadsheet fits the unrounded m_x (BTYD's cdnowSummary m.x,
 * joined to the full-precision CBS by customer): there E(M | x, m_x) of the
 * first ten customers is 24.65, 18.91, 35.17, ... to the printed cent. */
static void test_spend_unrounded(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(cbs, "BTYD/cdnowSummary_cbs.csv");
  clv_summary *c = read_weeks(cbs);
  CLV_REQUIRE_DATA(mx, "BTYD/cdnowSummary_m_x.csv");
  size_t n = clv_summary_rows(c);
  double *m = calloc(n, sizeof *m), *e = calloc(n, sizeof *e);
  FILE *f = fopen(mx, "r");
  char line[256];
  assert_non_null(f);
  assert_non_null(fgets(line, sizeof line, f)); /* header cust,m.x */
  for (size_t i = 0; i < n; i++) {
    long id;
    assert_int_equal(fscanf(f, "%ld,%lf", &id, &m[i]), 2);
    assert_int_equal(id, (long)i + 1); /* same order as the CBS */
  }
  fclose(f);
  clv_summary *s = NULL;
  assert_int_equal(clv_summary_from_arrays(
                       &s, CLV_UNIT_WEEK, n, clv_summary_col(c, CLV_COL_X),
                       clv_summary_col(c, CLV_COL_TX),
                       clv_summary_col(c, CLV_COL_T), m, NULL),
                   CLV_OK);
  clv_model *g = NULL;
  assert_int_equal(clv_fit("gg", s, NULL, &g, NULL), CLV_OK);
  const double *p = clv_model_params(g);
  /* Here the fit reproduces the paper to the printed digits and CLVTools'
   * LL -4055.9177 (published.md section 3). */
  assert_close(p[0], 6.25, 0.005, 0);
  assert_close(p[1], 3.74, 0.005, 0);
  assert_close(p[2], 15.44, 0.005, 0);
  assert_close(clv_model_loglik(g), -4055.9177, 1e-4, 0);
  static const double want[10] = {24.65, 18.91, 35.17, 35.17, 35.17,
                                  71.46, 18.91, 35.17, 27.28, 35.17};
  assert_int_equal(clv_expected_spend(g, s, e), CLV_OK);
  for (int i = 0; i < 10; i++)
    assert_close(e[i], want[i], 0.005 + 1e-9, 0);
  free(m);
  free(e);
  clv_model_free(g);
  clv_summary_free(s);
  clv_summary_free(c);
}

/* Fast path == note 025's formula per row; analytic gradient == Richardson
 * central differences, at ordinary and extreme parameters and rows. */
static void test_gradient(void **state) {
  (void)state;
  static const double params[][3] = {
      {6.25, 3.74, 15.44}, {0.01, 1.5, 0.02}, {300, 200, 5000}, {1, 0.3, 1e-3}};
  static const double rows[][2] = {
      {1, 11.77}, {2, 22.35}, {7, 0.01}, {5000, 35}, {3, 1e6}};
  const clv__family *fam = clv__family_find("gg");
  for (size_t pi = 0; pi < sizeof params / sizeof params[0]; pi++) {
    for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
      double x = rows[ri][0], m = rows[ri][1], z = 0, key[3] = {x, m, 0};
      clv_summary *s = NULL;
      clv__data d;
      assert_int_equal(
          clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 1, &x, &z, &z, &m, NULL),
          CLV_OK);
      assert_int_equal(clv__data_build(fam, s, &d, NULL), CLV_OK);
      double *work = malloc((fam->work_size(&d) + 1) * sizeof(double));
      double p[3], ll, g[3];
      memcpy(p, params[pi], sizeof p);
      assert_int_equal(clv__data_loglik(fam, &d, p, work, 1, &ll, g), 0);
      assert_close(ll, fam->row_ll(p, key), 1e-9, 1e-11);
      {
        char label[64];
        snprintf(label, sizeof label, "params %zu row %zu", pi, ri);
        clv_test_check_gradient(fam, s, p, ll, g, label);
      }
      free(work);
      clv__data_free(&d);
      clv_summary_free(s);
    }
  }
}

/* Input checks: no monetary column, a repeat buyer with zero spend, nobody
 * with x > 0. */
static void test_inputs(void **state) {
  (void)state;
  double x[3] = {1, 2, 0}, tx[3] = {1, 2, 0}, T[3] = {5, 5, 5};
  double m[3] = {10, -5, 0}, z[3] = {0, 0, 0};
  clv_summary *s = NULL;
  clv_model *mod = NULL;
  clv_error err;
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 3, x, tx, T, NULL, NULL), 0);
  assert_int_equal(clv_fit("gg", s, NULL, &mod, &err), CLV_ENOCOLUMN);
  assert_non_null(strstr(err.message, "monetary_value"));
  clv_summary_free(s);
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 3, x, tx, T, m, NULL), 0);
  assert_int_equal(clv_fit("gg", s, NULL, &mod, &err), CLV_EDOMAIN);
  assert_non_null(strstr(err.message, "customer 2 (row 2)"));
  clv_summary_free(s);
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 3, z, z, T, z, NULL), 0);
  assert_int_equal(clv_fit("gg", s, NULL, &mod, &err), CLV_EEMPTY);
  assert_null(mod);
  clv_summary_free(s);
}

/* Repeat buyers whose repeat orders were all free (m = 0) are left out of
 * the fit and counted in the notes: the fit must equal the fit on the
 * summary without them (CDNOW with the spend of three repeat buyers set to
 * 0), instead of refusing the whole data set as it did before. */
static void test_zero_spend_left_out(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path,
                   "lifetimes/cdnow_customers_summary_with_transactions.csv");
  clv_summary *s = NULL, *z = NULL, *kept = NULL;
  clv_model *fz = NULL, *fk = NULL;
  clv_error err;
  assert_int_equal(clv_summary_read_csv(path, CLV_UNIT_WEEK, &s, &err), 0);
  size_t n = clv_summary_rows(s), zeroed = 0;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  const double *m = clv_summary_col(s, CLV_COL_M);
  double *mz = malloc(n * sizeof *mz);
  double *kx = malloc(n * sizeof *kx), *ktx = malloc(n * sizeof *ktx);
  double *kT = malloc(n * sizeof *kT), *km = malloc(n * sizeof *km);
  size_t nk = 0;
  for (size_t i = 0; i < n; i++) {
    mz[i] = m[i];
    if (x[i] > 0 && zeroed < 3 && i % 7 == 0) {
      mz[i] = 0;
      zeroed++;
      continue;
    }
    kx[nk] = x[i], ktx[nk] = tx[i], kT[nk] = T[i], km[nk] = m[i];
    nk++;
  }
  assert_int_equal(zeroed, 3);
  assert_int_equal(
      clv_summary_from_arrays(&z, CLV_UNIT_WEEK, n, x, tx, T, mz, NULL), 0);
  assert_int_equal(
      clv_summary_from_arrays(&kept, CLV_UNIT_WEEK, nk, kx, ktx, kT, km, NULL),
      0);
  assert_int_equal(clv_fit("gg", z, NULL, &fz, &err), CLV_OK);
  assert_int_equal(clv_fit("gg", kept, NULL, &fk, &err), CLV_OK);
  for (int i = 0; i < 3; i++)
    assert_close(clv_model_params(fz)[i], clv_model_params(fk)[i], 0, 1e-6);
  assert_close(clv_model_loglik(fz), clv_model_loglik(fk), 1e-6, 0);
  assert_non_null(strstr(clv_model_notes(fz), "3 customers left out"));
  assert_true(clv_model_customers(fz) == clv_model_customers(fk));
  free(mz), free(kx), free(ktx), free(kT), free(km);
  clv_model_free(fz);
  clv_model_free(fk);
  clv_summary_free(s);
  clv_summary_free(z);
  clv_summary_free(kept);
}

/* E(M | x, m_x) by hand: p = 2, q = 3, gamma = 10, x = 4, m = 5 gives
 * 2 (10 + 20) / (8 + 3 - 1) = 6; x = 0 gives p gamma / (q-1) = 10. q <= 1
 * has no population mean. */
static void test_spend_hand(void **state) {
  (void)state;
  double par[3] = {2, 3, 10}, x[2] = {4, 0}, z[2] = {0, 0}, m[2] = {5, 0};
  double e[2];
  clv_summary *s = NULL;
  clv_model *g = NULL;
  assert_int_equal(clv_model_new("gg", par, CLV_UNIT_WEEK, &g), 0);
  assert_int_equal(
      clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 2, x, z, x, m, NULL), 0);
  assert_int_equal(clv_expected_spend(g, s, e), CLV_OK);
  assert_close(e[0], 6.0, 1e-12, 0);
  assert_close(e[1], 10.0, 1e-12, 0);
  clv_model_free(g);
  par[1] = 0.9;
  assert_int_equal(clv_model_new("gg", par, CLV_UNIT_WEEK, &g), 0);
  assert_int_equal(clv_expected_spend(g, s, e), CLV_EDOMAIN);
  clv_model_free(g);
  clv_summary_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fit_cdnow),
      cmocka_unit_test(test_spend_unrounded),
      cmocka_unit_test(test_gradient),
      cmocka_unit_test(test_inputs),
      cmocka_unit_test(test_spend_hand),
      cmocka_unit_test(test_zero_spend_left_out),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
