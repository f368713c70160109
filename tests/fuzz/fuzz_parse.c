/*
 * fuzz_parse.c - libFuzzer target for the field parsers: clv__parse_amount(),
 * clv__parse_double() (src/parse.c) and clv_date_parse() (src/date.c).
 *
 * Invariants: no crash and no read past the n bytes given (the input is
 * copied into an exact-size heap block so that ASan sees any overrun); a
 * parsed number is finite; a plain decimal number equals strtod's correctly
 * rounded value exactly; a parsed date has 0 <= seconds < 86400; an ISO
 * "YYYY-MM-DD" that parses formats back to the same text.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clv.h"
#include "parse.h"

/* Plain decimal text: [+-]digits[.digits][e[+-]digits], nothing else. */
static int plain_number(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strchr("0123456789.eE+-", s[i]) || s[i] == '\0')
      return 0;
  return n > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
  char *s = malloc(size ? size : 1);
  if (s == NULL)
    return 0;
  memcpy(s, in, size);

  double v;
  if (clv__parse_amount(s, size, &v) && !isfinite(v))
    abort();
  if (clv__parse_double(s, size, &v)) {
    if (!isfinite(v))
      abort();
    if (plain_number(s, size) && size < 500) {
      char buf[512];
      memcpy(buf, s, size);
      buf[size] = '\0';
      if (strtod(buf, NULL) != v)
        abort();
    }
  }

  for (int order = CLV_DATE_AUTO; order <= CLV_DATE_UNIX; order++) {
    clv_date_order hint = CLV_DATE_AUTO;
    int32_t day = 0, secs = -1;
    if (clv_date_parse(s, size, (clv_date_order)order, &hint, &day, &secs) !=
        CLV_OK)
      continue;
    if (secs < 0 || secs >= 86400)
      abort();
    if (hint != CLV_DATE_AUTO && hint != CLV_DATE_MDY && hint != CLV_DATE_DMY)
      abort();
    int iso = size == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; iso && i < 10; i++)
      if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
        iso = 0;
    if (iso && order != CLV_DATE_UNIX) {
      char buf[11];
      if (memcmp(clv_day_format(day, buf), s, 10) != 0)
        abort();
    }
  }
  free(s);
  return 0;
}
