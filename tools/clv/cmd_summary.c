/*
 * cmd_summary.c - `clv summary`: order log -> one row per customer.
 *
 * A thin layer over clv_summarize_file_write(): option parsing, the column
 * and count notes on stderr, and a progress line when stderr is a terminal
 * and the job runs for more than two seconds.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

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
      "\n"
      "Columns (a header name, or a 1-based position; default: detected from\n"
      "the header, e.g. customer_id/CustomerID/客户ID, date/InvoiceDate/\n"
      "下单时间, amount/sales/实付金额, Quantity x UnitPrice):\n"
      "  --customer COL       customer id column\n"
      "  --date COL           order date column\n"
      "  --amount COL         amount column (refunds negative)\n"
      "  --quantity COL --price COL   amount = quantity x unit price\n"
      "  --no-amount          ignore amounts (no monetary columns)\n"
      "  --header auto|yes|no first line is a header (default: detect)\n"
      "  --delimiter C        ',' ';' '|' tab, space (runs of blanks);\n"
      "                       default: detect\n"
      "  --date-format F      auto|ymd|mdy|dmy|unix (default auto: an\n"
      "                       unambiguous date such as 13/1/2011 decides)\n"
      "Summary:\n"
      "  --unit U             day|week|month|year for recency and T (default\n"
      "                       day; week with --period week, month with month)\n"
      "  --period P           day|week|month: merge orders per period\n"
      "  --until DATE         observation end (default: last date in the\n"
      "                       log); later rows are left out and counted\n"
      "  --holdout-from DATE  calibration = rows before DATE, holdout =\n"
      "                       DATE..until; adds frequency_holdout,\n"
      "                       monetary_value_holdout, duration_holdout\n"
      "Input errors:\n"
      "  --on-error fail|skip fail (default, exit 2) or skip bad rows and\n"
      "                       report how many and the first reasons\n"
      "Output:\n"
      "  -o, --output FILE    write to FILE (default standard output)\n"
      "  --format csv|jsonl   CSV with a header (default) or JSON lines\n"
      "  --threads N          1 or 2 (default 2: large plain files are\n"
      "                       split in two halves)\n"
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

typedef struct progress {
  time_t start;
  time_t last;
  int shown;
} progress;

/* Shown only when stderr is a terminal (checked by the caller) and only
 * after two seconds, at most once a second. */
static void on_progress(void *ctx, uint64_t done, uint64_t total) {
  progress *p = ctx;
  time_t now = time(NULL);
  if (now - p->start < 2 || now == p->last)
    return;
  p->last = now;
  p->shown = 1;
  if (total > 0)
    fprintf(stderr, "\rclv summary: %3.0f%% (%.0f of %.0f MB)   ",
            100.0 * (double)done / (double)total, done / 1e6, total / 1e6);
  else
    fprintf(stderr, "\rclv summary: %.0f MB read   ", done / 1e6);
}

/* "--name value" or "--name=value". Returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
                             int *matched) {
  size_t n = strlen(name);
  *matched = 0;
  if (strncmp(argv[*i], name, n) != 0)
    return NULL;
  if (argv[*i][n] == '=') {
    *matched = 1;
    return argv[*i] + n + 1;
  }
  if (argv[*i][n] != '\0')
    return NULL;
  *matched = 1;
  if (*i + 1 >= argc)
    return NULL;
  return argv[++*i];
}

static int parse_delimiter(const char *v, char *out) {
  if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
    *out = '\t';
  else if (strcmp(v, "space") == 0 || strcmp(v, "blank") == 0 ||
           strcmp(v, "whitespace") == 0 || strcmp(v, " ") == 0)
    *out = ' ';
  else if (strlen(v) == 1)
    *out = v[0];
  else
    return 0;
  return 1;
}

static void day_text(int32_t day, char buf[11]) {
  if (day == INT32_MIN)
    snprintf(buf, 11, "%s", "-");
  else
    clv_day_format(day, buf);
}

static void print_notes(const clv_ingest_report *r, int ok) {
  char d1[11], d2[11];
  const char *delim = r->delimiter == ' '    ? "blank-separated"
                      : r->delimiter == '\t' ? "tab-separated"
                      : r->delimiter == ','  ? "comma-separated"
                                             : "delimited";
  if (r->customer_col[0])
    cli_note(CMD, "columns: customer = %s, date = %s, amount = %s (%s, %s)",
             r->customer_col, r->date_col,
             r->amount_col[0] ? r->amount_col : "none",
             r->header ? "header line" : "no header", delim);
  if (!ok)
    return;
  day_text(r->first_day, d1);
  day_text(r->until_day, d2);
  cli_note(CMD,
           "%llu rows: %llu used, %llu skipped, %llu after the observation "
           "end %s; dates from %s",
           (unsigned long long)r->rows, (unsigned long long)r->rows_used,
           (unsigned long long)r->rows_skipped,
           (unsigned long long)r->rows_after_until, d2, d1);
  cli_note(CMD,
           "%llu customers; left out: %llu with the first purchase in the "
           "holdout, %llu without any purchase (net spend %.2f)",
           (unsigned long long)r->customers,
           (unsigned long long)r->customers_holdout_only,
           (unsigned long long)r->customers_no_purchase, r->spend_excluded);
  if (r->replayed_customers)
    cli_note(CMD, "%llu customers had rows out of date order (rebuilt)",
             (unsigned long long)r->replayed_customers);
}

static void print_skipped(const clv_ingest_report *r) {
  char buf[1024];
  if (r->rows_skipped == 0)
    return;
  cli_note(CMD, "skipped %llu bad rows; the first %zu:",
           (unsigned long long)r->rows_skipped, r->n_errors);
  for (size_t k = 0; k < r->n_errors; k++)
    fprintf(stderr, "  %s\n", clv_error_format(&r->errors[k], buf, sizeof buf));
}

int cmd_summary(int argc, char **argv) {
  clv_ingest_opts o;
  clv_ingest_report rep;
  clv_error err;
  progress prog;
  const char *input = NULL, *output = NULL;
  clv_format format = CLV_FORMAT_CSV;
  int unit_given = 0, quiet = 0, rc;
  FILE *f;

  clv_ingest_opts_init(&o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int m;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
#define TAKE(name)                                                             \
  ((v = opt_value(argc, argv, &i, name, &m)) != NULL ||                        \
   (m && (cli_usage_error(CMD, "%s needs a value", name), 1)))
    if (TAKE("--customer")) {
      if (!v)
        return CLI_EXIT_USAGE;
      o.customer_col = v;
    } else if (TAKE("--date")) {
      if (!v)
        return CLI_EXIT_USAGE;
      o.date_col = v;
    } else if (TAKE("--amount")) {
      if (!v)
        return CLI_EXIT_USAGE;
      o.amount_col = v;
    } else if (TAKE("--quantity")) {
      if (!v)
        return CLI_EXIT_USAGE;
      o.quantity_col = v;
    } else if (TAKE("--price")) {
      if (!v)
        return CLI_EXIT_USAGE;
      o.price_col = v;
    } else if (strcmp(a, "--no-amount") == 0) {
      o.no_amount = 1;
    } else if (strcmp(a, "--no-header") == 0) {
      o.header = 0;
    } else if (TAKE("--header")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (strcmp(v, "auto") == 0)
        o.header = -1;
      else if (strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
        o.header = 1;
      else if (strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
        o.header = 0;
      else
        return cli_usage_error(CMD, "--header expects auto, yes or no");
    } else if (TAKE("--delimiter")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (!parse_delimiter(v, &o.delimiter))
        return cli_usage_error(CMD, "--delimiter expects one character, tab "
                                    "or space");
    } else if (TAKE("--date-format")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (clv_date_order_parse(v, &o.date_order) != CLV_OK)
        return cli_usage_error(CMD,
                               "--date-format expects auto, ymd, mdy, "
                               "dmy or unix, got \"%s\"",
                               v);
    } else if (TAKE("--unit")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (clv_unit_parse(v, &o.unit) != CLV_OK || o.unit == CLV_UNIT_PERIOD)
        return cli_usage_error(CMD,
                               "--unit expects day, week, month or "
                               "year, got \"%s\"",
                               v);
      unit_given = 1;
    } else if (TAKE("--period")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (clv_period_parse(v, &o.period) != CLV_OK)
        return cli_usage_error(CMD,
                               "--period expects day, week or month, "
                               "got \"%s\"",
                               v);
    } else if (TAKE("--until")) {
      if (!v || !cli_parse_day(CMD, "--until", v, &o.until_day))
        return CLI_EXIT_USAGE;
    } else if (TAKE("--holdout-from")) {
      if (!v || !cli_parse_day(CMD, "--holdout-from", v, &o.holdout_day))
        return CLI_EXIT_USAGE;
    } else if (TAKE("--on-error")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (strcmp(v, "skip") == 0)
        o.skip_errors = 1;
      else if (strcmp(v, "fail") == 0)
        o.skip_errors = 0;
      else
        return cli_usage_error(CMD, "--on-error expects fail or skip");
    } else if (TAKE("--threads")) {
      long t;
      if (!v || !cli_parse_long(CMD, "--threads", v, &t))
        return CLI_EXIT_USAGE;
      if (t < 1)
        return cli_usage_error(CMD, "--threads expects 1 or more");
      o.threads = t > 2 ? 2 : (int)t;
    } else if (TAKE("--format")) {
      if (!v)
        return CLI_EXIT_USAGE;
      if (strcmp(v, "csv") == 0)
        format = CLV_FORMAT_CSV;
      else if (strcmp(v, "jsonl") == 0 || strcmp(v, "json") == 0)
        format = CLV_FORMAT_JSONL;
      else
        return cli_usage_error(CMD, "--format expects csv or jsonl");
    } else if (strcmp(a, "-o") == 0 || TAKE("--output")) {
      if (strcmp(a, "-o") == 0) {
        if (i + 1 >= argc)
          return cli_usage_error(CMD, "-o needs a file name");
        v = argv[++i];
      }
      if (!v)
        return CLI_EXIT_USAGE;
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
#undef TAKE
  }
  if (!unit_given)
    o.unit = o.period == CLV_PERIOD_WEEK    ? CLV_UNIT_WEEK
             : o.period == CLV_PERIOD_MONTH ? CLV_UNIT_MONTH
                                            : CLV_UNIT_DAY;
  if (o.period == CLV_PERIOD_MONTH && o.unit != CLV_UNIT_MONTH)
    return cli_usage_error(CMD, "--period month needs --unit month");
  if (o.period == CLV_PERIOD_WEEK && o.unit != CLV_UNIT_WEEK &&
      o.unit != CLV_UNIT_DAY)
    return cli_usage_error(CMD, "--period week needs --unit week or day");
  if (o.holdout_day != INT32_MIN && o.until_day != INT32_MIN &&
      o.holdout_day > o.until_day)
    return cli_usage_error(CMD, "--holdout-from is after --until");
  if (input == NULL)
    input = "-";
  memset(&prog, 0, sizeof prog);
  prog.start = time(NULL);
  if (cli_stderr_is_tty() && !quiet) {
    o.progress = on_progress;
    o.progress_ctx = &prog;
  }
  f = cli_open_output(CMD, output);
  if (f == NULL)
    return CLI_EXIT_IO;
  rc = clv_summarize_file_write(input, &o, f, format, &rep, &err);
  if (prog.shown)
    fputs("\r\033[K", stderr);
  if (!quiet)
    print_notes(&rep, rc == CLV_OK);
  if (!quiet || rc)
    print_skipped(&rep);
  if (rc) {
    if (f != stdout) {
      fclose(f);
      remove(output);
    }
    return cli_fail(CMD, rc, &err);
  }
  return cli_close_output(CMD, f, output);
}
