/*
 * rfm.c - RFM scores and groups (Hughes, "Strategic Database Marketing",
 * 1994, for recency / frequency / monetary scoring).
 *
 * Two schemes are computed from the same R, F and M:
 *  - the 8 types of Chinese retail CRMs: R, F and M each "high" or "low"
 *    against the mean (or median) of the base, crossed into 重要价值 ...
 *    一般挽留;
 *  - the 11 groups of the English RFM grid (Champions ... Lost): 1-5
 *    quintile scores of R, F and M, with the grid read at R and the F-M
 *    score (F + M) / 2 rounded half up.
 * docs/segment.md gives the sources and the tie rules.
 */
#include <math.h>
#include <stdlib.h>

#include "segment.h"

/* Group order of the 8 types: index = 4 * (M low) + 2 * (R low) + (F low),
 * so that bit tests give the type directly. */
static const char *const RFM8_EN[CLV_RFM8_GROUPS] = {
    "Key value",         "Key development", "Key retention",
    "Key win-back",      "General value",   "General development",
    "General retention", "General win-back"};
static const char *const RFM8_ZH[CLV_RFM8_GROUPS] = {
    "重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
    "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"};

enum {
  G_CHAMPIONS = 0,
  G_LOYAL,
  G_POTENTIAL,
  G_NEW,
  G_PROMISING,
  G_ATTENTION,
  G_ABOUT_TO_SLEEP,
  G_AT_RISK,
  G_CANNOT_LOSE,
  G_HIBERNATING,
  G_LOST
};

static const char *const RFM11_EN[CLV_RFM11_GROUPS] = {"Champions",
                                                       "Loyal",
                                                       "Potential loyalist",
                                                       "New",
                                                       "Promising",
                                                       "Need attention",
                                                       "About to sleep",
                                                       "At risk",
                                                       "Cannot lose",
                                                       "Hibernating",
                                                       "Lost"};
static const char *const RFM11_ZH[CLV_RFM11_GROUPS] = {
    "冠军客户",   "忠诚客户", "潜在忠诚客户", "新客户",
    "有潜力客户", "需要关注", "即将沉睡",     "流失风险",
    "不能失去",   "休眠客户", "已流失"};

/* The grid: row R score 1..5, column F-M score 1..5. Recent customers with
 * one purchase are New (R 5) or Promising (R 4); the best scores on both
 * axes are Champions; high F-M with old purchases is the value at stake
 * (At risk, Cannot lose); low on both is Hibernating, and the very lowest
 * cell Lost. */
static const unsigned char GRID[5][5] = {
    {G_LOST, G_HIBERNATING, G_AT_RISK, G_AT_RISK, G_CANNOT_LOSE},
    {G_HIBERNATING, G_HIBERNATING, G_AT_RISK, G_AT_RISK, G_CANNOT_LOSE},
    {G_ABOUT_TO_SLEEP, G_ABOUT_TO_SLEEP, G_ATTENTION, G_LOYAL, G_LOYAL},
    {G_PROMISING, G_POTENTIAL, G_POTENTIAL, G_LOYAL, G_LOYAL},
    {G_NEW, G_POTENTIAL, G_POTENTIAL, G_CHAMPIONS, G_CHAMPIONS}};

const char *clv_rfm8_label(unsigned g, int zh) {
  if (g >= CLV_RFM8_GROUPS)
    return NULL;
  return zh ? RFM8_ZH[g] : RFM8_EN[g];
}

const char *clv_rfm11_label(unsigned g, int zh) {
  if (g >= CLV_RFM11_GROUPS)
    return NULL;
  return zh ? RFM11_ZH[g] : RFM11_EN[g];
}

typedef struct keyed {
  double v;
  size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  double x = ((const keyed *)a)->v, y = ((const keyed *)b)->v;
  return (x > y) - (x < y);
}

/*
 * Scores one measure into 1..5 and gives its split. The values are sorted
 * so that "worse" comes first (for recency the sign is flipped: more days
 * is worse). A customer's score is 1 + floor(5 * below / W), where below is
 * the weight of customers strictly worse: tied customers share one score,
 * that of the first of them, so a quintile is never split inside a tie.
 * The split is the weighted mean or the weighted median (the two middle
 * values averaged when the half falls between them), in the measure's own
 * sign.
 */
static void score_one(keyed *k, size_t n, const double *x, double sign,
                      const double *w, int median, unsigned char *score,
                      double *split) {
  double wsum = 0, vsum = 0;
  for (size_t i = 0; i < n; i++) {
    double wi = w ? w[i] : 1.0;
    k[i].v = sign * x[i];
    k[i].i = i;
    wsum += wi;
    vsum += wi * x[i];
  }
  qsort(k, n, sizeof *k, cmp_keyed);
  double below = 0, med = NAN;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    double gw = 0;
    while (j < n && k[j].v == k[i].v) {
      gw += w ? w[k[j].i] : 1.0;
      j++;
    }
    double q = wsum > 0 ? floor(5.0 * below / wsum) : 0;
    unsigned char sc = (unsigned char)(1 + (q > 4 ? 4 : q));
    for (size_t t = i; t < j; t++)
      score[k[t].i] = sc;
    if (isnan(med) && below + gw >= 0.5 * wsum) {
      med = sign * k[i].v;
      /* Exactly half below and at this value: average with the next. */
      if (below + gw == 0.5 * wsum && j < n)
        med = 0.5 * (med + sign * k[j].v);
    }
    below += gw;
    i = j;
  }
  *split = median ? med : (wsum > 0 ? vsum / wsum : 0);
}

int clv__rfm_assign(clv_segments *s, const double *w, int median) {
  size_t n = s->rows;
  keyed *k = malloc((n ? n : 1) * sizeof *k);
  if (!k)
    return CLV_ENOMEM;
  score_one(k, n, s->recency_days, -1.0, w, median, s->r_score, &s->r_split);
  score_one(k, n, s->frequency, 1.0, w, median, s->f_score, &s->f_split);
  score_one(k, n, s->monetary, 1.0, w, median, s->m_score, &s->m_split);
  free(k);
  for (size_t i = 0; i < n; i++) {
    /* High R is a recent purchase: fewer days than the split. Equal to the
     * split counts as low on every measure. */
    unsigned r_low = !(s->recency_days[i] < s->r_split);
    unsigned f_low = !(s->frequency[i] > s->f_split);
    unsigned m_low = !(s->monetary[i] > s->m_split);
    s->rfm8_of[i] = (uint8_t)(4 * m_low + 2 * r_low + f_low);
    unsigned fm = (s->f_score[i] + s->m_score[i] + 1u) / 2u;
    s->rfm11_of[i] = GRID[s->r_score[i] - 1][fm - 1];
  }
  return CLV_OK;
}
