/*
 * clv/validate.h - calibration/holdout validation, model choice and cohort
 * tracking of the transaction models.
 *
 * clv_validate() fits every transaction family on the calibration columns of
 * a summary (x, t_x, T), predicts the holdout purchases of each customer,
 * compares the prediction with the holdout that was observed
 * (frequency_holdout) and picks the model that predicts it best, the
 * procedure of Fader, Hardie & Lee (2005, Marketing Science 24(2), figures
 * 3 and 4 and the conditional-expectation table). clv_tracking_compute()
 * gives the cohort's expected cumulative repeat transactions period by
 * period (their figure 2). Formulas and rules: docs/validate.md.
 */
#ifndef CLV_VALIDATE_H
#define CLV_VALIDATE_H

#include <stddef.h>
#include <stdio.h>

#include "clv/model.h"
#include "clv/status.h"
#include "clv/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of clv_validate(). */
typedef struct clv_validate_opts {
  /* Families to compare, a NULL-terminated list (NULL: every registered
   * transaction family, in registry order). */
  const char *const *families;
  int bins; /* conditional expectation bins x = 0..bins-1 and bins+ (7) */
  /* Holdout length in the summary's unit, used when the summary has no
   * duration_holdout column (0: the column is required). */
  double holdout_length;
  /* Below these the data cannot support a comparison: the fewest repeat
   * buyers (customers with x > 0) (30) and the shortest calibration span,
   * the largest T, in days (90; ignored for abstract periods). */
  double min_repeat_buyers;
  double min_span_days;
  /* Holdout RMSEs closer than this relative difference are a tie, won by
   * the model with fewer parameters (1e-4: they print the same). */
  double tie_tolerance;
  clv_fit_opts fit;
} clv_validate_opts;

/* Fills *o with the defaults above. */
void clv_validate_opts_init(clv_validate_opts *o);

/* One family's result. Figures are NaN when the family was excluded. */
typedef struct clv_validation_model {
  char family[32];
  int status;       /* CLV_OK, or why the family was excluded */
  char reason[512]; /* the failure, when status != CLV_OK */
  clv_model *model; /* the calibration fit (NULL when excluded) */
  int nparams, converged;
  double loglik, aic, bic; /* AIC = 2k - 2LL, BIC = k ln(n) - 2LL */
  double total_predicted;  /* sum of E[Y(duration) | x, t_x, T] */
  double mae, rmse;        /* per customer */
  double correlation;      /* Pearson, predicted vs actual (NaN: no spread) */
  double *bin_predicted;   /* mean prediction per bin (nbins values) */
  double *predicted;       /* per summary row (rows values) */
} clv_validation_model;

/* The whole validation. Every pointer is owned by the result. */
typedef struct clv_validation {
  size_t rows;
  double customers;      /* sum of the weights: the n of BIC */
  double repeat_buyers;  /* customers with x > 0 */
  double span;           /* calibration span: the largest T, in the unit */
  double total_actual;   /* sum of frequency_holdout */
  int nbins;             /* bins + 1 */
  double *bin_customers; /* customers per bin */
  double *bin_actual;    /* mean frequency_holdout per bin */
  size_t nmodels;
  clv_validation_model *models;
  int compared;      /* 1: the choice compares holdout errors; 0: fallback */
  int chosen;        /* index into models, -1 when no family could be fitted */
  char choice[1024]; /* the choice and why, in one or two sentences */
  char choice_zh[1536]; /* the same in Chinese (UTF-8) */
} clv_validation;

/*
 * Validates the transaction families on summary s, which must have the
 * frequency_holdout column and either duration_holdout or
 * o->holdout_length > 0. o may be NULL (defaults). A family that is not
 * registered (CLV_EMODEL) or whose fit fails is kept in the result with its
 * status and reason and left out of the choice. The caller frees *out with
 * clv_validation_free(). Returns CLV_OK (also when no family could be
 * fitted: then chosen is -1), CLV_EINVAL, CLV_ENOCOLUMN (no holdout columns:
 * err says how to make them), CLV_EDOMAIN (a negative or non-finite holdout
 * value: err says which row), CLV_EEMPTY or CLV_ENOMEM.
 */
int clv_validate(const clv_summary *s, const clv_validate_opts *o,
                 clv_validation **out, clv_error *err);

/* Frees a validation and its models. Accepts NULL. */
void clv_validation_free(clv_validation *v);

/*
 * The choice rule alone, on filled-in model results (for tests and for
 * callers that computed the figures themselves): with compared = 1 the
 * lowest RMSE among the models with status CLV_OK wins, ties (relative
 * difference <= tie_tolerance) going to fewer parameters, then to list
 * order; with compared = 0 the fewest parameters win. Sets v->chosen and
 * writes the sentence into v->choice and v->choice_zh; `why_not` (may be
 * NULL) is the reason there is no comparison, put at the start of the
 * sentence (of both: it is the caller's text).
 */
void clv_validation_choose(clv_validation *v, int compared,
                           double tie_tolerance, const char *why_not);

/* Options of clv_tracking_compute(). */
typedef struct clv_tracking_opts {
  size_t periods;       /* grid points 1..periods (required, > 0) */
  double period_length; /* length of one period in the model's unit (1) */
  /* Cohort calibration length in the unit, for summaries without the
   * first_purchase column: birth_i = length - T_i (0: the largest T, so that
   * the earliest customer is born at 0, as BTYD does). */
  double cohort_length;
} clv_tracking_opts;

/* Fills *o with the defaults above (periods 0). */
void clv_tracking_opts_init(clv_tracking_opts *o);

/* Expected (and optionally actual) cumulative repeat transactions of a
 * cohort at the end of periods 1..periods. Owned by the result. */
typedef struct clv_tracking {
  size_t periods;
  double period_length;
  double *expected;             /* cumulative, periods values */
  double *expected_incremental; /* per period */
  double *actual;               /* NULL, or cumulative (NaN: not given) */
  double *actual_incremental;   /* NULL, or per period (NaN: unknown) */
} clv_tracking;

/*
 * The cohort's expected cumulative repeat transactions under transaction
 * model m: at t = k * period_length, sum over customers of
 * w_i E[X(t - birth_i)] for the customers born before t, where birth_i is
 * the first purchase since the cohort's first (from the first_purchase
 * column when s has it, else cohort_length - T_i). The caller frees *out
 * with clv_tracking_free(). Returns CLV_OK, CLV_EINVAL, CLV_EUNSUPPORTED (a
 * spend model), CLV_ENUMERIC or CLV_ENOMEM.
 */
int clv_tracking_compute(const clv_model *m, const clv_summary *s,
                         const clv_tracking_opts *o, clv_tracking **out,
                         clv_error *err);

/*
 * Reads the actual cumulative curve from a CSV of period,cumulative rows
 * (a header line is optional; periods are increasing whole numbers from 1
 * and counts never decrease, as in BTYD's cdnowSummary_cu_tracking.csv) into
 * t->actual and t->actual_incremental; periods beyond t->periods are ignored,
 * periods the file lacks are NaN. Returns CLV_OK, CLV_EIO, CLV_EPARSE (err says
 * file:line:column), CLV_EEMPTY or CLV_ENOMEM.
 */
int clv_tracking_read_actual(clv_tracking *t, const char *path, clv_error *err);

/*
 * Fills t->actual and t->actual_incremental from the per-day repeat
 * purchases of a summary made by the summariser (clv_summary_repeat_days()):
 * period k holds the days [origin + (k-1) L, origin + k L), origin being the
 * earliest first purchase and L = t->period_length in days, as the expected
 * curve of clv_tracking_compute(). Periods starting after the summary's
 * observation end are NaN. Returns CLV_OK, CLV_EINVAL, CLV_ENOCOLUMN (no
 * per-day counts: a summary read from CSV) or CLV_ENOMEM.
 */
int clv_tracking_actual_from_summary(clv_tracking *t, const clv_summary *s,
                                     clv_error *err);

/*
 * Sets o->periods and o->period_length so that the curve covers summary s
 * from its earliest first purchase (first_purchase column) to its
 * observation end: periods of period_days days (0: a week, the unit of
 * Fader, Hardie & Lee's figure 2), made a whole multiple longer when there
 * would be more than max_periods of them (0: no limit). Returns CLV_OK,
 * CLV_EINVAL, CLV_ENOCOLUMN (no first purchase dates or observation end:
 * a summary read from CSV) or CLV_EDOMAIN.
 */
int clv_tracking_opts_span(clv_tracking_opts *o, const clv_summary *s,
                           double period_days, size_t max_periods);

/*
 * Writes the curve as CSV: period,expected,actual,expected_cumulative,
 * actual_cumulative (per-period and cumulative repeat transactions; an
 * unknown actual value is an empty field). Returns CLV_OK, CLV_EINVAL or
 * CLV_EIO.
 */
int clv_tracking_write_csv(const clv_tracking *t, FILE *f);

/* Frees a tracking result. Accepts NULL. */
void clv_tracking_free(clv_tracking *t);

#ifdef __cplusplus
}
#endif
#endif
