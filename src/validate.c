/*
 * validate.c - calibration/holdout validation of the transaction models and
 * the choice between them.
 *
 * Fader, Hardie & Lee (2005, Marketing Science 24(2) 275-284) judge the
 * BG/NBD against the Pareto/NBD by fitting both on a 39-week calibration
 * period and comparing E[Y(39) | x, t_x, T] with the purchases each customer
 * then made in the 39-week holdout: in total, and averaged by calibration
 * frequency (the conditional-expectation table). This file does the same for
 * every registered transaction family and adds per-customer errors (MAE,
 * RMSE, correlation), AIC and BIC, and a choice rule that says why.
 */
#include "clv/validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* The transaction families of the registry, in registry order, as a
 * NULL-terminated list: the default set to validate, so that a newly
 * registered family is compared without a change here. */
static void registered_families(const char **out, size_t cap) {
  size_t n = 0;
  int tx;
  const char *name;
  for (size_t i = 0; n + 1 < cap && (name = clv_model_family_name(i, &tx)); i++)
    if (tx)
      out[n++] = name;
  out[n] = NULL;
}

void clv_validate_opts_init(clv_validate_opts *o) {
  memset(o, 0, sizeof *o);
  o->families = NULL;
  o->bins = 7;
  o->holdout_length = 0;
  o->min_repeat_buyers = 30;
  o->min_span_days = 90;
  o->tie_tolerance = 1e-4;
  clv_fit_opts_init(&o->fit);
}

static void set_err(clv_error *err, int status, const char *msg) {
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = status;
  snprintf(err->message, sizeof err->message, "%s", msg);
}

void clv_validation_free(clv_validation *v) {
  if (v == NULL)
    return;
  for (size_t i = 0; i < v->nmodels; i++) {
    clv_model_free(v->models[i].model);
    free(v->models[i].bin_predicted);
    free(v->models[i].predicted);
  }
  free(v->models);
  free(v->bin_customers);
  free(v->bin_actual);
  free(v);
}

/* The bin of calibration frequency x: 0..bins-1, and bins for x >= bins. */
static int bin_of(double x, int bins) {
  return x >= bins ? bins : (int)x;
}

/*
 * E[Y(d_i) | x_i, t_x_i, T_i] for every row. The holdout length d_i is one
 * number for a summary made by `clv summary --holdout-from`, so the common
 * case is one call over the whole table; rows with other lengths are
 * predicted as sub-tables of equal length, which keeps the work linear.
 */
static int predict_holdout(const clv_model *m, const clv_summary *s,
                           const double *dur, double *out) {
  size_t n = clv_summary_rows(s), k = 0;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *tx = clv_summary_col(s, CLV_COL_TX);
  const double *T = clv_summary_col(s, CLV_COL_T);
  double *bx = NULL, *btx = NULL, *bT = NULL, *bout = NULL;
  size_t *idx = NULL;
  unsigned char *done = NULL;
  clv_summary *sub = NULL;
  int rc = CLV_OK;
  size_t i;

  for (i = 1; i < n && dur[i] == dur[0]; i++)
    ;
  if (i == n)
    return clv_expected_purchases(m, s, dur[0], out);

  bx = malloc(n * sizeof *bx);
  btx = malloc(n * sizeof *btx);
  bT = malloc(n * sizeof *bT);
  bout = malloc(n * sizeof *bout);
  idx = malloc(n * sizeof *idx);
  done = calloc(n, 1);
  if (!bx || !btx || !bT || !bout || !idx || !done) {
    rc = CLV_ENOMEM;
    goto done;
  }
  /* One pass per distinct length: quadratic only in the number of distinct
   * lengths, which is tiny in practice. */
  for (size_t first = 0; first < n; first++) {
    if (done[first])
      continue;
    k = 0;
    for (i = first; i < n; i++)
      if (!done[i] && dur[i] == dur[first]) {
        done[i] = 1;
        idx[k] = i;
        bx[k] = x[i];
        btx[k] = tx[i];
        bT[k] = T[i];
        k++;
      }
    rc = clv_summary_from_arrays(&sub, clv_summary_unit(s), k, bx, btx, bT,
                                 NULL, NULL);
    if (rc == CLV_OK)
      rc = clv_expected_purchases(m, sub, dur[first], bout);
    clv_summary_free(sub);
    sub = NULL;
    if (rc)
      goto done;
    for (i = 0; i < k; i++)
      out[idx[i]] = bout[i];
  }
done:
  free(bx);
  free(btx);
  free(bT);
  free(bout);
  free(idx);
  free(done);
  return rc;
}

/*
 * Holdout errors of one fitted family: weighted totals, MAE, RMSE and the
 * Pearson correlation (weights are numbers of identical customers, so a
 * weight-n row counts n times), and the mean prediction per bin.
 */
static void score(clv_validation *v, clv_validation_model *r,
                  const clv_summary *s, int bins) {
  size_t n = clv_summary_rows(s);
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *y = clv_summary_col(s, CLV_COL_X_HOLDOUT);
  double W = v->customers, sp = 0, sa = 0, se = 0, sq = 0;
  double mp, ma, cpp = 0, caa = 0, cpa = 0;

  for (int b = 0; b <= bins; b++)
    r->bin_predicted[b] = 0;
  for (size_t i = 0; i < n; i++) {
    double d = r->predicted[i] - y[i];
    sp += w[i] * r->predicted[i];
    sa += w[i] * y[i];
    se += w[i] * fabs(d);
    sq += w[i] * d * d;
    r->bin_predicted[bin_of(x[i], bins)] += w[i] * r->predicted[i];
  }
  for (int b = 0; b <= bins; b++)
    r->bin_predicted[b] = v->bin_customers[b] > 0
                              ? r->bin_predicted[b] / v->bin_customers[b]
                              : NAN;
  r->total_predicted = sp;
  r->mae = se / W;
  r->rmse = sqrt(sq / W);
  mp = sp / W;
  ma = sa / W;
  for (size_t i = 0; i < n; i++) {
    double dp = r->predicted[i] - mp, da = y[i] - ma;
    cpp += w[i] * dp * dp;
    caa += w[i] * da * da;
    cpa += w[i] * dp * da;
  }
  /* A constant prediction or a constant holdout has no correlation; NaN is
   * printed as "n/a", never as a number. */
  r->correlation = cpp > 0 && caa > 0 ? cpa / sqrt(cpp * caa) : NAN;
}

/* Fits one family and fills its row of the result; a failure is recorded
 * in r, not returned, except running out of memory. */
static int run_family(clv_validation *v, clv_validation_model *r,
                      const clv_summary *s, const double *dur,
                      const clv_validate_opts *o) {
  const clv__family *f = clv__family_find(r->family);
  clv_error ferr;
  int rc;

  r->loglik = r->aic = r->bic = NAN;
  r->total_predicted = r->mae = r->rmse = r->correlation = NAN;
  for (int b = 0; b < v->nbins; b++)
    r->bin_predicted[b] = NAN;
  if (f == NULL) {
    r->status = CLV_EMODEL;
    snprintf(r->reason, sizeof r->reason, "not registered in this build");
    return CLV_OK;
  }
  if (f->kind != CLV__KIND_TX) {
    r->status = CLV_EUNSUPPORTED;
    snprintf(r->reason, sizeof r->reason,
             "a spend model, not a transaction model");
    return CLV_OK;
  }
  clv_error_clear(&ferr);
  rc = clv_fit(r->family, s, &o->fit, &r->model, &ferr);
  if (rc == CLV_ENOMEM)
    return rc;
  if (rc == CLV_OK)
    rc = predict_holdout(r->model, s, dur, r->predicted);
  if (rc == CLV_ENOMEM)
    return rc;
  if (rc) {
    r->status = rc;
    if (ferr.message[0])
      clv_error_format(&ferr, r->reason, sizeof r->reason);
    else
      snprintf(r->reason, sizeof r->reason, "%s", clv_strerror(rc));
    clv_model_free(r->model);
    r->model = NULL;
    return CLV_OK;
  }
  r->status = CLV_OK;
  r->nparams = clv_model_nparams(r->model);
  r->converged = clv_model_converged(r->model);
  r->loglik = clv_model_loglik(r->model);
  r->aic = 2.0 * r->nparams - 2.0 * r->loglik;
  r->bic = r->nparams * log(v->customers) - 2.0 * r->loglik;
  score(v, r, s, o->bins);
  return CLV_OK;
}

/* Appends printf text to buf (size bytes) when there is room. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...) {
  size_t len = strlen(buf);
  va_list ap;
  if (len + 1 >= size)
    return;
  va_start(ap, fmt);
  vsnprintf(buf + len, size - len, fmt, ap);
  va_end(ap);
}

/* The choice rule of clv_validation_choose(); why_not and why_not_zh are
 * the reason there is no comparison in English and Chinese (both NULL or
 * both set). The sentence is written in both languages with the same
 * figures. */
static void choose(clv_validation *v, int compared, double tie_tolerance,
                   const char *why_not, const char *why_not_zh) {
  int best = -1;
  char *en = v->choice, *zh = v->choice_zh;
  size_t ens = sizeof v->choice, zhs = sizeof v->choice_zh;
  v->compared = compared;
  en[0] = zh[0] = '\0';
  for (size_t i = 0; i < v->nmodels; i++) {
    const clv_validation_model *r = &v->models[i], *b;
    if (r->status != CLV_OK)
      continue;
    if (best < 0) {
      best = (int)i;
      continue;
    }
    b = &v->models[best];
    if (compared) {
      /* Lower RMSE wins unless the two are within the tie tolerance; then
       * the simpler model wins, and on equal size the earlier one. */
      double tol = tie_tolerance * fmax(fabs(r->rmse), fabs(b->rmse));
      if (r->rmse < b->rmse - tol ||
          (fabs(r->rmse - b->rmse) <= tol && r->nparams < b->nparams))
        best = (int)i;
    } else if (r->nparams < b->nparams) {
      best = (int)i;
    }
  }
  v->chosen = best;
  if (best < 0) {
    appendf(en, ens,
            "%s%sno model could be fitted, so none is recommended (see "
            "each family's reason).",
            why_not ? why_not : "", why_not ? "; " : "");
    appendf(zh, zhs, "%s%s没有能拟合的模型，因此不作推荐（见各模型族的原因）。",
            why_not_zh ? why_not_zh : "", why_not_zh ? "；" : "");
    return;
  }
  const clv_validation_model *c = &v->models[best];
  if (!compared) {
    appendf(en, ens,
            "no model comparison: %s; %s is recommended as the simplest "
            "model that fits (%d parameters).",
            why_not ? why_not : "the data cannot support one", c->family,
            c->nparams);
    appendf(zh, zhs,
            "未比较模型：%s；推荐 %s，它是能拟合的最简单模型（%d 个参数）。",
            why_not_zh ? why_not_zh : "数据不足以支持比较", c->family,
            c->nparams);
    return;
  }
  appendf(en, ens, "%s predicts the holdout best: RMSE %.4g", c->family,
          c->rmse);
  appendf(zh, zhs, "%s 对验证期的预测最好：RMSE %.4g", c->family, c->rmse);
  int others = 0;
  for (size_t i = 0; i < v->nmodels; i++) {
    const clv_validation_model *r = &v->models[i];
    if ((int)i == best || r->status != CLV_OK)
      continue;
    appendf(en, ens, others ? ", %s %.4g" : " vs %s %.4g", r->family, r->rmse);
    appendf(zh, zhs, others ? "、%s %.4g" : "，对比 %s %.4g", r->family,
            r->rmse);
    others++;
  }
  appendf(en, ens, "; total %.5g vs actual %.5g", c->total_predicted,
          v->total_actual);
  appendf(zh, zhs, "；预测合计 %.5g，实际 %.5g", c->total_predicted,
          v->total_actual);
  for (size_t i = 0; i < v->nmodels; i++) {
    const clv_validation_model *r = &v->models[i];
    double tol = tie_tolerance * fmax(fabs(r->rmse), fabs(c->rmse));
    if ((int)i != best && r->status == CLV_OK &&
        fabs(r->rmse - c->rmse) <= tol) {
      appendf(en, ens,
              " (RMSE tied with %s: the model with fewer or as many "
              "parameters, listed first, wins)",
              r->family);
      appendf(zh, zhs,
              "（与 %s 的 RMSE 相当：参数更少或一样多、排在前面的模型胜出）",
              r->family);
      break;
    }
  }
  if (others == 0) {
    appendf(en, ens, " (the only family that could be fitted)");
    appendf(zh, zhs, "（唯一能拟合的模型族）");
  }
  appendf(en, ens, ".");
  appendf(zh, zhs, "。");
}

void clv_validation_choose(clv_validation *v, int compared,
                           double tie_tolerance, const char *why_not) {
  choose(v, compared, tie_tolerance, why_not, why_not);
}

/*
 * Checks the holdout columns and fills the per-row holdout lengths and the
 * bin sizes and actual means. Returns CLV_OK, CLV_ENOCOLUMN or CLV_EDOMAIN.
 */
static int holdout_setup(clv_validation *v, const clv_summary *s,
                         const clv_validate_opts *o, double *dur,
                         clv_error *err) {
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *T = clv_summary_col(s, CLV_COL_T);
  const double *y = clv_summary_col(s, CLV_COL_X_HOLDOUT);
  const double *d = clv_summary_col(s, CLV_COL_DURATION_HOLDOUT);
  char msg[512];

  if (y == NULL || (d == NULL && !(o->holdout_length > 0))) {
    set_err(err, CLV_ENOCOLUMN,
            y == NULL
                ? "the summary has no frequency_holdout column: make one with "
                  "`clv summary LOG --holdout-from DATE --until DATE`"
                : "the summary has no duration_holdout column: give the "
                  "holdout length, or make the summary with `clv summary LOG "
                  "--holdout-from DATE --until DATE`");
    return CLV_ENOCOLUMN;
  }
  for (int b = 0; b < v->nbins; b++)
    v->bin_customers[b] = v->bin_actual[b] = 0;
  for (size_t i = 0; i < v->rows; i++) {
    dur[i] = d ? d[i] : o->holdout_length;
    if (!(y[i] >= 0) || !isfinite(y[i]) || !(dur[i] > 0) || !isfinite(dur[i])) {
      snprintf(msg, sizeof msg,
               "row %zu (customer \"%s\"): expected a holdout frequency >= 0 "
               "and a holdout duration > 0, found %g and %g",
               i + 1, clv_summary_id(s, i, NULL), y[i], dur[i]);
      set_err(err, CLV_EDOMAIN, msg);
      return CLV_EDOMAIN;
    }
    int b = bin_of(x[i], v->nbins - 1);
    v->bin_customers[b] += w[i];
    v->bin_actual[b] += w[i] * y[i];
    v->customers += w[i];
    v->total_actual += w[i] * y[i];
    if (x[i] > 0)
      v->repeat_buyers += w[i];
    if (T[i] > v->span)
      v->span = T[i];
  }
  for (int b = 0; b < v->nbins; b++)
    v->bin_actual[b] =
        v->bin_customers[b] > 0 ? v->bin_actual[b] / v->bin_customers[b] : NAN;
  return CLV_OK;
}

int clv_validate(const clv_summary *s, const clv_validate_opts *opts,
                 clv_validation **out, clv_error *err) {
  clv_validate_opts defaults;
  const clv_validate_opts *o = opts;
  const char *const *fams;
  clv_validation *v = NULL;
  double *dur = NULL;
  char why[256] = "", why_zh[384] = "";
  int rc = CLV_OK;
  size_t nf = 0;

  if (out)
    *out = NULL;
  if (o == NULL) {
    clv_validate_opts_init(&defaults);
    o = &defaults;
  }
  if (s == NULL || out == NULL || o->bins < 1 || o->bins > 1000 ||
      !(o->tie_tolerance >= 0)) {
    set_err(err, CLV_EINVAL, "invalid arguments to clv_validate()");
    return CLV_EINVAL;
  }
  if (clv_summary_rows(s) == 0) {
    set_err(err, CLV_EEMPTY, "the summary has no customers");
    return CLV_EEMPTY;
  }
  const char *registered[32];
  registered_families(registered, sizeof registered / sizeof registered[0]);
  fams = o->families ? o->families : registered;
  while (fams[nf])
    nf++;
  if (nf == 0) {
    set_err(err, CLV_EINVAL, "no model family to validate");
    return CLV_EINVAL;
  }

  v = calloc(1, sizeof *v);
  if (v == NULL)
    goto nomem;
  v->rows = clv_summary_rows(s);
  v->nbins = o->bins + 1;
  v->chosen = -1;
  v->bin_customers = malloc(v->nbins * sizeof *v->bin_customers);
  v->bin_actual = malloc(v->nbins * sizeof *v->bin_actual);
  v->models = calloc(nf, sizeof *v->models);
  dur = malloc(v->rows * sizeof *dur);
  if (!v->bin_customers || !v->bin_actual || !v->models || !dur)
    goto nomem;
  v->nmodels = nf;
  for (size_t i = 0; i < nf; i++) {
    clv_validation_model *r = &v->models[i];
    snprintf(r->family, sizeof r->family, "%s", fams[i]);
    r->bin_predicted = malloc(v->nbins * sizeof *r->bin_predicted);
    r->predicted = malloc(v->rows * sizeof *r->predicted);
    if (!r->bin_predicted || !r->predicted)
      goto nomem;
  }
  rc = holdout_setup(v, s, o, dur, err);
  if (rc)
    goto fail;

  for (size_t i = 0; i < nf; i++) {
    rc = run_family(v, &v->models[i], s, dur, o);
    if (rc)
      goto fail;
  }

  /* A comparison of holdout errors needs enough repeat buyers to tell the
   * models' drop-out processes apart and a calibration long enough for
   * repeat purchases to happen; otherwise the honest advice is the simplest
   * model. */
  double unit_days = clv_unit_days(clv_summary_unit(s));
  if (v->repeat_buyers < o->min_repeat_buyers) {
    snprintf(why, sizeof why,
             "only %.0f repeat buyers in the calibration period (at least "
             "%.0f needed)",
             v->repeat_buyers, o->min_repeat_buyers);
    snprintf(why_zh, sizeof why_zh,
             "校准期只有 %.0f 位复购客户（至少需要 %.0f 位）", v->repeat_buyers,
             o->min_repeat_buyers);
  } else if (unit_days > 0 && v->span * unit_days < o->min_span_days) {
    snprintf(why, sizeof why,
             "the calibration span is %.4g days (at least %.4g needed)",
             v->span * unit_days, o->min_span_days);
    snprintf(why_zh, sizeof why_zh, "校准期跨度为 %.4g 天（至少需要 %.4g 天）",
             v->span * unit_days, o->min_span_days);
  }
  choose(v, why[0] == '\0', o->tie_tolerance, why[0] ? why : NULL,
         why[0] ? why_zh : NULL);
  *out = v;
  v = NULL;
  goto done;

nomem:
  rc = CLV_ENOMEM;
  set_err(err, rc, "out of memory");
fail:
  clv_validation_free(v);
done:
  free(dur);
  return rc;
}
