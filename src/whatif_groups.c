/*
 * whatif_groups.c - every scenario on a scored base, added up per value tier
 * or per value of a column, with the guides' plain formulas per group
 * (clv/whatif.h): average order value x purchases per year x lifespan,
 * monthly value x lifespan in months, and Gupta & Lehmann's (2003) margin x
 * r / (1 + d - r).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv/whatif.h"

#define DAYS_PER_YEAR 365.2425
#define NTIERS 5

void clv_whatif_opts_init(clv_whatif_opts *o) {
  memset(o, 0, sizeof *o);
  o->by = -1;
}

/* Value tiers of the base value: upper bounds of the cumulative customer
 * share, in the style of the segment command's defaults. */
static const double tier_share[NTIERS] = {0.01, 0.05, 0.10, 0.25, 1.0};
static const char *const tier_en[NTIERS] = {"Platinum", "Gold", "Silver",
                                            "Bronze", "Other"};
static const char *const tier_zh[NTIERS] = {"铂金", "黄金", "白银", "青铜",
                                            "其他"};

static const char *why_en =
    "The plain formulas treat every customer of a group as the group's "
    "average: they ignore that customers differ, that active customers keep "
    "dying off, that a few orders say little about a customer, and they "
    "run to an infinite lifespan, while the model predicts each customer "
    "from their own history over the horizon.";
static const char *why_zh = "简单公式把一组客户都当作平均客户：忽略了客户之间的"
                            "差异、活跃客户会逐渐流失、"
                            "少量订单对一个客户说明不了多少，而且按无限寿命计算"
                            "；模型则根据每个客户自己的"
                            "历史在预测期内分别预测。";

static const char *limit_en =
    "The purchase model is at its no-drop-out limit (a limit fit: the log "
    "shows almost no drop-out), so nobody drops out in the model and a "
    "retention change is worth 0 here; what moves value is purchase "
    "frequency (--frequency), order value (--aov) or the margin.";
static const char *limit_zh = "购买模型处于无流失的极限（极限拟合：日志中几乎"
                              "看不到客户流失），模型里没有人流失，所以提高留存"
                              "在这里的价值为 0；能改变价值的是购买频次"
                              "（--frequency）、客单价（--aov）或毛利率。";

/* Fills err (may be NULL) with status rc and a message. */
static void set_err(clv_error *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(clv_error *err, int rc, const char *fmt, ...) {
  if (err == NULL)
    return;
  va_list ap;
  clv_error_clear(err);
  err->status = rc;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* Sums behind the plain formulas of one group. */
typedef struct acc {
  double spend, orders, years; /* summary totals of scored customers */
  double in_a, in_ab;          /* yearly retention window counts */
  double *act, *both, *rev;    /* per calendar month */
} acc;

/* Calendar month index of a day (months since year 0). */
static long month_of(int32_t day) {
  int y, m, d;
  clv_day_to_ymd(day, &y, &m, &d);
  return (long)y * 12 + (m - 1);
}

static void label_copy(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Sorts row indices by base value, highest first (ties by row). */
static const double *sort_val;
static int by_value_desc(const void *a, const void *b) {
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  if (sort_val[i] != sort_val[j])
    return sort_val[i] > sort_val[j] ? -1 : 1;
  return (i > j) - (i < j);
}

/* The plain formulas from a group's sums. */
static void plain_from(const acc *a, long nm, double margin, double d,
                       clv_whatif_plain *p) {
  p->aov = a->orders > 0 ? a->spend / a->orders : NAN;
  p->orders_per_year = a->years > 0 ? a->orders / a->years : NAN;
  p->retention_year = NAN;
  p->lifespan_years = NAN;
  p->value_aov = NAN;
  p->value_retention = NAN;
  if (a->in_a > 0)
    p->retention_year = a->in_ab / a->in_a;
  double r = p->retention_year;
  if (r < 1) {
    p->lifespan_years = 1 / (1 - r);
    p->value_aov = margin * p->aov * p->orders_per_year * p->lifespan_years;
  }
  if (r >= 0 && 1 + d - r > 0)
    p->value_retention = margin * p->aov * p->orders_per_year * r / (1 + d - r);
  double act = 0, act_prev = 0, both = 0, rev = 0;
  for (long m = 0; m < nm; m++) {
    act += a->act[m];
    rev += a->rev[m];
    if (m + 1 < nm) {
      act_prev += a->act[m];
      both += a->both[m];
    }
  }
  p->monthly_value = act > 0 ? rev / act : NAN;
  p->retention_month = act_prev > 0 ? both / act_prev : NAN;
  p->lifespan_months = NAN;
  p->value_monthly = NAN;
  if (p->retention_month < 1) {
    p->lifespan_months = 1 / (1 - p->retention_month);
    p->value_monthly = margin * p->monthly_value * p->lifespan_months;
  }
}

void clv_whatif_free(clv_whatif *w) {
  if (w == NULL)
    return;
  for (size_t g = 0; w->groups && g <= w->ngroups; g++)
    free(w->groups[g].value);
  free(w->groups);
  free(w->scenarios);
  free(w->total);
  free(w->change);
  free(w->change_pct);
  free(w->values);
  free(w->group_of);
  free(w);
}

/* Group of every customer number (SIZE_MAX: never seen up to the as-of
 * day is decided later), the labels, and the number of groups. */
static int assign_groups(const clv_base *b, const clv_whatif_opts *o,
                         size_t *cgroup, clv_whatif *w, clv_error *err) {
  const clv_summary *s = b->run->summary;
  const double *val = b->run->pred->value;
  const double *wt = clv_summary_col(s, CLV_COL_WEIGHT);
  size_t n = clv_summary_rows(s), ng, *idx = NULL;
  uint32_t *keys = NULL;
  int rc = CLV_OK;
  const char *const *tn = o->zh ? tier_zh : tier_en;
  if (o->by < 0) {
    /* Value tiers, then "not scored". */
    ng = NTIERS + 2;
    w->groups = calloc(ng + 1, sizeof *w->groups);
    idx = malloc((n + 1) * sizeof *idx);
    if (w->groups == NULL || idx == NULL) {
      rc = CLV_ENOMEM;
      goto done;
    }
    for (int t = 0; t < NTIERS; t++)
      label_copy(w->groups[t].label, sizeof w->groups[t].label, tn[t]);
    for (size_t i = 0; i < n; i++)
      idx[i] = i;
    sort_val = val;
    qsort(idx, n, sizeof *idx, by_value_desc);
    double tot = clv_summary_customers(s), cum = 0;
    int t = 0;
    for (size_t k = 0; k < n; k++) {
      /* A customer's tier is where the share of customers ranked above it
       * falls, so the top 1 % holds the first 1 % of the base. */
      while (t < NTIERS - 1 && cum >= tier_share[t] * tot)
        t++;
      w->group_of[idx[k]] = (size_t)t;
      cum += wt ? wt[idx[k]] : 1.0;
    }
    for (size_t c = 0; c < b->customers; c++)
      cgroup[c] = b->row_of[c] == SIZE_MAX ? NTIERS : w->group_of[b->row_of[c]];
    label_copy(w->groups[NTIERS].label, sizeof w->groups[NTIERS].label,
               o->zh ? "未评分" : "Not scored");
  } else {
    if (o->by >= CLV_ATTR__COUNT || !clv_orders_has_attr(b->orders, o->by)) {
      rc = CLV_ENOCOLUMN;
      set_err(err, rc, "the order log has no %s column to group by",
              o->by < CLV_ATTR__COUNT ? clv_attr_name(o->by) : "?");
      goto done;
    }
    size_t nk = clv_orders_keys(b->orders, o->by);
    ng = nk + 2; /* the keys, "(none)", the rows without a customer */
    w->groups = calloc(ng + 1, sizeof *w->groups);
    keys = malloc((b->customers + 1) * sizeof *keys);
    if (w->groups == NULL || keys == NULL) {
      rc = CLV_ENOMEM;
      goto done;
    }
    rc = clv_orders_customer_attr(b->orders, o->by, CLV_PICK_FIRST,
                                  b->as_of_day, keys);
    if (rc)
      goto done;
    for (size_t k = 0; k < nk; k++)
      label_copy(w->groups[k].label, sizeof w->groups[k].label,
                 clv_orders_key_text(b->orders, o->by, (uint32_t)k));
    label_copy(w->groups[nk].label, sizeof w->groups[nk].label,
               o->zh ? "(无)" : "(none)");
    for (size_t c = 0; c < b->customers; c++) {
      cgroup[c] = keys[c] == CLV_NO_KEY ? nk : keys[c];
      if (b->row_of[c] != SIZE_MAX)
        w->group_of[b->row_of[c]] = cgroup[c];
    }
  }
  label_copy(w->groups[ng - 1].label, sizeof w->groups[ng - 1].label,
             o->zh ? "(无客户编号)" : "(no customer id)");
  label_copy(w->groups[ng].label, sizeof w->groups[ng].label,
             o->zh ? "合计" : "total");
  w->ngroups = ng;
done:
  free(idx);
  free(keys);
  return rc;
}

/* Adds up the rows: historic revenue per group, unscored customers, the
 * plain formulas' sums (group g and the total, index ngroups). */
static int add_rows(const clv_base *b, const size_t *cgroup, clv_whatif *w,
                    acc *ac, long m0, long nm) {
  const clv_orders *ord = b->orders;
  size_t nr = clv_orders_rows(ord), anon = w->ngroups - 1;
  const uint32_t *cu = clv_orders_customer(ord);
  const int32_t *day = clv_orders_day(ord);
  const double *amt = clv_orders_amount(ord);
  int32_t E = b->as_of_day, first = INT32_MAX;
  /* Per customer: seen up to E, active in window A / B, active months. */
  size_t words = ((size_t)nm + 63) / 64;
  unsigned char *seen = calloc(b->customers + 1, 1);
  uint64_t *mon = calloc(b->customers * words + 1, sizeof *mon);
  if (seen == NULL || mon == NULL) {
    free(seen);
    free(mon);
    return CLV_ENOMEM;
  }
  for (size_t i = 0; i < nr; i++)
    if (day[i] <= E && day[i] < first)
      first = day[i];
  /* Yearly retention windows A = (E-2W, E-W], B = (E-W, E]: W is a year,
   * or half the observed span when the log is shorter than two years; the
   * window rate is then compounded to a year. */
  double span = (double)E - first + 1,
         W = span / 2 < 365 ? floor(span / 2) : 365;
  for (size_t i = 0; i < nr; i++) {
    if (day[i] > E)
      continue;
    uint32_t c = cu[i];
    size_t g = c == CLV_NO_CUSTOMER ? anon : cgroup[c];
    w->groups[g].historic += amt[i];
    if (c == CLV_NO_CUSTOMER)
      continue;
    seen[c] |= 1;
    if (amt[i] > 0) {
      long m = month_of(day[i]) - m0;
      if (m >= 0 && m < nm) {
        mon[c * words + (size_t)m / 64] |= (uint64_t)1 << (m % 64);
        ac[g].rev[m] += amt[i];
        ac[w->ngroups].rev[m] += amt[i];
      }
      if (W >= 1 && day[i] > E - 2 * W && day[i] <= E - W)
        seen[c] |= 2;
      else if (W >= 1 && day[i] > E - W)
        seen[c] |= 4;
    } else if (amt[i] < 0) {
      long m = month_of(day[i]) - m0;
      if (m >= 0 && m < nm) {
        ac[g].rev[m] += amt[i];
        ac[w->ngroups].rev[m] += amt[i];
      }
    }
  }
  for (size_t c = 0; c < b->customers; c++) {
    if (!seen[c])
      continue;
    size_t g = cgroup[c];
    if (b->row_of[c] == SIZE_MAX)
      w->groups[g].unscored += 1;
    for (int k = 0; k < 2; k++) {
      acc *a = &ac[k ? w->ngroups : g];
      if (seen[c] & 2) {
        a->in_a += 1;
        a->in_ab += (seen[c] & 4) ? 1 : 0;
      }
      for (long m = 0; m < nm; m++) {
        uint64_t *row = mon + c * words;
        int on = (row[m / 64] >> (m % 64)) & 1;
        int next = m + 1 < nm && ((row[(m + 1) / 64] >> ((m + 1) % 64)) & 1);
        a->act[m] += on;
        a->both[m] += on && next;
      }
    }
  }
  if (W >= 1) {
    /* Compound the window's rate to a year for every group. */
    for (size_t g = 0; g <= w->ngroups; g++)
      if (ac[g].in_a > 0 && W < 365) {
        double r = ac[g].in_ab / ac[g].in_a;
        ac[g].in_ab = pow(r, DAYS_PER_YEAR / W) * ac[g].in_a;
      }
  }
  free(seen);
  free(mon);
  return CLV_OK;
}

int clv_whatif_compute(const clv_base *b, const clv_whatif_opts *o,
                       clv_whatif **out, clv_error *err) {
  clv_whatif *w = NULL;
  size_t *cgroup = NULL;
  acc *ac = NULL;
  size_t nac = 0;
  int rc = CLV_ENOMEM;
  if (out)
    *out = NULL;
  if (b == NULL || o == NULL || out == NULL || o->nscen == 0 || o->nscen > 64 ||
      o->scenarios == NULL || b->run == NULL || b->run->pred == NULL)
    return CLV_EINVAL;
  const clv_summary *s = b->run->summary;
  const clv_predictions *pr = b->run->pred;
  const double *wt = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *spend = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const double *ords = clv_summary_col(s, CLV_COL_ORDERS);
  const double *T = clv_summary_col(s, CLV_COL_T);
  size_t n = clv_summary_rows(s), S = o->nscen;
  w = calloc(1, sizeof *w);
  if (w == NULL)
    goto fail;
  w->nscen = S;
  w->rows = n;
  w->margin = b->margin;
  w->why_differ = o->zh ? why_zh : why_en;
  /* A limit fit held the drop-out parameters at the edge where nobody drops
   * out (model.c lets only those run off): scaling a drop-out of zero
   * leaves it zero, so retention scenarios are worth 0, which is right
   * for the model but surprises an operator unless it is said. */
  w->no_dropout = clv_model_at_limit(b->run->tx);
  w->limit_note = !w->no_dropout ? "" : o->zh ? limit_zh : limit_en;
  w->scenarios = malloc(S * sizeof *w->scenarios);
  w->total = calloc(S, sizeof *w->total);
  w->change = calloc(S, sizeof *w->change);
  w->change_pct = calloc(S, sizeof *w->change_pct);
  w->values = malloc((n * S + 1) * sizeof *w->values);
  w->group_of = malloc((n + 1) * sizeof *w->group_of);
  cgroup = malloc((b->customers + 1) * sizeof *cgroup);
  if (!w->scenarios || !w->total || !w->change || !w->change_pct ||
      !w->values || !w->group_of || !cgroup)
    goto fail;
  memcpy(w->scenarios, o->scenarios, S * sizeof *w->scenarios);
  /* The yearly discount rate equivalent to the base's rate per period. */
  const clv_value_opts *vo = &pr->value_opts;
  double py =
      vo->discount_period * clv_unit_days(clv_summary_unit(s)) / DAYS_PER_YEAR;
  w->annual_discount_rate = pow(1 + vo->discount_rate, 1 / py) - 1;
  /* Per-customer values, scenario by scenario. */
  double *col = malloc((n + 1) * sizeof *col);
  if (col == NULL)
    goto fail;
  for (size_t k = 0; k < S; k++) {
    rc = clv_whatif_values(b->run->tx, b->run->spend, s, vo, &o->scenarios[k],
                           col);
    if (rc) {
      set_err(err, rc, "scenario %zu cannot be computed with the %s model: %s",
              k + 1, clv_model_family(b->run->tx),
              rc == CLV_EUNSUPPORTED
                  ? "the family has no derivation of that change, or "
                    "there is no spend model for an order-value change"
              : rc == CLV_EDOMAIN
                  ? "a change is out of range (retention must stay "
                    "below +100 %, and for BG/NBD-type models at or "
                    "above 0 %; other factors above -100 %)"
                  : clv_strerror(rc));
      free(col);
      goto fail;
    }
    for (size_t i = 0; i < n; i++)
      w->values[i * S + k] = col[i];
  }
  free(col);
  rc = assign_groups(b, o, cgroup, w, err);
  if (rc)
    goto fail;
  rc = CLV_ENOMEM;
  size_t G = w->ngroups;
  for (size_t g = 0; g <= G; g++) {
    w->groups[g].value = calloc(S, sizeof(double));
    if (w->groups[g].value == NULL)
      goto fail;
  }
  /* Calendar months from the log's first month to the as-of month. */
  long m0 = month_of(clv_orders_first_day(b->orders));
  long nm = month_of(b->as_of_day) - m0 + 1;
  if (nm < 1)
    nm = 1;
  ac = calloc(G + 1, sizeof *ac);
  if (ac == NULL)
    goto fail;
  nac = G + 1;
  for (size_t g = 0; g <= G; g++) {
    ac[g].act = calloc((size_t)nm * 3, sizeof(double));
    if (ac[g].act == NULL)
      goto fail;
    ac[g].both = ac[g].act + nm;
    ac[g].rev = ac[g].act + 2 * nm;
  }
  double dpu = clv_unit_days(clv_summary_unit(s));
  for (size_t i = 0; i < n; i++) {
    double wi = wt ? wt[i] : 1.0;
    size_t g = w->group_of[i];
    for (int k = 0; k < 2; k++) {
      size_t h = k ? G : g;
      clv_whatif_group *gr = &w->groups[h];
      gr->customers += wi;
      gr->base += pr->value[i] * wi;
      for (size_t j = 0; j < S; j++)
        gr->value[j] += w->values[i * S + j] * wi;
      if (spend && ords) {
        /* One day of exposure is added so that a customer first seen on
         * the last day still has some time to have bought in. */
        ac[h].spend += spend[i] * wi;
        ac[h].orders += ords[i] * wi;
        ac[h].years += (T[i] * dpu + 1) / DAYS_PER_YEAR * wi;
      }
    }
  }
  rc = add_rows(b, cgroup, w, ac, m0, nm);
  if (rc)
    goto fail;
  /* The total row's historic revenue and unscored customers are the sums
   * of the groups (which hold every row up to the as-of day). */
  for (size_t g = 0; g < G; g++) {
    w->groups[G].historic += w->groups[g].historic;
    w->groups[G].unscored += w->groups[g].unscored;
  }
  for (size_t g = 0; g <= G; g++) {
    if (g + 1 == G) {
      /* Rows without a customer: no formulas per customer. */
      clv_whatif_plain *p = &w->groups[g].plain;
      p->aov = p->orders_per_year = p->retention_year = NAN;
      p->lifespan_years = p->value_aov = p->monthly_value = NAN;
      p->retention_month = p->lifespan_months = p->value_monthly = NAN;
      p->value_retention = NAN;
      continue;
    }
    plain_from(&ac[g], nm, b->margin, w->annual_discount_rate,
               &w->groups[g].plain);
  }
  w->base_total = w->groups[G].base;
  for (size_t k = 0; k < S; k++) {
    w->total[k] = w->groups[G].value[k];
    w->change[k] = w->total[k] - w->base_total;
    w->change_pct[k] =
        w->base_total != 0 ? 100 * w->change[k] / w->base_total : NAN;
  }
  *out = w;
  w = NULL;
  rc = CLV_OK;
fail:
  for (size_t g = 0; g < nac; g++)
    free(ac[g].act);
  free(ac);
  free(cgroup);
  clv_whatif_free(w);
  return rc;
}
