/*
 * summarize.c - order rows -> per-customer RFM summary, online.
 *
 * Implements the summary of Fader, Hardie & Lee (2005, "Counting your
 * customers the easy way", Marketing Science 24(2)): x = repeat purchase
 * periods, t_x = last - first purchase, T = observation end - first
 * purchase, with the conventions of lifetimes'
 * summary_data_from_transaction_data and calibration_and_holdout_data, plus
 * refunds. The rules are written out in docs/summary.md.
 *
 * Memory grows with customers, not rows: each customer has a fixed 64-byte
 * record, its id included (plus 16 bytes with a holdout), that rows update
 * online, because in
 * the normal case (a log sorted by time, or grouped by customer) a
 * customer's rows arrive in non-decreasing period order, and then a period
 * can be closed as soon as a later one starts.
 *
 * A row whose period precedes the customer's open period cannot be handled
 * online. The customer is marked, its later rows are ignored, and at the end
 * the driver is asked for a REPLAY: it feeds every row again, this one
 * collects the (period, day, amount) of marked customers only, sorts them
 * and rebuilds those customers from scratch. Memory for the replay is 24
 * bytes per row of a marked customer.
 */
#include "summarize.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

#define DAY_LIMIT CLV__DAY_LIMIT
#define CUST_ALIGN 64 /* one customer record = one cache line */
/* New customers' records are pre-faulted this many at a time (1 MiB of
 * records): the arrays grow by realloc, whose fresh pages would otherwise
 * fault one by one as new customers arrive. */
#define PREFAULT_RECORDS 16384

/* Customer flags. */
enum {
  F_OPEN = 1,         /* an open period exists */
  F_OPEN_REFUND = 2,  /* the open period holds a negative row */
  F_MARKED = 4,       /* rows came out of order: rebuilt by the replay */
  F_HEAD_OPEN = 8,    /* keep_head: the open period is still the head */
  F_HEAD_REFUND = 16, /* keep_head: the head period holds a negative row */
  F_UNDONE = 32       /* replay: the online closes of this one are undone */
};

/* One customer. The open period is identified by its key, 2 * period +
 * (in holdout), so that a period that straddles the holdout start is two
 * periods, as in lifetimes (which splits by date before bucketing). lo/hi
 * are the first and last day of the open period's rows, as offsets from
 * the period's first day. */
typedef struct cust {
  double open_net;   /* net amount of the open period */
  double repeat_sum; /* net of calibration purchase periods but the first */
  double total;      /* net of all calibration-window rows */
  double refunds;    /* sum of |negative amounts| in the calibration window */
  int32_t open_key;
  int32_t first_day; /* first calibration purchase (valid when count > 0) */
  int32_t last_day;  /* last calibration purchase */
  uint32_t count;    /* calibration purchase periods */
  uint32_t orders;   /* calibration-window rows */
  uint8_t open_lo, open_hi, flags;
  clv__hkey key; /* the id (hashmap.h): a hit reads one cache line */
} cust;

static_assert(sizeof(cust) == CUST_ALIGN, "a customer is one cache line");
/* reset_customer() clears everything before the id, and the id is last. */
static_assert(offsetof(cust, key) + sizeof(clv__hkey) == sizeof(cust),
              "the id ends the record");

/* Holdout columns, allocated only with a holdout. */
typedef struct hold {
  double sum;     /* net of holdout purchase periods */
  uint32_t count; /* holdout purchase periods */
  uint32_t pad;
} hold;

/* keep_head: the customer's first period in this half, kept out of the
 * closed statistics, and the net of the first closed calibration purchase
 * (which repeat_sum leaves out). */
typedef struct head {
  double net, first_net;
  int32_t key;
  uint8_t lo, hi, pad[2];
} head;

/* A row of a marked customer, collected during the replay. */
typedef struct entry {
  uint32_t cust;
  int32_t key;
  int32_t day;
  double amount;
} entry;

struct clv__summarizer {
  clv__summarizer_opts o;
  int32_t until;   /* until_day, or INT32_MAX without one */
  double mul, div; /* period difference * mul / div = time in the unit */
  clv__hashmap map;
  cust *c;     /* CUST_ALIGN-aligned, inside c_raw */
  void *c_raw; /* the allocation that holds c */
  hold *h;
  head *hd;
  uint64_t *seq; /* track_seq: each customer's first row's sequence number */
  size_t cap;
  size_t ready; /* records [0, ready) are pre-faulted */
  int replaying;
  uint64_t marked;
  entry *e;
  size_t ne, ecap;
  uint64_t rows, rows_used, rows_after_until;
  int32_t min_day, max_day;
  size_t peak_bytes;
  /* The cohort's repeat purchase periods per day (the actual tracking curve
   * of Fader, Hardie & Lee 2005, figure 2): hist[d - hist_base] for day d,
   * covering every day seen so far, so that closing a period is one add.
   * hist_step is +1, and -1 while the replay takes back what the online pass
   * counted for a customer whose rows came out of order. */
  int64_t *hist;
  int32_t hist_base;
  uint32_t hist_len;
  int64_t hist_step;
  int hist_lost; /* keep_head or merged: the per-day counts are unknown */
};

static int32_t floor_div(int32_t a, int32_t b) {
  int32_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Period number of a day. Weeks start on Monday: day 0 (1970-01-01) was a
 * Thursday, so day -3 starts week 0. Months are year * 12 + month - 1. */
static int32_t period_of_slow(clv_period p, int32_t day) {
  int y, m;
  switch (p) {
  case CLV_PERIOD_WEEK:
    return floor_div(day + 3, 7);
  case CLV_PERIOD_MONTH:
    clv_day_to_ymd(day, &y, &m, NULL);
    return y * 12 + (m - 1);
  default:
    return day;
  }
}

static int32_t period_start_slow(clv_period p, int32_t period) {
  switch (p) {
  case CLV_PERIOD_WEEK:
    return period * 7 - 3;
  case CLV_PERIOD_MONTH:
    return clv_day_from_ymd(floor_div(period, 12),
                            period - floor_div(period, 12) * 12 + 1, 1);
  default:
    return period;
  }
}

/* Day periods, the default, are the day itself: inline, so that the
 * per-row and per-customer callers pay no call for them. */
static inline int32_t period_of(clv_period p, int32_t day) {
  return p == CLV_PERIOD_DAY ? day : period_of_slow(p, day);
}

static inline int32_t period_start(clv_period p, int32_t period) {
  return p == CLV_PERIOD_DAY ? period : period_start_slow(p, period);
}

static inline int32_t key_period(int32_t key) {
  return key >> 1; /* arithmetic shift: floor(key / 2) */
}

static inline int32_t row_key(const clv__summarizer *s, int32_t day) {
  int in_holdout = s->o.holdout_day != INT32_MIN && day >= s->o.holdout_day;
  return period_of(s->o.period, day) * 2 + in_holdout;
}

static inline int32_t key_day(const clv__summarizer *s, int32_t key,
                              uint8_t off) {
  return period_start(s->o.period, key_period(key)) + off;
}

int clv_period_parse(const char *name, clv_period *out) {
  static const char *const names[] = {"day", "week", "month"};
  if (name == NULL || out == NULL)
    return CLV_EINVAL;
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(names[i]);
    /* Accept the plural too ("weeks"). */
    if (strncmp(name, names[i], n) == 0 &&
        (name[n] == '\0' || (name[n] == 's' && name[n + 1] == '\0'))) {
      *out = (clv_period)i;
      return CLV_OK;
    }
  }
  return CLV_EINVAL;
}

int clv__summarizer_new(clv__summarizer **out, const clv__summarizer_opts *o) {
  int rc = CLV_OK;
  clv__summarizer *s = NULL;
  *out = NULL;
  s = calloc(1, sizeof *s);
  if (s == NULL)
    return CLV_ENOMEM;
  s->o = *o;
  s->until = o->until_day != INT32_MIN ? o->until_day : INT32_MAX;
  s->min_day = INT32_MAX;
  s->max_day = INT32_MIN;
  s->hist_step = 1;
  /* A second half's first period is held back as its head and joined by
   * clv__summarizer_merge(), so whether its later periods are repeats is
   * only known there: such summarisers keep no per-day counts. */
  s->hist_lost = o->keep_head != 0;
  clv__hashmap_init(&s->map, sizeof(cust));
  /* Times are period differences converted to the unit. Daily periods take
   * any unit of fixed length (week = days / 7, as the published CDNOW
   * summaries); weekly periods give weeks or days; monthly periods only
   * months, since a month has no fixed number of days. */
  s->mul = 1.0;
  s->div = 1.0;
  switch (o->period) {
  case CLV_PERIOD_DAY:
    s->div = clv_unit_days(o->unit);
    if (!(s->div > 0))
      rc = CLV_EINVAL;
    break;
  case CLV_PERIOD_WEEK:
    if (o->unit == CLV_UNIT_DAY)
      s->mul = 7.0;
    else if (o->unit != CLV_UNIT_WEEK)
      rc = CLV_EINVAL;
    break;
  case CLV_PERIOD_MONTH:
    if (o->unit != CLV_UNIT_MONTH)
      rc = CLV_EINVAL;
    break;
  default:
    rc = CLV_EINVAL;
  }
  if (o->holdout_day != INT32_MIN && o->until_day != INT32_MIN &&
      o->holdout_day > o->until_day)
    rc = CLV_EINVAL;
  if (rc)
    goto fail;
  *out = s;
  return CLV_OK;
fail:
  clv__summarizer_free(s);
  return rc;
}

void clv__summarizer_free(clv__summarizer *s) {
  if (s == NULL)
    return;
  clv__hashmap_free(&s->map);
  free(s->c_raw);
  free(s->seq);
  free(s->h);
  free(s->hd);
  free(s->e);
  free(s->hist);
  free(s);
}

uint64_t clv__summarizer_customers(const clv__summarizer *s) {
  return s->map.count;
}

/* Memory in use: the customer arrays are counted by the records written,
 * since realloc'ed capacity that was never written is not resident. */
static size_t state_bytes(const clv__summarizer *s) {
  size_t per = sizeof(cust) + (s->h ? sizeof(hold) : 0) +
               (s->hd ? sizeof(head) : 0) + (s->seq ? sizeof(uint64_t) : 0);
  return clv__hashmap_bytes(&s->map) + (size_t)s->map.count * per +
         s->ecap * sizeof(entry) + (size_t)s->hist_len * sizeof *s->hist;
}

/* Grows the customer arrays (by 1.5, to bound unused capacity). The records
 * stay CUST_ALIGN-aligned: realloc keeps the old alignment offset in most
 * cases, and when it does not, the records are moved into place. */
static int grow_customers(clv__summarizer *s) {
  size_t cap = s->cap ? s->cap + s->cap / 2 : 1024;
  size_t old_off =
      s->c_raw ? (size_t)((unsigned char *)s->c - (unsigned char *)s->c_raw)
               : 0;
  unsigned char *raw = realloc(s->c_raw, cap * sizeof(cust) + CUST_ALIGN);
  if (raw == NULL)
    return CLV_ENOMEM;
  size_t off = (CUST_ALIGN - (uintptr_t)raw % CUST_ALIGN) % CUST_ALIGN;
  if (s->c_raw && off != old_off)
    memmove(raw + off, raw + old_off, s->map.count * sizeof(cust));
  s->c_raw = raw;
  s->c = (cust *)(void *)(raw + off);
  clv__hashmap_set_records(&s->map, &s->c[0].key);
  if (s->o.track_seq) {
    uint64_t *q = realloc(s->seq, cap * sizeof *q);
    if (q == NULL)
      return CLV_ENOMEM;
    s->seq = q;
  }
  if (s->o.holdout_day != INT32_MIN) {
    hold *h = realloc(s->h, cap * sizeof *h);
    if (h == NULL)
      return CLV_ENOMEM;
    s->h = h;
  }
  if (s->o.keep_head) {
    head *hd = realloc(s->hd, cap * sizeof *hd);
    if (hd == NULL)
      return CLV_ENOMEM;
    s->hd = hd;
  }
  s->cap = cap;
  return CLV_OK;
}

/*
 * The purchase rule: a period is a purchase unless it holds a refund row
 * (negative amount) and its net is not positive. A period with only a
 * zero-amount order is a purchase (CDNOW has 8 such first purchases and the
 * published summary counts them); a refund that cancels its order on the
 * same period leaves no purchase.
 */
static inline int is_purchase(double net, int has_refund) {
  return !(has_refund && net <= 0);
}

/* Closes a period (key, net, first/last day offsets, refund flag) into the
 * customer's closed statistics. */
static void close_period(clv__summarizer *s, uint32_t i, int32_t key,
                         double net, uint8_t lo, uint8_t hi, int refund) {
  cust *c = &s->c[i];
  if (!is_purchase(net, refund))
    return;
  /* Periods close in key order, and every holdout key follows every
   * calibration key, so a customer with a closed calibration purchase is
   * making a repeat purchase: it counts on its first day in the period. A
   * holdout-only customer is not in the cohort and does not count. */
  if (c->count > 0)
    s->hist[key_day(s, key, lo) - s->hist_base] += s->hist_step;
  if (key & 1) {
    s->h[i].count++;
    s->h[i].sum += net;
    return;
  }
  if (c->count == 0) {
    c->first_day = key_day(s, key, lo);
    if (s->hd)
      s->hd[i].first_net = net;
  } else {
    c->repeat_sum += net;
  }
  c->count++;
  c->last_day = key_day(s, key, hi);
}

/* Clears a customer's statistics; its id stays. */
static void reset_customer(clv__summarizer *s, uint32_t i) {
  memset(&s->c[i], 0, offsetof(cust, key));
  if (s->h)
    memset(&s->h[i], 0, sizeof s->h[i]);
  if (s->hd)
    memset(&s->hd[i], 0, sizeof s->hd[i]);
}

/* The online update of customer i by one row; the row is known to be in
 * order (key >= open key) or the customer's first. */
static void update(clv__summarizer *s, uint32_t i, int32_t key, int32_t day,
                   double amount) {
  cust *c = &s->c[i];
  uint8_t off = (uint8_t)(day - period_start(s->o.period, key_period(key)));
  int refund = amount < 0;
  if (!(key & 1)) {
    c->total += amount;
    if (refund)
      c->refunds -= amount;
    if (c->orders < UINT32_MAX)
      c->orders++;
  }
  if ((c->flags & F_OPEN) && key == c->open_key) {
    c->open_net += amount;
    if (off < c->open_lo)
      c->open_lo = off;
    if (off > c->open_hi)
      c->open_hi = off;
    if (refund)
      c->flags |= F_OPEN_REFUND;
    return;
  }
  if (c->flags & F_OPEN) {
    if (s->hd && (c->flags & F_HEAD_OPEN)) {
      /* The head period stays apart for clv__summarizer_merge(). */
      head *h = &s->hd[i];
      h->net = c->open_net;
      h->lo = c->open_lo;
      h->hi = c->open_hi;
      c->flags &= (uint8_t)~F_HEAD_OPEN;
      if (c->flags & F_OPEN_REFUND)
        c->flags |= F_HEAD_REFUND;
    } else {
      close_period(s, i, c->open_key, c->open_net, c->open_lo, c->open_hi,
                   (c->flags & F_OPEN_REFUND) != 0);
    }
  } else if (s->hd) {
    s->hd[i].key = key;
    c->flags |= F_HEAD_OPEN;
  }
  c->flags = (uint8_t)((c->flags & ~F_OPEN_REFUND) | F_OPEN |
                       (refund ? F_OPEN_REFUND : 0));
  c->open_key = key;
  c->open_net = amount;
  c->open_lo = c->open_hi = off;
}

static int add_entry(clv__summarizer *s, uint32_t i, int32_t key, int32_t day,
                     double amount) {
  if (s->ne == s->ecap) {
    size_t cap = s->ecap ? s->ecap * 2 : 1024;
    entry *e = realloc(s->e, cap * sizeof *e);
    if (e == NULL)
      return CLV_ENOMEM;
    s->e = e;
    s->ecap = cap;
  }
  s->e[s->ne].cust = i;
  s->e[s->ne].key = key;
  s->e[s->ne].day = day;
  s->e[s->ne].amount = amount;
  s->ne++;
  return CLV_OK;
}

/* Makes room for the next new customers: grows the arrays when full and
 * pre-faults the next PREFAULT_RECORDS records in one call per array. */
static int prepare_customers(clv__summarizer *s) {
  int rc;
  if (s->map.count >= s->cap && (rc = grow_customers(s)) != CLV_OK)
    return rc;
  size_t from = s->ready > s->map.count ? s->ready : s->map.count;
  size_t to =
      from + PREFAULT_RECORDS < s->cap ? from + PREFAULT_RECORDS : s->cap;
  clv__mem_populate(&s->c[from], (to - from) * sizeof(cust));
  if (s->seq)
    clv__mem_populate(&s->seq[from], (to - from) * sizeof *s->seq);
  if (s->h)
    clv__mem_populate(&s->h[from], (to - from) * sizeof *s->h);
  if (s->hd)
    clv__mem_populate(&s->hd[from], (to - from) * sizeof *s->hd);
  s->ready = to;
  return CLV_OK;
}

/*
 * Records a day outside [min_day, max_day] and widens the per-day counts to
 * cover it, with slack of half the span on the side that grew, so that a
 * log sorted by time reallocates a logarithmic number of times. Days are
 * within +-DAY_LIMIT, so the span fits in 32 bits.
 */
static int extend_days(clv__summarizer *s, int32_t day) {
  int32_t lo = day < s->min_day ? day : s->min_day;
  int32_t hi = day > s->max_day ? day : s->max_day;
  int32_t base = s->hist_base, top = s->hist_base + (int32_t)s->hist_len - 1;
  if (s->hist_len == 0 || lo < base || hi > top) {
    int32_t slack = (hi - lo) / 2 + 64;
    int32_t nb = s->hist_len == 0 || lo < base ? lo - slack : base;
    int32_t nt = s->hist_len == 0 || hi > top ? hi + slack : top;
    if (nb < -DAY_LIMIT)
      nb = -DAY_LIMIT;
    if (nt > DAY_LIMIT)
      nt = DAY_LIMIT;
    uint32_t len = (uint32_t)(nt - nb) + 1;
    int64_t *h = calloc(len, sizeof *h);
    if (h == NULL)
      return CLV_ENOMEM;
    if (s->hist_len)
      memcpy(h + (base - nb), s->hist, s->hist_len * sizeof *h);
    free(s->hist);
    s->hist = h;
    s->hist_base = nb;
    s->hist_len = len;
  }
  s->min_day = lo;
  s->max_day = hi;
  return CLV_OK;
}

/* Finds or inserts row r's customer through the hash map (the slow path
 * of lookup()): makes room for a new record first, since the map writes a
 * new key's record in place. */
static int intern_row(clv__summarizer *s, const clv__order *r, uint32_t *i) {
  int rc, inserted;
  if (s->map.count >= s->ready && (rc = prepare_customers(s)) != CLV_OK)
    return rc;
  rc = clv__hashmap_intern(&s->map, r->id, r->id_len, r->hash, i, &inserted);
  if (rc)
    return rc;
  if (inserted) {
    reset_customer(s, *i);
    if (s->seq)
      s->seq[*i] = r->seq;
  }
  return CLV_OK;
}

/* The index of row r's customer, inserted when new. g is the batch
 * pipeline's guess (clv__hashmap_guess(), UINT32_MAX for none): keys are
 * unique in the map, so a record that holds the row's id IS its customer,
 * whatever rows were added since the guess; a known customer then costs
 * one compare in the record already fetched, not a second probe. */
static inline int lookup(clv__summarizer *s, const clv__order *r, uint32_t g,
                         uint32_t *i) {
  if (g < s->map.count && clv__hashmap_key_is(&s->map, g, r->id, r->id_len)) {
    *i = g;
    return CLV_OK;
  }
  return intern_row(s, r, i);
}

/* A row's amount as the summary counts it: 0 without amounts, and -0.0 as
 * 0 (it would not count as a refund anyway, and prints as 0). */
static inline double row_amount(const clv__summarizer *s, const clv__order *r) {
  double amount = s->o.with_amount ? r->amount : 0.0;
  return amount == 0 ? 0.0 : amount;
}

/* What every row of the first pass gets before its update, in add_one()
 * and add_day() alike: it is counted, left out after the observation end
 * (TAKE_AFTER_UNTIL), looked up (inserted when new) and its day recorded.
 * CLV_OK with the customer in *i, or a lookup/allocation status. */
enum { TAKE_AFTER_UNTIL = -1 };
static inline int take_row(clv__summarizer *s, const clv__order *r, uint32_t g,
                           uint32_t *i) {
  int rc;
  int32_t day = r->day;
  s->rows++;
  if (day > s->until) {
    s->rows_after_until++;
    return TAKE_AFTER_UNTIL;
  }
  rc = lookup(s, r, g, i);
  if (rc)
    return rc;
  s->rows_used++;
  if ((day < s->min_day || day > s->max_day) &&
      (rc = extend_days(s, day)) != CLV_OK)
    return rc;
  return CLV_OK;
}

/* One row of a batch (domain already checked by the caller), any options;
 * g as for lookup(). */
static inline int add_one(clv__summarizer *s, const clv__order *r, uint32_t g) {
  int rc;
  uint32_t i;
  int32_t day = r->day;
  double amount = row_amount(s, r);
  if (s->replaying) {
    if (day > s->until)
      return CLV_OK;
    if (g < s->map.count && clv__hashmap_key_is(&s->map, g, r->id, r->id_len))
      i = g;
    else if (!clv__hashmap_find(&s->map, r->id, r->id_len, r->hash, &i))
      return CLV_OK;
    if (!(s->c[i].flags & F_MARKED))
      return CLV_OK;
    return add_entry(s, i, row_key(s, day), day, amount);
  }
  if ((rc = take_row(s, r, g, &i)) != CLV_OK)
    return rc == TAKE_AFTER_UNTIL ? CLV_OK : rc;
  cust *c = &s->c[i];
  if (c->flags & F_MARKED)
    return CLV_OK;
  int32_t key = row_key(s, day);
  if ((c->flags & F_OPEN) && key < c->open_key) {
    c->flags |= F_MARKED;
    s->marked++;
    return CLV_OK;
  }
  update(s, i, key, day, amount);
  return CLV_OK;
}

/*
 * add_one() for the common options, chosen once per batch: day periods,
 * no holdout, no keep_head, not replaying. Then a row's key is 2 * day,
 * a period is one day (its first/last day offsets stay 0), every row is in
 * the calibration window and there is no head, so update() and
 * close_period() reduce to the few lines below, with the same arithmetic
 * on every field in the same order (the results are bit-identical; the
 * unit tests compare this path with add_one() field by field).
 */
static inline int add_day(clv__summarizer *s, const clv__order *r, uint32_t g) {
  int rc;
  uint32_t i;
  int32_t day = r->day;
  double amount = row_amount(s, r);
  if ((rc = take_row(s, r, g, &i)) != CLV_OK)
    return rc == TAKE_AFTER_UNTIL ? CLV_OK : rc;
  cust *c = &s->c[i];
  uint8_t flags = c->flags;
  int32_t key = day * 2;
  int refund = amount < 0;
  if (flags & (F_MARKED | F_OPEN)) {
    if (flags & F_MARKED)
      return CLV_OK;
    if (key < c->open_key) {
      c->flags = flags | F_MARKED;
      s->marked++;
      return CLV_OK;
    }
  }
  c->total += amount;
  if (refund)
    c->refunds -= amount;
  if (c->orders < UINT32_MAX)
    c->orders++;
  if ((flags & F_OPEN) && key == c->open_key) {
    c->open_net += amount;
    if (refund)
      c->flags = flags | F_OPEN_REFUND;
    return CLV_OK;
  }
  if ((flags & F_OPEN) && is_purchase(c->open_net, flags & F_OPEN_REFUND)) {
    /* close_period() of the open day, lo = hi = 0. */
    int32_t d = key_period(c->open_key);
    if (c->count > 0) {
      s->hist[d - s->hist_base] += s->hist_step;
      c->repeat_sum += c->open_net;
    } else {
      c->first_day = d;
    }
    c->count++;
    c->last_day = d;
  }
  c->flags = (uint8_t)((flags & ~F_OPEN_REFUND) | F_OPEN |
                       (refund ? F_OPEN_REFUND : 0));
  c->open_key = key;
  c->open_net = amount;
  c->open_lo = c->open_hi = 0;
  return CLV_OK;
}

/* The batch pipeline's guess of row r's customer, with its record
 * requested (UINT32_MAX: none, or an empty map). */
static inline uint32_t guess_prefetch(const clv__summarizer *s,
                                      const clv__order *r) {
  if (s->map.mask == 0)
    return UINT32_MAX;
  uint32_t g = clv__hashmap_guess(&s->map, r->hash);
  if (g < s->map.count)
    __builtin_prefetch(&s->c[g], 1);
  return g;
}

int clv__summarizer_add_batch(clv__summarizer *s, const clv__order *r,
                              size_t n) {
  int rc = CLV_OK;
  const clv__hashmap *m = &s->map;
  /* A software pipeline over the batch: while row k is applied, the slot
   * of row k + SLOT_AHEAD is requested, and the slot of row k + REC_AHEAD
   * (requested earlier, arrived by now) is read for a guess of the
   * customer, whose record is requested; the guess waits in a ring until
   * its row is applied (see lookup()). So a steady number of cache misses
   * is in flight instead of one at a time. A slot that an earlier row
   * changes (a new customer, a grown table) only makes a guess useless,
   * never wrong. */
  enum { SLOT_AHEAD = 16, REC_AHEAD = 8 };
  uint32_t guess[REC_AHEAD];
  int day_path = !s->replaying && s->o.period == CLV_PERIOD_DAY &&
                 s->o.holdout_day == INT32_MIN && s->hd == NULL;
  if (m->mask)
    for (size_t k = 0; k < n && k < SLOT_AHEAD; k++)
      clv__hashmap_prefetch_slot(m, r[k].hash);
  for (size_t k = 0; k < n && k < REC_AHEAD; k++)
    guess[k] = guess_prefetch(s, &r[k]);
  for (size_t k = 0; k < n; k++) {
    uint32_t g = guess[k % REC_AHEAD];
    if (k + SLOT_AHEAD < n && m->mask)
      clv__hashmap_prefetch_slot(m, r[k + SLOT_AHEAD].hash);
    if (k + REC_AHEAD < n)
      guess[k % REC_AHEAD] = guess_prefetch(s, &r[k + REC_AHEAD]);
    rc = day_path ? add_day(s, &r[k], g) : add_one(s, &r[k], g);
    if (rc)
      break;
  }
  return rc;
}

int clv__summarizer_add(clv__summarizer *s, const char *id, size_t id_len,
                        int32_t day, double amount, int has_amount) {
  clv__order r;
  if (!has_amount || !s->o.with_amount)
    amount = 0;
  if (!clv__order_ok(day, amount))
    return CLV_EDOMAIN;
  r.id = id;
  r.id_len = id_len;
  r.day = day;
  r.amount = amount;
  r.hash = clv__hash_bytes(id, id_len);
  r.seq = s->rows;
  return add_one(s, &r, UINT32_MAX);
}

int clv__summarizer_needs_replay(const clv__summarizer *s) {
  return s->marked > 0 && !s->replaying;
}

int clv__summarizer_begin_replay(clv__summarizer *s) {
  s->replaying = 1;
  s->ne = 0;
  return CLV_OK;
}

unsigned clv__summarizer_columns(const clv__summarizer *s) {
  unsigned cols = (1u << CLV_COL_X) | (1u << CLV_COL_TX) | (1u << CLV_COL_T) |
                  (1u << CLV_COL_FIRST_DAY) | (1u << CLV_COL_LAST_DAY) |
                  (1u << CLV_COL_ORDERS);
  if (s->o.with_amount)
    cols |= (1u << CLV_COL_M) | (1u << CLV_COL_TOTAL_SPEND) |
            (1u << CLV_COL_REFUNDS);
  if (s->o.holdout_day != INT32_MIN) {
    cols |= (1u << CLV_COL_X_HOLDOUT) | (1u << CLV_COL_DURATION_HOLDOUT);
    if (s->o.with_amount)
      cols |= 1u << CLV_COL_M_HOLDOUT;
  }
  return cols;
}

static int entry_cmp(const void *pa, const void *pb) {
  const entry *a = pa, *b = pb;
  if (a->cust != b->cust)
    return a->cust < b->cust ? -1 : 1;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  return 0;
}

/* Rebuilds the marked customers from the rows collected by the replay,
 * sorted by customer and period: the same online update then sees them in
 * order. */
static void rebuild_marked(clv__summarizer *s) {
  /* First take back the per-day counts of the online pass. The replay
   * collected each marked customer's rows in input order, which is the
   * order the online pass saw them in: running the same updates again, up
   * to the row that marked the customer, closes the same periods, now
   * counted with -1. */
  for (size_t k = 0; k < s->ne; k++)
    reset_customer(s, s->e[k].cust);
  s->hist_step = -1;
  for (size_t k = 0; k < s->ne; k++) {
    cust *c = &s->c[s->e[k].cust];
    if (c->flags & F_UNDONE)
      continue;
    if ((c->flags & F_OPEN) && s->e[k].key < c->open_key) {
      c->flags |= F_UNDONE;
      continue;
    }
    update(s, s->e[k].cust, s->e[k].key, s->e[k].day, s->e[k].amount);
  }
  s->hist_step = 1;
  qsort(s->e, s->ne, sizeof *s->e, entry_cmp);
  for (size_t k = 0; k < s->ne;) {
    uint32_t i = s->e[k].cust;
    reset_customer(s, i);
    for (; k < s->ne && s->e[k].cust == i; k++)
      update(s, i, s->e[k].key, s->e[k].day, s->e[k].amount);
  }
  free(s->e);
  s->e = NULL;
  s->ne = s->ecap = 0;
}

void clv__summarizer_stats_get(const clv__summarizer *s,
                               clv__summarizer_stats *st) {
  memset(st, 0, sizeof *st);
  st->rows = s->rows;
  st->rows_used = s->rows_used;
  st->rows_after_until = s->rows_after_until;
  st->replayed_customers = s->marked;
  st->first_day = s->rows_used ? s->min_day : INT32_MIN;
  st->last_day = s->rows_used ? s->max_day : INT32_MIN;
  st->until_day = s->o.until_day != INT32_MIN ? s->o.until_day : st->last_day;
  st->holdout_day = s->o.holdout_day;
  st->customers = s->map.count;
  st->peak_bytes =
      s->peak_bytes > state_bytes(s) ? s->peak_bytes : state_bytes(s);
}

/* What every customer's row needs: the calibration end period, the
 * holdout duration, in the summariser's unit. */
typedef struct ends {
  int32_t end_period;
  double dur;
} ends;

/* Closes customer i's open period (and a keep_head summariser's head, which
 * normally only the merge consumes): its statistics are then final. */
static void close_open(clv__summarizer *s, uint32_t i) {
  cust *c = &s->c[i];
  if (s->hd && (c->flags & F_OPEN) && !(c->flags & F_HEAD_OPEN)) {
    /* A keep_head summariser used on its own: close the head first.
     * Only the merge normally consumes it. */
    head *h = &s->hd[i];
    cust saved = *c;
    double first_net = h->first_net;
    c->count = 0;
    c->repeat_sum = 0;
    close_period(s, i, h->key, h->net, h->lo, h->hi,
                 (c->flags & F_HEAD_REFUND) != 0);
    if (saved.count) {
      if (c->count) {
        c->repeat_sum += first_net + saved.repeat_sum;
      } else {
        c->first_day = saved.first_day;
        c->repeat_sum = saved.repeat_sum;
      }
      c->count += saved.count;
      c->last_day = saved.last_day;
    }
  }
  if (c->flags & F_OPEN)
    close_period(s, i, c->open_key, c->open_net, c->open_lo, c->open_hi,
                 (c->flags & F_OPEN_REFUND) != 0);
  c->flags = 0;
}

/* Counts customer i, closed and without a calibration purchase, as left
 * out of the rows. */
static void count_left_out(const clv__summarizer *s, uint32_t i,
                           clv__summarizer_stats *st) {
  if (s->h && s->h[i].count > 0)
    st->customers_holdout_only++;
  else
    st->customers_no_purchase++;
  st->spend_excluded += s->c[i].total;
}

/* Fills the output row of closed customer i; 0 when it has none (no
 * calibration purchase). Reads only. */
static int closed_row(const clv__summarizer *s, uint32_t i, const ends *e,
                      clv_summary_row *row) {
  const cust *c = &s->c[i];
  if (c->count == 0)
    return 0;
  memset(row, 0, sizeof *row);
  int32_t first_p = period_of(s->o.period, c->first_day);
  double x = (double)(c->count - 1);
  row->v[CLV_COL_X] = x;
  row->v[CLV_COL_TX] =
      (period_of(s->o.period, c->last_day) - first_p) * s->mul / s->div;
  row->v[CLV_COL_T] = (e->end_period - first_p) * s->mul / s->div;
  row->v[CLV_COL_M] = c->count > 1 ? c->repeat_sum / x : 0.0;
  row->v[CLV_COL_WEIGHT] = 1.0;
  if (s->h) {
    row->v[CLV_COL_X_HOLDOUT] = s->h[i].count;
    row->v[CLV_COL_M_HOLDOUT] =
        s->h[i].count ? s->h[i].sum / s->h[i].count : 0.0;
    row->v[CLV_COL_DURATION_HOLDOUT] = e->dur;
  }
  row->v[CLV_COL_FIRST_DAY] = c->first_day;
  row->v[CLV_COL_LAST_DAY] = c->last_day;
  row->v[CLV_COL_TOTAL_SPEND] = c->total;
  row->v[CLV_COL_ORDERS] = c->orders;
  row->v[CLV_COL_REFUNDS] = c->refunds;
  return 1;
}

/*
 * Closes customer i and fills its output row. Returns 1 when the customer
 * has a row, 0 when it is left out (counted in st).
 */
static int close_customer(clv__summarizer *s, uint32_t i, const ends *e,
                          clv_summary_row *row, clv__summarizer_stats *st) {
  close_open(s, i);
  if (closed_row(s, i, e, row))
    return 1;
  count_left_out(s, i, st);
  return 0;
}

/* Stats of several summarisers fed disjoint customers of one input. */
static void stats_multi(clv__summarizer *const *s, size_t n,
                        clv__summarizer_stats *st) {
  clv__summarizer_stats one;
  clv__summarizer_stats_get(s[0], st);
  for (size_t k = 1; k < n; k++) {
    clv__summarizer_stats_get(s[k], &one);
    st->rows += one.rows;
    st->rows_used += one.rows_used;
    st->rows_after_until += one.rows_after_until;
    st->replayed_customers += one.replayed_customers;
    st->customers += one.customers;
    st->peak_bytes += one.peak_bytes;
    if (one.rows_used) {
      if (st->first_day == INT32_MIN || one.first_day < st->first_day)
        st->first_day = one.first_day;
      if (st->last_day == INT32_MIN || one.last_day > st->last_day)
        st->last_day = one.last_day;
    }
  }
  st->until_day =
      s[0]->o.until_day != INT32_MIN ? s[0]->o.until_day : st->last_day;
}

/* What the row walks do first: checks, peak memory, summed stats, the
 * replay's rebuild, and the ends every row needs. */
static int each_begin(clv__summarizer *const *s, size_t n,
                      clv__summarizer_stats *stats, ends *e) {
  /* The option, not the array: a half that got no customer has none. */
  if (n < 1 || n > 2 ||
      (n == 2 && (!s[0]->o.track_seq || !s[1]->o.track_seq))) {
    memset(stats, 0, sizeof *stats);
    return CLV_EINVAL;
  }
  for (size_t k = 0; k < n; k++) {
    size_t bytes = state_bytes(s[k]);
    if (bytes > s[k]->peak_bytes)
      s[k]->peak_bytes = bytes;
  }
  stats_multi(s, n, stats);
  stats->customers = 0;
  if (stats->rows_used == 0)
    return CLV_EEMPTY;
  int32_t until = stats->until_day, hday = s[0]->o.holdout_day;
  if (hday != INT32_MIN && hday > until)
    return CLV_EINVAL;
  for (size_t k = 0; k < n; k++)
    if (s[k]->marked)
      rebuild_marked(s[k]);
  /* Calibration ends the day before the holdout starts (lifetimes'
   * calibration_period_end is inclusive). */
  int32_t cal_end = hday != INT32_MIN ? hday - 1 : until;
  e->end_period = period_of(s[0]->o.period, cal_end);
  e->dur = 0;
  if (hday != INT32_MIN)
    e->dur = (period_of(s[0]->o.period, until) - e->end_period) * s[0]->mul /
             s[0]->div;
  return CLV_OK;
}

/* The summariser whose customer next[k] comes next in order of first
 * appearance (with two, the one whose next customer appeared first in the
 * input), or -1 when all are done. */
static int next_in_order(clv__summarizer *const *s, size_t n,
                         const uint32_t next[2]) {
  int k;
  if (n == 1 || next[1] >= s[1]->map.count)
    k = 0;
  else if (next[0] >= s[0]->map.count)
    k = 1;
  else
    k = s[0]->seq[next[0]] < s[1]->seq[next[1]] ? 0 : 1;
  return next[k] < s[k]->map.count ? k : -1;
}

int clv__summarizer_each_multi(clv__summarizer *const *s, size_t n,
                               clv__row_fn fn, void *ctx,
                               clv__summarizer_stats *st) {
  clv__summarizer_stats stats;
  uint32_t next[2] = {0, 0};
  ends e;
  int k, rc = each_begin(s, n, &stats, &e);
  if (rc)
    goto done;
  while ((k = next_in_order(s, n, next)) >= 0) {
    uint32_t i = next[k]++;
    clv_summary_row row;
    if (!close_customer(s[k], i, &e, &row, &stats))
      continue;
    size_t len;
    const char *id = clv__hashmap_key(&s[k]->map, i, &len);
    rc = fn(ctx, id, len, &row);
    if (rc)
      goto done;
    stats.customers++;
  }
done:
  if (st)
    *st = stats;
  return rc;
}

/* ---- two threads writing rows (clv__summarizer_each_par) ----------------- */

#define PAR_BLOCK 8192 /* output rows per block */

/* A parallel walk: blocks of PAR_BLOCK consecutive output rows, each
 * starting at customers blk[b] of the two summarisers, handed out to the
 * threads in turn and ended (written) in block order. */
typedef struct par_run {
  clv__summarizer *const *s;
  ends e;
  uint32_t (*blk)[2];
  size_t nblk;
  clv__row_fn fn;
  clv__block_fn done;
  void *const *ctx;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t turn; /* the block whose end is due */
  int rc;      /* the first failure of any thread */
} par_run;

typedef struct par_job {
  par_run *r;
  size_t t, nt; /* this thread, threads */
  int phase;    /* 0: close summariser t; 1: rows of blocks t, t + nt, ... */
} par_job;

static void par_close(clv__summarizer *s) {
  for (uint32_t i = 0; i < s->map.count; i++)
    close_open(s, i);
}

static void par_rows(par_run *r, size_t t, size_t nt) {
  for (size_t b = t; b < r->nblk; b += nt) {
    uint32_t next[2] = {r->blk[b][0], r->blk[b][1]};
    int k, rc = CLV_OK;
    for (size_t rows = 0;
         rows < PAR_BLOCK && (k = next_in_order(r->s, 2, next)) >= 0;) {
      uint32_t i = next[k]++;
      clv_summary_row row;
      if (!closed_row(r->s[k], i, &r->e, &row))
        continue;
      size_t len;
      const char *id = clv__hashmap_key(&r->s[k]->map, i, &len);
      rc = r->fn(r->ctx[t], id, len, &row);
      if (rc)
        break;
      rows++;
    }
    /* Blocks end in order: wait for the previous one (or a failure). */
    pthread_mutex_lock(&r->mu);
    while (r->turn != b && r->rc == CLV_OK && rc == CLV_OK)
      pthread_cond_wait(&r->cv, &r->mu);
    if (r->rc == CLV_OK && rc == CLV_OK) {
      pthread_mutex_unlock(&r->mu);
      rc = r->done(r->ctx[t]);
      pthread_mutex_lock(&r->mu);
    }
    if (rc && r->rc == CLV_OK)
      r->rc = rc;
    r->turn = b + 1;
    int stop = r->rc != CLV_OK;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (stop)
      return;
  }
}

static void *par_thread(void *arg) {
  par_job *j = arg;
  if (j->phase == 0)
    par_close(j->r->s[j->t]);
  else
    par_rows(j->r, j->t, j->nt);
  return NULL;
}

/* Runs a phase on this thread (job 0) and one more (job 1), or all of it
 * here when no thread can be made. */
static void par_phase(par_run *r, int phase) {
  pthread_t th;
  par_job j[2] = {{r, 0, 2, phase}, {r, 1, 2, phase}};
  if (pthread_create(&th, NULL, par_thread, &j[1]) == 0) {
    par_thread(&j[0]);
    pthread_join(th, NULL);
    return;
  }
  if (phase == 0) {
    par_close(r->s[0]);
    par_close(r->s[1]);
  } else {
    par_rows(r, 0, 1);
  }
}

int clv__summarizer_each_par(clv__summarizer *const *s, size_t n,
                             clv__row_fn fn, clv__block_fn done,
                             void *const ctx[2], clv__summarizer_stats *st) {
  clv__summarizer_stats stats;
  par_run r;
  uint32_t next[2] = {0, 0};
  uint64_t rows = 0;
  int k, rc;
  memset(&r, 0, sizeof r);
  if (n != 2) {
    memset(&stats, 0, sizeof stats);
    rc = CLV_EINVAL;
    goto done;
  }
  rc = each_begin(s, n, &stats, &r.e);
  if (rc)
    goto done;
  r.s = s;
  r.fn = fn;
  r.done = done;
  r.ctx = ctx;
  r.blk = malloc(((s[0]->map.count + (size_t)s[1]->map.count) / PAR_BLOCK + 1) *
                 sizeof *r.blk);
  if (r.blk == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  /* Each thread closes its own summariser (the per-day counts of a
   * summariser are one array). */
  par_phase(&r, 0);
  /* One pass in output order finds where the blocks start and sums the
   * left-out customers' spend in the same order as clv__summarizer_each()
   * (a floating-point sum depends on the order). */
  while ((k = next_in_order(s, 2, next)) >= 0) {
    uint32_t i = next[k];
    if (s[k]->c[i].count == 0) {
      count_left_out(s[k], i, &stats);
      next[k]++;
      continue;
    }
    if (rows % PAR_BLOCK == 0) {
      r.blk[r.nblk][0] = next[0];
      r.blk[r.nblk][1] = next[1];
      r.nblk++;
    }
    next[k]++;
    rows++;
  }
  stats.customers = rows;
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.cv, NULL);
  par_phase(&r, 1);
  pthread_cond_destroy(&r.cv);
  pthread_mutex_destroy(&r.mu);
  rc = r.rc;
done:
  free(r.blk);
  if (st)
    *st = stats;
  return rc;
}

int clv__summarizer_each(clv__summarizer *s, clv__row_fn fn, void *ctx,
                         clv__summarizer_stats *st) {
  return clv__summarizer_each_multi(&s, 1, fn, ctx, st);
}

/*
 * Hands the per-day repeat purchase counts of n summarisers fed disjoint
 * customers to table t, summed over the days of the log. Nothing is set
 * when some summariser lost them (keep_head, merge). CLV_OK or CLV_ENOMEM.
 */
static int set_repeat_days(clv__summarizer *const *s, size_t n,
                           clv_summary *t) {
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  uint64_t *sum = NULL;
  int rc = CLV_OK;
  for (size_t k = 0; k < n; k++) {
    if (s[k]->hist_lost)
      goto done;
    if (s[k]->rows_used == 0)
      continue;
    lo = s[k]->min_day < lo ? s[k]->min_day : lo;
    hi = s[k]->max_day > hi ? s[k]->max_day : hi;
  }
  if (lo > hi)
    goto done;
  size_t len = (size_t)(hi - lo) + 1;
  sum = calloc(len, sizeof *sum);
  if (sum == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t k = 0; k < n; k++) {
    if (s[k]->rows_used == 0)
      continue;
    for (int32_t d = s[k]->min_day; d <= s[k]->max_day; d++) {
      int64_t v = s[k]->hist[d - s[k]->hist_base];
      /* The undo of the replay can only take back what was counted. */
      assert(v >= 0);
      sum[d - lo] += v > 0 ? (uint64_t)v : 0;
    }
  }
  rc = clv_summary_set_repeat_days(t, lo, sum, len);
done:
  free(sum);
  return rc;
}

static int append_row(void *ctx, const char *id, size_t id_len,
                      const clv_summary_row *row) {
  return clv_summary_append(ctx, id, id_len, row);
}

int clv__summarizer_finish_multi(clv__summarizer *const *s, size_t n,
                                 clv_summary **out, clv__summarizer_stats *st) {
  int rc;
  clv_summary *t = NULL;
  clv__summarizer_stats stats;
  uint64_t count = 0;
  *out = NULL;
  for (size_t k = 0; k < n; k++)
    count += s[k]->map.count;
  rc = clv_summary_new(&t, s[0]->o.unit, clv__summarizer_columns(s[0]),
                       (size_t)count);
  if (rc)
    goto fail;
  rc = clv__summarizer_each_multi(s, n, append_row, t, &stats);
  if (st)
    *st = stats;
  if (rc)
    goto fail;
  rc = set_repeat_days(s, n, t);
  if (rc)
    goto fail;
  clv_summary_set_days(t, stats.until_day, s[0]->o.holdout_day);
  *out = t;
  return CLV_OK;
fail:
  clv_summary_free(t);
  return rc;
}

int clv__summarizer_finish(clv__summarizer *s, clv_summary **out,
                           clv__summarizer_stats *st) {
  return clv__summarizer_finish_multi(&s, 1, out, st);
}

/* Closed statistics of b's customer j appended after a's customer i (all of
 * b's closed periods come after all of a's). */
static void append_closed(clv__summarizer *a, uint32_t i,
                          const clv__summarizer *b, uint32_t j) {
  cust *ca = &a->c[i];
  const cust *cb = &b->c[j];
  if (cb->count) {
    if (ca->count)
      ca->repeat_sum += b->hd[j].first_net + cb->repeat_sum;
    else {
      ca->first_day = cb->first_day;
      ca->repeat_sum = cb->repeat_sum;
      if (a->hd)
        a->hd[i].first_net = b->hd[j].first_net;
    }
    ca->count += cb->count;
    ca->last_day = cb->last_day;
  }
  if (a->h) {
    a->h[i].count += b->h[j].count;
    a->h[i].sum += b->h[j].sum;
  }
}

int clv__summarizer_merge(clv__summarizer *a, clv__summarizer *b) {
  int rc = CLV_OK;
  /* The merge closes periods of b's days into a: a's per-day array must
   * cover them, though its counts are lost (see clv__summarizer_new()). */
  a->hist_lost = 1;
  if (b->rows_used && ((rc = extend_days(a, b->min_day)) != CLV_OK ||
                       (rc = extend_days(a, b->max_day)) != CLV_OK))
    goto done;
  for (uint32_t j = 0; j < b->map.count; j++) {
    size_t len;
    int inserted;
    uint32_t i;
    const char *id = clv__hashmap_key(&b->map, j, &len);
    if (a->map.count >= a->cap && (rc = grow_customers(a)) != CLV_OK)
      goto done;
    rc = clv__hashmap_intern(&a->map, id, len, clv__hash_bytes(id, len), &i,
                             &inserted);
    if (rc)
      goto done;
    if (inserted)
      reset_customer(a, i);
    cust *ca = &a->c[i];
    const cust *cb = &b->c[j];
    const head *hb = &b->hd[j];
    /* Row-level sums add up whatever the order. */
    ca->total += cb->total;
    ca->refunds += cb->refunds;
    ca->orders = (uint32_t)((uint64_t)ca->orders + cb->orders > UINT32_MAX
                                ? UINT32_MAX
                                : ca->orders + cb->orders);
    int overlap = (ca->flags & F_OPEN) && hb->key < ca->open_key;
    if ((ca->flags & F_MARKED) || (cb->flags & F_MARKED) || overlap) {
      if (!(ca->flags & F_MARKED))
        a->marked++;
      ca->flags |= F_MARKED;
      continue;
    }
    int head_open = (cb->flags & F_HEAD_OPEN) != 0;
    /* The head period: b's open period when it is still the head. */
    double net = head_open ? cb->open_net : hb->net;
    uint8_t lo = head_open ? cb->open_lo : hb->lo;
    uint8_t hi = head_open ? cb->open_hi : hb->hi;
    int refund = head_open ? (cb->flags & F_OPEN_REFUND) != 0
                           : (cb->flags & F_HEAD_REFUND) != 0;
    if ((ca->flags & F_OPEN) && ca->open_key == hb->key) {
      /* Both halves meet on the same period: one period. */
      net += ca->open_net;
      lo = ca->open_lo < lo ? ca->open_lo : lo;
      hi = ca->open_hi > hi ? ca->open_hi : hi;
      refund = refund || (ca->flags & F_OPEN_REFUND);
    } else if (ca->flags & F_OPEN) {
      close_period(a, i, ca->open_key, ca->open_net, ca->open_lo, ca->open_hi,
                   (ca->flags & F_OPEN_REFUND) != 0);
    }
    ca->flags =
        (uint8_t)((ca->flags & ~(F_OPEN_REFUND | F_HEAD_OPEN)) | F_OPEN);
    if (head_open) {
      ca->open_key = hb->key;
      ca->open_net = net;
      ca->open_lo = lo;
      ca->open_hi = hi;
      if (refund)
        ca->flags |= F_OPEN_REFUND;
    } else {
      close_period(a, i, hb->key, net, lo, hi, refund);
      append_closed(a, i, b, j);
      ca->open_key = cb->open_key;
      ca->open_net = cb->open_net;
      ca->open_lo = cb->open_lo;
      ca->open_hi = cb->open_hi;
      if (cb->flags & F_OPEN_REFUND)
        ca->flags |= F_OPEN_REFUND;
    }
  }
  a->rows += b->rows;
  a->rows_used += b->rows_used;
  a->rows_after_until += b->rows_after_until;
  if (b->rows_used) {
    if (b->min_day < a->min_day)
      a->min_day = b->min_day;
    if (b->max_day > a->max_day)
      a->max_day = b->max_day;
  }
  {
    size_t bytes = state_bytes(a) + state_bytes(b);
    if (bytes > a->peak_bytes)
      a->peak_bytes = bytes;
  }
done:
  clv__hashmap_free(&b->map);
  b->map.count = 0;
  return rc;
}
