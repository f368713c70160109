/*
 * cmd_segment.c - `clv segment`: value tiers, RFM groups, churn-risk bands
 * and the concentration of value over a scored order log. A thin layer over
 * clv_segments_compute(): it writes one CSV per table, the JSON for the
 * report and the per-customer action list, and prints the tables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "biz_args.h"

static const char *const CMD = "segment";

static void help(void) {
  printf(
      "Usage: clv segment ORDERS [options] [-o DIR]\n"
      "\n"
      "Scores the order log (as clv run) and groups the customers:\n"
      "  value tiers     from predicted CLV (default Platinum top 1%%, Gold\n"
      "                  1-5%%, Silver 5-10%%, Bronze 10-25%%, Regular)\n"
      "  RFM 8 types     R, F, M each above or below the mean or median\n"
      "                  (重要价值 ... 一般挽留, Key value ... General\n"
      "                  win-back)\n"
      "  RFM 11 groups   1-5 quintile scores on the R x FM grid (Champions\n"
      "                  ... Lost)\n"
      "  churn risk      High / Medium / Low from P(alive) or from P(no\n"
      "                  purchase in the horizon)\n"
      "  concentration   Pareto curve, top 1/5/10/20%% shares and Gini of\n"
      "                  historic and predicted value\n"
      "Writes into DIR (default clv-out): tiers.csv, rfm.csv, risk.csv,\n"
      "concentration.csv, segments.json and customers.csv (the action list:\n"
      "customer_id, tier, rfm_group, rfm_segment, risk_band, clv, p_alive,\n"
      "...). Every table has a total row; the company line adds customers\n"
      "without a purchase up to the as-of day and rows without a customer\n"
      "id, so that historic value equals the log's total.\n"
      "\n"
      "Segment options:\n"
      "  --tiers SPEC          percent tiers, e.g. "
      "platinum:1,gold:5,silver:10\n"
      "                        (cumulative top shares; customers tied at a\n"
      "                        cut all go to the better tier)\n"
      "  --thresholds SPEC     money tiers instead, e.g. 1000,500,100 or\n"
      "                        vip:1000,gold:500 (value >= threshold)\n"
      "  --rfm-split S         mean (default) or median\n"
      "  --risk-by B           palive (default) or nopurchase\n"
      "  --risk-cuts A,B       high risk below A, medium below B (0.3,0.7)\n"
      "  --by COLUMN           classify, then predict separately: fit the\n"
      "                        purchase model (and Gamma-Gamma) per value of\n"
      "                        COLUMN = channel, store, acquisition_channel,\n"
      "                        category, product_id or tier, and compare the\n"
      "                        sum with the pooled fit (segments_by.csv)\n"
      "  --by-pick P           a customer's value of COLUMN: first (its\n"
      "                        earliest row) or most (most rows); default\n"
      "                        most for channel and store, else first\n"
      "  --by-min-customers N  fewest customers to fit a segment (100);\n"
      "                        smaller segments keep the pooled predictions\n"
      "  -o, --output DIR      output folder (created; default clv-out)\n"
      "\n");
  cli_biz_help(stdout);
  printf("\n"
         "Examples:\n"
         "  clv segment orders.csv -o seg/\n"
         "  clv segment online_retail.csv --lang zh --rfm-split median \\\n"
         "      --tiers vip:2,gold:10 -o seg/\n"
         "  clv segment orders.csv --by channel -o seg/\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data, 3 numerical failure,\n"
         "4 cannot read or write a file.\n");
}

/* The outputs, one writer each. */
typedef struct seg_out {
  const clv_segments *s;
  const clv_base *b;
  const clv_seg_split *by; /* NULL without --by */
} seg_out;

static int w_tiers(const seg_out *o, FILE *f) {
  return clv_seg_table_write_csv(&o->s->tiers, "tier", 1, f);
}

static int w_rfm(const seg_out *o, FILE *f) {
  int rc = clv_seg_table_write_csv(&o->s->rfm8, "rfm8", 1, f);
  return rc ? rc : clv_seg_table_write_csv(&o->s->rfm11, "rfm11", 0, f);
}

static int w_risk(const seg_out *o, FILE *f) {
  return clv_seg_table_write_csv(&o->s->risk, "risk", 1, f);
}

static int w_conc(const seg_out *o, FILE *f) {
  return clv_segments_write_concentration_csv(o->s, f);
}

static int w_json(const seg_out *o, FILE *f) {
  return clv_segments_write_json_by(o->s, o->by, f);
}

static int w_by(const seg_out *o, FILE *f) {
  return clv_seg_split_write_csv(o->by, f);
}

/* The --by column: a text column of the order table, or "tier". */
static int parse_by(const char *v, clv_segment_by_opts *bo) {
  if (strcmp(v, "tier") == 0) {
    bo->by_tier = 1;
    return 1;
  }
  for (int a = 0; a < CLV_ATTR__COUNT; a++) {
    if (a == CLV_ATTR_ORDER || a == CLV_ATTR_PRODUCT_NAME)
      continue;
    if (strcmp(v, clv_attr_name((clv_attr)a)) == 0) {
      bo->by_tier = 0;
      bo->attr = (clv_attr)a;
      return 1;
    }
  }
  return 0;
}

static int w_customers(const seg_out *o, FILE *f) {
  return clv_segments_write_customers(o->s, o->b, f);
}

static int write_file(const char *dir, const char *name,
                      int (*w)(const seg_out *, FILE *), const seg_out *o) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = w(o, f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

/* "A,B" with 0 <= A <= B <= 1. */
static int parse_cuts(const char *v, double cut[2]) {
  char *end;
  double a = strtod(v, &end);
  if (end == v || *end != ',')
    return 0;
  const char *p = end + 1;
  double b = strtod(p, &end);
  if (end == p || *end != '\0')
    return 0;
  if (!(a >= 0 && a <= b && b <= 1))
    return 0;
  cut[0] = a;
  cut[1] = b;
  return 1;
}

int cmd_segment(int argc, char **argv) {
  cli_biz_args a;
  clv_segment_opts so;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  clv_segments *s = NULL;
  clv_seg_split *by = NULL;
  clv_segment_by_opts bo;
  const char *by_col = NULL, *by_pick = NULL;
  const char *dir = "clv-out", *tiers = NULL, *thresholds = NULL;
  int rc, exit_code = CLI_EXIT_OK;

  cli_biz_args_init(&a);
  clv_segment_opts_init(&so);
  clv_segment_by_opts_init(&bo);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    int m;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (VALUE("--tiers")) {
      if (v == NULL || clv_segment_parse_tiers(&so, v, 0) != CLV_OK)
        return cli_usage_error(CMD,
                               "--tiers expects name:percent pairs with "
                               "rising percents in (0,100], such as "
                               "platinum:1,gold:5%s%s",
                               v ? ", got " : "", v ? v : "");
      tiers = v;
    } else if (VALUE("--thresholds")) {
      if (v == NULL || clv_segment_parse_tiers(&so, v, 1) != CLV_OK)
        return cli_usage_error(CMD,
                               "--thresholds expects falling money amounts "
                               "such as 1000,500,100%s%s",
                               v ? ", got " : "", v ? v : "");
      thresholds = v;
    } else if (VALUE("--rfm-split")) {
      if (v != NULL && strcmp(v, "mean") == 0)
        so.rfm_median = 0;
      else if (v != NULL && strcmp(v, "median") == 0)
        so.rfm_median = 1;
      else
        return cli_usage_error(CMD, "--rfm-split expects mean or median%s%s",
                               v ? ", got " : "", v ? v : "");
    } else if (VALUE("--risk-by")) {
      if (v != NULL && strcmp(v, "palive") == 0)
        so.risk_by = CLV_RISK_PALIVE;
      else if (v != NULL && strcmp(v, "nopurchase") == 0)
        so.risk_by = CLV_RISK_NOPURCHASE;
      else
        return cli_usage_error(CMD,
                               "--risk-by expects palive or nopurchase%s%s",
                               v ? ", got " : "", v ? v : "");
    } else if (VALUE("--risk-cuts")) {
      if (v == NULL || !parse_cuts(v, so.risk_cut))
        return cli_usage_error(CMD,
                               "--risk-cuts expects A,B with 0 <= A <= B "
                               "<= 1, such as 0.3,0.7%s%s",
                               v ? ", got " : "", v ? v : "");
    } else if (VALUE("--by")) {
      if (v == NULL || !parse_by(v, &bo))
        return cli_usage_error(CMD,
                               "--by expects channel, store, "
                               "acquisition_channel, category, product_id "
                               "or tier%s%s",
                               v ? ", got " : "", v ? v : "");
      by_col = v;
    } else if (VALUE("--by-pick")) {
      if (v == NULL || (strcmp(v, "first") != 0 && strcmp(v, "most") != 0))
        return cli_usage_error(CMD, "--by-pick expects first or most%s%s",
                               v ? ", got " : "", v ? v : "");
      by_pick = v;
    } else if (VALUE("--by-min-customers")) {
      long n;
      if (v == NULL)
        return cli_usage_error(CMD, "--by-min-customers needs a number");
      if (!cli_parse_long(CMD, "--by-min-customers", v, &n))
        return CLI_EXIT_USAGE;
      if (n < 1)
        return cli_usage_error(CMD,
                               "--by-min-customers expects a count >= 1, "
                               "got %s",
                               v);
      bo.min_customers = (size_t)n;
    } else if (cli_output_arg(CMD, argc, argv, &i, "a folder name", &dir)) {
      if (dir == NULL)
        return CLI_EXIT_USAGE;
    } else {
      int taken = cli_biz_arg(CMD, argc, argv, &i, &a);
      if (taken < 0)
        return CLI_EXIT_USAGE;
      if (taken == 0)
        return cli_usage_error(CMD, "unknown option %s", arg);
    }
#undef VALUE
  }
  if (tiers && thresholds)
    return cli_usage_error(CMD, "--tiers and --thresholds exclude each other");
  if (cli_biz_finish(CMD, &a) < 0)
    return CLI_EXIT_USAGE;
  if (cli_make_dir(CMD, dir) != CLI_EXIT_OK)
    return CLI_EXIT_IO;
  if ((by_pick || bo.min_customers != 100) && by_col == NULL)
    return cli_usage_error(CMD, "--by-pick and --by-min-customers need --by");
  if (by_col && !bo.by_tier)
    bo.pick = by_pick ? (strcmp(by_pick, "most") == 0 ? CLV_PICK_MOST
                                                      : CLV_PICK_FIRST)
                      : clv_segment_by_default_pick(bo.attr);
  so.zh = cli_biz_zh(&a);
  bo.zh = so.zh;
  if ((exit_code = cli_biz_load(CMD, &a, 1, &orders, &base)) != CLI_EXIT_OK)
    goto done;
  if ((rc = clv_segments_compute(base, &so, &s)) != CLV_OK) {
    exit_code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  if (by_col) {
    if (!bo.by_tier && !clv_orders_has_attr(orders, bo.attr)) {
      fprintf(stderr,
              "clv %s: --by %s: expected a %s column in the order log, found "
              "none (name it with --channel, --acq-channel, --store, "
              "--category or --product COL)\n",
              CMD, by_col, by_col);
      exit_code = CLI_EXIT_DATA;
      goto done;
    }
    if ((rc = clv_segments_by(base, s, &bo, &by)) != CLV_OK) {
      exit_code = cli_fail(CMD, rc, NULL);
      goto done;
    }
  }
  seg_out o = {s, base, by};
  if ((exit_code = write_file(dir, "tiers.csv", w_tiers, &o)) ||
      (exit_code = write_file(dir, "rfm.csv", w_rfm, &o)) ||
      (exit_code = write_file(dir, "risk.csv", w_risk, &o)) ||
      (exit_code = write_file(dir, "concentration.csv", w_conc, &o)) ||
      (exit_code = write_file(dir, "segments.json", w_json, &o)) ||
      (exit_code = write_file(dir, "customers.csv", w_customers, &o)) ||
      (by && (exit_code = write_file(dir, "segments_by.csv", w_by, &o))))
    goto done;
  if (!a.quiet) {
    if (clv_segments_write_text(s, stdout) != CLV_OK) {
      exit_code = CLI_EXIT_IO;
      goto done;
    }
    if (by && clv_seg_split_write_text(by, stdout) != CLV_OK) {
      exit_code = CLI_EXIT_IO;
      goto done;
    }
    printf("\n%s: %s/tiers.csv, rfm.csv, risk.csv, concentration.csv, "
           "segments.json, customers.csv%s\n",
           so.zh ? "文件" : "Files", dir, by ? ", segments_by.csv" : "");
  }
done:
  clv_seg_split_free(by);
  clv_segments_free(s);
  clv_base_free(base);
  clv_orders_free(orders);
  return exit_code;
}
