/*
 * clv/products.h - products seen through customer value: profitability per
 * product and category (and per product x value tier), what high-value
 * customers buy (lift of the top tier against the base), the first-purchase
 * products that brought in valuable customers, cross-sell pairs (support,
 * confidence, lift; Agrawal, Imielinski & Swami 1993) and the next products
 * to offer each customer.
 *
 * Everything is computed from one scored base (clv/base.h): rows after the
 * base's as-of day are left out, so that the tables describe the log as the
 * predictions saw it. Every money total adds up to the order table's totals
 * (refunds and rows without a customer included); per-customer figures
 * leave the anonymous rows out and say how much they were.
 */
#ifndef CLV_PRODUCTS_H
#define CLV_PRODUCTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_products_opts {
  /* Share of scored customers, by predicted value, that make the
   * "high-value" group of the lift table (0.10: the top 10 %). */
  double top_share;
  /* Fewest high-value buyers a product needs to enter the lift table (5). */
  size_t min_top_buyers;
  /* Fewest customers a product must have brought in to enter the
   * first-purchase table (5). */
  size_t min_first_customers;
  /* Pairs: 0 (default) = bought together in one basket (the order id, or
   * without one the same customer and day); N > 0 = bought by the same
   * customer within N days of each other (the unit is then the customer). */
  int window_days;
  /* Fewest units (baskets or customers) holding a pair, as a share of all
   * units (0.005); at least one unit in any case. */
  double min_support;
  /* Units with more distinct products than this are left out of the pair
   * analysis (200): a basket of 500 products would add 125 000 pairs that
   * say little about what goes with what (wholesale orders, stock takes).
   * 0 = no cap. */
  size_t max_basket;
  /* Products offered per customer in the recommendations (3). */
  size_t recs_per_customer;
} clv_products_opts;

/* Fills the defaults listed above. */
void clv_products_opts_init(clv_products_opts *o);

/* Profitability of one product or category (or of everything). Money in the
 * log's currency; refunds are positive money. */
typedef struct clv_product_line {
  uint32_t key;     /* product / category key; CLV_NO_KEY: rows without one */
  double revenue;   /* gross sales: sum of the positive amounts */
  double refunds;   /* returns: minus the sum of the negative amounts */
  double net;       /* revenue - refunds */
  double cost;      /* sum of the rows' costs (NaN without a cost column) */
  double margin;    /* net - cost (NaN without a cost column) */
  double units;     /* net units (NaN without a quantity column) */
  uint64_t orders;  /* baskets holding a purchase of it */
  uint64_t buyers;  /* distinct customers who bought it */
  double anonymous; /* net amount of its rows without a customer */
  uint64_t rows;    /* rows */
} clv_product_line;

/* Value tiers by predicted CLV percentile, as the segment module's default
 * tiers (top 1 %, 1-5 %, 5-10 %, 10-25 %, the rest), then the customers
 * without a prediction and the rows without a customer, so that a product's
 * tiers add up to the product's total. */
enum {
  CLV_PTIER_TOP1 = 0,
  CLV_PTIER_TOP5,
  CLV_PTIER_TOP10,
  CLV_PTIER_TOP25,
  CLV_PTIER_REST,
  CLV_PTIER_UNSCORED, /* customers not in the summary (only refunds) */
  CLV_PTIER_ANONYMOUS,
  CLV_PTIER__COUNT
};

/* The tier's label in English or Chinese (zh != 0); NULL when out of
 * range. */
const char *clv_products_tier_label(int tier, int zh);

/* A product in the high-value lift table. */
typedef struct clv_product_lift {
  uint32_t product;
  uint64_t top_buyers; /* high-value customers who bought it */
  uint64_t buyers;     /* scored customers who bought it */
  double top_share;    /* top_buyers / high-value customers */
  double all_share;    /* buyers / scored customers */
  double lift;         /* top_share / all_share */
} clv_product_lift;

/* A product on customers' first purchase day. */
typedef struct clv_first_product {
  uint32_t product;
  uint64_t customers; /* scored customers with it on their first day */
  double mean_value;  /* their mean predicted value */
  double mean_p_alive;
} clv_first_product;

/* A pair of products bought together (a < b by key). */
typedef struct clv_product_pair {
  uint32_t a, b;
  uint64_t count;   /* units (baskets or customers) holding both */
  uint64_t count_a; /* units holding a, and b */
  uint64_t count_b;
  double support; /* count / units */
  double conf_ab; /* P(b | a) = count / count_a */
  double conf_ba; /* P(a | b) = count / count_b */
  double lift;    /* count x units / (count_a x count_b) */
} clv_product_pair;

/* One product offered to one customer. */
typedef struct clv_product_rec {
  uint32_t customer; /* customer number of the order table */
  uint32_t product;  /* not yet bought by the customer */
  uint32_t because;  /* the product bought that gives the best lift */
  double lift;       /* lift of the pair (because, product) */
  double value;      /* the customer's predicted value */
  double p_alive;
  double score;  /* lift x value */
  unsigned rank; /* 1 = the first offer to this customer */
} clv_product_rec;

/* How pairs were counted. */
typedef enum clv_pair_unit {
  CLV_PAIRS_ORDER = 0,    /* same order id */
  CLV_PAIRS_CUSTOMER_DAY, /* no order id: same customer and day */
  CLV_PAIRS_WINDOW        /* same customer within window_days */
} clv_pair_unit;

/* The results. Read-only for the caller, owned by the struct; keys are
 * the order table's (clv_orders_key_text()), so the base's order table
 * must outlive the result. */
typedef struct clv_products {
  const clv_base *base;
  clv_products_opts opts;
  int has_cost, has_quantity, has_category, has_order;
  /* Profitability: products and categories by net revenue, largest
   * first; the total line equals the order table's totals up to the as-of
   * day. */
  size_t n_products;
  clv_product_line *products;
  size_t n_categories; /* 0 without a category column */
  clv_product_line *categories;
  clv_product_line total;
  /* Product x tier: net revenue and buyers, n_products x CLV_PTIER__COUNT,
   * in the order of `products`; per tier, customers and net revenue. */
  double *tier_net;
  uint64_t *tier_buyers;
  uint64_t tier_customers[CLV_PTIER__COUNT];
  double tier_total_net[CLV_PTIER__COUNT];
  /* High-value lift, largest lift first. */
  uint64_t scored;    /* customers with a prediction */
  uint64_t top_count; /* of them, in the high-value group */
  size_t n_lift;
  clv_product_lift *lift;
  /* First-purchase products, highest mean value first. */
  size_t n_first;
  clv_first_product *first;
  /* Pairs with support >= min_support, highest lift first (ties: count). */
  clv_pair_unit pair_unit;
  uint64_t units;         /* baskets or customers counted */
  uint64_t units_skipped; /* left out for holding more than max_basket */
  uint64_t pairs_seen;    /* distinct pairs before the support cut */
  size_t n_pairs;
  clv_product_pair *pairs;
  /* Recommendations, by score (then customer, rank). */
  size_t n_recs;
  clv_product_rec *recs;
} clv_products;

/*
 * Computes every table from the scored base b (whose order table must carry
 * a product column: CLV_ENOCOLUMN otherwise). `o` may be NULL (defaults).
 * The caller frees *out with clv_products_free(). Returns CLV_OK,
 * CLV_EINVAL (an option out of range), CLV_ENOCOLUMN, CLV_ENOMEM,
 * CLV_EOVERFLOW.
 */
int clv_products_compute(const clv_base *b, const clv_products_opts *o,
                         clv_products **out);

/* Frees a result. Accepts NULL. */
void clv_products_free(clv_products *r);

/* The tables the writers know. */
typedef enum clv_products_table {
  CLV_PT_PRODUCTS = 0, /* products.csv */
  CLV_PT_CATEGORIES,   /* categories.csv */
  CLV_PT_TIERS,        /* product_tiers.csv */
  CLV_PT_TOP,          /* top_products.csv: high-value lift */
  CLV_PT_FIRST,        /* first_products.csv */
  CLV_PT_PAIRS,        /* pairs.csv */
  CLV_PT_RECS,         /* recommendations.csv: the action list */
  CLV_PT__COUNT
} clv_products_table;

/* The file name of table t ("products.csv", ...), NULL when out of range. */
const char *clv_products_file_name(clv_products_table t);

/*
 * Writes table t as CSV with a header line (column names in English; label
 * values in Chinese when zh != 0). Every table ends with a "total" row
 * where its figures add up. Returns CLV_OK, CLV_EINVAL, CLV_EIO.
 */
int clv_products_write_csv(const clv_products *r, clv_products_table t, int zh,
                           FILE *f);

/* Writes a readable account: the top n lines of each table. CLV_OK or
 * CLV_EIO. */
int clv_products_write_text(const clv_products *r, size_t n, int zh, FILE *f);

/* Writes one JSON object for the report: totals and the top n lines of
 * each table (no per-customer lists). CLV_OK or CLV_EIO. */
int clv_products_write_json(const clv_products *r, size_t n, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
