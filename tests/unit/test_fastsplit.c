/*
 * test_fastsplit.c - the plain-CSV row splitter (src/fastsplit.c) against
 * the general scanner (src/csv.c).
 *
 * The splitter must hand out, row for row, the same wanted fields as
 * clv__csv_next() and end each row where the scanner's byte count says the
 * row ends; when it reads a buffer to the end, the scanner must find no
 * further row and no error. Where it stops early (a quote, a lone CR, a
 * blank line, a short row, a byte-order mark), the rows before are checked
 * the same way. Hand-written cases pin the rules (each says what the scanner
 * does, from csv.h); random buffers over an alphabet of the special bytes,
 * and realistic order rows of every length around the 64-byte blocks, check
 * the agreement at scale.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fastsplit.h"

typedef struct outcome {
  size_t rows; /* rows the splitter handed out */
  int failed;  /* it stopped early */
} outcome;

/* Splits buf with `batch` rows per call and checks every row against the
 * scanner. */
static outcome check(const char *buf, size_t len, char delim, const int *cols,
                     size_t ncols, size_t need, size_t batch) {
  clv__fast_split sp;
  clv__fast_row rows[300];
  clv__csv *c = NULL;
  clv__csv_opts co = {delim, 0};
  clv_error e;
  outcome o = {0, 0};
  assert_int_equal(
      clv__fast_split_init(&sp, buf, len, delim, cols, ncols, need), 0);
  assert_int_equal(clv__csv_open_mem(&c, buf, len, "t", 1, &co, &e), CLV_OK);
  size_t got;
  while ((got = clv__fast_split_next(&sp, rows, batch)) > 0) {
    assert_true(got <= batch);
    for (size_t i = 0; i < got; i++) {
      const clv__field *f;
      size_t n;
      assert_int_equal(clv__csv_next(c, &f, &n, &e), CLV_OK);
      assert_true(n >= need);
      for (size_t k = 0; k < ncols; k++) {
        const clv__field *want = &f[cols[k]];
        assert_int_equal(rows[i].len[k], want->len);
        assert_memory_equal(buf + rows[i].off[k], want->p, want->len);
      }
      assert_int_equal(rows[i].end, clv__csv_bytes_done(c));
    }
    o.rows += got;
  }
  o.failed = sp.failed;
  if (!sp.failed) {
    const clv__field *f;
    size_t n;
    assert_int_equal(sp.pos, len);
    assert_int_equal(clv__csv_next(c, &f, &n, &e), CLV_OK);
    assert_int_equal(n, 0);
  }
  clv__csv_close(c);
  return o;
}

static outcome check_text(const char *text, size_t need) {
  static const int cols[3] = {0, 1, 2};
  return check(text, strlen(text), ',', cols, need < 3 ? need : 3, need, 7);
}

/* Each case: the text, the rows the splitter takes, and whether it stops
 * before the end (the general scanner then takes over). */
static void test_cases(void **state) {
  (void)state;
  static const struct {
    const char *text;
    size_t rows;
    int failed;
  } cases[] = {
      {"C1,2024-01-01,12.50\nC2,2024-01-02,3\n", 2, 0},
      {"C1,2024-01-01,12.50\r\nC2,2024-01-02,3\r\n", 2, 0}, /* CRLF */
      {"C1,2024-01-01,12.50\nC2,2024-01-02,3", 2, 0},       /* no last LF */
      {"C1,2024-01-01,12.50,x,y\n", 1, 0},                  /* extra fields */
      {"C1,,\n,2024-01-01,\n", 2, 0},                       /* empty fields */
      {"C1,2024-01-01\n", 0, 1},                            /* short row */
      {"C1,2024-01-01,1\n\nC2,2024-01-02,2\n", 1, 1},       /* blank line */
      {"C1,2024-01-01,1\n C2,2024-01-02,2\n", 1, 1},        /* leading blank */
      {"C1,2024-01-01,1\n\"C2\",2024-01-02,2\n", 0, 1},     /* a quote */
      {"C1,2024-01-01,1\rC2,2024-01-02,2\n", 0, 1},         /* a lone CR */
      {"C1,2024-01-01,1\r", 0, 1},                          /* CR at the end */
      {"\xEF\xBB\xBF"
       "C1,2024-01-01,1\n",
       0, 1}, /* byte-order mark */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    outcome o = check_text(cases[i].text, 3);
    if (o.rows != cases[i].rows || o.failed != cases[i].failed)
      fail_msg("case %zu: %zu rows, failed %d; want %zu, %d", i, o.rows,
               o.failed, cases[i].rows, cases[i].failed);
  }
}

/* Settings the splitter refuses (the caller then uses csv.c). */
static void test_refused(void **state) {
  (void)state;
  clv__fast_split sp;
  int cols[3] = {0, 1, 2}, dup[2] = {1, 1}, far[1] = {5};
  assert_int_equal(clv__fast_split_init(&sp, "", 0, ' ', cols, 3, 3), -1);
  assert_int_equal(clv__fast_split_init(&sp, "", 0, '"', cols, 3, 3), -1);
  assert_int_equal(clv__fast_split_init(&sp, "", 0, ',', dup, 2, 3), -1);
  assert_int_equal(clv__fast_split_init(&sp, "", 0, ',', far, 1, 3), -1);
  assert_int_equal(clv__fast_split_init(&sp, "", 0, ',', cols, 3, 65), -1);
  assert_int_equal(clv__fast_split_init(&sp, "", 0, ',', cols, 3, 3), 0);
  assert_int_equal(clv__fast_split_next(&sp, NULL, 0), 0);
  assert_int_equal(sp.failed, 0);
}

static uint64_t rng = 88172645463325252ull;
static unsigned next_rand(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

/* Random bytes from an alphabet heavy in the bytes that matter. */
static void test_random_buffers(void **state) {
  (void)state;
  /* Half the buffers draw from every byte that matters, half from the
   * bytes of plain rows only (blank lines and short rows still occur). */
  static const char alpha[] = "ab1.-,;|\t\n\n\n\r\" \xEF";
  static const char plain[] = "aaab1111.,,,;|\t\n";
  static const char delims[] = ",;|\t";
  char buf[400];
  size_t full = 0, early = 0;
  for (int it = 0; it < 40000; it++) {
    size_t len = next_rand(sizeof buf);
    const char *from = it % 2 ? alpha : plain;
    size_t nfrom = it % 2 ? sizeof alpha - 1 : sizeof plain - 1;
    for (size_t i = 0; i < len; i++)
      buf[i] = from[next_rand((unsigned)nfrom)];
    size_t need = 1 + next_rand(4);
    int cols[3];
    size_t ncols = 0;
    for (size_t f = 0; f < need && ncols < 3; f++)
      if (next_rand(2))
        cols[ncols++] = (int)f;
    outcome o = check(buf, len, delims[next_rand(4)], cols, ncols, need,
                      1 + next_rand(5));
    if (o.failed)
      early++;
    else
      full++;
  }
  /* Both outcomes must have been exercised for the test to mean much. */
  printf("random buffers: %zu read to the end, %zu stopped early\n", full,
         early);
  assert_true(full > 1000);
  assert_true(early > 1000);
}

/* Realistic rows of every length across the 64-byte blocks, with CRLF or
 * LF, with and without a last line feed, in batches of every size. */
static void test_order_rows(void **state) {
  (void)state;
  static const int cols[3] = {0, 1, 2};
  static const int swapped[3] = {2, 0, 3};
  char buf[8192];
  for (int it = 0; it < 3000; it++) {
    size_t len = 0, nrows = 1 + next_rand(60);
    int crlf = next_rand(2);
    for (size_t r = 0; r < nrows; r++) {
      int idlen = 1 + (int)next_rand(40);
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%.*s,", idlen,
                              "C0123456789012345678901234567890123456789");
      len += (size_t)snprintf(buf + len, sizeof buf - len,
                              next_rand(2) ? "2024-%02u-%02u"
                                           : "2024-%02u-%02u 12:00:00",
                              1 + next_rand(12), 1 + next_rand(28));
      len += (size_t)snprintf(buf + len, sizeof buf - len, ",%u.%02u,x%s",
                              next_rand(100000), next_rand(100),
                              crlf ? "\r\n" : "\n");
    }
    if (next_rand(3) == 0)
      len -= crlf ? 2 : 1; /* no last line feed */
    size_t batch = 1 + next_rand(300);
    outcome o = it % 2 ? check(buf, len, ',', cols, 3, 4, batch)
                       : check(buf, len, ',', swapped, 3, 4, batch);
    assert_int_equal(o.failed, 0);
    assert_int_equal(o.rows, nrows);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_random_buffers),
      cmocka_unit_test(test_order_rows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
