/*
 * cmd_remind.c - `clv remind`: reorder reminders. A thin layer over
 * clv_remind_compute(): prints the statuses and the week's contact list and
 * writes the action lists (customers, contacts, products) into a folder.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "biz_args.h"
#include "cli.h"

static const char *const CMD = "remind";

static void help(void) {
  printf(
      "Usage: clv remind ORDERS [--on DATE] [--week-of DATE] [--min-palive P]\n"
      "                  [--top N] [--lang zh|en] [-o DIR]\n"
      "\n"
      "Reorder reminders. Per customer: the typical repurchase interval\n"
      "(median gap between purchase days; one gap: that gap; one purchase\n"
      "day: the population's median interval), the habitual due date (last\n"
      "purchase + interval), the model's expected next purchase date, the\n"
      "status on DATE (not yet due, due this week, overdue by N days and\n"
      "N intervals), P(alive), predicted CLV and the value at stake (P(alive)\n"
      "x margin x expected spend of the next order). Per customer x product\n"
      "bought on two days or more: the product's own interval and due date.\n"
      "The week's contact list: customers due in the week, and customers\n"
      "overdue with P(alive) >= P, by value at stake.\n"
      "\n"
      "Options:\n"
      "  --on DATE          status date (default: the last day of the log,\n"
      "                     or --as-of); a later date also moves P(alive)\n"
      "                     to it (nothing being known after the as-of day)\n"
      "  --week-of DATE     first day of the contact week (default --on)\n"
      "  --min-palive P     overdue customers need P(alive) >= P (default "
      "0.5)\n"
      "  --top N            contacts printed (default 20)\n"
      "  -o, --output DIR   write remind_customers.csv, remind_contacts.csv,\n"
      "                     remind_products.csv (with a product column) and\n"
      "                     remind.json into DIR (created)\n"
      "\n");
  cli_biz_help(stdout);
  printf("\n"
         "Example:\n"
         "  clv remind orders.csv --week-of 2011-12-05 --margin 0.3 -o out/\n"
         "\n"
         "Exit codes: 0 ok, 1 usage, 2 bad input data, 3 numerical failure,\n"
         "4 cannot read or write a file.\n");
}

/* Writes one output file of the folder; an exit code. */
static int write_file(const char *dir, const char *name, const clv_remind *r,
                      const clv_base *b, int zh, int which) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = cli_open_output(CMD, path);
  if (f == NULL)
    return CLI_EXIT_IO;
  if (which == 0)
    clv_remind_write_customers_csv(r, b, f, zh);
  else if (which == 1)
    clv_remind_write_contacts_csv(r, b, f, zh);
  else if (which == 2)
    clv_remind_write_products_csv(r, b, f, zh);
  else
    clv_remind_write_json(r, b, 50, f);
  return cli_close_output(CMD, f, path);
}

static void print_text(const clv_remind *r, const clv_base *b, size_t top,
                       int zh) {
  char d1[11], d2[11], d3[11];
  printf("clv remind: as of %s, status on %s, week of %s\n",
         clv_day_format(r->as_of_day, d1), clv_day_format(r->on_day, d2),
         clv_day_format(r->week_of, d3));
  if (r->p_alive_on)
    printf("  P(alive) on %s: alive at the as-of day and surviving the days "
           "since (nothing is known after the as-of day)\n",
           d2);
  else if (r->p_alive_note[0])
    printf("  note: %s\n", r->p_alive_note);
  if (isfinite(r->population_interval_days))
    printf("  typical interval (median over repeat buyers): %.1f days\n",
           r->population_interval_days);
  printf("  %-16s %10s %14s %14s\n", "status", "customers", "clv",
         "value_at_stake");
  for (int s = 0; s < CLV_REMIND__COUNT; s++)
    printf("  %-16s %10.0f %14.2f %14.2f\n", clv_remind_status_label(s, zh),
           r->status_customers[s], r->status_clv[s], r->status_stake[s]);
  printf("  %-16s %10.0f %14.2f\n", "total", r->customers, r->clv_total);
  printf("\nContact list (%zu customers, value at stake %.2f):\n", r->n_contact,
         r->contact_stake);
  printf("  %-14s %-14s %10s %7s %8s %7s %10s %10s  %s\n", "customer", "status",
         "due", "overdue", "interval", "p_alive", "clv", "at_stake", "product");
  for (size_t k = 0; k < r->n_contact && k < top; k++) {
    const clv_remind_customer *c = &r->cust[r->contact[k]];
    const char *prod = c->suggested_product == CLV_NO_KEY
                           ? ""
                           : clv_orders_key_text(b->orders, CLV_ATTR_PRODUCT,
                                                 c->suggested_product);
    printf("  %-14.14s %-14s %10s %7ld %8.1f %7.3f %10.2f %10.2f  %s\n",
           clv_orders_customer_id(b->orders, c->customer, NULL),
           clv_remind_status_label(c->status, zh),
           clv_day_format(c->due_day, d1), (long)c->days_overdue,
           c->interval_days, c->p_alive, c->clv, c->value_at_stake, prod);
  }
  if (r->has_products)
    printf("\nRepeating customer x product pairs: %zu\n", r->n_items);
  else
    printf("\nNo product column: per-product reminders and suggested "
           "products need one (--product).\n");
}

int cmd_remind(int argc, char **argv) {
  cli_biz_args args;
  clv_remind_opts ro;
  clv_orders *orders = NULL;
  clv_base *base = NULL;
  clv_remind *r = NULL;
  const char *dir = NULL;
  long top = 20;
  int exit_code = CLI_EXIT_OK, m, rc;
  cli_biz_args_init(&args);
  clv_remind_opts_init(&ro);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
#define VALUE(name) ((v = cli_opt_value(argc, argv, &i, name, &m)), m)
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      help();
      return CLI_EXIT_OK;
    } else if (VALUE("--on")) {
      if (v == NULL || !cli_parse_day(CMD, "--on", v, &ro.on_day))
        return CLI_EXIT_USAGE;
    } else if (VALUE("--week-of")) {
      if (v == NULL || !cli_parse_day(CMD, "--week-of", v, &ro.week_of))
        return CLI_EXIT_USAGE;
    } else if (VALUE("--min-palive")) {
      if (v == NULL ||
          !cli_parse_double(CMD, "--min-palive", v, &ro.min_p_alive))
        return CLI_EXIT_USAGE;
      if (!(ro.min_p_alive >= 0 && ro.min_p_alive <= 1))
        return cli_usage_error(CMD, "--min-palive expects 0 to 1");
    } else if (VALUE("--top")) {
      if (v == NULL || !cli_parse_long(CMD, "--top", v, &top))
        return CLI_EXIT_USAGE;
      if (top < 0 || top > 100000)
        return cli_usage_error(CMD, "--top expects 0 to 100000");
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
  if (dir && cli_make_dir(CMD, dir) != CLI_EXIT_OK)
    return CLI_EXIT_IO;
  exit_code = cli_biz_load(CMD, &args, 1, &orders, &base);
  if (exit_code)
    goto done;
  if ((rc = clv_remind_compute(base, &ro, &r))) {
    exit_code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  int zh = cli_biz_zh(&args);
  if (dir &&
      ((exit_code = write_file(dir, "remind_customers.csv", r, base, zh, 0)) ||
       (exit_code = write_file(dir, "remind_contacts.csv", r, base, zh, 1)) ||
       (r->has_products &&
        (exit_code = write_file(dir, "remind_products.csv", r, base, zh, 2))) ||
       (exit_code = write_file(dir, "remind.json", r, base, zh, 3))))
    goto done;
  if (!args.quiet)
    print_text(r, base, (size_t)top, zh);
done:
  clv_remind_free(r);
  clv_base_free(base);
  clv_orders_free(orders);
  return exit_code;
}
