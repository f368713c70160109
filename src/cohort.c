/*
 * cohort.c - acquisition cohorts: retention, revenue and cumulative revenue
 * per customer by cohort age, predicted CLV per cohort, and each cohort
 * against the earlier ones at the same age.
 *
 * This is the cohort analysis of the retail and subscription literature
 * (e.g. Fader & Hardie, "Customer-Base Valuation in a Contractual Setting",
 * 2010, and the "historic CLV curve" of the marketing guides): customers
 * grouped by the period of their first purchase, followed period by period.
 * The rules (refunds, partial periods, the rising/falling test) are written
 * out in docs/cohort.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort.h"

/* ---- calendar periods --------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t clv__period_of(clv_cohort_by by, int32_t day) {
  int y, m;
  if (by == CLV_COHORT_WEEK)
    return floor_div((int64_t)day + 3, 7); /* day -3 was a Monday */
  clv_day_to_ymd(day, &y, &m, NULL);
  if (by == CLV_COHORT_QUARTER)
    return (int64_t)y * 4 + (m - 1) / 3;
  return (int64_t)y * 12 + (m - 1);
}

int32_t clv__period_start(clv_cohort_by by, int64_t p) {
  if (by == CLV_COHORT_WEEK)
    return (int32_t)(p * 7 - 3);
  if (by == CLV_COHORT_QUARTER)
    return clv_day_from_ymd((int)floor_div(p, 4),
                            (int)(p - floor_div(p, 4) * 4) * 3 + 1, 1);
  return clv_day_from_ymd((int)floor_div(p, 12),
                          (int)(p - floor_div(p, 12) * 12) + 1, 1);
}

void clv__period_label(clv_cohort_by by, int64_t p, char buf[24]) {
  int y, m, d;
  int32_t start = clv__period_start(by, p);
  if (by == CLV_COHORT_WEEK) {
    /* The ISO week belongs to the year of its Thursday and counts weeks
     * from the one holding that year's first Thursday. */
    int32_t thu = start + 3;
    clv_day_to_ymd(thu, &y, NULL, NULL);
    int week = (thu - clv_day_from_ymd(y, 1, 1)) / 7 + 1;
    snprintf(buf, 24, "%04d-W%02d", y, week);
    return;
  }
  clv_day_to_ymd(start, &y, &m, &d);
  if (by == CLV_COHORT_QUARTER)
    snprintf(buf, 24, "%04d-Q%d", y, (m - 1) / 3 + 1);
  else
    snprintf(buf, 24, "%04d-%02d", y, m);
}

int32_t clv__months_back(int32_t day, int months) {
  int y, m, d;
  clv_day_to_ymd(day, &y, &m, &d);
  int64_t idx = (int64_t)y * 12 + (m - 1) - months;
  int ny = (int)floor_div(idx, 12),
      nm = (int)(idx - floor_div(idx, 12) * 12) + 1;
  int32_t first = clv_day_from_ymd(ny, nm, 1);
  int32_t next = clv__period_start(CLV_COHORT_MONTH, idx + 1);
  int32_t len = next - first;
  return first + (d <= len ? d : len) - 1;
}

const char *clv_cohort_by_name(clv_cohort_by by) {
  switch (by) {
  case CLV_COHORT_WEEK:
    return "week";
  case CLV_COHORT_QUARTER:
    return "quarter";
  default:
    return "month";
  }
}

int clv_cohort_by_parse(const char *name, clv_cohort_by *out) {
  static const struct {
    const char *name;
    clv_cohort_by by;
  } names[] = {
      {"month", CLV_COHORT_MONTH},     {"months", CLV_COHORT_MONTH},
      {"m", CLV_COHORT_MONTH},         {"monthly", CLV_COHORT_MONTH},
      {"week", CLV_COHORT_WEEK},       {"weeks", CLV_COHORT_WEEK},
      {"w", CLV_COHORT_WEEK},          {"weekly", CLV_COHORT_WEEK},
      {"quarter", CLV_COHORT_QUARTER}, {"quarters", CLV_COHORT_QUARTER},
      {"q", CLV_COHORT_QUARTER},       {"quarterly", CLV_COHORT_QUARTER}};
  if (name == NULL)
    return CLV_EINVAL;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].by;
      return CLV_OK;
    }
  return CLV_EINVAL;
}

const char *clv_trend_dir_label(clv_trend_dir d, int zh) {
  switch (d) {
  case CLV_TREND_RISING:
    return zh ? "上升" : "rising";
  case CLV_TREND_STABLE:
    return zh ? "平稳" : "stable";
  case CLV_TREND_FALLING:
    return zh ? "下降" : "falling";
  default:
    return zh ? "无可比" : "n/a";
  }
}

void clv_cohort_opts_init(clv_cohort_opts *o) {
  o->by = CLV_COHORT_MONTH;
  o->as_of_day = INT32_MIN;
  o->threshold = 0.10;
}

/* ---- rows grouped by customer ------------------------------------------- */

typedef struct entry {
  int32_t day;
  double amount;
} entry;

/* Every customer's rows on or before as_of, grouped by customer (rows of
 * customer c are ent[start[c] .. start[c + 1])) and sorted by day. */
typedef struct grouped {
  size_t *start;
  entry *ent;
  uint64_t rows_anonymous, rows_after;
  double revenue_anonymous;
} grouped;

static int by_day(const void *a, const void *b) {
  int32_t x = ((const entry *)a)->day, y = ((const entry *)b)->day;
  return (x > y) - (x < y);
}

static void grouped_free(grouped *g) {
  free(g->start);
  free(g->ent);
}

static int group_rows(const clv_orders *o, int32_t as_of, grouped *g) {
  size_t rows = clv_orders_rows(o), n = clv_orders_customers(o);
  const uint32_t *cust = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  const double *amount = clv_orders_amount(o);
  memset(g, 0, sizeof *g);
  g->start = calloc(n + 1, sizeof *g->start);
  g->ent = malloc((rows ? rows : 1) * sizeof *g->ent);
  if (g->start == NULL || g->ent == NULL)
    goto fail;
  /* A counting sort by customer keeps each customer's rows in input order;
   * order logs are mostly sorted by date, so most customers need no sort. */
  for (size_t i = 0; i < rows; i++) {
    if (cust[i] == CLV_NO_CUSTOMER) {
      g->rows_anonymous++;
      g->revenue_anonymous += amount[i];
    } else if (day[i] > as_of) {
      g->rows_after++;
    } else {
      g->start[cust[i] + 1]++;
    }
  }
  for (size_t c = 0; c < n; c++)
    g->start[c + 1] += g->start[c];
  size_t *fill = malloc((n ? n : 1) * sizeof *fill);
  if (fill == NULL)
    goto fail;
  memcpy(fill, g->start, n * sizeof *fill);
  for (size_t i = 0; i < rows; i++)
    if (cust[i] != CLV_NO_CUSTOMER && day[i] <= as_of)
      g->ent[fill[cust[i]]++] = (entry){day[i], amount[i]};
  free(fill);
  for (size_t c = 0; c < n; c++) {
    entry *e = g->ent + g->start[c];
    size_t k = g->start[c + 1] - g->start[c];
    for (size_t j = 1; j < k; j++)
      if (e[j].day < e[j - 1].day) {
        qsort(e, k, sizeof *e, by_day);
        break;
      }
  }
  return CLV_OK;
fail:
  grouped_free(g);
  return CLV_ENOMEM;
}

/* Walks customer c's days: for each distinct day, its net amount and
 * whether it is a purchase. Returns the next index after the day. */
static size_t next_day(const entry *e, size_t j, size_t end, double *net,
                       int *purchase) {
  int32_t d = e[j].day;
  int refund = 0;
  *net = 0;
  for (; j < end && e[j].day == d; j++) {
    *net += e[j].amount;
    refund |= e[j].amount < 0;
  }
  *purchase = !(refund && *net <= 0);
  return j;
}

static int32_t first_purchase(const grouped *g, size_t c) {
  size_t j = g->start[c], end = g->start[c + 1];
  while (j < end) {
    int32_t d = g->ent[j].day;
    double net;
    int buy;
    j = next_day(g->ent, j, end, &net, &buy);
    if (buy)
      return d;
  }
  return INT32_MIN;
}

int clv__first_purchase_days(const clv_orders *o, int32_t as_of,
                             int32_t *first) {
  grouped g;
  int rc = group_rows(o, as_of, &g);
  if (rc)
    return rc;
  for (size_t c = 0; c < clv_orders_customers(o); c++)
    first[c] = first_purchase(&g, c);
  grouped_free(&g);
  return CLV_OK;
}

/* ---- the table ----------------------------------------------------------- */

void clv_cohorts_free(clv_cohorts *c) {
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n; i++)
    free(c->cohorts[i].cells);
  free(c->cohorts);
  free(c);
}

/* The verdict of cohort j against the mean of the earlier cohorts at its
 * last fully observed age (see docs/cohort.md). */
static void compare(clv_cohorts *t, size_t j) {
  clv_cohort *c = &t->cohorts[j];
  size_t full = c->ages - (size_t)c->last_partial;
  c->direction = CLV_TREND_NA;
  if (full == 0)
    return;
  size_t k = full - 1, m = 0;
  double sum = 0;
  for (size_t i = 0; i < j; i++) {
    const clv_cohort *e = &t->cohorts[i];
    if (e->ages - (size_t)e->last_partial > k) {
      sum += e->cells[k].cumulative_per_customer;
      m++;
    }
  }
  c->compare_age = k;
  c->compare_value = c->cells[k].cumulative_per_customer;
  if (m == 0)
    return;
  c->compare_baseline = sum / (double)m;
  /* A baseline at or below zero (refunds outweigh sales) gives no
   * meaningful relative change. */
  if (!(c->compare_baseline > 0))
    return;
  double rel = c->compare_value / c->compare_baseline - 1;
  c->direction = rel > t->threshold    ? CLV_TREND_RISING
                 : rel < -t->threshold ? CLV_TREND_FALLING
                                       : CLV_TREND_STABLE;
}

int clv_cohorts_compute(const clv_orders *orders, const clv_base *base,
                        const clv_cohort_opts *o, clv_cohorts **out) {
  clv_cohort_opts def;
  grouped g;
  int32_t *first = NULL;
  int64_t *slot = NULL;
  clv_cohorts *t = NULL;
  int rc = CLV_ENOMEM;
  size_t n = clv_orders_customers(orders);

  memset(&g, 0, sizeof g);
  *out = NULL;
  if (o == NULL) {
    clv_cohort_opts_init(&def);
    o = &def;
  }
  if (!(o->threshold >= 0 && o->threshold < 100) ||
      (base != NULL && (base->orders != orders || base->customers != n)))
    return CLV_EINVAL;
  int32_t as_of = o->as_of_day;
  if (as_of == INT32_MIN)
    as_of = base ? base->as_of_day : clv_orders_last_day(orders);

  if ((rc = group_rows(orders, as_of, &g)) != CLV_OK)
    return rc;
  rc = CLV_ENOMEM;
  t = calloc(1, sizeof *t);
  first = malloc((n ? n : 1) * sizeof *first);
  if (t == NULL || first == NULL)
    goto done;
  t->by = o->by;
  t->as_of_day = as_of;
  t->threshold = o->threshold;
  t->rows_anonymous = g.rows_anonymous;
  t->revenue_anonymous = g.revenue_anonymous;
  t->rows_after = g.rows_after;
  t->has_base = base != NULL;

  /* Acquisition periods and the span of cohorts. */
  int64_t pmin = INT64_MAX, pmax = INT64_MIN;
  for (size_t c = 0; c < n; c++) {
    first[c] = first_purchase(&g, c);
    if (first[c] == INT32_MIN)
      continue;
    int64_t p = clv__period_of(o->by, first[c]);
    pmin = p < pmin ? p : pmin;
    pmax = p > pmax ? p : pmax;
  }
  if (pmin == INT64_MAX) {
    rc = CLV_EEMPTY;
    goto done;
  }
  size_t span = (size_t)(pmax - pmin + 1);
  slot = malloc(span * sizeof *slot);
  if (slot == NULL)
    goto done;
  for (size_t s = 0; s < span; s++)
    slot[s] = -1;
  for (size_t c = 0; c < n; c++)
    if (first[c] != INT32_MIN)
      slot[clv__period_of(o->by, first[c]) - pmin] = 0;
  for (size_t s = 0; s < span; s++)
    if (slot[s] == 0)
      slot[s] = (int64_t)t->n++;
  t->cohorts = calloc(t->n, sizeof *t->cohorts);
  if (t->cohorts == NULL)
    goto done;

  /* The period holding the as-of day is partly observed unless the as-of
   * day is its last day. */
  int64_t pnow = clv__period_of(o->by, as_of);
  int partial = clv__period_start(o->by, pnow + 1) - 1 != as_of;
  for (size_t s = 0; s < span; s++) {
    if (slot[s] < 0)
      continue;
    clv_cohort *c = &t->cohorts[slot[s]];
    int64_t p = pmin + (int64_t)s;
    clv__period_label(o->by, p, c->label);
    c->start_day = clv__period_start(o->by, p);
    c->ages = (size_t)(pnow - p + 1);
    c->last_partial = partial;
    c->cells = calloc(c->ages, sizeof *c->cells);
    if (c->cells == NULL)
      goto done;
    t->max_ages = c->ages > t->max_ages ? c->ages : t->max_ages;
  }

  /* One walk over every customer's days fills the cells. */
  const double *weight = NULL, *value = NULL, *p_alive = NULL;
  if (base) {
    weight = clv_summary_col(base->run->summary, CLV_COL_WEIGHT);
    value = base->run->pred->value;
    p_alive = base->run->pred->p_alive;
    t->base_predicted_total = base->run->value_total;
  }
  for (size_t c = 0; c < n; c++) {
    size_t j = g.start[c], end = g.start[c + 1];
    double net, sum = 0;
    int buy;
    if (first[c] == INT32_MIN) {
      for (; j < end; j++)
        sum += g.ent[j].amount;
      if (end > g.start[c]) {
        t->not_acquired += 1;
        t->not_acquired_revenue += sum;
        t->log_revenue += sum;
      }
      continue;
    }
    int64_t p0 = clv__period_of(o->by, first[c]);
    clv_cohort *co = &t->cohorts[slot[p0 - pmin]];
    size_t row = base ? base->row_of[c] : SIZE_MAX;
    double w = row != SIZE_MAX ? weight[row] : 1;
    co->customers += w;
    if (row != SIZE_MAX) {
      co->scored += w;
      co->predicted_total += w * value[row];
      co->p_alive_mean += w * p_alive[row];
    }
    int64_t marked = -1;
    while (j < end) {
      int32_t d = g.ent[j].day;
      j = next_day(g.ent, j, end, &net, &buy);
      /* A refund before the first purchase (of an order placed before the
       * log starts) is booked in the acquisition period, so that the
       * cohort's revenue still adds up to its customers' rows. */
      int64_t age = clv__period_of(o->by, d) - p0;
      if (age < 0)
        age = 0;
      co->cells[age].revenue += net;
      co->revenue += net;
      t->log_revenue += net;
      if (buy && d >= first[c] && age != marked) {
        co->cells[age].active += w;
        marked = age;
      }
    }
  }

  for (size_t i = 0; i < t->n; i++) {
    clv_cohort *c = &t->cohorts[i];
    double cum = 0;
    for (size_t k = 0; k < c->ages; k++) {
      clv_cohort_cell *e = &c->cells[k];
      e->retention = e->active / c->customers;
      e->revenue_per_customer = e->revenue / c->customers;
      cum += e->revenue_per_customer;
      e->cumulative_per_customer = cum;
    }
    if (c->scored > 0) {
      c->predicted_mean = c->predicted_total / c->scored;
      c->p_alive_mean /= c->scored;
    }
    t->customers += c->customers;
    t->revenue += c->revenue;
    t->predicted_total += c->predicted_total;
    compare(t, i);
  }
  rc = CLV_OK;
done:
  grouped_free(&g);
  free(first);
  free(slot);
  if (rc)
    clv_cohorts_free(t);
  else
    *out = t;
  return rc;
}

int clv_cohorts_assign(const clv_orders *orders, const clv_cohorts *t,
                       size_t *cohort_of) {
  size_t n = clv_orders_customers(orders);
  int32_t *first = malloc((n ? n : 1) * sizeof *first);
  if (first == NULL)
    return CLV_ENOMEM;
  int rc = clv__first_purchase_days(orders, t->as_of_day, first);
  for (size_t c = 0; rc == CLV_OK && c < n; c++) {
    cohort_of[c] = SIZE_MAX;
    if (first[c] == INT32_MIN)
      continue;
    int32_t start = clv__period_start(t->by, clv__period_of(t->by, first[c]));
    /* Cohorts are sorted by start day: a binary search finds the one. */
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (t->cohorts[mid].start_day < start)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < t->n && t->cohorts[lo].start_day == start)
      cohort_of[c] = lo;
  }
  free(first);
  return rc;
}
