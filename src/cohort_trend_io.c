/*
 * cohort_trend_io.c - writers of the CLV trend (trend.c): the series per
 * date and segment, the per-customer scores at every date, the action list
 * with each customer's direction, and the JSON object of the report.
 */
#include <math.h>
#include <string.h>

#include "cohort.h"
#include "textout.h"

static int finish(FILE *f) {
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static const char *segment_name(const clv_trend_segment *g, int zh) {
  return g->tier >= 0 ? clv_tier_label(g->tier, zh) : g->name;
}

int clv_trend_write_csv(const clv_trend *t, int zh, FILE *f) {
  char d[11];
  fputs("as_of,kind,segment,customers,clv_total,clv_mean\n", f);
  for (size_t k = 0; k < t->npoints; k++) {
    const clv_trend_point *p = &t->points[k];
    if (p->status != CLV_OK)
      continue;
    clv_day_format(p->as_of_day, d);
    fprintf(f, "%s,all,%s,", d, zh ? "全部" : "all");
    clv__fput_num(f, p->customers);
    fputc(',', f);
    clv__fput_num(f, p->value_total);
    fputc(',', f);
    clv__fput_num(f, p->value_mean);
    fputc('\n', f);
    for (size_t s = 0; s < t->nsegments; s++) {
      const clv_trend_segment *g = &t->segments[s];
      if (g->customers[k] == 0)
        continue;
      fprintf(f, "%s,%s,", d, g->kind);
      const char *name = segment_name(g, zh);
      clv__put_csv_field(f, name, strlen(name));
      fputc(',', f);
      clv__fput_num(f, g->customers[k]);
      fputc(',', f);
      clv__fput_num(f, g->value_total[k]);
      fputc(',', f);
      clv__fput_num(f, g->value_mean[k]);
      fputc('\n', f);
    }
  }
  return finish(f);
}

int clv_trend_write_customers_csv(const clv_trend *t, FILE *f) {
  char d[11];
  size_t n = t->customers;
  fputs("customer_id,as_of,clv,p_alive\n", f);
  for (size_t c = 0; c < n; c++) {
    size_t len;
    const char *id = clv_orders_customer_id(t->orders, (uint32_t)c, &len);
    for (size_t k = 0; k < t->npoints; k++) {
      double v = t->value[k * n + c];
      if (isnan(v))
        continue;
      clv__put_csv_field(f, id, len);
      fprintf(f, ",%s,", clv_day_format(t->points[k].as_of_day, d));
      clv__fput_num(f, v);
      fputc(',', f);
      clv__fput_num(f, t->p_alive[k * n + c]);
      fputc('\n', f);
    }
  }
  return finish(f);
}

int clv_trend_write_actions_csv(const clv_trend *t, int zh, FILE *f) {
  char d[11];
  size_t n = t->customers, last = t->npoints - 1;
  fputs("customer_id,cohort,tier,value,p_alive,first_as_of,first_value,"
        "change,trend\n",
        f);
  for (size_t c = 0; c < n; c++) {
    double v = t->value[last * n + c];
    if (isnan(v))
      continue;
    size_t len, first = last;
    const char *id = clv_orders_customer_id(t->orders, (uint32_t)c, &len);
    for (size_t k = 0; k < last; k++)
      if (!isnan(t->value[k * n + c])) {
        first = k;
        break;
      }
    clv__put_csv_field(f, id, len);
    fputc(',', f);
    if (t->cohort_of[c] != SIZE_MAX)
      fputs(t->segments[t->cohort_of[c]].name, f);
    fprintf(f, ",%s,", clv_tier_label(t->tier[c], zh));
    clv__fput_num(f, v);
    fputc(',', f);
    clv__fput_num(f, t->p_alive[last * n + c]);
    fprintf(f, ",%s,", clv_day_format(t->points[first].as_of_day, d));
    clv__fput_num(f, t->value[first * n + c]);
    fputc(',', f);
    clv__fput_num(f, t->change[c]);
    fprintf(f, ",%s\n", clv_trend_dir_label(t->direction[c], zh));
  }
  return finish(f);
}

int clv_trend_write_json(const clv_trend *t, FILE *f) {
  char d[11];
  fputs("{\"threshold\":", f);
  clv__fput_json_num(f, t->threshold);
  fputs(",\"change\":", f);
  clv__fput_json_num(f, t->change_all);
  fprintf(f, ",\"direction\":\"%s\",\"points\":[",
          clv_trend_dir_label(t->direction_all, 0));
  for (size_t k = 0; k < t->npoints; k++) {
    const clv_trend_point *p = &t->points[k];
    fprintf(f, "%s{\"as_of\":\"%s\",\"status\":", k ? "," : "",
            clv_day_format(p->as_of_day, d));
    clv__put_json_string(f, clv_strerror(p->status),
                         strlen(clv_strerror(p->status)));
    if (p->status == CLV_OK) {
      fputs(",\"model\":", f);
      clv__put_json_string(f, p->model, strlen(p->model));
      fputs(",\"customers\":", f);
      clv__fput_json_num(f, p->customers);
      fputs(",\"clv_total\":", f);
      clv__fput_json_num(f, p->value_total);
      fputs(",\"clv_mean\":", f);
      clv__fput_json_num(f, p->value_mean);
      fputs(",\"p_alive_mean\":", f);
      clv__fput_json_num(f, p->p_alive_mean);
    }
    fputc('}', f);
  }
  fputs("],\"segments\":[", f);
  for (size_t s = 0; s < t->nsegments; s++) {
    const clv_trend_segment *g = &t->segments[s];
    fprintf(f, "%s{\"kind\":\"%s\",\"segment\":", s ? "," : "", g->kind);
    const char *name = segment_name(g, 0);
    clv__put_json_string(f, name, strlen(name));
    fputs(",\"customers\":[", f);
    for (size_t k = 0; k < t->npoints; k++) {
      fputs(k ? "," : "", f);
      clv__fput_json_num(f, g->customers[k]);
    }
    fputs("],\"clv_mean\":[", f);
    for (size_t k = 0; k < t->npoints; k++) {
      fputs(k ? "," : "", f);
      clv__fput_json_num(f, g->customers[k] > 0 ? g->value_mean[k] : NAN);
    }
    fputs("],\"change\":", f);
    clv__fput_json_num(f, g->change);
    fprintf(f, ",\"direction\":\"%s\"}", clv_trend_dir_label(g->direction, 0));
  }
  fputs("]}\n", f);
  return finish(f);
}
