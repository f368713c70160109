/*
 * crosssell.c - cross-sell: product pairs bought together and the next
 * products to offer each customer (see clv/products.h).
 *
 * Pairs are association rules of size two (Agrawal, Imielinski & Swami
 * 1993): over N units (baskets, or customers when pairs are counted within
 * a window of days), support = n_ab / N, confidence a -> b = n_ab / n_a and
 * lift = n_ab N / (n_a n_b), the ratio of how often a and b go together to
 * how often they would by chance. Pairs are counted in a hash map of pair
 * keys (a << 32 | b), so the cost follows the pairs that occur, not the
 * square of the catalogue; units with more than max_basket distinct
 * products are left out (and counted) because one wholesale basket of 500
 * lines would add 125 000 pairs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "products.h"

void clv__u64map_free(clv__u64map *m) {
  if (!m)
    return;
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

/* A 64-bit mixer (the finaliser of MurmurHash3) spreads pair keys whose
 * halves are small dense numbers over the whole table. */
static uint64_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

static int u64map_grow(clv__u64map *m) {
  size_t slots = m->mask ? 2 * (m->mask + 1) : 1024;
  uint64_t *keys = malloc(slots * sizeof *keys);
  uint32_t *vals = malloc(slots * sizeof *vals);
  if (!keys || !vals) {
    free(keys);
    free(vals);
    return CLV_ENOMEM;
  }
  memset(keys, 0xFF, slots * sizeof *keys);
  size_t mask = slots - 1;
  for (size_t s = 0; m->mask && s <= m->mask; s++) {
    if (m->keys[s] == UINT64_MAX)
      continue;
    size_t h = (size_t)mix64(m->keys[s]) & mask;
    while (keys[h] != UINT64_MAX)
      h = (h + 1) & mask;
    keys[h] = m->keys[s];
    vals[h] = m->vals[s];
  }
  free(m->keys);
  free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->mask = mask;
  return CLV_OK;
}

int clv__u64map_get(clv__u64map *m, uint64_t key, uint32_t **slot) {
  if (!m->mask || (m->count + 1) * 10 > (m->mask + 1) * 7)
    if (u64map_grow(m))
      return CLV_ENOMEM;
  size_t h = (size_t)mix64(key) & m->mask;
  while (m->keys[h] != key) {
    if (m->keys[h] == UINT64_MAX) {
      m->keys[h] = key;
      m->vals[h] = 0;
      m->count++;
      break;
    }
    h = (h + 1) & m->mask;
  }
  *slot = &m->vals[h];
  return CLV_OK;
}

int clv__products_baskets(const clv_orders *o, const unsigned char *buy,
                          uint32_t *out, size_t *n_baskets) {
  size_t rows = clv_orders_rows(o);
  const uint32_t *ord = clv_orders_key(o, CLV_ATTR_ORDER);
  const uint32_t *cust = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  size_t norders = ord ? clv_orders_keys(o, CLV_ATTR_ORDER) : 0;
  clv__u64map days = {0};
  int rc = CLV_OK;
  /* Rows with an order id take its key; the others, one basket per
   * customer and day numbered after the order keys. Anonymous rows without
   * an order id belong to no basket: nothing says which lines went
   * together. */
  for (size_t i = 0; i < rows; i++) {
    out[i] = UINT32_MAX;
    if (!buy[i])
      continue;
    if (ord && ord[i] != CLV_NO_KEY) {
      out[i] = ord[i];
      continue;
    }
    if (cust[i] == CLV_NO_CUSTOMER)
      continue;
    uint32_t *v;
    uint64_t key = (uint64_t)cust[i] << 32 | (uint32_t)day[i];
    if ((rc = clv__u64map_get(&days, key, &v)))
      goto done;
    if (!*v) {
      if (norders + days.count >= UINT32_MAX) {
        rc = CLV_EOVERFLOW;
        goto done;
      }
      *v = (uint32_t)days.count; /* 1-based: 0 marks a new entry */
    }
    out[i] = (uint32_t)(norders + *v - 1);
  }
  *n_baskets = norders + days.count;
done:
  clv__u64map_free(&days);
  return rc;
}

/* Counts the pairs of one unit's distinct products (n of them). */
static int count_unit(clv_products *r, const uint32_t *items, size_t n,
                      clv__u64map *pairs, uint64_t *count) {
  size_t cap = r->opts.max_basket;
  if (!n)
    return CLV_OK;
  if (cap && n > cap) {
    r->units_skipped++;
    return CLV_OK;
  }
  r->units++;
  for (size_t i = 0; i < n; i++) {
    count[items[i]]++;
    for (size_t j = i + 1; j < n; j++) {
      uint32_t a = items[i], b = items[j], *v;
      uint64_t key = a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
      if (clv__u64map_get(pairs, key, &v))
        return CLV_ENOMEM;
      (*v)++;
    }
  }
  return CLV_OK;
}

typedef struct event {
  int32_t day;
  uint32_t product;
} event;

static int by_day(const void *pa, const void *pb) {
  const event *a = pa, *b = pb;
  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  return a->product < b->product ? -1 : a->product > b->product;
}

static int by_key(const void *pa, const void *pb) {
  uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
  return a < b ? -1 : a > b;
}

/*
 * Window pairs: per customer, the distinct (day, product) purchases sorted
 * by day; a and b pair when some purchase of a and some purchase of b are at
 * most window_days apart. Each pair counts once per customer (the keys of
 * one customer are sorted and made unique before they enter the map).
 */
static int window_pairs(clv_products *r, const unsigned char *buy,
                        clv__u64map *pairs, uint64_t *count) {
  const clv_base *b = r->base;
  const clv_orders *o = b->orders;
  size_t rows = clv_orders_rows(o), np = clv_orders_keys(o, CLV_ATTR_PRODUCT);
  const uint32_t *cust = clv_orders_customer(o);
  const uint32_t *prod = clv_orders_key(o, CLV_ATTR_PRODUCT);
  const int32_t *day = clv_orders_day(o);
  int rc = CLV_ENOMEM;
  clv__groups g = {0};
  uint32_t *grp = malloc((rows ? rows : 1) * sizeof *grp);
  uint32_t *idx = malloc((rows ? rows : 1) * sizeof *idx);
  uint32_t *items = malloc((np ? np : 1) * sizeof *items);
  uint32_t *stamp = malloc((np ? np : 1) * sizeof *stamp);
  event *ev = NULL;
  uint64_t *keys = NULL;
  size_t keys_cap = 0;
  if (!grp || !idx || !items || !stamp)
    goto done;
  for (size_t i = 0; i < rows; i++) {
    grp[i] = buy[i] ? cust[i] : UINT32_MAX;
    idx[i] = (uint32_t)i;
  }
  /* The rows of each customer, through the grouping with the row number
   * as the item (rows are distinct, so nothing is merged). */
  if (clv__groups_build(rows, grp, b->customers, idx, rows, &g))
    goto done;
  ev = malloc((rows ? rows : 1) * sizeof *ev);
  if (!ev)
    goto done;
  for (size_t k = 0; k < np; k++)
    stamp[k] = UINT32_MAX;
  for (size_t c = 0; c < g.n; c++) {
    size_t n = 0, distinct = 0;
    for (size_t j = g.start[c]; j < g.start[c + 1]; j++) {
      uint32_t i = g.items[j];
      ev[n].day = day[i];
      ev[n++].product = prod[i];
      if (stamp[prod[i]] != (uint32_t)c) {
        stamp[prod[i]] = (uint32_t)c;
        items[distinct++] = prod[i];
      }
    }
    if (!distinct)
      continue;
    if (r->opts.max_basket && distinct > r->opts.max_basket) {
      r->units_skipped++;
      continue;
    }
    r->units++;
    for (size_t k = 0; k < distinct; k++)
      count[items[k]]++;
    qsort(ev, n, sizeof *ev, by_day);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
      if (!m || ev[k].day != ev[m - 1].day ||
          ev[k].product != ev[m - 1].product)
        ev[m++] = ev[k];
    size_t nk = 0;
    for (size_t i = 0; i < m; i++)
      for (size_t j = i + 1;
           j < m && (int64_t)ev[j].day - ev[i].day <= r->opts.window_days;
           j++) {
        uint32_t a = ev[i].product, bb = ev[j].product;
        if (a == bb)
          continue;
        if (nk == keys_cap) {
          size_t cap = keys_cap ? 2 * keys_cap : 1024;
          uint64_t *nkeys = realloc(keys, cap * sizeof *keys);
          if (!nkeys)
            goto done;
          keys = nkeys;
          keys_cap = cap;
        }
        keys[nk++] = a < bb ? (uint64_t)a << 32 | bb : (uint64_t)bb << 32 | a;
      }
    if (nk)
      qsort(keys, nk, sizeof *keys, by_key);
    for (size_t k = 0; k < nk; k++) {
      if (k && keys[k] == keys[k - 1])
        continue;
      uint32_t *v;
      if (clv__u64map_get(pairs, keys[k], &v))
        goto done;
      (*v)++;
    }
  }
  rc = CLV_OK;
done:
  clv__groups_free(&g);
  free(grp);
  free(idx);
  free(items);
  free(stamp);
  free(ev);
  free(keys);
  return rc;
}

static int by_pair(const void *pa, const void *pb) {
  const clv_product_pair *a = pa, *b = pb;
  if (a->lift != b->lift)
    return a->lift > b->lift ? -1 : 1;
  if (a->count != b->count)
    return a->count > b->count ? -1 : 1;
  if (a->a != b->a)
    return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : a->b > b->b;
}

int clv__products_pairs(clv_products *r, const clv__groups *baskets,
                        const unsigned char *buy) {
  const clv_orders *o = r->base->orders;
  size_t np = clv_orders_keys(o, CLV_ATTR_PRODUCT);
  clv__u64map pairs = {0};
  int rc = CLV_ENOMEM;
  uint64_t *count = calloc(np ? np : 1, sizeof *count);
  if (!count)
    goto done;
  if (r->opts.window_days > 0) {
    r->pair_unit = CLV_PAIRS_WINDOW;
    if ((rc = window_pairs(r, buy, &pairs, count)))
      goto done;
  } else {
    r->pair_unit = r->has_order ? CLV_PAIRS_ORDER : CLV_PAIRS_CUSTOMER_DAY;
    for (size_t k = 0; k < baskets->n; k++)
      if ((rc = count_unit(r, baskets->items + baskets->start[k],
                           baskets->start[k + 1] - baskets->start[k], &pairs,
                           count)))
        goto done;
  }
  r->pairs_seen = pairs.count;
  double need = ceil(r->opts.min_support * (double)r->units - 1e-9);
  if (need < 1)
    need = 1;
  size_t kept = 0;
  for (size_t s = 0; pairs.mask && s <= pairs.mask; s++)
    kept += pairs.keys[s] != UINT64_MAX && pairs.vals[s] >= need;
  rc = CLV_ENOMEM;
  r->pairs = malloc((kept ? kept : 1) * sizeof *r->pairs);
  if (!r->pairs)
    goto done;
  size_t m = 0;
  double units = (double)r->units;
  for (size_t s = 0; pairs.mask && s <= pairs.mask; s++) {
    if (pairs.keys[s] == UINT64_MAX || pairs.vals[s] < need)
      continue;
    clv_product_pair *p = &r->pairs[m++];
    p->a = (uint32_t)(pairs.keys[s] >> 32);
    p->b = (uint32_t)pairs.keys[s];
    p->count = pairs.vals[s];
    p->count_a = count[p->a];
    p->count_b = count[p->b];
    p->support = (double)p->count / units;
    p->conf_ab = (double)p->count / (double)p->count_a;
    p->conf_ba = (double)p->count / (double)p->count_b;
    p->lift =
        (double)p->count * units / ((double)p->count_a * (double)p->count_b);
  }
  r->n_pairs = m;
  qsort(r->pairs, m, sizeof *r->pairs, by_pair);
  rc = CLV_OK;
done:
  clv__u64map_free(&pairs);
  free(count);
  return rc;
}

static int by_score(const void *pa, const void *pb) {
  const clv_product_rec *a = pa, *b = pb;
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  if (a->customer != b->customer)
    return a->customer < b->customer ? -1 : 1;
  return a->rank < b->rank ? -1 : a->rank > b->rank;
}

/*
 * Per scored customer, the products not yet bought that follow from a
 * product bought with a lift above 1 (pairs past the support cut), ranked by
 * the best such lift (ties: the smaller product key); the score multiplies
 * that lift by the customer's predicted value, so that the list sorted by
 * score puts the offers worth most first.
 */
int clv__products_recs(clv_products *r, const clv__groups *bought) {
  const clv_base *b = r->base;
  size_t np = clv_orders_keys(b->orders, CLV_ATTR_PRODUCT);
  size_t k = r->opts.recs_per_customer;
  int rc = CLV_ENOMEM;
  size_t *start = calloc(np + 1, sizeof *start);
  uint32_t *to = NULL, *mark = NULL, *touched = NULL, *from = NULL;
  double *lift = NULL, *best = NULL;
  size_t nrec = 0, cap = 0;
  if (!start)
    goto done;
  size_t edges = 0;
  for (size_t i = 0; i < r->n_pairs; i++)
    if (r->pairs[i].lift > 1) {
      start[r->pairs[i].a + 1]++;
      start[r->pairs[i].b + 1]++;
      edges += 2;
    }
  for (size_t p = 0; p < np; p++)
    start[p + 1] += start[p];
  to = malloc((edges ? edges : 1) * sizeof *to);
  lift = malloc((edges ? edges : 1) * sizeof *lift);
  mark = malloc((np ? np : 1) * sizeof *mark);
  touched = malloc((np ? np : 1) * sizeof *touched);
  from = malloc((np ? np : 1) * sizeof *from);
  best = malloc((np ? np : 1) * sizeof *best);
  if (!to || !lift || !mark || !touched || !from || !best)
    goto done;
  for (size_t i = 0; i < r->n_pairs; i++) {
    const clv_product_pair *q = &r->pairs[i];
    if (!(q->lift > 1))
      continue;
    size_t ea = start[q->a]++, eb = start[q->b]++;
    to[ea] = q->b;
    lift[ea] = q->lift;
    to[eb] = q->a;
    lift[eb] = q->lift;
  }
  /* start[p] is now the end of p's edges: shift back. */
  for (size_t p = np; p > 0; p--)
    start[p] = start[p - 1];
  start[0] = 0;
  for (size_t p = 0; p < np; p++) {
    mark[p] = UINT32_MAX;
    best[p] = 0;
  }
  for (size_t c = 0; k && edges && c < b->customers; c++) {
    size_t row = b->row_of[c];
    if (row == SIZE_MAX)
      continue;
    for (size_t j = bought->start[c]; j < bought->start[c + 1]; j++)
      mark[bought->items[j]] = (uint32_t)c;
    size_t nt = 0;
    for (size_t j = bought->start[c]; j < bought->start[c + 1]; j++) {
      uint32_t a = bought->items[j];
      for (size_t e = start[a]; e < start[a + 1]; e++) {
        uint32_t t = to[e];
        if (mark[t] == (uint32_t)c)
          continue;
        if (best[t] == 0)
          touched[nt++] = t;
        if (lift[e] > best[t] || (lift[e] == best[t] && a < from[t])) {
          best[t] = lift[e];
          from[t] = a;
        }
      }
    }
    double value = b->run->pred->value[row];
    if (!isfinite(value))
      value = 0;
    for (unsigned rank = 1; rank <= k && nt; rank++) {
      size_t pick = 0;
      for (size_t j = 1; j < nt; j++)
        if (best[touched[j]] > best[touched[pick]] ||
            (best[touched[j]] == best[touched[pick]] &&
             touched[j] < touched[pick]))
          pick = j;
      if (nrec == cap) {
        size_t ncap = cap ? 2 * cap : 256;
        clv_product_rec *nr = realloc(r->recs, ncap * sizeof *nr);
        if (!nr)
          goto done;
        r->recs = nr;
        cap = ncap;
      }
      uint32_t t = touched[pick];
      clv_product_rec *q = &r->recs[nrec++];
      q->customer = (uint32_t)c;
      q->product = t;
      q->because = from[t];
      q->lift = best[t];
      q->value = value;
      q->p_alive = b->run->pred->p_alive[row];
      q->score = best[t] * value;
      q->rank = rank;
      best[t] = 0;
      touched[pick] = touched[--nt];
    }
    for (size_t j = 0; j < nt; j++)
      best[touched[j]] = 0;
  }
  r->n_recs = nrec;
  if (nrec)
    qsort(r->recs, nrec, sizeof *r->recs, by_score);
  rc = CLV_OK;
done:
  free(start);
  free(to);
  free(lift);
  free(mark);
  free(touched);
  free(from);
  free(best);
  return rc;
}
