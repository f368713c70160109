/*
 * summarize.h - the summariser core (internal): parsed order rows in,
 * per-customer summary rows out. No I/O; the driver is ingest.c.
 */
#ifndef CLV_SUMMARIZE_H
#define CLV_SUMMARIZE_H

#include <stddef.h>
#include <stdint.h>

#include <math.h>

#include "clv.h"

/* Days beyond +-273,000 years around 1970 are rejected. */
#define CLV__DAY_LIMIT 100000000

typedef struct clv__summarizer clv__summarizer;

typedef struct clv__summarizer_opts {
  clv_period period;
  clv_unit unit;
  int32_t until_day;   /* INT32_MIN: the last day added */
  int32_t holdout_day; /* INT32_MIN: no holdout */
  int with_amount;     /* 0: incidence only, no monetary columns */
  /* 1 for the second half of a parallel split: keeps each customer's first
   * period apart so that clv__summarizer_merge() can join it to the open
   * period of the first half. */
  int keep_head;
  /* 1: remember each customer's first row's clv__order.seq, so that
   * clv__summarizer_each_multi() can interleave summarisers that were fed
   * disjoint sets of customers of one input in first-appearance order. */
  int track_seq;
} clv__summarizer_opts;

/* One parsed order row for clv__summarizer_add_batch(). */
typedef struct clv__order {
  const char *id; /* customer id bytes (valid during the call) */
  size_t id_len;
  uint64_t hash; /* clv__hash_bytes(id, id_len) (hashmap.h) */
  uint64_t seq;  /* position in the input (increasing); for track_seq */
  int32_t day;
  double amount; /* 0 for a row without an amount */
} clv__order;

/* 1 when a row's day and amount are in the summariser's domain (what
 * clv__summarizer_add() reports as CLV_EDOMAIN otherwise). */
static inline int clv__order_ok(int32_t day, double amount) {
  return day >= -CLV__DAY_LIMIT && day <= CLV__DAY_LIMIT && isfinite(amount);
}

/* Statistics of a run, filled by clv__summarizer_finish()/_each(). */
typedef struct clv__summarizer_stats {
  uint64_t rows, rows_used, rows_after_until;
  uint64_t customers, customers_holdout_only, customers_no_purchase;
  uint64_t replayed_customers;
  double spend_excluded;
  int32_t first_day, last_day, until_day, holdout_day;
  size_t peak_bytes;
} clv__summarizer_stats;

/* Creates a summariser. CLV_EINVAL when the unit does not fit the period or
 * the holdout starts after `until`. Free with clv__summarizer_free(). */
int clv__summarizer_new(clv__summarizer **out, const clv__summarizer_opts *o);
void clv__summarizer_free(clv__summarizer *s);

/*
 * Adds one order row: customer id (id_len bytes), day number, amount (used
 * when has_amount; a row without one counts as a purchase of 0). Returns
 * CLV_OK, CLV_EDOMAIN (day outside +-100 million days or amount not finite:
 * nothing is recorded), CLV_ENOMEM, CLV_EOVERFLOW. During a replay, only
 * rows of customers marked for replay are recorded.
 */
int clv__summarizer_add(clv__summarizer *s, const char *id, size_t id_len,
                        int32_t day, double amount, int has_amount);

/*
 * Adds n rows in input order, as n calls of clv__summarizer_add() would
 * (every row must pass clv__order_ok(); amounts are ignored without
 * with_amount), but with the hash-map and customer cache misses of
 * neighbouring rows overlapped by prefetching. Returns CLV_OK,
 * CLV_ENOMEM or CLV_EOVERFLOW (rows before the failing one are recorded).
 */
int clv__summarizer_add_batch(clv__summarizer *s, const clv__order *rows,
                              size_t n);

/* 1 when rows arrived out of order for some customer: the driver must call
 * clv__summarizer_begin_replay() and add every row again. */
int clv__summarizer_needs_replay(const clv__summarizer *s);
int clv__summarizer_begin_replay(clv__summarizer *s);

/* Customers known so far. */
uint64_t clv__summarizer_customers(const clv__summarizer *s);

/*
 * Merges b (created with keep_head, fed with rows that come after all of a's
 * rows in the input) into a; b is left empty. Customers whose rows overlap
 * in time across the two are marked for replay. CLV_OK or CLV_ENOMEM.
 */
int clv__summarizer_merge(clv__summarizer *a, clv__summarizer *b);

/* The columns (bit mask of 1u << CLV_COL_...) that the output rows carry. */
unsigned clv__summarizer_columns(const clv__summarizer *s);

/* Receives one output row; a non-zero return stops and is returned. */
typedef int (*clv__row_fn)(void *ctx, const char *id, size_t id_len,
                           const clv_summary_row *row);

/*
 * Closes every customer and hands out the rows in order of first appearance.
 * Rebuilds replayed customers first. Returns CLV_OK, CLV_EEMPTY (no row was
 * used), CLV_EINVAL (holdout after the last day), CLV_ENOMEM, or the
 * callback's status. Call once.
 */
int clv__summarizer_each(clv__summarizer *s, clv__row_fn fn, void *ctx,
                         clv__summarizer_stats *st);

/* clv__summarizer_each() into a new table (the caller frees it). */
int clv__summarizer_finish(clv__summarizer *s, clv_summary **out,
                           clv__summarizer_stats *st);

/*
 * clv__summarizer_each() over n (1 or 2) summarisers with the same options
 * that were fed disjoint sets of customers of one input (e.g. split by id
 * hash): rows come out in order of first appearance in the whole input
 * (with n = 2 both need track_seq, else CLV_EINVAL), the default
 * observation end is the last day over all, the stats are summed.
 */
int clv__summarizer_each_multi(clv__summarizer *const *s, size_t n,
                               clv__row_fn fn, void *ctx,
                               clv__summarizer_stats *st);

/* Ends a block of rows of clv__summarizer_each_par(); non-zero stops. */
typedef int (*clv__block_fn)(void *ctx);

/*
 * clv__summarizer_each_multi() over two summarisers (both with track_seq)
 * on two threads: the output rows, in the same order, are cut into blocks
 * of consecutive rows; thread t (0: the caller) hands the rows of its
 * blocks to fn(ctx[t], ...) and then calls done(ctx[t]), and the done calls
 * come in block order, one at a time (so done can write the block out).
 * The stats are those of clv__summarizer_each_multi(). CLV_EINVAL unless
 * n == 2; else as clv__summarizer_each_multi().
 */
int clv__summarizer_each_par(clv__summarizer *const *s, size_t n,
                             clv__row_fn fn, clv__block_fn done,
                             void *const ctx[2], clv__summarizer_stats *st);

/* clv__summarizer_each_multi() into a new table (the caller frees it). */
int clv__summarizer_finish_multi(clv__summarizer *const *s, size_t n,
                                 clv_summary **out, clv__summarizer_stats *st);

/* Stats so far (rows counted, days seen); safe before finishing. */
void clv__summarizer_stats_get(const clv__summarizer *s,
                               clv__summarizer_stats *st);

#endif
