/*
 * clv/model.h - fitted customer-base models and their predictions.
 *
 * Families: "bgnbd" (BG/NBD purchase and drop-out process, Fader, Hardie &
 * Lee 2005, Marketing Science 24(2)) with parameters r, alpha, a, b; and
 * "gg" (Gamma-Gamma spend, Fader, Hardie & Lee 2005, JMR 42(4)) with
 * parameters p, q, gamma. Fits are maximum likelihood on log-parameters
 * (GSL BFGS, analytic gradients), on a summary table (clv/summary.h) whose
 * identical rows are collapsed first. Times are in the model's unit, which is
 * the unit of the summary it was fitted on.
 */
#ifndef CLV_MODEL_H
#define CLV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "clv/status.h"
#include "clv/summary.h"
#include "clv/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_model clv_model;

/* Options of clv_fit(). */
typedef struct clv_fit_opts {
  double penalty;      /* L2 penalty lambda on the log-parameters (0) */
  int max_iter;        /* BFGS iterations per start (500) */
  double gtol;         /* gradient tolerance, per customer, log scale (1e-7) */
  int starts;          /* starts tried before giving up (4) */
  int threads;         /* worker threads for the likelihood (2; 1 = none) */
  const double *start; /* natural start values (NULL: the family's own) */
} clv_fit_opts;

/* Fills *o with the defaults above. */
void clv_fit_opts_init(clv_fit_opts *o);

/*
 * Fits family ("bgnbd" or "gg") to the summary s by maximum likelihood.
 * On success *out is a new model the caller frees with clv_model_free().
 * "gg" uses only the rows with x > 0 and needs the monetary_value column
 * (m > 0 on those rows). If the optimiser fails from the first start it
 * retries from others; what happened is in clv_model_notes().
 * Returns CLV_OK, CLV_EINVAL, CLV_EMODEL (unknown family), CLV_EEMPTY (no
 * usable rows), CLV_ENOCOLUMN (gg without m), CLV_EDOMAIN (a row gg cannot
 * use), CLV_ENOCONV (no start converged; err says why), CLV_ENUMERIC or
 * CLV_ENOMEM. err (may be NULL) receives a message on failure.
 */
int clv_fit(const char *family, const clv_summary *s, const clv_fit_opts *o,
            clv_model **out, clv_error *err);

/*
 * Creates a model from known natural parameters (in the order of
 * clv_model_param_name()), for predictions and tests. Standard errors are
 * unknown (NaN), loglik is NaN, converged is 0. The caller frees *out with
 * clv_model_free(). Returns CLV_OK, CLV_EMODEL, CLV_EDOMAIN (a parameter
 * that is not finite and > 0) or CLV_ENOMEM.
 */
int clv_model_new(const char *family, const double *params, clv_unit unit,
                  clv_model **out);

/* The i-th registered model family ("bgnbd", "gg", "pnbd", "mbgnbd",
 * "bgbb", ...), or NULL past the last one; *is_transaction (may be NULL) is
 * 1 for purchase models and 0 for spend models. For listing choices. */
const char *clv_model_family_name(size_t i, int *is_transaction);

/* Frees a model. Accepts NULL. */
void clv_model_free(clv_model *m);

/* Accessors. Pointers stay valid for the model's lifetime. Unknown values
 * (standard errors of a model that was not fitted or whose Hessian is not
 * positive definite, loglik of clv_model_new()) are NaN. */
const char *clv_model_family(const clv_model *m);
int clv_model_nparams(const clv_model *m);
const char *clv_model_param_name(const clv_model *m, int i);
const double *clv_model_params(const clv_model *m);
const double *clv_model_se(const clv_model *m);
/* Covariance matrix of the log-parameters log p_i (np x np, row-major,
 * np = clv_model_nparams()): the inverse Hessian of the fit's objective
 * (negative log-likelihood plus the penalty) in log-parameters at the
 * optimum, so that se[i] = p[i] sqrt(cov[i np + i]) (the delta method). NULL
 * when unknown: a model from clv_model_new(), a fit whose Hessian was not
 * positive definite, or a model file written without it. */
const double *clv_model_cov_log(const clv_model *m);
double clv_model_loglik(const clv_model *m);
double clv_model_customers(const clv_model *m);   /* weight used in the fit */
size_t clv_model_unique_rows(const clv_model *m); /* after compression */
int clv_model_iterations(const clv_model *m);
int clv_model_evaluations(const clv_model *m);  /* likelihood evaluations */
double clv_model_grad_norm(const clv_model *m); /* per customer, log scale */
int clv_model_converged(const clv_model *m);
double clv_model_penalty(const clv_model *m);
clv_unit clv_model_unit(const clv_model *m);
const char *clv_model_notes(const clv_model *m); /* "" when none */
/* The same notes in Chinese (UTF-8). A model read from a model file has
 * only its English notes (files do not carry the Chinese ones): they are
 * returned then. "" when none. */
const char *clv_model_notes_zh(const clv_model *m);
/* 1 when the fit is a limit fit: the likelihood had no maximum inside the
 * domain and parameters were held at its edge (see the notes). */
int clv_model_at_limit(const clv_model *m);
/* 1 for families that model purchases (bgnbd), 0 for spend (gg). */
int clv_model_is_transaction(const clv_model *m);

/* Total log-likelihood of the summary under the model's parameters (the
 * same rows and weights a fit would use). Returns CLV_OK, CLV_EINVAL,
 * CLV_EEMPTY, CLV_ENOCOLUMN, CLV_EDOMAIN or CLV_ENUMERIC. */
int clv_model_summary_loglik(const clv_model *m, const clv_summary *s,
                             double *ll);

/* Per-row log-likelihoods (clv_summary_rows(s) values, unweighted); rows a
 * spend model ignores (x = 0) get 0. */
int clv_model_row_loglik(const clv_model *m, const clv_summary *s, double *out);

/* The model as a JSON document; the caller frees *out with clv_free().
 * Unknown numbers are written as null, never NaN. */
int clv_model_to_json(const clv_model *m, char **out);

/* Reads a model written by clv_model_to_json(), validating every field;
 * err (may be NULL) says which field is wrong. The caller frees *out with
 * clv_model_free(). Returns CLV_OK, CLV_EPARSE, CLV_EMODEL or CLV_ENOMEM. */
int clv_model_from_json(const char *text, clv_model **out, clv_error *err);

/* Writes / reads the JSON file at path. Errors as above plus CLV_EIO. */
int clv_model_save(const clv_model *m, const char *path, clv_error *err);
int clv_model_load(const char *path, clv_model **out, clv_error *err);

/*
 * Per-customer predictions of a transaction model (bgnbd). Each writes
 * clv_summary_rows(s) values into the caller's array out, in row order;
 * times t are in the model's unit (the summary's unit must match). They
 * return CLV_OK, CLV_EINVAL (bad arguments or unit mismatch),
 * CLV_EUNSUPPORTED (a spend model) or CLV_ENUMERIC; on success every value is
 * finite.
 */
/* P(alive at T | x, t_x, T). */
int clv_p_alive(const clv_model *m, const clv_summary *s, double *out);
/* E[Y(t) | x, t_x, T]: expected purchases in (T, T + t]. */
int clv_expected_purchases(const clv_model *m, const clv_summary *s, double t,
                           double *out);
/* P(Y(t) = 0 | x, t_x, T): no purchase in (T, T + t]. */
int clv_prob_no_purchase(const clv_model *m, const clv_summary *s, double t,
                         double *out);
/* The q-quantile (0 < q < 1; 0.5 is the median) of the waiting time from T
 * to the next purchase given that the customer is alive. It can be +inf
 * (a customer who almost never buys): callers print that as empty. */
int clv_next_purchase(const clv_model *m, const clv_summary *s, double q,
                      double *out);
/* E[X(t)] for a new customer (purchases in (0, t] after the first). */
int clv_expected_purchases_new(const clv_model *m, double t, double *out);
/*
 * DERT, the discounted expected residual transactions of each customer: the
 * expected number of future purchases, each discounted to now, over an
 * unlimited horizon (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 2, for the
 * Pareto/NBD; Fader, Hardie & Shang 2010, eq. 14, for the BG/BB). CLV
 * without a horizon is margin x E(M) x DERT. `rate` is the Pareto/NBD's
 * continuous discount rate per unit of time (15 % a year compounded yearly,
 * in weeks: log(1.15) / 52) or the BG/BB's rate per opportunity (0.1). out
 * has clv_summary_rows(s) values. Returns CLV_OK, CLV_EINVAL (rate <= 0,
 * unit mismatch), CLV_EUNSUPPORTED (a family without a closed form: BG/NBD,
 * MBG/NBD, or a spend model) or CLV_ENUMERIC.
 */
int clv_dert(const clv_model *m, const clv_summary *s, double rate,
             double *out);

/* P(X(t) = n) for a new customer. */
int clv_pmf(const clv_model *m, double t, int n, double *out);

/* E(M | x, m_x) of a spend model (gg): the mean spend shrunk towards the
 * population mean p gamma / (q - 1), which customers with x = 0 get.
 * CLV_EDOMAIN when q <= 1 (the population mean is infinite). */
int clv_expected_spend(const clv_model *gg, const clv_summary *s, double *out);

/* Options of the value predictions. All times in the model's unit. */
typedef struct clv_value_opts {
  double horizon;         /* H > 0 (52) */
  double margin;          /* gross margin rate applied to spend (1) */
  double discount_rate;   /* d per discount period (0) */
  double discount_period; /* P > 0 (1) */
} clv_value_opts;

/* Fills *o with the defaults above. */
void clv_value_opts_init(clv_value_opts *o);

/*
 * Customer lifetime value over the horizon H in money:
 *   CLV = margin * E(M) * sum_{k=1..ceil(H/P)}
 *         (E[Y(min(kP, H))] - E[Y((k-1)P)]) / (1 + d)^k,
 * with E[Y] the conditional expectation of tx and E(M) the expected spend of
 * spend (NULL: spend 1, that is CLV in purchases). out has
 * clv_summary_rows(s) values. Returns as the predictions above.
 */
int clv_customer_value(const clv_model *tx, const clv_model *spend,
                       const clv_summary *s, const clv_value_opts *o,
                       double *out);

/* The same for a brand-new customer: E[X(t)] in place of E[Y(t)] and the
 * population mean spend. */
int clv_new_customer_value(const clv_model *tx, const clv_model *spend,
                           const clv_value_opts *o, double *out);

/* ---- parameter uncertainty carried to predictions ------------------------
 *
 * A parametric bootstrap of the parameters: draws theta_b ~ Normal(theta_hat,
 * clv_model_cov_log()) of the log-parameters, independently for the purchase
 * and the spend model; every draw gives each customer's expected purchases
 * over the horizon and CLV, and the interval is the empirical (1-level)/2
 * and (1+level)/2 quantiles of the draws (docs/models.md).
 */

/* Options of clv_intervals_compute(). */
typedef struct clv_interval_opts {
  double level;  /* coverage of the interval, 0 < level < 1 (0.9) */
  int draws;     /* parameter draws B, 2 to 100000 (200) */
  uint64_t seed; /* the draws are a function of the seed only (1) */
  /* Customers whose draws are held in memory at a time (0: as many as fit
   * 32 MB per column, 2^22 / draws; results do not depend on it). */
  size_t block_rows;
} clv_interval_opts;

/* Fills *o with the defaults above. */
void clv_interval_opts_init(clv_interval_opts *o);

/* Interval bounds per customer (rows values each, in summary row order) and
 * for a brand-new customer. A draw that fails numerically (a parameter that
 * overflows, a prediction that is not finite, a spend draw with q <= 1,
 * whose mean spend is infinite) is left out of the quantiles and counted in
 * failed; the quantiles of a customer use the draws that succeeded for the
 * block of customers it was computed in (docs/models.md). */
typedef struct clv_intervals {
  size_t rows;
  double level;
  int draws;  /* draws made */
  int failed; /* draws that failed for at least one customer */
  double *expected_lo, *expected_hi; /* expected purchases in the horizon */
  double *value_lo, *value_hi;       /* CLV over the horizon */
  /* A new customer: E[X(horizon)] (clv_expected_purchases_new()) and the
   * value as clv_predictions.new_value (the first purchase at margin x mean
   * spend plus the discounted repeat value), with the standard deviation of
   * the draws. */
  double new_expected_lo, new_expected_hi, new_expected_sd;
  double new_value_lo, new_value_hi, new_value_sd;
} clv_intervals;

/*
 * Computes the intervals for the customers of summary s under the purchase
 * model tx and the optional spend model (NULL: values in purchases), with
 * the value options vo (NULL: clv_value_opts_init()) and io (NULL:
 * clv_interval_opts_init()). Memory is bounded whatever the number of
 * customers: all B draws are kept for one block of customers at a time. The
 * caller frees *out with clv_intervals_free(). Returns CLV_OK, CLV_EINVAL,
 * CLV_EUNSUPPORTED (a model without a covariance: err says which),
 * CLV_ENUMERIC (a covariance that is not positive definite, or more than
 * half of the draws failed), the statuses of the predictions, or
 * CLV_ENOMEM. err may be NULL.
 */
int clv_intervals_compute(const clv_model *tx, const clv_model *spend,
                          const clv_summary *s, const clv_value_opts *vo,
                          const clv_interval_opts *io, clv_intervals **out,
                          clv_error *err);

/* Frees intervals. Accepts NULL. */
void clv_intervals_free(clv_intervals *iv);

#ifdef __cplusplus
}
#endif
#endif
