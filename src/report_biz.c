/*
 * report_biz.c - the report's business sections, drawn from the business
 * modules over a scored base: Value segments (value tiers and RFM groups,
 * segment.c), Cohorts (retention and cumulative revenue per customer,
 * cohort.c; the CLV trend of trend.c when asked for, as it re-scores),
 * Acquisition (LTV:CAC and payback per channel, cac.c), Products
 * (profitability, what high-value customers buy, cross-sell pairs after
 * Agrawal, Imielinski & Swami 1993, products.c) and Action (customers at
 * risk, customers due to reorder this week, remind.c).
 *
 * Each section is computed by its module; when a module cannot run on this
 * log (no product column, no customers acquired) its section says why
 * instead of failing the whole report. Payloads hold aggregates and top-20
 * lists only, so that the page stays light for any size of base; the full
 * per-customer lists go to CSV files beside the report (opts.actions_dir).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv/cac.h"
#include "clv/cohort.h"
#include "clv/products.h"
#include "clv/remind.h"
#include "clv/segment.h"
#include "clv/status.h"
#include "clv/time.h"
#include "report.h"

#define TR(en, zh) clv__report_tr(r, en, zh)

/* Rows of the top lists and bars of the top charts: enough to act on,
 * small enough to read. */
enum { TOP = 20, TOP_PRODUCTS = 10, MAX_COHORTS = 36, MAX_LINES = 8 };

/* ---- payload pieces ------------------------------------------------------ */

/* Opens a table spec: {"type":"table","title":..,"columns":[..],"rows":[ */
static void table_open(clv__jbuf *b, const char *title, size_t n,
                       const char *const *names, const char *const *fmts) {
  size_t i;
  clv__jb_sep(b);
  clv__jb_raw(b, "{\"type\":\"table\"");
  clv__jb_key(b, "title");
  clv__jb_str(b, title);
  clv__jb_key(b, "columns");
  clv__jb_raw(b, "[");
  for (i = 0; i < n; i++) {
    clv__jb_sep(b);
    clv__jb_raw(b, "{");
    clv__jb_key(b, "name");
    clv__jb_str(b, names[i]);
    clv__jb_key(b, "fmt");
    clv__jb_str(b, fmts[i]);
    clv__jb_raw(b, "}");
  }
  clv__jb_raw(b, "]");
  clv__jb_key(b, "rows");
  clv__jb_raw(b, "[");
}

static void cell_str(clv__jbuf *b, const char *s) {
  clv__jb_sep(b);
  clv__jb_str(b, s);
}

static void cell_num(clv__jbuf *b, double v) {
  clv__jb_sep(b);
  clv__jb_num(b, v);
}

static void x_labels_open(clv__jbuf *b) {
  clv__jb_key(b, "x");
  clv__jb_raw(b, "[");
}

/* A section holding only a note: why the module had nothing to show. */
static int note_section(clv_report *r, const char *id, const char *en,
                        const char *zh, const char *why) {
  clv__jbuf b = {0};
  clv__jb_raw(&b, "{");
  clv__jb_key(&b, "slot");
  clv__jb_str(&b, why);
  clv__jb_raw(&b, "}");
  return clv__finish(r, &b, id, en, zh);
}

/* A module's failure as the section's note; memory failures fail the
 * report. */
static int module_failed(clv_report *r, int st, const char *id, const char *en,
                         const char *zh) {
  char why[256];
  if (st == CLV_ENOMEM)
    return st;
  snprintf(why, sizeof why, "%s%s%s",
           TR("This section could not be computed for this log: ",
              "此部分无法根据该数据计算："),
           TR(clv_strerror(st), clv_strerror_zh(st)), TR(".", "。"));
  return note_section(r, id, en, zh, why);
}

/* The product's name when the log has one, else its id. */
static const char *product_label(const clv_orders *o, uint32_t k) {
  const char *name = clv_orders_product_name(o, k);
  return name != NULL && name[0] != '\0'
             ? name
             : clv_orders_key_text(o, CLV_ATTR_PRODUCT, k);
}

/* ---- Value segments -------------------------------------------------------
 */

/* One bar chart of a segment table: shares of customers, historic revenue
 * and predicted value per group, with the counts and sums as hidden series
 * (the page's data, for checks and exports). */
static void seg_chart(clv_report *r, clv__jbuf *b, const clv_seg_table *t,
                      const char *title) {
  double *v = malloc((t->n ? t->n : 1) * 5 * sizeof *v);
  size_t i, n = t->n;
  if (v == NULL) {
    b->failed = 1;
    return;
  }
  for (i = 0; i < n; i++) {
    v[i] = t->g[i].share_customers;
    v[n + i] = t->g[i].share_historic;
    v[2 * n + i] = t->g[i].share_predicted;
    v[3 * n + i] = t->g[i].customers;
    v[4 * n + i] = t->g[i].predicted;
  }
  clv__chart_open(b, "bar", title, "", TR("Share of the total", "占总量比例"),
                  "pct");
  x_labels_open(b);
  for (i = 0; i < n; i++)
    cell_str(b, t->g[i].label);
  clv__jb_raw(b, "]");
  clv__jb_key(b, "series");
  clv__jb_raw(b, "[");
  clv__series(b, TR("Customers", "客户数"), "bar", v, n);
  clv__series(b, TR("Historic revenue", "历史收入"), "bar", v + n, n);
  clv__series(b, TR("Predicted CLV", "预测客户价值"), "bar", v + 2 * n, n);
  clv__series(b, TR("Customers (count)", "客户数（人）"), "hidden", v + 3 * n,
              n);
  clv__series(b, TR("Predicted CLV (sum)", "预测客户价值（合计）"), "hidden",
              v + 4 * n, n);
  clv__jb_raw(b, "]}");
  free(v);
}

static int segments_section(clv_report *r, const clv_segments *s) {
  clv__jbuf b = {0};
  char note[320];
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Customers in the tiers", "分层客户数"),
           s->tiers.total.customers, "int");
  clv__kpi(&b, TR("Predicted CLV in the tiers", "分层预测客户价值"),
           s->tiers.total.predicted, "money");
  clv__kpi(&b, TR("Value share of the top 1%", "前 1% 客户的价值占比"),
           s->conc_predicted.top1, "pct");
  clv__kpi(&b, TR("Value share of the top 10%", "前 10% 客户的价值占比"),
           s->conc_predicted.top10, "pct");
  clv__kpi(&b, TR("Gini of predicted value", "预测价值基尼系数"),
           s->conc_predicted.gini, "num");
  clv__kpi(&b, TR("Customers at high churn risk", "高流失风险客户数"),
           s->risk.g[0].customers, "int");
  clv__jb_raw(&b, "],\"notes\":[");
  snprintf(note, sizeof note, "%s",
           TR("Tiers rank customers by predicted CLV (top 1%, 5%, 10%, 25%, "
              "the rest). RFM groups split recency, frequency and monetary "
              "value at their means; bars are shares of the column's total.",
              "按预测客户价值排序分层（前 1%、5%、10%、25%、其余）。RFM "
              "分组以近度、频度、金额的均值划分；柱为占该列总量的比例。"));
  clv__jb_str(&b, note);
  if (s->unscored_customers > 0 || s->anonymous_historic != 0) {
    snprintf(note, sizeof note,
             TR("Outside the tables: %.0f customers with only refunds "
                "(net %.2f) and %.2f of revenue on rows without a customer "
                "id; with them the revenue adds up to the log's %.2f.",
                "表外：仅有退款的客户 %.0f 位（净额 %.2f），无客户编号的行"
                "收入 %.2f；合计与数据总额 %.2f 一致。"),
             s->unscored_customers, s->unscored_historic, s->anonymous_historic,
             s->company_historic);
    clv__jb_sep(&b);
    clv__jb_str(&b, note);
  }
  clv__jb_raw(&b, "],\"charts\":[");
  seg_chart(r, &b, &s->tiers, TR("Value tiers", "价值分层"));
  seg_chart(r, &b, &s->rfm8, TR("RFM groups (8 types)", "RFM 八类客户"));
  seg_chart(r, &b, &s->rfm11, TR("RFM segments (11 groups)", "RFM 十一类分群"));
  seg_chart(r, &b, &s->risk, TR("Churn-risk bands", "流失风险分档"));
  clv__jb_raw(&b, "]}");
  return clv__finish(r, &b, "segments", "Value segments", "价值分层");
}

/* ---- Cohorts ------------------------------------------------------------- */

/* The CLV trend: mean predicted CLV per customer at each scoring date, of
 * the company and of each value tier of the latest date. */
static void trend_chart(clv_report *r, clv__jbuf *b, const clv_trend *t) {
  size_t k, j;
  char day[11], name[64];
  double *v = malloc((t->npoints ? t->npoints : 1) * sizeof *v);
  if (v == NULL) {
    b->failed = 1;
    return;
  }
  clv__chart_open(b, "line",
                  TR("CLV trend: mean predicted CLV per customer",
                     "客户价值趋势：人均预测客户价值"),
                  TR("Scored as of", "评分日期"),
                  TR("Predicted CLV per customer", "人均预测客户价值"),
                  "money");
  x_labels_open(b);
  for (k = 0; k < t->npoints; k++)
    cell_str(b, clv_day_format(t->points[k].as_of_day, day));
  clv__jb_raw(b, "]");
  clv__jb_key(b, "series");
  clv__jb_raw(b, "[");
  for (k = 0; k < t->npoints; k++)
    v[k] = t->points[k].status == CLV_OK ? t->points[k].value_mean : NAN;
  clv__series(b, TR("All customers", "全部客户"), "line", v, t->npoints);
  for (j = 0; j < t->nsegments; j++) {
    const clv_trend_segment *g = &t->segments[j];
    if (g->tier < 0)
      continue;
    for (k = 0; k < t->npoints; k++)
      v[k] = t->points[k].status == CLV_OK && g->customers[k] > 0
                 ? g->value_mean[k]
                 : NAN;
    snprintf(name, sizeof name, "%s",
             clv_tier_label(g->tier, clv__report_zh(r)));
    clv__series(b, name, "dashed", v, t->npoints);
  }
  clv__jb_raw(b, "]}");
  free(v);
}

static int cohorts_section(clv_report *r, const clv_cohorts *c,
                           const clv_trend *trend, int trend_status) {
  clv__jbuf b = {0};
  size_t first = c->n > MAX_COHORTS ? c->n - MAX_COHORTS : 0;
  size_t i, k, ages = 0, lines, rising = 0, falling = 0;
  double *v = NULL;
  int st = CLV_ENOMEM;
  char note[256];
  for (i = first; i < c->n; i++)
    if (c->cohorts[i].ages > ages)
      ages = c->cohorts[i].ages;
  for (i = 0; i < c->n; i++) {
    rising += c->cohorts[i].direction == CLV_TREND_RISING;
    falling += c->cohorts[i].direction == CLV_TREND_FALLING;
  }
  v = malloc((ages + c->n + 1) * 3 * sizeof *v);
  if (v == NULL)
    goto done;
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Cohorts", "队列数"), (double)c->n, "int");
  clv__kpi(&b, TR("Customers acquired", "获客数"), c->customers, "int");
  clv__kpi(&b, TR("Revenue of the cohorts", "队列收入"), c->revenue, "money");
  if (c->has_base)
    clv__kpi(&b, TR("Predicted CLV of the cohorts", "队列预测客户价值"),
             c->predicted_total, "money");
  clv__kpi(&b, TR("Cohorts rising", "上升的队列"), (double)rising, "int");
  clv__kpi(&b, TR("Cohorts falling", "下降的队列"), (double)falling, "int");
  clv__jb_raw(&b, "],\"notes\":[");
  clv__jb_str(&b,
              TR("A cohort is the customers whose first purchase fell in one "
                 "month. Retention at age k is the share of the cohort that "
                 "bought in its k-th month after acquisition; a month not yet "
                 "over is left out. A cohort is rising (falling) when its "
                 "cumulative revenue per customer is more than 10% above "
                 "(below) the earlier cohorts' at the same age.",
                 "队列为首次购买在同一月份的客户。第 k 月留存率为在获客后第 k "
                 "个月有购买的客户占比；尚未结束的月份不计。队列在同一月龄"
                 "的人均累计收入比更早队列高（低）10% 以上即为上升（下降）。"));
  if (trend != NULL) {
    snprintf(note, sizeof note, "%s: %s (%+.1f%%).",
             TR("CLV trend of the same customers from the first to the "
                "latest date",
                "同一批客户从首个到最近评分日的价值趋势"),
             clv_trend_dir_label(trend->direction_all, clv__report_zh(r)),
             100 * trend->change_all);
  } else if (trend_status != CLV_OK) {
    snprintf(note, sizeof note, "%s: %s.", TR("No CLV trend", "无客户价值趋势"),
             clv_strerror(trend_status));
  } else {
    snprintf(note, sizeof note, "%s",
             TR("The CLV trend re-scores the log at past dates, which takes "
                "as long as several runs: it is left out by default; "
                "`clv report --trend 4` or `clv cohort --trend 4` adds it.",
                "客户价值趋势需在过去多个日期重新评分，耗时为多次运行之和，"
                "默认不包含；可用 `clv report --trend 4` 或 `clv cohort "
                "--trend 4` 计算。"));
  }
  clv__jb_sep(&b);
  clv__jb_str(&b, note);
  if (first > 0) {
    snprintf(note, sizeof note,
             TR("The charts show the latest %d of %zu cohorts.",
                "图表显示最近 %d 个队列（共 %zu 个）。"),
             MAX_COHORTS, c->n);
    clv__jb_sep(&b);
    clv__jb_str(&b, note);
  }
  clv__jb_raw(&b, "],\"charts\":[");
  /* Retention heat map, ages 1.. (age 0 is 1 by definition and would only
   * flatten the colour scale). */
  if (ages > 1) {
    clv__chart_open(
        &b, "heatmap",
        TR("Retention by cohort and age (months)", "按队列与月龄的留存率"),
        TR("Months since acquisition", "获客后月数"), TR("Cohort", "队列"),
        "pct");
    /* Oldest cohort on top, as cohort tables are read. */
    clv__jb_key(&b, "yinverse");
    clv__jb_raw(&b, "true");
    clv__jb_key(&b, "xfmt");
    clv__jb_str(&b, "int");
    for (k = 1; k < ages; k++)
      v[k - 1] = (double)k;
    clv__jb_key(&b, "x");
    clv__jb_nums(&b, v, ages - 1);
    clv__jb_key(&b, "y");
    clv__jb_raw(&b, "[");
    for (i = first; i < c->n; i++)
      cell_str(&b, c->cohorts[i].label);
    clv__jb_raw(&b, "]");
    clv__jb_key(&b, "z");
    clv__jb_raw(&b, "[");
    for (i = first; i < c->n; i++) {
      const clv_cohort *h = &c->cohorts[i];
      size_t full = h->ages - (h->last_partial ? 1 : 0);
      for (k = 1; k < full; k++) {
        double cell[3] = {(double)(k - 1), (double)(i - first),
                          h->cells[k].retention};
        clv__jb_sep(&b);
        clv__jb_nums(&b, cell, 3);
      }
    }
    clv__jb_raw(&b, "]}");
  }
  /* Cumulative revenue per customer by age, a few cohorts evenly spread
   * over the range so that the lines stay readable. */
  lines = c->n - first < MAX_LINES ? c->n - first : MAX_LINES;
  clv__chart_open(&b, "line",
                  TR("Cumulative revenue per customer by cohort age",
                     "按月龄的队列人均累计收入"),
                  TR("Months since acquisition", "获客后月数"),
                  TR("Revenue per customer", "人均收入"), "money");
  for (k = 0; k < ages; k++)
    v[k] = (double)k;
  clv__jb_key(&b, "xfmt");
  clv__jb_str(&b, "int");
  clv__jb_key(&b, "x");
  clv__jb_nums(&b, v, ages);
  clv__jb_key(&b, "series");
  clv__jb_raw(&b, "[");
  for (i = 0; i < lines; i++) {
    size_t j = first + (lines > 1 ? i * (c->n - 1 - first) / (lines - 1) : 0);
    const clv_cohort *h = &c->cohorts[j];
    size_t full = h->ages - (h->last_partial ? 1 : 0);
    for (k = 0; k < ages; k++)
      v[ages + k] = k < full ? h->cells[k].cumulative_per_customer : NAN;
    clv__series(&b, h->label, "line", v + ages, ages);
  }
  clv__jb_raw(&b, "]}");
  /* Predicted CLV per customer of each cohort. */
  if (c->has_base) {
    size_t m = c->n - first;
    double *pm = v, *cu = v + m, *pa = v + 2 * m;
    for (i = 0; i < m; i++) {
      pm[i] = c->cohorts[first + i].predicted_mean;
      cu[i] = c->cohorts[first + i].customers;
      pa[i] = c->cohorts[first + i].predicted_total;
    }
    clv__chart_open(
        &b, "bar",
        TR("Predicted CLV per customer by cohort", "各队列人均预测客户价值"),
        TR("Cohort", "队列"),
        TR("Predicted CLV per customer", "人均预测客户价值"), "money");
    x_labels_open(&b);
    for (i = first; i < c->n; i++)
      cell_str(&b, c->cohorts[i].label);
    clv__jb_raw(&b, "]");
    clv__jb_key(&b, "series");
    clv__jb_raw(&b, "[");
    clv__series(&b, TR("Predicted CLV per customer", "人均预测客户价值"), "bar",
                pm, m);
    clv__series(&b, TR("Customers", "客户数"), "hidden", cu, m);
    clv__series(&b, TR("Predicted CLV (sum)", "预测客户价值（合计）"), "hidden",
                pa, m);
    clv__jb_raw(&b, "]}");
  }
  if (trend != NULL)
    trend_chart(r, &b, trend);
  clv__jb_raw(&b, "]}");
  st = clv__finish(r, &b, "cohorts", "Cohorts", "队列");
done:
  clv__jb_free(&b);
  free(v);
  return st;
}

/* ---- Acquisition --------------------------------------------------------- */

/* The grouping's name for people; a column grouped by keeps its name. */
static const char *grouping_label(const clv_report *r, const clv_cac *c) {
  switch (c->grouping) {
  case CLV_CAC_BY_ACQ_CHANNEL:
    return TR("Acquisition channel", "获客渠道");
  case CLV_CAC_BY_FIRST_CHANNEL:
    return TR("Channel of the first order", "首单渠道");
  case CLV_CAC_BY_STORE:
    return TR("Store of the first order", "首单门店");
  case CLV_CAC_BY_ALL:
    return TR("All customers", "全部客户");
  default:
    return clv_cac_grouping_name(c);
  }
}

static int cac_section(clv_report *r, const clv_cac *c) {
  static const char *const fmts[] = {"text",  "int",   "money", "money",
                                     "money", "money", "money", "text"};
  const char *names[8];
  clv__jbuf b = {0};
  size_t i, n = c->n < TOP ? c->n : TOP;
  int spend = 0, m, months = c->payback_months;
  double *v = malloc((n + (size_t)c->curve_months + 1) * 4 * sizeof *v);
  char title[160];
  if (v == NULL)
    return CLV_ENOMEM;
  for (i = 0; i < c->n; i++)
    spend |= isfinite(c->g[i].spend);
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi_text(&b, TR("Grouped by", "分组依据"), grouping_label(r, c));
  clv__kpi(&b, TR("Customers acquired", "获客数"), c->total.customers, "int");
  clv__kpi(&b, TR("LTV:CAC target", "LTV:CAC 目标"), c->target, "num");
  clv__kpi(&b, TR("Value of a new customer", "新客户价值"), c->total.new_value,
           "money");
  clv__kpi(&b,
           TR("Most a new customer may cost (all)", "单客最高获客成本（全部）"),
           c->total.max_cac_target, "money");
  clv__jb_raw(&b, "],\"notes\":[");
  snprintf(title, sizeof title,
           TR("Observed LTV = historic margin + predicted CLV per customer. "
              "Max CAC = observed LTV / %g, and the cumulative margin per "
              "customer after %d months (payback).",
              "观察 LTV = 人均历史毛利 + 人均预测客户价值。最高获客成本 = "
              "观察 LTV / %g，以及 %d 个月内的人均累计毛利（回本）。"),
           c->target, months);
  clv__jb_str(&b, title);
  if (!spend) {
    clv__jb_sep(&b);
    clv__jb_str(&b, TR("No marketing spend was given: the figures are the "
                       "most one new customer may cost per channel, not the "
                       "actual LTV:CAC (`clv cac --spend` or --spend-csv "
                       "gives it).",
                       "未提供营销费用：数字为各渠道单个新客户的最高可承受"
                       "获客成本，而非实际 LTV:CAC（`clv cac --spend` 或 "
                       "--spend-csv 可计算）。"));
  }
  /* The module's notes count spend channels; without spend they say
   * nothing more than the note above. */
  if (spend && c->notes[0] != '\0') {
    clv__jb_sep(&b);
    clv__jb_str(&b, c->notes);
  }
  clv__jb_raw(&b, "],\"charts\":[");
  for (i = 0; i < n; i++) {
    v[i] = c->g[i].observed_ltv;
    v[n + i] = c->g[i].max_cac_target;
    v[2 * n + i] = c->g[i].max_cac_payback;
    v[3 * n + i] = c->g[i].customers;
  }
  clv__chart_open(&b, "bar",
                  TR("Value and the most a new customer may cost, by channel",
                     "各渠道客户价值与最高获客成本"),
                  "", TR("Per customer", "每位客户"), "money");
  x_labels_open(&b);
  for (i = 0; i < n; i++)
    cell_str(&b, c->g[i].name);
  clv__jb_raw(&b, "]");
  clv__jb_key(&b, "series");
  clv__jb_raw(&b, "[");
  clv__series(&b, TR("Observed LTV", "观察 LTV"), "bar", v, n);
  snprintf(title, sizeof title, "%s %g",
           TR("Max CAC at LTV:CAC", "最高获客成本 LTV:CAC"), c->target);
  clv__series(&b, title, "bar", v + n, n);
  snprintf(title, sizeof title,
           TR("Max CAC, payback in %d months", "最高获客成本（%d 个月回本）"),
           months);
  clv__series(&b, title, "bar", v + 2 * n, n);
  clv__series(&b, TR("Customers", "客户数"), "hidden", v + 3 * n, n);
  clv__jb_raw(&b, "]}");
  /* Payback curves: cumulative margin per customer by month, up to the
   * payback period the budgets use (as the module's JSON). */
  {
    size_t lines = n < MAX_LINES ? n : MAX_LINES;
    double *x = v + 4 * n;
    clv__chart_open(
        &b, "line",
        TR("Payback: cumulative margin per customer", "回本曲线：人均累计毛利"),
        TR("Months since acquisition", "获客后月数"),
        TR("Cumulative margin per customer", "人均累计毛利"), "money");
    for (m = 0; m < months; m++)
      x[m] = m + 1;
    clv__jb_key(&b, "xfmt");
    clv__jb_str(&b, "int");
    clv__jb_key(&b, "x");
    clv__jb_nums(&b, x, (size_t)months);
    clv__jb_key(&b, "series");
    clv__jb_raw(&b, "[");
    for (i = 0; i < lines; i++)
      if (c->g[i].curve != NULL)
        clv__series(&b, c->g[i].name, "line", c->g[i].curve, (size_t)months);
    clv__jb_raw(&b, "]}");
  }
  names[0] = TR("Channel", "渠道");
  names[1] = TR("Customers", "客户数");
  names[2] = TR("Predicted CLV", "预测客户价值");
  names[3] = TR("Observed LTV", "观察 LTV");
  names[4] = TR("Max CAC (target)", "最高获客成本（目标）");
  names[5] = TR("Max CAC (payback)", "最高获客成本（回本）");
  names[6] = spend ? TR("Actual CAC", "实际获客成本")
                   : TR("Value of a new customer", "新客户价值");
  names[7] = spend ? TR("Verdict", "结论") : TR("Payback from", "回本依据");
  table_open(&b, TR("Per channel", "各渠道"), 8, names, fmts);
  for (i = 0; i < n; i++) {
    const clv_cac_group *g = &c->g[i];
    clv__jb_sep(&b);
    clv__jb_raw(&b, "[");
    cell_str(&b, g->name);
    cell_num(&b, g->customers);
    cell_num(&b, g->clv);
    cell_num(&b, g->observed_ltv);
    cell_num(&b, g->max_cac_target);
    cell_num(&b, g->max_cac_payback);
    cell_num(&b, spend ? g->cac : g->new_value);
    cell_str(&b, spend ? clv_cac_verdict_label(g->verdict, clv__report_zh(r))
                 : g->payback_from_model ? TR("model", "模型")
                                         : TR("observed", "观察"));
    clv__jb_raw(&b, "]");
  }
  clv__jb_raw(&b, "]}]}");
  free(v);
  return clv__finish(r, &b, "acquisition", "Acquisition", "获客");
}

/* ---- Products ------------------------------------------------------------ */

/* A product's rank key: margin when the log has costs, else net. */
typedef struct ranked {
  double k;
  size_t i;
} ranked;

static int cmp_ranked_desc(const void *a, const void *c) {
  double x = ((const ranked *)a)->k, y = ((const ranked *)c)->k;
  return (x < y) - (x > y);
}

static int products_section(clv_report *r, const clv_products *p) {
  static const char *const lfmt[] = {"text", "int", "pct", "pct", "num"};
  static const char *const pfmt[] = {"text", "text", "int",
                                     "pct",  "pct",  "num"};
  const clv_orders *o = p->base->orders;
  const char *names[6];
  clv__jbuf b = {0};
  size_t i, n = p->n_products, top = n < TOP_PRODUCTS ? n : TOP_PRODUCTS;
  ranked *idx = malloc((n ? n : 1) * sizeof *idx);
  double *v = malloc((top ? top : 1) * 3 * sizeof *v);
  int st = CLV_ENOMEM;
  char note[256];
  if (idx == NULL || v == NULL)
    goto done;
  /* The products arrive by net revenue; with costs the most profitable
   * are the largest margins. */
  for (i = 0; i < n; i++) {
    idx[i].i = i;
    idx[i].k = p->has_cost ? p->products[i].margin : p->products[i].net;
    if (!isfinite(idx[i].k))
      idx[i].k = -HUGE_VAL;
  }
  qsort(idx, n, sizeof *idx, cmp_ranked_desc);
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Products", "商品数"), (double)n, "int");
  clv__kpi(&b, TR("Net revenue", "净收入"), p->total.net, "money");
  clv__kpi(&b, TR("Refunds", "退款"), p->total.refunds, "money");
  if (p->has_cost)
    clv__kpi(&b, TR("Margin", "毛利"), p->total.margin, "money");
  clv__kpi(&b, TR("High-value customers (top 10%)", "高价值客户（前 10%）"),
           (double)p->top_count, "int");
  clv__kpi(&b, TR("Baskets analysed for pairs", "用于关联分析的订单"),
           (double)p->units, "int");
  clv__jb_raw(&b, "],\"notes\":[");
  clv__jb_str(
      &b, TR("Lift of a product = its share among the high-value "
             "customers / its share among all scored customers. Pairs: "
             "support = share of baskets holding both, confidence = "
             "P(B | A), lift = support / (P(A) P(B)) (Agrawal et al. "
             "1993).",
             "商品提升度 = 在高价值客户中的购买占比 / 在全部客户中的购买占比。"
             "商品组合：支持度 = 同时包含两者的订单占比，置信度 = P(B|A)，"
             "提升度 = 支持度 / (P(A)P(B))（Agrawal 等，1993）。"));
  if (p->units_skipped > 0) {
    snprintf(note, sizeof note,
             TR("%llu baskets with more than %zu products were left out of "
                "the pairs.",
                "%llu 个商品数超过 %zu 的订单未计入组合分析。"),
             (unsigned long long)p->units_skipped, p->opts.max_basket);
    clv__jb_sep(&b);
    clv__jb_str(&b, note);
  }
  if (p->n_pairs == 0) {
    snprintf(note, sizeof note,
             TR("No pair of products was bought together in %.1f%% of the "
                "baskets or more (%llu distinct pairs seen).",
                "没有商品组合达到 %.1f%% 的订单支持度（共见 %llu 种组合）。"),
             100 * p->opts.min_support, (unsigned long long)p->pairs_seen);
    clv__jb_sep(&b);
    clv__jb_str(&b, note);
  }
  clv__jb_raw(&b, "],\"charts\":[");
  for (i = 0; i < top; i++) {
    const clv_product_line *l = &p->products[idx[i].i];
    v[i] = l->net;
    v[top + i] = l->margin;
    v[2 * top + i] = (double)l->buyers;
  }
  clv__chart_open(&b, "bar",
                  p->has_cost ? TR("Most profitable products (margin)",
                                   "最赚钱的商品（毛利）")
                              : TR("Top products by net revenue (no cost "
                                   "column: margin unknown)",
                                   "净收入最高的商品（无成本列，毛利未知）"),
                  "", TR("Amount", "金额"), "money");
  x_labels_open(&b);
  for (i = 0; i < top; i++)
    cell_str(&b, product_label(o, p->products[idx[i].i].key));
  clv__jb_raw(&b, "]");
  clv__jb_key(&b, "series");
  clv__jb_raw(&b, "[");
  clv__series(&b, TR("Net revenue", "净收入"), "bar", v, top);
  if (p->has_cost)
    clv__series(&b, TR("Margin", "毛利"), "bar", v + top, top);
  clv__series(&b, TR("Buyers", "购买人数"), "hidden", v + 2 * top, top);
  clv__jb_raw(&b, "]}");
  /* What high-value customers buy. */
  names[0] = TR("Product", "商品");
  names[1] = TR("High-value buyers", "高价值买家");
  names[2] = TR("Share of high-value", "高价值客户占比");
  names[3] = TR("Share of all", "全部客户占比");
  names[4] = TR("Lift", "提升度");
  table_open(&b,
             TR("What high-value customers buy (by lift)",
                "高价值客户偏好的商品（按提升度）"),
             5, names, lfmt);
  for (i = 0; i < p->n_lift && i < TOP; i++) {
    const clv_product_lift *l = &p->lift[i];
    clv__jb_sep(&b);
    clv__jb_raw(&b, "[");
    cell_str(&b, product_label(o, l->product));
    cell_num(&b, (double)l->top_buyers);
    cell_num(&b, l->top_share);
    cell_num(&b, l->all_share);
    cell_num(&b, l->lift);
    clv__jb_raw(&b, "]");
  }
  clv__jb_raw(&b, "]}");
  names[0] = TR("Product A", "商品 A");
  names[1] = TR("Product B", "商品 B");
  names[2] = p->pair_unit == CLV_PAIRS_WINDOW ? TR("Customers", "客户数")
                                              : TR("Baskets", "订单数");
  names[3] = TR("Support", "支持度");
  names[4] = TR("Confidence A→B", "置信度 A→B");
  names[5] = TR("Lift", "提升度");
  table_open(&b, TR("Top cross-sell pairs", "热门交叉销售组合"), 6, names,
             pfmt);
  for (i = 0; i < p->n_pairs && i < TOP; i++) {
    const clv_product_pair *q = &p->pairs[i];
    clv__jb_sep(&b);
    clv__jb_raw(&b, "[");
    cell_str(&b, product_label(o, q->a));
    cell_str(&b, product_label(o, q->b));
    cell_num(&b, (double)q->count);
    cell_num(&b, q->support);
    cell_num(&b, q->conf_ab);
    cell_num(&b, q->lift);
    clv__jb_raw(&b, "]");
  }
  clv__jb_raw(&b, "]}]}");
  st = clv__finish(r, &b, "products", "Products", "商品");
done:
  clv__jb_free(&b);
  free(idx);
  free(v);
  return st;
}

/* ---- Action ---------------------------------------------------------------
 */

/* Writes one action list into the actions folder with the writer `w`, and
 * its link into the payload; a file that cannot be written becomes a note
 * on the page rather than a broken link. */
typedef int (*list_writer)(const void *ctx, const clv_base *b, int zh, FILE *f);

static int w_customers(const void *ctx, const clv_base *b, int zh, FILE *f) {
  (void)zh;
  return clv_segments_write_customers(ctx, b, f);
}

static int w_contacts(const void *ctx, const clv_base *b, int zh, FILE *f) {
  return clv_remind_write_contacts_csv(ctx, b, f, zh);
}

static int w_recs(const void *ctx, const clv_base *b, int zh, FILE *f) {
  (void)b;
  return clv_products_write_csv(ctx, CLV_PT_RECS, zh, f);
}

static void action_file(clv_report *r, const clv_base *base, clv__jbuf *links,
                        clv__jbuf *notes, const char *file, const char *label,
                        list_writer w, const void *ctx) {
  const char *dir = clv__report_actions_dir(r);
  char path[4096], href[4096];
  FILE *f;
  int st = CLV_EIO;
  snprintf(path, sizeof path, "%s/%s", dir, file);
  snprintf(href, sizeof href, "%s/%s", clv__report_actions_href(r), file);
  f = fopen(path, "w");
  if (f != NULL) {
    st = w(ctx, base, clv__report_zh(r), f);
    if (fclose(f) != 0 && st == CLV_OK)
      st = CLV_EIO;
  }
  if (st == CLV_OK) {
    clv__jb_sep(links);
    clv__jb_raw(links, "{");
    clv__jb_key(links, "label");
    clv__jb_str(links, label);
    clv__jb_key(links, "href");
    clv__jb_str(links, href);
    clv__jb_raw(links, "}");
  } else {
    char msg[4200];
    snprintf(msg, sizeof msg, "%s %s%s%s", TR("Could not write", "无法写入"),
             path, TR(": ", "："), TR(clv_strerror(st), clv_strerror_zh(st)));
    clv__jb_sep(notes);
    clv__jb_str(notes, msg);
  }
}

/* Inserts row i into the top list (by key, largest first) of at most TOP. */
static void top_insert(size_t *top, double *key, size_t *n, size_t i,
                       double k) {
  size_t j;
  if (*n == TOP && !(k > key[TOP - 1]))
    return;
  j = *n < TOP ? (*n)++ : TOP - 1;
  while (j > 0 && key[j - 1] < k) {
    top[j] = top[j - 1];
    key[j] = key[j - 1];
    j--;
  }
  top[j] = i;
  key[j] = k;
}

static int action_section(clv_report *r, const clv_base *base,
                          const clv_segments *seg, const clv_remind *rm,
                          const clv_products *prod) {
  static const char *const rfmt[] = {"text", "text", "money",
                                     "pct",  "int",  "money"};
  static const char *const cfmt[] = {"text", "text",  "text", "money",
                                     "pct",  "money", "text"};
  const clv_orders *o = base->orders;
  const char *names[7];
  clv__jbuf b = {0}, links = {0}, notes = {0};
  size_t top[TOP], ntop = 0, i;
  double key[TOP];
  char day[11];
  int st = CLV_ENOMEM, zh = clv__report_zh(r);
  clv__jb_raw(&links, "[");
  clv__jb_raw(&notes, "[");
  if (clv__report_actions_dir(r) != NULL) {
    if (seg != NULL)
      action_file(r, base, &links, &notes, "customers.csv",
                  TR("Every customer with tier, RFM group and risk band",
                     "全部客户及其价值层级、RFM 分组与风险分档"),
                  w_customers, seg);
    if (rm != NULL)
      action_file(
          r, base, &links, &notes, "contacts.csv",
          TR("This week's reorder contact list", "本周复购提醒联系名单"),
          w_contacts, rm);
    if (prod != NULL)
      action_file(r, base, &links, &notes, "recommendations.csv",
                  TR("Products to offer each customer", "每位客户的推荐商品"),
                  w_recs, prod);
  }
  clv__jb_raw(&links, "]");
  clv__jb_raw(&b, "{\"kpis\":[");
  if (seg != NULL) {
    clv__kpi(&b, TR("Customers at high churn risk", "高流失风险客户数"),
             seg->risk.g[0].customers, "int");
    clv__kpi(&b, TR("Their historic revenue", "其历史收入"),
             seg->risk.g[0].historic, "money");
  }
  if (rm != NULL) {
    clv__kpi(&b, TR("Due to reorder this week", "本周应复购"),
             rm->status_customers[CLV_REMIND_DUE], "int");
    clv__kpi(&b, TR("Overdue", "已逾期"),
             rm->status_customers[CLV_REMIND_OVERDUE], "int");
    clv__kpi(&b, TR("Contact list", "联系名单"), (double)rm->n_contact, "int");
    clv__kpi(&b, TR("Value at stake on the list", "名单涉及价值"),
             rm->contact_stake, "money");
  }
  clv__jb_raw(&b, "],\"notes\":");
  clv__jb_raw(&notes, "]");
  clv__jb_raw(&b, notes.failed ? "[]" : notes.p);
  clv__jb_key(&b, "links");
  clv__jb_raw(&b, links.failed ? "[]" : links.p);
  if (notes.failed || links.failed)
    b.failed = 1;
  clv__jb_key(&b, "charts");
  clv__jb_raw(&b, "[");
  if (seg != NULL) {
    /* Win-back targets: the high-risk band (P(alive) below 30 %) ranked
     * by what they spent, the customers whose loss costs most. */
    for (i = 0; i < seg->rows; i++)
      if (seg->risk_of[i] == 0)
        top_insert(top, key, &ntop, i, seg->historic[i]);
    names[0] = TR("Customer", "客户");
    names[1] = TR("Tier", "层级");
    names[2] = TR("Historic revenue", "历史收入");
    names[3] = TR("P(alive)", "存活概率");
    names[4] = TR("Days since last purchase", "距上次购买天数");
    names[5] = TR("Predicted CLV", "预测客户价值");
    table_open(&b,
               TR("Top 20 customers at high churn risk (P(alive) < 30%), by "
                  "historic revenue",
                  "高流失风险客户前 20 名（存活概率 < 30%，按历史收入）"),
               6, names, rfmt);
    for (i = 0; i < ntop; i++) {
      size_t row = top[i];
      clv__jb_sep(&b);
      clv__jb_raw(&b, "[");
      cell_str(&b, clv_orders_customer_id(o, base->customer_of[row], NULL));
      cell_str(&b, seg->tiers.g[seg->tier_of[row]].label);
      cell_num(&b, seg->historic[row]);
      cell_num(&b, base->run->pred->p_alive[row]);
      cell_num(&b, seg->recency_days[row]);
      cell_num(&b, base->run->pred->value[row]);
      clv__jb_raw(&b, "]");
    }
    clv__jb_raw(&b, "]}");
  }
  if (rm != NULL) {
    names[0] = TR("Customer", "客户");
    names[1] = TR("Status", "状态");
    names[2] = TR("Due", "应复购日");
    names[3] = TR("Value at stake", "涉及价值");
    names[4] = TR("P(alive)", "存活概率");
    names[5] = TR("Predicted CLV", "预测客户价值");
    names[6] = TR("Suggested product", "建议商品");
    table_open(&b,
               TR("Top 20 customers to contact this week (due or overdue), "
                  "by value at stake",
                  "本周应联系的前 20 名客户（到期或逾期，按涉及价值）"),
               7, names, cfmt);
    for (i = 0; i < rm->n_contact && i < TOP; i++) {
      const clv_remind_customer *c = &rm->cust[rm->contact[i]];
      clv__jb_sep(&b);
      clv__jb_raw(&b, "[");
      cell_str(&b, clv_orders_customer_id(o, c->customer, NULL));
      cell_str(&b, clv_remind_status_label(c->status, zh));
      cell_str(&b,
               c->due_day != INT32_MAX ? clv_day_format(c->due_day, day) : "");
      cell_num(&b, c->value_at_stake);
      cell_num(&b, c->p_alive);
      cell_num(&b, c->clv);
      cell_str(&b, c->suggested_product != CLV_NO_KEY
                       ? product_label(o, c->suggested_product)
                       : "");
      clv__jb_raw(&b, "]");
    }
    clv__jb_raw(&b, "]}");
  }
  clv__jb_raw(&b, "]}");
  st = clv__finish(r, &b, "actions", "Action", "行动");
  clv__jb_free(&b);
  clv__jb_free(&links);
  clv__jb_free(&notes);
  return st;
}

/* ---- all of them ----------------------------------------------------------
 */

int clv_report_add_business_sections(clv_report *r, const clv_base *b) {
  clv_segment_opts so;
  clv_products_opts po;
  clv_trend_opts to;
  const clv_base_opts *tbase = NULL;
  clv_trend *trend = NULL;
  int tp, ts = CLV_OK;
  clv_segments *seg = NULL;
  clv_cohorts *coh = NULL;
  clv_cac *cac = NULL;
  clv_products *prod = NULL;
  clv_remind *rm = NULL;
  int st = CLV_EINVAL, ms, zh;
  if (r == NULL || b == NULL || b->orders == NULL || b->run == NULL)
    goto done;
  zh = clv__report_zh(r);
  clv_segment_opts_init(&so);
  so.zh = zh;
  ms = clv_segments_compute(b, &so, &seg);
  st = ms == CLV_OK
           ? segments_section(r, seg)
           : module_failed(r, ms, "segments", "Value segments", "价值分层");
  if (st != CLV_OK)
    goto done;
  ms = clv_cohorts_compute(b->orders, b, NULL, &coh);
  if (ms == CLV_OK && (tp = clv__report_trend(r, &tbase)) >= 2) {
    clv_trend_opts_init(&to);
    to.points = tp;
    /* A trend that cannot be had is said in the section, not fatal. */
    ts = clv_trend_compute(b->orders, b, tbase, &to, &trend, NULL);
    if (ts == CLV_ENOMEM) {
      st = ts;
      goto done;
    }
  }
  st = ms == CLV_OK ? cohorts_section(r, coh, trend, ts)
                    : module_failed(r, ms, "cohorts", "Cohorts", "队列");
  if (st != CLV_OK)
    goto done;
  ms = clv_cac_compute(b, NULL, &cac);
  st = ms == CLV_OK
           ? cac_section(r, cac)
           : module_failed(r, ms, "acquisition", "Acquisition", "获客");
  if (st != CLV_OK)
    goto done;
  /* The report lists the top pairs: a lower support than the module's
   * default (0.5 % of baskets) still asks for about 0.1 % of the baskets
   * (at least one), so that a catalogue of hundreds of products shows its
   * strongest pairs. */
  clv_products_opts_init(&po);
  po.min_support = 0.001;
  ms = clv_products_compute(b, &po, &prod);
  if (ms == CLV_OK)
    st = products_section(r, prod);
  else if (ms == CLV_ENOCOLUMN)
    st = note_section(r, "products", "Products", "商品",
                      TR("The order log has no product column: product "
                         "profitability, what high-value customers buy and "
                         "cross-sell pairs need one (--product COL).",
                         "订单数据没有商品列：商品盈利、高价值客户偏好与交叉"
                         "销售分析需要商品列（--product COL）。"));
  else
    st = module_failed(r, ms, "products", "Products", "商品");
  if (st != CLV_OK)
    goto done;
  ms = clv_remind_compute(b, NULL, &rm);
  if (ms == CLV_ENOMEM) {
    st = ms;
    goto done;
  }
  st = action_section(r, b, seg, ms == CLV_OK ? rm : NULL, prod);
done:
  clv_segments_free(seg);
  clv_cohorts_free(coh);
  clv_trend_free(trend);
  clv_cac_free(cac);
  clv_products_free(prod);
  clv_remind_free(rm);
  return st;
}
