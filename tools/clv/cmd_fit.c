/*
 * cmd_fit.c - `clv fit`: a customer summary -> a fitted model file (JSON).
 *
 * A thin layer over clv_summary_read_csv(), clv_fit() and
 * clv_model_to_json(): BG/NBD (Fader, Hardie & Lee 2005, Marketing Science)
 * or Gamma-Gamma spend (Fader, Hardie & Lee 2005, JMR). The model goes to
 * standard output or -o; a short table of the estimates goes to stderr.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "fit";

static void help(FILE *f) {
  fprintf(
      f,
      "Usage: clv fit SUMMARY.csv --model MODEL [options]\n"
      "\n"
      "Fits a model by maximum likelihood to a customer summary ('-' =\n"
      "standard input): the output of `clv summary`, or any CSV with\n"
      "frequency, recency, T (and monetary_value) columns as lifetimes\n"
      "writes them (x, t_x, T, zbar as in Hardie's files also work).\n"
      "Identical rows are collapsed before fitting. The model file (JSON:\n"
      "parameters, standard errors, log-likelihood, ...) goes to standard\n"
      "output or -o; a table of the estimates goes to standard error.\n"
      "\n"
      "Models:\n"
      "  --model bgnbd        BG/NBD purchase and drop-out process (r, alpha,\n"
      "                       a, b; Fader, Hardie & Lee 2005)\n"
      "  --model gg           Gamma-Gamma spend per purchase (p, q, gamma),\n"
      "                       fitted on the customers with frequency > 0\n"
      "                       from their monetary_value\n"
      "  --model pnbd         Pareto/NBD (r, alpha, s, beta; Schmittlein,\n"
      "                       Morrison & Colombo 1987)\n"
      "  --model mbgnbd       MBG/NBD: BG/NBD where one-time buyers may\n"
      "                       drop out too (Batislam et al. 2007)\n"
      "  --model bgbb         BG/BB for discrete opportunities (alpha, beta,\n"
      "                       gamma, delta; Fader, Hardie & Shang 2010):\n"
      "                       T = number of opportunities, --unit period\n"
      "Options:\n"
      "  --unit U             time unit of recency and T in the file:\n"
      "                       day (default: what `clv summary` writes),\n"
      "                       week, month, year or period. A summary file\n"
      "                       does not\n"
      "                       say its unit; the lifetimes and BTYD CDNOW\n"
      "                       files are in weeks, so pass --unit week.\n"
      "                       The model keeps the unit; `clv predict`\n"
      "                       checks it.\n"
      "  --penalty L          L2 penalty on the log-parameters (default 0)\n"
      "  --starts N           starting points to try before giving up\n"
      "                       (default 4)\n"
      "  --threads N          threads for the likelihood (default 2)\n"
      "  -o, --output FILE    write the model to FILE (default stdout)\n"
      "  -q, --quiet          no table on stderr (errors still)\n"
      "\n"
      "Examples:\n"
      "  # The CDNOW 1/10 sample (weeks): r 0.243, alpha 4.414, a 0.793,\n"
      "  # b 2.426, log-likelihood -9582.4 (Fader, Hardie & Lee 2005)\n"
      "  clv fit cdnow_customers_summary.csv --model bgnbd --unit week \\\n"
      "      -o bgnbd.json\n"
      "  # Gamma-Gamma on the same customers: p 6.25, q 3.74, gamma 15.44\n"
      "  clv fit cdnow_customers_summary_with_transactions.csv --model gg \\\n"
      "      --unit week -o gg.json\n"
      "  # From an order log\n"
      "  clv summary orders.csv -o summary.csv\n"
      "  clv fit summary.csv --model bgnbd -o bgnbd.json\n"
      "  # Donations, 6 yearly opportunities (BG/BB)\n"
      "  clv fit donations.csv --model bgbb --unit period\n"
      "\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input data (file:line:column says\n"
      "where), 3 the fit did not converge or failed numerically, 4 cannot\n"
      "read or write a file.\n");
}

enum { OPT_MODEL = 256, OPT_UNIT, OPT_PENALTY, OPT_STARTS, OPT_THREADS };

static const struct option long_opts[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"penalty", required_argument, NULL, OPT_PENALTY},
    {"starts", required_argument, NULL, OPT_STARTS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* A number for the table: "-" when unknown (NaN). */
static void put_cell(double v, const char *fmt) {
  if (isfinite(v))
    fprintf(stderr, fmt, v);
  else
    fprintf(stderr, "%12s", "-");
}

/* The estimates and the fit's statistics, for a person reading stderr. */
static void print_table(const clv_model *m, const char *input) {
  const double *p = clv_model_params(m), *se = clv_model_se(m);
  cli_note(CMD, "%s on %s (unit %s)", clv_model_family(m), input,
           clv_unit_name(clv_model_unit(m)));
  fprintf(stderr, "  %-10s %12s %12s\n", "parameter", "estimate", "SE");
  for (int i = 0; i < clv_model_nparams(m); i++) {
    fprintf(stderr, "  %-10s ", clv_model_param_name(m, i));
    put_cell(p[i], "%12.6g");
    fputc(' ', stderr);
    put_cell(se[i], "%12.4g");
    fputc('\n', stderr);
  }
  fprintf(stderr, "  log-likelihood %.3f", clv_model_loglik(m));
  if (clv_model_penalty(m) > 0)
    fprintf(stderr, " (penalty %g)", clv_model_penalty(m));
  fprintf(stderr,
          "; customers %.15g; unique rows %zu\n"
          "  iterations %d (%d likelihood evaluations); gradient norm %.2g; "
          "converged %s\n",
          clv_model_customers(m), clv_model_unique_rows(m),
          clv_model_iterations(m), clv_model_evaluations(m),
          clv_model_grad_norm(m), clv_model_converged(m) ? "yes" : "no");
  if (clv_model_notes(m)[0])
    fprintf(stderr, "  notes: %s\n", clv_model_notes(m));
}

int cmd_fit(int argc, char **argv) {
  clv_fit_opts fo;
  clv_error err;
  clv_unit unit = CLV_UNIT_DAY;
  clv_summary *s = NULL;
  clv_model *m = NULL;
  char *json = NULL;
  const char *model = NULL, *input = NULL, *output = NULL;
  int quiet = 0, c, rc, code = CLI_EXIT_USAGE;
  long n;
  FILE *f;

  clv_fit_opts_init(&fo);
  clv_error_clear(&err);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
    case OPT_MODEL:
      model = optarg;
      break;
    case OPT_UNIT:
      if (clv_unit_parse(optarg, &unit) != CLV_OK)
        return cli_usage_error(CMD,
                               "--unit expects day, week, month, year or "
                               "period, got \"%s\"",
                               optarg);
      break;
    case OPT_PENALTY:
      ok = cli_parse_double(CMD, "--penalty", optarg, &fo.penalty);
      if (ok && fo.penalty < 0)
        return cli_usage_error(CMD, "--penalty must not be negative");
      break;
    case OPT_STARTS:
      ok = cli_parse_long(CMD, "--starts", optarg, &n);
      if (ok && (n < 1 || n > 1000))
        return cli_usage_error(CMD, "--starts expects 1 to 1000");
      fo.starts = (int)n;
      break;
    case OPT_THREADS:
      ok = cli_parse_long(CMD, "--threads", optarg, &n);
      if (ok && (n < 1 || n > 64))
        return cli_usage_error(CMD, "--threads expects 1 to 64");
      fo.threads = (int)n;
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
  /* The families come from the library's registry, so a new model needs no
   * change here. */
  char families[256] = "";
  int known = 0;
  const char *name;
  for (size_t i = 0; (name = clv_model_family_name(i, NULL)) != NULL; i++) {
    size_t used = strlen(families);
    snprintf(families + used, sizeof families - used, "%s%s", i ? ", " : "",
             name);
    known |= model != NULL && strcmp(model, name) == 0;
  }
  if (model == NULL)
    return cli_usage_error(CMD, "--model is required (%s)", families);
  if (!known)
    return cli_usage_error(CMD, "unknown model '%s' (%s)", model, families);

  rc = clv_summary_read_csv(input, unit, &s, &err);
  if (rc == CLV_OK) {
    rc = clv_fit(model, s, &fo, &m, &err);
    /* A data problem found by the fit (no monetary column, a row the model
     * cannot use) is about the input file: name it. */
    if (rc && cli_exit_code(rc) == CLI_EXIT_DATA && err.file[0] == '\0')
      snprintf(err.file, sizeof err.file, "%s", input);
  }
  if (rc == CLV_OK)
    rc = clv_model_to_json(m, &json);
  if (rc) {
    code = cli_fail(CMD, rc, &err);
    goto done;
  }
  if (!quiet)
    print_table(m, input);
  /* The output is opened only now, so that a failed fit leaves no empty
   * model file behind. */
  f = cli_open_output(CMD, output);
  if (f == NULL) {
    code = CLI_EXIT_IO;
    goto done;
  }
  fputs(json, f);
  code = cli_close_output(CMD, f, output);
done:
  clv_free(json);
  clv_model_free(m);
  clv_summary_free(s);
  return code;
}
