/*
 * biz_args.h - what every business-layer command shares (segment, cohort,
 * products, remind, whatif, cac, report): the order-log options, the
 * optional columns (order id, product, category, cost, channel, ...), the
 * scoring options (model, horizon, margin, discount rate, --as-of), the
 * language of labels, and loading + scoring the log with their notes.
 *
 * A command parses its own options in a loop and hands every option it does
 * not know to cli_biz_arg() first; then cli_biz_finish(); then
 * cli_biz_load() gives the order table and the scored base.
 */
#ifndef CLV_BIZ_ARGS_H
#define CLV_BIZ_ARGS_H

#include <stdio.h>

#include "cli.h"
#include "ingest_args.h"

typedef struct cli_biz_args {
  cli_ingest_args ingest; /* --customer --date --amount --until ... */
  clv_orders_opts orders; /* the optional columns */
  clv_base_opts base;     /* --model --horizon-months --margin ... --as-of */
  const char *input;      /* the order log (first positional argument) */
  const char *lang;       /* "en" (default) or "zh" */
  int quiet;              /* -q: no notes on stderr */
  int margin_given;
} cli_biz_args;

/* Fills the defaults (unit week, as clv run). */
void cli_biz_args_init(cli_biz_args *a);

/*
 * Tries argv[*i]: an order-log option, an optional-column option, a scoring
 * option, --lang, -q, or the positional order log. Returns 1 when taken
 * (with its value), 0 when it is none of them (the command's own option or
 * an unknown one), -1 after printing a usage error.
 */
int cli_biz_arg(const char *cmd, int argc, char **argv, int *i,
                cli_biz_args *a);

/* Checks what was given (an input, the unit). 0, or -1 after a usage
 * error. */
int cli_biz_finish(const char *cmd, cli_biz_args *a);

/* Help lines of the shared options (columns, scoring, language). */
void cli_biz_help(FILE *f);

/*
 * Reads the order log and scores it (clv_orders_read + clv_base_build),
 * with the progress line and, unless quiet, the notes on stderr (columns
 * used, rows, customers, rows without customer, the model chosen and why).
 * On success returns CLI_EXIT_OK and the caller frees *base with
 * clv_base_free() and then *orders with clv_orders_free(). With score == 0
 * only the table is read (*base is NULL). Otherwise returns an exit code
 * after printing the error.
 */
int cli_biz_load(const char *cmd, cli_biz_args *a, int score,
                 clv_orders **orders, clv_base **base);

/* Tries "-o X", "--output X" or "--output=X" at argv[*i]: 1 when it is
 * there, with *out = X, or *out = NULL after printing a usage error (no
 * value; `what` names it, e.g. "a folder name"); 0 for any other option. */
int cli_output_arg(const char *cmd, int argc, char **argv, int *i,
                   const char *what, const char **out);

/* 1 when the labels are Chinese (--lang zh). */
int cli_biz_zh(const cli_biz_args *a);

#endif
