/*
 * optim.c - maximum-likelihood optimiser: GSL vector_bfgs2 on the
 * log-parameters, Newton polishing, Hessian and its inverse for standard
 * errors.
 *
 * BFGS gets close cheaply; its line search often stops with GSL_ENOPROG a
 * little short of the gradient tolerance, so a few Newton steps with a
 * finite-difference Hessian (of the analytic gradient, so each entry is
 * accurate to about 1e-8 relative) finish the job quadratically. The same
 * Hessian then gives the standard errors.
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#include "clv/status.h"
#include "special.h"

typedef struct bridge {
  clv__fdf_fn fdf;
  void *ctx;
  int n, evals;
  /* The last point evaluated: GSL's line search asks for f and then for
   * df at the same point, and each would be a full pass over the data. */
  int cached;
  double theta[16], f, grad[16];
} bridge;

/* GSL wants f, df and fdf separately; each goes through the one analytic
 * routine. An infeasible point (overflow, a status from the objective) is
 * reported as a huge value with a gradient that points back towards the
 * origin of the log-parameters, which makes the line search shorten its
 * step instead of stopping. */
static void eval(bridge *b, const gsl_vector *v, double *f, gsl_vector *g) {
  double theta[16], grad[16];
  for (int i = 0; i < b->n; i++)
    theta[i] = gsl_vector_get(v, (size_t)i);
  if (b->cached &&
      memcmp(theta, b->theta, (size_t)b->n * sizeof(double)) == 0) {
    *f = b->f;
    if (g)
      for (int i = 0; i < b->n; i++)
        gsl_vector_set(g, (size_t)i, b->grad[i]);
    return;
  }
  b->evals++;
  int rc = b->fdf(b->ctx, theta, f, grad);
  int ok = rc == CLV_OK && isfinite(*f);
  for (int i = 0; ok && i < b->n; i++)
    ok = isfinite(grad[i]);
  if (!ok) {
    *f = 1e300;
    for (int i = 0; i < b->n; i++)
      grad[i] = theta[i] >= 0 ? 1e10 : -1e10;
  }
  memcpy(b->theta, theta, (size_t)b->n * sizeof(double));
  memcpy(b->grad, grad, (size_t)b->n * sizeof(double));
  b->f = *f;
  b->cached = 1;
  if (g)
    for (int i = 0; i < b->n; i++)
      gsl_vector_set(g, (size_t)i, grad[i]);
}

static double f_only(const gsl_vector *v, void *p) {
  double f;
  eval(p, v, &f, NULL);
  return f;
}

static void df_only(const gsl_vector *v, void *p, gsl_vector *g) {
  double f;
  eval(p, v, &f, g);
}

static void f_and_df(const gsl_vector *v, void *p, double *f, gsl_vector *g) {
  eval(p, v, f, g);
}

static double norm2(int n, const double *g) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += g[i] * g[i];
  return sqrt(s);
}

int clv__hessian(clv__fdf_fn fdf, void *ctx, int n, const double *theta,
                 double h, double *H, int *evals) {
  double th[16], gp[16], gm[16], f;
  int rc = CLV_OK;
  memcpy(th, theta, (size_t)n * sizeof(double));
  for (int j = 0; j < n; j++) {
    th[j] = theta[j] + h;
    rc = fdf(ctx, th, &f, gp);
    if (rc)
      goto done;
    th[j] = theta[j] - h;
    rc = fdf(ctx, th, &f, gm);
    if (rc)
      goto done;
    th[j] = theta[j];
    if (evals)
      *evals += 2;
    for (int i = 0; i < n; i++)
      H[i * n + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) {
      double s = 0.5 * (H[i * n + j] + H[j * n + i]);
      H[i * n + j] = H[j * n + i] = s;
    }
  for (int i = 0; i < n * n; i++)
    if (!isfinite(H[i]))
      rc = CLV_ENUMERIC;
done:
  return rc;
}

int clv__spd_inverse(int n, const double *H, double *inv) {
  double a[256];
  int rc = CLV_ENUMERIC;
  clv__gsl_init();
  memcpy(a, H, (size_t)(n * n) * sizeof(double));
  gsl_matrix_view m = gsl_matrix_view_array(a, (size_t)n, (size_t)n);
  if (gsl_linalg_cholesky_decomp1(&m.matrix) != GSL_SUCCESS)
    goto done;
  if (gsl_linalg_cholesky_invert(&m.matrix) != GSL_SUCCESS)
    goto done;
  memcpy(inv, a, (size_t)(n * n) * sizeof(double));
  rc = CLV_OK;
  for (int i = 0; i < n * n; i++)
    if (!isfinite(inv[i]))
      rc = CLV_ENUMERIC;
done:
  return rc;
}

/* Newton steps x -= H^-1 g while they lower f; stops at a gradient far
 * below gtol, at a step that does not help, or after a few rounds. */
static void polish(bridge *b, int n, double *theta, double *f, double *g,
                   double gtol) {
  double H[256], inv[256], th[16], gn[16], fn;
  for (int round = 0; round < 6; round++) {
    if (norm2(n, g) < 1e-3 * gtol)
      break;
    if (clv__hessian(b->fdf, b->ctx, n, theta, 1e-5, H, &b->evals))
      break;
    if (clv__spd_inverse(n, H, inv))
      break;
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < n; j++)
        s += inv[i * n + j] * g[j];
      th[i] = theta[i] - s;
    }
    b->evals++;
    if (b->fdf(b->ctx, th, &fn, gn) != CLV_OK || !isfinite(fn))
      break;
    /* Accept when f does not rise beyond rounding, and the gradient
     * shrinks: near the optimum f is flat to the last bit. */
    if (fn > *f + 1e-13 * fabs(*f) || norm2(n, gn) >= norm2(n, g))
      break;
    memcpy(theta, th, (size_t)n * sizeof(double));
    memcpy(g, gn, (size_t)n * sizeof(double));
    *f = fn;
  }
}

int clv__minimize(clv__fdf_fn fdf, void *ctx, int n, double *theta,
                  const clv__optim_opts *o, clv__optim_result *res) {
  bridge b = {fdf, ctx, n, 0, 0, {0}, 0, {0}};
  gsl_multimin_fdfminimizer *s = NULL;
  gsl_vector *x = NULL;
  double f, g[16];
  int rc = CLV_OK, iter = 0;
  clv__gsl_init();
  memset(res, 0, sizeof *res);
  if (n < 1 || n > 16)
    return CLV_EINVAL;
  b.evals++;
  rc = fdf(ctx, theta, &f, g);
  if (rc == CLV_OK && !isfinite(f))
    rc = CLV_ENUMERIC;
  if (rc) {
    res->why = "the log-likelihood is not finite at the start values";
    res->why_zh = "起始值处的对数似然不是有限值";
    goto done;
  }
  x = gsl_vector_alloc((size_t)n);
  s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2,
                                      (size_t)n);
  if (x == NULL || s == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (int i = 0; i < n; i++)
    gsl_vector_set(x, (size_t)i, theta[i]);
  gsl_multimin_function_fdf fn = {f_only, df_only, f_and_df, (size_t)n, &b};
  if (gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1) != GSL_SUCCESS) {
    rc = CLV_ENUMERIC;
    res->why = "the optimiser could not start";
    res->why_zh = "优化器无法启动";
    goto done;
  }
  res->why = "the iteration limit was reached";
  res->why_zh = "达到了迭代次数上限";
  while (iter < o->max_iter) {
    iter++;
    int st = gsl_multimin_fdfminimizer_iterate(s);
    if (st == GSL_ENOPROG) {
      res->why = "the line search made no progress";
      res->why_zh = "线搜索没有进展";
      break;
    }
    if (st != GSL_SUCCESS) {
      res->why = "the optimiser stopped with an error";
      res->why_zh = "优化器因错误而停止";
      break;
    }
    if (gsl_multimin_test_gradient(s->gradient, o->gtol) == GSL_SUCCESS)
      break;
  }
  for (int i = 0; i < n; i++) {
    theta[i] = gsl_vector_get(s->x, (size_t)i);
    g[i] = gsl_vector_get(s->gradient, (size_t)i);
  }
  f = s->f;
  if (f < 1e300)
    polish(&b, n, theta, &f, g, o->gtol);
  res->grad_norm = norm2(n, g);
  res->converged = f < 1e300 && res->grad_norm <= o->gtol;
  if (res->converged) {
    res->why = NULL;
    res->why_zh = NULL;
  }
done:
  res->f = f;
  res->iterations = iter;
  res->evaluations = b.evals;
  gsl_multimin_fdfminimizer_free(s);
  gsl_vector_free(x);
  return rc;
}

int clv__chord(clv__fdf_fn fdf, void *ctx, int n, double *theta,
               const double *Hinv, const clv__optim_opts *o,
               clv__optim_result *res) {
  double f, g[16], th[16], fn, gn[16];
  int slow = 0, iter = 0, evals = 0;
  memset(res, 0, sizeof *res);
  if (n < 1 || n > 16)
    return CLV_EINVAL;
  evals++;
  if (fdf(ctx, theta, &f, g) != CLV_OK || !isfinite(f)) {
    res->why = "the log-likelihood is not finite at the start values";
    res->why_zh = "起始值处的对数似然不是有限值";
    res->evaluations = evals;
    return CLV_ENUMERIC;
  }
  res->why = "the iteration limit was reached";
  res->why_zh = "达到了迭代次数上限";
  while (iter < o->max_iter && norm2(n, g) > 1e-3 * o->gtol) {
    double t = 1.0, gnorm = norm2(n, g);
    int ok = 0;
    iter++;
    /* The step of a fixed Hessian, halved while it makes f worse. */
    for (int half = 0; half < 6 && !ok; half++, t *= 0.5) {
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++)
          s += Hinv[i * n + j] * g[j];
        th[i] = theta[i] - t * s;
      }
      evals++;
      ok = fdf(ctx, th, &fn, gn) == CLV_OK && isfinite(fn) &&
           (fn <= f + 1e-13 * fabs(f) || norm2(n, gn) < gnorm);
      for (int i = 0; ok && i < n; i++)
        ok = isfinite(gn[i]);
    }
    if (!ok) {
      res->why = "the Newton step made no progress";
      res->why_zh = "牛顿步没有进展";
      break;
    }
    memcpy(theta, th, (size_t)n * sizeof(double));
    memcpy(g, gn, (size_t)n * sizeof(double));
    f = fn;
    /* Rounding stops the gradient from shrinking near the optimum. */
    slow = norm2(n, g) > 0.5 * gnorm ? slow + 1 : 0;
    if (slow >= 3)
      break;
  }
  res->f = f;
  res->grad_norm = norm2(n, g);
  res->iterations = iter;
  res->evaluations = evals;
  res->converged = res->grad_norm <= o->gtol;
  if (res->converged) {
    res->why = NULL;
    res->why_zh = NULL;
  }
  return CLV_OK;
}
