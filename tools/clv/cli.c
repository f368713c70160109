/* cli.c - exit codes, error wording and option helpers of the clv command. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_exit_code(int status) {
  switch (status) {
  case CLV_OK:
    return CLI_EXIT_OK;
  case CLV_EINVAL:
    return CLI_EXIT_USAGE;
  case CLV_EPARSE:
  case CLV_ENOCOLUMN:
  case CLV_EEMPTY:
  case CLV_EDOMAIN:
  case CLV_EFORMAT:
  case CLV_EMODEL:
  case CLV_EUNSUPPORTED:
    return CLI_EXIT_DATA;
  case CLV_ENUMERIC:
  case CLV_ENOCONV:
  case CLV_EOVERFLOW:
    return CLI_EXIT_NUMERIC;
  default:
    return CLI_EXIT_IO;
  }
}

int cli_fail(const char *cmd, int status, const clv_error *err) {
  char buf[1024];
  if (err != NULL && (err->message[0] || err->file[0]))
    clv_error_format(err, buf, sizeof buf);
  else
    snprintf(buf, sizeof buf, "%s", clv_strerror(status));
  fprintf(stderr, "clv %s: %s\n", cmd, buf);
  return cli_exit_code(status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "clv %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'clv %s --help'.\n", cmd);
  return CLI_EXIT_USAGE;
}

void cli_note(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "clv %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_parse_double(const char *cmd, const char *opt, const char *text,
                     double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) {
    cli_usage_error(cmd, "%s expects a number, got \"%s\"", opt, text);
    return 0;
  }
  *out = v;
  return 1;
}

int cli_parse_long(const char *cmd, const char *opt, const char *text,
                   long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE) {
    cli_usage_error(cmd, "%s expects a whole number, got \"%s\"", opt, text);
    return 0;
  }
  *out = v;
  return 1;
}

int cli_parse_day(const char *cmd, const char *opt, const char *text,
                  int32_t *out) {
  clv_date_order hint = CLV_DATE_AUTO;
  if (clv_date_parse(text, strlen(text), CLV_DATE_AUTO, &hint, out, NULL) !=
      CLV_OK) {
    cli_usage_error(cmd, "%s expects a date such as 1997-09-30, got \"%s\"",
                    opt, text);
    return 0;
  }
  return 1;
}

int cli_getopt_fail(const char *cmd, int c, char **argv, int optind) {
  if (c == ':')
    return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
  return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_parse_format(const char *cmd, const char *text, clv_format *out) {
  if (text && strcmp(text, "csv") == 0)
    *out = CLV_FORMAT_CSV;
  else if (text && (strcmp(text, "jsonl") == 0 || strcmp(text, "json") == 0))
    *out = CLV_FORMAT_JSONL;
  else {
    cli_usage_error(cmd, "--format expects csv or jsonl");
    return 0;
  }
  return 1;
}

int cli_take_input(const char *cmd, int argc, char **argv, int optind,
                   const char *what, const char **input) {
  if (optind < argc)
    *input = argv[optind++];
  if (optind < argc) {
    cli_usage_error(cmd, "one %s only (got %s and %s)", what, *input,
                    argv[optind]);
    return 0;
  }
  return 1;
}

int cli_is_level(const char *text, double *out) {
  char *end;
  if (text == NULL)
    return 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || !(v > 0 && v < 1))
    return 0;
  *out = v;
  return 1;
}

FILE *cli_open_output(const char *cmd, const char *path) {
  if (path == NULL || strcmp(path, "-") == 0)
    return stdout;
  FILE *f = fopen(path, "w");
  if (f == NULL)
    fprintf(stderr, "clv %s: cannot write %s: %s\n", cmd, path,
            strerror(errno));
  return f;
}

int cli_close_output(const char *cmd, FILE *f, const char *path) {
  int bad = ferror(f);
  if (f == stdout)
    bad |= fflush(f) != 0;
  else
    bad |= fclose(f) != 0;
  if (bad) {
    fprintf(stderr, "clv %s: error writing %s\n", cmd,
            path && strcmp(path, "-") ? path : "standard output");
    return CLI_EXIT_IO;
  }
  return CLI_EXIT_OK;
}

int cli_stderr_is_tty(void) {
  return isatty(STDERR_FILENO);
}

int cli_make_dir(const char *cmd, const char *dir) {
  char path[4096];
  size_t n = strlen(dir);
  if (n == 0 || n >= sizeof path) {
    fprintf(stderr, "clv %s: bad folder name \"%s\"\n", cmd, dir);
    return CLI_EXIT_IO;
  }
  memcpy(path, dir, n + 1);
  /* Each parent in turn, then the folder itself. */
  for (size_t i = 1; i <= n; i++) {
    if (path[i] != '/' && path[i] != '\0')
      continue;
    char c = path[i];
    path[i] = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      fprintf(stderr, "clv %s: cannot create folder %s: %s\n", cmd, path,
              strerror(errno));
      return CLI_EXIT_IO;
    }
    path[i] = c;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "clv %s: %s is not a folder\n", cmd, dir);
    return CLI_EXIT_IO;
  }
  return CLI_EXIT_OK;
}
