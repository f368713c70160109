/*
 * textout.c - numbers, CSV fields and JSON strings for every table writer
 * (see textout.h).
 */
#include "textout.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* "00" to "99": two digits at a time for clv__put_uint() and the fast path
 * of clv__fmt_num(). */
const char clv__digit_pairs[201] = "00010203040506070809"
                                   "10111213141516171819"
                                   "20212223242526272829"
                                   "30313233343536373839"
                                   "40414243444546474849"
                                   "50515253545556575859"
                                   "60616263646566676869"
                                   "70717273747576777879"
                                   "80818283848586878889"
                                   "90919293949596979899";

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
 * The reference definition of clv__fmt_num(), and its path for the values
 * the fast path below does not take. Formats a finite double with the
 * fewest digits that read back exactly: whole numbers as integers; then
 * n / 10^k for the smallest k <= 9 that reproduces v (both the division and
 * strtod round the same exact rational n / 10^k correctly, so equality here
 * proves the round trip); else the shortest of %.15g, %.16g and %.17g that
 * strtod maps back to v. With rel_tol > 0, n / 10^k is also taken when it
 * is within rel_tol * |v|.
 */
size_t clv__fmt_num_slow(double v, double rel_tol, char *buf, size_t size) {
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

/* ---- the fast path of clv__fmt_num() -------------------------------------
 *
 * clv__fmt_num_slow() costs a printf (and often a strtod) for every value
 * that is not a short decimal: means such as 37.14857142857142 or weeks
 * such as 213 / 7. The fast path below gives the same bytes from exact
 * integer arithmetic on the binary value, for finite values 2^-13 <= |v| <
 * 2^52 with 0 <= rel_tol <= 1e-9; anything else, and the few cases that
 * the reasoning below does not cover, take clv__fmt_num_slow(). It needs
 * 128-bit integers, so without them every value takes the slow path.
 *
 * Write a = |v| = m * 2^-shift with m a 53-bit integer (2^52 <= m < 2^53)
 * and 1 <= shift <= 65; one unit in the last place of a is u = 2^-shift.
 *
 * Step 1, whole numbers: a whole a below 2^52 is written as an integer, as
 * the slow path's first try (k = 0) does, since a + 0.5 is exact there.
 *
 * Step 2, proving that no n / 10^k (k <= 9) is taken. The slow path's try
 * k takes an integer n and back = fl(n / 10^k), and accepts it when back
 * == a or fl(|back - a|) <= fl(rel_tol * a). Let c = trunc(rel_tol * 2^53)
 * + 4, and suppose that a is more than c * u away from every multiple of
 * 10^-9. Every multiple of 10^-k (k <= 9) is a multiple of 10^-9, so
 * |n / 10^k - a| > c * u for every n and k. Then no try is accepted:
 *  - if n / 10^k <= a / 2 or >= 2a, back is too (rounding is monotone), so
 *    |back - a| >= a / 2, more than rel_tol * a rounded (rel_tol <= 1e-9);
 *  - else n / 10^k < 2a < 2^(E+2) (2^E <= a), so rounding it moves it by
 *    at most u, and |back - a| > (c - 1) u, a double, so fl(|back - a|)
 *    >= (c - 1) u; while rel_tol * a < rel_tol * 2^53 * u < (c - 3) u, so
 *    fl(rel_tol * a) <= (c - 3) u < fl(|back - a|), and back != a.
 * The test is exact: a * 10^9 = m * 10^9 * 2^-shift, so the distance of a
 * to the nearest multiple of 10^-9, times 10^9 * 2^shift, is the distance
 * of the integer m * 10^9 to the nearest multiple of 2^shift, compared with
 * the integer c * 10^9. When the test fails (a is close to a short
 * decimal, or too large for 10^-9 to be finer than c * u), step 4 (in
 * fast_num) finds the one try that can succeed and makes it.
 *
 * Step 3, the shortest of %.15g, %.16g and %.17g that reads back, which is
 * what the slow path writes when step 2 holds (its shortcut through one
 * %.16e and its snprintf/strtod loop both give this; tests/unit check the
 * two paths agree). With x the decimal exponent (10^x <= a < 10^(x+1)) and
 * s = 16 - x, the exact a * 10^s = P * 2^-shift with P = m * 10^s (at most
 * 2^123); Q = floor(P / 2^shift) has exactly 17 digits and R = P mod
 * 2^shift is the exact fraction. The p-digit rounding (p = 15, 16, 17)
 * drops the last 17 - p digits of Q: their value t and R give the exact
 * remainder t * 2^shift + R, compared with half of 10^(17-p) * 2^shift, so
 * the rounding is the correctly rounded one that printf gives; an exact
 * tie takes the slow path (printf follows the rounding mode there). The
 * candidate D reads back (strtod rounds correctly) iff it lies within half
 * a unit of a: with C = D * 10^(17-p) in the scale of Q, the distance
 * times 10^s * 2^shift is |(C - Q) * 2^shift - R|, and half a unit is
 * 10^s / 2 in that scale (u * 2^shift = 1). At the tie an even m keeps a;
 * below a power of two (m = 2^52) the gap to the next smaller double is
 * half as wide, so there the limit is 10^s / 4 (where m is even).
 * Exponent forms (x < -4 or x >= p) take the slow path.
 */
#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 u128;

#define E19 10000000000000000000u
/* 10^k for k = 0..22 as 128-bit integers. */
static const u128 pow10_u128[23] = {1u,
                                    10u,
                                    100u,
                                    1000u,
                                    10000u,
                                    100000u,
                                    1000000u,
                                    10000000u,
                                    100000000u,
                                    1000000000u,
                                    10000000000u,
                                    100000000000u,
                                    1000000000000u,
                                    10000000000000u,
                                    100000000000000u,
                                    1000000000000000u,
                                    10000000000000000u,
                                    100000000000000000u,
                                    1000000000000000000u,
                                    E19,
                                    (u128)E19 * 10u,
                                    (u128)E19 * 100u,
                                    (u128)E19 * 1000u};

/* Writes the 8 digits of v < 10^8, leading zeros included, at d. */
static void put8_digits(uint32_t v, char *d) {
  uint32_t hi = v / 10000, lo = v % 10000;
  memcpy(d, clv__digit_pairs + 2 * (hi / 100), 2);
  memcpy(d + 2, clv__digit_pairs + 2 * (hi % 100), 2);
  memcpy(d + 4, clv__digit_pairs + 2 * (lo / 100), 2);
  memcpy(d + 6, clv__digit_pairs + 2 * (lo % 100), 2);
}

/* Writes the 17 digits of n < 10^17, leading zeros included, at d. */
static void put17_digits(uint64_t n, char *d) {
  uint32_t hi = (uint32_t)(n / 100000000), lo = (uint32_t)(n % 100000000);
  d[0] = (char)('0' + hi / 100000000);
  put8_digits(hi % 100000000, d + 1);
  put8_digits(lo, d + 9);
}

static const double pow10_dbl[10] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                     1e5, 1e6, 1e7, 1e8, 1e9};

/* Writes u / 10^k with exactly k decimals (k <= 9), as the slow path's
 * fixed-point case does: "0.005" for u = 5, k = 3. */
static char *put_fixed(uint64_t u, int k, int neg, char *p) {
  if (neg)
    *p++ = '-';
  if (k == 0)
    return clv__put_uint(u, p);
  uint64_t scale = (uint64_t)pow10_u128[k];
  p = clv__put_uint(u / scale, p);
  *p++ = '.';
  char t[24];
  clv__put_uint(u % scale + scale, t); /* "1" and the k digits */
  memcpy(p, t + 1, 9);                 /* fixed size: p has room */
  return p + k;
}

/* The decimal exponent guess floor(e2 * log10(2)) for |e2| < 1000, as
 * integer arithmetic (1233 / 4096 is log10(2) to 5 digits); the caller
 * corrects it by one either way, so the guess need not be exact. */
static int dec_exp_guess(int e2) {
  return e2 >= 0 ? (e2 * 1233) >> 12 : -((-e2 * 1233 + 4095) >> 12);
}

/*
 * Step 3 above: the shortest of the 15-, 16- and 17-digit roundings of
 * a = m * 2^-shift that reads back, written as printf's %g at p (the sign
 * first when neg). Returns the end of the text, or NULL when the slow path
 * must decide (an exact tie, or an exponent form). p needs 40 bytes.
 */
static char *fast_shortest(uint64_t m, int shift, int neg, char *p) {
  int x = dec_exp_guess(52 - shift);
  int s = 16 - x;
  if (s < 0 || s > 22)
    return NULL;
  u128 big = (u128)m * pow10_u128[s];
  uint64_t q = (uint64_t)(big >> shift);
  if (q >= 100000000000000000u || q < 10000000000000000u) {
    /* The guess was one off: redo the product at the right scale. */
    s += q < 10000000000000000u ? 1 : -1;
    if (s < 0 || s > 22)
      return NULL;
    big = (u128)m * pow10_u128[s];
    q = (uint64_t)(big >> shift);
    if (q >= 100000000000000000u || q < 10000000000000000u)
      return NULL;
  }
  x = 16 - s;
  u128 frac = big & (((u128)1 << shift) - 1);
  uint64_t d17 = 0;
  int xo = x;
  for (int digits = 15; digits <= 17; digits++) {
    uint64_t div = digits == 15 ? 100 : digits == 16 ? 10 : 1;
    uint64_t n = q / div, t = q % div;
    u128 rem = ((u128)t << shift) | frac;
    u128 half = (u128)div << (shift - 1);
    if (rem == half)
      return NULL; /* an exact tie: printf's rounding mode decides */
    if (rem > half)
      n++;
    uint64_t c = n * div; /* the candidate in the scale of q */
    if (digits < 17) {
      u128 dist;
      int below = c <= q;
      if (below)
        dist = ((u128)(q - c) << shift) + frac;
      else
        dist = ((u128)(c - q) << shift) - frac;
      int ok;
      if (below && m == (1ull << 52))
        ok = 4 * dist <= pow10_u128[s];
      else
        ok = 2 * dist < pow10_u128[s] ||
             (2 * dist == pow10_u128[s] && (m & 1) == 0);
      if (!ok)
        continue;
    }
    d17 = c;
    if (d17 == 100000000000000000u) { /* 99..9 rounded up: one more digit */
      d17 = 10000000000000000u;
      xo = x + 1;
    }
    if (xo < -4 || xo >= digits)
      return NULL; /* printf's exponent form */
    break;
  }
  char d[40];
  put17_digits(d17, d);
  memset(d + 17, '0', 23); /* read by the fixed-size copies below */
  int len = 17;
  while (d[len - 1] == '0')
    len--;
  if (neg)
    *p++ = '-';
  if (xo >= 0) {
    /* Fixed-size copies (p has room): the integer digits, then the point
     * and the fraction over the tail of the first copy. */
    memcpy(p, d, 17);
    if (len <= xo + 1)
      return p + xo + 1;
    p[xo + 1] = '.';
    memcpy(p + xo + 2, d + xo + 1, 16);
    return p + len + 1;
  }
  memcpy(p, "0.000", 5); /* 0. and -x-1 zeros (x >= -4) */
  memcpy(p + 1 - xo, d, 17);
  return p + 1 - xo + len;
}

/*
 * Steps 1 to 4 for a finite v != 0; NULL when the slow path must decide.
 * p needs 48 bytes of room (the text is at most 24; the copies above write
 * fixed sizes past it).
 */
static char *fast_num(double v, double rel_tol, char *p) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int neg = (int)(bits >> 63);
  int be = (int)((bits >> 52) & 0x7ff); /* biased exponent */
  /* a = m * 2^(be - 1075) with 2^52 <= m < 2^53; 2^-13 <= a < 2^52. */
  if (be < 1023 - 13 || be >= 1023 + 52 || !(rel_tol >= 0 && rel_tol <= 1e-9))
    return NULL;
  uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
  int shift = 1075 - be; /* 1 .. 65 */
  u128 mask = ((u128)1 << shift) - 1;
  if (shift <= 52 && (m & ((1ull << shift) - 1)) == 0) {
    /* Whole (the low shift bits of m are zero): step 1. */
    if (neg)
      *p++ = '-';
    return clv__put_uint(m >> shift, p);
  }
  /* Step 2: more than c units from every multiple of 10^-9. */
  uint64_t c = (uint64_t)(rel_tol * 9007199254740992.0) + 4;
  u128 f = ((u128)m * 1000000000u) & mask;
  u128 g = mask + 1 - f;
  if ((f < g ? f : g) > (u128)c * 1000000000u)
    return fast_shortest(m, shift, neg, p);
  /* Step 4, a short decimal: the first k whose multiples of 10^-k come
   * within c units (k = 9 does). Step 2's argument rejects every try
   * before it, so the slow path's try k is the first that can succeed; it
   * is done here exactly as there (the conversion is floor() for these
   * non-negative values). The tries before k did not stop the loop at
   * 2^53 either, since a * 10^k rounded grows with k. */
  int k = 0;
  for (;; k++) {
    f = ((u128)m * pow10_u128[k]) & mask;
    g = mask + 1 - f;
    if ((f < g ? f : g) <= (u128)c * pow10_u128[k])
      break;
  }
  double a = fabs(v), sc = a * pow10_dbl[k];
  if (sc >= 9007199254740992.0)
    return NULL;
  double n = (double)(uint64_t)(sc + 0.5), back = n / pow10_dbl[k];
  if (back != a && !(fabs(back - a) <= rel_tol * a))
    return NULL;
  return put_fixed((uint64_t)n, k, neg, p);
}
#else
static char *fast_num(double v, double rel_tol, char *p) {
  (void)v;
  (void)rel_tol;
  (void)p;
  return NULL;
}
#endif

char *clv__put_num(char *p, double v, double rel_tol) {
  char *e;
  if (v != 0 && isfinite(v) && (e = fast_num(v, rel_tol, p)) != NULL)
    return e;
  return p + clv__fmt_num_slow(v, rel_tol, p, 48);
}

size_t clv__fmt_num(double v, double rel_tol, char *buf, size_t size) {
  char tmp[48];
  char *p = size >= sizeof tmp ? buf : tmp;
  size_t len = (size_t)(clv__put_num(p, v, rel_tol) - p);
  if (len >= size)
    return clv__fmt_num_slow(v, rel_tol, buf, size);
  if (p != buf)
    memcpy(buf, tmp, len);
  buf[len] = '\0';
  return len;
}

/* 1 for the bytes that make a CSV field need quotes. */
static const unsigned char csv_special[256] = {
    ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1};

int clv__csv_needs_quotes(const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n; i++)
    if (csv_special[u[i]])
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
