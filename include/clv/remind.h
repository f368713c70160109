/*
 * clv/remind.h - reorder reminders: per customer (and per customer x
 * product where a product repeats) the typical repurchase interval, the
 * habitual due date, the model's expected next purchase date, whether the
 * customer is due or overdue on a given date, and the week's contact list
 * sorted by value at stake. The rules are in docs/remind.md.
 */
#ifndef CLV_REMIND_H
#define CLV_REMIND_H

#include <stdint.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a customer's typical interval comes from. */
typedef enum clv_interval_source {
  CLV_INTERVAL_MEDIAN = 0, /* median of the gaps (two gaps or more) */
  CLV_INTERVAL_MEAN,       /* recency / frequency (one gap) */
  CLV_INTERVAL_POPULATION, /* the population's (no gap: one purchase day) */
  CLV_INTERVAL_NONE        /* nobody in the base ever repurchased */
} clv_interval_source;

/* "median_gap", "mean_gap", "population", "none". */
const char *clv_interval_source_name(clv_interval_source s);

/* Status on the reference day. */
typedef enum clv_remind_status {
  CLV_REMIND_NOT_DUE = 0, /* due after the 7-day window */
  CLV_REMIND_DUE,         /* due within [on, on + 6] */
  CLV_REMIND_OVERDUE,     /* due before `on` */
  CLV_REMIND_UNKNOWN,     /* no interval known */
  CLV_REMIND__COUNT
} clv_remind_status;

/* Label of a status in English ("not yet due", "due this week", "overdue",
 * "unknown") or Chinese (zh != 0). */
const char *clv_remind_status_label(clv_remind_status s, int zh);

typedef struct clv_remind_opts {
  /* Reference day of the statuses; INT32_MIN (default): the base's as-of
   * day. */
  int32_t on_day;
  /* First day of the contact week; INT32_MIN (default): on_day. The week is
   * [week_of, week_of + 6]. */
  int32_t week_of;
  /* Overdue customers enter the contact list only with P(alive) at least
   * this (default 0.5); customers due within the week always do. */
  double min_p_alive;
} clv_remind_opts;

/* Fills the defaults listed above. */
void clv_remind_opts_init(clv_remind_opts *o);

/* One customer of the summary. Days are day numbers (clv/time.h). */
typedef struct clv_remind_customer {
  uint32_t customer;    /* customer number in the order table */
  size_t row;           /* summary row */
  int32_t last_day;     /* last purchase day (up to the as-of day) */
  int purchase_days;    /* distinct days with a purchase */
  double interval_days; /* typical interval; NaN with source NONE */
  clv_interval_source source;
  int32_t due_day;        /* last_day + round(interval); INT32_MAX if none */
  int32_t model_next_day; /* as-of day + the model's median time to the
                             next purchase given alive; INT32_MAX when the
                             model expects none or the unit has no days */
  clv_remind_status status;
  int32_t days_overdue;     /* on - due when overdue, else 0 */
  double intervals_overdue; /* days_overdue / interval */
  double p_alive;           /* P(alive) on the reference day (r->p_alive_on says
                               whether it could be carried there from the as-of day) */
  double clv;               /* predicted value over the horizon */
  double value_at_stake;    /* P(alive) x margin x expected spend of the next
                               order (docs/remind.md) */
  uint32_t suggested_product; /* most repeated product; CLV_NO_KEY */
  int contact;                /* 1 when on the week's contact list */
  double p_alive_as_of;       /* P(alive) at the as-of day (the base's) */
} clv_remind_customer;

/* One customer x product bought on two different days or more. */
typedef struct clv_remind_item {
  uint32_t customer;
  uint32_t product; /* key of CLV_ATTR_PRODUCT */
  int purchase_days;
  int32_t last_day;
  double interval_days; /* median of the product's gaps */
  int32_t due_day;
  clv_remind_status status;
  int32_t days_overdue;
} clv_remind_item;

/* The result. Read-only; owned by itself. */
typedef struct clv_remind {
  int32_t as_of_day, on_day, week_of;
  double min_p_alive;
  double population_interval_days; /* median of the customers' own
                                      intervals; NaN when none */
  size_t n;                        /* customers (summary rows) */
  clv_remind_customer *cust;
  size_t n_items;
  clv_remind_item *items;
  size_t n_contact;
  size_t *contact; /* indices into cust, by value at stake, largest first */
  /* Per status: customers (weights), predicted value, value at stake. */
  double status_customers[CLV_REMIND__COUNT];
  double status_clv[CLV_REMIND__COUNT];
  double status_stake[CLV_REMIND__COUNT];
  double customers, clv_total; /* totals: the statuses add up to these */
  double contact_stake;        /* value at stake on the contact list */
  int has_products;            /* the table carries product ids */
  /* 1 when the reference day is after the as-of day and P(alive) was
   * carried to it (BG/NBD, MBG/NBD, Pareto/NBD: docs/remind.md); 0 when
   * P(alive) is the as-of day's (reference day not later, or a family
   * without the derivation: p_alive_note says so). */
  int p_alive_on;
  char p_alive_note[160];
} clv_remind;

/*
 * Computes the reminders of a scored base. `o` may be NULL (defaults). With
 * a reference day after the as-of day, P(alive) (and so the value at stake
 * and the contact threshold) is the probability of being alive on that day
 * with nothing known after the as-of day. The caller frees *out with
 * clv_remind_free(). Returns CLV_OK, CLV_EINVAL (a threshold outside
 * [0, 1]), CLV_EEMPTY (an empty base), CLV_ENOMEM or CLV_ENUMERIC.
 */
int clv_remind_compute(const clv_base *b, const clv_remind_opts *o,
                       clv_remind **out);

/* Frees a result. Accepts NULL. */
void clv_remind_free(clv_remind *r);

/* Action lists as CSV with a header; ids exactly as in the input; status
 * labels in Chinese when zh. Customers: every customer of the summary.
 * Contacts: the week's contact list in order. Products: the repeating
 * customer x product pairs. Return CLV_OK or CLV_EIO. */
int clv_remind_write_customers_csv(const clv_remind *r, const clv_base *b,
                                   FILE *f, int zh);
int clv_remind_write_contacts_csv(const clv_remind *r, const clv_base *b,
                                  FILE *f, int zh);
int clv_remind_write_products_csv(const clv_remind *r, const clv_base *b,
                                  FILE *f, int zh);

/* The aggregates (no per-customer arrays) as one JSON object for the
 * report, with the top `top` contacts. Returns CLV_OK or CLV_EIO. */
int clv_remind_write_json(const clv_remind *r, const clv_base *b, size_t top,
                          FILE *f);

#ifdef __cplusplus
}
#endif
#endif
