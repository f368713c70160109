/*
 * testutil.h - helpers shared by the unit tests (cmocka).
 */
#ifndef CLV_TESTUTIL_H
#define CLV_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clv.h"

/*
 * Path of a file in the shared data folder (CLV_DATA_DIR, default set by
 * CMake to ../shared/data), e.g. clv_test_data("lifetimes/CDNOW_sample.txt").
 * Returns NULL, after printing a loud "SKIPPED: shared data missing" line on
 * stderr, when the file is absent: the caller then calls skip().
 * The returned buffer is static (one per call site is fine in tests).
 */
const char *clv_test_data(const char *relative);

/* A path for a scratch file in the test's temporary folder (CLV_TEST_TMP, or
 * /tmp). Static buffer, overwritten by the next call. */
const char *clv_test_tmp(const char *name);

/* Writes text to a scratch file and returns its path (static buffer). */
const char *clv_test_write(const char *name, const char *text);

/* Fails the test unless |got - want| <= abs_tol + rel_tol * |want|, printing
 * both values and the expression. */
#define assert_close(got, want, abs_tol, rel_tol)                              \
  clv_test_assert_close((got), (want), (abs_tol), (rel_tol), #got, __FILE__,  \
                        __LINE__)
void clv_test_assert_close(double got, double want, double abs_tol,
                           double rel_tol, const char *expr, const char *file,
                           int line);

/* Skips the current test when the data file is missing (loud, not a pass). */
#define CLV_REQUIRE_DATA(var, rel)                                             \
  const char *var = clv_test_data(rel);                                        \
  if (var == NULL) {                                                           \
    skip();                                                                    \
  }

#endif
