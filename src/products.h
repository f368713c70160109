/*
 * products.h - what the product tables share inside the library (internal):
 * distinct products per group of rows (baskets, customers) in compressed
 * rows, a small uint64 -> uint32 hash map, and the cross-sell steps of
 * crosssell.c that products.c calls.
 */
#ifndef CLV_PRODUCTS_INTERNAL_H
#define CLV_PRODUCTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "clv/products.h"

/* Distinct products per group: group g holds items[start[g] ..
 * start[g + 1]). */
typedef struct clv__groups {
  size_t n;
  size_t *start; /* n + 1 entries */
  uint32_t *items;
} clv__groups;

void clv__groups_free(clv__groups *g);

/*
 * Fills g with the distinct values of item[i] per group group[i] over the
 * rows i < rows whose group is below n_groups (UINT32_MAX: row left out),
 * in order of first appearance within the group; n_items bounds the items.
 * CLV_OK or CLV_ENOMEM.
 */
int clv__groups_build(size_t rows, const uint32_t *group, size_t n_groups,
                      const uint32_t *item, size_t n_items, clv__groups *g);

/* Open addressing from 64-bit keys (never UINT64_MAX) to 32-bit values. */
typedef struct clv__u64map {
  uint64_t *keys; /* UINT64_MAX = empty slot */
  uint32_t *vals;
  size_t mask; /* slots - 1 */
  size_t count;
} clv__u64map;

void clv__u64map_free(clv__u64map *m);

/* The value slot of key, inserted with value 0 when absent (*slot).
 * CLV_OK or CLV_ENOMEM. */
int clv__u64map_get(clv__u64map *m, uint64_t key, uint32_t **slot);

/*
 * The basket of each row (out, rows entries): the order key when the table
 * has one on the row, else one basket per customer and day; UINT32_MAX for
 * rows where buy[i] is 0 and for rows without either. *n_baskets receives
 * the number of basket ids. CLV_OK, CLV_ENOMEM, CLV_EOVERFLOW.
 */
int clv__products_baskets(const clv_orders *o, const unsigned char *buy,
                          uint32_t *out, size_t *n_baskets);

/*
 * Counts pairs into r (pair_unit, units, units_skipped, pairs_seen, pairs)
 * from the baskets' products, or with window_days > 0 from each customer's
 * purchase rows (buy[i]), then the recommendations from the customers'
 * product sets `bought` (indexed by customer number).
 */
int clv__products_pairs(clv_products *r, const clv__groups *baskets,
                        const unsigned char *buy);
int clv__products_recs(clv_products *r, const clv__groups *bought);

#endif
