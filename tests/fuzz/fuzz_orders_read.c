/*
 * fuzz_orders_read.c - libFuzzer target: arbitrary bytes through the order
 * reader (scanner, header and column detection with the optional columns,
 * value and margin parsers, the order table builder) in skip mode. Checks:
 * no crash, no sanitizer report, and on success a table whose sizes,
 * amounts, costs and report agree: rows = rows read - rows skipped, every
 * amount and cost finite, the report's totals equal to the table's.
 * The first input byte picks options (header, positions, anonymous rows,
 * margin or unit cost by position) so that all code paths are reached.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "orders_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  clv_orders_opts o;
  clv_orders *t = NULL;
  clv_orders_report rep;
  clv_error err;
  if (size < 1)
    return 0;
  clv_orders_opts_init(&o);
  uint8_t flags = data[0];
  o.ingest.skip_errors = 1;
  o.keep_anonymous = !(flags & 1);
  if (flags & 2)
    o.ingest.header = 0;
  if (flags & 4) {
    o.ingest.customer_col = "1";
    o.ingest.date_col = "2";
    o.ingest.amount_col = "3";
    o.attr_col[CLV_ATTR_PRODUCT] = "4";
  }
  if (flags & 8)
    o.ingest.margin_col = "5";
  if (flags & 16)
    o.ingest.cost_col = "5";
  if (flags & 32)
    o.ingest.no_amount = 1;
  int rc = clv__orders_read_mem((const char *)data + 1, size - 1, &o, &t, &rep,
                                &err);
  if (rc == CLV_OK) {
    size_t n = clv_orders_rows(t);
    const double *amt = clv_orders_amount(t);
    const double *cost = clv_orders_num(t, CLV_NUM_COST);
    double total = 0;
    if (n == 0 || n != rep.ingest.rows - rep.ingest.rows_skipped)
      abort();
    for (size_t i = 0; i < n; i++) {
      if (!isfinite(amt[i]) || (cost && !isfinite(cost[i])))
        abort();
      total += amt[i];
    }
    if (total != rep.amount_total && !(isnan(total) || isinf(total)))
      abort();
    if (rep.rows_anonymous > n || clv_orders_customers(t) > n)
      abort();
  } else if (t != NULL) {
    abort();
  }
  clv_orders_free(t);
  return 0;
}
