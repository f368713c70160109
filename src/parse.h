/*
 * parse.h - parsing of single field values (internal): money amounts and
 * plain numbers. Dates are parsed by clv_date_parse() (clv/time.h).
 * These are on the hot path of ingest: no allocation, no locale.
 */
#ifndef CLV_PARSE_H
#define CLV_PARSE_H

#include <stddef.h>

/*
 * Parses a money amount of n bytes: optional blanks, an optional sign ('+',
 * '-', or accounting parentheses "(12.50)"), an optional currency symbol or
 * code before or after the number ($ € £ ¥ ￥ RMB CNY USD EUR GBP 元), digits
 * with an optional '.' decimal part, and ',' thousands separators when they
 * group exactly three digits ("1,234,567.89"; "12,5" is rejected as
 * ambiguous). Exponents ("1e3") are accepted. Returns 1 and writes *out on
 * success, 0 when the text is not such an amount (an empty field is not).
 * The fast path (up to 15 significant digits) is exact: it rounds once.
 */
int clv__parse_amount(const char *p, size_t n, double *out);

/* Parses a plain decimal number (sign, digits, '.', exponent; surrounding
 * blanks allowed). Returns 1 on success, 0 otherwise. */
int clv__parse_double(const char *p, size_t n, double *out);

#endif
