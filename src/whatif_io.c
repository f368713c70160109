/*
 * whatif_io.c - the CSV and JSON writers of a what-if result
 * (clv/whatif.h): the scenario table, the group table with the plain
 * formulas, the per-customer action list and the JSON for the report.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clv/whatif.h"
#include "textout.h"

/* A number for CSV (empty when not finite) or JSON (null). */
static void put_num(FILE *f, double v, int json) {
  char buf[64];
  if (!isfinite(v)) {
    if (json)
      fputs("null", f);
    return;
  }
  clv__fmt_sig(v, 10, buf, sizeof buf);
  fputs(buf, f);
}

/* The scenario's label: its name, or the changes it makes. */
static void scenario_label(const clv_whatif_scenario *sc, char *buf,
                           size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
  if (sc->name[0]) {
    snprintf(buf, cap, "%s", sc->name);
    return;
  }
#define ADD(...)                                                               \
  do {                                                                         \
    if (n < cap)                                                               \
      n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);                    \
  } while (0)
  if (sc->retention != 0)
    ADD("%sretention%+g%%", n ? " " : "", 100 * sc->retention);
  if (sc->frequency != 0)
    ADD("%sfrequency%+g%%", n ? " " : "", 100 * sc->frequency);
  if (sc->aov != 0)
    ADD("%saov%+g%%", n ? " " : "", 100 * sc->aov);
  if (!isnan(sc->margin))
    ADD("%smargin=%g%%", n ? " " : "", 100 * sc->margin);
  if (sc->margin_points != 0)
    ADD("%smargin%+gpt", n ? " " : "", 100 * sc->margin_points);
  if (!isnan(sc->discount_rate))
    ADD("%sdiscount=%g%%", n ? " " : "", 100 * sc->discount_rate);
  if (n == 0)
    ADD("base");
#undef ADD
}

static void put_label_csv(FILE *f, const char *s) {
  clv__put_csv_field(f, s, strlen(s));
}

const char *clv_whatif_scenario_note(const clv_whatif *w, size_t k) {
  if (w == NULL || k >= w->nscen || !w->no_dropout || w->limit_note == NULL)
    return "";
  return w->scenarios[k].retention != 0 ? w->limit_note : "";
}

int clv_whatif_write_csv(const clv_whatif *w, FILE *f) {
  char lab[256];
  fputs("scenario,retention,frequency,aov,margin_points,margin,"
        "discount_rate,value_before,value_after,change,change_pct,note\n",
        f);
  for (size_t k = 0; k < w->nscen; k++) {
    const clv_whatif_scenario *sc = &w->scenarios[k];
    scenario_label(sc, lab, sizeof lab);
    put_label_csv(f, lab);
    double v[] = {sc->retention,     sc->frequency, sc->aov,
                  sc->margin_points, sc->margin,    sc->discount_rate,
                  w->base_total,     w->total[k],   w->change[k],
                  w->change_pct[k]};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
      fputc(',', f);
      put_num(f, v[j], 0);
    }
    fputc(',', f);
    put_label_csv(f, clv_whatif_scenario_note(w, k));
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static const char *const plain_names[] = {
    "aov",           "orders_per_year", "retention_year",  "lifespan_years",
    "value_aov",     "monthly_value",   "retention_month", "lifespan_months",
    "value_monthly", "value_retention"};

static void plain_values(const clv_whatif_plain *p, double *v) {
  v[0] = p->aov;
  v[1] = p->orders_per_year;
  v[2] = p->retention_year;
  v[3] = p->lifespan_years;
  v[4] = p->value_aov;
  v[5] = p->monthly_value;
  v[6] = p->retention_month;
  v[7] = p->lifespan_months;
  v[8] = p->value_monthly;
  v[9] = p->value_retention;
}

int clv_whatif_write_groups_csv(const clv_whatif *w, FILE *f) {
  fputs("group,customers,unscored,historic_revenue,value_base", f);
  for (size_t k = 0; k < w->nscen; k++)
    fprintf(f, ",value_s%zu", k + 1);
  for (size_t j = 0; j < 10; j++)
    fprintf(f, ",%s", plain_names[j]);
  fputc('\n', f);
  for (size_t g = 0; g <= w->ngroups; g++) {
    const clv_whatif_group *gr = &w->groups[g];
    double pv[10];
    put_label_csv(f, gr->label);
    double v[] = {gr->customers, gr->unscored, gr->historic, gr->base};
    for (size_t j = 0; j < 4; j++) {
      fputc(',', f);
      put_num(f, v[j], 0);
    }
    for (size_t k = 0; k < w->nscen; k++) {
      fputc(',', f);
      put_num(f, gr->value[k], 0);
    }
    plain_values(&gr->plain, pv);
    for (size_t j = 0; j < 10; j++) {
      fputc(',', f);
      put_num(f, pv[j], 0);
    }
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_whatif_write_customers_csv(const clv_whatif *w, const clv_base *b,
                                   FILE *f) {
  const clv_summary *s = b->run->summary;
  if (clv_summary_rows(s) != w->rows)
    return CLV_EINVAL;
  fputs("customer_id,segment,p_alive,value", f);
  for (size_t k = 0; k < w->nscen; k++)
    fprintf(f, ",value_s%zu", k + 1);
  fputc('\n', f);
  for (size_t i = 0; i < w->rows; i++) {
    size_t len;
    const char *id = clv_summary_id(s, i, &len);
    clv__put_csv_field(f, id ? id : "", id ? len : 0);
    fputc(',', f);
    put_label_csv(f, w->groups[w->group_of[i]].label);
    fputc(',', f);
    put_num(f, b->run->pred->p_alive[i], 0);
    fputc(',', f);
    put_num(f, b->run->pred->value[i], 0);
    for (size_t k = 0; k < w->nscen; k++) {
      fputc(',', f);
      put_num(f, w->values[i * w->nscen + k], 0);
    }
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_whatif_write_json(const clv_whatif *w, FILE *f) {
  char lab[256];
  fputs("{\"margin\":", f);
  put_num(f, w->margin, 1);
  fputs(",\"annual_discount_rate\":", f);
  put_num(f, w->annual_discount_rate, 1);
  fputs(",\"value_before\":", f);
  put_num(f, w->base_total, 1);
  fputs(",\"why_differ\":", f);
  clv__put_json_string(f, w->why_differ, strlen(w->why_differ));
  fprintf(f, ",\"no_dropout\":%s,\"limit_note\":",
          w->no_dropout ? "true" : "false");
  const char *ln = w->limit_note ? w->limit_note : "";
  clv__put_json_string(f, ln, strlen(ln));
  fputs(",\"scenarios\":[", f);
  for (size_t k = 0; k < w->nscen; k++) {
    const clv_whatif_scenario *sc = &w->scenarios[k];
    scenario_label(sc, lab, sizeof lab);
    fputs(k ? ",{\"name\":" : "{\"name\":", f);
    clv__put_json_string(f, lab, strlen(lab));
    const char *nm[] = {"retention",     "frequency", "aov",
                        "margin_points", "margin",    "discount_rate",
                        "value_after",   "change",    "change_pct"};
    double v[] = {sc->retention,     sc->frequency, sc->aov,
                  sc->margin_points, sc->margin,    sc->discount_rate,
                  w->total[k],       w->change[k],  w->change_pct[k]};
    for (size_t j = 0; j < 9; j++) {
      fprintf(f, ",\"%s\":", nm[j]);
      put_num(f, v[j], 1);
    }
    const char *note = clv_whatif_scenario_note(w, k);
    fputs(",\"note\":", f);
    clv__put_json_string(f, note, strlen(note));
    fputc('}', f);
  }
  fputs("],\"groups\":[", f);
  for (size_t g = 0; g <= w->ngroups; g++) {
    const clv_whatif_group *gr = &w->groups[g];
    double pv[10];
    fputs(g ? ",{\"group\":" : "{\"group\":", f);
    clv__put_json_string(f, gr->label, strlen(gr->label));
    fprintf(f,
            ",\"total\":%s,\"customers\":", g == w->ngroups ? "true" : "false");
    put_num(f, gr->customers, 1);
    fputs(",\"unscored\":", f);
    put_num(f, gr->unscored, 1);
    fputs(",\"historic_revenue\":", f);
    put_num(f, gr->historic, 1);
    fputs(",\"value_base\":", f);
    put_num(f, gr->base, 1);
    fputs(",\"values\":[", f);
    for (size_t k = 0; k < w->nscen; k++) {
      if (k)
        fputc(',', f);
      put_num(f, gr->value[k], 1);
    }
    fputc(']', f);
    plain_values(&gr->plain, pv);
    for (size_t j = 0; j < 10; j++) {
      fprintf(f, ",\"%s\":", plain_names[j]);
      put_num(f, pv[j], 1);
    }
    fputc('}', f);
  }
  fputs("]}\n", f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}
