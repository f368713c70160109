/*
 * fuzz_fastsplit.c - libFuzzer target for the plain-CSV row splitter
 * (src/fastsplit.c), checked against the general scanner (src/csv.c).
 *
 * The first input byte picks the delimiter (',', ';', tab, '|'), the number
 * of fields a row needs (1..4), which of them are wanted and the rows per
 * call; the rest is the text, in an exact-size heap block so that a read
 * past the end is caught. Every row the splitter hands out must be the
 * scanner's next row, with the same bytes in the wanted fields and the same
 * end offset; a split that reaches the end must leave the scanner with no
 * row and no error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fastsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char delims[] = ",;\t|";
  clv__fast_split sp;
  clv__fast_row rows[8];
  clv__csv *c = NULL;
  clv_error e;
  if (size < 1)
    return 0;
  unsigned pick = data[0];
  size_t len = size - 1, need = 1 + ((pick >> 2) & 3), ncols = 0;
  size_t batch = 1 + ((pick >> 4) & 7);
  int cols[3];
  for (size_t f = 0; f < need && ncols < 3; f++)
    if ((pick >> (f + 5)) & 1 || f == 0)
      cols[ncols++] = (int)f;
  char *buf = malloc(len ? len : 1);
  if (buf == NULL)
    return 0;
  memcpy(buf, data + 1, len);
  clv__csv_opts co = {delims[pick & 3], 0};
  if (clv__fast_split_init(&sp, buf, len, co.delimiter, cols, ncols, need) ||
      clv__csv_open_mem(&c, buf, len, "f", 1, &co, &e))
    abort();
  size_t got;
  while ((got = clv__fast_split_next(&sp, rows, batch)) > 0) {
    for (size_t i = 0; i < got; i++) {
      const clv__field *f;
      size_t n;
      if (clv__csv_next(c, &f, &n, &e) != CLV_OK || n < need)
        abort();
      for (size_t k = 0; k < ncols; k++)
        if (rows[i].len[k] != f[cols[k]].len ||
            (f[cols[k]].len &&
             memcmp(buf + rows[i].off[k], f[cols[k]].p, f[cols[k]].len)))
          abort();
      if (rows[i].end != clv__csv_bytes_done(c))
        abort();
    }
  }
  if (!sp.failed) {
    const clv__field *f;
    size_t n;
    if (sp.pos != len || clv__csv_next(c, &f, &n, &e) != CLV_OK || n != 0)
      abort();
  }
  clv__csv_close(c);
  free(buf);
  return 0;
}
