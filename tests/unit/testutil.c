/* testutil.c - helpers shared by the unit tests. */
#include "testutil.h"

#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *clv_test_data(const char *relative) {
  static char path[4096];
  const char *dir = getenv("CLV_DATA_DIR");
  if (dir == NULL || dir[0] == '\0')
    dir = "../shared/data";
  snprintf(path, sizeof path, "%s/%s", dir, relative);
  if (access(path, R_OK) != 0) {
    fprintf(stderr,
            "SKIPPED: shared data missing: %s (set CLV_DATA_DIR to the folder "
            "that holds lifetimes/, BTYD/, ...)\n",
            path);
    return NULL;
  }
  return path;
}

const char *clv_test_tmp(const char *name) {
  static char path[4096];
  const char *dir = getenv("CLV_TEST_TMP");
  if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  snprintf(path, sizeof path, "%s/%ld-%s", dir, (long)getpid(), name);
  return path;
}

const char *clv_test_write(const char *name, const char *text) {
  const char *path = clv_test_tmp(name);
  FILE *f = fopen(path, "wb");
  if (f == NULL)
    fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
  return path;
}

const char *clv_test_simulate(const char *name, const clv_sim_opts *so) {
  const char *path = clv_test_tmp(name);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    fail_msg("cannot write %s", path);
  assert_int_equal(clv_simulate_log(so, f, NULL), CLV_OK);
  assert_int_equal(fclose(f), 0);
  return path;
}

void clv_test_assert_close(double got, double want, double abs_tol,
                           double rel_tol, const char *expr, const char *file,
                           int line) {
  double tol = abs_tol + rel_tol * fabs(want);
  if (!(fabs(got - want) <= tol)) {
    fprintf(stderr, "%s:%d: %s = %.12g, expected %.12g (tolerance %.3g)\n",
            file, line, expr, got, want, tol);
    _fail(file, line);
  }
}

clv_summary *clv_test_read_summary(const char *path, clv_unit unit) {
  clv_summary *s = NULL;
  clv_error err;
  int rc = clv_summary_read_csv(path, unit, &s, &err);
  if (rc) {
    char buf[1024];
    fail_msg("%s", clv_error_format(&err, buf, sizeof buf));
  }
  return s;
}

clv_summary *clv_test_one(clv_unit unit, double x, double tx, double T) {
  clv_summary *s = NULL;
  assert_int_equal(
      clv_summary_from_arrays(&s, unit, 1, &x, &tx, &T, NULL, NULL), CLV_OK);
  return s;
}

int clv_test_family_loglik(const clv__family *f, const clv_summary *s,
                           const double *p, double *ll, double *g) {
  clv__data d;
  int rc = clv__data_build(f, s, &d, NULL);
  if (rc)
    return rc;
  double *work = malloc((f->work_size(&d) + 1) * sizeof(double));
  rc = work ? clv__data_loglik(f, &d, p, work, 1, ll, g) : CLV_ENOMEM;
  free(work);
  clv__data_free(&d);
  return rc;
}

double clv_test_cond(const clv__family *f, const double *p, double x, double tx,
                     double T, double t) {
  double e;
  assert_int_equal(f->expect_alive(p, x, T, t, &e), CLV_OK);
  return f->p_alive(p, x, tx, T) * e;
}

void clv_test_recovery(const char *family, const double truth[4],
                       uint64_t customers, uint64_t first_seed, int seeds,
                       double zmax) {
  for (int k = 0; k < seeds; k++) {
    clv_sim_opts o;
    clv_summary *s = NULL;
    clv_model *m = NULL;
    clv_error err;
    clv_sim_opts_init(&o);
    assert_int_equal(clv_sim_opts_set_family(&o, family), CLV_OK);
    for (int i = 0; i < 4; i++)
      o.params[i] = truth[i];
    o.unit = CLV_UNIT_WEEK;
    o.customers = customers;
    o.seed = first_seed + (uint64_t)k;
    assert_int_equal(clv_simulate_summary(&o, CLV_UNIT_WEEK, &s), CLV_OK);
    assert_int_equal(clv_fit(family, s, NULL, &m, &err), CLV_OK);
    const double *p = clv_model_params(m), *se = clv_model_se(m);
    for (int i = 0; i < 4; i++) {
      double z = (p[i] - truth[i]) / se[i];
      print_message("%s %-5s true %8.4f fit %8.4f SE %7.4f z %+5.2f\n", family,
                    clv_model_param_name(m, i), truth[i], p[i], se[i], z);
      assert_true(isfinite(se[i]) && se[i] > 0);
      assert_true(fabs(z) < zmax);
    }
    clv_model_free(m);
    clv_summary_free(s);
  }
}

void clv_test_check_gradient(const clv__family *f, const clv_summary *s,
                             const double *p, double ll, const double *g,
                             const char *label) {
  static const double at[4] = {1, -1, 2, -2};
  for (int k = 0; k < f->np; k++) {
    double h = 1e-4 * p[k], q[CLV__MAXP], fv[4];
    for (int j = 0; j < 4; j++) {
      memcpy(q, p, (size_t)f->np * sizeof(double));
      q[k] = p[k] + at[j] * h;
      assert_int_equal(clv_test_family_loglik(f, s, q, &fv[j], NULL), CLV_OK);
    }
    double fd = (8 * (fv[0] - fv[1]) - (fv[2] - fv[3])) / (12 * h);
    double tol = 1e-6 * fabs(fd) + 1e-12 * (1 + fabs(ll)) / h;
    if (fabs(g[k] - fd) > tol)
      fprintf(stderr, "%s d/d%s: analytic %.12g fd %.12g\n", label,
              f->pnames[k], g[k], fd);
    assert_close(g[k], fd, tol, 0);
  }
}
