/* testutil.c - helpers shared by the unit tests. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *clv_test_data(const char *relative) {
  static char path[4096];
  const char *dir = getenv("CLV_DATA_DIR");
  if (dir == NULL || dir[0] == '\0')
    dir = "../shared/data";
  snprintf(path, sizeof path, "%s/%s", dir, relative);
  if (access(path, R_OK) != 0) {
    fprintf(stderr,
            "SKIPPED: shared data missing: %s (set CLV_DATA_DIR to the folder "
            "that holds lifetimes/, BTYD/, ...)\n",
            path);
    return NULL;
  }
  return path;
}

const char *clv_test_tmp(const char *name) {
  static char path[4096];
  const char *dir = getenv("CLV_TEST_TMP");
  if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  snprintf(path, sizeof path, "%s/%ld-%s", dir, (long)getpid(), name);
  return path;
}

const char *clv_test_write(const char *name, const char *text) {
  const char *path = clv_test_tmp(name);
  FILE *f = fopen(path, "wb");
  if (f == NULL)
    fail_msg("cannot write %s", path);
  fputs(text, f);
  fclose(f);
  return path;
}

void clv_test_assert_close(double got, double want, double abs_tol,
                           double rel_tol, const char *expr, const char *file,
                           int line) {
  double tol = abs_tol + rel_tol * fabs(want);
  if (!(fabs(got - want) <= tol)) {
    fprintf(stderr, "%s:%d: %s = %.12g, expected %.12g (tolerance %.3g)\n",
                   file, line, expr, got, want, tol);
    _fail(file, line);
  }
}
