/*
 * orders.c - the order table: rows of an order log kept in memory as column
 * arrays, with a dictionary per text column (clv/orders.h).
 *
 * The business layer needs the rows themselves (which products a customer
 * bought, in which month, through which channel), so this table is the
 * counterpart of the streaming summariser: it costs memory per row, and in
 * return every segment, cohort and product figure can be traced back to
 * rows. Texts are interned once; a row holds 4-byte keys.
 */
#include "clv/orders.h"
#include "clv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "summarize.h"

/* A dictionary of distinct byte strings, numbered in order of first
 * insertion, each stored NUL-terminated in one arena so that callers get C
 * strings. Open addressing with linear probing; a slot holds index + 1. */
typedef struct dict {
  /* Slot: the string's number + 1 in the low 32 bits (0 = empty), the high
   * 32 bits of its hash above, so that a probe that meets another string
   * mostly costs no look at that string's length, offset and bytes (three
   * cache misses in a large dictionary). */
  uint64_t *slots;
  size_t mask; /* slot count - 1; 0 before the first insert */
  /* The string found or added last, + 1 (0 = none): the lines of one order
   * repeat its order id, customer, channel and store, so most lookups are
   * answered by this one hot string. */
  uint32_t last;
  size_t *off; /* arena offset of each string */
  uint32_t *len;
  uint32_t count, cap;
  char *arena;
  size_t alen, acap;
} dict;

struct clv_orders {
  unsigned attrs, nums;
  size_t n, cap;
  uint32_t *cust;
  int32_t *day;
  double *amount;
  double *num[CLV_NUM__COUNT];
  uint32_t *key[CLV_ATTR__COUNT];
  dict custs;
  dict dicts[CLV_ATTR__COUNT];
  uint32_t *product_name; /* per product key: a PRODUCT_NAME key */
  size_t product_name_cap;
  int32_t first_day, last_day;
};

static const char *const ATTR_NAMES[CLV_ATTR__COUNT] = {
    "order_id", "product_id",          "product_name", "category",
    "channel",  "acquisition_channel", "store"};

const char *clv_attr_name(clv_attr a) {
  return (unsigned)a < CLV_ATTR__COUNT ? ATTR_NAMES[a] : "";
}

/* ---- dictionary ---------------------------------------------------------- */

static void dict_free(dict *d) {
  free(d->slots);
  free(d->off);
  free(d->len);
  free(d->arena);
}

static inline uint64_t slot_of(uint64_t hash, uint32_t i) {
  return (hash & 0xFFFFFFFF00000000ull) | ((uint64_t)i + 1);
}

static int dict_grow_slots(dict *d) {
  size_t n = d->mask ? 2 * (d->mask + 1) : 64;
  uint64_t *s = calloc(n, sizeof *s);
  if (s == NULL)
    return CLV_ENOMEM;
  for (uint32_t i = 0; i < d->count; i++) {
    uint64_t h = clv__hash_bytes(d->arena + d->off[i], d->len[i]);
    size_t j = (size_t)h & (n - 1);
    while (s[j])
      j = (j + 1) & (n - 1);
    s[j] = slot_of(h, i);
  }
  free(d->slots);
  d->slots = s;
  d->mask = n - 1;
  return CLV_OK;
}

/* Finds or inserts the n bytes at p; *index is its number. */
static int dict_intern(dict *d, const char *p, size_t n, uint32_t *index) {
  if (n > UINT32_MAX - 1)
    return CLV_EOVERFLOW;
  if (d->mask == 0 || (size_t)d->count + 1 > (d->mask + 1) / 10 * 7) {
    int rc = dict_grow_slots(d);
    if (rc)
      return rc;
  }
  if (d->last) {
    uint32_t i = d->last - 1;
    if (d->len[i] == n && memcmp(d->arena + d->off[i], p, n) == 0) {
      *index = i;
      return CLV_OK;
    }
  }
  uint64_t h = clv__hash_bytes(p, n), tag = h & 0xFFFFFFFF00000000ull;
  size_t j = (size_t)h & d->mask;
  for (; d->slots[j]; j = (j + 1) & d->mask) {
    uint32_t i = (uint32_t)d->slots[j] - 1;
    if ((d->slots[j] & 0xFFFFFFFF00000000ull) == tag && d->len[i] == n &&
        memcmp(d->arena + d->off[i], p, n) == 0) {
      *index = i;
      d->last = i + 1;
      return CLV_OK;
    }
  }
  if (d->count >= UINT32_MAX - 2)
    return CLV_EOVERFLOW;
  if (d->count == d->cap) {
    uint32_t cap = d->cap ? 2 * d->cap : 64;
    size_t *off = realloc(d->off, cap * sizeof *off);
    if (off == NULL)
      return CLV_ENOMEM;
    d->off = off;
    uint32_t *len = realloc(d->len, cap * sizeof *len);
    if (len == NULL)
      return CLV_ENOMEM;
    d->len = len;
    d->cap = cap;
  }
  if (d->alen + n + 1 > d->acap) {
    size_t cap = d->acap ? 2 * d->acap : 4096;
    while (cap < d->alen + n + 1)
      cap *= 2;
    char *a = realloc(d->arena, cap);
    if (a == NULL)
      return CLV_ENOMEM;
    d->arena = a;
    d->acap = cap;
  }
  if (n)
    memcpy(d->arena + d->alen, p, n);
  d->arena[d->alen + n] = '\0';
  d->off[d->count] = d->alen;
  d->len[d->count] = (uint32_t)n;
  d->alen += n + 1;
  d->slots[j] = slot_of(h, d->count);
  d->last = d->count + 1;
  *index = d->count++;
  return CLV_OK;
}

static int dict_find(const dict *d, const char *p, size_t n, uint32_t *index) {
  if (d->mask == 0)
    return 0;
  uint64_t h = clv__hash_bytes(p, n), tag = h & 0xFFFFFFFF00000000ull;
  size_t j = (size_t)h & d->mask;
  for (; d->slots[j]; j = (j + 1) & d->mask) {
    uint32_t i = (uint32_t)d->slots[j] - 1;
    if ((d->slots[j] & 0xFFFFFFFF00000000ull) == tag && d->len[i] == n &&
        memcmp(d->arena + d->off[i], p, n) == 0) {
      *index = i;
      return 1;
    }
  }
  return 0;
}

static const char *dict_text(const dict *d, uint32_t i, size_t *len) {
  if (i >= d->count) {
    if (len)
      *len = 0;
    return "";
  }
  if (len)
    *len = d->len[i];
  return d->arena + d->off[i];
}

/* ---- the table ----------------------------------------------------------- */

int clv_orders_new(clv_orders **out, unsigned attrs, unsigned nums) {
  if (out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  clv_orders *o = calloc(1, sizeof *o);
  if (o == NULL)
    return CLV_ENOMEM;
  o->attrs = attrs & ((1u << CLV_ATTR__COUNT) - 1);
  o->nums = nums & ((1u << CLV_NUM__COUNT) - 1);
  o->first_day = 0;
  o->last_day = -1;
  *out = o;
  return CLV_OK;
}

void clv_orders_free(clv_orders *o) {
  if (o == NULL)
    return;
  free(o->cust);
  free(o->day);
  free(o->amount);
  for (int k = 0; k < CLV_NUM__COUNT; k++)
    free(o->num[k]);
  for (int a = 0; a < CLV_ATTR__COUNT; a++) {
    free(o->key[a]);
    dict_free(&o->dicts[a]);
  }
  dict_free(&o->custs);
  free(o->product_name);
  free(o);
}

void clv_order_row_init(clv_order_row *r) {
  memset(r, 0, sizeof *r);
}

/* Grows an array of `size`-byte elements from the table's old capacity to
 * cap; *p is left unchanged on failure. */
static int grow(void **p, size_t cap, size_t size) {
  void *q = realloc(*p, cap * size);
  if (q == NULL)
    return CLV_ENOMEM;
  *p = q;
  return CLV_OK;
}

static int reserve(clv_orders *o) {
  if (o->n < o->cap)
    return CLV_OK;
  if (o->n >= UINT32_MAX - 2)
    return CLV_EOVERFLOW;
  size_t cap = o->cap ? 2 * o->cap : 1024;
  int rc = CLV_OK;
  if ((rc = grow((void **)&o->cust, cap, sizeof *o->cust)) ||
      (rc = grow((void **)&o->day, cap, sizeof *o->day)) ||
      (rc = grow((void **)&o->amount, cap, sizeof *o->amount)))
    return rc;
  for (int k = 0; k < CLV_NUM__COUNT; k++)
    if ((o->nums >> k & 1u) &&
        (rc = grow((void **)&o->num[k], cap, sizeof *o->num[k])))
      return rc;
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    if ((o->attrs >> a & 1u) &&
        (rc = grow((void **)&o->key[a], cap, sizeof *o->key[a])))
      return rc;
  o->cap = cap;
  return CLV_OK;
}

/* Remembers the first product name seen with product p. */
static int note_product_name(clv_orders *o, uint32_t p, uint32_t name) {
  if (p >= o->product_name_cap) {
    size_t cap = o->product_name_cap ? 2 * o->product_name_cap : 256;
    while (cap <= p)
      cap *= 2;
    uint32_t *q = realloc(o->product_name, cap * sizeof *q);
    if (q == NULL)
      return CLV_ENOMEM;
    for (size_t i = o->product_name_cap; i < cap; i++)
      q[i] = CLV_NO_KEY;
    o->product_name = q;
    o->product_name_cap = cap;
  }
  if (o->product_name[p] == CLV_NO_KEY)
    o->product_name[p] = name;
  return CLV_OK;
}

int clv_orders_add(clv_orders *o, const clv_order_row *r) {
  int rc;
  if (o == NULL || r == NULL)
    return CLV_EINVAL;
  if (!clv__order_ok(r->day, r->amount))
    return CLV_EDOMAIN;
  for (int k = 0; k < CLV_NUM__COUNT; k++)
    if ((o->nums >> k & 1u) && !isfinite(r->num[k]))
      return CLV_EDOMAIN;
  if ((rc = reserve(o)))
    return rc;
  /* Keys first, so that a failure leaves the row count unchanged (a key
   * interned for a row that then failed is harmless). */
  uint32_t cust = CLV_NO_CUSTOMER, keys[CLV_ATTR__COUNT];
  if (r->customer != NULL && r->customer_len > 0 &&
      (rc = dict_intern(&o->custs, r->customer, r->customer_len, &cust)))
    return rc;
  for (int a = 0; a < CLV_ATTR__COUNT; a++) {
    keys[a] = CLV_NO_KEY;
    if ((o->attrs >> a & 1u) && r->text[a] != NULL && r->text_len[a] > 0 &&
        (rc = dict_intern(&o->dicts[a], r->text[a], r->text_len[a], &keys[a])))
      return rc;
  }
  if ((o->attrs >> CLV_ATTR_PRODUCT & 1u) &&
      (o->attrs >> CLV_ATTR_PRODUCT_NAME & 1u) &&
      keys[CLV_ATTR_PRODUCT] != CLV_NO_KEY &&
      keys[CLV_ATTR_PRODUCT_NAME] != CLV_NO_KEY &&
      (rc = note_product_name(o, keys[CLV_ATTR_PRODUCT],
                              keys[CLV_ATTR_PRODUCT_NAME])))
    return rc;
  size_t i = o->n++;
  o->cust[i] = cust;
  o->day[i] = r->day;
  o->amount[i] = r->amount;
  for (int k = 0; k < CLV_NUM__COUNT; k++)
    if (o->nums >> k & 1u)
      o->num[k][i] = r->num[k];
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    if (o->attrs >> a & 1u)
      o->key[a][i] = keys[a];
  if (i == 0 || r->day < o->first_day)
    o->first_day = r->day;
  if (i == 0 || r->day > o->last_day)
    o->last_day = r->day;
  return CLV_OK;
}

size_t clv_orders_rows(const clv_orders *o) {
  return o ? o->n : 0;
}
size_t clv_orders_customers(const clv_orders *o) {
  return o ? o->custs.count : 0;
}
unsigned clv_orders_attrs(const clv_orders *o) {
  return o ? o->attrs : 0;
}
unsigned clv_orders_nums(const clv_orders *o) {
  return o ? o->nums : 0;
}
int clv_orders_has_attr(const clv_orders *o, clv_attr a) {
  return o && (unsigned)a < CLV_ATTR__COUNT && (o->attrs >> a & 1u);
}
int clv_orders_has_num(const clv_orders *o, clv_num n) {
  return o && (unsigned)n < CLV_NUM__COUNT && (o->nums >> n & 1u);
}
const uint32_t *clv_orders_customer(const clv_orders *o) {
  return o ? o->cust : NULL;
}
const int32_t *clv_orders_day(const clv_orders *o) {
  return o ? o->day : NULL;
}
const double *clv_orders_amount(const clv_orders *o) {
  return o ? o->amount : NULL;
}
const double *clv_orders_num(const clv_orders *o, clv_num n) {
  return clv_orders_has_num(o, n) ? o->num[n] : NULL;
}
const uint32_t *clv_orders_key(const clv_orders *o, clv_attr a) {
  return clv_orders_has_attr(o, a) ? o->key[a] : NULL;
}

const char *clv_orders_customer_id(const clv_orders *o, uint32_t c,
                                   size_t *len) {
  if (o == NULL) {
    if (len)
      *len = 0;
    return "";
  }
  return dict_text(&o->custs, c, len);
}

int clv_orders_find_customer(const clv_orders *o, const char *id, size_t len,
                             uint32_t *c) {
  return o != NULL && id != NULL && dict_find(&o->custs, id, len, c);
}

size_t clv_orders_keys(const clv_orders *o, clv_attr a) {
  return clv_orders_has_attr(o, a) ? o->dicts[a].count : 0;
}

const char *clv_orders_key_text(const clv_orders *o, clv_attr a, uint32_t k) {
  if (!clv_orders_has_attr(o, a))
    return "";
  return dict_text(&o->dicts[a], k, NULL);
}

const char *clv_orders_product_name(const clv_orders *o, uint32_t k) {
  if (o == NULL || k >= o->product_name_cap || o->product_name[k] == CLV_NO_KEY)
    return "";
  return dict_text(&o->dicts[CLV_ATTR_PRODUCT_NAME], o->product_name[k], NULL);
}

int32_t clv_orders_first_day(const clv_orders *o) {
  return o && o->n ? o->first_day : 0;
}
int32_t clv_orders_last_day(const clv_orders *o) {
  return o && o->n ? o->last_day : -1;
}

/* ---- per-customer attribute --------------------------------------------- */

/* A (customer, key) pair of one row, for counting by sorting. */
typedef struct pair {
  uint32_t cust, key;
  uint32_t row; /* first row of the pair after sorting */
} pair;

static int pair_cmp(const void *a, const void *b) {
  const pair *x = a, *y = b;
  if (x->cust != y->cust)
    return x->cust < y->cust ? -1 : 1;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

int clv_orders_customer_attr(const clv_orders *o, clv_attr a,
                             clv_attr_pick pick, int32_t until_day,
                             uint32_t *out) {
  if (!clv_orders_has_attr(o, a) || out == NULL)
    return CLV_EINVAL;
  size_t nc = o->custs.count;
  const uint32_t *key = o->key[a];
  for (size_t c = 0; c < nc; c++)
    out[c] = CLV_NO_KEY;
  if (pick == CLV_PICK_FIRST) {
    /* The earliest day wins; among rows of that day, the first in input. */
    int32_t *best = malloc((nc ? nc : 1) * sizeof *best);
    if (best == NULL)
      return CLV_ENOMEM;
    for (size_t i = 0; i < o->n; i++) {
      uint32_t c = o->cust[i];
      if (c == CLV_NO_CUSTOMER || key[i] == CLV_NO_KEY || o->day[i] > until_day)
        continue;
      if (out[c] == CLV_NO_KEY || o->day[i] < best[c]) {
        out[c] = key[i];
        best[c] = o->day[i];
      }
    }
    free(best);
    return CLV_OK;
  }
  if (pick != CLV_PICK_MOST)
    return CLV_EINVAL;
  /* The most frequent value: sort the (customer, key, row) triples and count
   * runs; a tie goes to the value whose first row came first. */
  size_t m = 0;
  pair *p = malloc((o->n ? o->n : 1) * sizeof *p);
  if (p == NULL)
    return CLV_ENOMEM;
  for (size_t i = 0; i < o->n; i++)
    if (o->cust[i] != CLV_NO_CUSTOMER && key[i] != CLV_NO_KEY &&
        o->day[i] <= until_day)
      p[m++] = (pair){o->cust[i], key[i], (uint32_t)i};
  qsort(p, m, sizeof *p, pair_cmp);
  size_t best_count = 0;
  uint32_t best_row = 0;
  for (size_t i = 0; i < m;) {
    size_t j = i;
    while (j < m && p[j].cust == p[i].cust && p[j].key == p[i].key)
      j++;
    uint32_t c = p[i].cust;
    if (i == 0 || p[i - 1].cust != c)
      best_count = 0; /* a new customer starts its own running best */
    size_t count = j - i;
    if (count > best_count || (count == best_count && p[i].row < best_row)) {
      out[c] = p[i].key;
      best_count = count;
      best_row = p[i].row;
    }
    i = j;
  }
  free(p);
  return CLV_OK;
}

/* ---- summary ------------------------------------------------------------- */

#define SUMMARY_BATCH 256 /* rows per clv__summarizer_add_batch() */

int clv_orders_summarize(const clv_orders *o, const clv_ingest_opts *opts,
                         clv_summary **out, size_t *row_of,
                         clv_ingest_report *report) {
  int rc;
  clv_ingest_opts defaults;
  clv__summarizer *sum = NULL;
  clv__summarizer_stats st;
  clv_summary *s = NULL;
  int finished = 0;
  memset(&st, 0, sizeof st);
  if (o == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (opts == NULL) {
    clv_ingest_opts_init(&defaults);
    opts = &defaults;
  }
  clv__summarizer_opts so;
  memset(&so, 0, sizeof so);
  so.period = opts->period;
  so.unit = opts->unit;
  so.until_day = opts->until_day;
  so.holdout_day = opts->holdout_day;
  so.with_amount = !opts->no_amount;
  if ((rc = clv__summarizer_new(&sum, &so)))
    goto done;
  /* Rows go in input order; a customer whose rows are out of time order is
   * rebuilt by the summariser's replay, which needs every row again. They
   * go in batches, so that the summariser can overlap the cache misses of
   * neighbouring rows. */
  for (int pass = 0; pass < 2; pass++) {
    clv__order batch[SUMMARY_BATCH];
    size_t nb = 0;
    for (size_t i = 0; i <= o->n; i++) {
      if (nb == SUMMARY_BATCH || (i == o->n && nb > 0)) {
        if ((rc = clv__summarizer_add_batch(sum, batch, nb)))
          goto done;
        nb = 0;
      }
      if (i == o->n)
        break;
      uint32_t c = o->cust[i];
      if (c == CLV_NO_CUSTOMER)
        continue;
      double amount = so.with_amount ? o->amount[i] : 0;
      if (!clv__order_ok(o->day[i], amount)) {
        rc = CLV_EDOMAIN; /* as clv__summarizer_add() would say */
        goto done;
      }
      clv__order *r = &batch[nb++];
      r->id = dict_text(&o->custs, c, &r->id_len);
      r->hash = clv__hash_bytes(r->id, r->id_len);
      r->seq = i;
      r->day = o->day[i];
      r->amount = amount;
    }
    if (pass == 1 || !clv__summarizer_needs_replay(sum))
      break;
    if ((rc = clv__summarizer_begin_replay(sum)))
      goto done;
  }
  if ((rc = clv__summarizer_finish(sum, &s, &st)))
    goto done;
  finished = 1;
  if (row_of != NULL) {
    for (size_t c = 0; c < o->custs.count; c++)
      row_of[c] = SIZE_MAX;
    for (size_t r = 0; r < clv_summary_rows(s); r++) {
      size_t len;
      const char *id = clv_summary_id(s, r, &len);
      uint32_t c;
      if (dict_find(&o->custs, id, len, &c))
        row_of[c] = r;
    }
  }
  *out = s;
  s = NULL;
done:
  if (report != NULL) {
    memset(report, 0, sizeof *report);
    if (sum != NULL && !finished)
      clv__summarizer_stats_get(sum, &st);
    report->rows = o->n;
    report->rows_used = st.rows_used;
    report->rows_after_until = st.rows_after_until;
    report->customers = st.customers;
    report->customers_holdout_only = st.customers_holdout_only;
    report->customers_no_purchase = st.customers_no_purchase;
    report->replayed_customers = st.replayed_customers;
    report->spend_excluded = st.spend_excluded;
    report->first_day = st.first_day;
    report->last_day = st.last_day;
    report->until_day = st.until_day;
    report->holdout_day = st.holdout_day;
    report->threads_used = 1;
  }
  clv_summary_free(s);
  clv__summarizer_free(sum);
  return rc;
}
