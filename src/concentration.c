/*
 * concentration.c - how concentrated a value is over customers: the Pareto
 * curve (the Lorenz curve read from the top: share of value held by the
 * top q of customers), the top 1/5/10/20% shares and the Gini coefficient
 * (Gini 1912; the area form G = 2 * area under the top curve - 1, which
 * for n equal weights is the mean absolute difference over twice the mean,
 * with (n - 1) / n the most a finite base can reach).
 */
#include <stdlib.h>

#include "segment.h"

typedef struct wv {
  double v, w;
} wv;

static int cmp_desc(const void *a, const void *b) {
  double x = ((const wv *)a)->v, y = ((const wv *)b)->v;
  return (x < y) - (x > y);
}

/*
 * Share of value held by the top q (0..1) of the weight, walking forward
 * from the state (*at, *cw, *cv): the curve is linear inside a customer, as
 * if a customer's weight could be split. Calls come with rising q, so the
 * walk over all points is linear.
 */
static double top_share(const wv *a, size_t n, double wsum, double vsum,
                        double q, size_t *at, double *cw, double *cv) {
  double target = q * wsum;
  while (*at < n && *cw + a[*at].w <= target) {
    *cw += a[*at].w;
    *cv += a[*at].v * a[*at].w;
    (*at)++;
  }
  double part = 0;
  if (*at < n && a[*at].w > 0)
    part = (target - *cw) / a[*at].w * a[*at].v * a[*at].w;
  double s = (*cv + part) / vsum;
  return s > 1 ? 1 : s;
}

static double share_at(const wv *a, size_t n, double wsum, double vsum,
                       double q) {
  size_t at = 0;
  double cw = 0, cv = 0;
  return top_share(a, n, wsum, vsum, q, &at, &cw, &cv);
}

int clv__concentration(size_t n, const double *v, const double *w,
                       size_t points, clv_concentration *c) {
  int rc = CLV_OK;
  wv *a = malloc((n ? n : 1) * sizeof *a);
  c->points = points + 1;
  c->curve = calloc(points + 1, sizeof *c->curve);
  if (!a || !c->curve) {
    rc = CLV_ENOMEM;
    goto done;
  }
  double wsum = 0, vsum = 0;
  c->negative = 0;
  for (size_t i = 0; i < n; i++) {
    double wi = w ? w[i] : 1.0;
    a[i].w = wi;
    a[i].v = v[i] > 0 ? v[i] : 0;
    if (v[i] < 0)
      c->negative += wi;
    wsum += wi;
    vsum += wi * a[i].v;
  }
  c->gini = c->top1 = c->top5 = c->top10 = c->top20 = 0;
  /* Nothing to share out: every figure stays 0 rather than 0/0. */
  if (!(vsum > 0) || !(wsum > 0))
    goto done;
  qsort(a, n, sizeof *a, cmp_desc);
  size_t at = 0;
  double cw = 0, cv = 0;
  for (size_t k = 0; k <= points; k++)
    c->curve[k] =
        top_share(a, n, wsum, vsum, (double)k / (double)points, &at, &cw, &cv);
  c->top1 = share_at(a, n, wsum, vsum, 0.01);
  c->top5 = share_at(a, n, wsum, vsum, 0.05);
  c->top10 = share_at(a, n, wsum, vsum, 0.10);
  c->top20 = share_at(a, n, wsum, vsum, 0.20);
  /* Area under the top curve, exactly: a trapezoid per customer. */
  double area = 0, prev = 0, run = 0;
  for (size_t i = 0; i < n; i++) {
    run += a[i].v * a[i].w / vsum;
    area += a[i].w / wsum * 0.5 * (prev + run);
    prev = run;
  }
  c->gini = 2 * area - 1;
done:
  free(a);
  if (rc) {
    free(c->curve);
    c->curve = NULL;
  }
  return rc;
}
