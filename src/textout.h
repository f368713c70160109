/*
 * textout.h - writing numbers, CSV fields and JSON strings (internal).
 * Shared by every writer of tables (summary, predictions) so that all of
 * clv's outputs quote and round the same way.
 */
#ifndef CLV_TEXTOUT_H
#define CLV_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Formats a finite double with the fewest digits that read back exactly
 * (with rel_tol > 0, the shortest decimal within rel_tol * |v|, which hides
 * the binary noise of sums of cent amounts). Non-finite values give "0":
 * callers decide how to write them (empty CSV field, JSON null).
 * Returns the length written to buf (NUL-terminated).
 */
size_t clv__fmt_num(double v, double rel_tol, char *buf, size_t size);

/* A CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180). */
void clv__put_csv_field(FILE *f, const char *p, size_t n);

/* A JSON string literal; bytes that are not UTF-8 are written as \u00XX. */
void clv__put_json_string(FILE *f, const char *s, size_t n);

#endif
