/*
 * cmd_retention.c - `clv retention`: subscription retention with the
 * shifted-beta-geometric model (Fader & Hardie 2007, "How to project
 * customer retention"): cohort survivor counts or per-customer tenure ->
 * alpha, beta, the projected survivor curve against the actual counts,
 * retention rates, and the discounted expected (residual) lifetime and
 * subscriber value of Fader & Hardie (2010). A thin layer over
 * clv/retention.h.
 */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "retention";

static void help(FILE *f) {
  fprintf(
      f,
      "Usage: clv retention SURVIVORS.csv [--cohort NAME]... [options]\n"
      "       clv retention --tenure CUSTOMERS.csv [options]\n"
      "\n"
      "Fits the shifted-beta-geometric (sBG) model of contract renewals\n"
      "(Fader & Hardie 2007): each customer churns at the end of a period\n"
      "with a probability theta of their own, theta ~ Beta(alpha, beta).\n"
      "Prints alpha and beta (standard errors), the log-likelihood, the\n"
      "survivor curve S(t) projected to the horizon next to the actual\n"
      "counts (absolute and %% error), the retention rate of each period,\n"
      "and what a subscriber is worth (Fader & Hardie 2010).\n"
      "\n"
      "Input (one of):\n"
      "  SURVIVORS.csv        one row per period, period 0 (acquisition)\n"
      "                       first; one column of survivor counts per\n"
      "                       cohort (a younger cohort may end early with\n"
      "                       empty cells); '-' = standard input\n"
      "  --tenure FILE        one row per customer: a renewals column\n"
      "                       (renewals made; also 'periods') and a churned\n"
      "                       column (0/1): 0 renewals and churned 1 is a\n"
      "                       customer who left at the first renewal\n"
      "Options:\n"
      "  --cohort NAME        a column of survivor counts (repeat for more;\n"
      "                       default: every column except year/period/t)\n"
      "  --joint              one (alpha, beta) for all the cohorts (default:\n"
      "                       a separate fit per cohort)\n"
      "  --fit-periods K      fit on periods 0..K; later counts are held out\n"
      "                       and compared with the projection (default: all)\n"
      "  --horizon H          project to period H (default: 12 or the last\n"
      "                       period of the data, whichever is later)\n"
      "  --discount-rate D    discount rate per period (default 0.1)\n"
      "  --value V            payment per period (default 1: values in\n"
      "                       periods of payment)\n"
      "  --margin M           share of the payment that is profit (default 1)\n"
      "  --renewals N         value a subscriber after N renewals (default:\n"
      "                       the last fitted period)\n"
      "  --format F           text (default), csv (the period table) or jsonl\n"
      "                       (model and period records)\n"
      "  -o, --output FILE    write to FILE (default stdout)\n"
      "  -q, --quiet          no fit summary on stderr with csv/jsonl\n"
      "\n"
      "Values: a subscriber pays at the start of each period. DEL, for a new\n"
      "subscriber, is sum_{t>=0} S(t)/(1+D)^t: the first payment is certain\n"
      "and not discounted. DERL, after N renewals, is valued just before the\n"
      "next renewal decision: sum_{k>=1} S(N+k)/S(N)/(1+D)^(k-1) (the\n"
      "coming renewal's payment is not discounted). CLV = margin x value x\n"
      "DEL (or DERL).\n"
      "\n"
      "Example (Fader & Hardie 2007, Table 1; fitted on years 0-7):\n"
      "  clv retention survivors.csv --cohort regular_alive \\\n"
      "      --cohort highend_alive --fit-periods 7 --horizon 12 \\\n"
      "      --discount-rate 0.1 --value 100\n"
      "  # regular: alpha 0.704, beta 1.182, LL -1680.27; S(12) 0.170 (0.173)\n"
      "  # high end: alpha 0.668, beta 3.806, LL -1611.16; S(12) 0.378 "
      "(0.394)\n"
      "\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input data (file:line:column says\n"
      "where), 3 the fit did not converge, 4 cannot read or write a file.\n");
}

enum {
  OPT_COHORT = 256,
  OPT_TENURE,
  OPT_JOINT,
  OPT_FIT_PERIODS,
  OPT_HORIZON,
  OPT_DISCOUNT,
  OPT_VALUE,
  OPT_MARGIN,
  OPT_RENEWALS,
  OPT_FORMAT
};

static const struct option long_opts[] = {
    {"cohort", required_argument, NULL, OPT_COHORT},
    {"tenure", required_argument, NULL, OPT_TENURE},
    {"joint", no_argument, NULL, OPT_JOINT},
    {"fit-periods", required_argument, NULL, OPT_FIT_PERIODS},
    {"horizon", required_argument, NULL, OPT_HORIZON},
    {"discount-rate", required_argument, NULL, OPT_DISCOUNT},
    {"value", required_argument, NULL, OPT_VALUE},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"renewals", required_argument, NULL, OPT_RENEWALS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

enum { FMT_TEXT, FMT_CSV, FMT_JSONL };

typedef struct args {
  const char **cohorts;
  size_t ncohorts;
  const char *input, *tenure, *output;
  int joint, format, quiet;
  long fit_periods, horizon, renewals; /* -1: default */
  clv_sbg_value_opts value;
} args;

/* One cohort's counts as far as the data and --fit-periods go. */
typedef struct series {
  const char *name;
  const double *counts; /* NULL for tenure data */
  size_t len;           /* counts known: periods 0..len-1 */
  long fit;             /* periods 0..fit were fitted */
} series;

/* A number for JSON: null when unknown. */
static void json_num(FILE *f, const char *key, double v) {
  if (isfinite(v))
    fprintf(f, ",\"%s\":%.17g", key, v);
  else
    fprintf(f, ",\"%s\":null", key);
}

/* A JSON string without the characters that would need escaping (column
 * names are short words; anything else becomes '?'). */
static void json_str(FILE *f, const char *key, const char *s) {
  fprintf(f, "\"%s\":\"", key);
  for (; *s; s++)
    fputc(*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? '?' : *s, f);
  fputc('"', f);
}

/* The valuation numbers of one model; NaN when infinite (no discounting
 * and alpha <= 1). */
typedef struct valuation {
  double del, derl, clv_new, clv_sub;
} valuation;

static void value_model(const clv_sbg *m, const args *a, long renewals,
                        valuation *v) {
  v->del = v->derl = v->clv_new = v->clv_sub = NAN;
  if (clv_sbg_del(m, a->value.discount_rate, &v->del) != CLV_OK)
    v->del = NAN;
  if (clv_sbg_derl(m, a->value.discount_rate, renewals, &v->derl) != CLV_OK)
    v->derl = NAN;
  if (clv_sbg_new_subscriber_value(m, &a->value, &v->clv_new) != CLV_OK)
    v->clv_new = NAN;
  if (clv_sbg_subscriber_value(m, &a->value, renewals, &v->clv_sub) != CLV_OK)
    v->clv_sub = NAN;
}

static void text_model(FILE *f, const clv_sbg *m, const char *title,
                       const char *fitted) {
  fprintf(f, "%s: sBG fitted on %s (%.15g customers)\n", title, fitted,
          clv_sbg_customers(m));
  fprintf(f, "  alpha %10.4f  (SE %.4f)\n", clv_sbg_alpha(m),
          clv_sbg_se_alpha(m));
  fprintf(f, "  beta  %10.4f  (SE %.4f)\n", clv_sbg_beta(m),
          clv_sbg_se_beta(m));
  fprintf(f, "  log-likelihood %.3f; %d iterations; converged %s\n",
          clv_sbg_loglik(m), clv_sbg_iterations(m),
          clv_sbg_converged(m) ? "yes" : "no");
}

/* The period table of one series under model m: S(t) up to the horizon,
 * the expected survivors n_0 S(t), and the actual counts where known. */
static int period_table(FILE *f, const clv_sbg *m, const series *s,
                        const args *a, long horizon, int first) {
  double *sv = malloc((size_t)(horizon + 1) * sizeof *sv);
  if (sv == NULL)
    return CLV_ENOMEM;
  int rc = clv_sbg_survival(m, horizon, sv);
  if (rc) {
    free(sv);
    return rc;
  }
  if (a->format == FMT_TEXT) {
    fprintf(f, "  %6s %10s %10s %9s %9s %9s %8s\n", "period", "actual",
            "expected", "survival", "retention", "error", "error%");
  } else if (a->format == FMT_CSV && first) {
    fprintf(f, "cohort,period,actual,expected,survival,retention_rate,error,"
               "error_pct,in_fit\n");
  }
  for (long t = 0; t <= horizon; t++) {
    double r = NAN, actual = NAN, expected = NAN, err = NAN, pct = NAN;
    if (t >= 1)
      clv_sbg_retention_rate(m, t, &r);
    if (s->counts) {
      expected = s->counts[0] * sv[t];
      if ((size_t)t < s->len) {
        actual = s->counts[t];
        err = expected - actual;
        pct = actual > 0 ? 100 * err / actual : NAN;
      }
    }
    int in_fit = t <= s->fit;
    if (a->format == FMT_TEXT) {
      fprintf(f, "  %6ld ", t);
      if (isfinite(actual))
        fprintf(f, "%10.15g ", actual);
      else
        fprintf(f, "%10s ", "");
      if (isfinite(expected))
        fprintf(f, "%10.1f ", expected);
      else
        fprintf(f, "%10s ", "");
      fprintf(f, "%9.4f ", sv[t]);
      if (t >= 1)
        fprintf(f, "%9.4f", r);
      else
        fprintf(f, "%9s", "-");
      if (isfinite(err))
        fprintf(f, " %+9.1f", err);
      if (isfinite(pct))
        fprintf(f, " %+7.2f%%", pct);
      if (!in_fit && isfinite(actual))
        fprintf(f, "  held out");
      else if (!in_fit)
        fprintf(f, "  projected");
      fputc('\n', f);
    } else if (a->format == FMT_CSV) {
      fprintf(f, "%s,%ld,", s->name, t);
      if (isfinite(actual))
        fprintf(f, "%.15g", actual);
      fputc(',', f);
      if (isfinite(expected))
        fprintf(f, "%.10g", expected);
      fprintf(f, ",%.10g,", sv[t]);
      if (t >= 1)
        fprintf(f, "%.10g", r);
      fputc(',', f);
      if (isfinite(err))
        fprintf(f, "%.10g", err);
      fputc(',', f);
      if (isfinite(pct))
        fprintf(f, "%.6g", pct);
      fprintf(f, ",%d\n", in_fit);
    } else {
      fputc('{', f);
      json_str(f, "type", "period");
      fputc(',', f);
      json_str(f, "cohort", s->name);
      fprintf(f, ",\"period\":%ld", t);
      json_num(f, "actual", actual);
      json_num(f, "expected", expected);
      json_num(f, "survival", sv[t]);
      json_num(f, "retention_rate", r);
      json_num(f, "error", err);
      json_num(f, "error_pct", pct);
      fprintf(f, ",\"in_fit\":%s}\n", in_fit ? "true" : "false");
    }
  }
  free(sv);
  return CLV_OK;
}

/* The valuation lines (text) or the model record (jsonl) of a model fitted
 * to the series s[0..ns-1]. */
static void report_values(FILE *f, const clv_sbg *m, const series *s, size_t ns,
                          const args *a, const char *name, long renewals) {
  valuation v;
  value_model(m, a, renewals, &v);
  /* The survivors at `renewals` in the data, if the first series has that
   * period: their residual value is the cohort's remaining worth. */
  double still = NAN;
  if (ns == 1 && s[0].counts && (size_t)renewals < s[0].len)
    still = s[0].counts[renewals];
  if (a->format == FMT_JSONL) {
    fputc('{', f);
    json_str(f, "type", "model");
    fputc(',', f);
    json_str(f, "cohort", name);
    json_num(f, "alpha", clv_sbg_alpha(m));
    json_num(f, "beta", clv_sbg_beta(m));
    json_num(f, "se_alpha", clv_sbg_se_alpha(m));
    json_num(f, "se_beta", clv_sbg_se_beta(m));
    json_num(f, "loglik", clv_sbg_loglik(m));
    json_num(f, "customers", clv_sbg_customers(m));
    fprintf(f, ",\"converged\":%s", clv_sbg_converged(m) ? "true" : "false");
    json_num(f, "discount_rate", a->value.discount_rate);
    json_num(f, "del", v.del);
    fprintf(f, ",\"renewals\":%ld", renewals);
    json_num(f, "derl", v.derl);
    json_num(f, "clv_new", v.clv_new);
    json_num(f, "clv_subscriber", v.clv_sub);
    json_num(f, "residual_value", still * v.clv_sub);
    fputs("}\n", f);
    return;
  }
  if (a->format != FMT_TEXT)
    return;
  fprintf(f,
          "  discount rate %g per period; value %g x margin %g per "
          "period\n",
          a->value.discount_rate, a->value.value, a->value.margin);
  if (isfinite(v.del))
    fprintf(f, "  new subscriber: DEL %.4f periods, CLV %.2f\n", v.del,
            v.clv_new);
  else
    fprintf(f, "  new subscriber: DEL infinite (alpha <= 1 and no "
               "discounting)\n");
  if (isfinite(v.derl)) {
    fprintf(f, "  after %ld renewal%s: DERL %.4f periods, residual CLV %.2f",
            renewals, renewals == 1 ? "" : "s", v.derl, v.clv_sub);
    if (isfinite(still))
      fprintf(f, "; the %.15g still active: %.2f", still, still * v.clv_sub);
    fputc('\n', f);
  } else {
    fprintf(f,
            "  after %ld renewals: DERL infinite (alpha <= 1 and no "
            "discounting)\n",
            renewals);
  }
}

/* Fits one model to series s[0..ns-1] (added to d by the caller) and
 * writes its report. */
static int fit_and_report(FILE *f, const clv_retention_data *d, const series *s,
                          size_t ns, const args *a, const char *name,
                          int *first, clv_error *err) {
  clv_sbg *m = NULL;
  char fitted[64];
  long last = clv_retention_data_periods(d), horizon = a->horizon;
  int rc = clv_sbg_fit(d, NULL, &m, err);
  if (rc)
    return rc;
  if (horizon < 0) {
    horizon = last > 12 ? last : 12;
    for (size_t i = 0; i < ns; i++)
      if (s[i].counts && (long)s[i].len - 1 > horizon)
        horizon = (long)s[i].len - 1;
  }
  long renewals = a->renewals >= 0 ? a->renewals : last;
  snprintf(fitted, sizeof fitted, "periods 0-%ld", last);
  if (a->format == FMT_TEXT)
    text_model(f, m, name, fitted);
  else if (!a->quiet) {
    cli_note(CMD,
             "%s: alpha %.4f (SE %.4f), beta %.4f (SE %.4f), "
             "log-likelihood %.3f",
             name, clv_sbg_alpha(m), clv_sbg_se_alpha(m), clv_sbg_beta(m),
             clv_sbg_se_beta(m), clv_sbg_loglik(m));
  }
  report_values(f, m, s, ns, a, name, renewals);
  for (size_t i = 0; i < ns && rc == CLV_OK; i++) {
    if (a->format == FMT_TEXT && ns > 1)
      fprintf(f, "  cohort %s\n", s[i].name);
    rc = period_table(f, m, &s[i], a, horizon, *first);
    *first = 0;
  }
  if (a->format == FMT_TEXT)
    fputc('\n', f);
  clv_sbg_free(m);
  return rc;
}

static int parse_args(int argc, char **argv, args *a, int *done) {
  int c;
  long n;
  *done = 0;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
    case OPT_COHORT: {
      const char **p = realloc(a->cohorts, (a->ncohorts + 1) * sizeof *p);
      if (p == NULL)
        return CLI_EXIT_IO;
      a->cohorts = p;
      a->cohorts[a->ncohorts++] = optarg;
      break;
    }
    case OPT_TENURE:
      a->tenure = optarg;
      break;
    case OPT_JOINT:
      a->joint = 1;
      break;
    case OPT_FIT_PERIODS:
      ok = cli_parse_long(CMD, "--fit-periods", optarg, &n);
      if (ok && (n < 1 || n > 10000000))
        return cli_usage_error(CMD, "--fit-periods expects 1 or more");
      a->fit_periods = n;
      break;
    case OPT_HORIZON:
      ok = cli_parse_long(CMD, "--horizon", optarg, &n);
      if (ok && (n < 1 || n > 100000))
        return cli_usage_error(CMD, "--horizon expects 1 to 100000");
      a->horizon = n;
      break;
    case OPT_RENEWALS:
      ok = cli_parse_long(CMD, "--renewals", optarg, &n);
      if (ok && (n < 0 || n > 10000000))
        return cli_usage_error(CMD, "--renewals expects 0 or more");
      a->renewals = n;
      break;
    case OPT_DISCOUNT:
      ok = cli_parse_double(CMD, "--discount-rate", optarg,
                            &a->value.discount_rate);
      if (ok && !(a->value.discount_rate >= 0 && a->value.discount_rate < 1e6))
        return cli_usage_error(CMD, "--discount-rate expects a rate >= 0, "
                                    "such as 0.1");
      break;
    case OPT_VALUE:
      ok = cli_parse_double(CMD, "--value", optarg, &a->value.value);
      if (ok && !isfinite(a->value.value))
        return cli_usage_error(CMD, "--value expects a number");
      break;
    case OPT_MARGIN:
      ok = cli_parse_double(CMD, "--margin", optarg, &a->value.margin);
      if (ok && !isfinite(a->value.margin))
        return cli_usage_error(CMD, "--margin expects a number");
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "text") == 0)
        a->format = FMT_TEXT;
      else if (strcmp(optarg, "csv") == 0)
        a->format = FMT_CSV;
      else if (strcmp(optarg, "jsonl") == 0)
        a->format = FMT_JSONL;
      else
        return cli_usage_error(CMD,
                               "--format expects text, csv or jsonl, "
                               "got \"%s\"",
                               optarg);
      break;
    case 'o':
      a->output = optarg;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'h':
      help(stdout);
      *done = 1;
      return CLI_EXIT_OK;
    default:
      return cli_getopt_fail(CMD, c, argv, optind);
    }
    if (!ok)
      return CLI_EXIT_USAGE;
  }
  if (!cli_take_input(CMD, argc, argv, optind, "survivor file", &a->input))
    return CLI_EXIT_USAGE;
  if (a->input == NULL && a->tenure == NULL)
    return cli_usage_error(CMD, "which survivor file? (or --tenure FILE; "
                                "- reads stdin)");
  if (a->input && a->tenure)
    return cli_usage_error(CMD, "give a survivor file or --tenure, not both");
  if (a->tenure && (a->ncohorts || a->joint || a->fit_periods >= 0))
    return cli_usage_error(CMD, "--cohort, --joint and --fit-periods apply "
                                "to survivor files, not to --tenure");
  return CLI_EXIT_OK;
}

int cmd_retention(int argc, char **argv) {
  args a;
  clv_error err;
  clv_survivors *sv = NULL;
  clv_retention_data *d = NULL;
  series *s = NULL;
  FILE *f = NULL;
  int rc = CLV_OK, code, done, first = 1;
  size_t ns = 0;
  memset(&a, 0, sizeof a);
  a.fit_periods = a.horizon = a.renewals = -1;
  clv_sbg_value_opts_init(&a.value);
  clv_error_clear(&err);
  code = parse_args(argc, argv, &a, &done);
  if (code != CLI_EXIT_OK || done)
    goto done;

  /* Read everything before opening the output, so that bad input leaves no
   * half-written file behind. */
  if (a.tenure) {
    rc = clv_retention_read_tenure(a.tenure, NULL, NULL, &d, &err);
  } else {
    rc = clv_survivors_read_csv(a.input, a.cohorts, a.ncohorts, &sv, &err);
    if (rc == CLV_OK) {
      ns = clv_survivors_cohorts(sv);
      s = calloc(ns, sizeof *s);
      if (s == NULL)
        rc = CLV_ENOMEM;
    }
    for (size_t i = 0; rc == CLV_OK && i < ns; i++) {
      s[i].name = clv_survivors_name(sv, i);
      s[i].counts = clv_survivors_counts(sv, i);
      s[i].len = clv_survivors_length(sv, i);
      s[i].fit = (long)s[i].len - 1;
      if (a.fit_periods >= 0 && a.fit_periods < s[i].fit)
        s[i].fit = a.fit_periods;
    }
  }
  if (rc) {
    code = cli_fail(CMD, rc, &err);
    goto done;
  }
  f = cli_open_output(CMD, a.output);
  if (f == NULL) {
    code = CLI_EXIT_IO;
    goto done;
  }
  if (a.tenure) {
    series t = {"tenure", NULL, 0, clv_retention_data_periods(d)};
    rc = fit_and_report(f, d, &t, 1, &a, "tenure", &first, &err);
  } else if (a.joint) {
    rc = clv_retention_data_new(&d);
    for (size_t i = 0; rc == CLV_OK && i < ns; i++)
      rc = clv_retention_data_add_cohort(d, s[i].counts, (size_t)s[i].fit + 1,
                                         &err);
    if (rc == CLV_OK)
      rc = fit_and_report(f, d, s, ns, &a, "joint", &first, &err);
  } else {
    for (size_t i = 0; rc == CLV_OK && i < ns; i++) {
      clv_retention_data_free(d);
      d = NULL;
      rc = clv_retention_data_new(&d);
      if (rc == CLV_OK)
        rc = clv_retention_data_add_cohort(d, s[i].counts, (size_t)s[i].fit + 1,
                                           &err);
      if (rc == CLV_OK)
        rc = fit_and_report(f, d, &s[i], 1, &a, s[i].name, &first, &err);
    }
  }
  if (rc) {
    /* Name the input in a data or fit error that has no place of its own. */
    if (err.file[0] == '\0')
      snprintf(err.file, sizeof err.file, "%s", a.tenure ? a.tenure : a.input);
    code = cli_fail(CMD, rc, &err);
    if (a.output == NULL || strcmp(a.output, "-") == 0)
      fflush(f);
    else
      fclose(f);
    f = NULL;
    goto done;
  }
  code = cli_close_output(CMD, f, a.output);
  f = NULL;
done:
  free(s);
  free(a.cohorts);
  clv_survivors_free(sv);
  clv_retention_data_free(d);
  return code;
}
