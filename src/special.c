/*
 * special.c - log-gamma, digamma, log-beta, log-sum-exp and Gauss'
 * hypergeometric function for the model families. The only file of libclv
 * that calls GSL's special functions (gsl_sf_*).
 *
 * The hypergeometric series follows Abramowitz & Stegun 15.1.1 (definition)
 * and 15.3.3 (Euler's transformation); the BG/NBD uses it in Fader, Hardie
 * & Lee (2005), eqs. 7 and 10. The Pareto/NBD's integral J and its
 * 2F1(a, b; a+1; z) (Fader & Hardie 2005, "A note on deriving the
 * Pareto/NBD model and related expressions", eq. 11) are evaluated at the
 * end of the file, by series or, near z = 1, by a split of the integral.
 */
#include "special.h"

#include <math.h>
#include <pthread.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_psi.h>

#include "clv/status.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_off(void) {
  gsl_set_error_handler_off();
}

void clv__gsl_init(void) {
  pthread_once(&gsl_once, gsl_off);
}

double clv__lngamma(double x) {
  int sign;
  return lgamma_r(x, &sign);
}

double clv__digamma(double x) {
  gsl_sf_result r;
  clv__gsl_init();
  if (gsl_sf_psi_e(x, &r) != GSL_SUCCESS)
    return NAN;
  return r.val;
}

double clv__lnbeta(double a, double b) {
  gsl_sf_result r;
  clv__gsl_init();
  if (gsl_sf_lnbeta_e(a, b, &r) != GSL_SUCCESS)
    return NAN;
  return r.val;
}

double clv__lnpoch(double a, double x) {
  gsl_sf_result r;
  if (x == 0)
    return 0.0;
  clv__gsl_init();
  if (gsl_sf_lnpoch_e(a, x, &r) != GSL_SUCCESS)
    return NAN;
  return r.val;
}

double clv__logsumexp(double u, double v) {
  if (u < v) {
    double t = u;
    u = v;
    v = t;
  }
  if (u == -INFINITY)
    return -INFINITY;
  return u + log1p(exp(v - u));
}

double clv__log1pexp(double u) {
  /* For u > 0, log(1 + e^u) = u + log(1 + e^-u) keeps exp() from
   * overflowing; for u <= 0, log1p keeps the tiny e^u. */
  if (u > 0)
    return u + log1p(exp(-u));
  return log1p(exp(u));
}

double clv__expm1_over(double v) {
  /* expm1 is accurate to the last bit even for tiny v, so the quotient is
   * too; only v == 0 itself needs the limit. */
  if (v == 0)
    return 1.0;
  return expm1(v) / v;
}

double clv__log1p_over(double v) {
  if (v == 0)
    return 1.0;
  return log1p(v) / v;
}

/* Terms are rescaled by 2^-600 whenever they pass 2^600, so that the sum
 * survives values far beyond DBL_MAX; SCALE_LOG is log(2^600). */
#define BIG 0x1p600
#define SCALE_LOG (600.0 * 0.69314718055994530942)
#define MAX_TERMS 4000000

int clv__hyp2f1_tail(double a, double b, double c, double z, double *log_abs,
                     int *sign) {
  if (!(c > 0) || !(z >= 0) || !(z < 1) || !isfinite(a) || !isfinite(b))
    return CLV_EDOMAIN;
  *sign = 0;
  *log_abs = -INFINITY;
  if (z == 0 || a == 0)
    return CLV_OK;
  /* term_k = (a)_k (b+1)_{k-1} / ((c)_k k!) z^k, so term_1 = a z / c and
   * term_{k+1} / term_k = (a+k)(b+k) z / ((c+k)(k+1)). */
  double t = a * z / c, s = 0.0, scale = 0.0, tmax = 0.0;
  for (long k = 1; k <= MAX_TERMS; k++) {
    s += t;
    if (fabs(t) > tmax)
      tmax = fabs(t);
    double ratio = (a + k) * (b + k) * z / ((c + k) * (k + 1.0));
    double next = t * ratio;
    /* Stop when the geometric bound on the rest, |t| r / (1 - r), is below
     * the last bit of the sum and the terms are already shrinking. */
    double ar = fabs(ratio);
    /* While a + k or b + k is still negative the ratio can dip below 1 and
     * rise again, so the geometric bound only holds past that point. */
    int settled = a + k > 0 && b + k > 0;
    if (next == 0.0 ||
        (settled && ar < 1.0 && fabs(next) <= 1e-17 * fabs(s) * (1.0 - ar))) {
      if (s == 0.0)
        return CLV_OK;
      /* Cancellation check: the largest term may exceed the sum by at most
       * 1e4 (about 4 of 16 digits lost); otherwise the caller tries
       * another form. */
      if (tmax > 1e4 * fabs(s))
        return CLV_ENUMERIC;
      *sign = s > 0 ? 1 : -1;
      *log_abs = log(fabs(s)) + scale;
      return CLV_OK;
    }
    t = next;
    if (fabs(t) > BIG) {
      t /= BIG;
      s /= BIG;
      tmax /= BIG;
      scale += SCALE_LOG;
    }
    if (!isfinite(t))
      return CLV_ENUMERIC;
  }
  return CLV_ENUMERIC;
}

/* log(1 + b S) with S = sign * exp(ls), that is log 2F1; F must be > 0. */
static int log1p_bs(double b, double ls, int sign, double *lf, int *fsign) {
  if (sign == 0 || b == 0) {
    *lf = 0.0;
    *fsign = 1;
    return CLV_OK;
  }
  double lbs = log(fabs(b)) + ls;
  int bs_sign = (b > 0 ? 1 : -1) * sign;
  if (lbs > 40.0) {
    /* 1 is below the last bit of |b S|: log|1 + bS| = log|bS|. */
    *lf = lbs;
    *fsign = bs_sign;
    return CLV_OK;
  }
  double v = bs_sign * exp(lbs);
  if (v > -1.0) {
    *lf = log1p(v);
    *fsign = 1;
  } else {
    *lf = log(-(1.0 + v));
    *fsign = v == -1.0 ? 0 : -1;
  }
  return CLV_OK;
}

static int log_hyp2f1_gsl(double a, double b, double c, double z, double *lf,
                          int *sign) {
  gsl_sf_result r;
  clv__gsl_init();
  if (gsl_sf_hyperg_2F1_e(a, b, c, z, &r) != GSL_SUCCESS || !isfinite(r.val))
    return CLV_ENUMERIC;
  if (fabs(r.err) > 1e-8 * fabs(r.val))
    return CLV_ENUMERIC;
  *sign = r.val > 0 ? 1 : (r.val < 0 ? -1 : 0);
  *lf = log(fabs(r.val));
  return CLV_OK;
}

int clv__log_hyp2f1(double a, double b, double c, double z, double *lf,
                    int *sign) {
  double ls;
  int ssign, rc;
  if (!(c > 0) || !(z >= 0) || !(z < 1))
    return CLV_EDOMAIN;
  /* The terms behave like k^(a+b-c-1) z^k; after Euler's transformation
   * like k^(c-a-b-1) z^k. Near z = 1 the smaller exponent wins by a wide
   * margin, so pick the form whose terms decay faster. */
  int euler = z > 0.5 && a + b > c;
  if (euler) {
    rc = clv__hyp2f1_tail(c - a, c - b, c, z, &ls, &ssign);
    if (rc == CLV_OK) {
      rc = log1p_bs(c - b, ls, ssign, lf, sign);
      *lf += (c - a - b) * log1p(-z);
      return rc;
    }
  }
  rc = clv__hyp2f1_tail(a, b, c, z, &ls, &ssign);
  if (rc == CLV_OK)
    return log1p_bs(b, ls, ssign, lf, sign);
  return log_hyp2f1_gsl(a, b, c, z, lf, sign);
}

int clv__beta_inc(double a, double b, double x, double *out) {
  gsl_sf_result r;
  clv__gsl_init();
  if (gsl_sf_beta_inc_e(a, b, x, &r) != GSL_SUCCESS || !isfinite(r.val))
    return CLV_ENUMERIC;
  *out = r.val;
  return CLV_OK;
}

/* ---- the integral J of the Pareto/NBD ------------------------------------
 *
 * J(P, Q; m, M) = int_0^inf (m+v)^-P (M+v)^-Q dv, 0 < m <= M, P >= 0, Q > 0,
 * P + Q > 1. With z = (M-m)/M, A&S 15.3.1 and Euler's transformation
 * (A&S 15.3.3) give
 *   J = m^(1-P) M^-Q 2F1(1, Q; P+Q; z) / (P+Q-1),
 * and 2F1(a, b; a+1; z) = a J(b, a+1-b; 1-z, 1) is the function Fader &
 * Hardie's Pareto/NBD likelihood needs. The series of 2F1(1, Q; P+Q; z) has
 * positive terms whose ratio rises to z: about 40/(1-z) of them. Near z = 1
 * (a short scale m, a long one M) the integral is split at the point where
 * y = m + v reaches Y = theta (M - m): the tail from there on is J again at
 * (Y, M - m + Y), whose z is 1/(1+theta), and the head is integrated term by
 * term after expanding the long factor binomially (see powint_head()).
 */

/* One exp per term at most: psi(a) = (e^a - 1)/a and
 * phi(a) = int_0^1 u e^(a u) du = (1 + e^a (a-1)) / a^2, for a <= 0. The
 * closed form of phi cancels for small |a|, where its Taylor series
 * sum_n a^n / (n! (n+2)) takes over. */
static void psi_phi(double a, double *ps, double *ph) {
  if (a > -1.0) {
    double t = 1.0, s = 0.5;
    *ps = clv__expm1_over(a);
    for (int n = 1; n < 40; n++) {
      t *= a / n;
      double add = t / (n + 2);
      s += add;
      if (fabs(add) <= 1e-17 * s)
        break;
    }
    *ph = s;
  } else {
    double e = exp(a);
    *ps = (e - 1.0) / a;
    *ph = (1.0 + e * (a - 1.0)) / (a * a);
  }
}

/*
 * 2F1(1, Q; P+Q; z) = sum_k (Q)_k / (P+Q)_k z^k with the derivatives of its
 * log with respect to b = Q, d = P+Q and z, summed in one loop: with
 * t_k = (b)_k / (d)_k z^k,
 *   d log t_k / db = sum_{j<k} 1/(b+j),  d log t_k / dd = -sum_{j<k} 1/(d+j),
 *   d t_k / dz = k t_k / z.
 * Every term is positive and the ratio (b+k) z / (d+k) never exceeds z, so
 * F <= 1/(1-z): no overflow, no cancellation. The rest of every sum is at
 * most t z/(1-z) times the weight of the current term, plus, for weights
 * growing with k (k + 1, sb, sd), about t z/(1-z)^2 more: hence the
 * (1-z)^2 in the stopping rule. clv__log_powint() calls it only where z
 * is at most 1/(1 + theta/2) or the split cannot help (see there);
 * MAX_SERIES bounds the work otherwise.
 */
#define MAX_SERIES 1000000

static int series_1bd(double b, double d, double z, double *lf, double *gb,
                      double *gd, double *gz) {
  double t = 1.0, f = 1.0, fb = 0, fd = 0, fz = 0, sb = 0, sd = 0;
  if (z == 0) {
    *lf = 0;
    *gb = *gd = 0;
    *gz = b / d;
    return CLV_OK;
  }
  double tol = 1e-17 * (1 - z) * (1 - z);
  for (long k = 0; k < MAX_SERIES; k++) {
    double id = 1.0 / (d + k);
    sb += 1.0 / (b + k);
    sd += id;
    t *= (b + k) * id * z;
    f += t;
    fb += t * sb;
    fd -= t * sd;
    fz += (k + 1.0) * t;
    double w = (k + 2.0) + sb + sd;
    if (t * w <= tol * f) {
      *lf = log(f);
      *gb = fb / f;
      *gd = fd / f;
      *gz = fz / (z * f);
      return CLV_OK;
    }
  }
  return CLV_ENUMERIC;
}

/* J by the series alone (any z < 1; slow near 1). */
static int powint_series(double P, double Q, double m, double M,
                         clv__powint *o) {
  double lf, gb, gd, gz, c = P + Q - 1, z = (M - m) / M;
  double lm = log(m), lM = log(M);
  int rc = series_1bd(Q, P + Q, z, &lf, &gb, &gd, &gz);
  if (rc)
    return rc;
  o->l = (1 - P) * lm - Q * lM + lf - log(c);
  o->dP = -lm + gd - 1 / c;
  o->dQ = -lM + gb + gd - 1 / c;
  o->dm = (1 - P) / m - gz / M;
  o->dM = -Q / M + gz * m / (M * M);
  return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
}

/*
 * The head H = int_m^Y y^-P (D+y)^-Q dy, D = M - m, Y = theta D with
 * theta = 1 / (2 max(Q, 1)), and its derivatives, in logs. With
 * (D+y)^-Q = D^-Q sum_k c_k (-y/D)^k, c_k = (Q)_k / k!, and s = y/m,
 *   H = m^(1-P) D^-Q sum_k c_k (-mu)^k b_k,
 *   b_k = int_1^Lam s^(k-P) ds = L psi((k+1-P) L),
 * mu = m/D, Lam = Y/m, L = log Lam: the term with k = P - 1 is the
 * logarithm L itself, reached continuously through psi (no special case
 * when P is an integer). Since mu s <= mu Lam = theta, the scaled terms
 * u_k = mu^k b_k / b_0 obey u_{k+1} <= theta u_k <= theta^k, and
 * c_{k+1} theta / c_k <= 1/2: the alternating sum converges at least like
 * 2^-k, and its terms add to at most 3 times the sum (the integrand lies
 * between (1+theta)^-Q and 1 times y^-P D^-Q). The derivatives come from
 * the same terms, at fixed Y (the split point does not move; its two
 * boundary terms would cancel between head and tail):
 *   dH/dP = -int log(y) f = -log(m) H - m^(1-P) D^-Q sum c_k (-mu)^k g_k,
 *           g_k = int_1^Lam s^(k-P) log s ds = L^2 phi((k+1-P) L),
 *   dH/dQ = -log(D) H + m^(1-P) D^-Q sum (dc_k/dQ) (-mu)^k b_k,
 *   dH/dm = -P H(P+1, Q),  dH/dM = -Q H(P, Q+1),
 * the last two being the same expansion with P+1 (b_{k-1}) or with c_k(Q+1)
 * and one more power of D. Writes log H and the derivatives of log H.
 */
static int powint_head(double P, double Q, double m, double D, double Y,
                       clv__powint *o) {
  double L = log(Y / m), lm = log(m), lD = log(D);
  double mu = m / D, th = Y / D, a0 = (1 - P) * L, ps, ph;
  /* psi(a) = e^a psi(-a) for a > 0, and mu^k e^((k+1-P) L) = theta^k
   * Lam^(1-P): each term is a power product times psi or phi at a
   * non-positive argument, never an overflowing exponential. pos and neg
   * scale the terms with k + 1 - P above and below 0 by 1 / psi(a0). */
  psi_phi(-fabs(a0), &ps, &ph);
  double lps0 = (a0 > 0 ? a0 : 0) + log(ps), pos, neg = 1 / ps;
  pos = a0 > 0 ? 1 / ps : exp(a0) / ps;
  psi_phi(-P * L, &ps, &ph);
  /* b_{-1} / b_0 = psi(-P L) / psi(a0). */
  double bm1 = a0 > 0 ? ps * exp(-a0) * neg : ps * neg;
  double c = 1, c1 = 1, dc = 0, sg = 1, muk = 1, thk = 1;
  double s0 = 0, sq1 = 0, sdq = 0, sdp = 0, sp1 = 0;
  for (int k = 0;; k++) {
    double a = (k + 1 - P) * L, u, v;
    if (k == 400)
      return CLV_ENUMERIC;
    psi_phi(-fabs(a), &ps, &ph);
    if (a > 0) {
      u = thk * pos * ps;
      v = L * thk * pos * (ps - ph);
    } else {
      u = muk * neg * ps;
      v = L * muk * neg * ph;
    }
    double cn = c * (Q + k) / (k + 1.0);
    s0 += sg * c * u;
    sq1 += sg * c1 * u;
    sdq += sg * dc * u;
    sdp += sg * c * v;
    sp1 += sg * cn * u;
    if (k >= 2 && (c + c1 + fabs(dc) + cn) * u * (1 + L) <= 1e-18)
      break;
    dc = (dc * (Q + k) + c) / (k + 1.0);
    c = cn;
    c1 *= (Q + 1 + k) / (k + 1.0);
    sg = -sg;
    muk *= mu;
    thk *= th;
  }
  if (!(s0 > 0) || !(sq1 > 0))
    return CLV_ENUMERIC;
  /* H(P+1, Q) / N: the k = 0 term b_{-1} / (m b_0), then the rest. */
  double hp1 = bm1 / m - sp1 / D;
  if (!(hp1 > 0))
    return CLV_ENUMERIC;
  o->l = (1 - P) * lm - Q * lD + log(L) + lps0 + log(s0);
  o->dP = -lm - sdp / s0;
  o->dQ = -lD + sdq / s0;
  o->dm = -P * hp1 / s0;
  o->dM = -Q * sq1 / (D * s0);
  return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
}

/* Adds part b to the sum a of pieces of J: the log of the sum, and each
 * derivative as the pieces' log-derivatives weighted by their shares. */
static void powint_add(clv__powint *a, const clv__powint *b) {
  double l = clv__logsumexp(a->l, b->l);
  double wa = exp(a->l - l), wb = exp(b->l - l);
  a->dP = wa * a->dP + wb * b->dP;
  a->dQ = wa * a->dQ + wb * b->dQ;
  a->dm = wa * a->dm + wb * b->dm;
  a->dM = wa * a->dM + wb * b->dM;
  a->l = l;
}

/* Gauss-Legendre nodes for the middle pieces, computed once (GSL's
 * glfixed table; never freed, it lives as long as the process). */
#define GL_NODES 20
static pthread_once_t gl_once = PTHREAD_ONCE_INIT;
static gsl_integration_glfixed_table *gl_table;

static void gl_make(void) {
  clv__gsl_init(); /* a failed allocation reports, not aborts */
  gl_table = gsl_integration_glfixed_table_alloc(GL_NODES);
}

/*
 * int_y0^y1 y^-P (D+y)^-Q dy and its derivatives (y = m + v, D + y = M + v)
 * by Gauss-Legendre with GL_NODES points, for a piece no longer than y0 and
 * than two decay lengths of either factor, (D+y0)/Q and y0/P: then the
 * integrand is analytic in an ellipse around the piece (the nearest
 * singularity, at y = 0, lies three half-lengths from its centre or more)
 * and grows by at most about e^2 on the ellipse of parameter 3, so 20
 * points leave an error near 3^-40, far below 1e-16. Values are scaled by
 * the integrand at y0 to stay in range.
 */
static int powint_piece(double P, double Q, double D, double y0, double y1,
                        clv__powint *o) {
  double ref = -P * log(y0) - Q * log(D + y0);
  double s = 0, sp = 0, sq = 0, sm = 0, sM = 0;
  for (size_t i = 0; i < GL_NODES; i++) {
    double y, w;
    if (gsl_integration_glfixed_point(y0, y1, i, &y, &w, gl_table))
      return CLV_ENUMERIC;
    double ly = log(y), lq = log(D + y);
    double f = w * exp(-P * ly - Q * lq - ref);
    s += f;
    sp += f * ly;
    sq += f * lq;
    sm += f / y;
    sM += f / (D + y);
  }
  if (!(s > 0))
    return CLV_ENUMERIC;
  o->l = ref + log(s);
  o->dP = -sp / s;
  o->dQ = -sq / s;
  o->dm = -P * sm / s;
  o->dM = -Q * sM / s;
  return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
}

/*
 * The split pays off once the head spans a factor 2 or more in y, that is
 * for z >= 1 / (1 + theta/2): from z = 0.8 when Q <= 1. When Q > 2 the head
 * ends at Y = D/(2Q), well short of D/2, where the tail's series would need
 * about 80 Q terms (and for z >= 0.9 with no room for a head at all, the
 * series from m would need 40/(1-z)); the stretch from Y (or m) on is
 * then covered by Gauss-Legendre
 * pieces (powint_piece()), each at most doubling y and at most two decay
 * lengths of (D+y)^-Q and of y^-P long, until either y reaches D/2 (the tail's
 * z is then at most 2/3 and the series takes over) or the rest, at most y^-P
 * (D+y)^(1-Q) / (Q-1), is below 1e-17 of the sum.
 */
#define MAX_PIECES 200

int clv__log_powint(double P, double Q, double m, double M, clv__powint *o) {
  if (!(P >= 0) || !(Q > 0) || !(P + Q > 1) || !(m > 0) || !(M >= m) ||
      !isfinite(P + Q + M))
    return CLV_EDOMAIN;
  double D = M - m, theta = 0.5 / (Q > 1 ? Q : 1), y = theta * D;
  clv__powint part;
  int rc;
  o->l = -INFINITY;
  o->dP = o->dQ = o->dm = o->dM = 0;
  if (y >= 2 * m) {
    if ((rc = powint_head(P, Q, m, D, y, o)))
      return rc;
  } else if (Q > 2 && m <= 0.1 * M) {
    /* No room for a head, but z >= 0.9: the pieces start at m. */
    y = m;
  } else {
    return powint_series(P, Q, m, M, o);
  }
  if (Q > 2) {
    pthread_once(&gl_once, gl_make);
    if (gl_table == NULL)
      return CLV_ENOMEM;
  }
  for (int i = 0; Q > 2 && y < 0.5 * D; i++) {
    double rest = -P * log(y) + (1 - Q) * log(D + y) - log(Q - 1);
    if (rest < o->l - 39.2) /* e^-39.2 < 1e-17: nothing left to add */
      return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
    /* Two decay lengths of either factor at most: (D+y)/Q and y/P. */
    double h = 2 * (D + y) / Q;
    if (h > y)
      h = y;
    if (P > 1 && h > 2 * y / P)
      h = 2 * y / P;
    if (i == MAX_PIECES || (rc = powint_piece(P, Q, D, y, y + h, &part)))
      return rc ? rc : CLV_ENUMERIC;
    powint_add(o, &part);
    y += h;
  }
  if ((rc = powint_series(P, Q, y, D + y, &part)))
    return rc;
  powint_add(o, &part);
  return isfinite(o->l) ? CLV_OK : CLV_ENUMERIC;
}

int clv__log_hyp2f1_inc(double a, double b, double z, double *lf) {
  if (!(z >= 0) || !(z < 1))
    return CLV_EDOMAIN;
  return clv__log_hyp2f1_inc_1mz(a, b, 1 - z, lf);
}

int clv__log_hyp2f1_inc_1mz(double a, double b, double omz, double *lf) {
  clv__powint j;
  if (!(a > 0) || !(b > 0) || !(b < a + 1) || !(omz > 0) || !(omz <= 1))
    return CLV_EDOMAIN;
  int rc = clv__log_powint(b, a + 1 - b, omz, 1, &j);
  if (rc == CLV_OK)
    *lf = log(a) + j.l;
  return rc;
}
