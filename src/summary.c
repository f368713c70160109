/*
 * summary.c - the per-customer summary table: column arrays, a row weight,
 * and the customer ids in one arena.
 */
#include "clv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRED_COLUMNS                                                       \
  ((1u << CLV_COL_X) | (1u << CLV_COL_TX) | (1u << CLV_COL_T) |                \
   (1u << CLV_COL_WEIGHT))

struct clv_summary {
  clv_unit unit;
  unsigned columns;
  size_t rows, cap;
  double *col[CLV_COL__COUNT];
  /* Ids live back to back, NUL-terminated, in one arena; id_off[i] is the
   * start of row i's id. Offsets are 64-bit so that arenas over 4 GiB work. */
  char *ids;
  size_t ids_len, ids_cap;
  uint64_t *id_off;
  int32_t end_day, holdout_day;
  /* Repeat purchase periods per day from repeat_first (the summariser's),
   * for the actual tracking curve; NULL when unknown. */
  uint64_t *repeat;
  size_t repeat_days;
  int32_t repeat_first;
};

static const char *const col_names[CLV_COL__COUNT] = {"frequency",
                                                      "recency",
                                                      "T",
                                                      "monetary_value",
                                                      "weight",
                                                      "frequency_holdout",
                                                      "monetary_value_holdout",
                                                      "duration_holdout",
                                                      "first_purchase",
                                                      "last_purchase",
                                                      "total_spend",
                                                      "orders",
                                                      "refunds"};

const char *clv_col_name(clv_col col) {
  if ((unsigned)col >= CLV_COL__COUNT)
    return "";
  return col_names[col];
}

int clv_summary_new(clv_summary **out, clv_unit unit, unsigned columns,
                    size_t capacity) {
  if (out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  clv_summary *s = calloc(1, sizeof *s);
  if (s == NULL)
    return CLV_ENOMEM;
  s->unit = unit;
  s->columns = (columns | REQUIRED_COLUMNS) & ((1u << CLV_COL__COUNT) - 1);
  s->end_day = INT32_MIN;
  s->holdout_day = INT32_MIN;
  (void)capacity; /* Growth is geometric; the hint only saves reallocs. */
  if (capacity > 0) {
    s->cap = capacity;
    for (int c = 0; c < CLV_COL__COUNT; c++) {
      if (!(s->columns & (1u << c)))
        continue;
      s->col[c] = malloc(capacity * sizeof(double));
      if (s->col[c] == NULL)
        goto fail;
    }
    s->id_off = malloc(capacity * sizeof(uint64_t));
    if (s->id_off == NULL)
      goto fail;
  }
  *out = s;
  return CLV_OK;
fail:
  clv_summary_free(s);
  return CLV_ENOMEM;
}

void clv_summary_free(clv_summary *s) {
  if (s == NULL)
    return;
  for (int c = 0; c < CLV_COL__COUNT; c++)
    free(s->col[c]);
  free(s->ids);
  free(s->id_off);
  free(s->repeat);
  free(s);
}

static int grow_rows(clv_summary *s) {
  size_t cap = s->cap ? s->cap * 2 : 256;
  for (int c = 0; c < CLV_COL__COUNT; c++) {
    if (!(s->columns & (1u << c)))
      continue;
    double *p = realloc(s->col[c], cap * sizeof(double));
    if (p == NULL)
      return CLV_ENOMEM;
    s->col[c] = p;
  }
  uint64_t *o = realloc(s->id_off, cap * sizeof(uint64_t));
  if (o == NULL)
    return CLV_ENOMEM;
  s->id_off = o;
  s->cap = cap;
  return CLV_OK;
}

int clv_summary_append(clv_summary *s, const char *id, size_t id_len,
                       const clv_summary_row *row) {
  if (s == NULL || row == NULL)
    return CLV_EINVAL;
  const double *v = row->v;
  for (int c = 0; c < CLV_COL__COUNT; c++)
    if ((s->columns & (1u << c)) && !isfinite(v[c]))
      return CLV_EDOMAIN;
  if (v[CLV_COL_X] < 0 || v[CLV_COL_TX] < 0 || v[CLV_COL_T] < v[CLV_COL_TX] ||
      !(v[CLV_COL_WEIGHT] > 0))
    return CLV_EDOMAIN;
  if (s->rows == s->cap && grow_rows(s) != CLV_OK)
    return CLV_ENOMEM;
  if (id == NULL)
    id_len = 0;
  if (s->ids_len + id_len + 1 > s->ids_cap) {
    size_t cap = s->ids_cap ? s->ids_cap : 4096;
    while (cap < s->ids_len + id_len + 1)
      cap *= 2;
    char *p = realloc(s->ids, cap);
    if (p == NULL)
      return CLV_ENOMEM;
    s->ids = p;
    s->ids_cap = cap;
  }
  s->id_off[s->rows] = s->ids_len;
  if (id_len)
    memcpy(s->ids + s->ids_len, id, id_len);
  s->ids[s->ids_len + id_len] = '\0';
  s->ids_len += id_len + 1;
  for (int c = 0; c < CLV_COL__COUNT; c++)
    if (s->columns & (1u << c))
      s->col[c][s->rows] = v[c];
  s->rows++;
  return CLV_OK;
}

size_t clv_summary_rows(const clv_summary *s) {
  return s ? s->rows : 0;
}

clv_unit clv_summary_unit(const clv_summary *s) {
  return s ? s->unit : CLV_UNIT_DAY;
}

unsigned clv_summary_columns(const clv_summary *s) {
  return s ? s->columns : 0;
}

int clv_summary_has(const clv_summary *s, clv_col col) {
  return s && (unsigned)col < CLV_COL__COUNT && (s->columns & (1u << col));
}

const double *clv_summary_col(const clv_summary *s, clv_col col) {
  if (!clv_summary_has(s, col))
    return NULL;
  return s->col[col];
}

const char *clv_summary_id(const clv_summary *s, size_t i, size_t *len) {
  if (s == NULL || i >= s->rows) {
    if (len)
      *len = 0;
    return "";
  }
  const char *p = s->ids + s->id_off[i];
  if (len) {
    size_t end = i + 1 < s->rows ? s->id_off[i + 1] : s->ids_len;
    *len = end - s->id_off[i] - 1;
  }
  return p;
}

double clv_summary_customers(const clv_summary *s) {
  double n = 0;
  if (s == NULL)
    return 0;
  for (size_t i = 0; i < s->rows; i++)
    n += s->col[CLV_COL_WEIGHT][i];
  return n;
}

int32_t clv_summary_end_day(const clv_summary *s) {
  return s ? s->end_day : INT32_MIN;
}

int32_t clv_summary_holdout_day(const clv_summary *s) {
  return s ? s->holdout_day : INT32_MIN;
}

void clv_summary_set_days(clv_summary *s, int32_t end_day,
                          int32_t holdout_day) {
  if (s == NULL)
    return;
  s->end_day = end_day;
  s->holdout_day = holdout_day;
}

const uint64_t *clv_summary_repeat_days(const clv_summary *s,
                                        int32_t *first_day, size_t *days) {
  if (first_day)
    *first_day = s && s->repeat ? s->repeat_first : INT32_MIN;
  if (days)
    *days = s && s->repeat ? s->repeat_days : 0;
  return s ? s->repeat : NULL;
}

int clv_summary_set_repeat_days(clv_summary *s, int32_t first_day,
                                const uint64_t *counts, size_t days) {
  uint64_t *copy = NULL;
  if (s == NULL || (counts != NULL && days == 0))
    return CLV_EINVAL;
  if (counts) {
    copy = malloc(days * sizeof *copy);
    if (copy == NULL)
      return CLV_ENOMEM;
    memcpy(copy, counts, days * sizeof *copy);
  }
  free(s->repeat);
  s->repeat = copy;
  s->repeat_days = copy ? days : 0;
  s->repeat_first = first_day;
  return CLV_OK;
}

int clv_summary_from_arrays(clv_summary **out, clv_unit unit, size_t n,
                            const double *x, const double *t_x, const double *T,
                            const double *m, const double *weight) {
  int rc;
  char id[32];
  clv_summary *s = NULL;
  if (out == NULL || x == NULL || t_x == NULL || T == NULL)
    return CLV_EINVAL;
  *out = NULL;
  rc = clv_summary_new(&s, unit, m ? 1u << CLV_COL_M : 0, n);
  if (rc)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    clv_summary_row row = {{0}};
    row.v[CLV_COL_X] = x[i];
    row.v[CLV_COL_TX] = t_x[i];
    row.v[CLV_COL_T] = T[i];
    row.v[CLV_COL_M] = m ? m[i] : 0.0;
    row.v[CLV_COL_WEIGHT] = weight ? weight[i] : 1.0;
    int len = snprintf(id, sizeof id, "%zu", i + 1);
    rc = clv_summary_append(s, id, (size_t)len, &row);
    if (rc)
      goto fail;
  }
  *out = s;
  return CLV_OK;
fail:
  clv_summary_free(s);
  return rc;
}
