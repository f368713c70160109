/*
 * base.c - the scored customer base (clv/base.h): an order table run through
 * the same steps as clv run (summary, model choice on a holdout, fits,
 * predictions), as of a date, with the links between the table's customer
 * numbers and the summary's rows.
 *
 * No mathematics here: the run's steps are run.c's, so that the business
 * layer, clv run and the server give one customer the same value.
 */
#include "clv/base.h"
#include "clv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "run_source.h"

void clv_base_opts_init(clv_base_opts *o) {
  memset(o, 0, sizeof *o);
  clv_run_opts_init(&o->run);
  o->as_of_day = INT32_MIN;
  o->margin_from_cost = 1;
}

void clv_base_free(clv_base *b) {
  if (b == NULL)
    return;
  clv_run_result_free(b->run);
  free(b->row_of);
  free(b->customer_of);
  free(b);
}

/* An order table as a run's source: summaries straight from its rows. */
static int summarize_orders(void *ctx, const clv_ingest_opts *io,
                            clv_summary **out, clv_ingest_report *report,
                            clv_error *err) {
  int rc = clv_orders_summarize(ctx, io, out, NULL, report);
  if (rc && err != NULL && err->message[0] == '\0') {
    err->status = rc;
    snprintf(err->message, sizeof err->message, "%s",
             rc == CLV_EEMPTY ? "expected purchases by identified customers "
                                "up to the as-of date, found none"
                              : clv_strerror(rc));
  }
  return rc;
}

/* The margin implied by the table's costs: 1 - cost / revenue over the rows
 * of identified customers up to the as-of day, by the rule of cost.c (as
 * clv_run() on the same log). Returns -1 when the table has no costs or no
 * positive revenue. */
static double cost_margin(const clv_orders *o, int32_t as_of) {
  const double *cost = clv_orders_num(o, CLV_NUM_COST);
  if (cost == NULL)
    return -1;
  const uint32_t *cust = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  const double *amount = clv_orders_amount(o);
  clv__ksum rev = {0, 0}, c = {0, 0};
  for (size_t i = 0; i < clv_orders_rows(o); i++)
    if (cust[i] != CLV_NO_CUSTOMER && day[i] <= as_of) {
      clv__ksum_add(&rev, amount[i]);
      clv__ksum_add(&c, cost[i]);
    }
  return clv__cost_margin(clv__ksum_value(&rev), clv__ksum_value(&c));
}

int clv_base_build(const clv_orders *orders, const clv_base_opts *o,
                   clv_base **out, clv_error *err) {
  int rc = CLV_ENOMEM;
  clv_base_opts defaults;
  clv_base *b = NULL;
  if (orders == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (o == NULL) {
    clv_base_opts_init(&defaults);
    o = &defaults;
  }
  if (clv_orders_rows(orders) == 0) {
    if (err) {
      err->status = CLV_EEMPTY;
      snprintf(err->message, sizeof err->message, "the order table is empty");
    }
    return CLV_EEMPTY;
  }
  clv_run_opts ro = o->run;
  int32_t as_of =
      o->as_of_day == INT32_MIN ? clv_orders_last_day(orders) : o->as_of_day;
  ro.ingest.until_day = as_of;
  double m = -1;
  if (o->margin_from_cost && ro.margin == 1.0)
    m = cost_margin(orders, as_of);
  if (m >= 0)
    ro.margin = m;

  b = calloc(1, sizeof *b);
  if (b == NULL)
    goto fail;
  b->orders = orders;
  b->customers = clv_orders_customers(orders);
  b->as_of_day = as_of;
  b->margin = ro.margin;
  clv__run_source src = {summarize_orders, (void *)orders, 1};
  if ((rc = clv__run_from(&src, &ro, &b->run, err)))
    goto fail;
  if (m >= 0) {
    char note[160], note_zh[200];
    snprintf(note, sizeof note,
             "The margin, %.1f %%, is 1 - cost / revenue of the log's "
             "identified customers.",
             100 * m);
    snprintf(note_zh, sizeof note_zh,
             "毛利率为 %.1f%%，即数据中可识别客户的 1 - 成本 / 收入。",
             100 * m);
    clv__run_note(b->run, note, note_zh);
  }

  rc = CLV_ENOMEM;
  const clv_summary *s = b->run->summary;
  size_t n = clv_summary_rows(s);
  b->row_of = malloc((b->customers ? b->customers : 1) * sizeof *b->row_of);
  b->customer_of = malloc((n ? n : 1) * sizeof *b->customer_of);
  if (b->row_of == NULL || b->customer_of == NULL)
    goto fail;
  for (size_t c = 0; c < b->customers; c++)
    b->row_of[c] = SIZE_MAX;
  for (size_t r = 0; r < n; r++) {
    size_t len;
    const char *id = clv_summary_id(s, r, &len);
    uint32_t c;
    /* Every summary row comes from the table's rows, so the id is known. */
    if (!clv_orders_find_customer(orders, id, len, &c)) {
      rc = CLV_EINVAL;
      goto fail;
    }
    b->row_of[c] = r;
    b->customer_of[r] = c;
  }
  *out = b;
  return CLV_OK;
fail:
  clv_base_free(b);
  return rc;
}
