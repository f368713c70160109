/*
 * report_data.c - the report's sections drawn from a scored base: Overview,
 * Model fit, Tracking and Value.
 *
 * The Model fit charts are the classic checks of the BTYD literature:
 * calibration-period frequency against mean holdout purchases (Fader,
 * Hardie & Lee 2005, "Counting your customers the easy way", fig. 4), the
 * distribution of repeat purchases against the model's P(X(T) = n)
 * (ibid., fig. 2) and the frequency/recency matrices of expected purchases
 * and P(alive) (as lifetimes' plot_frequency_recency_matrix draws them).
 * Every payload is an aggregate (bins, grids, sampled curves): its size
 * does not grow with the number of customers.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clv/model.h"
#include "clv/status.h"
#include "clv/validate.h"
#include "report.h"

#define TR(en, zh) clv__report_tr(r, en, zh)

/* ---- chart specs ------------------------------------------------------- */

/* Opens a chart spec: {"type":..,"title":..,"x":{"name":..,"values":[ */
void clv__chart_open(clv__jbuf *b, const char *type, const char *title,
                     const char *xname, const char *yname, const char *yfmt) {
  clv__jb_sep(b);
  clv__jb_raw(b, "{");
  clv__jb_key(b, "type");
  clv__jb_str(b, type);
  clv__jb_key(b, "title");
  clv__jb_str(b, title);
  clv__jb_key(b, "xname");
  clv__jb_str(b, xname);
  clv__jb_key(b, "yname");
  clv__jb_str(b, yname);
  clv__jb_key(b, "yfmt");
  clv__jb_str(b, yfmt);
}

void clv__series(clv__jbuf *b, const char *name, const char *kind,
                 const double *v, size_t n) {
  clv__jb_sep(b);
  clv__jb_raw(b, "{");
  clv__jb_key(b, "name");
  clv__jb_str(b, name);
  clv__jb_key(b, "kind");
  clv__jb_str(b, kind);
  clv__jb_key(b, "data");
  clv__jb_nums(b, v, n);
  clv__jb_raw(b, "}");
}

void clv__kpi(clv__jbuf *b, const char *label, double v, const char *kind) {
  clv__jb_sep(b);
  clv__jb_raw(b, "{");
  clv__jb_key(b, "label");
  clv__jb_str(b, label);
  clv__jb_key(b, "value");
  clv__jb_num(b, v);
  clv__jb_key(b, "kind");
  clv__jb_str(b, kind);
  clv__jb_raw(b, "}");
}

void clv__kpi_text(clv__jbuf *b, const char *label, const char *text) {
  clv__jb_sep(b);
  clv__jb_raw(b, "{");
  clv__jb_key(b, "label");
  clv__jb_str(b, label);
  clv__jb_key(b, "text");
  clv__jb_str(b, text);
  clv__jb_raw(b, "}");
}

int clv__finish(clv_report *r, clv__jbuf *b, const char *id, const char *en,
                const char *zh) {
  int st = b->failed ? CLV_ENOMEM : clv_report_add_section(r, id, en, zh, b->p);
  clv__jb_free(b);
  return st;
}

static double weight_of(const double *w, size_t i) {
  return w != NULL ? w[i] : 1.0;
}

/* The unit's name in the report's language. */
static const char *unit_label(const clv_report *r, clv_unit u) {
  const char *en = clv_unit_name(u);
  if (strcmp(en, "day") == 0)
    return TR("days", "天");
  if (strcmp(en, "week") == 0)
    return TR("weeks", "周");
  if (strcmp(en, "month") == 0)
    return TR("months", "个月");
  if (strcmp(en, "year") == 0)
    return TR("years", "年");
  return en;
}

/* ---- Overview ------------------------------------------------------------ */

static int overview(clv_report *r, const clv_base *base) {
  const clv_run_result *run = base->run;
  const clv_summary *s = run->summary;
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const clv_predictions *p = run->pred;
  const clv_validation *v = run->validation;
  size_t i, n = clv_summary_rows(s);
  double alive = 0, cust = run->customers;
  clv__jbuf b = {0};
  char buf[64];
  for (i = 0; i < n; i++)
    alive += weight_of(w, i) * p->p_alive[i];
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Customers", "客户数"), cust, "int");
  clv__kpi(&b, TR("Active share (mean P(alive))", "活跃占比（平均存活概率）"),
           cust > 0 ? alive / cust : NAN, "pct");
  clv__kpi(&b, TR("Repeat buyers", "复购客户占比"), run->repeat_share, "pct");
  clv__kpi(&b, TR("Historic revenue", "历史收入"), run->historic_revenue,
           "money");
  clv__kpi(&b, TR("Predicted CLV, total", "预测客户价值总额"), run->value_total,
           "money");
  clv__kpi(&b, TR("Predicted CLV per customer", "人均预测客户价值"),
           cust > 0 ? run->value_total / cust : NAN, "money");
  clv__kpi_text(&b, TR("Purchase model", "购买模型"),
                clv_model_family(run->tx));
  if (v != NULL && v->chosen >= 0) {
    const clv_validation_model *m = &v->models[v->chosen];
    double err = v->total_actual > 0
                     ? (m->total_predicted - v->total_actual) / v->total_actual
                     : NAN;
    clv__kpi(&b, TR("Holdout purchases, actual", "验证期实际购买次数"),
             v->total_actual, "int");
    clv__kpi(&b, TR("Holdout purchases, predicted", "验证期预测购买次数"),
             m->total_predicted, "num");
    clv__kpi(&b, TR("Holdout total error", "验证期总量误差"), err, "pct");
    clv__kpi(&b, TR("Holdout MAE per customer", "验证期人均绝对误差"), m->mae,
             "num");
  }
  snprintf(buf, sizeof buf, "%.1f %s", p->value_opts.horizon,
           unit_label(r, clv_summary_unit(s)));
  clv__kpi_text(&b, TR("Horizon", "预测期"), buf);
  clv__jb_raw(&b, "]");
  clv__jb_key(&b, "notes");
  clv__jb_raw(&b, "[");
  /* One item per note, worded in the report's language where the note was
   * made (run.c, base.c, model.c, validate.c). */
  int quoted = 0;
  for (i = 0; i < run->note_count; i++) {
    const clv_note *note = &run->note_list[i];
    clv__jb_sep(&b);
    clv__jb_str(&b, TR(note->en, note->zh));
    if (v != NULL && v->choice[0] != '\0' && strstr(note->en, v->choice))
      quoted = 1;
  }
  /* The run's notes usually quote the model choice already. */
  if (v != NULL && v->choice[0] != '\0' && !quoted) {
    clv__jb_sep(&b);
    clv__jb_str(&b, TR(v->choice, v->choice_zh));
  }
  clv__jb_raw(&b, "]}");
  return clv__finish(r, &b, "overview", "Overview", "概览");
}

/* ---- Model fit ----------------------------------------------------------- */

/* Calibration frequency bins against mean holdout purchases. */
static void calibration_chart(clv_report *r, const clv_base *base,
                              clv__jbuf *b) {
  const clv_validation *v = base->run->validation;
  const clv_validation_model *m;
  int k;
  if (v == NULL || v->chosen < 0 || v->nbins <= 0)
    return;
  m = &v->models[v->chosen];
  if (m->bin_predicted == NULL)
    return;
  clv__chart_open(b, "bar",
                  TR("Holdout purchases by calibration frequency",
                     "按校准期购买次数分组的验证期购买"),
                  TR("Repeat purchases in calibration", "校准期复购次数"),
                  TR("Mean purchases in holdout", "验证期平均购买次数"), "num");
  clv__jb_key(b, "x");
  clv__jb_raw(b, "[");
  for (k = 0; k < v->nbins; k++) {
    char lab[16];
    snprintf(lab, sizeof lab, k + 1 < v->nbins ? "%d" : "%d+", k);
    clv__jb_sep(b);
    clv__jb_str(b, lab);
  }
  clv__jb_raw(b, "]");
  clv__jb_key(b, "series");
  clv__jb_raw(b, "[");
  clv__series(b, TR("Actual", "实际"), "bar", v->bin_actual, (size_t)v->nbins);
  clv__series(b, TR("Model", "模型"), "line", m->bin_predicted,
              (size_t)v->nbins);
  clv__series(b, TR("Customers", "客户数"), "hidden", v->bin_customers,
              (size_t)v->nbins);
  clv__jb_raw(b, "]}");
}

/* Customers by repeat purchases against the model: sum over customers of
 * P(X(T_i) = n), with the ages T_i grouped into at most 200 bins so that the
 * cost does not grow with the base. */
static int frequency_chart(clv_report *r, const clv_base *base, clv__jbuf *b) {
  enum { K = 10, TB = 200 };
  const clv_summary *s = base->run->summary;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  size_t i, n = clv_summary_rows(s);
  double actual[K + 1] = {0}, model[K + 1] = {0};
  double tw[TB] = {0}, tsum[TB] = {0}, tmax = 0;
  int k, j, st = CLV_OK;
  for (i = 0; i < n; i++)
    if (T[i] > tmax)
      tmax = T[i];
  if (tmax <= 0)
    return CLV_OK;
  for (i = 0; i < n; i++) {
    double wi = weight_of(w, i);
    int xb = x[i] >= K ? K : (int)x[i];
    j = (int)(T[i] / tmax * (TB - 1));
    actual[xb] += wi;
    tw[j] += wi;
    tsum[j] += wi * T[i];
  }
  for (j = 0; j < TB; j++) {
    double t, rest = 1, pk;
    if (tw[j] <= 0)
      continue;
    t = tsum[j] / tw[j];
    for (k = 0; k < K; k++) {
      st = clv_pmf(base->run->tx, t, k, &pk);
      if (st != CLV_OK)
        return st == CLV_EUNSUPPORTED ? CLV_OK : st;
      model[k] += tw[j] * pk;
      rest -= pk;
    }
    model[K] += tw[j] * (rest > 0 ? rest : 0);
  }
  clv__chart_open(b, "bar",
                  TR("Customers by repeat purchases: actual vs model",
                     "按复购次数的客户分布：实际与模型"),
                  TR("Repeat purchases", "复购次数"), TR("Customers", "客户数"),
                  "int");
  clv__jb_key(b, "x");
  clv__jb_raw(b, "[");
  for (k = 0; k <= K; k++) {
    char lab[16];
    snprintf(lab, sizeof lab, k < K ? "%d" : "%d+", k);
    clv__jb_sep(b);
    clv__jb_str(b, lab);
  }
  clv__jb_raw(b, "]");
  clv__jb_key(b, "series");
  clv__jb_raw(b, "[");
  clv__series(b, TR("Actual", "实际"), "bar", actual, K + 1);
  clv__series(b, TR("Model", "模型"), "bar", model, K + 1);
  clv__jb_raw(b, "]}");
  return CLV_OK;
}

/*
 * The k-th smallest of v[0..n) (k < n), reordering v: Hoare's selection
 * ("FIND", Hoare 1961), expected linear time, where sorting ten million
 * values for one median took seconds. The pivot is the median of the
 * first, middle and last values, moved to the middle: Hoare's partition
 * with a pivot that is not the last element always shrinks the range, and
 * equal values (most x are 0) fall on both sides, so ties stay linear.
 */
static double select_kth(double *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2, i, j;
    double p, t;
    if (v[mid] < v[lo]) {
      t = v[mid], v[mid] = v[lo], v[lo] = t;
    }
    if (v[hi] < v[mid]) {
      t = v[hi], v[hi] = v[mid], v[mid] = t;
      if (v[mid] < v[lo]) {
        t = v[mid], v[mid] = v[lo], v[lo] = t;
      }
    }
    p = v[mid];
    i = lo;
    j = hi;
    for (;;) {
      while (v[i] < p)
        i++;
      while (v[j] > p)
        j--;
      if (i >= j)
        break;
      t = v[i], v[i] = v[j], v[j] = t;
      i++;
      j--;
    }
    /* Now v[lo..j] <= p <= v[j+1..hi], with lo <= j < hi. */
    if (k <= j)
      hi = j;
    else
      lo = j + 1;
  }
  return v[k];
}

/* Frequency x recency matrices at the median age (lifetimes'
 * plot_frequency_recency_matrix): expected purchases in the horizon and
 * P(alive) for every x = 0..X and t_x on a grid up to the median T. */
static int heatmaps(clv_report *r, const clv_base *base, clv__jbuf *b) {
  const clv_summary *s = base->run->summary;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  size_t i, n = clv_summary_rows(s), g = 0, nx, nt = 16;
  double *tmp = NULL, *gx = NULL, *gt = NULL, *gT = NULL, *e = NULL, *pa = NULL,
         medT, xmax;
  clv_summary *grid = NULL;
  int st = CLV_OK, pass;
  char xname[96];
  snprintf(xname, sizeof xname,
           TR("Recency (t_x, %s)", "最近购买时间 t_x（%s）"),
           unit_label(r, clv_summary_unit(s)));
  if (n == 0)
    goto done;
  st = CLV_ENOMEM;
  tmp = malloc(n * sizeof *tmp);
  if (tmp == NULL)
    goto done;
  memcpy(tmp, T, n * sizeof *tmp);
  medT = select_kth(tmp, n, n / 2);
  memcpy(tmp, x, n * sizeof *tmp);
  /* The 99th percentile of x, at least 5 and at most 40 rows. */
  xmax = select_kth(tmp, n, (size_t)((double)(n - 1) * 0.99));
  xmax = xmax < 5 ? 5 : xmax > 40 ? 40 : floor(xmax);
  nx = (size_t)xmax + 1;
  st = CLV_OK;
  if (medT <= 0)
    goto done;
  st = CLV_ENOMEM;
  gx = malloc(nx * nt * sizeof *gx);
  gt = malloc(nx * nt * sizeof *gt);
  gT = malloc(nx * nt * sizeof *gT);
  e = malloc(nx * nt * sizeof *e);
  pa = malloc(nx * nt * sizeof *pa);
  if (gx == NULL || gt == NULL || gT == NULL || e == NULL || pa == NULL)
    goto done;
  for (i = 0; i < nx; i++) {
    size_t j;
    for (j = 0; j < nt; j++) {
      gx[g] = (double)i;
      gt[g] = medT * (double)j / (double)(nt - 1);
      gT[g] = medT;
      g++;
    }
  }
  st = clv_summary_from_arrays(&grid, clv_summary_unit(s), g, gx, gt, gT, NULL,
                               NULL);
  if (st != CLV_OK)
    goto done;
  st = clv_expected_purchases(base->run->tx, grid,
                              base->run->pred->value_opts.horizon, e);
  if (st == CLV_OK)
    st = clv_p_alive(base->run->tx, grid, pa);
  if (st != CLV_OK) {
    /* A family without these predictions draws no matrix. */
    st = st == CLV_EUNSUPPORTED ? CLV_OK : st;
    goto done;
  }
  for (pass = 0; pass < 2; pass++) {
    const double *z = pass == 0 ? e : pa;
    size_t j;
    clv__chart_open(b, "heatmap",
                    pass == 0 ? TR("Expected purchases in the horizon by "
                                   "frequency and recency",
                                   "按频次与最近购买的预测期预期购买次数")
                              : TR("P(alive) by frequency and recency",
                                   "按频次与最近购买的存活概率"),
                    xname, TR("Repeat purchases (x)", "复购次数 (x)"),
                    pass == 0 ? "num" : "pct");
    clv__jb_key(b, "x");
    clv__jb_nums(b, gt, nt);
    clv__jb_key(b, "y");
    clv__jb_raw(b, "[");
    for (i = 0; i < nx; i++) {
      clv__jb_sep(b);
      clv__jb_num(b, (double)i);
    }
    clv__jb_raw(b, "]");
    clv__jb_key(b, "z");
    clv__jb_raw(b, "[");
    for (i = 0; i < nx; i++)
      for (j = 0; j < nt; j++) {
        double cell[3] = {(double)j, (double)i, z[i * nt + j]};
        clv__jb_sep(b);
        clv__jb_nums(b, cell, 3);
      }
    clv__jb_raw(b, "]}");
  }
  st = CLV_OK;
done:
  clv_summary_free(grid);
  free(tmp);
  free(gx);
  free(gt);
  free(gT);
  free(e);
  free(pa);
  return st;
}

static int model_fit(clv_report *r, const clv_base *base) {
  clv__jbuf b = {0};
  int st;
  clv__jb_raw(&b, "{\"charts\":[");
  calibration_chart(r, base, &b);
  st = frequency_chart(r, base, &b);
  if (st == CLV_OK)
    st = heatmaps(r, base, &b);
  clv__jb_raw(&b, "]}");
  if (st != CLV_OK) {
    clv__jb_free(&b);
    return st;
  }
  return clv__finish(r, &b, "fit", "Model fit", "模型拟合");
}

/* ---- Value -----------------------------------------------------------------
 */

typedef struct vw {
  double v, w;
} vw;

static int cmp_vw_desc(const void *a, const void *c) {
  double u = ((const vw *)a)->v, v = ((const vw *)c)->v;
  return (u < v) - (u > v);
}

static int value_section(clv_report *r, const clv_base *base) {
  const clv_summary *s = base->run->summary;
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *val = base->run->pred->value;
  size_t i, n = clv_summary_rows(s), nb = (size_t)clv__report_max_points(r);
  size_t np = nb;
  vw *a = NULL;
  double *cnt = NULL, *edge = NULL, *px = NULL, *py = NULL;
  double total = 0, wtot = 0, hi, cw, cv, top20 = NAN;
  clv__jbuf b = {0};
  int st = CLV_ENOMEM;
  a = malloc((n ? n : 1) * sizeof *a);
  cnt = calloc(nb, sizeof *cnt);
  edge = malloc(nb * sizeof *edge);
  px = malloc((np + 1) * sizeof *px);
  py = malloc((np + 1) * sizeof *py);
  if (a == NULL || cnt == NULL || edge == NULL || px == NULL || py == NULL)
    goto done;
  for (i = 0; i < n; i++) {
    a[i].v = isfinite(val[i]) ? val[i] : 0;
    a[i].w = weight_of(w, i);
    total += a[i].w * a[i].v;
    wtot += a[i].w;
  }
  qsort(a, n, sizeof *a, cmp_vw_desc);
  /* Histogram up to the 99th percentile so that a few very valuable
   * customers do not squash the bars; the last bar holds the rest. */
  hi = n > 0 ? a[(size_t)((double)(n - 1) * 0.01)].v : 0;
  if (!(hi > 0))
    hi = 1;
  for (i = 0; i < nb; i++)
    edge[i] = hi * (double)i / (double)(nb - 1);
  for (i = 0; i < n; i++) {
    double v = a[i].v < 0 ? 0 : a[i].v;
    size_t k = (size_t)(v / hi * (double)(nb - 1));
    cnt[k < nb ? k : nb - 1] += a[i].w;
  }
  /* Pareto curve: share of value held by the top share of customers,
   * sampled at np + 1 evenly spaced customer shares. */
  cw = cv = 0;
  px[0] = py[0] = 0;
  {
    size_t k = 1;
    for (i = 0; i < n && k <= np; i++) {
      cw += a[i].w;
      cv += a[i].w * a[i].v;
      while (k <= np && cw >= wtot * (double)k / (double)np - 1e-9) {
        px[k] = (double)k / (double)np;
        py[k] = total > 0 ? cv / total : NAN;
        k++;
      }
      if (!isfinite(top20) && cw >= 0.2 * wtot - 1e-9)
        top20 = total > 0 ? cv / total : NAN;
    }
    for (; k <= np; k++) {
      px[k] = (double)k / (double)np;
      py[k] = total > 0 ? 1 : NAN;
    }
  }
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Predicted CLV, total", "预测客户价值总额"), total, "money");
  clv__kpi(
      &b,
      TR("Share of value in the top 20% of customers", "前 20% 客户的价值占比"),
      top20, "pct");
  clv__kpi(&b, TR("Median CLV", "客户价值中位数"), n > 0 ? a[n / 2].v : NAN,
           "money");
  clv__kpi(&b, TR("Value of a new customer", "新客户价值"),
           base->run->pred->new_value, "money");
  clv__jb_raw(&b, "],\"charts\":[");
  clv__chart_open(&b, "bar",
                  TR("Distribution of predicted CLV", "预测客户价值分布"),
                  TR("Predicted CLV (bin start; last bin: and above)",
                     "预测客户价值（区间起点；最后一档及以上）"),
                  TR("Customers", "客户数"), "int");
  clv__jb_key(&b, "xfmt");
  clv__jb_str(&b, "money");
  clv__jb_key(&b, "x");
  clv__jb_nums(&b, edge, nb);
  clv__jb_key(&b, "series");
  clv__jb_raw(&b, "[");
  clv__series(&b, TR("Customers", "客户数"), "bar", cnt, nb);
  clv__jb_raw(&b, "]}");
  clv__chart_open(&b, "line", TR("Pareto curve of value", "客户价值帕累托曲线"),
                  TR("Share of customers, most valuable first",
                     "客户占比（按价值从高到低）"),
                  TR("Share of predicted value", "预测价值占比"), "pct");
  clv__jb_key(&b, "xfmt");
  clv__jb_str(&b, "pct");
  clv__jb_key(&b, "x");
  clv__jb_nums(&b, px, np + 1);
  clv__jb_key(&b, "series");
  clv__jb_raw(&b, "[");
  clv__series(&b, TR("Share of value", "价值占比"), "area", py, np + 1);
  clv__series(&b, TR("Equal shares", "均匀分布"), "dashed", px, np + 1);
  clv__jb_raw(&b, "]}]}");
  st = clv__finish(r, &b, "value", "Value", "价值");
done:
  clv__jb_free(&b);
  free(a);
  free(cnt);
  free(edge);
  free(px);
  free(py);
  return st;
}

/* Tracking (Fader, Hardie & Lee 2005, fig. 2): the cohort's expected
 * cumulative repeat purchases under the chosen model against the actual
 * ones, period by period, and the same per period. The run computes the
 * curve (run.c, add_tracking); without it the section says why. */
static int tracking_section(clv_report *r, const clv_base *base) {
  const clv_tracking *t = base->run->tracking;
  const char *unit = unit_label(r, clv_summary_unit(base->run->summary));
  clv__jbuf b = {0};
  double *x = NULL;
  size_t k, n;
  char xname[96];
  int st = CLV_ENOMEM, pass;
  if (t == NULL || t->periods == 0) {
    clv__jb_raw(&b, "{");
    clv__jb_key(&b, "slot");
    clv__jb_str(&b, TR("No tracking curve for this log: the run could not "
                       "compute one (see the notes in the Overview).",
                       "此数据无跟踪曲线：运行未能计算（见概览中的说明）。"));
    clv__jb_raw(&b, "}");
    return clv__finish(r, &b, "tracking", "Tracking", "跟踪");
  }
  n = t->periods;
  x = malloc(n * sizeof *x);
  if (x == NULL)
    goto done;
  for (k = 0; k < n; k++)
    x[k] = (double)(k + 1) * t->period_length;
  snprintf(
      xname, sizeof xname, TR("%s (%s)", "%s（%s）"),
      TR("Time since the first purchase of the cohort", "距队列首次购买的时间"),
      unit);
  clv__jb_raw(&b, "{\"kpis\":[");
  clv__kpi(&b, TR("Repeat purchases to date, actual", "至今复购次数（实际）"),
           t->actual != NULL ? t->actual[n - 1] : NAN, "int");
  clv__kpi(&b, TR("Repeat purchases to date, model", "至今复购次数（模型）"),
           t->expected[n - 1], "num");
  if (t->actual != NULL && isfinite(t->actual[n - 1]) && t->actual[n - 1] > 0)
    clv__kpi(&b, TR("Model error at the end", "期末模型误差"),
             (t->expected[n - 1] - t->actual[n - 1]) / t->actual[n - 1], "pct");
  clv__jb_raw(&b, "],\"charts\":[");
  for (pass = 0; pass < 2; pass++) {
    const double *e = pass == 0 ? t->expected : t->expected_incremental;
    const double *a = pass == 0 ? t->actual : t->actual_incremental;
    clv__chart_open(&b, "line",
                    pass == 0 ? TR("Cumulative repeat purchases: actual vs "
                                   "model",
                                   "累计复购次数：实际与模型")
                              : TR("Repeat purchases per period: actual vs "
                                   "model",
                                   "每期复购次数：实际与模型"),
                    xname, TR("Repeat purchases", "复购次数"), "num");
    /* Periods are whole weeks (or whole multiples of the unit). */
    clv__jb_key(&b, "xfmt");
    clv__jb_str(&b,
                t->period_length == floor(t->period_length) ? "int" : "num");
    clv__jb_key(&b, "x");
    clv__jb_nums(&b, x, n);
    clv__jb_key(&b, "series");
    clv__jb_raw(&b, "[");
    if (a != NULL)
      clv__series(&b, TR("Actual", "实际"), "line", a, n);
    clv__series(&b, TR("Model", "模型"), "dashed", e, n);
    clv__jb_raw(&b, "]}");
  }
  clv__jb_raw(&b, "]}");
  st = clv__finish(r, &b, "tracking", "Tracking", "跟踪");
done:
  clv__jb_free(&b);
  free(x);
  return st;
}

int clv_report_add_base_sections(clv_report *r, const clv_base *b) {
  int st;
  if (r == NULL || b == NULL || b->run == NULL || b->run->summary == NULL ||
      b->run->pred == NULL || b->run->tx == NULL)
    return CLV_EINVAL;
  if (clv_summary_rows(b->run->summary) == 0)
    return CLV_EEMPTY;
  st = overview(r, b);
  if (st == CLV_OK)
    st = model_fit(r, b);
  if (st == CLV_OK)
    st = tracking_section(r, b);
  if (st == CLV_OK)
    st = value_section(r, b);
  return st;
}
