/*
 * segment_io.c - writers of clv segment's results: one CSV per table, the
 * Pareto curve, the JSON aggregates for the report, aligned text for the
 * terminal and the per-customer action list for a CRM.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clv/time.h"
#include "segment.h"
#include "textout.h"

static void put_group_csv(FILE *f, const char *scheme, const clv_seg_group *g) {
  clv__put_csv_field(f, scheme, strlen(scheme));
  fputc(',', f);
  clv__put_csv_field(f, g->label, strlen(g->label));
  const double v[] = {g->customers,       g->share_customers, g->orders,
                      g->historic,        g->share_historic,  g->predicted,
                      g->share_predicted, g->avg_clv,         g->avg_p_alive};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    fputc(',', f);
    clv__fput_num(f, v[k]);
  }
  fputc('\n', f);
}

int clv_seg_table_write_csv(const clv_seg_table *t, const char *scheme,
                            int header, FILE *f) {
  if (header)
    fputs("scheme,group,customers,share_customers,orders,historic,"
          "share_historic,predicted,share_predicted,avg_clv,avg_p_alive\n",
          f);
  for (size_t k = 0; k < t->n; k++)
    put_group_csv(f, scheme, &t->g[k]);
  put_group_csv(f, scheme, &t->total);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_segments_write_concentration_csv(const clv_segments *s, FILE *f) {
  const clv_concentration *h = &s->conc_historic, *p = &s->conc_predicted;
  fputs("share_customers,share_historic,share_predicted\n", f);
  for (size_t k = 0; k < h->points; k++) {
    clv__fput_num(f, (double)k / (double)(h->points - 1));
    fputc(',', f);
    clv__fput_num(f, h->curve[k]);
    fputc(',', f);
    clv__fput_num(f, p->curve[k]);
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static void put_json_group(FILE *f, const clv_seg_group *g) {
  fputs("{\"group\":", f);
  clv__put_json_string(f, g->label, strlen(g->label));
  const char *const names[] = {
      "customers", "share_customers", "orders",  "historic",   "share_historic",
      "predicted", "share_predicted", "avg_clv", "avg_p_alive"};
  const double v[] = {g->customers,       g->share_customers, g->orders,
                      g->historic,        g->share_historic,  g->predicted,
                      g->share_predicted, g->avg_clv,         g->avg_p_alive};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    fprintf(f, ",\"%s\":", names[k]);
    clv__fput_json_num(f, v[k]);
  }
  fputc('}', f);
}

static void put_json_table(FILE *f, const char *name, const clv_seg_table *t) {
  fprintf(f, "\"%s\":{\"groups\":[", name);
  for (size_t k = 0; k < t->n; k++) {
    if (k)
      fputc(',', f);
    put_json_group(f, &t->g[k]);
  }
  fputs("],\"total\":", f);
  put_json_group(f, &t->total);
  fputc('}', f);
}

static void put_json_conc(FILE *f, const char *name,
                          const clv_concentration *c) {
  fprintf(f, "\"%s\":{\"gini\":", name);
  clv__fput_json_num(f, c->gini);
  fputs(",\"top1\":", f);
  clv__fput_json_num(f, c->top1);
  fputs(",\"top5\":", f);
  clv__fput_json_num(f, c->top5);
  fputs(",\"top10\":", f);
  clv__fput_json_num(f, c->top10);
  fputs(",\"top20\":", f);
  clv__fput_json_num(f, c->top20);
  fputs(",\"negative_customers\":", f);
  clv__fput_json_num(f, c->negative);
  fputs(",\"curve\":[", f);
  for (size_t k = 0; k < c->points; k++) {
    if (k)
      fputc(',', f);
    clv__fput_json_num(f, c->curve[k]);
  }
  fputs("]}", f);
}

int clv_segments_write_json(const clv_segments *s, FILE *f) {
  return clv_segments_write_json_by(s, NULL, f);
}

int clv_segments_write_json_by(const clv_segments *s, const clv_seg_split *r,
                               FILE *f) {
  const clv_segment_opts *o = &s->opts;
  fputs("{\"options\":{\"tier_mode\":", f);
  fputs(o->tier_mode == CLV_TIER_MONEY ? "\"money\"" : "\"percent\"", f);
  fputs(",\"tier_cuts\":[", f);
  for (size_t k = 0; k < o->tiers; k++) {
    if (k)
      fputc(',', f);
    clv__fput_json_num(f, o->cut[k]);
  }
  fprintf(f, "],\"rfm_split\":\"%s\",\"risk_by\":\"%s\",\"risk_cuts\":[",
          o->rfm_median ? "median" : "mean",
          o->risk_by == CLV_RISK_NOPURCHASE ? "nopurchase" : "palive");
  clv__fput_json_num(f, o->risk_cut[0]);
  fputc(',', f);
  clv__fput_json_num(f, o->risk_cut[1]);
  fputs("]},\"rfm_splits\":{\"recency_days\":", f);
  clv__fput_json_num(f, s->r_split);
  fputs(",\"frequency\":", f);
  clv__fput_json_num(f, s->f_split);
  fputs(",\"monetary\":", f);
  clv__fput_json_num(f, s->m_split);
  fputs("},", f);
  put_json_table(f, "tiers", &s->tiers);
  fputc(',', f);
  put_json_table(f, "rfm8", &s->rfm8);
  fputc(',', f);
  put_json_table(f, "rfm11", &s->rfm11);
  fputc(',', f);
  put_json_table(f, "risk", &s->risk);
  fputs(",\"concentration\":{", f);
  put_json_conc(f, "historic", &s->conc_historic);
  fputc(',', f);
  put_json_conc(f, "predicted", &s->conc_predicted);
  fputs("},\"company\":{\"customers\":", f);
  clv__fput_json_num(f, s->company_customers);
  fputs(",\"historic\":", f);
  clv__fput_json_num(f, s->company_historic);
  fputs(",\"predicted\":", f);
  clv__fput_json_num(f, s->company_predicted);
  fputs(",\"unscored_customers\":", f);
  clv__fput_json_num(f, s->unscored_customers);
  fputs(",\"unscored_historic\":", f);
  clv__fput_json_num(f, s->unscored_historic);
  fputs(",\"anonymous_historic\":", f);
  clv__fput_json_num(f, s->anonymous_historic);
  fputc('}', f);
  if (r != NULL) {
    fputs(",\"by\":", f);
    if (clv__seg_split_put_json(r, f) != CLV_OK)
      return CLV_EIO;
  }
  fputs("}\n", f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

/* Display width of a UTF-8 label: CJK characters take two columns. */
static int text_width(const char *s) {
  int w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xC0) == 0x80)
      continue;
    w += *p >= 0xE0 ? 2 : 1;
  }
  return w;
}

static void put_text_row(FILE *f, const clv_seg_group *g) {
  int pad = 22 - text_width(g->label);
  fprintf(f,
          "  %s%*s %9.0f %6.1f%% %13.2f %6.1f%% %13.2f %6.1f%% %10.2f "
          "%6.3f\n",
          g->label, pad > 0 ? pad : 0, "", g->customers,
          100 * g->share_customers, g->historic, 100 * g->share_historic,
          g->predicted, 100 * g->share_predicted, g->avg_clv, g->avg_p_alive);
}

static void put_text_table(FILE *f, const char *title, const clv_seg_table *t) {
  fprintf(f, "%s\n  %-22s %9s %7s %13s %7s %13s %7s %10s %6s\n", title, "group",
          "customers", "share", "historic", "share", "predicted", "share",
          "avg CLV", "alive");
  for (size_t k = 0; k < t->n; k++)
    if (t->g[k].customers > 0)
      put_text_row(f, &t->g[k]);
  put_text_row(f, &t->total);
  fputc('\n', f);
}

int clv_segments_write_text(const clv_segments *s, FILE *f) {
  int zh = s->opts.zh;
  put_text_table(f, zh ? "价值分层 (预测CLV)" : "Value tiers (predicted CLV)",
                 &s->tiers);
  put_text_table(f, zh ? "RFM 八类客户" : "RFM 8 types", &s->rfm8);
  put_text_table(f, zh ? "RFM 11 组" : "RFM 11 groups", &s->rfm11);
  put_text_table(f, zh ? "流失风险" : "Churn risk", &s->risk);
  const clv_concentration *h = &s->conc_historic, *p = &s->conc_predicted;
  fprintf(f,
          "%s\n  %-10s %6s %6s %6s %6s %6s\n"
          "  %-10s %6.3f %5.1f%% %5.1f%% %5.1f%% %5.1f%%\n"
          "  %-10s %6.3f %5.1f%% %5.1f%% %5.1f%% %5.1f%%\n\n",
          zh ? "集中度" : "Concentration", "", "Gini", "top1", "top5", "top10",
          "top20", "historic", h->gini, 100 * h->top1, 100 * h->top5,
          100 * h->top10, 100 * h->top20, "predicted", p->gini, 100 * p->top1,
          100 * p->top5, 100 * p->top10, 100 * p->top20);
  fprintf(f,
          "%s: %.0f customers (%.0f not scored), historic %.2f (customers "
          "%.2f + not scored %.2f + no customer id %.2f), predicted %.2f\n",
          zh ? "公司合计" : "Company", s->company_customers,
          s->unscored_customers, s->company_historic, s->tiers.total.historic,
          s->unscored_historic, s->anonymous_historic, s->company_predicted);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_segments_write_customers(const clv_segments *s, const clv_base *b,
                                 FILE *f) {
  const clv_predictions *p = b->run->pred;
  const clv_summary *sum = b->run->summary;
  if (p->rows != s->rows || clv_summary_rows(sum) != s->rows)
    return CLV_EINVAL;
  double ud = clv_unit_days(clv_summary_unit(sum));
  fputs("customer_id,tier,rfm_group,rfm_segment,risk_band,clv,p_alive,"
        "prob_no_purchase,recency_days,frequency,monetary,historic,r_score,"
        "f_score,m_score,next_purchase_date\n",
        f);
  for (size_t i = 0; i < s->rows; i++) {
    size_t len = 0;
    const char *id = clv_orders_customer_id(b->orders, b->customer_of[i], &len);
    clv__put_csv_field(f, id, len);
    const char *lab[4] = {
        s->tiers.g[s->tier_of[i]].label, s->rfm8.g[s->rfm8_of[i]].label,
        s->rfm11.g[s->rfm11_of[i]].label, s->risk.g[s->risk_of[i]].label};
    for (size_t k = 0; k < 4; k++) {
      fputc(',', f);
      clv__put_csv_field(f, lab[k], strlen(lab[k]));
    }
    const double v[] = {p->value[i],
                        p->p_alive[i],
                        p->prob_none ? p->prob_none[i] : NAN,
                        s->recency_days[i],
                        s->frequency[i],
                        s->monetary[i],
                        s->historic[i]};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
      fputc(',', f);
      clv__fput_num(f, v[k]);
    }
    fprintf(f, ",%u,%u,%u,", s->r_score[i], s->f_score[i], s->m_score[i]);
    /* The median time to the next purchase, from the as-of day; empty when
     * the model expects none within ten years (no date a CRM can act on). */
    double np = p->next_purchase ? p->next_purchase[i] : INFINITY;
    if (isfinite(np) && np * ud <= 3652.5) {
      char d[11];
      fputs(clv_day_format(b->as_of_day + (int32_t)lround(np * ud), d), f);
    }
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}
