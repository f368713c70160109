/*
 * time.c - day numbers in the proleptic Gregorian calendar and time units.
 *
 * The conversions are Howard Hinnant's "days_from_civil" algorithms, which
 * are exact for every int32 day and need no tables.
 */
#include "clv.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *clv_unit_name(clv_unit unit) {
  switch (unit) {
  case CLV_UNIT_DAY:
    return "day";
  case CLV_UNIT_WEEK:
    return "week";
  case CLV_UNIT_MONTH:
    return "month";
  case CLV_UNIT_YEAR:
    return "year";
  case CLV_UNIT_PERIOD:
    return "period";
  }
  return "unknown";
}

int clv_unit_parse(const char *name, clv_unit *out) {
  static const struct {
    const char *name;
    clv_unit unit;
  } names[] = {{"day", CLV_UNIT_DAY},       {"days", CLV_UNIT_DAY},
               {"d", CLV_UNIT_DAY},         {"week", CLV_UNIT_WEEK},
               {"weeks", CLV_UNIT_WEEK},    {"w", CLV_UNIT_WEEK},
               {"month", CLV_UNIT_MONTH},   {"months", CLV_UNIT_MONTH},
               {"m", CLV_UNIT_MONTH},       {"year", CLV_UNIT_YEAR},
               {"years", CLV_UNIT_YEAR},    {"y", CLV_UNIT_YEAR},
               {"period", CLV_UNIT_PERIOD}, {"periods", CLV_UNIT_PERIOD}};
  if (name == NULL || out == NULL)
    return CLV_EINVAL;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(name, names[i].name) == 0) {
      *out = names[i].unit;
      return CLV_OK;
    }
  }
  return CLV_EINVAL;
}

double clv_unit_days(clv_unit unit) {
  switch (unit) {
  case CLV_UNIT_DAY:
    return 1.0;
  case CLV_UNIT_WEEK:
    return 7.0;
  case CLV_UNIT_MONTH:
    return 365.2425 / 12.0;
  case CLV_UNIT_YEAR:
    return 365.2425;
  case CLV_UNIT_PERIOD:
    return 0.0;
  }
  return 0.0;
}

int32_t clv_day_from_ymd(int year, int month, int day) {
  long y = (long)year - (month <= 2);
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long mp = (month + 9) % 12;
  long doy = (153 * mp + 2) / 5 + day - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void clv_day_to_ymd(int32_t day, int *year, int *month, int *mday) {
  long z = (long)day + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9;
  if (year)
    *year = (int)(y + (m <= 2));
  if (month)
    *month = (int)m;
  if (mday)
    *mday = (int)d;
}

int clv_ymd_valid(int year, int month, int day) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1)
    return 0;
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = mdays[month - 1] + (month == 2 && leap);
  return day <= max;
}

char *clv_day_format(int32_t day, char buf[11]) {
  int y, m, d;
  clv_day_to_ymd(day, &y, &m, &d);
  if (y < 0 || y > 9999) {
    snprintf(buf, 11, "%s", "0000-00-00");
    return buf;
  }
  snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int clv_day_weekday(int32_t day) {
  /* 1970-01-01 was a Thursday (3 when Monday is 0). */
  long w = ((long)day + 3) % 7;
  return (int)(w < 0 ? w + 7 : w);
}
