/*
 * predict.h - the fused prediction pass behind clv_predictions_compute()
 * (internal; BG/NBD and Gamma-Gamma formulas as in src/predict.c).
 */
#ifndef CLV_PREDICT_INTERNAL_H
#define CLV_PREDICT_INTERNAL_H

#include "clv/model.h"

/* Output columns of clv__predict_all(), clv_summary_rows(s) values each,
 * owned by the caller. expected_spend is NULL without a spend model. */
typedef struct clv__pred_cols {
  double *p_alive, *expected, *prob_none, *next_purchase, *value;
  double *expected_spend;
} clv__pred_cols;

/*
 * Fills, in one pass over the distinct (x, T) pairs and one over the rows,
 * exactly what clv_p_alive(), clv_expected_purchases(o->horizon),
 * clv_prob_no_purchase(o->horizon), clv_next_purchase(q),
 * clv_customer_value(o) and clv_expected_spend() write (the same operations
 * in the same order, so the same bits). Returns CLV_OK or the first failure
 * it met; the caller re-runs the separate functions to learn their exact
 * statuses, since the pass may meet failures in another order.
 */
int clv__predict_all(const clv_model *tx, const clv_model *spend,
                     const clv_summary *s, const clv_value_opts *o, double q,
                     clv__pred_cols *out);

/*
 * P(alive at T + tau | x, t_x, T) per row of s: the chance that a customer
 * is still alive tau units (the model's unit) after the end of observation,
 * with nothing known about (T, T + tau]: P(alive at T) times the chance to
 * survive tau more units given alive (derivations above the code in
 * predict.c). tau = 0 gives clv_p_alive(). BG/NBD, MBG/NBD and Pareto/NBD;
 * other families return CLV_EUNSUPPORTED for tau > 0. out has
 * clv_summary_rows(s) values, owned by the caller. Returns CLV_OK,
 * CLV_EINVAL, CLV_EUNSUPPORTED, CLV_EDOMAIN or CLV_ENUMERIC.
 */
int clv__p_alive_at(const clv_model *m, const clv_summary *s, double tau,
                    double *out);

#endif
