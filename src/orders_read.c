/*
 * orders_read.c - reading an order log (CSV) into an order table
 * (clv/orders.h): the core columns as the summariser finds them (columns.c),
 * plus the optional columns of the business layer: order id, product,
 * product name, category, channel, acquisition channel, store, quantity and
 * the cost of a row (a cost column, quantity x unit cost, or
 * amount x (1 - margin)). No paper; the rules are in docs/orders.md.
 *
 * One pass, one thread: every row is parsed where the scanner left it and
 * handed to clv_orders_add(), which copies its texts, so nothing is
 * allocated per row here. Rows without a customer id are kept (or are
 * errors) as the options say, and the report counts them with their money,
 * so that the company totals of the business layer add up to the log's.
 */
#include "orders_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "ingest.h"
#include "parse.h"
#include "summarize.h"

#define PROGRESS_ROWS 65536

/* The columns of a row and the reading state. */
typedef struct reader {
  clv__plan pl;
  int qty;                   /* quantity column kept, -1 = none */
  int attr[CLV_ATTR__COUNT]; /* text columns, -1 = none */
  size_t need;               /* fields a row must have */
  int skip, keep_anon;
  clv__csv *csv;
  clv_orders *t;
  clv_date_order hint;
  clv_orders_report *rep;
  clv_error fatal;
} reader;

void clv_orders_opts_init(clv_orders_opts *o) {
  memset(o, 0, sizeof *o);
  clv_ingest_opts_init(&o->ingest);
  o->keep_anonymous = 1;
}

static const clv__role attr_role[CLV_ATTR__COUNT] = {
    [CLV_ATTR_ORDER] = CLV__ROLE_ORDER,
    [CLV_ATTR_PRODUCT] = CLV__ROLE_PRODUCT,
    [CLV_ATTR_PRODUCT_NAME] = CLV__ROLE_PRODUCT_NAME,
    [CLV_ATTR_CATEGORY] = CLV__ROLE_CATEGORY,
    [CLV_ATTR_CHANNEL] = CLV__ROLE_CHANNEL,
    [CLV_ATTR_ACQ_CHANNEL] = CLV__ROLE_ACQ_CHANNEL,
    [CLV_ATTR_STORE] = CLV__ROLE_STORE,
};

static const char *const attr_label[CLV_ATTR__COUNT] = {
    "an order id", "a product id",           "a product name", "a category",
    "a channel",   "an acquisition channel", "a store",
};

/* ---- bad rows ----------------------------------------------------------- */

/* Records a bad row: skipped and remembered, or fatal. */
static int row_failed(reader *r, const clv_error *e) {
  clv_ingest_report *ir = &r->rep->ingest;
  if (!r->skip) {
    r->fatal = *e;
    return e->status ? e->status : CLV_EPARSE;
  }
  ir->rows_skipped++;
  if (ir->n_errors < CLV_INGEST_MAX_ERRORS)
    ir->errors[ir->n_errors++] = *e;
  return CLV_OK;
}

static int bad_field(reader *r, const clv__field *f, const char *expected) {
  clv_error e;
  clv__field_error(r->csv, f, expected, &e);
  return row_failed(r, &e);
}

/* ---- values ------------------------------------------------------------- */

/* Parses one data row into a table row and adds it. */
static int process_row(reader *r, const clv__field *f, size_t n) {
  const clv__plan *p = &r->pl;
  clv_orders_report *rep = r->rep;
  clv_order_row row;
  double amount = 0, q = 0;
  int32_t day;
  int rc;
  if (n < r->need) {
    clv_error e;
    clv__csv_error(r->csv, &e, clv__csv_line(r->csv),
                   (long)(f[n - 1].column + f[n - 1].len),
                   "expected %zu fields, found %zu", r->need, n);
    return row_failed(r, &e);
  }
  clv_order_row_init(&row);
  const clv__field *cf = &f[p->cust], *df = &f[p->date];
  if (cf->len == 0 && !r->keep_anon)
    return bad_field(r, cf, "a customer id");
  if (clv_date_parse(df->p, df->len, p->order, &r->hint, &day, NULL) != CLV_OK)
    return bad_field(r, df, "a date such as 2010-12-01");
  if (r->qty >= 0 && !clv__parse_double(f[r->qty].p, f[r->qty].len, &q))
    return bad_field(r, &f[r->qty], "a quantity such as 3");
  if (p->amount >= 0) {
    if (!clv__parse_amount(f[p->amount].p, f[p->amount].len, &amount))
      return bad_field(r, &f[p->amount], "an amount such as 12.50");
  } else if (p->qty >= 0) {
    double price;
    if (!clv__parse_amount(f[p->price].p, f[p->price].len, &price))
      return bad_field(r, &f[p->price], "a unit price such as 2.55");
    amount = q * price;
    if (!isfinite(amount))
      return bad_field(r, &f[p->qty], "a quantity x price within range");
  }
  if (!p->with_amount)
    amount = 0;
  if (!clv__order_ok(day, amount)) {
    if (!isfinite(amount))
      return bad_field(r, &f[p->amount >= 0 ? p->amount : p->qty],
                       "a finite amount");
    return bad_field(r, df, "a date within 270,000 years of 1970");
  }
  if (r->pl.cost.kind != CLV__COST_NONE) {
    const char *expected =
        clv__cost_of_row(&r->pl.cost, f, amount, q, &row.num[CLV_NUM_COST]);
    if (expected)
      return bad_field(r, &f[r->pl.cost.col], expected);
  }
  row.num[CLV_NUM_QUANTITY] = q;
  row.customer = cf->len ? cf->p : NULL;
  row.customer_len = cf->len;
  row.day = day;
  row.amount = amount;
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    if (r->attr[a] >= 0) {
      row.text[a] = f[r->attr[a]].p;
      row.text_len[a] = f[r->attr[a]].len;
    }
  rc = clv_orders_add(r->t, &row);
  if (rc == CLV_EDOMAIN)
    return bad_field(r, df, "a date and values the order table can hold");
  if (rc) {
    clv__csv_error(r->csv, &r->fatal, clv__csv_line(r->csv), 1, "%s",
                   clv_strerror(rc));
    r->fatal.status = rc;
    return rc;
  }
  rep->ingest.rows_used++;
  rep->amount_total += amount;
  if (cf->len == 0) {
    rep->rows_anonymous++;
    rep->amount_anonymous += amount;
  }
  if (rep->ingest.first_day == INT32_MIN || day < rep->ingest.first_day)
    rep->ingest.first_day = day;
  if (rep->ingest.last_day == INT32_MIN || day > rep->ingest.last_day)
    rep->ingest.last_day = day;
  return CLV_OK;
}

/* ---- columns ------------------------------------------------------------ */

/*
 * Picks the optional columns. The cost: a column named by the user wins
 * (cost, then unit cost, then margin); else the detected ones in the same
 * order, a unit cost only with a quantity and a margin only with an amount.
 */
static int pick_optional(reader *r, const clv_orders_opts *o,
                         const clv__field *f, size_t n, int header, char *why,
                         size_t why_size) {
  const clv__field *names = header ? f : NULL;
  clv_orders_report *rep = r->rep;
  char cols[300];
  clv__colname_list(cols, sizeof cols, f, n, header);
  /* The quantity is kept whenever there is one, also beside an amount. */
  r->qty = r->pl.qty;
  if (r->qty < 0)
    r->qty = clv__optional_col(o->ingest.quantity_col, CLV__ROLE_QUANTITY,
                               names, n, &r->pl);
  if (r->qty == -2) {
    snprintf(why, why_size, "expected a quantity column \"%s\", found %s",
             o->ingest.quantity_col, cols);
    return CLV_ENOCOLUMN;
  }
  for (int a = 0; a < CLV_ATTR__COUNT; a++) {
    r->attr[a] =
        clv__optional_col(o->attr_col[a], attr_role[a], names, n, &r->pl);
    if (r->attr[a] == -2) {
      snprintf(why, why_size, "expected %s column \"%s\", found %s",
               attr_label[a], o->attr_col[a], cols);
      return CLV_ENOCOLUMN;
    }
    clv__colname_copy(rep->attr_col[a], sizeof rep->attr_col[a], names,
                      r->attr[a]);
  }
  int rc = clv__cost_pick(&o->ingest, f, n, header, &r->pl, r->qty, &r->pl.cost,
                          rep->ingest.cost_col, sizeof rep->ingest.cost_col,
                          why, why_size);
  if (rc)
    return rc;
  r->need = r->pl.need;
  int extra[CLV_ATTR__COUNT + 2];
  memcpy(extra, r->attr, sizeof r->attr);
  extra[CLV_ATTR__COUNT] = r->qty;
  extra[CLV_ATTR__COUNT + 1] = r->pl.cost.col;
  for (int k = 0; k < CLV_ATTR__COUNT + 2; k++)
    if (extra[k] >= 0 && (size_t)extra[k] + 1 > r->need)
      r->need = (size_t)extra[k] + 1;
  return CLV_OK;
}

/* ---- the run ------------------------------------------------------------ */

static void report_progress(const reader *r, const clv_orders_opts *o) {
  if (o->ingest.progress)
    o->ingest.progress(o->ingest.progress_ctx, clv__csv_bytes_done(r->csv),
                       clv__csv_bytes_total(r->csv));
}

/* Reads path, or the buffer data/len when path is NULL. */
static int read_log(const char *path, const char *data, size_t len,
                    const clv_orders_opts *opts, clv_orders **out,
                    clv_orders_report *report, clv_error *err) {
  int rc, header;
  clv_orders_opts o;
  clv_orders_report rep_local, *rep = report ? report : &rep_local;
  clv__csv_opts co;
  reader *r = NULL;
  const clv__field *f;
  size_t n;
  char why[512], name[256];
  const char *more[CLV_ATTR__COUNT + 3];
  unsigned attrs = 0, nums = 0;

  if (opts)
    o = *opts;
  else
    clv_orders_opts_init(&o);
  if (out)
    *out = NULL;
  memset(rep, 0, sizeof *rep);
  rep->ingest.until_day = o.ingest.until_day;
  rep->ingest.holdout_day = o.ingest.holdout_day;
  rep->ingest.first_day = rep->ingest.last_day = INT32_MIN;
  rep->ingest.threads_used = 1;
  clv_error_clear(err);
  if (out == NULL)
    return CLV_EINVAL;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    return CLV_ENOMEM;
  r->rep = rep;
  r->skip = o.ingest.skip_errors;
  r->keep_anon = o.keep_anonymous;
  r->hint = CLV_DATE_AUTO;
  memset(&co, 0, sizeof co);
  co.delimiter = o.ingest.delimiter;
  rc = path ? clv__csv_open_path(&r->csv, path, NULL, &co, err)
            : clv__csv_open_mem(&r->csv, data, len, "<memory>", 1, &co, err);
  if (rc)
    goto done;
  snprintf(name, sizeof name, "%s", clv__csv_name(r->csv));
  /* The first row decides the header and the columns; a scanner error on
   * it is fatal even with skip_errors, as in the summariser. */
  rc = clv__csv_next(r->csv, &f, &n, err);
  if (rc)
    goto done;
  if (n == 0) {
    rc = clv__fill_error(err, CLV_EEMPTY, name, 0,
                         "expected order rows, found an empty input");
    goto done;
  }
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    more[a] = o.attr_col[a];
  more[CLV_ATTR__COUNT] = o.ingest.cost_col;
  more[CLV_ATTR__COUNT + 1] = o.ingest.unit_cost_col;
  more[CLV_ATTR__COUNT + 2] = o.ingest.margin_col;
  header = clv__detect_header(&o.ingest, more, CLV_ATTR__COUNT + 3, f, n);
  rc = clv__pick_columns(&o.ingest, f, n, header, &r->pl, &rep->ingest, why,
                         sizeof why);
  if (rc == CLV_OK)
    rc = pick_optional(r, &o, f, n, header, why, sizeof why);
  if (rc) {
    clv__fill_error(err, rc, name, clv__csv_line(r->csv), why);
    goto done;
  }
  rep->ingest.header = header;
  rep->ingest.delimiter = clv__csv_delimiter(r->csv);
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    if (r->attr[a] >= 0)
      attrs |= 1u << a;
  if (r->qty >= 0)
    nums |= 1u << CLV_NUM_QUANTITY;
  if (r->pl.cost.kind != CLV__COST_NONE)
    nums |= 1u << CLV_NUM_COST;
  rc = clv_orders_new(&r->t, attrs, nums);
  if (rc)
    goto done;
  if (!header) {
    /* The first row was data: count and use it. */
    rep->ingest.rows++;
    rc = process_row(r, f, n);
  }
  while (rc == CLV_OK) {
    clv_error e;
    rc = clv__csv_next(r->csv, &f, &n, &e);
    if (rc == CLV_EPARSE) {
      rep->ingest.rows++;
      rc = row_failed(r, &e);
      continue;
    }
    if (rc) {
      r->fatal = e;
      break;
    }
    if (n == 0)
      break;
    rep->ingest.rows++;
    rc = process_row(r, f, n);
    if ((rep->ingest.rows & (PROGRESS_ROWS - 1)) == 0)
      report_progress(r, &o);
  }
  if (rc) {
    if (err)
      *err = r->fatal;
    goto done;
  }
  report_progress(r, &o);
  rep->ingest.date_order_used =
      r->pl.order != CLV_DATE_AUTO ? r->pl.order : r->hint;
  rep->ingest.customers = clv_orders_customers(r->t);
  if (clv_orders_rows(r->t) == 0) {
    rc = clv__fill_error(err, CLV_EEMPTY, name, 0,
                         "expected order rows, found none that could be used");
    goto done;
  }
  *out = r->t;
  r->t = NULL;
done:
  if (r) {
    clv_orders_free(r->t);
    clv__csv_close(r->csv);
    free(r);
  }
  return rc;
}

int clv_orders_read(const char *path, const clv_orders_opts *o,
                    clv_orders **out, clv_orders_report *report,
                    clv_error *err) {
  if (path == NULL) {
    if (out)
      *out = NULL;
    return CLV_EINVAL;
  }
  return read_log(path, NULL, 0, o, out, report, err);
}

int clv__orders_read_mem(const char *data, size_t len, const clv_orders_opts *o,
                         clv_orders **out, clv_orders_report *report,
                         clv_error *err) {
  return read_log(NULL, data, len, o, out, report, err);
}
