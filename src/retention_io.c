/*
 * retention_io.c - reading retention data for the sBG model (Fader & Hardie
 * 2007, "How to project customer retention"): cohort survivor tables (one
 * row per period, one column per cohort, as the paper's Table 1) and
 * per-customer tenure files (renewals made, churned or not). Every bad cell
 * is reported as file:line:column with what was expected and what was found.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clv.h"
#include "clv/retention.h"
#include "csv.h"
#include "ingest.h"
#include "parse.h"

typedef struct cohort {
  char *name;
  double *v;
  size_t n, cap;
  int col;        /* 0-based field index */
  long last_line; /* line of the last count, for the "ended" message */
  int ended;      /* an empty cell was seen: the cohort is younger */
} cohort;

struct clv_survivors {
  cohort *c;
  size_t n;
};

void clv_survivors_free(clv_survivors *s) {
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->c[i].name);
    free(s->c[i].v);
  }
  free(s->c);
  free(s);
}

size_t clv_survivors_cohorts(const clv_survivors *s) {
  return s ? s->n : 0;
}

const char *clv_survivors_name(const clv_survivors *s, size_t i) {
  return s && i < s->n ? s->c[i].name : NULL;
}

size_t clv_survivors_length(const clv_survivors *s, size_t i) {
  return s && i < s->n ? s->c[i].n : 0;
}

const double *clv_survivors_counts(const clv_survivors *s, size_t i) {
  return s && i < s->n ? s->c[i].v : NULL;
}

/* Header names that label the period, not a cohort (normalised). */
static int is_period_name(const char *norm) {
  static const char *const names[] = {
      "year", "years", "period", "periods", "t",       "month", "months",
      "week", "weeks", "day",    "days",    "quarter", "time",  "quarters"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(norm, names[i]) == 0)
      return 1;
  return 0;
}

/* A field without blanks around it; len 0 for an empty cell. */
static void trim(const clv__field *f, const char **p, size_t *len) {
  const char *s = f->p;
  size_t n = f->len;
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  *p = s;
  *len = n;
}

static int add_cohort(clv_survivors *s, const clv__field *f, int col) {
  cohort *c = realloc(s->c, (s->n + 1) * sizeof *c);
  if (c == NULL)
    return CLV_ENOMEM;
  s->c = c;
  c = &s->c[s->n];
  memset(c, 0, sizeof *c);
  c->col = col;
  c->name = malloc(f->len + 1);
  if (c->name == NULL)
    return CLV_ENOMEM;
  memcpy(c->name, f->p, f->len);
  c->name[f->len] = '\0';
  s->n++;
  return CLV_OK;
}

static int push(cohort *c, double v) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 32;
    double *p = realloc(c->v, cap * sizeof *p);
    if (p == NULL)
      return CLV_ENOMEM;
    c->v = p;
    c->cap = cap;
  }
  c->v[c->n++] = v;
  return CLV_OK;
}

/* Checks one count of cohort c at (line, fld) and appends it. */
static int read_count(clv__csv *csv, cohort *c, const clv__field *fld,
                      long line, clv_error *err) {
  const char *p;
  size_t len;
  double v;
  char shown[48];
  trim(fld, &p, &len);
  if (len == 0) {
    c->ended = 1;
    return CLV_OK;
  }
  if (c->ended) {
    clv__csv_error(csv, err, line, fld->column,
                   "expected an empty cell: cohort %s ended after line %ld, "
                   "found \"%s\"",
                   c->name, c->last_line,
                   clv__field_text(fld, shown, sizeof shown));
    return CLV_EPARSE;
  }
  if (!clv__parse_double(p, len, &v) || !isfinite(v)) {
    clv__csv_error(csv, err, line, fld->column,
                   "expected a survivor count in column %s, found \"%s\"",
                   c->name, clv__field_text(fld, shown, sizeof shown));
    return CLV_EPARSE;
  }
  if (v < 0 || (c->n == 0 && v == 0)) {
    clv__csv_error(csv, err, line, fld->column,
                   "expected a survivor count %s in column %s, found %s",
                   c->n == 0 ? "> 0 (the cohort's size)" : ">= 0", c->name,
                   clv__field_text(fld, shown, sizeof shown));
    return CLV_EPARSE;
  }
  if (c->n > 0 && v > c->v[c->n - 1]) {
    clv__csv_error(csv, err, line, fld->column,
                   "expected at most %.15g survivors in column %s (the count "
                   "of the period before: survivors cannot increase), found "
                   "%s",
                   c->v[c->n - 1], c->name,
                   clv__field_text(fld, shown, sizeof shown));
    return CLV_EPARSE;
  }
  c->last_line = line;
  return push(c, v);
}

int clv_survivors_read_csv(const char *path, const char *const *names,
                           size_t nnames, clv_survivors **out, clv_error *err) {
  clv__csv *csv = NULL;
  clv_survivors *s = NULL;
  clv__csv_opts co;
  const clv__field *f;
  size_t n;
  char norm[128];
  int rc;
  if (err)
    clv_error_clear(err);
  if (path == NULL || out == NULL || (nnames > 0 && names == NULL))
    return CLV_EINVAL;
  *out = NULL;
  memset(&co, 0, sizeof co);
  rc = clv__csv_open_path(&csv, path, NULL, &co, err);
  if (rc)
    goto fail;
  s = calloc(1, sizeof *s);
  if (s == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  rc = clv__csv_next(csv, &f, &n, err);
  if (rc)
    goto fail;
  if (n == 0) {
    rc = CLV_EEMPTY;
    clv__csv_error(csv, err, 1, 0, "expected a header line, found no data");
    goto fail_status;
  }
  if (nnames == 0) {
    for (size_t j = 0; j < n; j++) {
      clv__colname_norm(f[j].p, f[j].len, norm, sizeof norm);
      if (!is_period_name(norm) && (rc = add_cohort(s, &f[j], (int)j)))
        goto fail;
    }
    if (s->n == 0) {
      rc = CLV_ENOCOLUMN;
      clv__csv_error(csv, err, clv__csv_line(csv), 1,
                     "expected cohort columns of survivor counts, found only "
                     "a period column");
      goto fail_status;
    }
  } else {
    for (size_t k = 0; k < nnames; k++) {
      int j = clv__colname_resolve(names[k], f, n);
      if (j < 0) {
        rc = CLV_ENOCOLUMN;
        clv__csv_error(csv, err, clv__csv_line(csv), 1,
                       "expected a cohort column \"%s\" in the header, found "
                       "none",
                       names[k]);
        goto fail_status;
      }
      if ((rc = add_cohort(s, &f[j], j)))
        goto fail;
    }
  }
  for (;;) {
    rc = clv__csv_next(csv, &f, &n, err);
    if (rc)
      goto fail;
    if (n == 0)
      break;
    long line = clv__csv_line(csv);
    for (size_t i = 0; i < s->n; i++) {
      cohort *c = &s->c[i];
      if ((size_t)c->col >= n) {
        c->ended = 1; /* a short row: the cell is empty */
        continue;
      }
      rc = read_count(csv, c, &f[c->col], line, err);
      if (rc)
        goto fail;
    }
  }
  for (size_t i = 0; i < s->n; i++) {
    if (s->c[i].n < 2) {
      rc = CLV_EEMPTY;
      clv__csv_error(csv, err, 0, 0,
                     "expected survivor counts for period 0 and at least one "
                     "later period in column %s, found %zu",
                     s->c[i].name, s->c[i].n);
      goto fail_status;
    }
  }
  *out = s;
  s = NULL;
  rc = CLV_OK;
  goto fail;
fail_status:
  if (err)
    err->status = rc;
fail:
  clv_survivors_free(s);
  clv__csv_close(csv);
  return rc;
}

/* ---- tenure
 * ------------------------------------------------------------------ */

/* The first header column matching a user's name, or else one of the
 * default names. */
static int find_col(const char *user, const char *const *defaults,
                    const clv__field *f, size_t n) {
  if (user)
    return clv__colname_resolve(user, f, n);
  for (size_t k = 0; defaults[k]; k++) {
    int j = clv__colname_resolve(defaults[k], f, n);
    if (j >= 0)
      return j;
  }
  return -1;
}

/* 0/1, true/false, yes/no (any case). */
static int parse_flag(const char *p, size_t len, int *out) {
  static const char *const yes[] = {"1", "true", "yes", "y"};
  static const char *const no[] = {"0", "false", "no", "n"};
  for (size_t i = 0; i < 4; i++) {
    if (strlen(yes[i]) == len && strncasecmp(p, yes[i], len) == 0) {
      *out = 1;
      return 1;
    }
    if (strlen(no[i]) == len && strncasecmp(p, no[i], len) == 0) {
      *out = 0;
      return 1;
    }
  }
  return 0;
}

int clv_retention_read_tenure(const char *path, const char *renewals_col,
                              const char *churned_col, clv_retention_data **out,
                              clv_error *err) {
  static const char *const rnames[] = {"renewals", "periods",
                                       "periods_survived", NULL};
  static const char *const cnames[] = {"churned", "churn", "cancelled",
                                       "canceled", NULL};
  clv__csv *csv = NULL;
  clv_retention_data *d = NULL;
  clv__csv_opts co;
  const clv__field *f;
  size_t n;
  char shown[48];
  int rc, rcol, ccol;
  if (err)
    clv_error_clear(err);
  if (path == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  memset(&co, 0, sizeof co);
  rc = clv__csv_open_path(&csv, path, NULL, &co, err);
  if (rc)
    goto fail;
  rc = clv_retention_data_new(&d);
  if (rc)
    goto fail;
  rc = clv__csv_next(csv, &f, &n, err);
  if (rc)
    goto fail;
  if (n == 0) {
    rc = CLV_EEMPTY;
    clv__csv_error(csv, err, 1, 0, "expected a header line, found no data");
    goto fail_status;
  }
  rcol = find_col(renewals_col, rnames, f, n);
  ccol = find_col(churned_col, cnames, f, n);
  if (rcol < 0 || ccol < 0) {
    rc = CLV_ENOCOLUMN;
    clv__csv_error(
        csv, err, clv__csv_line(csv), 1,
        "expected a %s column in the header, found none",
        rcol < 0
            ? (renewals_col ? renewals_col : "renewals (or periods)")
            : (churned_col ? churned_col : "churned (or churn, cancelled)"));
    goto fail_status;
  }
  for (;;) {
    const char *p;
    size_t len;
    double r;
    int churned;
    rc = clv__csv_next(csv, &f, &n, err);
    if (rc)
      goto fail;
    if (n == 0)
      break;
    long line = clv__csv_line(csv);
    if ((size_t)rcol >= n || (size_t)ccol >= n) {
      rc = CLV_EPARSE;
      clv__csv_error(csv, err, line, (long)f[n - 1].column + (long)f[n - 1].len,
                     "expected %d fields, found %zu",
                     (rcol > ccol ? rcol : ccol) + 1, n);
      goto fail;
    }
    trim(&f[rcol], &p, &len);
    if (!clv__parse_double(p, len, &r) || !(r >= 0) || r != floor(r) ||
        !(r < 1e7)) {
      rc = CLV_EPARSE;
      clv__csv_error(csv, err, line, f[rcol].column,
                     "expected the number of renewals (a whole number >= 0), "
                     "found \"%s\"",
                     clv__field_text(&f[rcol], shown, sizeof shown));
      goto fail;
    }
    trim(&f[ccol], &p, &len);
    if (!parse_flag(p, len, &churned)) {
      rc = CLV_EPARSE;
      clv__csv_error(csv, err, line, f[ccol].column,
                     "expected a churned flag (0 or 1), found \"%s\"",
                     clv__field_text(&f[ccol], shown, sizeof shown));
      goto fail;
    }
    rc = clv_retention_data_add_customer(d, (long)r, churned, 1.0);
    if (rc)
      goto fail;
  }
  if (clv_retention_data_customers(d) == 0) {
    rc = CLV_EEMPTY;
    clv__csv_error(csv, err, 0, 0, "expected customer rows, found none");
    goto fail_status;
  }
  *out = d;
  d = NULL;
  rc = CLV_OK;
  goto fail;
fail_status:
  if (err)
    err->status = rc;
fail:
  clv_retention_data_free(d);
  clv__csv_close(csv);
  return rc;
}
