/*
 * test_date.c - clv_date_parse() and clv_date_order_parse() (src/date.c).
 *
 * One line per case: the field, the pinned order, the hint before the call,
 * the expected status, calendar date, seconds since midnight and the hint
 * after the call. Expected dates are written by hand from the field; Unix
 * times were checked with GNU `date -u -d @SECONDS` (1700000000 is
 * 2023-11-14 22:13:20 UTC, 999999999 is 2001-09-09 01:46:39, -1 is
 * 1969-12-31 23:59:59).
 */
#include "testutil.h"

#include <string.h>

#define A CLV_DATE_AUTO
#define YMD CLV_DATE_YMD
#define MDY CLV_DATE_MDY
#define DMY CLV_DATE_DMY
#define UNIX CLV_DATE_UNIX
#define OK CLV_OK
#define BAD CLV_EPARSE
#define HMS(h, m, s) ((h)*3600 + (m)*60 + (s))

typedef struct date_case {
  const char *in;
  clv_date_order order, hint_in;
  int status;
  int y, m, d;
  int32_t secs;
  clv_date_order hint_out;
} date_case;

static const date_case cases[] = {
    /* ISO dates and date-times (the hot path). */
    {"2010-12-01", A, A, OK, 2010, 12, 1, 0, A},
    {"2010-12-01 08:26:00", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2014-03-08 00:00:00", A, A, OK, 2014, 3, 8, 0, A},
    {"2010-12-01T08:26:00Z", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2010-12-01T08:26:00+08:00", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2010-12-01T23:59:59-0500", A, A, OK, 2010, 12, 1, HMS(23, 59, 59), A},
    {"2010-12-01 08:26:00+00", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2010-12-01 08:26", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2010-12-01 8:26", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2010-12-01 08:26:00.123456", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"2016-12-31 23:59:60", A, A, OK, 2016, 12, 31, HMS(23, 59, 59), A},
    {"  2010-12-01  ", A, A, OK, 2010, 12, 1, 0, A},
    {"2000-02-29", A, A, OK, 2000, 2, 29, 0, A},
    {"2010-12-1", A, A, OK, 2010, 12, 1, 0, A},
    {"2010-12-1 8:26", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    /* Pinned day/month orders do not change an ISO date. */
    {"2010-12-01", DMY, A, OK, 2010, 12, 1, 0, A},
    {"2010/12/01", MDY, A, OK, 2010, 12, 1, 0, A},
    /* Invalid calendar dates and times. */
    {"1900-02-29", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-13-01", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-04-31", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-00", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 24:00:00", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 23:60:00", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 23:59:61", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01X", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 08", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 08:2", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01 08:26:00 junk", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-0108:26", A, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01T08:26:00+25:00", A, A, BAD, 0, 0, 0, 0, A},
    {"", A, A, BAD, 0, 0, 0, 0, A},
    {"   ", A, A, BAD, 0, 0, 0, 0, A},
    {"abc", A, A, BAD, 0, 0, 0, 0, A},
    {"2010--12-01", A, A, BAD, 0, 0, 0, 0, A},
    /* YYYYMMDD is always a date, never Unix seconds. */
    {"19970101", A, A, OK, 1997, 1, 1, 0, A},
    {"19970101", MDY, A, OK, 1997, 1, 1, 0, A},
    {"19971301", A, A, BAD, 0, 0, 0, 0, A},
    {"19970101 10:00", A, A, OK, 1997, 1, 1, HMS(10, 0, 0), A},
    {"1997010", A, A, BAD, 0, 0, 0, 0, A},
    {"19970101.5", A, A, BAD, 0, 0, 0, 0, A},
    /* Slashes, dots, dashes; ISO order with slashes. */
    {"2010/12/01", A, A, OK, 2010, 12, 1, 0, A},
    {"2010.12.01", A, A, OK, 2010, 12, 1, 0, A},
    {"2010/1/5 7:05:09", A, A, OK, 2010, 1, 5, HMS(7, 5, 9), A},
    /* US and European civil dates: ambiguous ones follow the pin, then the
     * hint, then the separator (dots: D.M.Y, slashes: M/D/Y). */
    {"12/1/2010 8:26", A, A, OK, 2010, 12, 1, HMS(8, 26, 0), A},
    {"12/1/2010 8:26", A, DMY, OK, 2010, 1, 12, HMS(8, 26, 0), DMY},
    {"12/1/2010", DMY, A, OK, 2010, 1, 12, 0, A},
    {"12/1/2010", MDY, DMY, OK, 2010, 12, 1, 0, DMY},
    {"1.5.2023", A, A, OK, 2023, 5, 1, 0, A},
    {"1.5.2023", MDY, A, OK, 2023, 1, 5, 0, A},
    {"1.5.2023", A, MDY, OK, 2023, 1, 5, 0, MDY},
    {"01-05-2023", A, A, OK, 2023, 1, 5, 0, A},
    {"13/1/2010", A, A, OK, 2010, 1, 13, 0, DMY},
    {"1/13/2010", A, A, OK, 2010, 1, 13, 0, MDY},
    {"1/13/2010", A, DMY, OK, 2010, 1, 13, 0, MDY},
    {"25.12.2023 18:30", A, A, OK, 2023, 12, 25, HMS(18, 30, 0), DMY},
    {"13/13/2010", A, A, BAD, 0, 0, 0, 0, A},
    {"13/1/2010", MDY, A, BAD, 0, 0, 0, 0, A},
    {"12/1/2010", YMD, A, BAD, 0, 0, 0, 0, A},
    {"2/30/2010", A, A, BAD, 0, 0, 0, 0, A},
    {"12/1/10", A, A, BAD, 0, 0, 0, 0, A},
    {"12/1-2010", A, A, BAD, 0, 0, 0, 0, A},
    {"123/1/2010", A, A, BAD, 0, 0, 0, 0, A},
    {"12/1/20101", A, A, BAD, 0, 0, 0, 0, A},
    /* AM/PM clocks: 12 AM is midnight, 12 PM noon. */
    {"12/1/2010 8:26 PM", A, A, OK, 2010, 12, 1, HMS(20, 26, 0), A},
    {"12/1/2010 12:05:00 AM", A, A, OK, 2010, 12, 1, HMS(0, 5, 0), A},
    {"12/1/2010 12:05 pm", A, A, OK, 2010, 12, 1, HMS(12, 5, 0), A},
    {"12/1/2010 13:05 PM", A, A, BAD, 0, 0, 0, 0, A},
    /* Chinese dates. */
    {"2023年5月1日", A, A, OK, 2023, 5, 1, 0, A},
    {"2023年5月1日 10:30", A, A, OK, 2023, 5, 1, HMS(10, 30, 0), A},
    {"2023年12月31日23:59:59", A, A, OK, 2023, 12, 31, HMS(23, 59, 59), A},
    {"2023年5月1", A, A, OK, 2023, 5, 1, 0, A},
    {"2023年2月30日", A, A, BAD, 0, 0, 0, 0, A},
    {"2023年5月", A, A, BAD, 0, 0, 0, 0, A},
    /* Unix seconds: 9 to 10 digits in auto mode, any with the pin. */
    {"1700000000", A, A, OK, 2023, 11, 14, HMS(22, 13, 20), A},
    {"1700000000.123", A, A, OK, 2023, 11, 14, HMS(22, 13, 20), A},
    {"999999999", A, A, OK, 2001, 9, 9, HMS(1, 46, 39), A},
    {"1700000000", UNIX, A, OK, 2023, 11, 14, HMS(22, 13, 20), A},
    {"0", UNIX, A, OK, 1970, 1, 1, 0, A},
    {"-1", UNIX, A, OK, 1969, 12, 31, HMS(23, 59, 59), A},
    {"-0.5", UNIX, A, OK, 1969, 12, 31, HMS(23, 59, 59), A},
    {"86400", UNIX, A, OK, 1970, 1, 2, 0, A},
    {"1700000000000", A, A, BAD, 0, 0, 0, 0, A},
    {"12345", A, A, BAD, 0, 0, 0, 0, A},
    {"1700000000", MDY, A, BAD, 0, 0, 0, 0, A},
    {"2010-12-01", UNIX, A, BAD, 0, 0, 0, 0, A},
    {"1700000000.", A, A, BAD, 0, 0, 0, 0, A},
    {"1700000000x", UNIX, A, BAD, 0, 0, 0, 0, A},
};

static void test_date_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const date_case *c = &cases[i];
    clv_date_order hint = c->hint_in;
    int32_t day = -12345, secs = -12345;
    int rc = clv_date_parse(c->in, strlen(c->in), c->order, &hint, &day, &secs);
    if (rc != c->status)
      fail_msg("case %zu \"%s\": status %d, want %d", i, c->in, rc, c->status);
    if (rc == CLV_OK) {
      int32_t want = clv_day_from_ymd(c->y, c->m, c->d);
      if (day != want || secs != c->secs)
        fail_msg("case %zu \"%s\": day %d secs %d, want %d (%04d-%02d-%02d) "
                 "secs %d",
                 i, c->in, day, secs, want, c->y, c->m, c->d, c->secs);
    } else if (day != -12345 || secs != -12345) {
      fail_msg("case %zu \"%s\": wrote outputs on failure", i, c->in);
    }
    if (hint != c->hint_out)
      fail_msg("case %zu \"%s\": hint %d, want %d", i, c->in, hint,
               c->hint_out);
  }
}

/* Fields are not NUL-terminated: the parser must stop at n. */
static void test_date_length_bound(void **state) {
  (void)state;
  int32_t day, secs;
  const char *s = "2010-12-01 08:26:00,4.5";
  assert_int_equal(clv_date_parse(s, 19, CLV_DATE_AUTO, NULL, &day, &secs),
                   CLV_OK);
  assert_int_equal(secs, HMS(8, 26, 0));
  assert_int_equal(clv_date_parse(s, 10, CLV_DATE_AUTO, NULL, &day, NULL),
                   CLV_OK);
  assert_int_equal(day, clv_day_from_ymd(2010, 12, 1));
  assert_int_equal(
      clv_date_parse("199701012", 8, CLV_DATE_AUTO, NULL, &day, NULL), CLV_OK);
  assert_int_equal(day, clv_day_from_ymd(1997, 1, 1));
  assert_int_equal(clv_date_parse(NULL, 0, CLV_DATE_AUTO, NULL, &day, NULL),
                   CLV_EPARSE);
}

/* Every day from 1900 to 2100 written as ISO text reads back to itself, and
 * clv_day_format() agrees. */
static void test_date_iso_round_trip(void **state) {
  (void)state;
  char buf[11];
  for (int32_t d = clv_day_from_ymd(1900, 1, 1);
       d <= clv_day_from_ymd(2100, 12, 31); d++) {
    int32_t got = 0;
    clv_day_format(d, buf);
    assert_int_equal(clv_date_parse(buf, 10, CLV_DATE_AUTO, NULL, &got, NULL),
                     CLV_OK);
    assert_int_equal(got, d);
  }
}

static void test_date_order_names(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int status;
    clv_date_order order;
  } t[] = {{"auto", OK, A},        {"ymd", OK, YMD},   {"iso", OK, YMD},
           {"mdy", OK, MDY},       {"us", OK, MDY},    {"dmy", OK, DMY},
           {"eu", OK, DMY},        {"unix", OK, UNIX}, {"UNIX", OK, UNIX},
           {"dym", CLV_EINVAL, A}, {"", CLV_EINVAL, A}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    clv_date_order o = CLV_DATE_AUTO;
    assert_int_equal(clv_date_order_parse(t[i].name, &o), t[i].status);
    assert_int_equal(o, t[i].order);
  }
  clv_date_order o;
  assert_int_equal(clv_date_order_parse(NULL, &o), CLV_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_date_table),
      cmocka_unit_test(test_date_length_bound),
      cmocka_unit_test(test_date_iso_round_trip),
      cmocka_unit_test(test_date_order_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
