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

/* What a column holds, for detection. */
typedef enum clv__role {
  CLV__ROLE_CUSTOMER = 0,
  CLV__ROLE_DATE,
  CLV__ROLE_AMOUNT, /* amount names other than a bare "price" */
  CLV__ROLE_QUANTITY,
  CLV__ROLE_PRICE, /* unit price */
  CLV__ROLE__COUNT
} clv__role;

/* 1 when the (normalised) header name is a known name of any role. */
int clv__colname_known(const char *norm);

/*
 * Picks the column of a role among n header names (raw fields): the first
 * known name of the role in priority order, else -1. For the customer role
 * a column whose name ends in "id" is the fallback.
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
