/*
 * test_tracking_actual.c - the ACTUAL cohort tracking curve (Fader, Hardie &
 * Lee 2005, figure 2) from the summariser's per-day repeat purchase counts:
 * BTYD's published CDNOW curve, a hand-checked small log, and the same
 * counts through the two-thread split and the out-of-order replay.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv/validate.h"
#include "ingest.h"
#include "testutil.h"

static clv_ingest_opts cdnow_opts(void) {
  clv_ingest_opts o;
  clv_ingest_opts_init(&o);
  o.customer_col = "2";
  o.date_col = "3";
  o.amount_col = "5";
  o.unit = CLV_UNIT_WEEK;
  return o;
}

static clv_summary *summarize_text(const char *text, size_t len,
                                   const clv_ingest_opts *o,
                                   clv_ingest_report *rep) {
  clv_summary *s = NULL;
  assert_int_equal(
      clv__summarize(NULL, text, len, o, 1, &s, NULL, NULL, NULL, rep, NULL),
      CLV_OK);
  return s;
}

/* Fails unless both tables carry the same per-day repeat counts. */
static void assert_same_days(const clv_summary *a, const clv_summary *b) {
  int32_t fa, fb;
  size_t na, nb;
  const uint64_t *ca = clv_summary_repeat_days(a, &fa, &na);
  const uint64_t *cb = clv_summary_repeat_days(b, &fb, &nb);
  assert_non_null(ca);
  assert_non_null(cb);
  assert_int_equal(fa, fb);
  assert_int_equal(na, nb);
  assert_memory_equal(ca, cb, na * sizeof *ca);
}

/* The curve of s over `weeks` weeks, checked against BTYD's. */
static void assert_btyd_curve(const clv_summary *s, const char *ref) {
  clv_tracking got = {78, 1, NULL, NULL, NULL, NULL};
  clv_tracking want = {78, 1, NULL, NULL, NULL, NULL};
  assert_int_equal(clv_tracking_actual_from_summary(&got, s, NULL), CLV_OK);
  assert_int_equal(clv_tracking_read_actual(&want, ref, NULL), CLV_OK);
  for (size_t k = 0; k < 78; k++) {
    if (got.actual[k] != want.actual[k])
      fail_msg("week %zu: got %.17g, BTYD %.17g", k + 1, got.actual[k],
               want.actual[k]);
  }
  /* The published anchors (shared/reference/published.md section 0). */
  assert_true(got.actual[38] == 2457);
  assert_true(got.actual[77] == 4339);
  free(got.actual);
  free(got.actual_incremental);
  free(want.actual);
  free(want.actual_incremental);
}

/* The raw CDNOW log gives BTYD's cumulative weekly repeat transactions
 * (cdnowSummary_cu_tracking.csv) exactly: same-day rows merged, first
 * purchases excluded, weeks from 1997-01-01. With a holdout from 1997-10-01
 * (BTYD's split) the holdout repeat purchases count the same. */
static void test_cdnow_matches_btyd(void **state) {
  (void)state;
  char log[4096];
  {
    /* clv_test_data() returns one static buffer: keep the first path. */
    CLV_REQUIRE_DATA(p, "lifetimes/CDNOW_sample.txt");
    snprintf(log, sizeof log, "%s", p);
  }
  CLV_REQUIRE_DATA(ref, "BTYD/cdnowSummary_cu_tracking.csv");
  clv_ingest_opts o = cdnow_opts();
  clv_summary *s = NULL, *h = NULL;
  o.threads = 1;
  assert_int_equal(
      clv__summarize(log, NULL, 0, &o, 1, &s, NULL, NULL, NULL, NULL, NULL),
      CLV_OK);
  assert_btyd_curve(s, ref);
  o.holdout_day = clv_day_from_ymd(1997, 10, 1);
  assert_int_equal(
      clv__summarize(log, NULL, 0, &o, 1, &h, NULL, NULL, NULL, NULL, NULL),
      CLV_OK);
  assert_btyd_curve(h, ref);
  assert_same_days(s, h);
  clv_summary_free(s);
  clv_summary_free(h);
}

/* Reads a whole file into memory (the caller frees it). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n > 0);
  rewind(f);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  buf[n] = '\0';
  *len = (size_t)n;
  return buf;
}

/* The two-thread split (halves by customer hash) and the replay of a
 * shuffled log give the serial sorted log's per-day counts. */
static void test_split_and_replay(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(log, "lifetimes/CDNOW_sample.txt");
  clv_ingest_opts o = cdnow_opts();
  clv_ingest_report r;
  size_t len, nl = 0;
  char *text = slurp(log, &len);
  clv_summary *serial, *split, *shuf1, *shuf2;
  o.threads = 1;
  serial = summarize_text(text, len, &o, &r);
  assert_int_equal(r.replayed_customers, 0);
  o.threads = 2;
  split = summarize_text(text, len, &o, &r);
  assert_int_equal(r.threads_used, 2);
  assert_same_days(serial, split);
  /* Shuffle the lines (Fisher-Yates with a fixed LCG): customers' rows
   * come out of order, which the replay rebuilds. */
  char **lines = malloc(8000 * sizeof *lines);
  assert_non_null(lines);
  for (char *p = text; *p && nl < 8000; nl++) {
    lines[nl] = p;
    p = strchr(p, '\n');
    if (p == NULL)
      break;
    *p++ = '\0';
  }
  uint64_t x = 42;
  for (size_t i = nl - 1; i > 0; i--) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    size_t j = (size_t)((x >> 33) % (i + 1));
    char *t = lines[i];
    lines[i] = lines[j];
    lines[j] = t;
  }
  char *shuffled = malloc(len + 2);
  size_t at = 0;
  assert_non_null(shuffled);
  for (size_t i = 0; i < nl; i++) {
    size_t n = strlen(lines[i]);
    memcpy(shuffled + at, lines[i], n);
    at += n;
    shuffled[at++] = '\n';
  }
  o.threads = 1;
  shuf1 = summarize_text(shuffled, at, &o, &r);
  assert_true(r.replayed_customers > 100);
  assert_same_days(serial, shuf1);
  o.threads = 2;
  shuf2 = summarize_text(shuffled, at, &o, &r);
  assert_int_equal(r.threads_used, 2);
  assert_true(r.replayed_customers > 100);
  assert_same_days(serial, shuf2);
  clv_summary_free(serial);
  clv_summary_free(split);
  clv_summary_free(shuf1);
  clv_summary_free(shuf2);
  free(shuffled);
  free(lines);
  free(text);
}

/*
 * A log small enough to count by hand (days from 2024-01-01 = day 0):
 *   a: day 0 twice (one period), day 2, day 4      -> repeats on days 2, 4
 *   b: day 1, day 2 bought and refunded (net 0: no
 *      purchase), day 3                            -> repeat on day 3
 *   c: only a refund                               -> not in the cohort
 *   d: days 3 and 4                                -> repeat on day 4
 *   e: days 0, 1, 2, then 1 again (out of order)   -> repeats on days 1, 2
 * so the counts are 0,1,2,1,2 from day 0. With the holdout from day 3, d is
 * holdout-only (left out of the summary and the curve: 0,1,2,1,1) while a's
 * and b's holdout repeats still count. e's late row makes the replay take
 * back the day-1 repeat that the online pass had already counted. Rows in
 * order and reversed (both replayed) give the same.
 */
static void test_hand_checked(void **state) {
  (void)state;
  static const char *rows[] = {
      "a,2024-01-01,10", "a,2024-01-01,5",  "b,2024-01-02,10",
      "a,2024-01-03,10", "b,2024-01-03,10", "b,2024-01-03,-10",
      "c,2024-01-04,-3", "b,2024-01-04,10", "d,2024-01-04,7",
      "a,2024-01-05,10", "d,2024-01-05,7",  "e,2024-01-01,1",
      "e,2024-01-02,1",  "e,2024-01-03,1",  "e,2024-01-02,1"};
  const size_t nr = sizeof rows / sizeof rows[0];
  static const uint64_t all[] = {0, 1, 2, 1, 2};
  static const uint64_t hold[] = {0, 1, 2, 1, 1};
  char fwd[512], rev[512];
  size_t lf = 0, lr = 0;
  for (size_t i = 0; i < nr; i++) {
    lf += (size_t)snprintf(fwd + lf, sizeof fwd - lf, "%s\n", rows[i]);
    lr += (size_t)snprintf(rev + lr, sizeof rev - lr, "%s\n", rows[nr - 1 - i]);
  }
  for (int holdout = 0; holdout <= 1; holdout++) {
    for (int reversed = 0; reversed <= 1; reversed++) {
      clv_ingest_opts o;
      clv_ingest_report r;
      int32_t first;
      size_t days;
      clv_ingest_opts_init(&o);
      o.threads = 1;
      if (holdout)
        o.holdout_day = clv_day_from_ymd(2024, 1, 4);
      clv_summary *s =
          summarize_text(reversed ? rev : fwd, reversed ? lr : lf, &o, &r);
      assert_true(r.replayed_customers > 0);
      const uint64_t *c = clv_summary_repeat_days(s, &first, &days);
      assert_non_null(c);
      assert_int_equal(first, clv_day_from_ymd(2024, 1, 1));
      assert_int_equal(days, 5);
      assert_memory_equal(c, holdout ? hold : all, sizeof all);
      /* Daily tracking: the cumulative curve 0,1,3,4,6 (or 0,1,3,4,5). */
      clv_tracking t = {6, 1, NULL, NULL, NULL, NULL};
      assert_int_equal(clv_tracking_actual_from_summary(&t, s, NULL), CLV_OK);
      assert_true(t.actual[0] == 0 && t.actual[1] == 1);
      assert_true(t.actual[2] == 3 && t.actual[3] == 4);
      assert_true(t.actual[4] == (holdout ? 5 : 6));
      assert_true(isnan(t.actual[5])); /* after the observation end */
      free(t.actual);
      free(t.actual_incremental);
      clv_summary_free(s);
    }
  }
}

/* A summary read from CSV has no per-day counts: a clear status, no curve. */
static void test_csv_summary_has_none(void **state) {
  (void)state;
  const char *p =
      clv_test_write("trk_summary.csv", "customer_id,frequency,recency,T\n"
                                        "a,1,2,5\nb,0,0,3\n");
  clv_summary *s = clv_test_read_summary(p, CLV_UNIT_DAY);
  clv_tracking t = {3, 1, NULL, NULL, NULL, NULL};
  clv_error err;
  assert_null(clv_summary_repeat_days(s, NULL, NULL));
  assert_int_equal(clv_tracking_actual_from_summary(&t, s, &err),
                   CLV_ENOCOLUMN);
  assert_null(t.actual);
  assert_true(strstr(err.message, "order log") != NULL);
  clv_summary_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cdnow_matches_btyd),
      cmocka_unit_test(test_split_and_replay),
      cmocka_unit_test(test_hand_checked),
      cmocka_unit_test(test_csv_summary_has_none),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
