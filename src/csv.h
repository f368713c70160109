/*
 * csv.h - the streaming CSV scanner (internal; shared between library files).
 *
 * Reads RFC 4180 CSV (quoted fields with delimiters, doubled quotes and line
 * breaks inside quotes; CRLF or LF; a UTF-8 BOM is skipped) and
 * whitespace-separated text (runs of blanks/tabs separate fields, leading
 * blanks are ignored: CDNOW_master.txt). Input is a file (mmap'ed when it is
 * a plain regular file), a gzip file (detected by its magic bytes, not by its
 * name), standard input ("-"), or a memory buffer. Blank lines are skipped.
 * Memory use is a fixed buffer plus the longest row; never the whole input
 * (except the mmap, which the kernel pages).
 */
#ifndef CLV_CSV_H
#define CLV_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "clv.h"

typedef struct clv__csv clv__csv;

typedef struct clv__csv_opts {
  /* 0: detect from the first non-blank line (',', ';', '\t' or '|', else
   * whitespace when the line has blanks between fields, else ','); ' ': runs
   * of blanks/tabs; any other byte: that delimiter. */
  char delimiter;
  /* When reading a non-seekable input (stdin, a pipe, gzip), keep a copy in
   * an unlinked temporary file so that clv__csv_rewind() works. */
  int rewindable;
} clv__csv_opts;

/* One field of the current row: `len` bytes at `p` (not NUL-terminated),
 * quotes removed and doubled quotes undone. Valid until the next call. */
typedef struct clv__field {
  const char *p;
  size_t len;
  uint32_t column; /* 1-based byte column of the field's start in its line */
} clv__field;

/*
 * Opens a path ("-" = standard input). `display_name` (may be NULL: the path,
 * or "<stdin>") is what error messages call the file. Returns CLV_OK,
 * CLV_EIO (cannot open or read: err says why), CLV_ENOMEM, CLV_EINVAL.
 * The caller closes the scanner with clv__csv_close().
 */
int clv__csv_open_path(clv__csv **out, const char *path,
                       const char *display_name, const clv__csv_opts *opts,
                       clv_error *err);

/* Opens a memory buffer (not copied; must outlive the scanner). first_line
 * is the line number of the buffer's first line (1 for a whole file). */
int clv__csv_open_mem(clv__csv **out, const char *data, size_t len,
                      const char *display_name, long first_line,
                      const clv__csv_opts *opts, clv_error *err);

/* Closes a scanner. Accepts NULL. */
void clv__csv_close(clv__csv *c);

/*
 * Reads the next row. On CLV_OK, *fields and *n describe it; *n == 0 means the
 * end of the input. On CLV_EPARSE (an unterminated quoted field, or text
 * after a closing quote) err holds file:line:column and what was expected;
 * the scanner has skipped to the next line, so a lenient caller may go on.
 * CLV_EIO on a read or gzip error.
 */
int clv__csv_next(clv__csv *c, const clv__field **fields, size_t *n,
                  clv_error *err);

/* Line number (1-based) where the row last returned starts. */
long clv__csv_line(const clv__csv *c);

/* Line number where the scanner stands: after the last row read (and, at
 * the end of the input, after the blank lines that follow it). */
long clv__csv_line_at(const clv__csv *c);

/* The delimiter in use (' ' for whitespace), once the first row is read. */
char clv__csv_delimiter(const clv__csv *c);

/* The name used in error messages. */
const char *clv__csv_name(const clv__csv *c);

/* Bytes of input consumed so far and in all (0 when unknown: stdin, gzip
 * counts compressed bytes read against the compressed file size). */
uint64_t clv__csv_bytes_done(const clv__csv *c);
uint64_t clv__csv_bytes_total(const clv__csv *c);

/* Starts again from the first row. Works for files, memory buffers and, when
 * opened with opts.rewindable, for stdin and gzip. CLV_EUNSUPPORTED else. */
int clv__csv_rewind(clv__csv *c);

/*
 * For parallel scanning: when the input is an uncompressed regular file or a
 * memory buffer, hands out the whole input as one contiguous buffer
 * (*data, *len) that stays valid until clv__csv_close(); CLV_EUNSUPPORTED
 * otherwise. Callers split it at line breaks and scan the parts with
 * clv__csv_open_mem() (only safe when the input has no quote character).
 */
int clv__csv_buffer(clv__csv *c, const char **data, size_t *len);

/* For tests of buffer boundaries: sets the size of the first stream buffer
 * (default 1 MiB; at least 4 bytes). Only before the first clv__csv_next();
 * CLV_EINVAL otherwise. Memory inputs and mmap'ed files ignore it. */
int clv__csv_set_buffer_size(clv__csv *c, size_t bytes);

/* Fills err with a data error at file:line:column (printf-style message). */
void clv__csv_error(const clv__csv *c, clv_error *err, long line, long column,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
