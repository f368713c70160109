/*
 * segment_by.c - "classify, then predict separately": the customers of a
 * scored base are split by a text column of the order table (channel,
 * store, acquisition channel, ...) or by value tier, and each segment gets
 * its own fit of the pooled purchase family (BG/NBD, Fader, Hardie & Lee
 * 2005, Marketing Science 24(2), or whichever the base chose) and of
 * Gamma-Gamma (Fader, Hardie & Lee 2005, JMR 42(4)), then its own
 * predictions. Segments whose customers differ in their purchase or
 * drop-out rates are then valued by their own parameters instead of the
 * pooled mixture's; the sum over segments is set beside the pooled total.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv/segment.h"

clv_attr_pick clv_segment_by_default_pick(clv_attr a) {
  /* How a customer came (acquisition channel, first product or category)
   * is a property of the first order; where a customer buys (sales channel,
   * store) is best told by most of the orders. */
  switch (a) {
  case CLV_ATTR_CHANNEL:
  case CLV_ATTR_STORE:
    return CLV_PICK_MOST;
  default:
    return CLV_PICK_FIRST;
  }
}

void clv_segment_by_opts_init(clv_segment_by_opts *o) {
  memset(o, 0, sizeof *o);
  o->by_tier = 0;
  o->attr = CLV_ATTR_CHANNEL;
  o->pick = clv_segment_by_default_pick(CLV_ATTR_CHANNEL);
  o->min_customers = 100;
  o->min_repeat_buyers = 20;
  clv_fit_opts_init(&o->fit);
  o->zh = 0;
}

void clv_seg_split_free(clv_seg_split *r) {
  if (r == NULL)
    return;
  free(r->g);
  free(r->group_of);
  free(r->separate_value);
  free(r);
}

/* Copies a label, cut at a UTF-8 character boundary so that a long
 * Chinese store name never ends in half a character. */
static void copy_label(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) {
    n = cap - 1;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Copies a model's parameters and standard errors. */
static int copy_params(const clv_model *m, double *p, double *se) {
  int np = clv_model_nparams(m);
  if (np > CLV_SEG_BY_MAXP)
    np = CLV_SEG_BY_MAXP;
  const double *mp = clv_model_params(m), *ms = clv_model_se(m);
  for (int i = 0; i < np; i++) {
    p[i] = mp[i];
    se[i] = ms ? ms[i] : NAN;
  }
  return np;
}

/* The summary rows of segment g as a table of their own, with the pooled
 * table's unit, columns, ids and days, so that fits and predictions see
 * exactly what the pooled fit saw for these customers. */
static int sub_summary(const clv_summary *s, const uint32_t *group_of,
                       uint32_t g, size_t count, clv_summary **out) {
  unsigned cols = clv_summary_columns(s);
  const double *col[CLV_COL__COUNT];
  for (int c = 0; c < CLV_COL__COUNT; c++)
    col[c] = clv_summary_col(s, (clv_col)c);
  clv_summary *sub = NULL;
  int rc = clv_summary_new(&sub, clv_summary_unit(s), cols, count);
  if (rc)
    goto fail;
  size_t n = clv_summary_rows(s);
  for (size_t i = 0; i < n; i++) {
    if (group_of[i] != g)
      continue;
    clv_summary_row row;
    for (int c = 0; c < CLV_COL__COUNT; c++)
      row.v[c] = col[c] ? col[c][i] : 0;
    size_t len;
    const char *id = clv_summary_id(s, i, &len);
    if ((rc = clv_summary_append(sub, id, len, &row)))
      goto fail;
  }
  clv_summary_set_days(sub, clv_summary_end_day(s), clv_summary_holdout_day(s));
  *out = sub;
  return CLV_OK;
fail:
  clv_summary_free(sub);
  return rc;
}

/* Fits and predicts one segment. Statuses other than CLV_ENOMEM are not
 * errors: they make the segment fall back, with the reason in g. */
static int fit_segment(const clv_base *b, const clv_segment_by_opts *o,
                       const clv_summary *sub, clv_seg_by_group *g,
                       double *value) {
  const clv_run_result *run = b->run;
  clv_model *tx = NULL, *spend = NULL;
  clv_predictions *p = NULL;
  const clv_model *use_spend = run->spend;
  clv_error err;
  int rc = CLV_OK;
  size_t n = clv_summary_rows(sub);
  const double *x = clv_summary_col(sub, CLV_COL_X);
  const double *m = clv_summary_col(sub, CLV_COL_M);
  size_t spend_rows = 0;
  for (size_t i = 0; i < n; i++)
    if (x[i] > 0 && m != NULL && m[i] > 0)
      spend_rows++;

  if (g->customers < (double)o->min_customers) {
    snprintf(g->reason, sizeof g->reason, "%.0f customers (fewer than %zu)",
             g->customers, o->min_customers);
    goto fallback;
  }
  if (g->repeat_buyers < (double)o->min_repeat_buyers) {
    snprintf(g->reason, sizeof g->reason, "%.0f repeat buyers (fewer than %zu)",
             g->repeat_buyers, o->min_repeat_buyers);
    goto fallback;
  }
  clv_error_clear(&err);
  rc = clv_fit(clv_model_family(run->tx), sub, &o->fit, &tx, &err);
  if (rc == CLV_ENOMEM)
    goto done;
  if (rc) {
    snprintf(g->reason, sizeof g->reason, "%s did not fit: %.80s",
             clv_model_family(run->tx),
             err.message[0] ? err.message : clv_strerror(rc));
    goto fallback;
  }
  /* Gamma-Gamma per segment under the pooled run's rule; with too few
   * repeat buyers the pooled spend model values the segment's purchases,
   * since the spread of spend cannot be estimated from a handful. */
  g->spend_pooled = run->spend != NULL;
  if (run->spend != NULL && spend_rows >= o->min_repeat_buyers) {
    clv_error_clear(&err);
    rc = clv_fit("gg", sub, &o->fit, &spend, &err);
    if (rc == CLV_ENOMEM)
      goto done;
    if (rc == CLV_OK) {
      use_spend = spend;
      g->spend_pooled = 0;
    } else {
      snprintf(g->reason, sizeof g->reason,
               "pooled Gamma-Gamma: the segment's did not fit (%.60s)",
               err.message[0] ? err.message : clv_strerror(rc));
    }
  } else if (run->spend != NULL) {
    snprintf(g->reason, sizeof g->reason,
             "pooled Gamma-Gamma: %zu repeat buyers with spend (fewer than "
             "%zu)",
             spend_rows, o->min_repeat_buyers);
  }
  rc = clv_predictions_compute(tx, use_spend, sub, &run->pred->value_opts, &p);
  if (rc && use_spend == spend && spend != NULL && rc != CLV_ENOMEM) {
    /* The segment's own spend model can have an infinite mean (q <= 1);
     * the pooled one still values its purchases. */
    use_spend = run->spend;
    g->spend_pooled = 1;
    snprintf(g->reason, sizeof g->reason,
             "pooled Gamma-Gamma: the segment's gave no finite values");
    rc =
        clv_predictions_compute(tx, use_spend, sub, &run->pred->value_opts, &p);
  }
  if (rc == CLV_ENOMEM)
    goto done;
  if (rc) {
    snprintf(g->reason, sizeof g->reason, "predictions failed: %s",
             clv_strerror(rc));
    goto fallback;
  }
  for (size_t i = 0; i < n; i++)
    value[i] = p->value[i];
  g->tx_np = copy_params(tx, g->tx, g->tx_se);
  if (!g->spend_pooled && spend != NULL)
    g->spend_np = copy_params(spend, g->spend, g->spend_se);
  rc = CLV_OK;
  goto done;
fallback:
  g->fallback = 1;
  g->spend_pooled = 0;
  g->tx_np = g->spend_np = 0;
  rc = CLV_OK;
done:
  clv_predictions_free(p);
  clv_model_free(spend);
  clv_model_free(tx);
  return rc;
}

/* Assigns every summary row a segment: the key of the customer's value of
 * o->attr, or its tier; *groups receives the number of segments and labels
 * are written into the freshly allocated r->g. */
static int assign_groups(const clv_base *b, const clv_segments *s,
                         const clv_segment_by_opts *o, clv_seg_split *r) {
  size_t rows = r->rows;
  uint32_t *key = NULL, *slot = NULL;
  int rc = CLV_OK;
  if (o->by_tier) {
    r->n = s->tiers.n;
    if ((r->g = calloc(r->n ? r->n : 1, sizeof *r->g)) == NULL)
      return CLV_ENOMEM;
    for (size_t k = 0; k < r->n; k++)
      copy_label(r->g[k].label, sizeof r->g[k].label, s->tiers.g[k].label);
    for (size_t i = 0; i < rows; i++)
      r->group_of[i] = s->tier_of[i];
    return CLV_OK;
  }
  size_t customers = b->customers, keys = clv_orders_keys(b->orders, o->attr);
  key = malloc((customers ? customers : 1) * sizeof *key);
  slot = malloc((keys + 1) * sizeof *slot);
  if (key == NULL || slot == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  /* Only rows up to the as-of day tell a customer's value, as for every
   * other figure of a base scored at a past date. */
  if ((rc = clv_orders_customer_attr(b->orders, o->attr, o->pick, b->as_of_day,
                                     key)))
    goto done;
  /* Segments in key order (first appearance in the log), keys no scored
   * customer has left out, and "(none)" (slot keys) last. */
  for (size_t k = 0; k <= keys; k++)
    slot[k] = UINT32_MAX;
  for (size_t i = 0; i < rows; i++) {
    uint32_t k = key[b->customer_of[i]];
    slot[k == CLV_NO_KEY ? keys : k] = 0;
  }
  r->n = 0;
  for (size_t k = 0; k <= keys; k++)
    if (slot[k] == 0)
      slot[k] = (uint32_t)r->n++;
  if ((r->g = calloc(r->n ? r->n : 1, sizeof *r->g)) == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t k = 0; k <= keys; k++) {
    if (slot[k] == UINT32_MAX)
      continue;
    const char *label =
        k < keys ? clv_orders_key_text(b->orders, o->attr, (uint32_t)k)
                 : (o->zh ? "（无）" : "(none)");
    copy_label(r->g[slot[k]].label, sizeof r->g[0].label, label);
  }
  for (size_t i = 0; i < rows; i++) {
    uint32_t k = key[b->customer_of[i]];
    r->group_of[i] = slot[k == CLV_NO_KEY ? keys : k];
  }
done:
  free(key);
  free(slot);
  return rc;
}

int clv_segments_by(const clv_base *b, const clv_segments *s,
                    const clv_segment_by_opts *o, clv_seg_split **out) {
  clv_segment_by_opts defaults;
  clv_seg_split *r = NULL;
  clv_summary *sub = NULL;
  double *value = NULL;
  int rc = CLV_OK;
  if (out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (o == NULL) {
    clv_segment_by_opts_init(&defaults);
    o = &defaults;
  }
  if (b == NULL || s == NULL || b->run == NULL || b->run->pred == NULL ||
      b->run->tx == NULL)
    return CLV_EINVAL;
  const clv_summary *sum = b->run->summary;
  size_t rows = clv_summary_rows(sum);
  if (s->rows != rows || b->run->pred->rows != rows)
    return CLV_EINVAL;
  if (!o->by_tier &&
      (o->attr >= CLV_ATTR__COUNT || !clv_orders_has_attr(b->orders, o->attr)))
    return CLV_EINVAL;

  if ((r = calloc(1, sizeof *r)) == NULL)
    return CLV_ENOMEM;
  r->rows = rows;
  r->zh = o->zh;
  r->pick = o->pick;
  copy_label(r->column, sizeof r->column,
             o->by_tier ? "tier" : clv_attr_name(o->attr));
  copy_label(r->family, sizeof r->family, clv_model_family(b->run->tx));
  r->tx_np = clv_model_nparams(b->run->tx);
  if (r->tx_np > CLV_SEG_BY_MAXP)
    r->tx_np = CLV_SEG_BY_MAXP;
  for (int i = 0; i < r->tx_np; i++)
    copy_label(r->tx_name[i], sizeof r->tx_name[i],
               clv_model_param_name(b->run->tx, i));
  if (b->run->spend != NULL) {
    r->spend_np = clv_model_nparams(b->run->spend);
    if (r->spend_np > CLV_SEG_BY_MAXP)
      r->spend_np = CLV_SEG_BY_MAXP;
    for (int i = 0; i < r->spend_np; i++)
      copy_label(r->spend_name[i], sizeof r->spend_name[i],
                 clv_model_param_name(b->run->spend, i));
  }
  r->group_of = malloc((rows ? rows : 1) * sizeof *r->group_of);
  r->separate_value = malloc((rows ? rows : 1) * sizeof *r->separate_value);
  value = malloc((rows ? rows : 1) * sizeof *value);
  if (r->group_of == NULL || r->separate_value == NULL || value == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  if ((rc = assign_groups(b, s, o, r)))
    goto fail;

  const double *w = clv_summary_col(sum, CLV_COL_WEIGHT);
  const double *x = clv_summary_col(sum, CLV_COL_X);
  const double *pooled = b->run->pred->value;
  size_t *count = calloc(r->n ? r->n : 1, sizeof *count);
  if (count == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  for (size_t i = 0; i < rows; i++) {
    clv_seg_by_group *g = &r->g[r->group_of[i]];
    double wi = w ? w[i] : 1;
    count[r->group_of[i]]++;
    g->customers += wi;
    g->repeat_buyers += x[i] > 0 ? wi : 0;
    g->historic += wi * s->historic[i];
    g->pooled += wi * pooled[i];
  }
  for (size_t k = 0; k < r->n && rc == CLV_OK; k++) {
    clv_seg_by_group *g = &r->g[k];
    if ((rc = sub_summary(sum, r->group_of, (uint32_t)k, count[k], &sub)))
      break;
    if ((rc = fit_segment(b, o, sub, g, value)))
      break;
    /* The segment's rows come back in summary order: walk them again. */
    size_t j = 0;
    for (size_t i = 0; i < rows; i++) {
      if (r->group_of[i] != k)
        continue;
      double v = g->fallback ? pooled[i] : value[j];
      r->separate_value[i] = v;
      g->separate += (w ? w[i] : 1) * v;
      j++;
    }
    g->diff = g->separate - g->pooled;
    g->diff_pct = g->pooled != 0 ? 100 * g->diff / g->pooled : 0;
    r->fallbacks += (size_t)g->fallback;
    clv_summary_free(sub);
    sub = NULL;
  }
  free(count);
  if (rc)
    goto fail;

  clv_seg_by_group *t = &r->total;
  copy_label(t->label, sizeof t->label, o->zh ? "合计" : "Total");
  for (size_t k = 0; k < r->n; k++) {
    t->customers += r->g[k].customers;
    t->repeat_buyers += r->g[k].repeat_buyers;
    t->historic += r->g[k].historic;
    t->pooled += r->g[k].pooled;
    t->separate += r->g[k].separate;
  }
  t->diff = t->separate - t->pooled;
  t->diff_pct = t->pooled != 0 ? 100 * t->diff / t->pooled : 0;
  free(value);
  *out = r;
  return CLV_OK;
fail:
  clv_summary_free(sub);
  free(value);
  clv_seg_split_free(r);
  return rc;
}
