/*
 * pnbd.c - the Pareto/NBD model of Schmittlein, Morrison & Colombo (1987),
 * "Counting your customers: who are they and what will they do next?",
 * Management Science 33(1) 1-24, in the notation of Fader & Hardie (2005),
 * "A note on deriving the Pareto/NBD model and related expressions", with
 * the discounted expected residual transactions (DERT) of Fader, Hardie &
 * Lee (2005), "RFM and CLV: using iso-value curves for customer base
 * analysis", JMR 42(4), eq. 2.
 *
 * While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); her
 * lifetime is exponential with rate mu ~ Gamma(s, beta). Parameters in this
 * order: r, alpha, s, beta. Data per customer: x repeat purchases, t_x the
 * time of the last one, T the time since the first.
 *
 * Every quantity below is built from one integral,
 *   J(p, q; t) = int_t^inf (alpha+tau)^-p (beta+tau)^-q dtau   (p + q > 1),
 * evaluated in logs through a hypergeometric series whose terms are all
 * positive and bounded, or near the no-drop-out limit (z -> 1) through a
 * split of the integral (see jlog() and special.c), so that nothing
 * overflows for x in the thousands and T in the thousands of days, no two
 * large numbers are ever subtracted, and no evaluation needs more than a few
 * hundred terms when s -> 0 or beta -> infinity.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "model.h"
#include "special.h"

enum { R, ALPHA, S, BETA };

static const char *const names[] = {"r", "alpha", "s", "beta"};

/* The rows any transaction summary holds are usable; the summary reader has
 * already refused negative counts and times. t_x > T cannot be a purchase
 * history. */
static int row_use(const double *k, const char **why) {
  if (!(k[1] <= k[2])) {
    *why = "recency t_x is larger than the age T";
    return -1;
  }
  return 1;
}

/* Start values: r = s = 0.5, the order of the shapes that published fits
 * find (CDNOW 0.55 and 0.61); alpha = r sum T / sum x, so that the start's
 * mean purchase rate r/alpha matches the data's; beta = the mean age, a
 * lifetime of the order of the observation window. On a million simulated
 * customers in days this start needs 89 evaluations of the subsample fit
 * (model.c, refine_start()) against 187 from r = s = 1. */
static void start(const clv__data *d, double *p) {
  double sx = 0, sT = 0, sw = 0;
  for (size_t i = 0; i < d->n; i++) {
    sx += d->w[i] * d->k[0][i];
    sT += d->w[i] * d->k[2][i];
    sw += d->w[i];
  }
  p[R] = 0.5;
  p[ALPHA] = sx > 0 && sT > 0 ? 0.5 * sT / sx : 1.0;
  if (!(p[ALPHA] > 1e-6 && p[ALPHA] < 1e6))
    p[ALPHA] = 1.0;
  p[S] = 0.5;
  p[BETA] = sw > 0 && sT > 0 ? sT / sw : 1.0;
  if (!(p[BETA] > 1e-6 && p[BETA] < 1e6))
    p[BETA] = 1.0;
}

/* ---- the integral J -------------------------------------------------------
 */

/* log J and its partial derivatives with respect to p, q, alpha, beta. */
typedef struct jval {
  double l, dp, dq, da, db;
} jval;

/*
 * J(p, q; t) for p + q > 1 and t >= 0: with a = alpha + t, b = beta + t,
 *   J = int_0^inf (a+v)^-p (b+v)^-q dv = clv__log_powint() with the shorter
 * scale first. That function sums 2F1(1, p; p+q; z) (Fader & Hardie's
 * 2F1(r+s+x, s+1; r+s+x+1; .) after Euler's transformation, A&S 15.3.3,
 * whose series has first parameter 1 and decays at least like z^k whatever
 * the size of p) when z = |alpha-beta| / (max(alpha,beta)+t) is not near 1,
 * and near the no-drop-out limit (beta >> alpha + t, or alpha >> beta + t)
 * splits the integral so that no series needs more than a few hundred terms
 * unless the longer scale's exponent is in the hundreds or more (special.c).
 * The power factors stay in logs.
 */
static int jlog(double p, double q, double al, double be, double t, jval *o) {
  clv__powint j;
  int swap = al >= be, rc;
  if (swap)
    rc = clv__log_powint(q, p, be + t, al + t, &j);
  else
    rc = clv__log_powint(p, q, al + t, be + t, &j);
  if (rc) {
    /* NaN, not stale numbers, in whatever a caller copies before it looks
     * at the status. */
    o->l = o->dp = o->dq = o->da = o->db = NAN;
    return rc;
  }
  o->l = j.l;
  o->dp = swap ? j.dQ : j.dP;
  o->dq = swap ? j.dP : j.dQ;
  o->da = swap ? j.dM : j.dm;
  o->db = swap ? j.dm : j.dM;
  return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
}

/* ---- the likelihood -------------------------------------------------------
 */

/* The layout of one term of a row: its log and its derivatives. */
enum { C_L, C_DR, C_DA, C_DS, C_DB, CELL };

/*
 * FH (2005) eq. 11 rearranged. Given lambda and mu the likelihood is
 *   lambda^x e^-(lambda+mu)T + lambda^x mu int_{t_x}^T e^-(lambda+mu)tau dtau;
 * averaging over the gammas (E[lambda^x e^-lambda tau] = (r)_x alpha^r
 * (alpha+tau)^-(r+x), E[mu e^-mu tau] = s beta^s (beta+tau)^-(s+1)) gives
 *   L = K [ H(T) + s (J(r+x, s+1; t_x) - J(r+x, s+1; T)) ],
 *   K = (r)_x alpha^r beta^s,  H(t) = (alpha+t)^-(r+x) (beta+t)^-s,
 * which is the paper's A_0 form. Since -H'(tau) = (r+x) (alpha+tau)^-(r+x+1)
 * (beta+tau)^-s + s (alpha+tau)^-(r+x) (beta+tau)^-(s+1),
 *   H(T) = (r+x) J(r+x+1, s; T) + s J(r+x, s+1; T),
 * so the difference disappears:
 *   L = K [ (r+x) J(r+x+1, s; T) + s J(r+x, s+1; t_x) ],
 * a sum of two positive terms ("alive at T" and "died after t_x"), taken
 * by log-sum-exp. No cancellation, also when t_x = T.
 *
 * The two terms in logs with their derivatives, in the form ll_block()
 * sums them: "alive at T" log((r+x) J(r+x+1, s; T)) and "died after t_x"
 * log(s J(r+x, s+1; t_x)); c[] receives the value and the derivatives with
 * respect to r (through p and the factor r+x), alpha, s (through q and the
 * factor s) and beta. lrx is log(r+x). Returns CLV_OK or the series'
 * status.
 */
static int fill_alive(const double *p, double x, double T, double lrx,
                      double *c) {
  jval j;
  int rc = jlog(p[R] + x + 1, p[S], p[ALPHA], p[BETA], T, &j);
  c[C_L] = lrx + j.l;
  c[C_DR] = 1 / (p[R] + x) + j.dp;
  c[C_DA] = j.da;
  c[C_DS] = j.dq;
  c[C_DB] = j.db;
  return rc;
}

static int fill_died(const double *p, double x, double tx, double *c) {
  jval j;
  int rc = jlog(p[R] + x, p[S] + 1, p[ALPHA], p[BETA], tx, &j);
  c[C_L] = log(p[S]) + j.l;
  c[C_DR] = j.dp;
  c[C_DA] = j.da;
  c[C_DS] = 1 / p[S] + j.dq;
  c[C_DB] = j.db;
  return rc;
}

/*
 * Scratch per evaluation. work[0] says which of two layouts the evaluation
 * uses; then 3 numbers per distinct x. In the table layout there follow,
 * for every pair (distinct x, distinct time value), the two terms of
 * fill_alive() and fill_died() with their derivatives (CELL doubles each:
 * "alive at T" at (x, T), "died after t_x" at (x, t_x)), and a byte per pair
 * and term saying whether some row needs it.
 *
 * Why a table: the series of J depend on the row only through (x, T) and
 * (x, t_x). A summary in whole days of a million customers has about 220,000
 * distinct (x, t_x, T) rows but only about 4,000 distinct (x, T) and 13,000
 * distinct (x, t_x): each series is summed once per pair instead of once per
 * row, and the per-row work is a log-sum-exp of two looked-up terms. Only
 * the pairs some row uses are summed, at most two per row, so the table never
 * costs more series than the rows would; its price is memory, nx * nt
 * entries of 81 bytes whether used or not, which is bounded by TABLE_CELLS
 * (21 MB). Beyond that (times in fractions of a unit, nearly all distinct,
 * with many distinct x) every row sums its own series. The choice depends
 * on the distinct values only, which a subsample shares with the data it
 * comes from (model.c fits one first for start values, in the same
 * scratch): both always take the same layout.
 */
enum { X_C, X_DR, X_LRX, X_N };

#define TABLE_CELLS ((size_t)1 << 18)

static int use_table(const clv__data *d) {
  return d->nt > 0 && d->nx <= TABLE_CELLS / d->nt;
}

static size_t table_doubles(const clv__data *d) {
  size_t cells = d->nx * d->nt;
  return 2 * CELL * cells + (2 * cells + sizeof(double) - 1) / sizeof(double);
}

static size_t work_size(const clv__data *d) {
  return 1 + X_N * d->nx + (use_table(d) ? table_doubles(d) : 0);
}

/* The x-only terms: log (r)_x, psi(r+x) - psi(r), log(r+x); in the table
 * layout also the terms of every (x, time) pair some row uses. */
static int prepare(const double *p, const clv__data *d, double *work) {
  double r = p[R], pr = clv__digamma(r), *xw = work + 1;
  for (size_t j = 0; j < d->nx; j++) {
    double x = d->xs[j], *e = xw + X_N * j;
    e[X_C] = clv__lnpoch(r, x);
    e[X_DR] = x > 0 ? clv__digamma(r + x) - pr : 0.0;
    e[X_LRX] = log(r + x);
    for (int i = 0; i < X_N; i++)
      if (!isfinite(e[i]))
        return CLV_ENUMERIC;
  }
  work[0] = use_table(d);
  if (work[0] == 0)
    return CLV_OK;
  size_t nx = d->nx, cells = nx * d->nt;
  double *c1 = xw + X_N * nx, *c2 = c1 + CELL * cells;
  unsigned char *need = (unsigned char *)(c2 + CELL * cells);
  memset(need, 0, 2 * cells);
  for (size_t i = 0; i < d->n; i++) {
    need[(size_t)d->i2[i] * nx + d->ix[i]] = 1;
    need[cells + (size_t)d->i1[i] * nx + d->ix[i]] = 1;
  }
  for (size_t k = 0; k < d->nt; k++) {
    for (size_t j = 0; j < nx; j++) {
      size_t at = k * nx + j;
      double x = d->xs[j], lrx = xw[X_N * j + X_LRX];
      if (need[at] && fill_alive(p, x, d->ts[k], lrx, c1 + CELL * at))
        return CLV_ENUMERIC;
      if (need[cells + at] && fill_died(p, x, d->ts[k], c2 + CELL * at))
        return CLV_ENUMERIC;
    }
  }
  return CLV_OK;
}

/*
 * Gradient, with w1 = (r+x) J1 / ((r+x) J1 + s J2) and w2 = 1 - w1:
 *   d/dr     = psi(r+x) - psi(r) + log alpha + w1 (1/(r+x) + dlog J1/dp)
 *              + w2 dlog J2/dp
 *   d/dalpha = r/alpha + w1 dlog J1/dalpha + w2 dlog J2/dalpha
 *   d/ds     = log beta + w1 dlog J1/dq + w2 (1/s + dlog J2/dq)
 *   d/dbeta  = s/beta + w1 dlog J1/dbeta + w2 dlog J2/dbeta,
 * all analytic: the derivatives of log J with respect to its parameters
 * come out of clv__log_powint() (special.c). A row whose J fails adds NaN
 * to the log-likelihood, which the caller reports as CLV_ENUMERIC.
 */
static void ll_block(const double *p, const clv__data *d, const double *work,
                     size_t begin, size_t end, double *ll, double *grad) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double sl = 0, sr = 0, sal = 0, ss = 0, sbe = 0, sw = 0;
  const double *xw = work + 1;
  size_t nx = d->nx, cells = nx * d->nt;
  const double *t1 = xw + X_N * nx, *t2 = t1 + CELL * cells;
  for (size_t i = begin; i < end; i++) {
    const double *e = xw + X_N * d->ix[i];
    double wi = d->w[i], b1[CELL], b2[CELL];
    const double *c1 = b1, *c2 = b2;
    sw += wi;
    if (work[0] != 0) {
      c1 = t1 + CELL * ((size_t)d->i2[i] * nx + d->ix[i]);
      c2 = t2 + CELL * ((size_t)d->i1[i] * nx + d->ix[i]);
    } else {
      double x = d->xs[d->ix[i]];
      if (fill_alive(p, x, d->k[2][i], e[X_LRX], b1) ||
          fill_died(p, x, d->k[1][i], b2)) {
        sl = NAN;
        continue;
      }
    }
    /* log(e^l1 + e^l2) = max + log(1 + e^-|l1 - l2|), and the weights w1,
     * w2 of the two terms from the same exponential. */
    double dl = c1[C_L] - c2[C_L], q = exp(-fabs(dl)), inv = 1 / (1 + q);
    double w1 = dl >= 0 ? inv : q * inv, w2 = dl >= 0 ? q * inv : inv;
    sl += wi * (e[X_C] + (dl >= 0 ? c1[C_L] : c2[C_L]) + log(1 + q));
    sr += wi * (e[X_DR] + w1 * c1[C_DR] + w2 * c2[C_DR]);
    sal += wi * (w1 * c1[C_DA] + w2 * c2[C_DA]);
    ss += wi * (w1 * c1[C_DS] + w2 * c2[C_DS]);
    sbe += wi * (w1 * c1[C_DB] + w2 * c2[C_DB]);
  }
  double la = log(al), lb = log(be);
  *ll += sl + sw * (r * la + s * lb);
  grad[R] += sr + sw * la;
  grad[ALPHA] += sal + sw * r / al;
  grad[S] += ss + sw * lb;
  grad[BETA] += sbe + sw * s / be;
}

/* log(e^u - e^v) for u >= v (-inf when equal). */
static double logdiffexp(double u, double v) {
  if (v == -INFINITY)
    return u;
  return u + log(-expm1(v - u));
}

/*
 * FH (2005) eq. 11 as printed (the paper's A_0 with Gauss' 2F1(a, b; a+1;
 * z) from special.h, clv__log_hyp2f1_inc()), a different arrangement from
 * the fast path above (a difference of two 2F1 terms instead of a sum of two
 * positive J); the tests compare them:
 *   L = Gamma(r+x) alpha^r beta^s / Gamma(r)
 *       [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A_0 ],
 *   alpha >= beta: A_0 = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x))
 *                        / (alpha+t_x)^(r+s+x) - (the same at T),
 *   alpha < beta:  A_0 = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t_x))
 *                        / (beta+t_x)^(r+s+x) - (the same at T).
 */
static double row_ll(const double *p, const double *k) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double x = k[0], tx = k[1], T = k[2], c = r + s + x;
  double big = al >= be ? al : be, b2 = al >= be ? s + 1 : r + x;
  double small = al >= be ? be : al, lf1, lf2;
  /* 1 - z = (min(alpha,beta) + t) / (max(alpha,beta) + t), exact where z
   * itself would round near 1. */
  if (clv__log_hyp2f1_inc_1mz(c, b2, (small + tx) / (big + tx), &lf1) ||
      clv__log_hyp2f1_inc_1mz(c, b2, (small + T) / (big + T), &lf2))
    return NAN;
  double u = lf1 - c * log(big + tx), v = lf2 - c * log(big + T);
  double la0 = u >= v ? logdiffexp(u, v) : -INFINITY;
  double first = -(r + x) * log(al + T) - s * log(be + T);
  double common =
      clv__lngamma(r + x) - clv__lngamma(r) + r * log(al) + s * log(be);
  return common + clv__logsumexp(first, log(s / c) + la0);
}

/* ---- predictions ----------------------------------------------------------
 */

/* FH (2005) eq. 13: P(alive | x, t_x, T) = K H(T) / L, with L as in
 * fill_alive() and fill_died(): H(T) / ((r+x) J(r+x+1, s; T) + s J(r+x, s+1;
 * t_x)). NaN when the series fails (the caller reports CLV_ENUMERIC). */
static double p_alive(const double *p, double x, double tx, double T) {
  double c1[CELL], c2[CELL];
  if (fill_alive(p, x, T, log(p[R] + x), c1) || fill_died(p, x, tx, c2))
    return NAN;
  double lh = -(p[R] + x) * log(p[ALPHA] + T) - p[S] * log(p[BETA] + T);
  double v = exp(lh - clv__logsumexp(c1[C_L], c2[C_L]));
  return v > 1 ? 1.0 : v;
}

/*
 * E[Y(t) | alive at T, x] (FH 2005 eq. 22 without P(alive)): given alive,
 * lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T), independent, and
 * E[Y(t) | lambda, mu] = lambda (1 - e^-mu t) / mu, so
 *   E = (r+x)/(alpha+T) (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]
 *     = (r+x)/(alpha+T) (beta+T) L (1 - e^-(s-1)L) / ((s-1) L),
 * L = log(1 + t/(beta+T)); the last form has no 0/0 at s = 1 (the limit
 * is (beta+T) L) and no cancellation.
 */
static int expect_alive(const double *p, double x, double T, double t,
                        double *out) {
  double L = log1p(t / (p[BETA] + T)), v = (p[S] - 1) * L;
  *out = (p[R] + x) / (p[ALPHA] + T) * (p[BETA] + T) * L * clv__expm1_over(-v);
  return isfinite(*out) && *out >= 0 ? CLV_OK : CLV_ENUMERIC;
}

/*
 * P(no purchase in (T, T+t] | alive at T): the customer either lives
 * through t without buying, or dies at some u < t before buying. With the
 * posterior rates (r+x, alpha' = alpha+T), (s, beta' = beta+T) this is the
 * likelihood above of "no purchase over an age t, last purchase at 0":
 *   alpha'^(r+x) beta'^s [ (r+x) J'(r+x+1, s; t) + s J'(r+x, s+1; 0) ],
 * J' with alpha', beta'. NaN when the series fails.
 */
static double none_alive(const double *p, double x, double T, double t) {
  double q[4] = {p[R], p[ALPHA] + T, p[S], p[BETA] + T};
  double r = p[R] + x, l1, l2;
  jval j1, j2;
  if (t <= 0)
    return 1.0;
  if (jlog(r + 1, q[S], q[ALPHA], q[BETA], t, &j1) ||
      jlog(r, q[S] + 1, q[ALPHA], q[BETA], 0, &j2))
    return NAN;
  l1 = log(r) + j1.l;
  l2 = log(q[S]) + j2.l;
  double v =
      exp(r * log(q[ALPHA]) + q[S] * log(q[BETA]) + clv__logsumexp(l1, l2));
  return v > 1 ? 1.0 : v;
}

/*
 * The q-quantile of the wait W to the next purchase given alive at T:
 * P(W > w) = none_alive(w) falls from 1 towards the probability of dying
 * before buying again, s J'(r+x, s+1; 0) alpha'^(r+x) beta'^s; when that
 * is at least 1 - q the quantile is infinite. Otherwise bisection on
 * log w (60 halvings of a bracket found by doubling).
 */
static double next_alive(const double *p, double x, double T, double q) {
  double r = p[R] + x, al = p[ALPHA] + T, be = p[BETA] + T;
  jval j2;
  if (jlog(r, p[S] + 1, al, be, 0, &j2))
    return NAN;
  double never = exp(log(p[S]) + j2.l + r * log(al) + p[S] * log(be));
  if (never >= 1 - q)
    return INFINITY;
  double lo = 0, hi = al / r;
  for (int i = 0; i < 200 && none_alive(p, x, T, hi) > 1 - q; i++)
    hi *= 2;
  for (int i = 0; i < 80; i++) {
    double mid = 0.5 * (lo + hi), v = none_alive(p, x, T, mid);
    if (isnan(v))
      return NAN;
    if (v > 1 - q)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* Integrand of pmf(): u^n (alpha+u)^-(r+n) (beta+u)^-(s+1) scaled by the
 * constant in c[3] (in logs) so that it is of order one. */
static double pmf_fun(double u, void *v) {
  const double *c = v; /* n, r+n, s+1, log scale, alpha, beta */
  if (u <= 0)
    return c[0] == 0 ? exp(-c[1] * log(c[4]) - c[2] * log(c[5]) - c[3]) : 0;
  return exp(c[0] * log(u) - c[1] * log(c[4] + u) - c[2] * log(c[5] + u) -
             c[3]);
}

/*
 * P(X(t) = n) for a new customer (Fader & Hardie 2006, "Deriving an
 * expression for P(X(t) = x) under the Pareto/NBD model", by the same
 * route): either alive at t with n purchases, or dead at u < t after n:
 *   P = (r)_n / n! alpha^r t^n (alpha+t)^-(r+n) (beta/(beta+t))^s
 *     + (r)_n / n! alpha^r s beta^s int_0^t u^n (alpha+u)^-(r+n)
 *       (beta+u)^-(s+1) du.
 * The integrand is smooth and unimodal on [0, t] (GSL QAG, 1e-11
 * relative); the note's closed form needs 2F1 differences that cancel.
 */
static int pmf(const double *p, double t, int n, double *out) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA], res = 0, err;
  double lc = clv__lnpoch(r, n) - clv__lngamma(n + 1.0) + r * log(al);
  int rc = CLV_ENUMERIC;
  if (t <= 0) {
    *out = n == 0 ? 1.0 : 0.0;
    return CLV_OK;
  }
  double first = lc + (n > 0 ? n * log(t) : 0.0) - (r + n) * log(al + t) +
                 s * log(be / (be + t));
  /* Scale: the integrand's value at its end point t, or at its peak
   * when n = 0 (u = 0). */
  double c[6] = {n, r + n, s + 1, 0, al, be};
  c[3] = n > 0 ? n * log(t) - (r + n) * log(al + t) - (s + 1) * log(be + t)
               : -r * log(al) - (s + 1) * log(be);
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
  gsl_function fn = {pmf_fun, c};
  clv__gsl_init();
  if (ws && gsl_integration_qag(&fn, 0, t, 0, 1e-11, 200, GSL_INTEG_GAUSS31, ws,
                                &res, &err) == GSL_SUCCESS) {
    double v = exp(first) + exp(lc + log(s) + s * log(be) + c[3]) * res;
    if (isfinite(v) && v >= 0) {
      *out = v > 1 ? 1.0 : v;
      rc = CLV_OK;
    }
  }
  gsl_integration_workspace_free(ws);
  return rc;
}

/* Integrand of the DERT: e^-u (1 + u/kappa)^-s. */
static double dert_fun(double u, void *v) {
  const double *c = v; /* kappa, s */
  return exp(-u - c[1] * log1p(u / c[0]));
}

/*
 * DERT, the discounted expected residual transactions (Fader, Hardie & Lee
 * 2005b, eq. 2): with continuous discount rate delta per unit,
 *   DERT = P(alive) E[lambda] E[1/(delta + mu)]   (posterior given alive)
 *        = P(alive) (r+x)/(alpha+T) (beta+T)^s delta^(s-1)
 *          U(s, s; delta (beta+T)),
 * the paper's form with Tricomi's U. The expectation is evaluated as
 *   E[1/(delta+mu)] = int_0^inf e^(-delta v) ((beta+T)/(beta+T+v))^s dv
 *                   = (1/delta) int_0^inf e^-u (1 + u/kappa)^-s du,
 * kappa = delta (beta+T), an integrand below e^-u (GSL QAGIU). It is the
 * family's dert slot (clv_dert()). Returns CLV_OK, CLV_EINVAL (delta <= 0)
 * or CLV_ENUMERIC.
 */
int clv__pnbd_dert(const double *p, double x, double tx, double T, double delta,
                   double *out);
int clv__pnbd_dert(const double *p, double x, double tx, double T, double delta,
                   double *out) {
  double res, err, c[2] = {delta * (p[BETA] + T), p[S]};
  int rc = CLV_ENUMERIC;
  if (!(delta > 0) || !isfinite(delta))
    return CLV_EINVAL;
  double pa = p_alive(p, x, tx, T);
  if (!isfinite(pa))
    return CLV_ENUMERIC;
  clv__gsl_init();
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
  gsl_function fn = {dert_fun, c};
  if (ws && gsl_integration_qagiu(&fn, 0, 0, 1e-11, 200, ws, &res, &err) ==
                GSL_SUCCESS) {
    *out = pa * (p[R] + x) / (p[ALPHA] + T) * res / delta;
    if (isfinite(*out) && *out >= 0)
      rc = CLV_OK;
  }
  gsl_integration_workspace_free(ws);
  return rc;
}

const clv__family clv__family_pnbd = {
    .name = "pnbd",
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
    .dert = clv__pnbd_dert,
    .spend = NULL,
    .spend_mean = NULL,
    .simulate = NULL,
};
