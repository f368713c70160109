/*
 * bench_csv.c - throughput of the CSV scanner (src/csv.c), and of the value
 * parsers on top of it.
 *
 *   bench_csv FILE [DATE_COLUMN AMOUNT_COLUMN] [--repeat N]
 *
 * Scans FILE (a path, "-" for stdin, or a gzip file) N times (default 5;
 * once for stdin) and prints the best MB/s and rows/s. With two 1-based
 * column numbers it also times a second pass that parses those columns with
 * clv_date_parse() and clv__parse_amount(). Compare with `wc -l FILE` on a
 * warm page cache (the physical reference). Nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "parse.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct result {
  double seconds;
  long rows, bad;
  uint64_t bytes;
  double checksum;
} result;

/* One pass over the input; parses two columns when date_col > 0. */
static int pass(clv__csv *c, size_t date_col, size_t amount_col, result *r) {
  clv_error err;
  clv_date_order hint = CLV_DATE_AUTO;
  memset(r, 0, sizeof *r);
  double t0 = now();
  for (;;) {
    const clv__field *f;
    size_t n;
    int rc = clv__csv_next(c, &f, &n, &err);
    if (rc == CLV_EPARSE) {
      r->bad++;
      continue;
    }
    if (rc) {
      char msg[800];
      fprintf(stderr, "bench_csv: %s\n",
              clv_error_format(&err, msg, sizeof msg));
      return rc;
    }
    if (n == 0)
      break;
    r->rows++;
    r->bytes += f[0].len;
    if (date_col > 0 && n >= date_col && n >= amount_col) {
      int32_t day, secs;
      double v;
      if (clv_date_parse(f[date_col - 1].p, f[date_col - 1].len, CLV_DATE_AUTO,
                         &hint, &day, &secs) == CLV_OK &&
          clv__parse_amount(f[amount_col - 1].p, f[amount_col - 1].len, &v))
        r->checksum += v + day;
      else
        r->bad++;
    }
  }
  r->seconds = now() - t0;
  return CLV_OK;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  size_t date_col = 0, amount_col = 0;
  int repeat = 5;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else if (path == NULL)
      path = argv[i];
    else if (date_col == 0)
      date_col = (size_t)atol(argv[i]);
    else
      amount_col = (size_t)atol(argv[i]);
  }
  if (path == NULL || (date_col > 0 && amount_col == 0)) {
    fprintf(stderr,
            "usage: bench_csv FILE [DATE_COLUMN AMOUNT_COLUMN] [--repeat N]\n"
            "example: bench_csv orders.csv 2 3\n");
    return 1;
  }
  clv__csv *c = NULL;
  clv_error err;
  clv__csv_opts opts = {0, 0};
  if (clv__csv_open_path(&c, path, NULL, &opts, &err)) {
    char msg[800];
    fprintf(stderr, "bench_csv: %s\n", clv_error_format(&err, msg, sizeof msg));
    return 2;
  }
  const char *data;
  size_t len;
  if (clv__csv_buffer(c, &data, &len) != CLV_OK)
    repeat = 1; /* stdin or gzip: one pass, no rewinding */
  for (int mode = 0; mode < (date_col ? 2 : 1); mode++) {
    result best = {0, 0, 0, 0, 0};
    for (int i = 0; i < repeat; i++) {
      result r;
      if (i > 0 && clv__csv_rewind(c) != CLV_OK)
        break;
      if (pass(c, mode ? date_col : 0, amount_col, &r))
        return 2;
      if (i == 0 || r.seconds < best.seconds)
        best = r;
    }
    uint64_t total = clv__csv_bytes_total(c);
    if (total == 0)
      total = clv__csv_bytes_done(c);
    printf("%-12s %10.1f MB/s %12.0f rows/s  %ld rows  %.3f s  (%llu input "
           "bytes, %ld bad, delimiter '%c')\n",
           mode ? "scan+parse" : "scan", (double)total / best.seconds / 1e6,
           (double)best.rows / best.seconds, best.rows, best.seconds,
           (unsigned long long)total, best.bad, clv__csv_delimiter(c));
    if (mode)
      printf("checksum %.6g\n", best.checksum);
    if (clv__csv_rewind(c) != CLV_OK)
      break;
  }
  clv__csv_close(c);
  return 0;
}
