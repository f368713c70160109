/*
 * special.h - special functions for the model families (internal).
 *
 * special.c is the only file that calls GSL's special functions; everything
 * here is thread-safe (no lgamma(), whose global signgam races) and never
 * aborts: clv__gsl_init() switches GSL's abort-on-error handler off once.
 */
#ifndef CLV_SPECIAL_H
#define CLV_SPECIAL_H

/* Switches GSL's default error handler (which aborts) off, exactly once per
 * process (pthread_once). Every library entry point that reaches GSL calls
 * it first. */
void clv__gsl_init(void);

/* log Gamma(x) for x > 0 (lgamma_r: no global state). */
double clv__lngamma(double x);

/* Digamma psi(x) for x > 0; NaN when GSL reports an error, so that callers
 * catch it in their final finiteness check. */
double clv__digamma(double x);

/* log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b), accurate for
 * large arguments (GSL's lnbeta); NaN on error. */
double clv__lnbeta(double a, double b);

/* log of the Pochhammer symbol (a)_x = Gamma(a + x) / Gamma(a), a > 0,
 * x >= 0, without the cancellation of two large log-gammas; NaN on error. */
double clv__lnpoch(double a, double x);

/* log(exp(u) + exp(v)) without overflow. */
double clv__logsumexp(double u, double v);

/* log(1 + exp(u)) without overflow or loss for very negative u. */
double clv__log1pexp(double u);

/* expm1(v) / v, continuous at v = 0 (value 1). */
double clv__expm1_over(double v);

/* log1p(v) / v, continuous at v = 0 (value 1); v > -1. */
double clv__log1p_over(double v);

/*
 * The tail of Gauss' hypergeometric series with the factor b taken out:
 *   S = (2F1(a, b; c; z) - 1) / b
 *     = sum_{k>=1} (a)_k (b+1)_{k-1} / ((c)_k k!) z^k,
 * for 0 <= z < 1 and c > 0, which stays meaningful as b -> 0. The terms are
 * summed with term ratios and rescaled so that huge intermediate values do
 * not overflow. Writes log|S| to *log_abs and the sign (-1, 0, +1) to *sign.
 * Returns CLV_OK, CLV_EDOMAIN (arguments outside the domain) or
 * CLV_ENUMERIC (no convergence within the term budget, or cancellation that
 * would leave fewer than about 12 correct digits).
 */
int clv__hyp2f1_tail(double a, double b, double c, double z, double *log_abs,
                     int *sign);

/*
 * log |2F1(a, b; c; z)| and its sign for 0 <= z < 1, c > 0. Uses the series
 * above, Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b)
 * 2F1(c-a,c-b;c;z) when that makes the terms decay faster, and GSL's
 * gsl_sf_hyperg_2F1 as a last resort. Returns CLV_OK, CLV_EDOMAIN or
 * CLV_ENUMERIC.
 */
int clv__log_hyp2f1(double a, double b, double c, double z, double *lf,
                    int *sign);

/* Regularised incomplete beta I_x(a, b) (GSL); returns CLV_OK or
 * CLV_ENUMERIC. */
int clv__beta_inc(double a, double b, double x, double *out);

/* log J and the derivatives of log J with respect to P, Q, m and M. */
typedef struct clv__powint {
  double l, dP, dQ, dm, dM;
} clv__powint;

/*
 * J(P, Q; m, M) = int_0^inf (m+v)^-P (M+v)^-Q dv for 0 < m <= M, P >= 0,
 * Q > 0, P + Q > 1: the integral behind the Pareto/NBD likelihood, equal
 * to m^(1-P) M^-Q 2F1(1, Q; P+Q; 1 - m/M) / (P+Q-1). Fast for every m/M:
 * a positive series when m/M is not small, and near the limit m/M -> 0 a
 * split into a head integrated term by term, Gauss-Legendre pieces when
 * Q > 2, and a tail with a fast series (special.c). Writes log J and its
 * derivatives to *o. Returns CLV_OK, CLV_EDOMAIN (arguments outside the
 * domain), CLV_ENUMERIC or CLV_ENOMEM (the one-time Gauss-Legendre table could
 * not be allocated).
 */
int clv__log_powint(double P, double Q, double m, double M, clv__powint *o);

/*
 * log 2F1(a, b; a+1; z) for a > 0, 0 < b < a + 1, 0 <= z < 1, through
 * 2F1(a, b; a+1; z) = a J(b, a+1-b; 1-z, 1) (clv__log_powint()): the
 * function in Fader & Hardie's Pareto/NBD likelihood, fast and accurate up
 * to z = 1 - 1e-300. The function is positive. Returns CLV_OK, CLV_EDOMAIN
 * or CLV_ENUMERIC.
 */
int clv__log_hyp2f1_inc(double a, double b, double z, double *lf);

/* The same with 1 - z given (0 < omz <= 1): near z = 1 the value depends on
 * 1 - z to the power 1 - b, so a caller that knows 1 - z exactly (a ratio
 * of times) should pass it rather than z, whose rounding costs b * 1e-16 /
 * (1 - z) of relative accuracy. */
int clv__log_hyp2f1_inc_1mz(double a, double b, double omz, double *lf);

#endif
