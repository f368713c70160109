/*
 * clv/summary.h - the per-customer summary table.
 *
 * One row per customer, stored as column arrays: x (frequency: repeat
 * purchase periods), t_x (recency), T (age), m (mean spend of the repeat
 * periods), a row weight n, and optional columns (holdout, dates, spend).
 * Times are in the table's unit (clv_summary_unit()). A weight n > 1 means n
 * identical customers, as in lifetimes' `weights` or BG/BB's grouped data.
 */
#ifndef CLV_SUMMARY_H
#define CLV_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clv/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_summary clv_summary;

/* Columns. X, TX, T and WEIGHT are always present; the others only when set
 * (see clv_summary_has()). Day columns hold day numbers (clv/time.h). */
typedef enum clv_col {
  CLV_COL_X = 0,            /* frequency: repeat purchase periods */
  CLV_COL_TX,               /* recency: last - first purchase, in the unit */
  CLV_COL_T,                /* age: observation end - first purchase */
  CLV_COL_M,                /* monetary_value: mean spend of repeat periods */
  CLV_COL_WEIGHT,           /* number of identical customers (default 1) */
  CLV_COL_X_HOLDOUT,        /* frequency_holdout */
  CLV_COL_M_HOLDOUT,        /* monetary_value_holdout */
  CLV_COL_DURATION_HOLDOUT, /* duration_holdout, in the unit */
  CLV_COL_FIRST_DAY,        /* first purchase (day number) */
  CLV_COL_LAST_DAY,         /* last purchase (day number) */
  CLV_COL_TOTAL_SPEND,      /* net historic spend, refunds deducted */
  CLV_COL_ORDERS,           /* order rows (or distinct order ids) counted */
  CLV_COL_REFUNDS,          /* money refunded (positive number) */
  CLV_COL__COUNT
} clv_col;

/* Canonical CSV column name of a column ("frequency", "recency", "T", ...). */
const char *clv_col_name(clv_col col);

/* One row, for clv_summary_append(). Fields of absent columns are ignored. */
typedef struct clv_summary_row {
  double v[CLV_COL__COUNT];
} clv_summary_row;

/*
 * Creates an empty table in the given unit with room for about `capacity`
 * rows (0 is fine). `columns` is a bit mask (1u << CLV_COL_...) of the
 * optional columns the table will carry; X, TX, T, WEIGHT are implied.
 * The caller frees the table with clv_summary_free().
 */
int clv_summary_new(clv_summary **out, clv_unit unit, unsigned columns,
                    size_t capacity);

/* Frees a table. Accepts NULL. */
void clv_summary_free(clv_summary *s);

/* Appends a row. The id (id_len bytes, not NUL-terminated, may be NULL for
 * an anonymous row) is copied. Returns CLV_OK, CLV_ENOMEM, or CLV_EDOMAIN
 * when x < 0, t_x < 0, T < t_x, weight <= 0 or a value is not finite. */
int clv_summary_append(clv_summary *s, const char *id, size_t id_len,
                       const clv_summary_row *row);

size_t clv_summary_rows(const clv_summary *s);
clv_unit clv_summary_unit(const clv_summary *s);
unsigned clv_summary_columns(const clv_summary *s);
int clv_summary_has(const clv_summary *s, clv_col col);

/* The column array (clv_summary_rows() values), or NULL when absent. The
 * pointer stays valid until the next append or free. */
const double *clv_summary_col(const clv_summary *s, clv_col col);

/* The id of row i (NUL-terminated; "" for an anonymous row); *len may be
 * NULL. */
const char *clv_summary_id(const clv_summary *s, size_t i, size_t *len);

/* Sum of the weights: the number of customers the table stands for. */
double clv_summary_customers(const clv_summary *s);

/* Observation end and holdout start as day numbers, when known (set by the
 * summariser); INT32_MIN when unknown. */
int32_t clv_summary_end_day(const clv_summary *s);
int32_t clv_summary_holdout_day(const clv_summary *s);
void clv_summary_set_days(clv_summary *s, int32_t end_day, int32_t holdout_day);

/*
 * The cohort's repeat purchases per day, for the actual tracking curve
 * (Fader, Hardie & Lee 2005, figure 2): counts[d] purchase periods that
 * were not the customer's first, of the table's customers, on day
 * *first_day + d (the period's first purchase day; holdout periods
 * included), for *days days. Set by the summariser; NULL (with *days 0)
 * when unknown, as for tables read from CSV or built from arrays. The
 * array belongs to the table and stays valid until the next set or free.
 * first_day and days may be NULL.
 */
const uint64_t *clv_summary_repeat_days(const clv_summary *s,
                                        int32_t *first_day, size_t *days);

/* Replaces the per-day repeat counts with a copy of counts (days values
 * from first_day); counts NULL clears them. Returns CLV_OK, CLV_EINVAL
 * (counts with days 0) or CLV_ENOMEM. */
int clv_summary_set_repeat_days(clv_summary *s, int32_t first_day,
                                const uint64_t *counts, size_t days);

/*
 * Builds a table from plain arrays (n rows; t_x, T required; m and weight may
 * be NULL, meaning 0 and 1). Ids are "1".."n". For tests and bindings.
 */
int clv_summary_from_arrays(clv_summary **out, clv_unit unit, size_t n,
                            const double *x, const double *t_x, const double *T,
                            const double *m, const double *weight);

/*
 * Reads a summary CSV (path "-" = standard input): clv's own output, or
 * lifetimes' and BTYD's layouts. Columns are matched by name, case and
 * punctuation ignored: frequency|x, recency|t_x|t.x, T|T.cal|periods|n.cal,
 * monetary_value|zbar|m_x (optional), weights|weight|n|custs (optional),
 * an id column customer_id|ID|id|cust|customer (optional: ids "1".."n"
 * otherwise), frequency_holdout|x.star, monetary_value_holdout,
 * duration_holdout|n.star, first_purchase, last_purchase (dates),
 * total_spend, orders, refunds (all optional). Other columns are ignored.
 * The file does not say its time unit, so the caller does (`unit`): the
 * lifetimes and BTYD CDNOW files are in weeks, clv summary writes days
 * unless --unit says otherwise. The caller frees *out with
 * clv_summary_free(). Returns CLV_OK, CLV_EIO, CLV_ENOCOLUMN (a required
 * column is missing), CLV_EPARSE (a bad value: err says file:line:column),
 * CLV_EEMPTY (no rows), CLV_ENOMEM.
 */
int clv_summary_read_csv(const char *path, clv_unit unit, clv_summary **out,
                         clv_error *err);

/*
 * Writes the table as CSV with a header line: customer_id, frequency,
 * recency, T, then the optional columns the table has (weight only when some
 * weight differs from 1), dates as YYYY-MM-DD. Numbers are written with the
 * fewest digits that read back to the same double. Returns CLV_OK, CLV_EIO.
 */
int clv_summary_write_csv(const clv_summary *s, FILE *f);

/* The same as JSON lines: one object per customer, keys as the CSV header.
 * Returns CLV_OK, CLV_EIO. */
int clv_summary_write_jsonl(const clv_summary *s, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
