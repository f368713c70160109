/*
 * whatif.c - what-if scenarios: each customer's value when the future
 * drop-out process, purchase rate, spend, margin or discount rate change
 * (clv/whatif.h). The derivations per family are in docs/whatif.md; the
 * value sum is the one of clv_customer_value() (predict.c), so that a
 * scenario without changes reproduces the base predictions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv/whatif.h"
#include "model.h"
#include "special.h"

#define DAYS_PER_YEAR 365.2425

void clv_whatif_scenario_init(clv_whatif_scenario *sc) {
  memset(sc, 0, sizeof *sc);
  sc->margin = NAN;
  sc->discount_rate = NAN;
}

/* The family's way of carrying the rate changes: 0 none (only the factor-1
 * scenario), 1 drop-out at purchases (BG/NBD, MBG/NBD), 2 drop-out in
 * continuous time (Pareto/NBD). */
static int family_kind(const clv__family *f) {
  if (strcmp(f->name, "bgnbd") == 0 || strcmp(f->name, "mbgnbd") == 0)
    return 1;
  if (strcmp(f->name, "pnbd") == 0)
    return 2;
  return 0;
}

/* Checks the scenario's rate factors for family f: c = 1 - retention scales
 * drop-out, g = 1 + frequency scales the purchase rate. */
static int rate_factors(const clv__family *f, const clv_whatif_scenario *sc,
                        double *c, double *g) {
  *c = 1.0 - sc->retention;
  *g = 1.0 + sc->frequency;
  if (!isfinite(*c) || !isfinite(*g) || !(*c > 0) || !(*g > 0))
    return CLV_EDOMAIN;
  if (*c == 1.0 && *g == 1.0)
    return CLV_OK;
  int kind = family_kind(f);
  if (kind == 0)
    return CLV_EUNSUPPORTED;
  /* In the BG families p is a probability: c p must stay a probability for
   * every p in (0, 1), so only lower drop-out (c <= 1) has a meaning. */
  if (kind == 1 && *c > 1)
    return CLV_EDOMAIN;
  return CLV_OK;
}

/*
 * E[Y(t) | alive at T, x] under the changed rates.
 * BG/NBD and MBG/NBD: given alive, lambda and p have the posteriors of the
 * base model and E[Y(t) | lambda, p] = (1 - e^(-lambda p t)) / p. With
 * lambda' = g lambda and p' = c p,
 *   (1 - e^(-g lambda c p t)) / (c p) = [(1 - e^(-lambda p (g c t))) / p] / c,
 * so the changed expectation is the base one at time g c t, divided by c.
 * Pareto/NBD: lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T) given
 * alive; g lambda ~ Gamma(r+x, (alpha+T)/g), c mu ~ Gamma(s, (beta+T)/c),
 * and E = E[lambda'] E[(1 - e^(-mu' t)) / mu'] gives eq. (10) of
 * Schmittlein et al. with those scales (written as pnbd.c writes it).
 */
static int expect_changed(const clv__family *f, const double *p, double x,
                          double T, double t, double c, double g, double *out) {
  if (c == 1.0 && g == 1.0)
    return f->expect_alive(p, x, T, t, out);
  if (family_kind(f) == 1) {
    int rc = f->expect_alive(p, x, T, g * c * t, out);
    if (rc == CLV_OK)
      *out /= c;
    return rc;
  }
  /* Pareto/NBD: p = r, alpha, s, beta. */
  double A = (p[1] + T) / g, B = (p[3] + T) / c;
  double L = log1p(t / B), v = (p[2] - 1) * L;
  *out = (p[0] + x) / A * B * L * clv__expm1_over(-v);
  return isfinite(*out) && *out >= 0 ? CLV_OK : CLV_ENUMERIC;
}

static int check_model(const clv_model *tx, const clv_summary *s) {
  if (tx == NULL || s == NULL || tx->fam->kind != CLV__KIND_TX)
    return tx != NULL && s != NULL ? CLV_EUNSUPPORTED : CLV_EINVAL;
  if (clv_summary_unit(s) != tx->unit)
    return CLV_EINVAL;
  return CLV_OK;
}

int clv_whatif_expected(const clv_model *tx, const clv_summary *s, double t,
                        const clv_whatif_scenario *sc, double *out) {
  double c, g;
  int rc = check_model(tx, s);
  if (rc || sc == NULL || out == NULL || !(t >= 0) || !isfinite(t))
    return rc ? rc : CLV_EINVAL;
  rc = rate_factors(tx->fam, sc, &c, &g);
  if (rc)
    return rc;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx_ = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    double e;
    rc = expect_changed(tx->fam, tx->p, x[i], T[i], t, c, g, &e);
    if (rc)
      return rc;
    out[i] = tx->fam->p_alive(tx->p, x[i], tx_[i], T[i]) * e;
    if (!isfinite(out[i]))
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

/* The discount rate per period of the scenario: the base's, or the yearly
 * rate D compounded to the period P (in the unit). */
static double period_rate(const clv_value_opts *vo, clv_unit unit,
                          const clv_whatif_scenario *sc) {
  if (isnan(sc->discount_rate))
    return vo->discount_rate;
  double years = vo->discount_period * clv_unit_days(unit) / DAYS_PER_YEAR;
  return pow(1 + sc->discount_rate, years) - 1;
}

int clv_whatif_values(const clv_model *tx, const clv_model *spend,
                      const clv_summary *s, const clv_value_opts *vo,
                      const clv_whatif_scenario *sc, double *out) {
  double c, g, *ts = NULL, *coef = NULL, *sp = NULL;
  int rc = check_model(tx, s), K = 0;
  if (rc || vo == NULL || sc == NULL || out == NULL)
    return rc ? rc : CLV_EINVAL;
  rc = rate_factors(tx->fam, sc, &c, &g);
  if (rc)
    return rc;
  double d = period_rate(vo, tx->unit, sc);
  double margin = isnan(sc->margin) ? vo->margin : sc->margin;
  margin += sc->margin_points;
  if (!(vo->horizon > 0) || !isfinite(vo->horizon) ||
      !(vo->discount_period > 0) || !(d > -1) || !isfinite(d) ||
      !isfinite(margin) || !(sc->aov > -1) || !isfinite(sc->aov))
    return CLV_EDOMAIN;
  if (spend == NULL && sc->aov != 0)
    return CLV_EUNSUPPORTED;
  double kk = ceil(vo->horizon / vo->discount_period);
  if (kk > 100000)
    return CLV_EDOMAIN;
  K = (int)kk;
  size_t n = clv_summary_rows(s);
  ts = malloc((size_t)K * sizeof *ts);
  coef = malloc((size_t)K * sizeof *coef);
  sp = malloc((n + 1) * sizeof *sp);
  if (ts == NULL || coef == NULL || sp == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  /* Summation by parts, as predict.c: sum_k E[Y(t_k)] (D_k - D_{k+1}). */
  for (int k = 1; k <= K; k++) {
    double t = k * vo->discount_period, Dk = pow(1 + d, -k);
    ts[k - 1] = t < vo->horizon ? t : vo->horizon;
    coef[k - 1] = Dk - (k < K ? Dk / (1 + d) : 0.0);
  }
  if (spend) {
    rc = clv_expected_spend(spend, s, sp);
    if (rc)
      goto done;
  } else {
    for (size_t i = 0; i < n; i++)
      sp[i] = 1.0;
  }
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx_ = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  for (size_t i = 0; i < n; i++) {
    double val = 0, e;
    for (int k = 0; k < K; k++) {
      rc = expect_changed(tx->fam, tx->p, x[i], T[i], ts[k], c, g, &e);
      if (rc)
        goto done;
      val += coef[k] * e;
    }
    double m = sp[i] * (1 + sc->aov);
    m *= margin;
    double v = tx->fam->p_alive(tx->p, x[i], tx_[i], T[i]) * val;
    v *= m;
    if (!isfinite(v)) {
      rc = CLV_ENUMERIC;
      goto done;
    }
    out[i] = v;
  }
done:
  free(ts);
  free(coef);
  free(sp);
  return rc;
}
