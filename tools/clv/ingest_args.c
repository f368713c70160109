/*
 * ingest_args.c - the order-log options shared by every command that reads an
 * order log, so that `clv summary` and `clv run` accept the same flags.
 */
#include "ingest_args.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *cli_opt_value(int argc, char **argv, int *i, const char *name,
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

void cli_ingest_args_init(cli_ingest_args *a) {
  memset(a, 0, sizeof *a);
  clv_ingest_opts_init(&a->opts);
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

/* Options whose value is a column name or position. */
static const struct {
  const char *flag;
  size_t offset;
} column_flags[] = {
    {"--customer", offsetof(clv_ingest_opts, customer_col)},
    {"--date", offsetof(clv_ingest_opts, date_col)},
    {"--amount", offsetof(clv_ingest_opts, amount_col)},
    {"--quantity", offsetof(clv_ingest_opts, quantity_col)},
    {"--price", offsetof(clv_ingest_opts, price_col)},
    {"--unit-cost", offsetof(clv_ingest_opts, unit_cost_col)},
    {"--cost", offsetof(clv_ingest_opts, cost_col)},
    {"--margin-column", offsetof(clv_ingest_opts, margin_col)},
};

int cli_ingest_arg(const char *cmd, int argc, char **argv, int *i,
                   cli_ingest_args *a) {
  clv_ingest_opts *o = &a->opts;
  const char *arg = argv[*i], *v;
  int m;
  for (size_t k = 0; k < sizeof column_flags / sizeof column_flags[0]; k++) {
    v = cli_opt_value(argc, argv, i, column_flags[k].flag, &m);
    if (!m)
      continue;
    if (v == NULL) {
      cli_usage_error(cmd, "%s needs a column name or position",
                      column_flags[k].flag);
      return -1;
    }
    *(const char **)((char *)o + column_flags[k].offset) = v;
    return 1;
  }
  if (strcmp(arg, "--no-amount") == 0) {
    o->no_amount = 1;
    return 1;
  }
  if (strcmp(arg, "--no-header") == 0) {
    o->header = 0;
    return 1;
  }
#define VALUE(name) ((v = cli_opt_value(argc, argv, i, name, &m)), m)
  if (VALUE("--header")) {
    if (v && strcmp(v, "auto") == 0)
      o->header = -1;
    else if (v && (strcmp(v, "yes") == 0 || strcmp(v, "1") == 0))
      o->header = 1;
    else if (v && (strcmp(v, "no") == 0 || strcmp(v, "0") == 0))
      o->header = 0;
    else
      goto usage_header;
    return 1;
  }
  if (VALUE("--delimiter")) {
    if (v == NULL || !parse_delimiter(v, &o->delimiter)) {
      cli_usage_error(cmd, "--delimiter expects one character, tab or space");
      return -1;
    }
    return 1;
  }
  if (VALUE("--date-format")) {
    if (v == NULL || clv_date_order_parse(v, &o->date_order) != CLV_OK) {
      cli_usage_error(cmd, "--date-format expects auto, ymd, mdy, dmy or "
                           "unix");
      return -1;
    }
    return 1;
  }
  if (VALUE("--unit")) {
    if (v == NULL || clv_unit_parse(v, &o->unit) != CLV_OK ||
        o->unit == CLV_UNIT_PERIOD) {
      cli_usage_error(cmd, "--unit expects day, week, month or year");
      return -1;
    }
    a->unit_given = 1;
    return 1;
  }
  if (VALUE("--period")) {
    if (v == NULL || clv_period_parse(v, &o->period) != CLV_OK) {
      cli_usage_error(cmd, "--period expects day, week or month");
      return -1;
    }
    return 1;
  }
  if (VALUE("--until")) {
    if (v == NULL) {
      cli_usage_error(cmd, "--until needs a date");
      return -1;
    }
    return cli_parse_day(cmd, "--until", v, &o->until_day) ? 1 : -1;
  }
  if (VALUE("--holdout-from")) {
    if (v == NULL) {
      cli_usage_error(cmd, "--holdout-from needs a date");
      return -1;
    }
    return cli_parse_day(cmd, "--holdout-from", v, &o->holdout_day) ? 1 : -1;
  }
  if (VALUE("--on-error")) {
    if (v && strcmp(v, "skip") == 0)
      o->skip_errors = 1;
    else if (v && strcmp(v, "fail") == 0)
      o->skip_errors = 0;
    else {
      cli_usage_error(cmd, "--on-error expects fail or skip");
      return -1;
    }
    return 1;
  }
  if (VALUE("--threads")) {
    long t;
    if (v == NULL || !cli_parse_long(cmd, "--threads", v, &t))
      return -1;
    if (t < 1) {
      cli_usage_error(cmd, "--threads expects 1 or more");
      return -1;
    }
    o->threads = t > 2 ? 2 : (int)t;
    return 1;
  }
#undef VALUE
  return 0;
usage_header:
  cli_usage_error(cmd, "--header expects auto, yes or no");
  return -1;
}

int cli_ingest_finish(const char *cmd, cli_ingest_args *a) {
  clv_ingest_opts *o = &a->opts;
  /* A named cost column asks for costs (clv run reads them anyway). */
  if (o->cost_col || o->unit_cost_col || o->margin_col)
    o->costs = 1;
  if (!a->unit_given && o->period == CLV_PERIOD_WEEK)
    o->unit = CLV_UNIT_WEEK;
  if (!a->unit_given && o->period == CLV_PERIOD_MONTH)
    o->unit = CLV_UNIT_MONTH;
  if (o->period == CLV_PERIOD_MONTH && o->unit != CLV_UNIT_MONTH) {
    cli_usage_error(cmd, "--period month needs --unit month");
    return -1;
  }
  if (o->period == CLV_PERIOD_WEEK && o->unit != CLV_UNIT_WEEK &&
      o->unit != CLV_UNIT_DAY) {
    cli_usage_error(cmd, "--period week needs --unit week or day");
    return -1;
  }
  if (o->holdout_day != INT32_MIN && o->until_day != INT32_MIN &&
      o->holdout_day > o->until_day) {
    cli_usage_error(cmd, "--holdout-from is after --until");
    return -1;
  }
  return 0;
}

void cli_ingest_help(FILE *f) {
  fputs(
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
      "Costs (detected by clv run and the business commands, which value\n"
      "at a margin of 1 - cost / revenue; clv summary reads named ones):\n"
      "  --unit-cost COL      cost per unit (x quantity)\n"
      "  --cost COL           cost of the row\n"
      "  --margin-column COL  margin share of the row's amount\n"
      "Summary:\n"
      "  --unit U             day|week|month|year for recency and T\n"
      "  --period P           day|week|month: merge orders per period\n"
      "  --until DATE         observation end (default: last date in the\n"
      "                       log); later rows are left out and counted\n"
      "  --holdout-from DATE  calibration = rows before DATE, holdout =\n"
      "                       DATE..until\n"
      "Input errors:\n"
      "  --on-error fail|skip fail (default, exit 2) or skip bad rows and\n"
      "                       report how many and the first reasons\n"
      "  --threads N          1 or 2 (default 2: large plain files are\n"
      "                       split in two halves)\n",
      f);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total) {
  cli_progress *p = ctx;
  time_t now = time(NULL);
  if (now - p->start < 2 || now == p->last)
    return;
  p->last = now;
  p->shown = 1;
  if (total > 0)
    fprintf(stderr, "\rclv %s: %3.0f%% (%.0f of %.0f MB)   ", p->cmd,
            100.0 * (double)done / (double)total, done / 1e6, total / 1e6);
  else
    fprintf(stderr, "\rclv %s: %.0f MB read   ", p->cmd, done / 1e6);
}

void cli_progress_attach(cli_progress *p, const char *cmd, clv_ingest_opts *o,
                         int quiet) {
  memset(p, 0, sizeof *p);
  p->cmd = cmd;
  p->start = time(NULL);
  if (cli_stderr_is_tty() && !quiet) {
    o->progress = on_progress;
    o->progress_ctx = p;
  }
}

void cli_progress_clear(cli_progress *p) {
  if (p->shown)
    fputs("\r\033[K", stderr);
  p->shown = 0;
}

static void day_text(int32_t day, char buf[11]) {
  if (day == INT32_MIN)
    snprintf(buf, 11, "%s", "-");
  else
    clv_day_format(day, buf);
}

void cli_ingest_notes(const char *cmd, const clv_ingest_report *r, int ok) {
  char d1[11], d2[11];
  const char *delim = r->delimiter == ' '    ? "blank-separated"
                      : r->delimiter == '\t' ? "tab-separated"
                      : r->delimiter == ','  ? "comma-separated"
                                             : "delimited";
  if (r->customer_col[0])
    cli_note(cmd, "columns: customer = %s, date = %s, amount = %s (%s, %s)",
             r->customer_col, r->date_col,
             r->amount_col[0] ? r->amount_col : "none",
             r->header ? "header line" : "no header", delim);
  if (!ok)
    return;
  if (r->cost_col[0])
    cli_note(cmd,
             "cost = %s: revenue %.2f, cost %.2f (rows up to the "
             "observation end)",
             r->cost_col, r->revenue, r->cost);
  day_text(r->first_day, d1);
  day_text(r->until_day, d2);
  cli_note(cmd,
           "%llu rows: %llu used, %llu skipped, %llu after the observation "
           "end %s; dates from %s",
           (unsigned long long)r->rows, (unsigned long long)r->rows_used,
           (unsigned long long)r->rows_skipped,
           (unsigned long long)r->rows_after_until, d2, d1);
  cli_note(cmd,
           "%llu customers; left out: %llu with the first purchase in the "
           "holdout, %llu without any purchase (net spend %.2f)",
           (unsigned long long)r->customers,
           (unsigned long long)r->customers_holdout_only,
           (unsigned long long)r->customers_no_purchase, r->spend_excluded);
  if (r->replayed_customers)
    cli_note(cmd, "%llu customers had rows out of date order (rebuilt)",
             (unsigned long long)r->replayed_customers);
}

void cli_ingest_skipped(const char *cmd, const clv_ingest_report *r) {
  char buf[1024];
  if (r->rows_skipped == 0)
    return;
  cli_note(cmd, "skipped %llu bad rows; the first %zu:",
           (unsigned long long)r->rows_skipped, r->n_errors);
  for (size_t k = 0; k < r->n_errors; k++)
    fprintf(stderr, "  %s\n", clv_error_format(&r->errors[k], buf, sizeof buf));
}
