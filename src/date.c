/*
 * date.c - clv_date_parse(): one date or date-time field to a day number.
 *
 * No paper. The formats are those that shops export: ISO 8601 dates and
 * date-times (the hot path, read with fixed offsets and no sscanf/strptime),
 * ISO basic YYYYMMDD, YYYY/MM/DD, D/M/YYYY and M/D/YYYY with '/', '.' or '-',
 * Chinese YYYY年M月D日, and Unix seconds. Day and month order in an
 * ambiguous civil date (both parts <= 12) is decided by the caller's pinned
 * order, else by what earlier rows of the same column showed (the hint), else
 * by the separator: dots are the European D.M.Y, slashes and dashes the US
 * M/D/Y. A time zone offset is read but ignored: purchase dates are taken in
 * the shop's own calendar, which is what the log's local time stamps show.
 */
#include "clv.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define SECONDS_PER_DAY 86400

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Reads 1..max digits at *pp; returns how many were read (0: none). */
static int read_uint(const char **pp, const char *end, int max, int *val) {
  const char *p = *pp;
  int v = 0, k = 0;
  while (p < end && k < max && is_digit(*p)) {
    v = v * 10 + (*p++ - '0');
    k++;
  }
  *pp = p;
  *val = v;
  return k;
}

static const char *skip_blanks(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

static int has_prefix(const char *p, const char *end, const char *s) {
  size_t k = strlen(s);
  return (size_t)(end - p) >= k && memcmp(p, s, k) == 0;
}

/*
 * Reads the optional time of day after a date: nothing, or blanks or 'T'
 * (`sep_optional`: or nothing, after 日) then H[H]:MM[:SS[.fff]], an optional
 * AM/PM, and an optional zone ('Z', +hh, +hhmm, +hh:mm). Returns 1 and the
 * seconds since midnight, 0 when the text is not such a time.
 */
static int parse_time(const char *p, const char *end, int sep_optional,
                      int32_t *secs) {
  int h = 0, mi = 0, s = 0;
  p = skip_blanks(p, end);
  if (p == end) {
    *secs = 0;
    return 1;
  }
  /* The time is separated from the date by blanks or a 'T' (after 日 it
   * may follow directly); p[-1] is a blank or the last byte of the date. */
  const char *q = p;
  if (*q == 'T')
    q++;
  else if (!sep_optional && p[-1] != ' ' && p[-1] != '\t')
    return 0;
  if (!read_uint(&q, end, 2, &h) || q == end || *q != ':')
    return 0;
  q++;
  if (read_uint(&q, end, 2, &mi) != 2)
    return 0;
  if (q < end && *q == ':') {
    q++;
    if (read_uint(&q, end, 2, &s) != 2)
      return 0;
    if (q < end && (*q == '.' || *q == ',')) {
      q++;
      if (q == end || !is_digit(*q))
        return 0;
      while (q < end && is_digit(*q))
        q++;
    }
  }
  q = skip_blanks(q, end);
  int ampm = 0;
  if (end - q >= 2 && (q[1] == 'M' || q[1] == 'm')) {
    if (q[0] == 'A' || q[0] == 'a')
      ampm = 1;
    else if (q[0] == 'P' || q[0] == 'p')
      ampm = 2;
    if (ampm)
      q = skip_blanks(q + 2, end);
  }
  if (q < end && *q == 'Z') {
    q++;
  } else if (q < end && (*q == '+' || *q == '-')) {
    int oh, om;
    q++;
    if (read_uint(&q, end, 2, &oh) != 2 || oh > 23)
      return 0;
    if (q < end && *q == ':')
      q++;
    if (q < end && is_digit(*q) && (read_uint(&q, end, 2, &om) != 2 || om > 59))
      return 0;
  }
  if (skip_blanks(q, end) != end)
    return 0;
  if (ampm) {
    if (h < 1 || h > 12)
      return 0;
    h = h % 12 + (ampm == 2 ? 12 : 0);
  }
  /* A leap second (:60) is kept inside its day. */
  if (h > 23 || mi > 59 || s > 60)
    return 0;
  int32_t t = (int32_t)(h * 3600 + mi * 60 + (s > 59 ? 59 : s));
  *secs = t;
  return 1;
}

/* Unix seconds: digits (explicit order: with an optional '-'), optional
 * fraction, which is dropped (the time is floored to the second). */
static int parse_unix(const char *p, const char *end, int explicit_,
                      int32_t *day, int32_t *secs) {
  int neg = 0;
  if (explicit_ && p < end && (*p == '-' || *p == '+'))
    neg = *p++ == '-';
  int64_t v = 0;
  int k = 0;
  while (p < end && is_digit(*p)) {
    if (k == 15)
      return 0;
    v = v * 10 + (*p++ - '0');
    k++;
  }
  if (k == 0 || (!explicit_ && (k < 9 || k > 10)))
    return 0;
  int frac = 0;
  if (p < end && *p == '.') {
    p++;
    if (p == end || !is_digit(*p))
      return 0;
    for (; p < end && is_digit(*p); p++)
      frac |= *p != '0';
  }
  if (p != end)
    return 0;
  if (neg)
    v = -v - (frac ? 1 : 0);
  int64_t d = v / SECONDS_PER_DAY, r = v % SECONDS_PER_DAY;
  if (r < 0) {
    r += SECONDS_PER_DAY;
    d--;
  }
  if (d < INT32_MIN || d > INT32_MAX)
    return 0;
  *day = (int32_t)d;
  *secs = (int32_t)r;
  return 1;
}

/* Finishes a parse: validates the calendar date, writes the outputs. */
static int emit(int y, int m, int d, int32_t secs, int32_t *day,
                int32_t *seconds) {
  if (!clv_ymd_valid(y, m, d))
    return CLV_EPARSE;
  *day = clv_day_from_ymd(y, m, d);
  if (seconds)
    *seconds = secs;
  return CLV_OK;
}

/* The hot path: "YYYY-MM-DD" with fixed offsets, then an optional time. */
static int parse_iso(const char *s, const char *end, int32_t *day,
                     int32_t *seconds) {
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !is_digit(s[i]))
      return CLV_EPARSE;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
          (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  int32_t t = 0;
  if (s + 10 < end) {
    /* Fast path for "HH:MM:SS" right after one blank or a 'T'. */
    const char *q = s + 11;
    if (end - s == 19 && (s[10] == ' ' || s[10] == 'T') && q[2] == ':' &&
        q[5] == ':' && is_digit(q[0]) && is_digit(q[1]) && is_digit(q[3]) &&
        is_digit(q[4]) && is_digit(q[6]) && is_digit(q[7])) {
      int h = (q[0] - '0') * 10 + (q[1] - '0');
      int mi = (q[3] - '0') * 10 + (q[4] - '0');
      int sec = (q[6] - '0') * 10 + (q[7] - '0');
      if (h > 23 || mi > 59 || sec > 60)
        return CLV_EPARSE;
      t = (int32_t)(h * 3600 + mi * 60 + (sec > 59 ? 59 : sec));
    } else if (!parse_time(s + 10, end, 0, &t)) {
      return CLV_EPARSE;
    }
  }
  return emit(y, m, d, t, day, seconds);
}

/* "YYYY年M月D日" with an optional time. */
static int parse_chinese(const char *p, const char *end, int32_t *day,
                         int32_t *seconds) {
  static const char nian[] = "\xE5\xB9\xB4", yue[] = "\xE6\x9C\x88",
                    ri[] = "\xE6\x97\xA5";
  int y, m, d;
  if (read_uint(&p, end, 4, &y) != 4 || !has_prefix(p, end, nian))
    return CLV_EPARSE;
  p += 3;
  if (!read_uint(&p, end, 2, &m) || !has_prefix(p, end, yue))
    return CLV_EPARSE;
  p += 3;
  if (!read_uint(&p, end, 2, &d))
    return CLV_EPARSE;
  int sep_optional = 0;
  if (has_prefix(p, end, ri)) {
    p += 3;
    sep_optional = 1;
  }
  int32_t t;
  if (!parse_time(p, end, sep_optional, &t))
    return CLV_EPARSE;
  return emit(y, m, d, t, day, seconds);
}

/* Dates made of three numbers and one separator ('/', '.' or '-'): Y/M/D
 * when the first has four digits, else D/M/Y or M/D/Y (four-digit year
 * last) decided as described at the top of the file. */
static int parse_civil(const char *p, const char *end, clv_date_order order,
                       clv_date_order *hint, int32_t *day, int32_t *seconds) {
  int a, b, c, na, nb, nc;
  na = read_uint(&p, end, 4, &a);
  if (!na || p == end || (*p != '/' && *p != '.' && *p != '-'))
    return CLV_EPARSE;
  char sep = *p++;
  nb = read_uint(&p, end, 2, &b);
  if (!nb || p == end || *p != sep)
    return CLV_EPARSE;
  p++;
  nc = read_uint(&p, end, 4, &c);
  if (!nc || (p < end && is_digit(*p)))
    return CLV_EPARSE;
  int32_t t;
  if (!parse_time(p, end, 0, &t))
    return CLV_EPARSE;
  if (na == 4) {
    /* A leading four-digit year is unambiguous whatever order is pinned. */
    if (nc > 2)
      return CLV_EPARSE;
    return emit(a, b, c, t, day, seconds);
  }
  if (na > 2 || nc != 4 || order == CLV_DATE_YMD)
    return CLV_EPARSE;
  clv_date_order use = order;
  if (use == CLV_DATE_AUTO) {
    if (a > 12 && b > 12)
      return CLV_EPARSE;
    if (a > 12 || b > 12) {
      use = a > 12 ? CLV_DATE_DMY : CLV_DATE_MDY;
      int rc = emit(c, use == CLV_DATE_MDY ? a : b, use == CLV_DATE_MDY ? b : a,
                    t, day, seconds);
      if (rc == CLV_OK && hint)
        *hint = use;
      return rc;
    }
    if (hint && (*hint == CLV_DATE_MDY || *hint == CLV_DATE_DMY))
      use = *hint;
    else
      use = sep == '.' ? CLV_DATE_DMY : CLV_DATE_MDY;
  }
  if (use == CLV_DATE_MDY)
    return emit(c, a, b, t, day, seconds);
  return emit(c, b, a, t, day, seconds);
}

int clv_date_parse(const char *s, size_t n, clv_date_order order,
                   clv_date_order *order_hint, int32_t *day, int32_t *seconds) {
  if (s == NULL || day == NULL)
    return CLV_EPARSE;
  const char *end = s + n;
  s = skip_blanks(s, end);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  size_t len = (size_t)(end - s);
  if (len == 0)
    return CLV_EPARSE;

  if (order == CLV_DATE_UNIX) {
    int32_t d, t;
    if (!parse_unix(s, end, 1, &d, &t))
      return CLV_EPARSE;
    *day = d;
    if (seconds)
      *seconds = t;
    return CLV_OK;
  }
  /* Anything that is not exactly "YYYY-MM-DD..." (such as 2010-12-1) falls
   * through to the general parser below. */
  if (len >= 10 && s[4] == '-' && s[7] == '-' &&
      parse_iso(s, end, day, seconds) == CLV_OK)
    return CLV_OK;

  /* All digits: YYYYMMDD (always a date), or Unix seconds (9-10 digits,
   * optionally with a fraction). */
  size_t k = 0;
  while (k < len && is_digit(s[k]))
    k++;
  if (k == 8 && (k == len || s[k] == ' ' || s[k] == 'T')) {
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0');
    int d = (s[6] - '0') * 10 + (s[7] - '0');
    int32_t t;
    if (!parse_time(s + 8, end, 0, &t))
      return CLV_EPARSE;
    return emit(y, m, d, t, day, seconds);
  }
  if (k == len || (k >= 9 && s[k] == '.')) {
    int32_t d, t;
    if (order != CLV_DATE_AUTO || !parse_unix(s, end, 0, &d, &t))
      return CLV_EPARSE;
    *day = d;
    if (seconds)
      *seconds = t;
    return CLV_OK;
  }
  if (k == 4 && has_prefix(s + 4, end, "\xE5\xB9\xB4"))
    return parse_chinese(s, end, day, seconds);
  return parse_civil(s, end, order, order_hint, day, seconds);
}

int clv_date_order_parse(const char *name, clv_date_order *out) {
  static const struct {
    const char *name;
    clv_date_order order;
  } names[] = {{"auto", CLV_DATE_AUTO}, {"ymd", CLV_DATE_YMD},
               {"iso", CLV_DATE_YMD},   {"mdy", CLV_DATE_MDY},
               {"us", CLV_DATE_MDY},    {"dmy", CLV_DATE_DMY},
               {"eu", CLV_DATE_DMY},    {"unix", CLV_DATE_UNIX}};
  if (name == NULL || out == NULL)
    return CLV_EINVAL;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(name, names[i].name) == 0) {
      *out = names[i].order;
      return CLV_OK;
    }
  }
  return CLV_EINVAL;
}
