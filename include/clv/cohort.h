/*
 * clv/cohort.h - acquisition cohorts and the CLV trend.
 *
 * A cohort is the set of customers whose first purchase fell in one calendar
 * month (or ISO week, or quarter). For each cohort and each age (periods
 * since acquisition) the table gives the share of the cohort that bought
 * again (retention), the net revenue and the revenue and cumulative revenue
 * per customer (the historic CLV curve), and beside them the cohort's
 * predicted CLV from a scored base. Cohorts are compared at equal ages to
 * say whether newer customers are worth more or less than earlier ones.
 *
 * The CLV trend scores the same order table at several past dates (the
 * `--as-of` re-scoring of clv/base.h) so that the predicted value of every
 * customer, cohort and value tier can be followed over time and labelled
 * rising, falling or stable. The rules are in docs/cohort.md.
 */
#ifndef CLV_COHORT_H
#define CLV_COHORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of a cohort period. */
typedef enum clv_cohort_by {
  CLV_COHORT_MONTH = 0, /* calendar month, label "2010-12" */
  CLV_COHORT_WEEK,      /* ISO week from Monday, label "2010-W48" */
  CLV_COHORT_QUARTER    /* calendar quarter, label "2010-Q4" */
} clv_cohort_by;

/* "month", "week", "quarter". */
const char *clv_cohort_by_name(clv_cohort_by by);

/* Parses "month", "week", "quarter" (also "m", "w", "q" and plurals).
 * Returns CLV_OK or CLV_EINVAL. */
int clv_cohort_by_parse(const char *name, clv_cohort_by *out);

/* Trend labels of a cohort against earlier cohorts, of a customer or of a
 * segment over time. */
typedef enum clv_trend_dir {
  CLV_TREND_NA = 0, /* nothing to compare with */
  CLV_TREND_RISING,
  CLV_TREND_STABLE,
  CLV_TREND_FALLING
} clv_trend_dir;

/* The label of a direction in English ("rising", "stable", "falling",
 * "n/a") or, with zh != 0, in Chinese. Static strings. */
const char *clv_trend_dir_label(clv_trend_dir d, int zh);

typedef struct clv_cohort_opts {
  clv_cohort_by by; /* CLV_COHORT_MONTH */
  /* Last day counted: rows after it are left out. INT32_MIN (default): the
   * base's as-of day, else the table's last day. */
  int32_t as_of_day;
  /* A cohort is rising (falling) when its cumulative revenue per customer at
   * its last fully observed age is more than `threshold` above (below) the
   * mean of the earlier cohorts at the same age (0.10). */
  double threshold;
} clv_cohort_opts;

/* Fills the defaults listed above. */
void clv_cohort_opts_init(clv_cohort_opts *o);

/* One cohort x age cell. Money is net of refunds. */
typedef struct clv_cohort_cell {
  double active;    /* customers with a purchase in the period */
  double retention; /* active / cohort customers (1 at age 0) */
  double revenue;   /* net revenue of the cohort's customers in the period */
  double revenue_per_customer;
  double cumulative_per_customer; /* revenue per customer, ages 0..this */
} clv_cohort_cell;

typedef struct clv_cohort {
  char label[24];    /* "2010-12", "2010-W48", "2010-Q4" */
  int32_t start_day; /* first day of the acquisition period */
  double customers;  /* customers acquired (weighted) */
  /* Ages 0 .. ages-1 up to the period holding the as-of day; the last one
   * is partly observed when last_partial is 1 and is then left out of the
   * comparisons (the tables mark it). */
  size_t ages;
  int last_partial;
  clv_cohort_cell *cells;
  double revenue; /* sum of the cells' revenue */
  /* From the base (0 without one): customers scored, the sum and mean of
   * their predicted CLV and their mean P(alive). */
  double scored;
  double predicted_total;
  double predicted_mean;
  double p_alive_mean;
  /* Against earlier cohorts: the age compared (the last fully observed),
   * this cohort's cumulative revenue per customer there, the mean of the
   * earlier cohorts observed at that age, and the verdict. */
  size_t compare_age;
  double compare_value;
  double compare_baseline;
  clv_trend_dir direction;
} clv_cohort;

/* The cohort table. Read-only; freed with clv_cohorts_free(). */
typedef struct clv_cohorts {
  clv_cohort_by by;
  int32_t as_of_day;
  double threshold;
  size_t n; /* cohorts, oldest first (empty periods are left out) */
  clv_cohort *cohorts;
  size_t max_ages; /* the largest `ages` */
  /* Totals that tie the table to the order log (rows up to the as-of day):
   * revenue of every row with a customer = cohort revenue +
   * not_acquired_revenue; customers with a row = customers +
   * not_acquired. */
  double customers;            /* acquired customers (weighted) */
  double revenue;              /* revenue of the cohorts' customers */
  double log_revenue;          /* every row with a customer id */
  double not_acquired;         /* customers with only refunds */
  double not_acquired_revenue; /* their (negative) net amount */
  uint64_t rows_anonymous;     /* rows without a customer id, left out */
  double revenue_anonymous;    /* their net amount */
  uint64_t rows_after;         /* rows after the as-of day, left out */
  double predicted_total;      /* sum of the cohorts' predicted CLV */
  double base_predicted_total; /* the base's total (0 without a base) */
  int has_base;
} clv_cohorts;

/*
 * Builds the cohort table of an order table. `base` (may be NULL) adds the
 * predicted CLV per cohort; it must be scored from the same table. With a
 * base the as-of day defaults to the base's. `o` may be NULL (defaults).
 * The caller frees *out with clv_cohorts_free(). Returns CLV_OK, CLV_EINVAL
 * (a base of another table, a bad threshold), CLV_EEMPTY (no customer
 * acquired by the as-of day), CLV_ENOMEM.
 */
int clv_cohorts_compute(const clv_orders *orders, const clv_base *base,
                        const clv_cohort_opts *o, clv_cohorts **out);

/* Frees a table. Accepts NULL. */
void clv_cohorts_free(clv_cohorts *c);

/* The cohort number of every customer (clv_orders_customers() entries), or
 * SIZE_MAX when not acquired, as computed by clv_cohorts_compute() with the
 * same table and options. Returns CLV_OK, CLV_ENOMEM. */
int clv_cohorts_assign(const clv_orders *orders, const clv_cohorts *c,
                       size_t *cohort_of);

/*
 * CSV, long format: cohort,age,partial,customers,active,retention,revenue,
 * revenue_per_customer,cumulative_per_customer, one row per cohort and age.
 * Returns CLV_OK, CLV_EIO.
 */
int clv_cohorts_write_csv(const clv_cohorts *c, FILE *f);

/* CSV, wide: cohort,customers,age_0,age_1,... retention shares; a partly
 * observed age is left empty. Returns CLV_OK, CLV_EIO. */
int clv_cohorts_write_retention_csv(const clv_cohorts *c, FILE *f);

/* CSV, one row per cohort: cohort,customers,revenue,scored,predicted_total,
 * predicted_mean,p_alive_mean,compare_age,compare_value,compare_baseline,
 * direction (label in English, or Chinese with zh), then a total row.
 * Returns CLV_OK, CLV_EIO. */
int clv_cohorts_write_summary_csv(const clv_cohorts *c, int zh, FILE *f);

/* JSON object for the report: totals and per cohort its figures and its
 * retention and cumulative curves (no per-customer data). Returns CLV_OK,
 * CLV_EIO. */
int clv_cohorts_write_json(const clv_cohorts *c, FILE *f);

/* ---- the CLV trend ------------------------------------------------------ */

typedef struct clv_trend_opts {
  int points;       /* scoring dates, the latest included (4) */
  int every_months; /* months between dates (3) */
  clv_cohort_by by; /* cohort period of the cohort segments (month) */
  double threshold; /* rising/falling beyond +-threshold (0.10) */
  /* 1 (default): older dates use the purchase model family of the latest
   * scoring (no holdout choice per date), so the trend is not a change of
   * model. */
  int same_model;
} clv_trend_opts;

/* Fills the defaults listed above. */
void clv_trend_opts_init(clv_trend_opts *o);

/* Value tiers of the latest scoring, by rank of predicted CLV. */
enum {
  CLV_TIER_PLATINUM = 0, /* top 1 % */
  CLV_TIER_GOLD,         /* 1 - 5 % */
  CLV_TIER_SILVER,       /* 5 - 10 % */
  CLV_TIER_BRONZE,       /* 10 - 25 % */
  CLV_TIER_REST,         /* the other 75 % */
  CLV_TIER__COUNT
};

/* A tier's label in English or (zh != 0) Chinese. */
const char *clv_tier_label(int tier, int zh);

/* One scoring date. */
typedef struct clv_trend_point {
  int32_t as_of_day;
  int status;       /* CLV_OK, or why the date could not be scored */
  char model[16];   /* purchase model family used */
  double customers; /* customers scored */
  double value_total;
  double value_mean;
  double p_alive_mean;
} clv_trend_point;

/* One segment (a cohort or a value tier) at every date. */
typedef struct clv_trend_segment {
  char kind[8];        /* "cohort" or "tier" */
  char name[24];       /* cohort label, or tier number as text "0".."4" */
  int tier;            /* the tier, or -1 for a cohort */
  double *customers;   /* per point */
  double *value_total; /* per point */
  double *value_mean;  /* per point (0 without customers) */
  /* Same-customer change: mean CLV of the customers scored at both the
   * segment's first scored date and the latest one. */
  double start_mean, end_mean, change;
  clv_trend_dir direction;
} clv_trend_segment;

/* The trend. Read-only; freed with clv_trend_free(). */
typedef struct clv_trend {
  const clv_orders *orders; /* borrowed */
  size_t npoints;           /* oldest first; the last is the latest */
  clv_trend_point *points;
  double threshold;
  size_t customers; /* clv_orders_customers() */
  /* Per customer c and point k: value[k * customers + c] and p_alive
   * likewise, NaN when c was not scored at that date. */
  double *value;
  double *p_alive;
  int *tier;                /* per customer, -1 when not scored at the latest */
  size_t *cohort_of;        /* per customer, SIZE_MAX when not acquired */
  clv_trend_dir *direction; /* per customer */
  double *change;           /* per customer, relative, NaN when n/a */
  size_t nsegments;
  clv_trend_segment *segments;
  /* The company: same-customer change of the mean CLV, and the direction. */
  double change_all;
  clv_trend_dir direction_all;
} clv_trend;

/*
 * Scores the order table at `to->points` dates, `to->every_months` calendar
 * months apart, ending at `latest`'s as-of day (the latest scoring, reused;
 * built with base_opts when NULL), and labels customers and segments. A date
 * before the log's first purchase, or one that cannot be scored (too few
 * customers), is kept with its status and left out of the comparisons.
 * base_opts may be NULL (defaults), `to` too. The caller frees *out with
 * clv_trend_free(); err (may be NULL) says why on failure. Returns CLV_OK,
 * CLV_EINVAL, CLV_ENOMEM or the statuses of clv_base_build() for the
 * latest date.
 */
int clv_trend_compute(const clv_orders *orders, const clv_base *latest,
                      const clv_base_opts *base_opts, const clv_trend_opts *to,
                      clv_trend **out, clv_error *err);

/* Frees a trend. Accepts NULL. */
void clv_trend_free(clv_trend *t);

/* CSV, one row per date and segment (the company first): as_of,kind,
 * segment,customers,clv_total,clv_mean (tier names in English or, with zh,
 * Chinese). Returns CLV_OK, CLV_EIO. */
int clv_trend_write_csv(const clv_trend *t, int zh, FILE *f);

/* CSV, one row per customer and date scored: customer_id,as_of,clv,p_alive.
 * Returns CLV_OK, CLV_EIO. */
int clv_trend_write_customers_csv(const clv_trend *t, FILE *f);

/* The action list, one row per customer scored at the latest date:
 * customer_id,cohort,tier,value,p_alive,first_as_of,first_value,change,
 * trend. Labels in English or (zh) Chinese. Returns CLV_OK, CLV_EIO. */
int clv_trend_write_actions_csv(const clv_trend *t, int zh, FILE *f);

/* JSON object for the report: dates, totals and segment series. Returns
 * CLV_OK, CLV_EIO. */
int clv_trend_write_json(const clv_trend *t, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
