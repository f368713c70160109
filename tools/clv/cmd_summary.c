/*
 * cmd_summary.c - `clv summary`: order log -> one row per customer.
 *
 * A thin layer over clv_summarize_file_write(): option parsing, the column
 * and count notes on stderr, and a progress line when stderr is a terminal
 * and the job runs for more than two seconds.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "ingest_args.h"

static const char *const CMD = "summary";

static void help(void) {
  printf(
      "Usage: clv summary [FILE|-] [options]\n"
      "\n"
      "Reads an order log (CSV, whitespace-separated text, or either one\n"
      "gzip-compressed; '-' or no FILE = standard input) and writes one row\n"
      "per customer, as lifetimes' summary_data_from_transaction_data:\n"
      "  customer_id,frequency,recency,T,monetary_value,first_purchase,\n"
      "  last_purchase,total_spend,orders,refunds\n"
      "in order of first appearance, ids exactly as in the input. Orders on\n"
      "one day (or --period) are one purchase; refunds (negative amounts)\n"
      "are netted within it, and a period whose net is not positive after a\n"
      "refund is no purchase. Rules in full: docs/summary.md.\n"
      "\n");
  cli_ingest_help(stdout);
  printf(
      "Output:\n"
      "  -o, --output FILE    write to FILE (default standard output)\n"
      "  --format csv|jsonl   CSV with a header (default) or JSON lines\n"
      "  -q, --quiet          no notes on stderr (errors still)\n"
      "\n"
      "Examples:\n"
      "  # CDNOW sample (no header, blanks): customer = 2, date = 3, amount "
      "= 5\n"
      "  clv summary CDNOW_sample.txt --customer 2 --date 3 --amount 5 \\\n"
      "      --until 1997-09-30 --unit week\n"
      "  # UCI Online Retail: amount = Quantity x UnitPrice; rows without a\n"
      "  # CustomerID are skipped and counted\n"
      "  clv summary online_retail.csv --quantity Quantity --price UnitPrice "
      "\\\n"
      "      --on-error skip -o summary.csv\n"
      "  # A Chinese shop export (headers 会员ID,下单时间,实付金额), gzip:\n"
      "  clv summary orders.csv.gz --period week --holdout-from 2024-01-01\n"
      "\n"
      "Exit codes: 0 ok, 1 usage, 2 bad input data (file:line:column says\n"
      "where), 4 cannot read or write a file.\n");
}

int cmd_summary(int argc, char **argv) {
  cli_ingest_args args;
  clv_ingest_report rep;
  clv_error err;
  cli_progress prog;
  const char *input = NULL, *output = NULL;
  clv_format format = CLV_FORMAT_CSV;
  int quiet = 0, rc;
  FILE *f;

  cli_ingest_args_init(&args);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int m, taken;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
    taken = cli_ingest_arg(CMD, argc, argv, &i, &args);
    if (taken < 0)
      return CLI_EXIT_USAGE;
    if (taken > 0)
      continue;
    if ((v = cli_opt_value(argc, argv, &i, "--format", &m)), m) {
      if (!cli_parse_format(CMD, v, &format))
        return CLI_EXIT_USAGE;
    } else if (strcmp(a, "-o") == 0 ||
               ((v = cli_opt_value(argc, argv, &i, "--output", &m)), m)) {
      if (strcmp(a, "-o") == 0)
        v = i + 1 < argc ? argv[++i] : NULL;
      if (v == NULL)
        return cli_usage_error(CMD, "-o needs a file name");
      output = v;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      return cli_usage_error(CMD, "unknown option %s", a);
    } else if (input == NULL) {
      input = a;
    } else {
      return cli_usage_error(CMD, "one input file only (got %s and %s)", input,
                             a);
    }
  }
  if (cli_ingest_finish(CMD, &args) < 0)
    return CLI_EXIT_USAGE;
  if (input == NULL)
    input = "-";
  cli_progress_attach(&prog, CMD, &args.opts, quiet);
  f = cli_open_output(CMD, output);
  if (f == NULL)
    return CLI_EXIT_IO;
  rc = clv_summarize_file_write(input, &args.opts, f, format, &rep, &err);
  cli_progress_clear(&prog);
  if (!quiet)
    cli_ingest_notes(CMD, &rep, rc == CLV_OK);
  if (!quiet || rc)
    cli_ingest_skipped(CMD, &rep);
  if (rc) {
    if (f != stdout) {
      /* A half-written summary is removed, but only a regular file: the
       * output may be a device such as /dev/null, which must never be
       * unlinked (as root that would replace it for the whole machine). */
      struct stat st;
      int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
      fclose(f);
      if (regular)
        remove(output);
    }
    return cli_fail(CMD, rc, &err);
  }
  return cli_close_output(CMD, f, output);
}
