/*
 * bench_summary.c - throughput and memory of the summariser alone
 * (src/summarize.c) and of the whole ingest (src/ingest.c: scanner, parsers,
 * summariser, no output) on one order log. No paper; measures, never judges.
 *
 *   bench_summary FILE [CUSTOMER_COL DATE_COL AMOUNT_COL] [--repeat N]
 *                 [--core]
 *
 * Columns are 1-based (default 1 2 3, the layout of `clv simulate`). The
 * "core" line parses the file once into memory and then times only
 * clv__summarizer_add_batch() + closing every customer; the "ingest" lines
 * time clv__summarize() with 1 and 2 threads. Each prints the best of N runs
 * (default 3): MB/s of input, rows/s, and the summariser's peak state in
 * bytes per customer. --core prints the core line only (for quick
 * before/after runs of the summariser). Compare with `wc -l FILE` on a warm
 * page cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "csv.h"
#include "hashmap.h"
#include "ingest.h"
#include "parse.h"
#include "summarize.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int count_row(void *ctx, const char *id, size_t id_len,
                     const clv_summary_row *row) {
  (void)id;
  (void)id_len;
  (void)row;
  ++*(uint64_t *)ctx;
  return CLV_OK;
}

/* The parsed log: rows whose ids point into `ids`. */
typedef struct log {
  clv__order *r;
  size_t n, cap;
  char *ids;
  size_t ids_len, ids_cap;
} log_t;

static int load(const char *path, size_t cc, size_t dc, size_t ac, log_t *L) {
  clv__csv *c = NULL;
  clv_error err;
  const clv__field *f;
  size_t n;
  clv_date_order hint = CLV_DATE_AUTO;
  int rc = clv__csv_open_path(&c, path, NULL, NULL, &err);
  int first = 1;
  if (rc)
    return rc;
  while ((rc = clv__csv_next(c, &f, &n, &err)) == CLV_OK && n > 0) {
    int32_t day;
    double amount;
    if (n < cc || n < dc || n < ac ||
        clv_date_parse(f[dc - 1].p, f[dc - 1].len, CLV_DATE_AUTO, &hint, &day,
                       NULL) != CLV_OK ||
        !clv__parse_amount(f[ac - 1].p, f[ac - 1].len, &amount)) {
      if (!first)
        fprintf(stderr, "bench_summary: line %ld skipped\n", clv__csv_line(c));
      first = 0;
      continue;
    }
    first = 0;
    const clv__field *id = &f[cc - 1];
    if (L->n == L->cap) {
      L->cap = L->cap ? L->cap * 2 : 1 << 16;
      L->r = realloc(L->r, L->cap * sizeof *L->r);
    }
    if (L->ids_len + id->len > L->ids_cap) {
      L->ids_cap = L->ids_cap ? L->ids_cap * 2 : 1 << 20;
      L->ids = realloc(L->ids, L->ids_cap);
    }
    if (L->r == NULL || L->ids == NULL)
      return CLV_ENOMEM;
    memcpy(L->ids + L->ids_len, id->p, id->len);
    /* Offsets for now: the id buffer may still move. */
    L->r[L->n].id = (const char *)(uintptr_t)L->ids_len;
    L->r[L->n].id_len = id->len;
    L->r[L->n].day = day;
    L->r[L->n].amount = amount;
    L->r[L->n].seq = L->n;
    L->ids_len += id->len;
    L->n++;
  }
  clv__csv_close(c);
  for (size_t k = 0; k < L->n; k++) {
    L->r[k].id = L->ids + (uintptr_t)L->r[k].id;
    L->r[k].hash = clv__hash_bytes(L->r[k].id, L->r[k].id_len);
  }
  return rc;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  size_t cols[3] = {1, 2, 3}, ncols = 0;
  int repeat = 3, core_only = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else if (strcmp(argv[i], "--core") == 0)
      core_only = 1;
    else if (path == NULL)
      path = argv[i];
    else if (ncols < 3)
      cols[ncols++] = (size_t)atol(argv[i]);
  }
  if (path == NULL || repeat < 1) {
    fprintf(stderr, "usage: bench_summary FILE [CUSTOMER_COL DATE_COL "
                    "AMOUNT_COL] [--repeat N] [--core]\n");
    return 1;
  }
  FILE *fp = fopen(path, "rb");
  if (fp == NULL || fseek(fp, 0, SEEK_END) != 0) {
    fprintf(stderr, "bench_summary: cannot open %s\n", path);
    return 1;
  }
  double bytes = (double)ftell(fp);
  fclose(fp);

  log_t L;
  memset(&L, 0, sizeof L);
  if (load(path, cols[0], cols[1], cols[2], &L) != CLV_OK || L.n == 0) {
    fprintf(stderr, "bench_summary: cannot read rows from %s\n", path);
    return 1;
  }
  double best = 1e30;
  uint64_t customers = 0;
  size_t peak = 0;
  for (int k = 0; k < repeat; k++) {
    clv__summarizer *s;
    clv__summarizer_opts so;
    clv__summarizer_stats st;
    memset(&so, 0, sizeof so);
    so.period = CLV_PERIOD_DAY;
    so.unit = CLV_UNIT_DAY;
    so.until_day = so.holdout_day = INT32_MIN;
    so.with_amount = 1;
    if (clv__summarizer_new(&s, &so) != CLV_OK)
      return 1;
    uint64_t rows_out = 0;
    double t0 = now();
    int rc = clv__summarizer_add_batch(s, L.r, L.n);
    if (rc == CLV_OK && clv__summarizer_needs_replay(s)) {
      clv__summarizer_begin_replay(s);
      rc = clv__summarizer_add_batch(s, L.r, L.n);
    }
    if (rc == CLV_OK)
      rc = clv__summarizer_each(s, count_row, &rows_out, &st);
    double t = now() - t0;
    clv__summarizer_free(s);
    if (rc) {
      fprintf(stderr, "bench_summary: %s\n", clv_strerror(rc));
      return 1;
    }
    if (t < best)
      best = t;
    customers = st.customers + st.customers_no_purchase;
    peak = st.peak_bytes;
  }
  printf("core    1 thread  %8.1f Mrows/s %6.1f ns/row  %zu rows  %llu "
         "customers  %.1f B/customer\n",
         L.n / best / 1e6, best * 1e9 / L.n, L.n, (unsigned long long)customers,
         (double)peak / (double)customers);
  free(L.r);
  free(L.ids);

  for (int threads = 1; threads <= 2 && !core_only; threads++) {
    clv_ingest_opts o;
    clv_ingest_report rep;
    clv_error err;
    clv_ingest_opts_init(&o);
    o.threads = threads;
    best = 1e30;
    for (int k = 0; k < repeat; k++) {
      uint64_t rows_out = 0;
      unsigned columns = 0;
      double t0 = now();
      int rc = clv__summarize(path, NULL, 0, &o, 4u << 20, NULL, count_row,
                              &rows_out, &columns, &rep, &err);
      double t = now() - t0;
      if (rc) {
        char msg[800];
        fprintf(stderr, "bench_summary: %s\n",
                clv_error_format(&err, msg, sizeof msg));
        return 1;
      }
      if (t < best)
        best = t;
    }
    printf("ingest  %d thread%s %8.1f MB/s   %6.2f Mrows/s  %.3f s  "
           "(%d used)  %.1f B/customer state\n",
           threads, threads > 1 ? "s" : " ", bytes / best / 1e6,
           rep.rows / best / 1e6, best, rep.threads_used,
           (double)rep.peak_state_bytes / (double)rep.customers);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("max RSS of this process %.1f MB (includes the parsed copy of the "
         "log and the mmap of the input)\n",
         ru.ru_maxrss / 1024.0);
  return 0;
}
