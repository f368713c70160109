/*
 * cohort.h - internal helpers shared by the cohort table (cohort.c), its
 * writers and the CLV trend (trend.c): calendar periods and each customer's
 * acquisition day.
 */
#ifndef CLV_COHORT_INTERNAL_H
#define CLV_COHORT_INTERNAL_H

#include <stdint.h>

#include "clv/cohort.h"

/* The period number of a day: months or quarters since year 0, or ISO
 * weeks (Monday to Sunday) since the week of 1970-01-01. */
int64_t clv__period_of(clv_cohort_by by, int32_t day);

/* The first day of period p. */
int32_t clv__period_start(clv_cohort_by by, int64_t p);

/* The label of period p ("2010-12", "2010-W48", "2010-Q4") into buf. */
void clv__period_label(clv_cohort_by by, int64_t p, char buf[24]);

/*
 * Per customer of the table, the day of the first purchase on or before
 * as_of (INT32_MIN when the customer has none: only refunds, or rows after
 * as_of only). A purchase day is a day whose rows are not a refund with a
 * non-positive net, the summariser's purchase rule at day resolution.
 * Returns CLV_OK or CLV_ENOMEM.
 */
int clv__first_purchase_days(const clv_orders *o, int32_t as_of,
                             int32_t *first);

/* The day `months` calendar months before (negative: after) `day`, the
 * day of the month clamped to the target month's length. */
int32_t clv__months_back(int32_t day, int months);

#endif
