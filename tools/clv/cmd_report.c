/*
 * cmd_report.c - `clv report`: the self-contained HTML dashboard of an order
 * log (issue 6). Reads and scores the log as every business command does
 * (cli_biz_load) and writes one HTML file with Apache ECharts inside, which
 * opens offline and can be mailed as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "biz_args.h"
#include "cli.h"
#include "clv.h"

static const char *const CMD = "report";

static void help(void) {
  printf(
      "Usage: clv report ORDERS [-o report.html] [options]\n"
      "\n"
      "Scores the order log (as clv run) and writes one self-contained HTML\n"
      "dashboard: overview, model fit (holdout calibration, purchase\n"
      "distribution, frequency/recency heat maps) and value (CLV\n"
      "distribution, Pareto curve). The charts (Apache ECharts, embedded)\n"
      "support hover, zoom and legend toggles; the file needs no network.\n"
      "\n"
      "Report options:\n"
      "  -o, --output FILE    the HTML file (default report.html; - for\n"
      "                       standard output)\n"
      "  --currency CODE      CNY, USD, EUR, GBP, ... (default USD; CNY with\n"
      "                       --lang zh)\n"
      "  --title TEXT         the page title\n"
      "\n");
  cli_biz_help(stdout);
  printf("\n"
         "Examples:\n"
         "  clv simulate --customers 5000 --seed 7 -o orders.csv\n"
         "  clv report orders.csv -o report.html\n"
         "  clv report orders.csv --lang zh --currency CNY -o report-zh.html\n"
         "\n"
         "Exit codes: 0 success, 1 usage, 2 bad input data, 3 numerical\n"
         "failure, 4 output error or a build without ECharts (npm was not\n"
         "available when clv was built).\n");
}

int cmd_report(int argc, char **argv) {
  cli_biz_args a;
  clv_report_opts ro;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  const char *out = "report.html";
  FILE *f = NULL;
  int i, rc = CLI_EXIT_USAGE, st;
  cli_biz_args_init(&a);
  clv_report_opts_init(&ro);
  for (i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
      help();
      rc = CLI_EXIT_OK;
      goto done;
    } else if (strcmp(o, "-o") == 0 || strcmp(o, "--output") == 0 ||
               strcmp(o, "--currency") == 0 || strcmp(o, "--title") == 0) {
      if (i + 1 >= argc) {
        rc = cli_usage_error(CMD, "option %s needs a value", o);
        goto done;
      }
      if (o[1] == 'o' || strcmp(o, "--output") == 0)
        out = argv[++i];
      else if (strcmp(o, "--currency") == 0)
        ro.currency = argv[++i];
      else
        ro.title = argv[++i];
    } else {
      int r = cli_biz_arg(CMD, argc, argv, &i, &a);
      if (r < 0)
        goto done; /* cli_biz_arg printed the usage error */
      if (r == 0) {
        rc = cli_usage_error(CMD, "unknown option '%s'", o);
        goto done;
      }
    }
  }
  if (cli_biz_finish(CMD, &a) != 0)
    goto done;
  ro.lang = cli_biz_zh(&a) ? "zh" : "en";
  /* Say it before the minutes of scoring, not after. */
  if (!clv_report_available()) {
    fprintf(stderr,
            "clv %s: this clv was built without Apache ECharts (npm was "
            "missing or offline at build time); rebuild with npm available "
            "or with -DCLV_ECHARTS_JS=/path/to/echarts.min.js\n",
            CMD);
    rc = CLI_EXIT_IO;
    goto done;
  }
  rc = cli_biz_load(CMD, &a, 1, &orders, &base);
  if (rc != CLI_EXIT_OK)
    goto done;
  f = cli_open_output(CMD, out);
  if (f == NULL) {
    rc = CLI_EXIT_IO;
    goto done;
  }
  st = clv_report_write(base, &ro, f);
  if (st != CLV_OK) {
    rc = cli_fail(CMD, st, NULL);
    cli_close_output(CMD, f, out);
    goto done;
  }
  rc = cli_close_output(CMD, f, out);
  if (rc == CLI_EXIT_OK && !a.quiet && strcmp(out, "-") != 0)
    fprintf(stderr, "clv %s: wrote %s\n", CMD, out);
done:
  clv_base_free(base);
  clv_orders_free(orders);
  return rc;
}
