/*
 * gg.c - the Gamma-Gamma model of spend per transaction: Fader, Hardie &
 * Lee (2005), "RFM and CLV: using iso-value curves for customer base
 * analysis", Journal of Marketing Research 42(4) 415-430, and Fader &
 * Hardie (2013), "The Gamma-Gamma model of monetary value" (note 025).
 *
 * Spend per transaction z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across
 * customers. Parameters in this order: p, q, gamma. Data: x repeat purchases
 * (only x > 0 carry information) and m_x their mean value.
 */
#include <math.h>
#include <stdlib.h>

#include "model.h"
#include "special.h"

enum { P, Q, G };

static const char *const names[] = {"p", "q", "gamma"};

/* Customers without repeat purchases have no m_x: skipped, as in the paper.
 * A repeat buyer must have spent something. */
static int row_use(const double *k, const char **why) {
  if (k[0] == 0)
    return 0;
  /* Repeat buyers whose repeat purchases were all free (m = 0: gifts,
   * coupons, CDNOW's $0 orders) have no spend for the Gamma likelihood, whose
   * density is 0 at 0. They are left out of the fit and counted; their
   * E(M | x, 0) is still defined and is predicted as for everyone else. A
   * negative or non-finite mean is a data error. */
  if (k[1] == 0) {
    *why = "repeat buyers with monetary_value 0 (only free repeat orders)";
    return 2;
  }
  if (!(k[1] > 0) || !isfinite(k[1])) {
    *why = "the Gamma-Gamma model needs monetary_value > 0 for customers "
           "with frequency > 0";
    return -1;
  }
  return 1;
}

/*
 * Start values by the method of moments, so that the fit starts close to the
 * optimum instead of spending a hundred iterations getting there. Given nu,
 * m_x ~ Gamma(p x, x nu); with nu ~ Gamma(q, gamma), E[1/nu] = gamma/(q-1)
 * and Var(1/nu) = gamma^2 / ((q-1)^2 (q-2)), so
 *   E[m_x] = M = p gamma / (q-1),
 *   Var(m_x) = A / x + B,  A = p gamma^2 / ((q-1)(q-2)),
 *                          B = p^2 gamma^2 / ((q-1)^2 (q-2)).
 * A and B come from a weighted least-squares line through the per-x
 * variances of m_x against 1/x; then q = 2 + M^2 / B, p = B (q-1) / A and
 * gamma = M (q-1) / p. When the moments do not pin them down (q <= 2 has no
 * variance, too few distinct x) the start is p = 1, q = 2 and gamma the mean
 * spend, which gives the right order for E(M) whatever the currency.
 */
static void start(const clv__data *d, double *p) {
  double sw = 0, sm = 0;
  double *mx = NULL, *m2 = NULL, *nx = NULL;
  for (size_t i = 0; i < d->n; i++) {
    sw += d->w[i];
    sm += d->w[i] * d->k[1][i];
  }
  p[P] = 1.0;
  p[Q] = 2.0;
  p[G] = sw > 0 && sm > 0 ? sm / sw : 1.0;
  mx = calloc(d->nx, sizeof *mx);
  m2 = calloc(d->nx, sizeof *m2);
  nx = calloc(d->nx, sizeof *nx);
  if (mx == NULL || m2 == NULL || nx == NULL || !(sw > 0))
    goto done;
  for (size_t i = 0; i < d->n; i++) {
    uint32_t j = d->ix[i];
    nx[j] += d->w[i];
    mx[j] += d->w[i] * d->k[1][i];
    m2[j] += d->w[i] * d->k[1][i] * d->k[1][i];
  }
  /* Weighted regression of v_j on u_j = 1/x_j, weights n_j - 1. */
  double s0 = 0, su = 0, sv = 0, suu = 0, suv = 0;
  for (size_t j = 0; j < d->nx; j++) {
    if (nx[j] < 2)
      continue;
    double mean = mx[j] / nx[j];
    double v = (m2[j] - nx[j] * mean * mean) / (nx[j] - 1);
    double u = 1.0 / d->xs[j], wj = nx[j] - 1;
    s0 += wj;
    su += wj * u;
    sv += wj * v;
    suu += wj * u * u;
    suv += wj * u * v;
  }
  double det = s0 * suu - su * su;
  if (!(det > 1e-12 * s0 * suu))
    goto done;
  double A = (s0 * suv - su * sv) / det, B = (sv - A * su) / s0;
  double M = sm / sw;
  if (!(A > 0) || !(B > 0))
    goto done;
  double q = 2 + M * M / B, pp = B * (q - 1) / A, g = M * (q - 1) / pp;
  if (!(q < 1e6) || !(pp > 1e-6 && pp < 1e6) || !(g > 1e-9 && g < 1e12))
    goto done;
  p[P] = pp;
  p[Q] = q;
  p[G] = g;
done:
  free(mx);
  free(m2);
  free(nx);
}

/* aux: log m per row, a constant of the data. */
static void setup(clv__data *d) {
  for (size_t i = 0; i < d->n; i++)
    d->aux[i] = log(d->k[1][i]);
}

enum { X_L, X_DP, X_DQ, X_N };

static size_t work_size(const clv__data *d) {
  return X_N * d->nx;
}

/*
 * Note 025 eq. 4, the density of the mean m_x of x transactions:
 *   f(m_x | p, q, gamma, x) = Gamma(px+q) / (Gamma(px) Gamma(q))
 *       gamma^q x^(px) m_x^(px-1) / (gamma + x m_x)^(px+q).
 * log f = L(x) + q log gamma + (px-1) log m_x - (px+q) log(gamma + x m_x),
 *   L(x) = log Gamma(px+q) - log Gamma(px) - log Gamma(q) + px log x,
 * computed once per distinct x, with the x-only parts of the gradient:
 *   d/dp     = x (psi(px+q) - psi(px) + log x + log m_x - log(gamma + x m_x))
 *   d/dq     = psi(px+q) - psi(q) + log gamma - log(gamma + x m_x)
 *   d/dgamma = q / gamma - (px+q) / (gamma + x m_x).
 */
static int prepare(const double *p, const clv__data *d, double *work) {
  double pp = p[P], q = p[Q], lgq = clv__lngamma(q), pq = clv__digamma(q);
  for (size_t j = 0; j < d->nx; j++) {
    double x = d->xs[j], *e = work + X_N * j;
    double px = pp * x, ppq = clv__digamma(px + q);
    e[X_L] = clv__lngamma(px + q) - clv__lngamma(px) - lgq + px * log(x);
    e[X_DP] = x * (ppq - clv__digamma(px) + log(x));
    e[X_DQ] = ppq - pq;
    for (int i = 0; i < X_N; i++)
      if (!isfinite(e[i]))
        return CLV_ENUMERIC;
  }
  return CLV_OK;
}

static void ll_block(const double *p, const clv__data *d, const double *work,
                     size_t begin, size_t end, double *ll, double *grad) {
  double pp = p[P], q = p[Q], g = p[G], lg = log(g);
  double sl = 0, sp = 0, sq = 0, sg = 0;
  for (size_t i = begin; i < end; i++) {
    const double *e = work + X_N * d->ix[i];
    double x = d->k[0][i], m = d->k[1][i], wi = d->w[i], lm = d->aux[i];
    double px = pp * x, gxm = g + x * m, lgxm = log(gxm);
    sl += wi * (e[X_L] + q * lg + (px - 1) * lm - (px + q) * lgxm);
    sp += wi * (e[X_DP] + x * (lm - lgxm));
    sq += wi * (e[X_DQ] + lg - lgxm);
    sg += wi * (q / g - (px + q) / gxm);
  }
  *ll += sl;
  grad[P] += sp;
  grad[Q] += sq;
  grad[G] += sg;
}

/* Note 025 eq. 4 term by term (the tests compare it with the fast path). */
static double row_ll(const double *p, const double *k) {
  double pp = p[P], q = p[Q], g = p[G], x = k[0], m = k[1];
  return clv__lngamma(pp * x + q) - clv__lngamma(pp * x) - clv__lngamma(q) +
         q * log(g) + pp * x * log(x) + (pp * x - 1) * log(m) -
         (pp * x + q) * log(g + x * m);
}

/* Note 025 eq. 5 / FHL (2005b) eq. 5:
 *   E(M | p, q, gamma, m_x, x) = (p (gamma + x m_x)) / (p x + q - 1),
 * a weighted mean of the population mean p gamma / (q-1) and m_x. */
static double spend(const double *p, double x, double m) {
  if (x == 0)
    return p[Q] > 1 ? p[P] * p[G] / (p[Q] - 1) : NAN;
  double den = p[P] * x + p[Q] - 1;
  return den > 0 ? p[P] * (p[G] + x * m) / den : NAN;
}

static double spend_mean(const double *p) {
  return p[Q] > 1 ? p[P] * p[G] / (p[Q] - 1) : NAN;
}

const clv__family clv__family_gg = {
    .name = "gg",
    .kind = CLV__KIND_SPEND,
    .np = 3,
    .pnames = names,
    .key = {CLV_COL_X, CLV_COL_M, -1},
    .time_keys = 0,
    .row_use = row_use,
    .excluded_why_zh = "复购金额为 0 的复购客户（复购订单均为免费）",
    .start = start,
    .naux = 1,
    .setup = setup,
    .work_size = work_size,
    .prepare = prepare,
    .ll_block = ll_block,
    .row_ll = row_ll,
    .spend = spend,
    .spend_mean = spend_mean,
    .simulate = NULL,
};
