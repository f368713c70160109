/*
 * clv/whatif.h - what-if scenarios on a scored base, and the guides' plain
 * lifetime-value formulas beside the model.
 *
 * A scenario changes the FUTURE behaviour of every customer: the drop-out
 * process (retention), the purchase rate (frequency), the spend per order
 * (average order value), the margin and the discount rate. The value under
 * a scenario is the conditional expectation given each customer's history
 * under the changed future rates, derived per model family from its
 * posterior (docs/whatif.md): for the BG/NBD and MBG/NBD (Fader, Hardie &
 * Lee 2005; Batislam, Denizel & Filiztekin 2007) the drop-out probability
 * per purchase p becomes (1 - retention) p and the purchase rate lambda
 * becomes (1 + frequency) lambda; for the Pareto/NBD (Schmittlein, Morrison
 * & Colombo 1987) the drop-out rate mu becomes (1 - retention) mu and lambda
 * becomes (1 + frequency) lambda. P(alive) at the end of observation is a
 * fact about the past and does not change.
 *
 * The plain formulas (per group of customers) are those of the practitioner
 * guides: average order value x purchases per year x lifespan in years,
 * monthly value x lifespan in months, and the "simple retention model"
 * margin x r / (1 + d - r) of Gupta & Lehmann (2003, J. Interactive
 * Marketing 17(1)) with r the yearly retention rate and d the discount rate.
 */
#ifndef CLV_WHATIF_H
#define CLV_WHATIF_H

#include <stddef.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One scenario. Changes are shares: 0.10 is +10 %. */
typedef struct clv_whatif_scenario {
  char name[64];        /* label of the scenario ("" : made from changes) */
  double retention;     /* drop-out scaled by 1 - retention; < 1 (0) */
  double frequency;     /* purchase rate scaled by 1 + frequency; > -1 (0) */
  double aov;           /* spend per order scaled by 1 + aov; > -1 (0) */
  double margin_points; /* added to the margin rate: 0.02 = +2 points (0) */
  double margin;        /* new margin rate; NaN = unchanged (NaN) */
  double discount_rate; /* new yearly discount rate; NaN = unchanged (NaN) */
} clv_whatif_scenario;

/* Fills the defaults above (no change). */
void clv_whatif_scenario_init(clv_whatif_scenario *sc);

/*
 * E[Y(t) | x, t_x, T] under the scenario's retention and frequency: the
 * expected purchases in (T, T + t] of each row of summary s, P(alive) at T
 * from the model times the expectation given alive under the changed rates.
 * out has clv_summary_rows(s) values. With no change it equals
 * clv_expected_purchases(). Returns CLV_OK, CLV_EINVAL, CLV_EDOMAIN (a
 * factor out of range), CLV_EUNSUPPORTED (a rate change for a family
 * without a derivation: BG/BB, spend models) or CLV_ENUMERIC.
 */
int clv_whatif_expected(const clv_model *tx, const clv_summary *s, double t,
                        const clv_whatif_scenario *sc, double *out);

/*
 * CLV over the horizon of vo (the base's value options) under the scenario,
 * per row of s: as clv_customer_value() with the changed purchase process,
 * spend (1 + aov) E(M), the changed margin and, when the scenario sets it,
 * the discount rate per period (1 + D)^(P days / 365.2425) - 1 for the
 * yearly rate D. spend may be NULL (values in purchases; then aov must be
 * 0). Returns the statuses of clv_whatif_expected(), CLV_EUNSUPPORTED (aov
 * without a spend model) or CLV_ENOMEM.
 */
int clv_whatif_values(const clv_model *tx, const clv_model *spend,
                      const clv_summary *s, const clv_value_opts *vo,
                      const clv_whatif_scenario *sc, double *out);

/* The guides' plain formulas for one group of customers. NaN where the data
 * cannot give a figure (written empty / null). */
typedef struct clv_whatif_plain {
  double aov;             /* historic net revenue / orders */
  double orders_per_year; /* orders / customer-years observed */
  double retention_year;  /* r: yearly retention rate (see below) */
  double lifespan_years;  /* 1 / (1 - r) */
  double value_aov;       /* margin x aov x orders_per_year x lifespan */
  double monthly_value;   /* revenue per active customer-month */
  double retention_month; /* share of a month's active customers active
                             the next month, pooled over the months */
  double lifespan_months; /* 1 / (1 - retention_month) */
  double value_monthly;   /* margin x monthly_value x lifespan_months */
  double value_retention; /* margin x yearly spend x r / (1 + d - r) */
} clv_whatif_plain;

/* One row of the group table: a value tier or a value of the --by column. */
typedef struct clv_whatif_group {
  char label[96];   /* tier name (in the language asked) or column value */
  double customers; /* sum of weights of its scored customers */
  double unscored;  /* customers of the group not in the summary */
  double historic;  /* net revenue of its rows up to the as-of day */
  double base;      /* predicted value of the base */
  double *value;    /* predicted value per scenario (nscen values) */
  clv_whatif_plain plain;
} clv_whatif_group;

/* Options of clv_whatif_compute(). */
typedef struct clv_whatif_opts {
  const clv_whatif_scenario *scenarios; /* nscen scenarios (1..64) */
  size_t nscen;
  /* Groups: by = -1 (default) value tiers of the base value (top 1 %, 1-5 %,
   * 5-10 %, 10-25 %, the rest); else a clv_attr, the customer's value
   * picked by CLV_PICK_FIRST (acquisition channel, first store, ...). */
  int by;
  int zh; /* 1: labels in Chinese */
} clv_whatif_opts;

/* Fills the defaults above (no scenarios). */
void clv_whatif_opts_init(clv_whatif_opts *o);

/* The result. Read-only; owned by itself. */
typedef struct clv_whatif {
  size_t nscen;
  clv_whatif_scenario *scenarios;
  double base_total;  /* predicted value of the base */
  double *total;      /* per scenario */
  double *change;     /* total - base_total */
  double *change_pct; /* 100 change / base_total (NaN when base is 0) */
  size_t ngroups;     /* groups, then one more: the total row */
  clv_whatif_group *groups;
  size_t rows;      /* summary rows */
  double *values;   /* rows x nscen, row-major: per-customer values */
  size_t *group_of; /* summary row -> its group */
  double annual_discount_rate; /* d of the retention formula */
  double margin;               /* the base's margin */
  const char *why_differ;      /* a sentence on why the plain formulas
                                  differ from the model (language asked) */
  /* 1 when the purchase model is a limit fit (clv_model_at_limit()): the
   * log shows almost no drop-out and the model none, so a retention change
   * is worth 0 (drop-out scaled by 1 - retention is still none). */
  int no_dropout;
  /* When no_dropout: a sentence saying so and what does move value
   * (frequency, order value, margin), in the language asked; else "". */
  const char *limit_note;
} clv_whatif;

/* The note of scenario k: w->limit_note when the model has no drop-out and
 * the scenario changes retention, else "". */
const char *clv_whatif_scenario_note(const clv_whatif *w, size_t k);

/*
 * Computes every scenario on the scored base b: per-customer values, totals,
 * the group table with a total row (groups[ngroups]) whose customers,
 * historic revenue (refunds and rows without a customer id included) and
 * values equal the sums of the groups, and the plain formulas per group.
 * The caller frees *out with clv_whatif_free(); err (may be NULL) says what
 * failed. Returns the statuses of clv_whatif_values(), CLV_EINVAL or
 * CLV_ENOMEM.
 */
int clv_whatif_compute(const clv_base *b, const clv_whatif_opts *o,
                       clv_whatif **out, clv_error *err);

/* Frees a result. Accepts NULL. */
void clv_whatif_free(clv_whatif *w);

/* The scenario table as CSV: scenario, retention, frequency, aov, margin,
 * discount_rate, value_before, value_after, change, change_pct, note
 * (clv_whatif_scenario_note()). Returns CLV_OK or CLV_EIO. */
int clv_whatif_write_csv(const clv_whatif *w, FILE *f);

/* The group table as CSV (one row per group, then "total"): group,
 * customers, unscored, historic_revenue, value_base, value_<scenario>...,
 * and the plain formulas. Returns CLV_OK or CLV_EIO. */
int clv_whatif_write_groups_csv(const clv_whatif *w, FILE *f);

/* The action list: customer_id, segment, p_alive, value, value_<scenario>
 * ..., one row per scored customer, ids as in the input. Returns CLV_OK,
 * CLV_EINVAL (b is not the base of w) or CLV_EIO. */
int clv_whatif_write_customers_csv(const clv_whatif *w, const clv_base *b,
                                   FILE *f);

/* Scenarios (each with its note), totals, groups, no_dropout and
 * limit_note as one JSON object (no per-customer arrays). Returns CLV_OK or
 * CLV_EIO. */
int clv_whatif_write_json(const clv_whatif *w, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
