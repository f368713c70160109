/*
 * sbg.h - the shifted-beta-geometric (sBG) model's mathematics (internal):
 * Fader & Hardie (2007), "How to project customer retention", Journal of
 * Interactive Marketing 21(1) 76-90, and Fader & Hardie (2010),
 * "Customer-base valuation in a contractual setting: the perils of ignoring
 * heterogeneity", Marketing Science 29(1) 85-93.
 *
 * T is the period in which a customer churns (T = 1: no renewal at all);
 * S(t) = P(T > t) is the probability of having made t renewals.
 */
#ifndef CLV_SBG_H
#define CLV_SBG_H

/* log P(T = t | alpha, beta) and log S(t | alpha, beta) in closed form
 * (log-beta functions), for any t; NaN when t is out of range (t < 1 for
 * the pmf, t < 0 for S) or special.c reports an error. */
double clv__sbg_log_pmf(double alpha, double beta, double t);
double clv__sbg_log_surv(double alpha, double beta, double t);

/* The same quantities with their derivatives in (alpha, beta), in closed
 * form with digamma functions: g[0] = d/dalpha, g[1] = d/dbeta. */
double clv__sbg_log_pmf_grad(double alpha, double beta, double t, double *g);
double clv__sbg_log_surv_grad(double alpha, double beta, double t, double *g);

/*
 * The sBG log-likelihood of sufficient statistics: churn[t] customers seen
 * to churn in period t (t = 1..tmax; churn[0] is ignored) and alive[t]
 * customers still active after t renewals (t = 0..tmax, right-censored):
 *   LL = sum_t churn[t] log P(T = t) + sum_t alive[t] log S(t).
 * Writes LL to *ll and, when grad is not NULL, dLL/dalpha, dLL/dbeta.
 * Returns CLV_OK, CLV_EDOMAIN (alpha or beta not finite and > 0) or
 * CLV_ENUMERIC (a non-finite result).
 */
int clv__sbg_loglik(double alpha, double beta, const double *churn,
                    const double *alive, long tmax, double *ll, double *grad);

/* S(t) for t = 0..tmax into s[] (tmax + 1 values) by the recursion. */
int clv__sbg_survival(double alpha, double beta, long tmax, double *s);

/* The retention rate r_t = S(t) / S(t - 1) for t >= 1. */
double clv__sbg_retention(double alpha, double beta, double t);

/*
 * DERL(d | alpha, beta, n): the discounted expected residual lifetime of a
 * customer who has made n renewals, valued just before the next renewal
 * decision (that renewal's payment is not discounted); Fader & Hardie
 * (2010) eq. (6). d >= 0; with d = 0 it needs alpha > 1 (the mean residual
 * lifetime is infinite otherwise). Returns CLV_OK, CLV_EDOMAIN or
 * CLV_ENUMERIC.
 */
int clv__sbg_derl(double alpha, double beta, double d, double n, double *out);

/* DEL(d | alpha, beta): the discounted expected lifetime of a new customer
 * who pays at the start of each period, the first payment certain and not
 * discounted (Fader & Hardie 2010). Same statuses as clv__sbg_derl(). */
int clv__sbg_del(double alpha, double beta, double d, double *out);

#endif
