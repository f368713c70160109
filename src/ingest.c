/*
 * ingest.c - the order-log driver: CSV scanner -> value parsers ->
 * summariser, with header and column detection, error policy, replay and a
 * two-thread split. No paper; the summary itself is summarize.c's.
 *
 * Flow: the first row decides header or not and the columns (columns.c).
 * Then every data row is parsed and queued in a batch of BATCH rows that
 * the summariser applies with overlapped cache misses. When the input is
 * one contiguous buffer (a regular file or memory), two threads each scan
 * ALL of it but parse and apply only the rows whose customer-id hash falls
 * in their half, each into its own summariser: scanning is cheap, the
 * per-customer updates are the cost, and no customer is in both halves, so
 * memory stays one state per customer and nothing needs merging; the rows
 * come out interleaved by first appearance. Customers whose rows came out
 * of order are rebuilt by a replay pass over the whole input
 * (clv__csv_rewind(); stdin is spooled by the scanner for that).
 */
#include "ingest.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "parse.h"

#define DEFAULT_MIN_SPLIT (4u << 20) /* below 4 MiB a thread costs more */
#define PROGRESS_ROWS 65536
#define BATCH 256      /* rows per clv__summarizer_add_batch() */
#define BATCH_IDS 4096 /* bytes of ids copied per batch */

void clv_ingest_opts_init(clv_ingest_opts *o) {
  memset(o, 0, sizeof *o);
  o->header = -1;
  o->date_order = CLV_DATE_AUTO;
  o->unit = CLV_UNIT_DAY;
  o->period = CLV_PERIOD_DAY;
  o->until_day = INT32_MIN;
  o->holdout_day = INT32_MIN;
  o->threads = 2;
}

/* Where the values of a row are (columns.c picks them). */
typedef clv__plan plan;

/* One scanning job: a scanner, a summariser and the error policy. */
typedef struct worker {
  const plan *pl;
  clv__csv *csv;
  clv__summarizer *sum;
  int skip, replay;
  /* -1: every row; 0 or 1: only rows whose id hash has this top bit (the
   * other half is another worker's; worker 0 also reports the rows that
   * cannot be attributed, which worker 1 ignores). */
  int part;
  int reporter; /* calls the progress callback (the calling thread only) */
  clv_date_order hint;
  uint64_t rows, rows_skipped;
  clv_error errors[CLV_INGEST_MAX_ERRORS];
  size_t n_errors;
  clv_error fatal;
  int rc;
  /* Progress: the calling thread's worker reports, adding the other's. */
  const clv_ingest_opts *o;
  _Atomic uint64_t *other_done;
  _Atomic uint64_t done;
  uint64_t total;
  /* Rows parsed but not yet applied; their ids are copied into ids[],
   * since a streaming scanner reuses its buffer. */
  clv__order batch[BATCH];
  size_t nb, ids_len;
  char ids[BATCH_IDS];
} worker;

/* Applies the queued rows. */
static int flush_rows(worker *w) {
  int rc = CLV_OK;
  if (w->nb)
    rc = clv__summarizer_add_batch(w->sum, w->batch, w->nb);
  w->nb = 0;
  w->ids_len = 0;
  if (rc) {
    clv_error_clear(&w->fatal);
    w->fatal.status = rc;
    snprintf(w->fatal.message, sizeof w->fatal.message, "%s", clv_strerror(rc));
  }
  return rc;
}

/* Queues one row (the id is copied), applying the batch when full. */
static int queue_row(worker *w, const clv__field *id, uint64_t hash,
                     int32_t day, double amount) {
  int rc;
  if (w->nb == BATCH || id->len > BATCH_IDS - w->ids_len) {
    rc = flush_rows(w);
    if (rc)
      return rc;
  }
  clv__order *r = &w->batch[w->nb];
  if (id->len <= BATCH_IDS) {
    memcpy(w->ids + w->ids_len, id->p, id->len);
    r->id = w->ids + w->ids_len;
    w->ids_len += id->len;
  } else {
    r->id = id->p; /* a huge id: applied at once, while it is valid */
  }
  r->id_len = id->len;
  r->hash = hash;
  r->seq = (uint64_t)clv__csv_line(w->csv);
  r->day = day;
  r->amount = amount;
  w->nb++;
  if (id->len > BATCH_IDS)
    return flush_rows(w);
  return CLV_OK;
}

/* Records a bad row: skipped and remembered, or fatal. */
static int row_failed(worker *w, const clv_error *e) {
  if (w->replay)
    return CLV_OK; /* already counted by the first pass */
  if (!w->skip) {
    w->fatal = *e;
    return e->status ? e->status : CLV_EPARSE;
  }
  w->rows_skipped++;
  if (w->n_errors < CLV_INGEST_MAX_ERRORS)
    w->errors[w->n_errors++] = *e;
  return CLV_OK;
}

static int bad_field(worker *w, const clv__field *f, const char *expected) {
  clv_error e;
  char text[64];
  if (f->len == 0)
    clv__csv_error(w->csv, &e, clv__csv_line(w->csv), (long)f->column,
                   "expected %s, found an empty field", expected);
  else
    clv__csv_error(w->csv, &e, clv__csv_line(w->csv), (long)f->column,
                   "expected %s, found \"%s\"", expected,
                   clv__field_text(f, text, sizeof text));
  return row_failed(w, &e);
}

static int process_row(worker *w, const clv__field *f, size_t n) {
  const plan *p = w->pl;
  int32_t day;
  double amount = 0;
  if (n < p->need) {
    clv_error e;
    if (w->part > 0)
      return CLV_OK;
    clv__csv_error(w->csv, &e, clv__csv_line(w->csv),
                   (long)(f[n - 1].column + f[n - 1].len),
                   "expected %zu fields, found %zu", p->need, n);
    return row_failed(w, &e);
  }
  const clv__field *cf = &f[p->cust], *df = &f[p->date];
  uint64_t hash = clv__hash_bytes(cf->p, cf->len);
  if (w->part >= 0 && (int)(hash >> 63) != w->part)
    return CLV_OK;
  if (cf->len == 0)
    return bad_field(w, cf, "a customer id");
  if (clv_date_parse(df->p, df->len, p->order, &w->hint, &day, NULL) != CLV_OK)
    return bad_field(w, df, "a date such as 2010-12-01");
  if (p->amount >= 0) {
    if (!clv__parse_amount(f[p->amount].p, f[p->amount].len, &amount))
      return bad_field(w, &f[p->amount], "an amount such as 12.50");
  } else if (p->qty >= 0) {
    double q, price;
    if (!clv__parse_double(f[p->qty].p, f[p->qty].len, &q))
      return bad_field(w, &f[p->qty], "a quantity such as 3");
    if (!clv__parse_amount(f[p->price].p, f[p->price].len, &price))
      return bad_field(w, &f[p->price], "a unit price such as 2.55");
    amount = q * price;
    if (!isfinite(amount))
      return bad_field(w, &f[p->qty], "a quantity x price within range");
  }
  if (!p->with_amount)
    amount = 0;
  if (!clv__order_ok(day, amount)) {
    if (!isfinite(amount))
      return bad_field(w, &f[p->amount >= 0 ? p->amount : p->qty],
                       "a finite amount");
    return bad_field(w, df, "a date within 270,000 years of 1970");
  }
  return queue_row(w, cf, hash, day, amount);
}

static void report_progress(worker *w) {
  uint64_t done = clv__csv_bytes_done(w->csv);
  atomic_store(&w->done, done);
  if (!w->reporter || w->o->progress == NULL)
    return;
  if (w->other_done)
    done += atomic_load(w->other_done);
  w->o->progress(w->o->progress_ctx, done, w->total);
}

/* Scans rows to the end (or the first fatal error). */
static int run_rows(worker *w) {
  const clv__field *f;
  size_t n;
  clv_error e;
  int rc;
  for (;;) {
    rc = clv__csv_next(w->csv, &f, &n, &e);
    if (rc == CLV_EPARSE) {
      if (w->part > 0)
        continue;
      if (!w->replay)
        w->rows++;
      rc = row_failed(w, &e);
      if (rc)
        break;
      continue;
    }
    if (rc) {
      w->fatal = e;
      break;
    }
    if (n == 0) {
      rc = flush_rows(w);
      break;
    }
    if (!w->replay)
      w->rows++;
    rc = process_row(w, f, n);
    if (rc)
      break;
    if ((w->rows & (PROGRESS_ROWS - 1)) == 0 && !w->replay)
      report_progress(w);
  }
  w->rc = rc;
  return rc;
}

static void *run_thread(void *arg) {
  run_rows(arg);
  return NULL;
}

/* ---- the run ------------------------------------------------------------- */

static void worker_init(worker *w, const plan *pl, const clv_ingest_opts *o) {
  memset(w, 0, sizeof *w);
  w->pl = pl;
  w->o = o;
  w->skip = o->skip_errors;
  w->hint = CLV_DATE_AUTO;
  w->part = -1;
}

/* Keeps the first errors of two workers in line order. */
static void merge_errors(worker *a, const worker *b) {
  clv_error all[2 * CLV_INGEST_MAX_ERRORS];
  size_t i = 0, j = 0, n = 0;
  while ((i < a->n_errors || j < b->n_errors) && n < CLV_INGEST_MAX_ERRORS) {
    if (j >= b->n_errors ||
        (i < a->n_errors && a->errors[i].line <= b->errors[j].line))
      all[n++] = a->errors[i++];
    else
      all[n++] = b->errors[j++];
  }
  memcpy(a->errors, all, n * sizeof *all);
  a->n_errors = n;
  a->rows_skipped += b->rows_skipped;
}

/* Opens a worker's scanner on the whole buffer, past the header line. */
static int open_part(worker *w, const char *buf, size_t len, int header,
                     const clv__csv_opts *co, const char *name) {
  const clv__field *f;
  size_t n;
  int rc = clv__csv_open_mem(&w->csv, buf, len, name, 1, co, &w->fatal);
  if (rc == CLV_OK && header)
    rc = clv__csv_next(w->csv, &f, &n, &w->fatal);
  return rc;
}

/*
 * Two threads over the whole buffer, each applying the rows of its half of
 * the customers (by id hash) to its own summariser: a->sum and *b_sum (made
 * here with the same options; the caller frees it). Worker a counts the
 * rows. Sets *redo when a day/month order was learnt from the data, since
 * each half learns it from its own rows, which can differ from reading the
 * file in one go (then the caller starts over serially).
 */
static int run_parts(worker *a, const char *buf, size_t len, int header,
                     const plan *pl, const clv__summarizer_opts *so,
                     const clv__csv_opts *co, const char *name,
                     clv__summarizer **b_sum, int *redo) {
  int rc;
  worker *b = NULL;
  pthread_t th;
  int threaded = 0;
  *redo = 0;
  b = malloc(sizeof *b);
  if (b == NULL)
    return CLV_ENOMEM;
  worker_init(b, pl, a->o);
  a->part = 0;
  b->part = 1;
  rc = clv__summarizer_new(&b->sum, so);
  if (rc)
    goto done;
  rc = open_part(a, buf, len, header, co, name);
  if (rc == CLV_OK)
    rc = open_part(b, buf, len, header, co, name);
  if (rc)
    goto done;
  a->total = len;
  threaded = pthread_create(&th, NULL, run_thread, b) == 0;
  run_rows(a);
  if (threaded)
    pthread_join(th, NULL);
  else
    run_rows(b);
  merge_errors(a, b);
  /* Both stop at their first fatal row: the earlier one is the answer. */
  if (b->rc && (!a->rc || b->fatal.line < a->fatal.line)) {
    a->fatal = b->fatal;
    a->rc = b->rc;
  }
  if (a->rc) {
    rc = a->rc;
    goto done;
  }
  if (pl->order == CLV_DATE_AUTO &&
      (a->hint != CLV_DATE_AUTO || b->hint != CLV_DATE_AUTO)) {
    *redo = 1;
    goto done;
  }
done:
  a->part = -1;
  clv__csv_close(a->csv);
  a->csv = NULL;
  clv__csv_close(b->csv);
  *b_sum = b->sum;
  free(b);
  return rc;
}

static int fill_error(clv_error *err, int status, const char *name, long line,
                      const char *msg) {
  if (err) {
    clv_error_clear(err);
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", name ? name : "");
    err->line = line;
    err->column = line ? 1 : 0;
    snprintf(err->message, sizeof err->message, "%s", msg);
  }
  return status;
}

int clv__summarize(const char *path, const char *data, size_t len,
                   const clv_ingest_opts *opts, size_t min_split,
                   clv_summary **out, clv__row_fn fn, void *ctx,
                   unsigned *columns, clv_ingest_report *report,
                   clv_error *err) {
  int rc;
  clv_ingest_opts o;
  clv_ingest_report rep_local, *rep = report ? report : &rep_local;
  clv__csv *c = NULL;
  clv__csv_opts co;
  clv__summarizer_opts so;
  clv__summarizer_stats st;
  plan pl;
  worker w;
  const clv__field *f;
  size_t n;
  char why[512], name[256];
  int header, redo = 0, split;
  long header_line = 0;
  clv__summarizer *sum2 = NULL, *sums[2];
  size_t nsums;
  const char *buf;
  size_t buf_len;

  if (opts)
    o = *opts;
  else
    clv_ingest_opts_init(&o);
  if (out)
    *out = NULL;
  memset(rep, 0, sizeof *rep);
  rep->until_day = o.until_day;
  rep->holdout_day = o.holdout_day;
  rep->first_day = rep->last_day = INT32_MIN;
  clv_error_clear(err);
  memset(&pl, 0, sizeof pl);
  worker_init(&w, &pl, &o);
  w.reporter = 1;
  memset(&co, 0, sizeof co);
  co.delimiter = o.delimiter;
  co.rewindable = 1;
  rc = path ? clv__csv_open_path(&c, path, NULL, &co, err)
            : clv__csv_open_mem(&c, data, len, "<memory>", 1, &co, err);
  if (rc)
    goto fail;
  snprintf(name, sizeof name, "%s", clv__csv_name(c));
  /* The first row decides the header and the columns. Scanner errors on it
   * are fatal even with skip_errors: nothing else can be decided. */
  rc = clv__csv_next(c, &f, &n, err);
  if (rc)
    goto fail;
  if (n == 0) {
    rc = fill_error(err, CLV_EEMPTY, name, 0,
                    "expected order rows, found an empty input");
    goto fail;
  }
  header = clv__detect_header(&o, NULL, 0, f, n);
  header_line = clv__csv_line(c);
  rc = clv__pick_columns(&o, f, n, header, &pl, rep, why, sizeof why);
  if (rc) {
    fill_error(err, rc, name, header_line, why);
    goto fail;
  }
  rep->header = header;
  rep->delimiter = clv__csv_delimiter(c);
  co.delimiter = rep->delimiter;
  memset(&so, 0, sizeof so);
  so.period = o.period;
  so.unit = o.unit;
  so.until_day = o.until_day;
  so.holdout_day = o.holdout_day;
  so.with_amount = pl.with_amount;
  split = o.threads > 1 && clv__csv_buffer(c, &buf, &buf_len) == CLV_OK &&
          buf_len >= min_split;
  so.track_seq = split;
  rc = clv__summarizer_new(&w.sum, &so);
  if (rc) {
    fill_error(err, rc, "", 0,
               o.holdout_day != INT32_MIN && o.until_day != INT32_MIN &&
                       o.holdout_day > o.until_day
                   ? "the holdout start is after the observation end"
                   : "the time unit does not fit the period (weekly periods "
                     "take day or week, monthly periods month)");
    goto fail;
  }
  rep->threads_used = 1;
  w.total = clv__csv_bytes_total(c);
  if (split) {
    rep->threads_used = 2;
    rc = run_parts(&w, buf, buf_len, header, &pl, &so, &co, name, &sum2, &redo);
    if (rc) {
      if (err)
        *err = w.fatal;
      goto fail;
    }
    if (redo) {
      /* Start over serially with a fresh summariser. */
      clv__summarizer_free(w.sum);
      clv__summarizer_free(sum2);
      sum2 = NULL;
      worker_init(&w, &pl, &o);
      w.reporter = 1;
      so.track_seq = 0;
      rc = clv__summarizer_new(&w.sum, &so);
      if (rc)
        goto fail;
      rep->threads_used = 1;
    }
  }
  if (rep->threads_used == 1) {
    if (redo) {
      rc = clv__csv_rewind(c);
      if (rc == CLV_OK)
        rc = clv__csv_next(c, &f, &n, err);
      if (rc)
        goto fail;
    }
    w.csv = c;
    w.total = clv__csv_bytes_total(c);
    if (!header) {
      /* The first row was data: count and use it. */
      w.rows++;
      rc = process_row(&w, f, n);
    }
    if (rc == CLV_OK)
      rc = run_rows(&w);
    if (rc) {
      if (err)
        *err = w.fatal;
      goto fail;
    }
  }
  sums[0] = w.sum;
  sums[1] = sum2;
  nsums = sum2 ? 2 : 1;
  rep->replayed_customers = 0;
  for (size_t k = 0; k < nsums; k++) {
    if (!clv__summarizer_needs_replay(sums[k]))
      continue;
    /* Out-of-order rows: feed everything again (serially, from the same
     * date-order start, so every row parses as it did the first time; with
     * two halves, one pass per half that needs it). */
    worker *r = malloc(sizeof *r);
    if (r == NULL) {
      rc = CLV_ENOMEM;
      goto fail;
    }
    clv__summarizer_stats_get(sums[k], &st);
    rep->replayed_customers += st.replayed_customers;
    worker_init(r, &pl, &o);
    r->replay = 1;
    r->part = nsums > 1 ? (int)k : -1;
    r->sum = sums[k];
    r->csv = c;
    rc = clv__summarizer_begin_replay(sums[k]);
    if (rc == CLV_OK)
      rc = clv__csv_rewind(c);
    if (rc == CLV_OK && header)
      rc = clv__csv_next(c, &f, &n, err);
    if (rc == CLV_OK)
      rc = run_rows(r);
    if (rc && err && r->fatal.message[0])
      *err = r->fatal;
    free(r);
    if (rc)
      goto fail;
  }
  rep->rows_skipped = w.rows_skipped;
  rep->n_errors = w.n_errors;
  memcpy(rep->errors, w.errors, sizeof w.errors);
  rep->date_order_used = pl.order != CLV_DATE_AUTO ? pl.order : w.hint;
  if (columns)
    *columns = clv__summarizer_columns(w.sum);
  if (fn)
    rc = clv__summarizer_each_multi(sums, nsums, fn, ctx, &st);
  else
    rc = clv__summarizer_finish_multi(sums, nsums, out, &st);
  rep->rows = w.rows;
  rep->rows_used = st.rows_used;
  rep->rows_after_until = st.rows_after_until;
  rep->customers = st.customers;
  rep->customers_holdout_only = st.customers_holdout_only;
  rep->customers_no_purchase = st.customers_no_purchase;
  rep->replayed_customers = st.replayed_customers;
  rep->spend_excluded = st.spend_excluded;
  rep->first_day = st.first_day;
  rep->last_day = st.last_day;
  rep->until_day = st.until_day;
  rep->holdout_day = st.holdout_day;
  rep->peak_state_bytes = st.peak_bytes;
  if (rc == CLV_EEMPTY)
    fill_error(err, rc, name, 0,
               rep->rows_after_until
                   ? "expected order rows up to the observation end, found "
                     "only later ones"
                   : "expected order rows, found none that could be used");
  else if (rc == CLV_EINVAL)
    fill_error(err, rc, name, 0,
               "the holdout start is after the last date in the log");
  else if (rc && rc != CLV_ENOMEM && err && err->message[0] == '\0')
    fill_error(err, rc, name, 0, clv_strerror(rc));
  if (rc)
    goto fail;
  clv__summarizer_free(w.sum);
  clv__summarizer_free(sum2);
  clv__csv_close(c);
  return CLV_OK;
fail:
  rep->rows = rep->rows ? rep->rows : w.rows;
  rep->rows_skipped = w.rows_skipped;
  clv__summarizer_free(w.sum);
  clv__summarizer_free(sum2);
  clv__csv_close(c);
  return rc;
}

int clv_summarize_file(const char *path, const clv_ingest_opts *o,
                       clv_summary **out, clv_ingest_report *report,
                       clv_error *err) {
  if (path == NULL || out == NULL)
    return CLV_EINVAL;
  return clv__summarize(path, NULL, 0, o, DEFAULT_MIN_SPLIT, out, NULL, NULL,
                        NULL, report, err);
}

/* Writes the header once the columns are known (the first row). */
typedef struct stream_ctx {
  clv__row_writer w;
  const unsigned *columns;
} stream_ctx;

static int stream_row(void *ctx, const char *id, size_t id_len,
                      const clv_summary_row *row) {
  stream_ctx *s = ctx;
  if (!s->w.wrote_header) {
    int rc;
    s->w.columns = *s->columns;
    if ((rc = clv__writer_header(&s->w)) != CLV_OK)
      return rc;
  }
  return clv__writer_row(&s->w, id, id_len, row);
}

int clv_summarize_file_write(const char *path, const clv_ingest_opts *o,
                             FILE *f, clv_format format,
                             clv_ingest_report *report, clv_error *err) {
  int rc;
  unsigned columns = 0;
  stream_ctx s;
  if (path == NULL || f == NULL)
    return CLV_EINVAL;
  memset(&s, 0, sizeof s);
  s.w.f = f;
  s.w.format = format;
  s.columns = &columns;
  rc = clv__summarize(path, NULL, 0, o, DEFAULT_MIN_SPLIT, NULL, stream_row, &s,
                      &columns, report, err);
  int close_rc = clv__writer_close(&s.w);
  if (rc == CLV_OK)
    rc = close_rc;
  if (rc == CLV_OK && (fflush(f) != 0 || ferror(f)))
    rc = CLV_EIO;
  return rc;
}
