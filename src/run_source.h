/*
 * run_source.h - where a run's summaries come from (internal): clv_run()
 * reads an order log file, clv_base_build() an order table in memory. The
 * run summarises its source twice when it chooses the model on a holdout,
 * once for the calibration split and once for the whole log.
 */
#ifndef CLV_RUN_SOURCE_H
#define CLV_RUN_SOURCE_H

#include "clv.h"

typedef struct clv__run_source {
  /* Builds the summary under io (unit, period, until, holdout); the caller
   * frees *out. report and err may be NULL. Statuses of
   * clv_summarize_file(). */
  int (*summarize)(void *ctx, const clv_ingest_opts *io, clv_summary **out,
                   clv_ingest_report *report, clv_error *err);
  void *ctx;
  int rereadable; /* 0: one summary only (standard input) */
} clv__run_source;

/* clv_run() over any source. */
int clv__run_from(const clv__run_source *src, const clv_run_opts *o,
                  clv_run_result **out, clv_error *err);

/* Appends a note to r: en to r->notes (after a space) and the pair to
 * r->note_list; zh NULL: the English wording in both. */
void clv__run_note(clv_run_result *r, const char *en, const char *zh);

#endif
