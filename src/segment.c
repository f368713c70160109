/*
 * segment.c - value tiers from predicted CLV, churn-risk bands from
 * P(alive) or P(no purchase), and the per-group tables of clv segment
 * (customers, orders, historic and predicted value, shares, averages).
 * The RFM groups are in rfm.c and the concentration figures in
 * concentration.c; docs/segment.md gives the rules.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"

static const char *const RISK_EN[CLV_RISK_BANDS] = {"High risk", "Medium risk",
                                                    "Low risk"};
static const char *const RISK_ZH[CLV_RISK_BANDS] = {"高风险", "中风险",
                                                    "低风险"};

const char *clv_risk_label(unsigned g, int zh) {
  if (g >= CLV_RISK_BANDS)
    return NULL;
  return zh ? RISK_ZH[g] : RISK_EN[g];
}

/* Tier names a CRM uses, with the Chinese names of Chinese membership
 * schemes (白金 / 黄金 / 白银 / 青铜 cards, 普通 for the rest). */
static const struct {
  const char *key, *en, *zh;
} TIER_NAMES[] = {
    {"diamond", "Diamond", "钻石"}, {"platinum", "Platinum", "白金"},
    {"gold", "Gold", "黄金"},       {"silver", "Silver", "白银"},
    {"bronze", "Bronze", "青铜"},   {"regular", "Regular", "普通"}};

static int same_name(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
  return *a == *b;
}

/* The label of a tier name: the known translation, else the name itself. */
static void tier_label(const char *name, int zh, char *out, size_t cap) {
  for (size_t i = 0; i < sizeof TIER_NAMES / sizeof TIER_NAMES[0]; i++)
    if (same_name(name, TIER_NAMES[i].key)) {
      snprintf(out, cap, "%s", zh ? TIER_NAMES[i].zh : TIER_NAMES[i].en);
      return;
    }
  snprintf(out, cap, "%s", name);
}

void clv_segment_opts_init(clv_segment_opts *o) {
  static const char *const names[4] = {"platinum", "gold", "silver", "bronze"};
  static const double cuts[4] = {1, 5, 10, 25};
  memset(o, 0, sizeof *o);
  o->tier_mode = CLV_TIER_PERCENT;
  o->tiers = 4;
  for (size_t k = 0; k < 4; k++) {
    o->cut[k] = cuts[k];
    snprintf(o->tier_name[k], sizeof o->tier_name[k], "%s", names[k]);
  }
  o->rfm_median = 0;
  o->risk_by = CLV_RISK_PALIVE;
  o->risk_cut[0] = 0.3;
  o->risk_cut[1] = 0.7;
  o->zh = 0;
  o->lorenz_points = 100;
}

/* Checks that the cuts are finite and ordered for their mode. */
static int cuts_ok(const clv_segment_opts *o) {
  if (o->tiers > CLV_SEG_MAX_TIERS)
    return 0;
  for (size_t k = 0; k < o->tiers; k++) {
    double c = o->cut[k];
    if (!isfinite(c))
      return 0;
    if (o->tier_mode == CLV_TIER_PERCENT &&
        (!(c > 0 && c <= 100) || (k > 0 && !(c > o->cut[k - 1]))))
      return 0;
    if (o->tier_mode == CLV_TIER_MONEY && k > 0 && !(c < o->cut[k - 1]))
      return 0;
  }
  return 1;
}

int clv_segment_parse_tiers(clv_segment_opts *o, const char *spec, int money) {
  clv_segment_opts t = *o;
  t.tier_mode = money ? CLV_TIER_MONEY : CLV_TIER_PERCENT;
  t.tiers = 0;
  const char *p = spec;
  if (!p || !*p)
    return CLV_EINVAL;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *colon = memchr(p, ':', len);
    if (t.tiers == CLV_SEG_MAX_TIERS || len == 0)
      return CLV_EINVAL;
    char num[64];
    const char *np = colon ? colon + 1 : p;
    size_t nlen = len - (size_t)(np - p);
    if (colon) {
      size_t namelen = (size_t)(colon - p);
      if (namelen == 0 || namelen >= sizeof t.tier_name[0])
        return CLV_EINVAL;
      memcpy(t.tier_name[t.tiers], p, namelen);
      t.tier_name[t.tiers][namelen] = '\0';
    } else if (money) {
      snprintf(t.tier_name[t.tiers], sizeof t.tier_name[0], "tier%zu",
               t.tiers + 1);
    } else {
      /* Percent tiers need their names: the percentages say nothing. */
      return CLV_EINVAL;
    }
    if (nlen == 0 || nlen >= sizeof num)
      return CLV_EINVAL;
    memcpy(num, np, nlen);
    num[nlen] = '\0';
    char *stop;
    double v = strtod(num, &stop);
    if (*stop != '\0')
      return CLV_EINVAL;
    t.cut[t.tiers++] = v;
    p = end ? end + 1 : p + len;
    if (end && !*p)
      return CLV_EINVAL;
  }
  if (!cuts_ok(&t))
    return CLV_EINVAL;
  *o = t;
  return CLV_OK;
}

typedef struct wv {
  double v, w;
  size_t i;
} wv;

static int cmp_value_desc(const void *a, const void *b) {
  double x = ((const wv *)a)->v, y = ((const wv *)b)->v;
  return (x < y) - (x > y);
}

/*
 * Percentile tiers: customers sorted by predicted value, best first; a
 * customer goes to the first tier whose cut (top share) exceeds the weight
 * of customers with a strictly higher value. So customers tied at a cut all
 * go to the better tier: a tie is never split, and a tier may hold a little
 * more than its share (docs/segment.md).
 */
static int assign_percent_tiers(clv_segments *s, const double *value,
                                const double *w) {
  size_t n = s->rows;
  wv *a = malloc((n ? n : 1) * sizeof *a);
  if (!a)
    return CLV_ENOMEM;
  double wsum = 0;
  for (size_t i = 0; i < n; i++) {
    a[i].v = value[i];
    a[i].w = w ? w[i] : 1.0;
    a[i].i = i;
    wsum += a[i].w;
  }
  qsort(a, n, sizeof *a, cmp_value_desc);
  double above = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    double gw = 0;
    while (j < n && a[j].v == a[i].v)
      gw += a[j++].w;
    size_t tier = s->opts.tiers;
    for (size_t k = 0; k < s->opts.tiers; k++)
      if (above < s->opts.cut[k] / 100.0 * wsum) {
        tier = k;
        break;
      }
    for (size_t t = i; t < j; t++)
      s->tier_of[a[t].i] = (uint8_t)tier;
    above += gw;
    i = j;
  }
  free(a);
  return CLV_OK;
}

/* Money tiers: the first tier whose threshold the value reaches. */
static void assign_money_tiers(clv_segments *s, const double *value) {
  for (size_t i = 0; i < s->rows; i++) {
    size_t tier = s->opts.tiers;
    for (size_t k = 0; k < s->opts.tiers; k++)
      if (value[i] >= s->opts.cut[k]) {
        tier = k;
        break;
      }
    s->tier_of[i] = (uint8_t)tier;
  }
}

/* Risk bands: the score is P(alive) or P(at least one purchase in the
 * horizon); below risk_cut[0] is high risk, below risk_cut[1] medium. */
static void assign_risk(clv_segments *s, const double *p_alive,
                        const double *prob_none) {
  for (size_t i = 0; i < s->rows; i++) {
    double sc = s->opts.risk_by == CLV_RISK_NOPURCHASE ? 1.0 - prob_none[i]
                                                       : p_alive[i];
    s->risk_of[i] = sc < s->opts.risk_cut[0]   ? 0
                    : sc < s->opts.risk_cut[1] ? 1
                                               : 2;
  }
}

/* Per-customer inputs of a table. */
typedef struct seg_inputs {
  const double *value, *p_alive, *orders, *w;
} seg_inputs;

/* Adds customer figures into groups by `group` and fills the total row and
 * the shares and averages. Labels are filled by the caller. */
static int build_table(clv_seg_table *t, size_t groups, const uint8_t *group,
                       const clv_segments *s, const seg_inputs *in) {
  t->n = groups;
  t->g = calloc(groups, sizeof *t->g);
  if (!t->g)
    return CLV_ENOMEM;
  memset(&t->total, 0, sizeof t->total);
  snprintf(t->total.label, sizeof t->total.label, "%s",
           s->opts.zh ? "合计" : "Total");
  for (size_t i = 0; i < s->rows; i++) {
    clv_seg_group *g = &t->g[group[i]];
    double w = in->w ? in->w[i] : 1.0;
    g->customers += w;
    g->orders += w * (in->orders ? in->orders[i] : s->frequency[i]);
    g->historic += w * s->historic[i];
    g->predicted += w * in->value[i];
    g->p_alive += w * in->p_alive[i];
  }
  for (size_t k = 0; k < groups; k++) {
    t->total.customers += t->g[k].customers;
    t->total.orders += t->g[k].orders;
    t->total.historic += t->g[k].historic;
    t->total.predicted += t->g[k].predicted;
    t->total.p_alive += t->g[k].p_alive;
  }
  for (size_t k = 0; k <= groups; k++) {
    clv_seg_group *g = k < groups ? &t->g[k] : &t->total;
    g->share_customers =
        t->total.customers != 0 ? g->customers / t->total.customers : 0;
    g->share_historic =
        t->total.historic != 0 ? g->historic / t->total.historic : 0;
    g->share_predicted =
        t->total.predicted != 0 ? g->predicted / t->total.predicted : 0;
    g->avg_clv = g->customers > 0 ? g->predicted / g->customers : 0;
    g->avg_p_alive = g->customers > 0 ? g->p_alive / g->customers : 0;
  }
  return CLV_OK;
}

void clv_segments_free(clv_segments *s) {
  if (!s)
    return;
  free(s->tier_of);
  free(s->rfm8_of);
  free(s->rfm11_of);
  free(s->risk_of);
  free(s->r_score);
  free(s->f_score);
  free(s->m_score);
  free(s->recency_days);
  free(s->frequency);
  free(s->monetary);
  free(s->historic);
  free(s->tiers.g);
  free(s->rfm8.g);
  free(s->rfm11.g);
  free(s->risk.g);
  free(s->conc_historic.curve);
  free(s->conc_predicted.curve);
  free(s);
}

static int all_finite(size_t n, const double *x) {
  if (!x)
    return 1;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i]))
      return 0;
  return 1;
}

int clv_segments_compute_arrays(size_t n, const double *value,
                                const double *p_alive, const double *prob_none,
                                const double *recency_days,
                                const double *frequency, const double *historic,
                                const double *orders, const double *weight,
                                const clv_segment_opts *o, clv_segments **out) {
  int rc = CLV_OK;
  clv_segments *s = NULL;
  clv_segment_opts def;
  *out = NULL;
  if (!o) {
    clv_segment_opts_init(&def);
    o = &def;
  }
  if (n == 0 || !value || !p_alive || !recency_days || !frequency ||
      !historic || (o->risk_by == CLV_RISK_NOPURCHASE && !prob_none) ||
      !cuts_ok(o) || o->lorenz_points == 0 || !(o->risk_cut[0] >= 0) ||
      !(o->risk_cut[1] >= o->risk_cut[0]) || !isfinite(o->risk_cut[1]) ||
      !all_finite(n, value) || !all_finite(n, p_alive) ||
      !all_finite(n, prob_none) || !all_finite(n, recency_days) ||
      !all_finite(n, frequency) || !all_finite(n, historic) ||
      !all_finite(n, orders) || !all_finite(n, weight)) {
    rc = CLV_EINVAL;
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    if (!(frequency[i] > 0) || (weight && weight[i] < 0)) {
      rc = CLV_EINVAL;
      goto done;
    }
  s = calloc(1, sizeof *s);
  if (!s) {
    rc = CLV_ENOMEM;
    goto done;
  }
  s->rows = n;
  s->opts = *o;
  s->tier_of = malloc(n);
  s->rfm8_of = malloc(n);
  s->rfm11_of = malloc(n);
  s->risk_of = malloc(n);
  s->r_score = malloc(n);
  s->f_score = malloc(n);
  s->m_score = malloc(n);
  s->recency_days = malloc(n * sizeof(double));
  s->frequency = malloc(n * sizeof(double));
  s->monetary = malloc(n * sizeof(double));
  s->historic = malloc(n * sizeof(double));
  if (!s->tier_of || !s->rfm8_of || !s->rfm11_of || !s->risk_of ||
      !s->r_score || !s->f_score || !s->m_score || !s->recency_days ||
      !s->frequency || !s->monetary || !s->historic) {
    rc = CLV_ENOMEM;
    goto done;
  }
  memcpy(s->recency_days, recency_days, n * sizeof(double));
  memcpy(s->frequency, frequency, n * sizeof(double));
  memcpy(s->historic, historic, n * sizeof(double));
  /* M is the mean spend per purchase period, so that it measures the
   * basket and not F a second time (docs/segment.md). */
  for (size_t i = 0; i < n; i++)
    s->monetary[i] = historic[i] / frequency[i];
  if (o->tier_mode == CLV_TIER_PERCENT)
    rc = assign_percent_tiers(s, value, weight);
  else
    assign_money_tiers(s, value);
  if (rc)
    goto done;
  assign_risk(s, p_alive, prob_none);
  rc = clv__rfm_assign(s, weight, o->rfm_median);
  if (rc)
    goto done;
  seg_inputs in = {value, p_alive, orders, weight};
  if ((rc = build_table(&s->tiers, o->tiers + 1, s->tier_of, s, &in)) ||
      (rc = build_table(&s->rfm8, CLV_RFM8_GROUPS, s->rfm8_of, s, &in)) ||
      (rc = build_table(&s->rfm11, CLV_RFM11_GROUPS, s->rfm11_of, s, &in)) ||
      (rc = build_table(&s->risk, CLV_RISK_BANDS, s->risk_of, s, &in)))
    goto done;
  for (size_t k = 0; k <= o->tiers; k++)
    tier_label(k < o->tiers ? o->tier_name[k] : "regular", o->zh,
               s->tiers.g[k].label, sizeof s->tiers.g[k].label);
  for (unsigned k = 0; k < CLV_RFM8_GROUPS; k++)
    snprintf(s->rfm8.g[k].label, sizeof s->rfm8.g[k].label, "%s",
             clv_rfm8_label(k, o->zh));
  for (unsigned k = 0; k < CLV_RFM11_GROUPS; k++)
    snprintf(s->rfm11.g[k].label, sizeof s->rfm11.g[k].label, "%s",
             clv_rfm11_label(k, o->zh));
  for (unsigned k = 0; k < CLV_RISK_BANDS; k++)
    snprintf(s->risk.g[k].label, sizeof s->risk.g[k].label, "%s",
             clv_risk_label(k, o->zh));
  if ((rc = clv__concentration(n, historic, weight, o->lorenz_points,
                               &s->conc_historic)) ||
      (rc = clv__concentration(n, value, weight, o->lorenz_points,
                               &s->conc_predicted)))
    goto done;
  s->company_customers = s->tiers.total.customers;
  s->company_historic = s->tiers.total.historic;
  s->company_predicted = s->tiers.total.predicted;
  *out = s;
  s = NULL;
done:
  clv_segments_free(s);
  return rc;
}

int clv_segments_compute(const clv_base *b, const clv_segment_opts *o,
                         clv_segments **out) {
  int rc = CLV_OK;
  double *buf = NULL, *cust_hist = NULL;
  *out = NULL;
  const clv_summary *sum = b && b->run ? b->run->summary : NULL;
  const clv_predictions *p = b && b->run ? b->run->pred : NULL;
  if (!sum || !p || p->rows != clv_summary_rows(sum)) {
    rc = CLV_EINVAL;
    goto done;
  }
  size_t n = clv_summary_rows(sum);
  size_t nc = b->customers;
  buf = malloc((4 * n + 1) * sizeof *buf);
  cust_hist = calloc(nc + 1, sizeof *cust_hist);
  if (!buf || !cust_hist) {
    rc = CLV_ENOMEM;
    goto done;
  }
  double *rec = buf, *freq = buf + n, *hist = buf + 2 * n, *ord = buf + 3 * n;
  /* Historic spend from the rows themselves, refunds included, so that the
   * tables add up to the log's totals up to the as-of day. */
  const uint32_t *cu = clv_orders_customer(b->orders);
  const int32_t *day = clv_orders_day(b->orders);
  const double *amt = clv_orders_amount(b->orders);
  double company = 0, anon = 0;
  for (size_t r = 0, rows = clv_orders_rows(b->orders); r < rows; r++) {
    if (day[r] > b->as_of_day)
      continue;
    company += amt[r];
    if (cu[r] == CLV_NO_CUSTOMER)
      anon += amt[r];
    else
      cust_hist[cu[r]] += amt[r];
  }
  const double *x = clv_summary_col(sum, CLV_COL_X);
  const double *last = clv_summary_col(sum, CLV_COL_LAST_DAY);
  const double *tx = clv_summary_col(sum, CLV_COL_TX);
  const double *T = clv_summary_col(sum, CLV_COL_T);
  const double *no = clv_summary_col(sum, CLV_COL_ORDERS);
  double ud = clv_unit_days(clv_summary_unit(sum));
  for (size_t i = 0; i < n; i++) {
    rec[i] = last ? (double)b->as_of_day - last[i] : (T[i] - tx[i]) * ud;
    freq[i] = x[i] + 1;
    hist[i] = cust_hist[b->customer_of[i]];
    ord[i] = no ? no[i] : freq[i];
  }
  const double *w = clv_summary_has(sum, CLV_COL_WEIGHT)
                        ? clv_summary_col(sum, CLV_COL_WEIGHT)
                        : NULL;
  clv_segments *s = NULL;
  rc = clv_segments_compute_arrays(n, p->value, p->p_alive, p->prob_none, rec,
                                   freq, hist, ord, w, o, &s);
  if (rc)
    goto done;
  double unscored = 0, unscored_hist = 0;
  for (size_t c = 0; c < nc; c++)
    if (b->row_of[c] == SIZE_MAX) {
      unscored += 1;
      unscored_hist += cust_hist[c];
    }
  s->unscored_customers = unscored;
  s->unscored_historic = unscored_hist;
  s->anonymous_historic = anon;
  s->company_customers = s->tiers.total.customers + unscored;
  s->company_historic = company;
  s->company_predicted = b->run->value_total;
  *out = s;
done:
  free(buf);
  free(cust_hist);
  return rc;
}
