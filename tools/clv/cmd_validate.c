/*
 * cmd_validate.c - `clv validate`: a calibration/holdout summary -> which
 * transaction model predicts the holdout best, and why.
 *
 * A thin layer over clv_validate() and clv_tracking_compute()
 * (clv/validate.h): the per-model table (log-likelihood, AIC, BIC, holdout
 * totals and errors), the conditional expectation by calibration frequency
 * next to the actual holdout means (Fader, Hardie & Lee 2005, Marketing
 * Science 24(2)), optionally the cohort tracking curve, and the choice.
 * Given an order log (--holdout-from DATE), it summarises it first and
 * shows the tracking curve with the actual repeat purchases of the log.
 */
#include "cli.h"
#include "ingest_args.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "validate";

static void help(FILE *f) {
  fprintf(
      f,
      "Usage: clv validate SUMMARY.csv [options]\n"
      "       clv validate ORDERS --holdout-from DATE [order-log options]\n"
      "\n"
      "Fits each transaction model on the calibration columns of SUMMARY\n"
      "('-' = standard input), predicts every customer's holdout purchases\n"
      "E[Y(duration_holdout) | x, t_x, T] and compares them with\n"
      "frequency_holdout: total predicted vs actual, MAE and RMSE per\n"
      "customer, correlation, log-likelihood, AIC and BIC, and the\n"
      "conditional expectation by calibration frequency. The model with the\n"
      "lowest holdout RMSE is recommended (ties: fewer parameters); with too\n"
      "few repeat buyers or too short a calibration span there is no\n"
      "comparison and the simplest model that fits is recommended.\n"
      "SUMMARY must have holdout columns: make it with\n"
      "  clv summary LOG --holdout-from DATE --until DATE -o summary.csv\n"
      "(BTYD's x.star / lifetimes' frequency_holdout files work too).\n"
      "With --holdout-from DATE the input is an order log instead: it is\n"
      "summarised with that holdout (order-log options as in clv summary)\n"
      "and the cohort tracking curve, expected vs ACTUAL cumulative repeat\n"
      "purchases per week from the log, is shown.\n"
      "\n"
      "Options:\n"
      "  --unit U             unit of recency and T in SUMMARY: day "
      "(default),\n"
      "                       week, month or year\n"
      "  --model LIST         families to compare, comma-separated (default:\n"
      "                       every transaction family: bgnbd,pnbd,mbgnbd,\n"
      "                       bgbb; unregistered ones are reported)\n"
      "  --holdout T          holdout length in the unit, for a summary\n"
      "                       without duration_holdout (BTYD's x.star file)\n"
      "  --bins K             frequency bins 0..K-1 and K+ (default 7)\n"
      "  --min-repeat N       fewest repeat buyers for a comparison (30)\n"
      "  --min-span DAYS      shortest calibration span (largest T) for a\n"
      "                       comparison, in days (90)\n"
      "  --tracking FILE      actual cumulative repeat transactions per\n"
      "                       period (CSV period,cumulative), printed next\n"
      "                       to each model's expected curve\n"
      "  --tracking-periods N periods of the tracking curve (default: the\n"
      "                       rows of --tracking)\n"
      "  --period-length P    length of a tracking period in the unit (1;\n"
      "                       order log: a week)\n"
      "  --tracking-csv FILE  write the chosen model's curve as CSV (period,\n"
      "                       expected, actual, and both cumulative)\n"
      "Output:\n"
      "  --format F           text (default), csv (long: table,family,key,\n"
      "                       value) or jsonl (one object per row)\n"
      "  -o, --output FILE    write to FILE (default standard output)\n"
      "\n"
      "Example (the CDNOW sample: 39 calibration and 39 holdout weeks; the\n"
      "BG/NBD predicts 1653.4 holdout purchases vs 1882 actual, Fader,\n"
      "Hardie & Lee 2005):\n"
      "  clv validate cdnowSummary_cbs.csv --unit week --holdout 39 \\\n"
      "      --tracking cdnowSummary_cu_tracking.csv\n"
      "  clv validate CDNOW_sample.txt --customer 2 --date 3 --amount 5 \\\n"
      "      --unit week --holdout-from 1997-10-01\n"
      "\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input data (no holdout columns), 3\n"
      "no model could be fitted, 4 cannot read or write a file.\n"
      "\nOrder-log options (with --holdout-from):\n");
  cli_ingest_help(f);
}

/*
 * Takes the order-log options (clv summary's) out of argv into *ia and
 * leaves the others, in order, in rest (argc + 1 slots): rest[0] = argv[0].
 * Returns the count of rest, or -1 after a usage error.
 */
static int take_ingest_args(int argc, char **argv, cli_ingest_args *ia,
                            char **rest) {
  int n = 0;
  rest[n++] = argv[0];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      while (i < argc)
        rest[n++] = argv[i++];
      break;
    }
    int taken = cli_ingest_arg(CMD, argc, argv, &i, ia);
    if (taken < 0)
      return -1;
    if (taken == 0)
      rest[n++] = argv[i];
  }
  rest[n] = NULL;
  return n;
}

/*
 * The input as a summary: read from a summary CSV, or, for an order log
 * (--holdout-from given), made by the summariser with that holdout, which
 * also gives the per-day repeat purchases of the actual tracking curve.
 * Returns a status; err says why.
 */
static int load_input(const char *input, cli_ingest_args *ia, clv_unit unit,
                      clv_summary **s, clv_error *err) {
  clv_ingest_report rep;
  if (ia->opts.holdout_day == INT32_MIN)
    return clv_summary_read_csv(input, unit, s, err);
  ia->opts.unit = unit;
  int rc = clv_summarize_file(input, &ia->opts, s, &rep, err);
  if (rc == CLV_OK)
    cli_ingest_skipped(CMD, &rep);
  return rc;
}

/* Writes the chosen (else the first fitted) model's curve to path. */
static int write_tracking_csv(const char *path, const clv_validation *v,
                              clv_tracking *const *tr) {
  size_t pick = v->nmodels;
  for (size_t i = 0; i < v->nmodels; i++)
    if (tr[i] && (pick == v->nmodels || (int)i == v->chosen))
      pick = i;
  if (pick == v->nmodels)
    return CLI_EXIT_OK;
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = clv_tracking_write_csv(tr[pick], f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

enum {
  OPT_UNIT = 256,
  OPT_MODEL,
  OPT_HOLDOUT,
  OPT_BINS,
  OPT_MIN_REPEAT,
  OPT_MIN_SPAN,
  OPT_TRACKING,
  OPT_TRACKING_PERIODS,
  OPT_PERIOD_LENGTH,
  OPT_TRACKING_CSV,
  OPT_FORMAT
};

static const struct option long_opts[] = {
    {"unit", required_argument, NULL, OPT_UNIT},
    {"model", required_argument, NULL, OPT_MODEL},
    {"holdout", required_argument, NULL, OPT_HOLDOUT},
    {"bins", required_argument, NULL, OPT_BINS},
    {"min-repeat", required_argument, NULL, OPT_MIN_REPEAT},
    {"min-span", required_argument, NULL, OPT_MIN_SPAN},
    {"tracking", required_argument, NULL, OPT_TRACKING},
    {"tracking-periods", required_argument, NULL, OPT_TRACKING_PERIODS},
    {"period-length", required_argument, NULL, OPT_PERIOD_LENGTH},
    {"tracking-csv", required_argument, NULL, OPT_TRACKING_CSV},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

enum { FMT_TEXT, FMT_CSV, FMT_JSONL };

/* The list of --model, split at commas in place (at most 16 names). */
static int split_models(char *list, const char **names, size_t cap) {
  size_t n = 0;
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    if (n + 1 >= cap)
      return -1;
    names[n++] = tok;
  }
  names[n] = NULL;
  return (int)n;
}

/* A number for text: "n/a" when it is not finite (never "nan"). */
static void num(FILE *f, const char *fmt, double v, int width) {
  if (isfinite(v))
    fprintf(f, fmt, v);
  else
    fprintf(f, "%*s", width, "n/a");
}

/* A number for CSV/JSON: empty (CSV) or null (JSON) when not finite. */
static void jnum(FILE *f, double v, int json) {
  if (isfinite(v))
    fprintf(f, "%.10g", v);
  else if (json)
    fputs("null", f);
}

/* A string as a JSON or CSV string: quotes doubled (CSV) or escaped. */
static void qstr(FILE *f, const char *s, int json) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"')
      fputs(json ? "\\\"" : "\"\"", f);
    else if (json && *s == '\\')
      fputs("\\\\", f);
    else if (json && (unsigned char)*s < 0x20)
      fprintf(f, "\\u%04x", (unsigned char)*s);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

static void bin_label(char *buf, size_t size, int b, int nbins) {
  snprintf(buf, size, b == nbins - 1 ? "%d+" : "%d", b);
}

static void write_text(FILE *f, const clv_validation *v,
                       clv_tracking *const *tr, const char *unit) {
  fprintf(f,
          "%.0f customers, %.0f repeat buyers, calibration span %.4g %ss; "
          "holdout purchases: %.0f\n\n",
          v->customers, v->repeat_buyers, v->span, unit, v->total_actual);
  fprintf(f, "%-8s %2s %12s %10s %10s %9s %9s %7s %7s %7s  %s\n", "model", "k",
          "loglik", "AIC", "BIC", "predicted", "actual", "MAE", "RMSE", "corr",
          "note");
  for (size_t i = 0; i < v->nmodels; i++) {
    const clv_validation_model *r = &v->models[i];
    if (r->status != CLV_OK) {
      fprintf(f, "%-8s excluded: %s\n", r->family, r->reason);
      continue;
    }
    fprintf(f, "%-8s %2d %12.3f %10.2f %10.2f %9.1f %9.0f %7.4f %7.4f ",
            r->family, r->nparams, r->loglik, r->aic, r->bic,
            r->total_predicted, v->total_actual, r->mae, r->rmse);
    num(f, "%7.4f", r->correlation, 7);
    const char *notes = clv_model_notes(r->model);
    fprintf(f, "  %s%s\n", (int)i == v->chosen ? "chosen" : "",
            notes[0] ? notes : "");
  }

  fprintf(f, "\nMean holdout purchases by calibration frequency x:\n");
  fprintf(f, "%-5s %9s %9s", "x", "customers", "actual");
  for (size_t i = 0; i < v->nmodels; i++)
    if (v->models[i].status == CLV_OK)
      fprintf(f, " %9s", v->models[i].family);
  fputc('\n', f);
  for (int b = 0; b < v->nbins; b++) {
    char label[16];
    bin_label(label, sizeof label, b, v->nbins);
    fprintf(f, "%-5s %9.0f ", label, v->bin_customers[b]);
    num(f, "%9.4f", v->bin_actual[b], 9);
    for (size_t i = 0; i < v->nmodels; i++)
      if (v->models[i].status == CLV_OK) {
        fputc(' ', f);
        num(f, "%9.4f", v->models[i].bin_predicted[b], 9);
      }
    fputc('\n', f);
  }

  if (tr) {
    size_t periods = 0;
    int actual = 0;
    for (size_t i = 0; i < v->nmodels; i++)
      if (tr[i]) {
        periods = tr[i]->periods;
        actual = tr[i]->actual != NULL;
      }
    fprintf(f,
            "\nCumulative repeat transactions of the cohort (and per "
            "period):\n%-7s",
            "period");
    if (actual)
      fprintf(f, " %10s %7s", "actual", "+");
    for (size_t i = 0; i < v->nmodels; i++)
      if (tr[i])
        fprintf(f, " %10s %7s", v->models[i].family, "+");
    fputc('\n', f);
    for (size_t k = 0; k < periods; k++) {
      int first = 1;
      fprintf(f, "%-7zu", k + 1);
      for (size_t i = 0; i < v->nmodels; i++) {
        if (!tr[i])
          continue;
        if (first && actual) {
          fputc(' ', f);
          num(f, "%10.0f", tr[i]->actual[k], 10);
          fputc(' ', f);
          num(f, "%7.0f", tr[i]->actual_incremental[k], 7);
        }
        first = 0;
        fprintf(f, " %10.2f %7.2f", tr[i]->expected[k],
                tr[i]->expected_incremental[k]);
      }
      fputc('\n', f);
    }
  }
  fprintf(f, "\nChoice: %s\n", v->choice);
}

/* One record of the long CSV (table,family,key,value) or of JSON lines. */
static void rec(FILE *f, int json, const char *table, const char *family,
                const char *key, double value) {
  if (json) {
    fprintf(f, "{\"table\":\"%s\",\"family\":", table);
    qstr(f, family, 1);
    fprintf(f, ",\"key\":\"%s\",\"value\":", key);
    jnum(f, value, 1);
    fputs("}\n", f);
  } else {
    fprintf(f, "%s,%s,%s,", table, family, key);
    jnum(f, value, 0);
    fputc('\n', f);
  }
}

static void rec_text(FILE *f, int json, const char *table, const char *family,
                     const char *key, const char *text) {
  if (json) {
    fprintf(f, "{\"table\":\"%s\",\"family\":", table);
    qstr(f, family, 1);
    fprintf(f, ",\"key\":\"%s\",\"value\":", key);
    qstr(f, text, 1);
    fputs("}\n", f);
  } else {
    fprintf(f, "%s,%s,%s,", table, family, key);
    qstr(f, text, 0);
    fputc('\n', f);
  }
}

static void write_records(FILE *f, const clv_validation *v,
                          clv_tracking *const *tr, int json) {
  char key[32];
  if (!json)
    fputs("table,family,key,value\n", f);
  rec(f, json, "data", "", "customers", v->customers);
  rec(f, json, "data", "", "repeat_buyers", v->repeat_buyers);
  rec(f, json, "data", "", "span", v->span);
  rec(f, json, "data", "", "holdout_actual", v->total_actual);
  for (size_t i = 0; i < v->nmodels; i++) {
    const clv_validation_model *r = &v->models[i];
    if (r->status != CLV_OK) {
      rec_text(f, json, "model", r->family, "excluded", r->reason);
      continue;
    }
    rec(f, json, "model", r->family, "nparams", r->nparams);
    rec(f, json, "model", r->family, "loglik", r->loglik);
    rec(f, json, "model", r->family, "aic", r->aic);
    rec(f, json, "model", r->family, "bic", r->bic);
    rec(f, json, "model", r->family, "converged", r->converged);
    rec(f, json, "model", r->family, "holdout_predicted", r->total_predicted);
    rec(f, json, "model", r->family, "mae", r->mae);
    rec(f, json, "model", r->family, "rmse", r->rmse);
    rec(f, json, "model", r->family, "correlation", r->correlation);
  }
  for (int b = 0; b < v->nbins; b++) {
    bin_label(key, sizeof key, b, v->nbins);
    rec(f, json, "conditional", "customers", key, v->bin_customers[b]);
    rec(f, json, "conditional", "actual", key, v->bin_actual[b]);
    for (size_t i = 0; i < v->nmodels; i++)
      if (v->models[i].status == CLV_OK)
        rec(f, json, "conditional", v->models[i].family, key,
            v->models[i].bin_predicted[b]);
  }
  int actual_done = 0;
  for (size_t i = 0; tr && i < v->nmodels; i++) {
    if (!tr[i])
      continue;
    for (size_t k = 0; k < tr[i]->periods; k++) {
      snprintf(key, sizeof key, "%zu", k + 1);
      if (tr[i]->actual && !actual_done)
        rec(f, json, "tracking", "actual", key, tr[i]->actual[k]);
      rec(f, json, "tracking", v->models[i].family, key, tr[i]->expected[k]);
    }
    actual_done = 1;
  }
  rec_text(f, json, "choice", v->chosen >= 0 ? v->models[v->chosen].family : "",
           v->compared ? "compared" : "fallback", v->choice);
}

int cmd_validate(int argc, char **argv) {
  clv_validate_opts vo;
  clv_tracking_opts to;
  clv_error err;
  clv_unit unit = CLV_UNIT_DAY;
  clv_summary *s = NULL;
  clv_validation *v = NULL;
  clv_tracking **tr = NULL;
  const char *input = NULL, *output = NULL, *tracking = NULL;
  const char *tracking_csv = NULL;
  cli_ingest_args ia;
  char **rest = NULL;
  int nrest, log_mode, period_given = 0;
  const char *names[17];
  char *list = NULL;
  long bins = 7, periods = 0;
  int fmt = FMT_TEXT, want_tracking = 0, c, rc;
  int code = CLI_EXIT_USAGE;
  FILE *f;

  clv_validate_opts_init(&vo);
  clv_tracking_opts_init(&to);
  clv_error_clear(&err);
  cli_ingest_args_init(&ia);
  rest = malloc(((size_t)argc + 1) * sizeof *rest);
  if (rest == NULL)
    return cli_fail(CMD, CLV_ENOMEM, NULL);
  nrest = take_ingest_args(argc, argv, &ia, rest);
  if (nrest < 0)
    goto done;
  /* --unit is an order-log option too: it was taken with them. */
  if (ia.unit_given)
    unit = ia.opts.unit;
  log_mode = ia.opts.holdout_day != INT32_MIN;
  if (log_mode && cli_ingest_finish(CMD, &ia) != 0)
    goto done;
  if (log_mode && ia.unit_given)
    unit = ia.opts.unit;
  argc = nrest;
  argv = rest;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:h", long_opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
    case OPT_UNIT:
      if (clv_unit_parse(optarg, &unit) != CLV_OK || unit == CLV_UNIT_PERIOD)
        return cli_usage_error(CMD,
                               "--unit expects day, week, month or year, "
                               "got \"%s\"",
                               optarg);
      break;
    case OPT_MODEL:
      free(list);
      list = strdup(optarg);
      if (list == NULL)
        return cli_fail(CMD, CLV_ENOMEM, NULL);
      if (split_models(list, names, 17) <= 0) {
        free(list);
        return cli_usage_error(CMD, "--model expects 1 to 16 families such "
                                    "as bgnbd,pnbd");
      }
      vo.families = names;
      break;
    case OPT_HOLDOUT:
      ok = cli_parse_double(CMD, "--holdout", optarg, &vo.holdout_length);
      if (ok && !(vo.holdout_length > 0))
        ok = cli_usage_error(CMD, "--holdout must be positive") == 0;
      break;
    case OPT_BINS:
      ok = cli_parse_long(CMD, "--bins", optarg, &bins);
      if (ok && (bins < 1 || bins > 1000))
        ok = cli_usage_error(CMD, "--bins expects 1 to 1000") == 0;
      vo.bins = (int)bins;
      break;
    case OPT_MIN_REPEAT:
      ok = cli_parse_double(CMD, "--min-repeat", optarg, &vo.min_repeat_buyers);
      break;
    case OPT_MIN_SPAN:
      ok = cli_parse_double(CMD, "--min-span", optarg, &vo.min_span_days);
      break;
    case OPT_TRACKING:
      tracking = optarg;
      want_tracking = 1;
      break;
    case OPT_TRACKING_PERIODS:
      ok = cli_parse_long(CMD, "--tracking-periods", optarg, &periods);
      if (ok && (periods < 1 || periods > 1000000))
        ok = cli_usage_error(CMD, "--tracking-periods expects 1 to "
                                  "1000000") == 0;
      want_tracking = 1;
      break;
    case OPT_PERIOD_LENGTH:
      ok = cli_parse_double(CMD, "--period-length", optarg, &to.period_length);
      if (ok && !(to.period_length > 0))
        ok = cli_usage_error(CMD, "--period-length must be positive") == 0;
      period_given = 1;
      break;
    case OPT_TRACKING_CSV:
      tracking_csv = optarg;
      want_tracking = 1;
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "text") == 0)
        fmt = FMT_TEXT;
      else if (strcmp(optarg, "csv") == 0)
        fmt = FMT_CSV;
      else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
        fmt = FMT_JSONL;
      else
        ok = cli_usage_error(CMD,
                             "--format expects text, csv or jsonl, got "
                             "\"%s\"",
                             optarg) == 0;
      break;
    case 'o':
      output = optarg;
      break;
    case 'h':
      help(stdout);
      code = CLI_EXIT_OK;
      goto done;
    default:
      code = cli_getopt_fail(CMD, c, argv, optind);
      goto done;
    }
    if (!ok)
      goto done;
  }
  if (!cli_take_input(CMD, argc, argv, optind, "summary file", &input)) {
    code = CLI_EXIT_USAGE;
    goto done;
  }
  if (input == NULL) {
    code = cli_usage_error(CMD, "which summary file? (use - for stdin)");
    goto done;
  }
  /* An order log has its actual curve: tracking is on by default. */
  if (log_mode)
    want_tracking = 1;
  if (want_tracking && tracking == NULL && periods == 0 && !log_mode) {
    code = cli_usage_error(CMD, "--tracking-periods N is needed without "
                                "--tracking FILE");
    goto done;
  }

  rc = load_input(input, &ia, unit, &s, &err);
  if (rc == CLV_OK && want_tracking && tracking == NULL && periods == 0) {
    /* From the first purchase to the observation end, in weeks unless
     * --period-length says otherwise. */
    rc = clv_tracking_opts_span(
        &to, s, period_given ? to.period_length * clv_unit_days(unit) : 0, 0);
    periods = rc == CLV_OK ? (long)to.periods : 0;
  }
  if (rc == CLV_OK)
    rc = clv_validate(s, &vo, &v, &err);
  if (rc) {
    if (err.file[0] == '\0' && rc != CLV_ENOMEM)
      snprintf(err.file, sizeof err.file, "%s", input);
    code = cli_fail(CMD, rc, &err);
    if (rc == CLV_ENOCOLUMN && clv_summary_has(s, CLV_COL_X_HOLDOUT))
      cli_note(CMD, "for a file with x.star but no holdout length (BTYD's "
                    "cdnowSummary_cbs.csv), pass --holdout LENGTH");
    goto done;
  }

  if (want_tracking) {
    tr = calloc(v->nmodels, sizeof *tr);
    if (tr == NULL) {
      code = cli_fail(CMD, CLV_ENOMEM, NULL);
      goto done;
    }
    for (size_t i = 0; i < v->nmodels; i++) {
      if (v->models[i].status != CLV_OK)
        continue;
      /* Without a period count, the actual file's last period sets it. */
      if (periods == 0) {
        clv_tracking probe = {1000000, 1, NULL, NULL, NULL, NULL};
        rc = clv_tracking_read_actual(&probe, tracking, &err);
        for (size_t k = probe.periods; rc == CLV_OK && k > 0; k--)
          if (!isnan(probe.actual[k - 1])) {
            periods = (long)k;
            break;
          }
        free(probe.actual);
        free(probe.actual_incremental);
        if (rc) {
          code = cli_fail(CMD, rc, &err);
          goto done;
        }
      }
      to.periods = (size_t)periods;
      rc = clv_tracking_compute(v->models[i].model, s, &to, &tr[i], &err);
      if (rc == CLV_OK && tracking)
        rc = clv_tracking_read_actual(tr[i], tracking, &err);
      else if (rc == CLV_OK && clv_summary_repeat_days(s, NULL, NULL))
        rc = clv_tracking_actual_from_summary(tr[i], s, &err);
      if (rc) {
        code = cli_fail(CMD, rc, &err);
        goto done;
      }
    }
  }

  f = cli_open_output(CMD, output);
  if (f == NULL) {
    code = CLI_EXIT_IO;
    goto done;
  }
  if (fmt == FMT_TEXT)
    write_text(f, v, tr, clv_unit_name(unit));
  else
    write_records(f, v, tr, fmt == FMT_JSONL);
  code = cli_close_output(CMD, f, output);
  if (code == CLI_EXIT_OK && tracking_csv && tr)
    code = write_tracking_csv(tracking_csv, v, tr);
  if (code == CLI_EXIT_OK && v->chosen < 0) {
    cli_note(CMD, "no model could be fitted: %s", v->choice);
    code = CLI_EXIT_NUMERIC;
  }
done:
  for (size_t i = 0; tr && v && i < v->nmodels; i++)
    clv_tracking_free(tr[i]);
  free(tr);
  clv_validation_free(v);
  clv_summary_free(s);
  free(list);
  free(rest);
  return code;
}
