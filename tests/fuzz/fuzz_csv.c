/*
 * fuzz_csv.c - libFuzzer target for the CSV scanner (src/csv.c).
 *
 * The first input byte picks the delimiter mode (auto, ',', ';', '\t', '|',
 * whitespace) and the stream buffer size; the rest is the CSV text. The text
 * is scanned three ways: from memory, through a pipe (the streaming buffer,
 * with a tiny buffer size so that rows straddle refills), and gzip-compressed
 * through a memfd. All three must give exactly the same rows and errors
 * (differential check), and every row must satisfy the invariants: a field
 * lies inside the input or is a copy no longer than the input, columns and
 * line numbers are >= 1, line numbers never decrease, the scanner ends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "csv.h"

typedef struct out {
  unsigned char *p;
  size_t len, cap;
} out;

static void put(out *o, const void *p, size_t n) {
  if (n == 0)
    return;
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 1024;
    while (cap < o->len + n)
      cap *= 2;
    o->p = realloc(o->p, cap);
    if (o->p == NULL)
      abort();
    o->cap = cap;
  }
  memcpy(o->p + o->len, p, n);
  o->len += n;
}

/* Scans everything into a byte record; checks the invariants on the way. */
static void scan(clv__csv *c, const char *data, size_t len, out *o) {
  long prev = 0;
  for (size_t guard = 0;; guard++) {
    if (guard > 2 * len + 4)
      abort(); /* more rows or errors than bytes: no progress */
    const clv__field *f;
    size_t n;
    clv_error err;
    clv_error_clear(&err);
    int rc = clv__csv_next(c, &f, &n, &err);
    if (rc == CLV_EPARSE) {
      if (err.line < 1 || err.column < 1 || err.message[0] == '\0')
        abort();
      put(o, "E", 1);
      put(o, &err.line, sizeof err.line);
      put(o, &err.column, sizeof err.column);
      put(o, err.message, strlen(err.message));
      continue;
    }
    if (rc != CLV_OK)
      abort(); /* memory input and pipes cannot fail otherwise */
    if (n == 0)
      break;
    long line = clv__csv_line(c);
    if (line < prev || line < 1)
      abort();
    prev = line;
    put(o, "R", 1);
    put(o, &line, sizeof line);
    put(o, &n, sizeof n);
    for (size_t i = 0; i < n; i++) {
      int inside =
          data != NULL && f[i].p >= data && f[i].p + f[i].len <= data + len;
      if (!inside && f[i].len > len)
        abort();
      if (f[i].column < 1)
        abort();
      put(o, &f[i].column, sizeof f[i].column);
      put(o, &f[i].len, sizeof f[i].len);
      put(o, f[i].p, f[i].len);
    }
  }
}

static void same(const out *a, const out *b) {
  if (a->len != b->len || (a->len > 0 && memcmp(a->p, b->p, a->len) != 0))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
  static const char delims[8] = {0, ',', ';', '\t', '|', ' ', 0, ','};
  if (size < 1)
    return 0;
  clv__csv_opts opts = {delims[in[0] & 7], 0};
  size_t bufsize = 4 + (in[0] >> 3);
  const char *data = (const char *)in + 1;
  size_t len = size - 1;
  out a = {0}, b = {0}, g = {0};

  clv__csv *c = NULL;
  if (clv__csv_open_mem(&c, data, len, "fuzz", 1, &opts, NULL))
    abort();
  scan(c, data, len, &a);
  /* A rewind must give the same again. */
  if (clv__csv_rewind(c))
    abort();
  out a2 = {0};
  scan(c, data, len, &a2);
  same(&a, &a2);
  clv__csv_close(c);

  /* Through a pipe (fits in the pipe buffer: libFuzzer inputs are small). */
  int fds[2];
  if (len < 60000 && pipe(fds) == 0) {
    size_t done = 0;
    while (done < len) {
      ssize_t w = write(fds[1], data + done, len - done);
      if (w <= 0)
        abort();
      done += (size_t)w;
    }
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    if (clv__csv_open_path(&c, path, "fuzz", &opts, NULL))
      abort();
    close(fds[0]);
    clv__csv_set_buffer_size(c, bufsize);
    scan(c, NULL, len, &b);
    clv__csv_close(c);
    same(&a, &b);
  }

  /* gzip-compressed, from a memfd (seekable, so also rewound). */
  uLongf zlen = compressBound(len) + 32;
  unsigned char *z = malloc(zlen);
  int fd = memfd_create("fuzz.gz", 0);
  if (z && fd >= 0) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
      abort();
    zs.next_in = (unsigned char *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = z;
    zs.avail_out = (uInt)zlen;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
      abort();
    size_t zn = zs.total_out;
    deflateEnd(&zs);
    if (write(fd, z, zn) != (ssize_t)zn)
      abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (clv__csv_open_path(&c, path, "fuzz", &opts, NULL))
      abort();
    clv__csv_set_buffer_size(c, bufsize);
    scan(c, NULL, len, &g);
    same(&a, &g);
    if (clv__csv_rewind(c))
      abort();
    out g2 = {0};
    scan(c, NULL, len, &g2);
    same(&a, &g2);
    free(g2.p);
    clv__csv_close(c);
  }
  if (fd >= 0)
    close(fd);
  free(z);
  free(a.p);
  free(a2.p);
  free(b.p);
  free(g.p);
  return 0;
}
