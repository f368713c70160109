/*
 * cohort_io.c - writers of the cohort table: the long CSV (one row per
 * cohort and age), the wide retention matrix, the per-cohort summary with
 * its verdict, and the JSON object the report draws (docs/cohort.md).
 */
#include <math.h>
#include <string.h>

#include "cohort.h"
#include "textout.h"

static int finish(FILE *f) {
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_cohorts_write_csv(const clv_cohorts *t, FILE *f) {
  fputs("cohort,age,partial,customers,active,retention,revenue,"
        "revenue_per_customer,cumulative_per_customer\n",
        f);
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    for (size_t k = 0; k < c->ages; k++) {
      const clv_cohort_cell *e = &c->cells[k];
      int partial = c->last_partial && k + 1 == c->ages;
      fprintf(f, "%s,%zu,%d,", c->label, k, partial);
      clv__fput_num(f, c->customers);
      fputc(',', f);
      clv__fput_num(f, e->active);
      fputc(',', f);
      clv__fput_num(f, e->retention);
      fputc(',', f);
      clv__fput_num(f, e->revenue);
      fputc(',', f);
      clv__fput_num(f, e->revenue_per_customer);
      fputc(',', f);
      clv__fput_num(f, e->cumulative_per_customer);
      fputc('\n', f);
    }
  }
  return finish(f);
}

int clv_cohorts_write_retention_csv(const clv_cohorts *t, FILE *f) {
  fputs("cohort,customers", f);
  for (size_t k = 0; k < t->max_ages; k++)
    fprintf(f, ",age_%zu", k);
  fputc('\n', f);
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    fprintf(f, "%s,", c->label);
    clv__fput_num(f, c->customers);
    for (size_t k = 0; k < t->max_ages; k++) {
      fputc(',', f);
      if (k < c->ages && !(c->last_partial && k + 1 == c->ages))
        clv__fput_num(f, c->cells[k].retention);
    }
    fputc('\n', f);
  }
  return finish(f);
}

int clv_cohorts_write_summary_csv(const clv_cohorts *t, int zh, FILE *f) {
  fputs("cohort,customers,revenue,scored,predicted_total,predicted_mean,"
        "p_alive_mean,compare_age,compare_value,compare_baseline,direction\n",
        f);
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    int full = c->ages > (size_t)c->last_partial;
    fprintf(f, "%s,", c->label);
    clv__fput_num(f, c->customers);
    fputc(',', f);
    clv__fput_num(f, c->revenue);
    fputc(',', f);
    clv__fput_num(f, c->scored);
    fputc(',', f);
    clv__fput_num(f, c->predicted_total);
    fputc(',', f);
    clv__fput_num(f, c->predicted_mean);
    fputc(',', f);
    clv__fput_num(f, c->p_alive_mean);
    fputc(',', f);
    if (full)
      fprintf(f, "%zu", c->compare_age);
    fputc(',', f);
    if (full)
      clv__fput_num(f, c->compare_value);
    fputc(',', f);
    if (c->direction != CLV_TREND_NA || c->compare_baseline != 0)
      clv__fput_num(f, c->compare_baseline);
    fprintf(f, ",%s\n", clv_trend_dir_label(c->direction, zh));
  }
  /* The total row ties the table to the order log. */
  fputs(zh ? "合计," : "total,", f);
  clv__fput_num(f, t->customers);
  fputc(',', f);
  clv__fput_num(f, t->revenue);
  fputs(",,", f);
  clv__fput_num(f, t->predicted_total);
  fputs(",,,,,,\n", f);
  return finish(f);
}

int clv_cohorts_write_json(const clv_cohorts *t, FILE *f) {
  char d[11];
  fprintf(f, "{\"by\":\"%s\",\"as_of\":\"%s\",\"threshold\":",
          clv_cohort_by_name(t->by), clv_day_format(t->as_of_day, d));
  clv__fput_json_num(f, t->threshold);
  fputs(",\"customers\":", f);
  clv__fput_json_num(f, t->customers);
  fputs(",\"revenue\":", f);
  clv__fput_json_num(f, t->revenue);
  fputs(",\"log_revenue\":", f);
  clv__fput_json_num(f, t->log_revenue);
  fputs(",\"not_acquired\":", f);
  clv__fput_json_num(f, t->not_acquired);
  fputs(",\"not_acquired_revenue\":", f);
  clv__fput_json_num(f, t->not_acquired_revenue);
  fprintf(f, ",\"rows_anonymous\":%llu,\"revenue_anonymous\":",
          (unsigned long long)t->rows_anonymous);
  clv__fput_json_num(f, t->revenue_anonymous);
  fprintf(f, ",\"rows_after\":%llu,\"predicted_total\":",
          (unsigned long long)t->rows_after);
  if (t->has_base)
    clv__fput_json_num(f, t->predicted_total);
  else
    fputs("null", f);
  fputs(",\"cohorts\":[", f);
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    fprintf(f, "%s{\"cohort\":\"%s\",\"start\":\"%s\",\"customers\":",
            i ? "," : "", c->label, clv_day_format(c->start_day, d));
    clv__fput_json_num(f, c->customers);
    fputs(",\"revenue\":", f);
    clv__fput_json_num(f, c->revenue);
    fprintf(f, ",\"last_partial\":%s,\"retention\":[",
            c->last_partial ? "true" : "false");
    for (size_t k = 0; k < c->ages; k++) {
      fputs(k ? "," : "", f);
      clv__fput_json_num(f, c->cells[k].retention);
    }
    fputs("],\"revenue_per_customer\":[", f);
    for (size_t k = 0; k < c->ages; k++) {
      fputs(k ? "," : "", f);
      clv__fput_json_num(f, c->cells[k].revenue_per_customer);
    }
    fputs("],\"cumulative_per_customer\":[", f);
    for (size_t k = 0; k < c->ages; k++) {
      fputs(k ? "," : "", f);
      clv__fput_json_num(f, c->cells[k].cumulative_per_customer);
    }
    fputs("]", f);
    if (t->has_base) {
      fputs(",\"scored\":", f);
      clv__fput_json_num(f, c->scored);
      fputs(",\"predicted_total\":", f);
      clv__fput_json_num(f, c->predicted_total);
      fputs(",\"predicted_mean\":", f);
      clv__fput_json_num(f, c->predicted_mean);
      fputs(",\"p_alive_mean\":", f);
      clv__fput_json_num(f, c->p_alive_mean);
    }
    fprintf(f, ",\"direction\":\"%s\"}", clv_trend_dir_label(c->direction, 0));
  }
  fputs("]}\n", f);
  return finish(f);
}
