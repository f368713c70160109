/*
 * simulate_log.c - simulated customers as a CSV order log: purchases at
 * their date-time, refunds, malformed rows, in time order or by customer.
 *
 * The chronological log needs all rows sorted by time: the customers are
 * simulated twice, once to count the rows of each day and once to scatter
 * them into their day's slot, and each day is then put in time order with a
 * stable counting sort on the second of the day. That keeps memory at 16
 * bytes per row instead of twice that for a general sort, and the order does
 * not depend on the thread count.
 */
#include "simulate.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- log rows of one customer -------------------------------------------- */

static int add_row(worker *w, int32_t day, int32_t sec, uint32_t kind,
                   uint64_t cents) {
  if (clv__sim_grow((void **)&w->rows, &w->row_cap, w->nrows + 1,
                    sizeof *w->rows))
    return CLV_ENOMEM;
  row *x = &w->rows[w->nrows++];
  x->day = day;
  x->sec = sec;
  x->kind = kind;
  x->cents = cents;
  return CLV_OK;
}

/* Amounts are written in cents; a value that would round to nothing is
 * written as 0.01, because a zero purchase would not count as one. */
static int to_cents(double z, uint64_t *cents) {
  double c = nearbyint(z * 100.0);
  if (!(c < (double)MAX_CENTS))
    return CLV_EOVERFLOW;
  *cents = c < 1 ? 1 : (uint64_t)c;
  return CLV_OK;
}

/* Stable insertion sort by (day, second): a customer's purchases are already
 * in order, only refunds and malformed copies move. */
static void sort_rows(row *x, size_t n) {
  for (size_t i = 1; i < n; i++) {
    row v = x[i];
    size_t j = i;
    while (j > 0 && (x[j - 1].day > v.day ||
                     (x[j - 1].day == v.day && x[j - 1].sec > v.sec))) {
      x[j] = x[j - 1];
      j--;
    }
    x[j] = v;
  }
}

/* Draws customer i's log rows into w->rows in time order and tallies them.
 * With values == 0 (the counting pass) the amounts are left at 0: the days
 * and seconds do not depend on them. */
static int customer_rows(worker *w, uint64_t i, int values) {
  const sim *s = w->s;
  const clv_sim_opts *o = s->o;
  sim_customer c;
  int rc = clv__sim_customer(w, i, &c, values);
  if (rc)
    return rc;
  w->nrows = 0;
  gsl_rng *rr = w->rng[STREAM_REFUND];
  if (o->refund_rate > 0)
    clv__rng_seed(rr, o->seed, STREAM_REFUND, i);
  for (size_t j = 0; j < w->nbuy; j++) {
    double td = w->buy[j].t * s->unit_days, fd = floor(td);
    int32_t day = (int32_t)fd;
    int32_t sec = (int32_t)((td - fd) * SECONDS_PER_DAY);
    if (day >= s->ndays) {
      day = s->ndays - 1;
      sec = SECONDS_PER_DAY - 1;
    }
    if (sec >= SECONDS_PER_DAY)
      sec = SECONDS_PER_DAY - 1;
    uint64_t cents = 0;
    if (values)
      rc = to_cents(w->buy[j].z, &cents);
    if (rc == CLV_OK)
      rc = add_row(w, day, sec, ROW_PURCHASE, cents);
    if (rc)
      return rc;
    w->orders++;
    w->cents_bought += cents;
    if (o->refund_rate > 0 && gsl_rng_uniform(rr) < o->refund_rate &&
        day < s->ndays - 1) {
      int32_t room = s->ndays - 1 - day;
      int32_t most = room < REFUND_MAX_DELAY ? room : REFUND_MAX_DELAY;
      int32_t delay = 1 + (int32_t)gsl_rng_uniform_int(rr, (unsigned long)most);
      int32_t rsec = (int32_t)gsl_rng_uniform_int(rr, SECONDS_PER_DAY);
      rc = add_row(w, day + delay, rsec, ROW_REFUND, cents);
      if (rc)
        return rc;
      w->refunds++;
      w->cents_refunded += cents;
    }
  }
  if (o->malformed_rate > 0) {
    gsl_rng *mr = w->rng[STREAM_MALFORMED];
    clv__rng_seed(mr, o->seed, STREAM_MALFORMED, i);
    size_t good = w->nrows;
    for (size_t j = 0; j < good; j++) {
      if (gsl_rng_uniform(mr) >= o->malformed_rate)
        continue;
      uint32_t kind = ROW_BAD_DATE + (uint32_t)gsl_rng_uniform_int(mr, 3);
      rc = add_row(w, w->rows[j].day, w->rows[j].sec, kind, w->rows[j].cents);
      if (rc)
        return rc;
      w->malformed++;
    }
  }
  sort_rows(w->rows, w->nrows);
  return CLV_OK;
}

/* ---- CSV text ------------------------------------------------------------ */

static char *put_2(char *p, int v) {
  p[0] = (char)('0' + v / 10);
  p[1] = (char)('0' + v % 10);
  return p + 2;
}

/* The customer's id text at p; returns the end. */
static char *put_id(char *p, const sim *s, uint64_t cust) {
  if (s->o->plain_ids)
    return clv__sim_put_u64(p, cust + 1, 1);
  *p++ = 'C';
  return clv__sim_put_u64(p, cust + 1, 7);
}

/* The date (and time) text at p; returns the end. */
static char *put_when(char *p, const sim *s, int32_t day, int32_t sec) {
  memcpy(p, s->dates[day], 10);
  p += 10;
  if (s->o->with_time) {
    *p++ = ' ';
    p = put_2(p, sec / 3600);
    *p++ = ':';
    p = put_2(p, sec / 60 % 60);
    *p++ = ':';
    p = put_2(p, sec % 60);
  }
  return p;
}

/* Formats one row (at most row_max(s) bytes) at p; returns the end. */
static char *put_row(char *p, const sim *s, uint64_t cust, int32_t day,
                     int32_t sec, uint32_t kind, uint64_t cents) {
  if (s->o->retail) {
    char id[24], when[24];
    size_t id_len = (size_t)(put_id(id, s, cust) - id);
    size_t when_len = (size_t)(put_when(when, s, day, sec) - when);
    return clv__retail_put(p, s, id, id_len, cust, when, when_len,
                           (uint64_t)day * SECONDS_PER_DAY + (uint64_t)sec,
                           kind, cents);
  }
  p = put_id(p, s, cust);
  *p++ = ',';
  char *date = p;
  p = put_when(p, s, day, sec);
  if (kind == ROW_BAD_DATE)
    memcpy(date + 5, "13", 2); /* month 13: no calendar has it */
  if (kind != ROW_MISSING_FIELD) {
    *p++ = ',';
    if (kind == ROW_BAD_AMOUNT) {
      memcpy(p, "#VALUE!", 7); /* what a spreadsheet export leaves behind */
      p += 7;
    } else {
      if (kind == ROW_REFUND)
        *p++ = '-';
      p = clv__sim_put_u64(p, cents / 100, 1);
      *p++ = '.';
      p = put_2(p, (int)(cents % 100));
    }
  }
  *p++ = '\n';
  return p;
}

static size_t row_max(const sim *s) {
  return s->o->retail ? ROW_MAX_RETAIL : ROW_MAX;
}

static int reserve_text(worker *w, size_t more) {
  return clv__sim_grow((void **)&w->text, &w->text_cap, w->text_len + more, 1);
}

static int make_dates(sim *s) {
  s->dates = malloc((size_t)s->ndays * sizeof *s->dates);
  if (s->dates == NULL)
    return CLV_ENOMEM;
  for (int32_t d = 0; d < s->ndays; d++) {
    char buf[11];
    clv_day_format(s->o->start_day + d, buf);
    memcpy(s->dates[d], buf, 10);
  }
  return CLV_OK;
}

/* Output through the caller's writer, counting bytes. */
typedef struct sink {
  clv_write_fn write;
  void *ctx;
  uint64_t bytes;
} sink;

static int emit(sink *k, const void *buf, size_t len) {
  if (len == 0)
    return CLV_OK;
  if (k->write(k->ctx, buf, len) != 0)
    return CLV_EIO;
  k->bytes += len;
  return CLV_OK;
}

/* ---- chronological log --------------------------------------------------- */

static uint64_t pack_meta(const row *x) {
  return (uint64_t)x->sec | (uint64_t)x->kind << 17 | x->cents << 20;
}

/* The sort array is written in a scattered order, one page after another
 * across the whole array; with 2 MiB pages the kernel takes 512 times fewer
 * page faults (about a tenth of the run time with 4 KiB pages). */
static int alloc_recs(sim *s, size_t n) {
  size_t bytes = (n ? n : 1) * sizeof(rec);
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return CLV_ENOMEM;
#ifdef MADV_HUGEPAGE
  (void)madvise(p, bytes, MADV_HUGEPAGE); /* only a hint: ignore failure */
#endif
  s->recs = p;
  s->recs_bytes = bytes;
  return CLV_OK;
}

/* Pass 1: rows per day. */
static void task_count(worker *w) {
  for (uint64_t i = w->lo; i < w->hi && w->status == CLV_OK; i++) {
    w->status = customer_rows(w, i, 0);
    for (size_t j = 0; j < w->nrows && w->status == CLV_OK; j++)
      w->slot[w->rows[j].day]++;
  }
}

/* Pass 2: the same rows again, now with amounts, each into its slot of its
 * day's bucket. The tallies are those of this pass. */
static void task_scatter(worker *w) {
  rec *recs = w->s->recs;
  for (uint64_t i = w->lo; i < w->hi && w->status == CLV_OK; i++) {
    w->status = customer_rows(w, i, 1);
    for (size_t j = 0; j < w->nrows && w->status == CLV_OK; j++) {
      rec *x = &recs[w->slot[w->rows[j].day]++];
      x->cust = i;
      x->meta = pack_meta(&w->rows[j]);
    }
  }
}

/* Output phase: puts one day's bucket in time order and formats it. Within
 * a bucket the records are in customer order (workers own consecutive
 * customer ranges and scatter in order), so a stable sort on the second
 * gives an order that does not depend on the thread count. */
static void task_format_day(worker *w) {
  sim *s = w->s;
  w->text_len = 0;
  if (w->day < 0 || w->day >= s->ndays)
    return;
  const rec *in = s->recs + s->day_start[w->day];
  size_t n = (size_t)(s->day_start[w->day + 1] - s->day_start[w->day]);
  if (clv__sim_grow((void **)&w->scratch, &w->scratch_cap, n,
                    sizeof *w->scratch) ||
      reserve_text(w, n * row_max(s))) {
    w->status = CLV_ENOMEM;
    return;
  }
  uint32_t *cnt = w->sec_count;
  memset(cnt, 0, (SECONDS_PER_DAY + 1) * sizeof *cnt);
  for (size_t j = 0; j < n; j++)
    cnt[(in[j].meta & 0x1ffff) + 1]++;
  for (int k = 0; k < SECONDS_PER_DAY; k++)
    cnt[k + 1] += cnt[k];
  for (size_t j = 0; j < n; j++)
    w->scratch[cnt[in[j].meta & 0x1ffff]++] = in[j];
  char *p = w->text;
  for (size_t j = 0; j < n; j++) {
    uint64_t m = w->scratch[j].meta;
    p = put_row(p, s, w->scratch[j].cust, w->day, (int32_t)(m & 0x1ffff),
                (uint32_t)(m >> 17 & 7), m >> 20);
  }
  w->text_len = (size_t)(p - w->text);
}

static int log_chronological(sim *s, sink *k) {
  int T = s->nthreads, rc;
  int32_t nd = s->ndays;
  clv__sim_split(s);
  for (int t = 0; t < T; t++) {
    s->w[t].slot = calloc((size_t)nd, sizeof(uint64_t));
    s->w[t].sec_count = malloc((SECONDS_PER_DAY + 1) * sizeof(uint32_t));
    if (s->w[t].slot == NULL || s->w[t].sec_count == NULL)
      return CLV_ENOMEM;
  }
  clv__sim_run(s, T, task_count);
  if ((rc = clv__sim_status(s, T)) != CLV_OK)
    return rc;
  clv__sim_progress(s, 0.3);
  /* Bucket d holds the rows of day d, worker 0's first: turn the counts
   * into each worker's first slot in each bucket. */
  s->day_start = malloc(((size_t)nd + 1) * sizeof *s->day_start);
  if (s->day_start == NULL)
    return CLV_ENOMEM;
  uint64_t total = 0;
  for (int32_t d = 0; d < nd; d++) {
    s->day_start[d] = total;
    for (int t = 0; t < T; t++) {
      uint64_t c = s->w[t].slot[d];
      s->w[t].slot[d] = total;
      total += c;
    }
  }
  s->day_start[nd] = total;
  if (total > SIZE_MAX / sizeof(rec))
    return CLV_ENOMEM;
  if ((rc = alloc_recs(s, (size_t)total)) != CLV_OK)
    return rc;
  /* Pass 1 tallied rows without amounts: count everything in pass 2. */
  for (int t = 0; t < T; t++) {
    worker *w = &s->w[t];
    w->orders = w->refunds = w->malformed = 0;
    w->cents_bought = w->cents_refunded = 0;
  }
  clv__sim_run(s, T, task_scatter);
  if ((rc = clv__sim_status(s, T)) != CLV_OK)
    return rc;
  clv__sim_progress(s, 0.6);
  for (int32_t base = 0; base < nd; base += T) {
    for (int t = 0; t < T; t++)
      s->w[t].day = base + t;
    clv__sim_run(s, T, task_format_day);
    if ((rc = clv__sim_status(s, T)) != CLV_OK)
      return rc;
    for (int t = 0; t < T; t++)
      if ((rc = emit(k, s->w[t].text, s->w[t].text_len)) != CLV_OK)
        return rc;
    double done = (double)(base + T) / nd;
    clv__sim_progress(s, 0.6 + 0.4 * (done < 1 ? done : 1));
  }
  return CLV_OK;
}

/* ---- log grouped by customer --------------------------------------------- */

static void task_customers_text(worker *w) {
  w->text_len = 0;
  for (uint64_t i = w->lo; i < w->hi && w->status == CLV_OK; i++) {
    w->status = customer_rows(w, i, 1);
    if (w->status == CLV_OK && reserve_text(w, w->nrows * row_max(w->s)))
      w->status = CLV_ENOMEM;
    if (w->status != CLV_OK)
      break;
    char *p = w->text + w->text_len;
    for (size_t j = 0; j < w->nrows; j++) {
      const row *x = &w->rows[j];
      p = put_row(p, w->s, i, x->day, x->sec, x->kind, x->cents);
    }
    w->text_len = (size_t)(p - w->text);
  }
}

/* Customers go in batches of BATCH_CUSTOMERS per worker; the texts are
 * written in worker order, so memory stays fixed and order stable. */
static int log_by_customer(sim *s, sink *k) {
  int T = s->nthreads, rc;
  uint64_t n = s->o->customers;
  for (uint64_t base = 0; base < n;) {
    for (int t = 0; t < T; t++) {
      uint64_t lo = base + (uint64_t)t * BATCH_CUSTOMERS;
      s->w[t].lo = lo < n ? lo : n;
      s->w[t].hi = lo + BATCH_CUSTOMERS < n ? lo + BATCH_CUSTOMERS : n;
    }
    clv__sim_run(s, T, task_customers_text);
    if ((rc = clv__sim_status(s, T)) != CLV_OK)
      return rc;
    for (int t = 0; t < T; t++)
      if ((rc = emit(k, s->w[t].text, s->w[t].text_len)) != CLV_OK)
        return rc;
    base = s->w[T - 1].hi;
    clv__sim_progress(s, (double)base / (double)n);
  }
  return CLV_OK;
}

int clv_simulate_log_write(const clv_sim_opts *o, clv_write_fn write, void *ctx,
                           clv_sim_stats *stats) {
  static const char plain_header[] = "customer_id,order_date,amount\n";
  sim *s = clv__sim_new();
  sink k = {write, ctx, 0};
  int rc;
  if (stats != NULL)
    memset(stats, 0, sizeof *stats);
  if (s == NULL)
    return CLV_ENOMEM;
  rc = clv__sim_setup(s, o, 1);
  if (rc == CLV_OK && write == NULL)
    rc = CLV_EINVAL;
  if (rc == CLV_OK)
    rc = make_dates(s);
  if (rc == CLV_OK)
    rc = o->retail ? emit(&k, clv__retail_header, strlen(clv__retail_header))
                   : emit(&k, plain_header, sizeof plain_header - 1);
  if (rc != CLV_OK)
    goto done;
  if (o->order == CLV_SIM_BY_CUSTOMER)
    rc = log_by_customer(s, &k);
  else
    rc = log_chronological(s, &k);
  if (rc != CLV_OK)
    goto done;
  clv__sim_progress(s, 1.0);
  if (stats != NULL) {
    uint64_t bought = 0, refunded = 0;
    stats->customers = o->customers;
    for (int t = 0; t < s->nthreads; t++) {
      stats->orders += s->w[t].orders;
      stats->refunds += s->w[t].refunds;
      stats->malformed += s->w[t].malformed;
      bought += s->w[t].cents_bought;
      refunded += s->w[t].cents_refunded;
    }
    stats->rows = stats->orders + stats->refunds + stats->malformed;
    stats->bytes = k.bytes;
    stats->revenue = (double)bought / 100.0;
    stats->refunded = (double)refunded / 100.0;
    stats->first_day = o->start_day;
    stats->last_day = o->start_day + s->ndays - 1;
  }
done:
  clv__sim_teardown(s);
  free(s);
  return rc;
}

static int write_stdio(void *ctx, const void *buf, size_t len) {
  return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

int clv_simulate_log(const clv_sim_opts *o, FILE *out, clv_sim_stats *stats) {
  if (out == NULL)
    return CLV_EINVAL;
  int rc = clv_simulate_log_write(o, write_stdio, out, stats);
  if (rc == CLV_OK && ferror(out))
    rc = CLV_EIO;
  return rc;
}
