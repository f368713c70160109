/*
 * trend.c - the CLV trend: the order table scored at several past dates
 * (clv_base_build() with an as-of day), so that each customer's, cohort's
 * and value tier's predicted CLV can be followed over time and labelled
 * rising, falling or stable. The models are those of clv/base.h (BG/NBD,
 * Pareto/NBD, MBG/NBD with Gamma-Gamma); the labelling rule is in
 * docs/cohort.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cohort.h"

void clv_trend_opts_init(clv_trend_opts *o) {
  o->points = 4;
  o->every_months = 3;
  o->by = CLV_COHORT_MONTH;
  o->threshold = 0.10;
  o->same_model = 1;
}

const char *clv_tier_label(int tier, int zh) {
  static const char *const en[] = {"Platinum", "Gold", "Silver", "Bronze",
                                   "Standard"};
  static const char *const cn[] = {"铂金", "黄金", "白银", "青铜", "普通"};
  if (tier < 0 || tier >= CLV_TIER__COUNT)
    return "";
  return zh ? cn[tier] : en[tier];
}

void clv_trend_free(clv_trend *t) {
  if (t == NULL)
    return;
  for (size_t s = 0; s < t->nsegments; s++) {
    free(t->segments[s].customers);
    free(t->segments[s].value_total);
    free(t->segments[s].value_mean);
  }
  free(t->segments);
  free(t->points);
  free(t->value);
  free(t->p_alive);
  free(t->tier);
  free(t->cohort_of);
  free(t->direction);
  free(t->change);
  free(t);
}

/* The direction of a change from `from` to `to`: relative beyond the
 * threshold; from a start at or below zero, any gain is rising. */
static clv_trend_dir direction(double from, double to, double thr,
                               double *change) {
  *change = NAN;
  if (!isfinite(from) || !isfinite(to))
    return CLV_TREND_NA;
  if (!(from > 1e-12)) {
    if (to > from + 1e-12)
      return CLV_TREND_RISING;
    return to < from - 1e-12 ? CLV_TREND_FALLING : CLV_TREND_STABLE;
  }
  *change = to / from - 1;
  return *change > thr    ? CLV_TREND_RISING
         : *change < -thr ? CLV_TREND_FALLING
                          : CLV_TREND_STABLE;
}

/* Copies one scoring into column k of the per-customer arrays. */
static void take_scores(clv_trend *t, size_t k, const clv_base *b) {
  clv_trend_point *p = &t->points[k];
  const double *w = clv_summary_col(b->run->summary, CLV_COL_WEIGHT);
  double sum_pa = 0;
  snprintf(p->model, sizeof p->model, "%s", clv_model_family(b->run->tx));
  for (size_t c = 0; c < t->customers; c++) {
    size_t row = b->row_of[c];
    if (row == SIZE_MAX)
      continue;
    double v = b->run->pred->value[row], pa = b->run->pred->p_alive[row];
    t->value[k * t->customers + c] = v;
    t->p_alive[k * t->customers + c] = pa;
    p->customers += w[row];
    p->value_total += w[row] * v;
    sum_pa += w[row] * pa;
  }
  if (p->customers > 0) {
    p->value_mean = p->value_total / p->customers;
    p->p_alive_mean = sum_pa / p->customers;
  }
}

static int by_value_desc(const void *a, const void *b, const double *v) {
  double x = v[*(const size_t *)a], y = v[*(const size_t *)b];
  if (x != y)
    return x < y ? 1 : -1;
  return (*(const size_t *)a > *(const size_t *)b) -
         (*(const size_t *)a < *(const size_t *)b);
}

/* Sorts customer numbers by decreasing latest value (ties by number): a
 * merge sort, since qsort() has no context argument in C11. */
static void sort_desc(size_t *a, size_t *tmp, size_t n, const double *v) {
  if (n < 2)
    return;
  size_t h = n / 2;
  sort_desc(a, tmp, h, v);
  sort_desc(a + h, tmp, n - h, v);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n)
    tmp[k++] = by_value_desc(&a[j], &a[i], v) < 0 ? a[j++] : a[i++];
  while (i < h)
    tmp[k++] = a[i++];
  while (j < n)
    tmp[k++] = a[j++];
  memcpy(a, tmp, n * sizeof *a);
}

/* Value tiers of the latest scoring by rank: the top 1 %, 5 %, 10 % and
 * 25 % of the scored customers, as the segment command's default tiers. */
static int assign_tiers(clv_trend *t, const double *latest) {
  static const double cut[] = {0.01, 0.05, 0.10, 0.25};
  size_t n = t->customers, m = 0;
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (idx == NULL || tmp == NULL) {
    free(idx);
    free(tmp);
    return CLV_ENOMEM;
  }
  for (size_t c = 0; c < n; c++) {
    t->tier[c] = -1;
    if (!isnan(latest[c]))
      idx[m++] = c;
  }
  sort_desc(idx, tmp, m, latest);
  for (size_t r = 0; r < m; r++) {
    int tier = CLV_TIER_REST;
    for (int k = 0; k < 4; k++)
      if ((double)r < cut[k] * (double)m) {
        tier = k;
        break;
      }
    t->tier[idx[r]] = tier;
  }
  free(idx);
  free(tmp);
  return CLV_OK;
}

/* Per customer: the first date scored and the direction from there to the
 * latest date. */
static void label_customers(clv_trend *t) {
  size_t n = t->customers, last = t->npoints - 1;
  for (size_t c = 0; c < n; c++) {
    t->direction[c] = CLV_TREND_NA;
    t->change[c] = NAN;
    double end = t->value[last * n + c];
    if (isnan(end))
      continue;
    for (size_t k = 0; k < last; k++) {
      double v = t->value[k * n + c];
      if (!isnan(v)) {
        t->direction[c] = direction(v, end, t->threshold, &t->change[c]);
        break;
      }
    }
  }
}

/* Which segment a customer is in: cohort segments first, then tiers. */
static size_t segment_of(const clv_trend *t, size_t ncohorts, size_t c,
                         int tiers) {
  if (tiers)
    return t->tier[c] < 0 ? SIZE_MAX : ncohorts + (size_t)t->tier[c];
  return t->cohort_of[c] == SIZE_MAX ? SIZE_MAX : t->cohort_of[c];
}

/* Fills the segment series and their same-customer change: the mean CLV of
 * the customers scored at both the segment's first scored date and the
 * latest one. */
static void fill_segments(clv_trend *t, size_t ncohorts) {
  size_t n = t->customers, np = t->npoints, last = np - 1;
  for (int tiers = 0; tiers < 2; tiers++)
    for (size_t c = 0; c < n; c++) {
      size_t s = segment_of(t, ncohorts, c, tiers);
      if (s == SIZE_MAX)
        continue;
      for (size_t k = 0; k < np; k++) {
        double v = t->value[k * n + c];
        if (isnan(v))
          continue;
        t->segments[s].customers[k] += 1;
        t->segments[s].value_total[k] += v;
      }
    }
  for (size_t s = 0; s < t->nsegments; s++) {
    clv_trend_segment *g = &t->segments[s];
    size_t first = SIZE_MAX;
    for (size_t k = 0; k < np; k++) {
      if (g->customers[k] > 0) {
        g->value_mean[k] = g->value_total[k] / g->customers[k];
        if (first == SIZE_MAX)
          first = k;
      }
    }
    g->direction = CLV_TREND_NA;
    g->change = NAN;
    if (first == SIZE_MAX || first == last)
      continue;
    double a = 0, b = 0, m = 0;
    for (int tiers = 0; tiers < 2; tiers++)
      for (size_t c = 0; c < n; c++) {
        if (segment_of(t, ncohorts, c, tiers) != s)
          continue;
        double v0 = t->value[first * n + c], v1 = t->value[last * n + c];
        if (isnan(v0) || isnan(v1))
          continue;
        a += v0;
        b += v1;
        m += 1;
      }
    if (m > 0) {
      g->start_mean = a / m;
      g->end_mean = b / m;
      g->direction =
          direction(g->start_mean, g->end_mean, t->threshold, &g->change);
    }
  }
}

/* The company: the same-customer change from the oldest scored date. */
static void label_company(clv_trend *t) {
  size_t n = t->customers, last = t->npoints - 1, first = SIZE_MAX;
  t->direction_all = CLV_TREND_NA;
  t->change_all = NAN;
  for (size_t k = 0; k < last && first == SIZE_MAX; k++)
    if (t->points[k].status == CLV_OK)
      first = k;
  if (first == SIZE_MAX)
    return;
  double a = 0, b = 0;
  for (size_t c = 0; c < n; c++) {
    double v0 = t->value[first * n + c], v1 = t->value[last * n + c];
    if (!isnan(v0) && !isnan(v1)) {
      a += v0;
      b += v1;
    }
  }
  t->direction_all = direction(a, b, t->threshold, &t->change_all);
}

static int make_segments(clv_trend *t, const clv_cohorts *co) {
  t->nsegments = co->n + CLV_TIER__COUNT;
  t->segments = calloc(t->nsegments, sizeof *t->segments);
  if (t->segments == NULL)
    return CLV_ENOMEM;
  for (size_t s = 0; s < t->nsegments; s++) {
    clv_trend_segment *g = &t->segments[s];
    g->customers = calloc(t->npoints, sizeof *g->customers);
    g->value_total = calloc(t->npoints, sizeof *g->value_total);
    g->value_mean = calloc(t->npoints, sizeof *g->value_mean);
    if (!g->customers || !g->value_total || !g->value_mean)
      return CLV_ENOMEM;
    if (s < co->n) {
      snprintf(g->kind, sizeof g->kind, "cohort");
      snprintf(g->name, sizeof g->name, "%s", co->cohorts[s].label);
      g->tier = -1;
    } else {
      snprintf(g->kind, sizeof g->kind, "tier");
      g->tier = (int)(s - co->n);
      snprintf(g->name, sizeof g->name, "%d", g->tier);
    }
  }
  return CLV_OK;
}

int clv_trend_compute(const clv_orders *orders, const clv_base *latest,
                      const clv_base_opts *base_opts, const clv_trend_opts *to,
                      clv_trend **out, clv_error *err) {
  clv_trend_opts tdef;
  clv_base_opts bo;
  clv_base *own = NULL, *b = NULL;
  clv_cohorts *co = NULL;
  clv_trend *t = NULL;
  int rc = CLV_EINVAL;

  *out = NULL;
  if (to == NULL) {
    clv_trend_opts_init(&tdef);
    to = &tdef;
  }
  if (base_opts)
    bo = *base_opts;
  else
    clv_base_opts_init(&bo);
  if (to->points < 1 || to->points > 120 || to->every_months < 1 ||
      to->every_months > 120 || !(to->threshold >= 0) ||
      (latest && latest->orders != orders))
    goto done;
  if (latest == NULL) {
    if ((rc = clv_base_build(orders, &bo, &own, err)) != CLV_OK)
      goto done;
    latest = own;
  }
  rc = CLV_ENOMEM;
  size_t n = clv_orders_customers(orders), np = (size_t)to->points;
  t = calloc(1, sizeof *t);
  if (t == NULL)
    goto done;
  t->orders = orders;
  t->customers = n;
  t->npoints = np;
  t->threshold = to->threshold;
  t->points = calloc(np, sizeof *t->points);
  t->value = malloc((n ? n : 1) * np * sizeof *t->value);
  t->p_alive = malloc((n ? n : 1) * np * sizeof *t->p_alive);
  t->tier = malloc((n ? n : 1) * sizeof *t->tier);
  t->cohort_of = malloc((n ? n : 1) * sizeof *t->cohort_of);
  t->direction = malloc((n ? n : 1) * sizeof *t->direction);
  t->change = malloc((n ? n : 1) * sizeof *t->change);
  if (!t->points || !t->value || !t->p_alive || !t->tier || !t->cohort_of ||
      !t->direction || !t->change)
    goto done;
  for (size_t i = 0; i < n * np; i++)
    t->value[i] = t->p_alive[i] = NAN;

  /* Older dates fit the latest date's model family, so that the trend is
   * the customers' change and not a change of model; a holdout set for the
   * latest date would lie after them, so it is dropped. */
  clv_base_opts old = bo;
  if (to->same_model)
    old.run.model = clv_model_family(latest->run->tx);
  old.run.ingest.holdout_day = INT32_MIN;
  int32_t first_day = clv_orders_first_day(orders);
  for (size_t k = 0; k < np; k++) {
    clv_trend_point *p = &t->points[k];
    p->as_of_day = clv__months_back(latest->as_of_day,
                                    (int)(np - 1 - k) * to->every_months);
    if (k == np - 1) {
      p->status = CLV_OK;
      take_scores(t, k, latest);
      continue;
    }
    if (p->as_of_day < first_day) {
      p->status = CLV_EEMPTY;
      continue;
    }
    old.as_of_day = p->as_of_day;
    /* A date that cannot be scored (too few customers yet, no
     * convergence) is kept with its status: the trend goes on without it. */
    p->status = clv_base_build(orders, &old, &b, NULL);
    if (p->status == CLV_OK)
      take_scores(t, k, b);
    clv_base_free(b);
    b = NULL;
  }

  clv_cohort_opts cop;
  clv_cohort_opts_init(&cop);
  cop.by = to->by;
  cop.as_of_day = latest->as_of_day;
  if ((rc = clv_cohorts_compute(orders, NULL, &cop, &co)) != CLV_OK ||
      (rc = clv_cohorts_assign(orders, co, t->cohort_of)) != CLV_OK ||
      (rc = assign_tiers(t, t->value + (np - 1) * n)) != CLV_OK ||
      (rc = make_segments(t, co)) != CLV_OK)
    goto done;
  label_customers(t);
  fill_segments(t, co->n);
  label_company(t);
  rc = CLV_OK;
done:
  clv_base_free(own);
  clv_cohorts_free(co);
  if (rc) {
    if (err && rc == CLV_EINVAL && err->message[0] == '\0')
      snprintf(err->message, sizeof err->message,
               "bad trend options or a base of another order table");
    clv_trend_free(t);
  } else {
    *out = t;
  }
  return rc;
}
