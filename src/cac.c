/*
 * cac.c - acquisition budgets over a scored base (clv/cac.h).
 *
 * The ceilings follow the LTV:CAC rule of thumb of subscription and retail
 * finance (a customer should bring back `target` times what acquiring it
 * cost) and the payback rule (the acquisition cost is recovered by margin
 * within N months). The value of a new customer is the purchase model's
 * E[X(t)] for a new customer plus the first purchase (clv_predictions'
 * new_value); the observed value is the channel's own history plus its
 * customers' predicted CLV. docs/cac.md gives the rules and an example.
 */
#include "clv/cac.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "textout.h"

#define MONTH_DAYS (365.2425 / 12)

const char *clv_cac_verdict_label(clv_cac_verdict v, int zh) {
  static const char *const en[] = {"profitable", "marginal", "loss-making",
                                   "no spend given", "no customers acquired"};
  static const char *const cn[] = {"盈利", "勉强", "亏损", "无投放数据",
                                   "无新增客户"};
  if ((unsigned)v >= CLV_CAC__COUNT)
    v = CLV_CAC_NO_SPEND;
  return zh ? cn[v] : en[v];
}

void clv_cac_opts_init(clv_cac_opts *o) {
  o->target = 3;
  o->payback_months = 12;
  o->marginal_ratio = 1;
  o->by = -1;
  o->min_cohort = 10;
  o->curve_months = 36;
  o->spend = NULL;
  o->n_spend = 0;
}

void clv_cac_spend_free(clv_cac_spend *s) {
  free(s);
}

static void set_err(clv_error *err, const char *file, long line, long col,
                    const char *msg, const char *found, size_t flen) {
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = CLV_EPARSE;
  snprintf(err->file, sizeof err->file, "%s", file);
  err->line = line;
  err->column = col;
  snprintf(err->message, sizeof err->message, "%s, got \"%.*s\"", msg,
           (int)(flen > 60 ? 60 : flen), found);
}

/* Parses a finite non-negative amount of n bytes. */
static int parse_amount(const char *p, size_t n, double *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, p, n);
  buf[n] = 0;
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  if (*end != 0 || errno || !isfinite(v) || v < 0)
    return 0;
  *out = v;
  return 1;
}

/* Appends one entry, growing the array. */
static int push_spend(clv_cac_spend **a, size_t *n, size_t *cap, const char *ch,
                      size_t chlen, int32_t month, double amount) {
  if (*n == *cap) {
    size_t nc = *cap ? 2 * *cap : 16;
    clv_cac_spend *p = realloc(*a, nc * sizeof *p);
    if (p == NULL)
      return CLV_ENOMEM;
    *a = p;
    *cap = nc;
  }
  clv_cac_spend *s = &(*a)[(*n)++];
  memcpy(s->channel, ch, chlen);
  s->channel[chlen] = 0;
  s->month = month;
  s->amount = amount;
  return CLV_OK;
}

int clv_cac_spend_parse(const char *text, clv_cac_spend **out, size_t *n,
                        clv_error *err) {
  clv_cac_spend *a = NULL;
  size_t cnt = 0, cap = 0;
  int rc = CLV_OK;
  const char *p = text;
  *out = NULL;
  *n = 0;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    double v;
    size_t chlen = eq ? (size_t)(eq - p) : 0;
    if (eq == NULL || chlen == 0 || chlen >= sizeof a->channel) {
      set_err(err, "--spend", 1, (long)(p - text) + 1,
              "expected CHANNEL=AMOUNT", p, len);
      rc = CLV_EPARSE;
      goto fail;
    }
    if (!parse_amount(eq + 1, len - chlen - 1, &v)) {
      set_err(err, "--spend", 1, (long)(eq + 1 - text) + 1,
              "expected an amount of money >= 0", eq + 1, len - chlen - 1);
      rc = CLV_EPARSE;
      goto fail;
    }
    if ((rc = push_spend(&a, &cnt, &cap, p, chlen, -1, v)))
      goto fail;
    p += len + (e != NULL);
  }
  if (cnt == 0) {
    set_err(err, "--spend", 1, 1, "expected CHANNEL=AMOUNT,...", text, 0);
    rc = CLV_EPARSE;
    goto fail;
  }
  *out = a;
  *n = cnt;
  a = NULL;
fail:
  free(a);
  return rc;
}

/* Parses "YYYY-MM" into year * 12 + month - 1. */
static int parse_month(const char *p, size_t n, int32_t *out) {
  if (n != 7 || p[4] != '-')
    return 0;
  int y = 0, m = 0;
  for (int i = 0; i < 7; i++) {
    if (i == 4)
      continue;
    if (p[i] < '0' || p[i] > '9')
      return 0;
    if (i < 4)
      y = y * 10 + (p[i] - '0');
    else
      m = m * 10 + (p[i] - '0');
  }
  if (m < 1 || m > 12)
    return 0;
  *out = y * 12 + m - 1;
  return 1;
}

/* One line of the spend CSV into the array; 1 when the line is a header. */
static int spend_line(const char *path, long line, char *s, clv_cac_spend **a,
                      size_t *cnt, size_t *cap, clv_error *err) {
  size_t len = strcspn(s, "\r\n");
  s[len] = 0;
  char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
  if (c2 == NULL || strchr(c2 + 1, ',') != NULL) {
    set_err(err, path, line, 1, "expected 3 fields channel,month,spend", s,
            len);
    return -CLV_EPARSE;
  }
  size_t chlen = (size_t)(c1 - s), mlen = (size_t)(c2 - c1 - 1);
  size_t alen = strlen(c2 + 1);
  double v;
  int32_t month;
  if (!parse_amount(c2 + 1, alen, &v)) {
    if (line == 1)
      return 1;
    set_err(err, path, line, (long)(c2 + 1 - s) + 1,
            "expected an amount of money >= 0", c2 + 1, alen);
    return -CLV_EPARSE;
  }
  if (chlen == 0 || chlen >= sizeof(*a)->channel) {
    set_err(err, path, line, 1, "expected a channel name (1-127 bytes)", s,
            chlen);
    return -CLV_EPARSE;
  }
  if (!parse_month(c1 + 1, mlen, &month)) {
    set_err(err, path, line, (long)(c1 + 1 - s) + 1, "expected a month YYYY-MM",
            c1 + 1, mlen);
    return -CLV_EPARSE;
  }
  int rc = push_spend(a, cnt, cap, s, chlen, month, v);
  return rc ? -rc : 0;
}

int clv_cac_spend_read_csv(const char *path, clv_cac_spend **out, size_t *n,
                           clv_error *err) {
  clv_cac_spend *a = NULL;
  size_t cnt = 0, cap = 0;
  char buf[1024];
  long line = 0;
  int rc = CLV_OK;
  *out = NULL;
  *n = 0;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    if (err) {
      clv_error_clear(err);
      err->status = CLV_EIO;
      snprintf(err->file, sizeof err->file, "%s", path);
      snprintf(err->message, sizeof err->message, "cannot open: %s",
               strerror(errno));
    }
    return CLV_EIO;
  }
  while (fgets(buf, sizeof buf, f)) {
    line++;
    if (buf[strspn(buf, " \t\r\n")] == 0)
      continue;
    int r = spend_line(path, line, buf, &a, &cnt, &cap, err);
    if (r < 0) {
      rc = -r;
      goto fail;
    }
  }
  if (ferror(f)) {
    rc = CLV_EIO;
    goto fail;
  }
  if (cnt == 0) {
    rc = CLV_EEMPTY;
    goto fail;
  }
  *out = a;
  *n = cnt;
  a = NULL;
fail:
  fclose(f);
  free(a);
  return rc;
}

/* ---- computation ------------------------------------------------------- */

void clv_cac_free(clv_cac *c) {
  if (c == NULL)
    return;
  for (size_t i = 0; i <= c->n; i++) {
    clv_cac_group *g = i < c->n ? &c->g[i] : &c->total;
    if (g != &c->total && c->g == NULL)
      continue;
    free((char *)g->name);
    free(g->curve);
    free(g->curve_n);
  }
  free(c->g);
  free(c);
}

const char *clv_cac_grouping_name(const clv_cac *c) {
  return c->attr < 0 ? "all" : clv_attr_name((clv_attr)c->attr);
}

/* Per-group sums while scanning; index n is the total. */
typedef struct acc {
  double customers, revenue, clv, purchases;
  /* m_margin[m]: margin earned in month m since acquisition (m = 1..M) by
   * the customers observed for at least m whole months; d_count: the
   * difference array of how many customers those are (over 0..M+1). */
  double *m_margin, *d_count;
} acc;

/* Chooses the column to group by (clv/cac.h). */
static int choose_attr(const clv_orders *o, int by, clv_cac *c) {
  if (by >= 0) {
    if (by >= CLV_ATTR__COUNT || !clv_orders_has_attr(o, (clv_attr)by))
      return CLV_EINVAL;
    c->grouping =
        by == CLV_ATTR_ACQ_CHANNEL ? CLV_CAC_BY_ACQ_CHANNEL : CLV_CAC_BY_COLUMN;
    c->attr = by;
  } else if (clv_orders_has_attr(o, CLV_ATTR_ACQ_CHANNEL)) {
    c->grouping = CLV_CAC_BY_ACQ_CHANNEL;
    c->attr = CLV_ATTR_ACQ_CHANNEL;
  } else if (clv_orders_has_attr(o, CLV_ATTR_CHANNEL)) {
    c->grouping = CLV_CAC_BY_FIRST_CHANNEL;
    c->attr = CLV_ATTR_CHANNEL;
  } else if (clv_orders_has_attr(o, CLV_ATTR_STORE)) {
    c->grouping = CLV_CAC_BY_STORE;
    c->attr = CLV_ATTR_STORE;
  } else {
    c->grouping = CLV_CAC_BY_ALL;
    c->attr = -1;
  }
  return CLV_OK;
}

static char *dup_text(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

/* Index of the group named `name` among the first n, or n. */
static size_t find_group(const clv_cac *c, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(c->g[i].name, name) == 0)
      return i;
  return n;
}

/* Month index (year * 12 + month - 1) of a day. */
static int32_t month_of(int32_t day) {
  int y, m;
  clv_day_to_ymd(day, &y, &m, NULL);
  return y * 12 + m - 1;
}

/* Full months customer data covers from `first` to `as_of` inclusive,
 * capped at M. */
static int full_months(int32_t first, int32_t as_of, int M) {
  double m = floor((as_of - (double)first + 1) / MONTH_DAYS);
  return m < 0 ? 0 : m > M ? M : (int)m;
}

/*
 * Cumulative margin curve of one group, built month by month as a life
 * table: curve(m) = curve(m - 1) + (margin earned in month m by the
 * customers observed for at least m whole months) / (how many they are).
 * Each month's step is taken from the customers who could have bought in
 * it, so the curve does not jump when the older cohorts run out (the mean
 * over "the customers observed m months" changes its customers every
 * month and so jumps with the cohorts' mix). Where fewer than min_cohort
 * customers were observed, the step is the model's: margin x spend per
 * purchase x (E[X(m)] - E[X(m - 1)]) for a new customer (month 1 also
 * carries the first purchase). Spend per purchase is revenue over the
 * purchase periods the model counts (x + 1), not over order rows: a
 * basket of several rows is one purchase of the model, and dividing by
 * rows undercounted a month's model value by the rows per basket (the
 * 37 % drop at month 18 of the simulated retail log). The curve is not
 * discounted: payback is counted in undiscounted margin.
 */
static int make_curve(const clv_base *b, const clv_cac_opts *o,
                      clv_cac_group *g, const acc *a, int M) {
  double unit_days = clv_unit_days(clv_summary_unit(b->run->summary));
  double spend = a->purchases > 0 ? a->revenue / a->purchases : NAN;
  double sc = 0, cum = 0, e_prev = 0;
  int have_prev = 0;
  g->curve = malloc((size_t)M * sizeof *g->curve);
  g->curve_n = malloc((size_t)M * sizeof *g->curve_n);
  if (g->curve == NULL || g->curve_n == NULL)
    return CLV_ENOMEM;
  for (int m = 1; m <= M; m++) {
    sc += a->d_count[m];
    if (sc >= o->min_cohort && sc > 0) {
      cum += a->m_margin[m] / sc;
      g->curve[m - 1] = cum;
      g->curve_n[m - 1] = sc;
      continue;
    }
    /* The model: the expected purchases of a new customer in month m
     * (E[X(m months)] - E[X(m - 1 months)], plus the first purchase in
     * month 1) at the group's spend per purchase. */
    double e = NAN;
    g->curve_n[m - 1] = 0;
    if (unit_days > 0 && isfinite(spend) && isfinite(cum)) {
      int rc = clv_expected_purchases_new(b->run->tx,
                                          m * MONTH_DAYS / unit_days, &e);
      /* The first modelled month after observed ones needs E[X(m - 1)]. */
      if (rc == CLV_OK && !have_prev && m > 1)
        rc = clv_expected_purchases_new(
            b->run->tx, (m - 1) * MONTH_DAYS / unit_days, &e_prev);
      if (rc)
        return rc;
    }
    if (isfinite(e) && isfinite(e_prev)) {
      cum += b->margin * spend * (e - e_prev + (m == 1));
      e_prev = e;
      have_prev = 1;
    } else {
      cum = NAN;
    }
    g->curve[m - 1] = cum;
  }
  return CLV_OK;
}

/* Fills the per-customer figures of a group from its sums. */
static void finish_group(const clv_base *b, const clv_cac_opts *o,
                         clv_cac_group *g, const acc *a) {
  double n = a->customers;
  g->customers = n;
  g->historic_revenue = a->revenue;
  g->historic_margin = n > 0 ? b->margin * a->revenue / n : NAN;
  /* Without a spend model the predictions count purchases, not money:
   * the observed value is then the historic margin alone. */
  int money = b->run->spend != NULL;
  g->clv = n > 0 && money ? a->clv / n : NAN;
  g->observed_ltv = g->historic_margin + (money ? g->clv : 0);
  g->new_value = money ? b->run->pred->new_value : NAN;
  g->max_cac_target = g->observed_ltv / o->target;
  g->max_cac_model = g->new_value / o->target;
  g->max_cac_payback = g->curve[o->payback_months - 1];
  g->payback_from_model = g->curve_n[o->payback_months - 1] == 0;
  g->spend = g->acquired = g->cac = g->ltv_cac = g->payback = NAN;
  g->verdict = CLV_CAC_NO_SPEND;
}

/* Applies the spend to a group: CAC, LTV:CAC, payback and the verdict. */
static void judge(const clv_cac_opts *o, clv_cac_group *g, int M) {
  if (isnan(g->spend))
    return;
  if (!(g->acquired > 0)) {
    g->verdict = CLV_CAC_NO_CUSTOMERS;
    return;
  }
  g->cac = g->spend / g->acquired;
  g->ltv_cac = g->cac > 0 ? g->observed_ltv / g->cac : NAN;
  g->payback = NAN;
  for (int m = 1; m <= M; m++)
    if (g->curve[m - 1] >= g->cac) {
      g->payback = m;
      break;
    }
  if (g->cac == 0 || g->ltv_cac >= o->target)
    g->verdict = CLV_CAC_PROFITABLE;
  else if (g->ltv_cac >= o->marginal_ratio)
    g->verdict = CLV_CAC_MARGINAL;
  else
    g->verdict = CLV_CAC_LOSS;
}

static int cmp_month(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

/* Customers of group gi acquired in the months of its monthly spend (all
 * its customers when any of its spend covers the whole log). */
static int acquired_in(const clv_base *b, const clv_cac_opts *o, clv_cac *c,
                       const size_t *gof, size_t gi, int32_t *months) {
  size_t nm = 0;
  int whole = 0;
  for (size_t k = 0; k < o->n_spend; k++)
    if (strcmp(o->spend[k].channel, c->g[gi].name) == 0) {
      if (o->spend[k].month < 0)
        whole = 1;
      else
        months[nm++] = o->spend[k].month;
    }
  if (whole) {
    c->g[gi].acquired = c->g[gi].customers;
    return CLV_OK;
  }
  qsort(months, nm, sizeof *months, cmp_month);
  const clv_summary *s = b->run->summary;
  const double *first = clv_summary_col(s, CLV_COL_FIRST_DAY);
  const double *wt = clv_summary_col(s, CLV_COL_WEIGHT);
  double n = 0;
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    if (gof[i] != gi)
      continue;
    int32_t mo = month_of((int32_t)first[i]);
    if (bsearch(&mo, months, nm, sizeof *months, cmp_month))
      n += wt ? wt[i] : 1;
  }
  c->g[gi].acquired = n;
  return CLV_OK;
}

/* Spend per group; spend channels without customers become groups of
 * their own (0 customers). */
static int apply_spend(const clv_base *b, const clv_cac_opts *o, clv_cac *c,
                       const size_t *gof, int M) {
  int32_t *months = NULL;
  int rc = CLV_OK;
  size_t ng = c->n;
  if (o->n_spend == 0)
    return CLV_OK;
  months = malloc(o->n_spend * sizeof *months);
  if (months == NULL)
    return CLV_ENOMEM;
  for (size_t k = 0; k < o->n_spend; k++) {
    size_t gi = find_group(c, c->n, o->spend[k].channel);
    if (gi == c->n) {
      clv_cac_group *g = &c->g[c->n++];
      memset(g, 0, sizeof *g);
      g->name = dup_text(o->spend[k].channel);
      g->curve = calloc((size_t)M, sizeof *g->curve);
      g->curve_n = calloc((size_t)M, sizeof *g->curve_n);
      if (g->name == NULL || g->curve == NULL || g->curve_n == NULL) {
        rc = CLV_ENOMEM;
        goto done;
      }
      g->historic_margin = g->clv = g->observed_ltv = NAN;
      g->max_cac_target = g->max_cac_payback = NAN;
      g->new_value = b->run->spend ? b->run->pred->new_value : NAN;
      g->max_cac_model = g->new_value / o->target;
      g->payback_from_model = 1;
      for (int m = 0; m < M; m++)
        g->curve[m] = NAN;
      g->cac = g->ltv_cac = g->payback = NAN;
      g->acquired = 0;
      g->spend = 0;
      c->spend_unmatched++;
    }
    clv_cac_group *g = &c->g[gi];
    g->spend =
        isnan(g->spend) ? o->spend[k].amount : g->spend + o->spend[k].amount;
  }
  c->total.spend = c->total.acquired = 0;
  for (size_t gi = 0; gi < c->n; gi++) {
    clv_cac_group *g = &c->g[gi];
    if (gi < ng && !isnan(g->spend) &&
        (rc = acquired_in(b, o, c, gof, gi, months)))
      goto done;
    if (isnan(g->spend)) {
      if (g->customers > 0)
        c->unspent++;
      continue;
    }
    judge(o, g, M);
    c->total.spend += g->spend;
    c->total.acquired += g->acquired;
  }
  judge(o, &c->total, M);
done:
  free(months);
  return rc;
}

/* Groups of the customers: gof[row] = group index; creates the groups. */
static int make_groups(const clv_base *b, clv_cac *c, size_t *gof,
                       size_t extra) {
  const clv_orders *o = b->orders;
  size_t rows = clv_summary_rows(b->run->summary);
  size_t nkeys = c->attr >= 0 ? clv_orders_keys(o, (clv_attr)c->attr) : 0;
  uint32_t *key = NULL;
  size_t *gi_of_key = malloc((nkeys + 1) * sizeof *gi_of_key);
  int rc = CLV_OK;
  if (gi_of_key == NULL)
    return CLV_ENOMEM;
  for (size_t k = 0; k <= nkeys; k++)
    gi_of_key[k] = SIZE_MAX;
  if (c->attr >= 0) {
    key = malloc((b->customers ? b->customers : 1) * sizeof *key);
    if (key == NULL) {
      rc = CLV_ENOMEM;
      goto done;
    }
    rc = clv_orders_customer_attr(o, (clv_attr)c->attr, CLV_PICK_FIRST,
                                  b->as_of_day, key);
    if (rc)
      goto done;
  }
  c->g = calloc(nkeys + 1 + extra, sizeof *c->g);
  if (c->g == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < rows; i++) {
    uint32_t k = key ? key[b->customer_of[i]] : CLV_NO_KEY;
    size_t slot = k == CLV_NO_KEY || k >= nkeys ? nkeys : k;
    if (gi_of_key[slot] == SIZE_MAX) {
      const char *name =
          c->attr < 0 ? "all"
          : slot == nkeys
              ? "(none)"
              : clv_orders_key_text(o, (clv_attr)c->attr, (uint32_t)slot);
      gi_of_key[slot] = c->n;
      c->g[c->n].name = dup_text(name);
      if (c->g[c->n++].name == NULL) {
        rc = CLV_ENOMEM;
        goto done;
      }
    }
    gof[i] = gi_of_key[slot];
  }
done:
  free(key);
  free(gi_of_key);
  return rc;
}

/* Sums per group (and the total at index n) of customers, revenue, CLV,
 * purchases, and the monthly margin and customer-count arrays of the
 * curve. */
static void accumulate(const clv_base *b, const size_t *gof, acc *a, size_t n,
                       int M) {
  const clv_summary *s = b->run->summary;
  const double *wt = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *rev = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *first = clv_summary_col(s, CLV_COL_FIRST_DAY);
  const double *val = b->run->pred->value;
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    double w = wt ? wt[i] : 1;
    int S = full_months((int32_t)first[i], b->as_of_day, M);
    size_t gs[2] = {gof[i], n};
    for (int j = 0; j < 2; j++) {
      acc *p = &a[gs[j]];
      p->customers += w;
      p->revenue += rev ? w * rev[i] : 0;
      p->clv += isfinite(val[i]) ? w * val[i] : 0;
      /* Purchase periods, as the model counts them (not order rows). */
      p->purchases += w * (x[i] + 1);
      if (S >= 1) {
        p->d_count[1] += w;
        p->d_count[S + 1] -= w;
      }
    }
  }
  /* Each row's margin goes to month k + 1 of its customer (k = whole
   * months since acquisition) when the customer was observed that long. */
  const clv_orders *o = b->orders;
  const uint32_t *cu = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  const double *amt = clv_orders_amount(o);
  for (size_t r = 0; r < clv_orders_rows(o); r++) {
    if (cu[r] >= b->customers || day[r] > b->as_of_day)
      continue;
    size_t i = b->row_of[cu[r]];
    if (i == SIZE_MAX)
      continue;
    double w = wt ? wt[i] : 1;
    int S = full_months((int32_t)first[i], b->as_of_day, M);
    double k = floor((day[r] - first[i]) / MONTH_DAYS);
    if (k < 0)
      k = 0;
    if (k + 1 > S)
      continue;
    double v = w * b->margin * amt[r];
    size_t gs[2] = {gof[i], n};
    for (int j = 0; j < 2; j++) {
      a[gs[j]].m_margin[(int)k + 1] += v;
    }
  }
}

static int cmp_group(const void *x, const void *y) {
  const clv_cac_group *a = x, *b = y;
  if (a->customers != b->customers)
    return a->customers < b->customers ? 1 : -1;
  return strcmp(a->name, b->name);
}

int clv_cac_compute(const clv_base *b, const clv_cac_opts *o, clv_cac **out) {
  clv_cac_opts def;
  clv_cac *c = NULL;
  size_t *gof = NULL;
  acc *a = NULL;
  double *pool = NULL;
  int rc = CLV_OK;
  *out = NULL;
  if (o == NULL) {
    clv_cac_opts_init(&def);
    o = &def;
  }
  int M = o->curve_months;
  if (!(o->target > 0) || !(o->marginal_ratio >= 0) || M < 1 || M > 1200 ||
      o->payback_months < 1 || o->payback_months > M)
    return CLV_EINVAL;
  size_t rows = clv_summary_rows(b->run->summary);
  if (rows == 0)
    return CLV_EEMPTY;
  c = calloc(1, sizeof *c);
  gof = malloc(rows * sizeof *gof);
  if (c == NULL || gof == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  c->target = o->target;
  c->marginal_ratio = o->marginal_ratio;
  c->payback_months = o->payback_months;
  c->curve_months = M;
  c->margin = b->margin;
  if ((rc = choose_attr(b->orders, o->by, c)) ||
      (rc = make_groups(b, c, gof, o->n_spend)))
    goto fail;
  a = calloc(c->n + 1, sizeof *a);
  pool = calloc(2 * (c->n + 1) * (size_t)(M + 2), sizeof *pool);
  if (a == NULL || pool == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  for (size_t g = 0; g <= c->n; g++) {
    a[g].m_margin = pool + 2 * g * (size_t)(M + 2);
    a[g].d_count = a[g].m_margin + M + 2;
  }
  accumulate(b, gof, a, c->n, M);
  for (size_t g = 0; g <= c->n; g++) {
    clv_cac_group *grp = g < c->n ? &c->g[g] : &c->total;
    if ((rc = make_curve(b, o, grp, &a[g], M)))
      goto fail;
    finish_group(b, o, grp, &a[g]);
  }
  c->total.name = dup_text("total");
  if (c->total.name == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  if ((rc = apply_spend(b, o, c, gof, M)))
    goto fail;
  qsort(c->g, c->n, sizeof *c->g, cmp_group);
  snprintf(c->notes, sizeof c->notes,
           "grouped by %s; %zu spend channel(s) without customers, %zu "
           "group(s) with customers but no spend%s",
           clv_cac_grouping_name(c), c->spend_unmatched,
           o->n_spend ? c->unspent : 0,
           b->run->spend ? ""
                         : "; no spend model: values are historic margin "
                           "only, no new-customer value");
  *out = c;
  c = NULL;
fail:
  clv_cac_free(c);
  free(gof);
  free(a);
  free(pool);
  return rc;
}

/* ---- writers ----------------------------------------------------------- */

static void csv_row(FILE *f, const clv_cac_group *g, int zh) {
  const double v[] = {g->customers,       g->historic_revenue,
                      g->historic_margin, g->clv,
                      g->observed_ltv,    g->new_value,
                      g->max_cac_target,  g->max_cac_model,
                      g->max_cac_payback, g->spend,
                      g->acquired,        g->cac,
                      g->ltv_cac,         g->payback};
  clv__put_csv_field(f, g->name, strlen(g->name));
  for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
    fputc(',', f);
    clv__fput_num(f, v[k]);
  }
  fprintf(f, ",%s,", g->payback_from_model ? "model" : "observed");
  const char *vl = clv_cac_verdict_label(g->verdict, zh);
  clv__put_csv_field(f, vl, strlen(vl));
  fputc('\n', f);
}

int clv_cac_write_csv(const clv_cac *c, FILE *f, int zh) {
  fputs("group,customers,historic_revenue,historic_margin_per_customer,"
        "clv_per_customer,observed_ltv,new_customer_value,max_cac_target,"
        "max_cac_model,max_cac_payback,spend,acquired,cac,ltv_cac,"
        "payback_months,payback_source,verdict\n",
        f);
  for (size_t i = 0; i < c->n; i++)
    csv_row(f, &c->g[i], zh);
  csv_row(f, &c->total, zh);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_cac_write_curve_csv(const clv_cac *c, FILE *f) {
  fputs("group,month,customers_observed,cumulative_margin,source\n", f);
  for (size_t i = 0; i <= c->n; i++) {
    const clv_cac_group *g = i < c->n ? &c->g[i] : &c->total;
    for (int m = 1; m <= c->curve_months; m++) {
      if (!isfinite(g->curve[m - 1]))
        continue;
      clv__put_csv_field(f, g->name, strlen(g->name));
      fprintf(f, ",%d,", m);
      clv__fput_num(f, g->curve_n[m - 1]);
      fputc(',', f);
      clv__fput_num(f, g->curve[m - 1]);
      fprintf(f, ",%s\n", g->curve_n[m - 1] > 0 ? "observed" : "model");
    }
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static void json_group(FILE *f, const clv_cac *c, const clv_cac_group *g) {
  static const char *const keys[] = {"customers",
                                     "historic_revenue",
                                     "historic_margin_per_customer",
                                     "clv_per_customer",
                                     "observed_ltv",
                                     "new_customer_value",
                                     "max_cac_target",
                                     "max_cac_model",
                                     "max_cac_payback",
                                     "spend",
                                     "acquired",
                                     "cac",
                                     "ltv_cac",
                                     "payback_months"};
  const double v[] = {g->customers,       g->historic_revenue,
                      g->historic_margin, g->clv,
                      g->observed_ltv,    g->new_value,
                      g->max_cac_target,  g->max_cac_model,
                      g->max_cac_payback, g->spend,
                      g->acquired,        g->cac,
                      g->ltv_cac,         g->payback};
  fputs("{\"group\":", f);
  clv__put_json_string(f, g->name, strlen(g->name));
  for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
    fprintf(f, ",\"%s\":", keys[k]);
    clv__fput_json_num(f, v[k]);
  }
  fprintf(f, ",\"verdict\":\"%s\",\"verdict_zh\":\"%s\",\"curve\":[",
          clv_cac_verdict_label(g->verdict, 0),
          clv_cac_verdict_label(g->verdict, 1));
  for (int m = 0; m < c->payback_months; m++) {
    if (m)
      fputc(',', f);
    clv__fput_json_num(f, g->curve[m]);
  }
  fputs("]}", f);
}

int clv_cac_write_json(const clv_cac *c, FILE *f) {
  fputs("{\"grouped_by\":", f);
  const char *gn = clv_cac_grouping_name(c);
  clv__put_json_string(f, gn, strlen(gn));
  fputs(",\"target\":", f);
  clv__fput_json_num(f, c->target);
  fprintf(f, ",\"payback_months\":%d,\"margin\":", c->payback_months);
  clv__fput_json_num(f, c->margin);
  fputs(",\"groups\":[", f);
  for (size_t i = 0; i < c->n; i++) {
    if (i)
      fputc(',', f);
    json_group(f, c, &c->g[i]);
  }
  fputs("],\"total\":", f);
  json_group(f, c, &c->total);
  fputs(",\"notes\":", f);
  clv__put_json_string(f, c->notes, strlen(c->notes));
  fputs("}\n", f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}
