/*
 * cmd_products.c - `clv products`: product profitability, products x value
 * tiers, what high-value customers buy, first-purchase products, cross-sell
 * pairs and the next products to offer each customer. A thin layer over
 * clv_products_compute(): one CSV per table, the JSON for the report, the
 * recommendations action list, and the top lines printed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "biz_args.h"

static const char *const CMD = "products";

static void help(void) {
  printf(
      "Usage: clv products ORDERS [options] [-o DIR]\n"
      "\n"
      "Products seen through customer value. Needs a product column (SKU or\n"
      "product id); uses the order id, category, quantity and cost columns\n"
      "when the log has them and says what it left out when it has not.\n"
      "Writes into DIR (default clv-out):\n"
      "  products.csv        per product: revenue, refunds, net revenue, "
      "cost,\n"
      "                      margin, units, orders, buyers, anonymous revenue\n"
      "  categories.csv      the same per category (with a category column)\n"
      "  product_tiers.csv   net revenue and buyers per product x value tier\n"
      "                      (top 1/5/10/25 %% by predicted CLV, the rest)\n"
      "  top_products.csv    products over-represented among high-value\n"
      "                      customers: their share, the base's share, lift\n"
      "  first_products.csv  products on customers' first purchase day, by\n"
      "                      the mean predicted CLV of those customers\n"
      "  pairs.csv           products bought together: support, confidence\n"
      "                      both ways, lift\n"
      "  recommendations.csv action list: per customer the products to offer\n"
      "                      (customer_id, reason, value, p_alive,\n"
      "                      suggested_product, product_name, score, ...)\n"
      "  products.json       aggregates for the report (top lines only)\n"
      "Every table ends with a total row that equals the log's totals\n"
      "(refunds and rows without a customer id included).\n"
      "\n"
      "Products options:\n"
      "  --top N              lines printed and kept in the JSON (default 10)\n"
      "  --top-share Q        share of customers by predicted CLV that counts\n"
      "                       as high-value (default 0.1)\n"
      "  --min-buyers N       fewest high-value buyers (top_products) and new\n"
      "                       customers (first_products) a product needs\n"
      "                       (default 5)\n"
      "  --window DAYS        pairs: products bought by the same customer\n"
      "                       within DAYS days (default: in the same order;\n"
      "                       without an order id, same customer and day)\n"
      "  --min-support S      fewest orders (or customers) holding a pair,\n"
      "                       as a share of all (default 0.005)\n"
      "  --max-basket N       orders (customers) with more distinct products\n"
      "                       are left out of the pairs (default 200, 0 = no\n"
      "                       cap)\n"
      "  --recs K             products offered per customer (default 3)\n"
      "  -o, --output DIR     output folder (created; default clv-out)\n"
      "\n");
  cli_biz_help(stdout);
  printf("\n"
         "Examples:\n"
         "  clv products orders.csv -o prod/\n"
         "  clv products online_retail.csv --window 30 --lang zh -o prod/\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data (no product column),\n"
         "3 numerical failure, 4 cannot read or write a file.\n");
}

static int write_file(const char *dir, const char *name, const clv_products *r,
                      int table, int zh, size_t top) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  int rc = table < 0
               ? clv_products_write_json(r, top, f)
               : clv_products_write_csv(r, (clv_products_table)table, zh, f);
  if (rc) {
    fclose(f);
    return cli_fail(CMD, rc, NULL);
  }
  return cli_close_output(CMD, f, path);
}

/* A whole number option >= 0 into *out. */
static int parse_count(const char *opt, const char *v, size_t *out) {
  long n;
  if (v == NULL)
    return cli_usage_error(CMD, "%s needs a value", opt), 0;
  if (!cli_parse_long(CMD, opt, v, &n))
    return 0;
  if (n < 0) {
    cli_usage_error(CMD, "%s expects a count >= 0, got %s", opt, v);
    return 0;
  }
  *out = (size_t)n;
  return 1;
}

/* Notes on what the log lacks, so that an empty table is explained. */
static void column_notes(const clv_orders *o, const clv_products_opts *po) {
  if (!clv_orders_has_attr(o, CLV_ATTR_ORDER) && po->window_days == 0)
    cli_note(CMD, "no order id column: pairs are counted per customer and "
                  "day (rows without a customer id take no part)");
  if (!clv_orders_has_num(o, CLV_NUM_COST))
    cli_note(CMD, "no cost column: margins left empty");
  if (!clv_orders_has_attr(o, CLV_ATTR_CATEGORY))
    cli_note(CMD, "no category column: no categories.csv figures");
  if (!clv_orders_has_num(o, CLV_NUM_QUANTITY))
    cli_note(CMD, "no quantity column: units left empty");
}

int cmd_products(int argc, char **argv) {
  cli_biz_args a;
  clv_products_opts po;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  clv_products *r = NULL;
  const char *dir = "clv-out";
  size_t top = 10;
  int rc, exit_code = CLI_EXIT_OK;

  cli_biz_args_init(&a);
  clv_products_opts_init(&po);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *v;
    int m;
    double d;
    long n;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      help();
      return CLI_EXIT_OK;
    }
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (VALUE("--top")) {
      if (!parse_count("--top", v, &top))
        return CLI_EXIT_USAGE;
    } else if (VALUE("--top-share")) {
      if (v == NULL || !cli_parse_double(CMD, "--top-share", v, &d))
        return v ? CLI_EXIT_USAGE
                 : cli_usage_error(CMD, "--top-share needs a value");
      if (!(d > 0 && d <= 1))
        return cli_usage_error(CMD,
                               "--top-share expects a share in (0,1], "
                               "got %s",
                               v);
      po.top_share = d;
    } else if (VALUE("--min-buyers")) {
      size_t k;
      if (!parse_count("--min-buyers", v, &k))
        return CLI_EXIT_USAGE;
      po.min_top_buyers = po.min_first_customers = k;
    } else if (VALUE("--window")) {
      if (v == NULL)
        return cli_usage_error(CMD, "--window needs a number of days");
      if (!cli_parse_long(CMD, "--window", v, &n))
        return CLI_EXIT_USAGE;
      if (n < 0 || n > 100000)
        return cli_usage_error(CMD,
                               "--window expects days in 0..100000, "
                               "got %s",
                               v);
      po.window_days = (int)n;
    } else if (VALUE("--min-support")) {
      if (v == NULL || !cli_parse_double(CMD, "--min-support", v, &d))
        return v ? CLI_EXIT_USAGE
                 : cli_usage_error(CMD, "--min-support needs a value");
      if (!(d >= 0 && d <= 1))
        return cli_usage_error(CMD,
                               "--min-support expects a share in "
                               "[0,1], got %s",
                               v);
      po.min_support = d;
    } else if (VALUE("--max-basket")) {
      if (!parse_count("--max-basket", v, &po.max_basket))
        return CLI_EXIT_USAGE;
    } else if (VALUE("--recs")) {
      if (!parse_count("--recs", v, &po.recs_per_customer))
        return CLI_EXIT_USAGE;
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
  if (cli_biz_finish(CMD, &a) < 0)
    return CLI_EXIT_USAGE;
  int zh = cli_biz_zh(&a);
  if ((exit_code = cli_biz_load(CMD, &a, 1, &orders, &base)) != CLI_EXIT_OK)
    goto done;
  if (!clv_orders_has_attr(orders, CLV_ATTR_PRODUCT)) {
    fprintf(stderr,
            "clv %s: %s: no product column found (expected a header such as "
            "product_id, sku, StockCode or 商品编号, or --product COLUMN): "
            "nothing to analyse\n",
            CMD, a.input);
    exit_code = CLI_EXIT_DATA;
    goto done;
  }
  if ((exit_code = cli_make_dir(CMD, dir)) != CLI_EXIT_OK)
    goto done;
  if (!a.quiet)
    column_notes(orders, &po);
  if ((rc = clv_products_compute(base, &po, &r)) != CLV_OK) {
    exit_code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  for (int t = 0; t < CLV_PT__COUNT; t++)
    if ((exit_code = write_file(dir, clv_products_file_name(t), r, t, zh, top)))
      goto done;
  if ((exit_code = write_file(dir, "products.json", r, -1, zh, top)))
    goto done;
  if (!a.quiet) {
    if (clv_products_write_text(r, top, zh, stdout) != CLV_OK) {
      exit_code = CLI_EXIT_IO;
      goto done;
    }
    printf("\n%s: %s/products.csv, categories.csv, product_tiers.csv, "
           "top_products.csv, first_products.csv, pairs.csv, "
           "recommendations.csv, products.json\n",
           zh ? "文件" : "Files", dir);
  }
done:
  clv_products_free(r);
  clv_base_free(base);
  clv_orders_free(orders);
  return exit_code;
}
