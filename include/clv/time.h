/*
 * clv/time.h - calendar days and explicit time units.
 *
 * A date is a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar (int32_t, negative before 1970). Model time is a double in an
 * explicit unit; the unit travels with the summary and with a fitted model so
 * that nobody multiplies weeks by a 30-day month by accident.
 */
#ifndef CLV_TIME_H
#define CLV_TIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clv_unit {
  CLV_UNIT_DAY = 0,   /* 1 day */
  CLV_UNIT_WEEK,      /* 7 days, fractional (days / 7) */
  CLV_UNIT_MONTH,     /* calendar months (used with monthly periods) */
  CLV_UNIT_YEAR,      /* 365.2425 days */
  CLV_UNIT_PERIOD     /* abstract discrete periods (BG/BB, sBG) */
} clv_unit;

/* "day", "week", "month", "year", "period". */
const char *clv_unit_name(clv_unit unit);

/* Parses a unit name (also the plurals and "d", "w", "m", "y"). Returns
 * CLV_OK or CLV_EINVAL. */
int clv_unit_parse(const char *name, clv_unit *out);

/* Mean length of one unit in days (month = 365.2425 / 12); 0 for PERIOD. */
double clv_unit_days(clv_unit unit);

/* Day number of a calendar date. Month 1..12, day 1..31 (not validated). */
int32_t clv_day_from_ymd(int year, int month, int day);

/* Calendar date of a day number. Any pointer may be NULL. */
void clv_day_to_ymd(int32_t day, int *year, int *month, int *mday);

/* 1 when (year, month, day) is a real calendar date, else 0. */
int clv_ymd_valid(int year, int month, int day);

/* Writes the ISO date "YYYY-MM-DD" (11 bytes with the NUL) into buf. */
char *clv_day_format(int32_t day, char buf[11]);

/* Day of the week, 0 = Monday .. 6 = Sunday. */
int clv_day_weekday(int32_t day);

/* Order of day and month in slash/dot/dash dates such as 12/1/2010. */
typedef enum clv_date_order {
  CLV_DATE_AUTO = 0, /* decide from the data: see clv_date_parse() */
  CLV_DATE_YMD,      /* ISO order: 2010-12-01, 2010/12/01, 20101201 */
  CLV_DATE_MDY,      /* US order: 12/1/2010 */
  CLV_DATE_DMY,      /* European/Chinese civil order: 1/12/2010 */
  CLV_DATE_UNIX      /* Unix seconds since 1970-01-01T00:00:00Z */
} clv_date_order;

/*
 * Parses one date or date-time field of n bytes (not NUL-terminated):
 * ISO "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]", "YYYY-MM-DDTHH:MM:SS[Z|+hh:mm]"
 * (the time of day is kept in *seconds, the offset is ignored: dates are taken
 * in the shop's local calendar), "YYYYMMDD", "YYYY/MM/DD", "D/M/YYYY" or
 * "M/D/YYYY" (with '/', '.' or '-', optional time), Chinese "YYYY年M月D日",
 * and Unix seconds (order CLV_DATE_UNIX, or AUTO with 9 to 10 digits).
 *
 * With CLV_DATE_AUTO an ambiguous day/month order (both parts <= 12) is read
 * as *order_hint when that is MDY or DMY, else as MDY; an unambiguous field
 * (a part > 12) sets *order_hint so that later rows follow it. order_hint may
 * be NULL. On success writes the day number to *day and the seconds since
 * midnight (0 when absent) to *seconds (may be NULL).
 * Returns CLV_OK or CLV_EPARSE (nothing written).
 */
int clv_date_parse(const char *s, size_t n, clv_date_order order,
                   clv_date_order *order_hint, int32_t *day, int32_t *seconds);

/* Parses "day|week|month" style names of date orders: "auto", "ymd", "mdy",
 * "dmy", "unix" (also "iso", "us", "eu"). Returns CLV_OK or CLV_EINVAL. */
int clv_date_order_parse(const char *name, clv_date_order *out);

#ifdef __cplusplus
}
#endif
#endif
