/*
 * bgnbd.c - the BG/NBD model of Fader, Hardie & Lee (2005), "Counting your
 * customers the easy way: an alternative to the Pareto/NBD model",
 * Marketing Science 24(2) 275-284, with the log-space evaluation of Fader &
 * Hardie (2013), "Overcoming the BG/NBD model's #NUM! error problem" (note
 * 027).
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after
 * each repeat purchase she drops out with probability p ~ Beta(a, b).
 * Parameters in this order: r, alpha, a, b. Data per customer: x repeat
 * purchases, t_x the time of the last one, T the time since the first.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "model.h"
#include "special.h"

enum { R, ALPHA, A, B };

static const char *const names[] = {"r", "alpha", "a", "b"};

static int row_use(const double *k, const char **why) {
  (void)k;
  (void)why;
  return 1;
}

/* Start values: r = 1 and alpha = r / (mean purchase rate), so that the
 * start's implied rate matches the data's; a = b = 1 (a uniform dropout
 * probability). */
static void start(const clv__data *d, double *p) {
  double sx = 0, sT = 0;
  for (size_t i = 0; i < d->n; i++) {
    sx += d->w[i] * d->k[0][i];
    sT += d->w[i] * d->k[2][i];
  }
  p[R] = 1.0;
  p[ALPHA] = sx > 0 && sT > 0 ? sT / sx : 1.0;
  if (!(p[ALPHA] > 1e-6 && p[ALPHA] < 1e6))
    p[ALPHA] = 1.0;
  p[A] = 1.0;
  p[B] = 1.0;
}

/* Scratch per evaluation: 6 numbers per distinct x, 2 per distinct time. */
enum { X_C, X_LRAT, X_DR, X_DA, X_DB, X_INVB, X_N };

static size_t work_size(const clv__data *d) {
  return X_N * d->nx + 2 * d->nt;
}

/*
 * FHL (2005) eq. 6 with the x-only factors separated. For a customer with
 * x > 0 the likelihood is
 *   L = Gamma(r+x) alpha^r / Gamma(r) * B(a, b+x) / B(a, b)
 *       * [ (alpha+T)^-(r+x) + a / (b+x-1) * (alpha+t_x)^-(r+x) ],
 * since B(a+1, b+x-1) / B(a, b+x) = a / (b+x-1). Taking logs,
 *   log L = C(x) + r log alpha - (r+x) log(alpha+T) + log(1 + e^u),
 *   C(x) = log (r)_x + log B(a, b+x) - log B(a, b),
 *   u    = log(a / (b+x-1)) + (r+x) (log(alpha+T) - log(alpha+t_x)),
 * so no power (alpha+T)^(r+x) is ever formed (note 027's #NUM! issue) and
 * log(1 + e^u) is evaluated without overflow. For x = 0 the bracket is
 * just (alpha+T)^-r. C(x), log(a/(b+x-1)) and the digamma terms of the
 * gradient depend on x only: computed here once per distinct x. log(alpha +
 * t) and 1/(alpha + t) are computed once per distinct time value.
 */
static int prepare(const double *p, const clv__data *d, double *work) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double lbab = clv__lnbeta(a, b), pr = clv__digamma(r);
  double pab = clv__digamma(a + b), pb = clv__digamma(b);
  double *xw = work, *tw = work + X_N * d->nx;
  for (size_t j = 0; j < d->nx; j++) {
    double x = d->xs[j], *e = xw + X_N * j;
    if (x == 0) {
      memset(e, 0, X_N * sizeof(double));
      continue;
    }
    double pabx = clv__digamma(a + b + x);
    e[X_C] = clv__lnpoch(r, x) + clv__lnbeta(a, b + x) - lbab;
    e[X_LRAT] = log(a) - log(b + x - 1);
    e[X_DR] = clv__digamma(r + x) - pr;
    e[X_DA] = pab - pabx;
    e[X_DB] = clv__digamma(b + x) - pb + pab - pabx;
    e[X_INVB] = 1.0 / (b + x - 1);
    for (int i = 0; i < X_N; i++)
      if (!isfinite(e[i]))
        return CLV_ENUMERIC;
  }
  for (size_t k = 0; k < d->nt; k++) {
    tw[2 * k] = log(al + d->ts[k]);
    tw[2 * k + 1] = 1.0 / (al + d->ts[k]);
  }
  return CLV_OK;
}

/*
 * Gradient of the log-likelihood above with respect to (r, alpha, a, b),
 * with s = e^u / (1 + e^u) the weight of the "alive at t_x, dropped at the
 * last purchase" term:
 *   d/dr     = psi(r+x) - psi(r) + log alpha - log(alpha+T)
 *              + s (log(alpha+T) - log(alpha+t_x))
 *   d/dalpha = r/alpha - (r+x)/(alpha+T)
 *              + s (r+x) (1/(alpha+T) - 1/(alpha+t_x))
 *   d/da     = psi(a+b) - psi(a+b+x) + s / a
 *   d/db     = psi(b+x) - psi(b) + psi(a+b) - psi(a+b+x) - s / (b+x-1)
 * (for x = 0: s = 0 and the digamma differences vanish).
 */
static void ll_block(const double *p, const clv__data *d, const double *work,
                     size_t begin, size_t end, double *ll, double *grad) {
  double r = p[R], al = p[ALPHA], a = p[A];
  const double *xw = work, *tw = work + X_N * d->nx;
  const double *w = d->w;
  const uint32_t *ix = d->ix, *i1 = d->i1, *i2 = d->i2;
  double sl = 0, sr = 0, sal = 0, sa = 0, sb = 0, sw = 0;
  for (size_t i = begin; i < end; i++) {
    const double *e = xw + X_N * ix[i];
    double x = d->xs[ix[i]], wi = w[i], rx = r + x;
    double lT = tw[2 * i2[i]], iT = tw[2 * i2[i] + 1];
    sw += wi;
    if (x == 0) {
      sl -= wi * r * lT;
      sr -= wi * lT;
      sal -= wi * r * iT;
      continue;
    }
    double lt = tw[2 * i1[i]], it = tw[2 * i1[i] + 1];
    double u = e[X_LRAT] + rx * (lT - lt);
    double q = exp(-fabs(u));
    double sp = (u > 0 ? u : 0) + log1p(q);
    double s = (u > 0 ? 1.0 : q) / (1.0 + q);
    sl += wi * (e[X_C] - rx * lT + sp);
    sr += wi * (e[X_DR] - lT + s * (lT - lt));
    sal += wi * rx * (s * (iT - it) - iT);
    sa += wi * (e[X_DA] + s / a);
    sb += wi * (e[X_DB] - s * e[X_INVB]);
  }
  double la = log(al);
  *ll += sl + sw * r * la;
  grad[R] += sr + sw * la;
  grad[ALPHA] += sal + sw * r / al;
  grad[A] += sa;
  grad[B] += sb;
}

/* FHL (2005) eq. 6 as printed (with the appendix's two terms A_1 and A_2),
 * each term in logs and combined by log-sum-exp. Independent of the fast
 * path above; the tests compare them. */
static double row_ll(const double *p, const double *k) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double x = k[0], tx = k[1], T = k[2];
  double common = clv__lngamma(r + x) - clv__lngamma(r) + r * log(al);
  double l1 = clv__lnbeta(a, b + x) - clv__lnbeta(a, b) - (r + x) * log(al + T);
  if (x == 0)
    return common + l1;
  double l2 = clv__lnbeta(a + 1, b + x - 1) - clv__lnbeta(a, b) -
              (r + x) * log(al + tx);
  return common + clv__logsumexp(l1, l2);
}

/* FHL (2005) eq. 11 (P(alive) in the appendix):
 *   P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1)
 *                               ((alpha+T)/(alpha+t_x))^(r+x)),
 * with the power taken in logs: 1 / (1 + e^u), u as in prepare(). */
static double p_alive(const double *p, double x, double tx, double T) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  if (x == 0)
    return 1.0;
  double u = log(a) - log(b + x - 1) + (r + x) * (log1p((T - tx) / (al + tx)));
  if (u > 0)
    return exp(-u) / (1.0 + exp(-u));
  return 1.0 / (1.0 + exp(u));
}

typedef struct jarg {
  double k, s;      /* g(p) = (1 - (1 + p s)^-k) / p */
  double a, B, lnb; /* the Beta(a, B) weight and log B(a, B) */
  int sub;          /* 0: plain p; 1: u = p^a; 2: v = (1-p)^B */
} jarg;

static double g_of_p(const jarg *j, double pp) {
  if (pp <= 0)
    return j->k * j->s;
  return -expm1(-j->k * log1p(pp * j->s)) / pp;
}

/* The integrand in the variable of the piece: plain p with the Beta density
 * in logs; or y = -a log p (sub 1), where p^(a-1) dp = e^(-y) dy / a, which
 * removes the singularity at p = 0 when a < 1 and spreads the region near 0
 * over a range of y of order 1; or y = -B log(1-p) (sub 2), likewise at 1. */
static double jfun(double y, void *v) {
  const jarg *j = v;
  double pp, lw;
  switch (j->sub) {
  case 1:
    pp = exp(-y / j->a);
    lw = (j->B - 1) * log1p(-pp) - y - log(j->a);
    break;
  case 2:
    pp = -expm1(-y / j->B);
    lw = (j->a - 1) * log(pp) - y - log(j->B);
    break;
  default:
    pp = y;
    if (pp <= 0 || pp >= 1)
      return 0;
    lw = (j->a - 1) * log(pp) + (j->B - 1) * log1p(-pp);
  }
  double v2 = g_of_p(j, pp) * exp(lw - j->lnb);
  return isfinite(v2) ? v2 : 0;
}

/* Integrates one piece of p: [lo, hi] for plain p, [lo, inf) in y for the
 * substitutions, with breakpoints where a narrow Beta density has its mass
 * and where g(p) falls from k s to about 1/p (p = 1/(k s), a sharp step
 * when k s is large). */
static int piece(jarg *j, gsl_integration_workspace *ws, double lo, double hi,
                 double mean, double sd, double *out) {
  double pts[12], c[9], res, abserr, tail = 0;
  size_t n = 0, nc = 0;
  gsl_function fn = {jfun, j};
  double pc = 1.0 / (j->k * j->s);
  static const double f[3] = {0.01, 1, 100};
  if (j->sub == 0) {
    c[nc++] = mean - 8 * sd;
    c[nc++] = mean;
    c[nc++] = mean + 8 * sd;
    for (int i = 0; i < 3; i++)
      c[nc++] = pc * f[i];
  } else {
    /* In y the Beta weight decays like e^(-y): [lo, lo + 60] holds all but
     * e^-60 of it; the rest goes to QAGIU. */
    hi = lo + 60;
    if (j->sub == 1)
      for (int i = 0; i < 3; i++)
        c[nc++] = -j->a * log(pc * f[i]);
  }
  for (size_t i = 1; i < nc; i++)
    for (size_t m = i; m > 0 && c[m] < c[m - 1]; m--) {
      double t = c[m];
      c[m] = c[m - 1];
      c[m - 1] = t;
    }
  pts[n++] = lo;
  for (size_t i = 0; i < nc; i++)
    if (c[i] > pts[n - 1] && c[i] < hi && isfinite(c[i]))
      pts[n++] = c[i];
  pts[n++] = hi;
  if (gsl_integration_qagp(&fn, pts, n, 0, 1e-11, 500, ws, &res, &abserr) !=
      GSL_SUCCESS)
    return CLV_ENUMERIC;
  if (j->sub != 0 && gsl_integration_qagiu(&fn, hi, 1e-300, 1e-8, 500, ws,
                                           &tail, &abserr) != GSL_SUCCESS)
    return CLV_ENUMERIC;
  *out = res + tail;
  return CLV_OK;
}

/* Plain-p integrand for GSL's QAWS, whose weight p^(a-1) (1-p)^(B-1)
 * carries the endpoint singularities in closed form. */
static double qaws_fun(double pp, void *v) {
  return g_of_p(v, pp);
}

/*
 * The same expectation as an integral over the dropout probability, for the
 * corners where the series is not usable (a + b + x - 1 <= 0, cancellation,
 * huge parameters): given alive, lambda ~ Gamma(r+x, alpha+T) and
 * p ~ Beta(a, b+x), and E[Y(t) | alive, lambda, p] = (1 - e^(-lambda p t)) / p,
 * so E[Y(t) | alive] = E_p[(1 - (1 + p t/(alpha+T))^-(r+x)) / p], a bounded
 * integrand. First GSL's QAWS (Beta weight in closed form); if it fails, the
 * halves p < 1/2 and p > 1/2 separately (QAGP/QAGIU), each after the
 * substitution that removes its endpoint singularity.
 */
static int expect_alive_integral(double k, double s, double a, double bx,
                                 double *out) {
  gsl_integration_workspace *ws = NULL;
  gsl_integration_qaws_table *tab = NULL;
  jarg j = {k, s, a, bx, clv__lnbeta(a, bx), 0};
  double left, right, res, abserr, mean = a / (a + bx);
  double sd = sqrt(a * bx / ((a + bx) * (a + bx) * (a + bx + 1)));
  int rc = CLV_ENUMERIC;
  clv__gsl_init();
  ws = gsl_integration_workspace_alloc(500);
  tab = gsl_integration_qaws_table_alloc(a - 1, bx - 1, 0, 0);
  if (ws == NULL || tab == NULL || !isfinite(j.lnb))
    goto done;
  gsl_function fn = {qaws_fun, &j};
  if (gsl_integration_qaws(&fn, 0, 1, tab, 0, 1e-10, 500, ws, &res, &abserr) ==
      GSL_SUCCESS) {
    *out = res * exp(-j.lnb);
    if (isfinite(*out) && *out >= 0) {
      rc = CLV_OK;
      goto done;
    }
  }
  j.sub = a < 1 ? 1 : 0;
  if (piece(&j, ws, j.sub ? a * log(2.0) : 0, 0.5, mean, sd, &left))
    goto done;
  j.sub = bx < 1 ? 2 : 0;
  if (piece(&j, ws, j.sub ? bx * log(2.0) : 0.5, 1, mean, sd, &right))
    goto done;
  *out = left + right;
  if (isfinite(*out) && *out >= 0)
    rc = CLV_OK;
done:
  gsl_integration_qaws_table_free(tab);
  gsl_integration_workspace_free(ws);
  return rc;
}

/*
 * E[Y(t) | alive at T, x]: FHL (2005) eq. 10 without the P(alive) factor,
 *   J = c / (a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *                        2F1(r+x, b+x; c; z)],  c = a+b+x-1,
 * z = t/(alpha+T+t); with x = 0 and T = 0 it is eq. 7, E[X(t)].
 * Euler's transformation (A&S 15.3.3) turns the bracket into
 *   1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z) = 1 - y,
 * whose series has parameters that do not grow with x and converges fast.
 * Writing 2F1 = 1 + (a-1) S (S from clv__hyp2f1_tail, finite as a -> 1),
 *   log y = (a-1) q,  q = log(1-z) + log(1 + (a-1) S) / (a-1),
 *   J = c (1 - e^((a-1) q)) / (a-1) = -c q expm1((a-1) q) / ((a-1) q),
 * which removes the 0/0 at a = 1 and the cancellation in 1 - y.
 */
static int expect_alive(const double *p, double x, double T, double t,
                        double *out) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double c = a + b + x - 1, B1 = a - 1, ls, q, L;
  int sign, rc;
  if (t <= 0) {
    *out = 0;
    return CLV_OK;
  }
  double z = t / (al + T + t);
  L = -log1p(t / (al + T));
  if (c > 0 && z < 1 &&
      clv__hyp2f1_tail(a + b - 1 - r, B1, c, z, &ls, &sign) == CLV_OK) {
    double S = sign * exp(ls), v = B1 * S;
    if (isfinite(S) && v > -1) {
      q = L + S * clv__log1p_over(v);
      *out = -c * q * clv__expm1_over(B1 * q);
      if (isfinite(*out) && *out >= 0)
        return CLV_OK;
    } else if (sign > 0 && B1 > 0) {
      /* 2F1 beyond DBL_MAX: log(1 + (a-1) S) = log(a-1) + log S. */
      q = L + (log(B1) + ls) / B1;
      *out = -c * q * clv__expm1_over(B1 * q);
      if (isfinite(*out) && *out >= 0)
        return CLV_OK;
    }
  }
  rc = expect_alive_integral(r + x, t / (al + T), a, b + x, out);
  /* Safety net: g(p) <= k s and g(p) <= 1/p, so J <= (r+x) t/(alpha+T) and,
   * for a > 1, J <= E[1/p] = c/(a-1). A value outside these bounds is a
   * numerical failure, reported as such rather than returned. */
  if (rc == CLV_OK && (*out > (r + x) * t / (al + T) * (1 + 1e-9) ||
                       (a > 1 && *out > c / (a - 1) * (1 + 1e-9))))
    rc = CLV_ENUMERIC;
  return rc;
}

/* Given alive, lambda ~ Gamma(r+x, alpha+T): P(no purchase in t) =
 * E[e^(-lambda t)] = ((alpha+T)/(alpha+T+t))^(r+x). */
static double none_alive(const double *p, double x, double T, double t) {
  return exp(-(p[R] + x) * log1p(t / (p[ALPHA] + T)));
}

/* The wait W to the next purchase given alive is Lomax:
 * P(W > w) = ((alpha+T)/(alpha+T+w))^(r+x), so the q-quantile is
 * w_q = (alpha+T) ((1-q)^(-1/(r+x)) - 1) = (alpha+T) expm1(-log(1-q)/(r+x)).
 */
static double next_alive(const double *p, double x, double T, double q) {
  return (p[ALPHA] + T) * expm1(-log1p(-q) / (p[R] + x));
}

/*
 * FHL (2005) eq. 8, P(X(t) = n), with the first term in logs and the
 * bracket 1 - sum_{j<n} NB(j) written as the negative binomial tail
 * P(N >= n) = I_{t/(alpha+t)}(n, r) (regularised incomplete beta), which
 * avoids the cancellation of 1 minus a sum close to 1.
 */
static int pmf(const double *p, double t, int n, double *out) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B], tail;
  double l1 = clv__lnbeta(a, b + n) - clv__lnbeta(a, b) + clv__lnpoch(r, n) -
              clv__lngamma(n + 1.0) + r * log(al / (al + t)) +
              (n > 0 ? n * log(t / (al + t)) : 0.0);
  double v = exp(l1);
  if (n > 0 && t > 0) {
    if (clv__beta_inc(n, r, t / (al + t), &tail))
      return CLV_ENUMERIC;
    v += exp(clv__lnbeta(a + 1, b + n - 1) - clv__lnbeta(a, b)) * tail;
  }
  if (!isfinite(v))
    return CLV_ENUMERIC;
  *out = v;
  return CLV_OK;
}

const clv__family clv__family_bgnbd = {
    .name = "bgnbd",
    .kind = CLV__KIND_TX,
    .dropout_params = 1u << 2 | 1u << 3,
    .np = 4,
    .pnames = names,
    .key = {CLV_COL_X, CLV_COL_TX, CLV_COL_T},
    .time_keys = 2 | 4,
    .row_use = row_use,
    .start = start,
    .naux = 0,
    .setup = NULL,
    .work_size = work_size,
    .prepare = prepare,
    .ll_block = ll_block,
    .row_ll = row_ll,
    .p_alive = p_alive,
    .expect_alive = expect_alive,
    .none_alive = none_alive,
    .next_alive = next_alive,
    .pmf = pmf,
    .spend = NULL,
    .spend_mean = NULL,
    .simulate = NULL,
};
