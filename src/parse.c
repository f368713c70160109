/*
 * parse.c - money amounts and plain numbers from single CSV fields.
 *
 * No paper; the exact fast path is Clinger's observation ("How to read
 * floating point numbers accurately", PLDI 1990): when the decimal mantissa m
 * is an integer of at most 2^53 and the power of ten p has |p| <= 22, both m
 * and 10^|p| are exact doubles, so one IEEE multiplication or division gives
 * the correctly rounded result. Everything else (long mantissas, large
 * exponents) goes to strtod on a cleaned, NUL-terminated local copy.
 *
 * Locale: strtod reads the decimal point of LC_NUMERIC. A C program runs in
 * the "C" locale until it calls setlocale(), and neither libclv nor the clv
 * command does, so the decimal point is always '.'. A program embedding
 * libclv that switches LC_NUMERIC to a comma locale would only affect the
 * rare slow path; the fast path never looks at the locale.
 */
#include "parse.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Longest number text the slow path copies; longer text is not a number we
 * expect in an order log and is rejected rather than truncated. */
#define SLOW_MAX 400

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

static const char *skip_blanks(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

/*
 * Reads an unsigned decimal number at p: digits (with ',' grouping exactly
 * three digits when `groups`), an optional '.' and fraction, an optional
 * exponent. At least one mantissa digit is required. On success writes the
 * value (finite) to *out and returns the position after the number; returns
 * NULL when the text there is not such a number.
 */
static const char *scan_number(const char *p, const char *end, int groups,
                               double *out) {
  const char *start = p;
  uint64_t m = 0;
  int ndig = 0;    /* mantissa digits seen */
  int kept = 0;    /* digits accumulated in m, after leading zeros */
  int inexact = 0; /* some nonzero digit did not fit in m */
  long dexp = 0;   /* decimal exponent applied to m */
  int run = 0, commas = 0;

  for (; p < end; p++) {
    char c = *p;
    if (is_digit(c)) {
      run++;
      ndig++;
      if (kept < 19) {
        m = m * 10 + (uint64_t)(c - '0');
        kept += m != 0;
      } else {
        dexp++;
        inexact |= c != '0';
      }
    } else if (c == ',' && groups) {
      /* The first group has 1 to 3 digits, every later one exactly 3. */
      if (run == 0 || run > 3 || (commas > 0 && run != 3))
        return NULL;
      commas++;
      run = 0;
    } else {
      break;
    }
  }
  if (commas > 0 && run != 3)
    return NULL;
  if (p < end && *p == '.') {
    for (p++; p < end && is_digit(*p); p++) {
      ndig++;
      if (kept < 19) {
        m = m * 10 + (uint64_t)(*p - '0');
        kept += m != 0;
        dexp--;
      } else {
        inexact |= *p != '0';
      }
    }
  }
  if (ndig == 0)
    return NULL;
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char *q = p + 1;
    int neg = 0;
    if (q < end && (*q == '+' || *q == '-'))
      neg = *q++ == '-';
    if (q == end || !is_digit(*q))
      return NULL;
    long e = 0;
    for (; q < end && is_digit(*q); q++)
      if (e < 100000)
        e = e * 10 + (*q - '0');
    dexp += neg ? -e : e;
    p = q;
  }

  double v;
  if (!inexact && m <= ((uint64_t)1 << 53) && dexp >= -22 && dexp <= 22) {
    v = (double)m;
    v = dexp < 0 ? v / exact_pow10[-dexp] : v * exact_pow10[dexp];
  } else if (m == 0 && !inexact) {
    v = 0.0;
  } else {
    /* Slow path: strtod on the number without its group separators. */
    char buf[SLOW_MAX + 1];
    size_t k = 0;
    for (const char *s = start; s < p; s++) {
      if (*s == ',')
        continue;
      if (k == SLOW_MAX)
        return NULL;
      buf[k++] = *s;
    }
    buf[k] = '\0';
    char *stop;
    v = strtod(buf, &stop);
    if (*stop != '\0')
      return NULL;
  }
  if (!isfinite(v))
    return NULL;
  *out = v;
  return p;
}

/* Currency symbols and codes accepted before or after an amount. */
static const char *const currencies[] = {"$",
                                         "\xE2\x82\xAC" /* € */,
                                         "\xC2\xA3" /* £ */,
                                         "\xC2\xA5" /* ¥ */,
                                         "\xEF\xBF\xA5" /* ￥ */,
                                         "\xE5\x85\x83" /* 元 */,
                                         "RMB",
                                         "CNY",
                                         "USD",
                                         "EUR",
                                         "GBP",
                                         "rmb",
                                         "cny",
                                         "usd",
                                         "eur",
                                         "gbp"};

/* Length of the currency symbol or code at p, 0 when there is none. Most
 * fields start with a digit and end right after the number, so those two
 * cases return before looking at the list. */
static size_t currency_at(const char *p, const char *end) {
  if (p == end || is_digit(*p) || *p == '.')
    return 0;
  for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++) {
    const char *cur = currencies[i];
    if (*p != cur[0])
      continue;
    size_t k = strlen(cur);
    if ((size_t)(end - p) >= k && memcmp(p, cur, k) == 0)
      return k;
  }
  return 0;
}

/*
 * The common form of an amount, [-]digits[.digits] with at most 15 digits
 * in all ("18.70", "-5"): 1 and *out, or 0 when the text has any other
 * form. The value is the one the general path gives (the mantissa is exact
 * and so is the one division by a power of ten), so this is only a
 * shortcut past the sign, currency and grouping checks.
 */
static int amount_plain(const char *p, size_t n, double *out) {
  const char *end = p + n, *s;
  uint64_t m = 0;
  int neg = p < end && *p == '-';
  unsigned d;
  p += neg;
  for (s = p; p < end && (d = (unsigned)(unsigned char)*p - '0') < 10; p++)
    m = m * 10 + d;
  int whole = (int)(p - s), frac = 0;
  if (p < end && *p == '.') {
    for (s = ++p; p < end && (d = (unsigned)(unsigned char)*p - '0') < 10; p++)
      m = m * 10 + d;
    frac = (int)(p - s);
  }
  if (p != end || whole + frac == 0 || whole + frac > 15)
    return 0;
  double v = frac > 0 ? (double)m / exact_pow10[frac] : (double)m;
  *out = neg ? -v : v;
  return 1;
}

int clv__parse_amount(const char *p, size_t n, double *out) {
  if (p == NULL || out == NULL)
    return 0;
  if (amount_plain(p, n, out))
    return 1;
  const char *end = p + n;
  int neg = 0, paren = 0, signed_ = 0, currency = 0;
  double v;

  p = skip_blanks(p, end);
  if (p < end && *p == '(') {
    paren = 1;
    p = skip_blanks(p + 1, end);
  }
  /* Sign and currency in either order: "-$12", "$-12", "USD -12". */
  for (int round = 0; round < 2; round++) {
    if (!signed_ && !paren && p < end && (*p == '-' || *p == '+')) {
      neg = *p == '-';
      signed_ = 1;
      p = skip_blanks(p + 1, end);
    }
    size_t k = currency ? 0 : currency_at(p, end);
    if (k) {
      currency = 1;
      p = skip_blanks(p + k, end);
    }
  }
  p = scan_number(p, end, 1, &v);
  if (p == NULL)
    return 0;
  p = skip_blanks(p, end);
  if (!currency) {
    size_t k = currency_at(p, end);
    if (k)
      p = skip_blanks(p + k, end);
  }
  if (paren) {
    if (p == end || *p != ')')
      return 0;
    neg = 1;
    p = skip_blanks(p + 1, end);
  }
  if (p != end)
    return 0;
  *out = neg ? -v : v;
  return 1;
}

int clv__parse_double(const char *p, size_t n, double *out) {
  if (p == NULL || out == NULL)
    return 0;
  const char *end = p + n;
  int neg = 0;
  double v;
  p = skip_blanks(p, end);
  if (p < end && (*p == '-' || *p == '+'))
    neg = *p++ == '-';
  p = scan_number(p, end, 0, &v);
  if (p == NULL)
    return 0;
  if (skip_blanks(p, end) != end)
    return 0;
  *out = neg ? -v : v;
  return 1;
}
