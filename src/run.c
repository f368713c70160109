/*
 * run.c - the per-customer prediction table and the one-shot run
 * (order log -> summary -> BG/NBD + Gamma-Gamma -> predictions).
 *
 * Nothing here is mathematics: the models' formulas live in src/models/ and
 * src/predict.c. This file only chains the library's steps the way `clv run`
 * and the server use them, so that both give the same numbers.
 */
#include "clv/run.h"
#include "clv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cost.h"
#include "predict.h"
#include "run_source.h"
#include "textout.h"

void clv_predictions_free(clv_predictions *p) {
  if (p == NULL)
    return;
  free(p->p_alive);
  free(p->expected);
  free(p->prob_none);
  free(p->expected_spend);
  free(p->value);
  free(p->next_purchase);
  clv_intervals_free(p->intervals);
  free(p->dert);
  free(p->value_dert);
  free(p);
}

int clv_predictions_add_dert(clv_predictions *p, const clv_model *tx,
                             const clv_model *spend, const clv_summary *s,
                             double rate) {
  int rc = CLV_ENOMEM;
  double *d = NULL, *v = NULL;
  if (p == NULL || s == NULL || p->rows != clv_summary_rows(s))
    return CLV_EINVAL;
  d = malloc((p->rows ? p->rows : 1) * sizeof *d);
  if (d == NULL)
    goto fail;
  if ((rc = clv_dert(tx, s, rate, d)))
    goto fail;
  /* CLV without a horizon: every future purchase at the expected spend,
   * discounted, at the table's margin. */
  if (spend != NULL && p->expected_spend != NULL) {
    rc = CLV_ENOMEM;
    v = malloc((p->rows ? p->rows : 1) * sizeof *v);
    if (v == NULL)
      goto fail;
    for (size_t i = 0; i < p->rows; i++)
      v[i] = p->value_opts.margin * p->expected_spend[i] * d[i];
  }
  free(p->dert);
  free(p->value_dert);
  p->dert = d;
  p->value_dert = v;
  p->dert_rate = rate;
  return CLV_OK;
fail:
  free(d);
  free(v);
  return rc;
}

int clv_predictions_add_intervals(clv_predictions *p, const clv_model *tx,
                                  const clv_model *spend, const clv_summary *s,
                                  const clv_interval_opts *io, clv_error *err) {
  clv_intervals *iv = NULL;
  if (p == NULL || s == NULL || p->rows != clv_summary_rows(s))
    return CLV_EINVAL;
  int rc = clv_intervals_compute(tx, spend, s, &p->value_opts, io, &iv, err);
  if (rc)
    return rc;
  clv_intervals_free(p->intervals);
  p->intervals = iv;
  return CLV_OK;
}

/* Mean spend of a new customer under the spend model: E(M) of a customer
 * with no repeat purchase is the population mean, so the spend model's own
 * prediction gives it without a second copy of the formula. */
static int population_spend(const clv_model *spend, clv_unit unit,
                            double *out) {
  double zero = 0, one = 1;
  clv_summary *s = NULL;
  int rc =
      clv_summary_from_arrays(&s, unit, 1, &zero, &zero, &one, &zero, NULL);
  if (rc == CLV_OK)
    rc = clv_expected_spend(spend, s, out);
  clv_summary_free(s);
  return rc;
}

/* A column of n doubles that the caller frees with free(). Columns of a
 * million customers are megabytes written once each: with 4 KiB pages the
 * page faults cost more than computing the predictions (about 13 us each on
 * a virtual machine, 0.15 s for the six columns of a million customers), so
 * large columns are aligned to 2 MiB and the kernel is asked for huge pages
 * (only a hint: without them the column is an ordinary one). */
#define HUGE_PAGE ((size_t)2 << 20)

static double *new_array(size_t n) {
  size_t bytes = (n ? n : 1) * sizeof(double);
#ifdef MADV_HUGEPAGE
  if (bytes >= HUGE_PAGE) {
    void *p = NULL;
    size_t len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (posix_memalign(&p, HUGE_PAGE, len) != 0)
      return NULL;
    (void)madvise(p, len, MADV_HUGEPAGE);
    return p;
  }
#endif
  return malloc(bytes);
}

int clv_predictions_compute(const clv_model *tx, const clv_model *spend,
                            const clv_summary *s, const clv_value_opts *o,
                            clv_predictions **out) {
  int rc = CLV_ENOMEM;
  clv_predictions *p = NULL;
  size_t n = clv_summary_rows(s);
  double mean_spend = 1.0, repeat_value = 0.0;
  if (tx == NULL || s == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  p = calloc(1, sizeof *p);
  if (p == NULL)
    goto fail;
  p->rows = n;
  if (o)
    p->value_opts = *o;
  else
    clv_value_opts_init(&p->value_opts);
  p->p_alive = new_array(n);
  p->expected = new_array(n);
  p->prob_none = new_array(n);
  p->value = new_array(n);
  p->next_purchase = new_array(n);
  if (spend != NULL)
    p->expected_spend = new_array(n);
  if (!p->p_alive || !p->expected || !p->prob_none || !p->value ||
      !p->next_purchase || (spend != NULL && !p->expected_spend))
    goto fail;
  double h = p->value_opts.horizon;
  clv__pred_cols cols = {p->p_alive,       p->expected, p->prob_none,
                         p->next_purchase, p->value,    p->expected_spend};
  /* The fused pass computes every column at once. When it fails, the
   * separate functions run instead: they give the status a caller of each
   * would see (or the table, if the failure was the pass's own). */
  if (clv__predict_all(tx, spend, s, &p->value_opts, 0.5, &cols) != CLV_OK) {
    if ((rc = clv_p_alive(tx, s, p->p_alive)) ||
        (rc = clv_expected_purchases(tx, s, h, p->expected)) ||
        (rc = clv_prob_no_purchase(tx, s, h, p->prob_none)) ||
        (rc = clv_next_purchase(tx, s, 0.5, p->next_purchase)) ||
        (rc = clv_customer_value(tx, spend, s, &p->value_opts, p->value)) ||
        (spend != NULL &&
         (rc = clv_expected_spend(spend, s, p->expected_spend))))
      goto fail;
  }
  if ((rc = clv_expected_purchases_new(tx, h, &p->new_expected)) ||
      (rc = clv_new_customer_value(tx, spend, &p->value_opts, &repeat_value)))
    goto fail;
  if (spend != NULL &&
      (rc = population_spend(spend, clv_summary_unit(s), &mean_spend)))
    goto fail;
  /* A newly acquired customer brings the first purchase too; the models
   * count repeat purchases only, so it is added here at the mean spend. */
  p->new_value = p->value_opts.margin * mean_spend + repeat_value;
  *out = p;
  return CLV_OK;
fail:
  clv_predictions_free(p);
  return rc;
}

/* One number: empty (CSV) or null (JSON) when it is not finite, so that no
 * output ever says NaN or inf. */
static void put_num(FILE *f, double v, clv_format format) {
  char buf[40];
  if (!isfinite(v)) {
    if (format == CLV_FORMAT_JSONL)
      fputs("null", f);
    return;
  }
  /* Ten significant digits: predictions are estimates, and more digits
   * would only show the optimiser's tolerance. */
  clv__fmt_sig(v, 10, buf, sizeof buf);
  fputs(buf, f);
}

/* Columns of the prediction table, in output order. */
enum {
  C_ID,
  C_X,
  C_TX,
  C_T,
  C_M,
  C_P_ALIVE,
  C_EXPECTED,
  C_EXPECTED_LO,
  C_EXPECTED_HI,
  C_NONE,
  C_SPEND,
  C_VALUE,
  C_VALUE_LO,
  C_VALUE_HI,
  C_DERT,
  C_VALUE_DERT,
  C_NEXT,
  C_NEXT_DATE,
  C_TOTAL_SPEND,
  NCOLS
};

int clv_predictions_write(const clv_predictions *p, const clv_summary *s,
                          FILE *f, clv_format format) {
  static const char *const names[NCOLS] = {"customer_id",
                                           "frequency",
                                           "recency",
                                           "T",
                                           "monetary_value",
                                           "p_alive",
                                           "expected_purchases",
                                           "expected_purchases_lo",
                                           "expected_purchases_hi",
                                           "prob_no_purchase",
                                           "expected_spend",
                                           "clv",
                                           "clv_lo",
                                           "clv_hi",
                                           "dert",
                                           "clv_unlimited",
                                           "next_purchase",
                                           "next_purchase_date",
                                           "total_spend"};
  if (p == NULL || s == NULL || f == NULL || p->rows != clv_summary_rows(s) ||
      (p->intervals && p->intervals->rows != p->rows))
    return CLV_EINVAL;
  const clv_intervals *iv = p->intervals;
  const double *m = clv_summary_col(s, CLV_COL_M);
  const double *spent = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const double *cols[NCOLS] = {NULL,
                               clv_summary_col(s, CLV_COL_X),
                               clv_summary_col(s, CLV_COL_TX),
                               clv_summary_col(s, CLV_COL_T),
                               m,
                               p->p_alive,
                               p->expected,
                               iv ? iv->expected_lo : NULL,
                               iv ? iv->expected_hi : NULL,
                               p->prob_none,
                               p->expected_spend,
                               p->value,
                               iv ? iv->value_lo : NULL,
                               iv ? iv->value_hi : NULL,
                               p->dert,
                               p->value_dert,
                               p->next_purchase,
                               NULL,
                               spent};
  int32_t end = clv_summary_end_day(s);
  double unit_days = clv_unit_days(clv_summary_unit(s));
  int dates = end != INT32_MIN && unit_days > 0;
  if (format == CLV_FORMAT_CSV) {
    int first = 1;
    for (int c = 0; c < NCOLS; c++) {
      if (c > 0 && c != C_NEXT_DATE && cols[c] == NULL)
        continue;
      if (c == C_NEXT_DATE && !dates)
        continue;
      fprintf(f, "%s%s", first ? "" : ",", names[c]);
      first = 0;
    }
    fputc('\n', f);
  }
  for (size_t i = 0; i < p->rows; i++) {
    size_t len;
    const char *id = clv_summary_id(s, i, &len);
    if (format == CLV_FORMAT_CSV)
      clv__put_csv_field(f, id, len);
    else {
      fputs("{\"customer_id\":", f);
      clv__put_json_string(f, id, len);
    }
    for (int c = 1; c < NCOLS; c++) {
      if (c == C_NEXT_DATE) {
        if (!dates)
          continue;
        double w = p->next_purchase[i] * unit_days;
        char day[11] = "";
        /* The date is the observation end plus the median wait, rounded to
         * the nearest day; none when no purchase is expected in a century. */
        int have = isfinite(w) && w < 36525.0;
        if (have)
          clv_day_format(end + (int32_t)floor(w + 0.5), day);
        if (format == CLV_FORMAT_CSV)
          fprintf(f, ",%s", day);
        else if (have)
          fprintf(f, ",\"%s\":\"%s\"", names[c], day);
        else
          fprintf(f, ",\"%s\":null", names[c]);
        continue;
      }
      if (cols[c] == NULL)
        continue;
      if (format == CLV_FORMAT_CSV)
        fputc(',', f);
      else
        fprintf(f, ",\"%s\":", names[c]);
      put_num(f, cols[c][i], format);
    }
    fputs(format == CLV_FORMAT_CSV ? "\n" : "}\n", f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

void clv_run_opts_init(clv_run_opts *o) {
  if (o == NULL)
    return;
  memset(o, 0, sizeof *o);
  clv_ingest_opts_init(&o->ingest);
  o->ingest.unit = CLV_UNIT_WEEK;
  clv_fit_opts_init(&o->fit);
  o->horizon_days = 365.2425;
  o->margin = 1.0;
  o->annual_discount_rate = 0.10;
  o->discount_period_days = 365.2425 / 12.0;
  o->min_repeat_buyers = 20;
  o->model = NULL;
  o->holdout_share = 1.0 / 3.0;
  o->intervals = 0;
  clv_interval_opts_init(&o->interval);
}

void clv_run_result_free(clv_run_result *r) {
  if (r == NULL)
    return;
  clv_summary_free(r->summary);
  clv_model_free(r->tx);
  clv_model_free(r->spend);
  clv_validation_free(r->validation);
  clv_predictions_free(r->pred);
  clv_tracking_free(r->tracking);
  free(r);
}

void clv__run_note(clv_run_result *r, const char *en, const char *zh) {
  size_t used = strlen(r->notes);
  if (used + 1 < sizeof r->notes)
    snprintf(r->notes + used, sizeof r->notes - used, "%s%s", used ? " " : "",
             en);
  if (r->note_count < CLV_RUN_MAX_NOTES) {
    clv_note *n = &r->note_list[r->note_count++];
    snprintf(n->en, sizeof n->en, "%s", en);
    snprintf(n->zh, sizeof n->zh, "%s", zh ? zh : en);
  }
}

/* A note from a printf format in each language (the same arguments, in the
 * same order, for both). */
static void add_notef(clv_run_result *r, const char *en_fmt, const char *zh_fmt,
                      ...)
    __attribute__((format(printf, 2, 4), format(printf, 3, 4)));
static void add_notef(clv_run_result *r, const char *en_fmt, const char *zh_fmt,
                      ...) {
  char en[CLV_NOTE_SIZE], zh[CLV_NOTE_SIZE];
  va_list ap;
  va_start(ap, zh_fmt);
  vsnprintf(en, sizeof en, en_fmt, ap);
  va_end(ap);
  va_start(ap, zh_fmt);
  vsnprintf(zh, sizeof zh, zh_fmt, ap);
  va_end(ap);
  clv__run_note(r, en, zh);
}

/* The model's notes as a run note, "family: notes.", without a second
 * full stop when the notes end in one. */
static void add_model_notes(clv_run_result *r, const char *who,
                            const clv_model *m) {
  const char *en = clv_model_notes(m), *zh = clv_model_notes_zh(m);
  const char *stop = "。";
  size_t len = strlen(en), zlen = strlen(zh), slen = strlen(stop);
  char en_note[CLV_NOTE_SIZE], zh_note[CLV_NOTE_SIZE];
  snprintf(en_note, sizeof en_note, "%s: %.500s%s", who, en,
           len && en[len - 1] == '.' ? "" : ".");
  snprintf(zh_note, sizeof zh_note, "%s：%.800s%s", who, zh,
           zlen >= slen && strcmp(zh + zlen - slen, stop) == 0 ? "" : stop);
  clv__run_note(r, en_note, zh_note);
}

/* A failure's reason in Chinese, written to buf: the status's message,
 * then the error's detail (English: the library's error texts are) when
 * there is one. */
static const char *zh_reason(char *buf, size_t size, int rc,
                             const clv_error *err) {
  if (err != NULL && err->message[0])
    snprintf(buf, size, "%s：%.300s", clv_strerror_zh(rc), err->message);
  else
    snprintf(buf, size, "%s", clv_strerror_zh(rc));
  return buf;
}

/*
 * Chooses the purchase model: summarises the log again with a holdout (the
 * caller's holdout day, or the last holdout_share of the span), then lets
 * clv_validate() compare every registered purchase family on it. Writes the
 * chosen family to *family (bgnbd when no comparison is possible) and says
 * what happened in the notes. Fails only on memory; a log that cannot be
 * split or models that cannot be fitted are reasons for the fallback.
 */
static int choose_model(const clv__run_source *src, const clv_run_opts *o,
                        clv_run_result *r, const char **family) {
  int rc;
  char note[1200], note_zh[CLV_NOTE_SIZE];
  clv_ingest_opts io = o->ingest;
  clv_summary *cal = NULL;
  clv_error err;
  clv_validate_opts vo;
  *family = "bgnbd";
  if (!src->rereadable) {
    clv__run_note(r,
                  "Standard input cannot be read twice, so the models were "
                  "not compared on a holdout: BG/NBD is used.",
                  "标准输入无法读取两次，因此未在验证期上比较模型：使用 "
                  "BG/NBD。");
    return CLV_OK;
  }
  if (io.holdout_day == INT32_MIN) {
    int32_t first = r->ingest.first_day, end = r->ingest.until_day;
    double span = (double)end - first + 1;
    io.holdout_day = end + 1 - (int32_t)floor(span * o->holdout_share + 0.5);
    if (!(o->holdout_share > 0 && o->holdout_share < 1) || span < 3 ||
        io.holdout_day <= first) {
      clv__run_note(r,
                    "The log spans too few days for a holdout check: BG/NBD "
                    "is used.",
                    "数据覆盖的天数太少，无法做验证期检验：使用 BG/NBD。");
      return CLV_OK;
    }
  }
  io.until_day = r->ingest.until_day;
  io.progress = NULL;
  io.costs = 0; /* the margin was taken from the first pass */
  clv_error_clear(&err);
  rc = src->summarize(src->ctx, &io, &cal, NULL, &err);
  if (rc == CLV_ENOMEM)
    return rc;
  if (rc) {
    char why_zh[400];
    snprintf(note, sizeof note,
             "The holdout split failed (%.300s): BG/NBD is used.",
             err.message[0] ? err.message : clv_strerror(rc));
    snprintf(note_zh, sizeof note_zh, "验证期划分失败（%s）：使用 BG/NBD。",
             zh_reason(why_zh, sizeof why_zh, rc, &err));
    clv__run_note(r, note, note_zh);
    return CLV_OK;
  }
  clv_validate_opts_init(&vo);
  vo.fit = o->fit;
  /* An order log gives continuous time, so the BG/BB, a model of discrete
   * opportunities (T = their number), is not a candidate here. */
  const char *families[32], *name;
  size_t nf = 0;
  int tx;
  for (size_t k = 0; nf + 1 < sizeof families / sizeof families[0] &&
                     (name = clv_model_family_name(k, &tx)) != NULL;
       k++)
    if (tx && strcmp(name, "bgbb") != 0)
      families[nf++] = name;
  families[nf] = NULL;
  vo.families = families;
  clv_error_clear(&err);
  rc = clv_validate(cal, &vo, &r->validation, &err);
  clv_summary_free(cal);
  if (rc == CLV_ENOMEM)
    return rc;
  if (rc || r->validation->chosen < 0) {
    char why_zh[400];
    snprintf(note, sizeof note,
             "The holdout check failed (%.300s): BG/NBD "
             "is used.",
             rc ? (err.message[0] ? err.message : clv_strerror(rc))
                : r->validation->choice);
    snprintf(note_zh, sizeof note_zh, "验证期检验失败（%.600s）：使用 BG/NBD。",
             rc ? zh_reason(why_zh, sizeof why_zh, rc, &err)
                : r->validation->choice_zh);
    clv__run_note(r, note, note_zh);
    return CLV_OK;
  }
  *family = r->validation->models[r->validation->chosen].family;
  char day[11];
  clv_day_format(io.holdout_day, day);
  snprintf(note, sizeof note,
           "Model choice (calibration before %s, holdout "
           "from %s): %.900s",
           day, day, r->validation->choice);
  snprintf(note_zh, sizeof note_zh,
           "模型选择（校准期为 %s 之前，验证期自 %s 起）：%.1100s", day, day,
           r->validation->choice_zh);
  clv__run_note(r, note, note_zh);
  return CLV_OK;
}

/*
 * The cohort tracking curve of Fader, Hardie & Lee (2005, figure 2) for the
 * fitted purchase model: expected vs actual cumulative repeat purchases from
 * the cohort's first purchase to the observation end. Periods are weeks, or
 * whole multiples of a week when the log spans more than 104 weeks, so that
 * the curve has at most about 104 points (the expected curve costs one
 * E[X(t)] per period and distinct first-purchase day). A curve that cannot
 * be had (a summary without per-day counts, a model without finite
 * expectations) is said in the notes; only memory failures fail the run.
 */
static int add_tracking(clv_run_result *r) {
  const clv_summary *s = r->summary;
  clv_tracking_opts to;
  clv_error err;
  char note[600], note_zh[CLV_NOTE_SIZE];
  int rc;
  if (clv_summary_repeat_days(s, NULL, NULL) == NULL)
    return CLV_OK;
  clv_tracking_opts_init(&to);
  clv_error_clear(&err);
  rc = clv_tracking_opts_span(&to, s, 7, 104);
  if (rc == CLV_OK)
    rc = clv_tracking_compute(r->tx, s, &to, &r->tracking, &err);
  if (rc == CLV_OK)
    rc = clv_tracking_actual_from_summary(r->tracking, s, &err);
  if (rc) {
    clv_tracking_free(r->tracking);
    r->tracking = NULL;
  }
  if (rc && rc != CLV_ENOMEM) {
    char why_zh[400];
    snprintf(note, sizeof note, "No tracking curve: %.500s.",
             err.message[0] ? err.message : clv_strerror(rc));
    snprintf(note_zh, sizeof note_zh, "无跟踪曲线：%s。",
             zh_reason(why_zh, sizeof why_zh, rc, &err));
    clv__run_note(r, note, note_zh);
    rc = CLV_OK;
  }
  return rc;
}

/* The intervals of the run's predictions. A run that produced its
 * predictions is not thrown away because their intervals cannot be had (a
 * Hessian that was not positive definite, draws that fail): the notes say
 * so. Fails only on memory. */
static int add_intervals(const clv_run_opts *o, clv_run_result *r) {
  char note[700], note_zh[CLV_NOTE_SIZE], why_zh[400];
  clv_error err;
  clv_error_clear(&err);
  int rc = clv_predictions_add_intervals(r->pred, r->tx, r->spend, r->summary,
                                         &o->interval, &err);
  if (rc == CLV_ENOMEM)
    return rc;
  if (rc) {
    snprintf(note, sizeof note, "No intervals: %.500s.",
             err.message[0] ? err.message : clv_strerror(rc));
    snprintf(note_zh, sizeof note_zh, "无区间：%s。",
             zh_reason(why_zh, sizeof why_zh, rc, &err));
    clv__run_note(r, note, note_zh);
    return CLV_OK;
  }
  const clv_intervals *iv = r->pred->intervals;
  if (iv->failed > 0) {
    add_notef(r,
              "Intervals: %d of %d parameter draws failed numerically and "
              "were left out.",
              "区间：%d 次参数抽样（共 %d 次）数值计算失败，已剔除。",
              iv->failed, iv->draws);
  }
  return CLV_OK;
}

int clv__run_from(const clv__run_source *src, const clv_run_opts *o,
                  clv_run_result **out, clv_error *err) {
  int rc;
  clv_run_opts defaults;
  clv_run_result *r = NULL;
  char note[600], note_zh[CLV_NOTE_SIZE];
  if (out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (o == NULL) {
    clv_run_opts_init(&defaults);
    o = &defaults;
  }
  if (!(o->horizon_days > 0) || !(o->discount_period_days > 0) ||
      !(o->annual_discount_rate > -1) || !(o->margin >= 0))
    return CLV_EINVAL;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    return CLV_ENOMEM;
  rc = src->summarize(src->ctx, &o->ingest, &r->summary, &r->ingest, err);
  if (rc)
    goto fail;
  /* With costs in the log, value at the margin they imply, as the business
   * commands do (clv_base_build()), so that every command values the same
   * log alike. */
  double margin = o->margin;
  if (o->ingest.costs && r->ingest.cost_col[0]) {
    double cm = clv__cost_margin(r->ingest.revenue, r->ingest.cost);
    if (cm >= 0) {
      margin = cm;
      add_notef(r,
                "The margin, %.1f %%, is 1 - cost / revenue of the log's "
                "identified customers (cost: %s).",
                "毛利率为 %.1f%%，即数据中可识别客户的 1 - 成本 / 收入（成本："
                "%s）。",
                100 * cm, r->ingest.cost_col);
    } else {
      clv__run_note(r,
                    "The log's costs give no margin (the revenue is not "
                    "positive, or a total is out of range): values are at "
                    "the given margin.",
                    "数据中的成本得不出毛利率（收入不为正，或合计超出范围）："
                    "价值按给定的毛利率计算。");
    }
  }

  const clv_summary *s = r->summary;
  size_t n = clv_summary_rows(s);
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  const double *m = clv_summary_col(s, CLV_COL_M);
  const double *spent = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  double repeaters = 0;
  size_t repeat_rows = 0;
  for (size_t i = 0; i < n; i++) {
    r->customers += w[i];
    if (x[i] > 0) {
      repeaters += w[i];
      if (m != NULL && m[i] > 0)
        repeat_rows++;
    }
    if (spent)
      r->historic_revenue += w[i] * spent[i];
  }
  r->repeat_share = r->customers > 0 ? repeaters / r->customers : 0;

  const char *family = o->model;
  if (family == NULL) {
    rc = choose_model(src, o, r, &family);
    if (rc)
      goto fail;
  }
  rc = clv_fit(family, s, &o->fit, &r->tx, err);
  if (rc && o->model == NULL && strcmp(family, "bgnbd") != 0) {
    /* The winner on the calibration data may still fail on the whole log;
     * BG/NBD is the fallback, and the notes say so. */
    char why_zh[400];
    snprintf(note, sizeof note,
             "%s did not fit the whole log (%.300s): BG/NBD is used.", family,
             err && err->message[0] ? err->message : clv_strerror(rc));
    snprintf(note_zh, sizeof note_zh,
             "%s 无法拟合全部数据（%s）：使用 BG/NBD。", family,
             zh_reason(why_zh, sizeof why_zh, rc, err));
    clv__run_note(r, note, note_zh);
    clv_error_clear(err);
    rc = clv_fit("bgnbd", s, &o->fit, &r->tx, err);
  }
  if (rc)
    goto fail;
  if (clv_model_notes(r->tx)[0])
    add_model_notes(r, clv_model_family(r->tx), r->tx);
  /* The spend model needs amounts and enough repeat buyers to estimate the
   * spread of spend between customers; without them values are given in
   * purchases, and the run says so rather than failing. */
  if (m == NULL) {
    clv__run_note(r, "The log has no amounts: values are expected purchases.",
                  "数据没有金额：价值以预期购买次数表示。");
  } else if (repeat_rows < o->min_repeat_buyers) {
    add_notef(r,
              "Only %zu repeat buyers with positive spend (fewer than %zu): "
              "Gamma-Gamma not fitted, values are expected purchases.",
              "消费为正的复购客户只有 %zu 位（少于 %zu 位）：未拟合 "
              "Gamma-Gamma 模型，价值以预期购买次数表示。",
              repeat_rows, o->min_repeat_buyers);
  } else {
    clv_error gg_err;
    clv_error_clear(&gg_err);
    int grc = clv_fit("gg", s, &o->fit, &r->spend, &gg_err);
    if (grc == CLV_ENOMEM) {
      rc = grc;
      goto fail;
    }
    if (grc == CLV_OK && clv_model_notes(r->spend)[0])
      add_model_notes(r, "Gamma-Gamma", r->spend);
    if (grc != CLV_OK) {
      char why_zh[400];
      snprintf(note, sizeof note,
               "Gamma-Gamma could not be fitted (%.400s): values are "
               "expected purchases.",
               gg_err.message[0] ? gg_err.message : clv_strerror(grc));
      snprintf(note_zh, sizeof note_zh,
               "Gamma-Gamma 模型无法拟合（%s）：价值以预期购买次数表示。",
               zh_reason(why_zh, sizeof why_zh, grc, &gg_err));
      clv__run_note(r, note, note_zh);
    }
  }

  double unit_days = clv_unit_days(clv_summary_unit(s));
  if (!(unit_days > 0)) {
    rc = CLV_EINVAL;
    goto fail;
  }
  clv_value_opts v;
  clv_value_opts_init(&v);
  v.horizon = o->horizon_days / unit_days;
  /* Without a spend model values are counts of purchases, to which a
   * money margin does not apply. */
  v.margin = r->spend ? margin : 1.0;
  v.discount_period = o->discount_period_days / unit_days;
  /* An annual rate becomes the equivalent rate per discount period. */
  v.discount_rate =
      pow(1.0 + o->annual_discount_rate, o->discount_period_days / 365.2425) -
      1.0;
  rc = clv_predictions_compute(r->tx, r->spend, s, &v, &r->pred);
  if (rc)
    goto fail;
  if (o->intervals) {
    rc = add_intervals(o, r);
    if (rc)
      goto fail;
  }
  for (size_t i = 0; i < n; i++)
    r->value_total += w[i] * r->pred->value[i];
  rc = add_tracking(r);
  if (rc)
    goto fail;
  *out = r;
  return CLV_OK;
fail:
  clv_run_result_free(r);
  return rc;
}

/* The order log at a path as a run's source. */
static int summarize_path(void *ctx, const clv_ingest_opts *io,
                          clv_summary **out, clv_ingest_report *report,
                          clv_error *err) {
  return clv_summarize_file(ctx, io, out, report, err);
}

int clv_run(const char *path, const clv_run_opts *o, clv_run_result **out,
            clv_error *err) {
  if (path == NULL)
    return CLV_EINVAL;
  clv__run_source src = {summarize_path, (void *)path, strcmp(path, "-") != 0};
  return clv__run_from(&src, o, out, err);
}
