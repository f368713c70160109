/*
 * biz_args.c - the options and the loading step shared by the business
 * commands (segment, cohort, products, remind, whatif, cac, report), so that
 * they read and score an order log the same way, and as clv run does.
 */
#include "biz_args.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void cli_biz_args_init(cli_biz_args *a) {
  memset(a, 0, sizeof *a);
  cli_ingest_args_init(&a->ingest);
  a->ingest.opts.unit = CLV_UNIT_WEEK;
  clv_orders_opts_init(&a->orders);
  clv_base_opts_init(&a->base);
  a->lang = "en";
}

/* Options naming an optional column. */
static const struct {
  const char *flag;
  int attr; /* clv_attr (the cost columns are order-log options) */
} column_flags[] = {
    {"--order-id", CLV_ATTR_ORDER},
    {"--product", CLV_ATTR_PRODUCT},
    {"--product-name", CLV_ATTR_PRODUCT_NAME},
    {"--category", CLV_ATTR_CATEGORY},
    {"--channel", CLV_ATTR_CHANNEL},
    {"--acq-channel", CLV_ATTR_ACQ_CHANNEL},
    {"--store", CLV_ATTR_STORE},
};

/* The scoring options (the same words as clv run). Returns 1, 0 or -1 as
 * cli_biz_arg(). */
static int score_arg(const char *cmd, int argc, char **argv, int *i,
                     cli_biz_args *a) {
  clv_run_opts *o = &a->base.run;
  const char *v;
  int m;
  double d;
#define VALUE(name) ((v = cli_opt_value(argc, argv, i, name, &m)), m)
  if (VALUE("--horizon-months")) {
    if (v == NULL || !cli_parse_double(cmd, "--horizon-months", v, &d))
      return -1;
    if (!(d > 0 && d <= 1200)) {
      cli_usage_error(cmd, "--horizon-months expects 0 < N <= 1200");
      return -1;
    }
    o->horizon_days = d * 365.2425 / 12;
    return 1;
  }
  if (VALUE("--margin")) {
    if (v == NULL || !cli_parse_double(cmd, "--margin", v, &o->margin))
      return -1;
    if (!(o->margin >= 0 && o->margin <= 1)) {
      cli_usage_error(cmd, "--margin is a rate from 0 to 1");
      return -1;
    }
    a->margin_given = 1;
    a->base.margin_from_cost = 0;
    return 1;
  }
  if (VALUE("--discount-rate")) {
    if (v == NULL ||
        !cli_parse_double(cmd, "--discount-rate", v, &o->annual_discount_rate))
      return -1;
    if (!(o->annual_discount_rate > -1 && o->annual_discount_rate < 10)) {
      cli_usage_error(cmd, "--discount-rate is a yearly rate such as 0.1");
      return -1;
    }
    return 1;
  }
  if (VALUE("--model")) {
    int tx = 0, known = 0;
    const char *name;
    for (size_t k = 0; v && (name = clv_model_family_name(k, &tx)) != NULL; k++)
      known |= tx && strcmp(name, v) == 0 && strcmp(name, "bgbb") != 0;
    if (!known) {
      cli_usage_error(cmd,
                      "--model expects a purchase model such as bgnbd, pnbd "
                      "or mbgnbd, got \"%s\"",
                      v ? v : "");
      return -1;
    }
    o->model = v;
    return 1;
  }
  if (VALUE("--as-of")) {
    if (v == NULL) {
      cli_usage_error(cmd, "--as-of needs a date");
      return -1;
    }
    return cli_parse_day(cmd, "--as-of", v, &a->base.as_of_day) ? 1 : -1;
  }
#undef VALUE
  return 0;
}

int cli_biz_arg(const char *cmd, int argc, char **argv, int *i,
                cli_biz_args *a) {
  const char *arg = argv[*i], *v;
  int m, taken;
  for (size_t k = 0; k < sizeof column_flags / sizeof column_flags[0]; k++) {
    v = cli_opt_value(argc, argv, i, column_flags[k].flag, &m);
    if (!m)
      continue;
    if (v == NULL) {
      cli_usage_error(cmd, "%s needs a column name or position",
                      column_flags[k].flag);
      return -1;
    }
    a->orders.attr_col[column_flags[k].attr] = v;
    return 1;
  }
  if ((taken = cli_ingest_arg(cmd, argc, argv, i, &a->ingest)) != 0)
    return taken;
  if ((taken = score_arg(cmd, argc, argv, i, a)) != 0)
    return taken;
  v = cli_opt_value(argc, argv, i, "--lang", &m);
  if (m) {
    if (v == NULL || (strcmp(v, "en") != 0 && strcmp(v, "zh") != 0)) {
      cli_usage_error(cmd, "--lang expects en or zh");
      return -1;
    }
    a->lang = v;
    return 1;
  }
  if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
    a->quiet = 1;
    return 1;
  }
  if (arg[0] != '-' || strcmp(arg, "-") == 0) {
    if (a->input != NULL) {
      cli_usage_error(cmd, "one order log only (got %s and %s)", a->input, arg);
      return -1;
    }
    a->input = arg;
    return 1;
  }
  return 0;
}

int cli_biz_finish(const char *cmd, cli_biz_args *a) {
  if (a->input == NULL) {
    cli_usage_error(cmd, "no order log given");
    return -1;
  }
  if (cli_ingest_finish(cmd, &a->ingest) < 0)
    return -1;
  clv_ingest_opts *io = &a->ingest.opts;
  /* --until is the observation end of the summary: for the business layer
   * that is the as-of day of the scoring (the rows after it stay in the
   * table, for --as-of comparisons). */
  if (a->base.as_of_day == INT32_MIN)
    a->base.as_of_day = io->until_day;
  if (io->holdout_day != INT32_MIN && a->base.as_of_day != INT32_MIN &&
      io->holdout_day > a->base.as_of_day) {
    cli_usage_error(cmd, "--holdout-from is after --as-of");
    return -1;
  }
  a->base.run.ingest.unit = io->unit;
  a->base.run.ingest.period = io->period;
  a->base.run.ingest.holdout_day = io->holdout_day;
  a->base.run.ingest.no_amount = io->no_amount;
  a->orders.ingest = *io;
  a->orders.ingest.until_day = INT32_MIN;
  return 0;
}

int cli_biz_zh(const cli_biz_args *a) {
  return strcmp(a->lang, "zh") == 0;
}

void cli_biz_help(FILE *f) {
  fputs("Optional columns (a header name or position; default: detected from\n"
        "the header, e.g. InvoiceNo/订单号, StockCode/SKU/商品编码, "
        "Description/\n"
        "商品名称, category/品类, channel/渠道, source/获客渠道, store/门店,\n"
        "unit_cost/成本价; \"\" = do not use):\n"
        "  --order-id COL --product COL --product-name COL --category COL\n"
        "  --channel COL --acq-channel COL --store COL\n"
        "Scoring (as clv run):\n"
        "  --as-of DATE         score as of DATE: later rows are left out\n"
        "                       (default: the last date in the log)\n"
        "  --model M            bgnbd, pnbd or mbgnbd (default: chosen on a\n"
        "                       holdout)\n"
        "  --horizon-months N   CLV horizon (default 12)\n"
        "  --margin M           margin rate 0..1 (default: 1 - cost/revenue\n"
        "                       when the log has costs, else 1)\n"
        "  --discount-rate D    annual discount rate (default 0.10)\n"
        "  --lang en|zh         language of labels (default en)\n"
        "  -q, --quiet          no notes on stderr\n",
        f);
  fputs("Order log:\n", f);
  cli_ingest_help(f);
}

/* The notes on what was read, beyond the summary's. */
static void orders_notes(const char *cmd, const clv_orders_report *r,
                         const clv_orders *o) {
  char cols[1024] = "";
  size_t len = 0;
  for (int k = 0; k < CLV_ATTR__COUNT; k++)
    if (r->attr_col[k][0] && len < sizeof cols)
      len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%s = %s",
                              len ? ", " : "", clv_attr_name((clv_attr)k),
                              r->attr_col[k]);
  if (r->ingest.cost_col[0] && len < sizeof cols)
    snprintf(cols + len, sizeof cols - len, "%scost = %s", len ? ", " : "",
             r->ingest.cost_col);
  cli_note(cmd, "optional columns: %s", cols[0] ? cols : "none");
  cli_note(cmd,
           "%llu rows read (%llu skipped), %zu customers; %llu rows without "
           "a customer id (amount %.2f of %.2f) count only in product and "
           "company totals",
           (unsigned long long)r->ingest.rows,
           (unsigned long long)r->ingest.rows_skipped, clv_orders_customers(o),
           (unsigned long long)r->rows_anonymous, r->amount_anonymous,
           r->amount_total);
}

int cli_biz_load(const char *cmd, cli_biz_args *a, int score,
                 clv_orders **orders, clv_base **base) {
  clv_orders_report rep;
  clv_error err;
  cli_progress prog;
  int rc;
  *orders = NULL;
  *base = NULL;
  memset(&rep, 0, sizeof rep);
  clv_error_clear(&err);
  cli_progress_attach(&prog, cmd, &a->orders.ingest, a->quiet);
  rc = clv_orders_read(a->input, &a->orders, orders, &rep, &err);
  cli_progress_clear(&prog);
  if (rc) {
    if (!a->quiet)
      cli_ingest_notes(cmd, &rep.ingest, 0);
    return cli_fail(cmd, rc, &err);
  }
  if (!a->quiet) {
    cli_ingest_notes(cmd, &rep.ingest, 0);
    orders_notes(cmd, &rep, *orders);
    cli_ingest_skipped(cmd, &rep.ingest);
  }
  if (!score)
    return CLI_EXIT_OK;
  clv_error_clear(&err);
  rc = clv_base_build(*orders, &a->base, base, &err);
  if (rc) {
    clv_orders_free(*orders);
    *orders = NULL;
    return cli_fail(cmd, rc, &err);
  }
  if (!a->quiet) {
    const clv_run_result *r = (*base)->run;
    char d[11];
    clv_day_format((*base)->as_of_day, d);
    cli_note(cmd,
             "scored as of %s: %.0f customers, model %s, margin %.1f %%, CLV "
             "total %.2f",
             d, r->customers, clv_model_family(r->tx), 100 * (*base)->margin,
             r->value_total);
    if (r->notes[0])
      cli_note(cmd, "%s", r->notes);
  }
  return CLI_EXIT_OK;
}

int cli_output_arg(const char *cmd, int argc, char **argv, int *i,
                   const char *what, const char **out) {
  const char *v;
  int m;
  if (strcmp(argv[*i], "-o") == 0) {
    m = 1;
    v = *i + 1 < argc ? argv[++*i] : NULL;
  } else {
    v = cli_opt_value(argc, argv, i, "--output", &m);
  }
  if (!m)
    return 0;
  if (v == NULL)
    cli_usage_error(cmd, "-o needs %s", what);
  *out = v;
  return 1;
}
