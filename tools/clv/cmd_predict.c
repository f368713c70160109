/*
 * cmd_predict.c - `clv predict`: fitted model files + a customer summary ->
 * per-customer predictions (P(alive), expected purchases, CLV, next
 * purchase), as CSV or JSON lines.
 *
 * A thin layer over clv_model_load(), clv_summary_read_csv(),
 * clv_predictions_compute() and clv_predictions_write() (clv/run.h), which
 * `clv run` and the server use too, so that all three give the same numbers.
 * What this file adds is the command line: times given in the model's unit
 * or spelt in calendar units ("365d", "month"), and the population line.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "predict";

static void help(FILE *f) {
  fprintf(
      f,
      "Usage: clv predict --model BGNBD.json [--spend GG.json] SUMMARY.csv\n"
      "                   [options]\n"
      "\n"
      "Predicts, per customer of SUMMARY ('-' = standard input; the same\n"
      "layouts `clv fit` reads), keyed by the original id:\n"
      "  p_alive             P(alive) at the end of observation\n"
      "  expected_purchases  expected purchases in the horizon\n"
      "  prob_no_purchase    P(no purchase in the horizon)\n"
      "  expected_spend      Gamma-Gamma mean spend per purchase (--spend)\n"
      "  clv                 margin x spend x discounted expected purchases\n"
      "                      over the horizon (in purchases without --spend)\n"
      "  next_purchase       median wait to the next purchase given alive,\n"
      "                      in the model's unit (empty: not expected);\n"
      "                      next_purchase_date when the summary has dates\n"
      "and on stderr the expected purchases and the value of a brand-new\n"
      "customer. Formulas: docs/models.md.\n"
      "\n"
      "Models:\n"
      "  --model FILE         a transaction model (bgnbd) from `clv fit`\n"
      "  --spend FILE         a spend model (gg) from `clv fit` (optional)\n"
      "Times: a plain number is in the model's unit; a number with a unit\n"
      "(365d, 52w, 12m, 1y) or a unit alone (month = 365.2425/12 days,\n"
      "year = 365.2425 days) is converted; never a 30-day month.\n"
      "  --horizon T          prediction horizon (default 12m)\n"
      "  --margin M           gross margin rate applied to spend (default 1)\n"
      "  --discount-rate D    discount rate per discount period (default:\n"
      "  --discount-period P  10%% a year, applied monthly as\n"
      "                       (1.1)^(1/12) - 1 per month); give both, or\n"
      "                       --discount-rate 0 for none\n"
      "  --unit U             unit of recency and T in SUMMARY (default: the\n"
      "                       model's unit; it must be the model's)\n"
      "Without a horizon:\n"
      "  --dert RATE          add dert (discounted expected residual\n"
      "                       transactions) and clv_unlimited (margin x\n"
      "                       expected_spend x dert); pnbd: continuous rate\n"
      "                       per unit (15%%/year in weeks: 0.0027), bgbb:\n"
      "                       rate per opportunity (0.1)\n"
      "Intervals (parameter uncertainty, docs/models.md):\n"
      "  --intervals [LEVEL]  add expected_purchases_lo/_hi and clv_lo/_hi:\n"
      "                       the LEVEL (default 0.9) interval over draws of\n"
      "                       the parameters from their estimated normal law\n"
      "                       (models fitted by this version of clv)\n"
      "  --interval-draws B   parameter draws (default 200)\n"
      "  --interval-seed S    random seed of the draws (default 1)\n"
      "Output:\n"
      "  -o, --output FILE    write to FILE (default standard output)\n"
      "  --format csv|jsonl   CSV with a header (default) or JSON lines\n"
      "  -q, --quiet          no population line on stderr\n"
      "\n"
      "Example (the CDNOW sample, weeks; customer 1 expects 1.226 purchases\n"
      "in the next 39 weeks, Fader, Hardie & Lee 2005):\n"
      "  clv fit cdnow_customers_summary.csv --model bgnbd --unit week \\\n"
      "      -o bgnbd.json\n"
      "  clv predict --model bgnbd.json cdnow_customers_summary.csv \\\n"
      "      --horizon 39\n"
      "  clv predict --model bgnbd.json --spend gg.json --margin 0.3 \\\n"
      "      cdnow_customers_summary_with_transactions.csv -o clv.csv\n"
      "\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input data or model file, 3\n"
      "numerical failure, 4 cannot read or write a file.\n");
}

enum {
  OPT_MODEL = 256,
  OPT_SPEND,
  OPT_HORIZON,
  OPT_MARGIN,
  OPT_RATE,
  OPT_PERIOD,
  OPT_UNIT,
  OPT_FORMAT,
  OPT_INTERVALS,
  OPT_DRAWS,
  OPT_SEED,
  OPT_DERT
};

static const struct option long_opts[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"spend", required_argument, NULL, OPT_SPEND},
    {"horizon", required_argument, NULL, OPT_HORIZON},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"discount-rate", required_argument, NULL, OPT_RATE},
    {"discount-period", required_argument, NULL, OPT_PERIOD},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"intervals", optional_argument, NULL, OPT_INTERVALS},
    {"interval-draws", required_argument, NULL, OPT_DRAWS},
    {"interval-seed", required_argument, NULL, OPT_SEED},
    {"dert", required_argument, NULL, OPT_DERT},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/*
 * A time span as typed: a number in the model's unit ("39"), a number with
 * a unit ("365d", "52 weeks", "12m") or a unit alone ("month"). The result
 * is in days when a unit was given (*in_days = 1), else in model units.
 * Returns 1, or 0 after a usage message.
 */
static int parse_span(const char *opt, const char *text, double *value,
                      int *in_days) {
  char *end;
  clv_unit u;
  double v = strtod(text, &end);
  if (end == text)
    v = 1; /* a unit alone: one of it */
  while (*end == ' ')
    end++;
  *in_days = *end != '\0';
  if (*in_days) {
    if (clv_unit_parse(end, &u) != CLV_OK || clv_unit_days(u) <= 0)
      v = NAN;
    else
      v *= clv_unit_days(u);
  }
  if (!isfinite(v) || !(v > 0)) {
    cli_usage_error(CMD,
                    "%s expects a positive time such as 39 (model units), "
                    "365d, 12m or month, got \"%s\"",
                    opt, text);
    return 0;
  }
  *value = v;
  return 1;
}

/*
 * --intervals [LEVEL]: the level comes as --intervals=0.8 or, since getopt
 * only binds an optional value written with '=', as the next word when that
 * is a number between 0 and 1 (a summary file is never called that). Returns
 * 1, or 0 after a usage message.
 */
static int parse_intervals(int argc, char **argv, double *level) {
  *level = 0.9;
  if (optarg == NULL) {
    if (optind < argc && cli_is_level(argv[optind], level))
      optind++;
    return 1;
  }
  if (cli_is_level(optarg, level))
    return 1;
  cli_usage_error(CMD,
                  "--intervals expects a level between 0 and 1 such as "
                  "0.9, got \"%s\"",
                  optarg);
  return 0;
}

/* A model file that must be of the given kind (1 transaction, 0 spend). */
static int load_model(const char *path, int want_tx, clv_model **out) {
  clv_error err;
  int rc = clv_model_load(path, out, &err);
  if (rc)
    return cli_fail(CMD, rc, &err);
  if (clv_model_is_transaction(*out) != want_tx) {
    cli_note(CMD, "%s: a %s model, expected %s", path, clv_model_family(*out),
             want_tx ? "a transaction model (bgnbd) for --model"
                     : "a spend model (gg) for --spend");
    return CLI_EXIT_DATA;
  }
  return CLI_EXIT_OK;
}

int cmd_predict(int argc, char **argv) {
  clv_run_opts ro;
  clv_value_opts vo;
  clv_interval_opts io;
  clv_error err;
  clv_unit unit = CLV_UNIT_DAY;
  clv_format format = CLV_FORMAT_CSV;
  clv_model *tx = NULL, *spend = NULL;
  clv_summary *s = NULL;
  clv_predictions *pred = NULL;
  const char *tx_path = NULL, *spend_path = NULL, *input = NULL, *output = NULL;
  double horizon = 0, period = 0, rate = 0;
  int horizon_days = 1, period_days = 1, have_horizon = 0, have_rate = 0,
      have_period = 0, have_unit = 0, quiet = 0, intervals = 0, c, rc;
  long draws = 0, seed = 0;
  double dert_rate = 0;
  int code = CLI_EXIT_USAGE;
  FILE *f;

  /* Defaults are clv run's (12 months, 10% a year applied monthly), so
   * that `clv predict` and `clv run` agree on the same data. */
  clv_run_opts_init(&ro);
  clv_value_opts_init(&vo);
  clv_interval_opts_init(&io);
  vo.margin = ro.margin;
  clv_error_clear(&err);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
    case OPT_MODEL:
      tx_path = optarg;
      break;
    case OPT_SPEND:
      spend_path = optarg;
      break;
    case OPT_HORIZON:
      ok = have_horizon =
          parse_span("--horizon", optarg, &horizon, &horizon_days);
      break;
    case OPT_PERIOD:
      ok = have_period =
          parse_span("--discount-period", optarg, &period, &period_days);
      break;
    case OPT_MARGIN:
      ok = cli_parse_double(CMD, "--margin", optarg, &vo.margin);
      if (ok && vo.margin < 0)
        return cli_usage_error(CMD, "--margin must not be negative");
      break;
    case OPT_RATE:
      ok = have_rate = cli_parse_double(CMD, "--discount-rate", optarg, &rate);
      if (ok && !(rate > -1))
        return cli_usage_error(CMD, "--discount-rate must be above -1");
      break;
    case OPT_UNIT:
      if (clv_unit_parse(optarg, &unit) != CLV_OK || unit == CLV_UNIT_PERIOD)
        return cli_usage_error(CMD,
                               "--unit expects day, week, month or year, "
                               "got \"%s\"",
                               optarg);
      have_unit = 1;
      break;
    case OPT_FORMAT:
      if (!cli_parse_format(CMD, optarg, &format))
        return CLI_EXIT_USAGE;
      break;
    case OPT_INTERVALS:
      ok = intervals = parse_intervals(argc, argv, &io.level);
      break;
    case OPT_DRAWS:
      ok = cli_parse_long(CMD, "--interval-draws", optarg, &draws);
      if (ok && !(draws >= 2 && draws <= 100000))
        return cli_usage_error(CMD, "--interval-draws expects 2 to 100000");
      io.draws = (int)draws;
      break;
    case OPT_DERT:
      ok = cli_parse_double(CMD, "--dert", optarg, &dert_rate);
      if (ok && !(dert_rate > 0))
        return cli_usage_error(CMD, "--dert expects a positive discount "
                                    "rate");
      break;
    case OPT_SEED:
      ok = cli_parse_long(CMD, "--interval-seed", optarg, &seed);
      if (ok && seed < 0)
        return cli_usage_error(CMD, "--interval-seed must not be negative");
      io.seed = (uint64_t)seed;
      break;
    case 'o':
      output = optarg;
      break;
    case 'q':
      quiet = 1;
      break;
    case 'h':
      help(stdout);
      return CLI_EXIT_OK;
    default:
      return cli_getopt_fail(CMD, c, argv, optind);
    }
    if (!ok)
      return CLI_EXIT_USAGE;
  }
  if (!cli_take_input(CMD, argc, argv, optind, "summary file", &input))
    return CLI_EXIT_USAGE;
  if (input == NULL)
    return cli_usage_error(CMD, "which summary file? (use - for stdin)");
  if (tx_path == NULL)
    return cli_usage_error(CMD, "--model FILE (a bgnbd model) is required");
  if (have_period && !have_rate)
    return cli_usage_error(CMD, "--discount-period needs --discount-rate "
                                "(the rate per period)");
  if (have_rate && rate != 0 && !have_period)
    return cli_usage_error(CMD, "--discount-rate needs --discount-period "
                                "(the period the rate is for)");

  if ((code = load_model(tx_path, 1, &tx)) ||
      (spend_path && (code = load_model(spend_path, 0, &spend))))
    goto done;
  clv_unit mu = clv_model_unit(tx);
  double unit_days = clv_unit_days(mu);
  if (have_unit && unit != mu) {
    cli_note(CMD,
             "%s: unit mismatch: the model %s was fitted in %ss, the summary "
             "is read in %ss (--unit); refit or pass --unit %s",
             input, tx_path, clv_unit_name(mu), clv_unit_name(unit),
             clv_unit_name(mu));
    code = CLI_EXIT_DATA;
    goto done;
  }
  if (!(unit_days > 0) && ((have_horizon && horizon_days) || !have_horizon ||
                           (have_period && period_days) || !have_rate)) {
    code = cli_usage_error(CMD, "the model's unit is abstract periods: give "
                                "--horizon and the discounting in periods");
    goto done;
  }

  /* Every time in the model's unit. */
  vo.horizon = !have_horizon  ? ro.horizon_days / unit_days
               : horizon_days ? horizon / unit_days
                              : horizon;
  if (have_rate) {
    vo.discount_rate = rate;
    vo.discount_period = !have_period  ? vo.horizon
                         : period_days ? period / unit_days
                                       : period;
  } else {
    /* The annual rate of clv run, as the equivalent rate per month. */
    vo.discount_period = ro.discount_period_days / unit_days;
    vo.discount_rate =
        pow(1.0 + ro.annual_discount_rate, ro.discount_period_days / 365.2425) -
        1.0;
  }
  if (vo.horizon / vo.discount_period > 100000) {
    code = cli_usage_error(CMD,
                           "the horizon spans %.0f discount periods; at "
                           "most 100000 (use a longer --discount-period)",
                           ceil(vo.horizon / vo.discount_period));
    goto done;
  }

  rc = clv_summary_read_csv(input, mu, &s, &err);
  if (rc) {
    code = cli_fail(CMD, rc, &err);
    goto done;
  }
  if (spend && !clv_summary_has(s, CLV_COL_M) && !quiet)
    cli_note(CMD,
             "%s has no monetary_value column: every customer gets the "
             "population mean spend",
             input);
  rc = clv_predictions_compute(tx, spend, s, &vo, &pred);
  if (rc) {
    code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  if (intervals) {
    clv_error_clear(&err);
    rc = clv_predictions_add_intervals(pred, tx, spend, s, &io, &err);
    if (rc) {
      code = cli_fail(CMD, rc, &err);
      goto done;
    }
  }
  if (dert_rate > 0) {
    rc = clv_predictions_add_dert(pred, tx, spend, s, dert_rate);
    if (rc == CLV_EUNSUPPORTED) {
      fprintf(stderr,
              "clv %s: --dert: the %s model has no closed-form DERT (pnbd "
              "and bgbb have one)\n",
              CMD, clv_model_family(tx));
      code = CLI_EXIT_DATA;
      goto done;
    }
    if (rc) {
      code = cli_fail(CMD, rc, NULL);
      goto done;
    }
  }
  if (!quiet)
    cli_note(CMD,
             "%zu customers; horizon %.6g %ss, margin %g, discount %.6g per "
             "%.6g %ss. A new customer: %.6g expected repeat purchases, "
             "value %.6g%s",
             clv_summary_rows(s), vo.horizon, clv_unit_name(mu), vo.margin,
             vo.discount_rate, vo.discount_period, clv_unit_name(mu),
             pred->new_expected, pred->new_value,
             spend ? "" : " (in purchases: no --spend model)");
  if (!quiet && pred->intervals) {
    const clv_intervals *iv = pred->intervals;
    cli_note(CMD,
             "%.4g%% intervals from %d parameter draws (seed %llu): a new "
             "customer expects %.6g to %.6g repeat purchases, value %.6g to "
             "%.6g",
             100 * iv->level, iv->draws, (unsigned long long)io.seed,
             iv->new_expected_lo, iv->new_expected_hi, iv->new_value_lo,
             iv->new_value_hi);
  }
  /* Failed draws are said even with -q: they are left out of the
   * quantiles, which the user must know to trust them. */
  if (pred->intervals && pred->intervals->failed > 0)
    cli_note(CMD,
             "%d of %d parameter draws failed numerically and were left "
             "out of the intervals",
             pred->intervals->failed, pred->intervals->draws);
  f = cli_open_output(CMD, output);
  if (f == NULL) {
    code = CLI_EXIT_IO;
    goto done;
  }
  rc = clv_predictions_write(pred, s, f, format);
  code = cli_close_output(CMD, f, output);
  if (rc && code == CLI_EXIT_OK)
    code = cli_fail(CMD, rc, NULL);
done:
  clv_predictions_free(pred);
  clv_summary_free(s);
  clv_model_free(spend);
  clv_model_free(tx);
  return code;
}
