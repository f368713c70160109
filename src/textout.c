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
 * Writes digits d[0..p) (d[0] != 0) times 10^x, negative when neg, as printf's
 * %.<p>g does: trailing zeros dropped, exponent form when x < -4 or x >= p.
 * Returns the length, or 0 when it would not fit.
 */
static size_t put_g(const char *d, int p, int x, int neg, char *buf,
                    size_t size) {
  char t[48];
  size_t k = 0;
  int len = p;
  while (len > 1 && d[len - 1] == '0')
    len--;
  if (neg)
    t[k++] = '-';
  if (x < -4 || x >= p) {
    t[k++] = d[0];
    if (len > 1) {
      t[k++] = '.';
      for (int i = 1; i < len; i++)
        t[k++] = d[i];
    }
    int ax = x < 0 ? -x : x;
    t[k++] = 'e';
    t[k++] = x < 0 ? '-' : '+';
    if (ax >= 100)
      t[k++] = (char)('0' + ax / 100);
    t[k++] = (char)('0' + ax / 10 % 10);
    t[k++] = (char)('0' + ax % 10);
  } else if (x >= 0) {
    for (int i = 0; i <= x; i++)
      t[k++] = i < len ? d[i] : '0';
    if (len > x + 1) {
      t[k++] = '.';
      for (int i = x + 1; i < len; i++)
        t[k++] = d[i];
    }
  } else {
    t[k++] = '0';
    t[k++] = '.';
    for (int i = 0; i < -x - 1; i++)
      t[k++] = '0';
    for (int i = 0; i < len; i++)
      t[k++] = d[i];
  }
  if (k >= size)
    return 0;
  memcpy(buf, t, k);
  buf[k] = '\0';
  return k;
}

/*
 * The result of the %.15g / %.16g / %.17g search below with one printf call
 * instead of up to three, and no strtod in most cases. printf gives the 17
 * correctly rounded significant digits; 15 or 16 digits are derived from
 * them, which is exact unless the dropped digits are exactly "50" (or "5"):
 * only then could the true value lie on the other side of the half, and 0
 * is returned (the caller takes the slow path). A candidate D * 10^q reads
 * back as v when D / 10^-q (or D * 10^q) computed in doubles equals v: D
 * and the power of ten are exact, and both the operation and strtod round
 * the same rational correctly. Returns 1 when buf holds the answer.
 */
static int shortest_g(double v, char *buf, size_t size) {
  static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  char e[40], d17[17], d[17];
  int neg = v < 0;
  double a = fabs(v);
  int n = snprintf(e, sizeof e, "%.16e", a);
  if (n < 21 || e[1] != '.' || e[18] != 'e')
    return 0;
  d17[0] = e[0];
  memcpy(d17 + 1, e + 2, 16);
  int x = atoi(e + 19);
  for (int p = 15; p <= 16; p++) {
    int tail = p == 15 ? (d17[15] - '0') * 10 + (d17[16] - '0') : d17[16] - '0';
    int half = p == 15 ? 50 : 5;
    if (tail == half)
      return 0;
    int xp = x;
    memcpy(d, d17, (size_t)p);
    if (tail > half) {
      int i = p - 1;
      while (i >= 0 && d[i] == '9')
        d[i--] = '0';
      if (i >= 0) {
        d[i]++;
      } else {
        d[0] = '1'; /* 99..9 rounded up: 10^p, one more exponent */
        xp++;
      }
    }
    uint64_t D = 0;
    for (int i = 0; i < p; i++)
      D = D * 10 + (uint64_t)(d[i] - '0');
    int q = xp - (p - 1);
    int ok;
    if (D < (1ull << 53) && q >= -22 && q <= 22) {
      double back = q < 0 ? (double)D / p10[-q] : (double)D * p10[q];
      ok = back == a;
    } else {
      char t[48];
      if (put_g(d, p, xp, 0, t, sizeof t) == 0)
        return 0;
      ok = strtod(t, NULL) == a;
    }
    if (ok)
      return put_g(d, p, xp, neg, buf, size) != 0;
  }
  return put_g(d17, 17, x, neg, buf, size) != 0;
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
  if (shortest_g(v, buf, size))
    return strlen(buf);
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

size_t clv__fmt_sig(double v, int digits, char *buf, size_t size) {
  static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double a = fabs(v);
  if (digits < 1 || digits > 15 || size < 32 || !isfinite(v) ||
      (a != 0 && (a < 1e-4 || a >= 1e15))) {
    snprintf(buf, size, "%.*g", digits < 1 ? 1 : digits, v);
    return strlen(buf);
  }
  if (a == 0) {
    buf[0] = '0';
    buf[1] = '\0';
    return 1;
  }
  /* a = n x 10^(e - digits + 1) with n a whole number of `digits` digits;
   * the scale is at most 10^20, so both factors are exact doubles. */
  /* The decimal exponent e, 10^e <= a < 10^(e+1), by comparison with the
   * correctly rounded powers of ten (a is in [1e-4, 1e15) here): exact,
   * and cheaper than log10. */
  static const double neg[4] = {1e-4, 1e-3, 1e-2, 1e-1};
  int e;
  if (a >= 1) {
    e = 0;
    while (e < 14 && a >= p10[e + 1])
      e++;
  } else {
    e = -1;
    while (e > -4 && a < neg[e + 4])
      e--;
  }
  int shift = digits - 1 - e; /* -14 .. 19 */
  /* The scaled value t is rounded; fma gives the exact error of that
   * rounding, so a t that lands on a half (money amounts often do) is
   * rounded the way the exact binary value would be, as printf does. */
  double t, err;
  if (shift >= 0) {
    t = a * p10[shift];
    err = fma(a, p10[shift], -t); /* exact: a * 10^shift = t + err */
  } else {
    t = a / p10[-shift];
    err = fma(-t, p10[-shift], a); /* sign of a - t * 10^-shift */
  }
  double n = floor(t), frac = t - n;
  if (frac > 0.5 || (frac == 0.5 && (err > 0 || (err == 0 && fmod(n, 2) != 0))))
    n += 1;
  if (n >= p10[digits]) { /* rounding carried into a new digit: 9.99 -> 10 */
    n = floor(n / 10 + 0.5);
    e++;
    shift--;
  }
  char d[20];
  int nd = 0;
  uint64_t u = (uint64_t)n;
  for (int k = 0; k < digits; k++, u /= 10)
    d[digits - 1 - k] = (char)('0' + u % 10);
  nd = digits;
  while (nd > 1 && d[nd - 1] == '0')
    nd--;
  size_t len = 0;
  if (v < 0)
    buf[len++] = '-';
  if (e < 0) { /* 0.000ddd */
    buf[len++] = '0';
    buf[len++] = '.';
    for (int k = -1; k > e; k--)
      buf[len++] = '0';
    for (int k = 0; k < nd; k++)
      buf[len++] = d[k];
  } else if (e >= digits) { /* printf switches to exponents here */
    snprintf(buf, size, "%.*g", digits, v);
    return strlen(buf);
  } else {
    for (int k = 0; k <= e; k++)
      buf[len++] = k < nd ? d[k] : '0';
    if (nd > e + 1) {
      buf[len++] = '.';
      for (int k = e + 1; k < nd; k++)
        buf[len++] = d[k];
    }
  }
  buf[len] = '\0';
  return len;
}

void clv__fput_num(FILE *f, double v) {
  char buf[64];
  if (!isfinite(v))
    return;
  size_t n = clv__fmt_num(v, 1e-12, buf, sizeof buf);
  fwrite(buf, 1, n, f);
}

void clv__fput_json_num(FILE *f, double v) {
  if (!isfinite(v))
    fputs("null", f);
  else
    clv__fput_num(f, v);
}
