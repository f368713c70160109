/*
 * cost.c - the cost of an order row: which column holds it (a cost, a unit
 * cost times the quantity, or a margin share of the amount) and its value.
 * No paper; the rules are in docs/orders.md ("Costs and margin").
 */
#include "cost.h"

#include <math.h>
#include <stdio.h>

#include "parse.h"

static int given(const char *spec) {
  return spec && spec[0];
}

int clv__optional_col(const char *spec, clv__role role, const clv__field *names,
                      size_t n, const clv__plan *core) {
  if (spec && spec[0] == '\0')
    return -1;
  if (spec) {
    int c = clv__colname_resolve(spec, names, n);
    return c >= 0 ? c : -2;
  }
  if (names == NULL)
    return -1;
  int c = clv__colname_detect(role, names, n);
  if (c == core->cust || c == core->date || c == core->amount ||
      c == core->price)
    return -1;
  return c;
}

int clv__cost_pick(const clv_ingest_opts *o, const clv__field *f, size_t n,
                   int header, const clv__plan *core, int qty,
                   clv__cost_plan *out, char *label, size_t label_size,
                   char *why, size_t why_size) {
  const clv__field *names = header ? f : NULL;
  const char *cs = o->cost_col, *us = o->unit_cost_col, *ms = o->margin_col;
  char cols[300];
  int cost = clv__optional_col(cs, CLV__ROLE_COST, names, n, core);
  int unit = clv__optional_col(us, CLV__ROLE_UNIT_COST, names, n, core);
  int margin = clv__optional_col(ms, CLV__ROLE_MARGIN, names, n, core);
  out->kind = CLV__COST_NONE;
  out->col = -1;
  out->qty = qty;
  label[0] = '\0';
  if (cost == -2 || unit == -2 || margin == -2) {
    clv__colname_list(cols, sizeof cols, f, n, header);
    snprintf(why, why_size, "expected a %s column \"%s\", found %s",
             cost == -2   ? "cost"
             : unit == -2 ? "unit cost"
                          : "margin",
             cost == -2   ? cs
             : unit == -2 ? us
                          : ms,
             cols);
    return CLV_ENOCOLUMN;
  }
  if (given(us) && qty < 0) {
    clv__colname_list(cols, sizeof cols, f, n, header);
    snprintf(why, why_size,
             "expected a quantity column to multiply the unit cost by, "
             "found %s",
             cols);
    return CLV_ENOCOLUMN;
  }
  if (given(ms) && !core->with_amount) {
    clv__colname_list(cols, sizeof cols, f, n, header);
    snprintf(why, why_size,
             "expected an amount column to apply the margin to, found %s",
             cols);
    return CLV_ENOCOLUMN;
  }
  if (qty < 0)
    unit = -1;
  if (!core->with_amount)
    margin = -1;
  if (given(cs) || (!given(us) && !given(ms) && cost >= 0)) {
    out->kind = CLV__COST_ROW;
    out->col = cost;
  } else if (given(us) || (!given(ms) && unit >= 0)) {
    out->kind = CLV__COST_UNIT;
    out->col = unit;
  } else if (margin >= 0) {
    out->kind = CLV__COST_MARGIN;
    out->col = margin;
  }
  if (out->col >= 0) {
    char a[128], b[128];
    clv__colname_copy(b, sizeof b, names, out->col);
    if (out->kind == CLV__COST_ROW) {
      snprintf(label, label_size, "%s", b);
    } else if (out->kind == CLV__COST_UNIT) {
      clv__colname_copy(a, sizeof a, names, qty);
      snprintf(label, label_size, "%s x %s", a, b);
    } else {
      snprintf(label, label_size, "amount x (1 - %s)", b);
    }
  } else {
    out->kind = CLV__COST_NONE;
  }
  return CLV_OK;
}

/*
 * Parses a margin: "35%" or "35 %" is a percentage; a bare number is a
 * share when it lies in -1..1 and a percentage when it lies in -100..100
 * beyond that (spreadsheets export either). A margin above 100% would make
 * the cost negative, so it is refused; negative margins (sold below cost)
 * are accepted down to -100%, i.e. a cost of twice the amount.
 */
static int parse_margin(const char *p, size_t n, double *out) {
  double v;
  int pct = 0;
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  if (n > 0 && p[n - 1] == '%') {
    pct = 1;
    n--;
  }
  if (!clv__parse_double(p, n, &v) || !isfinite(v))
    return 0;
  if (pct || fabs(v) > 1)
    v /= 100;
  if (v > 1 || v < -1)
    return 0;
  *out = v;
  return 1;
}

const char *clv__cost_of_row(const clv__cost_plan *p, const clv__field *f,
                             double amount, double qty, double *cost) {
  const clv__field *c = &f[p->col];
  double v;
  switch (p->kind) {
  case CLV__COST_ROW:
    if (!clv__parse_amount(c->p, c->len, &v))
      return "a cost such as 4.20";
    *cost = v;
    break;
  case CLV__COST_UNIT:
    if (!clv__parse_amount(c->p, c->len, &v))
      return "a unit cost such as 1.40";
    *cost = qty * v;
    break;
  case CLV__COST_MARGIN:
    if (!parse_margin(c->p, c->len, &v))
      return "a margin such as 0.35 or 35%";
    *cost = amount * (1 - v);
    break;
  default:
    *cost = 0;
    return NULL;
  }
  return isfinite(*cost) ? NULL : "a finite cost";
}

double clv__cost_margin(double revenue, double cost) {
  /* Sums of huge amounts can overflow: no margin then, never a NaN. */
  if (!(revenue > 0) || !isfinite(revenue) || !isfinite(cost))
    return -1;
  double m = 1 - cost / revenue;
  if (!isfinite(m))
    return -1;
  m = m < 0 ? 0 : m > 1 ? 1 : m;
  return round(m * 1e9) / 1e9;
}
