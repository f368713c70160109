/*
 * report.h - what the report's files share (internal): a growing JSON text
 * buffer for section payloads, the embedded assets and the language.
 */
#ifndef CLV_REPORT_INTERNAL_H
#define CLV_REPORT_INTERNAL_H

#include <stddef.h>

#include "clv/report.h"

/* The embedded page template and ECharts (report_assets.c, generated at
 * build time by report/embed.c; ECharts is empty without npm). */
extern const unsigned char clv__report_template[];
extern const size_t clv__report_template_len;
extern const unsigned char clv__report_echarts[];
extern const size_t clv__report_echarts_len;

/* A JSON text under construction. A failed allocation sets `failed` and
 * makes the later appends no-ops, so that builders check once at the end. */
typedef struct clv__jbuf {
  char *p;
  size_t len, cap;
  int failed;
} clv__jbuf;

/* Appends raw text. */
void clv__jb_raw(clv__jbuf *b, const char *s);
/* Appends a JSON string literal. */
void clv__jb_str(clv__jbuf *b, const char *s);
/* Appends a number; a value that is not finite becomes null. */
void clv__jb_num(clv__jbuf *b, double v);
/* Appends `"key":` after a comma when the text does not end in '{' or '['. */
void clv__jb_key(clv__jbuf *b, const char *key);
/* Appends a comma unless the text ends in '{', '[' or ':'. */
void clv__jb_sep(clv__jbuf *b);
/* Appends an array of n numbers. */
void clv__jb_nums(clv__jbuf *b, const double *v, size_t n);
/* Frees the text. */
void clv__jb_free(clv__jbuf *b);

/* The label in the report's language: en or zh. */
const char *clv__report_tr(const clv_report *r, const char *en, const char *zh);
int clv__report_max_points(const clv_report *r);

#endif
