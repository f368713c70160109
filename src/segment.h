/*
 * segment.h - internal contracts between the files of clv segment:
 * segment.c (tiers, risk bands, tables), rfm.c (RFM scores and groups) and
 * concentration.c (Pareto curve, Gini).
 */
#ifndef CLV_SRC_SEGMENT_H
#define CLV_SRC_SEGMENT_H

#include <stddef.h>

#include "clv/segment.h"

/*
 * Fills s->r_score/f_score/m_score (1..5 quintile scores), s->rfm8 and
 * s->rfm11 and the splits from s->recency_days, s->frequency and
 * s->monetary (s->rows entries), with weights w (NULL: 1). median != 0
 * splits the 8 types at the weighted median, else at the weighted mean.
 * Returns CLV_OK or CLV_ENOMEM.
 */
int clv__rfm_assign(clv_segments *s, const double *w, int median);

/*
 * Fills c from n values with weights w (NULL: 1): the Pareto curve with
 * points + 1 entries, the top shares and the Gini coefficient. Negative
 * values count as 0. Returns CLV_OK or CLV_ENOMEM (c->curve is then NULL).
 */
int clv__concentration(size_t n, const double *v, const double *w,
                       size_t points, clv_concentration *c);

/* Writes the split as a JSON object without a line end (the member "by" of
 * segments.json, or the whole of clv_seg_split_write_json()). CLV_OK or
 * CLV_EIO. */
int clv__seg_split_put_json(const clv_seg_split *r, FILE *f);

#endif
