/*
 * main.c - the clv command: dispatches to one subcommand per file.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct {
  const char *name;
  cli_command_fn fn;
  const char *summary;
} commands[] = {
#define CLV__ENTRY(name, fn, text) {#name, fn, text},
    CLV_COMMANDS(CLV__ENTRY)
#undef CLV__ENTRY
};

static void usage(FILE *f) {
  fprintf(f,
          "clv %s - customer lifetime value from order logs\n\n"
          "Usage: clv <command> [options] [arguments]\n"
          "       clv <command> --help\n"
          "       clv --version\n\n"
          "Commands:\n",
          clv_version());
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "  %-10s %s\n", "help", "this text, or `clv help <command>`");
  fprintf(f, "\nExit codes: 0 ok, 1 usage error, 2 bad input data, "
             "3 numerical failure,\n            4 system error (file, "
             "memory).\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
    printf("clv %s\n", clv_version());
    return CLI_EXIT_OK;
  }
  if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 ||
      strcmp(name, "-h") == 0) {
    if (argc >= 3 && strcmp(name, "help") == 0) {
      char help[] = "--help";
      char *args[] = {argv[2], help, NULL};
      for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, argv[2]) == 0)
          return commands[i].fn(2, args);
      fprintf(stderr, "clv: unknown command '%s'\n", argv[2]);
      return CLI_EXIT_USAGE;
    }
    usage(stdout);
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(commands[i].name, name) == 0)
      return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "clv: unknown command '%s'. Try 'clv help'.\n", name);
  return CLI_EXIT_USAGE;
}
