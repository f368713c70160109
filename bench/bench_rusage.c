/*
 * bench_rusage.c - runs one command and reports its wall time, CPU time and
 * peak resident memory, so that bench/run.sh does not depend on
 * /usr/bin/time (absent on minimal systems). Measures, never judges.
 *
 * Usage: bench_rusage [-v] [-i FILE] -- COMMAND [ARGS...]
 *   -v       keep the command's standard output and error (default: both
 *            go to /dev/null, so that printing does not count as work)
 *   -i FILE  feed FILE on the command's standard input (default /dev/null)
 * Prints one line on standard output:
 *   wall_s=0.123 user_s=0.100 sys_s=0.020 maxrss_kb=1234 exit=0
 * Exit code: the command's, or 127 when it could not be started.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* wait4() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* In the child: wires up the standard streams and runs the command. */
static void child(char **cmd, int verbose, const char *input) {
  int in = open(input ? input : "/dev/null", O_RDONLY);
  if (in < 0 || dup2(in, STDIN_FILENO) < 0) {
    fprintf(stderr, "bench_rusage: cannot open %s: %s\n",
            input ? input : "/dev/null", strerror(errno));
    _exit(127);
  }
  if (!verbose) {
    int null = open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0 ||
        dup2(null, STDERR_FILENO) < 0)
      _exit(127);
  }
  execvp(cmd[0], cmd);
  fprintf(stderr, "bench_rusage: cannot run %s: %s\n", cmd[0], strerror(errno));
  _exit(127);
}

int main(int argc, char **argv) {
  int verbose = 0, i = 1, status = 0;
  const char *input = NULL;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
    } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
      input = argv[++i];
    } else {
      fprintf(stderr, "usage: bench_rusage [-v] [-i FILE] -- COMMAND...\n");
      return 2;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: bench_rusage [-v] [-i FILE] -- COMMAND...\n");
    return 2;
  }
  fflush(stdout);
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) {
    perror("bench_rusage: fork");
    return 127;
  }
  if (pid == 0)
    child(argv + i, verbose, input);
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("bench_rusage: wait4");
      return 127;
    }
  }
  double wall = now() - t0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  /* Linux reports ru_maxrss in kilobytes. */
  printf("wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld exit=%d\n", wall,
         seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, code);
  return code;
}
