/*
 * clv/ingest.h - order log (CSV) -> per-customer summary.
 *
 * Reads an order log (one row per order or order line: customer id, date,
 * optionally an amount or quantity and unit price), in any row order, and
 * builds the per-customer summary of lifetimes'
 * summary_data_from_transaction_data / calibration_and_holdout_data.
 * The rules (periods, refunds, holdout) are documented in docs/summary.md.
 */
#ifndef CLV_INGEST_H
#define CLV_INGEST_H

#include <stdint.h>
#include <stdio.h>

#include "clv/status.h"
#include "clv/summary.h"
#include "clv/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How orders are merged into purchase periods before counting. */
typedef enum clv_period {
  CLV_PERIOD_DAY = 0, /* one period per calendar day (the default) */
  CLV_PERIOD_WEEK,    /* ISO weeks, Monday to Sunday (lifetimes freq='W') */
  CLV_PERIOD_MONTH    /* calendar months (lifetimes freq='M') */
} clv_period;

/* Parses "day", "week" or "month". Returns CLV_OK or CLV_EINVAL. */
int clv_period_parse(const char *name, clv_period *out);

typedef struct clv_ingest_opts {
  /* Columns: a header name (case-insensitive) or a 1-based position such as
   * "3"; NULL = detect from the header names. The amount is either
   * amount_col, or quantity_col x price_col. */
  const char *customer_col, *date_col, *amount_col, *quantity_col, *price_col;
  int header;     /* -1 detect (default), 0 no header line, 1 header line */
  char delimiter; /* 0 detect (default), ' ' blanks, or the byte */
  clv_date_order date_order; /* CLV_DATE_AUTO by default */
  clv_unit unit;             /* time unit of recency/T (default day) */
  clv_period period;         /* purchase period (default day) */
  int32_t until_day;   /* observation end; INT32_MIN = last date in the log */
  int32_t holdout_day; /* first holdout day; INT32_MIN = no holdout */
  int skip_errors;     /* 0: stop at the first bad row; 1: skip and count */
  int no_amount;       /* 1: ignore any amount column (incidence only) */
  int threads;         /* worker threads (default 2; 1 = serial) */
  /* 1: also read the cost of every row and report revenue and cost totals
   * (clv_run() values at 1 - cost / revenue from them); 0 (default): cost
   * columns are not read. Cost columns: a header name or 1-based position,
   * NULL = detected from the header names, "" = not used; a named one wins
   * (cost, then unit cost x quantity, then margin share of the amount). The
   * order table (clv/orders.h) always reads them. */
  int costs;
  const char *cost_col, *unit_cost_col, *margin_col;
  /* Optional progress callback, called from the calling thread now and then
   * with bytes done and bytes in all (0 when unknown). */
  void (*progress)(void *ctx, uint64_t done, uint64_t total);
  void *progress_ctx;
} clv_ingest_opts;

/* Fills the defaults listed above. */
void clv_ingest_opts_init(clv_ingest_opts *o);

#define CLV_INGEST_MAX_ERRORS 5

/* What an ingest run saw. Filled as far as the run got, also on failure. */
typedef struct clv_ingest_report {
  uint64_t rows;                   /* data rows read (header excluded) */
  uint64_t rows_used;              /* rows that went into the summary */
  uint64_t rows_skipped;           /* bad rows skipped (skip_errors) */
  uint64_t rows_after_until;       /* rows dated after the observation end */
  uint64_t customers;              /* rows of the summary */
  uint64_t customers_holdout_only; /* first purchase in the holdout: left out */
  uint64_t customers_no_purchase;  /* only refund periods: left out */
  uint64_t replayed_customers;     /* rebuilt by the out-of-order replay */
  double spend_excluded;           /* net spend of the customers left out */
  /* Columns as found: header names, or "column 3" without a header. The
   * amount reads "Quantity x UnitPrice" when computed, "" when absent. */
  char customer_col[128], date_col[128], amount_col[260];
  int header;     /* 1 when the first line was taken as a header */
  char delimiter; /* ' ' for blanks */
  clv_date_order date_order_used; /* the day/month order that was applied */
  int threads_used;
  clv_error errors[CLV_INGEST_MAX_ERRORS]; /* first skipped rows' reasons */
  size_t n_errors;
  int32_t first_day, last_day;    /* dates of the rows used */
  int32_t until_day, holdout_day; /* as applied (INT32_MIN = none) */
  size_t peak_state_bytes;        /* summariser memory at its largest */
  /* With costs: how the cost was found ("unit_cost x quantity", "" = no
   * cost column), and the net amount and cost of the rows of identified
   * customers up to the observation end. */
  char cost_col[260];
  double revenue, cost;
} clv_ingest_report;

/*
 * Reads the order log at `path` ("-" = standard input; gzip is detected) and
 * builds the summary: one row per customer, in order of first appearance in
 * the input, ids exactly as in the input. `o` may be NULL (defaults);
 * `report` and `err` may be NULL. The caller frees *out with
 * clv_summary_free(). Returns CLV_OK; CLV_EIO (cannot read); CLV_EPARSE (a
 * bad row without skip_errors: err says file:line:column); CLV_ENOCOLUMN (a
 * column is missing or cannot be detected); CLV_EEMPTY (no usable row);
 * CLV_EINVAL (bad options, e.g. holdout after until); CLV_ENOMEM.
 */
int clv_summarize_file(const char *path, const clv_ingest_opts *o,
                       clv_summary **out, clv_ingest_report *report,
                       clv_error *err);

/* Output formats of clv_summarize_file_write() and clv_summary_write(). */
typedef enum clv_format { CLV_FORMAT_CSV = 0, CLV_FORMAT_JSONL } clv_format;

/*
 * Like clv_summarize_file(), but writes the rows to `f` as they are produced
 * instead of building a table, so that peak memory is the summariser's
 * alone. Returns the same statuses, and CLV_EIO when writing fails.
 */
int clv_summarize_file_write(const char *path, const clv_ingest_opts *o,
                             FILE *f, clv_format format,
                             clv_ingest_report *report, clv_error *err);

#ifdef __cplusplus
}
#endif
#endif
