/*
 * ingest.c - the order-log driver: CSV scanner -> value parsers ->
 * summariser, with header and column detection, error policy, replay and a
 * two-thread split. No paper; the summary itself is summarize.c's.
 *
 * Flow: the first row decides header or not and the columns (columns.c).
 * Then every data row is parsed and queued in a batch of BATCH rows that
 * the summariser applies with overlapped cache misses. When the input is
 * one contiguous buffer (a regular file or memory), two threads share it in
 * chunks (run_chunks()): each scans and parses every other chunk and sorts
 * its rows by the top bit of the customer-id hash, and each applies one
 * hash half of every chunk, in chunk order, to its own summariser. So each
 * row is scanned once, no customer is in both summarisers (memory stays one
 * state per customer, nothing is merged), and the rows come out
 * interleaved by first appearance, written by both threads in blocks
 * (write_par()). An input whose chunks cannot be cut at line feeds (quotes
 * around line breaks) is read by the older split instead (run_parts():
 * both threads scan all of it, each applying its half). Customers whose
 * rows came out of order are rebuilt by a replay pass over the whole input
 * (clv__csv_rewind(); stdin is spooled by the scanner for that).
 */
#include "ingest.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "fastsplit.h"
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
  /* The date part of the last ISO date parsed and its day (see
   * parse_day()); dcache_ok is 0 until one was parsed. */
  char dkey[10];
  int32_t dday;
  int dcache_ok;
  uint64_t rows, rows_skipped;
  /* With costs: net amount and cost of the rows up to the observation end
   * (not during a replay, which sees the rows again). */
  clv__ksum revenue, cost;
  clv_error errors[CLV_INGEST_MAX_ERRORS];
  size_t n_errors;
  clv_error fatal;
  int rc;
  /* Progress: the calling thread's worker reports, adding the other's. */
  const clv_ingest_opts *o;
  _Atomic uint64_t *other_done;
  _Atomic uint64_t done;
  uint64_t total;
  /* Chunk mode (run_chunks()): parsed rows go to this chunk's lists by
   * owner instead of the batch; seq_base is the chunk's byte offset. */
  struct chunk *chunk;
  uint64_t seq_base;
  /* Rows parsed but not yet applied; their ids are copied into ids[],
   * since a streaming scanner reuses its buffer. */
  clv__order batch[BATCH];
  size_t nb, ids_len;
  char ids[BATCH_IDS];
} worker;

/* Fills e with a status that has no row to point at (memory, I/O). */
static void status_error(clv_error *e, int rc) {
  clv_error_clear(e);
  e->status = rc;
  snprintf(e->message, sizeof e->message, "%s", clv_strerror(rc));
}

/* Applies the queued rows. */
static int flush_rows(worker *w) {
  int rc = CLV_OK;
  if (w->nb)
    rc = clv__summarizer_add_batch(w->sum, w->batch, w->nb);
  w->nb = 0;
  w->ids_len = 0;
  if (rc) {
    status_error(&w->fatal, rc);
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

/* ---- chunk mode: each thread scans half of the input --------------------
 *
 * The input (one contiguous buffer) is cut into chunks of about
 * CHUNK_BYTES at line feeds. Thread t parses chunks t, t + 2, ... into two
 * lists of rows, one per owner (the top bit of the id hash, as in the hash
 * split), and applies the rows that it owns of every chunk, in chunk
 * order, to its own summariser. So every row is scanned and parsed once,
 * each customer's rows still reach its summariser in input order, and
 * memory is NSLOT chunks of parsed rows. Line numbers of a chunk are
 * counted from its start and made absolute in chunk order. A chunk cut
 * inside a quoted field shows as a scanner error (an unterminated quote or
 * text after a closing quote) in the chunk before: any scanner error, or a
 * chunk that starts with a byte-order mark, abandons chunk mode and the
 * caller starts over with the hash split, which reads the input whole.
 */
#define CHUNK_BYTES ((size_t)1 << 20)
#define NSLOT 4

typedef struct chunk {
  size_t index; /* the chunk held, SIZE_MAX when the slot is free */
  int parsed;
  int applied[2];
  clv__order *rows[2]; /* ids point into the input buffer */
  size_t n[2], cap[2];
  uint64_t nrows;          /* data rows (counted as worker.rows counts them) */
  clv__ksum revenue, cost; /* with costs (worker.revenue, worker.cost) */
  long lines;              /* line feeds in the chunk */
  clv_error errors[CLV_INGEST_MAX_ERRORS];
  size_t n_errors;
  uint64_t skipped;
  int fatal_rc; /* a fatal row (fail mode): fatal holds it */
  clv_error fatal;
} chunk;

static int chunk_row(worker *w, const char *id, size_t id_len, uint64_t hash,
                     int32_t day, double amount, uint64_t seq) {
  chunk *k = w->chunk;
  int t = (int)(hash >> 63);
  if (k->n[t] == k->cap[t]) {
    size_t cap = k->cap[t] ? 2 * k->cap[t] : 4096;
    clv__order *r = realloc(k->rows[t], cap * sizeof *r);
    if (r == NULL)
      return CLV_ENOMEM;
    k->rows[t] = r;
    k->cap[t] = cap;
  }
  clv__order *r = &k->rows[t][k->n[t]++];
  r->id = id;
  r->id_len = id_len;
  r->hash = hash;
  r->seq = seq;
  r->day = day;
  r->amount = amount;
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
  clv__field_error(w->csv, f, expected, &e);
  return row_failed(w, &e);
}

static inline int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* 1 when the 19-byte field s is "YYYY-MM-DD HH:MM:SS" (or 'T' between)
 * with a valid time of day: exactly the shape that clv_date_parse() reads
 * on its fixed-offset fast path, where the day depends on the first ten
 * bytes only. */
static inline int iso_time_ok(const char *s) {
  uint64_t v, t;
  if (s[10] != ' ' && s[10] != 'T')
    return 0;
  /* "HH:MM:SS" as one word (byte i = s[11 + i]), xor'ed with "00:00:00":
   * a digit becomes 0..9 and a colon 0, so the shape holds when the colon
   * bytes are 0 and no byte is 10 or more (adding 0x76 sets the top bit of
   * exactly those; a byte with the top bit already set is caught by the
   * "| t"). */
  memcpy(&v, s + 11, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  t = v ^ 0x30303A30303A3030ull;
  if ((t & 0x0000FF0000FF0000ull) != 0 ||
      ((t + 0x7676767676767676ull) | t) & 0x8080808080808080ull)
    return 0;
#define DIGIT(i) ((unsigned)(t >> (8 * (i))) & 0xFFu)
  return DIGIT(0) * 10 + DIGIT(1) <= 23 && DIGIT(3) <= 5 &&
         DIGIT(6) * 10 + DIGIT(7) <= 60;
#undef DIGIT
}

/* 1 when the field is an ISO date (or date and time) of the day parsed
 * last: parse_day()'s cache test, inline for the hot path. The cache is
 * only ever filled from an ISO date, so it is empty for Unix seconds. */
static inline int same_day(const worker *w, const char *s, size_t n) {
  uint64_t a, k;
  if (!w->dcache_ok || (n != 10 && n != 19))
    return 0;
  memcpy(&a, s, 8);
  memcpy(&k, w->dkey, 8);
  return a == k && s[8] == w->dkey[8] && s[9] == w->dkey[9] &&
         (n == 10 || iso_time_ok(s));
}

/*
 * The day of a date field. A log sorted by time has long runs of rows on
 * one day, and the calendar conversion is the costly part of a parse, so
 * the date part of the last ISO date is kept: a field of the same shape
 * with the same first ten bytes has the same day (clv_date_parse() would
 * give it, since its ISO fast path reads the day from those bytes alone).
 * Everything else goes to clv_date_parse().
 */
static int parse_day(worker *w, const clv__field *df, clv_date_order order,
                     int32_t *day) {
  const char *s = df->p;
  if (same_day(w, s, df->len)) {
    *day = w->dday;
    return CLV_OK;
  }
  int iso = order != CLV_DATE_UNIX &&
            (df->len == 10 || (df->len == 19 && iso_time_ok(s)));
  int rc = clv_date_parse(s, df->len, order, &w->hint, day, NULL);
  if (rc == CLV_OK && iso && s[4] == '-' && s[7] == '-' && is_digit(s[0]) &&
      is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && is_digit(s[5]) &&
      is_digit(s[6]) && is_digit(s[8]) && is_digit(s[9])) {
    memcpy(w->dkey, s, 10);
    w->dday = *day;
    w->dcache_ok = 1;
  }
  return rc;
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
  if (parse_day(w, df, p->order, &day) != CLV_OK)
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
  if (p->cost.kind != CLV__COST_NONE) {
    /* Checked in the replay too: a row skipped for its cost the first time
     * must be skipped again. */
    double q = 0, cost;
    const char *expected;
    if (p->cost.kind == CLV__COST_UNIT &&
        !clv__parse_double(f[p->cost.qty].p, f[p->cost.qty].len, &q))
      return bad_field(w, &f[p->cost.qty], "a quantity such as 3");
    if ((expected = clv__cost_of_row(&p->cost, f, amount, q, &cost)) != NULL)
      return bad_field(w, &f[p->cost.col], expected);
    if (!w->replay &&
        (w->o->until_day == INT32_MIN || day <= w->o->until_day)) {
      clv__ksum_add(&w->revenue, amount);
      clv__ksum_add(&w->cost, cost);
    }
  }
  if (w->chunk)
    return chunk_row(w, cf->p, cf->len, hash, day, amount,
                     w->seq_base + clv__csv_bytes_done(w->csv));
  return queue_row(w, cf, hash, day, amount);
}

/* With costs: the cost columns (cost.c), and the quantity a unit cost is
 * multiplied by (the amount's, or one found beside an amount). */
static int pick_costs(const clv_ingest_opts *o, const clv__field *f, size_t n,
                      int header, plan *pl, clv_ingest_report *rep, char *why,
                      size_t why_size) {
  int qty = pl->qty;
  if (qty < 0)
    qty = clv__optional_col(o->quantity_col, CLV__ROLE_QUANTITY,
                            header ? f : NULL, n, pl);
  if (qty < 0)
    qty = -1;
  int rc = clv__cost_pick(o, f, n, header, pl, qty, &pl->cost, rep->cost_col,
                          sizeof rep->cost_col, why, why_size);
  if (rc)
    return rc;
  if (pl->cost.kind != CLV__COST_NONE) {
    if ((size_t)pl->cost.col + 1 > pl->need)
      pl->need = (size_t)pl->cost.col + 1;
    if (pl->cost.kind == CLV__COST_UNIT && (size_t)qty + 1 > pl->need)
      pl->need = (size_t)qty + 1;
  }
  return CLV_OK;
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

/* Adds the running sum b to a (both parts, so that the compensation of
 * each is kept). */
static void ksum_merge(clv__ksum *a, const clv__ksum *b) {
  clv__ksum_add(a, b->s);
  clv__ksum_add(a, b->c);
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
  ksum_merge(&a->revenue, &b->revenue);
  ksum_merge(&a->cost, &b->cost);
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

/* The chunk run shared by both threads; the fields after `mu` are guarded
 * by it. */
typedef struct chunk_run {
  const char *buf;
  size_t len;
  size_t *starts; /* chunk j is bytes [starts[j], starts[j + 1]) */
  size_t nchunks;
  const plan *pl;
  const clv__csv_opts *co;
  const char *name;
  const clv_ingest_opts *o;
  clv__summarizer *sum[2];
  pthread_mutex_t mu;
  pthread_cond_t cv;
  chunk slots[NSLOT];
  int fast;    /* plan and delimiter fit parse_chunk_fast() */
  int stop;    /* a fatal row, a failure or an abandon: all stop */
  int abandon; /* a scanner error: start over with the hash split */
  int rc;      /* the first fatal status, in input order */
  clv_error fatal;
  clv_date_order hint[2];
  /* Thread 0's bookkeeping, done in chunk order. */
  long line_base; /* line number of the next chunk's first line */
  uint64_t rows, skipped;
  clv__ksum revenue, cost;
  clv_error errors[CLV_INGEST_MAX_ERRORS];
  size_t n_errors;
} chunk_run;

enum { CHUNK_ABANDON = -1, CHUNK_NOT_PLAIN = -2 };

/*
 * The hot path of a chunk (fastsplit.h): the rows of a plain chunk are cut
 * by the block splitter and parsed here with exactly the steps of
 * process_row() for a plan without quantity x price and without costs. The
 * first row that is not plain or not valid (an empty id, a bad date or
 * amount, a short row) drops the chunk's rows and returns CHUNK_NOT_PLAIN:
 * the caller parses the whole chunk again with the general scanner, which
 * words the error, skips or fails as the policy says. Nothing else a row
 * does is lost by starting over: the date-order hint learns from the rows
 * in the same order again, and the counts are the chunk's own.
 */
static int parse_chunk_fast(chunk_run *r, worker *w, chunk *k, size_t j) {
  const plan *p = r->pl;
  size_t from = r->starts[j], to = r->starts[j + 1];
  const char *b = r->buf + from, *lim = r->buf + r->len;
  int cols[3] = {p->cust, p->date, p->amount};
  clv__fast_split sp;
  clv__fast_row rows[BATCH];
  uint64_t nrows = 0;
  size_t got;
  int rc = CLV_OK;
  if (clv__fast_split_init(&sp, b, to - from, r->co->delimiter, cols,
                           p->amount >= 0 ? 3 : 2, p->need) != 0)
    return CHUNK_NOT_PLAIN;
  w->chunk = k;
  while (rc == CLV_OK && (got = clv__fast_split_next(&sp, rows, BATCH)) > 0) {
    for (size_t i = 0; i < got; i++) {
      const clv__fast_row *row = &rows[i];
      const char *id = b + row->off[0];
      clv__field df = {b + row->off[1], row->len[1], 0};
      int32_t day;
      double amount = 0;
      if (same_day(w, df.p, df.len))
        day = w->dday;
      else if (parse_day(w, &df, p->order, &day) != CLV_OK)
        day = INT32_MIN;
      const char *a = b + row->off[2];
      size_t alen = row->len[2];
      if (row->len[0] == 0 || day == INT32_MIN ||
          (p->amount >= 0 &&
           !(a + 8 <= lim && clv__amount_swar8(a, alen, &amount)) &&
           !clv__parse_amount(a, alen, &amount))) {
        rc = CHUNK_NOT_PLAIN;
        break;
      }
      if (!p->with_amount)
        amount = 0;
      if (!clv__order_ok(day, amount)) {
        rc = CHUNK_NOT_PLAIN;
        break;
      }
      uint64_t hash = clv__hash_bytes(id, row->len[0]);
      rc = chunk_row(w, id, row->len[0], hash, day, amount, from + row->end);
      if (rc)
        break;
      nrows++;
    }
  }
  w->chunk = NULL;
  if (rc == CLV_OK && sp.failed)
    rc = CHUNK_NOT_PLAIN;
  if (rc == CHUNK_NOT_PLAIN) {
    k->n[0] = k->n[1] = 0;
    return rc;
  }
  if (rc) {
    k->fatal_rc = rc;
    status_error(&k->fatal, rc);
  }
  /* Every row ends with a line feed but perhaps the input's last one. */
  k->lines = (long)nrows - (nrows && b[to - from - 1] != '\n');
  k->nrows = nrows;
  k->revenue = k->cost = (clv__ksum){0, 0};
  return rc;
}

/* Parses chunk j into slot k with w's plan, date hint and error policy. */
static int parse_chunk(chunk_run *r, worker *w, chunk *k, size_t j) {
  const clv__field *f;
  size_t n, from = r->starts[j], to = r->starts[j + 1];
  clv_error e;
  clv__csv *c = NULL;
  int rc;
  k->n[0] = k->n[1] = 0;
  k->nrows = k->skipped = 0;
  k->lines = 0;
  k->n_errors = 0;
  k->fatal_rc = CLV_OK;
  /* A byte-order mark is only skipped at the start of the input. */
  if (j > 0 && to - from >= 3 && memcmp(r->buf + from, "\xEF\xBB\xBF", 3) == 0)
    return CHUNK_ABANDON;
  if (r->fast && (rc = parse_chunk_fast(r, w, k, j)) != CHUNK_NOT_PLAIN)
    return rc;
  rc = clv__csv_open_mem(&c, r->buf + from, to - from, r->name, 1, r->co, &e);
  if (rc) {
    k->fatal_rc = rc;
    k->fatal = e;
    return rc;
  }
  w->csv = c;
  w->chunk = k;
  w->seq_base = from;
  w->rows = w->rows_skipped = 0;
  w->revenue = w->cost = (clv__ksum){0, 0};
  w->n_errors = 0;
  for (;;) {
    rc = clv__csv_next(c, &f, &n, &e);
    if (rc == CLV_EPARSE) {
      rc = CHUNK_ABANDON;
      break;
    }
    if (rc) {
      k->fatal_rc = rc;
      k->fatal = e;
      break;
    }
    if (n == 0) {
      k->lines = clv__csv_line_at(c) - 1;
      break;
    }
    w->rows++;
    rc = process_row(w, f, n);
    if (rc) {
      k->fatal_rc = rc;
      if (rc == CLV_EPARSE) {
        k->fatal = w->fatal;
      } else {
        status_error(&k->fatal, rc);
      }
      break;
    }
  }
  k->nrows = w->rows;
  k->skipped = w->rows_skipped;
  k->revenue = w->revenue;
  k->cost = w->cost;
  k->n_errors = w->n_errors;
  memcpy(k->errors, w->errors, w->n_errors * sizeof *w->errors);
  w->chunk = NULL;
  w->csv = NULL;
  clv__csv_close(c);
  return rc;
}

/* Applies thread t's rows of chunk j (slot k); thread 0 also takes its
 * counts, errors and line numbers, in chunk order. */
static int apply_chunk(chunk_run *r, int t, chunk *k, size_t j) {
  int rc = CLV_OK;
  const clv__order *rows = k->rows[t];
  for (size_t i = 0; i < k->n[t] && rc == CLV_OK; i += BATCH)
    rc = clv__summarizer_add_batch(r->sum[t], rows + i,
                                   k->n[t] - i < BATCH ? k->n[t] - i : BATCH);
  if (t != 0)
    return rc;
  for (size_t i = 0; i < k->n_errors; i++) {
    k->errors[i].line += r->line_base - 1;
    if (r->n_errors < CLV_INGEST_MAX_ERRORS)
      r->errors[r->n_errors++] = k->errors[i];
  }
  r->rows += k->nrows;
  r->skipped += k->skipped;
  ksum_merge(&r->revenue, &k->revenue);
  ksum_merge(&r->cost, &k->cost);
  if (k->fatal_rc && k->fatal.line > 0)
    k->fatal.line += r->line_base - 1;
  r->line_base += k->lines;
  if (r->o->progress)
    r->o->progress(r->o->progress_ctx, r->starts[j + 1], r->len);
  return k->fatal_rc ? k->fatal_rc : rc;
}

/* One thread of run_chunks(): parses its chunks and applies its rows of
 * every chunk, whichever is possible, until the end or a stop. */
static void chunk_work(chunk_run *r, int t) {
  worker *w = malloc(sizeof *w);
  size_t next_parse = (size_t)t, next_apply = 0;
  pthread_mutex_lock(&r->mu);
  if (w == NULL) {
    r->stop = 1;
    r->rc = r->rc ? r->rc : CLV_ENOMEM;
  } else {
    worker_init(w, r->pl, r->o);
  }
  while (!r->stop && next_apply < r->nchunks) {
    int rc;
    chunk *a = &r->slots[next_apply % NSLOT];
    if (a->index == next_apply && a->parsed) {
      pthread_mutex_unlock(&r->mu);
      rc = apply_chunk(r, t, a, next_apply);
      pthread_mutex_lock(&r->mu);
      if (rc && !r->stop) {
        r->stop = 1;
        r->rc = rc;
        /* Only thread 0 reports a chunk's fatal row (and fixes its line). */
        int row_fatal = t == 0 && a->fatal_rc;
        if (row_fatal)
          r->fatal = a->fatal;
        else {
          status_error(&r->fatal, rc);
        }
      }
      a->applied[t] = 1;
      if (a->applied[0] && a->applied[1]) {
        a->index = SIZE_MAX;
        a->parsed = a->applied[0] = a->applied[1] = 0;
      }
      next_apply++;
      pthread_cond_broadcast(&r->cv);
      continue;
    }
    chunk *p = &r->slots[next_parse % NSLOT];
    if (next_parse < r->nchunks && p->index == SIZE_MAX) {
      p->index = next_parse;
      pthread_mutex_unlock(&r->mu);
      rc = parse_chunk(r, w, p, next_parse);
      pthread_mutex_lock(&r->mu);
      p->parsed = 1;
      if (rc == CHUNK_ABANDON) {
        r->stop = 1;
        r->abandon = 1;
      }
      next_parse += 2;
      pthread_cond_broadcast(&r->cv);
      continue;
    }
    pthread_cond_wait(&r->cv, &r->mu);
  }
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
  if (w)
    r->hint[t] = w->hint;
  free(w);
}

static void *chunk_thread(void *arg) {
  chunk_work(arg, 1);
  return NULL;
}

/*
 * Chunk mode (see above chunk_row()): the rows from `data_off` (on line
 * first_line) on, in chunks of about chunk_bytes (a quarter of the split
 * threshold, at most CHUNK_BYTES: tests with a threshold of 1 get a chunk
 * per row), two threads, summarisers a->sum and *b_sum (made here; the
 * caller frees it).
 * Sets *abandon when chunk mode cannot read this input (the caller starts
 * over), *redo as run_parts() does.
 */
static int run_chunks(worker *a, const char *buf, size_t len, size_t data_off,
                      long first_line, size_t chunk_bytes, const plan *pl,
                      const clv__summarizer_opts *so, const clv__csv_opts *co,
                      const char *name, clv__summarizer **b_sum, int *redo,
                      int *abandon) {
  chunk_run *r = calloc(1, sizeof *r);
  pthread_t th;
  int rc = CLV_OK, sync = 0;
  size_t cap = (len - data_off) / chunk_bytes + 2;
  *redo = *abandon = 0;
  *b_sum = NULL;
  if (r == NULL)
    return CLV_ENOMEM;
  r->starts = malloc(cap * sizeof *r->starts);
  if (r->starts == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t pos = data_off;;) {
    r->starts[r->nchunks++] = pos;
    const char *nl = NULL;
    if (len - pos > chunk_bytes)
      nl = memchr(buf + pos + chunk_bytes, '\n', len - pos - chunk_bytes);
    if (nl == NULL || (size_t)(nl - buf) + 1 >= len)
      break;
    pos = (size_t)(nl - buf) + 1;
  }
  r->starts[r->nchunks] = len;
  r->buf = buf;
  r->len = len;
  r->pl = pl;
  r->co = co;
  r->name = name;
  r->o = a->o;
  r->line_base = first_line;
  r->fast =
      pl->qty < 0 && pl->cost.kind == CLV__COST_NONE && co->delimiter != ' ';
  r->sum[0] = a->sum;
  for (int k = 0; k < NSLOT; k++)
    r->slots[k].index = SIZE_MAX;
  rc = clv__summarizer_new(b_sum, so);
  if (rc)
    goto done;
  r->sum[1] = *b_sum;
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  sync = 1;
  if (pthread_create(&th, NULL, chunk_thread, r) != 0) {
    *abandon = 1; /* no second thread: the caller's fallback runs */
    goto done;
  }
  chunk_work(r, 0);
  pthread_join(th, NULL);
  if (r->abandon) {
    *abandon = 1;
    goto done;
  }
  a->rows = r->rows;
  a->rows_skipped = r->skipped;
  a->revenue = r->revenue;
  a->cost = r->cost;
  a->n_errors = r->n_errors;
  memcpy(a->errors, r->errors, r->n_errors * sizeof *r->errors);
  if (r->rc) {
    a->fatal = r->fatal;
    rc = a->rc = r->rc;
    goto done;
  }
  if (pl->order == CLV_DATE_AUTO &&
      (r->hint[0] != CLV_DATE_AUTO || r->hint[1] != CLV_DATE_AUTO))
    *redo = 1;
done:
  if (sync) {
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
  }
  for (int k = 0; k < NSLOT; k++) {
    free(r->slots[k].rows[0]);
    free(r->slots[k].rows[1]);
  }
  free(r->starts);
  free(r);
  return rc;
}

/* The streaming writer (below): rows of two halves are written by two
 * threads (write_par()). */
typedef struct stream_ctx stream_ctx;
static int stream_row(void *ctx, const char *id, size_t id_len,
                      const clv_summary_row *row);
static int write_par(clv__summarizer *const *sums, stream_ctx *m,
                     clv__summarizer_stats *st);

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
    rc = clv__fill_error(err, CLV_EEMPTY, name, 0,
                         "expected order rows, found an empty input");
    goto fail;
  }
  {
    /* Named cost columns tell a header line as the core ones do. */
    const char *more[3] = {o.cost_col, o.unit_cost_col, o.margin_col};
    header = clv__detect_header(&o, more, o.costs ? 3 : 0, f, n);
  }
  header_line = clv__csv_line(c);
  rc = clv__pick_columns(&o, f, n, header, &pl, rep, why, sizeof why);
  if (rc == CLV_OK && o.costs)
    rc = pick_costs(&o, f, n, header, &pl, rep, why, sizeof why);
  if (rc) {
    clv__fill_error(err, rc, name, header_line, why);
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
    clv__fill_error(
        err, rc, "", 0,
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
    int abandon;
    rep->threads_used = 2;
    rc = run_chunks(&w, buf, buf_len,
                    header ? (size_t)clv__csv_bytes_done(c) : 0,
                    header ? clv__csv_line_at(c) : 1,
                    min_split / 4 > CHUNK_BYTES ? CHUNK_BYTES
                    : min_split / 4 > 0         ? min_split / 4
                                                : 1,
                    &pl, &so, &co, name, &sum2, &redo, &abandon);
    if (rc == CLV_OK && abandon) {
      /* Chunks cannot be cut in this input (quotes around line breaks):
       * start over with the hash split, which reads it whole. */
      clv__summarizer_free(w.sum);
      clv__summarizer_free(sum2);
      sum2 = NULL;
      worker_init(&w, &pl, &o);
      w.reporter = 1;
      w.total = clv__csv_bytes_total(c);
      rc = clv__summarizer_new(&w.sum, &so);
      if (rc == CLV_OK)
        rc = run_parts(&w, buf, buf_len, header, &pl, &so, &co, name, &sum2,
                       &redo);
    }
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
  if (fn == stream_row && nsums == 2)
    rc = write_par(sums, ctx, &st);
  else if (fn)
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
  rep->revenue = clv__ksum_value(&w.revenue);
  rep->cost = clv__ksum_value(&w.cost);
  if (rc == CLV_EEMPTY)
    clv__fill_error(
        err, rc, name, 0,
        rep->rows_after_until
            ? "expected order rows up to the observation end, found "
              "only later ones"
            : "expected order rows, found none that could be used");
  else if (rc == CLV_EINVAL)
    clv__fill_error(err, rc, name, 0,
                    "the holdout start is after the last date in the log");
  else if (rc && rc != CLV_ENOMEM && err && err->message[0] == '\0')
    clv__fill_error(err, rc, name, 0, clv_strerror(rc));
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

/* One thread's part of write_par(): a row writer whose stream is a stdio
 * cookie that gathers a block of formatted rows in memory. */
typedef struct par_out {
  clv__row_writer w;
  stream_ctx *main;
  char *buf;
  size_t len, cap;
  int nomem;
} par_out;

static ssize_t par_gather(void *cookie, const char *p, size_t n) {
  par_out *o = cookie;
  if (n > o->cap - o->len) {
    size_t cap = o->cap ? o->cap : (size_t)1 << 20;
    while (cap - o->len < n)
      cap *= 2;
    char *b = realloc(o->buf, cap);
    if (b == NULL) {
      o->nomem = 1;
      return -1;
    }
    o->buf = b;
    o->cap = cap;
  }
  memcpy(o->buf + o->len, p, n);
  o->len += n;
  return (ssize_t)n;
}

static int par_row(void *ctx, const char *id, size_t id_len,
                   const clv_summary_row *row) {
  return clv__writer_row(&((par_out *)ctx)->w, id, id_len, row);
}

/* A block is complete and its turn has come: the header first (before the
 * first block, as stream_row() would), then the block's bytes. */
static int par_block_done(void *ctx) {
  par_out *o = ctx;
  stream_ctx *m = o->main;
  int rc = clv__writer_close(&o->w);
  if (o->nomem)
    rc = CLV_ENOMEM;
  if (rc == CLV_OK && !m->w.wrote_header) {
    m->w.columns = *m->columns;
    rc = clv__writer_header(&m->w);
    int close_rc = clv__writer_close(&m->w);
    if (rc == CLV_OK)
      rc = close_rc;
  }
  if (rc == CLV_OK && o->len && fwrite(o->buf, 1, o->len, m->w.f) != o->len)
    rc = CLV_EIO;
  o->len = 0;
  return rc;
}

/*
 * Writes the rows of two summarisers (a two-thread run) with two threads:
 * formatting the numbers is most of the cost of writing, and the rows come
 * out byte for byte as stream_row() writes them, in blocks
 * (clv__summarizer_each_par()). Falls back to one thread when the memory
 * streams cannot be made.
 */
static int write_par(clv__summarizer *const *sums, stream_ctx *m,
                     clv__summarizer_stats *st) {
  par_out o[2];
  void *ctx[2] = {&o[0], &o[1]};
  cookie_io_functions_t io = {NULL, par_gather, NULL, NULL};
  int rc = CLV_OK;
  memset(o, 0, sizeof o);
  for (int k = 0; k < 2; k++) {
    o[k].main = m;
    o[k].w.f = fopencookie(&o[k], "w", io);
    if (o[k].w.f == NULL) {
      rc = CLV_ENOMEM;
      break;
    }
    setvbuf(o[k].w.f, NULL, _IONBF, 0);
    o[k].w.format = m->w.format;
    o[k].w.columns = *m->columns;
    o[k].w.wrote_header = 1; /* the header is m's */
  }
  if (rc == CLV_OK)
    rc = clv__summarizer_each_par(sums, 2, par_row, par_block_done, ctx, st);
  else
    rc = clv__summarizer_each_multi(sums, 2, stream_row, m, st);
  for (int k = 0; k < 2; k++) {
    if (o[k].w.f) {
      clv__writer_close(&o[k].w);
      fclose(o[k].w.f);
    }
    free(o[k].buf);
  }
  return rc;
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
