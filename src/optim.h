/*
 * optim.h - unconstrained minimisation for the maximum-likelihood fits
 * (internal): GSL's BFGS (vector_bfgs2) followed by Newton polishing with a
 * Hessian from central differences of the analytic gradient, and standard
 * errors from the inverse Hessian.
 */
#ifndef CLV_OPTIM_H
#define CLV_OPTIM_H

/* An objective f(theta) with gradient; returns CLV_OK or a status (then the
 * optimiser treats the point as infeasible). */
typedef int (*clv__fdf_fn)(void *ctx, const double *theta, double *f,
                           double *grad);

typedef struct clv__optim_opts {
  int max_iter;
  double gtol; /* on the Euclidean norm of the gradient */
} clv__optim_opts;

typedef struct clv__optim_result {
  double f, grad_norm;
  int iterations, evaluations, converged;
  const char *why;    /* static text when not converged */
  const char *why_zh; /* the same in Chinese (UTF-8) */
} clv__optim_result;

/* Minimises f over R^n from theta (overwritten with the best point found).
 * Returns CLV_OK (res->converged says whether gtol was reached),
 * CLV_ENUMERIC (the start is infeasible) or CLV_ENOMEM. */
int clv__minimize(clv__fdf_fn fdf, void *ctx, int n, double *theta,
                  const clv__optim_opts *o, clv__optim_result *res);

/* Newton iterations with a fixed inverse Hessian Hinv (n x n, row-major;
 * for instance from a fit on a subsample): theta -= Hinv g, the step halved
 * while it makes f worse, until the gradient norm is 1e-3 gtol or stops
 * shrinking. Each iteration costs one evaluation, and with a Hessian within a
 * few per cent of the true one every iteration gains more than a digit.
 * Returns as clv__minimize(). */
int clv__chord(clv__fdf_fn fdf, void *ctx, int n, double *theta,
               const double *Hinv, const clv__optim_opts *o,
               clv__optim_result *res);

/* Hessian H (n x n, row-major) of f at theta by central differences of the
 * gradient with step h, symmetrised. *evals is increased by 2n. */
int clv__hessian(clv__fdf_fn fdf, void *ctx, int n, const double *theta,
                 double h, double *H, int *evals);

/* Inverts the symmetric matrix H (n x n) into inv by Cholesky. Returns
 * CLV_OK or CLV_ENUMERIC when H is not positive definite. */
int clv__spd_inverse(int n, const double *H, double *inv);

#endif
