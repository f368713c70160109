/*
 * clv/base.h - the scored customer base: an order table with every
 * customer's summary, fitted models and predictions, as of a date.
 *
 * Every command of the business layer (segments, cohorts, products,
 * reminders, what-ifs, acquisition budgets, the report) starts from the same
 * thing: the order log, read once into a clv_orders table, then scored as
 * clv run scores a log (summary -> model choice on a holdout -> fits ->
 * predictions). A base is that result, with the links between customer
 * numbers of the table and rows of the summary, so that a figure per
 * segment, cohort or product can always be traced to customers.
 *
 * Scoring "as of" an earlier date uses only the rows up to that date, so
 * that a customer's or a segment's predicted value can be followed over
 * time (the CLV trend).
 */
#ifndef CLV_BASE_H
#define CLV_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "clv/orders.h"
#include "clv/run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_base_opts {
  /* Model choice, fit, horizon, margin, discounting and intervals, as in
   * clv_run(); of run.ingest only unit, period and holdout_day are used. */
  clv_run_opts run;
  /* Score as of this day: rows after it are left out. INT32_MIN (default):
   * the table's last day. */
  int32_t as_of_day;
  /* 1 (default): when the table has costs and run.margin is 1 (not set),
   * the margin is 1 - cost / revenue over the customers' rows up to the
   * as-of day, and the notes say so. 0: run.margin as given. */
  int margin_from_cost;
} clv_base_opts;

/* Fills the defaults listed above. */
void clv_base_opts_init(clv_base_opts *o);

/* A scored base. Read-only for the caller; owned by the base except
 * `orders`, which is borrowed and must outlive it. */
typedef struct clv_base {
  const clv_orders *orders;
  clv_run_result *run;   /* summary, models, validation, predictions, notes */
  size_t customers;      /* clv_orders_customers(orders) */
  size_t *row_of;        /* customer number -> summary row, SIZE_MAX when the
                            customer is not in the summary (no purchase up to
                            the as-of day, only refunds) */
  uint32_t *customer_of; /* summary row -> customer number */
  int32_t as_of_day;     /* the summary's observation end */
  double margin;         /* margin applied to spend in the values */
} clv_base;

/*
 * Scores the order table: summary as of o->as_of_day, the purchase model
 * (chosen on a holdout unless o->run.model names one), Gamma-Gamma when the
 * log has amounts and enough repeat buyers, and the predictions. `o` may be
 * NULL (defaults). The caller frees *out with clv_base_free(); on failure
 * *out is NULL and err (may be NULL) says why. Returns the statuses of
 * clv_run().
 */
int clv_base_build(const clv_orders *orders, const clv_base_opts *o,
                   clv_base **out, clv_error *err);

/* Frees a base (not its order table). Accepts NULL. */
void clv_base_free(clv_base *b);

#ifdef __cplusplus
}
#endif
#endif
