/*
 * textout.c - numbers, CSV fields and JSON strings for every table writer
 * (see textout.h).
 */
#include "textout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *utoa_rev(uint64_t v, char *end) {
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

/*
 * Formats a finite double with the fewest digits that read back exactly:
 * whole numbers as integers; then n / 10^k for the smallest k <= 9 that
 * reproduces v (both the division and strtod round the same exact rational
 * n / 10^k correctly, so equality here proves the round trip); else the
 * shortest of %.15g, %.16g and %.17g that strtod maps back to v. With
 * rel_tol > 0, n / 10^k is also taken when it is within rel_tol * |v|.
 */
size_t clv__fmt_num(double v, double rel_tol, char *buf, size_t size) {
  static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                               1e5, 1e6, 1e7, 1e8, 1e9};
  char tmp[32], *end = tmp + sizeof tmp, *p;
  if (v == 0 || !isfinite(v)) {
    /* Non-finite values are rejected before they get here; 0 also covers
     * -0.0, which would read back as a surprising "-0". */
    buf[0] = '0';
    buf[1] = '\0';
    return 1;
  }
  int neg = v < 0;
  double a = fabs(v);
  for (int k = 0; k <= 9; k++) {
    double sc = a * p10[k];
    if (sc >= 9007199254740992.0) /* 2^53: n no longer exact */
      break;
    double n = floor(sc + 0.5);
    double back = n / p10[k];
    if (back != a && !(fabs(back - a) <= rel_tol * a))
      continue;
    uint64_t u = (uint64_t)n;
    p = end;
    for (int d = 0; d < k; d++) {
      *--p = (char)('0' + u % 10);
      u /= 10;
    }
    if (k > 0)
      *--p = '.';
    p = utoa_rev(u, p);
    if (neg)
      *--p = '-';
    size_t len = (size_t)(end - p);
    if (len >= size)
      break;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return len;
  }
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (prec == 17 || strtod(buf, NULL) == v)
      break;
  }
  return strlen(buf);
}

int clv__csv_needs_quotes(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n')
      return 1;
  return 0;
}

/* The inside of a quoted CSV field: inner quotes doubled. Stops when the
 * next byte (2 for a quote) would not fit, so that a caller can write a
 * long field in pieces. */
size_t clv__csv_escape(char *dst, size_t cap, const char *p, size_t n,
                       size_t *used) {
  size_t i = 0, k = 0;
  for (; i < n; i++) {
    size_t need = p[i] == '"' ? 2 : 1;
    if (k + need > cap)
      break;
    if (p[i] == '"')
      dst[k++] = '"';
    dst[k++] = p[i];
  }
  *used = i;
  return k;
}

/* CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180), with
 * inner quotes doubled; otherwise byte for byte. */
void clv__put_csv_field(FILE *f, const char *p, size_t n) {
  char buf[512];
  if (!clv__csv_needs_quotes(p, n)) {
    fwrite(p, 1, n, f);
    return;
  }
  putc('"', f);
  while (n > 0) {
    size_t used, len = clv__csv_escape(buf, sizeof buf, p, n, &used);
    fwrite(buf, 1, len, f);
    p += used;
    n -= used;
  }
  putc('"', f);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n) {
  size_t len;
  if (p[0] < 0x80)
    return 1;
  if ((p[0] & 0xE0) == 0xC0 && p[0] >= 0xC2)
    len = 2;
  else if ((p[0] & 0xF0) == 0xE0)
    len = 3;
  else if ((p[0] & 0xF8) == 0xF0 && p[0] <= 0xF4)
    len = 4;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return len;
}

/* The inside of a JSON string literal. Bytes that are not valid UTF-8
 * cannot appear in JSON text; they are written as \u00XX (the Latin-1 code
 * point of the byte), which is the one lossy case and is documented in
 * docs/summary.md. Stops when the next piece (at most 6 bytes) would not
 * fit, so that a caller can write a long string in pieces. */
size_t clv__json_escape(char *dst, size_t cap, const char *s, size_t n,
                        size_t *used) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, k = 0;
  while (i < n) {
    unsigned char ch = p[i];
    if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
      if (k + 1 > cap)
        break;
      dst[k++] = (char)ch;
      i++;
      continue;
    }
    size_t len = utf8_len(p + i, n - i);
    if (ch == '"' || ch == '\\') {
      if (k + 2 > cap)
        break;
      dst[k++] = '\\';
      dst[k++] = (char)ch;
      i++;
    } else if (ch < 0x20 || len == 0) {
      if (k + 6 > cap)
        break;
      memcpy(dst + k, "\\u00", 4);
      dst[k + 4] = hex[ch >> 4];
      dst[k + 5] = hex[ch & 15];
      k += 6;
      i++;
    } else {
      if (k + len > cap)
        break;
      memcpy(dst + k, p + i, len);
      k += len;
      i += len;
    }
  }
  *used = i;
  return k;
}

/* JSON string literal, written in pieces through clv__json_escape(). */
void clv__put_json_string(FILE *f, const char *s, size_t n) {
  char buf[512];
  putc('"', f);
  while (n > 0) {
    size_t used, len = clv__json_escape(buf, sizeof buf, s, n, &used);
    fwrite(buf, 1, len, f);
    s += used;
    n -= used;
  }
  putc('"', f);
}
