/*
 * parse.h - parsing of single field values (internal): money amounts and
 * plain numbers. Dates are parsed by clv_date_parse() (clv/time.h).
 * These are on the hot path of ingest: no allocation, no locale.
 */
#ifndef CLV_PARSE_H
#define CLV_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * clv__parse_amount() for the commonest amounts, without a loop, inline for
 * the summariser's hot path (ingest.c): a field of 1 to 8 bytes, digits
 * with at most one '.', no sign ("18.70", "5", "0.5"). It reads 8 bytes at
 * p, so the caller must know that 8 bytes are readable there. Returns 1 and
 * the very value clv__parse_amount() gives (its plain path makes the same
 * mantissa from the same digits and divides it by the same power of ten),
 * or 0 when the field has another form; the caller then asks
 * clv__parse_amount(). The digits are converted eight at a time as in
 * simdjson's parse_eight_digits_unrolled (Langdale & Lemire 2019).
 */
static inline int clv__amount_swar8(const char *p, size_t n, double *out) {
  static const double pow10[8] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t x;
  size_t nd = n, frac = 0;
  if (n == 0 || n > 8)
    return 0;
  memcpy(&x, p, 8); /* byte i is p[i] on a little-endian machine */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  x = __builtin_bswap64(x);
#endif
  if (n < 8)
    x &= ((uint64_t)1 << (8 * n)) - 1;
  /* The first '.' (bytes past n are 0, never a dot): the lowest zero byte
   * of x ^ "........" is found exactly by the borrow trick. */
  uint64_t z = x ^ (0x2Eu * ones), dots = (z - ones) & ~z & high;
  if (dots) {
    size_t k = (size_t)__builtin_ctzll(dots) / 8;
    uint64_t low = k ? ((uint64_t)1 << (8 * k)) - 1 : 0;
    x = (x & low) | ((x >> 8) & ~low); /* close the gap */
    nd = n - 1;
    frac = n - 1 - k;
  }
  if (nd == 0)
    return 0;
  /* Right-align the nd digits and fill the front with '0'. */
  if (nd < 8) {
    x <<= 8 * (8 - nd);
    x |= (0x30u * ones) & (((uint64_t)1 << (8 * (8 - nd))) - 1);
  }
  /* Every byte in '0'..'9': high nibble 3, and still 3 after adding 6. */
  if ((x & (0xF0u * ones)) != 0x30u * ones ||
      ((x + 0x06u * ones) & (0xF0u * ones)) != 0x30u * ones)
    return 0;
  x = (x & (0x0Fu * ones)) * 2561 >> 8;
  x = (x & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
  x = (x & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
  *out = frac ? (double)x / pow10[frac] : (double)x;
  return 1;
}

/* Parses a plain decimal number (sign, digits, '.', exponent; surrounding
 * blanks allowed). Returns 1 on success, 0 otherwise. */
int clv__parse_double(const char *p, size_t n, double *out);

#endif
