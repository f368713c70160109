/*
 * commands.h - the subcommand table of clv. One line per subcommand:
 * X(name, function, one-line summary). Each function is in cmd_<name>.c.
 */
#ifndef CLV_COMMANDS_H
#define CLV_COMMANDS_H

#define CLV_COMMANDS(X)                                                        \
  X(summary, cmd_summary, "order log -> one row per customer (RFM summary)")   \
  X(simulate, cmd_simulate,                                                    \
    "draw a realistic order log from BG/NBD + Gamma-Gamma")                    \
  X(fit, cmd_fit,                                                              \
    "customer summary -> fitted BG/NBD or Gamma-Gamma model (JSON)")           \
  X(predict, cmd_predict,                                                      \
    "models + summary -> P(alive), purchases, CLV per customer")               \
  X(retention, cmd_retention,                                                  \
    "subscription retention: sBG fit, survivor projection, DERL, CLV")         \
  X(validate, cmd_validate, "holdout validation: which model predicts best")   \
  X(run, cmd_run, "the one-shot job: summary -> models -> predictions, CLV") \
  X(segment, cmd_segment, "value tiers, RFM groups, churn risk, concentration") \
  X(remind, cmd_remind, "reorder reminders: due dates and the week's contacts") \
  X(cac, cmd_cac, "acquisition budgets: max CAC, LTV:CAC, payback per channel") \
  X(cohort, cmd_cohort, "acquisition cohorts: retention, CLV curves, trend") \
  X(products, cmd_products, "product profit, high-value buys, cross-sell pairs") \
  X(report, cmd_report, "order log -> self-contained HTML dashboard (ECharts)") \
  X(whatif, cmd_whatif, "what-if: value under retention, frequency, AOV, margin")

#define CLV__DECLARE(name, fn, text) int fn(int argc, char **argv);
CLV_COMMANDS(CLV__DECLARE)
#undef CLV__DECLARE

#endif
