/*
 * clv/simulate.h - synthetic order logs and summaries drawn from the models.
 *
 * The purchase process is a family of the "buy till you die" models:
 * - "bgnbd"  BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the
 *            Easy Way"): lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b);
 *            purchases are Poisson(lambda) while alive and the customer drops
 *            out with probability p right after each repeat purchase.
 * - "mbgnbd" MBG/NBD (Batislam, Denizel & Filiztekin 2007): as BG/NBD, but
 *            the drop-out coin is also tossed right after the first purchase.
 * - "pnbd"   Pareto/NBD (Schmittlein, Morrison & Colombo 1987): lifetime
 *            ~ Exponential(mu), mu ~ Gamma(s, rate beta).
 * Spend per transaction follows the Gamma-Gamma model (Fader, Hardie & Lee
 * 2005, "RFM and CLV"): nu ~ Gamma(q, rate gamma) per customer and each
 * transaction's value z ~ Gamma(p, rate nu), so E[z] = p gamma / (q - 1).
 *
 * Each customer is born (makes a first purchase) at a time drawn uniformly
 * over the first birth_span units of the window. Every customer has its own
 * random stream derived from (seed, customer index), so the output is the
 * same for a seed whatever the number of threads, and the log and the summary
 * of one seed describe the same customers.
 */
#ifndef CLV_SIMULATE_H
#define CLV_SIMULATE_H

#include <stdint.h>
#include <stdio.h>

#include "clv/summary.h"
#include "clv/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Row order of a simulated log. */
typedef enum clv_sim_order {
  CLV_SIM_CHRONOLOGICAL = 0, /* sorted by date-time, as a shop exports it */
  CLV_SIM_BY_CUSTOMER        /* grouped by customer, each in time order */
} clv_sim_order;

typedef struct clv_sim_opts {
  /* "bgnbd" (default), "mbgnbd" or "pnbd"; set it with
   * clv_sim_opts_set_family() to get that family's default parameters. */
  const char *family;
  /* r, alpha, a, b (bgnbd, mbgnbd) or r, alpha, s, beta (pnbd), per `unit`.
   * Default: the CDNOW fit of FHL 2005, 0.243, 4.414, 0.793, 2.426. */
  double params[4];
  /* Gamma-Gamma spend: p, q, gamma. Default 6.25, 3.74, 15.44 (CDNOW). */
  double p, q, gamma;
  /* The time unit of params, span and birth_span. Default CLV_UNIT_WEEK. */
  clv_unit unit;
  uint64_t customers; /* default 1000 */
  int32_t start_day;  /* first day of the window (default 2024-01-01) */
  double span;        /* observation length in `unit` (default 78) */
  /* Births are uniform over the first birth_span units (default 12, as the
   * CDNOW cohort's first quarter); 0 puts every birth at time 0. */
  double birth_span;
  uint64_t seed; /* default 1 */
  /* Share of orders refunded later: a row with the negated full amount, 1 to
   * 30 days after the order and within the window (orders on the window's
   * last day are never refunded). Default 0. */
  double refund_rate;
  /* Probability that a good row is followed by a malformed copy (a bad date,
   * a non-numeric amount or a missing field, at random). The copies are extra
   * rows, so skipping them gives back the clean log. Default 0. */
  double malformed_rate;
  int with_time;       /* 1: "YYYY-MM-DD HH:MM:SS" (default), 0: date only */
  clv_sim_order order; /* default CLV_SIM_CHRONOLOGICAL */
  int plain_ids;       /* 0: ids "C0000001" (default), 1: "1", "2", ... */
  /* 1: the retail layout: each purchase is an order of 1 to 4 lines with
   * order_id, product_id, product_name, category, quantity, unit_price,
   * amount, unit_cost, channel, store and source columns; the lines add up
   * to the plain log's amount (docs/simulate.md). 0 (default): customer_id,
   * order_date, amount. */
  int retail;
  int threads;         /* worker threads; 0 (default): one per CPU */
  /* Called now and then from the calling thread with the share of the work
   * done (0 to 1), for a progress display; NULL (default) for none. */
  void (*progress)(void *ctx, double done);
  void *progress_ctx;
} clv_sim_opts;

/* Fills the defaults listed above. */
void clv_sim_opts_init(clv_sim_opts *o);

/* Sets the family ("bgnbd", "mbgnbd", "pnbd") and its default parameters
 * (the CDNOW fits: MBG/NBD 0.525, 6.183, 0.891, 1.614; Pareto/NBD 0.553,
 * 10.578, 0.606, 11.669). Returns CLV_OK or CLV_EMODEL (o is unchanged). */
int clv_sim_opts_set_family(clv_sim_opts *o, const char *family);

/* Names of the family's four parameters ("r", "alpha", "a", "b"), or NULL
 * for an unknown family. The array is static. */
const char *const *clv_sim_param_names(const char *family);

/* What a simulated log contains. */
typedef struct clv_sim_stats {
  uint64_t customers;
  uint64_t orders;             /* purchase rows (first purchases included) */
  uint64_t refunds;            /* refund rows (negative amounts) */
  uint64_t malformed;          /* malformed rows */
  uint64_t rows;               /* data rows written (header excluded) */
  uint64_t bytes;              /* bytes written, header included */
  double revenue;              /* sum of the purchase amounts, as written */
  double refunded;             /* sum of the refunded amounts (positive) */
  int32_t first_day, last_day; /* the window's first and last day */
} clv_sim_stats;

/* Receives output bytes; returns 0 on success, nonzero to stop with CLV_EIO.
 */
typedef int (*clv_write_fn)(void *ctx, const void *buf, size_t len);

/*
 * Simulates an order log and writes it as CSV (header
 * "customer_id,order_date,amount", amounts with two decimals, at least 0.01)
 * through `write`. Memory: 16 bytes per row for the chronological order (one
 * sort of all rows), a fixed buffer for CLV_SIM_BY_CUSTOMER. stats may be
 * NULL. Returns CLV_OK, CLV_EINVAL (bad option: a parameter not positive and
 * finite, span <= 0, birth_span outside [0, span], a rate outside [0, 1)),
 * CLV_EMODEL (unknown family), CLV_ENOMEM, CLV_EOVERFLOW (an amount or a
 * customer's order count too large), CLV_EIO (write returned nonzero).
 */
int clv_simulate_log_write(const clv_sim_opts *o, clv_write_fn write, void *ctx,
                           clv_sim_stats *stats);

/* clv_simulate_log_write() into a stdio stream; CLV_EIO on a write error.
 * The stream is not closed. */
int clv_simulate_log(const clv_sim_opts *o, FILE *out, clv_sim_stats *stats);

/*
 * The same customers as clv_simulate_log() with the same options, straight
 * into a summary table, without dates, day rounding, refunds or malformed
 * rows: x (repeat purchases), t_x (last minus first purchase), T (window end
 * minus first purchase) and m (mean repeat spend, 0 when x = 0) in `unit`
 * (continuous times, converted from the options' unit: with params per week
 * and CLV_UNIT_DAY, times are multiplied by 7), weight 1, ids as in the log,
 * plus TOTAL_SPEND and ORDERS. The window end day is set. For recovery tests
 * and fit benchmarks. The caller frees *out with clv_summary_free().
 * Returns CLV_OK, CLV_EINVAL (bad option, or unit CLV_UNIT_PERIOD),
 * CLV_EMODEL, CLV_ENOMEM, CLV_EOVERFLOW.
 */
int clv_simulate_summary(const clv_sim_opts *o, clv_unit unit,
                         clv_summary **out);

/* Per-customer latent values, in the options' unit. Each array has
 * o->customers elements and may be NULL (not wanted). */
typedef struct clv_sim_truth {
  double *birth;   /* time of the first purchase since the window start */
  double *lambda;  /* purchase rate while alive */
  double *dropout; /* p (bgnbd, mbgnbd) or mu (pnbd) */
  double *death;   /* time of drop-out; +INFINITY when alive at the end */
  double *nu;      /* Gamma-Gamma scale: E[z] = p / nu */
} clv_sim_truth;

/* Fills the caller's arrays with the latent values of the customers that
 * clv_simulate_log() and clv_simulate_summary() draw for the same options.
 * Returns CLV_OK, CLV_EINVAL, CLV_EMODEL, CLV_EOVERFLOW. */
int clv_simulate_truth(const clv_sim_opts *o, const clv_sim_truth *truth);

#ifdef __cplusplus
}
#endif
#endif
