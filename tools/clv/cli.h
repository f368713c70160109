/*
 * cli.h - what the clv subcommands share: exit codes, error wording, option
 * helpers. Each subcommand lives in its own cmd_<name>.c and is a thin layer
 * over library calls that the server will make too.
 */
#ifndef CLV_CLI_H
#define CLV_CLI_H

#include <stdio.h>

#include "clv.h"

/* Exit codes, stable and documented in the README and `clv help`. */
enum {
  CLI_EXIT_OK = 0,      /* success */
  CLI_EXIT_USAGE = 1,   /* bad command line: unknown option, missing value */
  CLI_EXIT_DATA = 2,    /* bad input data: file:line:column says where */
  CLI_EXIT_NUMERIC = 3, /* numerical failure: no convergence, non-finite */
  CLI_EXIT_IO = 4       /* system error: cannot open/write a file, memory */
};

/* A subcommand: argv[0] is the subcommand's name. Returns an exit code. */
typedef int (*cli_command_fn)(int argc, char **argv);

/* Maps a library status to the exit code above. */
int cli_exit_code(int status);

/*
 * Prints "clv CMD: file:line:column: message" (or "clv CMD: message" when err
 * is NULL or empty) on stderr and returns the exit code for status.
 */
int cli_fail(const char *cmd, int status, const clv_error *err);

/* Prints "clv CMD: <formatted message>" and "Try 'clv CMD --help'." on
 * stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "clv CMD: <formatted message>" on stderr (a warning or note). */
void cli_note(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a number option; on error prints a usage error and returns 0. */
int cli_parse_double(const char *cmd, const char *opt, const char *text,
                     double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *text,
                   long *out);

/* Parses a date option (any format clv_date_parse() reads, as a day number);
 * on error prints a usage error and returns 0. */
int cli_parse_day(const char *cmd, const char *opt, const char *text,
                  int32_t *out);

/* The usage error for getopt_long()'s ':' (a missing value) or '?' (an
 * unknown option) at argv[optind - 1]; returns CLI_EXIT_USAGE. */
int cli_getopt_fail(const char *cmd, int c, char **argv, int optind);

/* Parses "csv" or "jsonl" (also "json"); on error prints a usage error and
 * returns 0. */
int cli_parse_format(const char *cmd, const char *text, clv_format *out);

/* The positional argument after getopt_long(): at most one, written to
 * *input (left unchanged when there is none). More than one prints "one
 * <what> only (got A and B)" as a usage error and returns 0; else 1. */
int cli_take_input(const char *cmd, int argc, char **argv, int optind,
                   const char *what, const char **input);

/* 1 when text is a number strictly between 0 and 1 (an interval level),
 * written to *out; 0 otherwise (nothing printed: the caller decides whether
 * the word was meant as a level). */
int cli_is_level(const char *text, double *out);

/* Opens an output file ("-" or NULL is stdout). On error prints a message and
 * returns NULL. */
FILE *cli_open_output(const char *cmd, const char *path);

/* Closes an output opened by cli_open_output(); reports write errors.
 * Returns CLI_EXIT_OK or CLI_EXIT_IO. */
int cli_close_output(const char *cmd, FILE *f, const char *path);

/* 1 when stderr is a terminal (progress is shown only then). */
int cli_stderr_is_tty(void);

/* Creates the output folder dir and its missing parents (mkdir -p). Returns
 * CLI_EXIT_OK, or CLI_EXIT_IO after printing why it could not. */
int cli_make_dir(const char *cmd, const char *dir);

#endif
