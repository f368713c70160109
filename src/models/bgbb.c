/*
 * bgbb.c - the BG/BB model of Fader, Hardie & Shang (2010), "Customer-base
 * analysis in a discrete-time noncontractual setting", Marketing Science
 * 29(6) 1086-1108.
 *
 * Transactions can only happen at discrete opportunities 1, 2, ... (yearly
 * donation drives, weekly shows). While alive a customer transacts at each
 * opportunity with probability p ~ Beta(alpha, beta); at the start of every
 * opportunity after the first she becomes inactive for good with
 * probability theta ~ Beta(gamma, delta). Parameters in this order: alpha,
 * beta, gamma, delta. Data per customer: x repeat transactions, t_x the
 * opportunity of the last one (0 when x = 0), T = n the number of
 * opportunities observed; summaries in CLV_UNIT_PERIOD, usually with a
 * weight per (x, t_x, n) pattern.
 */
#include <math.h>
#include <string.h>

#include "model.h"
#include "special.h"

enum { AL, BE, GA, DE };

static const char *const names[] = {"alpha", "beta", "gamma", "delta"};

static int whole(double v) {
  return v >= 0 && v == floor(v) && v < 1e9;
}

/* A BG/BB history is whole numbers with 0 <= x <= t_x <= n, and t_x = 0
 * exactly when x = 0. */
static int row_use(const double *k, const char **why) {
  double x = k[0], tx = k[1], n = k[2];
  if (!whole(x) || !whole(tx) || !whole(n)) {
    *why = "the BG/BB needs whole numbers of transactions and opportunities";
    return -1;
  }
  if (tx > n) {
    *why = "recency t_x is larger than the number of opportunities n";
    return -1;
  }
  if (x > tx || (x == 0) != (tx == 0)) {
    *why = "x transactions cannot have their last one at opportunity t_x "
           "(need 1 <= x <= t_x, or x = t_x = 0)";
    return -1;
  }
  return 1;
}

/* Start values: alpha, beta from the mean transaction rate x / n (a Beta
 * with alpha + beta = 2), gamma = delta = 1 (a uniform drop-out
 * probability). */
static void start(const clv__data *d, double *p) {
  double sx = 0, sn = 0;
  for (size_t i = 0; i < d->n; i++) {
    sx += d->w[i] * d->k[0][i];
    sn += d->w[i] * d->k[2][i];
  }
  double m = sn > 0 ? sx / sn : 0.5;
  m = m < 0.05 ? 0.05 : (m > 0.95 ? 0.95 : m);
  p[AL] = 2 * m;
  p[BE] = 2 * (1 - m);
  p[GA] = 1.0;
  p[DE] = 1.0;
}

/* Per evaluation: the constants log B(alpha, beta), log B(gamma, delta) and
 * the digammas psi(alpha), psi(beta), psi(alpha+beta), psi(gamma),
 * psi(delta), psi(gamma+delta). */
enum { W_LBAB, W_LBGD, W_PA, W_PB, W_PAB, W_PG, W_PD, W_PGD, W_N };

static size_t work_size(const clv__data *d) {
  (void)d;
  return W_N;
}

static int prepare(const double *p, const clv__data *d, double *w) {
  (void)d;
  w[W_LBAB] = clv__lnbeta(p[AL], p[BE]);
  w[W_LBGD] = clv__lnbeta(p[GA], p[DE]);
  w[W_PA] = clv__digamma(p[AL]);
  w[W_PB] = clv__digamma(p[BE]);
  w[W_PAB] = clv__digamma(p[AL] + p[BE]);
  w[W_PG] = clv__digamma(p[GA]);
  w[W_PD] = clv__digamma(p[DE]);
  w[W_PGD] = clv__digamma(p[GA] + p[DE]);
  for (int i = 0; i < W_N; i++)
    if (!isfinite(w[i]))
      return CLV_ENUMERIC;
  return CLV_OK;
}

/* A running log-sum-exp of terms e^l with gradient vectors g: the sum is
 * e^m s and its gradient e^m G, rescaled whenever a larger term arrives. */
typedef struct lse {
  double m, s, g[4];
} lse;

static void lse_add(lse *a, double l, const double *g) {
  if (l > a->m) {
    double f = exp(a->m - l);
    a->s = a->s * f + 1;
    for (int j = 0; j < 4; j++)
      a->g[j] = a->g[j] * f + g[j];
    a->m = l;
  } else {
    double f = exp(l - a->m);
    a->s += f;
    for (int j = 0; j < 4; j++)
      a->g[j] += f * g[j];
  }
}

/*
 * FHS (2010) eq. 5:
 *   L = B(alpha+x, beta+n-x)/B(alpha, beta) B(gamma, delta+n)/B(gamma, delta)
 *     + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha, beta)
 *                           B(gamma+1, delta+t_x+i)/B(gamma, delta):
 * alive through n, or dropped out at the start of opportunity t_x+i+1.
 * Every term is positive; they are added in logs (running log-sum-exp).
 * Term i+1 is term i times (beta+m)/(alpha+beta+x+m) (delta+k)/
 * (gamma+delta+1+k), m = t_x-x+i, k = t_x+i, and the digammas of its
 * gradient step by psi(z+1) = psi(z) + 1/z, so the sum costs a few
 * operations per term after one set of special functions per row:
 *   d log term/d alpha = psi(alpha+x) - psi(alpha+beta+x+m) - psi(alpha)
 *                        + psi(alpha+beta)
 *   d log term/d beta  = psi(beta+m) - psi(alpha+beta+x+m) - psi(beta)
 *                        + psi(alpha+beta)
 *   d log term/d gamma = 1/gamma + psi(gamma+delta) - psi(gamma+delta+1+k)
 *   d log term/d delta = psi(delta+k) - psi(gamma+delta+1+k) - psi(delta)
 *                        + psi(gamma+delta),
 * and for the first term the same with m = n-x, k = n and gamma in place
 * of gamma+1 (d/d gamma = psi(gamma+delta) - psi(gamma+delta+n)).
 * Writes log L and its gradient; returns CLV_OK or CLV_ENUMERIC.
 */
static int row_eval(const double *p, const double *w, double x, double tx,
                    double n, double *ll, double *grad) {
  double al = p[AL], be = p[BE], ga = p[GA], de = p[DE];
  double pax = clv__digamma(al + x);
  lse acc = {-INFINITY, 0, {0, 0, 0, 0}};
  double g[4];
  /* Alive through n. */
  double l = clv__lnbeta(al + x, be + n - x) - w[W_LBAB] +
             clv__lnbeta(ga, de + n) - w[W_LBGD];
  double pabn = clv__digamma(al + be + n), pgdn = clv__digamma(ga + de + n);
  g[AL] = pax - pabn - w[W_PA] + w[W_PAB];
  g[BE] = clv__digamma(be + n - x) - pabn - w[W_PB] + w[W_PAB];
  g[GA] = w[W_PGD] - pgdn;
  g[DE] = clv__digamma(de + n) - pgdn - w[W_PD] + w[W_PGD];
  lse_add(&acc, l, g);
  if (n > tx) {
    double m = tx - x, k = tx;
    double l0 = clv__lnbeta(al + x, be + m) - w[W_LBAB] +
                clv__lnbeta(ga + 1, de + k) - w[W_LBGD];
    double pbm = clv__digamma(be + m), pabm = clv__digamma(al + be + x + m);
    double pdk = clv__digamma(de + k), pgdk = clv__digamma(ga + de + 1 + k);
    for (double i = 0; i < n - tx; i++) {
      g[AL] = pax - pabm - w[W_PA] + w[W_PAB];
      g[BE] = pbm - pabm - w[W_PB] + w[W_PAB];
      g[GA] = 1 / ga + w[W_PGD] - pgdk;
      g[DE] = pdk - pgdk - w[W_PD] + w[W_PGD];
      lse_add(&acc, l0, g);
      l0 +=
          log((be + m) / (al + be + x + m)) + log((de + k) / (ga + de + 1 + k));
      pbm += 1 / (be + m);
      pabm += 1 / (al + be + x + m);
      pdk += 1 / (de + k);
      pgdk += 1 / (ga + de + 1 + k);
      m++;
      k++;
    }
  }
  *ll = acc.m + log(acc.s);
  for (int j = 0; j < 4; j++)
    grad[j] = acc.g[j] / acc.s;
  return isfinite(*ll) ? CLV_OK : CLV_ENUMERIC;
}

static void ll_block(const double *p, const clv__data *d, const double *work,
                     size_t begin, size_t end, double *ll, double *grad) {
  for (size_t i = begin; i < end; i++) {
    double l, g[4], wi = d->w[i];
    if (row_eval(p, work, d->k[0][i], d->k[1][i], d->k[2][i], &l, g)) {
      *ll = NAN;
      continue;
    }
    *ll += wi * l;
    for (int j = 0; j < 4; j++)
      grad[j] += wi * g[j];
  }
}

/* FHS (2010) eq. 5 term by term, every beta function from log-gammas (no
 * recurrences), combined by log-sum-exp; the tests compare it with the
 * fast path. */
static double row_ll(const double *p, const double *k) {
  double al = p[AL], be = p[BE], ga = p[GA], de = p[DE];
  double x = k[0], tx = k[1], n = k[2];
  double lab = clv__lnbeta(al, be), lgd = clv__lnbeta(ga, de);
  double l =
      clv__lnbeta(al + x, be + n - x) - lab + clv__lnbeta(ga, de + n) - lgd;
  for (double i = 0; i < n - tx; i++)
    l = clv__logsumexp(l, clv__lnbeta(al + x, be + tx - x + i) - lab +
                              clv__lnbeta(ga + 1, de + tx + i) - lgd);
  return l;
}

/* FHS (2010) eq. 11 at n (alive through the last observed opportunity):
 *   P(alive) = B(alpha+x, beta+n-x)/B(alpha, beta) B(gamma, delta+n)/
 *              B(gamma, delta) / L.
 * (The paper's P(alive in n+1) is this times (delta+n)/(gamma+delta+n).) */
static double p_alive(const double *p, double x, double tx, double n) {
  double w[W_N], ll, g[4];
  if (prepare(p, NULL, w) || row_eval(p, w, x, tx, n, &ll, g))
    return NAN;
  double la = clv__lnbeta(p[AL] + x, p[BE] + n - x) - w[W_LBAB] +
              clv__lnbeta(p[GA], p[DE] + n) - w[W_LBGD];
  double v = exp(la - ll);
  return v > 1 ? 1.0 : v;
}

/*
 * E[X(n, n+t) | alive at n, x]: opportunities happen at whole periods, so
 * (n, n+t] holds N = floor(t) of them. Given alive at n, p ~ Beta(alpha+x,
 * beta+n-x) and theta ~ Beta(gamma, delta+n), and the customer transacts at
 * opportunity n+i if still alive ((1-theta)^i) and buying (p):
 *   E = (alpha+x)/(alpha+beta+n) sum_{i=1}^N (d)_i/(c)_i,
 *   d = delta+n, c = gamma+delta+n,
 * and the sum telescopes (FHS eq. 13) to
 *   d [1 - (d+1)_N/(c)_N] / (gamma-1) = -d v expm1(v)/v / (gamma-1),
 *   v = log (d+1)_N - log (c)_N.
 * v vanishes with gamma - 1; near gamma = 1 the ratio v/(gamma-1) is the
 * derivative -(psi(m+N) - psi(m)) at the midpoint m = d + (1+gamma)/2
 * (error O((gamma-1)^2)), which removes the 0/0.
 */
static int expect_alive(const double *p, double x, double n, double t,
                        double *out) {
  double N = floor(t), ga = p[GA], d = p[DE] + n, c = ga + d, ratio;
  if (N <= 0) {
    *out = 0;
    return CLV_OK;
  }
  double v = clv__lnpoch(d + 1, N) - clv__lnpoch(c, N);
  if (fabs(ga - 1) > 1e-4) {
    ratio = v / (ga - 1);
  } else {
    double mid = d + (1 + ga) / 2;
    ratio = -(clv__digamma(mid + N) - clv__digamma(mid));
  }
  *out = (p[AL] + x) / (p[AL] + p[BE] + n) * -d * ratio * clv__expm1_over(v);
  return isfinite(*out) && *out >= 0 ? CLV_OK : CLV_ENUMERIC;
}

/* Beyond this many opportunities the O(N) sums below give up. */
#define MAX_STEPS 10000000.0

/*
 * P(no transaction at opportunities n+1..n+N | alive at n), N = floor(t):
 * the customer drops out at the start of opportunity n+j+1 after j
 * opportunities without a transaction, or lives through all N without one:
 *   sum_{j<N} E[(1-p)^j] E[theta (1-theta)^j] + E[(1-p)^N] E[(1-theta)^N],
 * with E[(1-p)^j] = A_j = prod_{i<j} (beta'+i)/(alpha'+beta'+i),
 * E[(1-theta)^j] = D_j = prod_{i<j} (delta'+i)/(gamma+delta'+i) and
 * E[theta (1-theta)^j] = D_j gamma/(gamma+delta'+j) (alpha' = alpha+x,
 * beta' = beta+n-x, delta' = delta+n). NaN beyond MAX_STEPS.
 */
static double none_steps(const double *p, double x, double n, double N,
                         double q, double *steps) {
  double a1 = p[AL] + x, b1 = p[BE] + n - x, ga = p[GA], d1 = p[DE] + n;
  double A = 1, D = 1, dead = 0;
  for (double j = 0; j < N; j++) {
    if (j >= MAX_STEPS)
      return NAN;
    /* Stop early for a quantile: the first j with P(none in j) <= q. */
    if (steps && dead + A * D <= q) {
      *steps = j;
      return dead + A * D;
    }
    dead += A * D * ga / (ga + d1 + j);
    A *= (b1 + j) / (a1 + b1 + j);
    D *= (d1 + j) / (ga + d1 + j);
  }
  if (steps)
    *steps = dead + A * D <= q ? N : INFINITY;
  return dead + A * D;
}

static double none_alive(const double *p, double x, double n, double t) {
  double v = none_steps(p, x, n, floor(t), 0, NULL);
  return v > 1 ? 1.0 : v;
}

/* The q-quantile of the number of opportunities until the next transaction
 * given alive at n: the first whole w with P(none in w) <= 1 - q; +inf when
 * not reached within MAX_STEPS opportunities (the customer more likely
 * drops out first). */
static double next_alive(const double *p, double x, double n, double q) {
  double w;
  double v = none_steps(p, x, n, MAX_STEPS, 1 - q, &w);
  if (isnan(v))
    return INFINITY;
  return w;
}

/*
 * P(X(N) = k) for a new customer over N = floor(t) opportunities (FHS eq.
 * 7): alive through N with k transactions, or dropped out at opportunity
 * i+1 after k transactions in the first i:
 *   C(N, k) B(alpha+k, beta+N-k)/B(alpha, beta) B(gamma, delta+N)/B(gamma,
 * delta)
 *   + sum_{i=k}^{N-1} C(i, k) B(alpha+k, beta+i-k)/B(alpha, beta)
 *                     B(gamma+1, delta+i)/B(gamma, delta),
 * every term in logs.
 */
static int pmf(const double *p, double t, int k, double *out) {
  double al = p[AL], be = p[BE], ga = p[GA], de = p[DE], N = floor(t);
  double lab = clv__lnbeta(al, be), lgd = clv__lnbeta(ga, de);
  if (k > N) {
    *out = 0;
    return CLV_OK;
  }
  if (N - k > MAX_STEPS)
    return CLV_ENUMERIC;
  double l = clv__lngamma(N + 1) - clv__lngamma(k + 1.0) -
             clv__lngamma(N - k + 1) + clv__lnbeta(al + k, be + N - k) - lab +
             clv__lnbeta(ga, de + N) - lgd;
  for (double i = k; i < N; i++)
    l = clv__logsumexp(l, clv__lngamma(i + 1) - clv__lngamma(k + 1.0) -
                              clv__lngamma(i - k + 1) +
                              clv__lnbeta(al + k, be + i - k) - lab +
                              clv__lnbeta(ga + 1, de + i) - lgd);
  *out = exp(l);
  return isfinite(*out) ? CLV_OK : CLV_ENUMERIC;
}

/*
 * DERT (FHS 2010 eq. 14), the discounted expected residual transactions of
 * a customer with history (x, t_x, n) at discount rate d per opportunity:
 *   B(alpha+x+1, beta+n-x)/B(alpha, beta) B(gamma, delta+n+1)/
 *   (B(gamma, delta) (1+d)) 2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / L.
 * The family's dert slot (clv_dert()). Returns CLV_OK, CLV_EINVAL (d <= 0)
 * or CLV_ENUMERIC.
 */
int clv__bgbb_dert(const double *p, double x, double tx, double n, double d,
                   double *out);
int clv__bgbb_dert(const double *p, double x, double tx, double n, double d,
                   double *out) {
  double w[W_N], ll, g[4], lf;
  int sign;
  if (!(d > 0) || !isfinite(d))
    return CLV_EINVAL;
  if (prepare(p, NULL, w) || row_eval(p, w, x, tx, n, &ll, g))
    return CLV_ENUMERIC;
  double c = p[GA] + p[DE] + n + 1;
  if (clv__log_hyp2f1(1, p[DE] + n + 1, c, 1 / (1 + d), &lf, &sign) ||
      sign <= 0)
    return CLV_ENUMERIC;
  double l = clv__lnbeta(p[AL] + x + 1, p[BE] + n - x) - w[W_LBAB] +
             clv__lnbeta(p[GA], p[DE] + n + 1) - w[W_LBGD] - log1p(d) + lf - ll;
  *out = exp(l);
  return isfinite(*out) ? CLV_OK : CLV_ENUMERIC;
}

const clv__family clv__family_bgbb = {
    .name = "bgbb",
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
    .dert = clv__bgbb_dert,
    .spend = NULL,
    .spend_mean = NULL,
    .simulate = NULL,
};
