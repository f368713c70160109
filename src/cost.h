/*
 * cost.h - the cost of an order row (internal), shared by the streaming
 * summary (ingest.c) and the order table (orders_read.c), so that
 * `clv run` and the business commands read costs, and so value margins,
 * by one rule. The rules are in docs/orders.md ("Costs and margin").
 */
#ifndef CLV_COST_H
#define CLV_COST_H

#include <stddef.h>

#include "ingest.h"

/* clv__cost_kind and clv__cost_plan are in ingest.h (a plan holds one). */

/*
 * Picks the cost columns of a log whose core columns are `core`, from the
 * user's specs in o (unit_cost_col, cost_col, margin_col: a name or 1-based
 * position, "" = not used, NULL = detected from the header names).
 * A named column wins (cost, then unit cost, then margin); else the
 * detected ones in the same order, a unit cost only with a quantity column
 * (`qty`, -1 = none) and a margin only with an amount. Writes the plan and
 * a label such as "quantity x unit_cost" ("" without costs). Returns
 * CLV_OK, or CLV_ENOCOLUMN with the reason in why.
 */
int clv__cost_pick(const clv_ingest_opts *o, const clv__field *f, size_t n,
                   int header, const clv__plan *core, int qty,
                   clv__cost_plan *out, char *label, size_t label_size,
                   char *why, size_t why_size);

/*
 * The cost of one row with the given amount and quantity. Returns NULL and
 * sets *cost, or what was expected in the plan's column (for a
 * file:line:column error) when the field does not parse or the cost is not
 * finite.
 */
const char *clv__cost_of_row(const clv__cost_plan *p, const clv__field *f,
                             double amount, double qty, double *cost);

/*
 * The column of an optional role: the user's spec (a name or position; ""
 * = none), else detection from the header names (names NULL: no header).
 * A detected column that is already a core column is not used twice.
 * Returns the column, -1 for none, or -2 when a given spec matches no
 * column.
 */
int clv__optional_col(const char *spec, clv__role role, const clv__field *names,
                      size_t n, const clv__plan *core);

/*
 * A running sum with Neumaier's compensation (Neumaier 1974, "Rundungsfehler-
 * analyse einiger Verfahren zur Summation endlicher Summen"), so that the
 * revenue and cost totals behind a margin barely depend on the order in
 * which threads add their rows.
 */
typedef struct clv__ksum {
  double s, c;
} clv__ksum;

static inline void clv__ksum_add(clv__ksum *k, double x) {
  double t = k->s + x;
  if (__builtin_fabs(k->s) >= __builtin_fabs(x))
    k->c += (k->s - t) + x;
  else
    k->c += (x - t) + k->s;
  k->s = t;
}

static inline double clv__ksum_value(const clv__ksum *k) {
  return k->s + k->c;
}

/*
 * The margin implied by revenue and cost totals: 1 - cost / revenue, kept
 * within [0, 1] and rounded to 9 decimals (so that the order of summation
 * across threads cannot change a printed value). -1 when the revenue is
 * not positive or either total is not finite.
 */
double clv__cost_margin(double revenue, double cost);

#endif
