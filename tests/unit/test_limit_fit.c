/*
 * test_limit_fit.c - fits whose likelihood has no maximum inside the domain
 * because the log shows no drop-out (a year of the UCI Online Retail shop):
 * BG/NBD's a runs to zero and MBG/NBD's too, so the models tend to their
 * common no-drop-out limit, the NBD, and are fitted as that limit (model.c,
 * boundary_fit). Checked independently: the fitted r and alpha solve the
 * NBD's score equations, derived by hand from its log-likelihood
 *   LL = sum_i [ln G(r + x_i) - ln G(r) + r ln(alpha / (alpha + T_i))
 *               - x_i ln(alpha + T_i)],
 *   dLL/dr     = sum_i [psi(r + x_i) - psi(r) + ln(alpha / (alpha + T_i))],
 *   dLL/dalpha = sum_i [r / alpha - (r + x_i) / (alpha + T_i)],
 * which is the BG/NBD likelihood at p = 0. Predictions stay finite and
 * P(alive) is 1, as for a customer who cannot leave.
 */
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static clv_summary *online_retail(const char *path) {
  clv_ingest_opts io;
  clv_ingest_opts_init(&io);
  io.unit = CLV_UNIT_WEEK;
  io.skip_errors = 1; /* rows without a CustomerID */
  clv_summary *s = NULL;
  assert_int_equal(clv_summarize_file(path, &io, &s, NULL, NULL), CLV_OK);
  return s;
}

static void nbd_limit(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "online_retail/online_retail.csv");
  clv_summary *s = online_retail(path);
  assert_non_null(s);
  const char *fams[] = {"bgnbd", "mbgnbd"};
  for (int k = 0; k < 2; k++) {
    clv_model *m = NULL;
    clv_error err;
    assert_int_equal(clv_fit(fams[k], s, NULL, &m, &err), CLV_OK);
    assert_true(clv_model_at_limit(m));
    assert_non_null(strstr(clv_model_notes(m), "Limit fit: a ran down"));
    const double *p = clv_model_params(m);
    double r = p[0], alpha = p[1];
    assert_true(p[2] < 1e-5);
    /* The NBD's score equations, per customer. */
    const double *x = clv_summary_col(s, CLV_COL_X);
    const double *T = clv_summary_col(s, CLV_COL_T);
    size_t n = clv_summary_rows(s);
    double dr = 0, da = 0;
    for (size_t i = 0; i < n; i++) {
      dr += gsl_sf_psi(r + x[i]) - gsl_sf_psi(r) + log(alpha / (alpha + T[i]));
      da += r / alpha - (r + x[i]) / (alpha + T[i]);
    }
    assert_true(fabs(dr / n) < 1e-5);
    assert_true(fabs(da / n) < 1e-5);
    /* Predictions are finite; P(alive) is 1 up to the held drop-out. */
    double *pa = malloc(n * sizeof *pa), *ey = malloc(n * sizeof *ey);
    assert_int_equal(clv_p_alive(m, s, pa), CLV_OK);
    assert_int_equal(clv_expected_purchases(m, s, 52, ey), CLV_OK);
    for (size_t i = 0; i < n; i++) {
      assert_true(pa[i] > 0.999 && pa[i] <= 1);
      assert_true(isfinite(ey[i]) && ey[i] >= 0);
    }
    free(pa);
    free(ey);
    clv_model_free(m);
  }
  clv_summary_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nbd_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
