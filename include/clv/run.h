/*
 * clv/run.h - per-customer prediction tables and the one-shot run.
 *
 * clv_predictions_compute() gathers every per-customer prediction that a
 * marketer acts on into one table, so that `clv predict`, `clv run` and the
 * server write the same columns. clv_run() is the whole job on an order log:
 * summary -> BG/NBD + Gamma-Gamma fits -> predictions.
 */
#ifndef CLV_RUN_H
#define CLV_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "clv/ingest.h"
#include "clv/model.h"
#include "clv/summary.h"
#include "clv/validate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-customer predictions, one value per summary row. Arrays of quantities
 * a model cannot give are NULL (expected_spend without a spend model). */
typedef struct clv_predictions {
  size_t rows;
  clv_value_opts value_opts; /* horizon, margin and discounting used */
  double *p_alive;           /* P(alive) at the end of observation */
  double *expected;          /* expected purchases in the horizon */
  double *prob_none;         /* P(no purchase in the horizon) */
  double *expected_spend;    /* E(M | x, m_x), money per purchase */
  double *value;             /* CLV over the horizon, in money (or purchases
                                when there is no spend model) */
  double *next_purchase;     /* median time to the next purchase given
                                alive, in the unit (+inf: not expected) */
  /* Population figures. */
  double new_expected; /* E[X(horizon)] of a brand-new customer */
  double new_value;    /* value of a new customer: the first purchase
                          (margin x mean spend) plus the discounted
                          repeat value over the horizon */
  /* Intervals of expected and value (and of the new customer's figures),
   * NULL unless clv_predictions_add_intervals() succeeded. Owned by the
   * table. */
  clv_intervals *intervals;
  /* DERT (clv_dert()) at dert_rate and the value without a horizon,
   * margin x expected_spend x dert; NULL unless clv_predictions_add_dert()
   * was called (value_dert also NULL without a spend model). */
  double *dert;
  double *value_dert;
  double dert_rate;
} clv_predictions;

/*
 * Computes the table for summary s under the transaction model tx and the
 * optional spend model (NULL: values are in purchases). o may be NULL
 * (clv_value_opts_init() defaults). The caller frees *out with
 * clv_predictions_free(). Returns the statuses of the prediction functions
 * of clv/model.h, or CLV_ENOMEM.
 */
int clv_predictions_compute(const clv_model *tx, const clv_model *spend,
                            const clv_summary *s, const clv_value_opts *o,
                            clv_predictions **out);

/*
 * Adds intervals to the table p computed for summary s with the models tx and
 * spend (the same as for clv_predictions_compute()): a parametric bootstrap
 * of the parameters, see clv_intervals_compute() in clv/model.h, with the
 * table's value options; io may be NULL (defaults). Replaces earlier
 * intervals. Returns CLV_EINVAL (row counts differ) or the statuses of
 * clv_intervals_compute(); err (may be NULL) says why.
 */
int clv_predictions_add_intervals(clv_predictions *p, const clv_model *tx,
                                  const clv_model *spend, const clv_summary *s,
                                  const clv_interval_opts *io, clv_error *err);

/* Frees a table. Accepts NULL. */
void clv_predictions_free(clv_predictions *p);

/*
 * Adds the columns dert and clv_unlimited to a table computed for the same
 * models and summary: see clv_dert() for `rate` and the families that have
 * it. Returns the statuses of clv_dert(), CLV_EINVAL or CLV_ENOMEM; the
 * table is unchanged on failure.
 */
int clv_predictions_add_dert(clv_predictions *p, const clv_model *tx,
                             const clv_model *spend, const clv_summary *s,
                             double rate);

/*
 * Writes the table with the summary's ids and history as CSV (header line)
 * or JSON lines: customer_id, frequency, recency, T, monetary_value (when
 * known), p_alive, expected_purchases, prob_no_purchase, expected_spend,
 * clv, next_purchase, next_purchase_date (when the summary knows its end
 * day); with intervals also expected_purchases_lo and expected_purchases_hi
 * after expected_purchases, clv_lo and clv_hi after clv. A value that is
 * not finite is written empty (CSV) or null (JSON).
 * Returns CLV_OK, CLV_EINVAL (row counts differ), CLV_EIO.
 */
int clv_predictions_write(const clv_predictions *p, const clv_summary *s,
                          FILE *f, clv_format format);

/* Options of clv_run(). */
typedef struct clv_run_opts {
  clv_ingest_opts ingest; /* unit defaults to week here */
  clv_fit_opts fit;
  /* Horizon and discounting in days, converted to the summary's unit:
   * horizon 365.2425 (12 months), margin 1 (revenue), discount rate 0.10 a
   * year applied per calendar month (365.2425/12 days) as
   * (1 + 0.10)^(1/12) - 1. */
  double horizon_days;
  double margin;
  double annual_discount_rate;
  double discount_period_days;
  /* Fewest repeat buyers needed to fit the spend model (20). */
  size_t min_repeat_buyers;
  /* The purchase model: NULL (default) chooses it by a calibration/holdout
   * check of every registered purchase family (clv_validate()), then refits
   * the winner on the whole log; a family name ("bgnbd", "pnbd", ...) skips
   * the check. The holdout is ingest.holdout_day when set, else the last
   * holdout_share of the observation span (1/3). */
  const char *model;
  double holdout_share;
  /* Intervals of expected purchases and CLV in the predictions (0: none,
   * the default); their options. When they cannot be computed (a model
   * without a covariance, too many failed draws) the run goes on without
   * them and the notes say why. */
  int intervals;
  clv_interval_opts interval;
} clv_run_opts;

/* Fills the defaults listed above. */
void clv_run_opts_init(clv_run_opts *o);

/* Room for one note of a run, in bytes, in each language. */
#define CLV_NOTE_SIZE 1280
/* Most notes a run keeps one by one (clv_run_result.note_list). */
#define CLV_RUN_MAX_NOTES 16

/* One note of a run, worded in English and in Chinese (UTF-8), with the
 * same figures in both. */
typedef struct clv_note {
  char en[CLV_NOTE_SIZE];
  char zh[CLV_NOTE_SIZE];
} clv_note;

/* Everything a run produced. Owned by the result. */
typedef struct clv_run_result {
  clv_ingest_report ingest;
  clv_summary *summary;
  clv_model *tx;              /* the purchase model (chosen, or o->model) */
  clv_validation *validation; /* the holdout check; NULL when not run */
  clv_model *spend; /* Gamma-Gamma, NULL when it could not be fitted */
  clv_predictions *pred;
  /* The cohort tracking curve (expected under tx vs actual repeat
   * purchases, weekly or coarser); NULL when the summary has no per-day
   * counts or the curve failed (the notes say why). */
  clv_tracking *tracking;
  char notes[2048];        /* the model choice, why a model was left out */
  double customers;        /* sum of weights */
  double repeat_share;     /* share with frequency > 0 */
  double historic_revenue; /* sum of total_spend (when amounts exist) */
  double value_total;      /* sum of predicted values */
  /* The same notes one by one, each in English and Chinese, in the order
   * they were made (`notes` is the English ones joined by spaces); notes
   * past CLV_RUN_MAX_NOTES are only in `notes`. clv_base_build() adds its
   * margin note here too. */
  size_t note_count;
  clv_note note_list[CLV_RUN_MAX_NOTES];
} clv_run_result;

/*
 * Runs the whole job on the order log at path ("-" = standard input): the
 * summary (clv_summarize_file); the choice of the purchase model by a
 * calibration/holdout check (unless o->model names one), falling back to
 * BG/NBD, with the reason in notes, when the data cannot support a
 * comparison; the chosen model's fit on the whole log; the Gamma-Gamma fit
 * when the log has amounts and enough repeat buyers; and the predictions. The
 * caller frees *out with clv_run_result_free(); on failure *out is NULL and err
 * says why (the ingest report is lost then; use clv_summarize_file() to
 * inspect a failing log). Returns the statuses of the steps.
 */
int clv_run(const char *path, const clv_run_opts *o, clv_run_result **out,
            clv_error *err);

/* Frees a result. Accepts NULL. */
void clv_run_result_free(clv_run_result *r);

#ifdef __cplusplus
}
#endif
#endif
