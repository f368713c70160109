/*
 * products.c - product profitability, product x value tier, what high-value
 * customers buy and the first-purchase products (see clv/products.h).
 *
 * One pass over the rows up to the base's as-of day sums money per product
 * and category; the distinct products per basket and per customer (built
 * once, in compressed rows) give orders, buyers, the tier and lift counts,
 * and feed the cross-sell pairs of crosssell.c. Lift is the ratio of the
 * share of high-value customers who bought a product to the share of all
 * scored customers who did (the lift of association rules, Agrawal,
 * Imielinski & Swami 1993, with "is high-value" as the consequent).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "products.h"

void clv_products_opts_init(clv_products_opts *o) {
  memset(o, 0, sizeof *o);
  o->top_share = 0.10;
  o->min_top_buyers = 5;
  o->min_first_customers = 5;
  o->window_days = 0;
  o->min_support = 0.005;
  o->max_basket = 200;
  o->recs_per_customer = 3;
}

const char *clv_products_tier_label(int tier, int zh) {
  static const char *const en[CLV_PTIER__COUNT] = {
      "Top 1%", "Top 1-5%",   "Top 5-10%", "Top 10-25%",
      "Rest",   "Not scored", "Anonymous"};
  static const char *const cn[CLV_PTIER__COUNT] = {
      "前1%", "前1-5%", "前5-10%", "前10-25%", "其余", "未评分", "匿名"};
  if (tier < 0 || tier >= CLV_PTIER__COUNT)
    return NULL;
  return zh ? cn[tier] : en[tier];
}

void clv__groups_free(clv__groups *g) {
  if (!g)
    return;
  free(g->start);
  free(g->items);
  memset(g, 0, sizeof *g);
}

/* A counting sort of the rows by group, then a stamp per item (the last
 * group that took it) to keep each item once per group: linear in rows,
 * with no per-group allocation. */
int clv__groups_build(size_t rows, const uint32_t *group, size_t n_groups,
                      const uint32_t *item, size_t n_items, clv__groups *g) {
  int rc = CLV_ENOMEM;
  size_t *fill = NULL;
  uint32_t *order = NULL, *stamp = NULL;
  memset(g, 0, sizeof *g);
  g->n = n_groups;
  g->start = calloc(n_groups + 1, sizeof *g->start);
  fill = calloc(n_groups + 1, sizeof *fill);
  stamp = malloc((n_items ? n_items : 1) * sizeof *stamp);
  if (!g->start || !fill || !stamp)
    goto done;
  size_t kept = 0;
  for (size_t i = 0; i < rows; i++)
    if (group[i] < n_groups && item[i] < n_items) {
      fill[group[i] + 1]++;
      kept++;
    }
  for (size_t k = 0; k < n_groups; k++)
    fill[k + 1] += fill[k];
  order = malloc((kept ? kept : 1) * sizeof *order);
  g->items = malloc((kept ? kept : 1) * sizeof *g->items);
  if (!order || !g->items)
    goto done;
  for (size_t i = 0; i < rows; i++)
    if (group[i] < n_groups && item[i] < n_items)
      order[fill[group[i]]++] = (uint32_t)i;
  /* fill[k] is now the end of group k's rows, i.e. the start of k + 1. */
  for (size_t k = 0; k < n_items; k++)
    stamp[k] = UINT32_MAX;
  size_t out = 0, from = 0;
  for (size_t k = 0; k < n_groups; k++) {
    g->start[k] = out;
    for (size_t j = from; j < fill[k]; j++) {
      uint32_t it = item[order[j]];
      if (stamp[it] != (uint32_t)k) {
        stamp[it] = (uint32_t)k;
        g->items[out++] = it;
      }
    }
    from = fill[k];
  }
  g->start[n_groups] = out;
  rc = CLV_OK;
done:
  free(fill);
  free(order);
  free(stamp);
  if (rc)
    clv__groups_free(g);
  return rc;
}

void clv_products_free(clv_products *r) {
  if (!r)
    return;
  free(r->products);
  free(r->categories);
  free(r->tier_net);
  free(r->tier_buyers);
  free(r->lift);
  free(r->first);
  free(r->pairs);
  free(r->recs);
  free(r);
}

/* Adds one row's money to a line. */
static void line_add(clv_product_line *l, double amount, double cost,
                     double qty, int anonymous) {
  if (amount >= 0)
    l->revenue += amount;
  else
    l->refunds -= amount;
  l->net += amount;
  l->cost += cost;
  l->units += qty;
  if (anonymous)
    l->anonymous += amount;
  l->rows++;
}

/* Net revenue, largest first; ties by key so that the order is stable. */
static int by_net(const void *pa, const void *pb) {
  const clv_product_line *a = pa, *b = pb;
  if (a->net != b->net)
    return a->net > b->net ? -1 : 1;
  return a->key < b->key ? -1 : a->key > b->key;
}

/* Sorts lines by net and drops the ones that never had a row. */
static size_t finish_lines(clv_product_line *l, size_t n, int has_cost,
                           int has_qty) {
  size_t m = 0;
  for (size_t k = 0; k < n; k++) {
    if (!l[k].rows)
      continue;
    l[m] = l[k];
    l[m].margin = has_cost ? l[m].net - l[m].cost : NAN;
    if (!has_cost)
      l[m].cost = NAN;
    if (!has_qty)
      l[m].units = NAN;
    m++;
  }
  qsort(l, m, sizeof *l, by_net);
  return m;
}

/* A customer's predicted value, 0 when the model gave none that is
 * finite. */
static double value_of(const clv_base *b, size_t row) {
  double v = b->run->pred->value[row];
  return isfinite(v) ? v : 0;
}

typedef struct ranked {
  double value;
  uint32_t customer;
} ranked;

static int by_value(const void *pa, const void *pb) {
  const ranked *a = pa, *b = pb;
  if (a->value != b->value)
    return a->value > b->value ? -1 : 1;
  return a->customer < b->customer ? -1 : a->customer > b->customer;
}

/*
 * Tier of every customer (tier[c]) and membership of the high-value group
 * (top[c]): customers ranked by predicted value, a customer is in the top
 * share q when the summary weight ranked before it is below q x the total
 * weight (with weights 1: rank <= ceil(q n), so the best customer of a
 * small base is always in the top group). This duplicates the default tiers
 * of the segment module (clv segment) on purpose, for now: the lead joins
 * them.
 */
static int rank_customers(const clv_base *b, double top_share,
                          unsigned char *tier, unsigned char *top,
                          uint64_t *scored, uint64_t *top_count) {
  static const double cut[4] = {0.01, 0.05, 0.10, 0.25};
  const double *w = clv_summary_col(b->run->summary, CLV_COL_WEIGHT);
  size_t n = 0;
  ranked *rk = malloc((b->customers ? b->customers : 1) * sizeof *rk);
  if (!rk)
    return CLV_ENOMEM;
  double total = 0;
  for (size_t c = 0; c < b->customers; c++) {
    top[c] = 0;
    tier[c] = CLV_PTIER_UNSCORED;
    size_t row = b->row_of[c];
    if (row == SIZE_MAX)
      continue;
    rk[n].value = value_of(b, row);
    rk[n].customer = (uint32_t)c;
    total += w ? w[row] : 1;
    n++;
  }
  qsort(rk, n, sizeof *rk, by_value);
  double before = 0;
  *top_count = 0;
  for (size_t k = 0; k < n; k++) {
    uint32_t c = rk[k].customer;
    int t = CLV_PTIER_REST;
    for (int j = 0; j < 4; j++)
      if (before < cut[j] * total * (1 - 1e-12)) {
        t = j;
        break;
      }
    tier[c] = (unsigned char)t;
    if (before < top_share * total * (1 - 1e-12)) {
      top[c] = 1;
      (*top_count)++;
    }
    before += w ? w[b->row_of[c]] : 1;
  }
  *scored = n;
  free(rk);
  return CLV_OK;
}

static int by_lift(const void *pa, const void *pb) {
  const clv_product_lift *a = pa, *b = pb;
  if (a->lift != b->lift)
    return a->lift > b->lift ? -1 : 1;
  if (a->top_buyers != b->top_buyers)
    return a->top_buyers > b->top_buyers ? -1 : 1;
  return a->product < b->product ? -1 : a->product > b->product;
}

static int by_first(const void *pa, const void *pb) {
  const clv_first_product *a = pa, *b = pb;
  if (a->mean_value != b->mean_value)
    return a->mean_value > b->mean_value ? -1 : 1;
  if (a->customers != b->customers)
    return a->customers > b->customers ? -1 : 1;
  return a->product < b->product ? -1 : a->product > b->product;
}

/* The lift table from the customers' product sets. */
static int lift_table(clv_products *r, const clv__groups *bought,
                      const unsigned char *top, size_t np) {
  const clv_base *b = r->base;
  uint64_t *all = calloc(np ? np : 1, sizeof *all);
  uint64_t *hi = calloc(np ? np : 1, sizeof *hi);
  int rc = CLV_ENOMEM;
  if (!all || !hi)
    goto done;
  for (size_t c = 0; c < b->customers; c++) {
    if (b->row_of[c] == SIZE_MAX)
      continue;
    for (size_t j = bought->start[c]; j < bought->start[c + 1]; j++) {
      all[bought->items[j]]++;
      hi[bought->items[j]] += top[c];
    }
  }
  r->lift = malloc((np ? np : 1) * sizeof *r->lift);
  if (!r->lift)
    goto done;
  size_t m = 0;
  for (size_t p = 0; p < np; p++) {
    if (!hi[p] || hi[p] < r->opts.min_top_buyers)
      continue;
    clv_product_lift *l = &r->lift[m++];
    l->product = (uint32_t)p;
    l->top_buyers = hi[p];
    l->buyers = all[p];
    l->top_share = (double)hi[p] / (double)r->top_count;
    l->all_share = (double)all[p] / (double)r->scored;
    l->lift = l->top_share / l->all_share;
  }
  r->n_lift = m;
  qsort(r->lift, m, sizeof *r->lift, by_lift);
  rc = CLV_OK;
done:
  free(all);
  free(hi);
  return rc;
}

/* Products on each scored customer's first purchase day (the earliest day
 * of a purchase row up to the as-of day), each counted once per customer. */
static int first_table(clv_products *r, const unsigned char *buy,
                       const uint32_t *prod, size_t np) {
  const clv_base *b = r->base;
  const clv_orders *o = b->orders;
  size_t rows = clv_orders_rows(o);
  const uint32_t *cust = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  int rc = CLV_ENOMEM;
  int32_t *first = malloc((b->customers ? b->customers : 1) * sizeof *first);
  uint32_t *grp = malloc((rows ? rows : 1) * sizeof *grp);
  uint64_t *count = calloc(np ? np : 1, sizeof *count);
  double *sum = calloc(np ? np : 1, sizeof *sum);
  double *alive = calloc(np ? np : 1, sizeof *alive);
  clv__groups g = {0};
  if (!first || !grp || !count || !sum || !alive)
    goto done;
  for (size_t c = 0; c < b->customers; c++)
    first[c] = INT32_MAX;
  for (size_t i = 0; i < rows; i++)
    if (buy[i] && cust[i] != CLV_NO_CUSTOMER && day[i] < first[cust[i]])
      first[cust[i]] = day[i];
  for (size_t i = 0; i < rows; i++)
    grp[i] = buy[i] && cust[i] != CLV_NO_CUSTOMER &&
                     b->row_of[cust[i]] != SIZE_MAX && day[i] == first[cust[i]]
                 ? cust[i]
                 : UINT32_MAX;
  if (clv__groups_build(rows, grp, b->customers, prod, np, &g))
    goto done;
  for (size_t c = 0; c < b->customers; c++) {
    size_t row = b->row_of[c];
    if (row == SIZE_MAX)
      continue;
    for (size_t j = g.start[c]; j < g.start[c + 1]; j++) {
      count[g.items[j]]++;
      sum[g.items[j]] += value_of(b, row);
      alive[g.items[j]] += b->run->pred->p_alive[row];
    }
  }
  r->first = malloc((np ? np : 1) * sizeof *r->first);
  if (!r->first)
    goto done;
  size_t m = 0;
  size_t min = r->opts.min_first_customers ? r->opts.min_first_customers : 1;
  for (size_t p = 0; p < np; p++) {
    if (count[p] < min)
      continue;
    clv_first_product *f = &r->first[m++];
    f->product = (uint32_t)p;
    f->customers = count[p];
    f->mean_value = sum[p] / (double)count[p];
    f->mean_p_alive = alive[p] / (double)count[p];
  }
  r->n_first = m;
  qsort(r->first, m, sizeof *r->first, by_first);
  rc = CLV_OK;
done:
  clv__groups_free(&g);
  free(first);
  free(grp);
  free(count);
  free(sum);
  free(alive);
  return rc;
}

/*
 * Money per product (index np: rows without a product), per category and
 * per product x tier; orders from the baskets and buyers from the
 * customers' product sets. Lines stay indexed by key here and are sorted
 * afterwards (tier cells follow through `perm`).
 */
static int money_tables(clv_products *r, const unsigned char *in,
                        const unsigned char *tier, const clv__groups *baskets,
                        const clv__groups *bought, size_t np) {
  const clv_base *b = r->base;
  const clv_orders *o = b->orders;
  size_t rows = clv_orders_rows(o);
  const uint32_t *cust = clv_orders_customer(o);
  const uint32_t *prod = clv_orders_key(o, CLV_ATTR_PRODUCT);
  const uint32_t *cat = clv_orders_key(o, CLV_ATTR_CATEGORY);
  const double *amt = clv_orders_amount(o);
  const double *cost = clv_orders_num(o, CLV_NUM_COST);
  const double *qty = clv_orders_num(o, CLV_NUM_QUANTITY);
  size_t nc = r->has_category ? clv_orders_keys(o, CLV_ATTR_CATEGORY) : 0;
  int rc = CLV_ENOMEM;
  double *tnet = calloc((np + 1) * CLV_PTIER__COUNT, sizeof *tnet);
  uint64_t *tbuy = calloc((np + 1) * CLV_PTIER__COUNT, sizeof *tbuy);
  r->products = calloc(np + 1, sizeof *r->products);
  r->categories = calloc(nc + 1, sizeof *r->categories);
  if (!tnet || !tbuy || !r->products || !r->categories)
    goto done;
  for (size_t p = 0; p <= np; p++)
    r->products[p].key = p < np ? (uint32_t)p : CLV_NO_KEY;
  for (size_t k = 0; k <= nc; k++)
    r->categories[k].key = k < nc ? (uint32_t)k : CLV_NO_KEY;
  r->total.key = CLV_NO_KEY;
  for (size_t i = 0; i < rows; i++) {
    if (!in[i])
      continue;
    size_t p = prod[i] < np ? prod[i] : np;
    double c = cost ? cost[i] : 0, q = qty ? qty[i] : 0;
    int anon = cust[i] == CLV_NO_CUSTOMER;
    line_add(&r->products[p], amt[i], c, q, anon);
    line_add(&r->total, amt[i], c, q, anon);
    if (nc)
      line_add(&r->categories[cat[i] < nc ? cat[i] : nc], amt[i], c, q, anon);
    int t = anon ? CLV_PTIER_ANONYMOUS : tier[cust[i]];
    tnet[p * CLV_PTIER__COUNT + (size_t)t] += amt[i];
    r->tier_total_net[t] += amt[i];
  }
  /* Orders: baskets holding a purchase of the product (and of a category:
   * baskets holding a purchase of one of its products, via a stamp). */
  uint32_t *stamp = NULL;
  if (nc) {
    stamp = malloc((nc + 1) * sizeof *stamp);
    if (!stamp)
      goto done;
    for (size_t k = 0; k <= nc; k++)
      stamp[k] = UINT32_MAX;
  }
  /* A product's category: the one on its first row, as the order table
   * keeps one name per product. */
  uint32_t *cat_of = NULL;
  if (nc) {
    cat_of = malloc((np + 1) * sizeof *cat_of);
    if (!cat_of) {
      free(stamp);
      goto done;
    }
    for (size_t p = 0; p <= np; p++)
      cat_of[p] = (uint32_t)nc;
    for (size_t i = rows; i-- > 0;)
      if (prod[i] < np && cat[i] < nc)
        cat_of[prod[i]] = cat[i];
  }
  for (size_t k = 0; k < baskets->n; k++) {
    for (size_t j = baskets->start[k]; j < baskets->start[k + 1]; j++) {
      uint32_t p = baskets->items[j];
      r->products[p].orders++;
      if (nc && stamp[cat_of[p]] != (uint32_t)k) {
        stamp[cat_of[p]] = (uint32_t)k;
        r->categories[cat_of[p]].orders++;
      }
    }
    if (baskets->start[k + 1] > baskets->start[k])
      r->total.orders++;
  }
  if (nc)
    for (size_t k = 0; k <= nc; k++)
      stamp[k] = UINT32_MAX;
  for (size_t c = 0; c < bought->n; c++) {
    for (size_t j = bought->start[c]; j < bought->start[c + 1]; j++) {
      uint32_t p = bought->items[j];
      r->products[p].buyers++;
      tbuy[p * CLV_PTIER__COUNT + tier[c]]++;
      if (nc && stamp[cat_of[p]] != (uint32_t)c) {
        stamp[cat_of[p]] = (uint32_t)c;
        r->categories[cat_of[p]].buyers++;
      }
    }
    if (bought->start[c + 1] > bought->start[c])
      r->total.buyers++;
  }
  free(stamp);
  free(cat_of);
  for (size_t c = 0; c < b->customers; c++)
    r->tier_customers[tier[c]]++;
  r->total.margin = r->has_cost ? r->total.net - r->total.cost : NAN;
  if (!r->has_cost)
    r->total.cost = NAN;
  if (!r->has_quantity)
    r->total.units = NAN;
  r->n_categories =
      nc ? finish_lines(r->categories, nc + 1, r->has_cost, r->has_quantity)
         : 0;
  r->n_products =
      finish_lines(r->products, np + 1, r->has_cost, r->has_quantity);
  r->tier_net = malloc((r->n_products ? r->n_products : 1) * CLV_PTIER__COUNT *
                       sizeof *r->tier_net);
  r->tier_buyers = malloc((r->n_products ? r->n_products : 1) *
                          CLV_PTIER__COUNT * sizeof *r->tier_buyers);
  if (!r->tier_net || !r->tier_buyers)
    goto done;
  for (size_t m = 0; m < r->n_products; m++) {
    uint32_t key = r->products[m].key;
    size_t p = key == CLV_NO_KEY ? np : key;
    memcpy(&r->tier_net[m * CLV_PTIER__COUNT], &tnet[p * CLV_PTIER__COUNT],
           CLV_PTIER__COUNT * sizeof *tnet);
    memcpy(&r->tier_buyers[m * CLV_PTIER__COUNT], &tbuy[p * CLV_PTIER__COUNT],
           CLV_PTIER__COUNT * sizeof *tbuy);
  }
  rc = CLV_OK;
done:
  free(tnet);
  free(tbuy);
  return rc;
}

int clv_products_compute(const clv_base *b, const clv_products_opts *o,
                         clv_products **out) {
  int rc = CLV_EINVAL;
  clv_products *r = NULL;
  unsigned char *in = NULL, *buy = NULL, *tier = NULL, *top = NULL;
  uint32_t *grp = NULL;
  clv__groups baskets = {0}, bought = {0};
  if (out)
    *out = NULL;
  if (!b || !out || !b->orders || !b->run || !b->run->pred)
    goto fail;
  clv_products_opts def;
  if (!o) {
    clv_products_opts_init(&def);
    o = &def;
  }
  if (!(o->top_share > 0 && o->top_share <= 1) ||
      !(o->min_support >= 0 && o->min_support <= 1) || o->window_days < 0)
    goto fail;
  const clv_orders *ord = b->orders;
  rc = CLV_ENOCOLUMN;
  if (!clv_orders_has_attr(ord, CLV_ATTR_PRODUCT))
    goto fail;
  rc = CLV_ENOMEM;
  r = calloc(1, sizeof *r);
  if (!r)
    goto fail;
  r->base = b;
  r->opts = *o;
  r->has_cost = clv_orders_has_num(ord, CLV_NUM_COST);
  r->has_quantity = clv_orders_has_num(ord, CLV_NUM_QUANTITY);
  r->has_category = clv_orders_has_attr(ord, CLV_ATTR_CATEGORY);
  r->has_order = clv_orders_has_attr(ord, CLV_ATTR_ORDER);
  size_t rows = clv_orders_rows(ord),
         np = clv_orders_keys(ord, CLV_ATTR_PRODUCT);
  const uint32_t *cust = clv_orders_customer(ord);
  const uint32_t *prod = clv_orders_key(ord, CLV_ATTR_PRODUCT);
  const int32_t *day = clv_orders_day(ord);
  const double *amt = clv_orders_amount(ord);
  const double *qty = clv_orders_num(ord, CLV_NUM_QUANTITY);
  size_t nz = rows ? rows : 1, nc = b->customers ? b->customers : 1;
  in = malloc(nz);
  buy = malloc(nz);
  grp = malloc(nz * sizeof *grp);
  tier = malloc(nc);
  top = malloc(nc);
  if (!in || !buy || !grp || !tier || !top)
    goto fail;
  /* A purchase is a row of a known product, up to the as-of day, that is
   * not a return (amount and quantity not negative); returns count in the
   * money but not in orders, buyers or pairs. */
  for (size_t i = 0; i < rows; i++) {
    in[i] = day[i] <= b->as_of_day;
    buy[i] =
        in[i] && prod[i] != CLV_NO_KEY && amt[i] >= 0 && (!qty || qty[i] >= 0);
  }
  if ((rc = rank_customers(b, o->top_share, tier, top, &r->scored,
                           &r->top_count)))
    goto fail;
  size_t n_baskets = 0;
  if ((rc = clv__products_baskets(ord, buy, grp, &n_baskets)) ||
      (rc = clv__groups_build(rows, grp, n_baskets, prod, np, &baskets)))
    goto fail;
  for (size_t i = 0; i < rows; i++)
    grp[i] = buy[i] ? cust[i] : UINT32_MAX;
  if ((rc = clv__groups_build(rows, grp, b->customers, prod, np, &bought)) ||
      (rc = money_tables(r, in, tier, &baskets, &bought, np)) ||
      (rc = lift_table(r, &bought, top, np)) ||
      (rc = first_table(r, buy, prod, np)) ||
      (rc = clv__products_pairs(r, &baskets, buy)) ||
      (rc = clv__products_recs(r, &bought)))
    goto fail;
  *out = r;
  r = NULL;
  rc = CLV_OK;
fail:
  clv_products_free(r);
  clv__groups_free(&baskets);
  clv__groups_free(&bought);
  free(in);
  free(buy);
  free(grp);
  free(tier);
  free(top);
  return rc;
}
