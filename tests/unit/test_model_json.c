/*
 * test_model_json.c - the model file (src/json.c): a fitted CDNOW BG/NBD
 * model (Fader, Hardie & Lee 2005) and Gamma-Gamma model survive a round
 * trip bit for bit, unknown numbers are written as null and read back as
 * NaN, and every malformed file is rejected with a message naming the field,
 * what was expected and what was found.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two doubles are the same bits (NaN equals NaN here). */
static void assert_same_double(double got, double want) {
  if (isnan(want)) {
    assert_true(isnan(got));
    return;
  }
  assert_memory_equal(&got, &want, sizeof got);
}

/* Every public field of two models is identical. */
static void assert_same_model(const clv_model *a, const clv_model *b) {
  assert_string_equal(clv_model_family(a), clv_model_family(b));
  assert_int_equal(clv_model_unit(a), clv_model_unit(b));
  assert_int_equal(clv_model_nparams(a), clv_model_nparams(b));
  for (int i = 0; i < clv_model_nparams(a); i++) {
    assert_same_double(clv_model_params(a)[i], clv_model_params(b)[i]);
    assert_same_double(clv_model_se(a)[i], clv_model_se(b)[i]);
  }
  assert_same_double(clv_model_loglik(a), clv_model_loglik(b));
  assert_same_double(clv_model_customers(a), clv_model_customers(b));
  assert_int_equal(clv_model_unique_rows(a), clv_model_unique_rows(b));
  assert_int_equal(clv_model_iterations(a), clv_model_iterations(b));
  assert_int_equal(clv_model_evaluations(a), clv_model_evaluations(b));
  assert_same_double(clv_model_grad_norm(a), clv_model_grad_norm(b));
  assert_int_equal(clv_model_converged(a), clv_model_converged(b));
  assert_same_double(clv_model_penalty(a), clv_model_penalty(b));
  assert_string_equal(clv_model_notes(a), clv_model_notes(b));
}

/* to_json -> from_json -> to_json: the same model and the same text. */
static void round_trip(const clv_model *m) {
  char *text = NULL, *again = NULL;
  clv_model *back = NULL;
  clv_error err;
  assert_int_equal(clv_model_to_json(m, &text), CLV_OK);
  assert_null(strstr(text, "nan"));
  assert_null(strstr(text, "inf"));
  assert_int_equal(clv_model_from_json(text, &back, &err), CLV_OK);
  assert_same_model(back, m);
  assert_int_equal(clv_model_to_json(back, &again), CLV_OK);
  assert_string_equal(again, text);
  /* The same through a file. */
  clv_model_free(back);
  back = NULL;
  const char *path = clv_test_tmp("model_json_rt.json");
  assert_int_equal(clv_model_save(m, path, &err), CLV_OK);
  assert_int_equal(clv_model_load(path, &back, &err), CLV_OK);
  assert_same_model(back, m);
  clv_model_free(back);
  clv_free(text);
  clv_free(again);
}

static void test_round_trip_fitted_cdnow(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(tx_path, "lifetimes/cdnow_customers_summary.csv");
  CLV_REQUIRE_DATA(gg_path,
                   "lifetimes/cdnow_customers_summary_with_transactions.csv");
  clv_summary *s = NULL, *sg = NULL;
  clv_model *m = NULL, *g = NULL;
  assert_int_equal(clv_summary_read_csv(tx_path, CLV_UNIT_WEEK, &s, NULL),
                   CLV_OK);
  assert_int_equal(clv_summary_read_csv(gg_path, CLV_UNIT_WEEK, &sg, NULL),
                   CLV_OK);
  assert_int_equal(clv_fit("bgnbd", s, NULL, &m, NULL), CLV_OK);
  assert_int_equal(clv_fit("gg", sg, NULL, &g, NULL), CLV_OK);
  /* A fitted model has every statistic: the round trip covers them all. */
  assert_true(isfinite(clv_model_se(m)[0]) && isfinite(clv_model_loglik(m)));
  assert_true(clv_model_iterations(m) > 0 && clv_model_converged(m));
  round_trip(m);
  round_trip(g);
  clv_model_free(m);
  clv_model_free(g);
  clv_summary_free(s);
  clv_summary_free(sg);
}

/* Doubles whose shortest decimal form needs all 17 digits, and extremes. */
static void test_round_trip_awkward_numbers(void **state) {
  (void)state;
  const double p[4] = {0.1 + 0.2, 1.0 / 3.0, 4.9e-324, 1.7976931348623157e308};
  clv_model *m = NULL;
  assert_int_equal(clv_model_new("bgnbd", p, CLV_UNIT_DAY, &m), CLV_OK);
  round_trip(m);
  clv_model_free(m);
}

/* clv_model_new() leaves SE, loglik and grad_norm unknown: they are written
 * as null and read back as NaN. */
static void test_unknown_numbers_are_null(void **state) {
  (void)state;
  const double p[3] = {6.25, 3.74, 15.44};
  clv_model *m = NULL, *back = NULL;
  char *text = NULL;
  assert_int_equal(clv_model_new("gg", p, CLV_UNIT_WEEK, &m), CLV_OK);
  assert_int_equal(clv_model_to_json(m, &text), CLV_OK);
  assert_non_null(strstr(text, "\"p\": null"));
  assert_non_null(strstr(text, "\"gamma\": null"));
  assert_non_null(strstr(text, "\"loglik\": null"));
  assert_non_null(strstr(text, "\"grad_norm\": null"));
  assert_non_null(strstr(text, "\"converged\": false"));
  assert_non_null(strstr(text, "\"unit\": \"week\""));
  assert_int_equal(clv_model_from_json(text, &back, NULL), CLV_OK);
  assert_true(isnan(clv_model_se(back)[0]) && isnan(clv_model_se(back)[2]));
  assert_true(isnan(clv_model_loglik(back)));
  assert_same_double(clv_model_params(back)[1], 3.74);
  clv_model_free(back);
  clv_model_free(m);
  clv_free(text);
}

/* A valid hand-written file; the error cases below change one piece. */
static const char VALID[] =
    "{\"clv_version\": \"0.1.0\", \"family\": \"bgnbd\", \"unit\": \"week\",\n"
    " \"parameters\": {\"r\": 0.243, \"alpha\": 4.414, \"a\": 0.793, "
    "\"b\": 2.426},\n"
    " \"standard_errors\": {\"r\": 0.0126, \"alpha\": 0.378, \"a\": null, "
    "\"b\": 0.705},\n"
    " \"loglik\": -9582.4, \"customers\": 2357, \"unique_rows\": 1016,\n"
    " \"iterations\": 40, \"evaluations\": 166, \"grad_norm\": 1e-12,\n"
    " \"converged\": true, \"penalty\": 0, \"notes\": \"\",\n"
    " \"comment\": \"keys a reader does not know are ignored\"}\n";

/* VALID with the first `from` replaced by `to` (static buffer). */
static const char *edit(const char *from, const char *to) {
  static char buf[2048];
  const char *at = strstr(VALID, from);
  assert_non_null(at);
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - VALID), VALID, to,
           at + strlen(from));
  return buf;
}

static void test_valid_hand_written(void **state) {
  (void)state;
  clv_model *m = NULL;
  clv_error err;
  assert_int_equal(clv_model_from_json(VALID, &m, &err), CLV_OK);
  assert_string_equal(clv_model_family(m), "bgnbd");
  assert_int_equal(clv_model_unit(m), CLV_UNIT_WEEK);
  assert_same_double(clv_model_params(m)[1], 4.414);
  assert_true(isnan(clv_model_se(m)[2]));
  assert_same_double(clv_model_customers(m), 2357);
  assert_int_equal(clv_model_unique_rows(m), 1016);
  assert_true(clv_model_converged(m));
  clv_model_free(m);
}

typedef struct bad_case {
  const char *from, *to; /* the edit of VALID (from NULL: `to` is the file) */
  int status;
  const char *message; /* the whole message */
} bad_case;

static const bad_case BAD[] = {
    {"\"alpha\": 4.414", "\"alpha\": -3", CLV_EPARSE,
     "\"parameters\".\"alpha\": expected a positive number, found -3"},
    {"\"alpha\": 4.414", "\"alpha\": 0", CLV_EPARSE,
     "\"parameters\".\"alpha\": expected a positive number, found 0"},
    {"\"alpha\": 4.414", "\"alpha\": \"4.4\"", CLV_EPARSE,
     "\"parameters\".\"alpha\": expected a positive number, found \"4.4\""},
    {"\"alpha\": 4.414", "\"alpha\": null", CLV_EPARSE,
     "\"parameters\".\"alpha\": expected a positive number, found null"},
    {", \"b\": 2.426", "", CLV_EPARSE,
     "\"parameters\".\"b\": missing (family bgnbd needs r, alpha, a, b)"},
    {"\"b\": 2.426", "\"b\": 2.426, \"s\": 0.6", CLV_EPARSE,
     "\"parameters\": unknown parameter \"s\" for family bgnbd (expected r, "
     "alpha, a, b)"},
    {"\"family\": \"bgnbd\"", "\"family\": \"gg\"", CLV_EPARSE,
     "\"parameters\": unknown parameter \"r\" for family gg (expected p, q, "
     "gamma)"},
    {"\"family\": \"bgnbd\"", "\"family\": \"pareto\"", CLV_EMODEL,
     "\"family\": expected a model family (bgnbd, gg), found \"pareto\""},
    {"\"family\": \"bgnbd\", ", "", CLV_EPARSE, "\"family\": missing"},
    {"\"family\": \"bgnbd\"", "\"family\": 3", CLV_EPARSE,
     "\"family\": expected a string, found 3"},
    {"\"unit\": \"week\"", "\"unit\": \"fortnight\"", CLV_EPARSE,
     "\"unit\": expected day, week, month, year or period, found "
     "\"fortnight\""},
    {"\"parameters\"", "\"params\"", CLV_EPARSE, "\"parameters\": missing"},
    {"{\"r\": 0.243,", "[0.243,", CLV_EPARSE, NULL}, /* JSON syntax */
    {"\"standard_errors\": {", "\"standard_errors\": 1, \"x\": {", CLV_EPARSE,
     "\"standard_errors\": expected an object, found 1"},
    {"\"alpha\": 0.378", "\"alpha\": -0.378", CLV_EPARSE,
     "\"standard_errors\".\"alpha\": expected a number >= 0 or null, found "
     "-0.378"},
    {"\"loglik\": -9582.4", "\"loglik\": \"high\"", CLV_EPARSE,
     "\"loglik\": expected a number or null, found \"high\""},
    {"\"customers\": 2357, ", "", CLV_EPARSE, "\"customers\": missing"},
    {"\"customers\": 2357", "\"customers\": -1", CLV_EPARSE,
     "\"customers\": expected a number >= 0, found -1"},
    {"\"unique_rows\": 1016", "\"unique_rows\": 10.5", CLV_EPARSE,
     "\"unique_rows\": expected a whole number >= 0, found 10.5"},
    {"\"iterations\": 40", "\"iterations\": 3000000000", CLV_EPARSE,
     "\"iterations\": expected a whole number >= 0, found 3000000000"},
    {"\"evaluations\": 166", "\"evaluations\": true", CLV_EPARSE,
     "\"evaluations\": expected a whole number >= 0, found true"},
    {"\"grad_norm\": 1e-12", "\"grad_norm\": [1]", CLV_EPARSE,
     "\"grad_norm\": expected a number >= 0 or null, found an array"},
    {"\"converged\": true", "\"converged\": \"yes\"", CLV_EPARSE,
     "\"converged\": expected true or false, found \"yes\""},
    {"\"converged\": true, ", "", CLV_EPARSE, "\"converged\": missing"},
    {"\"penalty\": 0", "\"penalty\": null", CLV_EPARSE,
     "\"penalty\": expected a number >= 0, found null"},
    {"\"notes\": \"\"", "\"notes\": 7", CLV_EPARSE,
     "\"notes\": expected a string, found 7"},
    {"\"clv_version\": \"0.1.0\", ", "", CLV_EPARSE,
     "\"clv_version\": missing"},
    {NULL, "[1, 2]", CLV_EPARSE,
     "expected a JSON object (a model file), found an array"},
    {NULL, "", CLV_EPARSE, NULL},
};

static void test_every_error_message(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof BAD / sizeof BAD[0]; k++) {
    const bad_case *c = &BAD[k];
    const char *text = c->from ? edit(c->from, c->to) : c->to;
    clv_model *m = (clv_model *)&m; /* must be reset to NULL */
    clv_error err;
    int rc = clv_model_from_json(text, &m, &err);
    if (rc != c->status || (c->message && strcmp(err.message, c->message)))
      fail_msg("case %zu: status %d, message '%s'; expected %d, '%s'", k, rc,
               err.message, c->status, c->message ? c->message : "(any)");
    assert_null(m);
    assert_int_equal(err.status, c->status);
    /* Without an error record the status is the same. */
    assert_int_equal(clv_model_from_json(text, &m, NULL), c->status);
  }
}

/* Syntax errors say where (line and column from the parser). */
static void test_syntax_error_position(void **state) {
  (void)state;
  clv_model *m = NULL;
  clv_error err;
  char buf[1024];
  const char *path =
      clv_test_write("model_json_syntax.json", "{\"family\": \"bgnbd\",\n"
                                               "  \"unit\": week}\n");
  assert_int_equal(clv_model_load(path, &m, &err), CLV_EPARSE);
  assert_null(m);
  assert_string_equal(err.file, path);
  assert_int_equal(err.line, 2);
  assert_true(err.column > 0);
  assert_non_null(strstr(err.message, "expected a JSON model file"));
  /* Duplicate keys are an error, not "the last one wins". */
  const char *dup = edit("\"unit\": \"week\"", "\"unit\": \"week\", "
                                               "\"unit\": \"day\"");
  assert_int_equal(clv_model_from_json(dup, &m, &err), CLV_EPARSE);
  assert_non_null(strstr(err.message, "duplicate"));
  /* A number too large for a double is not read as inf. */
  const char *huge = edit("\"alpha\": 4.414", "\"alpha\": 1e999");
  assert_int_equal(clv_model_from_json(huge, &m, &err), CLV_EPARSE);
  (void)clv_error_format(&err, buf, sizeof buf);
}

/* A field error in a file names the file first, as the CLI prints it. */
static void test_load_errors_name_the_file(void **state) {
  (void)state;
  clv_model *m = NULL;
  clv_error err;
  char buf[1024], want[1024];
  const char *path = clv_test_write("model_json_bad.json",
                                    edit("\"alpha\": 4.414", "\"alpha\": -3"));
  assert_int_equal(clv_model_load(path, &m, &err), CLV_EPARSE);
  snprintf(want, sizeof want,
           "%s: \"parameters\".\"alpha\": expected a positive number, "
           "found -3",
           path);
  assert_string_equal(clv_error_format(&err, buf, sizeof buf), want);
  assert_int_equal(
      clv_model_load(clv_test_tmp("model_json_absent.json"), &m, &err),
      CLV_EIO);
  assert_non_null(strstr(err.message, "cannot open"));
  assert_int_equal(clv_model_save(NULL, path, &err), CLV_EINVAL);
  assert_int_equal(clv_model_from_json(NULL, &m, &err), CLV_EINVAL);
  assert_int_equal(clv_model_to_json(NULL, NULL), CLV_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_fitted_cdnow),
      cmocka_unit_test(test_round_trip_awkward_numbers),
      cmocka_unit_test(test_unknown_numbers_are_null),
      cmocka_unit_test(test_valid_hand_written),
      cmocka_unit_test(test_every_error_message),
      cmocka_unit_test(test_syntax_error_position),
      cmocka_unit_test(test_load_errors_name_the_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
