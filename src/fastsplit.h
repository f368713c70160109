/*
 * fastsplit.h - the plain-CSV row splitter of the summariser's hot path
 * (internal).
 *
 * Most order logs are plain delimited text: no quotes, LF or CRLF line
 * ends, no blank lines. For those the general scanner (csv.c) does more
 * than it needs to, and its per-row cost is most of the ingest time. This
 * splitter finds the delimiters and line feeds of 64 bytes at a time as
 * bit masks (SSE2 where the compiler targets it, a byte loop elsewhere) and
 * hands out, per row, only the three fields the summary reads. It accepts
 * exactly the rows that csv.c's parse_row_plain() accepts and gives the
 * same field bytes; on anything else (a quote, a lone CR, a blank line or a
 * line that starts with a blank, too few fields) it stops and says so, and
 * the caller reads the buffer with the general scanner instead.
 */
#ifndef CLV_FASTSPLIT_H
#define CLV_FASTSPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Fields a splitter can tell apart; rows may have more (they are skipped). */
#define CLV__FAST_MAX_FIELDS 64

/* The wanted fields of one row: offsets into the buffer and lengths, in the
 * order the columns were given; `end` is the offset just after the row's
 * line feed (or the buffer's length for a last line without one). */
typedef struct clv__fast_row {
  uint32_t off[3], len[3];
  uint32_t end;
} clv__fast_row;

typedef struct clv__fast_block clv__fast_block;

typedef struct clv__fast_split {
  const char *buf;
  size_t len, pos; /* the next row starts at pos */
  size_t need;     /* fields a row must have */
  char delim;
  signed char slot[CLV__FAST_MAX_FIELDS]; /* field -> 0..2, or -1 */
  int failed; /* 1: a row that is not plain was met at pos */
  /* The block scanner picked for this processor. */
  void (*masks)(const char *p, char delim, clv__fast_block *m);
} clv__fast_split;

/*
 * Prepares a splitter over buf[0, len) (len < 2^32). cols[0..ncols) are the
 * 0-based columns wanted (ncols <= 3, distinct, each < need); need is the
 * number of fields a row must have (<= CLV__FAST_MAX_FIELDS). Returns 0, or
 * -1 when these settings cannot be split fast (the caller uses csv.c).
 */
int clv__fast_split_init(clv__fast_split *s, const char *buf, size_t len,
                         char delim, const int *cols, size_t ncols,
                         size_t need);

/*
 * Splits up to max rows from s->pos on into out. Returns the number of
 * rows; 0 when the buffer is done. A row that is not plain ends the split:
 * s->failed becomes 1 and s->pos is that row's start (the rows before it
 * are still handed out by that call). Rows of fewer than `need` fields
 * also end it: the general path reports them.
 */
size_t clv__fast_split_next(clv__fast_split *s, clv__fast_row *out, size_t max);

#endif
