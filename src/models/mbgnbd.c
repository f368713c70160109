/*
 * mbgnbd.c - the MBG/NBD model of Batislam, Denizel & Filiztekin (2007),
 * "Empirical validation and comparison of models for customer base
 * analysis", IJRM 24(3) 201-209 (also Hoppe & Wagner 2007's "central
 * variant"): the BG/NBD of Fader, Hardie & Lee (2005) in which the customer
 * may also drop out right after her first purchase, so that a customer who
 * never repeats can be dead (P(alive) < 1 at x = 0).
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha);
 * right after every purchase, the first included, she drops out with
 * probability p ~ Beta(a, b). Parameters in this order: r, alpha, a, b.
 * Given alive at T after x repeat purchases she has survived x + 1 coins, so
 * p ~ Beta(a, b + x + 1): the conditional predictions are the BG/NBD's with
 * b replaced by b + 1, and this file hands them to bgnbd.c's descriptor.
 */
#include <math.h>
#include <string.h>

#include "model.h"
#include "special.h"

enum { R, ALPHA, A, B };

static const char *const names[] = {"r", "alpha", "a", "b"};

static int row_use(const double *k, const char **why) {
  if (!(k[1] <= k[2])) {
    *why = "recency t_x is larger than the age T";
    return -1;
  }
  return 1;
}

/* Start values, as for the BG/NBD (the same parameters, the same rate-
 * matching start): r = 1, alpha = sum T / sum x, a = b = 1. */
static void start(const clv__data *d, double *p) {
  clv__family_bgnbd.start(d, p);
}

/* Scratch per evaluation: the BG/NBD's layout, 6 numbers per distinct x and
 * 2 per distinct time, so its size is the BG/NBD's too. */
enum { X_C, X_LRAT, X_DR, X_DA, X_DB, X_INVB, X_N };

static size_t work_size(const clv__data *d) {
  return clv__family_bgnbd.work_size(d);
}

/*
 * Batislam et al. (2007) eq. 3: for every x (0 included)
 *   L = Gamma(r+x) alpha^r / Gamma(r)
 *       [ B(a, b+x+1)/B(a, b) (alpha+T)^-(r+x)
 *         + B(a+1, b+x)/B(a, b) (alpha+t_x)^-(r+x) ],
 * and B(a+1, b+x) / B(a, b+x+1) = a / (b+x), so in logs
 *   log L = C(x) + r log alpha - (r+x) log(alpha+T) + log(1 + e^u),
 *   C(x)  = log (r)_x + log B(a, b+x+1) - log B(a, b),
 *   u     = log(a/(b+x)) + (r+x) (log(alpha+T) - log(alpha+t_x)),
 * the BG/NBD's log-space form (Fader & Hardie 2013, note 027) with b+x in
 * place of b+x-1 and the second term present at x = 0 too. The x-only
 * terms are computed once per distinct x, log(alpha + t) and 1/(alpha + t)
 * once per distinct time value.
 */
static int prepare(const double *p, const clv__data *d, double *work) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double lbab = clv__lnbeta(a, b), pr = clv__digamma(r);
  double pab = clv__digamma(a + b), pb = clv__digamma(b);
  double *xw = work, *tw = work + X_N * d->nx;
  for (size_t j = 0; j < d->nx; j++) {
    double x = d->xs[j], *e = xw + X_N * j;
    double pabx = clv__digamma(a + b + x + 1);
    e[X_C] = clv__lnpoch(r, x) + clv__lnbeta(a, b + x + 1) - lbab;
    e[X_LRAT] = log(a) - log(b + x);
    e[X_DR] = x > 0 ? clv__digamma(r + x) - pr : 0.0;
    e[X_DA] = pab - pabx;
    e[X_DB] = clv__digamma(b + x + 1) - pb + pab - pabx;
    e[X_INVB] = 1.0 / (b + x);
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
 * Gradient, with s = e^u / (1 + e^u) the weight of the "dropped out after
 * the last purchase" term:
 *   d/dr     = psi(r+x) - psi(r) + log alpha - log(alpha+T)
 *              + s (log(alpha+T) - log(alpha+t_x))
 *   d/dalpha = r/alpha - (r+x)/(alpha+T) + s (r+x) (1/(alpha+T) -
 * 1/(alpha+t_x)) d/da     = psi(a+b) - psi(a+b+x+1) + s / a d/db     =
 * psi(b+x+1) - psi(b) + psi(a+b) - psi(a+b+x+1) - s / (b+x).
 */
static void ll_block(const double *p, const clv__data *d, const double *work,
                     size_t begin, size_t end, double *ll, double *grad) {
  double r = p[R], al = p[ALPHA], a = p[A];
  const double *xw = work, *tw = work + X_N * d->nx;
  double sl = 0, sr = 0, sal = 0, sa = 0, sb = 0, sw = 0;
  for (size_t i = begin; i < end; i++) {
    const double *e = xw + X_N * d->ix[i];
    double x = d->xs[d->ix[i]], wi = d->w[i], rx = r + x;
    double lT = tw[2 * d->i2[i]], iT = tw[2 * d->i2[i] + 1];
    double lt = tw[2 * d->i1[i]], it = tw[2 * d->i1[i] + 1];
    double u = e[X_LRAT] + rx * (lT - lt);
    double q = exp(-fabs(u));
    double sp = (u > 0 ? u : 0) + log1p(q);
    double s = (u > 0 ? 1.0 : q) / (1.0 + q);
    sw += wi;
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

/* Batislam et al. (2007) eq. 3 as printed, each term in logs with its own
 * log-beta functions, combined by log-sum-exp. Independent of the fast
 * path above; the tests compare them. */
static double row_ll(const double *p, const double *k) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double x = k[0], tx = k[1], T = k[2];
  double common = clv__lngamma(r + x) - clv__lngamma(r) + r * log(al);
  double l1 =
      clv__lnbeta(a, b + x + 1) - clv__lnbeta(a, b) - (r + x) * log(al + T);
  double l2 =
      clv__lnbeta(a + 1, b + x) - clv__lnbeta(a, b) - (r + x) * log(al + tx);
  return common + clv__logsumexp(l1, l2);
}

/* Batislam et al. (2007) eq. 4:
 *   P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)),
 * for every x; the power in logs, 1 / (1 + e^u). */
static double p_alive(const double *p, double x, double tx, double T) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double u = log(a) - log(b + x) + (r + x) * log1p((T - tx) / (al + tx));
  if (u > 0)
    return exp(-u) / (1.0 + exp(-u));
  return 1.0 / (1.0 + exp(u));
}

/* The BG/NBD's parameters that describe an MBG/NBD customer alive at T:
 * the same lambda posterior, and p ~ Beta(a, b + x + 1) = the BG/NBD's
 * Beta(a, b' + x) with b' = b + 1. */
static void as_bgnbd(const double *p, double *q) {
  q[R] = p[R];
  q[ALPHA] = p[ALPHA];
  q[A] = p[A];
  q[B] = p[B] + 1;
}

/*
 * E[Y(t) | alive at T, x]: Batislam et al. (2007) eq. 5 without P(alive),
 *   (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *                      2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))],
 * which is the BG/NBD's eq. 10 bracket at b' = b + 1; bgnbd.c evaluates it
 * (Euler's transformation, the a = 1 limit, the integral fallback).
 */
static int expect_alive(const double *p, double x, double T, double t,
                        double *out) {
  double q[4];
  as_bgnbd(p, q);
  return clv__family_bgnbd.expect_alive(q, x, T, t, out);
}

/* Given alive, the wait to the next purchase depends on lambda only (drop
 * out happens at purchases): the BG/NBD's Lomax. */
static double none_alive(const double *p, double x, double T, double t) {
  return clv__family_bgnbd.none_alive(p, x, T, t);
}

static double next_alive(const double *p, double x, double T, double q) {
  return clv__family_bgnbd.next_alive(p, x, T, q);
}

/*
 * P(X(t) = n) for a new customer. Given lambda and p she survives her first
 * purchase with probability 1 - p; then n purchases in (0, t] either leave
 * her alive ((1-p)^n, Poisson count n) or the n-th kills her (p (1-p)^(n-1),
 * at least n Poisson events); n = 0 also happens when she dies at once:
 *   P(X(t)=n | lambda, p) = (1-p)^(n+1) Poi(n; lambda t)
 *                           + p (1-p)^n P(Poi(lambda t) >= n).
 * Averaging (E[(1-p)^(n+1)] = B(a, b+n+1)/B(a, b), E[p (1-p)^n] =
 * B(a+1, b+n)/B(a, b); lambda gives the negative binomial, whose tail is
 * the regularised incomplete beta I_{t/(alpha+t)}(n, r)):
 *   P = B(a, b+n+1)/B(a, b) NB(n) + B(a+1, b+n)/B(a, b) I_{t/(alpha+t)}(n, r),
 * with the tail 1 at n = 0 (Batislam et al.'s eq. 6 in this form).
 */
static int pmf(const double *p, double t, int n, double *out) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B], tail = 1.0;
  double lnb = clv__lnbeta(a, b);
  double lnb_n = clv__lnpoch(r, n) - clv__lngamma(n + 1.0) +
                 r * log(al / (al + t)) + (n > 0 ? n * log(t / (al + t)) : 0.0);
  double l1 = clv__lnbeta(a, b + n + 1) - lnb + lnb_n;
  if (n > 0) {
    if (t <= 0) {
      tail = 0.0;
    } else if (clv__beta_inc(n, r, t / (al + t), &tail)) {
      /* GSL reports an underflow far in the tail. There the tail is
       * below NB(n) / (1 - z) (its terms fall at least geometrically once
       * n > r), that is below 1e-260: zero in double precision against
       * the first term or 1. Anything else is a real failure. */
      if (!(lnb_n < -600 && n > r))
        return CLV_ENUMERIC;
      tail = 0.0;
    }
  }
  double v = exp(l1) + exp(clv__lnbeta(a + 1, b + n) - lnb) * tail;
  if (!isfinite(v))
    return CLV_ENUMERIC;
  *out = v;
  return CLV_OK;
}

const clv__family clv__family_mbgnbd = {
    .name = "mbgnbd",
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
