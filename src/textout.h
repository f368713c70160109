/*
 * textout.h - writing numbers, CSV fields and JSON strings (internal).
 * Shared by every writer of tables (summary, predictions) so that all of
 * clv's outputs quote and round the same way.
 */
#ifndef CLV_TEXTOUT_H
#define CLV_TEXTOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* "00", "01", ..., "99" (textout.c). */
extern const char clv__digit_pairs[201];

/* Appends the decimal digits of u at p (no NUL, at most 20 bytes) and
 * returns the end: the integers of every table writer, two digits at a
 * time. Inline since it is the commonest value of the summary writer. */
static inline char *clv__put_uint(uint64_t u, char *p) {
  if (u < 10) {
    *p = (char)('0' + u);
    return p + 1;
  }
  if (u < 100) {
    memcpy(p, clv__digit_pairs + 2 * u, 2);
    return p + 2;
  }
  int n = 3;
  for (uint64_t t = u / 1000; t > 0; t /= 10)
    n++;
  char *e = p + n;
  while (u >= 100) {
    e -= 2;
    memcpy(e, clv__digit_pairs + 2 * (u % 100), 2);
    u /= 100;
  }
  if (u >= 10)
    memcpy(e - 2, clv__digit_pairs + 2 * u, 2);
  else
    e[-1] = (char)('0' + u);
  return p + n;
}

/*
 * Formats a finite double with the fewest digits that read back exactly
 * (with rel_tol > 0, the shortest decimal within rel_tol * |v|, which hides
 * the binary noise of sums of cent amounts). Non-finite values give "0":
 * callers decide how to write them (empty CSV field, JSON null).
 * Returns the length written to buf (NUL-terminated).
 */
size_t clv__fmt_num(double v, double rel_tol, char *buf, size_t size);

/*
 * clv__fmt_num() written at p without the NUL, for table writers that
 * format into their own buffer: p needs 48 bytes of room (bytes past the
 * returned end may be overwritten). Returns the end of the text.
 */
char *clv__put_num(char *p, double v, double rel_tol);

/*
 * The reference definition of clv__fmt_num(), through printf and strtod
 * (see textout.c): what clv__fmt_num() falls back to where its exact
 * integer fast path does not decide. Internal; exposed for the tests that
 * check the two give the same bytes.
 */
size_t clv__fmt_num_slow(double v, double rel_tol, char *buf, size_t size);

/* Writes v to f as the shortest text within 1e-12 relative (which hides the
 * binary noise of sums of cent amounts), or nothing when v is not finite: a
 * CSV cell of the business layer's tables. */
void clv__fput_num(FILE *f, double v);

/* The same as a JSON value: null when v is not finite. */
void clv__fput_json_num(FILE *f, double v);

/* 1 when a CSV field must be quoted: it holds a comma, quote, CR or LF. */
int clv__csv_needs_quotes(const char *p, size_t n);

/*
 * Writes the inside of a quoted CSV field (inner quotes doubled) for the
 * first bytes of p[0..n) into dst (at most cap bytes, no NUL). Stops before
 * a byte that would not fit; *used tells how many input bytes were taken.
 * Returns the bytes written. A cap of 2 or more always makes progress.
 */
size_t clv__csv_escape(char *dst, size_t cap, const char *p, size_t n,
                       size_t *used);

/*
 * As clv__csv_escape() for the inside of a JSON string literal: '"' and
 * '\\' escaped, control bytes and bytes that are not UTF-8 as \u00XX,
 * valid UTF-8 copied. A cap of 6 or more always makes progress.
 */
size_t clv__json_escape(char *dst, size_t cap, const char *s, size_t n,
                        size_t *used);

/*
 * Formats a finite double with `digits` (1..15) significant digits, trailing
 * zeros dropped, as printf's "%.<digits>g" does but without printf: the hot
 * path of the prediction writer. Values outside [1e-4, 1e15) go through
 * snprintf (exponent notation). Halfway cases round as the exact binary
 * value does (the scaling's rounding error is recovered with fma), so the
 * text is printf's.
 * Returns the length written to buf (at least 32 bytes).
 */
size_t clv__fmt_sig(double v, int digits, char *buf, size_t size);

/* A CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180). */
void clv__put_csv_field(FILE *f, const char *p, size_t n);

/* A JSON string literal; bytes that are not UTF-8 are written as \u00XX. */
void clv__put_json_string(FILE *f, const char *s, size_t n);

#endif
