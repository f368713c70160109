/*
 * cmd_cohort.c - `clv cohort`: acquisition cohorts (retention, revenue and
 * cumulative revenue per customer by age, predicted CLV per cohort) and the
 * CLV trend from re-scoring at past dates. A thin layer over
 * clv_cohorts_compute() and clv_trend_compute() (clv/cohort.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "biz_args.h"
#include "cli.h"

static const char *const CMD = "cohort";

/* Ages shown on screen; the CSV files have all of them. */
enum { SCREEN_AGES = 12 };

static void help(void) {
  printf(
      "Usage: clv cohort ORDERS [--by month|week|quarter] [--trend N]\n"
      "                  [--trend-every MONTHS] [--as-of DATE] [--lang zh|en]\n"
      "                  [-o DIR]\n"
      "\n"
      "Acquisition cohorts: customers grouped by the period of their first\n"
      "purchase; per cohort and age (periods since acquisition) the share\n"
      "that bought again (retention), net revenue (refunds deducted in the\n"
      "period they happen), revenue and cumulative revenue per customer (the\n"
      "historic CLV curve), the cohort's predicted CLV, and whether it is\n"
      "rising or falling against the earlier cohorts at the same age. The\n"
      "period holding the as-of day is partly observed: it is marked '*'\n"
      "and left out of the comparisons. Customers with only refunds are not\n"
      "acquired; rows without a customer id are left out and counted.\n"
      "\n"
      "The CLV trend scores the log again at N dates (the latest included),\n"
      "MONTHS apart, and labels every customer, cohort and value tier\n"
      "rising, falling or stable (more than +-10 %% change of the mean CLV\n"
      "of the same customers).\n"
      "\n"
      "Options:\n"
      "  --by P               month (default), week (ISO, from Monday) or\n"
      "                       quarter\n"
      "  --trend N            scoring dates of the CLV trend (default 4; 1\n"
      "                       or 0: no trend)\n"
      "  --trend-every M      months between them (default 3)\n"
      "  --threshold T        rising/falling beyond +-T (default 0.10)\n"
      "  -o, --output DIR     output folder (created; default clv-out):\n"
      "                       cohorts.csv, cohort_retention.csv,\n"
      "                       cohort_summary.csv, cohorts.json, and with a\n"
      "                       trend trend.csv, trend_customers.csv,\n"
      "                       trend_actions.csv, trend.json\n");
  cli_biz_help(stdout);
  printf("\n"
         "Examples:\n"
         "  clv cohort online_retail.csv --customer CustomerID \\\n"
         "      --date InvoiceDate --quantity Quantity --price UnitPrice \\\n"
         "      --by month -o cohorts/\n"
         "  clv cohort orders.csv --as-of 2011-06-30 --trend 6 "
         "--trend-every 1 --lang zh\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data, 3 numerical failure\n"
         "(no model converged), 4 cannot read or write a file.\n");
}

static void print_matrix(const clv_cohorts *t, int zh, int cumulative) {
  size_t ages = t->max_ages < SCREEN_AGES ? t->max_ages : SCREEN_AGES;
  if (cumulative)
    printf("\n%s\n", zh ? "每客户累计收入（按队列年龄）："
                        : "Cumulative revenue per customer by age:");
  else
    printf("\n%s\n", zh ? "留存率 %（按队列年龄，* = 未完整观察）："
                        : "Retention % by age (* = partly observed):");
  printf("  %-9s %9s", zh ? "队列" : "cohort", zh ? "客户" : "customers");
  for (size_t k = 0; k < ages; k++)
    printf(" %7zu", k);
  printf("\n");
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    printf("  %-9s %9.0f", c->label, c->customers);
    for (size_t k = 0; k < ages && k < c->ages; k++) {
      const clv_cohort_cell *e = &c->cells[k];
      double v = cumulative ? e->cumulative_per_customer : 100 * e->retention;
      int partial = c->last_partial && k + 1 == c->ages;
      printf(" %6.*f%c", cumulative ? 1 : 1, v, partial ? '*' : ' ');
    }
    printf("\n");
  }
  if (t->max_ages > ages)
    printf("  (%zu ages; the CSV files have all)\n", t->max_ages);
}

static void print_cohorts(const char *input, const clv_cohorts *t, int zh) {
  char d[11];
  printf("clv cohort: %s\n", input);
  printf("  %-22s %s, %s %s\n", zh ? "队列周期" : "cohorts by",
         clv_cohort_by_name(t->by), zh ? "截至" : "as of",
         clv_day_format(t->as_of_day, d));
  printf("  %-22s %.0f (%s %.2f)\n", zh ? "获客客户" : "customers acquired",
         t->customers, zh ? "净收入" : "net revenue", t->revenue);
  if (t->not_acquired > 0)
    printf("  %-22s %.0f (%s %.2f)\n",
           zh ? "仅退款客户（未获客）" : "refunds only (not acquired)",
           t->not_acquired, zh ? "净额" : "net", t->not_acquired_revenue);
  if (t->rows_anonymous > 0)
    printf("  %-22s %llu (%s %.2f)\n",
           zh ? "无客户编号的行（排除）" : "rows without customer (left out)",
           (unsigned long long)t->rows_anonymous, zh ? "净额" : "net",
           t->revenue_anonymous);
  if (t->rows_after > 0)
    printf("  %-22s %llu\n", zh ? "截至日之后的行" : "rows after as-of day",
           (unsigned long long)t->rows_after);
  print_matrix(t, zh, 0);
  print_matrix(t, zh, 1);
  printf("\n%s\n", zh ? "队列价值（预测 CLV；与更早队列同龄比较）："
                      : "Cohort value (predicted CLV; against earlier "
                        "cohorts at the same age):");
  printf("  %-9s %9s %12s %12s %10s %8s %5s %10s %10s  %s\n",
         zh ? "队列" : "cohort", zh ? "客户" : "customers",
         zh ? "收入" : "revenue", zh ? "预测CLV" : "clv_total",
         zh ? "人均CLV" : "clv_mean", "p_alive", zh ? "年龄" : "age",
         zh ? "累计/人" : "cum/cust", zh ? "更早均值" : "earlier",
         zh ? "趋势" : "trend");
  for (size_t i = 0; i < t->n; i++) {
    const clv_cohort *c = &t->cohorts[i];
    printf("  %-9s %9.0f %12.2f", c->label, c->customers, c->revenue);
    /* Without a scored base there is no prediction to show: dashes, not
     * zeros that would read as worthless customers. */
    if (t->has_base)
      printf(" %12.2f %10.2f %8.3f", c->predicted_total, c->predicted_mean,
             c->p_alive_mean);
    else
      printf(" %12s %10s %8s", "-", "-", "-");
    if (c->direction != CLV_TREND_NA)
      printf(" %5zu %10.2f %10.2f", c->compare_age, c->compare_value,
             c->compare_baseline);
    else
      printf(" %5s %10s %10s", "", "", "");
    printf("  %s\n", clv_trend_dir_label(c->direction, zh));
  }
  printf("  %-9s %9.0f %12.2f", zh ? "合计" : "total", t->customers,
         t->revenue);
  if (t->has_base)
    printf(" %12.2f\n", t->predicted_total);
  else
    printf(" %12s\n", "-");
}

static void print_trend(const clv_trend *t, int zh) {
  char d[11];
  printf("\n%s\n", zh ? "CLV 趋势（在过去日期重新评分）："
                      : "CLV trend (re-scored at past dates):");
  printf("  %-10s %-8s %10s %14s %10s %8s\n", zh ? "截至" : "as of",
         zh ? "模型" : "model", zh ? "客户" : "customers",
         zh ? "CLV合计" : "clv_total", zh ? "人均" : "clv_mean", "p_alive");
  for (size_t k = 0; k < t->npoints; k++) {
    const clv_trend_point *p = &t->points[k];
    printf("  %-10s ", clv_day_format(p->as_of_day, d));
    if (p->status != CLV_OK)
      printf("(%s)\n", clv_strerror(p->status));
    else
      printf("%-8s %10.0f %14.2f %10.2f %8.3f\n", p->model, p->customers,
             p->value_total, p->value_mean, p->p_alive_mean);
  }
  printf("  %s: %s", zh ? "同一批客户的人均 CLV" : "same customers' mean CLV",
         clv_trend_dir_label(t->direction_all, zh));
  if (isfinite(t->change_all))
    printf(" (%+.1f %%)", 100 * t->change_all);
  printf("\n\n  %-9s %-9s", zh ? "分组" : "segment", "");
  for (size_t k = 0; k < t->npoints; k++)
    printf(" %10s", clv_day_format(t->points[k].as_of_day, d));
  printf("  %s\n", zh ? "趋势" : "trend");
  for (size_t s = 0; s < t->nsegments; s++) {
    const clv_trend_segment *g = &t->segments[s];
    printf("  %-9s %-9s", zh ? (g->tier >= 0 ? "价值层" : "队列") : g->kind,
           g->tier >= 0 ? clv_tier_label(g->tier, zh) : g->name);
    for (size_t k = 0; k < t->npoints; k++) {
      if (g->customers[k] > 0)
        printf(" %10.2f", g->value_mean[k]);
      else
        printf(" %10s", "-");
    }
    printf("  %s", clv_trend_dir_label(g->direction, zh));
    if (isfinite(g->change))
      printf(" (%+.1f %%)", 100 * g->change);
    printf("\n");
  }
  size_t count[4] = {0, 0, 0, 0};
  for (size_t c = 0; c < t->customers; c++)
    if (!isnan(t->value[(t->npoints - 1) * t->customers + c]))
      count[t->direction[c]]++;
  printf("  %s: %s %zu, %s %zu, %s %zu, %s %zu\n", zh ? "客户" : "customers",
         clv_trend_dir_label(CLV_TREND_RISING, zh), count[CLV_TREND_RISING],
         clv_trend_dir_label(CLV_TREND_STABLE, zh), count[CLV_TREND_STABLE],
         clv_trend_dir_label(CLV_TREND_FALLING, zh), count[CLV_TREND_FALLING],
         clv_trend_dir_label(CLV_TREND_NA, zh), count[CLV_TREND_NA]);
}

/* Writes one file with writer w (a cohort or trend writer); an exit code. */
typedef int (*writer)(const void *obj, int zh, FILE *f);

static int w_long(const void *o, int zh, FILE *f) {
  (void)zh;
  return clv_cohorts_write_csv(o, f);
}
static int w_wide(const void *o, int zh, FILE *f) {
  (void)zh;
  return clv_cohorts_write_retention_csv(o, f);
}
static int w_sum(const void *o, int zh, FILE *f) {
  return clv_cohorts_write_summary_csv(o, zh, f);
}
static int w_cjson(const void *o, int zh, FILE *f) {
  (void)zh;
  return clv_cohorts_write_json(o, f);
}
static int w_trend(const void *o, int zh, FILE *f) {
  return clv_trend_write_csv(o, zh, f);
}
static int w_tcust(const void *o, int zh, FILE *f) {
  (void)zh;
  return clv_trend_write_customers_csv(o, f);
}
static int w_tact(const void *o, int zh, FILE *f) {
  return clv_trend_write_actions_csv(o, zh, f);
}
static int w_tjson(const void *o, int zh, FILE *f) {
  (void)zh;
  return clv_trend_write_json(o, f);
}

static int write_file(const char *dir, const char *name, writer w,
                      const void *obj, int zh) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = w(obj, zh, f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

int cmd_cohort(int argc, char **argv) {
  cli_biz_args a;
  clv_cohort_opts co;
  clv_trend_opts to;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  clv_cohorts *t = NULL;
  clv_trend *tr = NULL;
  clv_error err;
  const char *dir = "clv-out";
  int rc, exit_code = CLI_EXIT_OK;

  cli_biz_args_init(&a);
  clv_cohort_opts_init(&co);
  clv_trend_opts_init(&to);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    int m;
    long l;
    double d;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (VALUE("--by")) {
      if (v == NULL || clv_cohort_by_parse(v, &co.by) != CLV_OK)
        return cli_usage_error(CMD, "--by expects month, week or quarter%s%s",
                               v ? ", got " : "", v ? v : "");
      to.by = co.by;
    } else if (VALUE("--trend")) {
      if (v == NULL || !cli_parse_long(CMD, "--trend", v, &l))
        return CLI_EXIT_USAGE;
      if (l < 0 || l > 120)
        return cli_usage_error(CMD, "--trend expects 0 to 120 dates");
      to.points = (int)l;
    } else if (VALUE("--trend-every")) {
      if (v == NULL || !cli_parse_long(CMD, "--trend-every", v, &l))
        return CLI_EXIT_USAGE;
      if (l < 1 || l > 120)
        return cli_usage_error(CMD, "--trend-every expects 1 to 120 months");
      to.every_months = (int)l;
    } else if (VALUE("--threshold")) {
      if (v == NULL || !cli_parse_double(CMD, "--threshold", v, &d))
        return CLI_EXIT_USAGE;
      if (!(d >= 0 && d < 100))
        return cli_usage_error(CMD, "--threshold is a share such as 0.1");
      co.threshold = to.threshold = d;
    } else if (cli_output_arg(CMD, argc, argv, &i, "a folder name", &dir)) {
      if (dir == NULL)
        return CLI_EXIT_USAGE;
    } else {
      int taken = cli_biz_arg(CMD, argc, argv, &i, &a);
      if (taken < 0)
        return CLI_EXIT_USAGE;
      if (taken == 0)
        return cli_usage_error(CMD, "unknown option %s", arg);
    }
#undef VALUE
  }
  if (cli_biz_finish(CMD, &a) < 0)
    return CLI_EXIT_USAGE;
  if (cli_make_dir(CMD, dir) != CLI_EXIT_OK)
    return CLI_EXIT_IO;
  int zh = cli_biz_zh(&a);
  if ((exit_code = cli_biz_load(CMD, &a, 0, &orders, &base)) != CLI_EXIT_OK)
    goto done;
  /* The cohort tables need no model: when the log cannot be scored the
   * command still gives them, without predicted CLV and trend, and says
   * why. */
  clv_error_clear(&err);
  rc = clv_base_build(orders, &a.base, &base, &err);
  if (rc) {
    cli_note(CMD, "no predicted CLV and no trend: %s",
             err.message[0] ? err.message : clv_strerror(rc));
    base = NULL;
  } else if (!a.quiet) {
    char d[11];
    cli_note(CMD, "scored as of %s: %.0f customers, model %s, CLV total %.2f",
             clv_day_format(base->as_of_day, d), base->run->customers,
             clv_model_family(base->run->tx), base->run->value_total);
    if (base->run->notes[0])
      cli_note(CMD, "%s", base->run->notes);
  }
  if ((rc = clv_cohorts_compute(orders, base, &co, &t)) != CLV_OK) {
    exit_code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  if (base != NULL && to.points >= 2) {
    clv_error_clear(&err);
    rc = clv_trend_compute(orders, base, &a.base, &to, &tr, &err);
    if (rc) {
      exit_code = cli_fail(CMD, rc, &err);
      goto done;
    }
  }
  if ((exit_code = write_file(dir, "cohorts.csv", w_long, t, zh)) ||
      (exit_code = write_file(dir, "cohort_retention.csv", w_wide, t, zh)) ||
      (exit_code = write_file(dir, "cohort_summary.csv", w_sum, t, zh)) ||
      (exit_code = write_file(dir, "cohorts.json", w_cjson, t, zh)))
    goto done;
  if (tr &&
      ((exit_code = write_file(dir, "trend.csv", w_trend, tr, zh)) ||
       (exit_code = write_file(dir, "trend_customers.csv", w_tcust, tr, zh)) ||
       (exit_code = write_file(dir, "trend_actions.csv", w_tact, tr, zh)) ||
       (exit_code = write_file(dir, "trend.json", w_tjson, tr, zh))))
    goto done;
  if (!a.quiet) {
    print_cohorts(a.input, t, zh);
    if (tr)
      print_trend(tr, zh);
    printf("\n%s: %s/cohorts.csv, %s/cohort_retention.csv, "
           "%s/cohort_summary.csv, %s/cohorts.json%s%s%s\n",
           zh ? "文件" : "Files", dir, dir, dir, dir, tr ? ", " : "",
           tr ? dir : "",
           tr ? "/trend.csv, trend_customers.csv, trend_actions.csv, "
                "trend.json"
              : "");
  }
done:
  clv_trend_free(tr);
  clv_cohorts_free(t);
  clv_base_free(base);
  clv_orders_free(orders);
  return exit_code;
}
