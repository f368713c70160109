/*
 * simulate_retail.c - the "retail" layout of a simulated order log: each
 * simulated purchase becomes an order with one to four lines (order id,
 * product, name, category, quantity, unit price, amount, unit cost, sales
 * channel, store, acquisition source), so that the business layer
 * (segments, products, cross-sell, channels, margins) has data to work on.
 *
 * The purchase process and the order amounts are those of the plain log:
 * the lines of an order add up to its amount to the cent, so a summary of
 * the retail log equals the summary of the plain log with the same options.
 * What the lines hold is drawn from a counter-based generator keyed by the
 * seed, the customer and the order's amount, so the formatting threads need
 * no shared state and a refund (which repeats its order's amount) returns
 * exactly the lines of its order.
 *
 * The catalogue: 8 categories x 25 products with log-normal list prices and
 * a margin per category; popularity falls off as 1/rank. Each customer has
 * a favourite category (60 % of lines), a home channel (80 % of orders) and
 * an acquisition source. Larger orders have more lines and dearer products,
 * so that high-value customers buy different things from the rest.
 */
#include "simulate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CATEGORIES = 8, PER_CATEGORY = 25, PRODUCTS = CATEGORIES * 25 };
enum { MAX_LINES = 4, STORES = 8 };

static const char *const CATEGORY_NAMES[CATEGORIES] = {
    "coffee", "tea", "snacks", "dairy", "household", "beauty", "baby", "pet"};
/* Median list price (money) and margin of each category. */
static const double CATEGORY_PRICE[CATEGORIES] = {9, 7, 3, 2.5, 5, 14, 12, 8};
static const double CATEGORY_MARGIN[CATEGORIES] = {0.45, 0.5,  0.35, 0.2,
                                                   0.3,  0.55, 0.25, 0.3};
static const char *const CHANNELS[4] = {"web", "store", "app", "mini-program"};
static const double CHANNEL_SHARE[4] = {0.45, 0.30, 0.15, 0.10};
static const char *const SOURCES[5] = {"search", "social", "referral",
                                       "walk-in", "ads"};

const char clv__retail_header[] =
    "order_id,customer_id,order_date,product_id,product_name,category,"
    "quantity,unit_price,amount,unit_cost,channel,store,source\n";

/* A counter-based generator: splitmix64 over a running key. */
static uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double unit(uint64_t *k) {
  *k = mix(*k);
  return (double)(*k >> 11) * 0x1.0p-53;
}

/* The list price of product j (cents), fixed by the product number alone:
 * the category's median times a spread of e^(+-0.8). */
static uint64_t list_cents(int j) {
  uint64_t k = mix(0x51ed2701ull + (uint64_t)j);
  double u = (double)(k >> 11) * 0x1.0p-53;
  double price = CATEGORY_PRICE[j / PER_CATEGORY] * exp(1.6 * (u - 0.5));
  uint64_t c = (uint64_t)nearbyint(price * 100);
  return c < 50 ? 50 : c;
}

/* Picks a product of category cat for a line worth about `target` cents:
 * popularity 1/rank times closeness of the list price to the target. */
static int pick_product(uint64_t *k, int cat, double target) {
  double w[PER_CATEGORY], sum = 0;
  for (int r = 0; r < PER_CATEGORY; r++) {
    double d = log((double)list_cents(cat * PER_CATEGORY + r) / target);
    w[r] = exp(-d * d) / (r + 1);
    sum += w[r];
  }
  double u = unit(k) * sum;
  for (int r = 0; r < PER_CATEGORY; r++) {
    u -= w[r];
    if (u <= 0)
      return cat * PER_CATEGORY + r;
  }
  return cat * PER_CATEGORY + PER_CATEGORY - 1;
}

static char *put_str(char *p, const char *s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

static char *put_money(char *p, int neg, uint64_t cents) {
  if (neg)
    *p++ = '-';
  p = clv__sim_put_u64(p, cents / 100, 1);
  *p++ = '.';
  *p++ = (char)('0' + cents % 100 / 10);
  *p++ = (char)('0' + cents % 10);
  return p;
}

static char *put_hex(char *p, uint64_t v, int digits) {
  static const char hex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; i--)
    p[i] = hex[v & 15], v >>= 4;
  return p + digits;
}

/* The customer's fixed traits: favourite category, home channel, store and
 * acquisition source. */
typedef struct traits {
  int fav, channel, store, source;
} traits;

static traits customer_traits(uint64_t seed, uint64_t cust) {
  uint64_t k = mix(seed ^ 0xc0ffeeull) ^ mix(cust + 1);
  traits t;
  t.fav = (int)(unit(&k) * CATEGORIES);
  double u = unit(&k);
  t.channel = 3;
  for (int c = 0; c < 4; c++) {
    if (u < CHANNEL_SHARE[c]) {
      t.channel = c;
      break;
    }
    u -= CHANNEL_SHARE[c];
  }
  t.store = (int)(unit(&k) * STORES);
  /* Store customers come mostly by walking in; the others by search,
   * social media, referral or ads. */
  t.source = t.channel == 1 && unit(&k) < 0.7 ? 3 : (int)(unit(&k) * 5);
  return t;
}

char *clv__retail_put(char *p, const sim *s, const char *cust_id,
                      size_t cust_len, uint64_t cust, const char *date,
                      size_t date_len, uint64_t when, uint32_t kind,
                      uint64_t cents) {
  const clv_sim_opts *o = s->o;
  traits t = customer_traits(o->seed, cust);
  /* The lines depend on the customer and the order amount only, so that a
   * refund reproduces its order. */
  uint64_t k = mix(o->seed ^ 0x0d0e5ull) ^ mix(cust * 0x100000001b3ull) ^
               mix(cents + 0x77);
  uint64_t order_key = k;
  int channel = unit(&k) < 0.8 ? t.channel : (int)(unit(&k) * 4);
  int lines = 1 + (cents > 2000) + (cents > 6000) + (cents > 15000);
  if (lines > 1 && unit(&k) < 0.3)
    lines--;
  if ((uint64_t)lines > cents)
    lines = (int)cents;
  int prod[MAX_LINES];
  uint64_t qty[MAX_LINES], line[MAX_LINES];
  double weight = 0, lw[MAX_LINES];
  for (int i = 0; i < lines; i++) {
    int cat = unit(&k) < 0.6 ? t.fav : (int)(unit(&k) * CATEGORIES);
    prod[i] = pick_product(&k, cat, (double)cents / lines);
    lw[i] = (double)list_cents(prod[i]);
    weight += lw[i];
  }
  /* Split the amount by list price; every line but the last buys a whole
   * number of units at a price in cents, the last takes the remainder as
   * one unit, so the lines add up to the order exactly. */
  uint64_t left = cents;
  for (int i = 0; i < lines; i++) {
    if (i == lines - 1) {
      qty[i] = 1;
      line[i] = left;
      break;
    }
    uint64_t share = (uint64_t)floor((double)cents * lw[i] / weight);
    uint64_t q = (uint64_t)nearbyint((double)share / lw[i]);
    q = q < 1 ? 1 : q > 12 ? 12 : q;
    share = share / q * q;
    if (share == 0 || share > left - (uint64_t)(lines - 1 - i)) {
      q = 1;
      share = 1;
    }
    qty[i] = q;
    line[i] = share;
    left -= share;
  }
  int neg = kind == ROW_REFUND;
  /* A malformed row is an extra copy of a good one: only its first line is
   * written, so that skipping it gives back the clean log. */
  if (kind >= ROW_BAD_DATE)
    lines = 1;
  /* Order ids: a purchase's from its customer, amount and moment; a
   * refund's from its order's lines, as shops number credit notes apart. */
  uint64_t id = neg ? mix(order_key) : mix(order_key ^ mix(when));
  for (int i = 0; i < lines; i++) {
    int j = prod[i], cat = j / PER_CATEGORY;
    *p++ = neg ? 'R' : 'O';
    p = put_hex(p, id, 12);
    *p++ = ',';
    memcpy(p, cust_id, cust_len);
    p += cust_len;
    *p++ = ',';
    memcpy(p, date, date_len);
    if (i == 0 && kind == ROW_BAD_DATE)
      memcpy(p + 5, "13", 2); /* month 13: no calendar has it */
    p += date_len;
    *p++ = ',';
    *p++ = 'P';
    p = clv__sim_put_u64(p, (uint64_t)j + 1, 4);
    *p++ = ',';
    p = put_str(p, CATEGORY_NAMES[cat]);
    *p++ = ' ';
    p = clv__sim_put_u64(p, (uint64_t)(j % PER_CATEGORY) + 1, 1);
    *p++ = ',';
    p = put_str(p, CATEGORY_NAMES[cat]);
    *p++ = ',';
    if (neg)
      *p++ = '-';
    p = clv__sim_put_u64(p, qty[i], 1);
    *p++ = ',';
    uint64_t price = line[i] / qty[i];
    p = put_money(p, 0, price);
    if (i == 0 && kind == ROW_MISSING_FIELD) {
      *p++ = '\n'; /* the row ends early: fields are missing */
      continue;
    }
    *p++ = ',';
    if (i == 0 && kind == ROW_BAD_AMOUNT) {
      memcpy(p, "#VALUE!", 7);
      p += 7;
    } else {
      p = put_money(p, neg, line[i]);
    }
    *p++ = ',';
    uint64_t cost =
        (uint64_t)nearbyint((double)price * (1 - CATEGORY_MARGIN[cat]));
    p = put_money(p, 0, cost);
    *p++ = ',';
    p = put_str(p, CHANNELS[channel]);
    *p++ = ',';
    if (channel == 1) {
      *p++ = 'S';
      p = clv__sim_put_u64(p, (uint64_t)t.store + 1, 2);
    }
    *p++ = ',';
    p = put_str(p, SOURCES[t.source]);
    *p++ = '\n';
  }
  return p;
}
