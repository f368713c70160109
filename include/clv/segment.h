/*
 * clv/segment.h - customer segments over a scored base: value tiers from
 * predicted CLV, RFM groups (the Chinese 8-type scheme and the 11-group
 * English scheme), churn-risk bands, and the concentration of historic and
 * predicted value (Pareto / Lorenz curve, top shares, Gini); and the split
 * "classify, then predict separately" (per-segment fits set beside the
 * pooled fit, clv_segments_by()).
 *
 * Every table carries a total row, and the result carries the company
 * figures (customers without a summary row, rows without a customer id), so
 * that a tier's figures can be traced to the customers behind them and the
 * totals add up to the order log's totals. docs/segment.md gives the rules.
 */
#ifndef CLV_SEGMENT_H
#define CLV_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most tiers (the rest, "Regular", comes on top of them). */
#define CLV_SEG_MAX_TIERS 12

/* How tiers are cut. */
typedef enum clv_tier_mode {
  CLV_TIER_PERCENT = 0, /* cut[k]: cumulative top share in percent, rising */
  CLV_TIER_MONEY        /* cut[k]: least predicted value, falling */
} clv_tier_mode;

/* What churn-risk bands are drawn from. */
typedef enum clv_risk_by {
  CLV_RISK_PALIVE = 0, /* P(alive) at the as-of day */
  CLV_RISK_NOPURCHASE  /* 1 - P(no purchase in the value horizon) */
} clv_risk_by;

/* Options of clv_segments_compute(). */
typedef struct clv_segment_opts {
  clv_tier_mode tier_mode;
  size_t tiers;                          /* number of tiers before the rest */
  double cut[CLV_SEG_MAX_TIERS];         /* see clv_tier_mode */
  char tier_name[CLV_SEG_MAX_TIERS][32]; /* "platinum", ... (translated when
                                            a known name) */
  int rfm_median; /* 0: R, F, M high/low against the mean; 1: median */
  clv_risk_by risk_by;
  double risk_cut[2];   /* high risk below risk_cut[0], medium below
                           risk_cut[1], else low (0.3, 0.7) */
  int zh;               /* 1: Chinese labels */
  size_t lorenz_points; /* Pareto curve points beside 0 (100) */
} clv_segment_opts;

/* Fills the defaults: percentile tiers platinum 1, gold 5, silver 10, bronze
 * 25; mean split; P(alive) bands 0.3 / 0.7; English; 100 points. */
void clv_segment_opts_init(clv_segment_opts *o);

/*
 * Parses "platinum:1,gold:5,silver:10" (percent tiers) into o, or with
 * money != 0 "1000,500,100" (value thresholds, named tier1, tier2, ...;
 * "name:1000" also works). Cuts must be finite, rising (percent, in (0,100])
 * or falling (money). Returns CLV_OK or CLV_EINVAL (o unchanged).
 */
int clv_segment_parse_tiers(clv_segment_opts *o, const char *spec, int money);

/* One group of a table. Sums are weighted by the customers' weights. */
typedef struct clv_seg_group {
  char label[64];
  double customers;
  double orders;    /* orders counted in the summary (x + 1 without) */
  double historic;  /* net spend up to the as-of day, refunds deducted */
  double predicted; /* predicted CLV over the horizon */
  double p_alive;   /* sum of P(alive) */
  double share_customers, share_historic, share_predicted; /* of total */
  double avg_clv, avg_p_alive; /* per customer (0 for an empty group) */
} clv_seg_group;

/* A table: groups and the total row (sum of the groups). */
typedef struct clv_seg_table {
  size_t n;
  clv_seg_group *g;
  clv_seg_group total;
} clv_seg_table;

/* Concentration of one per-customer value. Negative values (net refunds)
 * count as 0 in the curve and the Gini; `negative` says how many. */
typedef struct clv_concentration {
  double gini;
  double top1, top5, top10, top20; /* value share of the top x% customers */
  size_t points;                   /* lorenz_points + 1 entries */
  double *curve; /* curve[k]: value share of the top k/(points-1) customers */
  double negative;
} clv_concentration;

/* Everything clv_segments_compute() produced. Owned by the result. */
typedef struct clv_segments {
  size_t rows; /* summary rows; per-row arrays below have this length */
  uint8_t *tier_of, *rfm8_of, *rfm11_of, *risk_of; /* group per row */
  uint8_t *r_score, *f_score, *m_score;            /* 1..5 quintile scores */
  double *recency_days; /* days since the last purchase at the as-of day */
  double *frequency;    /* purchase periods, x + 1 */
  double *monetary;     /* historic spend / frequency */
  double *historic;     /* net spend up to the as-of day */
  double r_split, f_split, m_split; /* mean or median used by the 8 types */
  clv_seg_table tiers, rfm8, rfm11, risk;
  clv_concentration conc_historic, conc_predicted;
  /* Company figures: every customer of the order table and every row up to
   * the as-of day. tiers.total + unscored + anonymous = company. */
  double company_customers, company_historic, company_predicted;
  double unscored_customers, unscored_historic; /* not in the summary */
  double anonymous_historic;                    /* rows without a customer id */
  clv_segment_opts opts;
} clv_segments;

/*
 * Segments plain arrays of n customers (the base-free core, used by tests):
 * value (predicted CLV), p_alive, prob_none (may be NULL unless risk_by is
 * NOPURCHASE), recency_days, frequency (x + 1), historic (net spend),
 * orders (may be NULL: frequency) and weight (may be NULL: 1). All finite.
 * Company figures are the totals of these customers. o may be NULL. The
 * caller frees *out with clv_segments_free(). Returns CLV_OK, CLV_EINVAL
 * (n == 0, a value that is not finite, bad options), CLV_ENOMEM.
 */
int clv_segments_compute_arrays(size_t n, const double *value,
                                const double *p_alive, const double *prob_none,
                                const double *recency_days,
                                const double *frequency, const double *historic,
                                const double *orders, const double *weight,
                                const clv_segment_opts *o, clv_segments **out);

/*
 * Segments a scored base: one entry per summary row, with the historic
 * spend of each customer summed from the order rows up to the as-of day and
 * the company figures from the whole table. The caller frees *out with
 * clv_segments_free(). Statuses as clv_segments_compute_arrays().
 */
int clv_segments_compute(const clv_base *b, const clv_segment_opts *o,
                         clv_segments **out);

/* Frees a result. Accepts NULL. */
void clv_segments_free(clv_segments *s);

/* Label of group g of a scheme (NULL when out of range), in English or
 * Chinese. */
const char *clv_rfm8_label(unsigned g, int zh);
const char *clv_rfm11_label(unsigned g, int zh);
const char *clv_risk_label(unsigned g, int zh);

/* Number of groups: 8 and 11 RFM groups, 3 risk bands. */
#define CLV_RFM8_GROUPS 8
#define CLV_RFM11_GROUPS 11
#define CLV_RISK_BANDS 3

/* Writes one table as CSV (header; one line per group; "total"), with a
 * first column `scheme` holding `scheme`. CLV_OK or CLV_EIO. */
int clv_seg_table_write_csv(const clv_seg_table *t, const char *scheme,
                            int header, FILE *f);

/* Writes the Pareto curve as CSV: share_customers, share_historic,
 * share_predicted. CLV_OK or CLV_EIO. */
int clv_segments_write_concentration_csv(const clv_segments *s, FILE *f);

/* Writes the aggregates (tables, concentration, company check; no
 * per-customer arrays) as one JSON object. CLV_OK or CLV_EIO. */
int clv_segments_write_json(const clv_segments *s, FILE *f);

/* Writes the tables as aligned text for a terminal. CLV_OK or CLV_EIO. */
int clv_segments_write_text(const clv_segments *s, FILE *f);

/*
 * Writes the action list: one CSV line per summary row of the base the
 * result was computed from: customer_id, tier, rfm_group, rfm_segment,
 * risk_band, clv, p_alive, prob_no_purchase, recency_days, frequency,
 * monetary, historic, r_score, f_score, m_score, next_purchase_date.
 * Returns CLV_OK, CLV_EINVAL (rows differ), CLV_EIO.
 */
int clv_segments_write_customers(const clv_segments *s, const clv_base *b,
                                 FILE *f);

/* ---- classify, then predict separately (--by COLUMN) -------------------
 *
 * The customers are split by one text column of the order table (a
 * customer's channel, store, acquisition channel, ...) or by value tier;
 * each segment's summary rows get their own fit of the purchase family the
 * pooled base chose (and of Gamma-Gamma when the segment has enough repeat
 * buyers, else the pooled spend model) and their own predictions, under the
 * pooled value options. A segment that cannot be fitted keeps the pooled
 * predictions and says why. The sum over segments is the company value of
 * the "predict separately" approach, beside the pooled total. */

/* Most parameters kept per model. */
#define CLV_SEG_BY_MAXP 8

/* Options of clv_segments_by(). */
typedef struct clv_segment_by_opts {
  int by_tier;          /* 1: split by the value tiers of the clv_segments
                           result; 0 (default): by column `attr` */
  clv_attr attr;        /* CLV_ATTR_CHANNEL (default) */
  clv_attr_pick pick;   /* a customer's value (clv_segment_by_default_pick()) */
  size_t min_customers; /* fewest customers to fit a segment (100) */
  size_t min_repeat_buyers; /* fewest repeat buyers for the purchase fit and,
                               with positive spend, for Gamma-Gamma (20, as
                               clv_run_opts) */
  clv_fit_opts fit;         /* clv_fit_opts_init() */
  int zh;                   /* 1: Chinese labels */
} clv_segment_by_opts;

/* The pick that suits a column: CLV_PICK_FIRST for the acquisition channel
 * and the first product / category (how the customer came), CLV_PICK_MOST
 * for the sales channel and the store (where the customer buys). */
clv_attr_pick clv_segment_by_default_pick(clv_attr a);

/* Fills the defaults listed above (pick for CLV_ATTR_CHANNEL). */
void clv_segment_by_opts_init(clv_segment_by_opts *o);

/* One segment of the split, or the total row. Sums are weighted. */
typedef struct clv_seg_by_group {
  char label[64];
  double customers;
  double repeat_buyers; /* customers with x > 0 */
  double historic;      /* net spend up to the as-of day */
  double pooled;        /* predicted value under the pooled models */
  double separate;      /* predicted value under the segment's own fit */
  double diff;          /* separate - pooled */
  double diff_pct;      /* 100 diff / pooled (0 when pooled is 0) */
  int fallback;         /* 1: the pooled predictions were kept */
  int spend_pooled;     /* 1: the pooled spend model was used */
  char reason[128];     /* why it fell back, or why the pooled spend model
                           was used ("" otherwise) */
  int tx_np, spend_np;  /* parameters (0 when not fitted) */
  double tx[CLV_SEG_BY_MAXP], tx_se[CLV_SEG_BY_MAXP]; /* SE NaN: unknown */
  double spend[CLV_SEG_BY_MAXP], spend_se[CLV_SEG_BY_MAXP];
} clv_seg_by_group;

/* The result of clv_segments_by(). Owned by the result. */
typedef struct clv_seg_split {
  char column[32]; /* "channel", "store", ..., or "tier" */
  clv_attr_pick pick;
  char family[16]; /* the pooled purchase family fitted per segment */
  char tx_name[CLV_SEG_BY_MAXP][16], spend_name[CLV_SEG_BY_MAXP][16];
  int tx_np, spend_np; /* the pooled models' parameter counts (spend 0:
                          values are purchases) */
  size_t n;
  clv_seg_by_group *g;    /* n segments, "(none)" last when present */
  clv_seg_by_group total; /* sums of the segments; parameters unused */
  size_t fallbacks;       /* segments that kept the pooled predictions */
  size_t rows;            /* summary rows */
  uint32_t *group_of;     /* summary row -> segment */
  double *separate_value; /* summary row -> value under its segment's fit */
  int zh;
} clv_seg_split;

/*
 * Splits the scored base b by o->attr (or by the tiers of s, the result of
 * clv_segments_compute() on b, which gives the per-row historic spend in
 * every case and must not be NULL) and predicts each segment separately as
 * described above. o may be NULL (defaults). Computation only: nothing is
 * printed. The caller frees *out with clv_seg_split_free(). Returns
 * CLV_OK, CLV_EINVAL (s does not match b, the table lacks the column),
 * CLV_ENOMEM; a segment's failed fit is not an error (it falls back).
 */
int clv_segments_by(const clv_base *b, const clv_segments *s,
                    const clv_segment_by_opts *o, clv_seg_split **out);

/* Frees a result. Accepts NULL. */
void clv_seg_split_free(clv_seg_split *r);

/* Writes the split as CSV: column, segment, customers, repeat_buyers,
 * historic, pooled_value, separate_value, diff, diff_pct, fitted
 * (1 / 0), spend_model (segment / pooled / none), the parameter columns
 * (names of the pooled models; empty when fell back) and note; one line per
 * segment and "total". CLV_OK or CLV_EIO. */
int clv_seg_split_write_csv(const clv_seg_split *r, FILE *f);

/* Writes the split as one JSON object (no per-customer arrays).
 * CLV_OK or CLV_EIO. */
int clv_seg_split_write_json(const clv_seg_split *r, FILE *f);

/* Writes clv_segments_write_json()'s object with the split (NULL: none) as
 * its member "by". CLV_OK or CLV_EIO. */
int clv_segments_write_json_by(const clv_segments *s, const clv_seg_split *r,
                               FILE *f);

/* Writes the split as aligned text for a terminal. CLV_OK or CLV_EIO. */
int clv_seg_split_write_text(const clv_seg_split *r, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
