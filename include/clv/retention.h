/*
 * clv/retention.h - retention of subscribers in a contractual setting: the
 * shifted-beta-geometric (sBG) model of Fader & Hardie (2007), "How to
 * project customer retention", Journal of Interactive Marketing 21(1)
 * 76-90, with the valuation of Fader & Hardie (2010), "Customer-base
 * valuation in a contractual setting", Marketing Science 29(1) 85-93.
 *
 * Time is in discrete periods (the contract's renewal period). A customer
 * is acquired at the start of period 1 and at the end of each period either
 * renews or churns; T is the period in which the customer churns, and
 * S(t) = P(T > t) the probability of having made t renewals. Data are
 * cohort survivor counts n_0 >= n_1 >= ... (n_t customers still active
 * after t renewals) or per-customer tenure (renewals made, churned or not).
 */
#ifndef CLV_RETENTION_H
#define CLV_RETENTION_H

#include <stddef.h>

#include "clv/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- data: the sufficient statistics of the sBG likelihood ----------------
 */

/* Counts of customers who churned in period t and of customers still active
 * after t renewals (right-censored), added up over cohorts and customers. */
typedef struct clv_retention_data clv_retention_data;

/* Creates empty data; the caller frees it with clv_retention_data_free().
 * Returns CLV_OK, CLV_EINVAL or CLV_ENOMEM. */
int clv_retention_data_new(clv_retention_data **out);

/* Frees the data. Accepts NULL. */
void clv_retention_data_free(clv_retention_data *d);

/*
 * Adds a cohort of survivor counts: survivors[t] customers still active
 * after t renewals, t = 0..n-1 (n >= 2 values: n_0 acquired, observed for
 * n - 1 periods). Counts may be fractional (percentages) but must be finite,
 * non-negative, not increasing, with n_0 > 0. The n_{t-1} - n_t customers
 * lost in period t churned there; the n_{n-1} still active are censored.
 * Returns CLV_OK, CLV_EINVAL, CLV_EDOMAIN (err says which value) or
 * CLV_ENOMEM.
 */
int clv_retention_data_add_cohort(clv_retention_data *d,
                                  const double *survivors, size_t n,
                                  clv_error *err);

/*
 * Adds weight customers who made `renewals` renewals and then either churned
 * at the next renewal decision (churned = 1: T = renewals + 1) or are still
 * active (churned = 0: censored after `renewals` renewals). A customer who
 * cancelled at the first renewal decision has renewals 0, churned 1.
 * Returns CLV_OK, CLV_EDOMAIN (renewals < 0 or above 10^7, weight not
 * finite and >= 0) or CLV_ENOMEM.
 */
int clv_retention_data_add_customer(clv_retention_data *d, long renewals,
                                    int churned, double weight);

/* Total weight of the customers added. */
double clv_retention_data_customers(const clv_retention_data *d);

/* The largest period that carries data (0 when empty). */
long clv_retention_data_periods(const clv_retention_data *d);

/*
 * Reads per-customer tenure from a CSV file ("-" = standard input) with a
 * header naming a renewals column ("renewals", "periods" or
 * "periods_survived": renewals made, a whole number >= 0) and a churned
 * column ("churned", "churn", "cancelled" or "canceled": 0/1, or
 * true/false); other columns (the customer id) are ignored. NULL names pick
 * those defaults. Bad values fail with file:line:column in err (CLV_EPARSE),
 * a missing column with CLV_ENOCOLUMN, no rows with CLV_EEMPTY; CLV_EIO,
 * CLV_ENOMEM. The caller frees *out with clv_retention_data_free().
 */
int clv_retention_read_tenure(const char *path, const char *renewals_col,
                              const char *churned_col, clv_retention_data **out,
                              clv_error *err);

/* ---- survivor tables ------------------------------------------------------
 */

/* Cohort columns of survivor counts read from a CSV file: one row per
 * period, period 0 first. */
typedef struct clv_survivors clv_survivors;

/*
 * Reads the columns named in names[0..nnames-1] from the CSV file at path
 * ("-" = standard input); nnames == 0 reads every column except those named
 * year, period, t, month, week, day or quarter. Each column is checked as
 * clv_retention_data_add_cohort() would; a column may end early (empty
 * cells after its last count: a younger cohort). Errors give
 * file:line:column (CLV_EPARSE: not a number, negative, increasing, a count
 * after an empty cell; CLV_ENOCOLUMN: no such column; CLV_EEMPTY: fewer than
 * two counts), CLV_EIO, CLV_ENOMEM. The caller frees *out with
 * clv_survivors_free().
 */
int clv_survivors_read_csv(const char *path, const char *const *names,
                           size_t nnames, clv_survivors **out, clv_error *err);

/* Frees a survivor table. Accepts NULL. */
void clv_survivors_free(clv_survivors *s);

/* Accessors: the number of cohorts; cohort i's column name, its number of
 * counts (periods observed + 1) and the counts themselves. Pointers stay
 * valid until clv_survivors_free(). */
size_t clv_survivors_cohorts(const clv_survivors *s);
const char *clv_survivors_name(const clv_survivors *s, size_t i);
size_t clv_survivors_length(const clv_survivors *s, size_t i);
const double *clv_survivors_counts(const clv_survivors *s, size_t i);

/* ---- the sBG model ----------------------------------------------------------
 */

/* A fitted (or given) sBG model: parameters alpha, beta of the Beta
 * distribution of the churn probability across customers. */
typedef struct clv_sbg clv_sbg;

/* Options of clv_sbg_fit(). */
typedef struct clv_sbg_fit_opts {
  int max_iter;    /* BFGS iterations per start (500) */
  double gtol;     /* gradient tolerance, per customer, log scale (1e-9) */
  int starts;      /* starts tried before giving up (4) */
  double start[2]; /* alpha, beta of the first start (1, 1, as FH07) */
} clv_sbg_fit_opts;

/* Fills *o with the defaults above. */
void clv_sbg_fit_opts_init(clv_sbg_fit_opts *o);

/*
 * Fits alpha and beta by maximum likelihood (BFGS on the log-parameters,
 * analytic gradient; standard errors from the Hessian). On success *out is
 * a new model the caller frees with clv_sbg_free(). Returns CLV_OK,
 * CLV_EINVAL, CLV_EEMPTY (no customers), CLV_ENOCONV (no start converged,
 * or the data do not identify the model: nobody churned, or everybody did
 * at once; err says why), CLV_ENUMERIC or CLV_ENOMEM.
 */
int clv_sbg_fit(const clv_retention_data *d, const clv_sbg_fit_opts *o,
                clv_sbg **out, clv_error *err);

/* A model with known parameters (finite and > 0, else CLV_EDOMAIN); its
 * standard errors and log-likelihood are NaN. The caller frees *out with
 * clv_sbg_free(). */
int clv_sbg_new(double alpha, double beta, clv_sbg **out);

/* Frees a model. Accepts NULL. */
void clv_sbg_free(clv_sbg *m);

/* Accessors; unknown values (standard errors without a positive definite
 * Hessian, the fit statistics of clv_sbg_new()) are NaN or 0. */
double clv_sbg_alpha(const clv_sbg *m);
double clv_sbg_beta(const clv_sbg *m);
double clv_sbg_se_alpha(const clv_sbg *m);
double clv_sbg_se_beta(const clv_sbg *m);
double clv_sbg_loglik(const clv_sbg *m);
double clv_sbg_customers(const clv_sbg *m);
double clv_sbg_grad_norm(const clv_sbg *m); /* per customer, log scale */
int clv_sbg_iterations(const clv_sbg *m);
int clv_sbg_converged(const clv_sbg *m);

/* The log-likelihood of d at the model's parameters and, when grad is not
 * NULL, its derivatives in (alpha, beta). Returns CLV_OK, CLV_EINVAL,
 * CLV_EEMPTY or CLV_ENUMERIC. */
int clv_sbg_data_loglik(const clv_sbg *m, const clv_retention_data *d,
                        double *ll, double *grad);

/* S(t) for t = 0..tmax into s (tmax + 1 values, caller's array): the share
 * of a cohort still active after t renewals. */
int clv_sbg_survival(const clv_sbg *m, long tmax, double *s);

/* P(T = t), t >= 1: the share of a cohort that churns in period t. */
int clv_sbg_churn_pmf(const clv_sbg *m, long t, double *p);

/* The retention rate r_t = S(t) / S(t - 1) of period t >= 1. */
int clv_sbg_retention_rate(const clv_sbg *m, long t, double *r);

/*
 * DERL: the discounted expected residual lifetime, in periods, of a customer
 * who has made `renewals` renewals, valued just before the next renewal
 * decision: sum_{k>=1} S(n+k)/S(n) / (1+d)^(k-1) (Fader & Hardie 2010,
 * eq. 6). discount_rate d >= 0 per period; d = 0 needs alpha > 1.
 * Returns CLV_OK, CLV_EINVAL, CLV_EDOMAIN or CLV_ENUMERIC.
 */
int clv_sbg_derl(const clv_sbg *m, double discount_rate, long renewals,
                 double *out);

/* DEL: the discounted expected lifetime of a new customer,
 * sum_{t>=0} S(t) / (1+d)^t (payment at the start of each period, the first
 * one certain). Statuses as clv_sbg_derl(). */
int clv_sbg_del(const clv_sbg *m, double discount_rate, double *out);

/* Options of the subscriber values. */
typedef struct clv_sbg_value_opts {
  double value;         /* payment per period (1) */
  double margin;        /* share of the payment that is profit (1) */
  double discount_rate; /* d per period (0.1) */
} clv_sbg_value_opts;

/* Fills *o with the defaults above. */
void clv_sbg_value_opts_init(clv_sbg_value_opts *o);

/* CLV of a new subscriber, margin * value * DEL, and the residual CLV of a
 * subscriber after `renewals` renewals, margin * value * DERL (the next
 * payment, due at the coming renewal, not discounted). Statuses as
 * clv_sbg_derl(). */
int clv_sbg_new_subscriber_value(const clv_sbg *m, const clv_sbg_value_opts *o,
                                 double *out);
int clv_sbg_subscriber_value(const clv_sbg *m, const clv_sbg_value_opts *o,
                             long renewals, double *out);

#ifdef __cplusplus
}
#endif
#endif
