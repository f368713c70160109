/*
 * special.c - log-gamma, digamma, log-beta, log-sum-exp and Gauss'
 * hypergeometric function for the model families. The only file of libclv
 * that calls GSL's special functions (gsl_sf_*).
 *
 * The hypergeometric series follows Abramowitz & Stegun 15.1.1 (definition)
 * and 15.3.3 (Euler's transformation); the BG/NBD uses it in Fader, Hardie
 * & Lee (2005), eqs. 7 and 10.
 */
#include "special.h"

#include <math.h>
#include <pthread.h>

#include <gsl/gsl_errno.h>
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
