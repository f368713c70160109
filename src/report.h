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
/* 1 when the report's language is Chinese. */
int clv__report_zh(const clv_report *r);
/* Where the page links the action-list CSVs ("actions/"), or NULL when
 * the report writes none. */
const char *clv__report_actions_href(const clv_report *r);
const char *clv__report_actions_dir(const clv_report *r);
/* Scoring dates of the CLV trend (0: none) and the base options for them. */
int clv__report_trend(const clv_report *r, const clv_base_opts **base);

/* ---- payload builders shared by the section files (report_data.c) ---- */

/* Opens a chart spec {"type", "title", "xname", "yname", "yfmt" (money,
 * int, pct, num): the caller adds "x" and "series" and closes it. */
void clv__chart_open(clv__jbuf *b, const char *type, const char *title,
                     const char *xname, const char *yname, const char *yfmt);
/* Appends one series {name, kind (bar, line, area, dashed, hidden), data}. */
void clv__series(clv__jbuf *b, const char *name, const char *kind,
                 const double *v, size_t n);
/* Appends a key figure {label, value, kind} or {label, text}. */
void clv__kpi(clv__jbuf *b, const char *label, double v, const char *kind);
void clv__kpi_text(clv__jbuf *b, const char *label, const char *text);
/* Adds the payload in b as section id and frees b. */
int clv__finish(clv_report *r, clv__jbuf *b, const char *id, const char *en,
                const char *zh);

/* The business sections (report_biz.c): value segments, cohorts,
 * acquisition, products and actions, each computed by its module; a module
 * that fails gives a section that says why. Only memory failures and
 * invalid arguments fail. */
int clv__report_add_biz_sections(clv_report *r, const clv_base *b);

#endif
