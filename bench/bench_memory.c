/*
 * bench_memory.c - the memory floor under `clv summary`: what one random
 * cache-line access costs on this machine when each waits for the one
 * before (a dependent chain: a hash-map lookup without prefetching) and
 * when they are requested ahead in batches (what the summariser's
 * prefetching can at best achieve), in a table as large as the
 * summariser's state for N customers (64-byte record + 8-byte slot / 0.7
 * load, about 80 bytes each). No paper; measures, never judges.
 *
 *   bench_memory [CUSTOMERS] [--repeat N]     (default 1000000, 3)
 *
 * With about 2.8 rows per customer and two lines touched per row (slot,
 * record), the summariser cannot beat rows x 2 x the batched figure on one
 * core; the dependent figure is what a row costs when prefetching fails.
 * It also times the first touch of a table that size (the kernel zeroes,
 * and a VM's host backs, every fresh page once), which no code of ours can
 * go below either.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t next(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

enum { LINE = 64, BATCH = 32, READS = 1 << 23 };

/* Reads READS random lines; with `ahead`, each batch's lines are requested
 * before any is read. Each read's address depends on the previous value
 * (always 0 here, but the compiler and CPU cannot know), so without
 * prefetching the misses cannot overlap. */
static double run(unsigned char *p, size_t lines, int ahead, uint64_t *sink) {
  uint64_t x = 88172645463325252ull, s = 0;
  size_t idx[BATCH];
  double t0 = now();
  for (size_t i = 0; i < READS / BATCH; i++) {
    for (int k = 0; k < BATCH; k++) {
      idx[k] = (size_t)(next(&x) % lines) * LINE;
      if (ahead)
        __builtin_prefetch(p + idx[k]);
    }
    size_t dep = 0;
    for (int k = 0; k < BATCH; k++) {
      unsigned char v = p[(idx[k] + dep) % (lines * LINE)];
      s += v;
      dep = v; /* 0: the same address, but a true data dependence */
    }
  }
  double t = now() - t0;
  *sink += s;
  return t * 1e9 / READS;
}

/*
 * The other floor: getting the state's memory at all. Fresh anonymous pages
 * are zeroed by the kernel at first touch, and on a virtual machine the host
 * may have to back them too; the summariser must write every record once.
 * Maps `bytes` fresh, asks for all pages at once (MADV_POPULATE_WRITE, as
 * the summariser does), with 4 KiB pages or asking for huge pages first, and
 * returns the seconds; *rewrite gets the time to write the same memory
 * again once it is backed (what the stores cost by themselves).
 */
static double first_touch(size_t bytes, int huge, double *rewrite) {
  double t0 = now();
  unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return -1;
#ifdef MADV_HUGEPAGE
  if (huge)
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
  if (madvise(p, bytes, MADV_POPULATE_WRITE) != 0)
    memset(p, 1, bytes);
  double t1 = now();
  memset(p, 2, bytes);
  *rewrite = now() - t1;
  munmap(p, bytes);
  return t1 - t0;
}

int main(int argc, char **argv) {
  size_t customers = 1000000;
  int repeat = 3;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else
      customers = (size_t)strtoull(argv[i], NULL, 10);
  }
  if (customers < 1000 || repeat < 1) {
    fprintf(stderr, "usage: bench_memory [CUSTOMERS >= 1000] [--repeat N]\n");
    return 1;
  }
  size_t bytes = customers * 80, lines = bytes / LINE;
  unsigned char *p = malloc(lines * LINE);
  if (p == NULL) {
    fprintf(stderr, "bench_memory: out of memory\n");
    return 1;
  }
  memset(p, 0, lines * LINE);
  uint64_t sink = 0;
  double dep = 1e30, pre = 1e30;
  for (int r = 0; r < repeat; r++) {
    double a = run(p, lines, 0, &sink), b = run(p, lines, 1, &sink);
    dep = a < dep ? a : dep;
    pre = b < pre ? b : pre;
  }
  printf("table %.0f MB (%zu customers x 80 B): random line, dependent "
         "%.1f ns, requested %d ahead %.1f ns%s\n",
         bytes / 1e6, customers, dep, BATCH, pre, sink ? "" : " ");
  free(p);
  for (int huge = 0; huge <= 1; huge++) {
    double best = 1e30, worst = 0, again = 1e30;
    for (int r = 0; r < repeat; r++) {
      double w, t = first_touch(bytes, huge, &w);
      if (t < 0) {
        fprintf(stderr, "bench_memory: cannot map %zu bytes\n", bytes);
        return 1;
      }
      best = t < best ? t : best;
      worst = t > worst ? t : worst;
      again = w < again ? w : again;
    }
    printf("first touch of %.0f MB (%s): %.1f ms best, %.1f ms worst of %d "
           "(%.2f GB/s best); writing it again %.1f ms\n",
           bytes / 1e6, huge ? "huge pages asked" : "4 KiB pages",
           best * 1e3, worst * 1e3, repeat, bytes / best / 1e9, again * 1e3);
  }
  return 0;
}
