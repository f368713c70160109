/*
 * clv/report.h - the self-contained HTML dashboard (`clv report`).
 *
 * One HTML file that opens offline in any browser: the page template and
 * Apache ECharts are embedded in libclv at build time, and the figures go in
 * as one JSON object that the page's script draws from. A report is a list
 * of sections; each section is an id, a title in English and Chinese and a
 * JSON payload (key figures and chart specs, see docs/report.md), so that a
 * new section (segments, cohorts, products...) is one function that builds
 * a payload. Payloads hold aggregates only (histograms, binned curves),
 * never per-customer arrays, so that a base of millions of customers gives
 * a file of a few MB at most.
 */
#ifndef CLV_REPORT_H
#define CLV_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "clv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_report_opts {
  const char *lang;     /* "en" (default) or "zh": labels and number style */
  const char *currency; /* ISO code, "USD" (default; "CNY" when lang zh) */
  const char *symbol;   /* NULL (default): from the code ($, ¥, €, £) */
  const char *title;    /* NULL (default): "Customer lifetime value" */
  int max_points;       /* most points of one curve or histogram (60) */
  /* Folder where the business sections write the action-list CSVs
   * (customers.csv, contacts.csv, recommendations.csv); NULL (default):
   * none are written and the page links to none. The folder must exist. */
  const char *actions_dir;
  /* The same folder as the page links to it, relative to the HTML file
   * ("actions"); NULL (default): actions_dir. */
  const char *actions_href;
  /* The CLV trend in the Cohorts section: scoring dates (the latest
   * included, 3 months apart; clv_trend_compute()). 0 (default): none, as
   * each date costs about one more scoring of the log. */
  int trend_points;
  /* The options the base was scored with, for the older dates of the
   * trend (NULL: the defaults). Borrowed: must outlive the report. */
  const clv_base_opts *trend_base;
} clv_report_opts;

/* Fills the defaults listed above. */
void clv_report_opts_init(clv_report_opts *o);

/* A report being assembled: sections in the order they were added. */
typedef struct clv_report clv_report;

/* Creates an empty report; o may be NULL (defaults; the strings are copied).
 * The caller frees *out with clv_report_free(). Returns CLV_OK, CLV_EINVAL
 * (unknown lang) or CLV_ENOMEM. */
int clv_report_new(clv_report **out, const clv_report_opts *o);

/* Frees a report. Accepts NULL. */
void clv_report_free(clv_report *r);

/* 1 when this build embeds Apache ECharts (npm was available at build
 * time), 0 otherwise: then clv_report_write_html() fails. */
int clv_report_available(void);

/*
 * Appends a section: id (letters, digits, '_' or '-'), its titles and its
 * payload, a JSON object (copied; the caller keeps its string) whose keys
 * the page understands: "kpis" [{label, value, kind}], "charts" [chart
 * specs], "notes" [strings], "slot" (a placeholder text). See
 * docs/report.md. Returns CLV_OK, CLV_EINVAL (bad id, empty payload) or
 * CLV_ENOMEM.
 */
int clv_report_add_section(clv_report *r, const char *id, const char *title_en,
                           const char *title_zh, const char *payload_json);

/*
 * Appends the sections drawn from a scored base: Overview, Model fit,
 * Tracking (a slot until tracking is wired) and Value. Returns CLV_OK,
 * CLV_EINVAL, CLV_ENOMEM or the statuses of the model predictions.
 */
int clv_report_add_base_sections(clv_report *r, const clv_base *b);

/*
 * Appends the business sections of a base that carries its order table
 * (b->orders): Value segments (tiers, RFM groups), Cohorts (retention,
 * cumulative revenue per customer), Acquisition (LTV:CAC and payback per
 * channel), Products (profitability, high-value lift, cross-sell pairs) and
 * Action (customers at risk, due to reorder this week; with actions_dir,
 * the action-list CSVs written there and linked). A module that cannot
 * run (no product column, too few customers) gives a section saying why.
 * Returns CLV_OK, CLV_EINVAL (b->orders NULL) or CLV_ENOMEM.
 */
int clv_report_add_business_sections(clv_report *r, const clv_base *b);

/*
 * Writes the HTML page with every section to f. Returns CLV_OK, CLV_EIO or
 * CLV_EUNSUPPORTED (built without ECharts: see clv_report_available()).
 */
int clv_report_write_html(const clv_report *r, FILE *f);

/*
 * The whole report of a base in one call: new, the base sections, the
 * business sections when b->orders is set, write, free. o may be NULL. Returns
 * the statuses of the functions above.
 */
int clv_report_write(const clv_base *b, const clv_report_opts *o, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
