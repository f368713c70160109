/*
 * retention.c - the sBG retention model's data and fit: cohort survivor
 * counts and per-customer tenure -> the sufficient statistics of the
 * shifted-beta-geometric likelihood (Fader & Hardie 2007, Journal of
 * Interactive Marketing 21(1)), maximum likelihood with the shared
 * optimiser, and the predictions and subscriber values of Fader & Hardie
 * (2010, Marketing Science 29(1)). The mathematics is in models/sbg.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv.h"
#include "clv/retention.h"
#include "models/sbg.h"
#include "optim.h"
#include "special.h"

/* A renewal count beyond this is a data error, not a subscriber: it would
 * only make the arrays below huge. */
#define MAX_RENEWALS 10000000L

struct clv_retention_data {
  double *churn; /* churn[t]: customers who churned in period t (t >= 1) */
  double *alive; /* alive[t]: customers active after t renewals (censored) */
  long cap;      /* both arrays have cap + 1 entries */
  long tmax;     /* the largest t with data */
  double customers;
};

struct clv_sbg {
  double p[2], se[2];
  double loglik, customers, grad_norm;
  int iterations, converged;
};

static void set_err(clv_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(clv_error *err, int status, const char *fmt, ...) {
  va_list ap;
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = status;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

int clv_retention_data_new(clv_retention_data **out) {
  if (out == NULL)
    return CLV_EINVAL;
  *out = calloc(1, sizeof **out);
  return *out ? CLV_OK : CLV_ENOMEM;
}

void clv_retention_data_free(clv_retention_data *d) {
  if (d == NULL)
    return;
  free(d->churn);
  free(d->alive);
  free(d);
}

/* Makes room for periods 0..t, doubling so that adding customers one by one
 * stays linear. */
static int reserve(clv_retention_data *d, long t) {
  if (d->churn != NULL && t <= d->cap)
    return CLV_OK;
  long from = d->alive != NULL ? d->cap + 1 : 0, cap = 16;
  while (cap < t)
    cap *= 2;
  double *c = realloc(d->churn, (size_t)(cap + 1) * sizeof *c);
  if (c == NULL)
    return CLV_ENOMEM;
  d->churn = c;
  double *a = realloc(d->alive, (size_t)(cap + 1) * sizeof *a);
  if (a == NULL)
    return CLV_ENOMEM;
  d->alive = a;
  for (long i = from; i <= cap; i++)
    c[i] = a[i] = 0;
  d->cap = cap;
  return CLV_OK;
}

int clv_retention_data_add_cohort(clv_retention_data *d, const double *sv,
                                  size_t n, clv_error *err) {
  int rc;
  if (d == NULL || sv == NULL) {
    set_err(err, CLV_EINVAL, "no data");
    return CLV_EINVAL;
  }
  if (n < 2 || n - 1 > (size_t)MAX_RENEWALS) {
    set_err(err, CLV_EDOMAIN,
            "a cohort needs survivor counts for period 0 and at least one "
            "later period, got %zu value%s",
            n, n == 1 ? "" : "s");
    return CLV_EDOMAIN;
  }
  for (size_t t = 0; t < n; t++) {
    if (!isfinite(sv[t]) || sv[t] < 0) {
      set_err(err, CLV_EDOMAIN,
              "expected a survivor count >= 0 for period %zu, got %g", t,
              sv[t]);
      return CLV_EDOMAIN;
    }
    if (t == 0 && !(sv[0] > 0)) {
      set_err(err, CLV_EDOMAIN,
              "expected a cohort size > 0 at period 0, got %g", sv[0]);
      return CLV_EDOMAIN;
    }
    if (t > 0 && sv[t] > sv[t - 1]) {
      set_err(err, CLV_EDOMAIN,
              "survivor counts cannot increase: %g at period %zu after %g",
              sv[t], t, sv[t - 1]);
      return CLV_EDOMAIN;
    }
  }
  long tn = (long)n - 1;
  rc = reserve(d, tn);
  if (rc)
    return rc;
  /* The n_{t-1} - n_t customers lost between two counts churned in period
   * t; the last count is right-censored (FH07 appendix B). */
  for (long t = 1; t <= tn; t++)
    d->churn[t] += sv[t - 1] - sv[t];
  d->alive[tn] += sv[tn];
  if (tn > d->tmax)
    d->tmax = tn;
  d->customers += sv[0];
  return CLV_OK;
}

int clv_retention_data_add_customer(clv_retention_data *d, long renewals,
                                    int churned, double weight) {
  if (d == NULL)
    return CLV_EINVAL;
  if (renewals < 0 || renewals >= MAX_RENEWALS || !isfinite(weight) ||
      weight < 0)
    return CLV_EDOMAIN;
  long t = churned ? renewals + 1 : renewals;
  int rc = reserve(d, t);
  if (rc)
    return rc;
  if (churned)
    d->churn[t] += weight;
  else
    d->alive[t] += weight;
  if (t > d->tmax)
    d->tmax = t;
  d->customers += weight;
  return CLV_OK;
}

double clv_retention_data_customers(const clv_retention_data *d) {
  return d ? d->customers : 0;
}

long clv_retention_data_periods(const clv_retention_data *d) {
  return d ? d->tmax : 0;
}

/* ---- fit ---------------------------------------------------------------- */

void clv_sbg_fit_opts_init(clv_sbg_fit_opts *o) {
  o->max_iter = 500;
  o->gtol = 1e-9;
  o->starts = 4;
  o->start[0] = 1; /* FH07's spreadsheet starts at alpha = beta = 1 */
  o->start[1] = 1;
}

typedef struct fit_ctx {
  const clv_retention_data *d;
  double scale; /* 1 / customers during the search, 1 for the Hessian */
} fit_ctx;

/* The objective on theta = (log alpha, log beta): -LL * scale, with the
 * chain rule dLL/dtheta_i = p_i dLL/dp_i. */
static int objective(void *vctx, const double *theta, double *f, double *grad) {
  const fit_ctx *c = vctx;
  double p[2] = {exp(theta[0]), exp(theta[1])}, ll, g[2];
  int rc =
      clv__sbg_loglik(p[0], p[1], c->d->churn, c->d->alive, c->d->tmax, &ll, g);
  if (rc)
    return rc;
  *f = -ll * c->scale;
  grad[0] = -g[0] * p[0] * c->scale;
  grad[1] = -g[1] * p[1] * c->scale;
  return CLV_OK;
}

/* A log-parameter this far out means the likelihood keeps rising towards
 * the edge of the domain: the data do not identify the model. */
#define THETA_EDGE 16.0

static clv_sbg *sbg_alloc(double alpha, double beta) {
  clv_sbg *m = calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->p[0] = alpha;
  m->p[1] = beta;
  m->se[0] = m->se[1] = NAN;
  m->loglik = NAN;
  m->grad_norm = NAN;
  return m;
}

int clv_sbg_fit(const clv_retention_data *d, const clv_sbg_fit_opts *o,
                clv_sbg **out, clv_error *err) {
  clv_sbg_fit_opts def;
  clv_sbg *m = NULL;
  double theta[2], best[2], H[4], inv[4];
  char why[256] = "";
  int rc, found = 0, iters = 0;
  if (err)
    clv_error_clear(err);
  if (out == NULL || d == NULL) {
    rc = CLV_EINVAL;
    goto fail;
  }
  *out = NULL;
  clv__gsl_init();
  if (o == NULL) {
    clv_sbg_fit_opts_init(&def);
    o = &def;
  }
  if (o->max_iter < 1 || !(o->gtol > 0) || o->starts < 1 ||
      !(o->start[0] > 0) || !(o->start[1] > 0) || !isfinite(o->start[0]) ||
      !isfinite(o->start[1])) {
    rc = CLV_EINVAL;
    set_err(err, rc, "invalid sBG fit options");
    goto fail;
  }
  if (!(d->customers > 0) || d->tmax < 1) {
    rc = CLV_EEMPTY;
    set_err(err, rc, "no customers observed beyond period 0");
    goto fail;
  }
  /* Two kinds of data have no maximum inside the domain; saying which is
   * more useful than an optimiser running off to infinity. */
  double churned = 0, stayed = 0;
  for (long t = 1; t <= d->tmax; t++) {
    churned += d->churn[t];
    stayed += d->alive[t] + (t >= 2 ? d->churn[t] : 0);
  }
  if (!(churned > 0) || !(stayed > 0)) {
    rc = CLV_ENOCONV;
    set_err(err, rc,
            "%s: the data do not identify the sBG model (the likelihood "
            "keeps rising towards the edge of the parameter space)",
            churned > 0 ? "every customer churned at the first renewal "
                          "decision"
                        : "nobody churned");
    goto fail;
  }
  m = sbg_alloc(o->start[0], o->start[1]);
  if (m == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  fit_ctx ctx = {d, 1.0 / d->customers};
  clv__optim_opts oo = {o->max_iter, o->gtol};
  for (int k = 0; k < o->starts && !found; k++) {
    clv__optim_result res;
    /* Later starts spread out by a factor e^(+-1.5) in both parameters, in
     * alternating directions, in case the first one starts infeasible. */
    double s = 1.5 * (double)((k + 1) / 2) * (k % 2 ? 1 : -1);
    theta[0] = log(o->start[0]) + s;
    theta[1] = log(o->start[1]) + s;
    rc = clv__minimize(objective, &ctx, 2, theta, &oo, &res);
    iters += res.iterations;
    if (rc == CLV_ENOMEM)
      goto fail;
    if (rc) {
      snprintf(why, sizeof why, "the likelihood is not finite at the start");
      continue;
    }
    if (!res.converged) {
      /* Both parameters far out along the ridge alpha/(alpha+beta) = const
       * is the homogeneous limit, which the sBG model only approaches. */
      if (theta[0] > 8 && theta[1] > 8)
        snprintf(why, sizeof why,
                 "alpha and beta grow together without bound: the data show "
                 "no heterogeneity (a constant churn probability of about "
                 "%.4g), the geometric limit of the sBG model",
                 1 / (1 + exp(theta[1] - theta[0])));
      else
        snprintf(why, sizeof why, "%s", res.why ? res.why : "did not converge");
      continue;
    }
    if (fabs(theta[0]) > THETA_EDGE || fabs(theta[1]) > THETA_EDGE) {
      snprintf(why, sizeof why,
               "%s ran to %.3g, the edge of its domain: the data do not "
               "identify the model (does anybody churn, does anybody stay?)",
               fabs(theta[0]) > THETA_EDGE ? "alpha" : "beta",
               exp(fabs(theta[0]) > THETA_EDGE ? theta[0] : theta[1]));
      continue;
    }
    found = 1;
    best[0] = theta[0];
    best[1] = theta[1];
    m->grad_norm = res.grad_norm;
  }
  m->iterations = iters;
  if (!found) {
    rc = CLV_ENOCONV;
    set_err(err, rc, "the sBG fit did not converge from %d start%s: %s",
            o->starts, o->starts > 1 ? "s" : "", why);
    goto fail;
  }
  m->p[0] = exp(best[0]);
  m->p[1] = exp(best[1]);
  rc = clv__sbg_loglik(m->p[0], m->p[1], d->churn, d->alive, d->tmax,
                       &m->loglik, NULL);
  if (rc)
    goto fail;
  /* Standard errors: the inverse Hessian of -LL in theta, and the delta
   * method se(p_i) = p_i se(theta_i). */
  ctx.scale = 1.0;
  int evals = 0;
  if (clv__hessian(objective, &ctx, 2, best, 1e-4, H, &evals) == CLV_OK &&
      clv__spd_inverse(2, H, inv) == CLV_OK) {
    m->se[0] = m->p[0] * sqrt(inv[0]);
    m->se[1] = m->p[1] * sqrt(inv[3]);
  }
  m->customers = d->customers;
  m->converged = 1;
  *out = m;
  m = NULL;
  rc = CLV_OK;
fail:
  free(m);
  return rc;
}

int clv_sbg_new(double alpha, double beta, clv_sbg **out) {
  if (out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (!(alpha > 0) || !(beta > 0) || !isfinite(alpha) || !isfinite(beta))
    return CLV_EDOMAIN;
  *out = sbg_alloc(alpha, beta);
  return *out ? CLV_OK : CLV_ENOMEM;
}

void clv_sbg_free(clv_sbg *m) {
  free(m);
}

double clv_sbg_alpha(const clv_sbg *m) {
  return m->p[0];
}
double clv_sbg_beta(const clv_sbg *m) {
  return m->p[1];
}
double clv_sbg_se_alpha(const clv_sbg *m) {
  return m->se[0];
}
double clv_sbg_se_beta(const clv_sbg *m) {
  return m->se[1];
}
double clv_sbg_loglik(const clv_sbg *m) {
  return m->loglik;
}
double clv_sbg_customers(const clv_sbg *m) {
  return m->customers;
}
double clv_sbg_grad_norm(const clv_sbg *m) {
  return m->grad_norm;
}
int clv_sbg_iterations(const clv_sbg *m) {
  return m->iterations;
}
int clv_sbg_converged(const clv_sbg *m) {
  return m->converged;
}

int clv_sbg_data_loglik(const clv_sbg *m, const clv_retention_data *d,
                        double *ll, double *grad) {
  if (m == NULL || d == NULL || ll == NULL)
    return CLV_EINVAL;
  if (!(d->customers > 0))
    return CLV_EEMPTY;
  return clv__sbg_loglik(m->p[0], m->p[1], d->churn, d->alive, d->tmax, ll,
                         grad);
}

/* ---- predictions
 * -------------------------------------------------------------- */

int clv_sbg_survival(const clv_sbg *m, long tmax, double *s) {
  if (m == NULL || s == NULL || tmax < 0)
    return CLV_EINVAL;
  return clv__sbg_survival(m->p[0], m->p[1], tmax, s);
}

int clv_sbg_churn_pmf(const clv_sbg *m, long t, double *p) {
  if (m == NULL || p == NULL || t < 1)
    return CLV_EINVAL;
  clv__gsl_init();
  double v = exp(clv__sbg_log_pmf(m->p[0], m->p[1], (double)t));
  if (!isfinite(v))
    return CLV_ENUMERIC;
  *p = v;
  return CLV_OK;
}

int clv_sbg_retention_rate(const clv_sbg *m, long t, double *r) {
  if (m == NULL || r == NULL || t < 1)
    return CLV_EINVAL;
  *r = clv__sbg_retention(m->p[0], m->p[1], (double)t);
  return CLV_OK;
}

int clv_sbg_derl(const clv_sbg *m, double discount_rate, long renewals,
                 double *out) {
  if (m == NULL || out == NULL || renewals < 0)
    return CLV_EINVAL;
  clv__gsl_init();
  return clv__sbg_derl(m->p[0], m->p[1], discount_rate, (double)renewals, out);
}

int clv_sbg_del(const clv_sbg *m, double discount_rate, double *out) {
  if (m == NULL || out == NULL)
    return CLV_EINVAL;
  clv__gsl_init();
  return clv__sbg_del(m->p[0], m->p[1], discount_rate, out);
}

void clv_sbg_value_opts_init(clv_sbg_value_opts *o) {
  o->value = 1;
  o->margin = 1;
  o->discount_rate = 0.1;
}

static int value_ok(const clv_sbg_value_opts *o) {
  return o != NULL && isfinite(o->value) && isfinite(o->margin);
}

int clv_sbg_new_subscriber_value(const clv_sbg *m, const clv_sbg_value_opts *o,
                                 double *out) {
  double del;
  if (!value_ok(o) || out == NULL)
    return CLV_EINVAL;
  int rc = clv_sbg_del(m, o->discount_rate, &del);
  if (rc == CLV_OK)
    *out = o->margin * o->value * del;
  return rc;
}

int clv_sbg_subscriber_value(const clv_sbg *m, const clv_sbg_value_opts *o,
                             long renewals, double *out) {
  double derl;
  if (!value_ok(o) || out == NULL)
    return CLV_EINVAL;
  int rc = clv_sbg_derl(m, o->discount_rate, renewals, &derl);
  if (rc == CLV_OK)
    *out = o->margin * o->value * derl;
  return rc;
}
