/*
 * json.c - fitted models as JSON documents (the model file that `clv fit`
 * writes and `clv predict` reads back). No paper: this is file format only.
 *
 * This is the only file of libclv that includes jansson. A model file is one
 * object with the keys
 *   clv_version, family, unit, parameters {name: value},
 *   standard_errors {name: value|null}, loglik, customers, unique_rows,
 *   iterations, evaluations, grad_norm, converged, penalty, notes,
 * and, when the fit's Hessian was positive definite, covariance_log (the
 * covariance matrix of the log-parameters, an array of np rows of np
 * numbers in parameter order, for prediction intervals). Every key but
 * covariance_log is required, so that a misspelt key is reported as missing
 * rather than silently replaced by a default; covariance_log is optional
 * because files written before it existed must still load. Keys this
 * version does not know are ignored, so that older readers accept newer
 * files. Numbers are written with 17 significant digits, which reads back
 * to the same double; an unknown number (NaN) is written as null, never as
 * NaN or inf text.
 */
#include "model.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------ */

/* A number, or null when it is not finite (jansson refuses NaN and inf, and
 * a model file must never carry them). */
static json_t *num_or_null(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* The covariance of the log-parameters as an array of rows; NULL when out
 * of memory. */
static json_t *cov_array(const clv_model *m) {
  int np = m->fam->np, bad = 0;
  json_t *rows = json_array();
  for (int i = 0; i < np && rows != NULL && !bad; i++) {
    json_t *row = json_array();
    for (int j = 0; j < np && row != NULL && !bad; j++)
      bad |= json_array_append_new(row, json_real(m->cov[i * np + j]));
    bad |= json_array_append_new(rows, row);
  }
  if (bad) {
    json_decref(rows);
    return NULL;
  }
  return rows;
}

/* Builds the document; NULL when out of memory. json_object_set_new() takes
 * ownership of the value even when it fails, so one check at the end is
 * enough: a NULL value makes it fail and the key is simply missing, which
 * the final size check catches. */
static json_t *model_object(const clv_model *m) {
  const clv__family *f = m->fam;
  json_t *root = json_object(), *params = json_object(), *se = json_object();
  int bad = root == NULL || params == NULL || se == NULL;
  for (int i = 0; i < f->np && !bad; i++) {
    bad |= json_object_set_new(params, f->pnames[i], json_real(m->p[i]));
    bad |= json_object_set_new(se, f->pnames[i], num_or_null(m->se[i]));
  }
  if (bad) {
    json_decref(root);
    json_decref(params);
    json_decref(se);
    return NULL;
  }
  bad |=
      json_object_set_new(root, "clv_version", json_string(CLV_VERSION_STRING));
  bad |= json_object_set_new(root, "family", json_string(f->name));
  bad |= json_object_set_new(root, "unit", json_string(clv_unit_name(m->unit)));
  bad |= json_object_set_new(root, "parameters", params);
  bad |= json_object_set_new(root, "standard_errors", se);
  bad |= json_object_set_new(root, "loglik", num_or_null(m->loglik));
  bad |= json_object_set_new(root, "customers", num_or_null(m->customers));
  bad |= json_object_set_new(root, "unique_rows",
                             json_integer((json_int_t)m->unique));
  bad |= json_object_set_new(root, "iterations", json_integer(m->iterations));
  bad |= json_object_set_new(root, "evaluations", json_integer(m->evaluations));
  bad |= json_object_set_new(root, "grad_norm", num_or_null(m->grad_norm));
  bad |= json_object_set_new(root, "converged", json_boolean(m->converged));
  bad |= json_object_set_new(root, "penalty", num_or_null(m->penalty));
  bad |= json_object_set_new(root, "notes", json_string(m->notes));
  if (m->has_cov)
    bad |= json_object_set_new(root, "covariance_log", cov_array(m));
  if (bad) {
    json_decref(root);
    return NULL;
  }
  return root;
}

int clv_model_to_json(const clv_model *m, char **out) {
  int rc = CLV_ENOMEM;
  json_t *root = NULL;
  char *text = NULL;
  if (m == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  root = model_object(m);
  if (root == NULL)
    goto done;
  text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  if (text == NULL)
    goto done;
  /* The buffer is copied so that the caller frees it with clv_free()
   * whatever allocator jansson was given; the newline ends the file. */
  size_t len = strlen(text);
  *out = malloc(len + 2);
  if (*out == NULL)
    goto done;
  memcpy(*out, text, len);
  (*out)[len] = '\n';
  (*out)[len + 1] = '\0';
  rc = CLV_OK;
done:
  free(text);
  json_decref(root);
  return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* The reading context: where errors are reported. */
typedef struct reader {
  const char *name; /* file name for messages, or "" */
  clv_error *err;
} reader;

/* Fills the error record (when there is one) and returns status. */
static int fail(const reader *r, int status, long line, long column,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(const reader *r, int status, long line, long column,
                const char *fmt, ...) {
  va_list ap;
  if (r->err == NULL)
    return status;
  clv_error_clear(r->err);
  r->err->status = status;
  snprintf(r->err->file, sizeof r->err->file, "%s", r->name);
  r->err->line = line;
  r->err->column = column;
  va_start(ap, fmt);
  vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
  va_end(ap);
  return status;
}

/* Describes a JSON value for "found ..." in a message: the number or the
 * string itself, otherwise its type. */
static const char *describe(const json_t *v, char *buf, size_t size) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    snprintf(buf, size, "\"%.60s\"", json_string_value(v));
    return buf;
  case JSON_INTEGER:
  case JSON_REAL:
    snprintf(buf, size, "%.17g", json_number_value(v));
    return buf;
  case JSON_TRUE:
    return "true";
  case JSON_FALSE:
    return "false";
  default:
    return "null";
  }
}

/* Kinds of number a field may hold. */
enum {
  NUM_ANY = 0,      /* any finite number */
  NUM_POSITIVE = 1, /* > 0 */
  NUM_NONNEG = 2,   /* >= 0 */
  NUM_COUNT = 3     /* a whole number >= 0 that fits in an int */
};

static const char *const KIND_TEXT[] = {"a number", "a positive number",
                                        "a number >= 0", "a whole number >= 0"};

/* Reads a number field of kind `kind` at `where` (the quoted path used in
 * messages). With nullable, null gives NaN. */
static int get_number(const reader *r, const json_t *v, const char *where,
                      int kind, int nullable, double *out) {
  char buf[80];
  if (v == NULL)
    return fail(r, CLV_EPARSE, 0, 0, "%s: missing", where);
  if (json_is_null(v) && nullable) {
    *out = NAN;
    return CLV_OK;
  }
  double x = json_is_number(v) ? json_number_value(v) : NAN;
  int ok = json_is_number(v) && isfinite(x);
  if (ok && kind == NUM_POSITIVE)
    ok = x > 0;
  else if (ok && kind == NUM_NONNEG)
    ok = x >= 0;
  else if (ok && kind == NUM_COUNT)
    ok = x >= 0 && x <= 2147483647.0 && x == floor(x);
  if (!ok)
    return fail(r, CLV_EPARSE, 0, 0, "%s: expected %s%s, found %s", where,
                KIND_TEXT[kind], nullable ? " or null" : "",
                describe(v, buf, sizeof buf));
  *out = x;
  return CLV_OK;
}

static int get_string(const reader *r, const json_t *v, const char *where,
                      const char **out) {
  char buf[80];
  if (v == NULL)
    return fail(r, CLV_EPARSE, 0, 0, "%s: missing", where);
  if (!json_is_string(v))
    return fail(r, CLV_EPARSE, 0, 0, "%s: expected a string, found %s", where,
                describe(v, buf, sizeof buf));
  *out = json_string_value(v);
  return CLV_OK;
}

/* Reads the object `key` of root holding exactly the family's parameter
 * names into vals (NaN for null when nullable). */
static int get_param_set(const reader *r, const json_t *root, const char *key,
                         const clv__family *f, int kind, int nullable,
                         double *vals) {
  char where[160], buf[80], names[160] = "";
  const json_t *obj = json_object_get(root, key);
  const char *name;
  const json_t *v;
  int rc;
  if (obj == NULL)
    return fail(r, CLV_EPARSE, 0, 0, "\"%s\": missing", key);
  if (!json_is_object(obj))
    return fail(r, CLV_EPARSE, 0, 0, "\"%s\": expected an object, found %s",
                key, describe(obj, buf, sizeof buf));
  for (int i = 0; i < f->np; i++) {
    size_t used = strlen(names);
    snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
             f->pnames[i]);
  }
  /* A parameter of another family is a wrong file, not a harmless extra:
   * say so rather than ignore it. */
  json_object_foreach((json_t *)obj, name, v) {
    int known = 0;
    for (int i = 0; i < f->np; i++)
      known |= strcmp(name, f->pnames[i]) == 0;
    if (!known)
      return fail(r, CLV_EPARSE, 0, 0,
                  "\"%s\": unknown parameter \"%.60s\" for family %s "
                  "(expected %s)",
                  key, name, f->name, names);
  }
  for (int i = 0; i < f->np; i++) {
    snprintf(where, sizeof where, "\"%s\".\"%s\"", key, f->pnames[i]);
    v = json_object_get(obj, f->pnames[i]);
    if (v == NULL)
      return fail(r, CLV_EPARSE, 0, 0, "%s: missing (family %s needs %s)",
                  where, f->name, names);
    if ((rc = get_number(r, v, where, kind, nullable, &vals[i])))
      return rc;
  }
  return CLV_OK;
}

/* Reads the optional "covariance_log": absent or null leaves *have 0;
 * otherwise it must be np rows of np finite numbers, symmetric, with a
 * positive diagonal (positive definiteness is checked where it is used, by
 * the Cholesky factorisation of the interval code). */
static int get_cov(const reader *r, const json_t *root, const clv__family *f,
                   double *cov, int *have) {
  char buf[80], where[80];
  const json_t *rows = json_object_get(root, "covariance_log");
  int np = f->np;
  *have = 0;
  if (rows == NULL || json_is_null(rows))
    return CLV_OK;
  if (!json_is_array(rows) || json_array_size(rows) != (size_t)np)
    return fail(r, CLV_EPARSE, 0, 0,
                "\"covariance_log\": expected an array of %d rows (one per "
                "parameter of %s), found %s",
                np, f->name,
                json_is_array(rows) ? "an array of another size"
                                    : describe(rows, buf, sizeof buf));
  for (int i = 0; i < np; i++) {
    const json_t *row = json_array_get(rows, (size_t)i);
    if (!json_is_array(row) || json_array_size(row) != (size_t)np)
      return fail(r, CLV_EPARSE, 0, 0,
                  "\"covariance_log\"[%d]: expected an array of %d numbers, "
                  "found %s",
                  i, np,
                  json_is_array(row) ? "an array of another size"
                                     : describe(row, buf, sizeof buf));
    for (int j = 0; j < np; j++) {
      snprintf(where, sizeof where, "\"covariance_log\"[%d][%d]", i, j);
      int rc = get_number(r, json_array_get(row, (size_t)j), where,
                          i == j ? NUM_POSITIVE : NUM_ANY, 0, &cov[i * np + j]);
      if (rc)
        return rc;
    }
  }
  /* Written from a symmetric matrix with 17 digits, so it reads back
   * exactly symmetric; anything else was edited by hand and is refused
   * rather than guessed at. */
  for (int i = 0; i < np; i++)
    for (int j = 0; j < i; j++)
      if (cov[i * np + j] != cov[j * np + i])
        return fail(r, CLV_EPARSE, 0, 0,
                    "\"covariance_log\": expected a symmetric matrix, found "
                    "[%d][%d] = %.17g but [%d][%d] = %.17g",
                    i, j, cov[i * np + j], j, i, cov[j * np + i]);
  *have = 1;
  return CLV_OK;
}

/* Validates the parsed document and builds the model. */
static int model_from_object(const reader *r, const json_t *root,
                             clv_model **out) {
  char buf[80];
  const char *version, *family, *unit_name, *notes;
  const clv__family *f;
  clv_unit unit;
  double p[CLV__MAXP], se[CLV__MAXP], ll, customers, unique, iterations,
      evaluations, grad_norm, penalty, cov[CLV__MAXP * CLV__MAXP];
  const json_t *conv;
  clv_model *m;
  int rc, have_cov;
  if (!json_is_object(root))
    return fail(r, CLV_EPARSE, 0, 0,
                "expected a JSON object (a model file), found %s",
                describe(root, buf, sizeof buf));
  if ((rc = get_string(r, json_object_get(root, "clv_version"),
                       "\"clv_version\"", &version)) ||
      (rc = get_string(r, json_object_get(root, "family"), "\"family\"",
                       &family)) ||
      (rc = get_string(r, json_object_get(root, "unit"), "\"unit\"",
                       &unit_name)))
    return rc;
  f = clv__family_find(family);
  if (f == NULL)
    return fail(r, CLV_EMODEL, 0, 0,
                "\"family\": expected a model family (bgnbd, gg), found "
                "\"%.60s\"",
                family);
  if (clv_unit_parse(unit_name, &unit) != CLV_OK)
    return fail(r, CLV_EPARSE, 0, 0,
                "\"unit\": expected day, week, month, year or period, found "
                "\"%.60s\"",
                unit_name);
  if ((rc = get_param_set(r, root, "parameters", f, NUM_POSITIVE, 0, p)) ||
      (rc = get_param_set(r, root, "standard_errors", f, NUM_NONNEG, 1, se)) ||
      (rc = get_number(r, json_object_get(root, "loglik"), "\"loglik\"",
                       NUM_ANY, 1, &ll)) ||
      (rc = get_number(r, json_object_get(root, "customers"), "\"customers\"",
                       NUM_NONNEG, 0, &customers)) ||
      (rc = get_number(r, json_object_get(root, "unique_rows"),
                       "\"unique_rows\"", NUM_COUNT, 0, &unique)) ||
      (rc = get_number(r, json_object_get(root, "iterations"), "\"iterations\"",
                       NUM_COUNT, 0, &iterations)) ||
      (rc = get_number(r, json_object_get(root, "evaluations"),
                       "\"evaluations\"", NUM_COUNT, 0, &evaluations)) ||
      (rc = get_number(r, json_object_get(root, "grad_norm"), "\"grad_norm\"",
                       NUM_NONNEG, 1, &grad_norm)) ||
      (rc = get_number(r, json_object_get(root, "penalty"), "\"penalty\"",
                       NUM_NONNEG, 0, &penalty)) ||
      (rc = get_string(r, json_object_get(root, "notes"), "\"notes\"",
                       &notes)) ||
      (rc = get_cov(r, root, f, cov, &have_cov)))
    return rc;
  conv = json_object_get(root, "converged");
  if (conv == NULL)
    return fail(r, CLV_EPARSE, 0, 0, "\"converged\": missing");
  if (!json_is_boolean(conv))
    return fail(r, CLV_EPARSE, 0, 0,
                "\"converged\": expected true or false, found %s",
                describe(conv, buf, sizeof buf));
  m = clv__model_alloc(f, unit);
  if (m == NULL)
    return CLV_ENOMEM;
  if (strlen(notes) >= sizeof m->notes) {
    clv_model_free(m);
    return fail(r, CLV_EPARSE, 0, 0,
                "\"notes\": expected at most %zu bytes, found %zu",
                sizeof m->notes - 1, strlen(notes));
  }
  /* The model struct is private to the library; this file is part of it
   * and fills the statistics the fit recorded, exactly as written. */
  memcpy(m->p, p, (size_t)f->np * sizeof(double));
  memcpy(m->se, se, (size_t)f->np * sizeof(double));
  m->loglik = ll;
  m->customers = customers;
  m->unique = (size_t)unique;
  m->iterations = (int)iterations;
  m->evaluations = (int)evaluations;
  m->grad_norm = grad_norm;
  m->converged = json_is_true(conv);
  m->penalty = penalty;
  snprintf(m->notes, sizeof m->notes, "%s", notes);
  if (have_cov)
    memcpy(m->cov, cov, (size_t)(f->np * f->np) * sizeof(double));
  m->has_cov = have_cov;
  *out = m;
  return CLV_OK;
}

/* Parses text (NUL-terminated) and builds the model; name is the file name
 * used in messages ("" for none). */
static int read_text(const char *text, const char *name, clv_model **out,
                     clv_error *err) {
  reader r = {name, err};
  json_error_t jerr;
  json_t *root;
  int rc;
  *out = NULL;
  root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return fail(&r, CLV_EPARSE, jerr.line > 0 ? jerr.line : 0,
                jerr.column > 0 ? jerr.column : 0,
                "expected a JSON model file: %s", jerr.text);
  rc = model_from_object(&r, root, out);
  json_decref(root);
  return rc;
}

int clv_model_from_json(const char *text, clv_model **out, clv_error *err) {
  if (text == NULL || out == NULL)
    return CLV_EINVAL;
  return read_text(text, "", out, err);
}

int clv_model_save(const clv_model *m, const char *path, clv_error *err) {
  reader r = {path ? path : "", err};
  char *text = NULL;
  FILE *f = NULL;
  int rc;
  if (m == NULL || path == NULL)
    return CLV_EINVAL;
  if ((rc = clv_model_to_json(m, &text)))
    goto done;
  f = fopen(path, "w");
  if (f == NULL) {
    rc = fail(&r, CLV_EIO, 0, 0, "cannot write: %s", strerror(errno));
    goto done;
  }
  size_t len = strlen(text);
  int bad = fwrite(text, 1, len, f) != len;
  bad |= fclose(f) != 0;
  if (bad)
    rc = fail(&r, CLV_EIO, 0, 0, "error writing the model file");
done:
  free(text);
  return rc;
}

/* A model file is small; anything over this is not one. */
#define MAX_MODEL_BYTES (16u << 20)

int clv_model_load(const char *path, clv_model **out, clv_error *err) {
  reader r = {path ? path : "", err};
  char *text = NULL;
  FILE *f = NULL;
  size_t len = 0, cap = 0;
  int rc;
  if (path == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  f = fopen(path, "rb");
  if (f == NULL) {
    rc = fail(&r, CLV_EIO, 0, 0, "cannot open: %s", strerror(errno));
    goto done;
  }
  for (;;) {
    if (len + 1 >= cap) {
      size_t ncap = cap ? 2 * cap : 4096;
      char *t = ncap <= MAX_MODEL_BYTES ? realloc(text, ncap) : NULL;
      if (t == NULL) {
        rc = ncap <= MAX_MODEL_BYTES
                 ? CLV_ENOMEM
                 : fail(&r, CLV_EPARSE, 0, 0,
                        "expected a model file (a small JSON document), "
                        "found more than %u bytes",
                        MAX_MODEL_BYTES);
        goto done;
      }
      text = t;
      cap = ncap;
    }
    size_t got = fread(text + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    rc = fail(&r, CLV_EIO, 0, 0, "error reading the model file");
    goto done;
  }
  text[len] = '\0';
  if (strlen(text) != len) {
    rc = fail(&r, CLV_EPARSE, 0, 0,
              "expected a JSON model file, found a NUL byte");
    goto done;
  }
  rc = read_text(text, path, out, err);
done:
  if (f)
    fclose(f);
  free(text);
  return rc;
}
