/*
 * clv/cac.h - acquisition budgets: per acquisition channel (or any text
 * column) the value of a new customer, the observed value of the channel's
 * customers, the most an acquisition may cost for a target LTV:CAC ratio
 * and for a payback period, and, given the marketing spend, the actual CAC,
 * its LTV:CAC, the months to pay back and a verdict. docs/cac.md gives the
 * rules and an example.
 */
#ifndef CLV_CAC_H
#define CLV_CAC_H

#include <stdint.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Verdict of a channel's spend. */
typedef enum clv_cac_verdict {
  CLV_CAC_PROFITABLE = 0, /* LTV:CAC >= target */
  CLV_CAC_MARGINAL,       /* marginal ratio <= LTV:CAC < target */
  CLV_CAC_LOSS,           /* LTV:CAC < marginal ratio */
  CLV_CAC_NO_SPEND,       /* customers but no spend given */
  CLV_CAC_NO_CUSTOMERS,   /* spend but no customer acquired */
  CLV_CAC__COUNT
} clv_cac_verdict;

/* "profitable", "marginal", "loss-making", "no spend given", "no
 * customers acquired", or Chinese (zh != 0). */
const char *clv_cac_verdict_label(clv_cac_verdict v, int zh);

/* Marketing spend of one channel: over one calendar month (month =
 * year * 12 + month - 1) or over the whole log (month = -1). */
typedef struct clv_cac_spend {
  char channel[128];
  int32_t month;
  double amount;
} clv_cac_spend;

/*
 * Parses "web=12000,store=5000" (whole-log spend per channel) into a new
 * array of *n entries; the caller frees *out with clv_cac_spend_free().
 * CLV_OK, CLV_EPARSE (err says where and what) or CLV_ENOMEM.
 */
int clv_cac_spend_parse(const char *text, clv_cac_spend **out, size_t *n,
                        clv_error *err);

/*
 * Reads a spend CSV: channel,month,spend per line, month YYYY-MM, an
 * optional header line (its spend field is not a number); fields are not
 * quoted. The caller frees *out with clv_cac_spend_free(). CLV_OK, CLV_EIO,
 * CLV_EPARSE (err: file:line:column), CLV_EEMPTY or CLV_ENOMEM.
 */
int clv_cac_spend_read_csv(const char *path, clv_cac_spend **out, size_t *n,
                           clv_error *err);

/* Frees a spend array. Accepts NULL. */
void clv_cac_spend_free(clv_cac_spend *s);

/* How customers are grouped. */
typedef enum clv_cac_grouping {
  CLV_CAC_BY_ACQ_CHANNEL = 0, /* the acquisition channel column */
  CLV_CAC_BY_FIRST_CHANNEL,   /* the channel of the first order */
  CLV_CAC_BY_STORE,           /* the store of the first order */
  CLV_CAC_BY_ALL,             /* one group "all" */
  CLV_CAC_BY_COLUMN           /* opts.by: a text column, first order */
} clv_cac_grouping;

typedef struct clv_cac_opts {
  double target;         /* LTV:CAC target (default 3) */
  int payback_months;    /* payback period (default 12) */
  double marginal_ratio; /* below it a spend is loss-making (default 1) */
  /* -1 (default): acquisition channel, else first order's channel, else
   * store, else one group; or a clv_attr to group by. */
  int by;
  /* Fewest customers observed for a whole month m before the observed
   * cumulative margin at m is used instead of the model's (default 10). */
  double min_cohort;
  int curve_months;           /* months of the payback curve (default 36) */
  const clv_cac_spend *spend; /* may be NULL */
  size_t n_spend;
} clv_cac_opts;

/* Fills the defaults listed above. */
void clv_cac_opts_init(clv_cac_opts *o);

/* One channel (or segment). Money per customer unless said otherwise; a
 * figure that cannot be known is NaN (written empty / null). */
typedef struct clv_cac_group {
  const char *name;        /* owned by the result */
  double customers;        /* acquired up to the as-of day (weights) */
  double historic_revenue; /* net, refunds deducted, total of the group */
  double historic_margin;  /* per customer: revenue x margin */
  double clv;              /* per customer: mean predicted CLV */
  double observed_ltv;     /* historic_margin + clv */
  double new_value;        /* the model's value of a new customer */
  double max_cac_target;   /* observed_ltv / target */
  double max_cac_model;    /* new_value / target */
  double max_cac_payback;  /* cumulative margin per customer at the
                              payback month */
  int payback_from_model;  /* 1 when that point came from the model */
  double *curve;   /* cumulative margin per customer at month 1..M (index
                      m - 1), observed or modelled */
  double *curve_n; /* customers observed for a whole month m (0 = model) */
  /* Spend (NaN when none was given). */
  double spend, acquired, cac, ltv_cac, payback;
  clv_cac_verdict verdict;
} clv_cac_group;

/* The result. Read-only; owned by itself. */
typedef struct clv_cac {
  clv_cac_grouping grouping;
  int attr; /* the clv_attr grouped by; -1 for "all" */
  double target, marginal_ratio;
  int payback_months, curve_months;
  double margin; /* the base's */
  size_t n;
  clv_cac_group *g;       /* groups, by customers (largest first) */
  clv_cac_group total;    /* every customer (no curve); the sums of the
                             groups' customers and revenue equal it */
  size_t spend_unmatched; /* spend channels with no customer */
  size_t unspent;         /* groups with customers but no spend */
  char notes[512];
} clv_cac;

/*
 * Computes the budgets of a scored base. `o` may be NULL (defaults). The
 * caller frees *out with clv_cac_free(). CLV_OK, CLV_EINVAL (target <= 0,
 * payback_months outside 1..curve_months, an absent --by column),
 * CLV_EEMPTY, CLV_ENOMEM, or a model's status.
 */
int clv_cac_compute(const clv_base *b, const clv_cac_opts *o, clv_cac **out);

/* Frees a result. Accepts NULL. */
void clv_cac_free(clv_cac *c);

/* Name of the grouping ("acquisition_channel", "channel", "store", "all",
 * or the column's name). */
const char *clv_cac_grouping_name(const clv_cac *c);

/* One row per group then a row "total"; verdict labels in Chinese when
 * zh. CLV_OK or CLV_EIO. */
int clv_cac_write_csv(const clv_cac *c, FILE *f, int zh);

/* The payback curves: group,month,customers_observed,cumulative_margin,
 * source (observed|model). CLV_OK or CLV_EIO. */
int clv_cac_write_curve_csv(const clv_cac *c, FILE *f);

/* The groups and the total as one JSON object for the report (curves up
 * to the payback month). CLV_OK or CLV_EIO. */
int clv_cac_write_json(const clv_cac *c, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
