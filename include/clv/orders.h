/*
 * clv/orders.h - the order table: an order log held in memory, row by row,
 * with the optional columns the business layer needs (order id, product,
 * category, quantity, cost, channel, acquisition channel, store).
 *
 * The summariser (clv/ingest.h) streams a log into one record per customer
 * and forgets the rows; segments, cohorts, products and reminders need the
 * rows themselves. An order table keeps them as column arrays: customer
 * number, day, net amount, and for each text column a number into that
 * column's dictionary of distinct values. Customers are numbered 0, 1, ...
 * in order of first appearance; rows keep the input order.
 *
 * Rows without a customer id (the UCI Online Retail file has many) are kept
 * with customer CLV_NO_CUSTOMER, so that product and company totals add up
 * to the log's totals; everything per customer leaves them out and the
 * report counts them.
 */
#ifndef CLV_ORDERS_H
#define CLV_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "clv/ingest.h"
#include "clv/status.h"
#include "clv/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clv_orders clv_orders;

/* The customer number of a row without a customer id, and the key of an
 * empty text field. */
#define CLV_NO_CUSTOMER UINT32_MAX
#define CLV_NO_KEY UINT32_MAX

/* Text columns, each held as keys into its own dictionary. */
typedef enum clv_attr {
  CLV_ATTR_ORDER = 0,    /* order / invoice id */
  CLV_ATTR_PRODUCT,      /* product id or SKU */
  CLV_ATTR_PRODUCT_NAME, /* product name (first one seen per product) */
  CLV_ATTR_CATEGORY,     /* product category */
  CLV_ATTR_CHANNEL,      /* sales channel: store, web, app, mini-program */
  CLV_ATTR_ACQ_CHANNEL,  /* acquisition channel of the customer */
  CLV_ATTR_STORE,        /* store */
  CLV_ATTR__COUNT
} clv_attr;

/* Canonical name of a text column ("order_id", "product_id",
 * "product_name", "category", "channel", "acquisition_channel", "store"). */
const char *clv_attr_name(clv_attr a);

/* Numeric columns beside day and amount. */
typedef enum clv_num {
  CLV_NUM_QUANTITY = 0, /* units on the row (negative for a return) */
  CLV_NUM_COST,         /* cost of the row in money (quantity x unit cost,
                           or amount x (1 - margin) when a margin is given) */
  CLV_NUM__COUNT
} clv_num;

/*
 * Creates an empty table. `attrs` is a bit mask (1u << CLV_ATTR_...) of the
 * text columns and `nums` (1u << CLV_NUM_...) of the numeric columns it will
 * carry. The caller frees it with clv_orders_free(). CLV_OK or CLV_ENOMEM.
 */
int clv_orders_new(clv_orders **out, unsigned attrs, unsigned nums);

/* Frees a table. Accepts NULL. */
void clv_orders_free(clv_orders *o);

/* One row for clv_orders_add(). Text fields are (pointer, length); a NULL
 * pointer or length 0 is an empty field. Fields of columns the table does
 * not carry are ignored. */
typedef struct clv_order_row {
  const char *customer; /* NULL or "" = no customer id */
  size_t customer_len;
  int32_t day;   /* day number (clv/time.h) */
  double amount; /* net money of the row; negative = refund / return */
  const char *text[CLV_ATTR__COUNT];
  size_t text_len[CLV_ATTR__COUNT];
  double num[CLV_NUM__COUNT];
} clv_order_row;

/* Zeroes a row (no customer, day 0, amount 0, empty fields). */
void clv_order_row_init(clv_order_row *r);

/* Appends a row, copying its texts. Returns CLV_OK, CLV_ENOMEM, CLV_EDOMAIN
 * (a day outside +-100 million days or a value that is not finite: nothing
 * is added) or CLV_EOVERFLOW (more than 2^32 - 2 rows, customers or keys). */
int clv_orders_add(clv_orders *o, const clv_order_row *r);

/* Sizes. */
size_t clv_orders_rows(const clv_orders *o);
size_t clv_orders_customers(const clv_orders *o);

/* Column masks the table carries, and whether one column is there. */
unsigned clv_orders_attrs(const clv_orders *o);
unsigned clv_orders_nums(const clv_orders *o);
int clv_orders_has_attr(const clv_orders *o, clv_attr a);
int clv_orders_has_num(const clv_orders *o, clv_num n);

/* Row columns (clv_orders_rows() values each). The pointers stay valid
 * until the next clv_orders_add() or clv_orders_free(). NULL for a column
 * the table does not carry. */
const uint32_t *clv_orders_customer(const clv_orders *o); /* or NO_CUSTOMER */
const int32_t *clv_orders_day(const clv_orders *o);
const double *clv_orders_amount(const clv_orders *o);
const double *clv_orders_num(const clv_orders *o, clv_num n);
const uint32_t *clv_orders_key(const clv_orders *o, clv_attr a); /* NO_KEY */

/* The id of customer c (NUL-terminated) and its length (len may be NULL). */
const char *clv_orders_customer_id(const clv_orders *o, uint32_t c,
                                   size_t *len);

/* Finds a customer by id: 1 and *c when known, else 0. */
int clv_orders_find_customer(const clv_orders *o, const char *id, size_t len,
                             uint32_t *c);

/* Distinct values of a text column, and the text of key k (NUL-terminated;
 * "" for an out-of-range key or an absent column). */
size_t clv_orders_keys(const clv_orders *o, clv_attr a);
const char *clv_orders_key_text(const clv_orders *o, clv_attr a, uint32_t k);

/* For CLV_ATTR_PRODUCT: the product name first seen with product k, or ""
 * (the table remembers one name per product when it carries both). */
const char *clv_orders_product_name(const clv_orders *o, uint32_t k);

/* First and last day over all rows (0 and -1 when empty). */
int32_t clv_orders_first_day(const clv_orders *o);
int32_t clv_orders_last_day(const clv_orders *o);

/* How one value of a text column is chosen for a customer. */
typedef enum clv_attr_pick {
  CLV_PICK_FIRST = 0, /* the value on the customer's earliest row (the
                         acquisition channel / first product / first store);
                         ties between rows of one day: the first in input */
  CLV_PICK_MOST       /* the value on most of the customer's rows (ties: the
                         one seen first) */
} clv_attr_pick;

/*
 * Writes per customer (clv_orders_customers() entries into out) one key of
 * column a, chosen by `pick` among the customer's non-empty values;
 * CLV_NO_KEY when the customer has none. Only rows on or before until_day
 * count (INT32_MAX: all). Returns CLV_OK, CLV_EINVAL (absent column),
 * CLV_ENOMEM.
 */
int clv_orders_customer_attr(const clv_orders *o, clv_attr a,
                             clv_attr_pick pick, int32_t until_day,
                             uint32_t *out);

/*
 * Builds the per-customer summary from the table, with the same rules and
 * options as clv_summarize_file() (unit, period, until_day, holdout_day;
 * the column, header, delimiter and thread options are ignored). Rows
 * without a customer are left out. The summary has one row per customer that
 * made a purchase in the calibration window, in customer-number order; when
 * row_of (may be NULL) is given it receives clv_orders_customers() entries:
 * customer c's summary row, or SIZE_MAX when c is not in the summary
 * (first purchase after until or in the holdout, only refunds). The report
 * (may be NULL) is filled like clv_summarize_file()'s, without columns.
 * The caller frees *out with clv_summary_free(). Returns the statuses of
 * clv_summarize_file() but CLV_EIO and CLV_EPARSE.
 */
int clv_orders_summarize(const clv_orders *o, const clv_ingest_opts *opts,
                         clv_summary **out, size_t *row_of,
                         clv_ingest_report *report);

/* ---- reading an order log --------------------------------------------- */

typedef struct clv_orders_opts {
  /* Customer, date, amount / quantity x price, header, delimiter, date
   * order, until_day (rows after it are still read: --as-of scoring needs
   * them, and clv_orders_summarize() applies until), skip_errors, progress;
   * as in clv/ingest.h. */
  clv_ingest_opts ingest;
  /* Optional columns: a header name or 1-based position; NULL = detect from
   * the header names (English and Chinese, see docs/business.md); "" =
   * do not use even when detected. */
  const char *attr_col[CLV_ATTR__COUNT];
  /* The cost columns are ingest.cost_col, unit_cost_col and margin_col
   * (clv/ingest.h): the order table always reads them, detected when NULL;
   * a margin is a share of the amount, 0..1 or 0..100%. */
  /* 1 (default): rows without a customer id are kept (CLV_NO_CUSTOMER) and
   * counted; 0: they are errors (skipped and counted with skip_errors). */
  int keep_anonymous;
} clv_orders_opts;

/* Fills the defaults listed above. */
void clv_orders_opts_init(clv_orders_opts *o);

/* What reading saw, beside the ingest report's counts and column names. */
typedef struct clv_orders_report {
  clv_ingest_report ingest; /* rows, skipped, errors, the core columns */
  uint64_t rows_anonymous;  /* rows without a customer id */
  double amount_total;      /* net amount of every row read */
  double amount_anonymous;  /* net amount of rows without a customer */
  /* Header names of the optional columns used ("" = absent). */
  char attr_col[CLV_ATTR__COUNT][128];
  /* How the cost of a row was found: ingest.cost_col. */
} clv_orders_report;

/*
 * Reads the order log at `path` ("-" = standard input, gzip detected) into
 * a new table. Errors as clv_summarize_file(): file:line:column in err,
 * CLV_EPARSE without skip_errors, CLV_ENOCOLUMN, CLV_EEMPTY, CLV_EIO,
 * CLV_ENOMEM. `o`, `report` and `err` may be NULL. The caller frees *out
 * with clv_orders_free().
 */
int clv_orders_read(const char *path, const clv_orders_opts *o,
                    clv_orders **out, clv_orders_report *report,
                    clv_error *err);

#ifdef __cplusplus
}
#endif
#endif
