/*
 * cmd_run.c - `clv run`: the one-shot job on an order log. A thin layer over
 * clv_run(): it writes summary.csv, the model files and predictions.csv into
 * a folder and prints a short account a shop owner can read.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ingest_args.h"

static const char *const CMD = "run";

static void help(void) {
  printf(
      "Usage: clv run ORDERS [options] [-o DIR]\n"
      "\n"
      "The whole job on an order log: per-customer summary -> purchase\n"
      "model (BG/NBD, Pareto/NBD or MBG/NBD, chosen on a holdout) +\n"
      "Gamma-Gamma spend model (maximum likelihood) -> predictions and\n"
      "customer lifetime value. Writes into DIR (default clv-out):\n"
      "summary.csv, model.json (the purchase model), gg.json (when the log\n"
      "has amounts and enough repeat buyers), predictions.csv,\n"
      "tracking.csv, report.html; prints a short account:\n"
      "customers, repeat buyers, the fitted models, total and average CLV,\n"
      "the most valuable customers and the valuable customers most at risk.\n"
      "\n"
      "Value (CLV) options:\n"
      "  --horizon-months N   horizon in calendar months (default 12)\n"
      "  --margin M           gross margin rate applied to spend (default:\n"
      "                       1 - cost / revenue when the log has a cost\n"
      "                       column, else 1 = revenue; 0.3 for 30%%)\n"
      "  --discount-rate D    annual discount rate (default 0.10), applied\n"
      "                       per calendar month as (1+D)^(1/12)-1\n"
      "  --top N              customers listed in each table (default 10)\n"
      "  --intervals [LEVEL]  add expected_purchases_lo/_hi and clv_lo/_hi to\n"
      "                       predictions.csv: the LEVEL (default 0.9)\n"
      "                       interval over draws of the fitted parameters\n"
      "                       (docs/models.md)\n"
      "  --interval-draws B   parameter draws (default 200)\n"
      "  --interval-seed S    random seed of the draws (default 1)\n"
      "Model:\n"
      "  --model M            purchase model: bgnbd, pnbd, mbgnbd. Default:\n"
      "                       every one is fitted on a calibration period and\n"
      "                       checked on a holdout (--holdout-from DATE, else\n"
      "                       the last third of the log); the one that\n"
      "                       predicts the holdout best is refitted on the\n"
      "                       whole log. BG/NBD when the data cannot support\n"
      "                       the comparison (the account says why).\n"
      "  -o, --output DIR     output folder (created; default clv-out)\n"
      "  --lang en|zh         language of report.html (default en)\n"
      "  --no-report          do not write report.html (the HTML report of\n"
      "                       the run; `clv report` adds the business\n"
      "                       sections)\n"
      "  -q, --quiet          no account on stdout, no notes on stderr\n"
      "\n"
      "Order log options (as clv summary; the unit defaults to week here):\n");
  cli_ingest_help(stdout);
  printf("\n"
         "Examples:\n"
         "  clv simulate --customers 20000 --seed 7 -o orders.csv\n"
         "  clv run orders.csv -o out/ --margin 0.3\n"
         "  # CDNOW (no header, blanks): customer = 2, date = 3, amount = 5\n"
         "  clv run CDNOW_sample.txt --customer 2 --date 3 --amount 5 \\\n"
         "      --until 1997-09-30 -o cdnow-out/\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data, 3 numerical failure\n"
         "(no model converged), 4 cannot read or write a file.\n");
}

/* Indices of the k rows with the largest score (score NaN = not eligible),
 * best first. k is small (a screenful), so an insertion list is enough. */
static size_t top_rows(const double *score, size_t n, size_t k, size_t *idx) {
  size_t have = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(score[i]))
      continue;
    if (have == k && !(score[i] > score[idx[k - 1]]))
      continue;
    size_t j = have < k ? have++ : k - 1;
    while (j > 0 && score[i] > score[idx[j - 1]]) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  return have;
}

static void print_model(const char *title, const clv_model *m) {
  printf("  %-18s", title);
  const double *p = clv_model_params(m), *se = clv_model_se(m);
  for (int i = 0; i < clv_model_nparams(m); i++) {
    printf(" %s %.4g", clv_model_param_name(m, i), p[i]);
    if (isfinite(se[i]))
      printf(" (SE %.2g)", se[i]);
  }
  printf("; LL %.2f, %s\n", clv_model_loglik(m),
         clv_model_converged(m) ? "converged" : "NOT converged");
}

static void print_customers(const char *title, const clv_run_result *r,
                            const size_t *idx, size_t k) {
  const clv_summary *s = r->summary;
  const double *x = clv_summary_col(s, CLV_COL_X);
  const double *spent = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const clv_predictions *p = r->pred;
  printf("\n%s\n", title);
  printf("  %-16s %12s %8s %10s %6s %12s\n", "customer", "clv", "p_alive",
         "expected", "orders", "spent");
  for (size_t j = 0; j < k; j++) {
    size_t i = idx[j];
    printf("  %-16.16s %12.2f %8.3f %10.2f %6.0f %12.2f\n",
           clv_summary_id(s, i, NULL), p->value[i], p->p_alive[i],
           p->expected[i], x[i] + 1, spent ? spent[i] : NAN);
  }
}

static void print_account(const char *input, const clv_run_result *r,
                          const clv_run_opts *o, size_t top, const char *dir) {
  const clv_summary *s = r->summary;
  size_t n = clv_summary_rows(s);
  char d1[11], d2[11];
  clv_day_format(r->ingest.first_day, d1);
  clv_day_format(clv_summary_end_day(s), d2);
  printf("clv run: %s\n", input);
  printf("  %-18s %.0f (repeat buyers %.1f %%)\n", "customers", r->customers,
         100 * r->repeat_share);
  printf("  %-18s %s .. %s, times in %ss\n", "observation", d1, d2,
         clv_unit_name(clv_summary_unit(s)));
  if (clv_summary_has(s, CLV_COL_TOTAL_SPEND))
    printf("  %-18s %.2f\n", "historic revenue", r->historic_revenue);
  char title[64];
  snprintf(title, sizeof title, "purchases (%s)", clv_model_family(r->tx));
  print_model(title, r->tx);
  if (r->spend)
    print_model("Gamma-Gamma spend", r->spend);
  if (r->spend)
    printf("\n  CLV over the next %.0f months (margin %.0f %%, discount %.0f "
           "%% a year):\n",
           o->horizon_days / (365.2425 / 12), 100 * r->pred->value_opts.margin,
           100 * o->annual_discount_rate);
  else
    printf("\n  Expected purchases over the next %.0f months (discount %.0f "
           "%% a year; no spend model):\n",
           o->horizon_days / (365.2425 / 12), 100 * o->annual_discount_rate);
  printf("  %-18s %.2f%s\n", "total", r->value_total,
         r->spend ? "" : " purchases");
  printf("  %-18s %.2f\n", "per customer",
         r->customers > 0 ? r->value_total / r->customers : 0);
  printf("  %-18s %.2f (first purchase included; expected repeat purchases "
         "%.2f)\n",
         "a new customer", r->pred->new_value, r->pred->new_expected);
  const clv_intervals *iv = r->pred->intervals;
  if (iv)
    printf("  %-18s %.2f to %.2f (repeat purchases %.2f to %.2f; %.4g %% "
           "intervals from %d parameter draws)\n",
           "", iv->new_value_lo, iv->new_value_hi, iv->new_expected_lo,
           iv->new_expected_hi, 100 * iv->level, iv->draws);
  const clv_validation *v = r->validation;
  if (v != NULL && v->compared) {
    printf(
        "\n  Holdout check (%.0f customers, %.0f actual holdout purchases):\n",
        v->customers, v->total_actual);
    printf("  %-10s %12s %10s %8s %10s\n", "model", "predicted", "RMSE", "corr",
           "AIC");
    for (size_t k = 0; k < v->nmodels; k++) {
      const clv_validation_model *vm = &v->models[k];
      if (vm->status != CLV_OK)
        printf("  %-10s %s\n", vm->family, vm->reason);
      else
        printf("  %-10s %12.1f %10.4f %8.3f %10.1f%s\n", vm->family,
               vm->total_predicted, vm->rmse, vm->correlation, vm->aic,
               (int)k == v->chosen ? "  <- chosen" : "");
    }
  }
  if (r->notes[0])
    printf("  note: %s\n", r->notes);

  size_t *idx = malloc((top ? top : 1) * sizeof *idx);
  double *score = malloc((n ? n : 1) * sizeof *score);
  if (idx == NULL || score == NULL) {
    free(idx);
    free(score);
    return;
  }
  size_t k = top_rows(r->pred->value, n, top, idx);
  print_customers("Most valuable customers (predicted CLV):", r, idx, k);
  /* At risk: customers who are probably gone (P(alive) < 0.5), ranked by
   * what they spent so far times the chance that they are gone. */
  const double *spent = clv_summary_col(s, CLV_COL_TOTAL_SPEND);
  const double *x = clv_summary_col(s, CLV_COL_X);
  for (size_t i = 0; i < n; i++) {
    double pa = r->pred->p_alive[i];
    double past = spent ? spent[i] : x[i] + 1;
    score[i] = pa < 0.5 ? past * (1 - pa) : NAN;
  }
  k = top_rows(score, n, top, idx);
  print_customers("Valuable customers most at risk (P(alive) < 0.5, by "
                  "spend x (1 - P(alive))):",
                  r, idx, k);
  printf("\nFiles: %s/summary.csv, %s/model.json%s%s%s, "
         "%s/predictions.csv%s%s%s%s%s%s\n",
         dir, dir, r->spend ? ", " : "", r->spend ? dir : "",
         r->spend ? "/gg.json" : "", dir, r->tracking ? ", " : "",
         r->tracking ? dir : "", r->tracking ? "/tracking.csv" : "",
         clv_report_available() ? ", " : "", clv_report_available() ? dir : "",
         clv_report_available() ? "/report.html" : "");
  free(idx);
  free(score);
}

/* The value of --intervals: "--intervals=0.8", or "--intervals" followed by
 * an optional level (the next word when it is a number between 0 and 1).
 * Returns 1 when argv[*i] is the flag (*bad set on a wrong level), else 0. */
static int interval_flag(int argc, char **argv, int *i, double *level,
                         int *bad) {
  const char *a = argv[*i];
  *bad = 0;
  if (strcmp(a, "--intervals") == 0) {
    *level = 0.9;
    if (*i + 1 < argc && cli_is_level(argv[*i + 1], level))
      ++*i;
    return 1;
  }
  if (strncmp(a, "--intervals=", 12) != 0)
    return 0;
  if (!cli_is_level(a + 12, level)) {
    cli_usage_error(CMD,
                    "--intervals expects a level between 0 and 1 such as "
                    "0.9, got \"%s\"",
                    a + 12);
    *bad = 1;
  }
  return 1;
}

/* Writes one output file; returns an exit code. */
static int write_table(const char *dir, const char *name,
                       const clv_run_result *r, int predictions) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = predictions
               ? clv_predictions_write(r->pred, r->summary, f, CLV_FORMAT_CSV)
               : clv_summary_write_csv(r->summary, f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

static int write_model(const char *dir, const char *name, const clv_model *m) {
  char path[4096];
  clv_error err;
  clv_error_clear(&err);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = clv_model_save(m, path, &err);
  return rc ? cli_fail(CMD, rc, &err) : CLI_EXIT_OK;
}

/*
 * Writes tracking.csv (the cohort tracking curve, when the run has one) and,
 * unless quiet, prints it at four points: expected vs actual cumulative
 * repeat purchases at the end of each quarter of the periods. Returns an
 * exit code.
 */
static int write_tracking(const char *dir, const clv_run_result *r, int quiet) {
  const clv_tracking *t = r->tracking;
  char path[4096];
  if (t == NULL)
    return CLI_EXIT_OK;
  snprintf(path, sizeof path, "%s/tracking.csv", dir);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = clv_tracking_write_csv(t, f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  int code = cli_close_output(CMD, f, path);
  if (code || quiet)
    return code;
  double weeks =
      t->period_length * clv_unit_days(clv_summary_unit(r->summary)) / 7;
  printf("\n  Cumulative repeat purchases of the cohort, expected (%s) vs "
         "actual\n  (periods of %.0f week%s; %s):\n",
         clv_model_family(r->tx), weeks, weeks == 1 ? "" : "s", path);
  size_t last = 0;
  for (size_t q = 1; q <= 4; q++) {
    size_t k = (t->periods * q + 3) / 4;
    if (k == last || k == 0)
      continue;
    last = k;
    printf("  period %-10zu expected %12.1f   actual ", k, t->expected[k - 1]);
    if (t->actual && isfinite(t->actual[k - 1]))
      printf("%.0f\n", t->actual[k - 1]);
    else
      printf("unknown\n");
  }
  return CLI_EXIT_OK;
}

/* The HTML report of the run (overview, model fit, tracking, value) in
 * DIR/report.html; the business sections need the order table, which only
 * `clv report` reads. A build without ECharts says so and goes on. */
static int write_report(const char *dir, const clv_run_result *r,
                        const char *lang, int quiet) {
  char path[4096];
  clv_report *rep = NULL;
  clv_report_opts ro;
  clv_base b;
  int rc;
  if (!clv_report_available()) {
    if (!quiet)
      cli_note(CMD, "no report.html: this build has no Apache ECharts (npm "
                    "was missing when it was built)");
    return CLI_EXIT_OK;
  }
  memset(&b, 0, sizeof b);
  b.run = (clv_run_result *)r;
  b.as_of_day = clv_summary_end_day(r->summary);
  b.margin = r->pred->value_opts.margin;
  clv_report_opts_init(&ro);
  ro.lang = lang;
  snprintf(path, sizeof path, "%s/report.html", dir);
  if ((rc = clv_report_new(&rep, &ro)) ||
      (rc = clv_report_add_base_sections(rep, &b))) {
    clv_report_free(rep);
    return cli_fail(CMD, rc, NULL);
  }
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL) {
    clv_report_free(rep);
    return CLI_EXIT_IO;
  }
  rc = clv_report_write_html(rep, f);
  clv_report_free(rep);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

int cmd_run(int argc, char **argv) {
  cli_ingest_args args;
  clv_run_opts o;
  clv_run_result *r = NULL;
  clv_error err;
  cli_progress prog;
  const char *input = NULL, *dir = "clv-out";
  long top = 10;
  int quiet = 0, rc, exit_code, report = 1, margin_given = 0;
  const char *lang = "en";

  clv_run_opts_init(&o);
  cli_ingest_args_init(&args);
  args.opts.unit = CLV_UNIT_WEEK;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int m, taken, bad;
    double d;
    long l;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
    taken = cli_ingest_arg(CMD, argc, argv, &i, &args);
    if (taken < 0)
      return CLI_EXIT_USAGE;
    if (taken > 0)
      continue;
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (VALUE("--horizon-months")) {
      if (v == NULL || !cli_parse_double(CMD, "--horizon-months", v, &d))
        return CLI_EXIT_USAGE;
      if (!(d > 0))
        return cli_usage_error(CMD, "--horizon-months must be positive");
      o.horizon_days = d * 365.2425 / 12;
    } else if (VALUE("--margin")) {
      if (v == NULL || !cli_parse_double(CMD, "--margin", v, &o.margin))
        return CLI_EXIT_USAGE;
      if (!(o.margin >= 0 && o.margin <= 1))
        return cli_usage_error(CMD, "--margin is a rate from 0 to 1");
      margin_given = 1;
    } else if (VALUE("--discount-rate")) {
      if (v == NULL ||
          !cli_parse_double(CMD, "--discount-rate", v, &o.annual_discount_rate))
        return CLI_EXIT_USAGE;
      if (!(o.annual_discount_rate > -1 && o.annual_discount_rate < 10))
        return cli_usage_error(CMD, "--discount-rate is a yearly rate such "
                                    "as 0.1");
    } else if (VALUE("--model")) {
      if (v == NULL)
        return cli_usage_error(CMD, "--model needs a model name");
      int tx = 0, known = 0;
      const char *name;
      for (size_t k = 0; (name = clv_model_family_name(k, &tx)) != NULL; k++)
        known |= tx && strcmp(name, v) == 0;
      if (!known)
        return cli_usage_error(CMD,
                               "--model expects a purchase model such "
                               "as bgnbd, pnbd or mbgnbd, got \"%s\"",
                               v);
      o.model = v;
    } else if (interval_flag(argc, argv, &i, &o.interval.level, &bad)) {
      if (bad)
        return CLI_EXIT_USAGE;
      o.intervals = 1;
    } else if (VALUE("--interval-draws")) {
      if (v == NULL || !cli_parse_long(CMD, "--interval-draws", v, &l))
        return CLI_EXIT_USAGE;
      if (!(l >= 2 && l <= 100000))
        return cli_usage_error(CMD, "--interval-draws expects 2 to 100000");
      o.interval.draws = (int)l;
    } else if (VALUE("--interval-seed")) {
      if (v == NULL || !cli_parse_long(CMD, "--interval-seed", v, &l))
        return CLI_EXIT_USAGE;
      if (l < 0)
        return cli_usage_error(CMD, "--interval-seed must not be negative");
      o.interval.seed = (uint64_t)l;
    } else if (VALUE("--top")) {
      if (v == NULL || !cli_parse_long(CMD, "--top", v, &top))
        return CLI_EXIT_USAGE;
      if (top < 0 || top > 10000)
        return cli_usage_error(CMD, "--top expects 0 to 10000");
    } else if (strcmp(a, "-o") == 0 || VALUE("--output")) {
      if (strcmp(a, "-o") == 0)
        v = i + 1 < argc ? argv[++i] : NULL;
      if (v == NULL)
        return cli_usage_error(CMD, "-o needs a folder name");
      dir = v;
    } else if (strcmp(a, "--no-report") == 0) {
      report = 0;
    } else if (VALUE("--lang")) {
      if (v == NULL || (strcmp(v, "en") != 0 && strcmp(v, "zh") != 0))
        return cli_usage_error(CMD, "--lang expects en or zh");
      lang = v;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      return cli_usage_error(CMD, "unknown option %s", a);
    } else if (input == NULL) {
      input = a;
    } else {
      return cli_usage_error(CMD, "one order log only (got %s and %s)", input,
                             a);
    }
#undef VALUE
  }
  if (input == NULL)
    return cli_usage_error(CMD, "no order log given");
  if (cli_ingest_finish(CMD, &args) < 0)
    return CLI_EXIT_USAGE;
  if (cli_make_dir(CMD, dir) != CLI_EXIT_OK)
    return CLI_EXIT_IO;
  o.ingest = args.opts;
  /* Costs in the log set the margin unless --margin gave one. */
  o.ingest.costs = !margin_given;
  cli_progress_attach(&prog, CMD, &o.ingest, quiet);
  clv_error_clear(&err);
  rc = clv_run(input, &o, &r, &err);
  cli_progress_clear(&prog);
  if (rc)
    return cli_fail(CMD, rc, &err);
  if (!quiet) {
    cli_ingest_notes(CMD, &r->ingest, 1);
    cli_ingest_skipped(CMD, &r->ingest);
  }
  /* Asked-for intervals that could not be had, or draws left out of them,
   * are said even with -q: predictions.csv alone would not show it. */
  if (o.intervals && r->pred->intervals == NULL)
    cli_note(CMD, "predictions.csv has no intervals; see the notes: %s",
             r->notes);
  else if (o.intervals && r->pred->intervals->failed > 0)
    cli_note(CMD,
             "%d of %d parameter draws failed numerically and were left out "
             "of the intervals",
             r->pred->intervals->failed, r->pred->intervals->draws);
  if ((exit_code = write_table(dir, "summary.csv", r, 0)) ||
      (exit_code = write_model(dir, "model.json", r->tx)) ||
      (r->spend && (exit_code = write_model(dir, "gg.json", r->spend))) ||
      (exit_code = write_table(dir, "predictions.csv", r, 1)))
    goto done;
  if (!quiet)
    print_account(input, r, &o, (size_t)top, dir);
  exit_code = write_tracking(dir, r, quiet);
  if (exit_code == CLI_EXIT_OK && report)
    exit_code = write_report(dir, r, lang, quiet);
done:
  clv_run_result_free(r);
  return exit_code;
}
