/*
 * sbg.c - the shifted-beta-geometric (sBG) model of contract renewals:
 * Fader & Hardie (2007), "How to project customer retention", Journal of
 * Interactive Marketing 21(1) 76-90 (FH07), and the valuation formulas of
 * Fader & Hardie (2010), "Customer-base valuation in a contractual setting:
 * the perils of ignoring heterogeneity", Marketing Science 29(1) 85-93
 * (FH10). Only the mathematics: input handling and fitting are in
 * retention.c.
 *
 * Story (FH07 section 3): at the end of each period a customer churns with
 * probability theta, constant over time; theta ~ Beta(alpha, beta) across
 * customers. T, the period in which the customer churns, is then
 * shifted-geometric given theta: P(T = t | theta) = theta (1 - theta)^(t-1)
 * and S(t | theta) = (1 - theta)^t, t = 1, 2, ...
 */
#include "models/sbg.h"

#include <math.h>

#include "clv/status.h"
#include "special.h"

/* FH07 section 3, P(T = t | alpha, beta), theta integrated out:
 *   P(T = t | alpha, beta) = B(alpha + 1, beta + t - 1) / B(alpha, beta). */
double clv__sbg_log_pmf(double alpha, double beta, double t) {
  if (!(t >= 1))
    return NAN;
  return clv__lnbeta(alpha + 1, beta + t - 1) - clv__lnbeta(alpha, beta);
}

/* FH07 section 3, the survivor function:
 *   S(t | alpha, beta) = B(alpha, beta + t) / B(alpha, beta). */
double clv__sbg_log_surv(double alpha, double beta, double t) {
  if (!(t >= 0))
    return NAN;
  return clv__lnbeta(alpha, beta + t) - clv__lnbeta(alpha, beta);
}

/* The derivatives of the two log-beta ratios above; with psi the digamma
 * function, d/dx log B(x, y) = psi(x) - psi(x + y):
 *   d log P / d alpha = psi(alpha+1) - psi(alpha+beta+t) - psi(alpha)
 *                       + psi(alpha+beta)
 *   d log P / d beta  = psi(beta+t-1) - psi(alpha+beta+t) - psi(beta)
 *                       + psi(alpha+beta) */
double clv__sbg_log_pmf_grad(double alpha, double beta, double t, double *g) {
  double ab = clv__digamma(alpha + beta), abt = clv__digamma(alpha + beta + t);
  g[0] = clv__digamma(alpha + 1) - abt - clv__digamma(alpha) + ab;
  g[1] = clv__digamma(beta + t - 1) - abt - clv__digamma(beta) + ab;
  return clv__sbg_log_pmf(alpha, beta, t);
}

/*   d log S / d alpha = psi(alpha+beta) - psi(alpha+beta+t)
 *   d log S / d beta  = psi(beta+t) - psi(alpha+beta+t) - psi(beta)
 *                       + psi(alpha+beta) */
double clv__sbg_log_surv_grad(double alpha, double beta, double t, double *g) {
  double ab = clv__digamma(alpha + beta), abt = clv__digamma(alpha + beta + t);
  g[0] = ab - abt;
  g[1] = clv__digamma(beta + t) - abt - clv__digamma(beta) + ab;
  return clv__sbg_log_surv(alpha, beta, t);
}

static int valid(double alpha, double beta) {
  return alpha > 0 && beta > 0 && isfinite(alpha) && isfinite(beta);
}

/*
 * FH07 appendix B, the log-likelihood of a cohort observed for n periods,
 *   LL = sum_{t=1..n} (n_{t-1} - n_t) log P(T = t) + n_n log S(n),
 * generalised to censoring at any t (tenure data). It runs on FH07's
 * recursions in log space instead of log-beta functions:
 *   S(t) = S(t-1) r_t,  r_t = (beta + t - 1) / (alpha + beta + t - 1),
 *   P(T = t) = S(t-1) - S(t) = S(t-1) alpha / (alpha + beta + t - 1),
 * which is FH07's P(T = 1) = alpha / (alpha + beta), P(T = t) =
 * (beta + t - 2) / (alpha + beta + t - 1) P(T = t - 1) rearranged. Sums of
 * logs cannot underflow where the products would (t in the thousands).
 * The gradient follows the same recursion: with x = alpha + beta + t - 1,
 *   d log S(t) / d alpha = d log S(t-1) / d alpha - 1/x,
 *   d log S(t) / d beta  = d log S(t-1) / d beta + 1/(beta + t - 1) - 1/x,
 * the telescoped form of the digamma differences of
 * clv__sbg_log_surv_grad() (psi(y + 1) = psi(y) + 1/y), exact and cheaper.
 */
int clv__sbg_loglik(double alpha, double beta, const double *churn,
                    const double *alive, long tmax, double *ll, double *grad) {
  if (!valid(alpha, beta))
    return CLV_EDOMAIN;
  double la = log(alpha), ls = 0, sa = 0, sb = 0;
  double l = 0, ga = 0, gb = 0; /* alive[0] adds log S(0) = 0 */
  for (long t = 1; t <= tmax; t++) {
    double x = alpha + beta + (double)(t - 1), y = beta + (double)(t - 1);
    double lx = log(x), ix = 1.0 / x;
    if (churn[t] != 0) {
      /* log P(T = t) = log S(t-1) + log alpha - log x. */
      l += churn[t] * (ls + la - lx);
      ga += churn[t] * (sa + 1.0 / alpha - ix);
      gb += churn[t] * (sb - ix);
    }
    ls += log(y) - lx;
    sa -= ix;
    sb += 1.0 / y - ix;
    if (alive[t] != 0) {
      l += alive[t] * ls;
      ga += alive[t] * sa;
      gb += alive[t] * sb;
    }
  }
  if (!isfinite(l) || !isfinite(ga) || !isfinite(gb))
    return CLV_ENUMERIC;
  *ll = l;
  if (grad) {
    grad[0] = ga;
    grad[1] = gb;
  }
  return CLV_OK;
}

/* FH07's survivor recursion S(0) = 1, S(t) = r_t S(t - 1), in log space. */
int clv__sbg_survival(double alpha, double beta, long tmax, double *s) {
  if (!valid(alpha, beta) || tmax < 0)
    return CLV_EDOMAIN;
  double ls = 0;
  s[0] = 1;
  for (long t = 1; t <= tmax; t++) {
    ls += log(beta + (double)(t - 1)) - log(alpha + beta + (double)(t - 1));
    s[t] = exp(ls);
  }
  return CLV_OK;
}

/* FH07 section 3, the retention rate implied by the model,
 *   r_t = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1),
 * which rises with t: the sorting of a heterogeneous cohort, not a change
 * in anybody's behaviour. */
double clv__sbg_retention(double alpha, double beta, double t) {
  if (!valid(alpha, beta) || !(t >= 1))
    return NAN;
  return (beta + t - 1) / (alpha + beta + t - 1);
}

/*
 * FH10 eq. (6), written for n renewals made (FH10 counts n - 1):
 *   DERL(d | alpha, beta, n) = sum_{k>=1} S(n+k) / S(n) / (1+d)^(k-1)
 *     = (beta + n) / (alpha + beta + n)
 *       2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d)).
 * Given n renewals theta's posterior is Beta(alpha, beta + n), and
 * E[(1-theta)^k] = (beta+n)_k / (alpha+beta+n)_k turns the sum into the
 * hypergeometric series. With d = 0 the series sums to
 * E[(1 - theta) / theta] = (beta + n) / (alpha - 1), finite only when
 * alpha > 1.
 */
int clv__sbg_derl(double alpha, double beta, double d, double n, double *out) {
  double lf;
  int sign, rc;
  if (!valid(alpha, beta) || !(d >= 0) || !isfinite(d) || !(n >= 0) ||
      !isfinite(n))
    return CLV_EDOMAIN;
  if (d == 0) {
    if (!(alpha > 1))
      return CLV_EDOMAIN;
    *out = (beta + n) / (alpha - 1);
    return CLV_OK;
  }
  rc = clv__log_hyp2f1(1, beta + n + 1, alpha + beta + n + 1, 1 / (1 + d), &lf,
                       &sign);
  if (rc)
    return rc;
  double v = (beta + n) / (alpha + beta + n) * sign * exp(lf);
  if (!isfinite(v) || !(v >= 0))
    return CLV_ENUMERIC;
  *out = v;
  return CLV_OK;
}

/*
 * FH10, the discounted expected lifetime of a customer at acquisition:
 *   DEL(d | alpha, beta) = sum_{t>=0} S(t) / (1+d)^t
 *     = 2F1(1, beta; alpha + beta; 1 / (1 + d)) = 1 + DERL(d, 0) / (1 + d),
 * the first period's payment being certain and immediate. With d = 0:
 * (alpha + beta - 1) / (alpha - 1), for alpha > 1.
 */
int clv__sbg_del(double alpha, double beta, double d, double *out) {
  double derl;
  int rc = clv__sbg_derl(alpha, beta, d, 0, &derl);
  if (rc)
    return rc;
  *out = 1 + derl / (1 + d);
  return CLV_OK;
}
