/*
 * ingest.h - internals shared by ingest.c (the driver), columns.c (column
 * detection) and summary_io.c (summary writers and reader).
 */
#ifndef CLV_INGEST_INTERNAL_H
#define CLV_INGEST_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "clv.h"
#include "csv.h"
#include "summarize.h"

/* ---- columns.c --------------------------------------------------------- */

/*
 * Normalises a column name for matching: ASCII letters lower-cased, ASCII
 * characters that are neither letters nor digits dropped (so "Customer ID",
 * "customer_id" and "CustomerID" agree), other bytes (UTF-8: Chinese names)
 * kept. Writes at most size - 1 bytes and a NUL into out; returns out.
 */
char *clv__colname_norm(const char *p, size_t n, char *out, size_t size);

/* What a column holds, for detection. The roles from ORDER on are the
 * optional columns of an order table (clv/orders.h); the summariser uses
 * only the first five. */
typedef enum clv__role {
  CLV__ROLE_CUSTOMER = 0,
  CLV__ROLE_DATE,
  CLV__ROLE_AMOUNT, /* amount names other than a bare "price" */
  CLV__ROLE_QUANTITY,
  CLV__ROLE_PRICE,        /* unit price */
  CLV__ROLE_ORDER,        /* order / invoice id */
  CLV__ROLE_PRODUCT,      /* product id, SKU */
  CLV__ROLE_PRODUCT_NAME, /* product name or description */
  CLV__ROLE_CATEGORY,
  CLV__ROLE_CHANNEL,     /* sales channel */
  CLV__ROLE_ACQ_CHANNEL, /* acquisition channel / source */
  CLV__ROLE_STORE,
  CLV__ROLE_UNIT_COST, /* cost per unit */
  CLV__ROLE_COST,      /* cost of the row */
  CLV__ROLE_MARGIN,    /* margin share of the amount */
  CLV__ROLE__COUNT
} clv__role;

/* 1 when the (normalised) header name is a known name of a core role
 * (customer, date, amount, quantity, price). The optional roles do not
 * count: their names ("store", "web") are also plausible data values, and a
 * headerless log must not lose its first row to them. */
int clv__colname_known(const char *norm);

/*
 * Picks the column of a role among n header names (raw fields): the first
 * known name of the role in priority order, else -1. For the customer role
 * a column whose name ends in "id" is the fallback, unless the name is one
 * of an optional role ("order_id", "product_id", "store_id").
 */
int clv__colname_detect(clv__role role, const clv__field *names, size_t n);

/*
 * Resolves a user's column spec: a 1-based position ("3") or a header name
 * (matched after normalisation). names may be NULL (no header): then only
 * positions work. Returns the 0-based index, or -1.
 */
int clv__colname_resolve(const char *spec, const clv__field *names, size_t n);

/* A field's text for an error message: at most size - 4 bytes, control
 * characters shown as '?', "..." when shortened. Returns buf. */
const char *clv__field_text(const clv__field *f, char *buf, size_t size);

/* Fills e with "file:line:column: expected <expected>, found "<field>"" (or
 * "found an empty field") for a field of the current row of c: the one
 * wording of a bad value for every reader of order logs. */
void clv__field_error(const clv__csv *c, const clv__field *f,
                      const char *expected, clv_error *e);

/* Fills err (may be NULL) with a whole-file or whole-line error of an order
 * log: file name, line (0: none; column 1 when given) and message. Returns
 * status, so that a caller can `return clv__fill_error(...)`. */
int clv__fill_error(clv_error *err, int status, const char *name, long line,
                    const char *msg);

/* Copies header name `col` (or "column N" when names is NULL, "" when col
 * is -1) into dst, shortened to size - 1 bytes. */
void clv__colname_copy(char *dst, size_t size, const clv__field *names,
                       int col);

/* Writes "\"a\", \"b\", ..." of a header row (or "N fields and no header
 * line"), for column errors. */
void clv__colname_list(char *buf, size_t size, const clv__field *f, size_t n,
                       int header);

/*
 * Does the first row (n fields) look like a header? o->header when it is 0
 * or 1; else yes when a field is a known core name or the name given by one
 * of o's column options or by one of the n_more extra specs (may be NULL),
 * and otherwise yes when no field holds a date.
 */
int clv__detect_header(const clv_ingest_opts *o, const char *const *more,
                       size_t n_more, const clv__field *f, size_t n);

/* Where the core values of a row are. */
/* (cost.c) Where the cost of a row comes from. */
typedef enum clv__cost_kind {
  CLV__COST_NONE = 0,
  CLV__COST_ROW,    /* a cost column: the row's cost in money */
  CLV__COST_UNIT,   /* quantity x a unit-cost column */
  CLV__COST_MARGIN, /* amount x (1 - margin) */
} clv__cost_kind;

typedef struct clv__cost_plan {
  clv__cost_kind kind;
  int col; /* the cost, unit-cost or margin column; -1 with CLV__COST_NONE */
  int qty; /* the quantity column (CLV__COST_UNIT), -1 = none */
} clv__cost_plan;

typedef struct clv__plan {
  int cust, date, amount, qty, price; /* 0-based columns, -1 = none */
  size_t need;                        /* fields a row must have */
  int with_amount;
  clv_date_order order;
  /* With clv_ingest_opts.costs: the cost of a row (cost.h); else NONE. */
  clv__cost_plan cost;
} clv__plan;

/*
 * Picks the core columns from the first row (names when header), from o's
 * options or by detection. Without a header and without flags: the first
 * column that holds a date is the date, the first other column the
 * customer, and the last other column that holds an amount the amount.
 * Fills rep's column names. Returns CLV_OK, or CLV_ENOCOLUMN with the
 * reason ("expected ..., found ...") in why.
 */
int clv__pick_columns(const clv_ingest_opts *o, const clv__field *f, size_t n,
                      int header, clv__plan *p, clv_ingest_report *rep,
                      char *why, size_t why_size);

/* ---- summary_io.c ----------------------------------------------------------
 */

/* Output buffer and caches of a row writer (summary_io.c). */
typedef struct clv__writer_buf clv__writer_buf;

/*
 * Writes summary rows to a stream, one at a time, through its own output
 * buffer (rows are formatted by hand, without a printf call per row).
 * Zero it, set f, format and columns, write rows, then call
 * clv__writer_close() once, on every path: it writes what is pending and
 * frees the buffer.
 */
typedef struct clv__row_writer {
  FILE *f;
  clv_format format;
  unsigned columns; /* 1u << CLV_COL_... of the columns to write */
  int wrote_header;
  clv__writer_buf *out; /* made by the first header or row */
} clv__row_writer;

/* Writes the CSV header line (nothing for JSON lines). CLV_OK, CLV_EIO or
 * CLV_ENOMEM. */
int clv__writer_header(clv__row_writer *w);

/* Writes one row; a clv__row_fn (ctx is the writer). CLV_OK, CLV_EIO or
 * CLV_ENOMEM. */
int clv__writer_row(void *w, const char *id, size_t id_len,
                    const clv_summary_row *row);

/* Writes the pending bytes to the stream (no fflush) and frees the buffer.
 * CLV_OK, or CLV_EIO when any write failed. */
int clv__writer_close(clv__row_writer *w);

/* ---- ingest.c ------------------------------------------------------------ */

/*
 * The ingest driver behind clv_summarize_file*(): reads `path`, or the
 * memory buffer data/len when path is NULL (for the fuzzer and tests).
 * Inputs of at least min_split bytes are scanned by two threads when
 * o->threads > 1 (tests pass a small value to exercise the split).
 * With fn == NULL the rows go into a new table *out (the caller frees it),
 * else to fn(ctx, ...). Statuses as clv_summarize_file().
 */
int clv__summarize(const char *path, const char *data, size_t len,
                   const clv_ingest_opts *o, size_t min_split,
                   clv_summary **out, clv__row_fn fn, void *ctx,
                   unsigned *columns, clv_ingest_report *report,
                   clv_error *err);

#endif
