/*
 * ingest_args.h - the order-log options that every command reading an order
 * log shares (summary, run, and later segment, cohort, ...): parsing, the
 * help text, the progress line, and the notes on what was read.
 */
#ifndef CLV_INGEST_ARGS_H
#define CLV_INGEST_ARGS_H

#include <stdio.h>
#include <time.h>

#include "cli.h"

/* "--name value" or "--name=value" at argv[*i]. Returns the value (advancing
 * *i past a separate value), or NULL. *matched says whether the option name
 * matched (a matched option with NULL is a missing value). */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name,
                          int *matched);

/* Parse state of the order-log options. */
typedef struct cli_ingest_args {
  clv_ingest_opts opts;
  int unit_given;
} cli_ingest_args;

/* Fills the library defaults. */
void cli_ingest_args_init(cli_ingest_args *a);

/*
 * Tries the option at argv[*i]. Returns 1 when it was an order-log option
 * (consumed, with its value), 0 when it is not one, and -1 after printing a
 * usage error.
 */
int cli_ingest_arg(const char *cmd, int argc, char **argv, int *i,
                   cli_ingest_args *a);

/* Applies the unit defaults (week with --period week, month with month) and
 * checks the combinations. Returns 0, or -1 after a usage error. */
int cli_ingest_finish(const char *cmd, cli_ingest_args *a);

/* Prints the help lines of the order-log options. */
void cli_ingest_help(FILE *f);

/* A progress line on stderr: shown only when stderr is a terminal and only
 * after two seconds, at most once a second. */
typedef struct cli_progress {
  const char *cmd;
  time_t start, last;
  int shown;
} cli_progress;

/* Hooks the progress line into the options when stderr is a terminal. */
void cli_progress_attach(cli_progress *p, const char *cmd, clv_ingest_opts *o,
                         int quiet);

/* Erases the progress line if it was shown. */
void cli_progress_clear(cli_progress *p);

/* Notes on stderr: the columns picked and, when ok, the row and customer
 * counts. */
void cli_ingest_notes(const char *cmd, const clv_ingest_report *r, int ok);

/* The count and first reasons of skipped rows, on stderr. */
void cli_ingest_skipped(const char *cmd, const clv_ingest_report *r);

#endif
