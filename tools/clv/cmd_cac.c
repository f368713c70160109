/*
 * cmd_cac.c - `clv cac`: acquisition budgets per channel. A thin layer over
 * clv_cac_compute(): prints the ceilings and verdicts and writes cac.csv,
 * cac_curve.csv and cac.json into a folder.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "biz_args.h"
#include "cli.h"

static const char *const CMD = "cac";

static void help(void) {
  printf(
      "Usage: clv cac ORDERS [--target R] [--payback-months M]\n"
      "               [--spend CH=AMOUNT,...|--spend-csv FILE] [--by COL]\n"
      "               [--lang zh|en] [-o DIR]\n"
      "\n"
      "Acquisition budgets. Per acquisition channel (the acquisition channel\n"
      "column; else the channel of the first order; else its store; else one\n"
      "group) or per --by column: customers acquired, the model's value of a\n"
      "new customer, the channel's observed value (historic margin + mean\n"
      "predicted CLV per customer), the most a new customer may cost for\n"
      "LTV:CAC = R and for a payback within M months (from the cumulative\n"
      "margin per customer by month since acquisition; the model where too\n"
      "few customers were observed that long). With the spend: actual CAC,\n"
      "LTV:CAC, months to pay back and a verdict.\n"
      "\n"
      "Options:\n"
      "  --target R           LTV:CAC target (default 3)\n"
      "  --marginal R         below R a spend is loss-making (default 1)\n"
      "  --payback-months M   payback period (default 12)\n"
      "  --spend CH=A,...     spend per channel over the whole log\n"
      "  --spend-csv FILE     channel,month,spend lines (month YYYY-MM): the\n"
      "                       CAC counts customers acquired in those months\n"
      "  --by COL             group by a text column: order_id, product_id,\n"
      "                       category, channel, acquisition_channel, store\n"
      "                       (value of the customer's first order)\n"
      "  -o, --output DIR     write cac.csv, cac_curve.csv, cac.json "
      "(created)\n"
      "\n");
  cli_biz_help(stdout);
  printf("\n"
         "Example:\n"
         "  clv cac orders.csv --margin 0.3 --spend web=12000,store=5000 -o "
         "out/\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data (also a bad spend\n"
         "file), 3 numerical failure, 4 cannot read or write a file.\n");
}

static int write_file(const char *dir, const char *name, const clv_cac *c,
                      int zh, int which) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  if (which == 0)
    clv_cac_write_csv(c, f, zh);
  else if (which == 1)
    clv_cac_write_curve_csv(c, f);
  else
    clv_cac_write_json(c, f);
  return cli_close_output(CMD, f, path);
}

/* A number in a column of width w, or "-" when it is not known. */
static void cell(double v, int w, int digits) {
  if (isfinite(v))
    printf(" %*.*f", w, digits, v);
  else
    printf(" %*s", w, "-");
}

static void print_row(const clv_cac_group *g, int zh) {
  printf("  %-16.16s", g->name);
  cell(g->customers, 9, 0);
  cell(g->observed_ltv, 10, 2);
  cell(g->new_value, 10, 2);
  cell(g->max_cac_target, 10, 2);
  cell(g->max_cac_model, 10, 2);
  cell(g->max_cac_payback, 10, 2);
  printf("%s", g->payback_from_model ? "m" : " ");
  if (!isnan(g->spend) || g->verdict != CLV_CAC_NO_SPEND) {
    cell(g->spend, 10, 2);
    cell(g->cac, 8, 2);
    cell(g->ltv_cac, 7, 2);
    cell(g->payback, 7, 0);
    printf("  %s", clv_cac_verdict_label(g->verdict, zh));
  }
  printf("\n");
}

static void print_text(const clv_cac *c, int zh) {
  printf("clv cac: grouped by %s; margin %.3g; target LTV:CAC %.3g; payback "
         "%d months\n",
         clv_cac_grouping_name(c), c->margin, c->target, c->payback_months);
  printf("  %-16s %9s %10s %10s %10s %10s %10s  %10s %8s %7s %7s  %s\n",
         "group", "customers", "obs_ltv", "new_value", "max_cac", "max_model",
         "max_payback", "spend", "cac", "ltv:cac", "payback", "verdict");
  for (size_t i = 0; i < c->n; i++)
    print_row(&c->g[i], zh);
  print_row(&c->total, zh);
  int any_model = c->total.payback_from_model;
  for (size_t i = 0; i < c->n; i++)
    any_model |= c->g[i].payback_from_model && c->g[i].customers > 0;
  /* Only when a row carries the mark: the legend explains it. */
  if (any_model)
    printf("  (m: too few customers observed %d months: the payback ceiling "
           "adds the model's monthly steps to the observed curve)\n",
           c->payback_months);
  printf("  note: %s\n", c->notes);
}

/* The clv_attr named `name`, or -1. */
static int attr_by_name(const char *name) {
  for (int a = 0; a < CLV_ATTR__COUNT; a++)
    if (strcmp(clv_attr_name((clv_attr)a), name) == 0)
      return a;
  return -1;
}

int cmd_cac(int argc, char **argv) {
  cli_biz_args args;
  clv_cac_opts co;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  clv_cac *c = NULL;
  clv_cac_spend *spend = NULL;
  clv_error err;
  const char *dir = NULL, *spend_text = NULL, *spend_csv = NULL;
  long l;
  int exit_code = CLI_EXIT_OK, m, rc;
  cli_biz_args_init(&args);
  clv_cac_opts_init(&co);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      help();
      return CLI_EXIT_OK;
    } else if (VALUE("--target")) {
      if (v == NULL || !cli_parse_double(CMD, "--target", v, &co.target))
        return CLI_EXIT_USAGE;
      if (!(co.target > 0 && co.target < 1000))
        return cli_usage_error(CMD, "--target expects a ratio > 0");
    } else if (VALUE("--marginal")) {
      if (v == NULL ||
          !cli_parse_double(CMD, "--marginal", v, &co.marginal_ratio))
        return CLI_EXIT_USAGE;
      if (!(co.marginal_ratio >= 0 && co.marginal_ratio < 1000))
        return cli_usage_error(CMD, "--marginal expects a ratio >= 0");
    } else if (VALUE("--payback-months")) {
      if (v == NULL || !cli_parse_long(CMD, "--payback-months", v, &l))
        return CLI_EXIT_USAGE;
      if (l < 1 || l > 120)
        return cli_usage_error(CMD, "--payback-months expects 1 to 120");
      co.payback_months = (int)l;
      if (co.curve_months < co.payback_months)
        co.curve_months = co.payback_months;
    } else if (VALUE("--spend")) {
      if (v == NULL)
        return cli_usage_error(CMD, "--spend needs CHANNEL=AMOUNT,...");
      spend_text = v;
    } else if (VALUE("--spend-csv")) {
      if (v == NULL)
        return cli_usage_error(CMD, "--spend-csv needs a file");
      spend_csv = v;
    } else if (VALUE("--by")) {
      if (v == NULL || (co.by = attr_by_name(v)) < 0)
        return cli_usage_error(CMD,
                               "--by expects order_id, product_id, "
                               "product_name, category, channel, "
                               "acquisition_channel or store, got \"%s\"",
                               v ? v : "");
    } else if (cli_output_arg(CMD, argc, argv, &i, "a folder name", &dir)) {
      if (dir == NULL)
        return CLI_EXIT_USAGE;
    } else {
      int t = cli_biz_arg(CMD, argc, argv, &i, &args);
      if (t < 0)
        return CLI_EXIT_USAGE;
      if (t == 0)
        return cli_usage_error(CMD, "unknown option %s", a);
    }
#undef VALUE
  }
  if (cli_biz_finish(CMD, &args) < 0)
    return CLI_EXIT_USAGE;
  if (spend_text && spend_csv)
    return cli_usage_error(CMD, "--spend and --spend-csv: give one");
  clv_error_clear(&err);
  if (spend_text &&
      (rc = clv_cac_spend_parse(spend_text, &spend, &co.n_spend, &err)))
    return rc == CLV_EPARSE ? cli_usage_error(CMD, "%s", err.message)
                            : cli_fail(CMD, rc, &err);
  if (spend_csv &&
      (rc = clv_cac_spend_read_csv(spend_csv, &spend, &co.n_spend, &err))) {
    exit_code = cli_fail(CMD, rc, &err);
    goto done;
  }
  co.spend = spend;
  if (dir && (exit_code = cli_make_dir(CMD, dir)) != CLI_EXIT_OK)
    goto done;
  exit_code = cli_biz_load(CMD, &args, 1, &orders, &base);
  if (exit_code)
    goto done;
  if (co.by >= 0 && !clv_orders_has_attr(orders, (clv_attr)co.by)) {
    exit_code = cli_usage_error(CMD,
                                "--by %s: the order log has no such "
                                "column (name it with its flag)",
                                clv_attr_name((clv_attr)co.by));
    goto done;
  }
  if ((rc = clv_cac_compute(base, &co, &c))) {
    exit_code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  int zh = cli_biz_zh(&args);
  if (dir && ((exit_code = write_file(dir, "cac.csv", c, zh, 0)) ||
              (exit_code = write_file(dir, "cac_curve.csv", c, zh, 1)) ||
              (exit_code = write_file(dir, "cac.json", c, zh, 2))))
    goto done;
  if (!args.quiet)
    print_text(c, zh);
done:
  clv_cac_free(c);
  clv_cac_spend_free(spend);
  clv_base_free(base);
  clv_orders_free(orders);
  return exit_code;
}
